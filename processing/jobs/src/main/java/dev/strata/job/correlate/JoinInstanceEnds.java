package dev.strata.job.correlate;

import dev.strata.correlate.InstanceEnds;
import dev.strata.schema.correlate.EntityBinding;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.util.Collector;

/**
 * Keyed by EC2 instance id ({@link InstanceEnds#instance}): what binds interfaces and addresses to the instance
 * ({@code eni_instance}, {@code ip_instance}) and the instance's termination as an EC2 inventory lists it ({@code
 * instance_state}) -> each statement's closing at the termination ({@link InstanceEnds#join}), emitted as soon as both
 * are here, in either order.
 *
 * <p>State: every member once per (kind, subject, object, start), kept for the job's life, as the inventory's
 * statements are open (an instance's interfaces and addresses: a fleet's worth, a few per instance; flows restate an
 * interface's instance with the same start, which is one member).
 */
public final class JoinInstanceEnds extends BindingJoin<EntityBinding> {
  private static final long serialVersionUID = 1L;
  public static final String UID = "join-instance-ends";
  public static final String UID_MEMBERS = "instance-end-members";

  private transient Store statements;

  public JoinInstanceEnds(long retentionMs, long closedTtlMs) {
    super(retentionMs, closedTtlMs);
  }

  /** {@code stated} plus the closings of a terminated instance's interfaces and addresses. */
  public static DataStream<EntityBinding> attach(DataStream<EntityBinding> stated, TypeInformation<EntityBinding> type,
      long retentionMs, long closedTtlMs) {
    return attach(stated, type, UID_MEMBERS, InstanceEnds::instance, new JoinInstanceEnds(retentionMs, closedTtlMs), UID);
  }

  @Override
  protected void openState() {
    statements = store("statements");
  }

  @Override
  public void processElement(EntityBinding b, Context ctx, Collector<EntityBinding> out) throws Exception {
    if (!statements.addIfAbsent(statementKey(b), b)) return;
    for (EntityBinding d : InstanceEnds.join(extractor, b, statements.all())) out.collect(d);
  }
}
