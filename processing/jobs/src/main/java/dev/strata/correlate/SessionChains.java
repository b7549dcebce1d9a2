package dev.strata.correlate;

import dev.strata.schema.correlate.EntityBinding;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Role chaining: a session {@code S2} that an assumed-role session {@code S1} obtained with {@code sts:AssumeRole}
 * ({@code session_chain} S2 -> S1, from the call until S2 expires) is held by whoever held {@code S1} at the call. So
 * S1's pod ({@code session_pod}: EKS Pod Identity's session tags, IRSA's {@link SessionPods}) or ECS task ({@code
 * session_task}, under {@code session|aws:<account>|<task id>}) holding S1 at the call is S2's too: {@link #join} gives
 * {@code session_pod} / {@code session_task} S2 -> that pod / task, from the call until S2 expires, with S2's role and
 * account (not the pod's role: the session's calls are made with S2's), the pod's cluster, namespace, uid, node and
 * service account, {@code created_by_session} S1 and {@link #DEPTH}, confidence min(the chain's, the root's). S2's
 * calls ask {@code session||S2} at hop 1 already: they then name the pod, and at hop 2 its node's instance as any
 * session's pod does. A key S2 created ({@code iam:CreateAccessKey}) meets S2's pod in {@link CreatedKeys} (which runs
 * after).
 *
 * <p>Chains of chains: the job runs the join {@link #STAGES} times, stage {@code k} joining the roots of depth {@code
 * k-1} (0: stated by the extractor or {@link SessionPods}; {@code k}: derived by stage {@code k}) with every chain, so
 * S3 from S2 from S1 gets S1's pod at stage 2; each derivation is made once (by the stage of its depth), in any
 * arrival order. An instance role's session as the caller names its instance on the chain statement itself (the
 * lookups hold it under S2); a chain of chains from an instance session gets no instance (limit).
 */
public final class SessionChains {
  /** How many AssumeRole hops from the root session a derived statement is (attribute; absent on roots: 0). */
  public static final String DEPTH = "chain_depth";
  /** Chain stages the job runs (a chain of up to this many AssumeRole hops from the pod's / task's session). */
  public static final int STAGES = 3;

  private SessionChains() {}

  /** Whether {@code b} is a chain statement ({@code session_chain}, not closing). */
  public static boolean isChain(EntityBinding b) {
    return BindingKind.SESSION_CHAIN.id().equals(b.getKind()) && !BindingExtractor.isClosing(b);
  }

  /** Whether {@code b} is a session's pod or task of depth {@code depth} ({@link #DEPTH}). */
  static boolean isRoot(EntityBinding b, int depth) {
    if (BindingExtractor.isClosing(b)) return false;
    if (!BindingKind.SESSION_POD.id().equals(b.getKind()) && !BindingKind.SESSION_TASK.id().equals(b.getKind())) {
      return false;
    }
    String d = b.getAttributes().get(DEPTH);
    return (d == null ? 0 : Integer.parseInt(d)) == depth;
  }

  /**
   * The session at which {@code b} takes part in stage {@code stage}, or null: a chain's calling session (its ARN, or
   * for an ECS task-id session its {@link LookupKeys#taskSession} key, where the task's {@code session_task} is); a
   * root of depth {@code stage - 1}: its session (a {@code session_pod}'s subject ARN, an extractor's {@code
   * session_task}'s task key, a derived {@code session_task}'s subject ARN).
   */
  public static String session(EntityBinding b, int stage) {
    if (isChain(b)) {
      String caller = b.getObject().getKey();
      String task = LookupKeys.taskSession(caller);
      return task != null ? task : caller;
    }
    if (!isRoot(b, stage - 1)) return null;
    String scope = b.getSubject().getScope();
    if (BindingKind.SESSION_TASK.id().equals(b.getKind()) && scope != null && !scope.isEmpty()) {
      return LookupKeys.key("session", scope, b.getSubject().getKey());
    }
    return b.getSubject().getKey();
  }

  /**
   * What stage {@code stage} derives when {@code arriving} meets the session's other statements {@code others} (chains
   * and roots, any order): for a chain, the roots holding the calling session at the call; for a root, the chains
   * called while it held the session.
   */
  public static List<EntityBinding> join(BindingExtractor x, EntityBinding arriving, Collection<EntityBinding> others,
      int stage) {
    String session = session(arriving, stage);
    if (session == null) return List.of();
    List<EntityBinding> out = new ArrayList<>();
    for (EntityBinding o : others) {
      if (o == arriving || !session.equals(session(o, stage))) continue;
      boolean chainArrives = isChain(arriving);
      if (chainArrives == isChain(o)) continue;
      EntityBinding d = chained(x, chainArrives ? arriving : o, chainArrives ? o : arriving, stage);
      if (d != null) out.add(d);
    }
    return out;
  }

  /** The chained session's pod / task when {@code root} held the calling session at the chain's call, else null. */
  static EntityBinding chained(BindingExtractor x, EntityBinding chain, EntityBinding root, int stage) {
    long called = BindingExtractor.micros(chain.getValidFrom());
    long from = BindingExtractor.micros(root.getValidFrom());
    if (from > called || (root.getValidTo() != null && called >= BindingExtractor.micros(root.getValidTo()))) {
      return null;
    }
    Map<String, String> a = new LinkedHashMap<>();
    for (Map.Entry<String, String> p : root.getAttributes().entrySet()) {
      if (Attr.ALL.contains(p.getKey())) a.put(p.getKey(), p.getValue());
    }
    // the chained session's own role and account; the root's task / execution role is not the chained session's
    a.remove(Attr.ECS_TASK_ROLE);
    a.remove(Attr.ECS_EXECUTION_ROLE);
    a.remove(Attr.IAM_ROLE);
    a.remove(Attr.ACCOUNT_UID);
    putIfSet(a, Attr.IAM_ROLE, chain.getAttributes().get(Attr.IAM_ROLE));
    putIfSet(a, Attr.ACCOUNT_UID, chain.getAttributes().get(Attr.ACCOUNT_UID));
    a.put(CreatedKeys.CREATED_BY_SESSION, chain.getObject().getKey());
    String rule = root.getAttributes().get(SessionPods.RULE);
    if (rule != null) a.put(SessionPods.RULE, rule);
    a.put(DEPTH, Integer.toString(stage));
    BindingKind kind = BindingKind.of(root.getKind());
    if (kind == BindingKind.SESSION_TASK) a.put(Attr.TASK_UID, root.getObject().getKey());
    float confidence = Math.min(chain.getConfidence(), root.getConfidence());
    Long to = chain.getValidTo() == null ? null : BindingExtractor.micros(chain.getValidTo());
    return x.derived(kind, "", chain.getSubject().getKey(), root.getObject().getScope(), root.getObject().getKey(), a,
        to, confidence, chain);
  }

  private static void putIfSet(Map<String, String> m, String k, String v) {
    if (v != null) m.put(k, v);
  }
}
