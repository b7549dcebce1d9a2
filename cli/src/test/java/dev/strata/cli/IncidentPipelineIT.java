package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.infra.StackEndpoints;
import dev.strata.infra.Topics;
import dev.strata.infra.testing.SharedStack;
import dev.strata.ingest.CollectorOptions;
import dev.strata.ingest.ProgressListener;
import dev.strata.job.ParseJobConfig;
import dev.strata.job.incident.IncidentJobConfig;
import dev.strata.schema.correlate.Incident;
import dev.strata.sink.s3.IncidentArchive;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo bundle end to end on the embedded stack: collect + parse job, then the incident job -> ONE incident
 * (audit exec into the web pod by dev-alice, then the node role's credentials used from 203.0.113.50), its ordered
 * timeline in OpenSearch, its S3 copy; {@code strata report} renders it and {@code strata scope --ip} answers the
 * involved entities.
 */
@ExtendWith(SharedStack.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IncidentPipelineIT {
  static final String ATTACKER_IP = "203.0.113.50";
  static final String POD = "web-7d9c8b6f5-x2x9q";
  static final String INSTANCE = "i-0a1b2c3d4e5f60718";
  static final String SESSION = "arn:aws:sts::111122223333:assumed-role/eks-node-role/" + INSTANCE;

  EvidencePipeline pipeline;
  StackEndpoints endpoints;
  JsonNode incident;

  @BeforeAll
  void runPipeline(StackEndpoints endpoints) throws Exception {
    this.endpoints = endpoints;
    Path bundle = Path.of(System.getProperty("strata.home", "..")).resolve("examples/demo-bundle").toAbsolutePath().normalize();
    pipeline = new EvidencePipeline(EvidencePipeline.Services.of(endpoints));
    pipeline.prepare();
    String parseGroup = pipeline.newGroupAtEndOfRawTopic("incident-it");
    String incidentGroup = groupAtEnd(Topics.NORMALIZED, "incident-it-incidents");
    pipeline.collect(bundle, CollectorOptions.defaults(), ProgressListener.NONE);
    pipeline.runJob(pipeline.jobConfig(true, parseGroup, ParseJobConfig.StartingOffsets.COMMITTED));
    IncidentJobConfig cfg = pipeline.incidentConfig(true, incidentGroup, Topics.NORMALIZED);
    pipeline.runIncidents(cfg);
    pipeline.send("POST", "/strata-*/_refresh", null);
    JsonNode hits = pipeline.send("POST", "/strata-incidents-*/_search",
        "{\"size\":10,\"query\":{\"bool\":{\"must\":[{\"term\":{\"entities.key\":\"shop/" + POD + "\"}},"
            + "{\"term\":{\"status\":\"OPEN\"}}]}}}").at("/hits/hits");
    assertThat(hits).as("one open incident on the web pod").hasSize(1);
    incident = hits.get(0).path("_source");
  }

  String groupAtEnd(String topic, String prefix) throws Exception {
    String group = prefix + "-" + UUID.randomUUID();
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrap());
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
      List<TopicPartition> tps = new ArrayList<>();
      c.partitionsFor(topic).forEach(i -> tps.add(new TopicPartition(topic, i.partition())));
      c.endOffsets(tps).forEach((tp, o) -> commit.put(tp, new OffsetAndMetadata(o)));
    }
    Map<String, Object> a = new HashMap<>();
    a.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrap());
    try (Admin admin = Admin.create(a)) {
      admin.alterConsumerGroupOffsets(group, commit).all().get();
    }
    return group;
  }

  @Test
  void theDemoIsOneIncidentWithItsOrderedTimeline() throws Exception {
    assertThat(incident.path("severity").asText()).isEqualTo("High");
    assertThat(incident.path("signals").asInt()).isEqualTo(6);
    List<String> entities = new ArrayList<>();
    incident.path("entities").forEach(e -> entities.add(e.path("type").asText() + ":" + e.path("key").asText()));
    assertThat(entities).contains("pod:shop/" + POD, "node:ip-10-0-1-23", "instance:" + INSTANCE, "principal:dev-alice",
        "session:" + SESSION, "ip:" + ATTACKER_IP, "cluster:prod-eks", "account:111122223333");
    List<String> stages = new ArrayList<>();
    incident.path("attack_path").forEach(s -> stages.add(s.path("stage").asText()));
    assertThat(stages).containsExactly("EXECUTION", "CREDENTIAL_ACCESS", "EXFILTRATION", "PERSISTENCE");

    String id = incident.path("incident_id").asText();
    JsonNode rows = pipeline.send("POST", "/strata-timeline-*/_search", "{\"size\":100,\"query\":{\"term\":{\"incident_id\":\""
        + id + "\"}},\"sort\":[{\"time\":\"asc\"},{\"event_id\":\"asc\"}]}").at("/hits/hits");
    List<String> signals = new ArrayList<>();
    for (JsonNode r : rows) if (r.at("/_source/signal").asBoolean()) signals.add(r.at("/_source/summary").asText());
    assertThat(signals).hasSize(6);
    assertThat(signals.get(0)).contains("dev-alice create pods/exec shop/" + POD);
    assertThat(signals.get(1)).contains("secrets");
    assertThat(signals.subList(2, 6)).satisfiesExactly(
        s -> assertThat(s).contains("GetCallerIdentity").contains(ATTACKER_IP),
        s -> assertThat(s).contains("ListBuckets"),
        s -> assertThat(s).contains("GetObject").contains("acme-customer-exports"),
        s -> assertThat(s).contains("CreateAccessKey").contains("AccessDenied"));
    assertThat(rows.size()).isEqualTo(incident.path("event_count").asInt());

    // the S3 copy of the newest revision
    IncidentArchive archive = new IncidentArchive(pipeline.store());
    Incident stored = archive.get(id, incident.path("revision").asInt());
    assertThat(stored.getSignals()).isEqualTo(6);
    assertThat(stored.getTimeline()).hasSize(incident.path("event_count").asInt());
  }

  @Test
  void reportRendersTheIncident(@TempDir Path out) throws Exception {
    String id = incident.path("incident_id").asText();
    List<Path> files = ReportCommand.write(endpoints.openSearchUrl(), id, out, "both");
    assertThat(files).hasSize(2);
    String html = Files.readString(out.resolve(id + ".html"), StandardCharsets.UTF_8);
    String md = Files.readString(out.resolve(id + ".md"), StandardCharsets.UTF_8);
    assertThat(html).startsWith("<!DOCTYPE html>").contains("<svg").doesNotContain("<script", "<link", " src=", "@import", "<iframe")
        .contains("dev-alice create pods/exec shop/" + POD).contains(ATTACKER_IP).contains("CreateAccessKey")
        .contains("artifacts/sha256/").contains("credential access").contains("node: ip-10-0-1-23");
    assertThat(html.indexOf("pods/exec")).isLessThan(html.indexOf("GetCallerIdentity"));
    assertThat(md).startsWith("# ").contains("| # | time (UTC) |").contains("GetCallerIdentity").contains("artifacts/sha256/")
        .contains("exfiltration");
    String list = ReportCommand.list(endpoints.openSearchUrl());
    assertThat(list).contains(id);
  }

  @Test
  void scopeOfTheAttackerIpIsExactlyTheInvolvedEntities() throws Exception {
    ObjectNode r = ScopeCommand.run(endpoints.openSearchUrl(), List.of(new Scope.Indicator("ip", ATTACKER_IP)));
    assertThat(r.path("events").asLong()).isEqualTo(4);
    assertThat(r.path("first_seen").asText()).startsWith("2026-11-20T10:05:03");
    assertThat(r.path("last_seen").asText()).startsWith("2026-11-20T10:06:02");
    assertThat(values(r, "accounts")).containsExactly("111122223333");
    assertThat(values(r, "instances")).containsExactly(INSTANCE);
    assertThat(values(r, "principals")).contains(SESSION)
        .allMatch(p -> p.contains("eks-node-role"), "the node role's session, nothing else");
    // with enrichment (strata correlate) the node's names may appear too; never anything else
    assertThat(values(r, "clusters")).isSubsetOf("prod-eks");
    assertThat(values(r, "nodes")).allMatch(n -> n.startsWith("ip-10-0-1-23"));
    assertThat(values(r, "pods")).isSubsetOf(POD);
    JsonNode ev = r.at("/entities/instances/0/evidence/0");
    assertThat(ev.path("artifact_sha256").asText()).matches("[0-9a-f]{64}");
    assertThat(ev.path("s3_key").asText()).isEqualTo("artifacts/sha256/" + ev.path("artifact_sha256").asText());
    assertThat(ev.path("origin").asText()).contains("CloudTrail");
    assertThat(r.path("incidents")).extracting(i -> i.path("incident_id").asText()).contains(incident.path("incident_id").asText());
    assertThat(Scope.table(r)).contains(INSTANCE).contains("incidents:");
    ObjectNode none = ScopeCommand.run(endpoints.openSearchUrl(), List.of(new Scope.Indicator("ip", "192.0.2.99")));
    assertThat(none.path("events").asLong()).isZero();
    assertThat(Scope.table(none)).contains("nothing matches");
  }

  static List<String> values(JsonNode r, String dim) {
    List<String> out = new ArrayList<>();
    r.path("entities").path(dim).forEach(e -> out.add(e.path("value").asText()));
    return out;
  }
}
