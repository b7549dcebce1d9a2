package dev.strata.job.correlate;

import dev.strata.correlate.NodeClusters;
import dev.strata.schema.correlate.EntityBinding;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.util.Collector;

/**
 * Keyed by a node's name (its first DNS label, {@link NodeClusters#node}): the EC2 inventories' {@code node_instance}
 * of the name (the instance's cluster tag) and the clusterless statements that name the node (an audit log without a
 * context manifest: {@code ip_pod}, {@code ip_node}, {@code pod_node} in the unknown cluster's scope) -> each such
 * statement restated in the cluster's and account's scopes, and the node's {@code node_instance} in the unknown scope
 * ({@link NodeClusters#decide}). A statement is decided once the event-time watermark has passed its start + the
 * lateness retention (an inventory collected within that bound still counts; bounded runs decide at the input's end),
 * then dropped. After {@code join-docker-socket-clients}, before {@code join-node-instances} (the restated statements name
 * their instance already); after {@code join-session-pods}, which keeps counting the clusterless pods only (a pod
 * restated in a second scope would be a second candidate there).
 *
 * <p>State: the inventories' node statements of the name (a few per node, for the job's life); the waiting statements
 * until decided (in streaming, the lateness retention after their start). An inventory collected later than that does
 * not reach the statements already decided.
 */
public final class JoinNodeClusters extends BindingJoin<EntityBinding> {
  private static final long serialVersionUID = 1L;
  public static final String UID = "join-node-clusters";
  public static final String UID_MEMBERS = "node-cluster-members";

  private transient Store inventories;
  private transient Store waiting;

  public JoinNodeClusters(long retentionMs, long closedTtlMs) {
    super(retentionMs, closedTtlMs);
  }

  /** {@code stated} plus the restatements. */
  public static DataStream<EntityBinding> attach(DataStream<EntityBinding> stated, TypeInformation<EntityBinding> type,
      long retentionMs, long closedTtlMs) {
    return attach(stated, type, UID_MEMBERS, NodeClusters::node, new JoinNodeClusters(retentionMs, closedTtlMs), UID);
  }

  @Override
  protected void openState() {
    inventories = store("inventories");
    waiting = store("waiting");
  }

  @Override
  public void processElement(EntityBinding b, Context ctx, Collector<EntityBinding> out) throws Exception {
    if (NodeClusters.isInventory(b)) {
      inventories.addIfAbsent(statementKey(b), b);
      return;
    }
    if (waiting.addIfAbsent(b.getBindingId(), b)) {
      ctx.timerService().registerEventTimeTimer(minuteAfter(decideAt(b, 0)));
    }
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<EntityBinding> out) throws Exception {
    List<EntityBinding> due = waiting.removeIf(b -> decideAt(b, 0) <= timestamp);
    if (due.isEmpty()) return;
    for (EntityBinding r : NodeClusters.decide(extractor, due, inventories.all())) out.collect(r);
  }
}
