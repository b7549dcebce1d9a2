package dev.strata.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.correlate.CorrelationScenario;
import dev.strata.correlate.NodeClusters;
import dev.strata.schema.event.Enrichment;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.event.Kubernetes;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An EC2 inventory (fixtures/correlate/README.md: ec2-describe-instances.json, ec2-describe-network-interfaces.jsonl,
 * collected 2026-11-21) ties flows and a node's events to their instance, whichever arrives first: a v2 flow of the
 * node's second interface (no instance id) names the instance, its node and cluster; a flow of the node's primary
 * address after the launch too, not before; a flow of a secondary (pod) address before the collection nothing of the
 * instance (a secondary address moves); an event naming the node gets its instance; the ECS capacity instance's flow
 * its ECS cluster; an ECS task's interface's flow the interface, never the container instance.
 */
class Ec2InventoryCorrelationTest {
  @RegisterExtension
  static final MiniClusterExtension FLINK =
      TestMiniCluster.extension(2);

  static final String A = CorrelationScenario.ACCOUNT_PROD;
  static final String NODE = "ip-10-0-2-20.ec2.internal";
  static final String INSTANCE = "i-0ec2000000000001";

  @Test
  void anInventoryTiesInterfacesAddressesAndTheNodeToTheInstanceAtTheirTimes() throws Exception {
    List<EvidenceEvent> inventory = new ArrayList<>(
        CorrelationScenario.parse("aws_ec2_instances", "ec2-describe-instances.json", null, A));
    inventory.addAll(CorrelationScenario.parse("aws_ec2_network_interfaces", "ec2-describe-network-interfaces.jsonl",
        null, A));
    assertThat(inventory).hasSize(3);
    EvidenceEvent secondEni = CorrelationScenario.flow("ec2-second-eni", A, "vpc-0aaa", "eni-0ec2b", null, "10.0.2.140",
        "198.51.100.9", "2026-11-20T10:00:00Z");
    EvidenceEvent primary = CorrelationScenario.flow("ec2-primary", A, "vpc-0aaa", null, null, "10.0.2.20",
        "198.51.100.9", "2026-11-20T09:00:00Z");
    EvidenceEvent beforeLaunch = CorrelationScenario.flow("ec2-before", A, "vpc-0aaa", null, null, "10.0.2.20",
        "198.51.100.9", "2026-11-20T07:00:00Z");
    EvidenceEvent podAddress = CorrelationScenario.flow("ec2-pod", A, "vpc-0aaa", null, null, "10.0.2.77",
        "198.51.100.9", "2026-11-20T10:00:00Z");
    Kubernetes onNode = new Kubernetes();
    onNode.setCluster("prod");
    onNode.setNodeName(NODE);
    EvidenceEvent nodeEvent = EvidenceEvent.newBuilder(CorrelationScenario.flow("ec2-node", A, null, null, null,
        "203.0.113.1", "198.51.100.9", "2026-11-20T10:00:00Z")).setKubernetes(onNode).build();
    EvidenceEvent ecsHost = CorrelationScenario.flow("ec2-ecs", A, "vpc-0aaa", "eni-0ec5a", null, "10.0.3.10",
        "198.51.100.9", "2026-11-20T10:00:00Z");
    EvidenceEvent task = CorrelationScenario.flow("ec2-task", A, "vpc-0aaa", null, null, "10.0.3.57", "198.51.100.9",
        "2026-11-20T10:00:00Z");
    List<EvidenceEvent> events = List.of(secondEni, primary, beforeLaunch, podAddress, nodeEvent, ecsHost, task);
    for (boolean inventoryFirst : new boolean[] {true, false}) {
      List<EvidenceEvent> all = new ArrayList<>();
      if (inventoryFirst) all.addAll(inventory);
      all.addAll(events);
      if (!inventoryFirst) all.addAll(inventory);
      var r = ContainerEndCorrelationTest.run(all);
      String as = "inventory first: " + inventoryFirst;
      Enrichment s = r.latest().get(secondEni.getEventId());
      assertThat(s.getInstanceUid()).as(as).isEqualTo(INSTANCE);
      assertThat(s.getNodeName()).as(as).isEqualTo(NODE);
      assertThat(s.getCluster()).as(as).isEqualTo("prod");
      Enrichment p = r.latest().get(primary.getEventId());
      assertThat(p.getInstanceUid()).as(as).isEqualTo(INSTANCE);
      assertThat(p.getEniUid()).as(as).isEqualTo("eni-0ec2a");
      assertThat(r.latest().get(beforeLaunch.getEventId()).getInstanceUid()).as(as + ": before the launch").isNull();
      assertThat(r.latest().get(podAddress.getEventId()).getInstanceUid())
          .as(as + ": a secondary address before the collection").isNull();
      assertThat(r.latest().get(nodeEvent.getEventId()).getInstanceUid()).as(as + ": the node's").isEqualTo(INSTANCE);
      Enrichment ecs = r.latest().get(ecsHost.getEventId());
      assertThat(ecs.getInstanceUid()).as(as).isEqualTo("i-0ec5000000000001");
      assertThat(ecs.getEcsCluster()).as(as).isEqualTo("billing");
      Enrichment t = r.latest().get(task.getEventId());
      assertThat(t.getEniUid()).as(as).isEqualTo("eni-0ec5task");
      assertThat(t.getInstanceUid()).as(as + ": a task's interface is not its host's").isNull();
    }
  }

