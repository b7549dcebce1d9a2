package dev.strata.job.incident;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.schema.correlate.AttackStage;
import dev.strata.schema.correlate.Incident;
import dev.strata.schema.correlate.TimelineRow;
import dev.strata.schema.event.Actor;
import dev.strata.schema.event.Api;
import dev.strata.schema.event.Cloud;
import dev.strata.schema.event.Container;
import dev.strata.schema.event.Device;
import dev.strata.schema.event.Endpoint;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.event.Finding;
import dev.strata.schema.event.Kubernetes;
import dev.strata.schema.event.Lineage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Grouping rules on small synthetic events (written for these tests from the rules in SignalRules/IncidentGrouper). */
class IncidentGrouperTest {
  static final Instant T0 = Instant.parse("2026-11-20T10:00:00Z");
  static int seq;

  static EvidenceEvent base(String id, Instant t, String format) {
    EvidenceEvent e = new EvidenceEvent();
    e.setEventId(id);
    e.setOcsfVersion("1.3.0");
    e.setClassUid(0);
    e.setClassName("Base Event");
    e.setCategoryUid(0);
    e.setCategoryName("Uncategorized");
    e.setActivityId(0);
    e.setTypeUid(0L);
    e.setSeverityId(1);
    e.setTime(t);
    e.setSourceFormat(format);
    e.setResources(new ArrayList<>());
    e.setUnmapped(new HashMap<>());
    e.setLineage(Lineage.newBuilder().setArtifactSha256("a".repeat(64)).setOrigin("evidence/" + format).setSourceType(format)
        .setChunkIndex(0).setByteOffset((long) seq++ * 100).setByteLength(100L).setLineNumber((long) seq).build());
    e.setCloud(Cloud.newBuilder().setProvider("aws").setAccountUid("111122223333").setRegion("us-east-1").build());
    return e;
  }

  /** A Falco alert (Warning = Medium) in a container on a node. */
  static EvidenceEvent falco(String id, Instant t, String node, String container, String pod) {
    EvidenceEvent e = base(id, t, "falco_alert");
    e.setClassUid(2004);
    e.setClassName("Detection Finding");
    e.setSeverityId(3);
    e.setMessage("Terminal shell in container");
    e.setFinding(Finding.newBuilder().setRule("Terminal shell in container").setTitle("Terminal shell in container")
        .setPriority("Warning").setTags(List.of("container", "mitre_execution")).build());
    e.setContainer(Container.newBuilder().setUid(container).setRuntime("containerd").build());
    e.setKubernetes(Kubernetes.newBuilder().setCluster("prod").setNamespace("shop").setPodName(pod).setNodeName(node).build());
    e.setDevice(Device.newBuilder().setHostname(node).build());
    return e;
  }

  /** A container log line (context). */
  static EvidenceEvent log(String id, Instant t, String node, String container) {
    EvidenceEvent e = base(id, t, "cri_log");
    e.setMessage("GET /healthz 200");
    e.setContainer(Container.newBuilder().setUid(container).setRuntime("containerd").build());
    e.setDevice(Device.newBuilder().setHostname(node).build());
    e.setKubernetes(Kubernetes.newBuilder().setCluster("prod").setNodeName(node).build());
    return e;
  }

  /** A CloudTrail call by an IAM user from an IP. */
  static EvidenceEvent cloudTrail(String id, Instant t, String op, String user, String ip) {
    EvidenceEvent e = base(id, t, "aws_cloudtrail");
    e.setClassUid(6003);
    e.setClassName("API Activity");
    e.setActor(Actor.newBuilder().setUserName(user).setUserUid("arn:aws:iam::111122223333:user/" + user)
        .setUserType("IAMUser").setAccountUid("111122223333").setGroups(List.of()).setCredentialUid("AKIA" + user.toUpperCase())
        .build());
    e.setApi(Api.newBuilder().setService("iam.amazonaws.com").setOperation(op).build());
    e.setSrcEndpoint(Endpoint.newBuilder().setIp(ip).build());
    return e;
  }

  static List<Incident> group(List<EvidenceEvent> events) throws Exception {
    return IncidentEngine.incidentsOf(events, IncidentSettings.defaults());
  }

  static String c(int n) {
    return String.format("%012x", 0xabc000000L + n) + "0".repeat(52);
  }

