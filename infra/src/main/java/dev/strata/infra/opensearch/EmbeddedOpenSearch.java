package dev.strata.infra.opensearch;

import dev.strata.infra.ChildProcess;
import dev.strata.infra.FreePorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OpenSearch (the unpacked 2.19 distribution) as a single-node child process on 127.0.0.1.
 *
 * <p>Its data dir holds a private copy of the distribution's {@code config/} (with our {@code jvm.options}), and
 * {@code data/}, {@code logs/}, {@code tmp/}, the child's stdout/stderr in {@code opensearch.out.log} and
 * {@code opensearch.pid}. As root it runs as {@code nobody} when it can; see {@link RootHandling}.
 */
public final class EmbeddedOpenSearch implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedOpenSearch.class);
  private static final Duration STOP_GRACE = Duration.ofSeconds(30);
  /**
   * Heap of the node: 1 GiB by default (at 512 MiB, indexing ~1 KB events in 2000-document bulks trips the parent
   * circuit breaker); {@code STRATA_OPENSEARCH_HEAP} or {@code -Dstrata.opensearch.heap} change it.
   */
  static final String HEAP =
      System.getProperty("strata.opensearch.heap",
          System.getenv().getOrDefault("STRATA_OPENSEARCH_HEAP", "1g"));

  /**
   * JIT of the node: {@code tiered} (default: C2 for hot code; indexing container log events costs the node 1.8x
   * less CPU than with C1 only, {@code EventIndexingBenchmark}, docs/benchmarks.md) or {@code c1} (the least compile
   * work at start: what the test suite runs, whose stacks index little and start often);
   * {@code STRATA_OPENSEARCH_JIT} or {@code -Dstrata.opensearch.jit}.
   */
  static final OpenSearchNodeConfig.Jit JIT = OpenSearchNodeConfig.Jit.valueOf(
      System.getProperty("strata.opensearch.jit", System.getenv().getOrDefault("STRATA_OPENSEARCH_JIT", "tiered"))
          .trim().toUpperCase(java.util.Locale.ROOT));

  private final OpenSearchNodeConfig config;
  private final ChildProcess process;
  private final RootHandling rootHandling;

  private EmbeddedOpenSearch(OpenSearchNodeConfig config, ChildProcess process, RootHandling rootHandling) {
    this.config = config;
    this.process = process;
    this.rootHandling = rootHandling;
  }

  /**
   * Starts OpenSearch and waits until {@code /_cluster/health?wait_for_status=yellow} answers.
   *
   * @param dataDir the node's own directory (created if missing, reused if present)
   * @param home the distribution ({@code RuntimeLocator.openSearchHome()})
   * @param timeout how long to wait for the node to become ready
   * @throws IllegalStateException when the node exits or is not ready in time; the message holds its last log lines
   */
  public static EmbeddedOpenSearch start(Path dataDir, Path home, Duration timeout) {
    try {
      Path dir = Files.createDirectories(dataDir).toAbsolutePath();
      Path configDir = dir.resolve("config");
      OpenSearchNodeConfig config =
          new OpenSearchNodeConfig(
              FreePorts.pick(), FreePorts.pick(), dir.resolve("data"), dir.resolve("logs"), HEAP, JIT);
      Path tmpDir = dir.resolve("tmp");
      for (Path d : List.of(configDir, config.dataPath(), config.logsPath(), tmpDir)) {
        Files.createDirectories(d);
      }
      copyConfig(home.resolve("config"), configDir);
      Path jvmOptions = configDir.resolve("jvm.options");
      Files.writeString(jvmOptions, config.jvmOptions(false));

      Path java = Path.of(System.getProperty("java.home"), "bin", "java");
      boolean root = Privileges.isRoot();
      Optional<String> setprivProblem = Optional.empty();
      if (root) {
        List<Path> writable = List.of(configDir, config.dataPath(), config.logsPath(), tmpDir);
        setprivProblem =
            Privileges.handOverToNobody(dir, writable).or(() -> Privileges.nobodyCannotRun(home, java, dir));
      }
      RootHandling handling = RootHandling.choose(root, setprivProblem);
      switch (handling) {
        case AS_CURRENT_USER -> LOG.debug("OpenSearch runs as the current user");
        case AS_NOBODY_VIA_SETPRIV -> LOG.info("Running as root: OpenSearch runs as user nobody (setpriv)");
        case AS_ROOT_WITHOUT_JNA -> {
          LOG.warn(
              "Running as root and cannot run OpenSearch as nobody ({}); running it as root with JNA disabled"
                  + " (no memory lock, no seccomp filter). Use a data dir and checkout that user nobody can"
                  + " reach to avoid this.",
              setprivProblem.orElse("?"));
          Files.writeString(jvmOptions, config.jvmOptions(true));
        }
      }

      List<String> command = new ArrayList<>();
      if (handling == RootHandling.AS_NOBODY_VIA_SETPRIV) {
        command.addAll(Privileges.setprivAsNobody());
      }
      command.add(home.resolve("bin").resolve("opensearch").toString());
      command.addAll(config.settingsArguments());
      ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
      var env = builder.environment();
      env.keySet()
          .removeAll(List.of("OPENSEARCH_JAVA_OPTS", "JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "JAVA_OPTS"));
      env.put("OPENSEARCH_JAVA_HOME", System.getProperty("java.home"));
      env.put("OPENSEARCH_PATH_CONF", configDir.toString());
      env.put("OPENSEARCH_TMPDIR", tmpDir.toString());
      ChildProcess process =
          ChildProcess.start("opensearch", builder, dir.resolve("opensearch.out.log"), dir.resolve("opensearch.pid"));
      EmbeddedOpenSearch node = new EmbeddedOpenSearch(config, process, handling);
      try {
        node.awaitReady(timeout);
      } catch (RuntimeException e) {
        node.close();
        throw e;
      }
      return node;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot prepare the OpenSearch data dir " + dataDir + ": " + e.getMessage(), e);
    }
  }

  /** The base URL of the REST API, e.g. {@code http://127.0.0.1:40124}. */
  public String url() {
    return config.url();
  }

  /** The node's process (the JVM; {@code setpriv} and the start script exec into it). */
  public ProcessHandle process() {
    return process.handle();
  }

  /** How the root check was handled for this node. */
  public RootHandling rootHandling() {
    return rootHandling;
  }

  /** Stops the node (SIGTERM, then SIGKILL to it and its descendants after 30 s) and waits for it. Idempotent. */
  @Override
  public void close() {
    process.stop(STOP_GRACE);
  }

  private void awaitReady(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    HttpRequest health =
        HttpRequest.newBuilder(URI.create(url() + "/_cluster/health?wait_for_status=yellow&timeout=2s"))
            .timeout(Duration.ofSeconds(5))
            .build();
    String last = "no answer yet";
    while (true) {
      process
          .exitCode()
          .ifPresent(
              code -> {
                throw new IllegalStateException(
                    "OpenSearch exited with code " + code + ". Last lines of " + process.logFile() + ":\n"
                        + process.logTail(30));
              });
      try {
        HttpResponse<String> response = http.send(health, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 200) {
          return;
        }
        last = "HTTP " + response.statusCode() + ": " + response.body();
      } catch (IOException e) {
        last = e.toString();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted while waiting for OpenSearch", e);
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "OpenSearch was not ready within " + timeout.toSeconds() + " s (" + last + "). Last lines of "
                + process.logFile() + ":\n" + process.logTail(30));
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted while waiting for OpenSearch", e);
      }
    }
  }

  private static void copyConfig(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path source : (Iterable<Path>) files::iterator) {
        Path target = to.resolve(from.relativize(source).toString());
        if (Files.isDirectory(source)) {
          Files.createDirectories(target);
        } else {
          Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }
}
