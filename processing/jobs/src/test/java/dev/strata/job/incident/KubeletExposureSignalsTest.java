package dev.strata.job.incident;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.schema.correlate.AttackStage;
import dev.strata.schema.event.Actor;
import dev.strata.schema.event.Api;
import dev.strata.schema.event.Container;
import dev.strata.schema.event.Endpoint;
import dev.strata.schema.event.Enrichment;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.event.Network;
import dev.strata.schema.event.Process;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The two rules the kubelet scenario (cli KubeletApiScenarioIT) found missing: a kubelet port reached from a public
 * address (the entry: an anonymous kubelet's /run and /exec leave nothing in the audit log), and an EKS workload's IAM
 * identity (an IRSA token or its session) used from a public address.
 */
class KubeletExposureSignalsTest {
  static final Instant T = Instant.parse("2026-11-21T10:03:41Z");
  static final String OIDC = "arn:aws:iam::271828182845:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/5F1C3A7E";

  static EvidenceEvent flow(String src, String pktSrc, int dport, String direction, String action) {
    EvidenceEvent e = IncidentGrouperTest.base("flow-" + src + dport + direction + action, T, "aws_vpc_flow");
    e.setClassUid(4001);
    e.setSrcEndpoint(Endpoint.newBuilder().setIp(src).setPort(51240).build());
    e.setDstEndpoint(Endpoint.newBuilder().setIp("10.72.14.203").setPort(dport).build());
    e.setNetwork(Network.newBuilder().setProtocol("tcp").setDirection(direction).setAction(action).setPktSrcIp(pktSrc)
        .build());
    return e;
  }

  @Test
  void aKubeletPortReachedFromAPublicAddressIsTheEntry() {
    SignalRules rules = SignalRules.defaults();
    SignalRules.Signal s = rules.classify(flow("198.51.100.23", "198.51.100.23", 10250, "Inbound", "Allowed"));
    assertThat(s.reason()).isEqualTo("kubelet_port_public");
    assertThat(s.stage()).isEqualTo(AttackStage.ENTRY);
    assertThat(s.severityId()).isEqualTo(4);
    assertThat(rules.classify(flow("198.51.100.23", null, 10255, null, "Allowed")).reason()).isEqualTo("kubelet_port_public");
    // context: the control plane's own calls, a rejected attempt, another port, a reply, a known address
    assertThat(rules.classify(flow("10.72.0.45", "10.72.0.45", 10250, "Inbound", "Allowed"))).isNull();
    assertThat(rules.classify(flow("198.51.100.23", "198.51.100.23", 10250, "Inbound", "Blocked"))).isNull();
    assertThat(rules.classify(flow("198.51.100.23", "198.51.100.23", 443, "Inbound", "Allowed"))).isNull();
    assertThat(rules.classify(flow("198.51.100.23", "198.51.100.23", 10250, "Outbound", "Allowed"))).isNull();
    assertThat(new SignalRules(List.of("198.51.100.0/24"))
        .classify(flow("198.51.100.23", "198.51.100.23", 10250, "Inbound", "Allowed"))).isNull();
    // behind a load balancer the packet's own source is the client
    assertThat(rules.classify(flow("10.72.1.21", "198.51.100.23", 10250, "Inbound", "Allowed")).reason())
        .isEqualTo("kubelet_port_public");
  }

  static EvidenceEvent call(String op, String ip, Actor actor, String provider) {
    EvidenceEvent e = IncidentGrouperTest.base("ct-" + op + ip + actor.getUserType(), T, "aws_cloudtrail");
    e.setClassUid(6003);
    e.setActor(actor);
    e.setApi(Api.newBuilder().setService("sts.amazonaws.com").setOperation(op).build());
    e.setStatus("Success");
    e.setSrcEndpoint(Endpoint.newBuilder().setIp(ip).build());
    if (provider != null) e.getUnmapped().put("userIdentity.sessionContext.webIdFederationData.federatedProvider", provider);
    return e;
  }

  static Actor webIdentity() {
    return Actor.newBuilder().setUserName("system:serviceaccount:analytics:etl-worker").setUserType("WebIdentityUser")
        .setUserUid(OIDC + ":sts.amazonaws.com:system:serviceaccount:analytics:etl-worker").setGroups(List.of()).build();
  }

  static Actor session() {
    return Actor.newBuilder().setUserName("etl-worker-irsa").setUserType("AssumedRole")
        .setUserUid("arn:aws:sts::271828182845:assumed-role/etl-worker-irsa/etl").setCredentialUid("ASIAUETLSTOLEN000001")
        .setSessionIssuer("arn:aws:iam::271828182845:role/etl-worker-irsa").setGroups(List.of()).build();
  }

  @Test
  void anIrsaTokenOrItsSessionUsedFromAPublicAddressIsASignal() {
    SignalRules rules = SignalRules.defaults();
    SignalRules.Signal exchange = rules.classify(call("AssumeRoleWithWebIdentity", "198.51.100.23", webIdentity(), null));
    assertThat(exchange.reason()).isEqualTo("workload_credentials_outside");
    assertThat(exchange.stage()).isEqualTo(AttackStage.CREDENTIAL_ACCESS);
    SignalRules.Signal get = rules.classify(call("GetObject", "198.51.100.23", session(), OIDC));
    assertThat(get.reason()).isEqualTo("workload_credentials_outside");
    assertThat(get.stage()).isEqualTo(AttackStage.EXFILTRATION);
    // context: the pod's own exchange and calls (a private address, a VPC endpoint), another OIDC provider's session
    // (a CI system's token is used from the internet by design), a session of no web identity
    assertThat(rules.classify(call("AssumeRoleWithWebIdentity", "10.72.14.118", webIdentity(), null))).isNull();
    assertThat(rules.classify(call("GetObject", "10.72.14.118", session(), OIDC))).isNull();
    assertThat(rules.classify(call("GetObject", "198.51.100.23", session(),
        "arn:aws:iam::271828182845:oidc-provider/token.actions.githubusercontent.com"))).isNull();
    assertThat(rules.classify(call("GetObject", "198.51.100.23", session(), null))).isNull();
  }

  /**
   * An EKS Pod Identity session (no web identity in its record: EKS assumed the role with the pod in its session tags)
   * that the correlation tied to its pod, used from a public address: the pod's identity off the cluster
   * (SupplyChainRolloutScenarioIT); from the pod's own address, or a session tied to no pod, context.
   */
  @Test
  void aPodIdentitySessionUsedFromAPublicAddressIsASignal() {
    SignalRules rules = SignalRules.defaults();
    Actor podSession = Actor.newBuilder().setUserName("catalog-api-podid").setUserType("AssumedRole")
        .setUserUid("arn:aws:sts::173205080756:assumed-role/catalog-api-podid/eks-merch-eks-catalog-api-7d9c6b5f48-x2k9p")
        .setCredentialUid("ASIASFPODIDA00000001").setSessionIssuer("arn:aws:iam::173205080756:role/catalog-api-podid")
        .setGroups(List.of()).build();
    java.util.function.BiFunction<String, String, EvidenceEvent> get = (ip, pod) -> {
      EvidenceEvent e = call("GetObject", ip, podSession, null);
      if (pod != null) e.setEnrichment(Enrichment.newBuilder().setPodName(pod).setNamespace("merch").setRevision(1).build());
      return e;
    };
    SignalRules.Signal outside = rules.classify(get.apply("203.0.113.201", "catalog-api-7d9c6b5f48-x2k9p"));
    assertThat(outside.reason()).isEqualTo("workload_credentials_outside");
    assertThat(outside.stage()).isEqualTo(AttackStage.EXFILTRATION);
    assertThat(rules.classify(get.apply("10.94.21.140", "catalog-api-7d9c6b5f48-x2k9p"))).isNull();
    assertThat(rules.classify(get.apply("203.0.113.201", null))).isNull();
  }

  /**
   * The stolen IRSA session assuming another account's role from the attacker's host is lateral movement into that
   * account (FargateFleetScenarioIT); a role of its own account stays credential access.
   */
  @Test
  void aStolenSessionAssumingAnotherAccountsRoleIsLateralMovement() {
    SignalRules rules = SignalRules.defaults();
    Actor stolen = Actor.newBuilder(session()).setAccountUid("271828182845").build();
    EvidenceEvent cross = call("AssumeRole", "198.51.100.23", stolen, OIDC);
    cross.getUnmapped().put("strata.issued.role_arn", "arn:aws:iam::602214076012:role/ledger-deploy-cross");
    SignalRules.Signal s = rules.classify(cross);
    assertThat(s.reason()).isEqualTo("workload_credentials_outside");
    assertThat(s.stage()).isEqualTo(AttackStage.LATERAL_MOVEMENT);
    EvidenceEvent own = call("AssumeRole", "198.51.100.23", stolen, OIDC);
    own.getUnmapped().put("strata.issued.role_arn", "arn:aws:iam::271828182845:role/etl-admin");
    assertThat(rules.classify(own).stage()).isEqualTo(AttackStage.CREDENTIAL_ACCESS);
    // from inside (the pod's address): no signal, cross-account or not
    EvidenceEvent inside = call("AssumeRole", "10.72.14.118", stolen, OIDC);
    inside.getUnmapped().put("strata.issued.role_arn", "arn:aws:iam::602214076012:role/ledger-deploy-cross");
    assertThat(rules.classify(inside)).isNull();
  }

  static EvidenceEvent exec(String binary, String parent, String parentArgs, String probe, String initTree) {
    EvidenceEvent e = IncidentGrouperTest.base("exec-" + binary + parent + probe + initTree, T, "tetragon_event");
    e.setClassUid(1007);
    e.setActivityId(1);
    e.setActivityName("Launch");
    e.setContainer(Container.newBuilder().setUid("e7c0" + "3f".repeat(30)).setName("worker").build());
    e.setProcess(Process.newBuilder().setName(binary.substring(binary.lastIndexOf('/') + 1)).setExecutable(binary)
        .setCmdLine(binary).setParentName(parent).build());
    e.getUnmapped().put("event_type", "process_exec");
    if (parentArgs != null) e.getUnmapped().put("parent.arguments", parentArgs);
    if (probe != null) e.getUnmapped().put("process.pod.container.maybe_exec_probe", probe);
    if (initTree != null) e.getUnmapped().put("process.in_init_tree", initTree);
    return e;
  }

  /**
   * A command the runtime started in a running container (runc exec: kubectl exec, the kubelet's /run and /exec) is a
   * signal; an exec probe, the container's own processes and its init are not.
   */
  @Test
  void aProcessTheRuntimeExecedIntoAContainerIsASignalButNotAProbe() {
    SignalRules rules = SignalRules.defaults();
    String execArgs = "--root /run/containerd/runc/k8s.io --log-format json exec --process /tmp/runc-process1 --detach "
        + "--pid-file /run/x.pid e7c0";
    SignalRules.Signal s = rules.classify(exec("/usr/bin/id", "runc", execArgs, "false", "false"));
    assertThat(s.reason()).isEqualTo("tetragon_runtime_exec");
    assertThat(s.stage()).isEqualTo(AttackStage.EXECUTION);
    assertThat(s.severityId()).isEqualTo(3);
    assertThat(rules.classify(exec("/usr/bin/id", "runc:[2:INIT]", null, null, null)).reason())
        .isEqualTo("tetragon_runtime_exec");
    assertThat(rules.classify(exec("/bin/cat", "runc", execArgs, "true", "false"))).as("an exec probe").isNull();
    assertThat(rules.classify(exec("/usr/bin/python3", "runc", "create --bundle /run/b e7c0", "false", "true")))
        .as("the container's init").isNull();
    assertThat(rules.classify(exec("/bin/cat", "sh", null, "false", "false"))).as("the container's own child").isNull();
  }

  /** A flow's timeline line names the connection (it was the class name: "Network Activity Traffic"). */
  @Test
  void aFlowsSummaryNamesItsConnection() {
    EvidenceEvent f = flow("198.51.100.23", "198.51.100.23", 10250, "Inbound", "Allowed");
    f.getNetwork().setPackets(22L);
    f.getNetwork().setBytes(6311L);
    assertThat(Summaries.of(f)).isEqualTo("198.51.100.23:51240 -> 10.72.14.203:10250 tcp Inbound Allowed, 22 packets, 6311 bytes");
    assertThat(Summaries.of(flow("10.72.1.21", "198.51.100.23", 10250, null, "Allowed")))
        .isEqualTo("10.72.1.21:51240 -> 10.72.14.203:10250 tcp Allowed (packets from 198.51.100.23)");
  }
}