  /**
   * A later inventory listing the node's instance terminated at 12:00 (ec2-describe-instances-terminated.json) closes
   * its primary address and its second interface's address there, in both arrival orders: a flow of 10.0.2.20 at 11:00
   * names the instance, one at 13:00 (the address back in the subnet) nothing of it. Since detect-gaps-5 it closes the
   * node's name too ({@code node_instance}): an event of the node at 11:00 names the instance, one at 13:00 (EKS names a
   * node after its private DNS name, which the next instance given the address gets) does not.
   */
  @Test
  void aTerminatedInstancesLaterInventoryClosesItsAddresses() throws Exception {
    List<EvidenceEvent> running = CorrelationScenario.parse("aws_ec2_instances", "ec2-describe-instances.json", null, A);
    List<EvidenceEvent> terminated =
        CorrelationScenario.parse("aws_ec2_instances", "ec2-describe-instances-terminated.json", null, A);
    assertThat(terminated).hasSize(1);
    EvidenceEvent before = CorrelationScenario.flow("ec2-term-before", A, "vpc-0aaa", null, null, "10.0.2.20",
        "198.51.100.9", "2026-11-20T11:00:00Z");
    EvidenceEvent after = CorrelationScenario.flow("ec2-term-after", A, "vpc-0aaa", null, null, "10.0.2.20",
        "198.51.100.9", "2026-11-20T13:00:00Z");
    EvidenceEvent secondAfter = CorrelationScenario.flow("ec2-term-second", A, "vpc-0aaa", null, null, "10.0.2.140",
        "198.51.100.9", "2026-11-20T13:00:00Z");
    Kubernetes onNode = new Kubernetes();
    onNode.setCluster("prod");
    onNode.setNodeName(NODE);
    EvidenceEvent nodeBefore = EvidenceEvent.newBuilder(CorrelationScenario.flow("ec2-term-node-before", A, null, null,
        null, "203.0.113.1", "198.51.100.9", "2026-11-20T11:00:00Z")).setKubernetes(onNode).build();
    EvidenceEvent nodeAfter = EvidenceEvent.newBuilder(CorrelationScenario.flow("ec2-term-node-after", A, null, null,
        null, "203.0.113.1", "198.51.100.9", "2026-11-20T13:00:00Z")).setKubernetes(onNode).build();
    for (boolean terminatedFirst : new boolean[] {true, false}) {
      List<EvidenceEvent> all = new ArrayList<>();
      if (terminatedFirst) all.addAll(terminated);
      all.addAll(running);
      all.addAll(List.of(before, after, secondAfter, nodeBefore, nodeAfter));
      if (!terminatedFirst) all.addAll(terminated);
      var r = ContainerEndCorrelationTest.run(all);
      String as = "terminated first: " + terminatedFirst;
      assertThat(r.latest().get(before.getEventId()).getInstanceUid()).as(as).isEqualTo(INSTANCE);
      assertThat(r.latest().get(after.getEventId()).getInstanceUid()).as(as + ": after the termination").isNull();
      assertThat(r.latest().get(secondAfter.getEventId()).getInstanceUid()).as(as + ": its second interface's").isNull();
      assertThat(r.facts().values()).as(as).filteredOn(f -> f.getKind().equals("ip_instance")
          && f.getSubject().getKey().equals("10.0.2.20")).singleElement()
          .satisfies(f -> assertThat(f.getValidTo()).isEqualTo(java.time.Instant.parse("2026-11-20T12:00:00Z")));
      assertThat(r.latest().get(nodeBefore.getEventId()).getInstanceUid()).as(as + ": the node's, before")
          .isEqualTo(INSTANCE);
      assertThat(r.latest().get(nodeAfter.getEventId()).getInstanceUid()).as(as + ": the node's, after").isNull();
      assertThat(r.facts().values()).as(as).filteredOn(f -> f.getKind().equals("node_instance")
          && f.getSubject().getKey().equals(NODE)).singleElement()
          .satisfies(f -> assertThat(f.getValidTo()).isEqualTo(java.time.Instant.parse("2026-11-20T12:00:00Z")));
    }
  }