  @Test
  void twoUnrelatedIncidentsStayApart() throws Exception {
    List<Incident> incs = group(List.of(
        falco("a1", T0, "node-a", c(1), "web-1"),
        falco("b1", T0.plusSeconds(60), "node-b", c(2), "api-1"),
        cloudTrail("c1", T0.plusSeconds(90), "CreateAccessKey", "carol", "10.1.2.3")));
    assertThat(incs).hasSize(3);
    assertThat(incs).allMatch(i -> i.getSignals() == 1);
  }

  /**
   * A node runs many workloads: an event of another pod on the same node is that pod's, and joins only through its
   * own link to the incident (here its connection to the attacker's address); evidence that names no workload (a host
   * line) joins by the node; two pods' alerts on one node are two incidents, unless node-level evidence between them
   * (a host alert: an escape) links both. Until session 10 every event of the node joined, and every alert of the
   * node was one incident (docs/incidents.md, "Grouping").
   */
  @Test
  void aNeighbourPodsEventsJoinOnlyThroughTheirOwnLinkAndNodeLevelEvidenceJoinsByTheNode() throws Exception {
    EvidenceEvent a1 = falco("a1", T0, "node-a", c(1), "web-1");
    a1.setDstEndpoint(Endpoint.newBuilder().setIp("203.0.113.66").build());
    EvidenceEvent toAttacker = log("l3", T0.plusSeconds(40), "node-a", c(9));
    toAttacker.setDstEndpoint(Endpoint.newBuilder().setIp("203.0.113.66").setPort(443).build());
    EvidenceEvent host = log("h1", T0.plusSeconds(50), "node-a", null);
    host.setContainer(null);
    List<EvidenceEvent> events = new ArrayList<>(List.of(
        a1,
        log("l1", T0.plusSeconds(30), "node-a", c(9)),
        toAttacker,
        host,
        log("l2", T0.plusSeconds(30), "node-z", c(8)),
        falco("a2", T0.plusSeconds(600), "node-a.ec2.internal", c(3), "db-1")));
    List<Incident> incs = group(events);
    assertThat(incs).hasSize(2);
    Incident web = incs.stream().filter(i -> i.getTimeline().get(0).getEventId().equals("a1")).findFirst().orElseThrow();
    assertThat(web.getSignals()).isEqualTo(1);
    assertThat(web.getTimeline()).extracting(TimelineRow::getEventId).containsExactly("a1", "l3", "h1");
    assertThat(web.getEntities()).extracting(e -> e.getType() + ":" + e.getKey())
        .contains("node:node-a", "container:" + c(9).substring(0, 12), "ip:203.0.113.66")
        .doesNotContain("node:node-z", "container:" + c(3).substring(0, 12));
    Incident db = incs.stream().filter(i -> i != web).findFirst().orElseThrow();
    assertThat(db.getTimeline()).extracting(TimelineRow::getEventId).containsExactly("h1", "a2");

    // a host alert between them (outside any container: an escape to the node) links both pods' alerts
    EvidenceEvent escape = falco("hs", T0.plusSeconds(300), "node-a", null, null);
    escape.setContainer(null);
    events.add(escape);
    List<Incident> linked = group(events);
    assertThat(linked).hasSize(1);
    assertThat(linked.get(0).getSignals()).isEqualTo(3);
    assertThat(linked.get(0).getTimeline()).extracting(TimelineRow::getEventId)
        .containsExactly("a1", "l3", "h1", "hs", "a2");
  }

  /**
   * A node runtime's image lines (containerd's pull of an image, naming no container) join an incident through the
   * image, not the node: the pull of the image the alerting container runs is in, another workload's pull on the same
   * node (SupplyChainRolloutScenarioIT: cart-worker's image two hours earlier) is not; a plain host line still joins by
   * the node.
   */
  @Test
  void aNodesImagePullJoinsThroughItsImageNotTheNode() throws Exception {
    String poisoned = "sha256:" + "e4c2".repeat(16), other = "sha256:" + "7c2d".repeat(16);
    EvidenceEvent a1 = falco("a1", T0, "node-a", c(1), "web-1");
    a1.getContainer().setImageDigest(poisoned);
    java.util.function.BiFunction<String, String, EvidenceEvent> pull = (id, digest) -> {
      EvidenceEvent e = base(id, T0.minusSeconds(digest.equals(poisoned) ? 6 : 3600), "containerd_daemon_log");
      e.setActivityName("pulled");
      e.setMessage("ImageCreate event name:\"registry.example.com/shop/web@" + digest + "\"");
      e.setContainer(Container.newBuilder().setImageName("registry.example.com/shop/web").setImageDigest(digest)
          .setRuntime("containerd").build());
      e.setDevice(Device.newBuilder().setHostname("node-a").build());
      return e;
    };
    EvidenceEvent host = log("h1", T0.plusSeconds(50), "node-a", null);
    host.setContainer(null);
    List<Incident> incs = group(List.of(a1, pull.apply("pull-poisoned", poisoned), pull.apply("pull-other", other), host));
    assertThat(incs).hasSize(1);
    assertThat(incs.get(0).getTimeline()).extracting(TimelineRow::getEventId).containsExactly("pull-poisoned", "a1", "h1");
    assertThat(incs.get(0).getEntities()).extracting(e -> e.getType() + ":" + e.getKey()).doesNotContain("image:" + other);
  }

