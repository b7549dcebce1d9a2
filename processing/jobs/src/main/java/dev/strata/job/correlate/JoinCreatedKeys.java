package dev.strata.job.correlate;

import dev.strata.correlate.BindingExtractor;
import dev.strata.correlate.CreatedKeys;
import dev.strata.schema.correlate.EntityBinding;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.util.Collector;

/**
 * Keyed by role session ARN ({@link CreatedKeys#session}): the access keys the session created ({@code
 * iam:CreateAccessKey}) and the session's pods ({@code session_pod}: EKS Pod Identity's from the extractor, IRSA's from
 * {@link JoinSessionPods}, which comes before) -> each key's {@code accesskey_pod} ({@link CreatedKeys#join}), emitted
 * as soon as both are here, whichever came first (no decision to wait for: the pair says it all). The key's calls
 * already resolved are then answered again with the pod, as by any late binding.
 *
 * <p>State: both sides once per (kind, subject, object, interval). A created key is kept until closed TTL + retention
 * after its creation (its session's pod is decided at most the retention after the session's issue, which is before
 * the creation); a session's pod until closed TTL + retention after the credentials' expiry. Event-time timers: one per
 * minute of drops. Created keys are rare (one per {@code CreateAccessKey} by a role session): the state is small.
 */
public final class JoinCreatedKeys extends BindingJoin<EntityBinding> {
  private static final long serialVersionUID = 1L;
  public static final String UID = "join-created-keys";
  public static final String UID_MEMBERS = "created-key-members";

  private transient Store statements;

  public JoinCreatedKeys(long retentionMs, long closedTtlMs) {
    super(retentionMs, closedTtlMs);
  }

  /** {@code stated} plus the created keys' {@code accesskey_pod} statements. */
  public static DataStream<EntityBinding> attach(DataStream<EntityBinding> stated, TypeInformation<EntityBinding> type,
      long retentionMs, long closedTtlMs) {
    return attach(stated, type, UID_MEMBERS, CreatedKeys::session, new JoinCreatedKeys(retentionMs, closedTtlMs), UID);
  }

  @Override
  protected void openState() {
    statements = store("statements");
  }

  @Override
  public void processElement(EntityBinding b, Context ctx, Collector<EntityBinding> out) throws Exception {
    if (!statements.addIfAbsent(memberKey(b), b)) return;
    for (EntityBinding d : CreatedKeys.join(extractor, b, statements.all())) out.collect(d);
    Long until = until(b);
    if (until != null) dropAfter(ctx, keptUntil(until));
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<EntityBinding> out) throws Exception {
    if (keepsAll()) return;
    statements.removeIf(b -> until(b) != null && keptUntil(until(b)) <= timestamp); // an open one stays
  }

  /** When a statement stops mattering, in ms: a created key's creation, a session pod's expiry; null when open. */
  private static Long until(EntityBinding b) {
    if (CreatedKeys.isCreatedKey(b)) return ms(b.getValidFrom());
    return b.getValidTo() == null ? null : ms(b.getValidTo());
  }

  private static String memberKey(EntityBinding b) {
    return b.getKind() + '|' + b.getSubject().getKey() + '|' + b.getObject().getScope() + '|' + b.getObject().getKey()
        + '|' + BindingExtractor.micros(b.getValidFrom()) + '|'
        + (b.getValidTo() == null ? "" : BindingExtractor.micros(b.getValidTo()));
  }
}
