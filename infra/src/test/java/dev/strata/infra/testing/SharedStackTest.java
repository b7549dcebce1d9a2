package dev.strata.infra.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SharedStackTest {
  @TempDir Path home;

  @Test
  void autoUsesDockerOnlyWhenAvailable() {
    assertThat(SharedStack.chooseBackend(null, () -> true)).isEqualTo("docker");
    assertThat(SharedStack.chooseBackend("auto", () -> false)).isEqualTo("embedded");
  }

  @Test
  void aForcedBackendIsNotProbed() {
    assertThat(SharedStack.chooseBackend("embedded", () -> { throw new AssertionError("probed"); }))
        .isEqualTo("embedded");
    assertThat(SharedStack.chooseBackend(" Docker ", () -> false)).isEqualTo("docker");
  }

  @Test
  void anUnknownBackendNamesTheProperty() {
    assertThatThrownBy(() -> SharedStack.chooseBackend("podman", () -> false))
        .hasMessageContaining(SharedStack.MODE_PROPERTY)
        .hasMessageContaining("embedded, docker or auto");
  }

  @Test
  void dockerHostOrASocketHintsAtDocker() throws Exception {
    assertThat(DockerHints.present(Map.of("DOCKER_HOST", "tcp://10.0.0.1:2375"), home)).isTrue();
    Files.createFile(home.resolve(".testcontainers.properties"));
    assertThat(DockerHints.present(Map.of(), home)).isTrue();
  }

  @Test
  void noHintMeansNoDocker() {
    boolean systemSocket = Files.exists(Path.of("/var/run/docker.sock"));
    assertThat(DockerHints.present(Map.of(), home)).isEqualTo(systemSocket);
  }
}
