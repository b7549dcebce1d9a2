package dev.strata.ingest.recognize;

import dev.strata.ingest.recognize.RuntimeDaemonLogSniff.Daemon;
import java.util.regex.Pattern;

/**
 * {@code crio_daemon_log}: CRI-O's own log (OpenShift and other CRI-O nodes), as a journald JSON export ({@code
 * journalctl -u crio -o json}), {@code journalctl} short text, syslog files or the plain logrus output of the daemon.
 *
 * <p>Path: {@code **}{@code /crio.log*}, {@code **}{@code /cri-o.log*}, sosreport's {@code
 * journalctl_..._--unit_crio}, {@code **}{@code /journal*crio*.json*} / {@code crio*journal*.{json,log,txt}*}.
 * Content ({@link RuntimeDaemonLogRecognizer}): most daemon lines of the first 50 are CRI-O's — syslog / journald
 * lines of program or unit {@code crio}, or bare logrus lines with CRI-O's own messages ({@code Ran pod sandbox},
 * {@code Created container ID: ns/pod/c}, {@code Started container}, ...) or its {@code
 * name=/runtime.v1.RuntimeService/...} request fields: STRONG. A syslog or journald sample with no daemon
 * line: WEAK (the path decides). Framing: LINES.
 */
public final class CrioDaemonLogRecognizer extends RuntimeDaemonLogRecognizer {
  public static final String SOURCE_TYPE = "crio_daemon_log";

  private static final Pattern PATH =
      Pattern.compile(
          "(?:^|.*/)(?:cri-?o\\.log|[^/]*journal[^/]*crio[^/]*\\.json|crio[^/]*journal[^/]*\\.(?:json|log|txt)"
              + "|journalctl_[^/]*--unit_crio[^/]*)(?:[.-][0-9A-Za-z._-]*)?");

  public CrioDaemonLogRecognizer() {
    super(SOURCE_TYPE, PATH, Daemon.CRIO, "CRI-O");
  }
}
