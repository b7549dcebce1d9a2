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
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Container ends close what the container held, from the end events themselves (fixtures/correlate/README.md,
 * node-docker-*.jsonl): Docker's {@code die} names no address, yet 172.17.0.5 is batch-a's before its die, nobody's
 * between the die and batch-b's start, batch-b's after; the pod sandbox's die frees shop/cache-0's 10.0.1.77. The
 * same answers and facts whether the ends arrive before or after the state that names the addresses.
 *
 * <p>The same for each runtime whose evidence the project reads: Podman (events file {@code died} / {@code cleanup}
 * / {@code remove}; the address from {@code podman inspect}, read as {@code docker_inspect}) and the CRI (containerd
 * / CRI-O through {@code crictl inspect}: a {@code CONTAINER_EXITED} status's {@code finishedAt} ends the container's
 * pod and image bindings; its restart is a new container of the same pod).
 */
class ContainerEndCorrelationTest {
  @RegisterExtension
  static final MiniClusterExtension FLINK =
      TestMiniCluster.extension(2);

  static final String A = "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90";
  static final String B = "b7c8d9e0f1a2b3c4d5e6f708192a3b4cb7c8d9e0f1a2b3c4d5e6f708192a3b4c";
  static final String SANDBOX = "5a5b5c5d5e5f606162636465666768697071727374757677787970717273747f";
  static final List<EvidenceEvent> INSPECT =
      CorrelationScenario.parse("docker_inspect", "node-docker-inspect.jsonl", "prod", ACCOUNT_PROD);
  static final List<EvidenceEvent> EVENTS =
      CorrelationScenario.parse("docker_events", "node-docker-events.jsonl", "prod", ACCOUNT_PROD);

  /** A connection from the Docker bridge address seen on the node (host-scoped lookup). */
  static EvidenceEvent onBridge(String id, String time) {
    return onHostNetwork(id, "172.17.0.5", time);
  }

