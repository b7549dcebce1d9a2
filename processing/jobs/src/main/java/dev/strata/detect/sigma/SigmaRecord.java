package dev.strata.detect.sigma;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One original record as Sigma sees it: its JSON tree and its text (for keyword searches). A field name is a dotted
 * path into nested objects; a key that itself contains dots ({@code authorization.k8s.io/decision}) is found too (the
 * longest key present at each level wins). Arrays on the way are walked element-wise, so a path names every value it
 * reaches; rules match when any of them does.
 */
public final class SigmaRecord {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final JsonNode root;
  private final String text;
  private Map<String, List<JsonNode>> resolved;

  private SigmaRecord(JsonNode root, String text) {
    this.root = root;
    this.text = text;
  }

  /**
   * The record of a source format: {@code json} parsed, unwrapped to the record that has the format's marker field.
   * Null when the text is not a JSON object (for example a record cut by the raw_data bound).
   */
  public static SigmaRecord parse(String json, LogSources.Mapping mapping) {
    if (json == null || json.isEmpty()) return null;
    try {
      JsonNode n = JSON.readTree(json);
      if (n == null || !n.isObject()) return null;
      if (mapping != null && !n.has(mapping.markerField())) {
        JsonNode inner = unwrap(n, mapping.markerField());
        if (inner != null) return new SigmaRecord(inner, inner.toString());
      }
      return new SigmaRecord(n, json);
    } catch (Exception e) {
      return null;
    }
  }

  /** A record of a JSON tree (tests, the benchmark). */
  public static SigmaRecord of(JsonNode root) {
    return new SigmaRecord(root, root.toString());
  }

  private static JsonNode unwrap(JsonNode n, String marker) throws Exception {
    for (String wrapper : new String[] {"detail", "eventData"}) {
      JsonNode w = n.get(wrapper);
      if (w != null && w.isObject() && w.has(marker)) return w;
    }
    JsonNode m = n.get("message");
    if (m != null && m.isTextual() && m.asText().startsWith("{")) {
      JsonNode inner = JSON.readTree(m.asText());
      if (inner != null && inner.isObject() && inner.has(marker)) return inner;
    }
    return null;
  }

  public JsonNode root() {
    return root;
  }

  /** The record's text, for keyword searches. */
  public String text() {
    return text;
  }

  /** Every value the field names (arrays flattened; JSON null kept as a null node); empty when absent. */
  public List<JsonNode> values(String field) {
    if (resolved == null) resolved = new HashMap<>();
    List<JsonNode> v = resolved.get(field);
    if (v == null) {
      v = new ArrayList<>(1);
      collect(root, field, v);
      resolved.put(field, v);
    }
    return v;
  }

  private static void collect(JsonNode node, String path, List<JsonNode> out) {
    if (node == null || node.isMissingNode()) return;
    if (node.isArray()) {
      for (JsonNode el : node) collect(el, path, out);
      return;
    }
    if (!node.isObject()) return;
    JsonNode whole = node.get(path);
    if (whole != null) {
      add(whole, out);
      return;
    }
    // the longest prefix that is a key, then the rest below it
    for (int dot = path.lastIndexOf('.'); dot > 0; dot = path.lastIndexOf('.', dot - 1)) {
      JsonNode child = node.get(path.substring(0, dot));
      if (child != null) {
        collect(child, path.substring(dot + 1), out);
        return;
      }
    }
  }

  private static void add(JsonNode v, List<JsonNode> out) {
    if (v.isArray()) {
      for (JsonNode el : v) add(el, out);
    } else {
      out.add(v);
    }
  }
}
