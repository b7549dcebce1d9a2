package dev.strata.job.correlate;

import dev.strata.correlate.ContainerEnds;
import dev.strata.schema.correlate.EntityBinding;
import dev.strata.schema.event.EvidenceEvent;
import java.util.Map;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.util.Collector;

/**
 * Keyed by container ({@link ContainerEnds#key}): the container's end events and the statements it holds -> the
 * closing statements its ends imply ({@link ContainerEnds}), whatever arrives first. State per container: each held
 * binding once with its earliest start, each end event once (a replayed statement or end adds nothing).
 *
 * <p>Bounded like the lookups' closed intervals: the container's state is cleared {@code closedTtl} + retention (the
 * largest lateness bound) of event time after the latest news of it -- an end, or any statement it holds, a
 * restatement included (a Falco alert, a log line, a state snapshot), at the stating event's time -- whether or not
 * its end was seen. So a container whose end is never collected costs state for that long after it was last heard
 * of, not for days. The price: an end that comes more than that after the last news of the container closes nothing
 * (its bindings then end as the lookups' open ones do, when a later holder contradicts them). One event-time timer
 * per container at a time (news only moves the clear time; the timer re-arms itself). Nothing is cleared in bounded
 * mode (retention = {@link Long#MAX_VALUE}).
 */
public final class CloseContainerBindings extends ContainerEndJoin {
  private static final long serialVersionUID = 1L;
  public static final String UID = "close-container-bindings";

  private transient MapState<String, Long> held;
  private transient MapState<String, String> ends;
  /** When to clear the container's state (event time): latest news + closedTtl + retention. */
  private transient ValueState<Long> clearAt;
  /** The pending timer, at or before {@link #clearAt} (null: none). */
  private transient ValueState<Long> timerAt;

  public CloseContainerBindings(long retentionMs, long closedTtlMs) {
    super(retentionMs, closedTtlMs);
  }

  /**
   * {@code extracted} plus the closing statements the container ends among {@code events} imply: what the graph's
   * binding consumers (merge-bindings, the lookups) read instead of {@code extracted} alone.
   */
  public static DataStream<EntityBinding> attach(DataStream<EvidenceEvent> events, DataStream<EntityBinding> extracted,
      TypeInformation<EntityBinding> type, long retentionMs, long closedTtlMs) {
    return ContainerEndJoin.attach(events, extracted, type, "container-ends", "container-held", ContainerEnds::holder,
        new CloseContainerBindings(retentionMs, closedTtlMs), UID);
  }

  @Override
  protected void openState() {
    held = getRuntimeContext().getMapState(new MapStateDescriptor<>("held", Types.STRING, Types.LONG));
    ends = getRuntimeContext().getMapState(new MapStateDescriptor<>("ends", Types.STRING, Types.STRING));
    clearAt = getRuntimeContext().getState(new ValueStateDescriptor<>("clear-at", Types.LONG));
    timerAt = getRuntimeContext().getState(new ValueStateDescriptor<>("timer-at", Types.LONG));
  }

  @Override
  public void processElement1(EvidenceEvent e, Context ctx, Collector<EntityBinding> out) throws Exception {
    ContainerEnds.End end = ContainerEnds.End.of(e);
    heardOf(ctx, end.micros() / 1000);
    if (ends.contains(e.getEventId())) return;
    ends.put(e.getEventId(), end.encode());
    for (Map.Entry<String, Long> h : held.entries()) {
      if (ContainerEnds.closes(h.getValue(), end)) out.collect(ContainerEnds.closing(extractor, h.getKey(), end));
    }
  }

  @Override
  public void processElement2(EntityBinding b, Context ctx, Collector<EntityBinding> out) throws Exception {
    String k = ContainerEnds.heldKey(b);
    long start = ContainerEnds.startMicros(b);
    heardOf(ctx, start / 1000);
    Long before = held.get(k);
    if (before != null && before <= start) return; // known, from as early or earlier: its closings are out
    held.put(k, start);
    for (String s : ends.values()) {
      ContainerEnds.End end = ContainerEnds.End.decode(s);
      // closings already emitted for the earlier-known start are not repeated (same ids anyway)
      if (ContainerEnds.closes(start, end) && (before == null || !ContainerEnds.closes(before, end))) {
        out.collect(ContainerEnds.closing(extractor, k, end));
      }
    }
  }

  /**
   * News of the container at event time {@code ms} (the stating event's timestamp when the record has one, else
   * {@code fallbackMs}): its state is kept until closedTtl + retention after it.
   */
  private void heardOf(Context ctx, long fallbackMs) throws Exception {
    if (keepsAll()) return;
    long when = Math.max(BindingJoin.saturatedAdd(newsTime(ctx, fallbackMs), closedTtlMs + retentionMs),
        ctx.timerService().currentWatermark());
    Long current = clearAt.value();
    if (current != null && current >= when) return;
    clearAt.update(when);
    if (timerAt.value() == null) arm(ctx.timerService(), when);
  }

  private void arm(org.apache.flink.streaming.api.TimerService timers, long when) throws Exception {
    timerAt.update(when);
    timers.registerEventTimeTimer(when);
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<EntityBinding> out) throws Exception {
    timerAt.clear();
    Long at = clearAt.value();
    if (at == null) return;
    if (timestamp < at) {
      arm(ctx.timerService(), at); // news came since the timer was set: wait for the later clear time
      return;
    }
    held.clear();
    ends.clear();
    clearAt.clear();
  }
}