  /**
   * An audit log without a context manifest (clusterless-audit-status.log: no cluster, no account) states shop/cart-5f7d's
   * address 10.0.2.77 on ip-10-0-2-20 from 09:00 in the unknown cluster's scope; the inventory names that node's
   * cluster (tag kubernetes.io/cluster/prod) and account: a flow of the address at 10:00 (in the account's scope, before
   * the inventory's collection, so not through the inventory's own secondary address) names the pod, the cluster, the
   * node and its instance, and the pod's own status record names the cluster, in both arrival orders
   * (join-node-clusters, NodeClusters). Without the inventory: the flow names nothing, the record no cluster.
   */
  @Test
  void aClusterlessAuditLogsPodsGetTheirClusterFromTheNodesInstanceTags() throws Exception {
    List<EvidenceEvent> inventory = CorrelationScenario.parse("aws_ec2_instances", "ec2-describe-instances.json", null, A);
    // as pulled from an export without a context manifest: no host either (the helper's context names one)
    List<EvidenceEvent> audit = CorrelationScenario.parse("k8s_audit", "clusterless-audit-status.log", null, null)
        .stream().map(e -> EvidenceEvent.newBuilder(e).setDevice(null).build()).toList();
    assertThat(audit).hasSize(1);
    assertThat(audit.get(0).getKubernetes().getCluster()).isNull();
    EvidenceEvent flow = CorrelationScenario.flow("clusterless-pod", A, "vpc-0aaa", null, null, "10.0.2.77",
        "198.51.100.9", "2026-11-20T10:00:00Z");
    for (int order = 0; order < 3; order++) {
      List<EvidenceEvent> all = new ArrayList<>();
      if (order == 0) all.addAll(inventory);
      all.addAll(audit);
      all.add(flow);
      if (order == 1) all.addAll(inventory);
      var r = ContainerEndCorrelationTest.run(all);
      String as = order == 0 ? "inventory first" : order == 1 ? "inventory last" : "no inventory";
      Enrichment f = r.latest().get(flow.getEventId());
      Enrichment status = r.latest().get(audit.get(0).getEventId());
      if (order == 2) {
        assertThat(f.getPodName()).as(as).isNull();
        assertThat(status.getCluster()).as(as).isNull();
        continue;
      }
      assertThat(f.getPodName()).as(as).isEqualTo("cart-5f7d");
      assertThat(f.getNamespace()).as(as).isEqualTo("shop");
      assertThat(f.getCluster()).as(as).isEqualTo("prod");
      assertThat(f.getNodeName()).as(as).isEqualTo(NODE);
      assertThat(f.getInstanceUid()).as(as).isEqualTo(INSTANCE);
      assertThat(status.getCluster()).as(as + ": the status record").isEqualTo("prod");
      assertThat(status.getAccountUid()).as(as + ": the status record").isEqualTo(A);
      assertThat(r.facts().values()).as(as).filteredOn(b -> b.getKind().equals("ip_pod")
              && "prod".equals(b.getAttributes().get("cluster")))
          .singleElement().satisfies(b -> {
            assertThat(b.getSubject().getScope()).isEqualTo("aws:" + A);
            assertThat(b.getObject().getScope()).isEqualTo("k8s:prod");
            assertThat(b.getAttributes()).containsEntry(NodeClusters.BY, "ec2_instance_tags");
            assertThat(b.getConfidence()).isEqualTo(0.8f);
          });
    }
  }

