package dev.strata.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** When one component cannot start, the error names it, shows its log, and the others are stopped. */
class EmbeddedStackFailureIT {
  private Path tmp;

  @BeforeEach
  void createDir() throws IOException {
    tmp = Files.createTempDirectory(Files.createDirectories(Path.of("target")).toAbsolutePath(), "failure-it-");
  }

  /** Deletes links, not their targets (the runtime links to the real Kafka jars). */
  @AfterEach
  void deleteDir() throws IOException {
    try (Stream<Path> tree = Files.walk(tmp)) {
      tree.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    }
  }

  @Test
  void aFailingComponentIsNamedAndTheOthersAreStopped() throws Exception {
    Path runtime = tmp.resolve("runtime");
    Path realKafka = RuntimeLocator.fromEnvironment().kafkaLibDir();
    Files.createDirectories(runtime);
    Files.createSymbolicLink(runtime.resolve("kafka"), realKafka);
    Path fakeBin = Files.createDirectories(runtime.resolve("opensearch/opensearch-0.0.0/bin"));
    Files.createDirectories(fakeBin.resolveSibling("config"));
    Path script = fakeBin.resolve("opensearch");
    Files.writeString(script, "#!/bin/sh\necho 'fatal: this distribution is broken on purpose'\nexit 3\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    RuntimeLocator locator = new RuntimeLocator(name -> runtime.toString(), Map.of(), tmp);
    List<Long> before = ProcessHandle.current().descendants().map(ProcessHandle::pid).toList();

    assertThatThrownBy(() -> EmbeddedStack.builder().dataDir(tmp.resolve("data")).runtime(locator).start())
        .isInstanceOf(StackStartException.class)
        .hasMessageStartingWith("opensearch failed to start")
        .hasMessageContaining("exited with code 3")
        .hasMessageContaining("broken on purpose")
        .satisfies(e -> assertThat(((StackStartException) e).component()).isEqualTo(StackComponent.OPENSEARCH));

    assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).map(ProcessHandle::pid))
        .allMatch(before::contains);
    assertThat(tmp.resolve("data/kafka/kafka.pid")).doesNotExist();
  }

  @Test
  void aMissingRuntimeFailsBeforeAnythingStarts() {
    RuntimeLocator nowhere = new RuntimeLocator(name -> null, Map.of(), Path.of("/"));
    assertThatThrownBy(
            () ->
                EmbeddedStack.builder()
                    .dataDir(tmp.resolve("data"))
                    .runtime(nowhere)
                    .components(StackComponent.KAFKA, StackComponent.S3)
                    .start())
        .isInstanceOf(StackStartException.class)
        .hasMessageStartingWith("kafka failed to start")
        .hasMessageContaining("./mvnw -DskipTests install");
    assertThat(tmp.resolve("data")).doesNotExist();
  }
}
