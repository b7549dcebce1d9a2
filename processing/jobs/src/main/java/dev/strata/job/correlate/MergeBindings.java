package dev.strata.job.correlate;

import dev.strata.correlate.BindingExtractor;
import dev.strata.correlate.BindingFacts;
import dev.strata.schema.AvroCodec;
import dev.strata.schema.correlate.EntityBinding;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by subject ({@link BindingFacts#subjectKey}: kind|scope|key): every statement of the subject -> its facts
 * ({@link BindingFacts}), written when they change. A fact that later evidence moves, splits or merges is written
 * once more with {@code retracted = true} (the index deletes it); each write carries the subject's next {@code
 * revision} (the OpenSearch external version), so the index converges to the same documents whatever the arrival
 * order, and a replay rewrites equal content.
 *
 * <p>State per subject: the statements (Avro, by binding id: a replayed statement is a no-op), the fingerprint of
 * each written fact, and the revision counter. Bounds: a fact whose interval ended {@code closedTtl} + retention
 * behind the watermark is final: its statements and fingerprint are dropped (event-time timers, one per subject per
 * minute; none in bounded mode). At most {@code maxStatements} per subject: beyond it a pure restatement (a start of
 * the object already in force, with no stated end) is dropped, so a storm of alerts restating container -> pod does
 * not grow state (its facts keep the evidence they have; their evidence_count stops growing).
 */
public final class MergeBindings extends KeyedProcessFunction<String, EntityBinding, EntityBinding> {
  private static final long serialVersionUID = 1L;
  private static final long TIMER_GRANULARITY_MS = 60_000;

  private final long retentionMs;
  private final long closedTtlMs;
  private final int maxStatements;

  private transient MapState<String, byte[]> statements;
  private transient MapState<String, Long> written;
  private transient ValueState<Integer> revision;
  private transient AvroCodec<EntityBinding> avro;
  private transient BindingFacts facts;

  public MergeBindings(long retentionMs, long closedTtlMs, int maxStatements) {
    this.retentionMs = retentionMs;
    this.closedTtlMs = closedTtlMs;
    this.maxStatements = maxStatements;
  }

  @Override
  public void open(OpenContext ctx) {
    statements = getRuntimeContext().getMapState(
        new MapStateDescriptor<>("statements", Types.STRING, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
    written = getRuntimeContext().getMapState(new MapStateDescriptor<>("written", Types.STRING, Types.LONG));
    revision = getRuntimeContext().getState(new ValueStateDescriptor<>("revision", Types.INT));
    avro = AvroCodec.of(EntityBinding.class);
    facts = new BindingFacts();
  }

  @Override
  public void processElement(EntityBinding b, Context ctx, Collector<EntityBinding> out) throws Exception {
    if (statements.contains(b.getBindingId())) return;
    List<EntityBinding> all = load();
    if (all.size() >= maxStatements && isRestatement(all, b)) return;
    all.add(b);
    statements.put(b.getBindingId(), avro.encode(b));
    emitChanges(facts.facts(all), out);
    if (retentionMs != Long.MAX_VALUE) {
      long latest = BindingExtractor.micros(b.getValidTo() != null ? b.getValidTo() : b.getValidFrom()) / 1000;
      long at = Math.max(latest, ctx.timerService().currentWatermark()) + closedTtlMs + retentionMs;
      ctx.timerService().registerEventTimeTimer((at / TIMER_GRANULARITY_MS + 1) * TIMER_GRANULARITY_MS);
    }
  }

  /** A start of the object the subject is already bound to at its time, with no stated end: adds only evidence. */
  private boolean isRestatement(List<EntityBinding> all, EntityBinding b) {
    if (BindingExtractor.isClosing(b) || b.getValidTo() != null) return false;
    for (BindingFacts.Fact f : facts.facts(all)) {
      EntityBinding x = f.binding();
      long t = BindingExtractor.micros(b.getValidFrom());
      if (x.getObject().equals(b.getObject()) && BindingExtractor.micros(x.getValidFrom()) <= t && t < f.endMicros()) {
        return true;
      }
    }
    return false;
  }

  private List<EntityBinding> load() throws Exception {
    List<EntityBinding> all = new ArrayList<>();
    for (byte[] v : statements.values()) all.add(avro.decode(v));
    return all;
  }

  /** Writes new and changed facts, retracts written facts that no longer hold. */
  private void emitChanges(List<BindingFacts.Fact> now, Collector<EntityBinding> out) throws Exception {
    Map<String, Long> before = new HashMap<>();
    for (Map.Entry<String, Long> e : written.entries()) before.put(e.getKey(), e.getValue());
    int rev = revision.value() == null ? 0 : revision.value();
    Set<String> current = new HashSet<>();
    for (BindingFacts.Fact f : now) {
      current.add(f.id());
      long print = fingerprint(f.binding());
      Long old = before.get(f.id());
      if (old != null && old == print) continue;
      f.binding().setRevision(++rev);
      out.collect(f.binding());
      written.put(f.id(), print);
    }
    for (String id : before.keySet()) {
      if (current.contains(id)) continue;
      written.remove(id);
      out.collect(retraction(id, ++rev));
    }
    revision.update(rev);
  }

  /** What the index needs to delete a fact: its id, revision and the flag (the rest is a placeholder). */
  private EntityBinding retraction(String id, int rev) throws Exception {
    EntityBinding r = avro.decode(statements.values().iterator().next()); // a fresh copy
    r.setBindingId(id);
    r.setEvidence(List.of());
    r.setEvidenceCount(0);
    r.setRevision(rev);
    r.setRetracted(true);
    return r;
  }

  private long fingerprint(EntityBinding fact) {
    byte[] b = avro.encode(fact);
    long h = 1125899906842597L;
    for (byte x : b) h = 31 * h + x;
    return h;
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<EntityBinding> out) throws Exception {
    long horizonMicros = (ctx.timerService().currentWatermark() - retentionMs - closedTtlMs) * 1000;
    List<EntityBinding> all = load();
    if (all.isEmpty()) return;
    boolean open = false;
    for (BindingFacts.Fact f : facts.facts(all)) {
      if (f.endMicros() < horizonMicros) {
        // final: its document stays as written, its statements can no longer change anything within lateness
        for (String id : f.statementIds()) statements.remove(id);
        written.remove(f.id());
      } else {
        open = true;
      }
    }
    if (!open && statements.isEmpty()) {
      written.clear();
      revision.clear();
    } else {
      ctx.timerService().registerEventTimeTimer(timestamp + TIMER_GRANULARITY_MS * 10);
    }
  }
}
