package dev.strata.parse.formats.criodaemonlog;

import dev.strata.parse.ChunkContext;
import dev.strata.parse.daemonlog.DaemonLogParser;
import dev.strata.parse.daemonlog.DaemonLogReader;

/**
 * CRI-O's own log ({@code journalctl -u crio} as JSON export or short text, syslog files, or the plain logrus
 * output of the daemon, e.g. {@code crio.log}), read by {@link DaemonLogReader} (entries and lines of programs other
 * than {@code crio} skipped, counted; body pairs -> unmapped {@code crio.<key>}), its server's messages interpreted
 * by {@link CrioMessages}: pod sandboxes run, stopped and removed, containers created / started / stopped / removed
 * in them (with CRI-O's {@code namespace/pod/container} descriptions), image pulls. Other lines are OCSF 0 Base
 * Events with the log object.
 */
public final class CrioDaemonLogParser extends DaemonLogParser {

  public static final String FORMAT = "crio_daemon_log";

  public CrioDaemonLogParser() {
    super(FORMAT, new DaemonLogReader("crio", CrioDaemonLogParser::isCrio, "crio."));
  }

  @Override
  protected DaemonLogReader.Interpreter interpreter(ChunkContext ctx) {
    return new CrioMessages(ctx);
  }

  /** CRI-O's syslog tag / journald identifier / command ({@code crio}) or unit ({@code crio.service}). */
  static boolean isCrio(String s) {
    return s.equals("crio") || s.startsWith("crio.") || s.equals("cri-o") || s.startsWith("cri-o.");
  }
}
