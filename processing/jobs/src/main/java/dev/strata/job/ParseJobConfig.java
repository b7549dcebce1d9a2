package dev.strata.job;

import dev.strata.sink.opensearch.OpenSearchSinkConfig;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.flink.connector.base.DeliveryGuarantee;

/**
 * Configuration of the parse job. Validated in the constructor; errors name the full key.
 *
 * <p>Keys (for {@link #fromMap}; environment variables for {@link #fromEnv} in brackets):
 *
 * <pre>
 * kafka.bootstrap.servers          required                [STRATA_KAFKA_BOOTSTRAP]
 * kafka.group.id                   strata-parse            [STRATA_PARSE_GROUP_ID]
 * topics.raw                       evidence.raw.v1         [STRATA_TOPIC_RAW]
 * topics.normalized                evidence.normalized.v1  [STRATA_TOPIC_NORMALIZED]
 * topics.deadletter                evidence.deadletter.v1  [STRATA_TOPIC_DEADLETTER]
 * source.starting_offsets          earliest | latest | committed (committed, else earliest)  [STRATA_PARSE_STARTING_OFFSETS]
 * source.bounded                   false: stop at the latest offsets present at start  [STRATA_PARSE_BOUNDED]
 * parallelism                      2                       [STRATA_PARSE_PARALLELISM]
 * checkpoint.interval              10s                     [STRATA_PARSE_CHECKPOINT_INTERVAL]
 * sink.delivery_guarantee          exactly_once | at_least_once | none   [STRATA_PARSE_DELIVERY_GUARANTEE]
 * sink.transactional_id_prefix     strata-parse-{group id} [STRATA_PARSE_TRANSACTIONAL_ID_PREFIX]
 * sink.transaction_timeout         5m (at most 15m, the broker's default maximum)
 * watermark.max_out_of_orderness   5m
 * watermark.idleness               30s
 * opensearch.url(s)               unset = OpenSearch sinks off; comma-separated  [STRATA_OPENSEARCH_URL]
 * opensearch.username / .password  basic auth  [STRATA_OPENSEARCH_USERNAME, STRATA_OPENSEARCH_PASSWORD]
 * opensearch.index.events, .index.dead_letters, .max_batch_size, .max_batch_bytes, .max_in_flight_requests,
 * .max_buffered_requests, .max_time_in_buffer, .max_record_bytes, .request_timeout, .socket_timeout, .shards,
 * .replicas, .refresh_interval, .bulk_refresh_interval (bounded runs)   see {@link OpenSearchSinkConfig}
 * kafka.*                          passed to the Kafka consumer and producers; kafka.consumer.* / kafka.producer.* to one
 * flink.*                          passed to the Flink configuration without the prefix; flink.rest.address (+
 *                                  flink.rest.port) submits to a remote cluster instead of a local MiniCluster
 *                                  [STRATA_FLINK_REST_ADDRESS, STRATA_FLINK_REST_PORT]
 * </pre>
 *
 * Durations: {@code 500ms}, {@code 10s}, {@code 5m}, {@code 1h}, ISO-8601 ({@code PT10S}) or a number of
 * milliseconds. Unknown keys are errors.
 */
