package dev.strata.sink.opensearch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.sink.Backoff;
import java.io.ByteArrayOutputStream;
import java.io.ObjectOutputStream;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OpenSearchSinkConfigTest {
  @Test
  void defaults() {
    OpenSearchSinkConfig c = OpenSearchSinkConfig.builder().build();
    assertThat(c.urls()).containsExactly(URI.create("http://127.0.0.1:9200"));
    assertThat(c.eventsIndex()).isEqualTo("strata-events-v1");
    assertThat(c.deadLettersIndex()).isEqualTo("strata-deadletters-v1");
    assertThat(c.artifactsIndex()).isEqualTo("strata-artifacts-v1");
    assertThat(c.maxBatchSize()).isEqualTo(2000);
    assertThat(c.maxBatchBytes()).isEqualTo(5L << 20);
    assertThat(c.maxBufferedRequests()).isEqualTo(10_000);
    assertThat(c.maxRecordBytes()).isEqualTo(5L << 20);
    assertThat(c.shards()).isEqualTo(1);
    assertThat(c.replicas()).isEqualTo(0);
    assertThat(c.refreshInterval()).isEqualTo("1s");
    assertThat(c.bulkRefreshInterval()).isEqualTo("30s");
    assertThat(c.retry()).isEqualTo(Backoff.DEFAULT);
  }

  @Test
  void fromEnv() {
    OpenSearchSinkConfig c = OpenSearchSinkConfig.fromEnv(Map.of(
        "STRATA_OPENSEARCH_URL", "http://a:9200, https://b",
        "STRATA_OPENSEARCH_USERNAME", "admin",
        "STRATA_OPENSEARCH_PASSWORD", "hunter2",
        "STRATA_OPENSEARCH_MAX_BATCH_SIZE", "500",
        "STRATA_OPENSEARCH_BULK_REFRESH_INTERVAL", "-1"));
    assertThat(c.urls()).containsExactly(URI.create("http://a:9200"), URI.create("https://b"));
    assertThat(c.username()).isEqualTo("admin");
    assertThat(c.password().reveal()).isEqualTo("hunter2");
    assertThat(c.maxBatchSize()).isEqualTo(500);
    assertThat(c.bulkRefreshInterval()).isEqualTo("-1");
    assertThat(c.toBuilder().build()).isEqualTo(c);
    assertThat(c.toString()).doesNotContain("hunter2").contains("password=***");
    assertThat(OpenSearchSinkConfig.fromEnv(Map.of()).urls()).containsExactly(URI.create("http://127.0.0.1:9200"));
  }

  @Test
  void errorsNameTheKey() {
    assertThatThrownBy(() -> OpenSearchSinkConfig.builder().urls("ftp://x").build())
        .hasMessageStartingWith("opensearch.urls:");
    assertThatThrownBy(() -> OpenSearchSinkConfig.builder().urls(new String[0]).build())
        .hasMessageStartingWith("opensearch.urls:");
    assertThatThrownBy(() -> OpenSearchSinkConfig.builder().maxBatchSize(0).build())
        .hasMessageStartingWith("opensearch.max_batch_size:");
    assertThatThrownBy(() -> OpenSearchSinkConfig.builder().maxBufferedRequests(2000).build())
        .hasMessageStartingWith("opensearch.max_buffered_requests:");
    assertThatThrownBy(() -> OpenSearchSinkConfig.builder().maxRecordBytes(10L << 20).build())
        .hasMessageStartingWith("opensearch.max_record_bytes:");
    assertThatThrownBy(() -> OpenSearchSinkConfig.builder().eventsIndex("events").build())
        .hasMessageStartingWith("opensearch.index.events:");
    assertThatThrownBy(() -> OpenSearchSinkConfig.builder().deadLettersIndex("strata-deadletters-X").build())
        .hasMessageStartingWith("opensearch.index.dead_letters:");
    assertThatThrownBy(() -> OpenSearchSinkConfig.builder().credentials("u", null).build())
        .hasMessageStartingWith("opensearch.username:");
    assertThatThrownBy(() -> OpenSearchSinkConfig.builder().refreshInterval("often").build())
        .hasMessageStartingWith("opensearch.refresh_interval:");
    assertThatThrownBy(() -> OpenSearchSinkConfig.builder().bulkRefreshInterval("rarely").build())
        .hasMessageStartingWith("opensearch.bulk_refresh_interval:");
    assertThatThrownBy(() -> OpenSearchSinkConfig.builder().maxInFlightRequests(0).build())
        .hasMessageStartingWith("opensearch.max_in_flight_requests:");
    assertThatThrownBy(() -> OpenSearchSinkConfig.fromEnv(Map.of("STRATA_OPENSEARCH_MAX_BATCH_SIZE", "many")))
        .hasMessageStartingWith("opensearch.max_batch_size (STRATA_OPENSEARCH_MAX_BATCH_SIZE):");
    assertThatThrownBy(() -> new Backoff(0, Duration.ofMillis(1), Duration.ofMillis(1)))
        .hasMessageStartingWith("retry.max_attempts:");
  }

  @Test
  void isSerializable() throws Exception {
    OpenSearchSinkConfig c = OpenSearchSinkConfig.builder().credentials("u", "p").build();
    try (ObjectOutputStream out = new ObjectOutputStream(new ByteArrayOutputStream())) {
      out.writeObject(c);
      out.writeObject(OpenSearchSink.forEvents(c));
    }
  }

  @Test
  void sinkBuilderValidates() {
    assertThatThrownBy(() -> OpenSearchSink.<dev.strata.schema.event.EvidenceEvent>builder().mapper(EventDocuments.DEFAULT).build())
        .hasMessageContaining("config");
    assertThatThrownBy(() -> OpenSearchSink.builder().config(OpenSearchSinkConfig.builder().build()).build())
        .hasMessageContaining("mapper");
  }
}
