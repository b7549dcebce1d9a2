package dev.strata.parse.formats.falcoalert;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.parse.CarriedRecords;
import dev.strata.parse.ChunkContext;
import dev.strata.parse.Events;
import dev.strata.parse.Json;
import dev.strata.parse.OcsfClass;
import dev.strata.parse.ParseOutput;
import dev.strata.parse.RejectReason;
import dev.strata.parse.Timestamps;
import dev.strata.schema.event.EvidenceEvent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Falco's output as journald entries ({@code journalctl -u falco -o json}, and the collector's split of a binary
 * journal file): one JSON object per line whose {@code MESSAGE} is what Falco printed — a JSON alert ({@code
 * json_output: true}) or a text alert — read as the alert it is ({@link FalcoAlertParser#CARRIED}, {@link
 * FalcoAlertParser#CARRIED_TEXT}: a text alert's time of day is placed on the date of the entry's {@code
 * __REALTIME_TIMESTAMP}), with the entry as its record (lineage, raw_data, event id) and unmapped {@code
 * strata.carrier.format} = journald, {@code .unit}, {@code .identifier}, {@code .hostname}, {@code .cursor} and {@code
 * .journal_offset} (the collector's {@code __STRATA_JOURNAL_OFFSET}: the entry's position in its journal file).
 * Falco's other messages (startup, rules loaded) are Base Events with the message, at the entry's time. Entries of
 * other programs (unit, identifier and command none of Falco's: {@code falco}, {@code falco[-.@]*}; falcoctl and
 * falcosidekick are not Falco) are skipped; a line that is not a journald entry
 * is rejected (malformed_record).
 */
final class JournaldAlerts {
  private static final byte[] REALTIME = "\"__REALTIME_TIMESTAMP\"".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] CURSOR = "\"__CURSOR\"".getBytes(StandardCharsets.US_ASCII);

  private final ChunkContext ctx;
  private final ParseOutput out;
  private final CarriedRecords carried;

  JournaldAlerts(ChunkContext ctx, ParseOutput out) {
    this.ctx = ctx;
    this.out = out;
    this.carried = new CarriedRecords(ctx, List.of(FalcoAlertParser.CARRIED), List.of(FalcoAlertParser.CARRIED_TEXT));
  }

  /** True when the payload's first non-blank line is a journald JSON entry (looks at most 64 KiB). */
  static boolean startsLikeJournald(java.nio.ByteBuffer b) {
    if (b == null) return false;
    int i = b.position();
    int limit = Math.min(b.limit(), i + 64 * 1024);
    while (i < limit && (b.get(i) == ' ' || b.get(i) == '\t' || b.get(i) == '\r' || b.get(i) == '\n')) i++;
    if (i >= limit || b.get(i) != '{') return false;
    int e = i;
    while (e < limit && b.get(e) != '\n') e++;
    return contains(b, i, e, REALTIME) || contains(b, i, e, CURSOR);
  }

  private static boolean contains(java.nio.ByteBuffer b, int s, int e, byte[] needle) {
    outer:
    for (int i = s; i + needle.length <= e; i++) {
      for (int k = 0; k < needle.length; k++) {
        if (b.get(i + k) != needle[k]) continue outer;
      }
      return true;
    }
    return false;
  }

  void run() {
    FalcoLines.forEach(ctx, out, this::entry);
  }

  private void entry(int s, int e, long lineNo, long ord) {
    JsonNode root;
    try (JsonParser p = Json.utf8Parser(ctx.payload(), s, e - s)) {
      root = p == null ? null : Json.tree(p);
    } catch (IOException ex) {
      root = null;
    }
    if (root == null || !root.isObject() || !(root.has("MESSAGE") || root.has("__REALTIME_TIMESTAMP"))) {
      out.reject(ctx.rejection(RejectReason.MALFORMED_RECORD, "not a journald JSON entry (MESSAGE,"
          + " __REALTIME_TIMESTAMP) in a journald export", s, e, lineNo, ord));
      return;
    }
    String unit = Json.text(root, "_SYSTEMD_UNIT");
    String ident = Json.text(root, "SYSLOG_IDENTIFIER");
    String comm = Json.text(root, "_COMM");
    if (!falco(unit) && !falco(ident) && !falco(comm)) return; // another program's entry
    String message = message(root.get("MESSAGE"));
    String realtime = Json.text(root, "__REALTIME_TIMESTAMP");
    String when = null;
    if (realtime != null && !realtime.isEmpty() && realtime.length() <= 18 && realtime.chars().allMatch(Character::isDigit)) {
      when = Timestamps.toInstant(Long.parseLong(realtime)).toString();
    }
    Map<String, String> carrier = new LinkedHashMap<>();
    carrier.put("format", "journald");
    carrier.put("unit", unit);
    carrier.put("identifier", ident);
    carrier.put("hostname", Json.text(root, "_HOSTNAME"));
    carrier.put("cursor", Json.text(root, "__CURSOR"));
    carrier.put("journal_offset", Json.text(root, "__STRATA_JOURNAL_OFFSET"));
    if (message != null && carried.emit(message.strip(), s, e, lineNo, ord, when, carrier, out)) return;
    // Falco's own log output: a Base Event at the entry's time
    EvidenceEvent ev = ctx.newEvent(OcsfClass.BASE_EVENT, 0, null, s, e, lineNo, ord, 0);
    ev.setMessage(message == null ? "" : message);
    if (when != null) {
      ctx.applyTime(ev, when, "__REALTIME_TIMESTAMP");
      ev.setTimeOriginal(realtime);
    } else {
      Events.warn(ev, "journald entry without __REALTIME_TIMESTAMP; time = observed_time");
    }
    carrier.forEach((k, v) -> {
      if (v != null) ev.getUnmapped().put("strata.carrier." + k, v);
    });
    ev.setRawData(ctx.rawText(s, e));
    out.emit(ev);
  }

  /** Falco's unit, identifier or command: falco, falco.service, falco-modern-bpf.service, falco@... */
  private static boolean falco(String p) {
    return p != null && p.startsWith("falco")
        && (p.length() == 5 || p.charAt(5) == '-' || p.charAt(5) == '.' || p.charAt(5) == '@');
  }

  /** MESSAGE as journalctl prints it: a string, an array of byte values (non-UTF-8 text) or null. */
  private static String message(JsonNode m) {
    if (m == null || m.isNull()) return null;
    if (m.isArray()) {
      ByteArrayOutputStream b = new ByteArrayOutputStream(m.size());
      for (JsonNode v : m) b.write(v.asInt() & 0xff);
      return b.toString(StandardCharsets.UTF_8);
    }
    return m.asText();
  }

}
