package dev.strata.ingest.recognize;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.strata.schema.common.Framing;
import java.io.IOException;
import java.util.regex.Pattern;

/**
 * {@code k8s_node}: a snapshot of Nodes as {@code kubectl get nodes -o json} prints it: a {@code List} / {@code
 * NodeList} whose first {@code items} element is a v1 Node ({@code kind} Node) — framing JSON_RECORDS (cut after each
 * complete item). kubectl prints an item's keys in order ({@code apiVersion}, {@code kind}, ...), so the kind is in the
 * sample even when the item (a node lists every image it holds) is longer.
 *
 * <p>Path: {@code **}{@code /nodes*.json}, {@code **}{@code /*-nodes*.json} (backs only a probe the sample could not
 * prove: a first item whose kind is past the sample).
 */
public final class K8sNodeRecognizer extends PathPatternRecognizer {
  public static final String SOURCE_TYPE = "k8s_node";

  private static final Pattern PATH = Pattern.compile("(?:^|.*/)(?:[^/]*[-_])?nodes[^/]*\\.json");

  public K8sNodeRecognizer() {
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
          String kind = first.get("kind");
          if ("Node".equals(kind)) return ContentMatch.strong(Framing.JSON_RECORDS, "a List of Nodes (kubectl get nodes -o json)");
          if (kind == null && !first.complete()) {
            return ContentMatch.weak(Framing.JSON_RECORDS, "a List whose first item is longer than the sample");
          }
          return ContentMatch.none("a List whose first item is not a Node");
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
