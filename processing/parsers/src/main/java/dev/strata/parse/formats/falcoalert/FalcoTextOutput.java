package dev.strata.parse.formats.falcoalert;

import dev.strata.parse.Timestamps;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Falco's text output ({@code json_output: false}, the default of falco.yaml): one alert per line,
 * {@code <time>: <Priority> <output>}, where time is {@code %evt.time} (local {@code HH:MM:SS.nnnnnnnnn}, no date)
 * or, with {@code time_format_iso_8601: true} (the default in Falco's container images), ISO 8601 with a
 * {@code +0000} offset; the output is the rule's output template with its fields filled in. The rule name is not in
 * the line. Stock rules (falcosecurity/rules, Falco's style guide) write their fields as {@code key=value} pairs,
 * {@code "desc (k=v ...)"} or {@code "desc | k=v ..."}, with {@code %container.info} expanded by {@code -pc}/{@code -pk}
 * to {@code container_id=.. container_image=.. container_image_tag=.. container_name=.. [k8s_ns=.. k8s_pod_name=..]};
 * older rules use {@code cmdline=}, {@code shell=}, {@code image=}, {@code k8s.ns=}, {@code k8s.pod=}. A line may come
 * through syslog / journald ({@code "May  1 10:20:05 host falco[812]: "} before it: the host is the alert's).
 */
final class FalcoTextOutput {

  private static final Pattern ALERT = Pattern.compile(
      "^(?:[A-Z][a-z]{2} [ 0-9]\\d \\d{2}:\\d{2}:\\d{2} (\\S+) falco(?:\\[\\d+\\])?: )?"
          + "(\\d{2}:\\d{2}:\\d{2}(?:\\.\\d{1,9})?|\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(?:\\.\\d{1,9})?"
          + "(?:Z|[+-]\\d{2}:?\\d{2})?): "
          + "(Emergency|Alert|Critical|Error|Warning|Notice|Informational|Info|Debug) (.+)$");

  /** Falco's own log lines: {@code "Wed May  1 10:00:00 2024: Falco version: 0.37.1"} (asctime, local time). */
  private static final Pattern ASCTIME = Pattern.compile(
      "^(?:[A-Z][a-z]{2} [ 0-9]\\d \\d{2}:\\d{2}:\\d{2} \\S+ falco(?:\\[\\d+\\])?: )?"
          + "[A-Z][a-z]{2} ([A-Z][a-z]{2}) +(\\d{1,2}) (\\d{2}:\\d{2}:\\d{2}) (\\d{4}): ");

  /** A {@code key=} of the output: a field label after the start, a blank, '(' or '|'. */
  private static final Pattern KEY = Pattern.compile("(?:^|(?<=[\\s(|,]))([A-Za-z_][A-Za-z0-9_.]*(?:\\[\\d+\\])?)=");

  /** Output labels of the stock rules and {@code %container.info} -> the Falco field they print. */
  private static final Map<String, String> FIELDS = Map.ofEntries(
      Map.entry("evt_type", "evt.type"), Map.entry("user", "user.name"), Map.entry("user_name", "user.name"),
      Map.entry("user_uid", "user.uid"), Map.entry("user_loginuid", "user.loginuid"),
      Map.entry("process", "proc.name"), Map.entry("shell", "proc.name"), Map.entry("proc_name", "proc.name"),
      Map.entry("proc_exepath", "proc.exepath"), Map.entry("exepath", "proc.exepath"),
      Map.entry("parent", "proc.pname"), Map.entry("command", "proc.cmdline"), Map.entry("cmdline", "proc.cmdline"),
      Map.entry("pcmdline", "proc.pcmdline"), Map.entry("gparent", "proc.aname[2]"),
      Map.entry("ggparent", "proc.aname[3]"), Map.entry("gggparent", "proc.aname[4]"),
      Map.entry("pid", "proc.pid"), Map.entry("ppid", "proc.ppid"),
      Map.entry("terminal", "proc.tty"), Map.entry("exe_flags", "evt.arg.flags"),
      Map.entry("container_id", "container.id"), Map.entry("container", "container.id"),
      Map.entry("container_image", "container.image.repository"), Map.entry("image", "container.image.repository"),
      Map.entry("container_image_repository", "container.image.repository"),
      Map.entry("container_image_tag", "container.image.tag"), Map.entry("container_name", "container.name"),
      Map.entry("k8s_ns", "k8s.ns.name"), Map.entry("k8s.ns", "k8s.ns.name"), Map.entry("k8s_ns_name", "k8s.ns.name"),
      Map.entry("k8s_pod_name", "k8s.pod.name"), Map.entry("k8s.pod", "k8s.pod.name"),
      Map.entry("file", "fd.name"), Map.entry("fd_name", "fd.name"), Map.entry("connection", "fd.name"),
      Map.entry("vpid", "proc.vpid"), Map.entry("vtid", "thread.vtid"));

  /** {@code client:port->server:port}, as {@code %fd.name} prints a connection (IPv6 in brackets or bare). */
  private static final Pattern CONNECTION =
      Pattern.compile("^\\[?([0-9A-Fa-f:.]+?)\\]?:(\\d{1,5})->\\[?([0-9A-Fa-f:.]+?)\\]?:(\\d{1,5})$");

  private static final Map<String, Integer> MONTHS = Map.ofEntries(
      Map.entry("Jan", 1), Map.entry("Feb", 2), Map.entry("Mar", 3), Map.entry("Apr", 4), Map.entry("May", 5),
      Map.entry("Jun", 6), Map.entry("Jul", 7), Map.entry("Aug", 8), Map.entry("Sep", 9), Map.entry("Oct", 10),
      Map.entry("Nov", 11), Map.entry("Dec", 12));

  private FalcoTextOutput() {}

  /** One text alert: its time as written, priority, output, the description and the fields. */
  record Alert(String time, boolean timeHasDate, String priority, String output, String title,
      Map<String, String> fields, String syslogHost) {}

  /** The alert of a line, or null when the line is not one. */
  static Alert read(String line) {
    Matcher m = ALERT.matcher(line);
    if (!m.matches()) return null;
    String time = m.group(2);
    String output = m.group(4).strip();
    return new Alert(time, time.length() > 18, m.group(3), output, title(output), fields(output), m.group(1));
  }

  /** The start of a text alert: a time, ": " and a priority (a cheap probe on a line's first bytes). */
  private static final Pattern HEAD = Pattern.compile(
      "^(?:[A-Z][a-z]{2} [ 0-9]\\d \\d{2}:\\d{2}:\\d{2} \\S+ falco(?:\\[\\d+\\])?: )?"
          + "(?:\\d{2}:\\d{2}:\\d{2}(?:\\.\\d{1,9})?|\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(?:\\.\\d{1,9})?"
          + "(?:Z|[+-]\\d{2}:?\\d{2})?): "
          + "(?:Emergency|Alert|Critical|Error|Warning|Notice|Informational|Info|Debug) ");

  /** True when the bytes [s, e) start like a text alert (a time, ": ", a priority and a blank). */
  static boolean looksLike(byte[] b, int s, int e) {
    int n = e - s;
    if (n < 20 || !((b[s + 2] == ':' && b[s + 5] == ':') || (b[s + 4] == '-' && b[s + 7] == '-'))) return false;
    String head = new String(b, s, Math.min(n, 96), java.nio.charset.StandardCharsets.ISO_8859_1);
    return HEAD.matcher(head).lookingAt();
  }

  /** The time of a Falco log line ("Wed May  1 10:00:00 2024: ...") as ISO 8601 without offset, or null. */
  static String asctimeInstant(String line) {
    Matcher m = ASCTIME.matcher(line);
    if (!m.find()) return null;
    LocalDate d = logLineDate(line);
    return d == null ? null : d + "T" + m.group(3);
  }

  /** The date of a Falco log line ("Wed May  1 10:00:00 2024: ..."), or null. */
  static LocalDate logLineDate(String line) {
    Matcher m = ASCTIME.matcher(line);
    if (!m.find()) return null;
    Integer month = MONTHS.get(m.group(1));
    if (month == null) return null;
    try {
      return LocalDate.of(Integer.parseInt(m.group(4)), month, Integer.parseInt(m.group(2)));
    } catch (RuntimeException ex) {
      return null;
    }
  }

  /**
   * The instant of a time-of-day alert ({@code HH:MM:SS.nnnnnnnnn}, read as UTC): on the day of {@code reference},
   * or the day before or after when that is nearer to it (an alert just before midnight read with a reference just
   * after it). Null when the time cannot be read.
   */
  static Instant onNearestDay(String timeOfDay, Instant reference) {
    LocalTime t;
    try {
      t = LocalTime.parse(timeOfDay);
    } catch (DateTimeParseException ex) {
      return null;
    }
    LocalDate day = reference.atZone(ZoneOffset.UTC).toLocalDate();
    Instant best = null;
    for (int d = -1; d <= 1; d++) {
      Instant c = day.plusDays(d).atTime(t).toInstant(ZoneOffset.UTC);
      if (best == null || Math.abs(c.getEpochSecond() - reference.getEpochSecond())
          < Math.abs(best.getEpochSecond() - reference.getEpochSecond())) {
        best = c;
      }
    }
    return best;
  }

  /** RFC 3339 text of an instant with nanoseconds as the alert wrote them. */
  static String rfc3339(Instant at, String timeOfDay) {
    int dot = timeOfDay.indexOf('.');
    String fraction = dot < 0 ? "" : timeOfDay.substring(dot);
    return at.atZone(ZoneOffset.UTC).toLocalDate() + "T" + timeOfDay.substring(0, dot < 0 ? timeOfDay.length() : dot)
        + fraction + "Z";
  }

  /** The description: the output before its first field, without the "(" or "|" that opens the fields. */
  static String title(String output) {
    Matcher k = KEY.matcher(output);
    int end = k.find() ? k.start() : output.length();
    String t = output.substring(0, end).strip();
    while (!t.isEmpty() && (t.endsWith("(") || t.endsWith("|") || t.endsWith(","))) {
      t = t.substring(0, t.length() - 1).strip();
    }
    return t.isEmpty() ? output : t;
  }

  /**
   * The {@code key=value} fields of an output, keyed by the Falco field they print where the label is a known one
   * (else by the label as written); a value runs to the next label. A closing ')' of a "(...)" group is not part of
   * the last value. A connection ({@code client:port->server:port}) also gives {@code fd.cip}, {@code fd.cport},
   * {@code fd.sip}, {@code fd.sport}.
   */
  static Map<String, String> fields(String output) {
    Map<String, String> out = new LinkedHashMap<>();
    Matcher k = KEY.matcher(output);
    int groupOpen = -1;
    String key = null;
    int valueStart = -1;
    while (k.find()) {
      if (key == null) {
        int paren = output.lastIndexOf('(', k.start());
        groupOpen = paren;
      } else {
        put(out, key, output.substring(valueStart, k.start()).strip());
      }
      key = k.group(1);
      valueStart = k.end();
    }
    if (key != null) {
      String last = output.substring(valueStart).strip();
      if (groupOpen >= 0 && last.endsWith(")")) last = last.substring(0, last.length() - 1).strip();
      put(out, key, last);
    }
    String conn = out.get("fd.name");
    if (conn != null) {
      Matcher c = CONNECTION.matcher(conn);
      if (c.matches()) {
        out.putIfAbsent("fd.cip", c.group(1));
        out.putIfAbsent("fd.cport", c.group(2));
        out.putIfAbsent("fd.sip", c.group(3));
        out.putIfAbsent("fd.sport", c.group(4));
      }
    }
    return out;
  }

  private static void put(Map<String, String> out, String label, String value) {
    String field = FIELDS.getOrDefault(label, FIELDS.get(label.toLowerCase(Locale.ROOT)));
    out.putIfAbsent(field != null ? field : label, value);
  }

  /** True when the text is an ISO 8601 time with a date that {@link Timestamps} reads. */
  static boolean readable(String time) {
    return Timestamps.toMicros(time) != Timestamps.INVALID;
  }
}
