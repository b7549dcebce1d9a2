package dev.strata.job.correlate;

import dev.strata.correlate.BindingExtractor;
import dev.strata.correlate.InstanceEnds;
import dev.strata.correlate.KeyStatus;
import dev.strata.schema.correlate.EntityBinding;
import java.io.Serializable;
import java.util.Collection;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.util.Collector;

/**
 * A join that keeps every statement once per (kind, subject, object, start) for the job's life ({@link
 * BindingJoin#statementKey}) and, on each new one, emits what its {@link Rule}'s plain-Java join derives from it and
 * the key's statements already kept: emitted as soon as both sides are here, in either order. One operator per rule:
 *
 * <ul>
 *   <li>{@link Rule#KEY_STATUS} ({@code join-key-status}), keyed by access key id ({@link KeyStatus#key}): a created
 *       key's statements ({@code accesskey_session} from {@code iam:CreateAccessKey}, and {@code accesskey_pod} /
 *       {@code accesskey_task} from {@link JoinCreatedKeys}, which comes before, {@code accesskey_instance}) and the
 *       key's status changes ({@code accesskey_status}: {@code DeleteAccessKey}, {@code UpdateAccessKey}) -> the
 *       closing of each statement at each later change and its restatement with the status ({@link KeyStatus#join});
 *       the key's calls already resolved are answered again, as for any late binding. Created keys and their status
 *       changes are rare (one per {@code CreateAccessKey} by a role session and per key management call), and a key's
 *       statements stay open until such a change.
 *   <li>{@link Rule#INSTANCE_ENDS} ({@code join-instance-ends}), keyed by EC2 instance id ({@link
 *       InstanceEnds#instance}): what binds interfaces, addresses and its node's name to the instance ({@code
 *       eni_instance}, {@code ip_instance}, {@code node_instance} but the audit log's) and the instance's termination as an EC2 inventory lists it ({@code instance_state}) -> each
 *       statement's closing at the termination ({@link InstanceEnds#join}). The inventory's statements are open (an
 *       instance's interfaces and addresses: a fleet's worth, a few per instance; flows restate an interface's
 *       instance with the same start, which is one member).
 * </ul>
 *
 * <p>The operator uids and the state's name are each rule's own (state compatible with the two classes this one
 * replaced: {@code JoinKeyStatus}, {@code JoinInstanceEnds}).
 */
public final class JoinStatementsKeptOnce extends BindingJoin<EntityBinding> {
  private static final long serialVersionUID = 1L;

  /** What derives from a new statement and the ones kept under its key. */
  interface Derive extends Serializable {
    List<EntityBinding> join(BindingExtractor x, EntityBinding arriving, Collection<EntityBinding> kept);
  }

  /** The joins of this shape: their operator uids, key and derivation. */
  public enum Rule {
    KEY_STATUS("join-key-status", "key-status-members", KeyStatus::key, KeyStatus::join),
    INSTANCE_ENDS("join-instance-ends", "instance-end-members", InstanceEnds::instance, InstanceEnds::join);

    public final String uid;
    public final String membersUid;
    private final KeySelector<EntityBinding, String> key;
    private final Derive derive;

    Rule(String uid, String membersUid, KeySelector<EntityBinding, String> key, Derive derive) {
      this.uid = uid;
      this.membersUid = membersUid;
      this.key = key;
      this.derive = derive;
    }
  }

  private final Rule rule;
  private transient Store statements;

  public JoinStatementsKeptOnce(Rule rule, long retentionMs, long closedTtlMs) {
    super(retentionMs, closedTtlMs);
    this.rule = rule;
  }

  /** {@code stated} plus what {@code rule} derives from it. */
  public static DataStream<EntityBinding> attach(Rule rule, DataStream<EntityBinding> stated,
      TypeInformation<EntityBinding> type, long retentionMs, long closedTtlMs) {
    return attach(stated, type, rule.membersUid, rule.key, new JoinStatementsKeptOnce(rule, retentionMs, closedTtlMs),
        rule.uid);
  }

  @Override
  protected void openState() {
    statements = store("statements");
  }

  @Override
  public void processElement(EntityBinding b, Context ctx, Collector<EntityBinding> out) throws Exception {
    if (!statements.addIfAbsent(statementKey(b), b)) return;
    for (EntityBinding d : rule.derive.join(extractor, b, statements.all())) out.collect(d);
  }
}
