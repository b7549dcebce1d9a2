package dev.strata.detect.sigma;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One record as Sigma sees it: where its fields come from and its text (for keyword searches).
 *
 * <p>An original record ({@link #parse}, {@link #of}): its JSON tree. A field name is a dotted path into nested
 * objects; a key that itself contains dots ({@code authorization.k8s.io/decision}) is found too (the longest key
 * present at each level wins). Arrays on the way are walked element-wise, so a path names every value it reaches;
 * rules match when any of them does.
 *
 * <p>A taxonomy view ({@link #view}): the Sigma taxonomy fields of a generic log source ({@code Image},
 * {@code CommandLine}, ...) answered by a format's {@link SigmaFieldMapping}, each looked up when a rule first asks;
 * keywords search the event's original record.
 */
public final class SigmaRecord {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Where a record's field values come from. */
  @FunctionalInterface
  interface Fields {
    /** Adds every value of {@code field} to {@code out} (arrays flattened; JSON null kept as a null node). */
    void collect(String field, List<JsonNode> out);
  }

  private final JsonNode root;
  private final Fields fields;
  private final java.util.function.Supplier<String> textSource;
  private String text;
  private Map<String, List<JsonNode>> resolved;
  /** Lower-case texts of values already compared (many rules test the same CommandLine, eventName ...). */
  private java.util.IdentityHashMap<JsonNode, String> lowered;

  private SigmaRecord(JsonNode root, String text) {
    this.root = root;
    this.fields = (field, out) -> collect(root, field, out);
    this.text = text;
    this.textSource = null;
  }

  private SigmaRecord(Fields fields, java.util.function.Supplier<String> text) {
    this.root = null;
    this.fields = fields;
    this.textSource = text;
  }

  /**
   * The taxonomy view of an event for one generic log source: {@code fields} answers taxonomy field names, {@code
   * text} (read once, when a keyword rule asks) is what keywords search.
   */
  static SigmaRecord view(Fields fields, java.util.function.Supplier<String> text) {
    return new SigmaRecord(fields, text);
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

  /** The original record's JSON tree, or null for a taxonomy view. */
  public JsonNode root() {
    return root;
  }

  /** The record's text, for keyword searches ("" when a view's event has no original record). */
  public String text() {
    if (text == null) {
      String t = textSource == null ? null : textSource.get();
      text = t == null ? "" : t;
    }
    return text;
  }

  /** The lower-case form of {@code text}, the text of {@code value} (one of {@link #values}): computed once. */
  String lowerCase(JsonNode value, String text) {
    if (lowered == null) lowered = new java.util.IdentityHashMap<>(8);
    String l = lowered.get(value);
    if (l == null) {
      l = text.toLowerCase(java.util.Locale.ROOT);
      lowered.put(value, l);
    }
    return l;
  }

  /** Every value the field names (arrays flattened; JSON null kept as a null node); empty when absent. */
  public List<JsonNode> values(String field) {
    if (resolved == null) resolved = new HashMap<>();
    List<JsonNode> v = resolved.get(field);
    if (v == null) {
      v = new ArrayList<>(1);
      fields.collect(field, v);
      resolved.put(field, v);
    }
    return v;
  }

  /** Every value the dotted path names below {@code node}, into {@code out}. */
  static void collect(JsonNode node, String path, List<JsonNode> out) {
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
