package dev.strata.job.incident;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.schema.correlate.AttackStage;
import dev.strata.schema.correlate.AttackStep;
import dev.strata.schema.correlate.Incident;
import dev.strata.schema.correlate.TimelineRow;
import dev.strata.schema.event.Endpoint;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.event.Kubernetes;
import dev.strata.schema.event.Network;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The entry of an exposed app ({@link EntryFlows}): the accepted flow from a public address to the pod nearest before
 * its first execution / credential access signal becomes the incident's entry row; the flows alone open nothing.
 * Synthetic flow records after FirehoseVpcCniScenarioIT's shape (default-format VPC flow records, the pod named by
 * the correlation job's enrichment: set here), with a Falco alert of the pod as its first signal.
 */
class EntryFlowsTest {
  static final Instant RCE = Instant.parse("2026-11-24T09:10:03Z");
  static final String POD = "invoice-render-7c9d5b8f6-q2w4e";

  static EvidenceEvent flow(String id, Instant t, String src, int dport) {
    EvidenceEvent e = IncidentGrouperTest.base(id, t, "aws_vpc_flow");
    e.setClassUid(4001);
    e.setClassName("Network Activity");
    e.setSrcEndpoint(Endpoint.newBuilder().setIp(src).setPort(51240).build());
    e.setDstEndpoint(Endpoint.newBuilder().setIp("10.93.12.77").setPort(dport).build());
    e.setNetwork(Network.newBuilder().setProtocol("tcp").setAction("Allowed").build());
    e.setKubernetes(Kubernetes.newBuilder().setCluster("prod").setNamespace("shop").setPodName(POD).build());
    return e;
  }

  static EvidenceEvent alert(String id, Instant t) {
    return IncidentGrouperTest.falco(id, t, "ip-10-93-12-40", "c0ffee00c0ffee00", POD);
  }

  static Incident only(List<Incident> incs) {
    assertThat(incs).hasSize(1);
    return incs.get(0);
  }

  static TimelineRow row(Incident inc, String id) {
    return inc.getTimeline().stream().filter(r -> r.getEventId().equals(id)).findFirst().orElse(null);
  }

  @Test
  void theNearestPublicFlowBeforeThePodsFirstSignalIsTheEntryRow() throws Exception {
    List<EvidenceEvent> events = List.of(
        flow("scan", RCE.minusSeconds(600), "198.51.100.9", 8080), // an earlier visitor: not the nearest
        flow("rce", RCE, "198.51.100.203", 8080),
        flow("lb", RCE.plusSeconds(30), "10.93.1.5", 8080), // the load balancer's health check: private
        alert("shell", RCE.plusSeconds(240)));
    Random r = new Random(3);
    for (int i = 0; i < 10; i++) {
      List<EvidenceEvent> order = new ArrayList<>(events);
      Collections.shuffle(order, r);
      Incident inc = only(IncidentEngine.incidentsOf(order, IncidentSettings.defaults()));
      AttackStep entry = inc.getAttackPath().get(0);
      assertThat(entry.getStage()).isEqualTo(AttackStage.ENTRY);
      assertThat(entry.getEventIds()).containsExactly("rce");
      assertThat(inc.getFirstSeen()).isEqualTo(RCE);
      TimelineRow rce = row(inc, "rce");
      assertThat(rce.getSignal()).isTrue();
      assertThat(rce.getSummary()).contains("(entry: the nearest inbound connection from a public address before the"
          + " pod's first execution / credential access signal at 2026-11-24T09:14:03Z, event shell)");
      assertThat(rce.getArtifactSha256()).as("lineage").isNotBlank();
      assertThat(row(inc, "scan").getSignal()).isFalse();
      assertThat(inc.getTitle()).startsWith("Pod shop/" + POD + ": entry, execution");
    }
  }

  @Test
  void flowsAloneOpenNothingAndTheBoundIsASetting() throws Exception {
    List<EvidenceEvent> flows = List.of(flow("rce", RCE, "198.51.100.203", 8080));
    EntityKeys.Extraction x = EntityKeys.extract(flows.get(0));
    assertThat(EntryFlows.key(flows.get(0), x)).as(x.entities().toString())
        .isEqualTo("flow|shop/" + POD + "|198.51.100.203|8080");
    assertThat(IncidentEngine.incidentsOf(flows, IncidentSettings.defaults())).isEmpty();
    // the first signal 20 min later: beyond the default 10 min, no entry; with a 30 min bound, the entry
    List<EvidenceEvent> late = List.of(flow("rce", RCE, "198.51.100.203", 8080), alert("shell", RCE.plusSeconds(1200)));
    Incident inc = only(IncidentEngine.incidentsOf(late, IncidentSettings.defaults()));
    assertThat(inc.getAttackPath()).extracting(AttackStep::getStage).doesNotContain(AttackStage.ENTRY);
    assertThat(row(inc, "rce").getSignal()).isFalse();
    inc = only(IncidentEngine.incidentsOf(late, IncidentSettings.defaults().withEntryFlowBound(Duration.ofMinutes(30))));
    assertThat(inc.getAttackPath().get(0).getEventIds()).containsExactly("rce");
  }

