package dev.strata.job.incident;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.detect.sigma.SigmaFixtures;
import dev.strata.job.incident.SignalRules.Signal;
import dev.strata.schema.correlate.AttackStage;
import dev.strata.schema.event.EvidenceEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link SystemWorkloadLookalikes}: workloads written into a system namespace under a name one slip from a system
 * component's. Audit lines in the shapes EKS writes them (a workload create at RequestResponse with its pod template,
 * the add-on manager's patch at Request, the controllers' pod creates), written here, collected and parsed by the real
 * collector and parser.
 */
class SystemWorkloadLookalikesTest {
  @TempDir Path dir;

  static final String T = "2026-11-24T09:40:05.118213Z";

  /** An audit line: {@code user} {@code verb}s {@code resource} {@code ns/name}, with a pod template of {@code image}. */
  static String line(String id, String user, String verb, String resource, String ns, String name, String image,
      String sourceIp) {
    String group = resource.equals("pods") ? "" : "apps";
    String level = image == null ? "Metadata" : "RequestResponse";
    String container = image == null ? "" : "{\"name\":\"c\",\"image\":\"" + image + "\"}";
    String spec = resource.equals("pods") ? "{\"containers\":[" + container + "]}"
        : "{\"selector\":{\"matchLabels\":{\"app\":\"" + name + "\"}},\"template\":{\"metadata\":{\"labels\":{\"app\":\""
            + name + "\"}},\"spec\":{\"containers\":[" + container + "]}}}";
    String kind = switch (resource) {
      case "pods" -> "Pod";
      case "daemonsets" -> "DaemonSet";
      default -> "Deployment";
    };
    String obj = image == null ? "" : ",\"requestObject\":{\"kind\":\"" + kind + "\",\"apiVersion\":\""
        + (group.isEmpty() ? "v1" : "apps/v1") + "\",\"metadata\":{\"name\":\"" + name + "\",\"namespace\":\"" + ns
        + "\"},\"spec\":" + spec + "}";
    return "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"level\":\"" + level + "\",\"auditID\":\"" + id
        + "\",\"stage\":\"ResponseComplete\",\"requestURI\":\"/apis/" + (group.isEmpty() ? "v1" : "apps/v1")
        + "/namespaces/" + ns + "/" + resource + "\",\"verb\":\"" + verb + "\",\"user\":{\"username\":\"" + user
        + "\"},\"sourceIPs\":[\"" + sourceIp + "\"],\"objectRef\":{\"resource\":\"" + resource + "\",\"namespace\":\""
        + ns + "\",\"name\":\"" + name + "\"" + (group.isEmpty() ? "" : ",\"apiGroup\":\"" + group + "\"")
        + ",\"apiVersion\":\"v1\"},\"responseStatus\":{\"metadata\":{},\"code\":201}" + obj
        + ",\"requestReceivedTimestamp\":\"" + T + "\",\"stageTimestamp\":\"" + T + "\"}";
  }

  private Signal one(String line) throws Exception {
    Path root = dir.resolve("s" + Math.abs(line.hashCode()));
    Path f = root.resolve("var/log/kubernetes/audit/audit.log");
    Files.createDirectories(f.getParent());
    Files.writeString(f, line + "\n");
    List<EvidenceEvent> events = SigmaFixtures.parse(root);
    assertThat(events).hasSize(1);
    return SignalRules.defaults().classify(events.get(0));
  }

  /**
   * The daemonset scenario's create: {@code kube-system/node-problern-detector} (rn for m) from Docker Hub by a stolen
   * service account token from outside: the token rule's signal gains the lookalike (High: not a system registry); a
   * human's Deployment {@code kube-system/corednss} of the real CoreDNS image is Medium; the homoglyph {@code kube-pr0xy}
   * at Metadata level (no image) Medium; a pod named after a component plus its suffix too.
   */
  @Test
  void aWorkloadNamedOneSlipFromASystemComponentIsASignal() throws Exception {
    Signal ds = one(line("a1", "system:serviceaccount:ci:deployer", "create", "daemonsets", "kube-system",
        "node-problern-detector", "docker.io/kubeagents/node-problem-detector:v0.8.19", "203.0.113.58"));
    assertThat(ds.reason()).contains(SystemWorkloadLookalikes.REASON).startsWith("service_account_token_outside");
    assertThat(ds.severityId()).isEqualTo(4);
    // the token rule's stage (a workload written from outside; the scenario's privileged template makes it privilege
    // escalation, DaemonSetEscalationScenarioIT)
    assertThat(ds.stage()).as("the earlier rule's stage").isEqualTo(AttackStage.PERSISTENCE);
    Signal dns = one(line("a2", "alice@example.com", "create", "deployments", "kube-system", "corednss",
        "registry.k8s.io/coredns/coredns:v1.11.3", "10.0.0.5"));
    assertThat(dns.reason()).isEqualTo(SystemWorkloadLookalikes.REASON);
    assertThat(dns.severityId()).as("a system registry's image").isEqualTo(3);
    assertThat(dns.stage()).isEqualTo(AttackStage.PERSISTENCE);
    Signal proxy = one(line("a3", "alice@example.com", "create", "daemonsets", "kube-system", "kube-pr0xy", null,
        "10.0.0.5"));
    assertThat(proxy.reason()).isEqualTo(SystemWorkloadLookalikes.REASON);
    assertThat(proxy.severityId()).as("no image in a Metadata-level record").isEqualTo(3);
    Signal pod = one(line("a4", "alice@example.com", "create", "pods", "kube-system", "aws-nodee-x7k2q",
        "ghcr.io/someone/aws-node:v1", "10.0.0.5"));
    assertThat(pod.reason()).isEqualTo(SystemWorkloadLookalikes.REASON);
    assertThat(pod.severityId()).isEqualTo(4);
    Signal lease = one(line("a5", "system:serviceaccount:web:app", "patch", "deployments", "kube-node-lease",
        "metrics-servr", "docker.io/attacker/metrics-server:latest", "10.0.0.9"));
    assertThat(lease.reason()).contains(SystemWorkloadLookalikes.REASON);
    assertThat(lease.severityId()).isEqualTo(4);
  }

