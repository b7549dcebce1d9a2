package dev.strata.ingest.recognize;

import dev.strata.ingest.recognize.RuntimeDaemonLogSniff.Daemon;
import java.util.regex.Pattern;

/**
 * {@code containerd_daemon_log}: containerd's own log (the runtime of EKS and most Kubernetes nodes), as a journald
 * JSON export ({@code journalctl -u containerd -o json}), {@code journalctl} short text, syslog files or the plain
 * logrus output of the daemon.
 *
 * <p>Path: {@code **}{@code /containerd.log*}, {@code **}{@code /containerd-*.log*}, the EKS log collector's
 * {@code containerd/containerd-log.txt} ({@code journalctl -u containerd}), sosreport's {@code
 * journalctl_..._--unit_containerd}, {@code **}{@code /journal*containerd*.json*} / {@code
 * containerd*journal*.{json,log,txt}*}. Content ({@link
 * RuntimeDaemonLogRecognizer}): most daemon lines of the first 50 are containerd's — syslog / journald lines of
 * program or unit {@code containerd*}, or bare logrus lines with containerd's own messages (its CRI calls, {@code
 * TaskExit event}, {@code starting containerd}, {@code type=io.containerd.*} plugin fields): STRONG. A syslog or
 * journald sample with no daemon line: WEAK (the path decides). Framing: LINES. A syslog file with a dockerd line in
 * its sample goes to {@code docker_daemon_log} (a Docker host's containerd; one format per artifact).
 */
public final class ContainerdDaemonLogRecognizer extends RuntimeDaemonLogRecognizer {
  public static final String SOURCE_TYPE = "containerd_daemon_log";

  private static final Pattern PATH =
      Pattern.compile(
          "(?:^|.*/)(?:containerd(?:-[^/]*)?\\.log|containerd/containerd-log\\.txt|[^/]*journal[^/]*containerd[^/]*"
              + "\\.json|containerd[^/]*journal[^/]*\\.(?:json|log|txt)|journalctl_[^/]*--unit_containerd[^/]*)"
              + "(?:[.-][0-9A-Za-z._-]*)?");

  public ContainerdDaemonLogRecognizer() {
    super(SOURCE_TYPE, PATH, Daemon.CONTAINERD, "containerd");
  }
}
