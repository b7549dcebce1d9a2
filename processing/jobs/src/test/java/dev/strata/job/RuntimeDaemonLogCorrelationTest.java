package dev.strata.job;

import static dev.strata.correlate.CorrelationScenario.ACCOUNT_PROD;
import static dev.strata.correlate.CorrelationScenario.INSTANCE;
import static dev.strata.job.ContainerEndCorrelationTest.alertIn;
import static dev.strata.job.ContainerEndCorrelationTest.inBothOrders;
import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.correlate.CorrelationScenario;
import dev.strata.schema.correlate.BindingEvidence;
import dev.strata.schema.correlate.EntityBinding;
import dev.strata.schema.event.Enrichment;
import dev.strata.schema.event.EvidenceEvent;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The container runtimes' own daemon logs as the record of container ends on Kubernetes nodes (fixtures/correlate/
 * README.md, node-containerd-journal.log and node-crio-journal.log): containerd's {@code TaskExit} (time = its {@code
 * exited_at}) ends the container's pod binding, the pod sandbox's {@code TaskExit in podsandbox handler} frees the
 * address its CNI result gave it, and the address given again to the next pod resolves to the old holder before
 * the exit and to the new one after; CRI-O's {@code Stopped container} ends its container. The same answers and facts
 * whether the ends arrive before or after the lines that state the bindings.
 */
class RuntimeDaemonLogCorrelationTest {
  @RegisterExtension
  static final MiniClusterExtension FLINK =
      TestMiniCluster.extension(2);

  static final Set<String> ENDS = Set.of("exited", "stopped", "removed");

  // ------------------------------------------------------------------------------------------------ containerd

  static final String CACHE_0 = "a7a8d2d3d4d5d6d7d8d9dadbdcdddedfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf";
  static final String CACHE_1 = "b0b1b2b3b4b5b6b7b8b9babbbcbdbebfb0b1b2b3b4b5b6b7b8b9babbbcbdbebf";
  static final String SANDBOX_0 = "c0c1c2c3c4c5c6c7c8c9cacbcccdcecfc0c1c2c3c4c5c6c7c8c9cacbcccdcecf";
  static final List<EvidenceEvent> CONTAINERD =
      CorrelationScenario.parse("containerd_daemon_log", "node-containerd-journal.log", "prod", ACCOUNT_PROD);

  static EvidenceEvent flowFrom77(String id, String time) {
    return CorrelationScenario.flow(id, ACCOUNT_PROD, "vpc-0aaa", "eni-0aaa1", INSTANCE, "10.0.1.77",
        "203.0.113.9", time);
  }

  static final EvidenceEvent FLOW_BEFORE_EXIT = flowFrom77("ctrd-flow-1019", "2026-11-20T10:19:00Z");
  static final EvidenceEvent FLOW_AFTER_EXIT = flowFrom77("ctrd-flow-1021", "2026-11-20T10:21:00Z");
  static final EvidenceEvent FLOW_NEXT_HOLDER = flowFrom77("ctrd-flow-1023", "2026-11-20T10:23:00Z");
  static final EvidenceEvent ALERT_BEFORE_EXIT = alertIn("ctrd-alert-1010", CACHE_0, "2026-11-20T10:10:00Z");
  static final EvidenceEvent ALERT_AFTER_EXIT = alertIn("ctrd-alert-1021", CACHE_0, "2026-11-20T10:21:00Z");
  static final EvidenceEvent ALERT_NEXT = alertIn("ctrd-alert-1023", CACHE_1, "2026-11-20T10:23:00Z");

  static List<EvidenceEvent> ends(List<EvidenceEvent> events) {
    return events.stream().filter(e -> ENDS.contains(e.getActivityName())).toList();
  }

  static List<EvidenceEvent> states(List<EvidenceEvent> events) {
    return events.stream().filter(e -> !ENDS.contains(e.getActivityName())).toList();
  }

