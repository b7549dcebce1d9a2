package dev.strata.parse.formats.podmanevents;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.parse.AttributeList;
import dev.strata.parse.ChunkContext;
import dev.strata.parse.EvidenceParser;
import dev.strata.parse.Json;
import dev.strata.parse.JsonRecordStream;
import dev.strata.parse.JsonRecordStream.RecordException;
import dev.strata.parse.JsonRecordStream.RecordSpan;
import dev.strata.parse.JsonTreeMapper;
import dev.strata.parse.ParseException;
import dev.strata.parse.ParseOutput;
import dev.strata.parse.RejectReason;
import dev.strata.parse.TextLines;
import dev.strata.parse.Timestamps;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.raw.RawArtifactChunk;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Podman (libpod) events to OCSF 0 Base Event (exec events: 1007, see below), activity 99 Other, activity_name = the
 * event's status
 * ({@code create}, {@code init}, {@code start}, {@code exec}, {@code died}, {@code remove}, {@code pull}, ...), in
 * the three forms Podman leaves them:
 *
 * <ul>
 *   <li><b>events file</b> ({@code events_logger = "file"}: {@code /run/libpod/events/events.log} rootful,
 *       {@code /run/user/<uid>/libpod/tmp/events/events.log} rootless) and {@code podman events --format json}: one
 *       JSON object per line, libpod {@code events.Event}: {@code ID, Image, Name, Status, Time} (RFC 3339 nanos
 *       with zone), {@code Type, ContainerExitCode, PodID, Network, Error, Attributes} (labels),
 *       {@code HealthStatus, HealthLog, HealthFailingStreak, ...}. Lower-case Docker-compatible names
 *       ({@code status, id, from, Type, Action, Actor, time, timeNano}, as the REST API streams them) are read too.
 *   <li><b>journald export</b> ({@code journalctl -o json}, the default events logger): {@code PODMAN_EVENT,
 *       PODMAN_TYPE, PODMAN_TIME, PODMAN_ID, PODMAN_NAME, PODMAN_IMAGE, PODMAN_EXIT_CODE, PODMAN_LABELS} (JSON of
 *       the attributes), {@code PODMAN_POD_ID, PODMAN_NETWORK_NAME, PODMAN_HEALTH_*, ERROR}; time = PODMAN_TIME,
 *       else {@code __REALTIME_TIMESTAMP} (epoch microseconds). The writing podman process ({@code _PID, _COMM,
 *       _EXE, _CMDLINE, _UID}) becomes {@code process}. Journal entries without PODMAN_EVENT (other programs in an
 *       unfiltered export) are skipped silently.
 *   <li><b>human text</b> ({@code podman events}): {@code <Go time.String()> <type> <status> <id> (image=..,
 *       name=.., k=v, ...)}, and the other types' shapes (image {@code <id> <name>}, volume {@code <name>},
 *       network {@code (container=.., name=..)}, system {@code <status>}).
 * </ul>
 *
 * Container events carry container.uid/name/image_name (runtime "podman"); pod, image, volume, network events a
 * resource of that type. A container's {@code exec} / {@code exec_died} is OCSF 1007 Process Activity, Launch /
 * Terminate (activity_name the status, process.uid = Attributes execID, the exec session), as Docker's exec events;
 * a {@code health_status} event's HealthStatus (healthy, unhealthy, starting) is its status_detail. ContainerExitCode -> status_code (0 Success, else Failure), Error -> status_detail;
 * attributes -> unmapped "attributes.&lt;label&gt;" and io.kubernetes.* labels -> kubernetes.*; everything else
 * unmapped. A record without type or status is rejected (missing_field); a bad time is kept with a warning.
 */
public final class PodmanEventsParser implements EvidenceParser {

  public static final String FORMAT = "podman_events";