public record ParseJobConfig(
    String kafkaBootstrap,
    String groupId,
    String rawTopic,
    String normalizedTopic,
    String deadLetterTopic,
    StartingOffsets startingOffsets,
    boolean bounded,
    int parallelism,
    Duration checkpointInterval,
    DeliveryGuarantee deliveryGuarantee,
    String transactionalIdPrefix,
    Duration transactionTimeout,
    Duration maxOutOfOrderness,
    Duration idleness,
    OpenSearchSinkConfig openSearch,
    Map<String, String> kafkaProperties,
    Map<String, String> flinkProperties) {

  public static final String DEFAULT_GROUP_ID = "strata-parse";
  public static final String RAW_TOPIC = "evidence.raw.v1";
  public static final String NORMALIZED_TOPIC = "evidence.normalized.v1";
  public static final String DEADLETTER_TOPIC = "evidence.deadletter.v1";
  public static final Duration MAX_TRANSACTION_TIMEOUT = Duration.ofMinutes(15);

  /** Where to start reading the raw topic. */
  public enum StartingOffsets {
    EARLIEST,
    LATEST,
    /** The group's committed offsets; partitions without one start at the earliest offset. */
    COMMITTED
  }

  public ParseJobConfig {
    require(kafkaBootstrap != null && !kafkaBootstrap.isBlank(), "kafka.bootstrap.servers", "must be set");
    require(groupId != null && !groupId.isBlank(), "kafka.group.id", "must not be blank");
    require(rawTopic != null && !rawTopic.isBlank(), "topics.raw", "must not be blank");
    require(normalizedTopic != null && !normalizedTopic.isBlank(), "topics.normalized", "must not be blank");
    require(deadLetterTopic != null && !deadLetterTopic.isBlank(), "topics.deadletter", "must not be blank");
    require(!normalizedTopic.equals(rawTopic), "topics.normalized", "must differ from topics.raw");
    require(!deadLetterTopic.equals(rawTopic), "topics.deadletter", "must differ from topics.raw");
    require(!deadLetterTopic.equals(normalizedTopic), "topics.deadletter", "must differ from topics.normalized");
    Objects.requireNonNull(startingOffsets, "source.starting_offsets");
    require(parallelism >= 1 && parallelism <= 1024, "parallelism", "must be 1..1024, was " + parallelism);
    Objects.requireNonNull(checkpointInterval, "checkpoint.interval");
    require(checkpointInterval.toMillis() >= 10, "checkpoint.interval", "must be at least 10ms");
    Objects.requireNonNull(deliveryGuarantee, "sink.delivery_guarantee");
    if (transactionalIdPrefix == null || transactionalIdPrefix.isBlank()) {
      transactionalIdPrefix = "strata-parse-" + groupId;
    }
    Objects.requireNonNull(transactionTimeout, "sink.transaction_timeout");
    require(
        transactionTimeout.compareTo(MAX_TRANSACTION_TIMEOUT) <= 0,
        "sink.transaction_timeout",
        "must be at most 15m (the broker's transaction.max.timeout.ms), was " + transactionTimeout);
    require(
        deliveryGuarantee != DeliveryGuarantee.EXACTLY_ONCE || transactionTimeout.compareTo(checkpointInterval) > 0,
        "sink.transaction_timeout",
        "must be longer than checkpoint.interval (" + checkpointInterval + ") with exactly_once");
    Objects.requireNonNull(maxOutOfOrderness, "watermark.max_out_of_orderness");
    require(!maxOutOfOrderness.isNegative(), "watermark.max_out_of_orderness", "must not be negative");
    Objects.requireNonNull(idleness, "watermark.idleness");
    require(!idleness.isNegative() && !idleness.isZero(), "watermark.idleness", "must be positive");
    kafkaProperties = immutable(kafkaProperties);
    flinkProperties = immutable(flinkProperties);
    for (String k : List.of("bootstrap.servers", "group.id")) {
      require(!kafkaProperties.containsKey(k), "kafka." + k, "use the dedicated setting");
    }
  }

  /** Like the record's, with the values of secret-looking pass-through properties masked. */
  @Override
  public String toString() {
    return "ParseJobConfig[kafkaBootstrap=" + kafkaBootstrap + ", groupId=" + groupId + ", rawTopic=" + rawTopic
        + ", normalizedTopic=" + normalizedTopic + ", deadLetterTopic=" + deadLetterTopic + ", startingOffsets="
        + startingOffsets + ", bounded=" + bounded + ", parallelism=" + parallelism + ", checkpointInterval="
        + checkpointInterval + ", deliveryGuarantee=" + deliveryGuarantee + ", transactionalIdPrefix="
        + transactionalIdPrefix + ", transactionTimeout=" + transactionTimeout + ", maxOutOfOrderness="
        + maxOutOfOrderness + ", idleness=" + idleness + ", openSearch=" + openSearch + ", kafkaProperties="
        + masked(kafkaProperties) + ", flinkProperties=" + masked(flinkProperties) + "]";
  }

  private static Map<String, String> masked(Map<String, String> m) {
    Map<String, String> out = new TreeMap<>();
    m.forEach((k, v) -> out.put(k, k.matches("(?i).*(password|secret|jaas|token|credential|key\\.pass).*") ? "***" : v));
    return out;
  }

  /** Defaults for everything but the bootstrap servers. */
  public static Builder builder(String kafkaBootstrap) {
    return new Builder().kafkaBootstrap(kafkaBootstrap);
  }

  public Builder toBuilder() {
    return new Builder(this);
  }

  /** True if the OpenSearch sinks are on. */
  public boolean openSearchEnabled() {
    return openSearch != null;
  }

  /** The OpenSearch sink config, when the OpenSearch sinks are on. */
  public Optional<OpenSearchSinkConfig> openSearchConfig() {
    return Optional.ofNullable(openSearch);
  }

  /** The REST address of a remote Flink cluster ({@code flink.rest.address}), if configured. */
  public Optional<String> flinkRestAddress() {
    return Optional.ofNullable(flinkProperties.get("rest.address")).filter(s -> !s.isBlank());
  }

  /** Kafka properties for the consumer: {@code kafka.*} except {@code kafka.producer.*}, prefixes removed. */
  public Map<String, String> consumerProperties() {
    return clientProperties("consumer.", "producer.");
  }

  /** Kafka properties for the producers: {@code kafka.*} except {@code kafka.consumer.*}, prefixes removed. */
  public Map<String, String> producerProperties() {
    return clientProperties("producer.", "consumer.");
  }

  private Map<String, String> clientProperties(String mine, String theirs) {
    Map<String, String> out = new LinkedHashMap<>();
    kafkaProperties.forEach(
        (k, v) -> {
          if (!k.startsWith(mine) && !k.startsWith(theirs)) {
            out.put(k, v);
          }
        });
    kafkaProperties.forEach(
        (k, v) -> {
          if (k.startsWith(mine)) {
            out.put(k.substring(mine.length()), v);
          }
        });
    return out;
  }

  // ---------------------------------------------------------------------------------------------- from a map / env

  /** Builds a config from flat keys (see the class doc). Unknown keys are errors. */
  public static ParseJobConfig fromMap(Map<String, String> settings) {
    Builder b = new Builder();
    Map<String, String> kafka = new TreeMap<>();
    Map<String, String> flink = new TreeMap<>();
    Map<String, String> os = new TreeMap<>();
    for (Map.Entry<String, String> e : new TreeMap<>(settings).entrySet()) {
      String key = e.getKey().trim();
      String v = e.getValue() == null ? "" : e.getValue().trim();
      switch (key) {
        case "kafka.bootstrap.servers" -> b.kafkaBootstrap(v);
        case "kafka.group.id" -> b.groupId(v);
        case "topics.raw" -> b.rawTopic(v);
        case "topics.normalized" -> b.normalizedTopic(v);
        case "topics.deadletter" -> b.deadLetterTopic(v);
        case "source.starting_offsets" -> b.startingOffsets(parseEnum(StartingOffsets.class, key, v));
        case "source.bounded" -> b.bounded(parseBoolean(key, v));
        case "parallelism" -> b.parallelism(parseInt(key, v));
        case "checkpoint.interval" -> b.checkpointInterval(parseDuration(key, v));
        case "sink.delivery_guarantee" -> b.deliveryGuarantee(parseEnum(DeliveryGuarantee.class, key, v));
        case "sink.transactional_id_prefix" -> b.transactionalIdPrefix(v);
        case "sink.transaction_timeout" -> b.transactionTimeout(parseDuration(key, v));
        case "watermark.max_out_of_orderness" -> b.maxOutOfOrderness(parseDuration(key, v));
        case "watermark.idleness" -> b.idleness(parseDuration(key, v));
        default -> {
          if (key.startsWith("kafka.") && key.length() > 6) {
            kafka.put(key.substring(6), v);
          } else if (key.startsWith("flink.") && key.length() > 6) {
            flink.put(key.substring(6), v);
          } else if (key.startsWith("opensearch.") && key.length() > 11) {
            if (!v.isEmpty()) {
              os.put(key, v);
            }
          } else {
            throw new IllegalArgumentException(key + ": unknown setting");
          }
        }
      }
    }
    return b.kafkaProperties(kafka).flinkProperties(flink).openSearch(openSearchFromMap(os)).build();
  }

  /** Environment variables read by {@link #fromEnv(Map)}, and the key each one sets. */
  public static final Map<String, String> ENV_KEYS =
      Collections.unmodifiableMap(
          new LinkedHashMap<>(
              Map.ofEntries(
                  Map.entry("STRATA_KAFKA_BOOTSTRAP", "kafka.bootstrap.servers"),
                  Map.entry("STRATA_PARSE_GROUP_ID", "kafka.group.id"),
                  Map.entry("STRATA_TOPIC_RAW", "topics.raw"),
                  Map.entry("STRATA_TOPIC_NORMALIZED", "topics.normalized"),
                  Map.entry("STRATA_TOPIC_DEADLETTER", "topics.deadletter"),
                  Map.entry("STRATA_PARSE_STARTING_OFFSETS", "source.starting_offsets"),
                  Map.entry("STRATA_PARSE_BOUNDED", "source.bounded"),
                  Map.entry("STRATA_PARSE_PARALLELISM", "parallelism"),
                  Map.entry("STRATA_PARSE_CHECKPOINT_INTERVAL", "checkpoint.interval"),
                  Map.entry("STRATA_PARSE_DELIVERY_GUARANTEE", "sink.delivery_guarantee"),
                  Map.entry("STRATA_PARSE_TRANSACTIONAL_ID_PREFIX", "sink.transactional_id_prefix"),
                  Map.entry("STRATA_OPENSEARCH_URL", "opensearch.urls"),
                  Map.entry("STRATA_OPENSEARCH_USERNAME", "opensearch.username"),
                  Map.entry("STRATA_OPENSEARCH_PASSWORD", "opensearch.password"),
                  Map.entry("STRATA_FLINK_REST_ADDRESS", "flink.rest.address"),
                  Map.entry("STRATA_FLINK_REST_PORT", "flink.rest.port"))));

  /** From the process environment (see {@link #ENV_KEYS}), over {@code overrides} given as keys. */
  public static ParseJobConfig fromEnv() {
    return fromEnv(System.getenv(), Map.of());
  }

  /** Environment variables of {@link #ENV_KEYS} first, then {@code overrides} (flat keys) on top. */
  public static ParseJobConfig fromEnv(Map<String, String> env, Map<String, String> overrides) {
    Map<String, String> m = new LinkedHashMap<>();
    ENV_KEYS.forEach(
        (var, key) -> {
          String v = env.get(var);
          if (v != null && !v.isBlank()) {
            m.put(key, v);
          }
        });
    m.putAll(overrides);
    return fromMap(m);
  }

  /** The OpenSearch sink config from {@code opensearch.*} keys (with the prefix); null when there are none. */
  static OpenSearchSinkConfig openSearchFromMap(Map<String, String> os) {
    if (os.isEmpty()) {
      return null;
    }
    String url = os.getOrDefault("opensearch.urls", os.get("opensearch.url"));
    require(url != null, "opensearch.url", "must be set when other opensearch.* keys are");
    OpenSearchSinkConfig.Builder b = OpenSearchSinkConfig.builder().urls(url.split(","));
    String user = os.get("opensearch.username");
    String password = os.get("opensearch.password");
    require((user == null) == (password == null), "opensearch.username", "set together with opensearch.password");
    boolean bufferedSet = false;
    Integer batch = null;
    for (Map.Entry<String, String> e : os.entrySet()) {
      String k = e.getKey();
      String v = e.getValue();
      switch (k) {
        case "opensearch.url", "opensearch.urls", "opensearch.username", "opensearch.password" -> {}
        case "opensearch.index.events" -> b.eventsIndex(v);
        case "opensearch.index.dead_letters" -> b.deadLettersIndex(v);
        case "opensearch.max_batch_size" -> b.maxBatchSize(batch = parseInt(k, v));
        case "opensearch.max_batch_bytes" -> b.maxBatchBytes(parseLong(k, v));
        case "opensearch.max_in_flight_requests" -> b.maxInFlightRequests(parseInt(k, v));
        case "opensearch.max_buffered_requests" -> {
          b.maxBufferedRequests(parseInt(k, v));
          bufferedSet = true;
        }
        case "opensearch.max_time_in_buffer" -> b.maxTimeInBuffer(parseDuration(k, v));
        case "opensearch.max_record_bytes" -> b.maxRecordBytes(parseLong(k, v));
        case "opensearch.request_timeout" -> b.requestTimeout(parseDuration(k, v));
        case "opensearch.socket_timeout" -> b.socketTimeout(parseDuration(k, v));
        case "opensearch.shards" -> b.shards(parseInt(k, v));
        case "opensearch.replicas" -> b.replicas(parseInt(k, v));
        case "opensearch.refresh_interval" -> b.refreshInterval(v);
        case "opensearch.bulk_refresh_interval" -> b.bulkRefreshInterval(v);
        default -> throw new IllegalArgumentException(k + ": unknown setting");
      }
    }
    if (user != null) {
      b.credentials(user, password);
    }
    if (batch != null && !bufferedSet) {
      b.maxBufferedRequests(Math.max(batch + 1, batch * 5));
    }
    return b.build();
  }

  // ---------------------------------------------------------------------------------------------- parsing helpers

  static void require(boolean ok, String key, String problem) {
    if (!ok) {
      throw new IllegalArgumentException(key + ": " + problem);
    }
  }

  static <E extends Enum<E>> E parseEnum(Class<E> type, String key, String v) {
    try {
      return Enum.valueOf(type, v.toUpperCase(Locale.ROOT).replace('-', '_'));
    } catch (IllegalArgumentException e) {
      StringBuilder allowed = new StringBuilder();
      for (E c : type.getEnumConstants()) {
        allowed.append(allowed.length() == 0 ? "" : ", ").append(c.name().toLowerCase(Locale.ROOT));
      }
      throw new IllegalArgumentException(key + ": '" + v + "' is not one of " + allowed);
    }
  }

  static boolean parseBoolean(String key, String v) {
    return switch (v.toLowerCase(Locale.ROOT)) {
      case "true", "yes", "on", "1" -> true;
      case "false", "no", "off", "0" -> false;
      default -> throw new IllegalArgumentException(key + ": not a boolean: " + v);
    };
  }

  static long parseLong(String key, String v) {
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + ": not an integer: " + v);
    }
  }

  static int parseInt(String key, String v) {
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + ": not an integer: " + v);
    }
  }

  /** {@code 500ms}, {@code 10s}, {@code 5m}/{@code 5min}, {@code 1h}, ISO-8601, or plain milliseconds. */
  public static Duration parseDuration(String key, String v) {
    String s = v.trim().toLowerCase(Locale.ROOT);
    try {
      if (s.startsWith("p")) {
        return Duration.parse(v.trim().toUpperCase(Locale.ROOT));
      }
      int i = 0;
      while (i < s.length() && Character.isDigit(s.charAt(i))) {
        i++;
      }
      if (i == 0) {
        throw new NumberFormatException();
      }
      long n = Long.parseLong(s.substring(0, i));
      return switch (s.substring(i).trim()) {
        case "", "ms" -> Duration.ofMillis(n);
        case "s", "sec" -> Duration.ofSeconds(n);
        case "m", "min" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> throw new NumberFormatException();
      };
    } catch (NumberFormatException | DateTimeParseException e) {
      throw new IllegalArgumentException(key + ": not a duration (e.g. 500ms, 10s, 5m): " + v);
    }
  }

  private static Map<String, String> immutable(Map<String, String> m) {
    return m == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(m));
  }

  /** Builder with the documented defaults. */
  public static final class Builder {
    private String kafkaBootstrap;
    private String groupId = DEFAULT_GROUP_ID;
    private String rawTopic = RAW_TOPIC;
    private String normalizedTopic = NORMALIZED_TOPIC;
    private String deadLetterTopic = DEADLETTER_TOPIC;
    private StartingOffsets startingOffsets = StartingOffsets.EARLIEST;
    private boolean bounded;
    private int parallelism = 2;
    private Duration checkpointInterval = Duration.ofSeconds(10);
    private DeliveryGuarantee deliveryGuarantee = DeliveryGuarantee.EXACTLY_ONCE;
    private String transactionalIdPrefix;
    private Duration transactionTimeout = Duration.ofMinutes(5);
    private Duration maxOutOfOrderness = Duration.ofMinutes(5);
    private Duration idleness = Duration.ofSeconds(30);
    private OpenSearchSinkConfig openSearch;
    private Map<String, String> kafkaProperties = new TreeMap<>();
    private Map<String, String> flinkProperties = new TreeMap<>();

    Builder() {}

    Builder(ParseJobConfig c) {
      kafkaBootstrap = c.kafkaBootstrap;
      groupId = c.groupId;
      rawTopic = c.rawTopic;
      normalizedTopic = c.normalizedTopic;
      deadLetterTopic = c.deadLetterTopic;
      startingOffsets = c.startingOffsets;
      bounded = c.bounded;
      parallelism = c.parallelism;
      checkpointInterval = c.checkpointInterval;
      deliveryGuarantee = c.deliveryGuarantee;
      // a derived prefix follows the group id; an explicit one stays
      transactionalIdPrefix =
          c.transactionalIdPrefix.equals("strata-parse-" + c.groupId) ? null : c.transactionalIdPrefix;
      transactionTimeout = c.transactionTimeout;
      maxOutOfOrderness = c.maxOutOfOrderness;
      idleness = c.idleness;
      openSearch = c.openSearch;
      kafkaProperties = new TreeMap<>(c.kafkaProperties);
      flinkProperties = new TreeMap<>(c.flinkProperties);
    }

    public Builder kafkaBootstrap(String v) {
      kafkaBootstrap = v;
      return this;
    }

    /** Also changes the default transactional id prefix (unless set explicitly). */
    public Builder groupId(String v) {
      groupId = v;
      return this;
    }

    public Builder rawTopic(String v) {
      rawTopic = v;
      return this;
    }

    public Builder normalizedTopic(String v) {
      normalizedTopic = v;
      return this;
    }

    public Builder deadLetterTopic(String v) {
      deadLetterTopic = v;
      return this;
    }

    public Builder startingOffsets(StartingOffsets v) {
      startingOffsets = v;
      return this;
    }

    /** Stop at the latest offsets present when the job starts: the job finishes once that evidence is processed. */
    public Builder bounded(boolean v) {
      bounded = v;
      return this;
    }

    public Builder parallelism(int v) {
      parallelism = v;
      return this;
    }

    public Builder checkpointInterval(Duration v) {
      checkpointInterval = v;
      return this;
    }

    public Builder deliveryGuarantee(DeliveryGuarantee v) {
      deliveryGuarantee = v;
      return this;
    }

    public Builder transactionalIdPrefix(String v) {
      transactionalIdPrefix = v;
      return this;
    }

    public Builder transactionTimeout(Duration v) {
      transactionTimeout = v;
      return this;
    }

    public Builder maxOutOfOrderness(Duration v) {
      maxOutOfOrderness = v;
      return this;
    }

    public Builder idleness(Duration v) {
      idleness = v;
      return this;
    }

    /** Turns the OpenSearch sinks on with defaults and {@code url}; null turns them off. */
    public Builder openSearchUrl(String url) {
      openSearch = url == null || url.isBlank() ? null : OpenSearchSinkConfig.of(url);
      return this;
    }

    /** Turns the OpenSearch sinks on with {@code config}; null turns them off. */
    public Builder openSearch(OpenSearchSinkConfig config) {
      openSearch = config;
      return this;
    }

    /** One Kafka client property, without the {@code kafka.} prefix ({@code producer.} / {@code consumer.} allowed). */
    public Builder kafkaProperty(String key, String value) {
      kafkaProperties.put(key, value);
      return this;
    }

    public Builder kafkaProperties(Map<String, String> v) {
      kafkaProperties = new TreeMap<>(v);
      return this;
    }

    /** One Flink configuration option, e.g. {@code rest.address}. */
    public Builder flinkProperty(String key, String value) {
      flinkProperties.put(key, value);
      return this;
    }

    public Builder flinkProperties(Map<String, String> v) {
      flinkProperties = new TreeMap<>(v);
      return this;
    }

    public ParseJobConfig build() {
      return new ParseJobConfig(
          kafkaBootstrap,
          groupId,
          rawTopic,
          normalizedTopic,
          deadLetterTopic,
          startingOffsets,
          bounded,
          parallelism,
          checkpointInterval,
          deliveryGuarantee,
          transactionalIdPrefix,
          transactionTimeout,
          maxOutOfOrderness,
          idleness,
          openSearch,
          kafkaProperties,
          flinkProperties);
    }
  }
}
