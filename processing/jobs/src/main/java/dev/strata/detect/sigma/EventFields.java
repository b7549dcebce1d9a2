package dev.strata.detect.sigma;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.strata.schema.event.EvidenceEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One normalized event as a {@link SigmaFieldMapping} reads it: the OCSF fields, {@code unmapped} entries, and its
 * original record ({@code raw_data}), parsed only when a mapping first asks for a value the normalized event does not
 * keep (then once per event).
 */
public final class EventFields {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final EvidenceEvent event;
  private JsonNode raw;
  private boolean rawRead;

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

  /** The first value a dotted path names in the original record (as Sigma compares it: text), or null. */
  public String raw(String path) {
    if (!rawRead) {
      rawRead = true;
      try {
        String text = event.getRawData();
        raw = text == null || text.isEmpty() ? null : JSON.readTree(text);
      } catch (Exception e) {
        raw = null; // a record cut by the raw_data bound: the value is absent
      }
    }
    if (raw == null) return null;
    List<JsonNode> out = new ArrayList<>(1);
    SigmaRecord.collect(raw, path, out);
    for (JsonNode n : out) {
      String t = ValueTest.text(n);
      if (t != null && !t.isEmpty()) return t;
    }
    return null;
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
