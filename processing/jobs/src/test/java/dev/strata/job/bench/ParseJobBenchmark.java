package dev.strata.job.bench;

import dev.strata.infra.EmbeddedStack;
import dev.strata.infra.StackComponent;
import dev.strata.infra.testing.ProcessCpu;
import dev.strata.job.ParseJob;
import dev.strata.job.ParseJobConfig;
import dev.strata.job.ParseJobResult;
import dev.strata.job.testing.KafkaTestSupport;
import dev.strata.job.testing.TestChunks;
import dev.strata.schema.AvroCodec;
import dev.strata.schema.raw.RawArtifactChunk;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/**
 * Parse job Kafka -> Kafka against the embedded broker, next to a plain-consumer baseline on the same broker and the
 * same bytes (PERFORMANCE.md: job >= 0.5x the raw consume rate).
 *
 * <pre>
 * ParseJobBenchmark [--docker-log FILE] [--lines N] [--artifacts K] [--partitions P] [--parallelism N]
 *                   [--chunk-bytes B] [--rounds R] [--checkpoint-ms MS] [--delivery exactly_once|at_least_once]
 *                   [--kafka KEY=VALUE,...]
 * </pre>
 *
 * Without {@code --docker-log}, docker json-file lines are generated (shapes like bench/gen_container_logs.py). The
 * lines are split into K artifacts (containers), cut into chunks at line boundaries, published to a raw topic with
 * P partitions (key = artifact, as the collector does). Then, per round: (1) a plain KafkaConsumer reads the whole
 * raw topic (baseline: lines/s equivalent and MB/s); (2) the bounded parse job runs exactly-once into fresh output
 * topics; (3) a plain KafkaConsumer reads the normalized topic (baseline for small records). Each figure is printed
 * with its baseline from the same round.
 */
public final class ParseJobBenchmark {

