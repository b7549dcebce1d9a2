package dev.strata.job.correlate;

import java.time.Duration;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;

/**
 * How long per-event state (the probes a lookup buffers, the gathers' and the final join's state) is kept: the
 * lateness retention after it was last written, in processing time, through Flink's state TTL (expired entries are
 * dropped by RocksDB's compaction filter, or incrementally on the heap backend), instead of an event-time timer per
 * event: a timer is a write into RocksDB's timer column family and a priority-queue update per event and stage,
 * which cost more than the lookups themselves (JFR, docs/benchmarks.md session 5). Arrival time is also the right
 * clock for late evidence: a binding that comes up to the retention after the event can still re-resolve it, whatever
 * the event's own age (an offline bundle of last week). Unbounded retention (bounded runs): no TTL, nothing expires.
 */
public final class Retention {
  private Retention() {}

  public static <T extends StateDescriptor<?, ?>> T keep(T descriptor, long retentionMs) {
    if (retentionMs != Long.MAX_VALUE) {
      descriptor.enableTimeToLive(StateTtlConfig.newBuilder(Duration.ofMillis(retentionMs))
          .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
          .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
          .build());
    }
    return descriptor;
  }
}
