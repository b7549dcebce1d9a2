package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.infra.StackEndpoints;
import dev.strata.infra.Topics;
import dev.strata.infra.testing.SharedStack;
import dev.strata.ingest.CollectionReport;
import dev.strata.ingest.CollectorOptions;
import dev.strata.ingest.ProgressListener;
import dev.strata.job.ParseJobConfig;
import dev.strata.job.ParseJobResult;
import dev.strata.schema.AvroCodec;
import dev.strata.schema.deadletter.DeadLetter;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.sink.opensearch.IndexTemplates;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The README's demo flow against the real services (embedded Kafka broker, OpenSearch node, S3 server; Flink
 * MiniCluster): the demo bundle in, every valid line an event with its fields and lineage, every malformed line a
 * dead letter with reason and original bytes, every artifact in S3 under its SHA-256, and a re-run changes nothing.
 */
@ExtendWith(SharedStack.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PipelineEndToEndIT {
  /** The bundle's story, counted by hand from examples/make-demo-bundle.py. */
  static final Map<String, Long> EXPECTED_EVENTS = Map.of("docker_json_log", 15L, "k8s_audit", 7L, "aws_cloudtrail", 4L,
      "aws_cloudtrail_digest", 3L);
  static final long EXPECTED_DEAD_LETTERS = 3;
  static final String EXEC_POD = "web-7d9c8b6f5-x2x9q";

  Path bundle;
  EvidencePipeline pipeline;
  StackEndpoints endpoints;
  CollectionReport report;
  ParseJobResult job;

  @BeforeAll
  void runPipelineOnce(StackEndpoints endpoints) throws Exception {
    this.endpoints = endpoints;
    bundle = Path.of(System.getProperty("strata.home", "..")).resolve("examples/demo-bundle").toAbsolutePath().normalize();
    pipeline = new EvidencePipeline(EvidencePipeline.Services.of(endpoints));
    pipeline.prepare();
    // Tests in this JVM share the stack: count only what this run adds, by artifact id.
    // Other tests share the stack: the job reads only what this run collects.
    String group = pipeline.newGroupAtEndOfRawTopic("e2e");
    // Other tests in this JVM may process the same bundle (same artifact ids): read only what this run writes.
    for (String topic : List.of(Topics.DEADLETTER, Topics.NORMALIZED)) {
      startOffsets.put(topic, endOffsets(topic));
    }
    report = pipeline.collect(bundle, CollectorOptions.defaults(), ProgressListener.NONE);
    job = pipeline.runJob(pipeline.jobConfig(true, group, ParseJobConfig.StartingOffsets.COMMITTED));
  }

  @Test
  @Order(1)
  void collectsEveryArtifactOfTheBundle() {
    assertThat(report.sourceTypes()).containsOnlyKeys("docker_json_log", "k8s_audit", "aws_cloudtrail",
        "aws_cloudtrail_digest");
    assertThat(report.sourceTypes().get("docker_json_log").artifacts()).isEqualTo(2);
    assertThat(report.sourceTypes().get("k8s_audit").artifacts()).isEqualTo(1);
    assertThat(report.sourceTypes().get("aws_cloudtrail").artifacts()).isEqualTo(1);
    assertThat(report.sourceTypes().get("aws_cloudtrail_digest").artifacts()).as("digests are evidence").isEqualTo(2);
    assertThat(report.hasErrors()).isFalse();
  }

  @Test
  @Order(2)
  void everyValidLineIsAnEventInOpenSearchAndEveryMalformedLineADeadLetter() throws Exception {
    long expectedEvents = EXPECTED_EVENTS.values().stream().mapToLong(Long::longValue).sum();
    assertThat(job.eventsOut()).isEqualTo(expectedEvents);
    assertThat(job.deadLetters()).isEqualTo(EXPECTED_DEAD_LETTERS);
    pipeline.send("POST", "/strata-*/_refresh", null);
    for (var e : EXPECTED_EVENTS.entrySet()) {
      assertThat(countEvents("source_format:" + e.getKey() + " AND " + artifactsQuery()))
          .as("events of %s in OpenSearch", e.getKey()).isEqualTo(e.getValue());
    }
    assertThat(countDocs(IndexTemplates.DEAD_LETTERS_INDEX, deadLettersQuery())).isEqualTo(EXPECTED_DEAD_LETTERS);
    // one chain-of-custody document per artifact sighting of this run
    assertThat(countDocs(IndexTemplates.ARTIFACTS_INDEX, "collector.run_id:\"" + report.runId() + "\"")).isEqualTo(6);
  }

  @Test
  @Order(3)
  void eventsCarryTheirFields() throws Exception {
    JsonNode exec = firstEvent("source_format:k8s_audit AND resources.subresource:exec AND " + artifactsQuery());
    assertThat(exec.path("actor").path("user_name").asText()).isEqualTo("dev-alice");
    assertThat(exec.path("api").path("operation").asText()).isEqualTo("create");
    assertThat(exec.path("api").path("response_code").asInt()).isEqualTo(101);
    assertThat(exec.path("class_uid").asInt()).isEqualTo(6003);
    assertThat(exec.path("kubernetes").path("namespace").asText()).isEqualTo("shop");
    assertThat(exec.path("kubernetes").path("pod_name").asText()).isEqualTo(EXEC_POD);
    assertThat(exec.path("kubernetes").path("cluster").asText()).isEqualTo("prod-eks");
    assertThat(exec.path("process").path("cmd_line").asText()).isEqualTo("sh");
    assertThat(exec.path("time").asText()).startsWith("2026-11-20T10:03:05.218554");

    JsonNode get = firstEvent("source_format:aws_cloudtrail AND api.operation:GetObject AND " + artifactsQuery());
    assertThat(get.path("src_endpoint").path("ip").asText()).isEqualTo("203.0.113.50");
    assertThat(get.path("cloud").path("account_uid").asText()).isEqualTo("111122223333");
    assertThat(get.path("cloud").path("region").asText()).isEqualTo("us-east-1");
    assertThat(get.path("actor").path("session_issuer").asText()).isEqualTo("arn:aws:iam::111122223333:role/eks-node-role");
    assertThat(get.path("api").path("service").asText()).isEqualTo("s3.amazonaws.com");
    assertThat(get.path("status").asText()).isEqualTo("Success");

    JsonNode denied = firstEvent("source_format:aws_cloudtrail AND api.operation:CreateAccessKey AND " + artifactsQuery());
    assertThat(denied.path("status").asText()).isEqualTo("Failure");
    assertThat(denied.path("api").path("response_error").asText()).isEqualTo("AccessDenied");

    JsonNode shell = firstEvent("source_format:docker_json_log AND message:spawned AND " + artifactsQuery());
    assertThat(shell.path("message").asText()).isEqualTo("INFO spawned child process pid=4242 cmd=\"sh\" parent=app");
    assertThat(shell.path("log").path("stream").asText()).isEqualTo("stderr");
    assertThat(shell.path("container").path("uid").asText()).hasSize(64);
    assertThat(shell.path("device").path("hostname").asText()).isEqualTo("ip-10-0-1-23.ec2.internal");
    assertThat(shell.path("time").asText()).startsWith("2026-11-20T10:03:20.418877");
  }

  @Test
  @Order(4)
  void lineageOfEveryEventResolvesToItsArtifactAndLine() throws Exception {
    Map<String, CollectionReport.Artifact> artifacts =
        report.artifacts().stream().collect(Collectors.toMap(CollectionReport.Artifact::artifactSha256, a -> a, (a, b) -> a));
    JsonNode hits = pipeline.send("POST", "/" + IndexTemplates.EVENTS_INDEX + "/_search",
        "{\"size\":1000,\"query\":{\"query_string\":{\"query\":\"" + artifactsQuery().replace("\"", "\\\"") + "\"}}}");
    int checked = 0;
    for (JsonNode hit : hits.path("hits").path("hits")) {
      JsonNode ev = hit.path("_source");
      JsonNode lineage = ev.path("lineage");
      CollectionReport.Artifact a = artifacts.get(lineage.path("artifact_sha256").asText());
      assertThat(a).as("artifact of %s", hit.path("_id").asText()).isNotNull();
      assertThat(lineage.path("origin").asText()).isEqualTo(a.origin());
      assertThat(lineage.path("storage_uri").asText()).endsWith(a.artifactSha256());
      byte[] content = content(bundle.resolve(a.origin()));
      int offset = (int) lineage.path("byte_offset").asLong();
      int length = (int) lineage.path("byte_length").asLong();
      String record = new String(content, offset, length, StandardCharsets.UTF_8);
      if (!lineage.path("line_number").isMissingNode() && !ev.path("source_format").asText().equals("aws_cloudtrail")) {
        String line = lines(content).get((int) lineage.path("line_number").asLong() - 1);
        assertThat(record.strip()).as("line %s of %s", lineage.path("line_number"), a.origin()).isEqualTo(line.strip());
      } else {
        assertThat(record).startsWith("{").contains(ev.path("api").path("request_uid").asText());
        assertThat(lineage.path("record_index").asLong()).isBetween(0L, 3L);
      }
      checked++;
    }
    assertThat(checked).isEqualTo(29);
  }

  @Test
  @Order(5)
  void deadLettersCarryReasonAndOriginalBytes() throws Exception {
    List<DeadLetter> dls = consume(Topics.DEADLETTER, AvroCodec.of(DeadLetter.class)).stream()
        .filter(d -> artifactIds().contains(String.valueOf(d.getArtifactSha256()))).toList();
    assertThat(dls).hasSize((int) EXPECTED_DEAD_LETTERS);
    Map<String, Long> reasons = dls.stream().collect(Collectors.groupingBy(DeadLetter::getReason, Collectors.counting()));
    assertThat(reasons).containsEntry("malformed_json", 2L).containsEntry("missing_field", 1L);
    for (DeadLetter dl : dls) {
      Path file = bundle.resolve(dl.getOrigin());
      byte[] original = bytes(dl.getOriginal());
      String line = lines(content(file)).get((int) (long) dl.getLineNumber() - 1);
      assertThat(new String(original, StandardCharsets.UTF_8).strip()).isEqualTo(line.strip());
      assertThat(dl.getOriginalSha256()).isEqualTo(sha256(original));
      assertThat(dl.getMessage()).isNotBlank();
    }
  }

  @Test
  @Order(6)
  void normalizedTopicHoldsEveryEvent() {
    List<EvidenceEvent> events = consume(Topics.NORMALIZED, AvroCodec.of(EvidenceEvent.class)).stream()
        .filter(e -> artifactIds().contains(e.getLineage().getArtifactSha256())).toList();
    assertThat(events.stream().map(EvidenceEvent::getEventId).distinct().count()).isEqualTo(29);
  }

  @Test
  @Order(7)
  void everyArtifactIsInS3UnderItsSha256AndVerifies() throws Exception {
    for (CollectionReport.Artifact a : report.artifacts()) {
      assertThat(pipeline.store().exists(a.artifactSha256())).isTrue();
      assertThat(pipeline.store().verify(a.artifactSha256()).ok()).isTrue();
      assertThat(sha256(Files.readAllBytes(bundle.resolve(a.origin())))).isEqualTo(a.artifactSha256());
    }
  }

  /** strata verify-trail --evidence-store: the collected log file and digests validate from the preserved bytes. */
  @Test
  @Order(7)
  void collectedTrailValidatesFromTheEvidenceStore() throws Exception {
    var keys = dev.strata.ingest.cloudtrail.DigestPublicKeys.read(
        List.of(bundle.resolve("../demo-keys/cloudtrail-demo-public-key.pem").normalize()));
    var v = VerifyTrailCommand.validate(pipeline.store().config(), keys);
    var log = v.logFiles().stream().filter(l -> l.s3Object().endsWith("_20261120T1010Z_Xy7pQ2mN4kL8rT1v.json.gz"))
        .findFirst().orElseThrow();
    assertThat(log.status()).as("%s", log).isEqualTo(dev.strata.ingest.cloudtrail.TrailValidation.LogStatus.VALID);
    Map<String, dev.strata.ingest.cloudtrail.TrailValidation.Digest> digests = v.digests().stream()
        .filter(d -> d.s3Object().contains("acme-management-events"))
        .collect(Collectors.toMap(d -> d.s3Object().substring(d.s3Object().lastIndexOf('_') + 1), d -> d, (a, b) -> a));
    assertThat(digests.get("20261120T102100Z.json.gz").signature()).as("signed, its successor records the signature")
        .isEqualTo(dev.strata.ingest.cloudtrail.TrailValidation.SignatureStatus.VALID);
    assertThat(digests.get("20261120T112100Z.json.gz").signature())
        .as("the newest digest's own signature (its .sig sidecar) is kept by the store next to its bytes")
        .isEqualTo(dev.strata.ingest.cloudtrail.TrailValidation.SignatureStatus.VALID);
    assertThat(digests.get("20261120T112100Z.json.gz").chain())
        .isEqualTo(dev.strata.ingest.cloudtrail.TrailValidation.ChainStatus.LINKED);
  }

  @Test
  @Order(8)
  void reRunningTheSameEvidenceLeavesOpenSearchCountsUnchanged() throws Exception {
    long eventsBefore = countEvents(artifactsQuery());
    long deadBefore = countDocs(IndexTemplates.DEAD_LETTERS_INDEX, deadLettersQuery());
    String group = pipeline.newGroupAtEndOfRawTopic("e2e-rerun");
    CollectionReport again = pipeline.collect(bundle, CollectorOptions.defaults(), ProgressListener.NONE);
    assertThat(again.artifacts().stream().map(CollectionReport.Artifact::artifactSha256).collect(Collectors.toSet()))
        .isEqualTo(artifactIds());
    ParseJobResult rerun = pipeline.runJob(pipeline.jobConfig(true, group, ParseJobConfig.StartingOffsets.COMMITTED));
    assertThat(rerun.eventsOut()).as("the re-run parsed the evidence again").isEqualTo(29);
    pipeline.send("POST", "/strata-*/_refresh", null);
    assertThat(countEvents(artifactsQuery())).isEqualTo(eventsBefore).isEqualTo(29);
    assertThat(countDocs(IndexTemplates.DEAD_LETTERS_INDEX, deadLettersQuery())).isEqualTo(deadBefore);
  }

  // ---- helpers

  Set<String> artifactIds() {
    return report.artifacts().stream().map(CollectionReport.Artifact::artifactSha256).collect(Collectors.toSet());
  }

  /** Events of this run's artifacts (other tests share the stack). */
  String artifactsQuery() {
    return "lineage.artifact_sha256:" + anyArtifact();
  }

  String deadLettersQuery() {
    return "artifact_sha256:" + anyArtifact();
  }

  String anyArtifact() {
    return "(" + artifactIds().stream().map(id -> "\"" + id + "\"").collect(Collectors.joining(" OR ")) + ")";
  }

  long countEvents(String query) throws Exception {
    return countDocs(IndexTemplates.EVENTS_INDEX, query);
  }

  long countDocs(String index, String query) throws Exception {
    String body = "{\"query\":{\"query_string\":{\"query\":\"" + query.replace("\"", "\\\"") + "\"}}}";
    return pipeline.send("POST", "/" + index + "/_count", body).path("count").asLong();
  }

  JsonNode firstEvent(String query) throws Exception {
    JsonNode r = pipeline.send("POST", "/" + IndexTemplates.EVENTS_INDEX + "/_search",
        "{\"size\":1,\"query\":{\"query_string\":{\"query\":\"" + query.replace("\"", "\\\"") + "\"}}}");
    JsonNode hits = r.path("hits").path("hits");
    assertThat(hits.size()).as("a hit for %s", query).isEqualTo(1);
    return hits.get(0).path("_source");
  }

  final Map<String, Map<org.apache.kafka.common.TopicPartition, Long>> startOffsets = new java.util.HashMap<>();

  private Properties readerProperties() {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrap());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "e2e-reader-" + UUID.randomUUID());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    return p;
  }

  private Map<org.apache.kafka.common.TopicPartition, Long> endOffsets(String topic) {
    try (KafkaConsumer<byte[], byte[]> c =
        new KafkaConsumer<>(readerProperties(), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<org.apache.kafka.common.TopicPartition> parts = c.partitionsFor(topic, Duration.ofSeconds(30)).stream()
          .map(i -> new org.apache.kafka.common.TopicPartition(topic, i.partition())).toList();
      return new java.util.HashMap<>(c.endOffsets(parts, Duration.ofSeconds(30)));
    }
  }

  /** The records this run added to {@code topic} (from the end offsets taken before it collected). */
  <T extends org.apache.avro.specific.SpecificRecordBase> List<T> consume(String topic, AvroCodec<T> codec) {
    List<T> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c =
        new KafkaConsumer<>(readerProperties(), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      Map<org.apache.kafka.common.TopicPartition, Long> start = startOffsets.get(topic);
      c.assign(start.keySet());
      start.forEach(c::seek);
      long idleSince = System.currentTimeMillis();
      while (System.currentTimeMillis() - idleSince < 5000) {
        var records = c.poll(Duration.ofMillis(500));
        if (!records.isEmpty()) idleSince = System.currentTimeMillis();
        records.forEach(r -> out.add(codec.decode(r.value())));
      }
    }
    return out;
  }

  static byte[] content(Path file) throws Exception {
    byte[] raw = Files.readAllBytes(file);
    if (file.toString().endsWith(".gz")) {
      try (var in = new GZIPInputStream(new java.io.ByteArrayInputStream(raw))) {
        return in.readAllBytes();
      }
    }
    return raw;
  }

  static List<String> lines(byte[] content) {
    return List.of(new String(content, StandardCharsets.UTF_8).split("\n", -1));
  }

  static byte[] bytes(java.nio.ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.duplicate().get(out);
    return out;
  }

  static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }
}