  @Test
  void notFromTheOrganisationsRangesNorAfterThePodWasTaken() throws Exception {
    List<EvidenceEvent> events = List.of(flow("rce", RCE, "198.51.100.203", 8080), alert("shell", RCE.plusSeconds(60)));
    Incident inc = only(IncidentEngine.incidentsOf(events,
        IncidentSettings.defaults().withKnownCidrs(List.of("198.51.100.0/24"))));
    assertThat(inc.getAttackPath()).as(inc.getAttackPath() + " " + inc.getTimeline()).extracting(AttackStep::getStage)
        .doesNotContain(AttackStage.ENTRY);
    // a signal of the pod before the flow: the pod was already taken, the flow is no entry of it
    List<EvidenceEvent> after = List.of(alert("first", RCE.minusSeconds(120)), flow("rce", RCE, "198.51.100.203", 8080),
        alert("shell", RCE.plusSeconds(60)));
    inc = only(IncidentEngine.incidentsOf(after, IncidentSettings.defaults()));
    assertThat(inc.getAttackPath()).extracting(AttackStep::getStage).doesNotContain(AttackStage.ENTRY);
    // the reply of the pod's own download (the server's port 80 -> the pod's ephemeral port, logged inbound) is none
    EvidenceEvent reply = flow("reply", RCE, "198.51.100.143", 43512);
    reply.getSrcEndpoint().setPort(80);
    inc = only(IncidentEngine.incidentsOf(List.of(reply, alert("shell", RCE.plusSeconds(60))), IncidentSettings.defaults()));
    assertThat(inc.getAttackPath()).extracting(AttackStep::getStage).doesNotContain(AttackStage.ENTRY);
    // a refused connection or the pod's own outbound one is none either
    EvidenceEvent refused = flow("rce", RCE, "198.51.100.203", 8080);
    refused.getNetwork().setAction("Blocked");
    inc = only(IncidentEngine.incidentsOf(List.of(refused, alert("shell", RCE.plusSeconds(60))), IncidentSettings.defaults()));
    assertThat(inc.getAttackPath()).extracting(AttackStep::getStage).doesNotContain(AttackStage.ENTRY);
  }

  /** Streaming: decided once the watermark passed the flow's bound, kept when a copy of the flow comes again. */
  @Test
  void decidedAtTheWatermarkAndKeptForACopy() throws Exception {
    IncidentEngine engine = new IncidentEngine(IncidentSettings.defaults());
    InMemoryTenantStore store = new InMemoryTenantStore();
    EvidenceEvent f = flow("rce", RCE, "198.51.100.203", 8080);
    String tenant = EntityKeys.tenant(f);
    engine.accept(store, f);
    engine.accept(store, alert("shell", RCE.plusSeconds(60)));
    engine.flush(store, tenant, RCE.plusSeconds(300).toEpochMilli() * 1000);
    assertThat(store.member("rce").signal()).as("not due before flow + bound").isFalse();
    engine.flush(store, tenant, RCE.plusSeconds(601).toEpochMilli() * 1000);
    assertThat(store.member("rce").signal()).isTrue();
    assertThat(store.member("rce").execKey()).startsWith("flow-entry|");
    engine.accept(store, flow("rce", RCE, "198.51.100.203", 8080));
    assertThat(store.member("rce").signal()).as("a copy keeps the decision").isTrue();
  }

  static final String NODE = "ip-10-93-12-40";

  /** A flow to the node's own address (the correlation job names the node, no pod: CrioKubeadmScenarioIT's NodePort). */
  static EvidenceEvent nodeFlow(String id, Instant t, String src, int dport) {
    EvidenceEvent e = flow(id, t, src, dport);
    e.setDstEndpoint(Endpoint.newBuilder().setIp("10.93.12.40").setPort(dport).build());
    e.setKubernetes(Kubernetes.newBuilder().setCluster("prod").setNodeName(NODE).build());
    return e;
  }

