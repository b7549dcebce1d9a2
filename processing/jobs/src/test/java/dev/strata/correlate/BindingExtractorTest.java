package dev.strata.correlate;

import static dev.strata.correlate.CorrelationScenario.C1;
import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.job.correlate.RouteBindings;
import dev.strata.schema.correlate.EntityBinding;
import dev.strata.schema.event.EvidenceEvent;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Bindings from the real parsers' output of the scenario fixtures. */
class BindingExtractorTest {
  static final CorrelationScenario S = new CorrelationScenario();
  final BindingExtractor x = new BindingExtractor();

  List<EntityBinding> of(EvidenceEvent e) {
    return x.extract(e);
  }

  /** The one statement of kind {@code k} that is not a stop's closing statement (see ecsTask tests). */
  static EntityBinding kind(List<EntityBinding> bs, BindingKind k) {
    List<EntityBinding> l = bs.stream().filter(b -> b.getKind().equals(k.id())).toList();
    if (l.size() == 2 && BindingExtractor.isClosing(l.get(1)) && !BindingExtractor.isClosing(l.get(0))) {
      assertThat(l.get(1).getValidFrom()).as("closed at the stated end").isEqualTo(l.get(0).getValidTo());
      l = l.subList(0, 1);
    }
    assertThat(l).as(k.id()).hasSize(1);
    return l.get(0);
  }

  @Test
  void aGracefulDeleteBindsTheIpUntilTheGracePeriodEndsProvisionally() {
    EntityBinding ip = kind(of(S.gracefulAudit.get(2)), BindingKind.IP_POD);
    assertThat(ip.getValidFrom()).isEqualTo(java.time.Instant.parse("2026-11-20T10:40:00Z"));
    assertThat(ip.getValidTo()).isEqualTo(java.time.Instant.parse("2026-11-20T10:40:30Z"));
    assertThat(ip.getEndObserved()).as("provisional").isFalse();
    // the kubelet's report of the terminated container closes it when the container stopped
    EntityBinding stopped = kind(of(S.gracefulAudit.get(3)), BindingKind.IP_POD);
    assertThat(BindingExtractor.isClosing(stopped)).isTrue();
    assertThat(stopped.getValidFrom()).isEqualTo(java.time.Instant.parse("2026-11-20T10:40:20Z"));
    EntityBinding offNode = kind(of(S.gracefulAudit.get(3)), BindingKind.POD_NODE);
    assertThat(BindingExtractor.isClosing(offNode)).as("the status patch does not reopen pod -> node").isTrue();
    // terminated after the grace period's end: bound from then until the observed termination
    EntityBinding killed = kind(of(S.gracefulAudit.get(6)), BindingKind.IP_POD);
    assertThat(killed.getValidFrom()).isEqualTo(java.time.Instant.parse("2026-11-20T10:41:10Z"));
    assertThat(killed.getValidTo()).isEqualTo(java.time.Instant.parse("2026-11-20T10:41:12Z"));
    assertThat(killed.getEndObserved()).isTrue();
    // a delete without a grace period still closes at the request
    assertThat(BindingExtractor.isClosing(kind(of(S.prodAudit.get(2)), BindingKind.IP_POD))).isTrue();
  }

  @Test
  void podStatusPatchStatesIpPodNodeContainerAndImage() {
    List<EntityBinding> bs = of(S.prodAudit.get(1));
    assertThat(bs.stream().map(EntityBinding::getKind).collect(Collectors.toSet()))
        .containsExactlyInAnyOrder("pod_node", "ip_pod", "container_pod", "container_image", "pod_container", "ip_node");
    EntityBinding ip = kind(bs, BindingKind.IP_POD);
    assertThat(ip.getSubject().getKey()).isEqualTo("10.0.1.57");
    assertThat(ip.getSubject().getScope()).isEqualTo("aws:111111111111");
    assertThat(ip.getObject().getKey()).isEqualTo("payments/api-7d9f");
    assertThat(ip.getObject().getScope()).isEqualTo("k8s:prod");
    assertThat(ip.getAttributes())
        .containsEntry("namespace", "payments")
        .containsEntry("pod_uid", "6f1c2b1e-0000-4000-8000-0000000000a1")
        .containsEntry("node_name", CorrelationScenario.NODE)
        .containsEntry("service_account", "payments/api-sa")
        .containsEntry("cluster", "prod");
    assertThat(ip.getValidTo()).isNull();
    assertThat(ip.getEndObserved()).isFalse();
    assertThat(ip.getConfidence()).isEqualTo(1.0f);
    assertThat(ip.getLineage().getEventId()).isEqualTo(S.prodAudit.get(1).getEventId());
    assertThat(ip.getLineage().getArtifactSha256()).isEqualTo(S.prodAudit.get(1).getLineage().getArtifactSha256());
    assertThat(ip.getLineage().getLineNumber()).isEqualTo(2L);
    assertThat(LookupKeys.of(ip)).containsExactly("ip|aws:111111111111|10.0.1.57", "ip|k8s:prod|10.0.1.57");

    EntityBinding c = kind(bs, BindingKind.CONTAINER_POD);
    assertThat(c.getSubject().getKey()).isEqualTo(C1);
    assertThat(c.getAttributes()).containsEntry("image_digest", CorrelationScenario.DIGEST_API)
        .containsEntry("container_name", "api");
    assertThat(LookupKeys.of(c)).containsExactly("container||" + C1, "container12||" + C1.substring(0, 12));
    EntityBinding img = kind(bs, BindingKind.CONTAINER_IMAGE);
    assertThat(img.getObject().getKey()).isEqualTo(CorrelationScenario.DIGEST_API);
    EntityBinding pn = kind(bs, BindingKind.POD_NODE);
    assertThat(pn.getObject().getKey()).isEqualTo(CorrelationScenario.NODE);
    assertThat(LookupKeys.of(pn)).containsExactly("pod|k8s:prod|payments/api-7d9f");
  }

  @Test
  void podDeleteClosesWhatThePodHeld() {
    List<EntityBinding> bs = of(S.prodAudit.get(2));
    assertThat(bs).hasSize(5).allSatisfy(b -> {
      assertThat(BindingExtractor.isClosing(b)).as(b.getKind()).isTrue();
      assertThat(b.getValidFrom()).isEqualTo(S.prodAudit.get(2).getTime());
    });
  }

  @Test
  void nodeProviderIdStatesNodeInstanceBothWays() {
    EntityBinding b = kind(of(S.prodAudit.get(0)), BindingKind.NODE_INSTANCE);
    assertThat(b.getObject().getKey()).isEqualTo(CorrelationScenario.INSTANCE);
    assertThat(LookupKeys.of(b)).containsExactly("node|k8s:prod|ip-10-0-1-10",
        "instance||" + CorrelationScenario.INSTANCE);
  }

  @Test
  void irsaAssumeRoleStatesServiceAccountRoleSessionAndAccessKey() {
    List<EntityBinding> bs = of(S.assumeRole());
    EntityBinding sa = kind(bs, BindingKind.SERVICEACCOUNT_ROLE);
    assertThat(sa.getSubject().getKey()).isEqualTo("payments/api-sa");
    assertThat(sa.getSubject().getScope()).isEqualTo("aws:111111111111");
    assertThat(sa.getObject().getKey()).isEqualTo(CorrelationScenario.ROLE);
    EntityBinding key = kind(bs, BindingKind.ACCESSKEY_SESSION);
    assertThat(key.getSubject().getKey()).isEqualTo("ASIAEXAMPLEPAYMENTS1");
    assertThat(key.getValidTo()).isEqualTo(java.time.Instant.parse("2026-11-20T11:01:00Z"));
    EntityBinding sess = kind(bs, BindingKind.SESSION_SERVICEACCOUNT);
    assertThat(sess.getSubject().getKey())
        .isEqualTo("arn:aws:sts::111111111111:assumed-role/payments-api/botocore-session-1");
    assertThat(sess.getAttributes()).containsEntry("iam_role", CorrelationScenario.ROLE)
        .containsEntry("service_account", "payments/api-sa");
    assertThat(of(S.getObject())).isEmpty();
  }

