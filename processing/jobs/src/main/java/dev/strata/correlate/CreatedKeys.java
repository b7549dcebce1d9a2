package dev.strata.correlate;

import dev.strata.schema.correlate.EntityBinding;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The pod behind an access key that a pod's role session created. {@code iam:CreateAccessKey} made with a role
 * session states {@code accesskey_session} (the new long-lived key -> the creating session, open); the session's pod is
 * {@code session_pod} (IRSA: derived by {@link SessionPods}; EKS Pod Identity: EKS's session tags), valid only until the
 * session's credentials expire. The key's calls come later, from elsewhere, usually after that (persistence: the key
 * outlives the session by design), so asking the session's pod at the call's time would find nothing; and the
 * enrichment has no field for a session the call did not make itself. The pod is the one that held the session when
 * it created the key, so the job joins the two at the creation ({@link #join}) into {@code accesskey_pod}: the key ->
 * that pod, from the creation on, open, with the pod's cluster, namespace, uid, node, service account, role and
 * account, confidence min(0.9, the session's pod's). A call with the key then finds the pod at hop 1, under the key it
 * already asks ({@code accesskey||<id>}): no lookup is added for any event, the key's calls included.
 *
 * <p>Statements meet at the session's ARN ({@link #session}). The join is a function of the pair (the session's pod
 * statement holding at the key's creation): the same whatever the arrival order. Several pods holding the session at
 * the creation (which neither source states) give one statement each; none wins over the others in the lookups'
 * merge but the first.
 */
public final class CreatedKeys {
  /** The session that created the key (attribute of {@code accesskey_pod}: not an enrichment field). */
  public static final String CREATED_BY_SESSION = "created_by_session";

  private CreatedKeys() {}

  /**
   * The role session at which {@code b} joins, or null: a created key's {@code accesskey_session} (the object: the
   * creating session's ARN; for an ECS task-id session, its {@link LookupKeys#taskSession} key), a session's {@code
   * session_pod} (the subject ARN), an ECS task's {@code session_task} (its key {@code session|aws:<account>|<task
   * id>}: the task's sessions of every role share it); not closing statements.
   */
  public static String session(EntityBinding b) {
    if (BindingExtractor.isClosing(b)) return null;
    if (isCreatedKey(b)) {
      String task = LookupKeys.taskSession(b.getObject().getKey());
      return task != null ? task : b.getObject().getKey();
    }
    if (BindingKind.SESSION_POD.id().equals(b.getKind())) return b.getSubject().getKey();
    if (BindingKind.SESSION_TASK.id().equals(b.getKind())) {
      String scope = b.getSubject().getScope();
      // a chained session's task (SessionChains) is under the session's own ARN
      if (scope == null || scope.isEmpty()) return b.getSubject().getKey();
      return LookupKeys.key("session", scope, b.getSubject().getKey());
    }
    return null;
  }

  /** An access key a role session created ({@code accesskey_session} from {@code iam:CreateAccessKey}). */
  public static boolean isCreatedKey(EntityBinding b) {
    return BindingKind.ACCESSKEY_SESSION.id().equals(b.getKind())
        && b.getAttributes().containsKey(BindingExtractor.CREATED_KEY_USER);
  }

  /**
   * The {@code accesskey_pod} statements of the session's statements {@code arriving} takes part in, given the
   * session's other statements {@code others} (created keys and session pods, in any order): for a created key, the
   * pods holding the session at its creation; for a session's pod, the keys created while it held the session.
   */
  public static List<EntityBinding> join(BindingExtractor x, EntityBinding arriving, Collection<EntityBinding> others) {
    String session = session(arriving);
    if (session == null) return List.of();
    List<EntityBinding> out = new ArrayList<>();
    for (EntityBinding o : others) {
      if (!session.equals(session(o))) continue;
      EntityBinding key = isCreatedKey(arriving) ? arriving : isCreatedKey(o) ? o : null;
      EntityBinding pod = key == arriving ? o : arriving;
      if (key == null || key == pod || isCreatedKey(pod)) continue;
      EntityBinding d = keyPod(x, key, pod);
      if (d != null) out.add(d);
    }
    return out;
  }

  /**
   * The key's pod ({@code accesskey_pod}) when {@code pod} held the session at the key's creation, else null; for an
   * ECS task's {@code session_task}, the key's task ({@code accesskey_task}).
   */
  static EntityBinding keyPod(BindingExtractor x, EntityBinding key, EntityBinding pod) {
    long created = BindingExtractor.micros(key.getValidFrom());
    long from = BindingExtractor.micros(pod.getValidFrom());
    if (from > created || (pod.getValidTo() != null && created >= BindingExtractor.micros(pod.getValidTo()))) {
      return null;
    }
    Map<String, String> a = new LinkedHashMap<>();
    for (Map.Entry<String, String> p : pod.getAttributes().entrySet()) {
      if (Attr.ALL.contains(p.getKey())) a.put(p.getKey(), p.getValue());
    }
    for (Map.Entry<String, String> k : key.getAttributes().entrySet()) a.putIfAbsent(k.getKey(), k.getValue());
    a.put(CREATED_BY_SESSION, key.getObject().getKey());
    String rule = pod.getAttributes().get(SessionPods.RULE);
    if (rule != null) a.put(SessionPods.RULE, rule);
    float confidence = Math.min(key.getConfidence(), pod.getConfidence());
    BindingKind kind =
        BindingKind.SESSION_TASK.id().equals(pod.getKind()) ? BindingKind.ACCESSKEY_TASK : BindingKind.ACCESSKEY_POD;
    if (kind == BindingKind.ACCESSKEY_TASK) a.put(Attr.TASK_UID, pod.getObject().getKey());
    return x.derived(kind, "", key.getSubject().getKey(), pod.getObject().getScope(),
        pod.getObject().getKey(), a, confidence, key);
  }
}