  @Test
  void anAddressReusedAfterAContainerdTaskExitResolvesToTheOldHolderBeforeAndTheNewOneAfter() throws Exception {
    List<EvidenceEvent> exits = CONTAINERD.stream().filter(e -> "exited".equals(e.getActivityName())).toList();
    assertThat(exits).as("received exit event + TaskExit of cache-0's container, TaskExit of its sandbox")
        .extracting(e -> e.getContainer().getUid().substring(0, 12), e -> e.getTime().toString())
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(CACHE_0.substring(0, 12), "2026-11-20T10:20:00.350Z"),
            org.assertj.core.groups.Tuple.tuple(CACHE_0.substring(0, 12), "2026-11-20T10:20:00.350Z"),
            org.assertj.core.groups.Tuple.tuple(SANDBOX_0.substring(0, 12), "2026-11-20T10:20:01.500Z"));
    assertThat(exits).allSatisfy(e -> assertThat(e.getSrcEndpoint()).as("a TaskExit names no address").isNull());
    List<EvidenceEvent> probes = List.of(FLOW_BEFORE_EXIT, FLOW_AFTER_EXIT, FLOW_NEXT_HOLDER, ALERT_BEFORE_EXIT,
        ALERT_AFTER_EXIT, ALERT_NEXT);
    Map<String, EntityBinding> facts =
        inBothOrders(states(CONTAINERD), probes, ends(CONTAINERD), RuntimeDaemonLogCorrelationTest::containerdAnswers);
    List<EntityBinding> address = facts.values().stream()
        .filter(b -> b.getKind().equals("ip_pod") && b.getSubject().getKey().equals("10.0.1.77"))
        .sorted(Comparator.comparing(EntityBinding::getValidFrom)).toList();
    assertThat(address).as("cache-0 until its sandbox's TaskExit, then cache-1")
        .extracting(b -> b.getObject().getKey(), b -> String.valueOf(b.getValidTo()), EntityBinding::getEndObserved)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("shop/cache-0", "2026-11-20T10:20:01.500Z", true),
            org.assertj.core.groups.Tuple.tuple("shop/cache-1", "null", false));
    EvidenceEvent sandboxExit = ends(CONTAINERD).stream()
        .filter(e -> e.getContainer().getUid().equals(SANDBOX_0) && "exited".equals(e.getActivityName()))
        .findFirst().orElseThrow();
    assertThat(address.get(0).getEvidence().stream().filter(BindingEvidence::getClosing))
        .extracting(x -> x.getLineage().getEventId()).first().isEqualTo(sandboxExit.getEventId());
    EntityBinding pod = facts.values().stream()
        .filter(b -> b.getKind().equals("container_pod") && b.getSubject().getKey().equals(CACHE_0)).findFirst()
        .orElseThrow();
    assertThat(pod.getObject().getKey()).isEqualTo("shop/cache-0");
    assertThat(pod.getObject().getScope()).as("node-level evidence: the cluster from the context").isEqualTo("k8s:prod");
    assertThat(pod.getValidTo()).as("at the TaskExit's exited_at").hasToString("2026-11-20T10:20:00.350Z");
    assertThat(pod.getEndObserved()).isTrue();
    List<BindingEvidence> closings = pod.getEvidence().stream().filter(BindingEvidence::getClosing).toList();
    assertThat(closings).extracting(BindingEvidence::getSourceFormat).containsOnly("containerd_daemon_log");
    assertThat(facts.values()).as("no closing statement is left a fact of its own")
        .noneMatch(b -> b.getValidFrom().equals(b.getValidTo()));
  }

  static void containerdAnswers(ContainerEndCorrelationTest.Result r) {
    Enrichment before = r.latest().get(FLOW_BEFORE_EXIT.getEventId());
    assertThat(before.getNamespace() + "/" + before.getPodName()).isEqualTo("shop/cache-0");
    assertThat(r.latest().get(FLOW_AFTER_EXIT.getEventId()).getPodName())
        .as("between the sandbox's exit (10:20:01.5) and cache-1's network (10:22:00.5)").isNull();
    assertThat(r.latest().get(FLOW_NEXT_HOLDER.getEventId()).getPodName()).isEqualTo("cache-1");
    Enrichment alert = r.latest().get(ALERT_BEFORE_EXIT.getEventId());
    assertThat(alert.getNamespace() + "/" + alert.getPodName()).isEqualTo("shop/cache-0");
    assertThat(alert.getCluster()).isEqualTo("prod");
    // the exited container's id names nobody else, ever: what names it after its TaskExit is still cache-0's
    // container (BindingKind.keptAfterEnd); the address is free from the sandbox's exit (above)
    assertThat(r.latest().get(ALERT_AFTER_EXIT.getEventId()).getPodName())
        .as("cache-0's container after its TaskExit").isEqualTo("cache-0");
    assertThat(r.latest().get(ALERT_NEXT.getEventId()).getPodName()).isEqualTo("cache-1");
    // the container's own end is its last act in its pod (resolved just before the end it states), and its
    // teardown after it (StopContainer's result, RemoveContainer) is still its own
    int teardown = 0;
    for (EvidenceEvent line : CONTAINERD) {
      boolean after = "stopped".equals(line.getActivityName()) || "removed".equals(line.getActivityName());
      if (!"exited".equals(line.getActivityName()) && !(after && line.getContainer() != null
          && CACHE_0.equals(line.getContainer().getUid()))) {
        continue;
      }
      teardown += after ? 1 : 0;
      assertThat(r.latest().get(line.getEventId()).getPodName()).as(line.getMessage()).isEqualTo("cache-0");
    }
    assertThat(teardown).as("StopContainer .. returns successfully, RemoveContainer").isEqualTo(2);
  }

  /** What the facts say, without evidence, attributes and revisions: kind, subject, object, interval, end. */
  static List<String> intervals(Map<String, EntityBinding> facts, Set<String> kinds) {
    return facts.values().stream().filter(b -> kinds.contains(b.getKind()))
        .map(b -> String.join(" ", b.getKind(), b.getSubject().getScope(), b.getSubject().getKey(),
            b.getObject().getScope(), b.getObject().getKey(), String.valueOf(b.getValidFrom()),
            String.valueOf(b.getValidTo()), String.valueOf(b.getEndObserved())))
        .sorted().toList();
  }

  /**
   * The same node log cut into one-line chunks (the parse job parses each chunk alone; a real node log is many 512
   * KiB chunks, its sandboxes' RunPodSandbox lines hours or days before their containers' exits): no container line
   * names its pod, and the CNI result does not either; the job joins each container with its sandbox's pod
   * (container_sandbox + the sandbox's container_pod) and the address with the sandbox's pod, so the answers and
   * the container, address and image facts are those of the log parsed whole, whatever the arrival order.
   */
  @Test
  void aContainerGetsItsPodFromItsSandboxsLineInAnotherChunk() throws Exception {
    List<EvidenceEvent> lines =
        CorrelationScenario.parseInChunks("containerd_daemon_log", "node-containerd-journal.log", "prod", ACCOUNT_PROD, 1);
    assertThat(lines).hasSameSizeAs(CONTAINERD);
    List<EvidenceEvent> ofCache0 = lines.stream()
        .filter(e -> e.getContainer() != null && CACHE_0.equals(e.getContainer().getUid())).toList();
    assertThat(ofCache0).extracting(EvidenceEvent::getActivityName).contains("created", "started", "exited");
    assertThat(ofCache0).as("alone in its chunk, no container line knows its pod")
        .allSatisfy(e -> assertThat(e.getKubernetes() == null ? null : e.getKubernetes().getPodName()).isNull());
    List<EvidenceEvent> probes = List.of(FLOW_BEFORE_EXIT, FLOW_AFTER_EXIT, FLOW_NEXT_HOLDER, ALERT_BEFORE_EXIT,
        ALERT_AFTER_EXIT, ALERT_NEXT);
    Map<String, EntityBinding> chunked =
        inBothOrders(states(lines), probes, ends(lines), RuntimeDaemonLogCorrelationTest::containerdAnswers);
    Map<String, EntityBinding> whole = ContainerEndCorrelationTest.run(
        concat(states(CONTAINERD), probes, ends(CONTAINERD))).facts();
    Set<String> kinds = Set.of("container_pod", "ip_pod", "container_image", "container_sandbox", "pod_container");
    assertThat(intervals(chunked, kinds)).isEqualTo(intervals(whole, kinds))
        .anyMatch(f -> f.startsWith("container_sandbox  " + CACHE_0 + "  " + SANDBOX_0 + " 2026-11-20T10:00:01.300Z"))
        .anyMatch(f -> f.startsWith("pod_container k8s:prod shop/cache-0/cache  " + CACHE_0 + " 2026-11-20T10:00:01.300Z"
            + " 2026-11-20T10:20:00.350Z true"))
        .anyMatch(f -> f.startsWith("container_pod  " + CACHE_0 + " k8s:prod shop/cache-0 2026-11-20T10:00:01.300Z"
            + " 2026-11-20T10:20:00.350Z true"))
        .anyMatch(f -> f.startsWith("ip_pod aws:" + ACCOUNT_PROD + " 10.0.1.77 k8s:prod shop/cache-0"
            + " 2026-11-20T10:00:00.500Z 2026-11-20T10:20:01.500Z true"));
    EntityBinding pod = chunked.values().stream()
        .filter(b -> b.getKind().equals("container_pod") && b.getSubject().getKey().equals(CACHE_0)).findFirst()
        .orElseThrow();
    EvidenceEvent create = ofCache0.stream().filter(e -> "created".equals(e.getActivityName())).findFirst().orElseThrow();
    assertThat(pod.getEvidence()).as("stated by the CreateContainer line, closed by the TaskExit")
        .extracting(x -> x.getLineage().getEventId()).contains(create.getEventId());
    assertThat(pod.getAttributes()).containsEntry("container_name", "cache").containsEntry("pod_uid",
        "7e1c2b1e-0000-4000-8000-0000000000c0");
  }

  static List<EvidenceEvent> concat(List<EvidenceEvent> a, List<EvidenceEvent> b, List<EvidenceEvent> c) {
    List<EvidenceEvent> all = new java.util.ArrayList<>(a);
    all.addAll(b);
    all.addAll(c);
    return all;
  }

  // ------------------------------------------------------------------------------------------------------ CRI-O

  static final String WEB_0 = "f9f8f7f6f5f4f3f2f1f0fffefdfcfbfaf9f8f7f6f5f4f3f2f1f0fffefdfcfbfa";
  static final String WEB_0_RESTART = "9f8f7f6f5f4f3f2f1f0fffefdfcfbfaf9f8f7f6f5f4f3f2f1f0fffefdfcfbfaf";
  static final List<EvidenceEvent> CRIO =
      CorrelationScenario.parse("crio_daemon_log", "node-crio-journal.log", "prod", ACCOUNT_PROD);

  @Test
  void crioStoppedContainerEndsItsPodBindingWhateverTheArrivalOrder() throws Exception {
    EvidenceEvent before = alertIn("crio-alert-1004", WEB_0, "2026-11-20T10:04:00Z");
    EvidenceEvent after = alertIn("crio-alert-1006", WEB_0, "2026-11-20T10:06:00Z");
    EvidenceEvent restarted = alertIn("crio-alert-restart-1006", WEB_0_RESTART, "2026-11-20T10:06:00Z");
    Map<String, EntityBinding> facts = inBothOrders(states(CRIO), List.of(before, after, restarted), ends(CRIO), r -> {
      assertThat(r.latest().get(before.getEventId()).getPodName()).isEqualTo("web-0");
      assertThat(r.latest().get(after.getEventId()).getPodName()).as("after Stopped container: still its pod's")
          .isEqualTo("web-0");
      assertThat(r.latest().get(restarted.getEventId()).getPodName()).as("its restart, a new container")
          .isEqualTo("web-0");
    });
    EntityBinding pod = facts.values().stream()
        .filter(b -> b.getKind().equals("container_pod") && b.getSubject().getKey().equals(WEB_0)).findFirst()
        .orElseThrow();
    assertThat(pod.getValidFrom()).as("from Created container").hasToString("2026-11-20T10:00:01.400Z");
    assertThat(pod.getValidTo()).as("at Stopped container").hasToString("2026-11-20T10:05:00.500Z");
    assertThat(pod.getEvidence().stream().filter(BindingEvidence::getClosing))
        .extracting(BindingEvidence::getSourceFormat).containsOnly("crio_daemon_log").hasSize(2);
  }
}