  /**
   * The node's own role session (its kubelet's ECR login, a routine call of the instance profile from the node's
   * address, enriched with the node and its instance) does not join a pod's incident because the pod runs on that node
   * (FirehoseVpcCniScenarioIT, session 16): only once the incident holds node-level evidence of the attack (a host
   * alert: an escape), while the node's host line joins by the node as before. Both groupings (incremental and
   * reference) give the same.
   */
  @Test
  void theNodesRoleSessionJoinsAPodsIncidentOnlyWithNodeLevelEvidence() throws Exception {
    EvidenceEvent ecr = base("ecr", T0.minusSeconds(900), "aws_cloudtrail");
    ecr.setClassUid(6003);
    ecr.setClassName("API Activity");
    ecr.setActor(Actor.newBuilder().setUserName("node-role").setUserType("AssumedRole").setAccountUid("111122223333")
        .setUserUid("arn:aws:sts::111122223333:assumed-role/node-role/i-0abc1234def567890").setGroups(List.of())
        .setCredentialUid("ASIANODEROLE0000001").build());
    ecr.setApi(Api.newBuilder().setService("ecr.amazonaws.com").setOperation("GetAuthorizationToken").build());
    ecr.setSrcEndpoint(Endpoint.newBuilder().setIp("10.0.3.41").build());
    ecr.setEnrichment(dev.strata.schema.event.Enrichment.newBuilder().setCluster("prod").setNodeName("node-a")
        .setInstanceUid("i-0abc1234def567890").setRevision(0).build());
    EvidenceEvent host = log("h1", T0.plusSeconds(50), "node-a", null);
    host.setContainer(null);
    List<EvidenceEvent> events = new ArrayList<>(List.of(ecr, host, falco("a1", T0, "node-a", c(1), "web-1")));
    List<Incident> incs = group(events);
    assertThat(incs).hasSize(1);
    assertThat(incs.get(0).getTimeline()).extracting(TimelineRow::getEventId).containsExactly("a1", "h1");
    assertThat(incs.get(0).getEntities()).extracting(e -> e.getType() + ":" + e.getKey())
        .noneMatch(e -> e.contains("ASIANODEROLE0000001") || e.contains("assumed-role/node-role"));
    EvidenceEvent escape = falco("hs", T0.plusSeconds(300), "node-a", null, null);
    escape.setContainer(null);
    events.add(escape);
    incs = group(events);
    assertThat(incs).hasSize(1);
    assertThat(incs.get(0).getTimeline()).extracting(TimelineRow::getEventId).containsExactly("ecr", "a1", "h1", "hs");
  }

  /** Falco's Change thread namespace (Notice: Low on its own) for {@code cmd} in a container of a pod. */
  static EvidenceEvent setns(String id, Instant t, String node, String container, String pod, String cmd) {
    EvidenceEvent e = falco(id, t, node, container, pod);
    e.setSeverityId(2);
    e.setMessage("Namespace change (setns) by unexpected program");
    e.setFinding(Finding.newBuilder().setRule("Change thread namespace").setTitle("Change thread namespace")
        .setPriority("Notice").setTags(List.of("T1611", "container", "host", "mitre_privilege_escalation")).build());
    e.setProcess(dev.strata.schema.event.Process.newBuilder().setName("nsenter").setCmdLine(cmd).build());
    return e;
  }

