package dev.strata.job.correlate;

import dev.strata.correlate.BindingExtractor;
import dev.strata.correlate.NodeInstances;
import dev.strata.schema.correlate.EntityBinding;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.util.Collector;

/**
 * Keyed by node ({@link NodeInstances#node}: the cluster and the first DNS label of the node's name): the node's
 * {@code node_instance} statements and the statements that name the node but not its instance ({@code pod_node},
 * {@code ip_pod} / {@code container_pod} / {@code pod_container} naming the pod's node, {@code ip_node} from a pod's
 * {@code status.hostIP}: {@link NodeInstances#waitsForInstance}) -> each of those restated with the node's instance
 * ({@link NodeInstances#withInstance}), at once when the instance is known, else when the node's first {@code
 * node_instance} arrives. The restatement reaches the lookups as a late binding would (the events it covers are
 * answered again with the instance) and the bindings outputs beside the statement it restates.
 *
 * <p>State, per node: its {@code node_instance} starts, one per instance (the earliest: the API server restates a
 * Node's provider id with every status patch), and its closing statements (a Node deleted), dropped {@code closedTtl}
 * + retention after the end together with the starts before it; and only the statements still <em>waiting</em> for
 * the node's instance, by statement id, each kept for the lateness retention after it came (processing time, Flink's
 * state TTL, as the lookups' per-event state; bounded runs keep them to the input's end). A statement whose node's
 * instance is known passes through and is not kept: on a fleet whose nodes state their instances before their pods (a
 * Node object, a node snapshot, a launch) the join holds a few hundred bytes per node. On one that never states them
 * it holds every pod statement for the retention (docs/benchmarks.md, session 16: the bytes per binding of both).
 */
public final class JoinNodeInstances extends BindingJoin {
  private static final long serialVersionUID = 1L;
  public static final String UID = "join-node-instances";
  public static final String UID_MEMBERS = "node-instance-members";
  private static final String END = "end|";

  /** The node's node_instance starts by instance id (the earliest of each), and its ends under {@code end|<id>}. */
  private transient Store nodes;
  /** The statements naming the node that wait for its instance, by statement id (TTL: the retention). */
  private transient Store waiting;

  public JoinNodeInstances(long retentionMs, long closedTtlMs) {
    super(retentionMs, closedTtlMs);
  }

  /** {@code stated} plus the statements naming a node restated with its instance. */
  public static DataStream<EntityBinding> attach(DataStream<EntityBinding> stated, TypeInformation<EntityBinding> type,
      long retentionMs, long closedTtlMs) {
    return attach(stated, type, UID_MEMBERS, NodeInstances::node, new JoinNodeInstances(retentionMs, closedTtlMs), UID);
  }

  @Override
  protected void openState() {
    nodes = store("nodes");
    waiting = store("waiting", retentionMs);
  }

  @Override
  public void processElement(EntityBinding b, Context ctx, Collector<EntityBinding> out) throws Exception {
    if (NodeInstances.isNodeInstance(b)) {
      node(b, ctx, out);
      return;
    }
    String instance = NodeInstances.instanceFor(b, starts());
    if (instance != null) {
      out.collect(NodeInstances.withInstance(b, instance));
    } else {
      waiting.put(b.getBindingId(), b);
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
    if (waiting.isEmpty()) return;
    List<EntityBinding> starts = starts();
    for (EntityBinding m : waiting.removeIf(m -> NodeInstances.instanceFor(m, starts) != null)) {
      out.collect(NodeInstances.withInstance(m, NodeInstances.instanceFor(m, starts)));
    }
  }

  /** The node's node_instance starts. */
  private List<EntityBinding> starts() throws Exception {
    List<EntityBinding> out = new ArrayList<>(2);
    for (EntityBinding n : nodes.all()) {
      if (!BindingExtractor.isClosing(n)) out.add(n);
    }
    return out;
  }

  /** A node's end past closed TTL + retention: the end and the starts of that instance before it go. */
  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<EntityBinding> out) throws Exception {
    List<EntityBinding> ends = nodes.removeIf(n -> BindingExtractor.isClosing(n)
        && keptUntil(ms(n.getValidFrom())) <= timestamp);
    for (EntityBinding end : ends) {
      EntityBinding start = nodes.get(end.getObject().getKey());
      if (start != null && !start.getValidFrom().isAfter(end.getValidFrom())) nodes.remove(end.getObject().getKey());
    }
  }
}
