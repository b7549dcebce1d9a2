package dev.strata.job;

import dev.strata.correlate.KnownCidrs;
import dev.strata.correlate.LatenessBounds;
import dev.strata.job.correlate.RocksDbSettings;
import dev.strata.sink.s3.S3EvidenceStoreConfig;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.flink.configuration.MemorySize;

/**
 * Configuration of the correlation job: the shared Kafka / Flink / OpenSearch settings of {@link ParseJobConfig}
 * ({@code topics.normalized} is the input; {@code kafka.group.id} defaults to {@code strata-correlate}) plus:
 *
 * <pre>
 * correlate.topics.enriched        evidence.enriched.v1   enriched events (key event_id, newest revision last)
 * correlate.topics.bindings        evidence.bindings.v1   entity bindings (key binding_id)
 * correlate.index.bindings         strata-bindings-v1     OpenSearch index of the bindings (when OpenSearch is on)
 * correlate.lateness.default       10m                    lateness bound of sources not listed
 * correlate.lateness.&lt;format&gt;     see {@link LatenessBounds#DEFAULTS}  e.g. correlate.lateness.aws_vpc_flow=20m
 * correlate.closed_ttl             1h     how long a closed binding interval stays after its end (plus lateness)
 * correlate.max_bindings_per_key   64     interval entries kept per lookup key (oldest closed dropped first)
 * correlate.state_backend          hashmap | rocksdb (large fleets: state on local disk, incremental checkpoints)
 * correlate.rocksdb.memory         1g     RocksDB managed memory per slot: block cache + write buffers
 * correlate.rocksdb.bloom_bits_per_key 10 bloom filter bits per key (0 = none)
 * correlate.rocksdb.block_size     16kb   RocksDB data block size
 * correlate.bindings.cache.bytes  32mb   heap cache in front of each lookup instance's bindings (0 = off; 3 per slot)
 * correlate.bindings.cache.write_through.bytes 0  hop 1's cache instead, filled by every binding written (0 = off)
 * incident.known_cidrs             none   the organisation's own public ranges (NAT, VPN; comma-separated CIDRs; env
 *                                         STRATA_INCIDENT_KNOWN_CIDRS): the incident job's setting, read here too --
 *                                         a call from them is inside (the IMDS join ties it to no pod)
 * </pre>
 *
 * The RocksDB keys and what they become in Flink: {@link RocksDbSettings}. With an evidence store
 * ({@link #withArchive}, as {@code strata correlate} and the demo set it), the binding facts are also written to S3.
 *
 * In bounded mode ({@code source.bounded=true}) the lateness bound is the whole run: nothing is dropped before the
 * input ends, so offline bundles of any age correlate fully.
 */
