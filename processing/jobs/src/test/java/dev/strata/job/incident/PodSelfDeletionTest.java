package dev.strata.job.incident;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.detect.sigma.SigmaFixtures;
import dev.strata.job.incident.SignalRules.Signal;
import dev.strata.schema.correlate.AttackStage;
import dev.strata.schema.event.EvidenceEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pod deleted with its own service account's token ({@link PodSelfDeletion}): audit records written as EKS and
 * kubeadm API servers write them (Metadata level with a bound token's {@code user.extra}; RequestResponse with the
 * deleted Pod as the response body), parsed by the real collector and parser.
 */
class PodSelfDeletionTest {
  @TempDir Path dir;

  static final String SA = "system:serviceaccount:storefront:invoice-render";

  /** An audit Event; {@code boundPod}: the token's pod in user.extra (null: a legacy token). */
  static String delete(String id, String user, String boundPod, String ns, String name, String sourceIp, int code,
      String level, String responseObject) {
    String extra = boundPod == null ? ""
        : ",\"extra\":{\"authentication.kubernetes.io/pod-name\":[\"" + boundPod + "\"],"
            + "\"authentication.kubernetes.io/node-name\":[\"ip-10-93-12-40.us-west-2.compute.internal\"]}";
    return "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"level\":\"" + level + "\",\"auditID\":\"" + id
        + "\",\"stage\":\"ResponseComplete\",\"requestURI\":\"/api/v1/namespaces/" + ns + "/pods/" + name
        + "\",\"verb\":\"delete\",\"user\":{\"username\":\"" + user + "\",\"groups\":[\"system:serviceaccounts\"]" + extra
        + "},\"sourceIPs\":[\"" + sourceIp + "\"],\"userAgent\":\"curl/8.5.0\",\"objectRef\":{\"resource\":\"pods\","
        + "\"namespace\":\"" + ns + "\",\"name\":\"" + name + "\",\"apiVersion\":\"v1\"},"
        + "\"responseStatus\":{\"metadata\":{},\"code\":" + code + "},"
        + (responseObject == null ? "" : "\"responseObject\":" + responseObject + ",")
        + "\"requestReceivedTimestamp\":\"2026-11-24T09:31:38.770104Z\",\"stageTimestamp\":\"2026-11-24T09:31:38.775234Z\"}";
  }

  static String deletedPod(String ns, String name, String serviceAccount, String podIp) {
    return "{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"" + name + "\",\"namespace\":\"" + ns
        + "\",\"deletionTimestamp\":\"2026-11-24T09:32:08Z\"},\"spec\":{\"serviceAccountName\":\"" + serviceAccount
        + "\",\"containers\":[{\"name\":\"app\",\"image\":\"nginx\"}]},\"status\":{\"phase\":\"Running\",\"podIP\":\""
        + podIp + "\",\"podIPs\":[{\"ip\":\"" + podIp + "\"}]}}";
  }

  private List<Signal> signals(String... lines) throws Exception {
    Path f = dir.resolve("var/log/kubernetes/audit/audit.log");
    Files.createDirectories(f.getParent());
    Files.writeString(f, String.join("\n", lines) + "\n");
    List<EvidenceEvent> events = SigmaFixtures.parse(dir);
    assertThat(events).hasSize(lines.length);
    SignalRules rules = SignalRules.defaults();
    List<Signal> out = new ArrayList<>();
    for (EvidenceEvent e : events) out.add(rules.classify(e));
    return out;
  }

  @Test
  void aBoundTokenDeletingItsOwnPodIsDefenseEvasion() throws Exception {
    String app = "invoice-render-7c9d5b8f6-q2w4e";
    List<Signal> s = signals(
        // the firehose scenario's shape: Metadata level, the token's pod in user.extra, from the pod's address
        delete("1", SA, app, "storefront", app, "10.93.12.77", 200, "Metadata", null),
        // denied: an attempt counts
        delete("2", SA, app, "storefront", app, "10.93.12.77", 403, "Metadata", null),
        // the same token deleting a sibling pod of the same account (a driver deleting its executors): not itself
        delete("3", SA, app, "storefront", "invoice-render-7c9d5b8f6-z8x6c", "10.93.12.77", 200, "Metadata", null),
        // the ReplicaSet controller deleting the pod: the cluster's own account
        delete("4", "system:serviceaccount:kube-system:replicaset-controller", null, "storefront", app, "10.93.0.12",
            200, "Metadata", null),
        // a human deleting the pod: not this rule
        delete("5", "alice@example.com", null, "storefront", app, "10.93.0.50", 200, "Metadata", null));
    assertThat(s.get(0)).isEqualTo(new Signal(AttackStage.IMPACT, 3, "pod_self_deletion"));
    assertThat(s.get(1)).isEqualTo(new Signal(AttackStage.IMPACT, 3, "pod_self_deletion"));
    assertThat(s.subList(2, 5)).containsOnlyNulls();
  }

  @Test
  void aLegacyTokenIsJudgedByTheDeletedPodsAccountAndAddress() throws Exception {
    String pod = "worker-0";
    List<Signal> s = signals(
        // the response body names the pod's account (the requester's) and its address (the request's source)
        delete("1", SA, null, "storefront", pod, "10.93.12.80", 200, "RequestResponse",
            deletedPod("storefront", pod, "invoice-render", "10.93.12.80")),
        // the same account from another address (a driver pod deleting an executor that shares its account)
        delete("2", SA, null, "storefront", pod, "10.93.12.81", 200, "RequestResponse",
            deletedPod("storefront", pod, "invoice-render", "10.93.12.80")),
        // another account's pod
        delete("3", SA, null, "storefront", pod, "10.93.12.80", 200, "RequestResponse",
            deletedPod("storefront", pod, "default", "10.93.12.80")),
        // Metadata level: no body, no bound pod: nothing says it is its own
        delete("4", SA, null, "storefront", pod, "10.93.12.80", 200, "Metadata", null));
    assertThat(s.get(0)).isEqualTo(new Signal(AttackStage.IMPACT, 3, "pod_self_deletion"));
    assertThat(s.subList(1, 4)).containsOnlyNulls();
  }

  @Test
  void fromAPublicAddressTheTokenOutsideRuleStands() throws Exception {
    String app = "invoice-render-7c9d5b8f6-q2w4e";
    List<Signal> s = signals(delete("1", SA, app, "storefront", app, "198.51.100.203", 200, "Metadata", null));
    assertThat(s.get(0).reason()).isEqualTo("service_account_token_outside");
  }
}