  /**
   * No record names the Service behind a NodePort: the nearest NodePort flow from a public address to the node before
   * the first execution signal of a pod on it is that pod's entry, said as weaker, and joins its incident through the
   * pod; an earlier visitor, a port outside the NodePort range and a NodePort flow after the signal are not.
   */
  @Test
  void theNearestNodePortFlowToThePodsNodeIsAWeakerEntry() throws Exception {
    List<EvidenceEvent> events = List.of(
        nodeFlow("visitor", RCE.minusSeconds(300), "198.51.100.9", 30888),
        nodeFlow("ssh", RCE.plusSeconds(10), "198.51.100.203", 22),
        nodeFlow("nodeport", RCE, "198.51.100.203", 30888),
        nodeFlow("after", RCE.plusSeconds(300), "198.51.100.203", 30888),
        alert("shell", RCE.plusSeconds(240)));
    Random r = new Random(5);
    for (int i = 0; i < 10; i++) {
      List<EvidenceEvent> order = new ArrayList<>(events);
      Collections.shuffle(order, r);
      Incident inc = only(IncidentEngine.incidentsOf(order, IncidentSettings.defaults()));
      AttackStep entry = inc.getAttackPath().get(0);
      assertThat(entry.getStage()).isEqualTo(AttackStage.ENTRY);
      assertThat(entry.getEventIds()).containsExactly("nodeport");
      TimelineRow row = row(inc, "nodeport");
      assertThat(row.getSummary()).contains("(entry, weaker: the nearest inbound connection from a public address to a"
          + " NodePort of node " + NODE + ", where shop/" + POD + " runs, before the pod's first execution / credential"
          + " access signal at 2026-11-24T09:14:03Z, event shell; no evidence names the Service behind the port)");
      assertThat(inc.getTitle()).startsWith("Pod shop/" + POD + ": entry, execution");
      for (String other : List.of("visitor", "ssh", "after")) {
        TimelineRow o = row(inc, other);
        if (o != null) assertThat(o.getSignal()).as(other).isFalse();
      }
    }
    // a flow to the pod's own address before the same signal is the stronger evidence: the entry is that one
    List<EvidenceEvent> both = new ArrayList<>(events);
    both.add(flow("direct", RCE.plusSeconds(20), "198.51.100.203", 8080));
    Incident inc = only(IncidentEngine.incidentsOf(both, IncidentSettings.defaults()));
    assertThat(inc.getAttackPath().get(0).getEventIds()).containsExactly("direct");
    assertThat(row(inc, "nodeport") == null || !row(inc, "nodeport").getSignal()).isTrue();
    // NodePort flows alone open nothing
    assertThat(IncidentEngine.incidentsOf(events.subList(0, 4), IncidentSettings.defaults())).isEmpty();
  }

  /** {@code kubectl get svc -A -o json}'s Service as the k8s_service parser keeps it. */
  static EvidenceEvent serviceSnapshot(String id, String name, String nodePorts, String selector) {
    EvidenceEvent e = IncidentGrouperTest.base(id, RCE.minusSeconds(86_400), "k8s_service");
    e.setClassUid(5001);
    e.setKubernetes(Kubernetes.newBuilder().setCluster("prod").setNamespace("shop").build());
    e.getResources().add(new dev.strata.schema.event.Resource("Service", name, null, "shop", null, null));
    e.getUnmapped().put("k8s.service.node_ports", nodePorts);
    e.getUnmapped().put("k8s.service.selector", selector);
    return e;
  }

  /** {@code kubectl get pods -A -o json}'s Pod as the k8s_pod parser keeps it (its labels in the object). */
  static EvidenceEvent podSnapshot(String id, String pod, String node, String labelsJson) {
    EvidenceEvent e = IncidentGrouperTest.base(id, RCE.minusSeconds(7_200), "k8s_pod");
    e.setClassUid(5001);
    e.setKubernetes(Kubernetes.newBuilder().setCluster("prod").setNamespace("shop").setPodName(pod).setNodeName(node)
        .build());
    e.getResources().add(new dev.strata.schema.event.Resource("Pod", pod, null, "shop", null, null));
    e.getUnmapped().put("k8s.object", "{\"kind\":\"Pod\",\"metadata\":{\"name\":\"" + pod + "\",\"namespace\":\"shop\","
        + "\"labels\":" + labelsJson + "},\"spec\":{\"nodeName\":\"" + node + "\"}}");
    return e;
  }

  /** An audit record (RequestResponse level) writing a Service or a Pod, its body in responseObject. */
  static EvidenceEvent auditWrite(String id, String resource, String name, String body) {
    EvidenceEvent e = IncidentGrouperTest.base(id, RCE.minusSeconds(3_600), "k8s_audit");
    e.setClassUid(6003);
    e.setKubernetes(Kubernetes.newBuilder().setCluster("prod").setNamespace("shop").build());
    e.setActor(dev.strata.schema.event.Actor.newBuilder().setUserName("system:serviceaccount:argocd:argocd-application-controller")
        .build());
    e.setApi(dev.strata.schema.event.Api.newBuilder().setOperation("create").setResponseCode(201).build());
    e.getResources().add(new dev.strata.schema.event.Resource(resource, name, null, "shop", null, null));
    e.getUnmapped().put("responseObject", body);
    return e;
  }

