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
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A child process of the stack (Kafka broker, OpenSearch) whose output goes to a log file, with a pid file in its
 * data dir, and a stop that never leaves the process or its descendants behind. Children still running when the
 * JVM shuts down (Ctrl-C during start-up included) are stopped by a shutdown hook.
 */
public final class ChildProcess {
  private static final Logger LOG = LoggerFactory.getLogger(ChildProcess.class);
  private static final Duration KILL_WAIT = Duration.ofSeconds(10);
  private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(10);
  /** Children not stopped yet; a JVM shutdown hook stops them, so none outlives a JVM that exits normally. */
  private static final Set<ChildProcess> RUNNING = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> List.copyOf(RUNNING).forEach(child -> child.stop(SHUTDOWN_GRACE)),
                "strata-child-process-reaper"));
  }

  private final String name;
  private final Process process;
  private final Path logFile;
  private final Path pidFile;
  private final AtomicBoolean stopping = new AtomicBoolean();

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
    Process process;
    try {
      process = command.start();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start " + name + " (" + command.command().get(0) + ")", e);
    }
    ChildProcess child = new ChildProcess(name, process, logFile, pidFile);
    RUNNING.add(child);
    try {
      Files.writeString(pidFile, Long.toString(process.pid()));
    } catch (IOException e) {
      child.stop(Duration.ofSeconds(5));
      throw new UncheckedIOException("Cannot write the pid file " + pidFile + " of " + name, e);
    }
    LOG.debug("{} started as pid {}: {}", name, process.pid(), command.command());
    return child;
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
   * always waits for the process to end. Idempotent; a second caller (the shutdown hook, say) waits for the first.
   */
  public void stop(Duration grace) {
    if (!stopping.compareAndSet(false, true)) {
      awaitExit(process.toHandle(), Duration.ofDays(1));
      return;
    }
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
    List<ProcessHandle> leftovers =
        Stream.concat(descendants.stream(), process.descendants()).filter(ProcessHandle::isAlive).toList();
    leftovers.forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    awaitExit(process.toHandle(), Duration.ofDays(1));
    for (ProcessHandle leftover : leftovers) {
      if (!awaitExit(leftover, KILL_WAIT)) {
        LOG.warn("{}: descendant pid {} is still alive after SIGKILL", name, leftover.pid());
      }
    }
    try {
      Files.deleteIfExists(pidFile);
    } catch (IOException e) {
      LOG.warn("Cannot delete {}: {}", pidFile, e.getMessage());
    }
    RUNNING.remove(this);
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

  /** Waits for {@code handle} to end, ignoring interrupts until then (and restoring the flag). */
  private static boolean awaitExit(ProcessHandle handle, Duration timeout) {
    boolean interrupted = false;
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      while (handle.isAlive()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        try {
          handle.onExit().get(left, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
          interrupted = true;
        } catch (ExecutionException | TimeoutException e) {
          // loop re-checks isAlive and the deadline
        }
      }
      return true;
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
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
