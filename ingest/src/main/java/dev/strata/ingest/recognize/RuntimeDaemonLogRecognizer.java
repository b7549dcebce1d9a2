package dev.strata.ingest.recognize;

import dev.strata.ingest.recognize.RuntimeDaemonLogSniff.Daemon;
import dev.strata.ingest.recognize.RuntimeDaemonLogSniff.Votes;
import dev.strata.schema.common.Framing;
import java.util.regex.Pattern;

/**
 * A container runtime daemon's own log (dockerd, containerd, CRI-O): the sample is the daemon's when {@link
 * RuntimeDaemonLogSniff} names it (dockerd when any line is a dockerd program's, else the daemon with most lines):
 * STRONG. Some of its lines but more of another daemon's, or a
 * syslog / journald sample with no daemon line: WEAK (the standard path decides). Framing: LINES.
 */
abstract class RuntimeDaemonLogRecognizer extends PathPatternRecognizer {
  private final Daemon daemon;
  private final String name;

  RuntimeDaemonLogRecognizer(String sourceType, Pattern path, Daemon daemon, String name) {
    super(sourceType, path);
    this.daemon = daemon;
    this.name = name;
  }

  @Override
  public ContentMatch probe(ContentSample sample) {
    if (JsonSniff.lines(sample, 1).isEmpty()) {
      return ContentMatch.none("no content");
    }
    Votes v = RuntimeDaemonLogSniff.votes(sample);
    Daemon winner = v.winner();
    if (winner == daemon) {
      return ContentMatch.strong(Framing.LINES, name + " log lines (logfmt / logrus, syslog or journald)");
    }
    if (v.of(daemon) > 0) {
      return ContentMatch.weak(Framing.LINES, "some " + name + " lines, more of " + winner);
    }
    if (winner == null && v.syslogShaped()) {
      return ContentMatch.weak(Framing.LINES, "syslog lines (no " + name + " line in the sample)");
    }
    if (winner == null && v.journalShaped()) {
      return ContentMatch.weak(Framing.LINES, "journald JSON entries (no " + name + " entry in the sample)");
    }
    return other(v);
  }

  /** What the probe says when the sample holds no line of this daemon (subclasses may know more shapes). */
  ContentMatch other(Votes v) {
    return ContentMatch.none("no " + name + " log line (logfmt, logrus, syslog or journald) in the sample");
  }
}
