package dev.strata.infra;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

/** The strata topics, and their idempotent creation. */
public final class Topics {
  /** Raw artifact chunks ({@code RawArtifactChunk}, key = artifact_sha256). */
  public static final String RAW = "evidence.raw.v1";
  /** Artifact manifests ({@code ArtifactManifest}). */
  public static final String ARTIFACTS = "evidence.artifacts.v1";
  /** Normalized events ({@code EvidenceEvent}, key = event_id), written exactly-once. */
  public static final String NORMALIZED = "evidence.normalized.v1";
  /** Dead letters ({@code DeadLetter}, key = artifact_sha256). */
  public static final String DEADLETTER = "evidence.deadletter.v1";
  /** Collector source positions (key = collector id + source key), compacted, written with the chunks in one transaction. */
  public static final String CHECKPOINTS = "strata.checkpoints.v1";
  /** Enriched events of the correlation job (EvidenceEvent with enrichment, key = event_id, newest revision last). */
  public static final String ENRICHED = "evidence.enriched.v1";
  /** Entity bindings of the correlation job ({@code EntityBinding}, key = binding_id). */
  public static final String BINDINGS = "evidence.bindings.v1";
  /** Incidents ({@code Incident}, key = incident_id, every revision in order), compacted: the newest revision stays. */
  public static final String INCIDENTS = "evidence.incidents.v1";
  /** All strata topics. */
  public static final List<String> ALL =
      List.of(RAW, ARTIFACTS, NORMALIZED, DEADLETTER, CHECKPOINTS, ENRICHED, BINDINGS, INCIDENTS);

  /** Partitions per topic unless told otherwise. */
  public static final int DEFAULT_PARTITIONS = 2;
  /** {@code max.message.bytes} of every strata topic: 8 MiB. */
  public static final int MAX_MESSAGE_BYTES = 8 * 1024 * 1024;

  private static final short REPLICATION_FACTOR = 1;
  private static final long TIMEOUT_SECONDS = 30;

  private Topics() {}

  /** The topic-level configuration of every strata topic. */
  public static Map<String, String> topicConfig() {
    return Map.of(
        TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(MAX_MESSAGE_BYTES),
        TopicConfig.COMPRESSION_TYPE_CONFIG, "producer");
  }

  /** The configuration of one topic: {@link #topicConfig()}, plus {@code cleanup.policy=compact} for {@link #CHECKPOINTS} and {@link #INCIDENTS}. */
  public static Map<String, String> topicConfig(String topic) {
    if (!topic.equals(CHECKPOINTS) && !topic.equals(INCIDENTS)) return topicConfig();
    Map<String, String> c = new java.util.HashMap<>(topicConfig());
    c.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
    return Map.copyOf(c);
  }

  /** {@link #ensure(String, int)} with {@link #DEFAULT_PARTITIONS}. */
  public static void ensure(String bootstrapServers) {
    ensure(bootstrapServers, DEFAULT_PARTITIONS);
  }

  /**
   * Creates the strata topics that do not exist yet (replication 1, {@link #topicConfig()}); existing topics are
   * left as they are.
   *
   * @throws IllegalStateException when the broker does not answer within 30 s or refuses a topic
   */
  public static void ensure(String bootstrapServers, int partitions) {
    try (Admin admin =
        Admin.create(
            Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.CLIENT_ID_CONFIG, "strata-topics"))) {
      ensure(admin, partitions);
    }
  }

  /** {@link #ensure(String, int)} with an existing admin client. */
  public static void ensure(Admin admin, int partitions) {
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be at least 1, got " + partitions);
    }
    List<NewTopic> topics = new ArrayList<>();
    for (String name : ALL) {
      topics.add(new NewTopic(name, partitions, REPLICATION_FACTOR).configs(topicConfig(name)));
    }
    Map<String, KafkaFuture<Void>> results = admin.createTopics(topics).values();
    for (var result : results.entrySet()) {
      try {
        result.getValue().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw new IllegalStateException(
              "Cannot create topic " + result.getKey() + ": " + e.getCause().getMessage(), e.getCause());
        }
      } catch (TimeoutException e) {
        throw new IllegalStateException(
            "Kafka did not create topic " + result.getKey() + " within " + TIMEOUT_SECONDS
                + " s; is the broker up?", e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted while creating topics", e);
      }
    }
  }
}
