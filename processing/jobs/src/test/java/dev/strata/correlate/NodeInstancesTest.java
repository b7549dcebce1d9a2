package dev.strata.correlate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.schema.correlate.EntityBinding;
import dev.strata.schema.event.EvidenceEvent;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Which statements wait for their node's instance, where they meet the node's {@code node_instance}, which instance
 * they get and how they are restated ({@link NodeInstances}), on the statements the extractor gives for the correlation
 * scenario's audit log (the Node object of ip-10-0-1-10.ec2.internal, payments/api-7d9f's pod records).
 */
class NodeInstancesTest {
  static final CorrelationScenario S = new CorrelationScenario();

  static List<EntityBinding> statements(List<EvidenceEvent> events) {
    BindingExtractor x = new BindingExtractor();
    return events.stream().flatMap(e -> x.extract(e).stream()).toList();
  }

  @Test
  void thePodsStatementsNamingTheNodeWaitForItsInstanceAndMeetItsNodeInstanceAtTheNode() {
    List<EntityBinding> all = statements(S.prodAudit);
    List<EntityBinding> nodes = all.stream().filter(NodeInstances::isNodeInstance).toList();
    assertThat(nodes).isNotEmpty();
    List<EntityBinding> waiting = all.stream().filter(NodeInstances::waitsForInstance).toList();
    assertThat(waiting).extracting(EntityBinding::getKind).contains("pod_node", "ip_pod", "ip_node");
    // every member meets the node's statements under the same key, whatever form of the name it uses
    assertThat(waiting.stream().map(NodeInstances::node).distinct()).contains("prod|ip-10-0-1-10");
    assertThat(NodeInstances.node(nodes.get(0))).isEqualTo("prod|ip-10-0-1-10");
    // not: the Node's own statements (they carry the instance), ends, facts no lookup holds
    assertThat(all).filteredOn(b -> b.getAttributes().containsKey(Attr.INSTANCE_UID))
        .noneMatch(NodeInstances::waitsForInstance);
    assertThat(all).filteredOn(BindingExtractor::isClosing).noneMatch(NodeInstances::waitsForInstance);
    for (EntityBinding m : waiting) {
      if (!NodeInstances.node(m).equals("prod|ip-10-0-1-10")) continue;
      assertThat(NodeInstances.instanceFor(m, nodes)).as(m.getKind()).isEqualTo(CorrelationScenario.INSTANCE);
      EntityBinding r = NodeInstances.withInstance(m, CorrelationScenario.INSTANCE);
      assertThat(r.getAttributes()).containsEntry(Attr.INSTANCE_UID, CorrelationScenario.INSTANCE);
      assertThat(r.getBindingId()).isNotEqualTo(m.getBindingId())
          .isEqualTo(NodeInstances.withInstance(m, CorrelationScenario.INSTANCE).getBindingId());
      assertThat(r.getLineage()).isEqualTo(m.getLineage());
      assertThat(r.getValidFrom()).isEqualTo(m.getValidFrom());
      assertThat(r.getValidTo()).isEqualTo(m.getValidTo());
      assertThat(NodeInstances.waitsForInstance(r)).as("a restatement waits for nothing").isFalse();
    }
  }

  @Test
  void theInstanceInForceAtTheStatementsStartElseTheEarliestAfterIt() {
    EntityBinding pod = statements(S.prodAudit).stream().filter(b -> b.getKind().equals("pod_node")
        && NodeInstances.waitsForInstance(b)).findFirst().orElseThrow();
    Instant start = pod.getValidFrom();
    EntityBinding earlier = node("i-0aaa", start.minusSeconds(3600));
    EntityBinding later = node("i-0bbb", start.plusSeconds(60));
    EntityBinding latest = node("i-0ccc", start.plusSeconds(7200));
    assertThat(NodeInstances.instanceFor(pod, List.of(later, earlier, latest))).isEqualTo("i-0aaa");
    assertThat(NodeInstances.instanceFor(pod, List.of(latest, later))).as("none before: the earliest after")
        .isEqualTo("i-0bbb");
    assertThat(NodeInstances.instanceFor(pod, List.of())).isNull();
    // a Node deleted (a closing statement) names no instance
    EntityBinding deleted = EntityBinding.newBuilder(earlier).setValidTo(earlier.getValidFrom()).setEndObserved(true)
        .build();
    assertThat(NodeInstances.instanceFor(pod, List.of(deleted))).isNull();
  }

  static EntityBinding node(String instance, Instant from) {
    EntityBinding n = LookupKeysTest.nodeInstance("prod", CorrelationScenario.NODE, instance);
    return EntityBinding.newBuilder(n).setValidFrom(from).setBindingId(instance + from)
        .setAttributes(Map.of(Attr.INSTANCE_UID, instance)).build();
  }
}
