package dev.strata.infra.testing;

import dev.strata.infra.EmbeddedStack;
import dev.strata.infra.StackEndpoints;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.Locale;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;

/**
 * JUnit 5 extension that starts ONE stack per test JVM, shared by every test class that uses it, and stops it once
 * at the end of the run. Test methods and constructors receive the {@link StackEndpoints} as a parameter.
 *
 * <pre>{@code
 * @ExtendWith(SharedStack.class)
 * class MySinkIT {
 *   @Test void writes(StackEndpoints stack) { ... }
 * }
 * }</pre>
 *
 * <p>Backend, decided once: Testcontainers (Kafka, OpenSearch, MinIO) when Docker is available ({@code
 * DockerClientFactory.isDockerAvailable()}, asked only when a Docker socket or {@code DOCKER_HOST} is visible),
 * else the {@link EmbeddedStack} in a temp dir under {@code target/} (deleted after the run). System property
 * {@value #MODE_PROPERTY} = {@code embedded} or {@code docker} forces one. A start failure is remembered: later test
 * classes fail at once with the same cause instead of trying again.
 */
public final class SharedStack implements BeforeAllCallback, ParameterResolver {
  /** System property forcing the backend: {@code embedded}, {@code docker} (default: {@code auto}). */
  public static final String MODE_PROPERTY = "strata.stack";

  private static final Logger LOG = LoggerFactory.getLogger(SharedStack.class);
  private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(SharedStack.class);

  /** Starts the stack before the first test of the class, so its start-up is not billed to one test. */
  @Override
  public void beforeAll(ExtensionContext context) {
    endpoints(context);
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == StackEndpoints.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return endpoints(context);
  }

  /** The endpoints of the shared stack, starting it if this is the first use in this JVM. */
  public static StackEndpoints endpoints(ExtensionContext context) {
    Running running =
        context
            .getRoot()
            .getStore(NAMESPACE)
            .getOrComputeIfAbsent(Running.class, key -> Running.start(), Running.class);
    return running.endpoints();
  }

  /** The backend chosen for this JVM: {@code docker} or {@code embedded}. */
  static String chooseBackend(String forced, BooleanSupplier dockerAvailable) {
    String mode = forced == null ? "auto" : forced.trim().toLowerCase(Locale.ROOT);
    return switch (mode) {
      case "embedded", "docker" -> mode;
      case "auto", "" -> dockerAvailable.getAsBoolean() ? "docker" : "embedded";
      default -> throw new IllegalArgumentException(
          "System property " + MODE_PROPERTY + "=" + forced + ": use embedded, docker or auto");
    };
  }

  /** The running stack (or the reason it could not start), closed by JUnit at the end of the run. */
  private static final class Running implements AutoCloseable {
    private final AutoCloseable stack;
    private final StackEndpoints endpoints;
    private final RuntimeException failure;
    private final Path dataDir;

    private Running(AutoCloseable stack, StackEndpoints endpoints, RuntimeException failure, Path dataDir) {
      this.stack = stack;
      this.endpoints = endpoints;
      this.failure = failure;
      this.dataDir = dataDir;
    }

    static Running start() {
      String backend =
          chooseBackend(
              System.getProperty(MODE_PROPERTY),
              () -> DockerHints.present() && DockerClientFactory.instance().isDockerAvailable());
      if (backend.equals("docker")) {
        try {
          ContainerStack containers = ContainerStack.start();
          LOG.info("Shared stack on Testcontainers: {}", containers.endpoints());
          return new Running(containers, containers.endpoints(), null, null);
        } catch (RuntimeException e) {
          return new Running(null, null, e, null);
        }
      }
      Path dataDir = tempDataDir();
      try {
        // each service's start bound: EmbeddedStack's default (300 s, STRATA_STACK_START_TIMEOUT or
        // -Dstrata.stack.start_timeout=SECONDS on a machine shared by many builds)
        EmbeddedStack stack =
            EmbeddedStack.builder().dataDir(dataDir).progress(message -> LOG.info("shared stack: {}", message)).start();
        LOG.info("Shared embedded stack in {}: {}", dataDir, stack.startupTimes());
        return new Running(stack, stack.endpoints(), null, dataDir);
      } catch (RuntimeException e) {
        return new Running(null, null, e, null);
      }
    }

    StackEndpoints endpoints() {
      if (failure != null) {
        throw new ParameterResolutionException(
            "The shared strata stack did not start: " + failure.getMessage(), failure);
      }
      return endpoints;
    }

    @Override
    public void close() throws Exception {
      if (stack != null) {
        stack.close();
      }
      if (dataDir != null) {
        deleteTree(dataDir);
      }
    }

    private static Path tempDataDir() {
      try {
        Path target = Files.createDirectories(Path.of("target"));
        // rwxr-xr-x, not the 0700 of temp dirs: as root, OpenSearch runs as nobody and must reach its data
        return Files.createTempDirectory(
            target.toAbsolutePath(),
            "strata-stack-",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot create a data dir under target/: " + e.getMessage(), e);
      }
    }

    private static void deleteTree(Path dir) {
      try (Stream<Path> tree = Files.walk(dir)) {
        tree.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
      } catch (IOException | UncheckedIOException e) {
        LOG.warn("Cannot delete the stack's data dir {}: {}", dir, e.getMessage());
      }
    }
  }
}
