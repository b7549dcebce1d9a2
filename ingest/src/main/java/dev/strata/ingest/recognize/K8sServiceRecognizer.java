package dev.strata.ingest.recognize;

import dev.strata.schema.common.Framing;
import java.util.regex.Pattern;

/**
 * {@code k8s_service}: a snapshot of Services as {@code kubectl get services [-A] -o json} prints it: a {@code List} /
 * {@code ServiceList} whose first {@code items} element is a v1 Service ({@code kind} Service) — framing JSON_RECORDS
 * (cut after each complete item). kubectl prints an item's keys in order ({@code apiVersion}, {@code kind}, ...).
 *
 * <p>Path: {@code **}{@code /services*.json}, {@code **}{@code /svc*.json}, {@code **}{@code /*-services*.json},
 * {@code **}{@code /*-svc*.json} (backs only a probe the sample could not prove: a first item whose kind is past the
 * sample).
 */
public final class K8sServiceRecognizer extends PathPatternRecognizer {
  public static final String SOURCE_TYPE = "k8s_service";

  private static final Pattern PATH = Pattern.compile("(?:^|.*/)(?:[^/]*[-_])?(?:services|svc)[^/]*\\.json");

  public K8sServiceRecognizer() {
    super(SOURCE_TYPE, PATH);
  }

  @Override
  public ContentMatch probe(ContentSample sample) {
    JsonSniff.ListHead head = JsonSniff.listHead(sample);
    if (head.first() == null) return ContentMatch.none(head.notFound());
    JsonSniff.Obj first = head.first();
    String kind = first.get("kind");
    if ("Service".equals(kind)) {
      return ContentMatch.strong(Framing.JSON_RECORDS, "a List of Services (kubectl get services -o json)");
    }
    if (kind == null && !first.complete()) {
      return ContentMatch.weak(Framing.JSON_RECORDS, "a List whose first item is longer than the sample");
    }
    return ContentMatch.none("a List whose first item is not a Service");
  }
}
