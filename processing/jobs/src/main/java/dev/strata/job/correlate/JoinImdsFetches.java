package dev.strata.job.correlate;

import dev.strata.correlate.BindingExtractor;
import dev.strata.correlate.BindingKind;
import dev.strata.correlate.ImdsCredentials;
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
 * Keyed by EC2 instance id ({@link ImdsCredentials#instance}): the pods' fetches of the instance's role credentials
 * from IMDS ({@code imds_fetch}) and the calls of its role sessions from public addresses ({@code session_instance}
 * with the call's address) -> each outside call's {@code session_imds_pod} statements ({@link
 * ImdsCredentials#decide}), decided once the event-time watermark has passed the call's time + the retention (the
 * largest lateness bound; bounded runs decide at the input's end). The statements then reach the lookups as late
 * bindings: the calls from that address already resolved are answered again with the pod.
 *
 * <p>State: the pending outside calls, the fetches once per statement, and the calls from public addresses once per
 * (address, minute) (what tells the node's own address); a fetch is dropped {@code closedTtl} + retention after its
 * credentials' end, a call {@link ImdsCredentials#VALIDITY} + {@code closedTtl} + retention after its time.
 * Event-time timers: one per pending call, one per minute of member ends.
 */
public final class JoinImdsFetches extends KeyedProcessFunction<String, EntityBinding, EntityBinding> {
  private static final long serialVersionUID = 1L;
  public static final String UID = "join-imds-fetches";
  public static final String UID_MEMBERS = "imds-members";
  private static final long MINUTE_MS = 60_000L;

  private final long retentionMs;
  private final long closedTtlMs;
  private transient MapState<String, byte[]> members;
  private transient MapState<String, byte[]> calls;
  private transient AvroCodec<EntityBinding> avro;
  private transient BindingExtractor extractor;

  public JoinImdsFetches(long retentionMs, long closedTtlMs) {
    this.retentionMs = retentionMs;
    this.closedTtlMs = closedTtlMs;
  }

  public static final String UID_NODES = "imds-fetch-nodes";
  public static final String UID_ON_INSTANCE = "imds-fetch-instances";

  /**
   * {@code stated} plus the fetches that named their node restated on its instance ({@link FetchInstances}) plus the
   * outside calls' {@code session_imds_pod} statements.
   */
  public static DataStream<EntityBinding> attach(DataStream<EntityBinding> stated, TypeInformation<EntityBinding> type,
      long retentionMs, long closedTtlMs) {
    DataStream<EntityBinding> onInstance =
        stated.filter(b -> ImdsCredentials.node(b) != null).name(UID_NODES).uid(UID_NODES)
            .keyBy(ImdsCredentials::node, Types.STRING)
            .process(new FetchInstances(retentionMs, closedTtlMs), type)
            .name(UID_ON_INSTANCE)
            .uid(UID_ON_INSTANCE);
    stated = stated.union(onInstance);
    DataStream<EntityBinding> joined =
        stated.filter(JoinImdsFetches::member).name(UID_MEMBERS).uid(UID_MEMBERS)
            .keyBy(ImdsCredentials::instance, Types.STRING)
            .process(new JoinImdsFetches(retentionMs, closedTtlMs), type)
            .name(UID)
            .uid(UID);
    return stated.union(joined);
  }

  /** A fetch, or a call from a public address (the only calls that can be outside or tell the node's address). */
  static boolean member(EntityBinding b) {
    String instance = ImdsCredentials.instance(b);
    if (instance == null) return false;
    BindingKind kind = BindingKind.of(b.getKind());
    return (kind != null && kind.imdsFetch()) || publicAddress(b);
  }

  private static boolean publicAddress(EntityBinding call) {
    String ip = call.getAttributes().get(ImdsCredentials.SOURCE_IP);
    return ip != null && ImdsCredentials.fromOutside(call);
  }

  @Override
  public void open(OpenContext ctx) {
    members = getRuntimeContext().getMapState(
        new MapStateDescriptor<>("members", Types.STRING, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
    calls = getRuntimeContext().getMapState(
        new MapStateDescriptor<>("calls", Types.STRING, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
    avro = AvroCodec.of(EntityBinding.class);
    extractor = new BindingExtractor();
  }

  @Override
  public void processElement(EntityBinding b, Context ctx, Collector<EntityBinding> out) throws Exception {
    boolean call = BindingKind.SESSION_INSTANCE.id().equals(b.getKind());
    if (call && !calls.contains(b.getBindingId())) {
      calls.put(b.getBindingId(), avro.encode(b));
      ctx.timerService().registerEventTimeTimer(decideAt(b));
    }
    String key = memberKey(b);
    if (members.contains(key)) return;
    members.put(key, avro.encode(b));
    if (retentionMs != Long.MAX_VALUE) {
      ctx.timerService().registerEventTimeTimer(minuteAfter(dropAt(b)));
    }
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<EntityBinding> out) throws Exception {
    List<EntityBinding> due = new ArrayList<>();
    for (Iterator<Map.Entry<String, byte[]>> it = calls.iterator(); it.hasNext(); ) {
      EntityBinding c = avro.decode(it.next().getValue());
      if (decideAt(c) > timestamp) continue;
      due.add(c);
      it.remove();
    }
    if (!due.isEmpty() && anyFetch()) { // most instances' calls never meet a fetch: decode nothing for them
      List<EntityBinding> all = new ArrayList<>();
      for (byte[] m : members.values()) all.add(avro.decode(m));
      for (EntityBinding c : due) {
        for (EntityBinding d : ImdsCredentials.decide(extractor, c, all)) out.collect(d);
      }
    }
    if (retentionMs == Long.MAX_VALUE) return;
    for (Iterator<Map.Entry<String, byte[]>> it = members.iterator(); it.hasNext(); ) {
      if (dropAt(avro.decode(it.next().getValue())) <= timestamp) it.remove();
    }
  }

  /** Whether the instance has a fetch (members other than calls, {@link #memberKey}). */
  private boolean anyFetch() throws Exception {
    for (String k : members.keys()) if (!k.startsWith("call|")) return true;
    return false;
  }

  /** When a call is decided: its time + retention, in ms (never, before the input's end, when unbounded). */
  private long decideAt(EntityBinding call) {
    return JoinSandboxPods.saturatedAdd(BindingExtractor.micros(call.getValidFrom()) / 1000, retentionMs);
  }

  /** When a member is no longer needed, in ms. */
  private long dropAt(EntityBinding b) {
    long from = BindingExtractor.micros(b.getValidFrom()) / 1000;
    long end = b.getValidTo() == null ? from : BindingExtractor.micros(b.getValidTo()) / 1000;
    if (BindingKind.SESSION_INSTANCE.id().equals(b.getKind())) end = from + ImdsCredentials.VALIDITY.toMillis();
    return JoinSandboxPods.saturatedAdd(end, closedTtlMs + retentionMs + decideSlackMs());
  }

  /** Members must outlive the decisions that read them: a call is decided a retention after its time. */
  private long decideSlackMs() {
    return retentionMs == Long.MAX_VALUE ? 0 : retentionMs;
  }

  /** A fetch once per statement; a call once per (address, minute): enough to tell the node's address. */
  private static String memberKey(EntityBinding b) {
    if (BindingKind.SESSION_INSTANCE.id().equals(b.getKind())) {
      return "call|" + b.getAttributes().get(ImdsCredentials.SOURCE_IP) + '|'
          + BindingExtractor.micros(b.getValidFrom()) / 60_000_000L;
    }
    return b.getBindingId();
  }

  /**
   * Keyed by node ({@link ImdsCredentials#node}: cluster and the node name's first label): the fetches that named
   * their node but not its instance (Tetragon's {@code node_name}, Falco's host name, without the collector's
   * context {@code cloud_instance}) and the node's {@code node_instance} statements (the API server's Node object,
   * {@code spec.providerID}) -> each fetch restated on its instance ({@link ImdsCredentials#onInstance}), at once when
   * the node's instance is known, else when it arrives. State: the node's statements once each (a handful per node
   * name: a name reused by a later instance is a later statement), the fetches until {@code closedTtl} + retention after
   * their credentials' end, and what was emitted.
   */
  public static final class FetchInstances extends KeyedProcessFunction<String, EntityBinding, EntityBinding> {
    private static final long serialVersionUID = 1L;
    private final long retentionMs;
    private final long closedTtlMs;
    private transient MapState<String, byte[]> nodes;
    private transient MapState<String, byte[]> fetches;
    private transient MapState<String, String> emitted;
    private transient AvroCodec<EntityBinding> avro;
    private transient BindingExtractor extractor;

    public FetchInstances(long retentionMs, long closedTtlMs) {
      this.retentionMs = retentionMs;
      this.closedTtlMs = closedTtlMs;
    }

    @Override
    public void open(OpenContext ctx) {
      nodes = getRuntimeContext().getMapState(
          new MapStateDescriptor<>("nodes", Types.STRING, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
      fetches = getRuntimeContext().getMapState(
          new MapStateDescriptor<>("fetches", Types.STRING, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
      emitted = getRuntimeContext().getMapState(new MapStateDescriptor<>("emitted", Types.STRING, Types.STRING));
      avro = AvroCodec.of(EntityBinding.class);
      extractor = new BindingExtractor();
    }

    @Override
    public void processElement(EntityBinding b, Context ctx, Collector<EntityBinding> out) throws Exception {
      if (ImdsCredentials.fetchOnNode(b)) {
        if (fetches.contains(b.getBindingId())) return;
        fetches.put(b.getBindingId(), avro.encode(b));
        if (retentionMs != Long.MAX_VALUE && b.getValidTo() != null) {
          long drop = JoinSandboxPods.saturatedAdd(BindingExtractor.micros(b.getValidTo()) / 1000, closedTtlMs + retentionMs);
          ctx.timerService().registerEventTimeTimer(minuteAfter(drop));
        }
        emit(b, out);
        return;
      }
      String key = b.getObject().getKey() + '|' + BindingExtractor.micros(b.getValidFrom());
      if (nodes.contains(key)) return;
      nodes.put(key, avro.encode(b));
      for (byte[] f : fetches.values()) emit(avro.decode(f), out);
    }

    /** The fetch on the instance the node's statements give now, unless that was emitted already. */
    private void emit(EntityBinding fetch, Collector<EntityBinding> out) throws Exception {
      List<EntityBinding> known = new ArrayList<>();
      for (byte[] n : nodes.values()) known.add(avro.decode(n));
      EntityBinding d = ImdsCredentials.onInstance(extractor, fetch, known);
      if (d == null || d.getSubject().getKey().equals(emitted.get(fetch.getBindingId()))) return;
      emitted.put(fetch.getBindingId(), d.getSubject().getKey());
      out.collect(d);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<EntityBinding> out) throws Exception {
      for (Iterator<Map.Entry<String, byte[]>> it = fetches.iterator(); it.hasNext(); ) {
        Map.Entry<String, byte[]> f = it.next();
        EntityBinding b = avro.decode(f.getValue());
        if (b.getValidTo() == null) continue;
        long drop = JoinSandboxPods.saturatedAdd(BindingExtractor.micros(b.getValidTo()) / 1000, closedTtlMs + retentionMs);
        if (drop <= timestamp) {
          emitted.remove(f.getKey());
          it.remove();
        }
      }
    }
  }

  private static long minuteAfter(long ms) {
    return ms >= Long.MAX_VALUE - MINUTE_MS ? Long.MAX_VALUE : (ms / MINUTE_MS + 1) * MINUTE_MS;
  }
}
