package dev.strata.job.correlate;

import dev.strata.correlate.BindingExtractor;
import dev.strata.correlate.SessionPods;
import dev.strata.schema.correlate.EntityBinding;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.util.Collector;

/**
 * Keyed by service account ({@code ns/name}, {@link SessionPods#serviceAccount}): IRSA sessions issued to it and the
 * statements of its pods (lifetimes, addresses, tokens) -> each session's {@code session_pod} ({@link
 * SessionPods#decide}), decided once the event-time watermark has passed the issuing call's time + the retention
 * (the largest lateness bound: evidence of the pods that arrives up to that late counts; bounded runs decide at the
 * input's end), then dropped. The statement then reaches the lookups as a late binding: the session's calls already
 * resolved are answered again with the pod.
 *
 * <p>State: the pending sessions, and the pods' statements once per (kind, subject, object, interval) -- a kubelet's
 * status patches restate the same start -- each dropped {@code closedTtl} + retention after its end (an open one is
 * kept while it is open). Event-time timers: one per pending session, one per minute of member ends.
 */
public final class JoinSessionPods extends BindingJoin<EntityBinding> {
  private static final long serialVersionUID = 1L;
  public static final String UID = "join-session-pods";
  public static final String UID_MEMBERS = "session-members";

  private transient Store members;
  private transient Store issues;

  public JoinSessionPods(long retentionMs, long closedTtlMs) {
    super(retentionMs, closedTtlMs);
  }

  /** {@code stated} plus the sessions' {@code session_pod} statements. */
  public static DataStream<EntityBinding> attach(DataStream<EntityBinding> stated, TypeInformation<EntityBinding> type,
      long retentionMs, long closedTtlMs) {
    return attach(stated, type, UID_MEMBERS, SessionPods::serviceAccount,
        new JoinSessionPods(retentionMs, closedTtlMs), UID);
  }

  @Override
  protected void openState() {
    members = store("members");
    issues = store("sessions");
  }

  @Override
  public void processElement(EntityBinding b, Context ctx, Collector<EntityBinding> out) throws Exception {
    if (SessionPods.isIssue(b)) {
      if (issues.addIfAbsent(b.getBindingId(), b)) ctx.timerService().registerEventTimeTimer(decideAt(b, 0));
      return;
    }
    if (!members.addIfAbsent(memberKey(b), b)) return;
    Long end = end(b);
    if (end != null) dropAfter(ctx, keptUntil(end));
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<EntityBinding> out) throws Exception {
    List<EntityBinding> due = issues.removeIf(issue -> decideAt(issue, 0) <= timestamp);
    if (!due.isEmpty()) {
      List<EntityBinding> pods = members.all();
      for (EntityBinding issue : due) {
        EntityBinding d = SessionPods.decide(extractor, issue, pods);
        if (d != null) out.collect(d);
      }
    }
    if (keepsAll()) return;
    members.removeIf(m -> end(m) != null && keptUntil(end(m)) <= timestamp); // an open member stays
  }

  /** The end of a member statement in ms (a closing statement's time, a stated end), null when open. */
  private static Long end(EntityBinding b) {
    return b.getValidTo() == null ? null : ms(b.getValidTo());
  }

  private static String memberKey(EntityBinding b) {
    return b.getKind() + '|' + b.getSubject().getScope() + '|' + b.getSubject().getKey() + '|' + b.getObject().getScope()
        + '|' + b.getObject().getKey() + '|' + BindingExtractor.micros(b.getValidFrom()) + '|'
        + (b.getValidTo() == null ? "" : BindingExtractor.micros(b.getValidTo())) + '|' + b.getEndObserved();
  }
}
