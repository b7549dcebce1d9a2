package dev.strata.sink.opensearch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.strata.sink.Backoff;
import dev.strata.sink.FailureClass;
import dev.strata.sink.SinkException;
import dev.strata.sink.testing.SampleEvents;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The retry / dead-letter policy against a fake {@code _bulk} endpoint (no services). */
class BulkLoaderTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private HttpServer server;
  /** Bulk bodies received, as lists of (index, id). */
  private final List<List<String[]>> received = new CopyOnWriteArrayList<>();

  private OpenSearchSinkConfig start(Function<List<String[]>, String> respond, int status) throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", ex -> handle(ex, respond, status));
    server.start();
    return OpenSearchSinkConfig.builder()
        .urls("http://127.0.0.1:" + server.getAddress().getPort())
        .maxBatchSize(10)
        .maxInFlightRequests(1)
        .retry(new Backoff(3, Duration.ofMillis(1), Duration.ofMillis(5)))
        .build();
  }

  private void handle(HttpExchange ex, Function<List<String[]>, String> respond, int status) throws IOException {
    List<String[]> ops = new ArrayList<>();
    try (InputStream in = ex.getRequestBody()) {
      String[] lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n");
      for (int i = 0; i + 1 < lines.length; i += 2) {
        JsonNode action = JSON.readTree(lines[i]).get("index");
        ops.add(new String[] {action.get("_index").asText(), action.get("_id").asText(), lines[i + 1]});
      }
    }
    received.add(ops);
    byte[] out = respond.apply(ops).getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().add("Content-Type", "application/json");
    ex.sendResponseHeaders(status, out.length);
    ex.getResponseBody().write(out);
    ex.close();
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop(0);
    }
  }

  private static String items(List<String[]> ops, Function<String[], String> item) {
    StringBuilder b = new StringBuilder("{\"errors\":true,\"items\":[");
    for (int i = 0; i < ops.size(); i++) {
      b.append(i == 0 ? "" : ",").append("{\"index\":").append(item.apply(ops.get(i))).append("}");
    }
    return b.append("]}").toString();
  }

  @Test
  void transientItemsAreRetriedPermanentOnesBecomeDeadLetters() throws Exception {
    // event 3 is rejected with 429 once; event 5 is rejected with 400 (mapper_parsing_exception) every time
    String retryId = SampleEvents.event(3).getEventId();
    String badId = SampleEvents.event(5).getEventId();
    OpenSearchSinkConfig config = start(ops -> items(ops, op -> {
      if (op[1].equals(retryId) && received.size() == 1) {
        return "{\"status\":429,\"error\":{\"type\":\"es_rejected_execution_exception\",\"reason\":\"full\"}}";
      }
      if (op[1].equals(badId)) {
        return "{\"status\":400,\"error\":{\"type\":\"mapper_parsing_exception\",\"reason\":\"bad\"}}";
      }
      return "{\"status\":201}";
    }), 200);
    try (BulkLoader loader = new BulkLoader(config)) {
      var events = IntStream.range(0, 10).mapToObj(SampleEvents::event).toList();
      BulkLoader.Result r = loader.load(events, EventDocuments.DEFAULT);
      assertThat(r.indexed()).isEqualTo(10); // 9 events + 1 dead letter
      assertThat(r.retried()).isEqualTo(1);
      assertThat(r.permanentFailures()).isEqualTo(1);
      assertThat(received).hasSize(2);
      List<String[]> second = received.get(1);
      assertThat(second).hasSize(2);
      assertThat(second.stream().map(o -> o[0])).containsExactlyInAnyOrder("strata-events-v1",
          "strata-deadletters-v1");
      String dl = second.stream().filter(o -> o[0].equals("strata-deadletters-v1")).findFirst().orElseThrow()[2];
      JsonNode dead = JSON.readTree(dl);
      assertThat(dead.get("stage").asText()).isEqualTo("SINK");
      assertThat(dead.get("exception_class").asText()).isEqualTo("mapper_parsing_exception");
      assertThat(dead.get("original_text").asText()).contains(badId);
    }
  }

  @Test
  void transientFailuresAreBoundedThenFail() throws Exception {
    OpenSearchSinkConfig config = start(ops -> "{\"error\":\"busy\"}", 503);
    try (BulkLoader loader = new BulkLoader(config)) {
      assertThatThrownBy(() -> loader.load(List.of(SampleEvents.event(1)), EventDocuments.DEFAULT))
          .isInstanceOfSatisfying(SinkException.class,
              e -> assertThat(e.failureClass()).isEqualTo(FailureClass.TRANSIENT))
          .hasMessageContaining("after 3 attempts");
      assertThat(received).hasSize(3);
    }
  }

  @Test
  void authFailuresAreFatalAndNotRetried() throws Exception {
    OpenSearchSinkConfig config = start(ops -> "{\"error\":\"unauthorized\"}", 401);
    try (BulkLoader loader = new BulkLoader(config)) {
      assertThatThrownBy(() -> loader.load(List.of(SampleEvents.event(1)), EventDocuments.DEFAULT))
          .isInstanceOfSatisfying(SinkException.class, e -> assertThat(e.failureClass()).as(e.toString()).isEqualTo(FailureClass.FATAL));
      assertThat(received).hasSize(1);
    }
  }

  @Test
  void batchesRespectMaxBatchSize() throws Exception {
    OpenSearchSinkConfig config = start(ops -> "{\"errors\":false}", 200);
    try (BulkLoader loader = new BulkLoader(config)) {
      var events = IntStream.range(0, 25).mapToObj(SampleEvents::event).toList();
      assertThat(loader.load(events, EventDocuments.DEFAULT).indexed()).isEqualTo(25);
      assertThat(received.stream().map(List::size)).containsExactly(10, 10, 5);
    }
  }
}
