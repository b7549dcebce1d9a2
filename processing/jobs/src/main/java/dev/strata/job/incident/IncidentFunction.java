package dev.strata.job.incident;

import dev.strata.schema.correlate.Incident;
import dev.strata.schema.event.EvidenceEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The grouping operator, keyed by tenant ({@link EntityKeys#tenant}). State per tenant (keyed MapState, so it is in
 * every checkpoint and rescales by key group): members by event id (encoded {@link Member}s), bindings, and the
 * revision/fingerprint emitted per incident id. An event stores its member and bindings; a processing-time timer
 * ({@code flush.interval}) and an event-time timer at the end of input regroup the tenant with
 * {@link IncidentEngine#flush} and emit the incidents that changed.
 *
 * <p>Scaling: one tenant (cloud account, else cluster) is one key, so its grouping runs on one subtask; tenants
 * spread over subtasks. A flush costs what changed since the last one (the engine keeps each tenant's grouping
 * incrementally, {@link TenantIndex}, rebuilt from this state after a restore); the state is bounded by the engine (sealing incidents whose
 * window is behind the watermark, dropping unattached context after {@code incident.retention}, at most
 * {@code incident.max_members_per_tenant} members). A tenant with more live evidence than that in one window
 * needs a finer tenant (e.g. per cluster) — the documented limit.
 *
 * <p>Event time: in streaming runs ({@link LaneClocks} given) each source file of each collection run of the tenant
 * has its own clock, kept here in keyed state, and an incident is sealed by the clocks of the lanes that brought its
 * members, not by the
 * operator's one watermark (which the cross-tenant linker still uses); bounded runs have no watermark until the end
 * of their input, which is the final flush.
 */
public final class IncidentFunction extends KeyedProcessFunction<String, EvidenceEvent, Incident> {
  private static final long serialVersionUID = 1L;

  private final IncidentSettings settings;
  private final long flushMillis;
  /** Event time per tenant and collection run (streaming runs); null: the operator's watermark (bounded runs). */
  private final LaneClocks laneClocks;
  private transient IncidentEngine engine;
  private transient MapState<String, byte[]> members;
  private transient MapState<String, Boolean> bindings;
  private transient MapState<String, String> emitted;
  private transient ValueState<Long> pendingTimer;
  /** Lane (collection run and source file) -> {highest event time, last arrival}: see {@link LaneClocks}. */
  private transient MapState<String, long[]> lanes;
  private transient Counter incidentsOut;

  public IncidentFunction(IncidentSettings settings, Duration flushInterval) {
    this(settings, flushInterval, null);
  }

  /** {@code laneClocks} null: incidents are sealed by the operator's watermark (none in bounded runs). */
  public IncidentFunction(IncidentSettings settings, Duration flushInterval, LaneClocks laneClocks) {
    this.settings = settings;
    this.flushMillis = flushInterval.toMillis();
    this.laneClocks = laneClocks;
  }

  @Override
  public void open(OpenContext ctx) {
    engine = new IncidentEngine(settings);
    members = getRuntimeContext().getMapState(
        new MapStateDescriptor<>("members", Types.STRING,
            org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
    bindings = getRuntimeContext().getMapState(new MapStateDescriptor<>("bindings", Types.STRING, Types.BOOLEAN));
    emitted = getRuntimeContext().getMapState(new MapStateDescriptor<>("emitted", Types.STRING, Types.STRING));
    pendingTimer = getRuntimeContext().getState(new ValueStateDescriptor<>("pending-flush", Types.LONG));
    lanes = getRuntimeContext().getMapState(new MapStateDescriptor<>("lane-clocks", Types.STRING,
        org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO));
    incidentsOut = getRuntimeContext().getMetricGroup().counter("incidentRevisions");
  }

  @Override
  public void processElement(EvidenceEvent event, Context ctx, Collector<Incident> out) throws Exception {
    if (laneClocks != null && event.getTime() != null) {
      String lane = LaneClocks.key(LaneClocks.laneOf(event));
      long now = laneClocks.nowMillis();
      long[] clock = lanes.get(lane);
      if (clock == null) clock = LaneClocks.fresh(now);
      laneClocks.observe(clock, event.getTime().toEpochMilli(), now);
      lanes.put(lane, clock);
    }
    if (!engine.accept(store(), event)) {
      return;
    }
    // the end of a bounded input (watermark MAX) always flushes
    ctx.timerService().registerEventTimeTimer(Long.MAX_VALUE);
    if (flushMillis == 0) {
      flush(ctx.getCurrentKey(), ctx.timerService().currentWatermark(), out);
    } else if (pendingTimer.value() == null) {
      long at = ctx.timerService().currentProcessingTime() + flushMillis;
      ctx.timerService().registerProcessingTimeTimer(at);
      pendingTimer.update(at);
    }
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<Incident> out) throws Exception {
    pendingTimer.clear();
    flush(ctx.getCurrentKey(), ctx.timerService().currentWatermark(), out);
  }

  private void flush(String tenant, long watermarkMillis, Collector<Incident> out) throws Exception {
    long wm = watermarkMillis == Long.MIN_VALUE || watermarkMillis == Long.MAX_VALUE
        ? watermarkMillis : watermarkMillis * 1000;
    // the end of the input (MAX) is the final flush, as in a bounded run; else each lane's own event time
    IncidentEngine.EventClock clock = laneClocks == null || wm == Long.MAX_VALUE
        ? IncidentEngine.EventClock.uniform(wm) : laneClock();
    for (Incident i : engine.flush(store(), tenant, clock)) {
      out.collect(i);
      incidentsOut.inc();
    }
  }

  /** The tenant's lane clocks now; lanes quiet long enough to hold nothing any more leave the state. */
  private IncidentEngine.EventClock laneClock() throws Exception {
    Map<String, long[]> all = new java.util.HashMap<>();
    for (Map.Entry<String, long[]> e : lanes.entries()) all.put(e.getKey(), e.getValue());
    List<String> before = new ArrayList<>(all.keySet());
    IncidentEngine.EventClock clock = laneClocks.clock(all, laneClocks.nowMillis());
    for (String lane : before) if (!all.containsKey(lane)) lanes.remove(lane);
    return clock;
  }

  private TenantStore store() {
    return new TenantStore() {
      @Override
      public Iterable<Member> members() throws Exception {
        List<Member> out = new ArrayList<>();
        for (byte[] b : members.values()) out.add(Member.decode(b));
        return out;
      }

      @Override
      public boolean putMember(Member m) throws Exception {
        if (members.contains(m.eventId())) return false;
        members.put(m.eventId(), m.encode());
        return true;
      }

      @Override
      public Member member(String eventId) throws Exception {
        byte[] b = members.get(eventId);
        return b == null ? null : Member.decode(b);
      }

      @Override
      public void removeMember(String eventId) throws Exception {
        members.remove(eventId);
      }

      @Override
      public Iterable<Binding> bindings() throws Exception {
        List<Binding> out = new ArrayList<>();
        for (String k : bindings.keys()) {
          int p = k.indexOf('\u0000');
          out.add(new Binding(k.substring(0, p), k.substring(p + 1)));
        }
        return out;
      }

      @Override
      public boolean addBinding(Binding b) throws Exception {
        String k = b.from() + '\u0000' + b.to();
        if (bindings.contains(k)) return false;
        bindings.put(k, Boolean.TRUE);
        return true;
      }

      @Override
      public Iterable<Emitted> emitted() throws Exception {
        List<Emitted> out = new ArrayList<>();
        for (Map.Entry<String, String> e : emitted.entries()) out.add(Emitted.decode(e.getKey(), e.getValue()));
        return out;
      }

      @Override
      public Emitted emitted(String incidentId) throws Exception {
        String v = emitted.get(incidentId);
        return v == null ? null : Emitted.decode(incidentId, v);
      }

      @Override
      public void putEmitted(Emitted e) throws Exception {
        emitted.put(e.incidentId(), e.encode());
      }
    };
  }
}