  static final String OTHER_NODE = "ip-10-93-12-41";

  /**
   * A Service the evidence names ({@code kubectl get svc} or its audit record's body) says which pods a NodePort
   * reaches: the flow to the node's 30888 is the entry of the pod of its selector whose first execution signal comes
   * first after it, on another node (kube-proxy forwards), not of the node's own pod taken a minute later (the weaker
   * guess without the Service), and the row names the Service (not weaker).
   */
  @Test
  void aServiceNamingTheNodePortLeadsTheEntryToThePodOfItsSelector() throws Exception {
    EvidenceEvent shell = IncidentGrouperTest.falco("shell", RCE.plusSeconds(240), OTHER_NODE, "c0ffee00c0ffee00", POD);
    EvidenceEvent cron = IncidentGrouperTest.falco("cron", RCE.plusSeconds(60), NODE, "beef0000beef0000", "cron-28810");
    List<EvidenceEvent> base = List.of(nodeFlow("nodeport", RCE, "198.51.100.203", 30888), shell, cron);
    // without the Service: the node's own pod with the first signal after the flow is guessed (weaker)
    List<Incident> guessed = IncidentEngine.incidentsOf(base, IncidentSettings.defaults());
    Incident cronInc = guessed.stream().filter(i -> i.getTitle().contains("cron-28810")).findFirst().orElseThrow();
    assertThat(cronInc.getAttackPath().get(0).getEventIds()).containsExactly("nodeport");
    List<List<EvidenceEvent>> named = List.of(
        List.of(serviceSnapshot("svc", "invoice", "30888/TCP->8080", "app=invoice"),
            podSnapshot("p1", POD, OTHER_NODE, "{\"app\":\"invoice\",\"pod-template-hash\":\"7c9d5b8f6\"}"),
            podSnapshot("p2", "cron-28810", NODE, "{\"app\":\"cron\"}")),
        List.of(auditWrite("svc", "services", "invoice", "{\"kind\":\"Service\",\"metadata\":{\"name\":\"invoice\","
                + "\"namespace\":\"shop\"},\"spec\":{\"type\":\"NodePort\",\"selector\":{\"app\":\"invoice\"},\"ports\":"
                + "[{\"port\":80,\"targetPort\":8080,\"nodePort\":30888,\"protocol\":\"TCP\"}]}}"),
            auditWrite("p1", "pods", POD, "{\"kind\":\"Pod\",\"metadata\":{\"name\":\"" + POD + "\",\"namespace\":"
                + "\"shop\",\"labels\":{\"app\":\"invoice\"}},\"spec\":{}}")));
    Random r = new Random(9);
    for (List<EvidenceEvent> objects : named) {
      for (int i = 0; i < 5; i++) {
        List<EvidenceEvent> order = new ArrayList<>(base);
        order.addAll(objects);
        Collections.shuffle(order, r);
        List<Incident> incs = IncidentEngine.incidentsOf(order, IncidentSettings.defaults());
        Incident inc = incs.stream().filter(x -> x.getTitle().contains(POD)).findFirst().orElseThrow();
        assertThat(inc.getAttackPath().get(0).getEventIds()).as(objects.get(0).getSourceFormat()).containsExactly("nodeport");
        assertThat(row(inc, "nodeport").getSummary()).contains("(entry: the nearest inbound connection from a public"
            + " address to NodePort 30888 of node " + NODE + ", which Service shop/invoice (selector app=invoice) forwards"
            + " to its pods, shop/" + POD + " among them, before the pod's first execution / credential access signal at"
            + " 2026-11-24T09:14:03Z, event shell)");
        Incident other = incs.stream().filter(x -> x.getTitle().contains("cron-28810")).findFirst().orElseThrow();
        assertThat(other.getAttackPath().get(0).getStage()).as("the node's own pod gets no entry")
            .isNotEqualTo(AttackStage.ENTRY);
      }
    }
  }

  static final String HOST_INSTANCE = "i-0abc1234def567890";
  static final String WEB = "aac91a707528" + "0a03cd36c035690f3dc97b5ad2fa12b33f80ad3991c9fed5333a";

  static dev.strata.schema.event.Cloud hostCloud() {
    return dev.strata.schema.event.Cloud.newBuilder().setProvider("aws").setAccountUid("333333333333")
        .setRegion("us-east-1").setInstanceUid(HOST_INSTANCE).build();
  }

