package dev.strata.sink.opensearch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.sink.FailureClass;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The _bulk body, the response parser, and the checkpoint format of buffered documents. */
class BulkWireTest {
  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void bodyIsNdjsonWithIndexOpsAndIds() {
    byte[] body = BulkBody.of(List.of(
        new DocWriteRequest("strata-events-v1", "id1", b("{\"a\":1}")),
        new DocWriteRequest("strata-events-v1", "we\"ird\\id", b("{\n\"b\":2}"))));
    assertThat(new String(body, StandardCharsets.UTF_8)).isEqualTo(
        "{\"index\":{\"_index\":\"strata-events-v1\",\"_id\":\"id1\"}}\n{\"a\":1}\n"
            + "{\"index\":{\"_index\":\"strata-events-v1\",\"_id\":\"we\\\"ird\\\\id\"}}\n{ \"b\":2}\n");
  }

  @Test
  void versionedDocumentsCarryExternalGteAndAnOlderRevisionRefusedCountsAsDone() throws IOException {
    DocWriteRequest v = new DocWriteRequest("strata-events-v1", "e1", b("{}"), 1, 3);
    assertThat(new String(BulkBody.of(List.of(v)), StandardCharsets.UTF_8)).isEqualTo(
        "{\"index\":{\"_index\":\"strata-events-v1\",\"_id\":\"e1\",\"version\":3,"
            + "\"version_type\":\"external_gte\"}}\n{}\n");
    assertThat(v.nextAttempt().version()).isEqualTo(3);
    String json = "{\"errors\":true,\"items\":[{\"index\":{\"status\":409,\"error\":{\"type\":"
        + "\"version_conflict_engine_exception\",\"reason\":\"current version [5] is higher\"}}}]}";
    assertThat(BulkClient.Outcome.of(List.of(v), BulkResponse.parse(b(json), 1)).indexed()).isEqualTo(1);
    DocWriteRequest plain = new DocWriteRequest("strata-events-v1", "e1", b("{}"));
    assertThat(BulkClient.Outcome.of(List.of(plain), BulkResponse.parse(b(json), 1)).permanentItems()).hasSize(1);
    DocWriteRequestSerializer ser = new DocWriteRequestSerializer();
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    ser.serializeRequestToStream(v, new java.io.DataOutputStream(bytes));
    ser.serializeRequestToStream(plain, new java.io.DataOutputStream(bytes));
    java.io.DataInputStream in = new java.io.DataInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray()));
    assertThat(ser.deserializeRequestFromStream(0, in)).isEqualTo(v);
    assertThat(ser.deserializeRequestFromStream(0, in)).isEqualTo(plain);
  }

  @Test
  void deletesAreActionLinesAloneAndADocumentAlreadyGoneCountsAsDeleted() throws IOException {
    DocWriteRequest d = DocWriteRequest.deletion("strata-bindings-v1", "f1", 4);
    assertThat(new String(BulkBody.of(List.of(d, req("e2"))), StandardCharsets.UTF_8)).isEqualTo(
        "{\"delete\":{\"_index\":\"strata-bindings-v1\",\"_id\":\"f1\",\"version\":4,"
            + "\"version_type\":\"external_gte\"}}\n"
            + "{\"index\":{\"_index\":\"strata-events-v1\",\"_id\":\"e2\"}}\n{}\n");
    String json = "{\"errors\":true,\"items\":[{\"delete\":{\"status\":404}},"
        + "{\"index\":{\"status\":404,\"error\":{\"type\":\"index_not_found_exception\",\"reason\":\"no\"}}}]}";
    BulkClient.Outcome o = BulkClient.Outcome.of(List.of(d, req("e2")), BulkResponse.parse(b(json), 2));
    assertThat(o.indexed()).isEqualTo(1);
    assertThat(o.fatalItems()).singleElement().satisfies(r -> assertThat(r.request().id()).isEqualTo("e2"));
    String conflict = "{\"errors\":true,\"items\":[{\"delete\":{\"status\":409,\"error\":{\"type\":"
        + "\"version_conflict_engine_exception\",\"reason\":\"current version [9] is higher\"}}}]}";
    assertThat(BulkClient.Outcome.of(List.of(d), BulkResponse.parse(b(conflict), 1)).indexed()).isEqualTo(1);
    DocWriteRequestSerializer ser = new DocWriteRequestSerializer();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ser.serializeRequestToStream(d, new DataOutputStream(bytes));
    assertThat(ser.deserializeRequestFromStream(0, new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()))))
        .isEqualTo(d);
  }

  @Test
  void responseWithoutErrorsIsNotReadFurther() throws IOException {
    BulkResponse r = BulkResponse.parse(b("{\"errors\":false,\"items\":[{\"index\":{\"status\":201}}]}"), 1);
    assertThat(r.errors).isFalse();
  }

  @Test
  void responseItemsAreClassified() throws IOException {
    String json = "{\"took\":3,\"errors\":true,\"items\":["
        + "{\"index\":{\"status\":201}},"
        + "{\"index\":{\"status\":400,\"error\":{\"type\":\"mapper_parsing_exception\",\"reason\":\"failed to parse"
        + " field [class_uid] of type [integer]\",\"caused_by\":{\"type\":\"number_format_exception\",\"reason\":"
        + "\"For input string: \\\"x\\\"\"}}}},"
        + "{\"index\":{\"status\":429,\"error\":{\"type\":\"es_rejected_execution_exception\",\"reason\":\"queue"
        + " full\"}}},"
        + "{\"index\":{\"status\":200}}]}";
    List<DocWriteRequest> reqs = List.of(req("1"), req("2"), req("3"), req("4"));
    BulkClient.Outcome o = BulkClient.Outcome.of(reqs, BulkResponse.parse(b(json), 4));
    assertThat(o.indexed()).isEqualTo(2);
    assertThat(o.permanentItems()).singleElement().satisfies(r -> {
      assertThat(r.request().id()).isEqualTo("2");
      assertThat(r.failure().status()).isEqualTo(400);
      assertThat(r.failure().type()).isEqualTo("mapper_parsing_exception");
      assertThat(r.failure().reason()).contains("class_uid").contains("caused by number_format_exception");
      assertThat(r.failureClass()).isEqualTo(FailureClass.PERMANENT);
    });
    assertThat(o.transientItems()).singleElement().satisfies(r -> assertThat(r.request().id()).isEqualTo("3"));
    assertThat(o.fatalItems()).isEmpty();
  }

  @Test
  void itemCountMismatchIsAnError() {
    assertThatThrownBy(() -> BulkResponse.parse(b("{\"errors\":true,\"items\":[{\"index\":{\"status\":201}}]}"), 2))
        .isInstanceOf(IOException.class);
  }

  @Test
  void checkpointFormatRoundTrips() throws IOException {
    DocWriteRequest r = new DocWriteRequest("strata-events-v1", "abc", b("{\"x\":\"ü\"}"), 3);
    DocWriteRequestSerializer s = new DocWriteRequestSerializer();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      s.serializeRequestToStream(r, out);
    }
    DocWriteRequest back = s.deserializeRequestFromStream(bytes.size(),
        new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
    assertThat(back).isEqualTo(new DocWriteRequest(r.index(), r.id(), r.source(), 1)); // retry budget reset
  }

  @Test
  void sinkDeadLetterCarriesLineageAndIsDeterministic() throws Exception {
    DocWriteRequest rejected = EventDocuments.DEFAULT.toRequest(dev.strata.sink.testing.SampleEvents.cloudTrail());
    ItemFailure f = new ItemFailure(400, "mapper_parsing_exception", "failed to parse");
    var a = SinkDeadLetters.of(rejected, f, java.time.Instant.parse("2024-01-01T00:00:00Z"));
    var b = SinkDeadLetters.of(rejected, f, java.time.Instant.parse("2024-02-01T00:00:00Z"));
    assertThat(a.getDeadLetterId()).isEqualTo(b.getDeadLetterId()).hasSize(64);
    assertThat(a.getStage().name()).isEqualTo("SINK");
    assertThat(a.getReason()).isEqualTo("sink_rejected");
    assertThat(a.getExceptionClass()).isEqualTo("mapper_parsing_exception");
    assertThat(a.getArtifactSha256()).isEqualTo(dev.strata.sink.testing.SampleEvents.ARTIFACT);
    assertThat(a.getSourceType()).isEqualTo("aws_cloudtrail");
    assertThat(a.getByteOffset()).isEqualTo(12L);
    assertThat(a.getRecordIndex()).isEqualTo(0L);
    assertThat(a.getChunkIndex()).isEqualTo(0);
    assertThat(a.getOriginal().array()).isEqualTo(rejected.source());
    assertThat(a.getMessage()).contains("strata-events-v1/" + rejected.id());

    List<DocWriteRequest> instead =
        PermanentFailureHandler.deadLetterIndex("strata-deadletters-v1").onPermanentFailure(rejected, f);
    assertThat(instead).singleElement().satisfies(d -> {
      assertThat(d.index()).isEqualTo("strata-deadletters-v1");
      assertThat(d.id()).isEqualTo(a.getDeadLetterId());
      try {
        assertThat(new ObjectMapper().readTree(d.source()).get("reason").asText()).isEqualTo("sink_rejected");
      } catch (IOException e) {
        throw new AssertionError(e);
      }
    });
  }

  @Test
  void aRejectedDeadLetterFailsTheJob() {
    DocWriteRequest dl = new DocWriteRequest("strata-deadletters-v1", "x", b("{}"));
    assertThatThrownBy(() -> PermanentFailureHandler.deadLetterIndex("strata-deadletters-v1")
        .onPermanentFailure(dl, new ItemFailure(400, "mapper_parsing_exception", "")))
        .isInstanceOf(dev.strata.sink.SinkException.class);
  }

  @Test
  void oversizeDocumentsBecomeTruncatedDeadLettersNotFailures() throws Exception {
    var event = dev.strata.sink.testing.SampleEvents.event(1);
    event.setRawData("x".repeat(300_000));
    DocWriteRequest big = EventDocuments.DEFAULT.toRequest(event);
    long limit = 64 << 10;
    assertThat(SinkDeadLetters.guardSize(req("small"), limit, "strata-deadletters-v1")).isEqualTo(req("small"));
    DocWriteRequest dl = SinkDeadLetters.guardSize(big, limit, "strata-deadletters-v1");
    assertThat(dl.index()).isEqualTo("strata-deadletters-v1");
    assertThat(dl.sizeInBytes()).isLessThanOrEqualTo(limit);
    JsonNode doc = new ObjectMapper().readTree(dl.source());
    assertThat(doc.get("reason").asText()).isEqualTo("record_too_large");
    assertThat(doc.get("original_truncated").asBoolean()).isTrue();
    assertThat(doc.get("original_sha256").asText()).isEqualTo(SinkDeadLetters.sha256(big.source()));
    assertThat(doc.get("original_text").asText()).startsWith("{\"event_id\":\"" + event.getEventId());
  }

  private static DocWriteRequest req(String id) {
    return new DocWriteRequest("strata-events-v1", id, b("{}"));
  }
}
