package dev.strata.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.infra.StackEndpoints;
import dev.strata.infra.Topics;
import dev.strata.ingest.CollectionReport;
import dev.strata.ingest.CollectorOptions;
import dev.strata.ingest.FileCollector;
import dev.strata.ingest.ProgressListener;
import dev.strata.ingest.publish.ChunkPublisher;
import dev.strata.ingest.publish.KafkaChunkPublisher;
import dev.strata.schema.raw.ArtifactManifest;
import dev.strata.sink.opensearch.ArtifactDocuments;
import dev.strata.sink.opensearch.BulkLoader;
import dev.strata.job.ParseJob;
import dev.strata.job.ParseJobConfig;
import dev.strata.job.ParseJobResult;
import dev.strata.sink.opensearch.IndexTemplates;
import dev.strata.sink.opensearch.OpenSearchSinkConfig;
import dev.strata.sink.s3.S3EvidenceStore;
import dev.strata.sink.s3.S3EvidenceStoreConfig;
import java.io.IOException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The whole flow on a set of services: prepare (topics, bucket, index templates), collect evidence into Kafka with S3
 * preservation, run the parse job, and read back what landed. Used by {@code strata demo}, {@code strata collect},
 * {@code strata job} and the end-to-end tests, so they all exercise the same code.
 */
