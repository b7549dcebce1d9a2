package dev.strata.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChildProcessTest {
  @TempDir Path tmp;

  @Test
  void stopEndsTheProcessAndItsDescendantsEvenWhenSigtermIsIgnored() throws Exception {
    // the shell ignores SIGTERM, so only the forced stop after the grace period can end it
    ProcessBuilder command =
        new ProcessBuilder("sh", "-c", "trap '' TERM; sleep 300 & sleep 300 & echo started; wait");
    ChildProcess child = ChildProcess.start("sleepers", command, tmp.resolve("out.log"), tmp.resolve("sleepers.pid"));
    waitFor(() -> child.handle().descendants().count() == 2);
    List<ProcessHandle> tree = new java.util.ArrayList<>(child.handle().descendants().toList());
    tree.add(child.handle());

    child.stop(Duration.ofMillis(300));

    assertThat(tree).noneMatch(ProcessHandle::isAlive);
    assertThat(tmp.resolve("sleepers.pid")).doesNotExist();
    assertThat(child.logTail(5)).isEqualTo("started");
    child.stop(Duration.ofMillis(300)); // idempotent
  }

  @Test
  void refusesToStartWhileAnEarlierRunStillUsesTheDataDir() throws Exception {
    Path pidFile = tmp.resolve("x.pid");
    ChildProcess first =
        ChildProcess.start(
            "x", new ProcessBuilder("sh", "-c", "sleep 300 # " + tmp), tmp.resolve("x.log"), pidFile);
    try {
      assertThatThrownBy(
              () -> ChildProcess.start("x", new ProcessBuilder("true"), tmp.resolve("x.log"), pidFile))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("pid " + first.handle().pid())
          .hasMessageContaining("another data dir");
    } finally {
      first.stop(Duration.ofSeconds(5));
    }
  }

  @Test
  void aStalePidFileIsIgnored() throws Exception {
    Path pidFile = tmp.resolve("y.pid");
    Files.writeString(pidFile, "999999999");
    ChildProcess child = ChildProcess.start("y", new ProcessBuilder("true"), tmp.resolve("y.log"), pidFile);
    child.handle().onExit().get();
    assertThat(child.exitCode()).contains(0);
    child.stop(Duration.ofSeconds(1));
  }

  @Test
  void tailReturnsTheLastLines() throws Exception {
    Path log = Files.writeString(tmp.resolve("l.log"), "1\n2\n3\n4\n");
    assertThat(ChildProcess.tail(log, 2)).isEqualTo("3" + System.lineSeparator() + "4");
    assertThat(ChildProcess.tail(tmp.resolve("none.log"), 2)).contains("no log file");
  }

  private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 5000;
    while (!condition.getAsBoolean() && System.currentTimeMillis() < deadline) {
      Thread.sleep(20);
    }
  }
}
