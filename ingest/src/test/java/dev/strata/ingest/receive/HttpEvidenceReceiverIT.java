package dev.strata.ingest.receive;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.infra.StackEndpoints;
import dev.strata.infra.Topics;
import dev.strata.infra.testing.SharedStack;
import dev.strata.schema.AvroCodec;
import dev.strata.schema.raw.RawArtifactChunk;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Real Falco / Falcosidekick and Tetragon bodies from the shared corpus (read in place from {@code strata.shared.dir})
 * posted to the receiver, read back from the embedded Kafka byte for byte; a malformed body arrives unmodified too.
 */
@ExtendWith(SharedStack.class)
class HttpEvidenceReceiverIT {
  private static final AvroCodec<RawArtifactChunk> CHUNKS = AvroCodec.of(RawArtifactChunk.class);

  @Test
  void corpusBodiesArriveInKafkaUnmodified(StackEndpoints stack) throws Exception {
    Topics.ensure(stack.kafkaBootstrap(), 2);
    Path corpus = Path.of(System.getProperty("strata.shared.dir", "../../shared"), "corpus");
    Map<String, List<Path>> bodies = new HashMap<>();
    bodies.put("/v1/falco", list(corpus.resolve("falco"), ".json"));
    bodies.put("/v1/tetragon", list(corpus.resolve("tetragon"), ".json"));
    assertThat(bodies.get("/v1/falco")).isNotEmpty();
    assertThat(bodies.get("/v1/tetragon")).isNotEmpty();

    HttpClient http = HttpClient.newHttpClient();
    Map<String, byte[]> sent = new HashMap<>(); // artifact sha -> body
    Map<String, String> type = new HashMap<>();
    String marker = UUID.randomUUID().toString();
    ReceiverOptions options = ReceiverOptions.defaults().withBind("127.0.0.1").withPort(0).withToken("it-token");
    try (HttpEvidenceReceiver r = HttpEvidenceReceiver.start(options, stack.kafkaBootstrap(), Map.of())) {
      for (Map.Entry<String, List<Path>> e : bodies.entrySet()) {
        for (Path p : e.getValue()) {
          byte[] body = Files.readAllBytes(p);
          String sha = post(http, r, e.getKey(), body);
          sent.put(sha, body);
          type.put(sha, e.getKey().equals("/v1/falco") ? "falco_alert" : "tetragon_event");
        }
      }
      byte[] malformed = ("{\"rule\":\"cut off " + marker + "\",\"priority\":").getBytes(StandardCharsets.UTF_8);
      String sha = post(http, r, "/v1/falco", malformed);
      sent.put(sha, malformed);
      type.put(sha, "falco_alert");
      assertThat(r.answered(202)).isEqualTo(sent.size());
    }

    Map<String, RawArtifactChunk> got = new HashMap<>();
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "receiver-it-" + marker);
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      c.subscribe(List.of(Topics.RAW));
      long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (!got.keySet().containsAll(sent.keySet()) && System.nanoTime() < end) {
        for (ConsumerRecord<byte[], byte[]> rec : c.poll(Duration.ofMillis(300))) {
          RawArtifactChunk chunk = CHUNKS.decode(rec.value());
          if (chunk.getCollector().getId().equals(HttpEvidenceReceiver.COLLECTOR_TYPE)) {
            got.put(chunk.getArtifactSha256(), chunk);
          }
        }
      }
    }
    assertThat(got.keySet()).containsAll(sent.keySet());
    for (Map.Entry<String, byte[]> e : sent.entrySet()) {
      RawArtifactChunk chunk = got.get(e.getKey());
      assertThat(HttpEvidenceReceiverTest.bytes(chunk)).as(e.getKey()).isEqualTo(e.getValue());
      assertThat(chunk.getSourceType()).isEqualTo(type.get(e.getKey()));
      assertThat(chunk.getArtifactSize()).isEqualTo(e.getValue().length);
      assertThat(chunk.getOrigin()).startsWith("http-push://127.0.0.1:");
    }
  }

  private static String post(HttpClient http, HttpEvidenceReceiver r, String path, byte[] body) throws Exception {
    HttpResponse<String> res = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + r.port() + path))
        .header("Content-Type", "application/json").header("Authorization", "Bearer it-token")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(res.statusCode()).as(res.body()).isEqualTo(202);
    return res.body().replaceAll(".*\"artifact_sha256\":\"([0-9a-f]{64})\".*\\s*", "$1");
  }

  private static List<Path> list(Path dir, String suffix) throws Exception {
    try (Stream<Path> s = Files.walk(dir)) {
      return new ArrayList<>(s.filter(Files::isRegularFile).filter(f -> f.toString().endsWith(suffix)).sorted().toList());
    }
  }
}
