package dev.strata.job.correlate;

import dev.strata.correlate.BindingExtractor;
import dev.strata.correlate.CompactStatements;
import dev.strata.correlate.NodeInstances;
import dev.strata.schema.correlate.EntityBinding;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.util.Collector;

/**
 * Keyed by node ({@link NodeInstances#node}: the cluster and the first DNS label of the node's name): the node's
 * {@code node_instance} statements and the statements that name the node but not its instance ({@code pod_node},
 * {@code ip_pod} / {@code container_pod} / {@code pod_container} naming the pod's node, {@code ip_node} from a pod's
 * {@code status.hostIP}: {@link NodeInstances#waitsForInstance}) -> each of those restated with the node's instance
 * ({@link NodeInstances#withInstance}), at once when the instance is known, else when the node's first {@code
 * node_instance} arrives ({@link #attach}: the lookups get the restatement in the statement's place, or the statement
 * and later its restatement, which they hold in its place and answer the events it covers again as for a late
 * binding; the bindings outputs get both).
 *
 * <p>State, per node: its {@code node_instance} starts, one per instance (the earliest: the API server restates a
 * Node's provider id with every status patch), and its closing statements (a Node deleted), dropped {@code closedTtl}
 * + retention after the end together with the starts before it; and only the statements still <em>waiting</em> for
 * the node's instance, in a list in their compact form ({@link CompactStatements}), each kept for the lateness
 * retention after it came (processing time, Flink's state TTL per element, as the lookups' per-event state; bounded
 * runs keep them to the input's end). A statement whose node's
 * instance is known passes through and is not kept: on a fleet whose nodes state their instances before their pods (a
 * Node object, a node snapshot, a launch) the join holds a few hundred bytes per node. On one that never states them
 * it holds every pod statement for the retention (docs/benchmarks.md, sessions 16 and 17: the bytes per binding of
 * both).
 */
public final class JoinNodeInstances extends BindingJoin<Tuple2<String, byte[]>> {
  private static final long serialVersionUID = 1L;
  public static final String UID = "join-node-instances";
  public static final String UID_MEMBERS = "node-instance-members";
  private static final String END = "end|";

  /** The node's node_instance starts by instance id (the earliest of each), and its ends under {@code end|<id>}. */
  private transient Store nodes;
  /**
   * The statements naming the node that wait for its instance, in arrival order, each in its compact form ({@link
   * CompactStatements}; TTL: the retention, per element). A list rather than a map by statement id: an append is a
   * RocksDB merge (no read, no key per statement: the node's key once), and the list is read only when the node's
   * first instance comes, which empties it.
   */
  private transient ListState<byte[]> waiting;
  /**
   * The waiting statements as builds before the list held them (by statement id, Avro): read once a node's instance
   * comes, so a savepoint of such a build still restates them; nothing is added.
   */
  private transient Store waitingBefore;
  private transient CompactStatements compact;
  /**
   * The starts of the nodes this subtask met last, as {@link #nodes} holds them (every change goes through this
   * operator): a node's pods' statements would otherwise read and decode its starts from the state each (a RocksDB
   * seek per statement); at most {@link #CACHED_NODES} nodes.
   */
  private transient Map<String, List<EntityBinding>> cached;
  static final int CACHED_NODES = 16_384;

  public JoinNodeInstances(long retentionMs, long closedTtlMs) {
    super(retentionMs, closedTtlMs);
  }

  /**
   * What the lookups and the bindings outputs read once the node's instances are joined: {@code lookups}, the
   * statements with each one naming a node in a cluster replaced by the join's answer (the statement itself while its
   * node's instance is unknown, then its restatement; only the restatement when the instance is known: one write per
   * lookup key, as before the join); {@code facts}, every statement and the restatements beside them (the facts are a
   * function of the statements, whatever the arrival order: a statement and its restatement both, in every order).
   */
  public record Joined(DataStream<EntityBinding> lookups, DataStream<EntityBinding> facts) {}

  /** {@code stated} joined with the nodes' instances (uids {@link #UID_MEMBERS}, {@link #UID}, and the filters'). */
  public static Joined attach(DataStream<EntityBinding> stated, TypeInformation<EntityBinding> type, long retentionMs,
      long closedTtlMs) {
    DataStream<EntityBinding> joined = stated.flatMap(new Members(), MEMBER).name(UID_MEMBERS).uid(UID_MEMBERS)
        .keyBy(m -> m.f0, org.apache.flink.api.common.typeinfo.Types.STRING)
        .process(new JoinNodeInstances(retentionMs, closedTtlMs), type)
        .name(UID)
        .uid(UID);
    // node_instance statements are members (the join keeps them) and pass on to the lookups beside
    DataStream<EntityBinding> others = stated.filter(b -> !NodeInstances.waitsForInstance(b))
        .name(UID_OTHERS).uid(UID_OTHERS);
    DataStream<EntityBinding> restated = joined.filter(JoinNodeInstances::isRestatement).name(UID_RESTATED)
        .uid(UID_RESTATED);
    return new Joined(others.union(joined), stated.union(restated));
  }

  /** What crosses to the join: a statement's node ({@link NodeInstances#node}) and the statement's compact form. */
  static final TypeInformation<Tuple2<String, byte[]>> MEMBER = org.apache.flink.api.common.typeinfo.Types.TUPLE(
      org.apache.flink.api.common.typeinfo.Types.STRING, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);

