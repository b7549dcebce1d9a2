package dev.strata.infra.kafka;

import dev.strata.infra.ChildProcess;
import dev.strata.infra.FreePorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Kafka 4.4 broker (KRaft, combined broker + controller, one node) running in a child JVM whose classpath is
 * the broker runtime ({@code runtime/kafka/*.jar}), so its jars never meet this JVM's kafka-clients.
 *
 * <p>Layout of its data dir: {@code data/} (log dirs), {@code server.properties}, {@code log4j2.xml},
 * {@code broker.log} (WARN and above, plus the child's stdout/stderr), {@code cluster.id}, {@code kafka.pid}. The
 * storage is formatted once; a later start on the same data dir keeps its topics and cluster id. The broker JVM
 * starts from a class-data archive shared by all data dirs ({@link BrokerClassData}).
 */
public final class EmbeddedKafka implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);
  private static final Duration STOP_GRACE = Duration.ofSeconds(20);
  /** The first broker of a machine writes the class-data archive when it exits: that can take a while. */
  private static final Duration DUMP_GRACE = Duration.ofSeconds(90);
  private static final int EXIT_ON_SIGTERM = 143;

  private final KafkaBrokerConfig config;
  private final ChildProcess process;
  private final BrokerClassData classData;

  private EmbeddedKafka(KafkaBrokerConfig config, ChildProcess process, BrokerClassData classData) {
    this.config = config;
    this.process = process;
    this.classData = classData;
  }

  /**
   * Starts the broker and waits until it answers {@code describeCluster}.
   *
   * @param dataDir the broker's own directory (created if missing, reused if formatted already)
   * @param kafkaLibDir the directory with the broker jars ({@code RuntimeLocator.kafkaLibDir()})
   * @param timeout how long to wait for the broker to become ready
   * @throws IllegalStateException when the broker exits or is not ready in time; the message holds its last log
   *     lines
   */
  public static EmbeddedKafka start(Path dataDir, Path kafkaLibDir, Duration timeout) {
    try {
      Path dir = Files.createDirectories(dataDir).toAbsolutePath();
      KafkaBrokerConfig config = new KafkaBrokerConfig(FreePorts.pick(), FreePorts.pick(), dir.resolve("data"));
      Path properties = dir.resolve("server.properties");
      Path log4j = dir.resolve("log4j2.xml");
      Path logFile = dir.resolve("broker.log");
      Files.writeString(properties, config.toPropertiesFile());
      Files.writeString(log4j, KafkaBrokerConfig.log4j2Config(logFile));
      String clusterIdArg = isFormatted(config.logDir()) ? "-" : clusterId(dir.resolve("cluster.id"));
      BrokerClassData classData = BrokerClassData.prepare(kafkaLibDir, dir);

      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.addAll(List.of("-Xms256m", "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
      command.addAll(classData.jvmOptions());
      command.addAll(
          List.of(
              "-Djava.awt.headless=true",
              "-Dlog4j2.configurationFile=" + log4j,
              "-cp",
              BrokerClasspath.of(kafkaLibDir, classData.launcherJar()),
              BrokerLauncher.class.getName(),
              properties.toString(),
              clusterIdArg));
      ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
      builder.environment().keySet().removeAll(List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "KAFKA_OPTS"));
      ChildProcess process = ChildProcess.start("kafka", builder, logFile, dir.resolve("kafka.pid"));
      EmbeddedKafka kafka = new EmbeddedKafka(config, process, classData);
      try {
        kafka.awaitReady(timeout);
      } catch (RuntimeException e) {
        kafka.close();
        throw e;
      }
      LOG.debug("Kafka ready at {} (pid {})", config.bootstrapServers(), process.handle().pid());
      return kafka;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot prepare the Kafka data dir " + dataDir + ": " + e.getMessage(), e);
    }
  }

  /** The {@code bootstrap.servers} value for clients. */
  public String bootstrapServers() {
    return config.bootstrapServers();
  }

  /** The broker's child JVM. */
  public ProcessHandle process() {
    return process.handle();
  }

  /**
   * Stops the broker (SIGTERM, then SIGKILL after 20 s, or 90 s while it writes the class-data archive) and waits
   * for the child JVM to end. Idempotent.
   */
  @Override
  public void close() {
    process.stop(classData.writesArchive() ? DUMP_GRACE : STOP_GRACE);
    if (process.exitCode().filter(code -> code == 0 || code == EXIT_ON_SIGTERM).isPresent()) {
      classData.publishDump();
    } else {
      classData.discardDump();
    }
  }

  private void awaitReady(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!FreePorts.isOpen(config.brokerPort())) {
      failIfExited();
      failIfLate(deadline, timeout, "its port " + config.brokerPort() + " did not open");
      sleep(100);
    }
    try (Admin admin =
        Admin.create(
            Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers(),
                AdminClientConfig.CLIENT_ID_CONFIG, "strata-embedded-kafka-ready"))) {
      while (true) {
        failIfExited();
        try {
          int nodes =
              admin
                  .describeCluster(new DescribeClusterOptions().timeoutMs(2000))
                  .nodes()
                  .get(3, TimeUnit.SECONDS)
                  .size();
          if (nodes > 0) {
            return;
          }
        } catch (ExecutionException | TimeoutException e) {
          LOG.debug("Kafka not ready yet: {}", e.toString());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("Interrupted while waiting for Kafka", e);
        }
        failIfLate(deadline, timeout, "describeCluster did not answer");
        sleep(100);
      }
    }
  }

  private void failIfExited() {
    process
        .exitCode()
        .ifPresent(
            code -> {
              throw new IllegalStateException(
                  "the Kafka broker exited with code "
                      + code
                      + (code == BrokerLauncher.FORMAT_FAILED ? " (formatting the storage failed)" : "")
                      + ". Last lines of "
                      + process.logFile()
                      + ":\n"
                      + process.logTail(30));
            });
  }

  private void failIfLate(long deadline, Duration timeout, String what) {
    if (System.nanoTime() > deadline) {
      throw new IllegalStateException(
          "the Kafka broker was not ready within "
              + timeout.toSeconds()
              + " s: "
              + what
              + ". Last lines of "
              + process.logFile()
              + ":\n"
              + process.logTail(30));
    }
  }

  private static boolean isFormatted(Path logDir) {
    return Files.exists(logDir.resolve("meta.properties"));
  }

  /** The cluster id kept in {@code file}; a new one is created and kept on first use. */
  static String clusterId(Path file) throws IOException {
    if (Files.exists(file)) {
      String id = Files.readString(file).trim();
      if (!id.isEmpty()) {
        return id;
      }
    }
    String id = Uuid.randomUuid().toString();
    Files.writeString(file, id + "\n");
    return id;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting for Kafka", e);
    }
  }
}
