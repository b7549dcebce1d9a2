package dev.strata.ingest.recognize;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.strata.schema.common.Framing;
import java.io.IOException;
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
    int start = sample.firstSignificant();
    if (start < 0) return ContentMatch.none("no content");
    byte[] b = sample.bytes();
    if (b[start] != '{') return ContentMatch.none("not a JSON object");
    try (JsonParser p = JsonSniff.parser(b, start, b.length - start)) {
      p.nextToken(); // {
      JsonToken t = p.nextToken();
      while (t == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken v = p.nextToken();
        if (v == null) break;
        if (name.equals("items") && v == JsonToken.START_ARRAY) {
          if (p.nextToken() != JsonToken.START_OBJECT) return ContentMatch.none("items is not an array of objects");
          JsonSniff.Obj first = JsonSniff.readObject(p, start);
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
        if (v == JsonToken.START_OBJECT || v == JsonToken.START_ARRAY) p.skipChildren();
        t = p.nextToken();
      }
    } catch (IOException e) {
      return ContentMatch.none("not a JSON List document");
    }
    return ContentMatch.none("no items");
  }
}