  /**
   * EKS Pod Identity: the AssumeRole EKS makes (AWS service pods.eks.amazonaws.com) names the pod in its session
   * tags: the session and its key are that pod's until they expire; eks-auth's AssumeRoleForPodIdentity (response not
   * logged) and calls made with the session state nothing of it (fixtures/correlate/cloudtrail-pod-identity.json).
   */
  @Test
  void podIdentitysAssumeRoleStatesTheSessionsPodFromItsSessionTags() {
    List<EvidenceEvent> ct = CorrelationScenario.parse("aws_cloudtrail", "cloudtrail-pod-identity.json", null,
        CorrelationScenario.ACCOUNT_PROD);
    assertThat(ct).hasSize(4);
    // (the caller's own session, the node role's, names its role: session_role)
    assertThat(of(ct.get(0))).as("AssumeRoleForPodIdentity").extracting(EntityBinding::getKind)
        .containsOnly(BindingKind.SESSION_ROLE.id());
    List<EntityBinding> bs = of(ct.get(1));
    String session = "arn:aws:sts::111111111111:assumed-role/payments-podid/eks-prod-api-7d9f-4f3c2a10-0000-4000-8000-00000000a1b2";
    EntityBinding pod = kind(bs, BindingKind.SESSION_POD);
    assertThat(pod.getSubject().getKey()).isEqualTo(session);
    assertThat(pod.getObject().getScope() + " " + pod.getObject().getKey()).isEqualTo("k8s:prod payments/api-7d9f");
    assertThat(pod.getAttributes()).containsEntry("pod_name", "api-7d9f").containsEntry("namespace", "payments")
        .containsEntry("pod_uid", "6f1c2b1e-0000-4000-8000-0000000000a1").containsEntry("cluster", "prod")
        .containsEntry("service_account", "payments/api-sa")
        .containsEntry("iam_role", "arn:aws:iam::111111111111:role/payments-podid");
    assertThat(pod.getValidFrom()).isEqualTo(java.time.Instant.parse("2026-11-20T10:00:30Z"));
    assertThat(pod.getValidTo()).as("the credentials' expiration").isEqualTo(java.time.Instant.parse("2026-11-20T16:00:30Z"));
    assertThat(kind(bs, BindingKind.ACCESSKEY_SESSION).getSubject().getKey()).isEqualTo("ASIAEXAMPLEPODID0001");
    EntityBinding sa = kind(bs, BindingKind.SESSION_SERVICEACCOUNT);
    assertThat(sa.getObject().getScope() + " " + sa.getObject().getKey()).isEqualTo("k8s:prod payments/api-sa");
    assertThat(kind(bs, BindingKind.SERVICEACCOUNT_ROLE).getObject().getKey())
        .isEqualTo("arn:aws:iam::111111111111:role/payments-podid");
    // (the session's role, session_role, was stated from the AssumeRole's response: once per session and extractor)
    assertThat(bs).filteredOn(b -> b.getKind().equals(BindingKind.SESSION_ROLE.id()))
        .extracting(b -> b.getSubject().getKey()).contains(session);
    assertThat(of(ct.get(2))).isEmpty();
    // an AssumeRole without EKS's tags names no pod
    assertThat(CorrelationScenario.parse("aws_cloudtrail", "cloudtrail.json", null, CorrelationScenario.ACCOUNT_PROD))
        .flatMap(this::of).isNotEmpty().noneMatch(b -> b.getKind().equals(BindingKind.SESSION_POD.id()));
  }

  /** An audit record of {@code pods[/sub]} with the given verb, request and response objects (JSON), at 09:00:00. */
  static EvidenceEvent audit(String verb, String pod, String sub, String request, String response) {
    EvidenceEvent e = CorrelationScenario.flow("audit-" + verb + pod + sub, CorrelationScenario.ACCOUNT_PROD, null,
        null, null, "10.0.0.10", "10.0.0.1", "2026-11-22T09:00:00Z");
    e.setSourceFormat("k8s_audit");
    e.setNetwork(null);
    e.setApi(dev.strata.schema.event.Api.newBuilder().setService("kube-apiserver").setOperation(verb).build());
    e.setResources(new java.util.ArrayList<>(List.of(new dev.strata.schema.event.Resource("pods", pod, null, "web", sub,
        null))));
    e.setKubernetes(dev.strata.schema.event.Kubernetes.newBuilder().setCluster("prod-eks").build());
    java.util.Map<String, String> u = new java.util.HashMap<>();
    if (request != null) u.put("requestObject", request);
    if (response != null) u.put("responseObject", response);
    e.setUnmapped(u);
    return e;
  }

  /**
   * A status report states since when: the pod is on its node since the kubelet acknowledged it (status.startTime), a
   * running container bound since its startedAt, not since the report.
   */
  @Test
  void aStatusReportBindsFromTheStartItReports() {
    List<EntityBinding> status = of(audit("patch", "checkout-1", "status", null,
        "{\"kind\":\"Pod\",\"metadata\":{\"name\":\"checkout-1\",\"namespace\":\"web\"},\"spec\":{\"nodeName\":\"n\","
            + "\"serviceAccountName\":\"checkout\"},\"status\":{\"phase\":\"Running\",\"startTime\":\"2026-11-22T08:59:55Z\","
            + "\"containerStatuses\":[{\"name\":\"c\",\"containerID\":\"containerd://" + "c1ec" + "4b".repeat(30)
            + "\",\"state\":{\"running\":{\"startedAt\":\"2026-11-22T08:59:57Z\"}}}]}}"));
    assertThat(kind(status, BindingKind.POD_NODE).getValidFrom()).hasToString("2026-11-22T08:59:55Z");
    assertThat(kind(status, BindingKind.POD_NODE).getAttributes()).containsEntry("service_account", "web/checkout");
    assertThat(kind(status, BindingKind.CONTAINER_POD).getValidFrom()).hasToString("2026-11-22T08:59:57Z");
  }

  /**
   * The scheduler's pods/binding create (request a Binding to the Node, answer a Status) states the pod's node: a
   * controller's pod has no spec.nodeName in its create record (kubelet scenario).
   */
  @Test
  void theSchedulersBindingStatesThePodsNode() {
    List<EntityBinding> bs = of(audit("create", "etl-1", "binding", "{\"kind\":\"Binding\",\"apiVersion\":\"v1\","
        + "\"metadata\":{\"name\":\"etl-1\",\"namespace\":\"web\",\"uid\":\"4f2e1d0c-0000-4000-8000-000000000001\"},"
        + "\"target\":{\"kind\":\"Node\",\"name\":\"ip-10-0-0-10.ec2.internal\"}}",
        "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Success\",\"code\":201}"));
    assertThat(bs).hasSize(1);
    EntityBinding b = kind(bs, BindingKind.POD_NODE);
    assertThat(b.getSubject().getScope() + " " + b.getSubject().getKey()).isEqualTo("k8s:prod-eks web/etl-1");
    assertThat(b.getObject().getKey()).isEqualTo("ip-10-0-0-10.ec2.internal");
    assertThat(b.getAttributes()).containsEntry("node_name", "ip-10-0-0-10.ec2.internal")
        .containsEntry("pod_uid", "4f2e1d0c-0000-4000-8000-000000000001");
    assertThat(b.getValidFrom()).hasToString("2026-11-22T09:00:00Z");
    // a binding to something else than a Node, or a failed one, states nothing
    assertThat(of(audit("create", "etl-1", "binding", "{\"kind\":\"Binding\",\"metadata\":{\"name\":\"etl-1\"},"
        + "\"target\":{\"kind\":\"Other\",\"name\":\"x\"}}", null))).isEmpty();
  }

  /**
   * A Pod of a {@code kubectl get pods -o json} snapshot (k8s_pod) states what an audit record's Pod does: its node
   * with its service account, its address and its containers (by id and by name) with their image, from its start.
   */
  @Test
  void aSnapshotsPodStatesItsNodeAddressAndContainers() {
    EvidenceEvent e = audit("get", "cart-1", null, null, null);
    e.setSourceFormat("k8s_pod");
    e.setTime(java.time.Instant.parse("2026-11-24T10:52:04Z"));
    e.getUnmapped().put("k8s.object", "{\"kind\":\"Pod\",\"metadata\":{\"name\":\"cart-1\",\"namespace\":\"shop\",\"uid\":\"f1e2\"},"
        + "\"spec\":{\"nodeName\":\"ip-10-40-3-17\",\"serviceAccountName\":\"cart\"},\"status\":{\"containerStatuses\":[{"
        + "\"containerID\":\"cri-o://ca7e4d4d4d4d4d4d\",\"imageID\":\"r/cart@sha256:8e2f\",\"name\":\"cart\",\"state\":{\"running\":"
        + "{\"startedAt\":\"2026-11-24T10:52:08Z\"}}}],\"hostIP\":\"10.40.3.17\",\"phase\":\"Running\",\"podIP\":\"10.40.3.120\","
        + "\"startTime\":\"2026-11-24T10:52:04Z\"}}");
    List<EntityBinding> bs = of(e);
    EntityBinding node = kind(bs, BindingKind.POD_NODE);
    assertThat(node.getSubject().getKey() + " -> " + node.getObject().getKey()).isEqualTo("shop/cart-1 -> ip-10-40-3-17");
    assertThat(node.getAttributes()).containsEntry("service_account", "shop/cart");
    EntityBinding ip = kind(bs, BindingKind.IP_POD);
    assertThat(ip.getSubject().getKey() + " -> " + ip.getObject().getKey()).isEqualTo("10.40.3.120 -> shop/cart-1");
    assertThat(ip.getValidFrom()).hasToString("2026-11-24T10:52:04Z");
    assertThat(kind(bs, BindingKind.POD_CONTAINER).getObject().getKey()).isEqualTo("ca7e4d4d4d4d4d4d");
    assertThat(kind(bs, BindingKind.CONTAINER_IMAGE).getObject().getKey()).isEqualTo("sha256:8e2f");
  }