  /**
   * A VPC flow record from {@code src} to {@code dst} on {@code node}'s instance, as the correlation job enriches it:
   * the pod when {@code pod} is not null (its own address), else the node alone (the node's own address).
   */
  static EvidenceEvent flow(String id, Instant t, String node, String pod, String src, String dst) {
    EvidenceEvent e = base(id, t, "aws_vpc_flow");
    e.setClassUid(4001);
    e.setClassName("Network Activity");
    e.setSrcEndpoint(Endpoint.newBuilder().setIp(src).build());
    e.setDstEndpoint(Endpoint.newBuilder().setIp(dst).build());
    String instance = "i-0" + Integer.toHexString(node.hashCode() & 0xfffffff) + "0000000";
    dev.strata.schema.event.Enrichment.Builder en = dev.strata.schema.event.Enrichment.newBuilder().setCluster("prod")
        .setNodeName(node).setInstanceUid(instance).setRevision(0);
    if (pod != null) en.setNamespace("shop").setPodName(pod);
    e.setEnrichment(en.build());
    return e;
  }

  /**
   * The daemonset scenario's shape (HostEscapes): a pod's process enters its host with {@code nsenter -t 1} (a signal:
   * host_escape, though Falco rates the rule Notice), the pod fetched its script from 203.0.113.99 (its own flow:
   * context, through the pod), and the escaped shell posts to 203.0.113.99 from the node's own address: that flow
   * names the node only, and joins the incident (as does one whose capture window began 5 minutes before the escape),
   * while the node's flows to an address the incident does not name, from 203.0.113.99 (inbound), to 203.0.113.99
   * three hours later, and another node's flow to it do not. Without the escape (a pod alert of another kind), the node's flow joins nothing (the
   * session-16 rule: a flow of the node's address joins a pod's incident only with node-level evidence).
   */
  @Test
  void anEscapedNodesOwnFlowsToAnAddressTheIncidentNamesJoinIt() throws Exception {
    String cmd = "nsenter -t 1 -m -u -i -n -p -- sh /var/tmp/.npd.sh";
    List<EvidenceEvent> rest = List.of(
        flow("fetch", T0.minusSeconds(2), "node-a", "npd-1", "10.0.3.140", "203.0.113.99"),
        flow("post", T0.plusSeconds(2), "node-a", null, "10.0.3.41", "203.0.113.99"),
        flow("early", T0.minusSeconds(300), "node-a", null, "10.0.3.41", "203.0.113.99"),
        flow("busy", T0.plusSeconds(30), "node-a", null, "10.0.3.41", "198.51.100.50"),
        flow("late", T0.plus(Duration.ofHours(3)), "node-a", null, "10.0.3.41", "203.0.113.99"),
        flow("other", T0.plusSeconds(5), "node-b", null, "10.0.4.41", "203.0.113.99"),
        flow("inbound", T0.plusSeconds(40), "node-a", null, "203.0.113.99", "10.0.3.41"));
    List<EvidenceEvent> events = new ArrayList<>(rest);
    events.add(setns("esc", T0, "node-a", c(1), "npd-1", cmd));
    for (int order = 0; order < 6; order++) {
      List<EvidenceEvent> shuffled = new ArrayList<>(events);
      Collections.shuffle(shuffled, new Random(order));
      List<Incident> incs = group(shuffled);
      assertThat(incs).as("order " + order).hasSize(1);
      assertThat(incs.get(0).getTimeline()).extracting(TimelineRow::getEventId)
          .containsExactly("early", "fetch", "esc", "post");
      TimelineRow esc = incs.get(0).getTimeline().get(2);
      assertThat(esc.getSignal()).isTrue();
      assertThat(esc.getAttackStage()).isEqualTo(AttackStage.PRIVILEGE_ESCALATION);
      assertThat(esc.getSeverityId()).isEqualTo(4);
    }
    List<EvidenceEvent> without = new ArrayList<>(rest);
    without.add(falco("a1", T0, "node-a", c(1), "npd-1"));
    List<Incident> incs = group(without);
    assertThat(incs).hasSize(1);
    assertThat(incs.get(0).getTimeline()).extracting(TimelineRow::getEventId).containsExactly("fetch", "a1");
  }

