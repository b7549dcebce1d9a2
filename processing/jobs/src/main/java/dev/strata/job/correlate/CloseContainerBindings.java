package dev.strata.job.correlate;

import dev.strata.correlate.BindingExtractor;
import dev.strata.correlate.ContainerEnds;
import dev.strata.schema.correlate.EntityBinding;
import dev.strata.schema.event.EvidenceEvent;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by container ({@link ContainerEnds#key}): the container's end events and the statements it holds -> the
 * closing statements its ends imply ({@link ContainerEnds}), whatever arrives first. State per container: each held
 * binding once with its earliest start, each end event once (a replayed statement or end adds nothing); cleared
 * {@code closedTtl} + retention after the container's latest end (event time), or after {@link #IDLE_TTL_MS} of
 * event time without any statement or end (a container whose end was never collected); nothing is cleared in
 * bounded mode (retention = {@link Long#MAX_VALUE}).
 */
public final class CloseContainerBindings
    extends KeyedCoProcessFunction<String, EvidenceEvent, EntityBinding, EntityBinding> {
  private static final long serialVersionUID = 1L;
  public static final String UID = "close-container-bindings";
  static final long IDLE_TTL_MS = 7L * 24 * 3600 * 1000;

  private final long retentionMs;
  private final long closedTtlMs;
  private transient MapState<String, Long> held;
  private transient MapState<String, String> ends;
  private transient ValueState<Long> clearAt;
  private transient BindingExtractor extractor;

  public CloseContainerBindings(long retentionMs, long closedTtlMs) {
    this.retentionMs = retentionMs;
    this.closedTtlMs = closedTtlMs;
  }

  /**
   * {@code extracted} plus the closing statements the container ends among {@code events} imply: what the graph's
   * binding consumers (merge-bindings, the lookups) read instead of {@code extracted} alone.
   */
  public static DataStream<EntityBinding> attach(DataStream<EvidenceEvent> events, DataStream<EntityBinding> extracted,
      TypeInformation<EntityBinding> type, long retentionMs, long closedTtlMs) {
    DataStream<EvidenceEvent> ends =
        events.filter(e -> BindingExtractor.containerEnd(e) != null).name("container-ends").uid("container-ends");
    DataStream<EntityBinding> held =
        extracted.filter(b -> ContainerEnds.holder(b) != null).name("container-held").uid("container-held");
    DataStream<EntityBinding> closings =
        ends.keyBy(e -> ContainerEnds.key(BindingExtractor.containerEnd(e)), Types.STRING)
            .connect(held.keyBy(b -> ContainerEnds.key(ContainerEnds.holder(b)), Types.STRING))
            .process(new CloseContainerBindings(retentionMs, closedTtlMs), type)
            .name(UID)
            .uid(UID);
    return extracted.union(closings);
  }

  @Override
  public void open(OpenContext ctx) {
    held = getRuntimeContext().getMapState(new MapStateDescriptor<>("held", Types.STRING, Types.LONG));
    ends = getRuntimeContext().getMapState(new MapStateDescriptor<>("ends", Types.STRING, Types.STRING));
    clearAt = getRuntimeContext().getState(new ValueStateDescriptor<>("clear-at", Types.LONG));
    extractor = new BindingExtractor();
  }

  @Override
  public void processElement1(EvidenceEvent e, Context ctx, Collector<EntityBinding> out) throws Exception {
    if (ends.contains(e.getEventId())) return;
    ContainerEnds.End end = ContainerEnds.End.of(e);
    ends.put(e.getEventId(), end.encode());
    for (Map.Entry<String, Long> h : held.entries()) {
      if (ContainerEnds.closes(h.getValue(), end)) out.collect(ContainerEnds.closing(extractor, h.getKey(), end));
    }
    schedule(ctx, end.micros() / 1000 + closedTtlMs + retentionMs);
  }

  @Override
  public void processElement2(EntityBinding b, Context ctx, Collector<EntityBinding> out) throws Exception {
    String k = ContainerEnds.heldKey(b);
    long start = ContainerEnds.startMicros(b);
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
    schedule(ctx, start / 1000 + IDLE_TTL_MS);
  }

  private void schedule(Context ctx, long at) throws Exception {
    if (retentionMs == Long.MAX_VALUE) return;
    Long current = clearAt.value();
    long when = Math.max(at, ctx.timerService().currentWatermark());
    if (current != null && current >= when) return;
    clearAt.update(when);
    ctx.timerService().registerEventTimeTimer(when);
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<EntityBinding> out) throws Exception {
    Long at = clearAt.value();
    if (at == null || timestamp < at) return; // superseded by a later clear time
    held.clear();
    ends.clear();
    clearAt.clear();
  }
}
