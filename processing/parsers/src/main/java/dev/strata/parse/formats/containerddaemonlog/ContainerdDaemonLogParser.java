package dev.strata.parse.formats.containerddaemonlog;

import dev.strata.parse.ChunkContext;
import dev.strata.parse.daemonlog.DaemonLogParser;
import dev.strata.parse.daemonlog.DaemonLogReader;

/**
 * containerd's own log ({@code journalctl -u containerd} as JSON export or short text, syslog files, or the plain
 * logrus output of the daemon, e.g. {@code containerd.log}), read by {@link DaemonLogReader} (entries and lines of
 * programs other than {@code containerd*} skipped, counted; body pairs -> unmapped {@code containerd.<key>}), its
 * CRI plugin's messages interpreted by {@link ContainerdMessages}: which container was created in which pod sandbox,
 * when it started, exited ({@code TaskExit} with {@code ExitedAt}) and was removed, image pulls, the pod's address
 * from the debug {@code cni result}. Other lines are OCSF 0 Base Events with the log object.
 */
public final class ContainerdDaemonLogParser extends DaemonLogParser {

  public static final String FORMAT = "containerd_daemon_log";

  public ContainerdDaemonLogParser() {
    super(FORMAT, new DaemonLogReader("containerd", ContainerdDaemonLogParser::isContainerd, "containerd."));
  }

  @Override
  protected DaemonLogReader.Interpreter interpreter(ChunkContext ctx) {
    return new ContainerdMessages(ctx);
  }

  /** containerd's syslog tag, journald identifier / command, or unit ({@code containerd.service}). */
  static boolean isContainerd(String s) {
    return s.startsWith("containerd");
  }
}
