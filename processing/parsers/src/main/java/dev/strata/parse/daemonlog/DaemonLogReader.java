package dev.strata.parse.daemonlog;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.parse.ChunkLines;
import dev.strata.parse.ChunkContext;
import dev.strata.parse.Events;
import dev.strata.parse.Json;
import dev.strata.parse.OcsfSeverity;
import dev.strata.parse.ParseOutput;
import dev.strata.parse.RejectReason;
import dev.strata.parse.Timestamps;
import dev.strata.schema.event.Device;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.event.Process;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The log of a container runtime daemon written with logrus (dockerd, containerd, CRI-O), one line per record, in
 * the envelopes it is found in; the daemon's parser only interprets the messages ({@link Interpreter}).
 *
 * <ul>
 *   <li><b>journald JSON export</b> ({@code journalctl -u <unit> -o json}): one object per line; {@code MESSAGE} is a
 *       string, an array of byte values (journald's form for non-UTF-8 text) or null; {@code __REALTIME_TIMESTAMP}
 *       (microseconds) is the time when the message has none; {@code _HOSTNAME} -> device.hostname, {@code _PID},
 *       {@code _COMM}, {@code _EXE}, {@code _CMDLINE} -> process; every other field (strings; arrays as JSON) ->
 *       unmapped {@code journal.<FIELD>}. Entries of other units and programs ({@code _SYSTEMD_UNIT},
 *       {@code SYSLOG_IDENTIFIER} and {@code _COMM} none the daemon's) are skipped, counted.
 *   <li><b>syslog text</b> ({@code /var/log/syslog}, {@code messages}, {@code daemon.log}, {@code journalctl} short
 *       and short-precise output): RFC 3164 {@code [<PRI>]Mon DD HH:MM:SS[.ffffff] host prog[pid]: body} (no year or
 *       zone: the year is taken from the collection time, the time read as UTC, warned — unless the body has its own
 *       RFC 3339 time), ISO timestamps ({@code 2024-05-01T12:00:00.123456+00:00 host prog[pid]: body}, rsyslog's
 *       file format) and RFC 5424 ({@code <PRI>1 TIMESTAMP HOST APP PROCID MSGID [SD] MSG}, structured data kept in
 *       unmapped {@code syslog.sd}). Lines of other programs, and journalctl's {@code -- Logs begin at ... --} /
 *       {@code -- Boot ... --} markers, are skipped, counted.
 *   <li><b>plain daemon output</b>: logfmt ({@code time="..." level=info msg="..." k=v}), logrus' JSON formatter
 *       ({@code {"level":..,"msg":..,"time":..}}), logrus' text formatter on a terminal
 *       ({@code INFO[2024-05-01T12:00:00.000000000Z] message   k=v}, colour codes stripped) and Docker Desktop's
 *       {@code <RFC 3339> <program> <body>} lines.
 * </ul>
 *
 * The body (journald MESSAGE, syslog MSG or the line itself) is read as logfmt when it starts with a
 * {@code time=}, {@code level=} or {@code msg=} pair: {@code msg} -> message, {@code level} -> severity (trace,
 * debug, info 1 Informational; warning 3 Medium; error 4 High; fatal, panic 6 Fatal; else journald/syslog
 * PRIORITY), {@code time} -> time (time_original as written; RFC 3339, also with a space for the T); every other
 * pair -> unmapped {@code <prefix><key>} ({@code dockerd.}, {@code containerd.}, {@code crio.}). Anything else is
 * the message as is. Lines that fit none of the shapes: malformed_record. A line the collector cut:
 * record_too_large.
 */
public final class DaemonLogReader {

  private static final int MAX_VALUE = 64 * 1024;
  private static final String[] MONTHS = {
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
  };
  /** RFC 3164: [<PRI>]Mmm dd hh:mm:ss[.frac] host tag[pid]: body */
  private static final Pattern BSD =
      Pattern.compile(
          "^(?:<(\\d{1,3})>)?([A-Z][a-z]{2}) ([ \\d]\\d) (\\d{2}):(\\d{2}):(\\d{2})(?:\\.(\\d{1,9}))? (\\S+) (.*)$");
  /** [<PRI>]ISO-timestamp rest */
  private static final Pattern ISO =
      Pattern.compile(
          "^(?:<(\\d{1,3})>)?(\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2}:\\d{2}(?:[.,]\\d+)?(?:[Zz]|[+-]\\d{2}:?\\d{2})?) (.*)$");
  /** RFC 5424 header: <PRI>VERSION TIMESTAMP HOSTNAME APP-NAME PROCID MSGID rest */
  private static final Pattern R5424 =
      Pattern.compile("^<(\\d{1,3})>(\\d{1,2}) (\\S+) (\\S+) (\\S+) (\\S+) (\\S+) ?(.*)$");
  /** syslog tag: prog[pid]: or prog: */
  private static final Pattern TAG = Pattern.compile("^([^\\s\\[\\]:=\"]+)(?:\\[(\\d+)\\])?: ?(.*)$");
  /** logrus text formatter: LEVL[time] message */
  private static final Pattern LOGRUS_TEXT =
      Pattern.compile("^(TRAC|DEBU|INFO|WARN|WARNING|ERRO|ERROR|FATA|FATAL|PANI|PANIC)\\[([^\\]]*)\\] ?(.*)$");
  private static final Pattern ANSI = Pattern.compile("\u001b\\[[0-9;]*m");

  /** What one chunk gave: events, rejections, and well-formed lines of other programs skipped. */
  public record Counts(long events, long rejected, long skipped) {}

  /** Turns one line of the daemon into its event (class, activity, entities); never null. */
  @FunctionalInterface
  public interface Interpreter {
    /**
     * The event of {@code line}, made with {@link DaemonLogLine#newEvent}. The reader then adds what every line has:
     * message (= msg, unless set), time, severity, host, process, the unmapped pairs and raw data.
     */
    EvidenceEvent event(DaemonLogLine line);

    /** Called after the reader added the common parts, before the event is emitted (e.g. to set a better time). */
    default void finish(EvidenceEvent event, DaemonLogLine line) {}
  }

  private final String daemon;
  private final Predicate<String> ownProgram;
  private final String fieldPrefix;
  private final boolean klog;

  /**
   * @param daemon the daemon's name, for rejection reasons ({@code dockerd})
   * @param ownProgram whether a syslog tag, journald unit, identifier or command is the daemon's
   * @param fieldPrefix prefix of the body's pairs in unmapped ({@code dockerd.})
   */
  public DaemonLogReader(String daemon, Predicate<String> ownProgram, String fieldPrefix) {
    this(daemon, ownProgram, fieldPrefix, false);
  }

  /**
   * @param klog the daemon writes klog lines ({@link Klog}: the kubelet), bare (a {@code kubelet.log} file) or as the
   *     body of a journald / syslog envelope; a logrus daemon's reader (false) treats such a line as malformed, as
   *     before
   */
  public DaemonLogReader(String daemon, Predicate<String> ownProgram, String fieldPrefix, boolean klog) {
    this.daemon = Objects.requireNonNull(daemon, "daemon");
    this.ownProgram = Objects.requireNonNull(ownProgram, "ownProgram");
    this.fieldPrefix = Objects.requireNonNull(fieldPrefix, "fieldPrefix");
    this.klog = klog;
  }

  /** Reads every line of the chunk: events to {@code out}, malformed lines rejected there, counts returned. */
  public Counts read(ChunkContext ctx, ParseOutput out, Interpreter interpreter) {
    Run r = new Run(ctx, out, interpreter);
    r.run();
    return new Counts(r.events, r.rejected, r.skipped);
  }

  private final class Run {
    final ChunkContext ctx;
    final ParseOutput out;
    final Interpreter interpreter;
    final byte[] buf;
    long events;
    long rejected;
    long skipped;
    String error;

    Run(ChunkContext ctx, ParseOutput out, Interpreter interpreter) {
      this.ctx = ctx;
      this.out = out;
      this.interpreter = interpreter;
      this.buf = ctx.payload();
    }

    void run() {
      ChunkLines.forEach(ctx, (i, end, lineNo, newlines, cut) -> {
        if (cut) reject(RejectReason.RECORD_TOO_LARGE, ChunkLines.CUT, i, buf.length, lineNo, newlines);
        else line(i, ChunkLines.withoutCr(buf, i, end), lineNo, newlines);
      });
    }

    private void reject(RejectReason r, String msg, int s, int e, long lineNo, long ord) {
      rejected++;
      out.reject(ctx.rejection(r, msg, s, e, lineNo, ord));
    }

    private void line(int s, int e, long lineNo, long ord) {
      int ts = s;
      while (ts < e && (buf[ts] == ' ' || buf[ts] == '\t')) ts++;
      DaemonLogLine env;
      error = null;
      try {
        if (buf[ts] == '{') {
          env = json(ts, e);
        } else {
          env = text(new String(buf, ts, e - ts, StandardCharsets.UTF_8));
        }
      } catch (RuntimeException ex) {
        env = null;
        if (error == null) error = "unreadable line: " + ex.getClass().getSimpleName();
      }
      if (env == null) {
        if (error == null) {
          skipped++; // a well-formed line of another program
          return;
        }
        reject(RejectReason.MALFORMED_RECORD, error, s, e, lineNo, ord);
        return;
      }
      env.start = s;
      env.end = e;
      env.lineNo = lineNo;
      env.ordinal = ord;
      body(env);
      emit(env);
    }

    // ---- envelopes ------------------------------------------------------------------------------------------

    /** A journald JSON entry or a logrus JSON line; null + error: malformed; null, no error: another program. */
    private DaemonLogLine json(int s, int e) {
      JsonNode root;
      try (JsonParser p = Json.utf8Parser(buf, s, e - s)) {
        if (p == null) {
          error = "not UTF-8 JSON";
          return null;
        }
        root = Json.tree(p);
        if (p.nextToken() != null) {
          error = "more than one JSON value on the line";
          return null;
        }
      } catch (IOException ex) {
        error = "malformed JSON: " + Events.excerpt(ex.getMessage(), 120);
        return null;
      }
      if (root == null || !root.isObject()) {
        error = "not a JSON object";
        return null;
      }
      DaemonLogLine env = new DaemonLogLine();
      if (root.has("MESSAGE") || root.has("__REALTIME_TIMESTAMP") || root.has("__CURSOR")) {
        String unit = Json.text(root, "_SYSTEMD_UNIT");
        String ident = Json.text(root, "SYSLOG_IDENTIFIER");
        String comm = Json.text(root, "_COMM");
        if (!own(unit) && !own(ident) && !own(comm)) return null; // another unit's entry
        env.program = ident != null ? ident : comm;
        env.host = Json.text(root, "_HOSTNAME");
        env.pid = toLong(Json.text(root, "_PID"));
        if (env.pid == null) env.pid = toLong(Json.text(root, "SYSLOG_PID"));
        env.pri = toInt(Json.text(root, "PRIORITY"));
        env.exe = Json.text(root, "_EXE");
        env.cmdLine = Json.text(root, "_CMDLINE");
        String rt = Json.text(root, "__REALTIME_TIMESTAMP");
        if (rt == null) rt = Json.text(root, "_SOURCE_REALTIME_TIMESTAMP");
        Long micros = toLong(rt);
        if (micros != null) {
          env.timeText = rt;
          env.timeMicros = micros;
        }
        JsonNode m = root.get("MESSAGE");
        if (m == null || m.isNull()) {
          env.body = "";
        } else if (m.isArray()) {
          ByteArrayOutputStream bo = new ByteArrayOutputStream(m.size());
          for (JsonNode v : m) bo.write(v.asInt() & 0xff);
          env.body = bo.toString(StandardCharsets.UTF_8);
        } else {
          env.body = m.asText();
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
          var f = it.next();
          if (f.getKey().equals("MESSAGE")) continue;
          String v = Json.text(f.getValue());
          if (v != null) env.extra.put("journal." + f.getKey(), cut(v));
        }
        return env;
      }
      if (root.has("msg") && (root.has("level") || root.has("time"))) {
        // logrus JSON formatter (--log-format=json)
        StringBuilder sb = new StringBuilder();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
          var f = it.next();
          String v = Json.text(f.getValue());
          if (v == null) continue;
          if (sb.length() > 0) sb.append(' ');
          sb.append(f.getKey()).append('=').append(quote(v));
        }
        env.body = sb.toString();
        return env;
      }
      error = "a JSON object that is neither a journald entry (MESSAGE, __REALTIME_TIMESTAMP) nor a " + daemon
          + " JSON log line (msg, level/time)";
      return null;
    }

    private DaemonLogLine text(String line) {
      if (line.indexOf('\u001b') >= 0) line = ANSI.matcher(line).replaceAll("");
      if (line.startsWith("-- ") && line.endsWith(" --")) return null; // journalctl: "-- Logs begin at .. --"
      char c0 = line.charAt(0);
      if (klog && Klog.isFileHeader(line)) return null; // klog's own header of a --log-file: not a message
      if (klog && Klog.isKlog(line)) {
        DaemonLogLine env = new DaemonLogLine();
        env.body = line; // a bare klog line: its header is read with the body
        return env;
      }
      if (Logfmt.startsPair(line, 0) && startsBody(line)) {
        DaemonLogLine env = new DaemonLogLine();
        env.body = line;
        return env;
      }
      if (c0 >= 'A' && c0 <= 'Z' && LOGRUS_TEXT.matcher(line).lookingAt()) {
        DaemonLogLine env = new DaemonLogLine();
        env.body = line;
        return env;
      }
      Matcher m;
      if (c0 == '<' && (m = R5424.matcher(line)).matches()) return rfc5424(m);
      if ((c0 == '<' || (c0 >= '0' && c0 <= '9')) && (m = ISO.matcher(line)).matches()) return iso(m);
      if ((c0 == '<' || (c0 >= 'A' && c0 <= 'Z')) && (m = BSD.matcher(line)).matches()) return bsd(m);
      error = "not a " + daemon + " log line: no syslog header, journald entry or logfmt/logrus body";
      return null;
    }

    private DaemonLogLine bsd(Matcher m) {
      int month = month(m.group(2));
      if (month < 0) {
        error = "bad month in syslog timestamp";
        return null;
      }
      DaemonLogLine env = m.group(8).endsWith(":") ? tagged(null, m.group(8) + " " + m.group(9)) // no host
          : tagged(m.group(8), m.group(9));
      if (env == null) return null;
      env.pri = m.group(1) == null ? null : Integer.valueOf(m.group(1));
      int day = Integer.parseInt(m.group(3).trim());
      int h = Integer.parseInt(m.group(4));
      int mi = Integer.parseInt(m.group(5));
      int sec = Integer.parseInt(m.group(6));
      String frac = m.group(7);
      LocalDateTime obs = LocalDateTime.ofInstant(ctx.observedTime(), ZoneOffset.UTC);
      try {
        int year = obs.getYear();
        LocalDateTime t = LocalDateTime.of(year, month, day, h, mi, Math.min(sec, 59));
        if (t.isAfter(obs.plusDays(1))) t = t.minusYears(1);
        long micros = t.toEpochSecond(ZoneOffset.UTC) * 1_000_000L;
        if (frac != null) micros += Long.parseLong((frac + "000000").substring(0, 6));
        env.timeMicros = micros;
      } catch (java.time.DateTimeException ex) {
        env.timeWarning = "bad syslog timestamp";
      }
      String text = m.group(2) + " " + m.group(3) + " " + m.group(4) + ":" + m.group(5) + ":" + m.group(6)
          + (frac == null ? "" : "." + frac);
      env.timeText = text;
      if (env.timeWarning == null) {
        env.timeWarning = "syslog timestamp '" + text + "' has no year or zone; year from the collection time, read"
            + " as UTC";
      }
      return env;
    }

    private DaemonLogLine iso(Matcher m) {
      String ts = m.group(2);
      String rest = m.group(3);
      DaemonLogLine env;
      int sp = rest.indexOf(' ');
      String first = sp < 0 ? rest : rest.substring(0, sp);
      if (TAG.matcher(rest).matches()) {
        env = tagged(null, rest); // ts prog[pid]: body
      } else if (sp > 0 && TAG.matcher(rest.substring(sp + 1)).matches()) {
        env = tagged(first, rest.substring(sp + 1)); // ts host prog[pid]: body
      } else if (own(first) && sp > 0) {
        // Docker Desktop: ts dockerd body
        env = new DaemonLogLine();
        env.program = first;
        env.body = rest.substring(sp + 1);
      } else {
        error = "ISO-timestamped line without a 'program[pid]:' tag";
        return null;
      }
      if (env == null) return null;
      env.pri = m.group(1) == null ? null : Integer.valueOf(m.group(1));
      header(env, ts);
      return env;
    }

    private DaemonLogLine rfc5424(Matcher m) {
      DaemonLogLine env = new DaemonLogLine();
      env.pri = Integer.valueOf(m.group(1));
      header(env, m.group(3));
      env.host = nil(m.group(4));
      env.program = nil(m.group(5));
      env.pid = toLong(nil(m.group(6)));
      String msgid = nil(m.group(7));
      if (msgid != null) env.extra.put("syslog.msgid", msgid);
      String rest = m.group(8);
      // structured data: "-" or one or more [id k="v" ...] elements (']' escaped as \] inside values)
      String body;
      if (rest.startsWith("-")) {
        body = rest.length() > 1 ? rest.substring(rest.charAt(1) == ' ' ? 2 : 1) : "";
      } else if (rest.startsWith("[")) {
        int i = 0;
        while (i < rest.length() && rest.charAt(i) == '[') {
          boolean q = false;
          int j = i + 1;
          for (; j < rest.length(); j++) {
            char c = rest.charAt(j);
            if (c == '\\') {
              j++;
              continue;
            }
            if (c == '"') q = !q;
            else if (c == ']' && !q) break;
          }
          i = Math.min(j + 1, rest.length());
        }
        env.extra.put("syslog.sd", cut(rest.substring(0, i)));
        body = i < rest.length() ? rest.substring(i).stripLeading() : "";
      } else {
        body = rest;
      }
      if (body.startsWith("\uFEFF")) body = body.substring(1);
      if (!own(env.program)) return null;
      env.body = body;
      return env;
    }

    /** "prog[pid]: body" after an optional host; null (no error) for other programs. */
    private DaemonLogLine tagged(String host, String rest) {
      Matcher t = TAG.matcher(rest);
      if (!t.matches()) {
        error = "syslog line without a 'program[pid]:' tag";
        return null;
      }
      if (!own(t.group(1))) return null;
      DaemonLogLine env = new DaemonLogLine();
      env.host = host;
      env.program = t.group(1);
      env.pid = toLong(t.group(2));
      env.body = t.group(3);
      return env;
    }

    private void header(DaemonLogLine env, String ts) {
      env.timeText = ts;
      long micros = Timestamps.toMicros(ts);
      if (micros == Timestamps.INVALID) {
        env.timeWarning = "bad syslog timestamp '" + Events.excerpt(ts, 40) + "'";
      } else {
        env.timeMicros = micros;
        if (!Timestamps.hasOffset(ts)) env.timeWarning = "syslog timestamp '" + ts + "' has no UTC offset; read as UTC";
      }
    }

    // ---- body and event -------------------------------------------------------------------------------------

    /** Splits the body into msg, level, time and pairs (logfmt or logrus text), else msg = the body. */
    private void body(DaemonLogLine env) {
      String body = env.body == null ? "" : env.body;
      if (body.indexOf('\u001b') >= 0) body = ANSI.matcher(body).replaceAll("");
      Map<String, String> fields = null;
      String msg = body;
      Matcher lt;
      Klog.Line kl = klog && !body.isEmpty() && "IWEF".indexOf(body.charAt(0)) >= 0 ? Klog.parse(body) : null;
      if (kl != null) {
        klogBody(env, kl);
        return;
      }
      if (!body.isEmpty() && Logfmt.startsPair(body, 0) && startsBody(body)) {
        Logfmt.Result r = Logfmt.parse(body);
        fields = r.fields();
        env.unterminated = r.unterminated();
        msg = fields.remove("msg");
        env.level = fields.remove("level");
        env.time = fields.remove("time");
      } else if (!body.isEmpty() && body.charAt(0) >= 'A' && body.charAt(0) <= 'Z'
          && (lt = LOGRUS_TEXT.matcher(body)).matches()) {
        env.level = lt.group(1);
        String t = lt.group(2);
        String rest = lt.group(3);
        int split = fieldsStart(rest);
        msg = split < 0 ? rest.stripTrailing() : rest.substring(0, split).stripTrailing();
        if (split >= 0) {
          Logfmt.Result r = Logfmt.parse(rest, split);
          fields = r.fields();
          env.unterminated = r.unterminated();
        }
        if (Timestamps.toMicros(t) != Timestamps.INVALID) env.time = t;
        else if (!t.isEmpty()) {
          if (fields == null) fields = new HashMap<>(4);
          fields.put("elapsed_seconds", t);
        }
      }
      env.msg = msg == null ? "" : msg;
      if (fields != null) env.fields = fields;
    }

    /**
     * A klog body: level, pid, source and pairs; its time only for a bare line (an envelope's time is the entry's
     * own, exact and with its year: the journal's {@code __REALTIME_TIMESTAMP}, an ISO / RFC 5424 header; a BSD
     * syslog header's year is inferred as the reader does for every daemon). A bare line's year comes from the
     * file's mtime (the collector's {@code origin_mtime}), else the collection time, the time read as UTC, warned.
     */
    private void klogBody(DaemonLogLine env, Klog.Line kl) {
      env.level = kl.level();
      env.msg = kl.msg() == null ? "" : kl.msg();
      Map<String, String> f = new java.util.LinkedHashMap<>(kl.fields());
      f.put("caller", kl.source()); // "source" is a pair of the kubelet's own (SyncLoop's source="api")
      env.fields = f;
      env.unterminated = kl.unterminated();
      if (env.pid == null) env.pid = kl.pid();
      if (env.timeMicros == Timestamps.INVALID && env.timeText == null) {
        Instant mtime = ctx.chunk() == null ? null : ctx.chunk().getOriginMtime();
        Instant ref = mtime != null ? mtime : ctx.observedTime();
        long micros = Klog.micros(kl, ref);
        env.timeText = kl.headerTime();
        if (micros == Long.MIN_VALUE) {
          env.timeWarning = "bad klog date '" + kl.headerTime() + "'";
        } else {
          env.timeMicros = micros;
          env.timeWarning = "klog time '" + kl.headerTime() + "' has no year or zone; year from the file's "
              + (mtime != null ? "mtime" : "collection time") + ", read as UTC";
        }
      } else {
        env.extra.put(fieldPrefix + "klog_time", kl.headerTime());
      }
    }

    private void emit(DaemonLogLine env) {
      EvidenceEvent ev = interpreter.event(env);
      events++;
      Map<String, String> u = ev.getUnmapped();
      for (var x : env.extra.entrySet()) u.putIfAbsent(x.getKey(), x.getValue());
      if (ev.getMessage() == null) ev.setMessage(env.msg);

      // time: the body's own RFC 3339 time, else the envelope's
      String time = env.time;
      if (time != null && Timestamps.toMicros(time) != Timestamps.INVALID) {
        ctx.applyTime(ev, time, "time");
        if (env.timeText != null) u.put("syslog.timestamp", env.timeText);
      } else {
        if (time != null) {
          u.put(fieldPrefix + "time", cut(time));
          Events.warn(ev, "bad time in the log line: '" + Events.excerpt(time, 40) + "'");
        }
        if (env.timeMicros != Timestamps.INVALID) {
          ev.setTimeOriginal(env.timeText);
          ev.setTime(Timestamps.toInstant(env.timeMicros));
          if (env.timeWarning != null) Events.warn(ev, env.timeWarning);
        } else if (env.timeText != null) {
          ev.setTimeOriginal(env.timeText);
          Events.warn(ev, (env.timeWarning != null ? env.timeWarning : "bad timestamp") + "; time = observed_time");
        } else if (time == null) {
          Events.warn(ev, "no timestamp in the line; time = observed_time");
        }
      }

      // severity
      int sev = env.level != null ? severityOfLevel(env.level) : 0;
      if (sev == 0 && env.pri != null) sev = severityOfPriority(env.pri);
      if (sev != 0) {
        ev.setSeverityId(sev);
        ev.setSeverity(OcsfSeverity.name(sev));
      }
      if (env.level != null) u.put(fieldPrefix + "level", env.level);
      if (env.pri != null) u.put("syslog.priority", String.valueOf(env.pri));

      // host, process
      if (env.host != null && !env.host.isEmpty()) {
        Device d = ev.getDevice();
        if (d == null) ev.setDevice(new Device(env.host, null, null));
        else if (d.getHostname() != null && d.getHostname().startsWith(env.host + ".")) {
          // the line names its host by the short name, the collection by the full one (an EKS node's syslog writes
          // ip-10-94-21-54, its node is ip-10-94-21-54.eu-central-1.compute.internal): one host, its full name kept
          // (strata scope listed the node twice: SupplyChainRolloutScenarioIT)
          u.put("syslog.hostname", env.host);
        } else if (!env.host.equals(d.getHostname())) {
          u.put("context.host", d.getHostname());
          d.setHostname(env.host);
        }
      }
      if ((env.program != null || env.pid != null) && ev.getProcess() == null) {
        Process p = new Process();
        p.setPid(env.pid);
        p.setName(env.program);
        p.setCmdLine(env.cmdLine);
        p.setExecutable(env.exe);
        ev.setProcess(p);
      }
      for (var f : env.fields.entrySet()) u.put(fieldPrefix + f.getKey(), cut(f.getValue()));
      if (env.unterminated) Events.warn(ev, "unterminated quoted value (line cut?); value = rest of the line");
      ev.setRawData(ctx.rawText(env.start, env.end));
      interpreter.finish(ev, env);
      out.emit(ev);
    }

    private boolean own(String s) {
      return s != null && ownProgram.test(s);
    }
  }

  // ---- helpers ------------------------------------------------------------------------------------------------

  /** logfmt body: starts with one of the keys logrus always writes. */
  static boolean startsBody(String s) {
    return s.startsWith("time=") || s.startsWith("level=") || s.startsWith("msg=");
  }

  /** Where the fields begin in a logrus text-formatter rest ("message<pad>  k=v k=v"), or -1. */
  public static int fieldsStart(String rest) {
    int from = 0;
    while (true) {
      int i = rest.indexOf("  ", from);
      if (i < 0) {
        // message exactly 44 chars or longer: one space before the fields
        i = rest.indexOf(' ', from);
        if (i < 0) return -1;
      }
      int j = i;
      while (j < rest.length() && rest.charAt(j) == ' ') j++;
      if (j < rest.length() && Logfmt.startsPair(rest, j) && Logfmt.parse(rest, j).complete()) return j;
      from = i + 1;
      if (from >= rest.length()) return -1;
    }
  }

  static int severityOfLevel(String level) {
    switch (level.toLowerCase(Locale.ROOT)) {
      case "trace":
      case "trac":
      case "debug":
      case "debu":
      case "info":
        return 1;
      case "warning":
      case "warn":
        return 3;
      case "error":
      case "erro":
        return 4;
      case "fatal":
      case "fata":
      case "panic":
      case "pani":
        return 6;
      default:
        return 0;
    }
  }

  /** syslog / journald PRIORITY (facility*8 + severity, or the severity alone). */
  static int severityOfPriority(int pri) {
    int s = pri & 7;
    if (s <= 1) return 6; // emerg, alert
    if (s == 2) return 5; // crit
    if (s == 3) return 4; // err
    if (s == 4) return 3; // warning
    return 1; // notice, info, debug
  }


  private static int month(String m) {
    for (int i = 0; i < MONTHS.length; i++) if (MONTHS[i].equals(m)) return i + 1;
    return -1;
  }

  private static String quote(String v) {
    if (!v.isEmpty() && v.indexOf(' ') < 0 && v.indexOf('"') < 0 && v.indexOf('=') < 0 && v.indexOf('\\') < 0) {
      return v;
    }
    return '"' + v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + '"';
  }

  private static String nil(String s) {
    return s == null || s.equals("-") ? null : s;
  }

  private static Long toLong(String s) {
    if (s == null || s.isEmpty() || s.length() > 19) return null;
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static Integer toInt(String s) {
    Long l = toLong(s);
    return l == null || l > Integer.MAX_VALUE || l < 0 ? null : (int) (long) l;
  }

  /** {@code s} cut to 64 KiB characters (unmapped values). */
  public static String cut(String s) {
    return s.length() > MAX_VALUE ? s.substring(0, MAX_VALUE) : s;
  }
}
