package dev.strata.job.correlate;

import dev.strata.correlate.BindingExtractor;
import dev.strata.correlate.SessionPods;
import dev.strata.schema.AvroCodec;
import dev.strata.schema.correlate.EntityBinding;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by service account ({@code ns/name}, {@link SessionPods#serviceAccount}): IRSA sessions issued to it and the
 * statements of its pods (lifetimes, addresses, tokens) -> each session's {@code session_pod} ({@link
 * SessionPods#decide}), decided once the event-time watermark has passed the issuing call's time + the retention
 * (the largest lateness bound: evidence of the pods that arrives up to that late counts; bounded runs decide at the
 * input's end), then dropped. The statement then reaches the lookups as a late binding: the session's calls already
 * resolved are answered again with the pod.
 *
 * <p>State: the pending sessions, and the pods' statements once per (kind, subject, object, interval) -- a kubelet's
 * status patches restate the same start -- each dropped {@code closedTtl} + retention after its end (an open one is
 * kept while it is open). Event-time timers: one per pending session, one per minute of member ends.
 */
public final class JoinSessionPods extends KeyedProcessFunction<String, EntityBinding, EntityBinding> {
  private static final long serialVersionUID = 1L;
  public static final String UID = "join-session-pods";
  public static final String UID_MEMBERS = "session-members";
  private static final long MINUTE_MS = 60_000L;

  private final long retentionMs;
  private final long closedTtlMs;
  private transient MapState<String, byte[]> members;
  private transient MapState<String, byte[]> issues;
  private transient AvroCodec<EntityBinding> avro;
  private transient BindingExtractor extractor;

  public JoinSessionPods(long retentionMs, long closedTtlMs) {
    this.retentionMs = retentionMs;
    this.closedTtlMs = closedTtlMs;
  }

  /** {@code stated} plus the sessions' {@code session_pod} statements. */
  public static DataStream<EntityBinding> attach(DataStream<EntityBinding> stated, TypeInformation<EntityBinding> type,
      long retentionMs, long closedTtlMs) {
    DataStream<EntityBinding> joined =
        stated.filter(b -> SessionPods.serviceAccount(b) != null).name(UID_MEMBERS).uid(UID_MEMBERS)
            .keyBy(SessionPods::serviceAccount, Types.STRING)
            .process(new JoinSessionPods(retentionMs, closedTtlMs), type)
            .name(UID)
            .uid(UID);
    return stated.union(joined);
  }

  @Override
  public void open(OpenContext ctx) {
    members = getRuntimeContext().getMapState(
        new MapStateDescriptor<>("members", Types.STRING, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
    issues = getRuntimeContext().getMapState(
        new MapStateDescriptor<>("sessions", Types.STRING, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
    avro = AvroCodec.of(EntityBinding.class);
    extractor = new BindingExtractor();
  }

  @Override
  public void processElement(EntityBinding b, Context ctx, Collector<EntityBinding> out) throws Exception {
    if (SessionPods.isIssue(b)) {
      if (issues.contains(b.getBindingId())) return;
      issues.put(b.getBindingId(), avro.encode(b));
      ctx.timerService().registerEventTimeTimer(decideAt(b));
      return;
    }
    String key = memberKey(b);
    if (members.contains(key)) return;
    members.put(key, avro.encode(b));
    Long end = end(b);
    if (end != null && retentionMs != Long.MAX_VALUE) {
      long drop = JoinSandboxPods.saturatedAdd(end, closedTtlMs + retentionMs);
      ctx.timerService().registerEventTimeTimer(minuteAfter(drop));
    }
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<EntityBinding> out) throws Exception {
    List<EntityBinding> due = new ArrayList<>();
    for (Iterator<Map.Entry<String, byte[]>> it = issues.iterator(); it.hasNext(); ) {
      EntityBinding issue = avro.decode(it.next().getValue());
      if (decideAt(issue) > timestamp) continue;
      due.add(issue);
      it.remove();
    }
    if (!due.isEmpty()) {
      List<EntityBinding> pods = new ArrayList<>();
      for (byte[] m : members.values()) pods.add(avro.decode(m));
      for (EntityBinding issue : due) {
        EntityBinding d = SessionPods.decide(extractor, issue, pods);
        if (d != null) out.collect(d);
      }
    }
    if (retentionMs == Long.MAX_VALUE) return;
    for (Iterator<Map.Entry<String, byte[]>> it = members.iterator(); it.hasNext(); ) {
      Long end = end(avro.decode(it.next().getValue()));
      if (end != null && JoinSandboxPods.saturatedAdd(end, closedTtlMs + retentionMs) <= timestamp) it.remove();
    }
  }

  /** When a session is decided: the call's time + retention, in ms (never, before the input's end, when unbounded). */
  private long decideAt(EntityBinding issue) {
    return JoinSandboxPods.saturatedAdd(BindingExtractor.micros(issue.getValidFrom()) / 1000, retentionMs);
  }

  /** The end of a member statement in ms (a closing statement's time, a stated end), null when open. */
  private static Long end(EntityBinding b) {
    return b.getValidTo() == null ? null : BindingExtractor.micros(b.getValidTo()) / 1000;
  }

  private static String memberKey(EntityBinding b) {
    return b.getKind() + '|' + b.getSubject().getScope() + '|' + b.getSubject().getKey() + '|' + b.getObject().getScope()
        + '|' + b.getObject().getKey() + '|' + BindingExtractor.micros(b.getValidFrom()) + '|'
        + (b.getValidTo() == null ? "" : BindingExtractor.micros(b.getValidTo())) + '|' + b.getEndObserved();
  }

  private static long minuteAfter(long ms) {
    return ms >= Long.MAX_VALUE - MINUTE_MS ? Long.MAX_VALUE : (ms / MINUTE_MS + 1) * MINUTE_MS;
  }
}