  /** A flow record to a Docker host's own address (v3: its instance id), no pod, no node. */
  static EvidenceEvent hostFlow(String id, Instant t, String src, int dport) {
    EvidenceEvent e = flow(id, t, src, dport);
    e.setDstEndpoint(Endpoint.newBuilder().setIp("10.30.1.15").setPort(dport).build());
    e.setKubernetes(null);
    e.setCloud(hostCloud());
    return e;
  }

  /** hostconfig.json of shop-web-1 ({@code -p 8080:80}): what the Docker container config parser keeps of it. */
  static EvidenceEvent hostConfig(String id, Instant t) {
    EvidenceEvent e = IncidentGrouperTest.base(id, t, "docker_container_config");
    e.setActivityName("configured");
    e.setContainer(dev.strata.schema.event.Container.newBuilder().setUid(WEB).setRuntime("docker").build());
    e.setCloud(hostCloud());
    e.setUnmapped(new java.util.HashMap<>(java.util.Map.of("hostconfig.port_bindings", "0.0.0.0:8080->80/tcp")));
    return e;
  }

  static EvidenceEvent webShell(String id, Instant t) {
    EvidenceEvent e = IncidentGrouperTest.falco(id, t, "ip-10-30-1-15", WEB, "x");
    e.setKubernetes(null);
    e.setCloud(hostCloud());
    return e;
  }

  /**
   * A Docker host's published port (HostIncidentScenarioIT's shape): the nearest flow from a public address to the
   * host's port 8080, which shop-web-1's host config publishes, before the container's first execution signal is its
   * entry; a flow to another port, an earlier visitor and a flow without the host config are not.
   */
  @Test
  void aFlowToAPortAContainerPublishesOnItsHostIsItsEntry() throws Exception {
    List<EvidenceEvent> events = List.of(
        hostFlow("visitor", RCE.minusSeconds(400), "198.51.100.9", 8080),
        hostFlow("ssh", RCE.plusSeconds(5), "198.51.100.203", 2222),
        hostFlow("upload", RCE, "203.0.113.173", 8080),
        hostConfig("hostconfig", RCE.plus(Duration.ofDays(2))), // no time of its own: the collection's
        webShell("shell", RCE.plusSeconds(30)));
    Random r = new Random(7);
    for (int i = 0; i < 10; i++) {
      List<EvidenceEvent> order = new ArrayList<>(events);
      Collections.shuffle(order, r);
      Incident inc = only(IncidentEngine.incidentsOf(order, IncidentSettings.defaults()));
      assertThat(inc.getAttackPath().get(0).getStage()).isEqualTo(AttackStage.ENTRY);
      assertThat(inc.getAttackPath().get(0).getEventIds()).containsExactly("upload");
      assertThat(row(inc, "upload").getSummary()).contains("(entry: the nearest inbound connection from a public address"
          + " to port 8080 of instance " + HOST_INSTANCE + ", which container " + WEB.substring(0, 12) + " publishes (its"
          + " host config's PortBindings), before the container's first execution / credential access signal at "
          + "2026-11-24T09:10:33Z, event shell)");
      for (String other : List.of("visitor", "ssh")) {
        TimelineRow o = row(inc, other);
        if (o != null) assertThat(o.getSignal()).as(other).isFalse();
      }
    }
    // without the host config nothing names the mapping: no entry
    Incident none = only(IncidentEngine.incidentsOf(List.of(events.get(0), events.get(1), events.get(2), events.get(4)),
        IncidentSettings.defaults()));
    assertThat(none.getAttackPath().get(0).getStage()).isEqualTo(AttackStage.EXECUTION);
  }

  @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir;

  static final String ORDERS = "117d16480bc5" + "9e2a4c6e8f0a1b3c5d7e9f1a3b5c7d9e1f3a5b7c9d1e3f5a7b9c";

