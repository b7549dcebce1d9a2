package dev.strata.job.incident;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.job.incident.SignalRules.Signal;
import dev.strata.schema.correlate.AttackStage;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.event.Resource;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * A pod deleted with its own service account's token ({@code pod_self_deletion}): whoever runs in the pod removes it,
 * and with it its container's writable layer, its logs on the node and its address (FirehoseVpcCniScenarioIT: the
 * renderer's RCE deleted the renderer with the pod's token once the new IAM user was made). ATT&amp;CK T1070
 * (Indicator Removal; Microsoft's threat matrix for Kubernetes lists deleting a container's evidence under defense
 * evasion): stage {@code impact} (the pipeline's stage of defense evasion, {@link SignalRules#stageOfTactic}),
 * Medium. Judged on a {@code delete} of {@code pods} (no subresource) by {@code system:serviceaccount:<ns>:<sa>}, when
 * the deleted pod is the requester's own:
 *
 * <table>
 *   <tr><th>the record says</th><th>how</th></tr>
 *   <tr><td>the token's bound pod ({@code user.extra} {@code authentication.kubernetes.io/pod-name}, every audit level
 *       since Kubernetes 1.21: the parser's {@code k8s.token.pod}) is the deleted pod</td><td>from anywhere: the pod's
 *       own token (copied out, it is still the pod's)</td></tr>
 *   <tr><td>no bound pod (a legacy Secret token): the deleted Pod in the response body (Request / RequestResponse
 *       level) has {@code spec.serviceAccountName} = the requester's account and {@code status.podIP(s)} = the
 *       request's source address</td><td>from inside the pod</td></tr>
 * </table>
 *
 * Not judged: controllers (the ReplicaSet, Job, node lifecycle controllers and the garbage collector delete pods with
 * their own accounts); a service account deleting <b>another</b> pod (a Spark driver deleting its executors, an Airflow
 * scheduler its worker pods, CI executors their build pods: those often share the deleter's account, so without the
 * bound pod or the address the account alone does not say "itself"); {@code deletecollection}. A denied delete counts
 * (intent). Rules before it take precedence: from a public address outside {@code incident.known_cidrs} the request
 * is {@code service_account_token_outside}. The signal's entities are the deleted pod (its object) and the token's
 * pod: it joins the pod's incident. Limit: a pod that restarts itself by design ({@code kubectl delete pod
 * $HOSTNAME} in its own entrypoint) raises it (Medium, the row names the pod).
 */
final class PodSelfDeletion {
  private PodSelfDeletion() {}

  static final String REASON = "pod_self_deletion";

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The signal of a service account's audit record, or null. */
  static Signal classify(EvidenceEvent e) {
    String user = e.getActor() == null ? null : e.getActor().getUserName();
    if (user == null || !user.startsWith("system:serviceaccount:")) return null;
    if (e.getResources() == null || e.getResources().isEmpty() || e.getApi() == null) return null;
    Resource r = e.getResources().get(0);
    if (!"delete".equals(e.getApi().getOperation()) || !"pods".equals(r.getType())) return null;
    if (r.getSubresource() != null && !r.getSubresource().isEmpty()) return null;
    if (r.getName() == null || r.getName().isEmpty() || r.getNamespace() == null) return null;
    String pod = r.getNamespace() + "/" + r.getName();
    Map<String, String> u = e.getUnmapped();
    String tokenPod = u == null ? null : u.get("k8s.token.pod");
    if (tokenPod != null) return tokenPod.equals(pod) ? signal() : null; // the token names its pod: that decides
    String[] account = account(user);
    if (account == null || !account[0].equals(r.getNamespace())) return null;
    JsonNode body = podBody(u);
    if (body == null || !account[1].equals(body.path("spec").path("serviceAccountName").asText(""))) return null;
    Set<String> podIps = new HashSet<>();
    JsonNode status = body.path("status");
    if (status.path("podIP").isTextual()) podIps.add(status.path("podIP").asText());
    for (JsonNode ip : status.path("podIPs")) podIps.add(ip.path("ip").asText(""));
    String src = e.getSrcEndpoint() == null ? null : e.getSrcEndpoint().getIp();
    return src != null && podIps.contains(src) ? signal() : null;
  }

  private static Signal signal() {
    return new Signal(AttackStage.IMPACT, 3, REASON);
  }

  /** {@code system:serviceaccount:<namespace>:<name>} -> {namespace, name}, else null. */
  private static String[] account(String user) {
    String[] p = user.substring("system:serviceaccount:".length()).split(":", 2);
    return p.length == 2 && !p[0].isEmpty() && !p[1].isEmpty() ? p : null;
  }

  /** The deleted Pod the API server answered with (a delete's response body at Request level and above), or null. */
  private static JsonNode podBody(Map<String, String> u) {
    String text = u == null ? null : u.get("responseObject");
    if (text == null || text.isEmpty() || text.charAt(0) != '{') return null;
    try {
      JsonNode n = JSON.readTree(text);
      return "Pod".equals(n.path("kind").asText("")) ? n : null;
    } catch (Exception truncated) {
      return null; // a body cut at the parser's bound: no answer from it
    }
  }
}