  public static void main(String[] args) throws Exception {
    Map<String, String> a = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    int lines = Integer.parseInt(a.getOrDefault("lines", "500000"));
    int artifacts = Integer.parseInt(a.getOrDefault("artifacts", "8"));
    int partitions = Integer.parseInt(a.getOrDefault("partitions", "2"));
    int parallelism = Integer.parseInt(a.getOrDefault("parallelism", "2"));
    int chunkBytes = Integer.parseInt(a.getOrDefault("chunk-bytes", Integer.toString(512 * 1024)));
    int rounds = Integer.parseInt(a.getOrDefault("rounds", "2"));
    String delivery = a.getOrDefault("delivery", "exactly_once");
    long checkpointMs = Long.parseLong(a.getOrDefault("checkpoint-ms", "1000"));
    Map<String, String> kafka = new HashMap<>(); // e.g. producer.compression.type=zstd
    for (String kv : a.getOrDefault("kafka", "").split(",")) {
      if (!kv.isBlank()) {
        kafka.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
      }
    }

    List<byte[]> contents = load(a.get("docker-log"), lines, artifacts);
    long contentBytes = contents.stream().mapToLong(c -> c.length).sum();
    System.out.printf(Locale.ROOT, "evidence: %,d docker json-file lines in %d artifacts, %.1f MB%n",
        lines, artifacts, contentBytes / 1e6);

    Path data = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "bench-stack-",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    try (EmbeddedStack stack = EmbeddedStack.builder().dataDir(data).components(StackComponent.KAFKA)
        .progress(m -> {}).start()) {
      String bs = stack.endpoints().kafkaBootstrap();
      String raw = "bench.raw";
      KafkaTestSupport.createTopics(bs, partitions, raw);
      long t0 = System.nanoTime();
      int chunks = publish(bs, raw, contents, chunkBytes);
      double publishS = seconds(t0);
      contents = null;
      System.out.printf(Locale.ROOT, "published %d chunks (%.0f KiB) in %.2f s%n", chunks, chunkBytes / 1024.0,
          publishS);

      for (int round = 1; round <= rounds; round++) {
        ProcessCpu.Snapshot c0 = ProcessCpu.now();
        Consumed base = consumeAll(bs, raw);
        ProcessCpu.Snapshot baseCpu = ProcessCpu.now().minus(c0);
        double baseLines = lines / base.seconds;
        String out = "bench.r" + round;
        KafkaTestSupport.createTopics(bs, partitions, out + ".normalized", out + ".deadletter");
        ParseJobConfig cfg = ParseJobConfig.builder(bs)
            .groupId("bench-" + round)
            .rawTopic(raw)
            .normalizedTopic(out + ".normalized")
            .deadLetterTopic(out + ".deadletter")
            .bounded(true)
            .parallelism(parallelism)
            .checkpointInterval(Duration.ofMillis(checkpointMs))
            .deliveryGuarantee(DeliveryGuarantee.valueOf(delivery.toUpperCase(Locale.ROOT)))
            .kafkaProperties(kafka)
            .build();
        ProcessCpu.Snapshot c1 = ProcessCpu.now();
        long j0 = System.nanoTime();
        long submitted = System.currentTimeMillis();
        ParseJobResult r = ParseJob.run(cfg);
        long ended = System.currentTimeMillis();
        double wall = seconds(j0);
        ProcessCpu.Snapshot jobCpu = ProcessCpu.now().minus(c1);
        double net = r.runtime().toMillis() / 1000.0;
        Consumed norm = consumeAll(bs, out + ".normalized");
        // the producer stamps each event when the job sends it: first to last send is the job's processing
        double startup = (norm.firstTimestamp - submitted) / 1000.0;
        double processing = Math.max(1, norm.lastTimestamp - norm.firstTimestamp) / 1000.0;
        double tail = (ended - norm.lastTimestamp) / 1000.0;

        System.out.printf(Locale.ROOT, "%n-- round %d --%n", round);
        System.out.printf(Locale.ROOT,
            "baseline  plain consumer, raw topic:   %d records (%.1f MB) in %.2f s = %,.0f lines/s, %.0f MB/s%n",
            base.records, base.bytes / 1e6, base.seconds, baseLines, base.bytes / 1e6 / base.seconds);
        System.out.printf(Locale.ROOT, "parse job %s, p=%d, checkpoints every %d ms, kafka %s: %s%n", delivery,
            parallelism, checkpointMs, kafka, r.summary());
        System.out.printf(Locale.ROOT,
            "parse job: %,.0f lines/s over its net runtime %.2f s (%,.0f lines/s over %.2f s wall incl. cluster start)%n",
            lines / net, net, lines / wall, wall);
        System.out.printf(Locale.ROOT,
            "parse job wall %.2f s = start %.2f s (cluster, deploy, transactions) + first to last event sent %.2f s"
                + " (%,.0f lines/s) + last commit %.2f s%n",
            wall, startup, processing, lines / processing, tail);
        System.out.printf(Locale.ROOT, "RATIO job/raw-consume (same bytes, lines/s): %.2f net, %.2f wall, %.2f first"
            + " to last event%n", (lines / net) / baseLines, (lines / wall) / baseLines,
            (lines / processing) / baseLines);
        System.out.printf(Locale.ROOT,
            "CPU  raw consume %s = %,.0f lines per CPU s; parse job %s = %,.0f lines per CPU s; RATIO %.2f%n",
            baseCpu, lines / baseCpu.totalSeconds(), jobCpu, lines / jobCpu.totalSeconds(),
            baseCpu.totalSeconds() / jobCpu.totalSeconds());
        System.out.printf(Locale.ROOT,
            "baseline  plain consumer, normalized topic: %,d small records (%.1f MB) in %.2f s = %,.0f records/s%n",
            norm.records, norm.bytes / 1e6, norm.seconds, norm.records / norm.seconds);
        System.out.printf(Locale.ROOT, "RATIO job events/s vs small-record consume/s: %.2f net%n",
            (r.eventsOut() / net) / (norm.records / norm.seconds));
        if (norm.records != r.eventsOut() || r.eventsOut() != lines) {
          System.out.printf("WARNING: lines %d, events out %d, normalized records %d%n", lines, r.eventsOut(),
              norm.records);
        }
      }
    } finally {
      deleteTree(data);
    }
  }

  /** What a plain consumer read: records, value bytes, its seconds, and the first / last record timestamp. */
  record Consumed(long records, long bytes, double seconds, long firstTimestamp, long lastTimestamp) {}

