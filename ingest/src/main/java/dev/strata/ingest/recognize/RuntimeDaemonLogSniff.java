package dev.strata.ingest.recognize;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whose daemon log a sample is: dockerd, containerd or CRI-O (all three write logrus lines, alone or inside the same
 * journald / syslog envelopes). Of the first 50 lines, a syslog or journald line counts for the daemon its program
 * names (tag, {@code _SYSTEMD_UNIT}, {@code SYSLOG_IDENTIFIER}, {@code _COMM}); a bare logrus line (logfmt {@code
 * time=".." level=..}, text {@code INFO[..]}) for the daemon whose own messages it carries (containerd's CRI calls,
 * {@code TaskExit event}, {@code type=io.containerd.*} plugin fields; CRI-O's {@code Ran pod sandbox}, {@code Created
 * container ID: ns/pod/c}, {@code name=/runtime.v1.*Service/*} request fields; dockerd's {@code Calling POST /v1..},
 * {@code Loading containers}, {@code API listen on}, ...), else it is unmarked. The winner: dockerd when any line is
 * a dockerd program's (a Docker host's syslog also holds the containerd Docker runs: strata read dockerd's log
 * first, and keeps reading such files as dockerd's); else the daemon with most lines (containerd before CRI-O on a
 * tie); bare lines that no daemon marks are dockerd's. Shared by the three recognizers, so one sample goes to one of
 * them.
 */
public final class RuntimeDaemonLogSniff {
  /** The three daemons. */
  public enum Daemon { DOCKERD, CONTAINERD, CRIO }

  /** How many lines voted for each daemon, and whether the sample looked like syslog / journald at all. */
  record Votes(int dockerd, int containerd, int crio, int unmarked, int dockerPrograms, boolean syslogShaped,
      boolean journalShaped, boolean logrusJsonFirst) {
    int of(Daemon d) {
      return switch (d) {
        case DOCKERD -> dockerd;
        case CONTAINERD -> containerd;
        case CRIO -> crio;
      };
    }

    /** See the class doc; null when the sample holds no daemon line at all. */
    Daemon winner() {
      if (dockerPrograms > 0) return Daemon.DOCKERD;
      if (containerd == 0 && crio == 0) return dockerd > 0 || unmarked > 0 ? Daemon.DOCKERD : null;
      if (dockerd >= containerd && dockerd >= crio) return Daemon.DOCKERD;
      return containerd >= crio ? Daemon.CONTAINERD : Daemon.CRIO;
    }
  }

  static final Pattern LOGFMT = Pattern.compile("^time=\"?\\d{4}-\\d{2}-\\d{2}[T ][^ ]* level=\\w+");
  static final Pattern LOGRUS_TEXT =
      Pattern.compile("^(?:\u001b\\[[0-9;]*m)?(?:TRAC|DEBU|INFO|WARN|ERRO|FATA|PANI)(?:\u001b\\[0m)?\\[[^\\]]*\\] ");
  /** syslog RFC 3164 / ISO header (optional host), then the program; Docker Desktop's {@code <time> dockerd ...}. */
  private static final Pattern SYSLOG_PROGRAM =
      Pattern.compile(
          "^(?:<\\d{1,3}>)?(?:[A-Z][a-z]{2} [ \\d]\\d \\d{2}:\\d{2}:\\d{2}(?:\\.\\d+)? \\S+|\\d{4}-\\d{2}-\\d{2}[T ]\\S+"
              + "(?: \\S+)?) ([^\\s\\[:=\"]+)(?:\\[\\d+\\])?:? ");
  private static final Pattern SYSLOG_5424_PROGRAM = Pattern.compile("^<\\d{1,3}>\\d{1,2} \\S+ \\S+ (\\S+) ");
  private static final Pattern SYSLOG_ANY =
      Pattern.compile(
          "^(?:<\\d{1,3}>)?(?:[A-Z][a-z]{2} [ \\d]\\d \\d{2}:\\d{2}:\\d{2}|\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2}:\\d{2}\\S*)"
              + " \\S+ [^\\s\\[:]+(?:\\[\\d+\\])?: ");
  private static final Pattern CONTAINERD_MARK =
      Pattern.compile("msg=\"(?:RunPodSandbox for |CreateContainer within sandbox |StartContainer for |StopContainer for"
          + " |RemoveContainer for |StopPodSandbox for |RemovePodSandbox |PullImage \\\\\"|TaskExit event|SandboxExit"
          + " event|received exit event|ImageCreate event|ImageUpdate event|ImageDelete event|ExecSync for |Exec for "
          + "|starting containerd|containerd successfully booted|cni result: |generated id for sandbox)"
          + "|(?:type|runtime)=io\\.containerd\\.|podsandboxid=");
  private static final Pattern CRIO_MARK =
      Pattern.compile("msg=\"(?:Running pod sandbox: |Ran pod sandbox |Creating container: |Created container [0-9a-f]+:"
          + " |Starting container: |Started container|Stopped container [0-9a-f]+: |Removed container |Pulling image: "
          + "|Pulled image: |Checking image status: |Starting CRI-O|Got pod network )"
          + "|name=/runtime\\.v1(?:alpha2)?\\.(?:Runtime|Image)Service/");

  private static final Pattern DOCKERD_MARK =
      Pattern.compile("msg=\"(?:Calling (?:GET|POST|PUT|DELETE|HEAD) /|Loading containers: |API listen on |Docker daemon"
          + "|Daemon has completed initialization|Handler for |Processing signal |Starting up|Default bridge )"
          + "|graphdriver=|storage-driver=|module=libcontainerd");

  private RuntimeDaemonLogSniff() {}

  static Votes votes(ContentSample sample) {
    List<JsonSniff.Line> lines = JsonSniff.lines(sample, 50);
    byte[] b = sample.bytes();
    int[] n = new int[4];
    int dockerPrograms = 0;
    boolean syslogShaped = false;
    boolean journalShaped = false;
    boolean logrusJsonFirst = false;
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
          Daemon d = program(o.get("_SYSTEMD_UNIT"));
          if (d == null) d = program(o.get("SYSLOG_IDENTIFIER"));
          if (d == null) d = program(o.get("_COMM"));
          if (d != null) n[d.ordinal()]++;
          if (d == Daemon.DOCKERD) dockerPrograms++;
        } else if (o.has("msg") && o.has("level") && o.has("time") && o.fields().size() <= 40 && lines.get(0) == l) {
          logrusJsonFirst = true;
        }
        continue;
      }
      String head = new String(b, s, Math.min(len, 1024), StandardCharsets.UTF_8);
      if (LOGFMT.matcher(head).find() || LOGRUS_TEXT.matcher(head).find()) {
        Daemon d = bare(head);
        n[d == null ? 3 : d.ordinal()]++;
        continue;
      }
      Matcher m = SYSLOG_PROGRAM.matcher(head);
      Matcher m5 = SYSLOG_5424_PROGRAM.matcher(head);
      Daemon d = m.find() ? program(m.group(1)) : null;
      if (d == null && m5.find()) d = program(m5.group(1));
      if (d != null) n[d.ordinal()]++;
      if (d == Daemon.DOCKERD) dockerPrograms++;
      else if (d == null && SYSLOG_ANY.matcher(head).find()) syslogShaped = true;
    }
    return new Votes(n[0], n[1], n[2], n[3], dockerPrograms, syslogShaped, journalShaped, logrusJsonFirst);
  }

  /**
   * The daemon a syslog tag / journald unit, identifier or command belongs to, or null (also used to split a binary
   * journal file's entries by program, {@code dev.strata.ingest.journal.JournalSplit}).
   */
  public static Daemon program(String p) {
    if (p == null) return null;
    if (p.startsWith("docker") || p.startsWith("com.docker.")) return Daemon.DOCKERD;
    if (p.startsWith("containerd")) return Daemon.CONTAINERD;
    if (p.equals("crio") || p.startsWith("crio.") || p.equals("cri-o") || p.startsWith("cri-o.")) return Daemon.CRIO;
    return null;
  }

  /**
   * The program of a syslog text line ({@code [<PRI>]Mmm dd hh:mm:ss[.f] host prog[pid]: ...}, rsyslog's ISO form,
   * RFC 5424's APP-NAME), or null when the line has no syslog header (a continuation of the line before it, or another
   * shape).
   */
  public static String syslogProgram(String line) {
    Matcher m = SYSLOG_PROGRAM.matcher(line);
    if (m.find()) return m.group(1);
    Matcher m5 = SYSLOG_5424_PROGRAM.matcher(line);
    return m5.find() ? m5.group(1) : null;
  }

  /** A bare logrus line: the daemon whose own messages and fields it carries, else null (unmarked). */
  private static Daemon bare(String head) {
    if (DOCKERD_MARK.matcher(head).find()) return Daemon.DOCKERD;
    if (CONTAINERD_MARK.matcher(head).find()) return Daemon.CONTAINERD;
    if (CRIO_MARK.matcher(head).find()) return Daemon.CRIO;
    return null;
  }
}
