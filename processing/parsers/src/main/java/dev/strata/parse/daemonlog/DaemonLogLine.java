package dev.strata.parse.daemonlog;

import dev.strata.parse.ChunkContext;
import dev.strata.parse.OcsfClass;
import dev.strata.parse.Timestamps;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.event.LogLine;
import java.util.HashMap;
import java.util.Map;

/**
 * One line of a container runtime daemon's log as {@link DaemonLogReader} read it: what its envelope (journald entry,
 * syslog header) said, and its body split into the logrus parts (message, level, time, the other key=value pairs).
 * Read-only for the daemon's interpreter; the reader puts the common parts on the event.
 */
public final class DaemonLogLine {
  // envelope
  String host;
  String program;
  Long pid;
  Integer pri;
  String timeText; // header time as written
  long timeMicros = Timestamps.INVALID;
  String timeWarning;
  String body;
  final Map<String, String> extra = new HashMap<>(8);
  String exe;
  String cmdLine;
  // body
  String msg = "";
  String level;
  String time;
  Map<String, String> fields = Map.of();
  boolean unterminated;
  // position in the chunk
  int start;
  int end;
  long lineNo;
  long ordinal;

  DaemonLogLine() {}

  /** The message: logrus' {@code msg}, or the whole body when it is not logfmt / logrus text (never null). */
  public String msg() {
    return msg;
  }

  /** logrus level as written ({@code info}, {@code INFO}, {@code warning}, ...), or null. */
  public String level() {
    return level;
  }

  /** The body's key=value pairs other than msg, level and time (in order; never null). */
  public Map<String, String> fields() {
    return fields;
  }

  /** One body pair, or null. */
  public String field(String key) {
    return fields.get(key);
  }

  /** The program that wrote the line (syslog tag, journald SYSLOG_IDENTIFIER / _COMM), or null. */
  public String program() {
    return program;
  }

  /** The event of a line the daemon's parser has no meaning for: OCSF 0 Base Event, activity 0, with the log object. */
  public EvidenceEvent newLogEvent(ChunkContext ctx) {
    EvidenceEvent e = newEvent(ctx, OcsfClass.BASE_EVENT, 0, null);
    e.setLog(new LogLine(null, false, new HashMap<>(0)));
    return e;
  }

  /** A new event of this line (lineage = the line's bytes) with an empty unmapped map to fill. */
  public EvidenceEvent newEvent(ChunkContext ctx, OcsfClass cls, int activityId, String activityName) {
    return ctx.newEvent(cls, activityId, activityName, start, end, lineNo, ordinal, 0, new HashMap<>(16));
  }
}
