package dev.strata.job.bench;

import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

/**
 * A Flink metric reporter for the benchmark (configured as {@code metrics.reporter.bench.factory.class}): keeps the
 * lookups' bindings cache gauges ({@code bindingsCache*}, {@code LookupFunction}) by operator, so that the benchmark
 * reads the cache's hits, misses and bytes at the start and end of its measured half. A build without the cache
 * registers none: the report is then empty.
 */
public final class CacheMetrics implements MetricReporter, MetricReporterFactory {
  /** Operator name (resolve-N) -> gauge name -> gauge. */
  static final Map<String, Map<String, Gauge<?>>> GAUGES = new ConcurrentHashMap<>();

  @Override
  public MetricReporter createMetricReporter(Properties properties) {
    return this;
  }

  @Override
  public void open(MetricConfig config) {}

  @Override
  public void close() {}

  @Override
  public void notifyOfAddedMetric(Metric metric, String name, MetricGroup group) {
    if (!name.startsWith("bindingsCache") || !(metric instanceof Gauge<?> g)) return;
    String operator = group.getAllVariables().getOrDefault("<operator_name>", "?");
    GAUGES.computeIfAbsent(operator, k -> new ConcurrentHashMap<>()).put(name, g);
  }

  @Override
  public void notifyOfRemovedMetric(Metric metric, String name, MetricGroup group) {}

  /** Operator -> gauge -> value now. */
  static Map<String, Map<String, Long>> read() {
    Map<String, Map<String, Long>> m = new TreeMap<>();
    GAUGES.forEach((op, gauges) -> {
      Map<String, Long> values = new TreeMap<>();
      gauges.forEach((name, g) -> values.put(name, ((Number) g.getValue()).longValue()));
      m.put(op, values);
    });
    return m;
  }

  /** Per operator: hits and misses between {@code start} and {@code end}, and the cache's size at the end. */
  static String report(Map<String, Map<String, Long>> start, Map<String, Map<String, Long>> end) {
    if (end == null || end.isEmpty()) return " none (no bindings cache in this build, or it is off)";
    StringBuilder b = new StringBuilder();
    end.forEach((op, e) -> {
      Map<String, Long> s = start == null ? Map.of() : start.getOrDefault(op, Map.of());
      long hits = e.getOrDefault("bindingsCacheHits", 0L) - s.getOrDefault("bindingsCacheHits", 0L);
      long misses = e.getOrDefault("bindingsCacheMisses", 0L) - s.getOrDefault("bindingsCacheMisses", 0L);
      long entries = e.getOrDefault("bindingsCacheEntries", 0L);
      long live = e.getOrDefault("bindingsCacheLiveBytes", 0L);
      long held = e.getOrDefault("bindingsCacheHeldBytes", 0L);
      b.append(String.format(Locale.ROOT, "%n  %s: %,d hits, %,d misses (%.1f %% hits); at the end %,d keys cached,"
              + " %,.1f MB live (%.0f B per key), %,.1f MB held (%.0f B per key, index and free space included),"
              + " %,d evicted in all", op, hits, misses, 100.0 * hits / Math.max(1, hits + misses), entries,
          live / 1e6, (double) live / Math.max(1, entries), held / 1e6, (double) held / Math.max(1, entries),
          e.getOrDefault("bindingsCacheEvicted", 0L)));
    });
    return b.toString();
  }
}
