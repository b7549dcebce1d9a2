package dev.strata.job.correlate;

import dev.strata.correlate.BindingExtractor;
import dev.strata.correlate.BindingKind;
import dev.strata.correlate.ImdsCredentials;
import dev.strata.correlate.KnownCidrs;
import dev.strata.schema.correlate.EntityBinding;
import java.util.List;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
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
public final class JoinImdsFetches extends BindingJoin<EntityBinding> {
  private static final long serialVersionUID = 1L;
  public static final String UID = "join-imds-fetches";
  public static final String UID_MEMBERS = "imds-members";
  public static final String UID_NODES = "imds-fetch-nodes";
  public static final String UID_ON_INSTANCE = "imds-fetch-instances";

  private transient Store members;
  private transient Store calls;
  /** {@code incident.known_cidrs}: a call from the organisation's own ranges is inside, never decided. */
  private final KnownCidrs known;

  public JoinImdsFetches(long retentionMs, long closedTtlMs) {
    this(retentionMs, closedTtlMs, KnownCidrs.NONE);
  }

  public JoinImdsFetches(long retentionMs, long closedTtlMs, KnownCidrs known) {
    super(retentionMs, closedTtlMs);
    this.known = known == null ? KnownCidrs.NONE : known;
  }

  /**
   * {@code stated} plus the fetches that named their node restated on its instance ({@link FetchInstances}) plus the
   * outside calls' {@code session_imds_pod} statements.
   */
  public static DataStream<EntityBinding> attach(DataStream<EntityBinding> stated, TypeInformation<EntityBinding> type,
      long retentionMs, long closedTtlMs) {
    return attach(stated, type, retentionMs, closedTtlMs, KnownCidrs.NONE);
  }

  /** The same, with the organisation's own ranges ({@code incident.known_cidrs}): their calls are never tied. */
  public static DataStream<EntityBinding> attach(DataStream<EntityBinding> stated, TypeInformation<EntityBinding> type,
      long retentionMs, long closedTtlMs, KnownCidrs known) {
    DataStream<EntityBinding> withOnInstance = attach(stated, type, UID_NODES, ImdsCredentials::node,
        new FetchInstances(retentionMs, closedTtlMs), UID_ON_INSTANCE);
    return attach(withOnInstance, type, UID_MEMBERS, JoinImdsFetches::member, ImdsCredentials::instance,
        new JoinImdsFetches(retentionMs, closedTtlMs, known), UID);
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
  protected void openState() {
    members = store("members");
    calls = store("calls");
  }

  @Override
  public void processElement(EntityBinding b, Context ctx, Collector<EntityBinding> out) throws Exception {
    // a call from the organisation's own ranges is inside: never decided (still a member: it tells nothing, but the
    // members' keys stay those of earlier builds' state)
    if (isCall(b) && !known.contains(b.getAttributes().get(ImdsCredentials.SOURCE_IP))
        && calls.addIfAbsent(b.getBindingId(), b)) {
      ctx.timerService().registerEventTimeTimer(decideAt(b, 0));
    }
    if (members.addIfAbsent(memberKey(b), b)) dropAfter(ctx, dropAt(b));
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<EntityBinding> out) throws Exception {
    List<EntityBinding> due = calls.removeIf(c -> decideAt(c, 0) <= timestamp);
    if (!due.isEmpty() && anyFetch()) { // most instances' calls never meet a fetch: decode nothing for them
      List<EntityBinding> all = members.all();
      for (EntityBinding c : due) {
        for (EntityBinding d : ImdsCredentials.decide(extractor, c, all, known)) out.collect(d);
      }
    }
    if (keepsAll()) return;
    members.removeIf(m -> dropAt(m) <= timestamp);
  }

  private static boolean isCall(EntityBinding b) {
    return BindingKind.SESSION_INSTANCE.id().equals(b.getKind());
  }

  /** Whether the instance has a fetch (members other than calls, {@link #memberKey}). */
  private boolean anyFetch() throws Exception {
    for (String k : members.keys()) if (!k.startsWith("call|")) return true;
    return false;
  }

  /**
   * When a member is no longer needed, in ms: closed TTL + retention after the credentials' end (a call's: its time
   * + their validity), + a retention more, for members must outlive the decisions that read them (a call is decided
   * a retention after its time).
   */
  private long dropAt(EntityBinding b) {
    long from = ms(b.getValidFrom());
    long end = isCall(b) ? from + ImdsCredentials.VALIDITY.toMillis()
        : b.getValidTo() == null ? from : ms(b.getValidTo());
    return saturatedAdd(end, closedTtlMs + retentionMs + (keepsAll() ? 0 : retentionMs));
  }

  /**
   * A fetch once per statement; a connection to IMDS once per (pod, minute): an SDK's or agent's repeated
   * connections move its window by a minute at most; a call once per (address, minute): enough to tell the node's
   * address.
   */
  private static String memberKey(EntityBinding b) {
    if (isCall(b)) {
      return "call|" + b.getAttributes().get(ImdsCredentials.SOURCE_IP) + '|'
          + BindingExtractor.micros(b.getValidFrom()) / 60_000_000L;
    }
    if (ImdsCredentials.byConnection(b)) {
      return "connection|" + b.getKind() + '|' + b.getObject().getScope() + '|' + b.getObject().getKey() + '|'
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
  public static final class FetchInstances extends BindingJoin<EntityBinding> {
    private static final long serialVersionUID = 1L;
    private transient Store nodes;
    private transient Store fetches;
    /** Per fetch (binding id), the instance it was last restated on. */
    private transient MapState<String, String> emitted;

    public FetchInstances(long retentionMs, long closedTtlMs) {
      super(retentionMs, closedTtlMs);
    }

    @Override
    protected void openState() {
      nodes = store("nodes");
      fetches = store("fetches");
      emitted = getRuntimeContext().getMapState(new MapStateDescriptor<>("emitted", Types.STRING, Types.STRING));
    }

    @Override
    public void processElement(EntityBinding b, Context ctx, Collector<EntityBinding> out) throws Exception {
      if (ImdsCredentials.fetchOnNode(b)) {
        if (!fetches.addIfAbsent(b.getBindingId(), b)) return;
        if (b.getValidTo() != null) dropAfter(ctx, keptUntil(ms(b.getValidTo())));
        emit(b, out);
        return;
      }
      if (!nodes.addIfAbsent(b.getObject().getKey() + '|' + BindingExtractor.micros(b.getValidFrom()), b)) return;
      for (EntityBinding f : fetches.all()) emit(f, out);
    }

    /** The fetch on the instance the node's statements give now, unless that was emitted already. */
    private void emit(EntityBinding fetch, Collector<EntityBinding> out) throws Exception {
      EntityBinding d = ImdsCredentials.onInstance(extractor, fetch, nodes.all());
      if (d == null || d.getSubject().getKey().equals(emitted.get(fetch.getBindingId()))) return;
      emitted.put(fetch.getBindingId(), d.getSubject().getKey());
      out.collect(d);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<EntityBinding> out) throws Exception {
      for (EntityBinding f : fetches.removeIf(f -> f.getValidTo() != null && keptUntil(ms(f.getValidTo())) <= timestamp)) {
        emitted.remove(f.getBindingId());
      }
    }
  }
}
