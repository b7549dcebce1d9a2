package dev.strata.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.job.correlate.RocksDbSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.junit.jupiter.api.Test;
import org.rocksdb.ColumnFamilyOptions;

class CorrelateJobConfigTest {
  @Test
  void defaultsAndOverrides() {
    CorrelateJobConfig c = CorrelateJobConfig.fromMap(Map.of("kafka.bootstrap.servers", "k:9092"));
    assertThat(c.common().groupId()).isEqualTo("strata-correlate");
    assertThat(c.common().normalizedTopic()).isEqualTo("evidence.normalized.v1");
    assertThat(c.enrichedTopic()).isEqualTo("evidence.enriched.v1");
    assertThat(c.bindingsTopic()).isEqualTo("evidence.bindings.v1");
    assertThat(c.bindingsIndex()).isEqualTo("strata-bindings-v1");
    assertThat(c.latenessBounds().of("aws_vpc_flow")).isEqualTo(Duration.ofMinutes(20));
    assertThat(c.latenessBounds().retentionMillis()).isEqualTo(Duration.ofMinutes(30).toMillis());
    assertThat(c.stateBackend()).isEqualTo(CorrelateJobConfig.StateBackend.HASHMAP);
    assertThat(c.rocksDb()).isEqualTo(RocksDbSettings.DEFAULTS);

    CorrelateJobConfig o = CorrelateJobConfig.fromMap(Map.of(
        "kafka.bootstrap.servers", "k:9092",
        "kafka.group.id", "g",
        "correlate.lateness.aws_cloudtrail", "45m",
        "correlate.lateness.default", "1m",
        "correlate.state_backend", "rocksdb",
        "correlate.max_bindings_per_key", "8",
        "correlate.rocksdb.memory", "3g",
        "correlate.rocksdb.bloom_bits_per_key", "0",
        "source.bounded", "true"));
    assertThat(o.common().groupId()).isEqualTo("g");
    assertThat(o.lateness()).containsEntry("aws_cloudtrail", Duration.ofMinutes(45));
    assertThat(o.stateBackend()).isEqualTo(CorrelateJobConfig.StateBackend.ROCKSDB);
    assertThat(o.maxBindingsPerKey()).isEqualTo(8);
    assertThat(o.rocksDb().memoryPerSlot()).isEqualTo(MemorySize.parse("3g"));
    assertThat(o.rocksDb().flinkProperties()).containsEntry("state.backend.rocksdb.use-bloom-filter", "false")
        .doesNotContainKey("state.backend.rocksdb.bloom-filter.bits-per-key");
    assertThat(o.latenessBounds().isUnbounded()).as("bounded runs keep everything").isTrue();
    assertThat(o.withBounded(false).latenessBounds().retentionMillis()).isEqualTo(Duration.ofMinutes(45).toMillis());
  }

  /** The incident job's {@code incident.known_cidrs}, read here too: from the flat keys or the environment. */
  @Test
  void theOrganisationsOwnRangesAreTheIncidentJobsSetting() {
    assertThat(CorrelateJobConfig.fromMap(Map.of("kafka.bootstrap.servers", "k:9092")).knownCidrs().isEmpty()).isTrue();
    CorrelateJobConfig c = CorrelateJobConfig.fromMap(Map.of("kafka.bootstrap.servers", "k:9092",
        "incident.known_cidrs", "203.0.113.0/24,198.51.100.7"));
    assertThat(c.knownCidrs().contains("203.0.113.40")).isTrue();
    assertThat(c.knownCidrs().contains("198.51.100.8")).isFalse();
    assertThat(c.withBounded(true).withStateBackend(CorrelateJobConfig.StateBackend.ROCKSDB).knownCidrs())
        .isEqualTo(c.knownCidrs());
    CorrelateJobConfig env = CorrelateJobConfig.fromEnv(
        Map.of("STRATA_KAFKA_BOOTSTRAP", "k:9092", "STRATA_INCIDENT_KNOWN_CIDRS", "192.0.2.0/24"), Map.of());
    assertThat(env.knownCidrs().contains("192.0.2.1")).isTrue();
    assertThatThrownBy(() -> CorrelateJobConfig.fromMap(Map.of("kafka.bootstrap.servers", "k",
        "incident.known_cidrs", "10.0.0.0/40"))).hasMessageContaining("incident.known_cidrs");
  }