  /**
   * Podman's published ports: {@code podman inspect} prints the container's {@code HostConfig.PortBindings} as Docker
   * does (Podman 4.9: {@code -p 8080:8080} of a rootless container, {@code NetworkMode} slirp4netns, empty {@code
   * HostIp}); the collector recognizes it as {@code docker_inspect} and the parser keeps {@code
   * hostconfig.port_bindings}; with the host's instance from the collection's context, the nearest public flow to the
   * host's 8080 before the container's first signal is its entry, as for a Docker host's {@code hostconfig.json}.
   */
  @Test
  void podmanInspectsPortBindingsLeadAFlowToTheHostsPortToItsContainer() throws Exception {
    java.nio.file.Files.writeString(dir.resolve("strata-context.yaml"), "- path: host-a\n  host: ip-10-30-1-15\n"
        + "  cloud_provider: aws\n  cloud_account: \"333333333333\"\n  cloud_region: us-east-1\n  cloud_instance: "
        + HOST_INSTANCE + "\n");
    java.nio.file.Files.createDirectories(dir.resolve("host-a"));
    String inspect = "[\n     {\n          \"Id\": \"" + ORDERS + "\",\n          \"Created\": \"2026-11-24T07:58:02.418022571Z\",\n"
        + "          \"Path\": \"java\",\n          \"Args\": [\"-jar\", \"/app/orders-api.jar\"],\n          \"State\": {\n"
        + "               \"OciVersion\": \"1.1.0\",\n               \"Status\": \"running\",\n               \"Running\": true,\n"
        + "               \"Pid\": 24127,\n               \"ConmonPid\": 24115,\n               \"ExitCode\": 0,\n"
        + "               \"StartedAt\": \"2026-11-24T07:58:03.104556201Z\",\n               \"FinishedAt\": \"0001-01-01T00:00:00Z\"\n"
        + "          },\n          \"Image\": \"" + "5c1e".repeat(16) + "\",\n          \"ImageDigest\": \"sha256:" + "a7d3".repeat(16)
        + "\",\n          \"ImageName\": \"registry.example/orders-api:3.4.1\",\n          \"Rootfs\": \"\",\n          \"Pod\": \"\",\n"
        + "          \"Name\": \"orders-api\",\n          \"Driver\": \"overlay\",\n          \"OCIRuntime\": \"crun\",\n"
        + "          \"NetworkSettings\": {\n               \"Ports\": {\n                    \"8080/tcp\": [{\"HostIp\": \"\", \"HostPort\": \"8080\"}]\n"
        + "               }\n          },\n          \"Config\": {\n               \"Hostname\": \"117d16480bc5\",\n"
        + "               \"Image\": \"registry.example/orders-api:3.4.1\",\n               \"Cmd\": [\"-jar\", \"/app/orders-api.jar\"],\n"
        + "               \"Labels\": {\"io.containers.autoupdate\": \"registry\"}\n          },\n          \"HostConfig\": {\n"
        + "               \"Binds\": [],\n               \"NetworkMode\": \"slirp4netns\",\n               \"PortBindings\": {\n"
        + "                    \"8080/tcp\": [{\"HostIp\": \"\", \"HostPort\": \"8080\"}]\n               },\n"
        + "               \"Privileged\": false\n          }\n     }\n]\n";
    java.nio.file.Files.writeString(dir.resolve("host-a/podman-inspect-orders-api.json"), inspect);
    List<EvidenceEvent> parsed = dev.strata.detect.sigma.SigmaFixtures.parse(dir);
    assertThat(parsed).isNotEmpty().allMatch(e -> "docker_inspect".equals(e.getSourceFormat()));
    assertThat(parsed.get(0).getUnmapped()).containsEntry("hostconfig.port_bindings", ":8080->8080/tcp");
    EvidenceEvent shell = IncidentGrouperTest.falco("shell", RCE.plusSeconds(30), "ip-10-30-1-15", ORDERS, "x");
    shell.setKubernetes(null);
    shell.setCloud(hostCloud());
    List<EvidenceEvent> events = new ArrayList<>(parsed);
    events.add(hostFlow("visitor", RCE.minusSeconds(400), "198.51.100.9", 8080));
    events.add(hostFlow("upload", RCE, "203.0.113.173", 8080));
    events.add(shell);
    Random r = new Random(13);
    for (int i = 0; i < 5; i++) {
      List<EvidenceEvent> order = new ArrayList<>(events);
      Collections.shuffle(order, r);
      Incident inc = only(IncidentEngine.incidentsOf(order, IncidentSettings.defaults()));
      assertThat(inc.getAttackPath().get(0).getEventIds()).containsExactly("upload");
      assertThat(row(inc, "upload").getSummary()).contains("to port 8080 of instance " + HOST_INSTANCE
          + ", which container 117d16480bc5 publishes (its host config's PortBindings)");
    }
  }

