package dev.strata.ingest.receive;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.schema.AvroCodec;
import dev.strata.schema.common.Framing;
import dev.strata.schema.raw.RawArtifactChunk;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/** The receiver's HTTP contract against a mock producer (and a real producer with no broker for 503). */
class HttpEvidenceReceiverTest {
  static final String ALERT = "{\"output\":\"12:00:00.000000000: Warning shell in container\",\"priority\":\"Warning\","
      + "\"rule\":\"Terminal shell in container\",\"time\":\"2024-05-01T12:00:00.000000000Z\",\"output_fields\":{\"proc.name\":\"bash\"}}";
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private static ReceiverOptions options() {
    return ReceiverOptions.defaults().withBind("127.0.0.1").withPort(0).withMaxBodyBytes(4096)
        .withAckTimeout(Duration.ofSeconds(2));
  }

  private HttpResponse<String> post(HttpEvidenceReceiver r, String path, String type, String body, String token)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + r.port() + path))
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (type != null) b.header("Content-Type", type);
    if (token != null) b.header("Authorization", "Bearer " + token);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void acceptsFalcoAndTetragonBodiesUnmodified() throws Exception {
    MockProducer<byte[], byte[]> mock = new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
    try (HttpEvidenceReceiver r = new HttpEvidenceReceiver(options(), mock, "evidence.raw.v1")) {
      HttpResponse<String> res = post(r, "/v1/falco", "application/json", ALERT, null);
      assertThat(res.statusCode()).isEqualTo(202);
      String tetra = "{\"process_exec\":{\"process\":{\"pid\":1}},\"node_name\":\"n1\",\"time\":\"2024-05-01T12:00:00Z\"}\n"
          + "{\"process_exit\":{\"process\":{\"pid\":1}},\"node_name\":\"n1\",\"time\":\"2024-05-01T12:00:01Z\"}\n";
      assertThat(post(r, "/v1/tetragon", "application/x-ndjson", tetra, null).statusCode()).isEqualTo(202);
      assertThat(post(r, "/v1/falco/", "application/json; charset=utf-8", "{not json", null).statusCode())
          .as("malformed still goes through: the parse job dead-letters it").isEqualTo(202);

      assertThat(mock.history()).hasSize(3);
      AvroCodec<RawArtifactChunk> codec = AvroCodec.of(RawArtifactChunk.class);
      RawArtifactChunk falco = codec.decode(mock.history().get(0).value());
      assertThat(bytes(falco)).isEqualTo(ALERT.getBytes(StandardCharsets.UTF_8));
      assertThat(falco.getSourceType()).isEqualTo("falco_alert");
      assertThat(falco.getOrigin()).startsWith("http-push://127.0.0.1:").endsWith("/v1/falco");
      assertThat(falco.getCollector().getId()).isEqualTo("http_receiver");
      assertThat(res.body()).contains(falco.getArtifactSha256());
      assertThat(new String(mock.history().get(0).key(), StandardCharsets.UTF_8)).isEqualTo(falco.getArtifactSha256());
      RawArtifactChunk t = codec.decode(mock.history().get(1).value());
      assertThat(t.getSourceType()).isEqualTo("tetragon_event");
      assertThat(t.getFraming()).isEqualTo(Framing.LINES);
      assertThat(new String(bytes(t), StandardCharsets.UTF_8)).isEqualTo(tetra);
      assertThat(bytes(codec.decode(mock.history().get(2).value()))).isEqualTo("{not json".getBytes(StandardCharsets.UTF_8));
      assertThat(r.answered(202)).isEqualTo(3);
    }
  }

  @Test
  void refusesWhatItMustNotTake() throws Exception {
    MockProducer<byte[], byte[]> mock = new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
    try (HttpEvidenceReceiver r = new HttpEvidenceReceiver(options().withToken("s3cret"), mock, "raw")) {
      assertThat(post(r, "/v1/falco", "application/json", ALERT, null).statusCode()).isEqualTo(401);
      assertThat(post(r, "/v1/falco", "application/json", ALERT, "wrong").statusCode()).isEqualTo(401);
      assertThat(post(r, "/v1/falco", "text/plain", ALERT, "s3cret").statusCode()).isEqualTo(415);
      assertThat(post(r, "/v1/falco", null, ALERT, "s3cret").statusCode()).isEqualTo(415);
      assertThat(post(r, "/v1/falco", "application/json", "x".repeat(5000), "s3cret").statusCode()).isEqualTo(413);
      assertThat(post(r, "/v1/falco", "application/json", "", "s3cret").statusCode()).isEqualTo(400);
      assertThat(post(r, "/v1/other", "application/json", ALERT, "s3cret").statusCode()).isEqualTo(404);
      HttpResponse<String> get = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + r.port() + "/v1/falco"))
          .GET().build(), HttpResponse.BodyHandlers.ofString());
      assertThat(get.statusCode()).isEqualTo(405);
      HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + r.port() + "/healthz"))
          .GET().build(), HttpResponse.BodyHandlers.ofString());
      assertThat(health.statusCode()).isEqualTo(200);
      assertThat(mock.history()).isEmpty();
      assertThat(post(r, "/v1/falco", "application/json", ALERT, "s3cret").statusCode()).isEqualTo(202);
      assertThat(r.options().toString()).doesNotContain("s3cret");
    }
  }

  @Test
  void answers503WhenKafkaDoesNotTakeTheBody() throws Exception {
    MockProducer<byte[], byte[]> mock = new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
    mock.sendException = new KafkaException("broker down");
    try (HttpEvidenceReceiver r = new HttpEvidenceReceiver(options(), mock, "raw")) {
      HttpResponse<String> res = post(r, "/v1/falco", "application/json", ALERT, null);
      assertThat(res.statusCode()).isEqualTo(503);
      assertThat(res.headers().firstValue("Retry-After")).contains("5");
    }
    // a real producer with no broker behind it: the request fails within the ack timeout
    try (HttpEvidenceReceiver r = HttpEvidenceReceiver.start(options(), "127.0.0.1:" + freePort(), Map.of())) {
      long t0 = System.nanoTime();
      assertThat(post(r, "/v1/tetragon", "application/json", "{\"process_exec\":{}}", null).statusCode()).isEqualTo(503);
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
    }
  }

  @Test
  void jsonContentTypes() {
    assertThat(HttpEvidenceReceiver.isJson("application/json")).isTrue();
    assertThat(HttpEvidenceReceiver.isJson("Application/JSON; charset=UTF-8")).isTrue();
    assertThat(HttpEvidenceReceiver.isJson("application/x-ndjson")).isTrue();
    assertThat(HttpEvidenceReceiver.isJson("application/cloudevents+json")).isTrue();
    assertThat(HttpEvidenceReceiver.isJson("application/x-www-form-urlencoded")).isFalse();
    assertThat(HttpEvidenceReceiver.isJson(null)).isFalse();
  }

  static byte[] bytes(RawArtifactChunk c) {
    ByteBuffer b = c.getPayload().duplicate();
    byte[] a = new byte[b.remaining()];
    b.get(a);
    return a;
  }

  static int freePort() throws Exception {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
