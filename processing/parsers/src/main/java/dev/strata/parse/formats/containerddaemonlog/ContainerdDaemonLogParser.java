package dev.strata.parse.formats.containerddaemonlog;

import dev.strata.parse.ChunkContext;
import dev.strata.parse.EvidenceParser;
import dev.strata.parse.ParseException;
import dev.strata.parse.ParseOutput;
import dev.strata.parse.daemonlog.DaemonLogReader;
import dev.strata.schema.raw.RawArtifactChunk;

/**
 * containerd's own log ({@code journalctl -u containerd} as JSON export or short text, syslog files, or the plain
 * logrus output of the daemon, e.g. {@code containerd.log}), read by {@link DaemonLogReader} (entries and lines of
 * programs other than {@code containerd*} skipped, counted; body pairs -> unmapped {@code containerd.<key>}), its
 * CRI plugin's messages interpreted by {@link ContainerdMessages}: which container was created in which pod sandbox,
 * when it started, exited ({@code TaskExit} with {@code ExitedAt}) and was removed, image pulls, the pod's address
 * from the debug {@code cni result}. Other lines are OCSF 0 Base Events with the log object.
 */
public final class ContainerdDaemonLogParser implements EvidenceParser {

  public static final String FORMAT = "containerd_daemon_log";

  private static final DaemonLogReader READER =
      new DaemonLogReader("containerd", ContainerdDaemonLogParser::isContainerd, "containerd.");

  @Override
  public String format() {
    return FORMAT;
  }

  @Override
  public void parse(RawArtifactChunk chunk, ParseOutput out) throws ParseException {
    parseCounting(chunk, out);
  }

  /** Parses like {@link #parse} and tells how many lines were skipped as other programs' lines. */
  public DaemonLogReader.Counts parseCounting(RawArtifactChunk chunk, ParseOutput out) {
    ChunkContext ctx = ChunkContext.of(chunk);
    return READER.read(ctx, out, new ContainerdMessages(ctx));
  }

  /** containerd's syslog tag, journald identifier / command, or unit ({@code containerd.service}). */
  static boolean isContainerd(String s) {
    return s.startsWith("containerd");
  }
}