  @Test
  void podmansStateDatabaseRecordsThePublishedPortsTheFlowLeadsToItsContainer() throws Exception {
    // libpod's own record (db.sql / bolt_state.db, read by the collector into libpod_state lines): newPortMappings
    String line = "{\"libpod_state\":\"bolt\",\"object\":\"container\",\"id\":\"" + ORDERS + "\",\"name\":"
        + "\"orders-api\",\"config\":{\"id\":\"" + ORDERS + "\",\"name\":\"orders-api\",\"rootfsImageID\":\""
        + "5c1e".repeat(16) + "\",\"rootfsImageName\":\"registry.example/orders-api:3.4.1\",\"networkMode\":"
        + "\"slirp4netns\",\"newPortMappings\":[{\"host_ip\":\"\",\"container_port\":8080,\"host_port\":8080,"
        + "\"range\":1,\"protocol\":\"tcp\"}],\"createdTime\":\"2026-11-24T07:58:02.418022571Z\"},\"state\":"
        + "{\"state\":3,\"startedTime\":\"2026-11-24T07:58:03.104556201Z\",\"pid\":24127},\"state_code\":3,"
        + "\"source\":{\"bucket\":\"ctr/" + ORDERS + "\"}}\n";
    List<EvidenceEvent> parsed = new ArrayList<>();
    new dev.strata.parse.ChunkParser(dev.strata.parse.ParserRegistry.defaults()).parse(
        dev.strata.job.testing.TestChunks.whole("libpod_state",
            "host-a/home/orders/.local/share/containers/storage/libpod/bolt_state.db#libpod_state", line),
        dev.strata.detect.sigma.SigmaFixtures.collecting(parsed));
    assertThat(parsed).extracting(EvidenceEvent::getActivityName).containsExactly("created", "started");
    for (EvidenceEvent e : parsed) {
      // what the collection's context manifest gives every file under host-a/
      e.setDevice(dev.strata.schema.event.Device.newBuilder().setHostname("ip-10-30-1-15").setInstanceUid(HOST_INSTANCE)
          .build());
      e.setCloud(hostCloud());
    }
    assertThat(parsed.get(0).getUnmapped()).containsEntry("hostconfig.port_bindings", ":8080->8080/tcp");
    EvidenceEvent shell = IncidentGrouperTest.falco("shell", RCE.plusSeconds(30), "ip-10-30-1-15", ORDERS, "x");
    shell.setKubernetes(null);
    shell.setCloud(hostCloud());
    List<EvidenceEvent> events = new ArrayList<>(parsed);
    events.add(hostFlow("visitor", RCE.minusSeconds(400), "198.51.100.9", 8080));
    events.add(hostFlow("upload", RCE, "203.0.113.173", 8080));
    events.add(shell);
    Random r = new Random(17);
    for (int i = 0; i < 5; i++) {
      List<EvidenceEvent> order = new ArrayList<>(events);
      Collections.shuffle(order, r);
      Incident inc = only(IncidentEngine.incidentsOf(order, IncidentSettings.defaults()));
      assertThat(inc.getAttackPath().get(0).getEventIds()).containsExactly("upload");
      assertThat(row(inc, "upload").getSummary()).contains("which container 117d16480bc5 publishes");
    }
  }

  // ------------------------------------------------------------------ connections seen only by a runtime sensor

  /** fixtures/sensor_accepts (README): Tetragon's accept hooks and Falco's inbound alert, parsed by the real parsers. */
  static List<EvidenceEvent> sensorAccepts() throws Exception {
    List<EvidenceEvent> events = dev.strata.detect.sigma.SigmaFixtures.parse(
        dev.strata.detect.sigma.SigmaFixtures.runtimeFixtures().resolveSibling("sensor_accepts"));
    for (EvidenceEvent e : events) {
      // one account and cluster, as a collection's context gives them (the flows of the test share them)
      e.setCloud(dev.strata.schema.event.Cloud.newBuilder().setProvider("aws").setAccountUid("111122223333")
          .setRegion("us-east-1").build());
      if (e.getKubernetes() != null) e.getKubernetes().setCluster("prod");
    }
    return events;
  }

  static EvidenceEvent at(List<EvidenceEvent> events, String format, String time, String function) {
    for (EvidenceEvent e : events) {
      String fn = e.getUnmapped() == null ? null : e.getUnmapped().get("function_name");
      if (e.getSourceFormat().equals(format) && e.getTime().toString().startsWith(time)
          && (function == null || function.equals(fn))) {
        return e;
      }
    }
    throw new AssertionError("no " + format + " at " + time);
  }