  /**
   * A node's own address names the node (session 14): its Node object's InternalIP (with the instance of its
   * providerID) and every pod's hostIP. A flow to the kubelet's port of a node in a v2 flow log (no instance id)
   * otherwise named nobody (crio scenario).
   */
  @Test
  void aNodesOwnAddressIsBoundToTheNode() {
    EvidenceEvent node = audit("update", "ip-10-40-3-17", "status", null,
        "{\"kind\":\"Node\",\"metadata\":{\"name\":\"ip-10-40-3-17\"},\"spec\":{\"providerID\":"
            + "\"aws:///us-west-2a/i-0abc1234def567890\"},\"status\":{\"addresses\":[{\"type\":\"InternalIP\","
            + "\"address\":\"10.40.3.17\"},{\"type\":\"ExternalIP\",\"address\":\"54.1.2.3\"},{\"type\":"
            + "\"Hostname\",\"address\":\"ip-10-40-3-17\"}]}}");
    node.getResources().set(0, new dev.strata.schema.event.Resource("nodes", "ip-10-40-3-17", null, null, "status",
        null));
    List<EntityBinding> bs = of(node);
    assertThat(bs.stream().map(EntityBinding::getKind).toList()).containsExactlyInAnyOrder("node_instance", "ip_node");
    EntityBinding ip = kind(bs, BindingKind.IP_NODE);
    assertThat(ip.getSubject().getKey() + " -> " + ip.getObject().getKey()).isEqualTo("10.40.3.17 -> ip-10-40-3-17");
    assertThat(ip.getAttributes()).containsEntry("node_name", "ip-10-40-3-17")
        .containsEntry("instance_uid", "i-0abc1234def567890").containsEntry("cluster", "prod-eks");
    assertThat(LookupKeys.of(ip)).contains("ip|k8s:prod-eks|10.40.3.17");
    assertThat(RouteBindings.TYPES_BY_HOP.get(0)).as("held where hop 1 asks addresses").contains("ip");

    // a pod's hostIP, from the pod's start on the node; its pod address stays the pod's
    List<EntityBinding> pod = of(audit("patch", "cart-1", "status", null,
        "{\"kind\":\"Pod\",\"metadata\":{\"name\":\"cart-1\",\"namespace\":\"web\"},\"spec\":{\"nodeName\":"
            + "\"ip-10-40-3-17\"},\"status\":{\"phase\":\"Running\",\"startTime\":\"2026-11-22T08:59:55Z\","
            + "\"hostIP\":\"10.40.3.17\",\"podIP\":\"10.40.3.120\"}}"));
    EntityBinding host = kind(pod, BindingKind.IP_NODE);
    assertThat(host.getSubject().getKey() + " -> " + host.getObject().getKey()).isEqualTo("10.40.3.17 -> ip-10-40-3-17");
    assertThat(host.getValidFrom()).hasToString("2026-11-22T08:59:55Z");
    assertThat(host.getAttributes()).doesNotContainKeys("pod_name", "namespace");
    assertThat(kind(pod, BindingKind.IP_POD).getSubject().getKey()).isEqualTo("10.40.3.120");
    // a host-network pod's address is its node's: the node, never the pod
    List<EntityBinding> hostNet = of(audit("patch", "proxy-1", "status", null,
        "{\"kind\":\"Pod\",\"metadata\":{\"name\":\"proxy-1\",\"namespace\":\"kube-system\"},\"spec\":{"
            + "\"nodeName\":\"ip-10-40-3-17\",\"hostNetwork\":true},\"status\":{\"phase\":\"Running\","
            + "\"hostIP\":\"10.40.3.17\",\"podIP\":\"10.40.3.17\"}}"));
    assertThat(hostNet.stream().map(EntityBinding::getKind).toList()).contains("ip_node").doesNotContain("ip_pod");
    // a pod's delete is not its node's address's end
    assertThat(of(audit("delete", "cart-1", null, null,
        "{\"kind\":\"Pod\",\"metadata\":{\"name\":\"cart-1\",\"namespace\":\"web\"},\"spec\":{\"nodeName\":"
            + "\"ip-10-40-3-17\"},\"status\":{\"hostIP\":\"10.40.3.17\",\"podIP\":\"10.40.3.120\"}}"))
        .stream().map(EntityBinding::getKind).toList()).doesNotContain("ip_node");
  }

  /**
   * The VPC CNI's plugin.log: the ADD request names the sandbox's pod, ipamd's answer its address. In one chunk the
   * answer states ip_pod from the ADD; cut between the two lines, the answer names the sandbox only and SandboxPods
   * joins its address with the request's pod into the same ip_pod (fixtures/correlate/node-vpc-cni-plugin.log).
   */
  @Test
  void theVpcCnisAddressOfASandboxIsItsPodsAlsoWhenItsRequestIsInAnotherChunk() {
    List<EvidenceEvent> whole = CorrelationScenario.parse("aws_vpc_cni", "node-vpc-cni-plugin.log", "prod",
        CorrelationScenario.ACCOUNT_PROD);
    assertThat(whole).hasSize(2);
    EntityBinding direct = kind(of(whole.get(1)), BindingKind.IP_POD);
    assertThat(direct.getSubject().getKey()).isEqualTo("10.0.1.57");
    assertThat(direct.getSubject().getScope()).isEqualTo("aws:" + CorrelationScenario.ACCOUNT_PROD);
    assertThat(direct.getObject().getKey()).isEqualTo("payments/api-7d9f");
    List<EvidenceEvent> cut = CorrelationScenario.parseInChunks("aws_vpc_cni", "node-vpc-cni-plugin.log", "prod",
        CorrelationScenario.ACCOUNT_PROD, 1);
    assertThat(cut).hasSize(2);
    EntityBinding pod = kind(of(cut.get(0)), BindingKind.CONTAINER_POD);
    EntityBinding address = kind(of(cut.get(1)), BindingKind.IP_CONTAINER);
    assertThat(of(cut.get(1))).noneMatch(b -> b.getKind().equals(BindingKind.IP_POD.id()));
    String sandbox = "5e1d" + "a7".repeat(30);
    assertThat(SandboxPods.sandbox(pod)).isEqualTo(sandbox);
    assertThat(SandboxPods.sandbox(address)).isEqualTo(sandbox);
    List<EntityBinding> joined = SandboxPods.join(x, pod, address);
    EntityBinding derived = kind(joined, BindingKind.IP_POD);
    assertThat(derived.getSubject().getKey()).isEqualTo("10.0.1.57");
    assertThat(derived.getSubject().getScope()).isEqualTo(direct.getSubject().getScope());
    assertThat(derived.getObject().getKey()).isEqualTo("payments/api-7d9f");
  }

  /**
   * A request with a pod's bound token names its pod, node and service account (user.extra) at any audit level: the
   * pod's node with its service account from then on (FirehoseVpcCniScenarioIT: nothing else named a deleted pod's
   * service account at Metadata level, so its IRSA session's pod was never decided).
   */
  @Test
  void aBoundTokensRequestStatesItsPodsNodeAndServiceAccount() {
    List<EvidenceEvent> audit = CorrelationScenario.parse("k8s_audit", "prod-audit-bound-token.log", "prod",
        CorrelationScenario.ACCOUNT_PROD);
    EntityBinding pn = kind(of(audit.get(0)), BindingKind.POD_NODE);
    assertThat(pn.getSubject().getKey()).isEqualTo("payments/api-7d9f");
    assertThat(pn.getSubject().getScope()).isEqualTo("k8s:prod");
    assertThat(pn.getObject().getKey()).isEqualTo("ip-10-0-1-10.ec2.internal");
    assertThat(pn.getAttributes()).containsEntry("service_account", "payments/api-sa");
    assertThat(pn.getValidTo()).isNull();
    assertThat(SessionPods.serviceAccount(pn)).isEqualTo("payments/api-sa");
  }

