package dev.strata.job.correlate;

import dev.strata.correlate.EnrichmentMerger;
import dev.strata.correlate.Hit;
import dev.strata.correlate.LookupKeys;
import dev.strata.job.serde.StrataTypes;
import dev.strata.schema.event.Enrichment;
import dev.strata.schema.event.EvidenceEvent;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificData;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by event id, one per hop: joins an event with the answers to its hop's lookup keys and emits it with its
 * {@code enrichment} merged ({@link EnrichmentMerger}) once every key is answered; when a late answer changes the
 * result, emits it again with {@code revision} + 1 (an unchanged result is not emitted again). The incoming
 * revision (from the previous hop) is the probe revision: answers to older revisions are ignored.
 *
 * <p>State per event: the latest event, the answers, {revision in, emitted count, hash of the last enrichment,
 * keys still unanswered at that revision}; cleared at event time + retention (never before the input ends in bounded
 * mode). The unanswered count lets an answer that does not complete the event skip reading the event back (with
 * RocksDB a get and a decode of the whole event); meta written before it existed (3 ints) reads the event each time.
 */
public final class EnrichFunction extends KeyedCoProcessFunction<String, EvidenceEvent, Resolution, EvidenceEvent> {
  private static final long serialVersionUID = 1L;
  private static final int UNANSWERED = 3; // index in meta

  private final int hop;
  private final long retentionMs;

  private transient ValueState<EvidenceEvent> event;
  private transient MapState<String, Resolution> answers;
  private transient ValueState<int[]> meta; // {input revision, emitted, hash of last emitted enrichment, unanswered}

  public EnrichFunction(int hop, long retentionMs) {
    this.hop = hop;
    this.retentionMs = retentionMs;
  }

  @Override
  public void open(OpenContext ctx) {
    event = getRuntimeContext().getState(new ValueStateDescriptor<>("event", StrataTypes.EVIDENCE_EVENT));
    answers = getRuntimeContext().getMapState(new MapStateDescriptor<>("answers", Types.STRING, Resolution.TYPE));
    meta = getRuntimeContext().getState(
        new ValueStateDescriptor<>("meta", PrimitiveArrayTypeInfo.INT_PRIMITIVE_ARRAY_TYPE_INFO));
  }

  /** The revision an event carries into hop {@code hop}. */
  static int inputRevision(int hop, EvidenceEvent e) {
    return hop == 1 || e.getEnrichment() == null ? 0 : e.getEnrichment().getRevision();
  }

  /** What is known about an event before hop {@code hop}. */
  static Enrichment known(int hop, EvidenceEvent e) {
    return hop == 1 || e.getEnrichment() == null ? EnrichmentMerger.base(e) : e.getEnrichment();
  }

  @Override
  public void processElement1(EvidenceEvent e, Context ctx, Collector<EvidenceEvent> out) throws Exception {
    int rev = inputRevision(hop, e);
    int[] m = meta.value();
    if (m != null && event.value() != null && rev <= m[0]) return; // a replay, or an older revision
    if (m == null) {
      m = new int[] {rev, 0, 0, 0};
      if (retentionMs != Long.MAX_VALUE) {
        long t = e.getTime().toEpochMilli();
        ctx.timerService().registerEventTimeTimer(t > Long.MAX_VALUE - retentionMs ? Long.MAX_VALUE : t + retentionMs);
      }
    } else {
      m = new int[] {rev, m[1], m[2], 0};
    }
    event.update(e);
    // answers to this revision may have come first
    for (String k : LookupKeys.probes(hop, e, known(hop, e))) {
      Resolution r = answers.get(k);
      if (r == null || r.rev() != rev) m[UNANSWERED]++;
    }
    meta.update(m);
    if (m[UNANSWERED] == 0) tryEmit(e, m, out);
  }

  @Override
  public void processElement2(Resolution r, Context ctx, Collector<EvidenceEvent> out) throws Exception {
    int[] m = meta.value();
    if (m != null && r.rev() < m[0]) return;
    Resolution had = answers.get(r.key());
    if (had != null && had.rev() > r.rev()) return;
    answers.put(r.key(), r);
    if (m == null || r.rev() != m[0]) return; // the event (at this revision) is not here yet: it counts then
    if (m.length > UNANSWERED && m[UNANSWERED] > 0) {
      if (had == null || had.rev() != m[0]) {
        m = new int[] {m[0], m[1], m[2], m[UNANSWERED] - 1};
        meta.update(m);
      }
      if (m[UNANSWERED] > 0) return; // still waiting: no need to read the event
    }
    EvidenceEvent e = event.value();
    if (e != null) tryEmit(e, m, out);
  }

  private void tryEmit(EvidenceEvent e, int[] m, Collector<EvidenceEvent> out) throws Exception {
    Enrichment known = known(hop, e);
    List<String> keys = LookupKeys.probes(hop, e, known);
    Map<String, List<Hit>> hits = new HashMap<>();
    for (String k : keys) {
      Resolution r = answers.get(k);
      if (r == null || r.rev() != m[0]) return; // still waiting
      hits.put(k, r.hits());
    }
    Enrichment en = SpecificData.get().deepCopy(Enrichment.getClassSchema(), known);
    en.setRevision(0);
    EnrichmentMerger.merge(en, keys, hits);
    int hash = en.hashCode();
    if (m[1] > 0 && hash == m[2]) return; // nothing new
    en.setRevision(m[1]);
    meta.update(new int[] {m[0], m[1] + 1, hash, 0});
    out.collect(withEnrichment(e, en));
  }

  /** A shallow copy of {@code e} with {@code en} (the stored event is never modified). */
  static EvidenceEvent withEnrichment(EvidenceEvent e, Enrichment en) {
    EvidenceEvent c = new EvidenceEvent();
    int n = EvidenceEvent.getClassSchema().getFields().size();
    for (int i = 0; i < n; i++) c.put(i, e.get(i));
    c.setEnrichment(en);
    return c;
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<EvidenceEvent> out) {
    event.clear();
    answers.clear();
    meta.clear();
  }
}
