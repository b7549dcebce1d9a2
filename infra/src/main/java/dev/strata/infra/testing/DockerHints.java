package dev.strata.infra.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Cheap signs that a Docker engine may be reachable: {@code DOCKER_HOST}, a Testcontainers config file, or a
 * Docker socket in one of the usual places. Without any, asking Testcontainers is skipped: its probe would fail
 * anyway, after logging an ERROR that reads like a test failure.
 */
final class DockerHints {
  private DockerHints() {}

  /** Whether any sign of Docker is present for this environment and home directory. */
  static boolean present(Map<String, String> env, Path home) {
    if (notBlank(env.get("DOCKER_HOST")) || notBlank(env.get("TESTCONTAINERS_DOCKER_SOCKET_OVERRIDE"))) {
      return true;
    }
    List<Path> candidates = new ArrayList<>();
    candidates.add(home.resolve(".testcontainers.properties"));
    candidates.add(Path.of("/var/run/docker.sock"));
    candidates.add(home.resolve(".docker/run/docker.sock"));
    candidates.add(home.resolve(".docker/desktop/docker.sock"));
    candidates.add(home.resolve(".rd/docker.sock"));
    candidates.add(home.resolve(".colima/default/docker.sock"));
    if (notBlank(env.get("XDG_RUNTIME_DIR"))) {
      candidates.add(Path.of(env.get("XDG_RUNTIME_DIR"), "docker.sock"));
    }
    return candidates.stream().anyMatch(Files::exists);
  }

  /** {@link #present(Map, Path)} for this process. */
  static boolean present() {
    return present(System.getenv(), Path.of(System.getProperty("user.home")));
  }

  private static boolean notBlank(String value) {
    return value != null && !value.isBlank();
  }
}
