package dev.strata.infra.testing;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * CPU time used by this JVM and by its descendant processes (the embedded Kafka broker, OpenSearch), for benchmarks
 * on a shared machine: the wall clock of a stage depends on what else runs, its CPU seconds much less. Take a
 * {@link #now()} before and after a stage and print {@link Snapshot#minus}.
 */
public final class ProcessCpu {
  private ProcessCpu() {}

  /** CPU nanoseconds so far: this JVM and its descendants by name (kafka, opensearch, other). */
  public record Snapshot(long jvmNanos, Map<String, Long> childNanos) {
    public Snapshot {
      childNanos = Map.copyOf(childNanos);
    }

    /** The CPU used between {@code earlier} and this snapshot (a child that ended in between counts as zero). */
    public Snapshot minus(Snapshot earlier) {
      Map<String, Long> d = new TreeMap<>();
      childNanos.forEach((k, v) -> d.put(k, Math.max(0, v - earlier.childNanos.getOrDefault(k, 0L))));
      return new Snapshot(jvmNanos - earlier.jvmNanos, d);
    }

    /** CPU seconds of one part: {@code jvm} or a child's name. */
    public double seconds(String part) {
      return ("jvm".equals(part) ? jvmNanos : childNanos.getOrDefault(part, 0L)) / 1e9;
    }

    /** CPU seconds of this JVM and every child. */
    public double totalSeconds() {
      return (jvmNanos + childNanos.values().stream().mapToLong(Long::longValue).sum()) / 1e9;
    }

    /** {@code 12.3 CPU s (jvm 8.1, kafka 4.2)}. */
    @Override
    public String toString() {
      StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%.1f CPU s (jvm %.1f", totalSeconds(),
          jvmNanos / 1e9));
      childNanos.forEach((k, v) -> b.append(String.format(Locale.ROOT, ", %s %.1f", k, v / 1e9)));
      return b.append(')').toString();
    }
  }

  /** The CPU used so far by this JVM and each live descendant process. */
  public static Snapshot now() {
    long jvm = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
    Map<String, Long> children = new TreeMap<>();
    ProcessHandle.current().descendants().forEach(p -> {
      long nanos = p.info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
      children.merge(name(p.info().commandLine().orElse("")), nanos, Long::sum);
    });
    return new Snapshot(jvm, children);
  }

  static String name(String commandLine) {
    if (commandLine.contains("kafka")) {
      return "kafka";
    }
    return commandLine.contains("opensearch") ? "opensearch" : "other";
  }
}
