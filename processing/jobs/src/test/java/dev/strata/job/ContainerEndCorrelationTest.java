package dev.strata.job;

import static dev.strata.correlate.CorrelationScenario.ACCOUNT_PROD;
import static dev.strata.correlate.CorrelationScenario.INSTANCE;
import static dev.strata.correlate.CorrelationScenario.NODE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.correlate.CorrelationScenario;
import dev.strata.schema.correlate.BindingEvidence;
import dev.strata.schema.correlate.EntityBinding;
import dev.strata.schema.event.Device;
import dev.strata.schema.event.Enrichment;
import dev.strata.schema.event.EvidenceEvent;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Container ends close what the container held, from the end events themselves (fixtures/correlate/README.md,
 * node-docker-*.jsonl): Docker's {@code die} names no address, yet 172.17.0.5 is batch-a's before its die, nobody's
 * between the die and batch-b's start, batch-b's after; the pod sandbox's die frees shop/cache-0's 10.0.1.77. The
 * same answers and facts whether the ends arrive before or after the state that names the addresses.
 */
class ContainerEndCorrelationTest {
  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2)
              .build());

  static final String A = "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90";
  static final String B = "b7c8d9e0f1a2b3c4d5e6f708192a3b4cb7c8d9e0f1a2b3c4d5e6f708192a3b4c";
  static final String SANDBOX = "5a5b5c5d5e5f606162636465666768697071727374757677787970717273747f";
  static final List<EvidenceEvent> INSPECT =
      CorrelationScenario.parse("docker_inspect", "node-docker-inspect.jsonl", "prod", ACCOUNT_PROD);
  static final List<EvidenceEvent> EVENTS =
      CorrelationScenario.parse("docker_events", "node-docker-events.jsonl", "prod", ACCOUNT_PROD);

  /** A connection from the Docker bridge address seen on the node (host-scoped lookup). */
  static EvidenceEvent onBridge(String id, String time) {
    EvidenceEvent e = CorrelationScenario.flow(id, ACCOUNT_PROD, "vpc-0aaa", "eni-0aaa1", INSTANCE, "172.17.0.5",
        "203.0.113.9", time);
    e.setCloud(null);
    e.setDevice(new Device(NODE, null, null));
    return e;
  }

  static final EvidenceEvent BRIDGE_BEFORE_DIE = onBridge("bridge-1004", "2026-11-20T10:04:00Z");
  static final EvidenceEvent BRIDGE_AFTER_DIE = onBridge("bridge-100510", "2026-11-20T10:05:10Z");
  static final EvidenceEvent BRIDGE_NEXT_HOLDER = onBridge("bridge-1006", "2026-11-20T10:06:00Z");
  static final EvidenceEvent POD_BEFORE_DIE = CorrelationScenario.flow("cache-1019", ACCOUNT_PROD, "vpc-0aaa",
      "eni-0aaa1", INSTANCE, "10.0.1.77", "203.0.113.9", "2026-11-20T10:19:00Z");
  static final EvidenceEvent POD_AFTER_DIE = CorrelationScenario.flow("cache-1021", ACCOUNT_PROD, "vpc-0aaa",
      "eni-0aaa1", INSTANCE, "10.0.1.77", "203.0.113.9", "2026-11-20T10:21:00Z");
  static final List<EvidenceEvent> PROBES =
      List.of(BRIDGE_BEFORE_DIE, BRIDGE_AFTER_DIE, BRIDGE_NEXT_HOLDER, POD_BEFORE_DIE, POD_AFTER_DIE);

  record Result(Map<String, Enrichment> latest, Map<String, EntityBinding> facts) {}

  static Result run(List<EvidenceEvent> input) throws Exception {
    CorrelateJobTest.Correlated c = CorrelateJobTest.correlate(input, "container-end-test");
    Map<String, Enrichment> latest = c.latest().entrySet().stream()
        .collect(Collectors.toMap(Map.Entry::getKey, x -> x.getValue().getEnrichment()));
    return new Result(latest, CorrelateJobTest.indexView(c.bindings()));
  }

  static List<EvidenceEvent> endsLast() {
    List<EvidenceEvent> all = new ArrayList<>(INSPECT);
    all.addAll(PROBES);
    all.addAll(EVENTS);
    return all;
  }

  static List<EvidenceEvent> endsFirst() {
    List<EvidenceEvent> all = new ArrayList<>(EVENTS);
    all.addAll(PROBES);
    all.addAll(INSPECT);
    return all;
  }

  @Test
  void anAddressReusedAfterAContainerDiedResolvesToTheOldHolderBeforeTheDieAndTheNewOneAfter() throws Exception {
    assertThat(EVENTS.stream().filter(e -> "die".equals(e.getActivityName()))).hasSize(2)
        .allSatisfy(e -> assertThat(e.getSrcEndpoint()).as("a die names no address").isNull());
    for (List<EvidenceEvent> order : List.of(endsLast(), endsFirst())) {
      Result r = run(order);
      assertThat(r.latest().get(BRIDGE_BEFORE_DIE.getEventId()).getContainerUid()).startsWith(A.substring(0, 12));
      assertThat(r.latest().get(BRIDGE_AFTER_DIE.getEventId()).getContainerUid())
          .as("between batch-a's die (10:05:00.5) and batch-b's start (10:05:30)").isNull();
      assertThat(r.latest().get(BRIDGE_NEXT_HOLDER.getEventId()).getContainerUid()).startsWith(B.substring(0, 12));
      Enrichment cache = r.latest().get(POD_BEFORE_DIE.getEventId());
      assertThat(cache.getNamespace() + "/" + cache.getPodName()).isEqualTo("shop/cache-0");
      assertThat(r.latest().get(POD_AFTER_DIE.getEventId()).getPodName()).as("after the sandbox died").isNull();
    }
  }

  @Test
  void theFactsEndAtTheDieWithTheEndEventsAsEvidenceWhateverTheArrivalOrder() throws Exception {
    Map<String, EntityBinding> last = run(endsLast()).facts();
    Map<String, EntityBinding> first = run(endsFirst()).facts();
    assertThat(strip(first)).isEqualTo(strip(last));
    List<EntityBinding> bridge = last.values().stream()
        .filter(b -> b.getKind().equals("ip_container") && b.getSubject().getKey().equals("172.17.0.5"))
        .sorted(Comparator.comparing(EntityBinding::getValidFrom)).toList();
    assertThat(bridge).as("batch-a until its die, then batch-b; no end-only fact for the stop")
        .extracting(b -> b.getObject().getKey().substring(0, 12), b -> String.valueOf(b.getValidTo()),
            EntityBinding::getEndObserved)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(A.substring(0, 12), "2026-11-20T10:05:00.500Z", true),
            org.assertj.core.groups.Tuple.tuple(B.substring(0, 12), "null", false));
    List<BindingEvidence> closings = bridge.get(0).getEvidence().stream().filter(BindingEvidence::getClosing).toList();
    assertThat(closings).extracting(BindingEvidence::getSourceFormat).containsOnly("docker_events");
    assertThat(closings).as("the die, and the stop that repeats it").hasSize(2);
    assertThat(closings.get(0).getLineage().getEventId())
        .isEqualTo(EVENTS.stream().filter(e -> "die".equals(e.getActivityName())).findFirst().orElseThrow()
            .getEventId());
    EntityBinding pod = last.values().stream()
        .filter(b -> b.getKind().equals("ip_pod") && b.getSubject().getKey().equals("10.0.1.77")).findFirst()
        .orElseThrow();
    assertThat(pod.getValidTo()).hasToString("2026-11-20T10:20:00Z");
    assertThat(pod.getEndObserved()).isTrue();
    EntityBinding sandboxPod = last.values().stream()
        .filter(b -> b.getKind().equals("container_pod") && b.getSubject().getKey().startsWith("5a5b5c5d5e5f"))
        .findFirst().orElseThrow();
    assertThat(sandboxPod.getValidTo()).as("closed by the die although its labels name no cluster")
        .hasToString("2026-11-20T10:20:00Z");
    assertThat(last.values()).as("no closing statement is left a fact of its own")
        .noneMatch(b -> b.getValidFrom().equals(b.getValidTo()));
  }

  /** Facts without their write revision (which counts writes and depends on the arrival order). */
  static Map<String, String> strip(Map<String, EntityBinding> facts) {
    return facts.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> {
      EntityBinding b = EntityBinding.newBuilder(e.getValue()).setRevision(0).build();
      return b.toString();
    }));
  }
}