  /**
   * The daemonset scenario's bystanders and the everyday writes into kube-system: EKS's add-on manager's aws-node
   * patch, the DaemonSet controller's pod creates (also the lookalike's own pods: the DaemonSet's create is the
   * signal), the scheduler's binding, a reinstall of the real metrics-server by a human, a Helm chart's sealed-secrets
   * from Docker Hub, a lookalike name in an application namespace.
   */
  @Test
  void theClustersOwnRolloutsRealNamesAndOtherNamespacesStayQuiet() throws Exception {
    assertThat(one(line("b1", "eks:addon-manager", "patch", "daemonsets", "kube-system", "aws-node",
        "602401143452.dkr.ecr.ap-southeast-2.amazonaws.com/amazon-k8s-cni:v1.19.0-eksbuild.1", "10.60.0.10")))
        .as("EKS's add-on manager").isNull();
    assertThat(one(line("b2", "system:serviceaccount:kube-system:daemon-set-controller", "create", "pods",
        "kube-system", "node-problern-detector-7xk2q", "docker.io/kubeagents/node-problem-detector:v0.8.19",
        "10.60.0.10"))).as("the DaemonSet controller's pod create").isNull();
    assertThat(one(line("b3", "system:serviceaccount:kube-system:daemon-set-controller", "create", "pods",
        "kube-system", "aws-node-q7r2k", "602401143452.dkr.ecr.ap-southeast-2.amazonaws.com/amazon-k8s-cni:v1.19.0",
        "10.60.0.10"))).as("the controller's aws-node pod").isNull();
    assertThat(one(line("b4", "alice@example.com", "update", "deployments", "kube-system", "metrics-server",
        "registry.k8s.io/metrics-server/metrics-server:v0.7.2", "10.0.0.5"))).as("the real name").isNull();
    assertThat(one(line("b5", "alice@example.com", "create", "deployments", "kube-system", "sealed-secrets-controller",
        "docker.io/bitnami/sealed-secrets-controller:0.27.1", "10.0.0.5"))).as("no component's lookalike").isNull();
    assertThat(one(line("b6", "alice@example.com", "create", "deployments", "shop", "corednss",
        "docker.io/someone/coredns:1", "10.0.0.5"))).as("not a system namespace").isNull();
    assertThat(one(line("b7", "system:kube-controller-manager", "create", "deployments", "kube-system", "kube-pr0xy",
        "docker.io/x/y:1", "10.0.0.5"))).as("the controller manager").isNull();
  }

  /** The row says which component the name imitates and which image is from elsewhere. */
  @Test
  void theRowNamesTheImitatedComponentAndTheForeignImage() throws Exception {
    Path root = dir.resolve("row");
    Path f = root.resolve("var/log/kubernetes/audit/audit.log");
    Files.createDirectories(f.getParent());
    Files.writeString(f, line("c1", "system:serviceaccount:ci:deployer", "create", "daemonsets", "kube-system",
        "node-problern-detector", "docker.io/kubeagents/node-problem-detector:v0.8.19", "203.0.113.58") + "\n");
    EvidenceEvent e = SigmaFixtures.parse(root).get(0);
    Member m = Member.of(e, EntityKeys.extract(e), SignalRules.defaults());
    assertThat(m.summary()).endsWith(" (kube-system/node-problern-detector: one slip from the system component"
        + " node-problem-detector; image docker.io/kubeagents/node-problem-detector:v0.8.19 from no registry the system"
        + " components use)");
  }

  @Test
  void systemRegistriesAndMachinery() {
    assertThat(SystemWorkloadLookalikes.systemImage("602401143452.dkr.ecr.us-west-2.amazonaws.com/eks/kube-proxy:v1.31"))
        .isTrue();
    assertThat(SystemWorkloadLookalikes.systemImage("registry.k8s.io/node-problem-detector/node-problem-detector:v0.8.19"))
        .isTrue();
    assertThat(SystemWorkloadLookalikes.systemImage("docker.io/kubeagents/node-problem-detector:v0.8.19")).isFalse();
    assertThat(SystemWorkloadLookalikes.systemImage("kubeagents/node-problem-detector")).isFalse();
    assertThat(SystemWorkloadLookalikes.imitated("node-problern-detector")).isEqualTo("node-problem-detector");
    assertThat(SystemWorkloadLookalikes.imitated("node-problem-detector")).isNull();
    assertThat(SystemWorkloadLookalikes.imitated("ebs-csi-node")).as("listed names imitate nothing").isNull();
    assertThat(SystemWorkloadLookalikes.imitated("cart")).isNull();
    assertThat(SystemWorkloadLookalikes.clusterMachinery("system:serviceaccount:kube-system:replicaset-controller"))
        .isTrue();
    assertThat(SystemWorkloadLookalikes.clusterMachinery("system:serviceaccount:ci:deployer")).isFalse();
    assertThat(SystemWorkloadLookalikes.clusterMachinery("system:node:ip-10-60-11-21.ap-southeast-2.compute.internal"))
        .isTrue();
    assertThat(SystemWorkloadLookalikes.clusterMachinery("system:anonymous")).isFalse();
    assertThat(SystemWorkloadLookalikes.clusterMachinery("kubernetes-admin")).isFalse();
  }
}
