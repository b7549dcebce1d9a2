package dev.strata.correlate;

import dev.strata.schema.correlate.EntityBinding;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The pod an IRSA session was issued to. CloudTrail's {@code AssumeRoleWithWebIdentity} names the web identity token's
 * subject ({@code subjectFromWebIdentityToken} {@code system:serviceaccount:<ns>:<sa>}), its audience and provider,
 * never the pod: the projected token's {@code kubernetes.io} pod claims and its {@code jti} are not logged, so the
 * Kubernetes audit's {@code issued-credential-id} cannot be matched with it. A service account may run many pods, so
 * the session's calls from elsewhere (stolen credentials) resolved the service account and role only. What the
 * evidence offers, strongest first ({@link #decide}):
 *
 * <ol>
 *   <li>{@link #BY_ADDRESS} (0.9): the call came through a VPC endpoint ({@code vpcEndpointId}) from a private
 *       {@code sourceIPAddress}, and a pod of the service account held that address then ({@code ip_pod} from the API
 *       server, in the endpoint's (else the role's) account);
 *   <li>{@link #BY_TOKEN} (0.7): exactly one pod of the service account held a valid projected token of it for the
 *       session's audience then (the kubelet's TokenRequest in the audit log, {@code token_pod}), and was alive;
 *   <li>{@link #BY_ONLY_POD} (0.6): exactly one pod of the service account was alive then ({@code pod_node}: from
 *       its start to its observed end).
 * </ol>
 *
 * Ambiguous (two pods) means no pod. The result is a {@code session_pod} statement with the issuing call's lineage,
 * valid until the credentials expire, with that confidence and the rule ({@link #RULE}): the session's later calls,
 * from anywhere, resolve the pod through it at hop 1, as an EKS Pod Identity session's do. Pods are told apart by
 * account only (the OIDC provider names no cluster): two clusters of one account with the same namespace and service
 * account name are ambiguous for the weaker rules.
 *
 * <p>Statements meet at the service account's {@code ns/name} ({@link #serviceAccount}); the job decides once the
 * lateness bound has passed the call (bounded runs: at the input's end), so a pod learnt after the call counts.
 */
public final class SessionPods {
  public static final float BY_ADDRESS = 0.9f;
  public static final float BY_TOKEN = 0.7f;
  public static final float BY_ONLY_POD = 0.6f;

  /** Attributes of an IRSA session statement (not enrichment fields: kept on the record, not in the lookups). */
  public static final String SOURCE_IP = "source_ip";
  public static final String VPC_ENDPOINT = "vpc_endpoint";
  public static final String VPC_ENDPOINT_ACCOUNT = "vpc_endpoint_account";
  /** A token's audiences (space separated) on {@code token_pod}; the session's audience on the session statement. */
  public static final String AUDIENCES = "audiences";
  /** The token's id ({@code jti}) as the audit's issued-credential-id annotation gives it. */
  public static final String CREDENTIAL_ID = "credential_id";
  /** Which rule found the pod: {@code address}, {@code token}, {@code only_pod}. */
  public static final String RULE = "session_pod_by";

  private static final Set<String> POD_ATTRS =
      Set.of(Attr.CLUSTER, Attr.NAMESPACE, Attr.POD_NAME, Attr.POD_UID, Attr.NODE_NAME);

  private SessionPods() {}

  /**
   * The service account ({@code ns/name}) at which {@code b} joins, or null: an IRSA session's issue, a pod's
   * {@code pod_node} / {@code ip_pod} naming its service account (closing ones too: they end the pod), a {@code
   * token_pod}.
   */
  public static String serviceAccount(EntityBinding b) {
    BindingKind kind = BindingKind.of(b.getKind());
    if (kind == null) return null;
    return switch (kind) {
      case SESSION_SERVICEACCOUNT -> isIssue(b) ? b.getObject().getKey() : null;
      case POD_NODE, IP_POD -> b.getAttributes().get(Attr.SERVICE_ACCOUNT);
      case TOKEN_POD -> b.getSubject().getKey();
      default -> null;
    };
  }

  /** An IRSA session issued by STS (CloudTrail {@code AssumeRoleWithWebIdentity}; its service account is scoped by account). */
  public static boolean isIssue(EntityBinding b) {
    return BindingKind.SESSION_SERVICEACCOUNT.id().equals(b.getKind()) && b.getObject().getScope().startsWith("aws:")
        && "aws_cloudtrail".equals(b.getSourceFormat());
  }

  /** What one pod's statements say: its lifetime, addresses and tokens. */
  private static final class Pod {
    final String scope;
    final String key;
    final Map<String, String> attrs = new LinkedHashMap<>();
    final List<EntityBinding> statements = new ArrayList<>();
    Long start;
    Long closedAt;
    Long statedEnd;
    boolean open;

    Pod(String scope, String key) {
      this.scope = scope;
      this.key = key;
    }

    /** Alive at {@code t}: true, false, or null when no {@code pod_node} statement says. */
    Boolean alive(long t) {
      if (start == null && closedAt == null) return null;
      if (start == null || start > t) return false;
      if (closedAt != null && closedAt > start) return t < closedAt;
      return open || statedEnd == null || t < statedEnd;
    }

    String account() {
      return attrs.get(Attr.ACCOUNT_UID);
    }
  }

  /**
   * The {@code session_pod} statement of {@code issue} (an IRSA session's {@code session_serviceaccount}) given the
   * statements of its service account's pods, or null when no rule finds exactly one pod (see the class doc).
   */
  public static EntityBinding decide(BindingExtractor x, EntityBinding issue, Collection<EntityBinding> members) {
    if (!isIssue(issue)) return null;
    String sa = issue.getObject().getKey();
    long t = BindingExtractor.micros(issue.getValidFrom());
    Map<String, String> ia = issue.getAttributes();
    Set<String> accounts = new java.util.HashSet<>();
    if (ia.get(VPC_ENDPOINT_ACCOUNT) != null) accounts.add(ia.get(VPC_ENDPOINT_ACCOUNT));
    if (ia.get(Attr.ACCOUNT_UID) != null) accounts.add(ia.get(Attr.ACCOUNT_UID));
    Map<String, Pod> pods = pods(sa, members);
    List<Pod> candidates = new ArrayList<>();
    for (Pod p : pods.values()) {
      if (p.account() == null || accounts.isEmpty() || accounts.contains(p.account())) candidates.add(p);
    }
    // 1. the caller's private address through a VPC endpoint
    String ip = ia.get(SOURCE_IP);
    if (ip != null && ia.get(VPC_ENDPOINT) != null && LookupKeys.isPrivateIp(ip)) {
      Pod hit = only(candidates, p -> !Boolean.FALSE.equals(p.alive(t)) && heldAddress(p, ip, t));
      if (hit != null) return statement(x, issue, hit, BY_ADDRESS, "address");
    }
    // 2. the pods holding a valid token of the service account for the session's audience
    String audience = ia.get(AUDIENCES);
    List<Pod> tokens = new ArrayList<>();
    for (Pod p : candidates) {
      if (!Boolean.FALSE.equals(p.alive(t)) && heldToken(p, audience, t)) tokens.add(p);
    }
    if (tokens.size() == 1) return statement(x, issue, tokens.get(0), BY_TOKEN, "token");
    if (tokens.size() > 1) return null;
    // 3. the only pod of the service account alive
    Pod only = only(candidates, p -> Boolean.TRUE.equals(p.alive(t)));
    return only == null ? null : statement(x, issue, only, BY_ONLY_POD, "only_pod");
  }

  private static Map<String, Pod> pods(String sa, Collection<EntityBinding> members) {
    Map<String, Pod> pods = new LinkedHashMap<>();
    for (EntityBinding b : members) {
      if (!sa.equals(serviceAccount(b)) || isIssue(b)) continue;
      boolean podNode = BindingKind.POD_NODE.id().equals(b.getKind());
      String scope = podNode ? b.getSubject().getScope() : b.getObject().getScope();
      String key = podNode ? b.getSubject().getKey() : b.getObject().getKey();
      Pod p = pods.computeIfAbsent(scope + "|" + key, k -> new Pod(scope, key));
      for (Map.Entry<String, String> a : b.getAttributes().entrySet()) {
        if (POD_ATTRS.contains(a.getKey()) || a.getKey().equals(Attr.ACCOUNT_UID)) p.attrs.putIfAbsent(a.getKey(), a.getValue());
      }
      p.statements.add(b);
      if (!podNode) continue;
      long from = BindingExtractor.micros(b.getValidFrom());
      if (BindingExtractor.isClosing(b)) {
        if (p.closedAt == null || from < p.closedAt) p.closedAt = from;
        continue;
      }
      if (p.start == null || from < p.start) p.start = from;
      if (b.getValidTo() == null) {
        p.open = true;
      } else {
        long to = BindingExtractor.micros(b.getValidTo());
        if (b.getEndObserved() && (p.closedAt == null || to < p.closedAt)) p.closedAt = to;
        else if (p.statedEnd == null || to > p.statedEnd) p.statedEnd = to;
      }
    }
    return pods;
  }

  /** The pod held {@code ip} at {@code t}: an {@code ip_pod} of it started by then, not ended nor closed since. */
  private static boolean heldAddress(Pod p, String ip, long t) {
    Long start = null;
    Long end = null;
    for (EntityBinding b : p.statements) {
      if (!BindingKind.IP_POD.id().equals(b.getKind()) || !ip.equals(b.getSubject().getKey())) continue;
      long from = BindingExtractor.micros(b.getValidFrom());
      if (BindingExtractor.isClosing(b)) {
        if (from <= t && (end == null || from < end)) end = from;
      } else if (from <= t && (b.getValidTo() == null || t < BindingExtractor.micros(b.getValidTo()))) {
        if (start == null || from > start) start = from;
      }
    }
    return start != null && (end == null || end < start || end > t);
  }

  /** The pod held a token of the service account valid at {@code t}, for {@code audience} when both name one. */
  private static boolean heldToken(Pod p, String audience, long t) {
    for (EntityBinding b : p.statements) {
      if (!BindingKind.TOKEN_POD.id().equals(b.getKind())) continue;
      long from = BindingExtractor.micros(b.getValidFrom());
      if (from > t || (b.getValidTo() != null && t >= BindingExtractor.micros(b.getValidTo()))) continue;
      String audiences = b.getAttributes().get(AUDIENCES);
      if (audience == null || audiences == null || Arrays.asList(audiences.split(" ")).contains(audience)) return true;
    }
    return false;
  }

  private static Pod only(List<Pod> pods, java.util.function.Predicate<Pod> test) {
    Pod found = null;
    for (Pod p : pods) {
      if (!test.test(p)) continue;
      if (found != null) return null;
      found = p;
    }
    return found;
  }

  private static EntityBinding statement(BindingExtractor x, EntityBinding issue, Pod p, float confidence, String rule) {
    Map<String, String> a = new LinkedHashMap<>();
    // the pod's node too (a pod never moves): a call with the session (or a key it created, CreatedKeys) after the
    // pod's end then still names it, where the pod -> node lookup at the call's time no longer answers
    for (String k : List.of(Attr.CLUSTER, Attr.NAMESPACE, Attr.POD_NAME, Attr.POD_UID, Attr.NODE_NAME)) {
      String v = p.attrs.get(k);
      if (v != null) a.put(k, v);
    }
    for (String k : List.of(Attr.SERVICE_ACCOUNT, Attr.IAM_ROLE, Attr.ACCOUNT_UID)) {
      String v = issue.getAttributes().get(k);
      if (v != null) a.put(k, v);
    }
    a.put(RULE, rule);
    Long to = issue.getValidTo() == null ? null : BindingExtractor.micros(issue.getValidTo());
    return x.derived(BindingKind.SESSION_POD, "", issue.getSubject().getKey(), p.scope, p.key, a, to, confidence,
        issue);
  }
}
