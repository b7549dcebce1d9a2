package dev.strata.parse;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.strata.parse.JsonRecordStream.RecordMapper;
import dev.strata.parse.JsonRecordStream.RecordSpan;
import dev.strata.parse.JsonRecordStream.Source;
import dev.strata.schema.event.EvidenceEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The records of other formats that a chunk's log lines carry ({@link EmbeddedJsonFormat}, {@link
 * EmbeddedTextFormat}): one per container log chunk. A message that looks like a record of a carried format and maps to one is emitted as that format's event
 * (source_format = the carried format, e.g. {@code falco_alert}, so that correlation, Sigma rules and incidents treat
 * it as the alert it is) with the log line as its record: lineage, raw_data and the positional event id are the
 * line's, and unmapped {@code strata.carrier.*} says which log it came through (the carrier's format, container and
 * pod as the log names them). Anything else (not JSON, invalid JSON, text after the object, a record the mapping
 * refuses) returns false and the caller emits the plain log line event, so nothing is lost.
 */
public final class CarriedRecords {
  private final ChunkContext ctx;
  private final List<EmbeddedJsonFormat> formats;
  private final List<EmbeddedTextFormat> textFormats;
  private final RecordMapper[] mappers;
  private final ChunkContext[] textContexts;

  public CarriedRecords(ChunkContext ctx, List<EmbeddedJsonFormat> formats, List<EmbeddedTextFormat> textFormats) {
    this.ctx = ctx;
    this.formats = List.copyOf(formats);
    this.textFormats = List.copyOf(textFormats);
    this.mappers = new RecordMapper[this.formats.size()];
    this.textContexts = new ChunkContext[this.textFormats.size()];
  }

  /** True when a message starting with this byte may carry a record: '{' (JSON) or a digit (a text record's time). */
  public static boolean mayCarry(byte first) {
    return first == '{' || (first >= '0' && first <= '9');
  }

  /** The format whose record the message [s, e) looks like, as an index into the list, or -1. */
  private int formatOf(byte[] b, int s, int e) {
    while (s < e && Json.isWs(b[s])) s++;
    if (s >= e || b[s] != '{') return -1;
    for (int i = 0; i < formats.size(); i++) if (formats.get(i).looksLike(b, s, e)) return i;
    return -1;
  }

  /**
   * The message [js, je) of the chunk's payload, carried by the log record [s, e): emits it as an event of its own
   * format and returns true, or returns false when it carries no record of a listed format. [timeStart, timeEnd) is
   * the carrier's time in the payload (the date of a text record that names only a time of day; empty: none).
   */
  public boolean emit(int js, int je, int s, int e, long line, long ordinal, int timeStart, int timeEnd,
      Map<String, String> carrier, ParseOutput out) {
    byte[] buf = ctx.payload();
    if (js >= je) return false;
    if (buf[js] != '{') {
      // the carrier's time as text only for a message a text format takes (most lines are none)
      return text(buf, js, je, null, s, e, line, ordinal, null, timeStart, timeEnd, carrier, out);
    }
    int f = formatOf(buf, js, je);
    return f >= 0 && map(f, buf, js, je, s, e, line, ordinal, carrier, out);
  }

  /**
   * As {@link #emit(int, int, int, int, long, long, int, int, Map, ParseOutput)} for a message decoded from the log
   * line, with the carrier's time as text.
   */
  public boolean emit(String message, int s, int e, long line, long ordinal, String carrierTime,
      Map<String, String> carrier, ParseOutput out) {
    if (message == null || message.isEmpty()) return false;
    char first = message.charAt(0);
    if (first != '{' && !(first >= '0' && first <= '9')) return false;
    if (first != '{') {
      // a text record is told by its first bytes: look at those before encoding the whole message
      byte[] head = message.substring(0, Math.min(message.length(), 128)).getBytes(StandardCharsets.ISO_8859_1);
      return text(head, 0, head.length, message, s, e, line, ordinal, carrierTime, 0, 0, carrier, out);
    }
    byte[] b = message.getBytes(StandardCharsets.UTF_8);
    int f = formatOf(b, 0, b.length);
    return f >= 0 && map(f, b, 0, b.length, s, e, line, ordinal, carrier, out);
  }

  private boolean text(byte[] b, int ms, int me, String message, int s, int e, long line, long ordinal,
      String carrierTime, int timeStart, int timeEnd, Map<String, String> carrier, ParseOutput out) {
    for (int i = 0; i < textFormats.size(); i++) {
      EmbeddedTextFormat f = textFormats.get(i);
      if (!f.looksLike(b, ms, me)) continue;
      if (textContexts[i] == null) textContexts[i] = ctx.carried(f.format());
      String m = message != null ? message : new String(b, ms, me - ms, StandardCharsets.UTF_8);
      EvidenceEvent ev;
      try {
        String time = carrierTime != null || timeStart >= timeEnd ? carrierTime
            : new String(ctx.payload(), timeStart, timeEnd - timeStart, StandardCharsets.ISO_8859_1);
        ev = f.event(textContexts[i], m, new RecordSpan(s, e, line, ordinal), time);
      } catch (RuntimeException ex) {
        ev = null; // not one of its records after all: the caller keeps the line as a log line
      }
      if (ev != null) {
        emitCarried(ev, carrier, out);
        return true;
      }
    }
    return false;
  }

  private static void emitCarried(EvidenceEvent ev, Map<String, String> carrier, ParseOutput out) {
    if (carrier != null) {
      for (Map.Entry<String, String> c : carrier.entrySet()) {
        if (c.getValue() != null) ev.getUnmapped().put("strata.carrier." + c.getKey(), c.getValue());
      }
    }
    out.emit(ev);
  }

  private boolean map(int f, byte[] b, int js, int je, int s, int e, long line, long ordinal,
      Map<String, String> carrier, ParseOutput out) {
    RecordMapper m = mappers[f];
    if (m == null) m = mappers[f] = formats.get(f).mapper(ctx.carried(formats.get(f).format()));
    EvidenceEvent ev;
    try (JsonParser p = Json.utf8Parser(b, js, je - js)) {
      if (p == null || p.nextToken() != JsonToken.START_OBJECT) return false;
      m.begin();
      JsonRecordStream.readFields(p, m, new Source(b, js));
      if (p.nextToken() != null) return false;
      ev = m.end(new RecordSpan(s, e, line, ordinal));
    } catch (IOException | JsonRecordStream.RecordException | RuntimeException ex) {
      return false; // not one of its records after all: the caller keeps the line as a log line
    }
    if (ev == null) return false;
    emitCarried(ev, carrier, out);
    return true;
  }
}
