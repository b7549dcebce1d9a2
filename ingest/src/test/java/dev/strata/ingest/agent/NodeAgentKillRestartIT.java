package dev.strata.ingest.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.infra.StackEndpoints;
import dev.strata.infra.Topics;
import dev.strata.infra.testing.SharedStack;
import dev.strata.ingest.checkpoint.CheckpointFile;
import dev.strata.ingest.checkpoint.CheckpointedPublisher;
import dev.strata.schema.AvroCodec;
import dev.strata.schema.raw.RawArtifactChunk;
import java.io.File;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The acceptance test of the live agent: it runs in a child JVM that is killed with SIGKILL twice mid-stream while
 * lines keep being written into three files; one file is rotated twice (once while the agent is down), another is
 * copytruncated; at the end every written line must be in Kafka (read_committed) exactly once.
 */
@ExtendWith(SharedStack.class)
class NodeAgentKillRestartIT {
  private static final AvroCodec<RawArtifactChunk> CHUNKS = AvroCodec.of(RawArtifactChunk.class);
  static final String POD = "var/log/pods/default_web-1_0b5c6d7e-1111-2222-3333-444455556666/nginx/0.log";
  static final String DOCKER = "var/lib/docker/containers/" + "cd".repeat(32) + "/" + "cd".repeat(32) + "-json.log";
  static final String FALCO = "var/log/falco/events.json";

  @TempDir Path tmp;
  private final List<Process> children = new ArrayList<>();
  private final Map<String, List<String>> written = new HashMap<>();
  private Path root;
  private int seq;

  @AfterEach
  void killChildren() throws Exception {
    children.forEach(Process::destroyForcibly);
    for (String n : List.of("1", "2", "3")) {
      Path log = tmp.resolve("agent-" + n + ".log");
      if (Files.exists(log)) {
        System.out.println("---- agent " + n + " ----");
        Files.readAllLines(log).stream().filter(l -> !l.contains("progress") && !l.contains(" files (0 not tailed)"))
            .limit(80).forEach(System.out::println);
      }
    }
  }

  @Test
  void everyLineExactlyOnceAcrossKillsRotationAndTruncation(StackEndpoints stack) throws Exception {
    Topics.ensure(stack.kafkaBootstrap(), 2);
    root = Files.createDirectories(tmp.resolve("node"));
    String id = "kill-it-" + UUID.randomUUID().toString().substring(0, 8);
    Path cache = tmp.resolve("checkpoints/" + id + ".json");
    long t0 = System.nanoTime();

    try (Collected kafka = new Collected(stack.kafkaBootstrap(), id)) {
      Process a1 = start(stack, id, cache, "1");
      write(1500);
      rotate(POD, POD + ".1"); // rotation while the agent runs
      write(1000);
      a1.destroyForcibly().waitFor(10, TimeUnit.SECONDS); // kill -9 mid-stream
      write(500);
      rotate(POD, POD + ".2"); // rotation while the agent is down
      write(300);
      Process a2 = start(stack, id, cache, "2");
      write(1500);
      a2.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      Process a3 = start(stack, id, cache, "3"); // fences the killed one's open transaction
      write(1000);
      // copytruncate, once the agent has published everything of the file (the copy is not watched)
      assertThat(kafka.waitFor(written.get(DOCKER), Duration.ofSeconds(20))).as("docker lines caught up").isTrue();
      Files.copy(root.resolve(DOCKER), root.resolve(DOCKER + ".1"), StandardCopyOption.REPLACE_EXISTING);
      try (var ch = java.nio.channels.FileChannel.open(root.resolve(DOCKER), StandardOpenOption.WRITE)) {
        ch.truncate(0);
      }
      write(1500);

      List<String> all = new ArrayList<>();
      written.values().forEach(all::addAll);
      boolean complete = kafka.waitFor(all, Duration.ofSeconds(30));
      a3.destroy(); // SIGTERM: commits the in-flight batch and exits 0
      assertThat(a3.waitFor(30, TimeUnit.SECONDS)).isTrue();
      // the JVM reports a signal-initiated exit as 128 + 15 once the shutdown hook (stop + commit + close) is done
      assertThat(a3.exitValue()).as("exit code after SIGTERM").isIn(0, 143);
      assertThat(Files.readString(tmp.resolve("agent-3.log"))).contains("stop signal", "stopped;");
      assertThat(complete).as("all lines visible in time").isTrue();
      kafka.poll(Duration.ofSeconds(1));

      // reassemble per file (inode), in read order: contiguous, restarting at 0 only after the truncation
      Map<String, List<RawArtifactChunk>> bySource = kafka.bySource();
      List<String> published = new ArrayList<>();
      int restarts = 0;
      for (Map.Entry<String, List<RawArtifactChunk>> e : bySource.entrySet()) {
        List<RawArtifactChunk> segs = e.getValue();
        segs.sort(Comparator.comparing(RawArtifactChunk::getCollectedAt).thenComparingLong(c -> c.getChunk().getOffset()));
        long expected = 0;
        long line = 1;
        for (RawArtifactChunk c : segs) {
          if (c.getChunk().getOffset() == 0 && expected > 0) {
            restarts++;
            expected = 0;
            line = 1;
          }
          assertThat(c.getChunk().getOffset()).as(e.getKey() + " " + c.getOrigin()).isEqualTo(expected);
          assertThat(c.getChunk().getFirstLine()).isEqualTo(line);
          String text = text(c);
          expected += c.getChunk().getLength();
          line += text.chars().filter(ch -> ch == '\n').count();
          text.lines().forEach(l -> published.add(l + "\n"));
        }
      }
      assertThat(restarts).as("restarts at 0 (the copytruncate)").isEqualTo(1);
      assertThat(bySource).as("files: 3 generations of the pod log, docker, falco").hasSize(5);
      assertThat(published).hasSameSizeAs(all);
      assertThat(new HashSet<>(published)).hasSize(published.size()).containsExactlyInAnyOrderElementsOf(all);
      assertThat(CheckpointFile.read(cache)).isNotEmpty();
      System.out.printf("kill/restart IT: %d lines, %d segments, %.1f s%n", all.size(), kafka.count(),
          (System.nanoTime() - t0) / 1e9);
    }
  }

