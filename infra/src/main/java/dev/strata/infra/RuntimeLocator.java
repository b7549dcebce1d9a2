package dev.strata.infra;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Finds the runtime directory that holds the Kafka broker jars ({@code kafka/}) and the unpacked OpenSearch
 * distribution ({@code opensearch/opensearch-<version>/}).
 *
 * <p>Looked up, in order: system property {@value #PROPERTY}, environment variable {@value #ENV}, then the first
 * {@code infra/target/runtime} found searching upward from the working directory.
 */
public final class RuntimeLocator {
  /** System property naming the runtime directory. */
  public static final String PROPERTY = "strata.runtime.dir";
  /** Environment variable naming the runtime directory. */
  public static final String ENV = "STRATA_RUNTIME_DIR";
  /** Where the build puts the runtime, relative to the project root. */
  public static final Path BUILD_OUTPUT = Path.of("infra", "target", "runtime");

  private final Function<String, String> systemProperties;
  private final Map<String, String> environment;
  private final Path workingDir;

  RuntimeLocator(Function<String, String> systemProperties, Map<String, String> environment, Path workingDir) {
    this.systemProperties = systemProperties;
    this.environment = environment;
    this.workingDir = workingDir.toAbsolutePath().normalize();
  }

  /** A locator reading this JVM's system properties, environment and working directory. */
  public static RuntimeLocator fromEnvironment() {
    return new RuntimeLocator(System::getProperty, System.getenv(), Path.of(""));
  }

  /**
   * The runtime directory.
   *
   * @throws IllegalStateException naming the three places looked at, when none holds a runtime directory
   */
  public Path runtimeDir() {
    String property = systemProperties.apply(PROPERTY);
    if (property != null && !property.isBlank()) {
      return existing(Path.of(property), "system property " + PROPERTY);
    }
    String env = environment.get(ENV);
    if (env != null && !env.isBlank()) {
      return existing(Path.of(env), "environment variable " + ENV);
    }
    return searchUpward()
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "Strata runtime directory not found: system property "
                        + PROPERTY
                        + " and environment variable "
                        + ENV
                        + " are not set, and no "
                        + BUILD_OUTPUT
                        + " exists in "
                        + workingDir
                        + " or above. Run ./mvnw -DskipTests install first (it fills "
                        + BUILD_OUTPUT
                        + "), or point "
                        + PROPERTY
                        + " / "
                        + ENV
                        + " at it."));
  }

  /** The directory with the Kafka broker jars (the child JVM's classpath). */
  public Path kafkaLibDir() {
    return child(runtimeDir(), "kafka");
  }

  /** The home of the unpacked OpenSearch distribution (holds {@code bin/opensearch}). */
  public Path openSearchHome() {
    Path parent = child(runtimeDir(), "opensearch");
    try (var dirs = Files.list(parent)) {
      return dirs.filter(dir -> Files.isRegularFile(dir.resolve("bin").resolve("opensearch")))
          .sorted()
          .findFirst()
          .orElseThrow(
              () ->
                  new IllegalStateException(
                      "No OpenSearch distribution (opensearch-*/bin/opensearch) under "
                          + parent
                          + ". Run ./mvnw -DskipTests install first."));
    } catch (IOException e) {
      throw new IllegalStateException("Cannot list " + parent + ": " + e.getMessage(), e);
    }
  }

  private Optional<Path> searchUpward() {
    for (Path dir = workingDir; dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve(BUILD_OUTPUT);
      if (Files.isDirectory(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  private static Path existing(Path dir, String source) {
    Path absolute = dir.toAbsolutePath().normalize();
    if (!Files.isDirectory(absolute)) {
      throw new IllegalStateException(
          "Strata runtime directory "
              + absolute
              + " (from "
              + source
              + ") does not exist. Run ./mvnw -DskipTests install first, or fix "
              + source
              + ".");
    }
    return absolute;
  }

  private static Path child(Path runtimeDir, String name) {
    Path dir = runtimeDir.resolve(name);
    if (!Files.isDirectory(dir)) {
      throw new IllegalStateException(
          "Runtime directory " + runtimeDir + " has no " + name + "/. Run ./mvnw -DskipTests install first.");
    }
    return dir;
  }
}