  /** Reads {@code topic} from the beginning to its end with one plain consumer (read_committed). */
  static Consumed consumeAll(String bs, String topic) {
    try (KafkaConsumer<byte[], byte[]> c = KafkaTestSupport.consumer(bs, true)) {
      List<TopicPartition> tps = new ArrayList<>();
      for (PartitionInfo pi : c.partitionsFor(topic)) {
        tps.add(new TopicPartition(topic, pi.partition()));
      }
      c.assign(tps);
      Map<TopicPartition, Long> end = c.endOffsets(tps); // includes transaction markers: compare positions
      c.seekToBeginning(tps);
      long n = 0;
      long bytes = 0;
      long first = Long.MAX_VALUE;
      long last = Long.MIN_VALUE;
      long t0 = System.nanoTime();
      while (!atEnd(c, end)) {
        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
          n++;
          bytes += r.serializedValueSize();
          first = Math.min(first, r.timestamp());
          last = Math.max(last, r.timestamp());
        }
        if (seconds(t0) > 300) {
          throw new IllegalStateException("consumed only " + n + " records of " + topic + " up to " + end);
        }
      }
      return new Consumed(n, bytes, seconds(t0), first, last);
    }
  }

  static boolean atEnd(KafkaConsumer<?, ?> c, Map<TopicPartition, Long> end) {
    for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
      if (c.position(e.getKey()) < e.getValue()) {
        return false;
      }
    }
    return true;
  }

  static int publish(String bs, String topic, List<byte[]> contents, int chunkBytes) throws Exception {
    AvroCodec<RawArtifactChunk> codec = AvroCodec.of(RawArtifactChunk.class);
    int n = 0;
    try (KafkaProducer<byte[], byte[]> p = KafkaTestSupport.producer(bs)) {
      for (int i = 0; i < contents.size(); i++) {
        String id = String.format(Locale.ROOT, "%064x", i + 1);
        for (RawArtifactChunk c : TestChunks.lines("docker_json_log",
            "var/lib/docker/containers/" + id + "/" + id + "-json.log", contents.get(i), chunkBytes)) {
          p.send(new ProducerRecord<>(topic, c.getArtifactSha256().getBytes(StandardCharsets.UTF_8),
              codec.encode(c)));
          n++;
        }
      }
      p.flush();
    }
    return n;
  }

  /** {@code lines} lines (from {@code file}, or generated) split into {@code artifacts} contents. */
  static List<byte[]> load(String file, int lines, int artifacts) throws IOException {
    List<String> all = new ArrayList<>(lines);
    if (file != null) {
      try (Stream<String> s = Files.lines(Path.of(file))) {
        s.limit(lines).forEach(all::add);
      }
      if (all.size() < lines) {
        throw new IllegalArgumentException(file + " has only " + all.size() + " lines");
      }
    } else {
      java.util.Random r = new java.util.Random(42);
      String[] paths = {"/api/v1/users/", "/api/v1/orders/", "/healthz", "/metrics", "/login", "/cart/"};
      long t = java.time.Instant.parse("2024-05-01T12:00:00Z").toEpochMilli() * 1_000_000L;
      for (int i = 0; i < lines; i++) {
        t += 1_234_567;
        String ts = java.time.Instant.ofEpochSecond(t / 1_000_000_000L, t % 1_000_000_000L).toString();
        String msg = r.nextInt(256) + "." + r.nextInt(256) + ".0." + r.nextInt(255)
            + " - - \\\"GET " + paths[r.nextInt(paths.length)] + r.nextInt(1_000_000) + " HTTP/1.1\\\" 200 "
            + r.nextInt(200_000) + " \\\"-\\\" \\\"curl/8.5.0\\\" rt=0." + r.nextInt(1000) + " uid="
            + Long.toHexString(r.nextLong());
        all.add("{\"log\":\"" + msg + "\\n\",\"stream\":\"stdout\",\"time\":\"" + ts + "\"}");
      }
    }
    List<byte[]> out = new ArrayList<>();
    int per = (lines + artifacts - 1) / artifacts;
    for (int i = 0; i < lines; i += per) {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      for (String l : all.subList(i, Math.min(lines, i + per))) {
        b.writeBytes(l.getBytes(StandardCharsets.UTF_8));
        b.write('\n');
      }
      out.add(b.toByteArray());
    }
    return out;
  }

  static double seconds(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }

  static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  private ParseJobBenchmark() {}

}