  /** Go time.String(): date, clock, numeric offset, zone name, optional monotonic reading; then the event. */
  static final Pattern TEXT =
      Pattern.compile(
          "(\\d{4}-\\d{2}-\\d{2}) (\\d{2}:\\d{2}:\\d{2}(?:\\.\\d{1,9})?) ([+-]\\d{4}) (\\S+)(?: m=[+-][0-9.]+)?"
              + " ([a-z]+) ([A-Za-z_-]+)(?: (.*))?");

  @Override
  public String format() {
    return FORMAT;
  }

  @Override
  public void parse(RawArtifactChunk chunk, ParseOutput out) throws ParseException {
    ChunkContext ctx = ChunkContext.of(chunk);
    byte[] b = ctx.payload();
    int i = 0;
    while (i < b.length && (Json.isWs(b[i]) || (b[i] & 0xff) == 0xEF || (b[i] & 0xff) == 0xBB
        || (b[i] & 0xff) == 0xBF)) {
      i++;
    }
    if (i >= b.length) return;
    if (b[i] == '{' || b[i] == '[') {
      new JsonRecordStream(ctx, new Mapper(ctx), Set.of(), out).run();
    } else {
      text(ctx, out);
    }
  }

  // ---- JSON: events file and journald export ------------------------------------------------------------------

  private static final class Mapper extends JsonTreeMapper {
    private final ChunkContext ctx;

    Mapper(ChunkContext ctx) {
      this.ctx = ctx;
    }

    @Override
    protected EvidenceEvent map(ObjectNode r, RecordSpan span) throws RecordException {
      PodmanEvent pe;
      if (r.has("PODMAN_EVENT") || r.has("PODMAN_TYPE")) {
        pe = journald(r);
      } else if (r.has("__REALTIME_TIMESTAMP") || r.has("__CURSOR") || r.has("_BOOT_ID")) {
        return null; // another program's journal entry in an unfiltered export: not a podman event
      } else {
        pe = file(r);
      }
      if (pe.type == null || pe.status == null) {
        throw new RecordException(RejectReason.MISSING_FIELD, "not a podman event: no Type and Status");
      }
      EvidenceEvent e = pe.toEvent(ctx, span.start(), span.end(), span.line(), span.ordinal());
      e.setRawData(ctx.rawText(span.start(), span.end()));
      return e;
    }

    private PodmanEvent file(ObjectNode r) {
      PodmanEvent pe = new PodmanEvent();
      pe.form = "file";
      for (Iterator<Map.Entry<String, JsonNode>> it = r.fields(); it.hasNext(); ) {
        var f = it.next();
        JsonNode v = f.getValue();
        String s = v.isValueNode() && !v.isNull() ? v.asText() : null; // containers are read below, not printed
        switch (f.getKey()) {
          case "Type", "type" -> pe.type = lower(s);
          case "Status", "status", "Action" -> {
            if (pe.status == null || f.getKey().equals("Status")) pe.status = s;
          }
          case "ID", "id" -> pe.id = s;
          case "Name", "name" -> pe.name = s;
          case "Image", "from" -> pe.image = s;
          case "ContainerExitCode", "containerExitCode" -> pe.exitCode = s;
          case "PodID", "podId" -> pe.podId = s;
          case "Network", "network" -> pe.network = s;
          case "Error", "error" -> pe.error = s;
          case "Time", "time" -> {
            if (v.isNumber()) {
              pe.timeInstant = Timestamps.toInstant(v.asLong() * 1_000_000L);
              pe.timeOriginal = s;
            } else {
              pe.time = s;
              pe.timeField = f.getKey();
            }
          }
          case "timeNano" -> {
            if (v.isNumber() || (s != null && PodmanEvent.isDigits(s, 19))) {
              long nanos = Long.parseLong(s);
              pe.timeInstant = Timestamps.toInstant(Math.floorDiv(nanos, 1000L));
              pe.timeOriginal = s;
            }
          }
          case "Attributes", "attributes" -> attributes(pe, v);
          case "Actor" -> {
            if (pe.id == null) pe.id = Json.text(v, "ID");
            attributes(pe, v.get("Attributes"));
          }
          default -> Json.flatten(pe.extra, lowerFirst(f.getKey()), v, PodmanEvent.MAX);
        }
      }
      if (pe.timeInstant != null && pe.time != null) {
        pe.timeInstant = null; // an RFC 3339 Time wins over epoch numbers
        pe.timeOriginal = null;
      }
      if (pe.timeInstant == null && pe.timeField == null) pe.timeField = "Time";
      pe.healthStatus = pe.extra.get("health_status");
      if (pe.name == null && pe.attributes.containsKey("name")) pe.name = pe.attributes.get("name");
      if (pe.image == null && pe.attributes.containsKey("image")) pe.image = pe.attributes.get("image");
      return pe;
    }

