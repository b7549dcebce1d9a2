package dev.strata.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A child process of the stack (Kafka broker, OpenSearch) whose output goes to a log file, with a pid file in its
 * data dir, and a stop that never leaves the process or its descendants behind.
 */
public final class ChildProcess {
  private static final Logger LOG = LoggerFactory.getLogger(ChildProcess.class);

  private final String name;
  private final Process process;
  private final Path logFile;
  private final Path pidFile;

  private ChildProcess(String name, Process process, Path logFile, Path pidFile) {
    this.name = name;
    this.process = process;
    this.logFile = logFile;
    this.pidFile = pidFile;
  }

  /**
   * Starts {@code command}, appending its stdout and stderr to {@code logFile}, and writes its pid to
   * {@code pidFile}. Stdin stays a pipe from this JVM: it closes when this JVM dies, which children may watch.
   *
   * @throws IllegalStateException when {@code pidFile} names a live process from an earlier run
   */
  public static ChildProcess start(String name, ProcessBuilder command, Path logFile, Path pidFile) {
    refuseIfStillRunning(name, pidFile);
    command.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
    try {
      Process process = command.start();
      Files.writeString(pidFile, Long.toString(process.pid()));
      LOG.debug("{} started as pid {}: {}", name, process.pid(), command.command());
      return new ChildProcess(name, process, logFile, pidFile);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start " + name + " (" + command.command().get(0) + ")", e);
    }
  }

  /** The process. */
  public ProcessHandle handle() {
    return process.toHandle();
  }

  /** Whether the process still runs. */
  public boolean isAlive() {
    return process.isAlive();
  }

  /** The exit code, when the process has ended. */
  public Optional<Integer> exitCode() {
    return process.isAlive() ? Optional.empty() : Optional.of(process.exitValue());
  }

  /** The log file that receives the process's stdout and stderr. */
  public Path logFile() {
    return logFile;
  }

  /** The last {@code lines} lines of the log file, for error messages. */
  public String logTail(int lines) {
    return tail(logFile, lines);
  }

  /**
   * Stops the process: SIGTERM, wait up to {@code grace}, then SIGKILL to it and every descendant still alive;
   * always waits for the process to end. Idempotent.
   */
  public void stop(Duration grace) {
    List<ProcessHandle> descendants = process.descendants().collect(Collectors.toList());
    if (process.isAlive()) {
      process.destroy();
      try {
        if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
          LOG.warn("{} (pid {}) did not stop within {}; killing it", name, process.pid(), grace);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    Stream.concat(descendants.stream(), process.descendants()).filter(ProcessHandle::isAlive)
        .forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    boolean interrupted = false;
    while (true) {
      try {
        process.waitFor();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    try {
      Files.deleteIfExists(pidFile);
    } catch (IOException e) {
      LOG.warn("Cannot delete {}: {}", pidFile, e.getMessage());
    }
  }

  /** The last {@code lines} lines of {@code file}, or a note saying why there are none. */
  public static String tail(Path file, int lines) {
    if (!Files.exists(file)) {
      return "(no log file " + file + ")";
    }
    Deque<String> last = new ArrayDeque<>(lines);
    try (Stream<String> all = Files.lines(file, StandardCharsets.UTF_8)) {
      all.forEach(
          line -> {
            if (last.size() == lines) {
              last.removeFirst();
            }
            last.addLast(line);
          });
    } catch (IOException | UncheckedIOException e) {
      return "(cannot read " + file + ": " + e.getMessage() + ")";
    }
    return String.join(System.lineSeparator(), last);
  }

  private static void refuseIfStillRunning(String name, Path pidFile) {
    if (!Files.exists(pidFile)) {
      return;
    }
    try {
      long pid = Long.parseLong(Files.readString(pidFile).trim());
      Optional<ProcessHandle> alive = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
      String dataDir = pidFile.getParent().toString();
      boolean ours =
          alive.flatMap(p -> p.info().commandLine()).map(line -> line.contains(dataDir)).orElse(false);
      if (ours) {
        throw new IllegalStateException(
            name
                + " from an earlier run still uses "
                + dataDir
                + " (pid "
                + pid
                + "). Stop that stack (or kill "
                + pid
                + "), or choose another data dir.");
      }
      Files.delete(pidFile);
    } catch (IOException | NumberFormatException e) {
      LOG.warn("Ignoring unreadable pid file {}: {}", pidFile, e.getMessage());
    }
  }
}
