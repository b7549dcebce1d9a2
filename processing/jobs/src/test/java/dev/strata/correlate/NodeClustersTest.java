package dev.strata.correlate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.schema.correlate.EntityBinding;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link NodeClusters}: a clusterless audit log's pods meet their node's cluster from an EC2 inventory's tags. */
class NodeClustersTest {
  static final String A = CorrelationScenario.ACCOUNT_PROD;

  static List<EntityBinding> extract(String format, String file, String account) {
    BindingExtractor x = new BindingExtractor();
    List<EntityBinding> out = new ArrayList<>();
    CorrelationScenario.parse(format, file, null, account).forEach(e -> out.addAll(x.extract(e)));
    return out;
  }

  @Test
  void aClusterlessPodsAddressAndNodeAreRestatedInTheTaggedClusterAndAccount() {
    List<EntityBinding> audit = extract("k8s_audit", "clusterless-audit-status.log", null);
    List<EntityBinding> inventory = extract("aws_ec2_instances", "ec2-describe-instances.json", A);
    List<EntityBinding> waiting = audit.stream().filter(b -> NodeClusters.node(b) != null).toList();
    assertThat(waiting).extracting(EntityBinding::getKind).contains("ip_pod", "pod_node");
    assertThat(waiting).allSatisfy(b -> assertThat(NodeClusters.node(b)).isEqualTo("ip-10-0-2-20"));
    List<EntityBinding> nodes = inventory.stream().filter(NodeClusters::isInventory).toList();
    assertThat(nodes).singleElement().satisfies(n -> assertThat(NodeClusters.node(n)).isEqualTo("ip-10-0-2-20"));
    List<EntityBinding> out = NodeClusters.decide(new BindingExtractor(), waiting, nodes);
    EntityBinding ip = out.stream().filter(b -> b.getKind().equals("ip_pod")).findFirst().orElseThrow();
    assertThat(ip.getSubject().getScope()).isEqualTo("aws:" + A);
    assertThat(ip.getObject().getScope()).isEqualTo("k8s:prod");
    assertThat(ip.getAttributes()).containsEntry("cluster", "prod").containsEntry("account_uid", A)
        .containsEntry("instance_uid", "i-0ec2000000000001");
    assertThat(LookupKeys.of(ip)).contains("ip|aws:" + A + "|10.0.2.77", "ip|k8s:prod|10.0.2.77");
    EntityBinding node = out.stream().filter(b -> b.getKind().equals("node_instance")).findFirst().orElseThrow();
    assertThat(LookupKeys.of(node)).contains("node|k8s:|ip-10-0-2-20");
    assertThat(node.getAttributes()).containsEntry("cluster", "prod");
    // the same node name in another account's inventory: ambiguous, nothing
    EntityBinding other = nodes.get(0);
    Map<String, String> a = new java.util.LinkedHashMap<>(other.getAttributes());
    a.put("account_uid", "999999999999");
    EntityBinding second = EntityBinding.newBuilder(other).setBindingId("other").setAttributes(a).build();
    assertThat(NodeClusters.decide(new BindingExtractor(), waiting, List.of(other, second))).isEmpty();
  }
}