public final class EvidencePipeline implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Where the services are. {@code openSearchUrl} or {@code s3} may be null (that part is then skipped). */
  public record Services(String kafkaBootstrap, Map<String, String> kafkaProperties, String openSearchUrl, S3EvidenceStoreConfig s3) {
    public static Services of(StackEndpoints e) {
      S3EvidenceStoreConfig s3 =
          e.s3Endpoint() == null
              ? null
              : S3EvidenceStoreConfig.of(e.s3Endpoint(), e.s3Region(), e.evidenceBucket(), e.s3AccessKey(), e.s3SecretKey());
      return new Services(e.kafkaBootstrap(), Map.of(), e.openSearchUrl(), s3);
    }

    public static Services of(StrataSettings s) {
      S3EvidenceStoreConfig s3 = s.s3Endpoint() != null || s.s3AccessKey() != null ? s3Config(s) : null;
      return new Services(s.requireKafka(), s.kafkaProperties(), s.openSearchUrl(), s3);
    }

    /** The evidence store configured by the settings (endpoint, region, bucket, credentials). */
    public static S3EvidenceStoreConfig s3Config(StrataSettings s) {
      var b = S3EvidenceStoreConfig.builder().region(s.s3Region()).bucket(s.s3Bucket());
      if (s.s3Endpoint() != null) b.endpoint(s.s3Endpoint()).pathStyle(true);
      if (s.s3AccessKey() != null) b.credentials(s.s3AccessKey(), s.s3SecretKey() == null ? null : s.s3SecretKey().value());
      return b.build();
    }
  }

  /** Documents per index, per source format, and the evidence objects stored. */
  public record Landed(Map<String, Long> indexDocCounts, Map<String, Long> eventsBySource, Map<String, Long> deadLettersBySource,
      Map<String, Long> deadLettersByReason, List<S3Object> evidenceObjects) {}

  private final Services services;
  private final S3EvidenceStore store;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  public EvidencePipeline(Services services) {
    this.services = services;
    this.store = services.s3() == null ? null : S3EvidenceStore.create(services.s3());
  }

  public Services services() {
    return services;
  }

  public S3EvidenceStore store() {
    if (store == null) throw new IllegalStateException("no S3 evidence store configured (set STRATA_S3_ENDPOINT or s3.* in the config)");
    return store;
  }

  /** Topics, bucket and index templates: idempotent. */
  public void prepare() throws IOException {
    Topics.ensure(services.kafkaBootstrap(), Topics.DEFAULT_PARTITIONS);
    if (store != null) store.ensureBucket();
    if (services.openSearchUrl() != null) IndexTemplates.installAndCreate(openSearchConfig());
  }

  public OpenSearchSinkConfig openSearchConfig() {
    return OpenSearchSinkConfig.of(services.openSearchUrl());
  }

  /**
   * Collects one evidence root (or file) into Kafka, preserving every artifact in S3 first; with OpenSearch
   * configured, the chain-of-custody manifests are also indexed ({@code strata-artifacts-v1}, id = artifact + sighting)
   * so analysts can search what was collected, from where, by whom.
   */
  public CollectionReport collect(Path evidence, CollectorOptions options, ProgressListener progress) throws IOException {
    List<ArtifactManifest> manifests = new ArrayList<>();
    CollectionReport report;
    try (KafkaChunkPublisher kafka = KafkaChunkPublisher.create(services.kafkaBootstrap(), services.kafkaProperties())) {
      ChunkPublisher publisher = new ChunkPublisher() {
        @Override
        public void publish(dev.strata.schema.raw.RawArtifactChunk chunk) {
          kafka.publish(chunk);
        }

        @Override
        public void publishManifest(ArtifactManifest manifest) {
          kafka.publishManifest(manifest);
          manifests.add(manifest);
        }

        @Override
        public long flush() {
          return kafka.flush();
        }

        @Override
        public void close() {}
      };
      report = java.nio.file.Files.isDirectory(evidence)
          ? FileCollector.collect(evidence, options, publisher, preserver(), progress)
          : FileCollector.collectFile(evidence, options, publisher, preserver(), progress);
    }
    if (services.openSearchUrl() != null && !manifests.isEmpty()) {
      try (BulkLoader loader = new BulkLoader(openSearchConfig())) {
        loader.load(manifests, ArtifactDocuments.DEFAULT);
      }
    }
    return report;
  }

  private dev.strata.ingest.EvidencePreserver preserver() {
    if (store == null) return dev.strata.ingest.EvidencePreserver.NONE;
    return preserver(store);
  }

  /**
   * Preserves artifacts in {@code store}, with the origin metadata their format needs (a CloudTrail digest's S3
   * metadata signature, which {@code verify-trail --evidence-store} reads back).
   */
  static dev.strata.ingest.EvidencePreserver preserver(S3EvidenceStore store) {
    return new dev.strata.ingest.EvidencePreserver() {
      @Override
      public String preserve(dev.strata.schema.raw.ArtifactManifest manifest, Path file) throws IOException {
        return store.store(manifest, file).storageUri();
      }

      @Override
      public String preserve(dev.strata.schema.raw.ArtifactManifest manifest, Path file,
          Map<String, String> originMetadata) throws IOException {
        return store.store(manifest, file, originMetadata).storageUri();
      }
    };
  }

  /**
   * A new consumer group whose committed offsets are the current end of the raw topic: a job started with it (and
   * {@link ParseJobConfig.StartingOffsets#COMMITTED}) processes only what is collected from now on, not the evidence
   * of earlier runs that the topic still holds.
   */
  public String newGroupAtEndOfRawTopic(String prefix) throws Exception {
    String group = prefix + "-" + UUID.randomUUID();
    Map<String, Object> props = new java.util.HashMap<>(services.kafkaProperties());
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, services.kafkaBootstrap());
    try (Admin admin = Admin.create(props)) {
      Map<TopicPartition, OffsetAndMetadata> commit = new java.util.HashMap<>();
      endOffsets(admin).forEach((tp, offset) -> commit.put(tp, new OffsetAndMetadata(offset)));
      admin.alterConsumerGroupOffsets(group, commit).all().get();
    }
    return group;
  }

  /** A job configuration for these services; {@code bounded} stops at the offsets present at start. */
  public ParseJobConfig jobConfig(boolean bounded, String groupId) {
    return jobConfig(bounded, groupId, ParseJobConfig.StartingOffsets.EARLIEST);
  }

  /** As above, starting from {@code start} (COMMITTED with a group from {@link #newGroupAtEndOfRawTopic}). */
  public ParseJobConfig jobConfig(boolean bounded, String groupId, ParseJobConfig.StartingOffsets start) {
    var b = ParseJobConfig.builder(services.kafkaBootstrap()).bounded(bounded)
        .groupId(groupId == null ? "strata-parse-" + UUID.randomUUID() : groupId)
        .startingOffsets(start)
        .kafkaProperties(services.kafkaProperties());
    if (bounded) {
      // A bounded exactly-once run ends with its final checkpoint: a short interval ends it promptly.
      b.checkpointInterval(Duration.ofSeconds(1));
    }
    if (services.openSearchUrl() != null) b.openSearch(openSearchConfig());
    return b.build();
  }

  /**
   * The correlation job's configuration for these services: reads evidence.normalized.v1 from the beginning (a new
   * group each time unless {@code groupId} is given), writes evidence.enriched.v1, evidence.bindings.v1 and, with
   * OpenSearch, the events index (versioned by enrichment revision) and strata-bindings-v1; with S3, the binding
   * facts to the evidence bucket (bindings/yyyy/mm/dd/&lt;sha256&gt;.jsonl).
   */
  public dev.strata.job.CorrelateJobConfig correlateConfig(boolean bounded, String groupId) {
    String group = groupId == null ? "strata-correlate-" + UUID.randomUUID() : groupId;
    return dev.strata.job.CorrelateJobConfig.of(jobConfig(bounded, group, ParseJobConfig.StartingOffsets.COMMITTED))
        .withArchive(services.s3());
  }

  /** Runs the correlation job ({@link dev.strata.job.CorrelateJob#run}) until it ends (bounded) or is cancelled. */
  public org.apache.flink.api.common.JobExecutionResult runCorrelate(dev.strata.job.CorrelateJobConfig config)
      throws Exception {
    if (config.common().bounded()) awaitDecided(config.common().normalizedTopic(), TRANSACTIONS_DECIDED);
    return dev.strata.job.CorrelateJob.run(config);
  }

  /** How long a bounded job waits for the transactions of the job before it to be decided (see {@link #awaitDecided}). */
  static final Duration TRANSACTIONS_DECIDED = Duration.ofSeconds(30);

  /**
   * Waits, up to {@code timeout}, until every transaction on {@code topic} is decided (its last stable offsets are its
   * end offsets). A bounded job reads {@code read_committed} up to the last stable offset, and the exactly-once job
   * that wrote the topic returns once its last transaction is committed, not once the broker has written the commit
   * markers: the next bounded job, started in that gap, ends before the whole last transaction (seen on the embedded
   * stack: a fresh run's incident job read nothing of what the correlation job had just written). After the timeout
   * (someone else's transaction still open) the job starts anyway.
   */
  void awaitDecided(String topic, Duration timeout) throws Exception {
    Map<String, Object> props = new java.util.HashMap<>(services.kafkaProperties());
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, services.kafkaBootstrap());
    try (Admin admin = Admin.create(props)) {
      var partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions();
      Map<TopicPartition, OffsetSpec> latest = new java.util.HashMap<>();
      partitions.forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
      long deadline = System.nanoTime() + timeout.toNanos();
      while (true) {
        Map<TopicPartition, Long> stable = new java.util.HashMap<>();
        admin.listOffsets(latest, new org.apache.kafka.clients.admin.ListOffsetsOptions(
                org.apache.kafka.common.IsolationLevel.READ_COMMITTED)).all().get()
            .forEach((tp, info) -> stable.put(tp, info.offset()));
        Map<TopicPartition, Long> end = new java.util.HashMap<>();
        admin.listOffsets(latest).all().get().forEach((tp, info) -> end.put(tp, info.offset()));
        if (stable.equals(end) || System.nanoTime() > deadline) return;
        Thread.sleep(50);
      }
    }
  }

  /**
   * The incident job's configuration for these services: reads {@code inputTopic} from the beginning (a new group each
   * time unless {@code groupId} is given), flushes every second; OpenSearch and S3 outputs when configured.
   */
  public dev.strata.job.incident.IncidentJobConfig incidentConfig(boolean bounded, String groupId, String inputTopic) {
    return incidentConfig(bounded, groupId, inputTopic, dev.strata.job.incident.IncidentSettings.defaults());
  }

  /** The same with these grouping settings (Sigma rules ...). */
  public dev.strata.job.incident.IncidentJobConfig incidentConfig(boolean bounded, String groupId, String inputTopic,
      dev.strata.job.incident.IncidentSettings settings) {
    ParseJobConfig base = jobConfig(bounded, groupId == null ? "strata-incident-" + UUID.randomUUID() : groupId,
        ParseJobConfig.StartingOffsets.COMMITTED);
    var b = dev.strata.job.incident.IncidentJobConfig.builder(base.kafkaBootstrap()).groupId(base.groupId())
        .inputTopic(inputTopic).bounded(bounded).checkpointInterval(base.checkpointInterval())
        .startingOffsets(ParseJobConfig.StartingOffsets.COMMITTED).openSearch(base.openSearch()).s3(services.s3())
        .settings(settings);
    base.kafkaProperties().forEach(b::kafkaProperty);
    base.flinkProperties().forEach(b::flinkProperty);
    return b.build();
  }

  /** Runs the incident job until it ends (bounded) or is cancelled. */
  public org.apache.flink.api.common.JobExecutionResult runIncidents(dev.strata.job.incident.IncidentJobConfig config)
      throws Exception {
    if (config.bounded()) awaitDecided(config.inputTopic(), TRANSACTIONS_DECIDED);
    return dev.strata.job.incident.IncidentJob.run(config);
  }

  public ParseJobResult runJob(ParseJobConfig config) throws Exception {
    return ParseJob.run(config);
  }

  /**
   * Runs the job and reports progress every {@code interval}: the raw-topic records the job's consumer group has
   * committed (on each checkpoint) against the topic's end offsets.
   */
  public ParseJobResult runJob(ParseJobConfig config, Duration interval, java.util.function.Consumer<String> progress)
      throws Exception {
    Map<String, Object> props = new java.util.HashMap<>(services.kafkaProperties());
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, services.kafkaBootstrap());
    var timer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "strata-job-progress");
      t.setDaemon(true);
      return t;
    });
    try (Admin admin = Admin.create(props)) {
      Map<TopicPartition, Long> start = committedOffsets(admin, config.groupId());
      long t0 = System.nanoTime();
      timer.scheduleAtFixedRate(() -> {
        try {
          Map<TopicPartition, Long> ends = endOffsets(admin);
          Map<TopicPartition, Long> now = committedOffsets(admin, config.groupId());
          long total = 0;
          long done = 0;
          for (var e : ends.entrySet()) {
            long from = start.getOrDefault(e.getKey(), 0L);
            total += Math.max(0, e.getValue() - from);
            done += Math.max(0, now.getOrDefault(e.getKey(), from) - from);
          }
          progress.accept(String.format("  parse job: %d of %d raw chunks done (%.0f s)", done, total,
              (System.nanoTime() - t0) / 1e9));
        } catch (Exception e) {
          // progress is best effort; the job's own result is what counts
        }
      }, interval.toMillis(), interval.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
      return ParseJob.run(config);
    } finally {
      timer.shutdownNow();
    }
  }

  private static Map<TopicPartition, Long> committedOffsets(Admin admin, String group) throws Exception {
    Map<TopicPartition, Long> out = new java.util.HashMap<>();
    admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get()
        .forEach((tp, om) -> { if (om != null && tp.topic().equals(Topics.RAW)) out.put(tp, om.offset()); });
    return out;
  }

  private static Map<TopicPartition, Long> endOffsets(Admin admin) throws Exception {
    var partitions = admin.describeTopics(List.of(Topics.RAW)).allTopicNames().get().get(Topics.RAW).partitions();
    Map<TopicPartition, OffsetSpec> latest = new java.util.HashMap<>();
    partitions.forEach(p -> latest.put(new TopicPartition(Topics.RAW, p.partition()), OffsetSpec.latest()));
    Map<TopicPartition, Long> out = new java.util.HashMap<>();
    admin.listOffsets(latest).all().get().forEach((tp, info) -> out.put(tp, info.offset()));
    return out;
  }

  /** Reads back what landed: OpenSearch counts (after a refresh) and the evidence objects in S3. */
  public Landed landed() throws IOException {
    Map<String, Long> indices = new TreeMap<>();
    Map<String, Long> bySource = new TreeMap<>();
    Map<String, Long> byReason = new TreeMap<>();
    Map<String, Long> dlBySource = new TreeMap<>();
    if (services.openSearchUrl() != null) {
      send("POST", "/strata-*/_refresh", null);
      for (JsonNode idx : send("GET", "/_cat/indices/strata-*?format=json&h=index,docs.count", null)) {
        indices.put(idx.path("index").asText(), idx.path("docs.count").asLong());
      }
      bySource = terms(IndexTemplates.EVENTS_INDEX, "source_format");
      byReason = terms(IndexTemplates.DEAD_LETTERS_INDEX, "reason");
      dlBySource = terms(IndexTemplates.DEAD_LETTERS_INDEX, "source_type");
    }
    List<S3Object> objects = store == null ? List.of() : store.listArtifacts();
    return new Landed(indices, bySource, dlBySource, byReason, objects);
  }

  private Map<String, Long> terms(String index, String field) throws IOException {
    Map<String, Long> out = new LinkedHashMap<>();
    JsonNode r = send("POST", "/" + index + "/_search",
        "{\"size\":0,\"aggs\":{\"t\":{\"terms\":{\"field\":\"" + field + "\",\"size\":100}}}}");
    for (JsonNode b : r.path("aggregations").path("t").path("buckets")) {
      out.put(b.path("key").asText(), b.path("doc_count").asLong());
    }
    return out;
  }

  /** One OpenSearch REST call; a 404 (index not there yet) answers an empty object. */
  public JsonNode send(String method, String path, String body) throws IOException {
    HttpRequest.Builder rb = HttpRequest.newBuilder(URI.create(services.openSearchUrl() + path)).timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    try {
      // 429 (circuit breaker, queue full) and 503 are transient on a busy node: retry with backoff.
      for (int attempt = 1; ; attempt++) {
        HttpResponse<String> resp = http.send(rb.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        int code = resp.statusCode();
        if (code == 404) return JSON.createObjectNode();
        if ((code == 429 || code == 503) && attempt < 8) {
          Thread.sleep(Math.min(10_000L, 250L << attempt));
          continue;
        }
        if (code >= 300) throw new IOException(method + " " + path + " -> HTTP " + code + ": " + resp.body());
        return JSON.readTree(resp.body());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  @Override
  public void close() {
    if (store != null) store.close();
  }

  static UncheckedIOException unchecked(IOException e) {
    return new UncheckedIOException(e.getMessage(), e);
  }
}
