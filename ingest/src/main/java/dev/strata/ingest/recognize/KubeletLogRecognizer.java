package dev.strata.ingest.recognize;

import dev.strata.schema.common.Framing;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code kubelet_log}: the kubelet's own log, as a journald JSON export ({@code journalctl -u kubelet -o json}, and the
 * kubelet's entries split out of a binary journal, {@code JournalSplit}), {@code journalctl} short text or syslog
 * lines of program {@code kubelet}, or bare klog lines ({@code /var/log/kubelet.log}; the EKS log collector's {@code
 * kubelet/kubelet.log}; klog's {@code --log-dir} files {@code kubelet.<host>.<user>.log.INFO.<time>}).
 *
 * <p>Content: of the first 50 lines, more are the kubelet's (a journald entry of unit, identifier or command {@code
 * kubelet} whose message is a klog line; a syslog line of program {@code kubelet} likewise; a bare klog line {@code Lmmdd hh:mm:ss.uuuuuu pid file:line]},
 * or klog's file header) than any runtime daemon's ({@link RuntimeDaemonLogSniff}): STRONG. Some kubelet lines, fewer
 * than a daemon's: WEAK (a node's {@code /var/log/messages} holding both goes to the daemon's parser, which skips the
 * kubelet's lines). The runtime daemons' recognizers come first in the list and are STRONG only when their daemon has
 * lines, so a kubelet-only journal is never theirs. Framing: LINES.
 */
public final class KubeletLogRecognizer extends PathPatternRecognizer {
  public static final String SOURCE_TYPE = "kubelet_log";

  private static final Pattern PATH =
      Pattern.compile(
          "(?:^|.*/)(?:kubelet\\.log|kubelet[^/]*journal[^/]*\\.(?:json|log|txt)|[^/]*journal[^/]*kubelet[^/]*\\.json"
              + "|journalctl_[^/]*--unit_kubelet[^/]*|kubelet\\.[^/]*\\.log\\.(?:INFO|WARNING|ERROR|FATAL)[^/]*)"
              + "(?:[.-][0-9A-Za-z._-]*)?");
  static final Pattern KLOG = Pattern.compile("^[IWEF]\\d{4} \\d{2}:\\d{2}:\\d{2}\\.\\d{6}\\s+\\d+ [^ \\]]+:\\d+\\] ");
  private static final Pattern KLOG_FILE_HEADER =
      Pattern.compile("^(?:Log file created at: |Running on machine: |Binary: Built with |Log line format: )");
  /** syslog RFC 3164 / ISO header with a host, then the program {@code kubelet[pid]:}. */
  private static final Pattern SYSLOG_KUBELET =
      Pattern.compile("^(?:<\\d{1,3}>)?(?:[A-Z][a-z]{2} [ \\d]\\d \\d{2}:\\d{2}:\\d{2}(?:\\.\\d+)?|\\d{4}-\\d{2}-\\d{2}"
          + "[T ]\\S+) \\S+ kubelet(?:\\[\\d+\\])?: ");

  public KubeletLogRecognizer() {
    super(SOURCE_TYPE, PATH);
  }

  @Override
  public ContentMatch probe(ContentSample sample) {
    List<JsonSniff.Line> lines = JsonSniff.lines(sample, 50);
    if (lines.isEmpty()) return ContentMatch.none("no content");
    int kubelet = kubeletLines(sample, lines);
    if (kubelet == 0) return ContentMatch.none("no kubelet line (klog, or a journald / syslog entry of kubelet)");
    RuntimeDaemonLogSniff.Votes v = RuntimeDaemonLogSniff.votes(sample);
    int daemons = v.dockerd() + v.containerd() + v.crio();
    if (kubelet > daemons) {
      return ContentMatch.strong(Framing.LINES, "kubelet log lines (klog, bare or in journald / syslog entries)");
    }
    return ContentMatch.weak(Framing.LINES, "some kubelet lines, more of a container runtime daemon's");
  }

  private static int kubeletLines(ContentSample sample, List<JsonSniff.Line> lines) {
    byte[] b = sample.bytes();
    int n = 0;
    for (JsonSniff.Line l : lines) {
      int s = l.offset();
      int len = l.length();
      if (len <= 0) continue;
      if (b[s] == '{') {
        JsonSniff.Obj o = JsonSniff.object(b, s, len);
        String msg = o.valid() ? o.get("MESSAGE") : null;
        if (msg != null && KLOG.matcher(msg).lookingAt() && (kubelet(o.get("_SYSTEMD_UNIT"))
            || kubelet(o.get("SYSLOG_IDENTIFIER")) || kubelet(o.get("_COMM")))) {
          n++;
        }
        continue;
      }
      String head = new String(b, s, Math.min(len, 512), StandardCharsets.UTF_8);
      Matcher sys = SYSLOG_KUBELET.matcher(head);
      if (KLOG.matcher(head).lookingAt() || KLOG_FILE_HEADER.matcher(head).lookingAt()
          || (sys.lookingAt() && KLOG.matcher(head.substring(sys.end())).lookingAt())) {
        n++;
      }
    }
    return n;
  }

  /** The kubelet's unit, identifier or command (as the parser's {@code KubeletLogParser.isKubelet}). */
  public static boolean kubelet(String s) {
    return s != null && (s.equals("kubelet") || s.startsWith("kubelet.") || s.equals("kubelet-eks.daemon"));
  }
}
