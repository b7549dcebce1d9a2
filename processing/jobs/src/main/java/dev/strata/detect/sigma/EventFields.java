package dev.strata.detect.sigma;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.strata.schema.event.EvidenceEvent;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One normalized event as a {@link SigmaFieldMapping} reads it: the OCSF fields, {@code unmapped} entries, and its
 * original record ({@code raw_data}), parsed only when a mapping first asks for a value the normalized event does not
 * keep (each path once per event).
 */
public final class EventFields {
  private static final JsonFactory JSON = new JsonFactory();
  private final EvidenceEvent event;
  /** Values read from the original record, by path (null kept: absent). */
  private Map<String, String> rawValues;

  public EventFields(EvidenceEvent event) {
    this.event = event;
  }

  public EvidenceEvent event() {
    return event;
  }

  /** An entry of {@code unmapped}, or null when absent or empty. */
  public String unmapped(String key) {
    Map<String, String> u = event.getUnmapped();
    String v = u == null ? null : u.get(key);
    return v == null || v.isEmpty() ? null : v;
  }

  /**
   * The scalar a dotted path of object keys names in the original record (as text), or null when absent, null, an
   * object or array, or the record is not JSON (cut by the raw_data bound). Read by streaming over the record, not
   * by building its tree: siblings of the path are skipped.
   */
  public String raw(String path) {
    if (rawValues == null) rawValues = new HashMap<>(4);
    if (rawValues.containsKey(path)) return rawValues.get(path);
    String v = scan(event.getRawData(), path);
    rawValues.put(path, v);
    return v;
  }

  static String scan(String json, String path) {
    if (json == null || json.isEmpty()) return null;
    String[] keys = path.split("\\.");
    try (JsonParser p = JSON.createParser(json)) {
      if (p.nextToken() != JsonToken.START_OBJECT) return null;
      int depth = 0;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken v = p.nextToken();
        if (!name.equals(keys[depth])) {
          p.skipChildren();
          continue;
        }
        if (depth == keys.length - 1) {
          String t = v.isScalarValue() && v != JsonToken.VALUE_NULL ? p.getText() : null;
          return t == null || t.isEmpty() ? null : t;
        }
        if (v != JsonToken.START_OBJECT) return null;
        depth++;
      }
      return null;
    } catch (Exception e) {
      return null; // a record cut by the raw_data bound: the value is absent
    }
  }

  /** A mapped value as the JSON node Sigma compares with; nothing for null. */
  static void add(Object v, List<JsonNode> out) {
    if (v == null) return;
    if (v instanceof String s) out.add(TextNode.valueOf(s));
    else if (v instanceof Integer || v instanceof Long) out.add(LongNode.valueOf(((Number) v).longValue()));
    else if (v instanceof Number n) out.add(DoubleNode.valueOf(n.doubleValue()));
    else if (v instanceof Boolean b) out.add(BooleanNode.valueOf(b));
    else out.add(TextNode.valueOf(v.toString()));
  }
}