  /**
   * The kubelet's pods/status patch (Request level: no spec) names its node only as its author, system:node:<node>;
   * on EKS Fargate the pod's address is its node's (each pod its own micro-VM, node fargate-ip-...) and is the pod's,
   * while on an EC2 node an address equal to hostIP stays the node's (a host-network pod reported without its spec)
   * (FargateFleetScenarioIT: every flow of a Fargate pod named no pod).
   */
  @Test
  void aKubeletsStatusPatchNamesItsNodeAndAFargatePodsAddressIsThePods() {
    List<EvidenceEvent> audit = CorrelationScenario.parse("k8s_audit", "fargate-audit-status.log", "storefront",
        CorrelationScenario.ACCOUNT_PROD);
    List<EntityBinding> fargate = of(audit.get(0));
    assertThat(kind(fargate, BindingKind.POD_NODE).getObject().getKey())
        .isEqualTo("fargate-ip-10-77-21-137.us-east-2.compute.internal");
    EntityBinding ip = kind(fargate, BindingKind.IP_POD);
    assertThat(ip.getSubject().getKey()).isEqualTo("10.77.21.137");
    assertThat(ip.getObject().getKey()).isEqualTo("media/thumb-1");
    assertThat(kind(fargate, BindingKind.IP_NODE).getObject().getKey())
        .isEqualTo("fargate-ip-10-77-21-137.us-east-2.compute.internal");
    List<EntityBinding> hostNet = of(audit.get(1));
    assertThat(kind(hostNet, BindingKind.POD_NODE).getObject().getKey()).isEqualTo("ip-10-77-34-10.us-east-2.compute.internal");
    assertThat(hostNet).noneMatch(b -> b.getKind().equals(BindingKind.IP_POD.id()));
    assertThat(kind(hostNet, BindingKind.IP_NODE).getSubject().getKey()).isEqualTo("10.77.34.10");
    EntityBinding pod = kind(of(audit.get(2)), BindingKind.IP_POD);
    assertThat(pod.getSubject().getKey()).isEqualTo("10.77.34.52");
    assertThat(pod.getObject().getKey()).isEqualTo("media/ledger-1");
  }

  /**
   * IAM persistence: a role session's CreateAccessKey binds the new key to that session (its calls resolve through it
   * to the pod, FirehoseVpcCniScenarioIT); CreateUser states nothing; a key an IAM user creates is not followed
   * (fixtures/correlate/cloudtrail-iam-persistence.json).
   */
  @Test
  void aSessionsCreateAccessKeyBindsTheNewKeyToTheSession() {
    List<EvidenceEvent> ct = CorrelationScenario.parse("aws_cloudtrail", "cloudtrail-iam-persistence.json", null,
        CorrelationScenario.ACCOUNT_PROD);
    assertThat(ct).hasSize(3);
    assertThat(of(ct.get(0))).extracting(EntityBinding::getKind).containsOnly(BindingKind.SESSION_ROLE.id());
    EntityBinding key = kind(of(ct.get(1)), BindingKind.ACCESSKEY_SESSION);
    assertThat(key.getSubject().getKey()).isEqualTo("AKIAEXAMPLEBACKUP001");
    assertThat(key.getObject().getKey()).isEqualTo("arn:aws:sts::111111111111:assumed-role/payments-api/botocore-session-1");
    assertThat(key.getValidFrom()).isEqualTo(java.time.Instant.parse("2026-11-20T10:20:30Z"));
    assertThat(key.getValidTo()).isNull();
    assertThat(key.getConfidence()).isEqualTo(0.9f);
    assertThat(key.getAttributes()).containsEntry("created_key_user", "backup")
        .containsEntry("iam_role", "arn:aws:iam::111111111111:role/payments-api");
    assertThat(of(ct.get(2))).noneMatch(b -> b.getKind().equals(BindingKind.ACCESSKEY_SESSION.id()));
  }

  /**
   * Role chaining (fargate scenario): an assumed-role session's sts:AssumeRole states the new session's role, its key
   * and the chain new session -> caller until the new credentials expire; the role's account's record of the same call
   * (an AWSAccount caller) states the role and key, no chain; every call states its own session's role once
   * (sessionContext.sessionIssuer), from always.
   */
  @Test
  void anAssumedRoleSessionsAssumeRoleChainsTheNewSessionToItAndEverySessionNamesItsRole() {
    List<EvidenceEvent> ct = CorrelationScenario.parse("aws_cloudtrail", "cloudtrail-irsa-chained.json", null, null);
    String s1 = "arn:aws:sts::111111111111:assumed-role/payments-api/botocore-session-2";
    String s2 = "arn:aws:sts::222222222222:assumed-role/cross-deploy/sync-job";
    BindingExtractor x = new BindingExtractor();
    List<EntityBinding> caller = x.extract(ct.get(0));
    EntityBinding chain = kind(caller, BindingKind.SESSION_CHAIN);
    assertThat(chain.getSubject().getKey()).isEqualTo(s2);
    assertThat(chain.getObject().getKey()).isEqualTo(s1);
    assertThat(chain.getValidFrom()).isEqualTo(java.time.Instant.parse("2026-11-20T10:06:00Z"));
    assertThat(chain.getValidTo()).isEqualTo(java.time.Instant.parse("2026-11-20T11:06:00Z"));
    assertThat(chain.getAttributes()).containsEntry("iam_role", "arn:aws:iam::222222222222:role/cross-deploy")
        .containsEntry("account_uid", "222222222222").containsEntry(CreatedKeys.CREATED_BY_SESSION, s1);
    assertThat(caller).filteredOn(b -> b.getKind().equals(BindingKind.SESSION_ROLE.id()))
        .extracting(b -> b.getSubject().getKey() + " -> " + b.getObject().getKey())
        .containsExactlyInAnyOrder(s1 + " -> arn:aws:iam::111111111111:role/payments-api",
            s2 + " -> arn:aws:iam::222222222222:role/cross-deploy");
    assertThat(caller).filteredOn(b -> b.getKind().equals(BindingKind.SESSION_ROLE.id()))
        .allSatisfy(b -> assertThat(b.getValidFrom()).isEqualTo(java.time.Instant.EPOCH));
    assertThat(kind(caller, BindingKind.ACCESSKEY_SESSION).getSubject().getKey()).isEqualTo("ASIAEXAMPLECHAINED01");
    // account 2's record of the same call: the caller is an account, no session to chain from
    List<EntityBinding> target = new BindingExtractor().extract(ct.get(1));
    assertThat(target).extracting(EntityBinding::getKind)
        .containsExactlyInAnyOrder(BindingKind.SESSION_ROLE.id(), BindingKind.ACCESSKEY_SESSION.id());
    // the chained session's call: its role is stated by this extractor already (once per session)
    assertThat(x.extract(ct.get(2))).isEmpty();
    assertThat(new BindingExtractor().extract(ct.get(2))).singleElement()
        .satisfies(b -> assertThat(b.getKind()).isEqualTo(BindingKind.SESSION_ROLE.id()));
  }

  /**
   * An IRSA token's exchange asks the session it issued (its session_pod answers the call too: the exchange from an
   * attacker's address otherwise named no pod, kubelet scenario); a call with the session asks it as its own.
   */
  @Test
  void anIrsaExchangeLooksUpTheSessionItIssued() {
    EvidenceEvent e = S.assumeRole();
    assertThat(LookupKeys.probes(1, e, EnrichmentMerger.base(e)))
        .contains("session||arn:aws:sts::111111111111:assumed-role/payments-api/botocore-session-1");
    assertThat(LookupKeys.probes(1, S.getObject(), EnrichmentMerger.base(S.getObject())))
        .contains("session||arn:aws:sts::111111111111:assumed-role/payments-api/botocore-session-1");
  }

