package dev.strata.job.correlate;

import dev.strata.correlate.BindingExtractor;
import dev.strata.correlate.SessionChains;
import dev.strata.schema.correlate.EntityBinding;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.util.Collector;

/**
 * Keyed by the calling role session ({@link SessionChains#session}): the sessions it obtained with {@code
 * sts:AssumeRole} ({@code session_chain}) and its pods / tasks of one depth ({@code session_pod}, {@code
 * session_task}) -> each chained session's pod / task ({@link SessionChains#join}), emitted as soon as both are here,
 * whichever came first. One operator per stage ({@link SessionChains#STAGES}: uids {@code join-session-chains-<k>},
 * {@code session-chain-members-<k>}), after {@code join-session-pods} (IRSA's pods) and before {@code
 * join-created-keys} (a key a chained session created then names the pod).
 *
 * <p>State: both sides once per (kind, subject, object, interval), kept until closed TTL + retention after the
 * statement's end (a session's credentials expire within hours; role chaining caps a session at one hour); open ones
 * for the job's life. Chained sessions are rare: the state is small.
 */
public final class JoinSessionChains extends BindingJoin<EntityBinding> {
  private static final long serialVersionUID = 1L;
  public static final String UID = "join-session-chains-";
  public static final String UID_MEMBERS = "session-chain-members-";

  private final int stage;
  private transient Store statements;

  public JoinSessionChains(long retentionMs, long closedTtlMs, int stage) {
    super(retentionMs, closedTtlMs);
    this.stage = stage;
  }

  /** {@code stated} plus the chained sessions' pods and tasks, through every stage. */
  public static DataStream<EntityBinding> attach(DataStream<EntityBinding> stated, TypeInformation<EntityBinding> type,
      long retentionMs, long closedTtlMs) {
    for (int k = 1; k <= SessionChains.STAGES; k++) {
      int stage = k;
      stated = attach(stated, type, UID_MEMBERS + k, b -> SessionChains.session(b, stage),
          new JoinSessionChains(retentionMs, closedTtlMs, stage), UID + k);
    }
    return stated;
  }

  @Override
  protected void openState() {
    statements = store("statements");
  }

  @Override
  public void processElement(EntityBinding b, Context ctx, Collector<EntityBinding> out) throws Exception {
    if (!statements.addIfAbsent(memberKey(b), b)) return;
    for (EntityBinding d : SessionChains.join(extractor, b, statements.all(), stage)) out.collect(d);
    if (b.getValidTo() != null) dropAfter(ctx, keptUntil(ms(b.getValidTo())));
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<EntityBinding> out) throws Exception {
    if (keepsAll()) return;
    statements.removeIf(b -> b.getValidTo() != null && keptUntil(ms(b.getValidTo())) <= timestamp);
  }

  private static String memberKey(EntityBinding b) {
    return b.getKind() + '|' + b.getSubject().getKey() + '|' + b.getObject().getScope() + '|' + b.getObject().getKey()
        + '|' + BindingExtractor.micros(b.getValidFrom()) + '|'
        + (b.getValidTo() == null ? "" : BindingExtractor.micros(b.getValidTo()));
  }
}