  /**
   * A later inventory (ec2-describe-instances-later.json, collected 2026-11-22) lists the node's instance without the
   * pod address 10.0.2.77 and without its second interface (10.0.2.140): both end no later than that collection (an
   * upper bound, confidence 0.5); the stopped ECS instance still lists its address, which stays bound; in both arrival
   * orders (InstanceEnds, instance_listing).
   */
  @Test
  void aLaterInventoryThatNoLongerListsAnAddressClosesItAtItsCollection() throws Exception {
    List<EvidenceEvent> first = CorrelationScenario.parse("aws_ec2_instances", "ec2-describe-instances.json", null, A);
    java.time.Instant collected = java.time.Instant.parse("2026-11-22T00:00:00Z");
    List<EvidenceEvent> later = CorrelationScenario.parse("aws_ec2_instances", "ec2-describe-instances-later.json", null,
        A).stream().map(e -> EvidenceEvent.newBuilder(e).setObservedTime(collected).build()).toList();
    assertThat(later).hasSize(2);
    EvidenceEvent podBefore = CorrelationScenario.flow("later-pod-before", A, "vpc-0aaa", null, null, "10.0.2.77",
        "198.51.100.9", "2026-11-21T12:00:00Z");
    EvidenceEvent podAfter = CorrelationScenario.flow("later-pod-after", A, "vpc-0aaa", null, null, "10.0.2.77",
        "198.51.100.9", "2026-11-22T12:00:00Z");
    EvidenceEvent secondAfter = CorrelationScenario.flow("later-second-after", A, "vpc-0aaa", null, null, "10.0.2.140",
        "198.51.100.9", "2026-11-22T12:00:00Z");
    EvidenceEvent primaryAfter = CorrelationScenario.flow("later-primary-after", A, "vpc-0aaa", null, null, "10.0.2.20",
        "198.51.100.9", "2026-11-22T12:00:00Z");
    EvidenceEvent stoppedAfter = CorrelationScenario.flow("later-stopped-after", A, "vpc-0aaa", null, null, "10.0.3.10",
        "198.51.100.9", "2026-11-22T12:00:00Z");
    for (boolean laterFirst : new boolean[] {true, false}) {
      List<EvidenceEvent> all = new ArrayList<>();
      if (laterFirst) all.addAll(later);
      all.addAll(first);
      all.addAll(List.of(podBefore, podAfter, secondAfter, primaryAfter, stoppedAfter));
      if (!laterFirst) all.addAll(later);
      var r = ContainerEndCorrelationTest.run(all);
      String as = "later inventory first: " + laterFirst;
      assertThat(r.latest().get(podBefore.getEventId()).getInstanceUid()).as(as).isEqualTo(INSTANCE);
      assertThat(r.latest().get(podAfter.getEventId()).getInstanceUid()).as(as + ": no longer listed").isNull();
      assertThat(r.latest().get(secondAfter.getEventId()).getInstanceUid()).as(as + ": detached").isNull();
      assertThat(r.latest().get(primaryAfter.getEventId()).getInstanceUid()).as(as + ": still listed").isEqualTo(INSTANCE);
      assertThat(r.latest().get(stoppedAfter.getEventId()).getInstanceUid()).as(as + ": stopped keeps its address")
          .isEqualTo("i-0ec5000000000001");
      assertThat(r.facts().values()).as(as).filteredOn(f -> f.getKind().equals("ip_instance")
          && f.getSubject().getKey().equals("10.0.2.77")).singleElement()
          .satisfies(f -> assertThat(f.getValidTo()).isEqualTo(collected));
    }
  }
}