  /** EKS's pod identity webhook puts the service account's role in the pod's env: the pod record states IRSA. */
  @Test
  void anIrsaPodsRoleIsTheWebhooksAwsRoleArn() throws Exception {
    var json = new com.fasterxml.jackson.databind.ObjectMapper();
    assertThat(BindingExtractor.irsaRole(json.readTree("{\"containers\":[{\"name\":\"a\",\"env\":["
        + "{\"name\":\"AWS_REGION\",\"value\":\"us-east-1\"},{\"name\":\"AWS_ROLE_ARN\","
        + "\"value\":\"arn:aws:iam::111111111111:role/checkout-irsa\"}]}]}")))
        .isEqualTo("arn:aws:iam::111111111111:role/checkout-irsa");
    assertThat(BindingExtractor.irsaRole(json.readTree("{\"containers\":[{\"env\":[{\"name\":\"AWS_ROLE_ARN\","
        + "\"valueFrom\":{\"secretKeyRef\":{}}}]}]}"))).isNull();
    assertThat(BindingExtractor.irsaRole(json.readTree("{\"containers\":[{\"name\":\"a\"}]}"))).isNull();
  }

  @Test
  void containerdDaemonLogStatesFromCreatedStartedAndNetworkReadyAndEndsFromExits() {
    List<EvidenceEvent> log = CorrelationScenario.parse("containerd_daemon_log", "node-containerd-journal.log", "prod",
        CorrelationScenario.ACCOUNT_PROD);
    java.util.Map<String, List<String>> kindsByActivity = new java.util.TreeMap<>();
    for (EvidenceEvent e : log) {
      List<EntityBinding> bs = of(e);
      kindsByActivity.merge(e.getActivityName(),
          bs.stream().map(b -> b.getKind() + (BindingExtractor.isClosing(b) ? "/end" : "")).sorted().toList(),
          (a, b) -> a.equals(b) ? a : java.util.stream.Stream.concat(a.stream(), b.stream()).distinct().toList());
    }
    assertThat(kindsByActivity)
        .containsEntry("network_ready", List.of("container_pod", "ip_pod"))
        .containsEntry("created", List.of("container_pod", "container_sandbox", "pod_container"))
        .containsEntry("started", List.of("container_pod", "container_sandbox", "pod_container"))
        .containsEntry("exited", List.of("container_pod/end", "pod_container/end"))
        .containsEntry("run_requested", List.of())
        .containsEntry("create_requested", List.of())
        .containsEntry("stop_requested", List.of());
    EvidenceEvent net = log.stream().filter(e -> "network_ready".equals(e.getActivityName())).findFirst()
        .orElseThrow();
    EntityBinding ip = kind(of(net), BindingKind.IP_POD);
    assertThat(ip.getSubject().getScope()).isEqualTo("aws:" + CorrelationScenario.ACCOUNT_PROD);
    assertThat(ip.getAttributes()).containsEntry(Attr.CONTAINER_UID, net.getContainer().getUid());
    assertThat(BindingExtractor.containerEnd(log.stream().filter(e -> "exited".equals(e.getActivityName()))
        .findFirst().orElseThrow())).startsWith("a7a8d2d3d4d5");
  }

  @Test
  void falcoWithoutPodFieldsStatesNothingAboutPods() {
    assertThat(of(S.falco.get(0))).noneMatch(b -> b.getKind().equals("container_pod"));
  }

  @Test
  void flowWithInstanceIdStatesEniInstance() {
    EntityBinding b = kind(of(S.flowApi), BindingKind.ENI_INSTANCE);
    assertThat(b.getSubject().getKey()).isEqualTo("eni-0aaa1");
    assertThat(b.getObject().getKey()).isEqualTo(CorrelationScenario.INSTANCE);
    assertThat(of(S.flowStage)).isEmpty();
  }

  @Test
  void ecsTaskStatesEniIpAndContainersUntilItStopped() {
    EvidenceEvent task = CorrelationScenario.flow("ecs-task", "111111111111", null, "eni-0ecs1", null, "10.0.2.15",
        null, "2026-11-20T10:00:00Z");
    task.setSourceFormat("aws_ecs_task_metadata");
    task.setClassUid(0);
    task.setActivityName("task");
    task.setDstEndpoint(null);
    task.getCloud().setTaskUid("arn:aws:ecs:us-east-1:111111111111:task/prod/abc");
    task.setEndTime(java.time.Instant.parse("2026-11-20T11:00:00Z"));
    List<EntityBinding> bs = of(task);
    assertThat(bs).extracting(EntityBinding::getKind)
        .containsExactlyInAnyOrder("eni_task", "eni_task", "ip_task", "ip_task");
    // the stop also closes what the task's other evidence stated open (its metadata while it ran, its v7 flows)
    assertThat(bs).filteredOn(BindingExtractor::isClosing).extracting(b -> b.getKind() + " " + b.getValidFrom())
        .containsExactlyInAnyOrder("eni_task 2026-11-20T11:00:00Z", "ip_task 2026-11-20T11:00:00Z");
    bs = bs.stream().filter(b -> !BindingExtractor.isClosing(b)).toList();
    EntityBinding ip = kind(bs, BindingKind.IP_TASK);
    assertThat(ip.getSubject().getScope()).isEqualTo("aws:111111111111");
    assertThat(ip.getValidTo()).isEqualTo(java.time.Instant.parse("2026-11-20T11:00:00Z"));
    assertThat(ip.getEndObserved()).isTrue();
    assertThat(BindingExtractor.isClosing(ip)).isFalse();
    task.setActivityName("container");
    task.setContainer(dev.strata.schema.event.Container.newBuilder().setUid(C1).setName("app")
        .setImageDigest(CorrelationScenario.DIGEST_API).build());
    assertThat(of(task)).extracting(EntityBinding::getKind)
        .contains("container_task", "container_image").doesNotContain("ip_container", "container_pod");
    // a flow record of an ECS task names the task's ENI, never the task's address (its source may be remote)
    EvidenceEvent flow = CorrelationScenario.flow("ecs-flow", "111111111111", "vpc-0aaa", "eni-0ecs1", null,
        "203.0.113.5", "10.0.2.15", "2026-11-20T10:05:00Z");
    flow.getCloud().setTaskUid("arn:aws:ecs:us-east-1:111111111111:task/prod/abc");
    assertThat(of(flow)).extracting(EntityBinding::getKind).containsExactly("eni_task");
    assertThat(of(flow).get(0).getValidTo()).isNull();
  }

  @Test
  void aStoppedTasksEniFactEndsAtItsStopWhateverElseStatedItOpen() {
    String taskArn = "arn:aws:ecs:us-east-1:111111111111:task/prod/0123456789abcdef0123456789abcdef";
    EvidenceEvent running = CorrelationScenario.flow("ecs-running", "111111111111", null, "eni-0ecs2", null,
        "10.0.2.16", null, "2026-11-20T10:00:00Z");
    running.setSourceFormat("aws_ecs_task_metadata");
    running.setActivityName("task");
    running.setDstEndpoint(null);
    running.setEndTime(null);
    running.getCloud().setTaskUid(taskArn);
    EvidenceEvent flow = CorrelationScenario.flow("ecs-v7", "111111111111", null, "eni-0ecs2", null, "10.0.2.16",
        "198.51.100.1", "2026-11-20T10:30:00Z");
    flow.getCloud().setTaskUid(taskArn);
    EvidenceEvent stopped = EvidenceEvent.newBuilder(running).setEventId("e".repeat(64))
        .setEndTime(Instant.parse("2026-11-20T11:00:00Z")).build();
    List<EntityBinding> eniStatements = new java.util.ArrayList<>();
    for (EvidenceEvent e : List.of(running, flow, stopped)) {
      of(e).stream().filter(b -> b.getKind().equals("eni_task")).forEach(eniStatements::add);
    }
    List<BindingFacts.Fact> facts = new BindingFacts().facts(eniStatements);
    assertThat(facts).hasSize(1);
    EntityBinding fact = facts.get(0).binding();
    assertThat(fact.getValidFrom()).isEqualTo(Instant.parse("2026-11-20T10:00:00Z"));
    assertThat(fact.getValidTo()).as("describe-tasks' stoppedAt ends it").isEqualTo(Instant.parse("2026-11-20T11:00:00Z"));
    assertThat(fact.getEndObserved()).isTrue();
  }

