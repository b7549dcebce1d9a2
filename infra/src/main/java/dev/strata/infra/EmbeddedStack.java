package dev.strata.infra;

import dev.strata.infra.kafka.EmbeddedKafka;
import dev.strata.infra.opensearch.EmbeddedOpenSearch;
import dev.strata.infra.s3.EmbeddedS3;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole strata stack on one machine: a Kafka 4.4 broker (child JVM), OpenSearch 2.19 (child process) and an
 * S3-compatible store (S3Proxy in this JVM), started in parallel on free ports of 127.0.0.1.
 *
 * <pre>{@code
 * try (EmbeddedStack stack = EmbeddedStack.builder().dataDir(dir).start()) {
 *   StackEndpoints endpoints = stack.endpoints();
 * }
 * }</pre>
 *
 * <p>The data dir keeps every component's data between runs ({@code kafka/}, {@code opensearch/}, {@code s3/}); a
 * later start on it sees the same topics, indices and objects. Delete it to reset. A JVM shutdown hook stops the
 * stack on Ctrl-C; {@link #close()} stops it earlier and is idempotent.
 */
public final class EmbeddedStack implements AutoCloseable {
  /** Environment variable naming the default data dir. */
  public static final String DATA_DIR_ENV = "STRATA_DATA_DIR";
  /** Data dir when neither the builder nor {@value #DATA_DIR_ENV} names one. */
  public static final Path DEFAULT_DATA_DIR = Path.of(".strata", "stack");

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedStack.class);
  private static final int MAX_ATTEMPTS = 3;

  private final StackEndpoints endpoints;
  private final StartupTimes startupTimes;
  private final Map<StackComponent, AutoCloseable> running;
  private final List<ProcessHandle> childProcesses;
  private final Consumer<String> progress;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Thread shutdownHook;

  private EmbeddedStack(
      StackEndpoints endpoints,
      StartupTimes startupTimes,
      Map<StackComponent, AutoCloseable> running,
      List<ProcessHandle> childProcesses,
      Consumer<String> progress) {
    this.endpoints = endpoints;
    this.startupTimes = startupTimes;
    this.running = running;
    this.childProcesses = List.copyOf(childProcesses);
    this.progress = progress;
    this.shutdownHook = new Thread(this::close, "strata-stack-shutdown");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /** A builder with the defaults: all components, data dir from {@value #DATA_DIR_ENV} or {@code .strata/stack}. */
  public static Builder builder() {
    return new Builder();
  }

  /** Where the components answer. */
  public StackEndpoints endpoints() {
    return endpoints;
  }

  /** How long each component took to become ready. */
  public StartupTimes startupTimes() {
    return startupTimes;
  }

  /** The child processes (Kafka broker JVM, OpenSearch JVM) of this stack. */
  public List<ProcessHandle> childProcesses() {
    return childProcesses;
  }

  /** Stops every component and waits for the child processes to end. Idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException shuttingDown) {
      // called from the hook itself, or during JVM shutdown
    }
    stopAll(running.values());
    progress.accept("stack stopped");
  }

  private static void stopAll(Collection<AutoCloseable> components) {
    List<AutoCloseable> reversed = new ArrayList<>(components);
    Collections.reverse(reversed);
    for (AutoCloseable component : reversed) {
      try {
        component.close();
      } catch (Exception e) {
        LOG.warn("Stopping {} failed: {}", component.getClass().getSimpleName(), e.toString());
      }
    }
  }

  /** Environment variable: seconds each component may take to become ready. */
  public static final String START_TIMEOUT_ENV = "STRATA_STACK_START_TIMEOUT";

  /** System property: seconds each component may take to become ready (wins over the environment). */
  public static final String START_TIMEOUT_PROPERTY = "strata.stack.start_timeout";

  /** Configures and starts an {@link EmbeddedStack}. */
  public static final class Builder {
    private Path dataDir;
    private Set<StackComponent> components = EnumSet.allOf(StackComponent.class);
    private Consumer<String> progress = message -> LOG.info("{}", message);
    private RuntimeLocator runtime = RuntimeLocator.fromEnvironment();
    private Duration startTimeout = defaultStartTimeout();

    private Builder() {}

    /**
     * {@value #START_TIMEOUT_ENV} (seconds) or the system property {@value #START_TIMEOUT_PROPERTY}, else 300 s: on
     * a loaded 2-core machine OpenSearch alone has taken over two minutes to answer, and a component that fails
     * (exits) is reported at once whatever this bound.
     */
    static Duration defaultStartTimeout() {
      String v = System.getProperty(START_TIMEOUT_PROPERTY, System.getenv(START_TIMEOUT_ENV));
      if (v == null || v.isBlank()) return Duration.ofSeconds(300);
      try {
        long seconds = Long.parseLong(v.trim());
        if (seconds > 0) return Duration.ofSeconds(seconds);
      } catch (NumberFormatException e) {
        // fall through
      }
      throw new IllegalArgumentException(
          START_TIMEOUT_ENV + " / " + START_TIMEOUT_PROPERTY + " must be a positive number of seconds, got '" + v + "'");
    }

    /** The directory for all data (default: {@value #DATA_DIR_ENV} or {@code ./.strata/stack}). */
    public Builder dataDir(Path dataDir) {
      this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
      return this;
    }

    /** Which components to start (default: all). */
    public Builder components(Set<StackComponent> components) {
      if (components.isEmpty()) {
        throw new IllegalArgumentException("components: name at least one of " + List.of(StackComponent.values()));
      }
      this.components = EnumSet.copyOf(components);
      return this;
    }

    /** Which components to start (default: all). */
    public Builder components(StackComponent first, StackComponent... more) {
      return components(EnumSet.of(first, more));
    }

    /** Receives one-line progress messages (default: logged at INFO). */
    public Builder progress(Consumer<String> progress) {
      this.progress = Objects.requireNonNull(progress, "progress");
      return this;
    }

    /** Where the Kafka jars and the OpenSearch distribution are found (default: {@link RuntimeLocator}). */
    public Builder runtime(RuntimeLocator runtime) {
      this.runtime = Objects.requireNonNull(runtime, "runtime");
      return this;
    }

    /** How long each component may take to become ready (default: {@link #defaultStartTimeout()}). */
    public Builder startTimeout(Duration startTimeout) {
      if (startTimeout.isNegative() || startTimeout.isZero()) {
        throw new IllegalArgumentException("startTimeout must be positive, got " + startTimeout);
      }
      this.startTimeout = startTimeout;
      return this;
    }

    /**
     * Starts the chosen components in parallel and waits until all are ready.
     *
     * @throws StackStartException naming the first component that failed; the others are stopped first
     */
    public EmbeddedStack start() {
      Path dir = resolveDataDir().toAbsolutePath().normalize();
      Path kafkaLib =
          components.contains(StackComponent.KAFKA) ? locate(StackComponent.KAFKA, runtime::kafkaLibDir) : null;
      Path openSearchHome =
          components.contains(StackComponent.OPENSEARCH)
              ? locate(StackComponent.OPENSEARCH, runtime::openSearchHome)
              : null;
      progress.accept("starting " + names(components) + " in " + dir);

      long started = System.nanoTime();
      Map<StackComponent, Duration> times = new EnumMap<>(StackComponent.class);
      Map<StackComponent, CompletableFuture<AutoCloseable>> futures = new EnumMap<>(StackComponent.class);
      ExecutorService executor =
          Executors.newFixedThreadPool(
              components.size(),
              task -> {
                Thread thread = new Thread(task, "strata-stack-start");
                thread.setDaemon(true);
                return thread;
              });
      try {
        for (StackComponent component : components) {
          futures.put(
              component,
              CompletableFuture.supplyAsync(
                  () -> {
                    AutoCloseable instance = startOne(component, dir, kafkaLib, openSearchHome);
                    Duration took = Duration.ofNanos(System.nanoTime() - started);
                    synchronized (times) {
                      times.put(component, took);
                    }
                    progress.accept(component.id() + " ready in " + StartupTimes.seconds(took));
                    return instance;
                  },
                  executor));
        }
        Map<StackComponent, AutoCloseable> running = new EnumMap<>(StackComponent.class);
        StackStartException failure = null;
        for (var entry : futures.entrySet()) {
          try {
            running.put(entry.getKey(), entry.getValue().join());
          } catch (CompletionException e) {
            StackStartException error = asStartException(entry.getKey(), e.getCause());
            if (failure == null) {
              failure = error;
            } else {
              failure.addSuppressed(error);
            }
          }
        }
        if (failure != null) {
          stopAll(running.values());
          progress.accept(failure.getMessage().lines().findFirst().orElse("start failed"));
          throw failure;
        }
        StartupTimes startupTimes =
            new StartupTimes(times, Duration.ofNanos(System.nanoTime() - started));
        EmbeddedStack stack =
            new EmbeddedStack(endpoints(running, dir), startupTimes, running, children(running), progress);
        progress.accept("stack ready: " + startupTimes);
        return stack;
      } finally {
        executor.shutdown();
      }
    }

    private Path resolveDataDir() {
      if (dataDir != null) {
        return dataDir;
      }
      String env = System.getenv(DATA_DIR_ENV);
      return env == null || env.isBlank() ? DEFAULT_DATA_DIR : Path.of(env);
    }

    /**
     * Starts one component. Ports are picked free but taken only by the child, so another process may grab one in
     * between: a start that fails with "Address already in use" is retried with new ports.
     */
    private AutoCloseable startOne(StackComponent component, Path dir, Path kafkaLib, Path openSearchHome) {
      for (int attempt = 1; ; attempt++) {
        try {
          return startOnce(component, dir, kafkaLib, openSearchHome);
        } catch (IllegalStateException e) {
          if (attempt == MAX_ATTEMPTS || !String.valueOf(e.getMessage()).contains("Address already in use")) {
            throw e;
          }
          progress.accept(component.id() + ": a port was taken meanwhile; retrying with other ports");
        }
      }
    }

    private AutoCloseable startOnce(StackComponent component, Path dir, Path kafkaLib, Path openSearchHome) {
      Path componentDir = dir.resolve(component.id());
      return switch (component) {
        case KAFKA -> EmbeddedKafka.start(componentDir, kafkaLib, startTimeout);
        case OPENSEARCH -> EmbeddedOpenSearch.start(componentDir, openSearchHome, startTimeout);
        case S3 -> EmbeddedS3.start(componentDir, startTimeout, StackEndpoints.EVIDENCE_BUCKET);
      };
    }

    private static Path locate(StackComponent component, Supplier<Path> lookup) {
      try {
        return lookup.get();
      } catch (IllegalStateException e) {
        throw new StackStartException(component, e.getMessage(), e);
      }
    }

    private static StackStartException asStartException(StackComponent component, Throwable cause) {
      return cause instanceof StackStartException known
          ? known
          : new StackStartException(component, String.valueOf(cause.getMessage()), cause);
    }

    private static StackEndpoints endpoints(Map<StackComponent, AutoCloseable> running, Path dir) {
      Optional<EmbeddedS3> s3 = Optional.ofNullable((EmbeddedS3) running.get(StackComponent.S3));
      return new StackEndpoints(
          Optional.ofNullable((EmbeddedKafka) running.get(StackComponent.KAFKA))
              .map(EmbeddedKafka::bootstrapServers)
              .orElse(null),
          Optional.ofNullable((EmbeddedOpenSearch) running.get(StackComponent.OPENSEARCH))
              .map(EmbeddedOpenSearch::url)
              .orElse(null),
          s3.map(EmbeddedS3::endpoint).orElse(null),
          StackEndpoints.DEFAULT_S3_REGION,
          s3.map(x -> EmbeddedS3.ACCESS_KEY).orElse(null),
          s3.map(x -> EmbeddedS3.SECRET_KEY).orElse(null),
          StackEndpoints.EVIDENCE_BUCKET,
          dir);
    }

    private static List<ProcessHandle> children(Map<StackComponent, AutoCloseable> running) {
      List<ProcessHandle> children = new ArrayList<>();
      if (running.get(StackComponent.KAFKA) instanceof EmbeddedKafka kafka) {
        children.add(kafka.process());
      }
      if (running.get(StackComponent.OPENSEARCH) instanceof EmbeddedOpenSearch openSearch) {
        children.add(openSearch.process());
      }
      return children;
    }

    private static String names(Set<StackComponent> components) {
      return String.join(", ", components.stream().map(StackComponent::id).toList());
    }
  }
}
