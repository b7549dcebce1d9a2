package dev.strata.ingest.recognize;

import dev.strata.schema.common.Framing;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;

/**
 * {@code docker_daemon_log}: the Docker daemon's own log (dockerd), as a journald JSON export
 * ({@code journalctl -u docker -o json}), in syslog files, as plain dockerd output (logfmt / logrus) or Docker
 * Desktop's {@code dockerd.log}.
 *
 * <p>Path: {@code **}{@code /docker.log*}, {@code **}{@code /dockerd.log*}, {@code **}{@code /docker-daemon*.log*},
 * {@code **}{@code /journal*docker*.json*} / {@code docker*journal*.json*}, and the syslog files
 * {@code **}{@code /var/log/(syslog|messages|daemon.log)*} (mixed files: the parser skips other programs' lines).
 * Content: one of the first 50 lines (in the 64 KiB sample) is a dockerd line — logfmt starting {@code time="..."
 * level=}, a logrus text line {@code INFO[...]}, a syslog / ISO / RFC 5424 line of program {@code dockerd} or
 * {@code docker*}, Docker Desktop's {@code <time> dockerd time=...}, or a journald JSON entry of unit
 * {@code docker.service} / identifier {@code dockerd}: STRONG. A syslog-shaped or journald-shaped first line
 * without a docker line in the sample: WEAK (the standard path decides). Framing: LINES.
 */
public final class DockerDaemonLogRecognizer extends PathPatternRecognizer {
  public static final String SOURCE_TYPE = "docker_daemon_log";

  private static final Pattern PATH =
      Pattern.compile(
          "(?:^|.*/)(?:docker\\.log|dockerd\\.log|docker-daemon[^/]*\\.log|[^/]*journal[^/]*docker[^/]*\\.json"
              + "|docker[^/]*journal[^/]*\\.json|log/(?:syslog|messages|daemon\\.log))(?:[.-][0-9A-Za-z._-]*)?");
  private static final Pattern LOGFMT = Pattern.compile("^time=\"?\\d{4}-\\d{2}-\\d{2}[T ][^ ]* level=\\w+");
  private static final Pattern LOGRUS_TEXT =
      Pattern.compile("^(?:\u001b\\[[0-9;]*m)?(?:TRAC|DEBU|INFO|WARN|ERRO|FATA|PANI)(?:\u001b\\[0m)?\\[[^\\]]*\\] ");
  private static final Pattern SYSLOG_DOCKER =
      Pattern.compile(
          "^(?:<\\d{1,3}>)?(?:[A-Z][a-z]{2} [ \\d]\\d \\d{2}:\\d{2}:\\d{2}(?:\\.\\d+)? \\S+|\\d{4}-\\d{2}-\\d{2}[T ]\\S+"
              + "(?: \\S+)?) (?:docker[^\\s\\[:]*|com\\.docker\\.[^\\s\\[:]*)(?:\\[\\d+\\])?:? ");
  private static final Pattern SYSLOG_5424_DOCKER =
      Pattern.compile("^<\\d{1,3}>\\d{1,2} \\S+ \\S+ docker\\S* ");
  private static final Pattern SYSLOG_ANY =
      Pattern.compile(
          "^(?:<\\d{1,3}>)?(?:[A-Z][a-z]{2} [ \\d]\\d \\d{2}:\\d{2}:\\d{2}|\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2}:\\d{2}\\S*)"
              + " \\S+ [^\\s\\[:]+(?:\\[\\d+\\])?: ");

  public DockerDaemonLogRecognizer() {
    super(SOURCE_TYPE, PATH);
  }

  @Override
  public ContentMatch probe(ContentSample sample) {
    List<JsonSniff.Line> lines = JsonSniff.lines(sample, 50);
    if (lines.isEmpty()) {
      return ContentMatch.none("no content");
    }
    byte[] b = sample.bytes();
    boolean syslogShaped = false;
    boolean journalShaped = false;
    for (JsonSniff.Line l : lines) {
      int s = l.offset();
      while (s < l.offset() + l.length() && (b[s] == ' ' || b[s] == '\t')) s++;
      int len = l.offset() + l.length() - s;
      if (len <= 0) continue;
      if (b[s] == '{') {
        JsonSniff.Obj o = JsonSniff.object(b, s, len);
        if (!o.valid()) continue;
        if (o.has("MESSAGE") || o.has("__REALTIME_TIMESTAMP") || o.has("__CURSOR")) {
          journalShaped = true;
          if (isDocker(o.get("_SYSTEMD_UNIT")) || isDocker(o.get("SYSLOG_IDENTIFIER")) || isDocker(o.get("_COMM"))) {
            return ContentMatch.strong(Framing.LINES, "journald JSON entries of the docker unit");
          }
        } else if (o.has("msg") && o.has("level") && o.has("time") && o.fields().size() <= 40 && lines.get(0) == l) {
          // logrus JSON: too generic alone, needs the path
          return ContentMatch.weak(Framing.LINES, "logrus JSON lines (msg, level, time)");
        }
        continue;
      }
      String head = new String(b, s, Math.min(len, 512), StandardCharsets.UTF_8);
      if (LOGFMT.matcher(head).find() || LOGRUS_TEXT.matcher(head).find()) {
        return ContentMatch.strong(Framing.LINES, "dockerd logfmt / logrus lines");
      }
      if (SYSLOG_DOCKER.matcher(head).find() || SYSLOG_5424_DOCKER.matcher(head).find()) {
        return ContentMatch.strong(Framing.LINES, "syslog lines of dockerd");
      }
      if (SYSLOG_ANY.matcher(head).find()) syslogShaped = true;
    }
    if (syslogShaped) {
      return ContentMatch.weak(Framing.LINES, "syslog lines (no dockerd line in the sample)");
    }
    if (journalShaped) {
      return ContentMatch.weak(Framing.LINES, "journald JSON entries (no docker entry in the sample)");
    }
    return ContentMatch.none("no dockerd log line (logfmt, logrus, syslog or journald of docker) in the sample");
  }

  private static boolean isDocker(String s) {
    return s != null && (s.startsWith("docker") || s.startsWith("com.docker."));
  }
}
