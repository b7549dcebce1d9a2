package dev.strata.ingest.journal;

import dev.strata.ingest.recognize.ContainerdDaemonLogRecognizer;
import dev.strata.ingest.recognize.CrioDaemonLogRecognizer;
import dev.strata.ingest.recognize.DockerDaemonLogRecognizer;
import dev.strata.ingest.recognize.KubeletLogRecognizer;
import dev.strata.ingest.recognize.FalcoAlertRecognizer;
import dev.strata.ingest.recognize.PodmanEventsRecognizer;
import dev.strata.ingest.recognize.RuntimeDaemonLogSniff;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Splits a journal file's entries by the program that wrote them into one {@code journalctl -o json} file per format
 * whose parser reads journald exports ({@link JournalJson}; entries in file order):
 *
 * <ul>
 *   <li>{@code podman_events}: an entry with {@code PODMAN_EVENT} / {@code PODMAN_TYPE} (Podman's journald events
 *       logger, the default on systemd hosts);
 *   <li>{@code docker_daemon_log}, {@code containerd_daemon_log}, {@code crio_daemon_log}: the daemon that {@code
 *       _SYSTEMD_UNIT}, else {@code SYSLOG_IDENTIFIER}, else {@code _COMM} names (the rule the daemon log parsers and
 *       recognizers use, {@link RuntimeDaemonLogSniff#program});
 *   <li>{@code falco_alert}: unit, identifier or command {@code falco}, {@code falco.service}, {@code
 *       falco-<driver>.service} (Falco's stdout / syslog output; not falcoctl or falcosidekick);
 *   <li>anything else is counted by program ({@code SYSLOG_IDENTIFIER}, else {@code _COMM}, else the unit) and
 *       skipped.
 * </ul>
 */
public final class JournalSplit implements Closeable {
  /** {@code derived_from.method} of the artifacts this split makes. */
  public static final String METHOD = "systemd_journal_entries";

  private final JournalFile.ReadResult read;
  private final Map<String, Path> files;
  private final Map<String, Long> routed;
  private final Map<String, Long> skipped;

  private JournalSplit(JournalFile.ReadResult read, Map<String, Path> files, Map<String, Long> routed,
      Map<String, Long> skipped) {
    this.read = read;
    this.files = files;
    this.routed = routed;
    this.skipped = skipped;
  }

  /** The format whose parser reads {@code e}, or null. */
  public static String target(JournalEntry e) {
    if (e.field("PODMAN_EVENT") != null || e.field("PODMAN_TYPE") != null) return PodmanEventsRecognizer.SOURCE_TYPE;
    String unit = e.text("_SYSTEMD_UNIT");
    String ident = e.text("SYSLOG_IDENTIFIER");
    String comm = e.text("_COMM");
    RuntimeDaemonLogSniff.Daemon d = RuntimeDaemonLogSniff.program(unit);
    if (d == null) d = RuntimeDaemonLogSniff.program(ident);
    if (d == null) d = RuntimeDaemonLogSniff.program(comm);
    if (d != null) {
      return switch (d) {
        case DOCKERD -> DockerDaemonLogRecognizer.SOURCE_TYPE;
        case CONTAINERD -> ContainerdDaemonLogRecognizer.SOURCE_TYPE;
        case CRIO -> CrioDaemonLogRecognizer.SOURCE_TYPE;
      };
    }
    if (falco(unit) || falco(ident) || falco(comm)) return FalcoAlertRecognizer.SOURCE_TYPE;
    if (KubeletLogRecognizer.kubelet(unit) || KubeletLogRecognizer.kubelet(ident) || KubeletLogRecognizer.kubelet(comm)) {
      return KubeletLogRecognizer.SOURCE_TYPE;
    }
    return null;
  }

  /**
   * Falco's unit, identifier or command: {@code falco}, {@code falco.service}, {@code falco-modern-bpf.service},
   * {@code falco-kmod.service}, {@code falco@...} (not falcoctl's or falcosidekick's own logs).
   */
  public static boolean falco(String p) {
    return p != null && p.startsWith("falco")
        && (p.length() == 5 || p.charAt(5) == '-' || p.charAt(5) == '.' || p.charAt(5) == '@');
  }

  /** The program an entry is counted under when skipped. */
  static String program(JournalEntry e) {
    String p = e.text("SYSLOG_IDENTIFIER");
    if (p == null) p = e.text("_COMM");
    if (p == null) p = e.text("_SYSTEMD_UNIT");
    if (p == null) p = e.text("_TRANSPORT") != null ? "(" + e.text("_TRANSPORT") + ")" : "(unnamed)";
    return p.length() > 64 ? p.substring(0, 64) : p;
  }

  /**
   * Reads {@code journal} and writes each target format's lines to a temporary file in {@code tmpDir} (null: the
   * system's). Close the result to delete them.
   */
  public static JournalSplit split(JournalFile journal, Path tmpDir) throws IOException {
    Map<String, OutputStream> outs = new LinkedHashMap<>();
    Map<String, Path> files = new TreeMap<>();
    Map<String, Long> routed = new TreeMap<>();
    Map<String, Long> skipped = new TreeMap<>();
    JournalJson json = new JournalJson();
    JournalFile.ReadResult r;
    try {
      r = journal.read(e -> {
        String t = target(e);
        if (t == null) {
          skipped.merge(program(e), 1L, Long::sum);
          return;
        }
        OutputStream o = outs.get(t);
        if (o == null) {
          Path f = tmpDir == null ? Files.createTempFile("strata-journal-", "-" + t + ".jsonl")
              : Files.createTempFile(tmpDir, "strata-journal-", "-" + t + ".jsonl");
          files.put(t, f);
          o = new BufferedOutputStream(Files.newOutputStream(f), 1 << 16);
          outs.put(t, o);
        }
        json.write(e, o);
        routed.merge(t, 1L, Long::sum);
      });
    } catch (IOException | RuntimeException ex) {
      closeAll(outs);
      deleteAll(files);
      throw ex;
    }
    IOException failed = closeAll(outs);
    if (failed != null) {
      deleteAll(files);
      throw failed;
    }
    return new JournalSplit(r, files, routed, skipped);
  }

  private static IOException closeAll(Map<String, OutputStream> outs) {
    IOException first = null;
    for (OutputStream o : outs.values()) {
      try {
        o.close();
      } catch (IOException ex) {
        if (first == null) first = ex;
      }
    }
    return first;
  }

  private static void deleteAll(Map<String, Path> files) {
    for (Path p : files.values()) {
      try {
        Files.deleteIfExists(p);
      } catch (IOException ignored) {
        // a temporary file: nothing else to do
      }
    }
  }

  /** How the read went. */
  public JournalFile.ReadResult read() {
    return read;
  }

  /** Target format -> its temporary JSON lines file (formats with at least one entry), sorted by format. */
  public Map<String, Path> files() {
    return files;
  }

  /** Target format -> entries written. */
  public Map<String, Long> routed() {
    return routed;
  }

  /** Program -> entries skipped (no parser reads them). */
  public Map<String, Long> skipped() {
    return skipped;
  }

  @Override
  public void close() {
    deleteAll(files);
  }
}