  /**
   * An accepted connection a runtime sensor saw, with no flow log: Tetragon's accept hooks (inet_csk_accept's returned
   * socket, tcp-accept.yaml's tcp_create_openreq_child and tcp_set_state SYN_RECV -> ESTABLISHED) and Falco's
   * "Unexpected inbound connection source" (accept4, the connection only in fd.name) are candidates as an accepted flow
   * is: the nearest before the pod's first execution signal is the entry row, which names the sensor; an earlier
   * visitor, a private client, a later connection are not. Shuffled arrival orders.
   */
  @Test
  void aConnectionARuntimeSensorSawAcceptedIsAnEntryCandidate() throws Exception {
    List<EvidenceEvent> events = sensorAccepts();
    assertThat(events).hasSize(9);
    EvidenceEvent accept = at(events, "tetragon_event", "2026-11-24T09:10:03.412", "inet_csk_accept");
    EvidenceEvent falco = at(events, "falco_alert", "2026-11-24T11:00:01", null);
    assertThat(EntryFlows.key(accept, EntityKeys.extract(accept)))
        .isEqualTo("flow|storefront/invoice-render-7c9d5b8f6-q2w4e|198.51.100.203|8080");
    assertThat(EntryFlows.key(falco, EntityKeys.extract(falco)))
        .isEqualTo("flow|ledger/ledger-api-6c8d9f7b5-t4r2w|203.0.113.77|8443");
    EvidenceEvent health = at(events, "tetragon_event", "2026-11-24T09:10:40", "inet_csk_accept");
    assertThat(EntryFlows.key(health, EntityKeys.extract(health))).as("a private client").isNull();
    Random r = new Random(19);
    for (int i = 0; i < 10; i++) {
      List<EvidenceEvent> order = new ArrayList<>(events);
      if (i > 0) Collections.shuffle(order, r);
      List<Incident> incs = IncidentEngine.incidentsOf(order, IncidentSettings.defaults());
      assertThat(incs).as("the two pods' incidents").hasSize(2);
      for (Incident inc : incs) {
        AttackStep entry = inc.getAttackPath().get(0);
        assertThat(entry.getStage()).as(inc.getTitle()).isEqualTo(AttackStage.ENTRY);
        assertThat(entry.getEventIds()).hasSize(1);
        TimelineRow row = row(inc, entry.getEventIds().get(0));
        if (inc.getTitle().contains("invoice-render")) {
          // the three hooks of one handshake: the nearest of them (the accept's return) is the entry
          assertThat(row.getEventId()).isEqualTo(accept.getEventId());
          assertThat(row.getSummary()).contains("(entry: the nearest inbound connection from a public address, seen"
              + " by Tetragon's accept hook (no flow log records it) before the pod's first execution / credential"
              + " access signal at 2026-11-24T09:12:30.551Z");
          assertThat(row(inc, at(events, "tetragon_event", "2026-11-24T09:02:11", null).getEventId()).getSignal())
              .as("the earlier visitor").isFalse();
        } else {
          assertThat(row.getEventId()).isEqualTo(falco.getEventId());
          assertThat(row.getSummary()).contains(", seen by Falco's accept alert (no flow log records it)");
        }
        assertThat(row.getArtifactSha256()).as("lineage: the sensor's file").isNotBlank();
      }
    }
  }

  /**
   * The same connection in a flow log too: the flow record is the candidate (its window starts before the sensor's
   * time), the sensor's records of it are not (one connection, one entry row; the flow log's is the evidence a
   * sensor's stands in for). A flow of another client does not hide the sensor's record.
   */
  @Test
  void aConnectionAFlowLogAlsoRecordsIsTheFlowLogsEntry() throws Exception {
    List<EvidenceEvent> events = new ArrayList<>(sensorAccepts());
    EvidenceEvent accept = at(events, "tetragon_event", "2026-11-24T09:10:03.412", "inet_csk_accept");
    EvidenceEvent logged = flow("logged", Instant.parse("2026-11-24T09:10:00Z"), "198.51.100.203", 8080);
    logged.getKubernetes().setNamespace("storefront");
    events.add(logged);
    Random r = new Random(29);
    for (int i = 0; i < 6; i++) {
      List<EvidenceEvent> order = new ArrayList<>(events);
      if (i > 0) Collections.shuffle(order, r);
      InMemoryTenantStore store = RuntimeExecAuditTest.judged(order);
      assertThat(store.member("logged").signal()).as("the flow log's record").isTrue();
      assertThat(store.member("logged").execKey()).startsWith("flow-entry|storefront/invoice-render-7c9d5b8f6-q2w4e|");
      assertThat(store.member(accept.getEventId()).signal()).as("the sensor's record of the same connection").isFalse();
    }
    // another client's flow: the sensor's record stays the candidate
    events.remove(logged);
    EvidenceEvent other = flow("other", Instant.parse("2026-11-24T09:10:00Z"), "198.51.100.77", 8080);
    other.getKubernetes().setNamespace("storefront");
    events.add(other);
    InMemoryTenantStore store = RuntimeExecAuditTest.judged(events);
    assertThat(store.member(accept.getEventId()).signal()).isTrue();
    assertThat(store.member("other").signal()).isFalse();
  }
}