  @Test
  void aVpcFlowV7RecordBindsItsTasksRoleSessionsWithoutAnyTaskMetadata() {
    // CloudTrail + VPC Flow v7 alone: the record names the task (ecs-task-arn), the task role's session is named
    // after the task id, so the task's calls reach it, also those made before the task's first flow record
    String taskArn = "arn:aws:ecs:eu-west-1:121212121212:task/pay-prod/a1b2c3d4e5f6478990a1b2c3d4e5f601";
    EvidenceEvent flow = CorrelationScenario.flow("v7-flow", "121212121212", "vpc-0f10", "eni-0f10000000000e001",
        "i-0f10000000000c001", "10.30.1.9", "198.51.100.9", "2026-11-21T10:07:00Z");
    flow.getCloud().setTaskUid(taskArn);
    flow.getCloud().setClusterUid("arn:aws:ecs:eu-west-1:121212121212:cluster/pay-prod");
    List<EntityBinding> bs = of(flow);
    assertThat(bs).extracting(EntityBinding::getKind).containsExactlyInAnyOrder("eni_task", "session_task")
        .as("the flow names its task's ENI and host, not the task's address, and no ENI -> instance")
        .doesNotContain("ip_task", "eni_instance");
    EntityBinding s = kind(bs, BindingKind.SESSION_TASK);
    assertThat(LookupKeys.of(s)).containsExactly("session|aws:121212121212|a1b2c3d4e5f6478990a1b2c3d4e5f601");
    assertThat(s.getObject().getKey()).isEqualTo(taskArn);
    assertThat(s.getValidFrom()).as("no session is named after the task id before the task").isEqualTo(Instant.EPOCH);
    assertThat(s.getValidTo()).isNull();
    assertThat(s.getAttributes()).containsEntry("ecs_cluster", "pay-prod").containsEntry("eni_uid", "eni-0f10000000000e001")
        .as("the container instance only hosts the task: not an attribute of the task's facts")
        .doesNotContainKey("instance_uid");
    assertThat(kind(bs, BindingKind.ENI_TASK).getAttributes()).doesNotContainKey("instance_uid");
    // Parquet flow records are flow records too: no ip_task from a flow's source address
    flow.setSourceFormat("aws_vpc_flow_parquet");
    assertThat(of(flow)).extracting(EntityBinding::getKind).containsExactlyInAnyOrder("eni_task", "session_task");
    // the task role's call at 10:06, before the first v7 record, asks the key the flow's fact is held under, at a
    // time it covers
    EvidenceEvent call = CorrelationScenario.flow("ct-v7", "121212121212", null, null, null, null, null,
        "2026-11-21T10:06:00Z");
    call.setSourceFormat("aws_cloudtrail");
    call.setActor(dev.strata.schema.event.Actor.newBuilder()
        .setUserUid("arn:aws:sts::121212121212:assumed-role/pay-task-role/a1b2c3d4e5f6478990a1b2c3d4e5f601").build());
    assertThat(LookupKeys.probes(1, call, EnrichmentMerger.base(call))).contains(LookupKeys.of(s).get(0));
    KeyState state = new KeyState();
    state.add(Statements.entry(s));
    assertThat(state.resolve(BindingExtractor.micros(call.getTime()))).extracting(Hit::object).containsExactly(taskArn);
  }

  @Test
  void ecsTaskMetadataBindsTheTasksRoleSessionsByTaskIdPastItsStop() {
    String taskArn = "arn:aws:ecs:eu-west-1:444455556666:task/shop-prod/5f1c2a3b4d5e4f60a1b2c3d4e5f60718";
    EvidenceEvent task = CorrelationScenario.flow("ecs-task-2", "444455556666", null, "eni-0e1c5a11aa0000001", null,
        "10.20.1.37", null, "2026-11-21T09:58:20Z");
    task.setSourceFormat("aws_ecs_task_metadata");
    task.setClassUid(0);
    task.setActivityName("task");
    task.setDstEndpoint(null);
    task.getCloud().setTaskUid(taskArn);
    task.getCloud().setClusterUid("arn:aws:ecs:eu-west-1:444455556666:cluster/shop-prod");
    task.getCloud().setVpcUid("vpc-0e1c5a110000a0001"); // task metadata v4 names it, describe-tasks does not
    task.setEndTime(java.time.Instant.parse("2026-11-21T10:20:05Z"));
    List<EntityBinding> bs = of(task);
    EntityBinding s = kind(bs, BindingKind.SESSION_TASK);
    assertThat(s.getSubject().getKey()).isEqualTo("5f1c2a3b4d5e4f60a1b2c3d4e5f60718");
    assertThat(s.getSubject().getScope()).isEqualTo("aws:444455556666");
    assertThat(s.getObject().getKey()).isEqualTo(taskArn);
    assertThat(s.getValidFrom()).isEqualTo(java.time.Instant.parse("2026-11-21T09:58:20Z"));
    assertThat(s.getValidTo()).as("credentials outlive the task").isNull();
    assertThat(s.getConfidence()).isEqualTo(0.8f);
    assertThat(s.getAttributes()).containsEntry("task_uid", taskArn).containsEntry("eni_uid", "eni-0e1c5a11aa0000001")
        .containsEntry("ecs_cluster", "shop-prod").containsEntry("account_uid", "444455556666")
        .as("an ECS cluster is no Kubernetes cluster").doesNotContainKey("cluster");
    assertThat(kind(bs, BindingKind.ENI_TASK).getAttributes()).containsEntry("ecs_cluster", "shop-prod")
        .doesNotContainKey("cluster");
    assertThat(kind(bs, BindingKind.IP_TASK).getAttributes()).doesNotContainKey("cluster");
    assertThat(LookupKeys.of(kind(bs, BindingKind.IP_TASK))).as("one scope for both ECS sources, so the stop closes it")
        .containsExactly("ip|aws:444455556666|10.20.1.37");
    assertThat(kind(bs, BindingKind.IP_TASK).getAttributes()).containsEntry("vpc_uid", "vpc-0e1c5a110000a0001");

    // a call made with the task role's credentials asks exactly the key the task's session binding is held under
    EvidenceEvent call = CorrelationScenario.flow("ct-1", "444455556666", null, null, null, null, null,
        "2026-11-21T10:31:00Z");
    call.setSourceFormat("aws_cloudtrail");
    call.setActor(dev.strata.schema.event.Actor.newBuilder()
        .setUserUid("arn:aws:sts::444455556666:assumed-role/storefront-task-role/5f1c2a3b4d5e4f60a1b2c3d4e5f60718")
        .build());
    assertThat(LookupKeys.probes(1, call, EnrichmentMerger.base(call))).contains(LookupKeys.of(s).get(0));
    // the old task ARN format (task/<uuid>), and sessions that are no task's
    assertThat(LookupKeys.ecsTaskId("arn:aws:ecs:us-east-1:653711331788:task/d190d14a-2404-45d6-9113-4eda22d7f2c7"))
        .isEqualTo("d190d14a-2404-45d6-9113-4eda22d7f2c7");
    assertThat(LookupKeys.taskSession("arn:aws:sts::653711331788:assumed-role/level3/d190d14a-2404-45d6-9113-4eda22d7f2c7"))
        .isEqualTo("session|aws:653711331788|d190d14a-2404-45d6-9113-4eda22d7f2c7");
    assertThat(LookupKeys.taskSession("arn:aws:sts::111122223333:assumed-role/eks-node-role/i-0a1b2c3d4e5f60718")).isNull();
    assertThat(LookupKeys.taskSession("arn:aws:sts::111122223333:assumed-role/admin/alice")).isNull();
    assertThat(LookupKeys.taskSession("arn:aws:iam::111122223333:user/5f1c2a3b4d5e4f60a1b2c3d4e5f60718")).isNull();
    // a v7 flow record names the task: the same session key (see aVpcFlowV7RecordBinds...), one fact with the
    // metadata's (same object, open)
    EvidenceEvent flow = CorrelationScenario.flow("ecs-flow-2", "444455556666", "vpc-0e1c5a11", "eni-0e1c5a11aa0000001",
        null, "10.20.1.37", "198.51.100.77", "2026-11-21T10:07:00Z");
    flow.getCloud().setTaskUid(taskArn);
    assertThat(of(flow)).extracting(EntityBinding::getKind).containsExactlyInAnyOrder("eni_task", "session_task");
    assertThat(LookupKeys.of(kind(of(flow), BindingKind.SESSION_TASK))).isEqualTo(LookupKeys.of(s));
  }

