package dev.strata.ingest.publish;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.infra.StackEndpoints;
import dev.strata.infra.Topics;
import dev.strata.infra.testing.SharedStack;
import dev.strata.ingest.CollectionReport;
import dev.strata.ingest.CollectorOptions;
import dev.strata.ingest.EvidencePreserver;
import dev.strata.ingest.FileCollector;
import dev.strata.ingest.ProgressListener;
import dev.strata.ingest.TestFiles;
import dev.strata.schema.AvroCodec;
import dev.strata.schema.raw.ArtifactManifest;
import dev.strata.schema.raw.RawArtifactChunk;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Collects a small evidence dir into the shared stack's Kafka and reads everything back. */
@ExtendWith(SharedStack.class)
class KafkaChunkPublisherIT {
  private static final AvroCodec<RawArtifactChunk> CHUNKS = AvroCodec.of(RawArtifactChunk.class);
  private static final AvroCodec<ArtifactManifest> MANIFESTS = AvroCodec.of(ArtifactManifest.class);

  @TempDir Path tmp;

  @Test
  void publishesAndEverythingReassembles(StackEndpoints stack) throws Exception {
    Topics.ensure(stack.kafkaBootstrap(), 2);
    Path root = tmp.resolve("evidence");
    byte[] bigCt = TestFiles.cloudTrailFile(4000, 400).getBytes(StandardCharsets.UTF_8); // ~2.7 MB
    TestFiles.write(root, "AWSLogs/123456789012/CloudTrail/eu-west-1/2024/05/01/big.json", bigCt);
    TestFiles.write(root, "AWSLogs/123456789012/CloudTrail/eu-west-1/2024/05/01/small.json.gz",
        TestFiles.gzip(TestFiles.cloudTrailFile(5, 10).getBytes(StandardCharsets.UTF_8)));
    StringBuilder docker = new StringBuilder();
    for (int i = 0; i < 20_000; i++) {
      docker.append(TestFiles.dockerLine(i));
    }
    TestFiles.write(root, "containers/" + TestFiles.ID_A + "/" + TestFiles.ID_A + "-json.log", docker.toString());
    TestFiles.write(root, "kube-apiserver-audit.log", TestFiles.auditLine(1) + TestFiles.auditLine(2));
    String runId = "it-" + UUID.randomUUID();

    CollectionReport report;
    try (KafkaChunkPublisher publisher = KafkaChunkPublisher.create(stack.kafkaBootstrap(), Map.of())) {
      report = FileCollector.collect(root, CollectorOptions.builder().runId(runId).build(), publisher,
          EvidencePreserver.NONE, ProgressListener.NONE);
      assertThat(publisher.sent()).isEqualTo(report.chunkCount() + report.artifactCount());
    }
    assertThat(report.artifactCount()).isEqualTo(4);
    assertThat(report.recordsAcknowledged()).isEqualTo(report.chunkCount() + 4);
    assertThat(report.sourceTypes().get("aws_cloudtrail").chunks()).isGreaterThan(4);

    Map<String, List<RawArtifactChunk>> chunks = new HashMap<>();
    Map<String, ArtifactManifest> manifests = new HashMap<>();
    try (KafkaConsumer<byte[], byte[]> consumer = consumer(stack.kafkaBootstrap())) {
      consumer.subscribe(List.of(Topics.RAW, Topics.ARTIFACTS));
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      int chunkCount = 0;
      while ((chunkCount < report.chunkCount() || manifests.size() < 4) && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          String schema = new String(r.headers().lastHeader("strata.schema").value(), StandardCharsets.UTF_8);
          if (r.topic().equals(Topics.RAW)) {
            assertThat(schema).isEqualTo(RawArtifactChunk.class.getName());
            RawArtifactChunk c = CHUNKS.decode(r.value());
            if (c.getCollector().getRunId().equals(runId)) {
              assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(c.getArtifactSha256());
              chunks.computeIfAbsent(c.getArtifactSha256(), k -> new ArrayList<>()).add(c);
              chunkCount++;
            }
          } else {
            assertThat(schema).isEqualTo(ArtifactManifest.class.getName());
            ArtifactManifest m = MANIFESTS.decode(r.value());
            if (m.getCollector().getRunId().equals(runId)) {
              manifests.put(m.getArtifactSha256(), m);
            }
          }
        }
      }
      assertThat(chunkCount).isEqualTo(report.chunkCount());
    }

    assertThat(manifests.keySet()).isEqualTo(chunks.keySet());
    for (ArtifactManifest m : manifests.values()) {
      List<RawArtifactChunk> list = chunks.get(m.getArtifactSha256());
      list.sort(Comparator.comparingInt(c -> c.getChunk().getIndex()));
      assertThat(list).hasSize(m.getChunkCount());
      byte[] content = dev.strata.ingest.publish.InMemoryChunkPublisher.concat(list);
      assertThat(TestFiles.sha256(content)).isEqualTo(m.getContentSha256());
      byte[] original = Files.readAllBytes(root.resolve(m.getOrigin()));
      assertThat(TestFiles.sha256(original)).isEqualTo(m.getArtifactSha256());
    }
  }

  private static KafkaConsumer<byte[], byte[]> consumer(String bootstrap) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "ingest-it-" + UUID.randomUUID());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 * 1024 * 1024);
    return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }
}
