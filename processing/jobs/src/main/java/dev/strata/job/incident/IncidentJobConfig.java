package dev.strata.job.incident;

import dev.strata.job.ParseJobConfig;
import dev.strata.job.ParseJobConfig.StartingOffsets;
import dev.strata.sink.opensearch.IndexTemplates;
import dev.strata.sink.opensearch.OpenSearchSinkConfig;
import dev.strata.sink.s3.S3EvidenceStoreConfig;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.flink.connector.base.DeliveryGuarantee;

/**
 * Configuration of the incident job. Validated in the constructor; errors name the key.
 *
 * <pre>
 * kafka.bootstrap.servers       required
 * kafka.group.id                strata-incident
 * topics.input                  evidence.normalized.v1 (evidence.enriched.v1 once the correlation job runs: the
 *                               entity fields are read from enrichment when present)
 * topics.incidents              evidence.incidents.v1
 * source.starting_offsets       earliest | latest | committed
 * source.bounded                false: stop at the latest offsets present at start
 * parallelism                   2 (the grouping is keyed by tenant: one tenant is one subtask)
 * checkpoint.interval           10s
 * sink.delivery_guarantee       exactly_once | at_least_once | none
 * sink.transactional_id_prefix  strata-incident-{group id}
 * sink.transaction_timeout      5m
 * watermark.max_out_of_orderness 5m, watermark.idleness 30s
 * watermark.max_ahead_of_clock 15m: an event stamped further after the wall clock is kept but does not move the
 *                               watermark (a wrong clock would seal every open incident; ClockBoundedWatermarks)
 * flush.interval                1s: changed incidents of a tenant are regrouped and emitted at most this often
 *                               (0 = after every event); the end of a bounded input flushes too
 * incident.*                    see {@link IncidentSettings}
 * opensearch.*                  unset = no index sinks; incidents into opensearch.index.incidents
 *                               (strata-incidents-v1), rows into opensearch.index.timeline (strata-timeline-v1)
 * s3.*                          unset = no archive; else incidents/&lt;id&gt;/&lt;revision&gt;.json in the evidence bucket
 * </pre>
 */
