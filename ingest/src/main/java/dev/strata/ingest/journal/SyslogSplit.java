package dev.strata.ingest.journal;

import dev.strata.ingest.recognize.ContainerdDaemonLogRecognizer;
import dev.strata.ingest.recognize.CrioDaemonLogRecognizer;
import dev.strata.ingest.recognize.DockerDaemonLogRecognizer;
import dev.strata.ingest.recognize.KubeletLogRecognizer;
import dev.strata.ingest.recognize.RuntimeDaemonLogSniff;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Splits a syslog text file ({@code /var/log/messages}, {@code /var/log/syslog}, {@code daemon.log}: every unit's
 * lines, as rsyslog writes the journal on Amazon Linux 2 and Debian / Ubuntu nodes) by the program of each line into
 * one file per format that reads it, <em>other than</em> the format the whole file was recognized as (whose parser
 * reads its own program's lines from the file itself and skips the rest): the kubelet ({@code kubelet_log}) and the
 * runtime daemons ({@code docker_daemon_log}, {@code containerd_daemon_log}, {@code crio_daemon_log}), by the rule a
 * binary journal is split by ({@link JournalSplit#target}: {@link RuntimeDaemonLogSniff#program}, {@link
 * KubeletLogRecognizer#kubelet}). A line without a syslog header (a message's continuation) goes with the line before
 * it. Lines are copied as they are (their envelope included: each format's parser reads syslog envelopes). Close the
 * result to delete the files.
 */
public final class SyslogSplit implements Closeable {
  /** {@code derived_from.method} of the artifacts this split makes. */
  public static final String METHOD = "syslog_program_lines";

  /** The formats a syslog file may be recognized as whose other programs' lines this split takes out. */
  public static final Set<String> SPLIT_FORMATS = Set.of(KubeletLogRecognizer.SOURCE_TYPE,
      DockerDaemonLogRecognizer.SOURCE_TYPE, ContainerdDaemonLogRecognizer.SOURCE_TYPE,
      CrioDaemonLogRecognizer.SOURCE_TYPE);

  private static final int MAX_LINE = 1 << 20;
  /** Lines read before a file without any syslog header is given up on. */
  private static final int SNIFF_LINES = 64;

  private final Map<String, Path> files;
  private final Map<String, Long> lines;

  private SyslogSplit(Map<String, Path> files, Map<String, Long> lines) {
    this.files = files;
    this.lines = lines;
  }

  /** The format whose parser reads a line of {@code program}, or null. */
  public static String target(String program) {
    RuntimeDaemonLogSniff.Daemon d = RuntimeDaemonLogSniff.program(program);
    if (d != null) {
      return switch (d) {
        case DOCKERD -> DockerDaemonLogRecognizer.SOURCE_TYPE;
        case CONTAINERD -> ContainerdDaemonLogRecognizer.SOURCE_TYPE;
        case CRIO -> CrioDaemonLogRecognizer.SOURCE_TYPE;
      };
    }
    return KubeletLogRecognizer.kubelet(program) ? KubeletLogRecognizer.SOURCE_TYPE : null;
  }

  /**
   * Reads {@code in} line by line and writes the lines of every target format but {@code recognizedAs} to a temporary
   * file in {@code tmpDir} (null: the system's). A line longer than 1 MiB is left out (and its continuation).
   */
  public static SyslogSplit split(InputStream in, String recognizedAs, Path tmpDir) throws IOException {
    Map<String, OutputStream> outs = new LinkedHashMap<>();
    Map<String, Path> files = new TreeMap<>();
    Map<String, Long> lines = new TreeMap<>();
    try {
      LineReader r = new LineReader(in);
      String current = null;
      byte[] line;
      long read = 0;
      long headers = 0;
      while ((line = r.next()) != null) {
        // a file whose first lines carry no syslog header is no syslog file (a daemon's bare logrus output): stop
        if (++read > SNIFF_LINES && headers == 0) break;
        if (line.length > MAX_LINE) {
          current = null;
          continue;
        }
        String head = new String(line, 0, Math.min(line.length, 512), StandardCharsets.UTF_8);
        String program = RuntimeDaemonLogSniff.syslogProgram(head);
        if (program != null) {
          headers++;
          current = target(program);
        }
        if (current == null || current.equals(recognizedAs)) continue;
        OutputStream o = outs.get(current);
        if (o == null) {
          Path f = tmpDir == null ? Files.createTempFile("strata-syslog-", "-" + current + ".log")
              : Files.createTempFile(tmpDir, "strata-syslog-", "-" + current + ".log");
          files.put(current, f);
          o = new BufferedOutputStream(Files.newOutputStream(f), 1 << 16);
          outs.put(current, o);
        }
        o.write(line);
        o.write('\n');
        lines.merge(current, 1L, Long::sum);
      }
    } catch (IOException | RuntimeException e) {
      closeAll(outs);
      deleteAll(files);
      throw e;
    }
    IOException failed = closeAll(outs);
    if (failed != null) {
      deleteAll(files);
      throw failed;
    }
    return new SyslogSplit(files, lines);
  }

  /** Each target format's file. */
  public Map<String, Path> files() {
    return files;
  }

  /** Lines written per target format. */
  public Map<String, Long> lines() {
    return lines;
  }

  @Override
  public void close() {
    deleteAll(files);
  }

  private static IOException closeAll(Map<String, OutputStream> outs) {
    IOException failed = null;
    for (OutputStream o : outs.values()) {
      try {
        o.close();
      } catch (IOException e) {
        if (failed == null) failed = e;
      }
    }
    return failed;
  }

  private static void deleteAll(Map<String, Path> files) {
    for (Path p : files.values()) {
      try {
        Files.deleteIfExists(p);
      } catch (IOException ignored) {
        // a temporary file
      }
    }
  }

  /** Lines without their terminator ({@code \n}, a {@code \r} before it dropped); the last line may lack one. */
  private static final class LineReader {
    private final InputStream in;
    private final byte[] buf = new byte[1 << 16];
    private int pos;
    private int end;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);

    LineReader(InputStream in) {
      this.in = in;
    }

    byte[] next() throws IOException {
      line.reset();
      boolean any = false;
      while (true) {
        if (pos == end) {
          end = in.read(buf, 0, buf.length);
          pos = 0;
          if (end <= 0) {
            end = 0;
            return any ? strip(line.toByteArray()) : null;
          }
        }
        any = true;
        int start = pos;
        while (pos < end && buf[pos] != '\n') pos++;
        if (line.size() <= MAX_LINE) line.write(buf, start, Math.min(pos - start, MAX_LINE + 1 - line.size()));
        if (pos < end) {
          pos++;
          return strip(line.toByteArray());
        }
      }
    }

    private static byte[] strip(byte[] b) {
      return b.length > 0 && b[b.length - 1] == '\r' ? java.util.Arrays.copyOf(b, b.length - 1) : b;
    }
  }
}