  /**
   * The statements the join meets ({@code node_instance} statements and those that wait for one), each beside its
   * node and in its compact form ({@link CompactStatements}): the shuffle to the join carries about two thirds of the
   * Avro bytes, encoded and decoded without Avro's resolution, and the join holds a waiting statement as it came.
   */
  static final class Members extends RichFlatMapFunction<EntityBinding, Tuple2<String, byte[]>> {
    private static final long serialVersionUID = 1L;
    private transient CompactStatements compact;

    @Override
    public void open(OpenContext ctx) {
      compact = new CompactStatements();
    }

    @Override
    public void flatMap(EntityBinding b, Collector<Tuple2<String, byte[]>> out) {
      String node = NodeInstances.node(b);
      if (node != null) out.collect(Tuple2.of(node, compact.encode(b)));
    }
  }

  /** Uid of the filter of the statements that do not wait for a node's instance (to the lookups as they are). */
  public static final String UID_OTHERS = "node-instance-others";
  /** Uid of the filter of the join's restatements (to the bindings outputs, beside the statements). */
  public static final String UID_RESTATED = "node-instance-restated";

  /** Whether the join emitted {@code b} as a restatement (with the instance) rather than passing a statement on. */
  static boolean isRestatement(EntityBinding b) {
    return b.getAttributes().get(dev.strata.correlate.Attr.INSTANCE_UID) != null;
  }

  @Override
  protected void openState() {
    nodes = store("nodes");
    waiting = getRuntimeContext().getListState(Retention.keep(
        new ListStateDescriptor<>(WAITING, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO), retentionMs));
    waitingBefore = store("waiting", retentionMs);
    compact = new CompactStatements();
    cached = new LinkedHashMap<>(256, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, List<EntityBinding>> eldest) {
        return size() > CACHED_NODES;
      }
    };
  }

  @Override
  public void processElement(Tuple2<String, byte[]> m, Context ctx, Collector<EntityBinding> out) throws Exception {
    EntityBinding b = compact.decode(m.f1);
    if (NodeInstances.isNodeInstance(b)) {
      node(b, ctx, out);
      return;
    }
    String instance = NodeInstances.instanceFor(b, starts(ctx.getCurrentKey()));
    if (instance != null) {
      out.collect(NodeInstances.withInstance(b, instance)); // the lookups hold it in the statement's place
    } else {
      out.collect(b); // the lookups hold the statement until its restatement replaces it
      // as it came (its compact form), less its id where the extractor's formula gives it back
      waiting.add(compact.withoutDerivableId(m.f1, b));
    }
  }

  /** A node_instance statement: kept (a start earlier than the one held, an end), and the waiting statements decided. */
  private void node(EntityBinding b, Context ctx, Collector<EntityBinding> out) throws Exception {
    String instance = b.getObject().getKey();
    if (BindingExtractor.isClosing(b)) {
      EntityBinding held = nodes.get(END + instance);
      if (held != null && !b.getValidFrom().isAfter(held.getValidFrom())) return;
      nodes.put(END + instance, b);
      dropAfter(ctx, keptUntil(ms(b.getValidFrom())));
      return;
    }
    EntityBinding held = nodes.get(instance);
    if (held != null && !b.getValidFrom().isBefore(held.getValidFrom())) return; // a restatement
    nodes.put(instance, b);
    cached.remove(ctx.getCurrentKey());
    List<EntityBinding> starts = starts(ctx.getCurrentKey());
    Iterable<byte[]> members = waiting.get();
    if (members != null && members.iterator().hasNext()) {
      // every start names an instance for every statement (the one in force at its start, else the earliest after)
      for (byte[] m : members) {
        EntityBinding member = compact.decode(m);
        out.collect(NodeInstances.withInstance(member, NodeInstances.instanceFor(member, starts)));
      }
      waiting.clear();
    }
    if (waitingBefore.isEmpty()) return;
    for (EntityBinding m : waitingBefore.removeIf(m -> NodeInstances.instanceFor(m, starts) != null)) {
      out.collect(NodeInstances.withInstance(m, NodeInstances.instanceFor(m, starts)));
    }
  }

  /** Name of the list of waiting statements (their compact form). */
  static final String WAITING = "waiting-compact";

  /** The node's node_instance starts. */
  private List<EntityBinding> starts(String node) throws Exception {
    List<EntityBinding> out = cached.get(node);
    if (out != null) return out;
    out = new ArrayList<>(2);
    for (EntityBinding n : nodes.all()) {
      if (!BindingExtractor.isClosing(n)) out.add(n);
    }
    cached.put(node, out);
    return out;
  }

  /** A node's end past closed TTL + retention: the end and the starts of that instance before it go. */
  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<EntityBinding> out) throws Exception {
    cached.remove(ctx.getCurrentKey());
    List<EntityBinding> ends = nodes.removeIf(n -> BindingExtractor.isClosing(n)
        && keptUntil(ms(n.getValidFrom())) <= timestamp);
    for (EntityBinding end : ends) {
      EntityBinding start = nodes.get(end.getObject().getKey());
      if (start != null && !start.getValidFrom().isAfter(end.getValidFrom())) nodes.remove(end.getObject().getKey());
    }
  }
}