public record IncidentJobConfig(
    String kafkaBootstrap,
    String groupId,
    String inputTopic,
    String incidentsTopic,
    StartingOffsets startingOffsets,
    boolean bounded,
    int parallelism,
    Duration checkpointInterval,
    DeliveryGuarantee deliveryGuarantee,
    String transactionalIdPrefix,
    Duration transactionTimeout,
    Duration maxOutOfOrderness,
    Duration idleness,
    Duration maxAheadOfClock,
    Duration flushInterval,
    IncidentSettings settings,
    OpenSearchSinkConfig openSearch,
    String incidentsIndex,
    String timelineIndex,
    S3EvidenceStoreConfig s3,
    Map<String, String> kafkaProperties,
    Map<String, String> flinkProperties) {

  public static final String DEFAULT_GROUP_ID = "strata-incident";

  /** This configuration with another {@code flush.interval} (0: a flush after every event that changed something). */
  public IncidentJobConfig withFlushInterval(Duration v) {
    return new IncidentJobConfig(kafkaBootstrap, groupId, inputTopic, incidentsTopic, startingOffsets, bounded,
        parallelism, checkpointInterval, deliveryGuarantee, transactionalIdPrefix, transactionTimeout,
        maxOutOfOrderness, idleness, maxAheadOfClock, v, settings, openSearch, incidentsIndex, timelineIndex, s3,
        kafkaProperties, flinkProperties);
  }
  public static final String INCIDENTS_TOPIC = "evidence.incidents.v1";

  public IncidentJobConfig {
    require(kafkaBootstrap != null && !kafkaBootstrap.isBlank(), "kafka.bootstrap.servers", "must be set");
    require(groupId != null && !groupId.isBlank(), "kafka.group.id", "must not be blank");
    require(inputTopic != null && !inputTopic.isBlank(), "topics.input", "must not be blank");
    require(incidentsTopic != null && !incidentsTopic.isBlank(), "topics.incidents", "must not be blank");
    require(!incidentsTopic.equals(inputTopic), "topics.incidents", "must differ from topics.input");
    Objects.requireNonNull(startingOffsets, "source.starting_offsets");
    require(parallelism >= 1 && parallelism <= 1024, "parallelism", "must be 1..1024, was " + parallelism);
    require(checkpointInterval != null && checkpointInterval.toMillis() >= 10, "checkpoint.interval", "must be >= 10ms");
    Objects.requireNonNull(deliveryGuarantee, "sink.delivery_guarantee");
    if (transactionalIdPrefix == null || transactionalIdPrefix.isBlank()) {
      transactionalIdPrefix = "strata-incident-" + groupId;
    }
    require(transactionTimeout != null && transactionTimeout.compareTo(ParseJobConfig.MAX_TRANSACTION_TIMEOUT) <= 0,
        "sink.transaction_timeout", "must be at most 15m");
    require(deliveryGuarantee != DeliveryGuarantee.EXACTLY_ONCE || transactionTimeout.compareTo(checkpointInterval) > 0,
        "sink.transaction_timeout", "must be longer than checkpoint.interval with exactly_once");
    require(maxOutOfOrderness != null && !maxOutOfOrderness.isNegative(), "watermark.max_out_of_orderness",
        "must not be negative");
    require(idleness != null && !idleness.isNegative() && !idleness.isZero(), "watermark.idleness", "must be positive");
    require(maxAheadOfClock != null && !maxAheadOfClock.isNegative(), "watermark.max_ahead_of_clock",
        "must not be negative");
    require(flushInterval != null && !flushInterval.isNegative(), "flush.interval", "must not be negative");
    Objects.requireNonNull(settings, "incident");
    incidentsIndex = index(incidentsIndex, IndexTemplates.INCIDENTS_INDEX, "opensearch.index.incidents");
    timelineIndex = index(timelineIndex, IndexTemplates.TIMELINE_INDEX, "opensearch.index.timeline");
    kafkaProperties = kafkaProperties == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(kafkaProperties));
    flinkProperties = flinkProperties == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(flinkProperties));
  }

  private static String index(String v, String fallback, String key) {
    String s = v == null || v.isBlank() ? fallback : v.trim();
    String template = fallback.substring(0, fallback.lastIndexOf('-') + 1);
    require(s.startsWith(template) && s.matches("[a-z0-9][a-z0-9._-]*"), key,
        "must be a lowercase index name starting with " + template + ", was " + s);
    return s;
  }

  public Optional<OpenSearchSinkConfig> openSearchConfig() {
    return Optional.ofNullable(openSearch);
  }

  public Optional<S3EvidenceStoreConfig> s3Config() {
    return Optional.ofNullable(s3);
  }

  public static Builder builder(String kafkaBootstrap) {
    return new Builder().kafkaBootstrap(kafkaBootstrap);
  }

  private static void require(boolean ok, String key, String problem) {
    if (!ok) throw new IllegalArgumentException(key + ": " + problem);
  }

  /** Builder with the documented defaults. */
  public static final class Builder {
    private String kafkaBootstrap;
    private String groupId = DEFAULT_GROUP_ID;
    private String inputTopic = ParseJobConfig.NORMALIZED_TOPIC;
    private String incidentsTopic = INCIDENTS_TOPIC;
    private StartingOffsets startingOffsets = StartingOffsets.EARLIEST;
    private boolean bounded;
    private int parallelism = 2;
    private Duration checkpointInterval = Duration.ofSeconds(10);
    private DeliveryGuarantee deliveryGuarantee = DeliveryGuarantee.EXACTLY_ONCE;
    private String transactionalIdPrefix;
    private Duration transactionTimeout = Duration.ofMinutes(5);
    private Duration maxOutOfOrderness = Duration.ofMinutes(5);
    private Duration idleness = Duration.ofSeconds(30);
    private Duration maxAheadOfClock = Duration.ofMinutes(15);
    private Duration flushInterval = Duration.ofSeconds(1);
    private IncidentSettings settings = IncidentSettings.defaults();
    private OpenSearchSinkConfig openSearch;
    private String incidentsIndex;
    private String timelineIndex;
    private S3EvidenceStoreConfig s3;
    private Map<String, String> kafkaProperties = new TreeMap<>();
    private Map<String, String> flinkProperties = new TreeMap<>();

    public Builder kafkaBootstrap(String v) { kafkaBootstrap = v; return this; }
    public Builder groupId(String v) { groupId = v; return this; }
    public Builder inputTopic(String v) { inputTopic = v; return this; }
    public Builder incidentsTopic(String v) { incidentsTopic = v; return this; }
    public Builder startingOffsets(StartingOffsets v) { startingOffsets = v; return this; }
    public Builder bounded(boolean v) { bounded = v; return this; }
    public Builder parallelism(int v) { parallelism = v; return this; }
    public Builder checkpointInterval(Duration v) { checkpointInterval = v; return this; }
    public Builder deliveryGuarantee(DeliveryGuarantee v) { deliveryGuarantee = v; return this; }
    public Builder transactionalIdPrefix(String v) { transactionalIdPrefix = v; return this; }
    public Builder transactionTimeout(Duration v) { transactionTimeout = v; return this; }
    public Builder maxOutOfOrderness(Duration v) { maxOutOfOrderness = v; return this; }
    public Builder idleness(Duration v) { idleness = v; return this; }
    public Builder maxAheadOfClock(Duration v) { maxAheadOfClock = v; return this; }
    public Builder flushInterval(Duration v) { flushInterval = v; return this; }
    public Builder settings(IncidentSettings v) { settings = v; return this; }
    public Builder openSearch(OpenSearchSinkConfig v) { openSearch = v; return this; }
    public Builder openSearchUrl(String url) {
      openSearch = url == null || url.isBlank() ? null : OpenSearchSinkConfig.of(url);
      return this;
    }
    public Builder incidentsIndex(String v) { incidentsIndex = v; return this; }
    public Builder timelineIndex(String v) { timelineIndex = v; return this; }
    public Builder s3(S3EvidenceStoreConfig v) { s3 = v; return this; }
    public Builder kafkaProperty(String k, String v) { kafkaProperties.put(k, v); return this; }
    public Builder flinkProperty(String k, String v) { flinkProperties.put(k, v); return this; }

    public IncidentJobConfig build() {
      return new IncidentJobConfig(kafkaBootstrap, groupId, inputTopic, incidentsTopic, startingOffsets, bounded,
          parallelism, checkpointInterval, deliveryGuarantee, transactionalIdPrefix, transactionTimeout,
          maxOutOfOrderness, idleness, maxAheadOfClock, flushInterval, settings, openSearch, incidentsIndex, timelineIndex, s3,
          kafkaProperties, flinkProperties);
    }
  }
}