  /** A connection from a container network address {@code ip} seen on the node (host-scoped lookup). */
  static EvidenceEvent onHostNetwork(String id, String ip, String time) {
    EvidenceEvent e = CorrelationScenario.flow(id, ACCOUNT_PROD, "vpc-0aaa", "eni-0aaa1", INSTANCE, ip,
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
    return run(input, CorrelateJob.StateSettings.bounded());
  }

  static Result run(List<EvidenceEvent> input, CorrelateJob.StateSettings settings) throws Exception {
    CorrelateJobTest.Correlated c = CorrelateJobTest.correlate(input, "container-end-test", settings);
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

  /**
   * A container whose pod only a sensor named (a Falco alert with its k8s fields: container -> pod, no node), and
   * whose later alerts name only its id and no host (shipped off the node), around its pod's delete (prod-audit.log:
   * payments/api-7d9f on ip-10-0-1-10 deleted at 10:10, grace 0), in both arrival orders: within the pod's life the
   * alert has its pod and, through the pod, its node; 30 s after the delete (the container's late lines) still both
   * (BindingKind.afterEndMicros: a pod answers for its node 5 min after its end; before, no node); 15 min after, its
   * pod (its container id names nobody else) but no node (the pod is gone; a StatefulSet may reuse its name).
   */
  @Test
  void aContainersEventsRightAfterItsPodsDeleteNameItsPodAndNode() throws Exception {
    CorrelationScenario s = new CorrelationScenario();
    EvidenceEvent alert = s.falco.get(0);
    String x = "9e" + "1d".repeat(31);
    EvidenceEvent named = late(alert, "falco-100500", "2026-11-20T10:05:00Z", x, true);
    EvidenceEvent justAfter = late(alert, "falco-101030", "2026-11-20T10:10:30Z", x, false);
    EvidenceEvent longAfter = late(alert, "falco-102500", "2026-11-20T10:25:00Z", x, false);
    for (boolean alertsFirst : new boolean[] {false, true}) {
      List<EvidenceEvent> all = new ArrayList<>();
      if (alertsFirst) all.addAll(List.of(named, justAfter, longAfter));
      all.addAll(s.prodAudit);
      if (!alertsFirst) all.addAll(List.of(named, justAfter, longAfter));
      Result r = run(all);
      for (EvidenceEvent e : List.of(named, justAfter, longAfter)) {
        Enrichment en = r.latest().get(e.getEventId());
        assertThat(en.getNamespace() + "/" + en.getPodName()).as("%s, alerts first: %s", e.getTime(), alertsFirst)
            .isEqualTo("payments/api-7d9f");
        assertThat(en.getContainerUid()).isEqualTo(x);
      }
      assertThat(r.latest().get(named.getEventId()).getNodeName()).isEqualTo(NODE);
      assertThat(r.latest().get(justAfter.getEventId()).getNodeName()).as("30 s after the delete").isEqualTo(NODE);
      assertThat(r.latest().get(longAfter.getEventId()).getNodeName()).as("15 min after the delete").isNull();
    }
  }

  /** {@code e} as reported at {@code time} for container {@code id}, with its pod's k8s fields or none, no host. */
  static EvidenceEvent late(EvidenceEvent e, String eventId, String time, String id, boolean withPod) {
    return EvidenceEvent.newBuilder(e).setEventId(eventId).setTime(java.time.Instant.parse(time)).setEnrichment(null)
        .setDevice(null)
        .setContainer(dev.strata.schema.event.Container.newBuilder(e.getContainer()).setUid(id).build())
        .setKubernetes(withPod ? dev.strata.schema.event.Kubernetes.newBuilder().setCluster("prod")
            .setNamespace("payments").setPodName("api-7d9f").build() : null)
        .build();
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

  // ------------------------------------------------------------------------------------------------- Podman

  static final String PODMAN_A = "d0d1d2d3d4d5d6d7d8d9dadbdcdddedfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf";
  static final String PODMAN_B = "e0e1e2e3e4e5e6e7e8e9eaebecedeeefe0e1e2e3e4e5e6e7e8e9eaebecedeeef";
  static final List<EvidenceEvent> PODMAN_INSPECT =
      CorrelationScenario.parse("docker_inspect", "node-podman-inspect.jsonl", "prod", ACCOUNT_PROD);
  static final List<EvidenceEvent> PODMAN_EVENTS =
      CorrelationScenario.parse("podman_events", "node-podman-events.jsonl", "prod", ACCOUNT_PROD);
  static final EvidenceEvent PODMAN_BEFORE_DIE = onHostNetwork("podman-1004", "10.88.0.7", "2026-11-20T10:04:00Z");
  static final EvidenceEvent PODMAN_AFTER_DIE = onHostNetwork("podman-100510", "10.88.0.7", "2026-11-20T10:05:10Z");
  static final EvidenceEvent PODMAN_NEXT_HOLDER = onHostNetwork("podman-1006", "10.88.0.7", "2026-11-20T10:06:00Z");

  @Test
  void podmanDiedCleanupAndRemoveCloseWhatTheContainerHeldWhateverTheArrivalOrder() throws Exception {
    assertThat(PODMAN_EVENTS).extracting(EvidenceEvent::getActivityName)
        .containsExactly("create", "init", "start", "kill", "died", "cleanup", "remove", "create", "start");
    assertThat(PODMAN_EVENTS).allSatisfy(e -> assertThat(e.getSrcEndpoint()).as("podman events name no address")
        .isNull());
    List<EvidenceEvent> probes = List.of(PODMAN_BEFORE_DIE, PODMAN_AFTER_DIE, PODMAN_NEXT_HOLDER);
    Map<String, EntityBinding> reference = inBothOrders(PODMAN_INSPECT, probes, PODMAN_EVENTS, r -> {
      assertThat(r.latest().get(PODMAN_BEFORE_DIE.getEventId()).getContainerUid())
          .startsWith(PODMAN_A.substring(0, 12));
      assertThat(r.latest().get(PODMAN_AFTER_DIE.getEventId()).getContainerUid())
          .as("between web-a's died (10:05:00.5) and web-b's start (10:05:30)").isNull();
      assertThat(r.latest().get(PODMAN_NEXT_HOLDER.getEventId()).getContainerUid())
          .startsWith(PODMAN_B.substring(0, 12));
    });
    List<EntityBinding> address = reference.values().stream()
        .filter(b -> b.getKind().equals("ip_container") && b.getSubject().getKey().equals("10.88.0.7"))
        .sorted(Comparator.comparing(EntityBinding::getValidFrom)).toList();
    assertThat(address).as("web-a until its died, then web-b")
        .extracting(b -> b.getObject().getKey().substring(0, 12), b -> String.valueOf(b.getValidTo()),
            EntityBinding::getEndObserved)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(PODMAN_A.substring(0, 12), "2026-11-20T10:05:00.500Z", true),
            org.assertj.core.groups.Tuple.tuple(PODMAN_B.substring(0, 12), "null", false));
    List<BindingEvidence> closings =
        address.get(0).getEvidence().stream().filter(BindingEvidence::getClosing).toList();
    assertThat(closings).as("died, then cleanup and remove repeating it").hasSize(3)
        .extracting(BindingEvidence::getSourceFormat).containsOnly("podman_events");
    assertThat(closings.get(0).getLineage().getEventId()).isEqualTo(PODMAN_EVENTS.get(4).getEventId());
    EntityBinding image = reference.values().stream()
        .filter(b -> b.getKind().equals("container_image") && b.getSubject().getKey().equals(PODMAN_A))
        .findFirst().orElseThrow();
    assertThat(image.getValidTo()).as("web-a's image binding ends with it").hasToString("2026-11-20T10:05:00.500Z");
    assertThat(reference.values()).as("no closing statement is left a fact of its own")
        .noneMatch(b -> b.getValidFrom().equals(b.getValidTo()));
  }

  // ------------------------------------------------------------------------------------- CRI (crictl inspect)

  static final String CRI_EXITED = "f0f1f2f3f4f5f6f7f8f9fafbfcfdfefff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";
  static final String CRI_RESTARTED = "a0a1a2a3a4a5a6a7a8a9aaabacadaeafa0a1a2a3a4a5a6a7a8a9aaabacadaeaf";
  static final List<EvidenceEvent> CRICTL =
      CorrelationScenario.parse("crictl_inspect", "node-crictl-inspect.json", "prod", ACCOUNT_PROD);

  /** A runtime sensor's alert that names only the container (Falco without k8s metadata). */
  static EvidenceEvent alertIn(String id, String container, String time) {
    EvidenceEvent e = onHostNetwork(id, "10.0.1.99", time);
    e.setSourceFormat("falco_alert");
    e.setSrcEndpoint(null);
    e.setContainer(new dev.strata.schema.event.Container(container, null, null, null, null, null));
    return e;
  }

  static final EvidenceEvent CRI_BEFORE_EXIT = alertIn("cri-1004", CRI_EXITED, "2026-11-20T10:04:00Z");
  static final EvidenceEvent CRI_AFTER_EXIT = alertIn("cri-1006", CRI_EXITED, "2026-11-20T10:06:00Z");
  static final EvidenceEvent CRI_RESTARTED_ALERT = alertIn("cri-restarted-1006", CRI_RESTARTED,
      "2026-11-20T10:06:00Z");

  @Test
  void criContainerExitedClosesItsPodAndImageBindingsAtFinishedAtWhateverTheArrivalOrder() throws Exception {
    assertThat(CRICTL).extracting(EvidenceEvent::getActivityName)
        .containsExactly("created", "started", "finished", "created", "started");
    List<EvidenceEvent> finished = CRICTL.stream().filter(e -> "finished".equals(e.getActivityName())).toList();
    List<EvidenceEvent> rest = CRICTL.stream().filter(e -> !"finished".equals(e.getActivityName())).toList();
    List<EvidenceEvent> probes = List.of(CRI_BEFORE_EXIT, CRI_AFTER_EXIT, CRI_RESTARTED_ALERT);
    Map<String, EntityBinding> reference = inBothOrders(rest, probes, finished, r -> {
      Enrichment before = r.latest().get(CRI_BEFORE_EXIT.getEventId());
      assertThat(before.getNamespace() + "/" + before.getPodName()).isEqualTo("shop/api-0");
      assertThat(before.getImageDigest()).isEqualTo("sha256:" + "e5".repeat(32));
      Enrichment after = r.latest().get(CRI_AFTER_EXIT.getEventId());
      // a container id is never reused: what names the exited container after its finishedAt is still that
      // container's, in its pod, of its image (BindingKind.keptAfterEnd; until session 10 it was nobody's)
      assertThat(after.getPodName()).as("the exited container after its finishedAt").isEqualTo("api-0");
      assertThat(after.getImageDigest()).isEqualTo("sha256:" + "e5".repeat(32));
      assertThat(r.latest().get(CRI_RESTARTED_ALERT.getEventId()).getPodName()).as("its restart, a new container")
          .isEqualTo("api-0");
    });
    for (String kind : List.of("container_pod", "container_image")) {
      EntityBinding fact = reference.values().stream()
          .filter(b -> b.getKind().equals(kind) && b.getSubject().getKey().equals(CRI_EXITED)).findFirst()
          .orElseThrow();
      assertThat(fact.getValidFrom()).as(kind).hasToString("2026-11-20T10:00:00Z");
      assertThat(fact.getValidTo()).as(kind).hasToString("2026-11-20T10:05:00Z");
      assertThat(fact.getEndObserved()).isTrue();
      assertThat(fact.getEvidence().stream().filter(BindingEvidence::getClosing))
          .extracting(x -> x.getLineage().getEventId()).containsExactly(finished.get(0).getEventId());
    }
    assertThat(reference.values().stream()
        .filter(b -> b.getKind().equals("container_pod") && b.getSubject().getKey().equals(CRI_RESTARTED)))
        .singleElement().satisfies(b -> assertThat(b.getValidTo()).isNull());
  }

  /**
   * Runs the correlation with the ends last (state, probes, ends) and first (ends, probes, state), checks the probes'
   * answers of each run, and that both runs give the same facts; returns them.
   */
  static Map<String, EntityBinding> inBothOrders(List<EvidenceEvent> state, List<EvidenceEvent> probes,
      List<EvidenceEvent> ends, org.assertj.core.api.ThrowingConsumer<Result> answers) throws Exception {
    Map<String, EntityBinding> facts = null;
    for (List<List<EvidenceEvent>> order : List.of(List.of(state, probes, ends), List.of(ends, probes, state))) {
      List<EvidenceEvent> all = new ArrayList<>();
      order.forEach(all::addAll);
      Result r = run(all);
      answers.accept(r);
      if (facts == null) facts = r.facts();
      else assertThat(strip(r.facts())).isEqualTo(strip(facts));
    }
    return facts;
  }

  /** Facts without their write revision (which counts writes and depends on the arrival order). */
  static Map<String, String> strip(Map<String, EntityBinding> facts) {
    return facts.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> {
      EntityBinding b = EntityBinding.newBuilder(e.getValue()).setRevision(0).build();
      return b.toString();
    }));
  }
}