    private PodmanEvent journald(ObjectNode r) {
      PodmanEvent pe = new PodmanEvent();
      pe.form = "journald";
      String realtime = null;
      for (Iterator<Map.Entry<String, JsonNode>> it = r.fields(); it.hasNext(); ) {
        var f = it.next();
        String k = f.getKey();
        String s = journalValue(f.getValue());
        if (s == null) continue;
        switch (k) {
          case "PODMAN_EVENT" -> pe.status = s;
          case "PODMAN_TYPE" -> pe.type = lower(s);
          case "PODMAN_TIME" -> pe.time = s;
          case "PODMAN_ID" -> pe.id = s;
          case "PODMAN_NAME" -> pe.name = s;
          case "PODMAN_IMAGE" -> pe.image = s;
          case "PODMAN_EXIT_CODE" -> pe.exitCode = s;
          case "PODMAN_POD_ID" -> pe.podId = s;
          case "PODMAN_NETWORK_NAME" -> pe.network = s;
          case "ERROR" -> pe.error = s;
          case "PODMAN_LABELS" -> {
            try {
              attributes(pe, Json.MAPPER.readTree(s));
            } catch (Exception bad) {
              pe.extra.put("podman.labels", s);
              pe.extra.put("strata.labels_unreadable", "PODMAN_LABELS is not a JSON object");
            }
          }
          case "__REALTIME_TIMESTAMP" -> realtime = s;
          case "_PID" -> pe.pid = PodmanEvent.isDigits(s, 18) ? Long.parseLong(s) : null;
          case "_COMM" -> pe.comm = s;
          case "_EXE" -> pe.exe = s;
          case "_CMDLINE" -> pe.cmdline = s;
          case "_UID" -> pe.uid = s;
          case "MESSAGE" -> pe.extra.put("journald.message", s);
          default -> {
            if (k.startsWith("PODMAN_")) {
              pe.extra.put("podman." + k.substring(7).toLowerCase(java.util.Locale.ROOT), s);
            } else {
              pe.extra.put("journald." + k.toLowerCase(java.util.Locale.ROOT), s);
            }
          }
        }
      }
      pe.timeField = "PODMAN_TIME";
      pe.healthStatus = pe.extra.get("podman.health_status");
      if (pe.time == null && realtime != null && PodmanEvent.isDigits(realtime, 18)) {
        pe.timeInstant = Timestamps.toInstant(Long.parseLong(realtime));
        pe.timeOriginal = realtime;
      }
      return pe;
    }

    private static void attributes(PodmanEvent pe, JsonNode a) {
      if (a == null || !a.isObject()) return;
      for (Iterator<Map.Entry<String, JsonNode>> it = a.fields(); it.hasNext(); ) {
        var l = it.next();
        String v = Json.text(l.getValue());
        if (v != null) pe.attributes.put(l.getKey(), v);
      }
    }

    /** journald JSON: a string, an array of bytes (non-UTF-8 / binary), or an array of values (repeated field). */
    private static String journalValue(JsonNode v) {
      if (v == null || v.isNull()) return null;
      if (v.isArray()) {
        if (v.isEmpty()) return null;
        if (v.get(0).isInt()) {
          byte[] bytes = new byte[v.size()];
          for (int i = 0; i < bytes.length; i++) bytes[i] = (byte) v.get(i).asInt();
          return new String(bytes, StandardCharsets.UTF_8);
        }
        return journalValue(v.get(0));
      }
      return Json.text(v);
    }
  }

