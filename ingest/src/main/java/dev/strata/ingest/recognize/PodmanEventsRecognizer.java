package dev.strata.ingest.recognize;

import dev.strata.schema.common.Framing;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;

/**
 * {@code podman_events}: Podman (libpod) events in the three forms it leaves them.
 *
 * <p>Path: the file events logger's {@code **}{@code /libpod/events/events.log} (rootful {@code /run/libpod/...})
 * and {@code **}{@code /libpod/tmp/events/events.log} (rootless {@code /run/user/<uid>/libpod/tmp/...}), and exports
 * named {@code podman-events*} / {@code podman_events*}. Content (framing LINES):
 * <ul>
 *   <li>the first line is a JSON object with libpod's capitalized {@code Status}, {@code Type} and {@code Time}
 *       (events file, {@code podman events --format json} before Podman 5), or {@code Status}, {@code Type}, {@code ID}
 *       or {@code Name} and Docker's epoch {@code time} / {@code timeNano} without {@code Action} (Podman 5's
 *       {@code podman events --format json}): STRONG. Docker's lower-case event lines are not claimed;
 *   <li>the first line is a journald JSON entry with {@code PODMAN_EVENT}: STRONG; a journald export whose first
 *       entry is another program's but that holds PODMAN_EVENT entries within the sample: STRONG when no entry of
 *       the sample is a runtime daemon's (dockerd, containerd, CRI-O) or Falco's (an unfiltered export of a Podman
 *       host's system journal: before, it was not recognized and root's podman events were lost), else WEAK (path
 *       needed: a mixed export's other programs have readers of their own);
 *   <li>the first line is {@code podman events} text: {@code <Go time> <zone> <type> <status> ...} with a libpod
 *       type (container, pod, image, volume, network, system, machine, secret, artifact): STRONG.
 * </ul>
 */
public final class PodmanEventsRecognizer extends PathPatternRecognizer {
  public static final String SOURCE_TYPE = "podman_events";

  private static final Pattern PATH =
      Pattern.compile("(?:^|.*/)(?:libpod/(?:tmp/)?events/events\\.log(?:\\.[0-9]+)?|podman[-_]events[^/]*)");
  static final Pattern TEXT =
      Pattern.compile(
          "\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}(?:\\.\\d{1,9})? [+-]\\d{4} \\S+(?: m=[+-][0-9.]+)?"
              + " (?:container|pod|image|volume|network|system|machine|secret|artifact) [A-Za-z_-]+(?: .*)?");

  public PodmanEventsRecognizer() {
    super(SOURCE_TYPE, PATH);
  }

  @Override
  public ContentMatch probe(ContentSample sample) {
    List<JsonSniff.Line> lines = JsonSniff.lines(sample, 64);
    if (lines.isEmpty()) {
      return ContentMatch.none("no content");
    }
    byte[] b = sample.bytes();
    JsonSniff.Line first = lines.get(0);
    int s = first.offset();
    while (s < first.offset() + first.length() && (b[s] == ' ' || b[s] == '\t')) s++;
    if (s < b.length && b[s] == '{') {
      JsonSniff.Obj o = JsonSniff.object(b, first.offset(), first.length());
      if (!o.valid()) {
        return ContentMatch.none("first line is not a JSON object");
      }
      if (o.has("Status") && o.has("Type") && o.has("Time")) {
        return ContentMatch.strong(Framing.LINES, "JSON lines of libpod events (Status, Type, Time)");
      }
      // Podman 5's `podman events --format json` (containers/podman#21784): the time as Docker writes it, epoch
      // seconds "time" and "timeNano", the rest libpod's capitalized fields; Docker's own lines have "Action" and a
      // lower-case "status" (RHEL 9.5+ ships Podman 5: a responder's export was not recognized)
      if (o.has("Status") && o.has("Type") && (o.has("time") || o.has("timeNano")) && !o.has("Action")
          && (o.has("ID") || o.has("Name"))) {
        return ContentMatch.strong(Framing.LINES, "JSON lines of podman 5 events (Status, Type, time/timeNano)");
      }
      if (o.get("PODMAN_EVENT") != null) {
        return ContentMatch.strong(Framing.LINES, "journald JSON export of podman events (PODMAN_EVENT)");
      }
      if (o.has("__REALTIME_TIMESTAMP") || o.has("__CURSOR")) {
        boolean podman = false;
        boolean otherReader = false;
        for (JsonSniff.Line l : lines) {
          JsonSniff.Obj e = JsonSniff.object(b, l.offset(), l.length());
          if (e.get("PODMAN_EVENT") != null) podman = true;
          for (String k : new String[] {"_SYSTEMD_UNIT", "SYSLOG_IDENTIFIER", "_COMM"}) {
            String v = e.get(k);
            if (RuntimeDaemonLogSniff.program(v) != null || dev.strata.ingest.journal.JournalSplit.falco(v)) {
              otherReader = true;
            }
          }
        }
        // the whole journal exported (journalctl -D <image>/var/log/journal -o json): systemd, sshd, crond ... and
        // podman's journald events backend. Its only reader is this format (the parser skips the other programs'
        // entries) unless a runtime daemon's or Falco's entries are in it too: then the path decides
        if (podman && !otherReader) {
          return ContentMatch.strong(Framing.LINES,
              "journald JSON export holding podman events among other programs' entries (no runtime daemon's)");
        }
        if (podman) return ContentMatch.weak(Framing.LINES, "journald JSON export holding podman events");
      }
      return ContentMatch.none("first line is not a podman event (Status/Type/Time or PODMAN_EVENT)");
    }
    String head = new String(b, s, Math.min(first.offset() + first.length() - s, 512), StandardCharsets.UTF_8);
    if (TEXT.matcher(head).matches() || (!first.complete() && TEXT.matcher(head).lookingAt())) {
      return ContentMatch.strong(Framing.LINES, "podman events text lines (time zone type status ...)");
    }
    return ContentMatch.none("first line is not a podman event");
  }
}