  private Process start(StackEndpoints stack, String id, Path cache, String n) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(java, "-Xmx160m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-cp", System.getProperty("java.class.path"), AgentChild.class.getName(),
        stack.kafkaBootstrap(), id, root.toString(), cache.toString());
    pb.redirectErrorStream(true);
    pb.redirectOutput(tmp.resolve("agent-" + n + ".log").toFile());
    Process p = pb.start();
    children.add(p);
    // wait until it has restored its positions (JVM start + initTransactions + restore), so kills hit a running agent
    Path log = tmp.resolve("agent-" + n + ".log");
    long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < end && p.isAlive()
        && !(Files.exists(log) && Files.readString(log).contains("checkpointed files"))) {
      write(100);
    }
    assertThat(p.isAlive()).as("agent " + n + " running").isTrue();
    return p;
  }

  /** Writes a line to each of the three files every 5 ms for {@code millis}. */
  private void write(long millis) throws Exception {
    long end = System.nanoTime() + millis * 1_000_000;
    while (System.nanoTime() < end) {
      int n = seq++;
      append(POD, String.format("2024-05-01T12:00:00.%09dZ stdout F seq %d%n", n, n));
      append(DOCKER, "{\"log\":\"seq " + n + "\\n\",\"stream\":\"stdout\",\"time\":\"2024-05-01T12:00:00.000000000Z\"}\n");
      append(FALCO, "{\"output\":\"seq " + n + "\",\"priority\":\"Warning\",\"rule\":\"r\","
          + "\"time\":\"2024-05-01T12:00:00.000000000Z\",\"output_fields\":{}}\n");
      Thread.sleep(5);
    }
  }

  private void append(String rel, String line) throws Exception {
    Path f = root.resolve(rel);
    Files.createDirectories(f.getParent());
    Files.writeString(f, line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    written.computeIfAbsent(rel.startsWith("var/log/pods") ? POD : rel, k -> new ArrayList<>()).add(line);
  }

  /** Rename + a few late lines into the renamed file + a new file. */
  private void rotate(String from, String to) throws Exception {
    Files.move(root.resolve(from), root.resolve(to));
    for (int i = 0; i < 5; i++) {
      int n = seq++;
      append(to, String.format("2024-05-01T12:00:01.%09dZ stdout F late seq %d%n", n, n));
    }
  }

  private static String text(RawArtifactChunk c) {
    ByteBuffer b = c.getPayload().duplicate();
    byte[] a = new byte[b.remaining()];
    b.get(a);
    return new String(a, StandardCharsets.UTF_8);
  }

  /** A read_committed consumer over the raw topic, keeping this collector's segments. */
  static final class Collected implements AutoCloseable {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String collectorId;
    private final Map<String, List<RawArtifactChunk>> bySource = new HashMap<>();
    private final Set<String> lines = new HashSet<>();
    private int count;

    Collected(String bootstrap, String collectorId) {
      this.collectorId = collectorId;
      Properties p = new Properties();
      p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
      p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 * 1024 * 1024);
      consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
      List<TopicPartition> parts = consumer.partitionsFor(Topics.RAW).stream()
          .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
    }

    void poll(Duration d) {
      for (ConsumerRecord<byte[], byte[]> r : consumer.poll(d)) {
        Header h = r.headers().lastHeader(CheckpointedPublisher.COLLECTOR_HEADER);
        if (h == null || !new String(h.value(), StandardCharsets.UTF_8).equals(collectorId)) {
          continue;
        }
        String source = new String(r.headers().lastHeader(CheckpointedPublisher.SOURCE_KEY_HEADER).value(),
            StandardCharsets.UTF_8);
        RawArtifactChunk c = CHUNKS.decode(r.value());
        bySource.computeIfAbsent(source, k -> new ArrayList<>()).add(c);
        text(c).lines().forEach(l -> lines.add(l + "\n"));
        count++;
      }
    }

    boolean waitFor(List<String> expected, Duration timeout) {
      long end = System.nanoTime() + timeout.toNanos();
      while (System.nanoTime() < end) {
        poll(Duration.ofMillis(200));
        if (lines.containsAll(expected)) {
          return true;
        }
      }
      return false;
    }

    Map<String, List<RawArtifactChunk>> bySource() {
      return bySource;
    }

    int count() {
      return count;
    }

    @Override
    public void close() {
      consumer.close();
    }
  }
}