  @Test
  void nsenterIntoPid1IsAnEscapeAndOtherTargetsAreNot() {
    assertThat(HostEscapes.entersPid1("nsenter -t 1 -m -u -i -n -p -- sh /var/tmp/.npd.sh")).isTrue();
    assertThat(HostEscapes.entersPid1("/usr/bin/nsenter --target 1 --mount --uts --ipc --net --pid -- bash")).isTrue();
    assertThat(HostEscapes.entersPid1("nsenter --target=1 -a bash")).isTrue();
    assertThat(HostEscapes.entersPid1("nsenter -at 1 bash")).isTrue();
    assertThat(HostEscapes.entersPid1("nsenter -t1 -m sh")).isTrue();
    assertThat(HostEscapes.entersPid1("nsenter -t 4242 -n ip addr")).as("a container's own namespace").isFalse();
    assertThat(HostEscapes.entersPid1("nsenter -n/proc/1/ns/net ip a")).isFalse();
    assertThat(HostEscapes.entersPid1("sh -c nsenter -t 1 -m sh")).as("a shell's argument, judged by its exec")
        .isFalse();
    assertThat(HostEscapes.entersPid1("nsenter -m -- sh -t 1")).as("after --: the program's").isFalse();
    assertThat(HostEscapes.entersPid1(null)).isFalse();
  }

  /**
   * First seen is the first signal's time, not the earliest member's: node-level context (a host line of the node)
   * and the workload's own lines before it join the timeline as lead-up, but a routine call minutes before the attack
   * is no start of it (CiRunnerEscapeScenarioIT: the node's ECR login was the incident's first seen). Last seen is
   * the latest member's, signal or not (what the attack kept doing).
   */
  @Test
  void firstSeenIsTheFirstSignalsTimeWithEarlierContextKeptAsLeadUp() throws Exception {
    EvidenceEvent host = log("h0", T0.minusSeconds(97), "node-a", null);
    host.setContainer(null);
    List<Incident> incs = group(List.of(
        host,
        log("l0", T0.minusSeconds(20), "node-a", c(1)),
        falco("a1", T0, "node-a", c(1), "web-1"),
        log("l1", T0.plusSeconds(600), "node-a", c(1))));
    assertThat(incs).hasSize(1);
    Incident inc = incs.get(0);
    assertThat(inc.getTimeline()).extracting(TimelineRow::getEventId).containsExactly("h0", "l0", "a1", "l1");
    assertThat(inc.getFirstSeen()).isEqualTo(T0);
    assertThat(inc.getLastSeen()).isEqualTo(T0.plusSeconds(600));
    assertThat(inc.getTimeline().get(0).getTime()).isBefore(inc.getFirstSeen());
  }

  @Test
  void theTimeBoundIsRespected() throws Exception {
    // same node, 3 h apart: two incidents; context 1 h after the first joins it, 2.5 h after does not
    List<Incident> incs = group(List.of(
        falco("a1", T0, "node-a", c(1), "web-1"),
        log("l1", T0.plus(Duration.ofHours(1)), "node-a", c(1)),
        log("l2", T0.plus(Duration.ofMinutes(150)), "node-x", c(7)),
        falco("a2", T0.plus(Duration.ofHours(3)), "node-a", c(1), "web-1")));
    assertThat(incs).hasSize(2);
    assertThat(incs.stream().filter(i -> i.getTimeline().get(0).getEventId().equals("a1")).findFirst().orElseThrow()
        .getTimeline()).extracting(TimelineRow::getEventId).containsExactly("a1", "l1");
    // a shorter window splits what 2 h joins
    List<Incident> narrow = IncidentEngine.incidentsOf(List.of(
        falco("a1", T0, "node-a", c(1), "web-1"), falco("a2", T0.plus(Duration.ofMinutes(90)), "node-a", c(1), "web-1")),
        IncidentSettings.defaults().withWindow(Duration.ofHours(1)));
    assertThat(narrow).hasSize(2);
  }

  @Test
  void signalsChainAcrossEntitiesAndContextNeverLinks() throws Exception {
    // a1 (container 1 on node-a) and a2 (pod web-1 via the binding a log line gives) chain; the log's own entities
    // (a public IP) do not pull in the CloudTrail signal from that IP, since context never links incidents
    EvidenceEvent bridge = log("l1", T0.plusSeconds(10), "node-a", c(1));
    bridge.getKubernetes().setPodName("web-1");
    bridge.getKubernetes().setNamespace("shop");
    bridge.setSrcEndpoint(Endpoint.newBuilder().setIp("198.51.100.7").build());
    EvidenceEvent a2 = falco("a2", T0.plusSeconds(20), null, null, "web-1");
    a2.setContainer(null);
    a2.setDevice(null);
    List<Incident> incs = group(List.of(
        falco("a1", T0, "node-a", c(1), null), bridge, a2,
        cloudTrail("c1", T0.plusSeconds(30), "CreateAccessKey", "mallory", "198.51.100.7")));
    assertThat(incs).hasSize(2);
    Incident pod = incs.stream().filter(i -> i.getSignals() == 2).findFirst().orElseThrow();
    assertThat(pod.getTimeline()).extracting(TimelineRow::getEventId).containsExactly("a1", "l1", "a2");
  }

