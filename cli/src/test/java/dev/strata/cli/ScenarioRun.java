package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.infra.StackEndpoints;
import dev.strata.infra.Topics;
import dev.strata.ingest.CollectorOptions;
import dev.strata.ingest.ProgressListener;
import dev.strata.ingest.checkpoint.CheckpointedPublisher;
import dev.strata.ingest.s3.S3Clients;
import dev.strata.ingest.s3.S3Puller;
import dev.strata.ingest.s3.S3Source;
import dev.strata.job.ParseJobConfig;
import dev.strata.schema.AvroCodec;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.sink.s3.S3EvidenceStore;
import dev.strata.sink.s3.S3EvidenceStoreConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * One bounded run of every job over what a scenario test adds to the shared stack: collect, parse, correlate,
 * incidents, then an index refresh. Each job's consumer group starts at the end of its input topic, so a run reads
 * only what it adds (the stack is shared with the other tests).
 */
final class ScenarioRun {
  private ScenarioRun() {}

  /** The project's root (the {@code strata.home} system property the build sets, else the parent directory). */
  static Path home() {
    return Path.of(System.getProperty("strata.home", "..")).toAbsolutePath().normalize();
  }

  /** The incidents (search hits) that hold the entity {@code key}, only the open ones when {@code openOnly}. */
  static JsonNode incidentsWith(EvidencePipeline pipeline, String key, boolean openOnly) throws Exception {
    String entity = "{\"term\":{\"entities.key\":\"" + key + "\"}}";
    String query = openOnly
        ? "{\"bool\":{\"must\":[" + entity + ",{\"term\":{\"status\":\"OPEN\"}}]}}"
        : entity;
    return pipeline.send("POST", "/strata-incidents-*/_search", "{\"size\":10,\"query\":" + query + "}")
        .at("/hits/hits");
  }

  /** An incident's report as {@code strata report} writes it: the HTML page and the Markdown. */
  record Report(String html, String md) {}

  /** Writes the incident's report (both forms) into {@code out} and reads it back. */
  static Report report(StackEndpoints endpoints, JsonNode incident, Path out) throws Exception {
    String id = incident.path("incident_id").asText();
    ReportCommand.write(endpoints.openSearchUrl(), id, out, "both");
    return new Report(Files.readString(out.resolve(id + ".html"), StandardCharsets.UTF_8),
        Files.readString(out.resolve(id + ".md"), StandardCharsets.UTF_8));
  }

  /** Runs the pipeline over {@code evidence}; returns the collection's run id. */
  static String run(EvidencePipeline pipeline, StackEndpoints endpoints, String name, Path evidence,
      CollectorOptions options) throws Exception {
    return runWithLateEvidence(pipeline, endpoints, name, evidence, null, options);
  }

  /** One root collected with its own options (a mounted disk image: its host, cluster, account and instance). */
  record Collection(Path root, CollectorOptions options) {}

  /**
   * Runs the pipeline over several roots collected one after the other (a bundle of exports and a node's mounted disk
   * image, each collected as its own root as a responder does), then parse, correlate and incidents once over them.
   */
  static void runCollections(EvidencePipeline pipeline, StackEndpoints endpoints, String name, List<Collection> roots)
      throws Exception {
    runCollected(pipeline, endpoints, name, p -> {
      for (Collection c : roots) p.collect(c.root(), c.options(), ProgressListener.NONE);
    });
  }

  /** What a scenario puts into the raw topic before the jobs run: collections, pulls from a bucket. */
  interface Collect {
    void into(EvidencePipeline pipeline) throws Exception;
  }

  /**
   * Runs the pipeline over what {@code collect} publishes: each job's consumer group starts at the end of its input
   * topic first, then the evidence is collected, parsed, correlated and grouped once, and the indices refreshed.
   */
  static void runCollected(EvidencePipeline pipeline, StackEndpoints endpoints, String name, Collect collect)
      throws Exception {
    pipeline.prepare();
    String parseGroup = pipeline.newGroupAtEndOfRawTopic(name);
    String correlateGroup = IncidentPipelineIT.groupAtEnd(endpoints.kafkaBootstrap(), Topics.NORMALIZED,
        name + "-correlate");
    String incidentGroup = IncidentPipelineIT.groupAtEnd(endpoints.kafkaBootstrap(), Topics.ENRICHED,
        name + "-incidents");
    collect.into(pipeline);
    pipeline.runJob(pipeline.jobConfig(true, parseGroup, ParseJobConfig.StartingOffsets.COMMITTED));
    var correlate = pipeline.correlateConfig(true, correlateGroup);
    pipeline.runCorrelate(correlate);
    pipeline.runIncidents(pipeline.incidentConfig(true, incidentGroup, correlate.enrichedTopic()));
    pipeline.send("POST", "/strata-*/_refresh", null);
  }

