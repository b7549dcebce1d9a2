package dev.strata.ingest.recognize;

import dev.strata.schema.common.Framing;
import java.util.regex.Pattern;

/**
 * {@code k8s_pod}: a snapshot of Pods as {@code kubectl get pods [-A] -o json} prints it: a {@code List} /
 * {@code PodList} whose first {@code items} element is a v1 Pod ({@code kind} Pod, or {@code metadata} with {@code
 * spec} / {@code status} and no {@code involvedObject}) — framing JSON_RECORDS (cut after each complete item).
 *
 * <p>Path: {@code **}{@code /pods*.json}, {@code **}{@code /*-pods*.json} (backs only a probe the sample could not
 * prove: a first item longer than the sample).
 */
public final class K8sPodRecognizer extends PathPatternRecognizer {
  public static final String SOURCE_TYPE = "k8s_pod";

  private static final Pattern PATH = Pattern.compile("(?:^|.*/)(?:[^/]*[-_])?pods[^/]*\\.json");

  public K8sPodRecognizer() {
    super(SOURCE_TYPE, PATH);
  }

  @Override
  public ContentMatch probe(ContentSample sample) {
    JsonSniff.ListHead head = JsonSniff.listHead(sample);
    if (head.first() == null) return ContentMatch.none(head.notFound());
    JsonSniff.Obj first = head.first();
    if (!first.valid() || first.has("involvedObject") || first.has("regarding") || first.has("auditID")) {
      return ContentMatch.none("a List whose first item is not a Pod");
    }
    String kind = first.get("kind");
    if ("Pod".equals(kind)) return ContentMatch.strong(Framing.JSON_RECORDS, "a List of Pods (kubectl get pods -o json)");
    if (kind == null && first.has("metadata") && (first.has("spec") || first.has("status"))) {
      return ContentMatch.weak(Framing.JSON_RECORDS, "a List of objects with metadata and spec, consistent with Pods");
    }
    if (kind == null && !first.complete()) {
      return ContentMatch.weak(Framing.JSON_RECORDS, "a List whose first item is longer than the sample");
    }
    return ContentMatch.none("a List whose first item is not a Pod");
  }
}
