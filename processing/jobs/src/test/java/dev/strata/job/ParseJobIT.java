package dev.strata.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.infra.StackEndpoints;
import dev.strata.infra.testing.SharedStack;
import dev.strata.job.testing.KafkaTestSupport;
import dev.strata.job.testing.TestChunks;
import dev.strata.parse.ChunkParseResult;
import dev.strata.parse.ChunkParser;
import dev.strata.parse.EventIds;
import dev.strata.parse.ParserRegistry;
import dev.strata.schema.AvroCodec;
import dev.strata.schema.common.Framing;
import dev.strata.schema.deadletter.DeadLetter;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.raw.RawArtifactChunk;
import dev.strata.sink.opensearch.OpenSearchSinkConfig;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The parse job against the real embedded Kafka and OpenSearch: raw chunks of three formats (with malformed records
 * and one undecodable Kafka record) in, exactly the expected events and dead letters out.
 */
@ExtendWith(SharedStack.class)
class ParseJobIT {
  static final byte[] GARBAGE = "this is not an Avro record".getBytes(StandardCharsets.UTF_8);

  /** The evidence of these tests, cut into chunks as the collector does. */
  static List<RawArtifactChunk> evidence() throws IOException {
    List<RawArtifactChunk> chunks = new ArrayList<>();
    // docker: small chunks, so one artifact spans several chunks (lineage across chunk boundaries)
    chunks.addAll(TestChunks.lines("docker_json_log",
        "var/lib/docker/containers/" + "c".repeat(64) + "/" + "c".repeat(64) + "-json.log",
        fixture("docker-json.log"), 300));
    chunks.addAll(TestChunks.lines("k8s_audit", "var/log/kubernetes/audit/audit.log", fixture("k8s-audit.log"),
        1 << 20));
    byte[] ct = fixture("cloudtrail.json");
    chunks.add(TestChunks.chunk("aws_cloudtrail",
        "AWSLogs/123456789012/CloudTrail/us-east-1/2024/05/01/123456789012_CloudTrail_us-east-1_20240501T1000Z_x.json",
        EventIds.sha256Hex(ct), ct.length, ct, 0, 1, 0, 1, 0, Framing.JSON_RECORDS));
    return chunks;
  }

  static byte[] fixture(String name) throws IOException {
    try (InputStream in = ParseJobIT.class.getResourceAsStream("/fixtures/" + name)) {
      return in.readAllBytes();
    }
  }

  /** What the parsers make of the evidence, computed here with the same ChunkParser. */
  record Expected(Set<String> eventIds, Map<String, Long> deadLettersByReason, int chunks) {
    static Expected of(List<RawArtifactChunk> chunks) {
      ChunkParser parser = new ChunkParser(ParserRegistry.defaults());
      Set<String> ids = new HashSet<>();
      Map<String, Long> reasons = new HashMap<>();
      for (RawArtifactChunk c : chunks) {
        ChunkParseResult r = parser.parse(c);
        r.events().forEach(e -> ids.add(e.getEventId()));
        r.deadLetters().forEach(d -> reasons.merge(d.getReason(), 1L, Long::sum));
      }
      reasons.merge(JobDeadLetters.UNDECODABLE_RECORD, 1L, Long::sum); // the garbage record
      return new Expected(ids, reasons, chunks.size());
    }

    long deadLetters() {
      return deadLettersByReason.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  record Topics(String raw, String normalized, String deadLetter) {
    static Topics create(StackEndpoints stack) throws Exception {
      String s = UUID.randomUUID().toString().substring(0, 8);
      Topics t = new Topics("it-" + s + ".raw", "it-" + s + ".normalized", "it-" + s + ".deadletter");
      KafkaTestSupport.createTopics(stack.kafkaBootstrap(), 2, t.raw, t.normalized, t.deadLetter);
      return t;
    }
  }

  static ParseJobConfig.Builder config(StackEndpoints stack, Topics t) {
    return ParseJobConfig.builder(stack.kafkaBootstrap())
        .groupId("it-" + UUID.randomUUID())
        .rawTopic(t.raw())
        .normalizedTopic(t.normalized())
        .deadLetterTopic(t.deadLetter())
        .bounded(true)
        .parallelism(2)
        .checkpointInterval(Duration.ofSeconds(1))
        .deliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE);
  }

