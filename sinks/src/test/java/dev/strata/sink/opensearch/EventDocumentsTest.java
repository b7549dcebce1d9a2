package dev.strata.sink.opensearch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.sink.AvroJson;
import dev.strata.sink.testing.SampleEvents;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class EventDocumentsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Golden: src/test/resources/golden/event-cloudtrail.json (written by hand from SampleEvents.cloudTrail()). */
  @Test
  void sampleEventMatchesGoldenJson() throws Exception {
    byte[] doc = EventDocuments.toJson(SampleEvents.cloudTrail());
    JsonNode expected;
    try (InputStream in = getClass().getResourceAsStream("/golden/event-cloudtrail.json")) {
      expected = JSON.readTree(in);
    }
    assertThat(JSON.readTree(doc)).isEqualTo(expected);
    // field order follows the Avro schema; compact (no raw newline: the _bulk body is newline-delimited)
    assertThat(new String(doc, StandardCharsets.UTF_8)).startsWith("{\"event_id\":\"").doesNotContain("\n");
  }

  @Test
  void nullsAndEmptyCollectionsAreOmitted() throws Exception {
    JsonNode doc = JSON.readTree(EventDocuments.toJson(SampleEvents.event(7)));
    assertThat(doc.has("container")).isFalse();
    assertThat(doc.has("resources")).isFalse(); // empty array
    assertThat(doc.has("unmapped")).isFalse(); // empty map
    assertThat(doc.path("lineage").has("record_index")).isFalse();
    doc.fields().forEachRemaining(e -> assertThat(e.getValue().isNull()).as(e.getKey()).isFalse());
  }

  @Test
  void timesAreIsoUtcWithMicroseconds() throws Exception {
    EvidenceEvent e = SampleEvents.event(0);
    e.setTime(Instant.parse("2024-01-02T03:04:05Z"));
    e.setObservedTime(Instant.parse("1969-12-31T23:59:59.999999Z"));
    JsonNode doc = JSON.readTree(EventDocuments.toJson(e));
    assertThat(doc.get("time").asText()).isEqualTo("2024-01-02T03:04:05.000000Z");
    assertThat(doc.get("observed_time").asText()).isEqualTo("1969-12-31T23:59:59.999999Z");
  }

  @Test
  void idIsTheEventIdAndIndexTheConfiguredOne() {
    EvidenceEvent e = SampleEvents.cloudTrail();
    DocWriteRequest r = EventDocuments.DEFAULT.toRequest(e);
    assertThat(r.id()).isEqualTo(e.getEventId());
    assertThat(r.index()).isEqualTo("strata-events-v1");
    assertThat(new EventDocuments("strata-events-test").index(e)).isEqualTo("strata-events-test");
  }

  @Test
  void jsonReadsBackIntoTheSameEvent() throws Exception {
    EvidenceEvent e = SampleEvents.cloudTrail();
    EvidenceEvent back = AvroJson.read(JSON.readTree(EventDocuments.toJson(e)), EvidenceEvent.class);
    assertThat(back).isEqualTo(e);
  }
}
