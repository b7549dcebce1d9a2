package dev.strata.parse.formats.kubeletlog;

import dev.strata.parse.ChunkContext;
import dev.strata.parse.daemonlog.DaemonLogParser;
import dev.strata.parse.daemonlog.DaemonLogReader;
import dev.strata.parse.daemonlog.Klog;

/**
 * The kubelet's own log: {@code journalctl -u kubelet} (JSON export, or short text), the entries of unit {@code
 * kubelet.service} split out of a binary journal, syslog files, or the plain {@code /var/log/kubelet.log} of nodes
 * that run the kubelet with {@code --log-file} / under a supervisor writing its stderr. Each line is a {@link Klog}
 * line (in an envelope or bare), read by {@link DaemonLogReader} (entries and lines of other programs skipped,
 * counted; structured pairs -> unmapped {@code kubelet.<key>}, the klog source file:line as {@code kubelet.source}),
 * the kubelet's messages interpreted by {@link KubeletMessages}: the pods its sync loop adds, updates, deletes and
 * removes, the PLEG's container (and sandbox) starts and deaths, sandboxes created, probes failing, containers killed.
 * The node is the log's host (the journal's {@code _HOSTNAME}, the syslog header's host, else the collector's
 * context). Other lines are OCSF 0 Base Events with the log object.
 */
public final class KubeletLogParser extends DaemonLogParser {

  public static final String FORMAT = "kubelet_log";

  public KubeletLogParser() {
    super(FORMAT, new DaemonLogReader("kubelet", KubeletLogParser::isKubelet, "kubelet.", true));
  }

  @Override
  protected DaemonLogReader.Interpreter interpreter(ChunkContext ctx) {
    return new KubeletMessages(ctx);
  }

  /** The kubelet's syslog tag / journald identifier / command ({@code kubelet}) or unit ({@code kubelet.service}). */
  public static boolean isKubelet(String s) {
    return s.equals("kubelet") || s.startsWith("kubelet.") || s.equals("kubelet-eks.daemon");
  }
}
