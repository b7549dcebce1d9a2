package dev.strata.job.correlate;

import dev.strata.correlate.Hit;
import dev.strata.correlate.KeyState;
import dev.strata.correlate.Statements;
import dev.strata.job.serde.AvroCodecTypeInfo;
import dev.strata.schema.correlate.EntityBinding;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Keyed by lookup key: holds the key's bindings ({@link KeyState}, one byte blob) and the probes of recent events
 * (event id -> time, revision). A probe is answered at once with what covers the key at the event's time; a binding
 * that changes the answer for a buffered probe re-answers it (late evidence re-resolves the events it covers).
 *
 * <p>State is bounded: probes are kept for the lateness retention after they came ({@link Retention}: a TTL, no timer
 * per probe); closed intervals for {@code closedTtl} + retention after their end (event time, watermark-driven
 * timers, one per key per minute, set when a binding comes);
 * at most {@code maxEntries} entries per key. In bounded mode (unbounded retention) nothing is dropped before the
 * input ends.
 */
public final class LookupFunction extends KeyedCoProcessFunction<String, Probe, KeyedBinding, Resolution> {
  private static final long serialVersionUID = 1L;

  /** Bindings that changed the state of their primary key: the new information, written to the bindings outputs. */
  public static final OutputTag<EntityBinding> ACCEPTED =
      new OutputTag<>("accepted-bindings", new AvroCodecTypeInfo<>(EntityBinding.class));

  private static final long TIMER_GRANULARITY_MS = 60_000;

  private final long retentionMs;
  private final long closedTtlMs;
  private final int maxEntries;

  private transient ValueState<byte[]> bindings;
  private transient MapState<String, long[]> probes;

  public LookupFunction(long retentionMs, long closedTtlMs, int maxEntries) {
    this.retentionMs = retentionMs;
    this.closedTtlMs = closedTtlMs;
    this.maxEntries = maxEntries;
  }

  @Override
  public void open(OpenContext ctx) {
    bindings = getRuntimeContext().getState(
        new ValueStateDescriptor<>("bindings", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
    // "recent-probes" (with a TTL) replaced "probes" (timer-cleaned): state of the older build is not read back
    probes = getRuntimeContext().getMapState(Retention.keep(
        new MapStateDescriptor<>("recent-probes", Types.STRING, PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO),
        retentionMs));
  }

  private boolean bounded() {
    return retentionMs == Long.MAX_VALUE;
  }

  @Override
  public void processElement1(Probe p, Context ctx, Collector<Resolution> out) throws Exception {
    byte[] blob = bindings.value();
    List<Hit> hits = blob == null ? List.of() : KeyState.decode(blob).resolve(p.time());
    out.collect(new Resolution(p.eventId(), p.key(), p.rev(), hits));
    probes.put(p.eventId(), new long[] {p.time(), p.rev()});
  }

  @Override
  public void processElement2(KeyedBinding kb, Context ctx, Collector<Resolution> out) throws Exception {
    KeyState.Entry entry = Statements.entry(kb.binding());
    if (entry == null) return;
    byte[] blob = bindings.value();
    KeyState state = KeyState.decode(blob);
    // answers of the buffered probes this entry may change (times at or after its start)
    List<String> ids = new ArrayList<>();
    List<long[]> times = new ArrayList<>();
    List<List<String>> before = new ArrayList<>();
    for (Map.Entry<String, long[]> e : probes.entries()) {
      if (e.getValue()[0] >= entry.from()) {
        ids.add(e.getKey());
        times.add(e.getValue());
        before.add(Resolution.ids(state.resolve(e.getValue()[0])));
      }
    }
    if (!state.add(entry)) return;
    if (state.size() > maxEntries) state.prune(Long.MIN_VALUE, maxEntries);
    bindings.update(state.encode());
    if (kb.primary()) ctx.output(ACCEPTED, kb.binding());
    for (int i = 0; i < ids.size(); i++) {
      long[] pt = times.get(i);
      List<Hit> now = state.resolve(pt[0]);
      if (!Resolution.ids(now).equals(before.get(i))) {
        out.collect(new Resolution(ids.get(i), ctx.getCurrentKey(), pt[1], now));
      }
    }
    if (!bounded()) schedule(ctx, Math.max(state.latestTime() / 1000, ctx.timerService().currentWatermark())
        + closedTtlMs + retentionMs);
  }

  private void schedule(Context ctx, long atMs) {
    long t = (atMs / TIMER_GRANULARITY_MS + 1) * TIMER_GRANULARITY_MS;
    ctx.timerService().registerEventTimeTimer(t);
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<Resolution> out) throws Exception {
    long wm = ctx.timerService().currentWatermark();
    byte[] blob = bindings.value();
    if (blob != null) {
      KeyState state = KeyState.decode(blob);
      if (state.prune((wm - retentionMs - closedTtlMs) * 1000, maxEntries) > 0) {
        if (state.isEmpty()) bindings.clear();
        else bindings.update(state.encode());
      }
    }
  }
}
