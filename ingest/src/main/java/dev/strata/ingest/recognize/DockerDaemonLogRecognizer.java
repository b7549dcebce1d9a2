package dev.strata.ingest.recognize;

import dev.strata.ingest.recognize.RuntimeDaemonLogSniff.Daemon;
import dev.strata.ingest.recognize.RuntimeDaemonLogSniff.Votes;
import dev.strata.schema.common.Framing;
import java.util.regex.Pattern;

/**
 * {@code docker_daemon_log}: the Docker daemon's own log (dockerd), as a journald JSON export
 * ({@code journalctl -u docker -o json}), in syslog files, as plain dockerd output (logfmt / logrus) or Docker
 * Desktop's {@code dockerd.log}.
 *
 * <p>Path: {@code **}{@code /docker.log*}, {@code **}{@code /dockerd.log*}, {@code **}{@code /docker-daemon*.log*},
 * {@code **}{@code /journal*docker*.json*} / {@code docker*journal*.json*}, and the syslog files
 * {@code **}{@code /var/log/(syslog|messages|daemon.log)*} (mixed files: the parser skips other programs' lines).
 * Content ({@link RuntimeDaemonLogRecognizer}): one of the first 50 lines is a syslog / ISO / RFC 5424 line of
 * program {@code dockerd} or {@code docker*}, Docker Desktop's {@code <time> dockerd time=...}, or a journald JSON
 * entry of unit {@code docker.service} / identifier {@code dockerd}; or bare logfmt / logrus text lines that are not
 * mostly containerd's or CRI-O's: STRONG. A syslog-shaped or journald-shaped sample without a docker
 * line, or a first line of logrus JSON: WEAK (the standard path decides). Framing: LINES.
 */
public final class DockerDaemonLogRecognizer extends RuntimeDaemonLogRecognizer {
  public static final String SOURCE_TYPE = "docker_daemon_log";

  private static final Pattern PATH =
      Pattern.compile(
          "(?:^|.*/)(?:docker\\.log|dockerd\\.log|docker-daemon[^/]*\\.log|[^/]*journal[^/]*docker[^/]*\\.json"
              + "|docker[^/]*journal[^/]*\\.json|log/(?:syslog|messages|daemon\\.log))(?:[.-][0-9A-Za-z._-]*)?");

  public DockerDaemonLogRecognizer() {
    super(SOURCE_TYPE, PATH, Daemon.DOCKERD, "dockerd");
  }

  @Override
  ContentMatch other(Votes v) {
    if (v.logrusJsonFirst()) {
      // logrus JSON: too generic alone, needs the path
      return ContentMatch.weak(Framing.LINES, "logrus JSON lines (msg, level, time)");
    }
    return super.other(v);
  }
}
