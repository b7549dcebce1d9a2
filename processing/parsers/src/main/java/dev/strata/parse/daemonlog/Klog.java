package dev.strata.parse.daemonlog;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The klog line of the Kubernetes components (the kubelet; k8s.io/klog/v2 {@code formatHeader}): {@code Lmmdd
 * hh:mm:ss.uuuuuu threadid file:line] msg}, L the level ({@code I}nfo, {@code W}arning, {@code E}rror, {@code
 * F}atal), the month and day without a year, the local time of the node, the process id (klog's "threadid" is {@code
 * os.Getpid()}), the source file and line. The message is structured since Kubernetes 1.20 ({@code InfoS}: {@code
 * "msg" key="value" key=value key={json}}, Go-quoted strings) or free text before ({@code Infof}). A header has no
 * year: {@link #time} takes it from a reference instant (the journal entry's time, else the file's mtime, else the
 * collection time).
 */
public final class Klog {
  /** The klog header; group 10 is the rest of the line (the message). */
  static final Pattern HEADER =
      Pattern.compile("^([IWEF])(\\d{2})(\\d{2}) (\\d{2}):(\\d{2}):(\\d{2})\\.(\\d{6})\\s+(\\d+) ([^ \\]]+:\\d+)\\] ?(.*)$");

  private Klog() {}

  /** Whether {@code line} starts with a klog header. */
  public static boolean isKlog(String line) {
    return line.length() > 30 && "IWEF".indexOf(line.charAt(0)) >= 0 && HEADER.matcher(line).matches();
  }

  /**
   * The four lines klog writes at the top of each file it creates ({@code --log-file}, {@code --log-dir}): {@code Log
   * file created at: }, {@code Running on machine: }, {@code Binary: }, {@code Log line format: }.
   */
  public static boolean isFileHeader(String line) {
    return line.startsWith("Log file created at: ") || line.startsWith("Running on machine: ")
        || line.startsWith("Binary: Built with ") || line.startsWith("Log line format: ");
  }

  /** A parsed klog line: level word, month, day, seconds of day (micros), pid, source, message and pairs. */
  record Line(String level, int month, int day, long microsOfDay, String headerTime, long pid, String source,
      String msg, Map<String, String> fields, boolean unterminated) {}

  /** The parsed line, or null when it has no klog header. */
  static Line parse(String line) {
    Matcher m = HEADER.matcher(line);
    if (!m.matches()) return null;
    String level = switch (m.group(1)) {
      case "W" -> "warning";
      case "E" -> "error";
      case "F" -> "fatal";
      default -> "info";
    };
    int month = Integer.parseInt(m.group(2));
    int day = Integer.parseInt(m.group(3));
    long micros = ((Integer.parseInt(m.group(4)) * 60L + Integer.parseInt(m.group(5))) * 60L
        + Integer.parseInt(m.group(6))) * 1_000_000L + Long.parseLong(m.group(7));
    String headerTime = m.group(2) + m.group(3) + " " + m.group(4) + ":" + m.group(5) + ":" + m.group(6) + "."
        + m.group(7);
    String rest = m.group(10);
    Map<String, String> fields = new LinkedHashMap<>();
    String msg = rest;
    boolean unterminated = false;
    if (rest.startsWith("\"")) {
      // structured (InfoS / ErrorS): a Go-quoted message, then key=value pairs (logfmt with Go quoting)
      Logfmt.Result r = Logfmt.parse("msg=" + rest);
      fields.putAll(r.fields());
      msg = fields.remove("msg");
      unterminated = r.unterminated();
      if (msg == null) msg = rest;
    }
    return new Line(level, month, day, micros, headerTime, Long.parseLong(m.group(8)), m.group(9), msg, fields,
        unterminated);
  }

  /**
   * The line's instant read as UTC in the year that puts it before {@code reference} (a klog line is written before
   * the file's last modification and before the collection; a day of slack for clocks), or {@code Long.MIN_VALUE} when
   * the date does not exist. A line more than a year older than the reference gets a year too late: a kubelet.log is
   * rotated long before that.
   */
  static long micros(Line l, Instant reference) {
    LocalDateTime ref = LocalDateTime.ofInstant(reference, ZoneOffset.UTC);
    try {
      LocalDateTime t = LocalDateTime.of(ref.getYear(), l.month(), l.day(), 0, 0);
      if (t.isAfter(ref.plusDays(1))) t = t.minusYears(1);
      return t.toEpochSecond(ZoneOffset.UTC) * 1_000_000L + l.microsOfDay();
    } catch (DateTimeException ex) {
      return Long.MIN_VALUE; // Feb 29 of a year without it, month 13
    }
  }
}