  @Test
  void aTaskDefinitionStatesItsRolesForTheTasksOfItsRevision() {
    String def = "arn:aws:ecs:eu-west-1:444455556666:task-definition/storefront:7";
    String taskRole = "arn:aws:iam::444455556666:role/storefront-task-role";
    String execRole = "arn:aws:iam::444455556666:role/ecsTaskExecutionRole";
    // describe-task-definition (the parser's task_definition event)
    EvidenceEvent d = CorrelationScenario.flow("td-1", "444455556666", null, null, null, null, null,
        "2026-10-02T08:00:00Z");
    d.setSourceFormat("aws_ecs_task_metadata");
    d.setActivityName("task_definition");
    d.setSrcEndpoint(null);
    d.setDstEndpoint(null);
    d.setEcs(dev.strata.schema.event.Ecs.newBuilder().setTaskDefinition("storefront:7").setTaskRoleArn(taskRole)
        .setExecutionRoleArn(execRole).build());
    d.getUnmapped().put("task_definition_arn", def);
    EntityBinding b = kind(of(d), BindingKind.TASKDEFINITION_ROLES);
    assertThat(LookupKeys.of(b)).containsExactly("taskdef||" + def);
    assertThat(b.getObject().getKey()).isEqualTo(execRole);
    assertThat(b.getValidFrom()).as("a revision's roles never change").isEqualTo(Instant.EPOCH);
    assertThat(b.getAttributes()).containsEntry("ecs_task_role", taskRole).containsEntry("ecs_execution_role", execRole)
        .containsEntry("ecs_task_definition", "storefront:7");
    // CloudTrail RegisterTaskDefinition: the same fact from the response's task definition
    EvidenceEvent reg = CorrelationScenario.flow("ct-reg", "444455556666", null, null, null, null, null,
        "2026-10-02T07:59:58Z");
    reg.setSourceFormat("aws_cloudtrail");
    reg.setApi(dev.strata.schema.event.Api.newBuilder().setOperation("RegisterTaskDefinition").build());
    reg.getUnmapped().put("responseElements", "{\"taskDefinition\":{\"taskDefinitionArn\":\"" + def
        + "\",\"family\":\"storefront\",\"revision\":7,\"taskRoleArn\":\"" + taskRole
        + "\",\"executionRoleArn\":\"" + execRole + "\"}}");
    EntityBinding r = kind(of(reg), BindingKind.TASKDEFINITION_ROLES);
    assertThat(LookupKeys.of(r)).isEqualTo(LookupKeys.of(b));
    assertThat(r.getAttributes()).isEqualTo(b.getAttributes());
    // a task's event whose definition is known asks the definition at hop 2 (its ARN from the task's region and
    // account), unless its roles are known already (a run's overrides)
    dev.strata.schema.event.Enrichment known = dev.strata.schema.event.Enrichment.newBuilder()
        .setTaskUid("arn:aws:ecs:eu-west-1:444455556666:task/shop-prod/5f1c2a3b4d5e4f60a1b2c3d4e5f60718")
        .setEcsTaskDefinition("storefront:7").build();
    assertThat(LookupKeys.probes(2, known, List.of())).contains("taskdef||" + def);
    known.setEcsExecutionRole(execRole);
    assertThat(LookupKeys.probes(2, known, List.of())).as("the role's usage named one: the definition names the other")
        .contains("taskdef||" + def);
    known.setEcsTaskRole(taskRole);
    assertThat(LookupKeys.probes(2, known, List.of())).doesNotContain("taskdef||" + def);
    assertThat(RouteBindings.TYPES_BY_HOP.get(1)).as("hop 2 holds the definitions").contains("taskdef");
  }

  @Test
  void bindingIdsAreDeterministic() {
    assertThat(new BindingExtractor().extract(S.prodAudit.get(1)))
        .isEqualTo(new BindingExtractor().extract(S.prodAudit.get(1)));
    assertThat(of(S.prodAudit.get(1)).stream().map(EntityBinding::getBindingId).distinct()).hasSize(6);
  }

  @Test
  void privateAddressesOnly() {
    assertThat(LookupKeys.isPrivateIp("10.1.2.3")).isTrue();
    assertThat(LookupKeys.isPrivateIp("172.16.0.1")).isTrue();
    assertThat(LookupKeys.isPrivateIp("172.32.0.1")).isFalse();
    assertThat(LookupKeys.isPrivateIp("192.168.9.9")).isTrue();
    assertThat(LookupKeys.isPrivateIp("100.64.0.1")).isTrue();
    assertThat(LookupKeys.isPrivateIp("8.8.8.8")).isFalse();
    assertThat(LookupKeys.isPrivateIp("fd00::1")).isTrue();
    assertThat(LookupKeys.isPrivateIp("2001:db8::1")).isFalse();
    assertThat(LookupKeys.container("docker://" + C1.toUpperCase())).isEqualTo("container||" + C1);
    assertThat(LookupKeys.container(C1.substring(0, 12))).isEqualTo("container12||" + C1.substring(0, 12));
    // Fargate's runtime id (<task id>-<n>, describe-tasks runtimeId / v7 ecs-container-id): its own key, since its
    // first 12 characters are the task's, shared by the task's containers
    String fargate = "0c0ffee0c0ffee0c0ffee0c0ffee0c0f-1190384756";
    assertThat(LookupKeys.container(fargate)).isEqualTo("container||" + fargate);
    EvidenceEvent c = CorrelationScenario.flow("fargate-c", "777788889999", null, null, null, "10.20.1.37", null,
        "2026-11-21T09:50:03Z");
    c.setSourceFormat("aws_ecs_task_metadata");
    c.setActivityName("container");
    c.setDstEndpoint(null);
    c.getCloud().setTaskUid("arn:aws:ecs:eu-west-1:777788889999:task/batch/0c0ffee0c0ffee0c0ffee0c0ffee0c0f");
    c.setContainer(dev.strata.schema.event.Container.newBuilder().setUid(fargate).setName("etl").build());
    assertThat(LookupKeys.of(kind(of(c), BindingKind.CONTAINER_TASK))).containsExactly("container||" + fargate);
  }

  /**
   * An SBOM or scan names the image by manifest digest and image id; a Docker container's own state names only the
   * id: the SBOM is bound under both, so that either lookup finds it.
   */
  @Test
  void anSbomThatNamesDigestAndImageIdIsFoundByEither() {
    String id = "sha256:" + "3".repeat(64);
    String digest = "sha256:" + "4".repeat(64);
    EvidenceEvent pkg = new EvidenceEvent();
    pkg.setEventId("e".repeat(64));
    pkg.setClassUid(5001);
    pkg.setSourceFormat("syft_sbom");
    pkg.setTime(Instant.parse("2026-11-20T10:00:00Z"));
    pkg.setResources(new java.util.ArrayList<>());
    pkg.setUnmapped(new java.util.HashMap<>());
    pkg.setLineage(new dev.strata.schema.event.Lineage("a".repeat(64), "sboms/web.syft.json", "syft_sbom", 0, 10L,
        100L, 1L, 0L, null, null));
    pkg.setContainer(new dev.strata.schema.event.Container(null, null, "shop/web:1.4", id, null, digest));
    pkg.setPackage$(new dev.strata.schema.event.Package("openssl", "3.0.13", "deb", null, new java.util.ArrayList<>(),
        new java.util.ArrayList<>(), null, null));
    List<EntityBinding> bs = of(pkg).stream().filter(b -> b.getKind().equals("image_sbom")).toList();
    assertThat(bs).extracting(b -> b.getSubject().getKey()).containsExactly(digest, id);
    assertThat(bs).allSatisfy(b -> assertThat(b.getObject().getKey()).isEqualTo("a".repeat(64)));
    // a container known by its image id only looks up the key the second binding is stored under
    assertThat(LookupKeys.of(bs.get(1))).containsExactly("image||" + id);
  }

