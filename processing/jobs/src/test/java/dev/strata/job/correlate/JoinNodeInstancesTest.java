package dev.strata.job.correlate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.correlate.Attr;
import dev.strata.correlate.BindingExtractor;
import dev.strata.correlate.CorrelationScenario;
import dev.strata.correlate.NodeInstances;
import dev.strata.schema.correlate.EntityBinding;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * {@code join-node-instances} alone, on the extractor's statements of the correlation scenario's audit log (the Node
 * object of ip-10-0-1-10, whose provider id names the instance, and payments/api-7d9f's pod records): the statements
 * that name the node are restated with its instance whether the Node comes first (at once, nothing kept) or last (each
 * passed on as it is, held in its compact form, restated when the Node comes, the list emptied); a waiting statement
 * is held for the lateness retention after it came, no longer.
 */
class JoinNodeInstancesTest {
  static final CorrelationScenario S = new CorrelationScenario();
  static final long RETENTION_MS = Duration.ofMinutes(20).toMillis();

  static final List<EntityBinding> STATED = statements();
  static final EntityBinding NODE =
      STATED.stream().filter(NodeInstances::isNodeInstance).findFirst().orElseThrow();
  static final List<EntityBinding> WAITING = STATED.stream().filter(NodeInstances::waitsForInstance)
      .filter(b -> NodeInstances.node(b).equals(NodeInstances.node(NODE))).toList();

  static List<EntityBinding> statements() {
    BindingExtractor x = new BindingExtractor();
    return S.prodAudit.stream().flatMap(e -> x.extract(e).stream()).toList();
  }

  KeyedOneInputStreamOperatorTestHarness<String, Tuple2<String, byte[]>, EntityBinding> harness(long retentionMs)
      throws Exception {
    var h = new KeyedOneInputStreamOperatorTestHarness<>(
        new KeyedProcessOperator<>(new JoinNodeInstances(retentionMs, Duration.ofMinutes(60).toMillis())),
        (Tuple2<String, byte[]> m) -> m.f0, Types.STRING);
    h.setup(dev.strata.job.CorrelateJob.BINDING.createSerializer(
        new org.apache.flink.api.common.serialization.SerializerConfigImpl()));
    h.open();
    return h;
  }

  static void send(KeyedOneInputStreamOperatorTestHarness<String, Tuple2<String, byte[]>, EntityBinding> h,
      EntityBinding b) throws Exception {
    List<Tuple2<String, byte[]>> out = new ArrayList<>();
    JoinNodeInstances.Members members = new JoinNodeInstances.Members();
    members.open(null);
    members.flatMap(b, new org.apache.flink.api.common.functions.util.ListCollector<>(out));
    for (Tuple2<String, byte[]> m : out) h.processElement(new StreamRecord<>(m, 0L));
  }

  static List<EntityBinding> output(
      KeyedOneInputStreamOperatorTestHarness<String, Tuple2<String, byte[]>, EntityBinding> h) {
    return h.extractOutputValues();
  }

  static List<String> restatedIds() {
    String instance = NODE.getObject().getKey();
    return WAITING.stream().map(b -> NodeInstances.withInstance(b, instance).getBindingId()).toList();
  }

  @Test
  void theNodeFirstRestatesAtOnceAndKeepsNothing() throws Exception {
    assertThat(WAITING).extracting(EntityBinding::getKind).contains("pod_node", "ip_pod", "ip_node");
    try (var h = harness(Long.MAX_VALUE)) {
      send(h, NODE);
      for (EntityBinding b : WAITING) send(h, b);
      assertThat(output(h)).extracting(EntityBinding::getBindingId).containsExactlyElementsOf(restatedIds());
      assertThat(output(h))
          .allMatch(r -> CorrelationScenario.INSTANCE.equals(r.getAttributes().get(Attr.INSTANCE_UID)));
      assertThat(waitingCount(h)).isZero();
    }
  }

  @Test
  void theNodeLastGetsEachStatementAsItIsThenItsRestatement() throws Exception {
    try (var h = harness(Long.MAX_VALUE)) { // bounded runs: no TTL
      for (EntityBinding b : WAITING) send(h, b);
      assertThat(output(h)).as("passed on as they are").containsExactlyElementsOf(WAITING);
      assertThat(waitingCount(h)).isEqualTo(WAITING.size());
      send(h, NODE);
      List<EntityBinding> out = output(h);
      List<EntityBinding> restated = out.subList(WAITING.size(), out.size());
      assertThat(restated).extracting(EntityBinding::getBindingId).containsExactlyElementsOf(restatedIds());
      // the restatement of what was held in the compact form is the one the Node-first order gives
      String instance = NODE.getObject().getKey();
      assertThat(restated).containsExactlyElementsOf(
          WAITING.stream().map(b -> NodeInstances.withInstance(b, instance)).toList());
      assertThat(waitingCount(h)).as("the list emptied").isZero();
    }
  }

  @Test
  void aWaitingStatementIsHeldForTheRetentionAfterItCameNoLonger() throws Exception {
    try (var h = harness(RETENTION_MS)) {
      h.setStateTtlProcessingTime(1_000);
      send(h, WAITING.get(0));
      h.setStateTtlProcessingTime(1_000 + RETENTION_MS / 2);
      for (EntityBinding b : WAITING.subList(1, WAITING.size())) send(h, b);
      h.setStateTtlProcessingTime(1_000 + RETENTION_MS + 1);
      send(h, NODE);
      List<EntityBinding> out = output(h);
      assertThat(out.subList(WAITING.size(), out.size())).as("the first expired, the others restated")
          .extracting(EntityBinding::getBindingId).containsExactlyElementsOf(restatedIds().subList(1, WAITING.size()));
    }
  }

  /** The statements the list holds for the scenario's node (a harness without TTL: bounded retention). */
  static int waitingCount(KeyedOneInputStreamOperatorTestHarness<String, Tuple2<String, byte[]>, EntityBinding> h)
      throws Exception {
    h.getOperator().getKeyedStateBackend().setCurrentKey(NodeInstances.node(NODE));
    int n = 0;
    Iterable<byte[]> held = h.getOperator().getKeyedStateBackend().getPartitionedState(
        org.apache.flink.runtime.state.VoidNamespace.INSTANCE,
        org.apache.flink.runtime.state.VoidNamespaceSerializer.INSTANCE,
        new org.apache.flink.api.common.state.ListStateDescriptor<>(JoinNodeInstances.WAITING,
            org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO)).get();
    if (held != null) for (byte[] ignored : held) n++;
    return n;
  }
}