  /**
   * Puts the files below {@code objects} into a new bucket of the embedded S3 server (named {@code bucketPrefix} and a
   * random suffix; each file's key is its path below {@code objects}) and pulls it as {@code strata pull-s3 --once}
   * does: the objects of {@code accounts} (of organization {@code org}, may be null) under the trails' and flow logs'
   * layouts and {@code prefixes}, collected with {@code collector}.
   */
  static S3Puller.Summary pullFromBucket(EvidencePipeline pipeline, StackEndpoints endpoints, Path objects,
      String bucketPrefix, List<String> accounts, String org, List<String> prefixes, CollectorOptions collector)
      throws Exception {
    String bucket = bucketPrefix + java.util.UUID.randomUUID().toString().substring(0, 8);
    S3EvidenceStoreConfig cfg = S3EvidenceStoreConfig.of(endpoints.s3Endpoint(), endpoints.s3Region(),
        endpoints.evidenceBucket(), endpoints.s3AccessKey(), endpoints.s3SecretKey());
    try (S3Client s3 = S3EvidenceStore.newClient(cfg); var files = Files.walk(objects)) {
      s3.createBucket(b -> b.bucket(bucket));
      for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile).sorted()::iterator) {
        String key = objects.relativize(f).toString().replace('\\', '/');
        s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromFile(f));
      }
    }
    S3Source source = new S3Source(bucket, accounts, org, null, prefixes, endpoints.s3Region(), null, null,
        endpoints.s3Endpoint(), endpoints.s3AccessKey(), new S3Source.Secret(endpoints.s3SecretKey()));
    S3Puller.Options options = S3Puller.Options.defaults(Files.createTempDirectory("strata-" + bucketPrefix + "spool-"))
        .withOnce(true).withCollector(collector);
    try (CheckpointedPublisher publisher = CheckpointedPublisher.open(endpoints.kafkaBootstrap(), Map.of(),
        "scenario-" + bucket)) {
      return new S3Puller(List.of(source), S3Clients::create, publisher, EvidencePipeline.preserver(pipeline.store()),
          options, null).run();
    }
  }

  /**
   * Runs the pipeline over {@code evidence}, then over {@code late}: evidence that arrives after the rest was
   * correlated, as a streaming deployment sees it. The correlation job resolves the first collection without the late
   * evidence, then both again (the bounded jobs keep no state from one run to the next, so the second run reads both
   * collections: what the late evidence changes comes out as the events' newer enrichment); one incident job then
   * reads what both correlation runs wrote, in order, flushing after every event that changed something: it groups
   * the first answers and then gets the newer ones. Returns the first collection's run id.
   */
  static String runWithLateEvidence(EvidencePipeline pipeline, StackEndpoints endpoints, String name, Path evidence,
      Path late, CollectorOptions options) throws Exception {
    return runWithLateEvidence(pipeline, endpoints, name, evidence, late, options,
        dev.strata.job.incident.IncidentSettings.defaults());
  }

  /** {@link #runWithLateEvidence(EvidencePipeline, StackEndpoints, String, Path, Path, CollectorOptions)} with the
   * incident job's settings (a scenario's {@code incident.known_accounts}). */
  static String runWithLateEvidence(EvidencePipeline pipeline, StackEndpoints endpoints, String name, Path evidence,
      Path late, CollectorOptions options, dev.strata.job.incident.IncidentSettings settings) throws Exception {
    pipeline.prepare();
    String parseGroup = pipeline.newGroupAtEndOfRawTopic(name);
    String correlateGroup = IncidentPipelineIT.groupAtEnd(endpoints.kafkaBootstrap(), Topics.NORMALIZED,
        name + "-correlate");
    String lateCorrelateGroup = late == null ? null
        : IncidentPipelineIT.groupAtEnd(endpoints.kafkaBootstrap(), Topics.NORMALIZED, name + "-correlate-late");
    String incidentGroup = IncidentPipelineIT.groupAtEnd(endpoints.kafkaBootstrap(), Topics.ENRICHED,
        name + "-incidents");
    String runId = pipeline.collect(evidence, options, ProgressListener.NONE).runId();
    pipeline.runJob(pipeline.jobConfig(true, parseGroup, ParseJobConfig.StartingOffsets.COMMITTED));
    var correlate = pipeline.correlateConfig(true, correlateGroup);
    pipeline.runCorrelate(correlate);
    var incidents = pipeline.incidentConfig(true, incidentGroup, correlate.enrichedTopic(), settings);
    if (late != null) {
      pipeline.collect(late, options, ProgressListener.NONE);
      pipeline.runJob(pipeline.jobConfig(true, parseGroup, ParseJobConfig.StartingOffsets.COMMITTED));
      pipeline.runCorrelate(pipeline.correlateConfig(true, lateCorrelateGroup));
      incidents = incidents.withFlushInterval(java.time.Duration.ZERO);
    }
    pipeline.runIncidents(incidents);
    pipeline.send("POST", "/strata-*/_refresh", null);
    return runId;
  }

  /** The incident's timeline rows' event ids, only the signals' when {@code signalsOnly}. */
  static java.util.Set<String> timelineIds(EvidencePipeline pipeline, JsonNode incident, boolean signalsOnly)
      throws Exception {
    java.util.Set<String> ids = new java.util.HashSet<>();
    for (JsonNode r : timeline(pipeline, incident)) {
      if (!signalsOnly || r.at("/_source/signal").asBoolean()) ids.add(r.at("/_source/event_id").asText());
    }
    return ids;
  }

  /** An incident's entities as {@code type:key}. */
  static List<String> entities(JsonNode incident) {
    List<String> out = new ArrayList<>();
    incident.path("entities").forEach(e -> out.add(e.path("type").asText() + ":" + e.path("key").asText()));
    return out;
  }

  /**
   * The incident's timeline rows (strata-timeline), after checking that they are all of it, in time order, each with
   * its lineage (the preserved artifact and its path).
   */
  static JsonNode timeline(EvidencePipeline pipeline, JsonNode incident) throws Exception {
    JsonNode rows = pipeline.send("POST", "/strata-timeline-*/_search", "{\"size\":1000,\"query\":{\"term\":"
        + "{\"incident_id\":\"" + incident.path("incident_id").asText() + "\"}},\"sort\":[{\"time\":\"asc\"},"
        + "{\"event_id\":\"asc\"}]}").at("/hits/hits");
    assertThat(rows.size()).as("every row").isEqualTo(incident.path("event_count").asInt());
    String previous = "";
    for (JsonNode r : rows) {
      JsonNode s = r.path("_source");
      assertThat(s.path("time").asText()).as("ordered").isGreaterThanOrEqualTo(previous);
      previous = s.path("time").asText();
      assertThat(s.path("artifact_sha256").asText()).as("lineage of " + s.path("summary").asText())
          .matches("[0-9a-f]{64}");
      assertThat(s.path("origin").asText()).as("lineage of " + s.path("summary").asText()).isNotEmpty();
    }
    return rows;
  }

  /**
   * Writes what a scenario run produced to {@code to}, for a person reading why an assertion failed: {@code header}
   * (may be empty), each event of collection {@code runId} on one line (time, format, class, activity, container, pod,
   * host, account, addresses, image digest, file | enrichment | message), the incidents of each account's tenant, the
   * incident's timeline rows (when {@code incident} is given) and the run's dead letters.
   */
  static void dump(EvidencePipeline pipeline, String runId, JsonNode incident, List<String> accounts, String header,
      Path to) throws Exception {
    StringBuilder b = new StringBuilder(header);
    for (JsonNode h : search(pipeline, runId, "*")) {
      JsonNode s = h.path("_source");
      b.append(s.path("time").asText()).append(' ').append(s.path("source_format").asText()).append(' ')
          .append(s.path("class_uid").asText()).append(' ').append(s.path("activity_name").asText());
      field(b, "ctr", s.at("/container/uid"));
      field(b, "pod", s.at("/kubernetes/pod_name"));
      field(b, "host", s.at("/device/hostname"));
      field(b, "acct", s.at("/cloud/account_uid"));
      field(b, "src", s.at("/src_endpoint/ip"));
      field(b, "dst", s.at("/dst_endpoint/ip"));
      field(b, "img", s.at("/container/image_digest"));
      field(b, "file", s.at("/file/path"));
      b.append(" | ").append(s.path("enrichment")).append(" | ").append(s.path("message").asText()).append('\n');
    }
    for (String acct : accounts) {
      for (JsonNode h : pipeline.send("POST", "/strata-incidents-*/_search",
          "{\"size\":50,\"query\":{\"wildcard\":{\"tenant\":\"*" + acct + "*\"}}}").at("/hits/hits")) {
        b.append("INCIDENT ").append(h.path("_source")).append('\n');
      }
    }
    if (incident != null) {
      for (JsonNode r : timeline(pipeline, incident)) b.append("ROW ").append(r.path("_source")).append('\n');
    }
    for (JsonNode d : deadLetters(pipeline, runId)) b.append("DEAD ").append(d.path("_source")).append('\n');
    // the bindings of the accounts (every binding an event's enrichment names is among them; other scenarios' are not)
    for (JsonNode h : pipeline.send("POST", "/strata-bindings-*/_search",
        "{\"size\":10000,\"sort\":[{\"kind\":\"asc\"},{\"valid_from\":\"asc\"}]}").at("/hits/hits")) {
      String src = h.path("_source").toString();
      if (accounts.stream().anyMatch(src::contains)) b.append("BINDING ").append(h.path("_id").asText()).append(' ').append(src).append('\n');
    }
    Files.writeString(to, b.toString());
  }

  /** A scenario IT whose run can be written out for a person reading a failure (most call {@link ScenarioRun#dump}). */
  interface Dumps {
    /** Writes what the run produced to {@code to} (the run may have stopped part way: whatever it got to). */
    void dump(Path to) throws Exception;
  }

  /**
   * Writes a scenario IT's run ({@link Dumps#dump}) into {@code target/failsafe-reports/<IT>-dump.txt} when one of its
   * tests failed or its run itself did, and after every run with {@code -Dstrata.scenario.dump=true}: a failure in
   * CI, where the run's stack is gone, can be read afterwards (an attribution that depends on arrival order fails in
   * one run of many). Registered with {@code @ExtendWith} on a {@code PER_CLASS} test class that implements
   * {@link Dumps}; a dump that fails is reported on stderr and never hides the test's own failure.
   */
  static final class DumpOnFailure implements TestWatcher, AfterAllCallback {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(DumpOnFailure.class);

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
      context.getParent().ifPresent(c -> c.getStore(NS).put("failed", Boolean.TRUE));
    }

    @Override
    public void afterAll(ExtensionContext context) {
      boolean failed = context.getStore(NS).get("failed") != null || context.getExecutionException().isPresent();
      if (!failed && !Boolean.getBoolean("strata.scenario.dump")) return;
      if (!(context.getTestInstance().orElse(null) instanceof Dumps run)) return;
      Path to = dumpFile(context.getRequiredTestClass());
      try {
        Files.createDirectories(to.getParent());
        run.dump(to);
        System.err.println("scenario run written to " + to.toAbsolutePath());
      } catch (Exception | AssertionError e) {
        System.err.println("could not write the scenario run to " + to + ": " + e);
      }
    }

    /** Where a run's dump goes: beside the failsafe reports of the module. */
    static Path dumpFile(Class<?> test) {
      return Path.of("target", "failsafe-reports", test.getSimpleName() + "-dump.txt");
    }
  }

  private static void field(StringBuilder b, String name, JsonNode v) {
    if (!v.isMissingNode() && !v.isNull() && !v.asText().isEmpty()) b.append(' ').append(name).append('=').append(v.asText());
  }

  /** An event as a failed attribution names it: format, activity, time and message on one line. */
  static String what(JsonNode ev) {
    return ev.path("source_format").asText() + " " + ev.path("activity_name").asText() + " " + ev.path("time").asText()
        + " " + ev.path("message").asText("").replaceAll("\\s+", " ");
  }

  /**
   * A workload's known answer: the enrichment every event of it must get ({@code pod} as namespace/name; a null part
   * is not checked, e.g. the instance of a node no inventory names).
   */
  record Workload(String pod, String node, String instance, String cluster, String serviceAccount, String role) {
    /** Checks {@code ev}'s enrichment, and its container and image digest when {@code container} is not null. */
    void expect(JsonNode ev, List<String> wrong, String container, String digest) {
      JsonNode e = ev.path("enrichment");
      String what = what(ev);
      check(wrong, what, "pod", e.path("namespace").asText() + "/" + e.path("pod_name").asText(), pod);
      if (container != null) {
        check(wrong, what, "container", e.path("container_uid").asText(), container);
        check(wrong, what, "image", e.path("image_digest").asText(), digest);
      }
      if (node != null) check(wrong, what, "node", e.path("node_name").asText(), node);
      if (instance != null) check(wrong, what, "instance", e.path("instance_uid").asText(), instance);
      if (cluster != null) check(wrong, what, "cluster", e.path("cluster").asText(), cluster);
      if (serviceAccount != null) check(wrong, what, "service account", e.path("service_account").asText(), serviceAccount);
      if (role != null) check(wrong, what, "role", e.path("iam_role").asText(), role);
    }
  }

  /** A failed attribution, collected so a test lists every wrong answer at once: {@code what: field = 'got', want x}. */
  static void check(List<String> wrong, String what, String field, String got, String want) {
    if (!want.equals(got)) wrong.add(what + ": " + field + " = '" + got + "', want " + want);
  }

  /** The dead letters of one collection run (its {@code lineage.collector_run_id}). */
  static JsonNode deadLetters(EvidencePipeline pipeline, String runId) throws Exception {
    return pipeline.send("POST", "/strata-deadletters-*/_search", "{\"size\":50,\"query\":{\"query_string\":{\"query\":"
        + "\"lineage.collector_run_id:\\\"" + runId + "\\\"\"}}}").at("/hits/hits");
  }

  /** The events of collection {@code runId} matching a query_string query, in time order. */
  static JsonNode search(EvidencePipeline pipeline, String runId, String query) throws Exception {
    String q = "(" + query + ") AND lineage.collector_run_id:\"" + runId + "\"";
    return pipeline.send("POST", "/" + dev.strata.sink.opensearch.IndexTemplates.EVENTS_INDEX + "/_search",
        "{\"size\":1000,\"sort\":[{\"time\":\"asc\"}],\"query\":{\"query_string\":{\"query\":\""
            + q.replace("\\", "\\\\").replace("\"", "\\\"") + "\"}}}").at("/hits/hits");
  }

  /**
   * The records of {@code ids} on the enriched topic (committed ones), each partition in its order: every revision
   * every correlation run emitted.
   */
  static List<EvidenceEvent> enriched(StackEndpoints endpoints, java.util.Set<String> ids) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrap());
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    var codec = AvroCodec.of(EvidenceEvent.class);
    List<EvidenceEvent> out = new ArrayList<>();
    List<TopicPartition> tps = new ArrayList<>();
    Map<TopicPartition, Long> end;
    try (KafkaConsumer<byte[], byte[]> hw = new KafkaConsumer<>(p)) {
      hw.partitionsFor(Topics.ENRICHED).forEach(i -> tps.add(new TopicPartition(Topics.ENRICHED, i.partition())));
      end = hw.endOffsets(tps);
    }
    // read_committed up to the high watermark, not to the stable offset: the jobs ended, but their last commit
    // markers may not be written yet (see KafkaTestSupport.readAll in processing/jobs)
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
      c.assign(tps);
      c.seekToBeginning(tps);
      while (tps.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
        assertThat(System.nanoTime()).as("read " + Topics.ENRICHED + " to " + end).isLessThan(deadline);
        for (var r : c.poll(Duration.ofMillis(200))) {
          if (ids.contains(new String(r.key(), StandardCharsets.UTF_8))) out.add(codec.decode(r.value()));
        }
      }
    }
    return out;
  }
}