  @Test
  void arrivalOrderDoesNotChangeTheResult() throws Exception {
    List<EvidenceEvent> events = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      events.add(log("l" + i, T0.plusSeconds(i * 97L), "node-" + (i % 3), c(i % 5)));
      if (i % 7 == 0) events.add(falco("f" + i, T0.plusSeconds(i * 101L), "node-" + (i % 3), c(i % 5), "p" + (i % 4)));
    }
    events.add(cloudTrail("k1", T0.plusSeconds(300), "AttachUserPolicy", "eve", "198.51.100.9"));
    List<Incident> expected = group(events);
    Random r = new Random(1);
    for (int round = 0; round < 10; round++) {
      List<EvidenceEvent> shuffled = new ArrayList<>(events);
      Collections.shuffle(shuffled, r);
      assertThat(group(shuffled)).isEqualTo(expected);
    }
  }

  @Test
  void cloudTrailRulesAndStages() throws Exception {
    List<EvidenceEvent> events = new ArrayList<>();
    events.add(cloudTrail("k1", T0, "CreateAccessKey", "eve", "10.0.0.1"));
    events.add(cloudTrail("k2", T0.plusSeconds(5), "AttachUserPolicy", "eve", "10.0.0.1"));
    events.add(cloudTrail("k3", T0.plusSeconds(9), "StopLogging", "eve", "10.0.0.1"));
    events.add(cloudTrail("k4", T0.plusSeconds(12), "ListUsers", "eve", "10.0.0.1")); // context
    events.add(cloudTrail("k5", T0.plusSeconds(12), "ListUsers", "bob", "10.0.0.2")); // unrelated context
    List<Incident> incs = group(events);
    assertThat(incs).hasSize(1);
    assertThat(incs.get(0).getAttackPath()).extracting(s -> s.getStage())
        .containsExactly(AttackStage.PERSISTENCE, AttackStage.PRIVILEGE_ESCALATION, AttackStage.IMPACT);
    assertThat(incs.get(0).getTimeline()).extracting(TimelineRow::getEventId).containsExactly("k1", "k2", "k3", "k4");
    assertThat(incs.get(0).getSeverity()).isEqualTo("High");
  }

  @Test
  void aGetSecretValueBurstIsASignal() throws Exception {
    List<EvidenceEvent> events = new ArrayList<>();
    for (int i = 0; i < 5; i++) events.add(cloudTrail("s" + i, T0.plusSeconds(i * 30L), "GetSecretValue", "dave", "10.0.0.5"));
    for (int i = 0; i < 4; i++) events.add(cloudTrail("q" + i, T0.plusSeconds(i * 30L), "GetSecretValue", "quinn", "10.0.0.6"));
    List<Incident> incs = group(events);
    assertThat(incs).hasSize(1);
    assertThat(incs.get(0).getSignals()).isEqualTo(5);
    assertThat(incs.get(0).getAttackPath().get(0).getStage()).isEqualTo(AttackStage.CREDENTIAL_ACCESS);
  }

  @Test
  void theTimelineIsCappedKeepingSignals() throws Exception {
    List<EvidenceEvent> events = new ArrayList<>();
    for (int i = 0; i < 30; i++) events.add(log(String.format("l%02d", i), T0.plusSeconds(i), "node-a", c(1)));
    events.add(falco("z-signal", T0.plusSeconds(29), "node-a", c(1), null));
    List<Incident> incs = IncidentEngine.incidentsOf(events, IncidentSettings.defaults().withTimelineCap(10));
    Incident i = incs.get(0);
    assertThat(i.getTimeline()).hasSize(10);
    assertThat(i.getTimelineOmitted()).isEqualTo(21);
    assertThat(i.getEventCount()).isEqualTo(31);
    assertThat(i.getTimeline()).extracting(TimelineRow::getEventId).contains("z-signal").startsWith("l00");
  }

  @Test
  void publicIpsOnly() {
    assertThat(EntityKeys.isPublicIp("203.0.113.50")).isTrue();
    assertThat(EntityKeys.isPublicIp("2001:db8::1")).isTrue();
    assertThat(EntityKeys.isPublicIp("10.0.0.12")).isFalse();
    assertThat(EntityKeys.isPublicIp("100.64.1.1")).isFalse();
    assertThat(EntityKeys.isPublicIp("169.254.169.254")).isFalse();
    assertThat(EntityKeys.isPublicIp("fd00::1")).isFalse();
    assertThat(EntityKeys.isPublicIp("ec2.amazonaws.com")).isFalse();
    assertThat(EntityKeys.isPublicIp("AWS Internal")).isFalse();
  }

  @Test
  void memberStateRoundTrips() throws Exception {
    EvidenceEvent e = falco("a1", T0, "node-a", c(1), "web-1");
    Member m = Member.of(e, EntityKeys.extract(e), SignalRules.defaults());
    assertThat(Member.decode(m.encode())).isEqualTo(m);
    assertThat(m.signal()).isTrue();
    assertThat(m.stage()).isEqualTo(AttackStage.EXECUTION);
  }

  /** A container on a plain host (no pod, no task) is named with its host: its id alone does not say where to look. */
  @Test
  void aPlainHostsContainerIsTitledWithItsHost() throws Exception {
    EvidenceEvent alert = falco("a1", T0, "ip-10-30-1-15.ec2.internal", c(1), null);
    alert.setKubernetes(null);
    assertThat(group(List.of(alert)).get(0).getTitle())
        .isEqualTo("Container " + c(1).substring(0, 12) + " on host ip-10-30-1-15: execution (1 signal)");
  }

  /** A container create request through the Docker API for a privileged or host-root container (dockerd's logged body). */
  @Test
  void aPrivilegedContainerCreateRequestIsAnEscalation() {
    EvidenceEvent create = base("r1", T0, "docker_daemon_log");
    create.getUnmapped().put("dockerd.form.image", "alpine:3.19");
    create.getUnmapped().put("strata.risk", "privileged,host_pid,host_network,host_root_bind");
    var signal = SignalRules.defaults().classify(create);
    assertThat(signal.stage()).isEqualTo(AttackStage.PRIVILEGE_ESCALATION);
    assertThat(signal.severityId()).isEqualTo(4);
    EvidenceEvent agent = base("r2", T0, "docker_daemon_log");
    agent.getUnmapped().put("dockerd.form.image", "quay.io/prometheus/node-exporter:v1.8.1");
    agent.getUnmapped().put("strata.risk", "host_pid,host_network");
    assertThat(SignalRules.defaults().classify(agent)).as("a monitoring agent's host PID alone").isNull();
    EvidenceEvent config = base("r3", T0, "docker_container_config");
    config.getUnmapped().put("strata.risk", "privileged");
    assertThat(SignalRules.defaults().classify(config)).as("a host config file has no time of its own").isNull();
  }

  @Test
  void anExecutableFileAddedToAWritableLayerIsASignalButANewDirectoryIsNot() {
    Instant t = Instant.parse("2024-05-01T12:01:00Z");
    EvidenceEvent file = base("f1", t, "overlay_upper_changes");
    file.setClassUid(1001);
    file.setActivityId(1);
    file.setActivityName("Create");
    file.setFile(dev.strata.schema.event.File.newBuilder().setPath("/tmp/x.sh").setType("file").setMode("0755").build());
    assertThat(SignalRules.defaults().classify(file)).isNotNull();

    EvidenceEvent dir = base("d1", t, "overlay_upper_changes");
    dir.setClassUid(1001);
    dir.setActivityId(1);
    dir.setActivityName("Create");
    dir.setFile(dev.strata.schema.event.File.newBuilder().setPath("/tmp/d").setType("dir").setMode("0755").build());
    assertThat(SignalRules.defaults().classify(dir)).isNull();

    EvidenceEvent data = base("p1", t, "overlay_upper_changes");
    data.setClassUid(1001);
    data.setActivityId(1);
    data.setActivityName("Create");
    data.setFile(dev.strata.schema.event.File.newBuilder().setPath("/tmp/notes.txt").setType("file").setMode("0644").build());
    assertThat(SignalRules.defaults().classify(data)).isNull();
  }
}
