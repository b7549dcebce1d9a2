package dev.strata.job.correlate;

import dev.strata.correlate.KeyStatus;
import dev.strata.schema.correlate.EntityBinding;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.util.Collector;

/**
 * Keyed by access key id ({@link KeyStatus#key}): a created key's statements ({@code accesskey_session} from {@code
 * iam:CreateAccessKey}, and {@code accesskey_pod} / {@code accesskey_task} from {@link JoinCreatedKeys}, which comes
 * before, {@code accesskey_instance}) and the key's status changes ({@code accesskey_status}: {@code DeleteAccessKey},
 * {@code UpdateAccessKey}) -> the closing of each statement at each later change and its restatement with the status
 * ({@link KeyStatus#join}), emitted as soon as both are here, in either order; the key's calls already resolved are
 * answered again, as for any late binding.
 *
 * <p>State: every member once per (kind, subject, object, start, status), kept for the job's life: created keys and
 * their status changes are rare (one per {@code CreateAccessKey} by a role session and per key management call), and
 * a key's statements stay open until such a change.
 */
public final class JoinKeyStatus extends BindingJoin<EntityBinding> {
  private static final long serialVersionUID = 1L;
  public static final String UID = "join-key-status";
  public static final String UID_MEMBERS = "key-status-members";

  private transient Store statements;

  public JoinKeyStatus(long retentionMs, long closedTtlMs) {
    super(retentionMs, closedTtlMs);
  }

  /** {@code stated} plus the closings and restatements of created keys whose status changed. */
  public static DataStream<EntityBinding> attach(DataStream<EntityBinding> stated, TypeInformation<EntityBinding> type,
      long retentionMs, long closedTtlMs) {
    return attach(stated, type, UID_MEMBERS, KeyStatus::key, new JoinKeyStatus(retentionMs, closedTtlMs), UID);
  }

  @Override
  protected void openState() {
    statements = store("statements");
  }

  @Override
  public void processElement(EntityBinding b, Context ctx, Collector<EntityBinding> out) throws Exception {
    if (!statements.addIfAbsent(statementKey(b), b)) return;
    for (EntityBinding d : KeyStatus.join(extractor, b, statements.all())) out.collect(d);
  }
}
