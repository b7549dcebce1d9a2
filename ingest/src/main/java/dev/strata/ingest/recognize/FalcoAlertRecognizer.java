package dev.strata.ingest.recognize;

import dev.strata.schema.common.Framing;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * {@code falco_alert}: Falco JSON alerts ({@code json_output: true} file/stdout output, and the same object as posted
 * by Falco's HTTP output / Falcosidekick).
 *
 * <p>Path: {@code **}{@code /falco*.json*}, {@code **}{@code /falco/*.log*}. Content: the first line is a JSON object
 * with {@code rule}, {@code priority} and {@code output}, and {@code output_fields} or {@code time} (framing LINES,
 * one alert per line); a single pretty-printed alert object is WHOLE. Text output ({@code json_output: false}):
 * Path also {@code **}{@code /falco*.log*}, {@code **}{@code /falco*.txt*}; content: the first line is an alert
 * ({@code <time>: <Priority> <output>}, the time {@code HH:MM:SS.nnnnnnnnn} or ISO 8601, optionally after a syslog
 * prefix naming {@code falco}), or a Falco log line ({@code "Wed May  1 10:00:00 2024: Falco ..."}) with an alert
 * further in the sample (framing LINES). A first alert line with a shorter time fraction is a weak match (path needed).
 * A journald JSON export ({@code journalctl -u falco -o json}) whose first entry is Falco's (unit, identifier or
 * command {@code falco*}): STRONG, framing LINES (the parser reads each entry's MESSAGE).
 */
public final class FalcoAlertRecognizer extends PathPatternRecognizer {
  public static final String SOURCE_TYPE = "falco_alert";

  private static final Pattern PATH =
      Pattern.compile("(?:^|.*/)(?:falco[^/]*\\.(?:json|log|txt)[^/]*|falco/[^/]*\\.log[^/]*)");

  private static final String SYSLOG = "(?:[A-Z][a-z]{2} [ 0-9]\\d \\d{2}:\\d{2}:\\d{2} \\S+ falco(?:\\[\\d+\\])?: )?";
  private static final String PRIORITY = "(?:Emergency|Alert|Critical|Error|Warning|Notice|Informational|Info|Debug) ";
  /** A text alert whose time is Falco's own: nanoseconds, or ISO 8601 with an offset. */
  private static final Pattern TEXT_ALERT = Pattern.compile(SYSLOG
      + "(?:\\d{2}:\\d{2}:\\d{2}\\.\\d{9}|\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(?:\\.\\d{1,9})?(?:Z|[+-]\\d{2}:?\\d{2})): "
      + PRIORITY);
  /** Any text alert shape (weak on its own). */
  private static final Pattern TEXT_ALERT_LENIENT = Pattern.compile(SYSLOG
      + "(?:\\d{2}:\\d{2}:\\d{2}(?:\\.\\d{1,9})?|\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(?:\\.\\d{1,9})?"
      + "(?:Z|[+-]\\d{2}:?\\d{2})?): " + PRIORITY);
  /** Falco's own log line: asctime, then "Falco" or a message of its startup. */
  private static final Pattern LOG_LINE =
      Pattern.compile(SYSLOG + "[A-Z][a-z]{2} [A-Z][a-z]{2} +\\d{1,2} \\d{2}:\\d{2}:\\d{2} \\d{4}: ");

  public FalcoAlertRecognizer() {
    super(SOURCE_TYPE, PATH);
  }

  private static final JsonObjectLinesProbe PROBE =
      new JsonObjectLinesProbe("Falco alert", FalcoAlertRecognizer::isAlert, FalcoAlertRecognizer::contradicts);

  @Override
  public ContentMatch probe(ContentSample sample) {
    ContentMatch journald = probeJournald(sample);
    if (journald != null) return journald;
    ContentMatch json = PROBE.probe(sample);
    if (json.strength() != ContentMatch.Strength.NONE) return json;
    ContentMatch text = probeText(sample);
    return text != null ? text : json;
  }

  /**
   * {@code journalctl -u falco -o json}: the first line is a journald JSON entry of Falco's unit, identifier or
   * command ({@code falco}, {@code falco[-.@]*}): STRONG; null otherwise.
   */
  private static ContentMatch probeJournald(ContentSample sample) {
    java.util.List<JsonSniff.Line> lines = JsonSniff.lines(sample, 1);
    if (lines.isEmpty()) return null;
    JsonSniff.Line first = lines.get(0);
    int s = first.offset();
    byte[] b = sample.bytes();
    while (s < first.offset() + first.length() && (b[s] == ' ' || b[s] == '\t')) s++;
    if (s >= first.offset() + first.length() || b[s] != '{') return null;
    JsonSniff.Obj o = JsonSniff.object(b, first.offset(), first.length());
    if (!o.valid() || !(o.has("__REALTIME_TIMESTAMP") || o.has("__CURSOR"))) return null;
    for (String k : new String[] {"_SYSTEMD_UNIT", "SYSLOG_IDENTIFIER", "_COMM"}) {
      String v = o.get(k);
      if (dev.strata.ingest.journal.JournalSplit.falco(v)) {
        return ContentMatch.strong(Framing.LINES, "journald JSON export of Falco's output (" + k + "=" + v + ")");
      }
    }
    return null;
  }

  /** The text output form, or null. */
  private static ContentMatch probeText(ContentSample sample) {
    byte[] b = sample.bytes();
    int s = sample.firstSignificant();
    if (s < 0) return null;
    while (s > 0 && b[s - 1] != '\n') s--;
    String text = new String(b, s, b.length - s, StandardCharsets.UTF_8);
    String[] lines = text.split("\n", 200);
    String first = lines[0];
    if (TEXT_ALERT.matcher(first).lookingAt()) {
      return ContentMatch.strong(Framing.LINES, "Falco text alerts (<time>: <Priority> <output>)");
    }
    if (LOG_LINE.matcher(first).lookingAt()) {
      for (int i = 1; i < lines.length - (sample.complete() ? 0 : 1); i++) {
        if (TEXT_ALERT.matcher(lines[i]).lookingAt()) {
          return ContentMatch.strong(Framing.LINES, "Falco text output (log lines, then alerts)");
        }
      }
    }
    if (TEXT_ALERT_LENIENT.matcher(first).lookingAt()) {
      return ContentMatch.weak(Framing.LINES, "lines like Falco text alerts (<time>: <Priority> <output>)");
    }
    return null;
  }

  static boolean isAlert(JsonSniff.Obj o) {
    return o.get("rule") != null && o.get("priority") != null && o.get("output") != null
        && (o.has("output_fields") || o.get("time") != null);
  }

  /** Fields seen so far that a Falco alert does not have. */
  private static boolean contradicts(JsonSniff.Obj o) {
    for (String k : o.fields().keySet()) {
      switch (k) {
        case "time", "rule", "priority", "output", "output_fields", "tags", "source", "hostname", "uuid" -> {}
        default -> {
          return true;
        }
      }
    }
    return false;
  }
}