  // ---- human text ---------------------------------------------------------------------------------------------

  private static void text(ChunkContext ctx, ParseOutput out) {
    TextLines.run(ctx, out, (t, start, end, line, ordinal) -> {
      PodmanEvent pe = textEvent(t);
      return pe == null ? null : pe.toEvent(ctx, start, end, line, ordinal);
    }, "not a podman event line ('<date> <time> <offset> <zone> <type> <status> ...')");
  }

  /** One human-readable event line, or null. */
  static PodmanEvent textEvent(String t) {
    Matcher m = TEXT.matcher(t);
    if (!m.matches()) return null;
    PodmanEvent pe = new PodmanEvent();
    pe.form = "text";
    pe.time = PodmanEvent.goTimeToRfc3339(m.group(1), m.group(2), m.group(3));
    pe.timeOriginal = m.group(1) + " " + m.group(2) + " " + m.group(3) + " " + m.group(4);
    pe.timeField = "time";
    if (pe.time == null) pe.time = pe.timeOriginal; // applyTime warns, time_original kept
    pe.type = m.group(5);
    pe.status = m.group(6);
    String rest = m.group(7) == null ? "" : m.group(7);
    switch (pe.type) {
      case "container", "pod" -> {
        int paren = rest.indexOf(" (");
        if (paren < 0 && rest.startsWith("(")) paren = -1;
        String id = paren >= 0 ? rest.substring(0, paren) : rest.contains("(") ? "" : rest;
        pe.id = blank(id.trim());
        int open = rest.indexOf('(');
        if (open >= 0 && rest.endsWith(")")) {
          keyValues(rest.substring(open + 1, rest.length() - 1), pe);
        }
        pe.image = blank(pe.attributes.remove("image"));
        pe.name = blank(pe.attributes.remove("name"));
        pe.podId = blank(pe.attributes.remove("pod_id"));
        for (String k : new String[] {"health_status", "health_failing_streak", "health_status_changed",
            "health_log"}) {
          String v = pe.attributes.remove(k);
          if (v != null) pe.extra.put(k, v);
        }
        pe.healthStatus = pe.extra.get("health_status");
      }
      case "network" -> {
        int open = rest.indexOf(" (");
        pe.id = blank(open >= 0 ? rest.substring(0, open) : rest);
        if (open >= 0 && rest.endsWith(")")) keyValues(rest.substring(open + 2, rest.length() - 1), pe);
        pe.network = blank(pe.attributes.remove("name"));
        String c = pe.attributes.remove("container");
        if (c != null && pe.id == null) pe.id = c;
        String driver = pe.attributes.remove("type");
        if (driver != null) pe.attributes.put("driver", driver);
      }
      case "image", "artifact" -> {
        String[] p = rest.split(" ", 3);
        pe.id = blank(p[0]);
        if (p.length > 1) pe.name = blank(p[1]);
        if (p.length > 2) pe.error = blank(p[2]);
      }
      case "secret" -> pe.id = blank(rest);
      default -> pe.name = blank(rest); // volume, machine, system
    }
    return pe;
  }

  private static void keyValues(String s, PodmanEvent pe) {
    AttributeList.parse(s, pe.attributes);
  }

  private static String blank(String s) {
    return s == null || s.isEmpty() ? null : s;
  }

  private static String lower(String s) {
    return s == null ? null : s.toLowerCase(java.util.Locale.ROOT);
  }

  private static String lowerFirst(String k) {
    if (k.isEmpty()) return k;
    StringBuilder sb = new StringBuilder(k.length() + 4);
    for (int i = 0; i < k.length(); i++) {
      char c = k.charAt(i);
      if (Character.isUpperCase(c)) {
        if (i > 0 && !Character.isUpperCase(k.charAt(i - 1))) sb.append('_');
        sb.append(Character.toLowerCase(c));
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }
}