  /**
   * A plain Docker host's container (no pod, no ECS task): the host its evidence was found on, and the host's instance
   * as the context manifest names it (cloud_instance): the report's graph draws container -> host -> instance
   * (HostIncidentScenarioIT). A pod's container states its pod, not the host.
   */
  @Test
  void aPlainHostsContainerRunsOnItsHostAndTheHostIsItsInstance() {
    EvidenceEvent e = new EvidenceEvent();
    e.setEventId("e1");
    e.setTime(java.time.Instant.parse("2026-11-23T09:10:02Z"));
    e.setSourceFormat("docker_json_log");
    e.setUnmapped(new java.util.HashMap<>());
    e.setLineage(dev.strata.schema.event.Lineage.newBuilder().setArtifactSha256("a".repeat(64)).setOrigin("x")
        .setSourceType("docker_json_log").setChunkIndex(0).setByteOffset(0L).setByteLength(1L).build());
    e.setContainer(dev.strata.schema.event.Container.newBuilder().setUid("aac91a70752" + "8".repeat(53)).build());
    e.setDevice(dev.strata.schema.event.Device.newBuilder().setHostname("ip-10-30-1-15.ec2.internal")
        .setInstanceUid("i-0abc1234def567890").build());
    List<EntityBinding> bs = of(e);
    EntityBinding host = kind(bs, BindingKind.CONTAINER_HOST);
    assertThat(host.getSubject().getKey()).isEqualTo("aac91a70752" + "8".repeat(53));
    assertThat(host.getObject().getKey()).isEqualTo("ip-10-30-1-15.ec2.internal");
    EntityBinding instance = kind(bs, BindingKind.HOST_INSTANCE);
    assertThat(instance.getSubject().getKey()).isEqualTo("ip-10-30-1-15.ec2.internal");
    assertThat(instance.getObject().getKey()).isEqualTo("i-0abc1234def567890");
    assertThat(BindingKind.CONTAINER_HOST.lookup()).as("a fact for the graph, no lookup").isFalse();

    e.setKubernetes(dev.strata.schema.event.Kubernetes.newBuilder().setCluster("prod").setNamespace("shop")
        .setPodName("web-1").build());
    assertThat(of(e)).extracting(EntityBinding::getKind).contains("container_pod").doesNotContain("container_host");
  }
  /**
   * A Kubernetes node's own files (the context manifest names the host's cluster and cloud_instance) state the node's
   * instance (node_instance, 0.9: the host name taken for the node's name), so what finds the node through a pod or
   * its address names the instance (hop 3). Once per (cluster, host, instance), again only from an earlier time: every
   * event of the node's files would restate it.
   */
  @Test
  void aNodesFilesUnderItsContextStateItsInstanceOnceFromTheEarliestTime() {
    List<EvidenceEvent> alerts = CorrelationScenario.parseOnInstance("falco_alert", "falco.log", "prod",
        CorrelationScenario.ACCOUNT_PROD, CorrelationScenario.INSTANCE);
    EvidenceEvent alert = alerts.get(0);
    EntityBinding n = kind(of(alert), BindingKind.NODE_INSTANCE);
    assertThat(n.getSubject().getScope() + "|" + n.getSubject().getKey() + " -> " + n.getObject().getKey())
        .isEqualTo("k8s:prod|" + CorrelationScenario.NODE + " -> " + CorrelationScenario.INSTANCE);
    assertThat(n.getConfidence()).isEqualTo(0.9f);
    assertThat(n.getValidFrom()).isEqualTo(alert.getTime());
    assertThat(n.getAttributes()).containsEntry("cluster", "prod").containsEntry("node_name", CorrelationScenario.NODE)
        .containsEntry("instance_uid", CorrelationScenario.INSTANCE).containsEntry("account_uid", "111111111111");
    assertThat(LookupKeys.of(n)).containsExactly("node|k8s:prod|ip-10-0-1-10", "instance||" + CorrelationScenario.INSTANCE);
    assertThat(of(alert)).as("restated at the same time: nothing new")
        .extracting(EntityBinding::getKind).doesNotContain("node_instance").contains("host_instance");
    EvidenceEvent earlier = EvidenceEvent.newBuilder(alert).setTime(alert.getTime().minusSeconds(60)).build();
    assertThat(kind(of(earlier), BindingKind.NODE_INSTANCE).getValidFrom()).as("an earlier start moves it back")
        .isEqualTo(earlier.getTime());
    // a plain host (no cluster in its context) is no node: host_instance only, for the graph
    EvidenceEvent plain = EvidenceEvent.newBuilder(alert).setKubernetes(null).build();
    assertThat(new BindingExtractor().extract(plain)).extracting(EntityBinding::getKind).contains("host_instance")
        .doesNotContain("node_instance");
  }
  /** A Node of {@code kubectl get nodes -o json} (k8s_node) states what an audit record's Node does, from its registration. */
  @Test
  void aNodeSnapshotStatesItsInstanceAndAddress() {
    EvidenceEvent e = new EvidenceEvent();
    e.setEventId("n1");
    e.setTime(Instant.parse("2026-11-24T06:12:09Z"));
    e.setSourceFormat("k8s_node");
    e.setUnmapped(new java.util.HashMap<>(java.util.Map.of("k8s.object", "{\"kind\":\"Node\",\"metadata\":{\"name\":"
        + "\"ip-10-40-3-17\"},\"spec\":{\"providerID\":\"aws:///eu-central-1a/i-0a9b8c7d6e5f40312\"},\"status\":"
        + "{\"addresses\":[{\"address\":\"10.40.3.17\",\"type\":\"InternalIP\"}]}}")));
    e.setLineage(dev.strata.schema.event.Lineage.newBuilder().setArtifactSha256("a".repeat(64)).setOrigin("x")
        .setSourceType("k8s_node").setChunkIndex(0).setByteOffset(0L).setByteLength(1L).build());
    e.setKubernetes(dev.strata.schema.event.Kubernetes.newBuilder().setCluster("ml-kubeadm").setNodeName("ip-10-40-3-17")
        .build());
    e.setCloud(dev.strata.schema.event.Cloud.newBuilder().setProvider("aws").setAccountUid("314159265358").build());
    List<EntityBinding> bs = of(e);
    assertThat(bs).extracting(EntityBinding::getKind).containsExactlyInAnyOrder("node_instance", "ip_node");
    EntityBinding n = kind(bs, BindingKind.NODE_INSTANCE);
    assertThat(LookupKeys.of(n)).containsExactly("node|k8s:ml-kubeadm|ip-10-40-3-17", "instance||i-0a9b8c7d6e5f40312");
    assertThat(n.getValidFrom()).isEqualTo(e.getTime());
    assertThat(kind(bs, BindingKind.IP_NODE).getAttributes()).containsEntry("instance_uid", "i-0a9b8c7d6e5f40312");
  }
  /**
   * CloudTrail RunInstances (EC2 API reference, RunningInstancesItemType): the launched instance's network interfaces
   * are its ENIs (a v2 flow of them then names the instance), and a launch tagged with its Kubernetes cluster
   * (kubernetes.io/cluster/<name>: EKS node groups, Karpenter) names the node after its private DNS name (0.8).
   */
  @Test
  void aRunInstancesResponseStatesTheInstancesEnisAndTaggedNode() {
    EvidenceEvent e = CorrelationScenario.flow("run-instances", "271828182845", null, null, null, "10.72.0.9",
        "10.72.0.1", "2026-11-21T07:55:02Z");
    e.setSourceFormat("aws_cloudtrail");
    e.setNetwork(null);
    e.setApi(dev.strata.schema.event.Api.newBuilder().setService("ec2.amazonaws.com").setOperation("RunInstances").build());
    java.util.Map<String, String> u = new java.util.HashMap<>();
    u.put("requestParameters", "{\"instancesSet\":{\"items\":[{\"minCount\":1,\"maxCount\":1}]},\"tagSpecificationSet\":"
        + "{\"items\":[{\"resourceType\":\"instance\",\"tags\":[{\"key\":\"eks:cluster-name\",\"value\":\"data-eks\"},"
        + "{\"key\":\"kubernetes.io/cluster/data-eks\",\"value\":\"owned\"}]}]}}");
    u.put("responseElements", "{\"instancesSet\":{\"items\":[{\"instanceId\":\"i-0d4c3b2a1f0e9d8c7\",\"vpcId\":"
        + "\"vpc-0a1b\",\"privateDnsName\":\"ip-10-72-14-203.us-west-2.compute.internal\",\"privateIpAddress\":"
        + "\"10.72.14.203\",\"networkInterfaceSet\":{\"items\":[{\"networkInterfaceId\":\"eni-0f1e2d3c4b5a69788\","
        + "\"privateIpAddress\":\"10.72.14.203\"}]}}]}}");
    e.setUnmapped(u);
    List<EntityBinding> bs = of(e);
    assertThat(bs).extracting(EntityBinding::getKind).containsExactlyInAnyOrder("eni_instance", "node_instance");
    EntityBinding eni = kind(bs, BindingKind.ENI_INSTANCE);
    assertThat(eni.getSubject().getKey() + " -> " + eni.getObject().getKey())
        .isEqualTo("eni-0f1e2d3c4b5a69788 -> i-0d4c3b2a1f0e9d8c7");
    EntityBinding n = kind(bs, BindingKind.NODE_INSTANCE);
    assertThat(LookupKeys.of(n)).containsExactly("node|k8s:data-eks|ip-10-72-14-203", "instance||i-0d4c3b2a1f0e9d8c7");
    assertThat(n.getConfidence()).isEqualTo(0.8f);
    assertThat(n.getValidFrom()).isEqualTo(e.getTime());
    // untagged (a plain EC2 host): its ENIs only; a failed call: nothing
    u.put("requestParameters", "{\"instancesSet\":{\"items\":[{\"minCount\":1,\"maxCount\":1}]}}");
    assertThat(of(e)).extracting(EntityBinding::getKind).containsExactly("eni_instance");
    e.setStatus("Failure");
    assertThat(of(e)).isEmpty();
  }
}