public record CorrelateJobConfig(
    ParseJobConfig common,
    String enrichedTopic,
    String bindingsTopic,
    String bindingsIndex,
    Map<String, Duration> lateness,
    Duration defaultLateness,
    Duration closedTtl,
    int maxBindingsPerKey,
    StateBackend stateBackend,
    RocksDbSettings rocksDb,
    S3EvidenceStoreConfig archive,
    KnownCidrs knownCidrs) {

  public static final String DEFAULT_GROUP_ID = "strata-correlate";
  public static final String ENRICHED_TOPIC = "evidence.enriched.v1";
  public static final String BINDINGS_TOPIC = "evidence.bindings.v1";
  public static final String BINDINGS_INDEX = "strata-bindings-v1";
  /** The incident job's setting of the organisation's own ranges, read by this job too (one setting). */
  public static final String KNOWN_CIDRS = "incident.known_cidrs";
  public static final String ENV_KNOWN_CIDRS = "STRATA_INCIDENT_KNOWN_CIDRS";

  /** Where keyed state lives. */
  public enum StateBackend {
    HASHMAP,
    ROCKSDB
  }

  public CorrelateJobConfig {
    Objects.requireNonNull(common, "common");
    ParseJobConfig.require(enrichedTopic != null && !enrichedTopic.isBlank(), "correlate.topics.enriched", "must be set");
    ParseJobConfig.require(bindingsTopic != null && !bindingsTopic.isBlank(), "correlate.topics.bindings", "must be set");
    ParseJobConfig.require(bindingsIndex != null && bindingsIndex.startsWith("strata-bindings-"),
        "correlate.index.bindings", "must start with strata-bindings- (the template's pattern)");
    ParseJobConfig.require(maxBindingsPerKey >= 2, "correlate.max_bindings_per_key", "must be at least 2");
    ParseJobConfig.require(closedTtl != null && !closedTtl.isNegative(), "correlate.closed_ttl", "must be >= 0");
    Objects.requireNonNull(rocksDb, "rocksDb");
    lateness = Map.copyOf(lateness);
    if (knownCidrs == null) knownCidrs = KnownCidrs.NONE;
  }

  /** The settings without the organisation's own ranges. */
  public CorrelateJobConfig(ParseJobConfig common, String enrichedTopic, String bindingsTopic, String bindingsIndex,
      Map<String, Duration> lateness, Duration defaultLateness, Duration closedTtl, int maxBindingsPerKey,
      StateBackend stateBackend, RocksDbSettings rocksDb, S3EvidenceStoreConfig archive) {
    this(common, enrichedTopic, bindingsTopic, bindingsIndex, lateness, defaultLateness, closedTtl, maxBindingsPerKey,
        stateBackend, rocksDb, archive, KnownCidrs.NONE);
  }

  /** Defaults for everything but the shared settings ({@code common.normalizedTopic()} is the input). */
  public static CorrelateJobConfig of(ParseJobConfig common) {
    return new CorrelateJobConfig(common, ENRICHED_TOPIC, BINDINGS_TOPIC, BINDINGS_INDEX, LatenessBounds.DEFAULTS,
        LatenessBounds.DEFAULT, Duration.ofHours(1), 64, StateBackend.HASHMAP, RocksDbSettings.DEFAULTS, null,
        KnownCidrs.NONE);
  }

  /** The settings without a bindings archive in the evidence bucket. */
  public CorrelateJobConfig(ParseJobConfig common, String enrichedTopic, String bindingsTopic, String bindingsIndex,
      Map<String, Duration> lateness, Duration defaultLateness, Duration closedTtl, int maxBindingsPerKey,
      StateBackend stateBackend, RocksDbSettings rocksDb) {
    this(common, enrichedTopic, bindingsTopic, bindingsIndex, lateness, defaultLateness, closedTtl, maxBindingsPerKey,
        stateBackend, rocksDb, null, KnownCidrs.NONE);
  }

  /**
   * Same settings, with the binding facts also written to the evidence bucket ({@code bindings/yyyy/mm/dd/<sha256>.jsonl},
   * see {@code BindingArchive}); null = not archived.
   */
  public CorrelateJobConfig withArchive(S3EvidenceStoreConfig s3) {
    return new CorrelateJobConfig(common, enrichedTopic, bindingsTopic, bindingsIndex, lateness, defaultLateness,
        closedTtl, maxBindingsPerKey, stateBackend, rocksDb, s3, knownCidrs);
  }

  /**
   * Same settings with the organisation's own public ranges ({@code incident.known_cidrs}, the incident job's setting:
   * one list for both jobs).
   */
  public CorrelateJobConfig withKnownCidrs(KnownCidrs known) {
    return new CorrelateJobConfig(common, enrichedTopic, bindingsTopic, bindingsIndex, lateness, defaultLateness,
        closedTtl, maxBindingsPerKey, stateBackend, rocksDb, archive, known);
  }

  /** Where binding facts are archived, if anywhere. */
  public Optional<S3EvidenceStoreConfig> archiveConfig() {
    return Optional.ofNullable(archive);
  }

  /** Same settings with another state backend. */
  public CorrelateJobConfig withStateBackend(StateBackend backend) {
    return new CorrelateJobConfig(common, enrichedTopic, bindingsTopic, bindingsIndex, lateness, defaultLateness,
        closedTtl, maxBindingsPerKey, backend, rocksDb, archive, knownCidrs);
  }

  /** The lateness bounds in force: per source in streaming mode, the whole run in bounded mode. */
  public LatenessBounds latenessBounds() {
    return common.bounded() ? LatenessBounds.unbounded() : new LatenessBounds(lateness, defaultLateness);
  }

  /** Same settings, bounded or not. */
  public CorrelateJobConfig withBounded(boolean bounded) {
    return new CorrelateJobConfig(common.toBuilder().bounded(bounded).build(), enrichedTopic, bindingsTopic,
        bindingsIndex, lateness, defaultLateness, closedTtl, maxBindingsPerKey, stateBackend, rocksDb, archive,
        knownCidrs);
  }

  /** Flat keys: {@code correlate.*} here, all others as {@link ParseJobConfig#fromMap}. Unknown keys are errors. */
  public static CorrelateJobConfig fromMap(Map<String, String> settings) {
    Map<String, String> common = new LinkedHashMap<>();
    common.put("kafka.group.id", DEFAULT_GROUP_ID);
    String enriched = ENRICHED_TOPIC;
    String bindings = BINDINGS_TOPIC;
    String index = BINDINGS_INDEX;
    Map<String, Duration> lateness = new TreeMap<>(LatenessBounds.DEFAULTS);
    Duration def = LatenessBounds.DEFAULT;
    Duration ttl = Duration.ofHours(1);
    int max = 64;
    StateBackend backend = StateBackend.HASHMAP;
    MemorySize rocksMemory = RocksDbSettings.DEFAULTS.memoryPerSlot();
    int bloomBits = RocksDbSettings.DEFAULTS.bloomBitsPerKey();
    MemorySize blockSize = RocksDbSettings.DEFAULTS.blockSize();
    MemorySize bindingsCache = RocksDbSettings.DEFAULTS.bindingsCache();
    MemorySize writeThroughCache = RocksDbSettings.DEFAULTS.writeThroughCache();
    KnownCidrs known = KnownCidrs.NONE;
    for (Map.Entry<String, String> e : new TreeMap<>(settings).entrySet()) {
      String k = e.getKey().trim();
      String v = e.getValue() == null ? "" : e.getValue().trim();
      if (k.equals(KNOWN_CIDRS)) {
        known = KnownCidrs.parse(v);
        continue;
      }
      if (!k.startsWith("correlate.")) {
        common.put(k, v);
        continue;
      }
      switch (k) {
        case "correlate.topics.enriched" -> enriched = v;
        case "correlate.topics.bindings" -> bindings = v;
        case "correlate.index.bindings" -> index = v;
        case "correlate.lateness.default" -> def = ParseJobConfig.parseDuration(k, v);
        case "correlate.closed_ttl" -> ttl = ParseJobConfig.parseDuration(k, v);
        case "correlate.max_bindings_per_key" -> max = ParseJobConfig.parseInt(k, v);
        case "correlate.state_backend" -> backend = ParseJobConfig.parseEnum(StateBackend.class, k, v);
        case "correlate.rocksdb.memory" -> rocksMemory = parseMemory(k, v);
        case "correlate.rocksdb.bloom_bits_per_key" -> bloomBits = ParseJobConfig.parseInt(k, v);
        case "correlate.rocksdb.block_size" -> blockSize = parseMemory(k, v);
        case "correlate.bindings.cache.bytes" -> bindingsCache = parseMemory(k, v);
        case "correlate.bindings.cache.write_through.bytes" -> writeThroughCache = parseMemory(k, v);
        default -> {
          if (k.startsWith("correlate.lateness.") && k.length() > "correlate.lateness.".length()) {
            lateness.put(k.substring("correlate.lateness.".length()).toLowerCase(Locale.ROOT),
                ParseJobConfig.parseDuration(k, v));
          } else {
            throw new IllegalArgumentException(k + ": unknown setting");
          }
        }
      }
    }
    return new CorrelateJobConfig(ParseJobConfig.fromMap(common), enriched, bindings, index, lateness, def, ttl, max,
        backend, new RocksDbSettings(rocksMemory, bloomBits, blockSize, bindingsCache, writeThroughCache), null,
        known);
  }

  private static MemorySize parseMemory(String key, String v) {
    try {
      return MemorySize.parse(v);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(key + ": not a memory size (e.g. 512m, 2g): " + v, e);
    }
  }

  /** Environment variables of {@link ParseJobConfig#ENV_KEYS}, then {@code overrides} on top. */
  public static CorrelateJobConfig fromEnv(Map<String, String> env, Map<String, String> overrides) {
    Map<String, String> m = new LinkedHashMap<>();
    ParseJobConfig.ENV_KEYS.forEach(
        (var, key) -> {
          String v = env.get(var);
          if (v != null && !v.isBlank() && !var.startsWith("STRATA_PARSE_")) {
            m.put(key, v);
          }
        });
    String known = env.get(ENV_KNOWN_CIDRS);
    if (known != null && !known.isBlank()) m.put(KNOWN_CIDRS, known);
    m.putAll(overrides);
    return fromMap(m);
  }
}