  @Test
  void kafkaToKafkaExactlyOnceCountsInEqualCountsOut(StackEndpoints stack) throws Exception {
    Topics t = Topics.create(stack);
    List<RawArtifactChunk> chunks = evidence();
    Expected expected = Expected.of(chunks);
    // 6 docker + 3 cloudtrail + 2 or 3 audit (K8sAuditParser currently loses the record after a truncated one)
    assertThat(expected.eventIds()).hasSizeGreaterThanOrEqualTo(11);
    KafkaTestSupport.publish(stack.kafkaBootstrap(), t.raw(), chunks, GARBAGE);

    ParseJobResult result = ParseJob.run(config(stack, t).build());

    assertThat(result.recordsIn()).isEqualTo(chunks.size() + 1);
    assertThat(result.chunksIn()).isEqualTo(chunks.size());
    assertThat(result.eventsOut()).isEqualTo(expected.eventIds().size());
    assertThat(result.deadLettersByReason()).isEqualTo(expected.deadLettersByReason());

    // what committed consumers see: every expected event exactly once, keyed by its id
    List<ConsumerRecord<byte[], byte[]>> normalized = KafkaTestSupport.readAll(stack.kafkaBootstrap(), t.normalized());
    AvroCodec<EvidenceEvent> events = AvroCodec.of(EvidenceEvent.class);
    List<EvidenceEvent> out = normalized.stream().map(r -> events.decode(r.value())).toList();
    assertThat(out).extracting(EvidenceEvent::getEventId)
        .doesNotHaveDuplicates()
        .containsExactlyInAnyOrderElementsOf(expected.eventIds());
    assertThat(normalized).allSatisfy(r ->
        assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(events.decode(r.value()).getEventId()));
    Map<String, Long> byFormat = out.stream()
        .collect(Collectors.groupingBy(EvidenceEvent::getSourceFormat, Collectors.counting()));
    assertThat(byFormat).containsEntry("docker_json_log", 6L).containsEntry("aws_cloudtrail", 3L);
    assertThat(byFormat.get("k8s_audit")).isBetween(2L, 3L);

    // some field values: lineage to the byte, across chunk boundaries
    byte[] docker = fixture("docker-json.log");
    String dockerText = new String(docker, StandardCharsets.UTF_8);
    EvidenceEvent bye = out.stream()
        .filter(e -> e.getSourceFormat().equals("docker_json_log") && e.getLineage().getLineNumber() == 7L)
        .findFirst().orElseThrow();
    assertThat(bye.getLineage().getByteOffset()).isEqualTo(dockerText.indexOf("{\"log\":\"bye"));
    assertThat(bye.getLineage().getArtifactSha256()).isEqualTo(EventIds.sha256Hex(docker));
    assertThat(bye.getLineage().getChunkIndex()).isGreaterThan(0);
    assertThat(bye.getTime()).isEqualTo(java.time.Instant.parse("2024-05-01T10:00:05Z"));
    assertThat(bye.getMessage()).contains("bye");
    EvidenceEvent stop = out.stream()
        .filter(e -> e.getApi() != null && "StopLogging".equals(e.getApi().getOperation()))
        .findFirst().orElseThrow();
    assertThat(stop.getClassUid()).isEqualTo(6003);
    assertThat(stop.getLineage().getRecordIndex()).isEqualTo(2L);

    // dead letters: the expected reasons, and the undecodable record with its bytes
    AvroCodec<DeadLetter> dls = AvroCodec.of(DeadLetter.class);
    List<DeadLetter> dead = KafkaTestSupport.readAll(stack.kafkaBootstrap(), t.deadLetter()).stream()
        .map(r -> dls.decode(r.value())).toList();
    assertThat(dead.stream().collect(Collectors.groupingBy(DeadLetter::getReason, Collectors.counting())))
        .isEqualTo(expected.deadLettersByReason());
    assertThat(dead).filteredOn(d -> d.getReason().equals("malformed_json")).isNotEmpty();
    DeadLetter und = dead.stream().filter(d -> d.getReason().equals(JobDeadLetters.UNDECODABLE_RECORD))
        .findFirst().orElseThrow();
    assertThat(StandardCharsets.UTF_8.decode(und.getOriginal()).toString())
        .isEqualTo(new String(GARBAGE, StandardCharsets.UTF_8));
    assertThat(und.getMessage()).contains(t.raw());
  }

  @Test
  void openSearchHoldsOneDocumentPerEventAndAReplayDoesNotDuplicate(StackEndpoints stack) throws Exception {
    Topics t = Topics.create(stack);
    List<RawArtifactChunk> chunks = evidence();
    Expected expected = Expected.of(chunks);
    KafkaTestSupport.publish(stack.kafkaBootstrap(), t.raw(), chunks, GARBAGE);
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    OpenSearchSinkConfig os = OpenSearchSinkConfig.builder()
        .urls(stack.openSearchUrl())
        .eventsIndex("strata-events-it-" + suffix)
        .deadLettersIndex("strata-deadletters-it-" + suffix)
        .artifactsIndex("strata-artifacts-it-" + suffix)
        .maxTimeInBuffer(Duration.ofMillis(200))
        .build();
    ParseJobConfig cfg = config(stack, t).openSearch(os).build();

    ParseJobResult first = ParseJob.run(cfg);
    assertThat(first.eventsOut()).isEqualTo(expected.eventIds().size());
    assertThat(count(stack, os.eventsIndex())).isEqualTo(expected.eventIds().size());
    assertThat(count(stack, os.deadLettersIndex())).isEqualTo(expected.deadLetters());

    // the same evidence again (new consumer group): same ids, same documents
    ParseJobResult second = ParseJob.run(cfg.toBuilder().groupId("it-replay-" + suffix).build());
    assertThat(second.eventsOut()).isEqualTo(first.eventsOut());
    assertThat(count(stack, os.eventsIndex())).isEqualTo(expected.eventIds().size());
    assertThat(count(stack, os.deadLettersIndex())).isEqualTo(expected.deadLetters());
  }

  static long count(StackEndpoints stack, String index) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    String base = stack.openSearchUrl() + "/" + index;
    HttpResponse<String> refresh = http.send(
        HttpRequest.newBuilder(URI.create(base + "/_refresh")).POST(HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(refresh.statusCode()).as(refresh.body()).isEqualTo(200);
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/_count")).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    Matcher m = Pattern.compile("\"count\"\\s*:\\s*(\\d+)").matcher(r.body());
    assertThat(m.find()).as(r.body()).isTrue();
    return Long.parseLong(m.group(1));
  }
}