  @Test
  void hop1sWriteThroughCacheIsOffUnlessSized_andReachesTheJobsStateSettings() {
    CorrelateJobConfig d = CorrelateJobConfig.fromMap(Map.of("kafka.bootstrap.servers", "k:9092"));
    assertThat(d.rocksDb().writeThroughCache().getBytes()).isZero();
    assertThat(CorrelateJob.StateSettings.of(d).writeThroughCacheBytes()).isZero();
    CorrelateJobConfig c = CorrelateJobConfig.fromMap(Map.of("kafka.bootstrap.servers", "k:9092",
        "correlate.bindings.cache.write_through.bytes", "3g", "correlate.rocksdb.memory", "3g"));
    assertThat(c.rocksDb().writeThroughCache()).isEqualTo(MemorySize.parse("3g"));
    assertThat(c.rocksDb().bindingsCache()).as("the other hops' cache unchanged")
        .isEqualTo(RocksDbSettings.DEFAULTS.bindingsCache());
    assertThat(CorrelateJob.StateSettings.of(c).writeThroughCacheBytes()).isEqualTo(3L << 30);
    assertThat(CorrelateJob.StateSettings.of(c).withBindingsCache(0).writeThroughCacheBytes()).isEqualTo(3L << 30);
    assertThatThrownBy(() -> CorrelateJobConfig.fromMap(Map.of("kafka.bootstrap.servers", "k",
        "correlate.bindings.cache.write_through.bytes", "64"))).hasMessageContaining(
        "correlate.bindings.cache.write_through.bytes");
  }

  @Test
  void errorsNameTheKey() {
    assertThatThrownBy(() -> CorrelateJobConfig.fromMap(Map.of("kafka.bootstrap.servers", "k", "correlate.nope", "1")))
        .hasMessageContaining("correlate.nope");
    assertThatThrownBy(() -> CorrelateJobConfig.fromMap(
        Map.of("kafka.bootstrap.servers", "k", "correlate.index.bindings", "other")))
        .hasMessageContaining("correlate.index.bindings");
    assertThatThrownBy(() -> CorrelateJobConfig.fromMap(
        Map.of("kafka.bootstrap.servers", "k", "correlate.lateness.aws_vpc_flow", "soon")))
        .hasMessageContaining("correlate.lateness.aws_vpc_flow");
    assertThatThrownBy(() -> CorrelateJobConfig.fromMap(
        Map.of("kafka.bootstrap.servers", "k", "correlate.rocksdb.memory", "lots")))
        .hasMessageContaining("correlate.rocksdb.memory");
    assertThatThrownBy(() -> CorrelateJobConfig.fromMap(
        Map.of("kafka.bootstrap.servers", "k", "correlate.rocksdb.block_size", "64")))
        .hasMessageContaining("correlate.rocksdb.block_size");
  }

  @Test
  void rocksDbDefaultsSuitRandomWritesOfPerEventState() {
    // 16 KB blocks and a deeper L0: the final join's and the lookups' per-event state is written at random keys,
    // and compaction of it was 28 % of the process (docs/benchmarks.md, session 12)
    assertThat(RocksDbSettings.DEFAULTS.flinkProperties())
        .containsEntry("state.backend.rocksdb.block.blocksize", 16 * 1024 + "b");
    List<AutoCloseable> handles = new ArrayList<>();
    try (ColumnFamilyOptions o =
        new RocksDbSettings.PointLookupOptions().createColumnOptions(new ColumnFamilyOptions(), handles)) {
      assertThat(o.level0FileNumCompactionTrigger()).isEqualTo(10);
      assertThat(o.level0SlowdownWritesTrigger()).isGreaterThan(o.level0FileNumCompactionTrigger());
      assertThat(o.level0StopWritesTrigger()).isGreaterThan(o.level0SlowdownWritesTrigger());
      assertThat(o.memtableWholeKeyFiltering()).isTrue();
    }
  }

  @Test
  void rocksDbSettingsBecomeTheEnvironmentsFlinkSettings() {
    CorrelateJobConfig c = CorrelateJobConfig.fromMap(Map.of("kafka.bootstrap.servers", "k:9092",
        "correlate.state_backend", "rocksdb", "parallelism", "2", "correlate.rocksdb.memory", "512m",
        "flink.state.backend.rocksdb.block.blocksize", "16kb"));
    Configuration conf = (Configuration) CorrelateJob.environment(c).getConfiguration();
    assertThat(conf.toMap())
        .containsEntry("state.backend.type", "rocksdb")
        .containsEntry("state.backend.rocksdb.use-bloom-filter", "true")
        .containsEntry("state.backend.rocksdb.bloom-filter.bits-per-key", "10")
        .containsEntry("state.backend.rocksdb.options-factory", RocksDbSettings.PointLookupOptions.class.getName())
        .containsEntry("state.backend.rocksdb.block.blocksize", "16kb") // an explicit flink.* setting wins
        .containsEntry("taskmanager.memory.managed.size", (1L << 30) + "b"); // 512m x 2 slots
  }
}
