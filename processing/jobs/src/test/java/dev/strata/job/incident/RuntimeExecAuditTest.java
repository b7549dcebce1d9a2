package dev.strata.job.incident;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.schema.correlate.Incident;
import dev.strata.schema.correlate.TimelineRow;
import dev.strata.schema.event.Actor;
import dev.strata.schema.event.Api;
import dev.strata.schema.event.Container;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.event.Kubernetes;
import dev.strata.schema.event.Process;
import dev.strata.schema.event.Resource;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A runtime exec (Tetragon: a process whose parent is {@code runc exec}) judged against the audit log of its cluster
 * ({@link RuntimeExecAudit}): tied to a {@code pods/exec} of the same pod (its row names the user), or
 * {@code exec_without_api_record} when the audit log covers it and holds none, or undecided without audit evidence.
 * Synthetic events written for these tests after the kubelet scenario's shapes (a Tetragon exec of {@code id} whose
 * parent is runc with an {@code exec} argument; audit records of the same cluster around it).
 */
class RuntimeExecAuditTest {
  static final Instant T = Instant.parse("2026-11-21T10:03:41Z");
  static final String POD = "etl-worker-6d9f8b7c5-p2m4x";
  static final String EXEC_ARGS = "--root /run/containerd/runc/k8s.io --log-format json exec --process /tmp/runc-process1"
      + " --detach --pid-file /run/x.pid e7c0";

  /** Tetragon's process_exec of {@code binary} in the worker's container, started by {@code runc exec}. */
  static EvidenceEvent runtimeExec(String id, Instant t, String pod) {
    EvidenceEvent e = IncidentGrouperTest.base(id, t, "tetragon_event");
    e.setClassUid(1007);
    e.setClassName("Process Activity");
    e.setActivityId(1);
    e.setActivityName("Launch");
    e.setContainer(Container.newBuilder().setUid("e7c0" + "3f".repeat(30)).setName("worker").build());
    e.setProcess(Process.newBuilder().setName("id").setExecutable("/usr/bin/id").setCmdLine("/usr/bin/id")
        .setParentName("runc").build());
    e.getUnmapped().put("event_type", "process_exec");
    e.getUnmapped().put("parent.arguments", EXEC_ARGS);
    e.getUnmapped().put("process.pod.container.maybe_exec_probe", "false");
    e.setKubernetes(Kubernetes.newBuilder().setCluster("data-eks").setNamespace("analytics").setPodName(pod)
        .setNodeName("ip-10-72-14-203").build());
    return e;
  }

  /** An audit record of cluster data-eks: {@code verb} on {@code resource} ({@code ns/name/sub}) by {@code user}. */
  static EvidenceEvent audit(String id, Instant t, String user, String verb, String resource, String name, String sub,
      int code) {
    EvidenceEvent e = IncidentGrouperTest.base(id, t, "k8s_audit");
    e.setClassUid(6003);
    e.setClassName("API Activity");
    e.setActor(Actor.newBuilder().setUserName(user).build());
    e.setApi(Api.newBuilder().setOperation(verb).setResponseCode(code).build());
    e.setResources(new ArrayList<>(List.of(Resource.newBuilder().setType(resource).setNamespace("analytics")
        .setName(name).setSubresource(sub).build())));
    e.setKubernetes(Kubernetes.newBuilder().setCluster("data-eks").build());
    return e;
  }

  /** A routine request of the controller manager: coverage only. */
  static EvidenceEvent routine(String id, Instant t) {
    return audit(id, t, "system:kube-controller-manager", "update", "leases", "kube-controller-manager", null, 200);
  }

  static EvidenceEvent kubectlExec(String id, Instant t, String user, String pod, int code) {
    return audit(id, t, user, "create", "pods", pod, "exec", code);
  }

  /** The members after every event was accepted and the input ended (a flush at MAX). */
  static InMemoryTenantStore judged(List<EvidenceEvent> events) throws Exception {
    return judged(events, IncidentSettings.defaults());
  }

  static InMemoryTenantStore judged(List<EvidenceEvent> events, IncidentSettings settings) throws Exception {
    IncidentEngine engine = new IncidentEngine(settings);
    InMemoryTenantStore store = new InMemoryTenantStore();
    for (EvidenceEvent e : events) engine.accept(store, e);
    engine.flush(store, EntityKeys.tenant(events.get(0)), Long.MAX_VALUE);
    return store;
  }

  static TimelineRow row(List<Incident> incidents, String eventId) {
    for (Incident i : incidents) {
      for (TimelineRow r : i.getTimeline()) if (r.getEventId().equals(eventId)) return r;
    }
    return null;
  }

  @Test
  void aKubectlExecOfThePodIsNoSignalOfItsOwnAndTheRowNamesTheUser() throws Exception {
    List<EvidenceEvent> events = List.of(routine("r1", T.minusSeconds(300)),
        kubectlExec("api", T.minusMillis(800), "alice@example.com", POD, 101),
        runtimeExec("rt", T, POD), routine("r2", T.plusSeconds(300)));
    Member m = judged(events).member("rt");
    assertThat(m.reason()).isEqualTo("tetragon_runtime_exec");
    assertThat(m.severityId()).isEqualTo(3);
    assertThat(m.execKey()).startsWith("exec-api|data-eks|analytics/" + POD + "|");
    List<Incident> incs = IncidentEngine.incidentsOf(events, IncidentSettings.defaults());
    assertThat(incs).hasSize(1); // the API exec (a human's: a signal) and the runtime exec share the pod
    TimelineRow r = row(incs, "rt");
    assertThat(r.getSummary()).contains("(pods/exec by alice@example.com at 2026-11-21T10:03:40Z)");
    assertThat(r.getSeverityId()).isEqualTo(3);
    // a pods/attach explains it as well; a service account's exec names the account
    m = judged(List.of(routine("r1", T.minusSeconds(300)),
        audit("att", T.minusSeconds(2), "system:serviceaccount:ci:runner", "create", "pods", POD, "attach", 101),
        runtimeExec("rt", T, POD), routine("r2", T.plusSeconds(300)))).member("rt");
    assertThat(m.reason()).isEqualTo("tetragon_runtime_exec");
    assertThat(m.summary()).contains("(pods/attach by system:serviceaccount:ci:runner at ");
  }

  @Test
  void noApiExecWhileTheAuditLogCoversTheExecIsASignal() throws Exception {
    Member m = judged(List.of(routine("r1", T.minusSeconds(300)), runtimeExec("rt", T, POD),
        routine("r2", T.plusSeconds(300)))).member("rt");
    assertThat(m.reason()).isEqualTo(RuntimeExecAudit.REASON);
    assertThat(m.severityId()).isEqualTo(4);
    assertThat(m.signal()).isTrue();
    assertThat(m.summary()).contains("no pods/exec of analytics/" + POD + " in cluster data-eks's audit log");
    // what does not explain it: another pod's exec, an exec outside the bound, a refused exec
    for (EvidenceEvent api : List.of(kubectlExec("other", T.minusSeconds(1), "alice", "report-api-5c7b9d8f6-t4r8w", 101),
        kubectlExec("early", T.minusSeconds(40), "alice", POD, 101),
        kubectlExec("late", T.plusSeconds(20), "alice", POD, 101),
        kubectlExec("denied", T.minusSeconds(1), "alice", POD, 403))) {
      m = judged(List.of(routine("r1", T.minusSeconds(300)), api, runtimeExec("rt", T, POD),
          routine("r2", T.plusSeconds(300)))).member("rt");
      assertThat(m.reason()).as(api.getEventId()).isEqualTo(RuntimeExecAudit.REASON);
    }
    // the node's clock a few seconds behind the API server's: the exec's record comes "after" it, still its own
    m = judged(List.of(routine("r1", T.minusSeconds(300)), kubectlExec("skew", T.plusSeconds(4), "alice", POD, 101),
        runtimeExec("rt", T, POD), routine("r2", T.plusSeconds(300)))).member("rt");
    assertThat(m.reason()).isEqualTo("tetragon_runtime_exec");
  }

  /**
   * {@code incident.exec_audit_bound} and {@code incident.exec_audit_coverage} as settings, both ways: a request 25 s
   * before the exec explains it only with a bound of 30 s; with a 60 s bound the records 40 s around it no longer cover
   * it; with a coverage of 2 min records 5 min away do not cover it (a gap), with 10 min they do.
   */
  @Test
  void theBoundAndTheCoverageAreSettings() throws Exception {
    List<EvidenceEvent> slow = List.of(routine("r1", T.minusSeconds(300)),
        kubectlExec("api", T.minusSeconds(25), "alice", POD, 101), runtimeExec("rt", T, POD),
        routine("r2", T.plusSeconds(300)));
    assertThat(judged(slow).member("rt").reason()).as("default 15 s").isEqualTo(RuntimeExecAudit.REASON);
    IncidentSettings wide = IncidentSettings.defaults().withExecAudit(java.time.Duration.ofSeconds(30), null);
    Member m = judged(slow, wide).member("rt");
    assertThat(m.reason()).as("30 s").isEqualTo("tetragon_runtime_exec");
    assertThat(m.summary()).contains("(pods/exec by alice at ");
    List<EvidenceEvent> near = List.of(routine("r1", T.minusSeconds(40)), runtimeExec("rt", T, POD),
        routine("r2", T.plusSeconds(40)));
    assertThat(judged(near).member("rt").reason()).isEqualTo(RuntimeExecAudit.REASON);
    assertThat(judged(near, IncidentSettings.defaults().withExecAudit(java.time.Duration.ofSeconds(60), null))
        .member("rt").execKey()).as("60 s: records 40 s away do not cover").startsWith("exec|");
    List<EvidenceEvent> far = List.of(routine("r1", T.minusSeconds(300)), runtimeExec("rt", T, POD),
        routine("r2", T.plusSeconds(300)));
    assertThat(judged(far, IncidentSettings.defaults().withExecAudit(null, java.time.Duration.ofMinutes(2)))
        .member("rt").execKey()).as("a gap longer than the coverage").startsWith("exec|");
    assertThat(judged(far, IncidentSettings.defaults().withExecAudit(null, java.time.Duration.ofMinutes(10)))
        .member("rt").reason()).isEqualTo(RuntimeExecAudit.REASON);
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> IncidentSettings.defaults().withExecAudit(java.time.Duration.ofMillis(10), null))
        .hasMessageContaining("incident.exec_audit_bound");
  }

  @Test
  void withoutAuditEvidenceAroundTheExecNothingIsClaimed() throws Exception {
    Member none = judged(List.of(runtimeExec("rt", T, POD))).member("rt");
    assertThat(none.reason()).as("no audit log at all").isEqualTo("tetragon_runtime_exec");
    assertThat(none.execKey()).isEqualTo("exec|data-eks|analytics/" + POD + "|tetragon|id");
    Member endsBefore = judged(List.of(routine("r1", T.minusSeconds(300)), runtimeExec("rt", T, POD))).member("rt");
    assertThat(endsBefore.reason()).as("the audit log ends before the exec").isEqualTo("tetragon_runtime_exec");
    Member startsAfter = judged(List.of(runtimeExec("rt", T, POD), routine("r2", T.plusSeconds(300)))).member("rt");
    assertThat(startsAfter.reason()).as("the audit log starts after it").isEqualTo("tetragon_runtime_exec");
    EvidenceEvent otherCluster = routine("r1", T.minusSeconds(300));
    otherCluster.getKubernetes().setCluster("data-eks-dr");
    EvidenceEvent otherCluster2 = routine("r2", T.plusSeconds(300));
    otherCluster2.getKubernetes().setCluster("data-eks-dr");
    assertThat(judged(List.of(otherCluster, runtimeExec("rt", T, POD), otherCluster2)).member("rt").reason())
        .as("another cluster's audit log").isEqualTo("tetragon_runtime_exec");
    // an exec probe (and the container's init) is no runtime exec: never judged
    EvidenceEvent probe = runtimeExec("probe", T, POD);
    probe.getUnmapped().put("process.pod.container.maybe_exec_probe", "true");
    assertThat(judged(List.of(routine("r1", T.minusSeconds(300)), probe, routine("r2", T.plusSeconds(300))))
        .member("probe").execKey()).isNull();
  }

  /**
   * Streaming: the audit file arrives after the Tetragon file. Nothing is decided before the watermark passes the
   * exec's time + the bound; once decided, the decision holds (written into the member): after a restore that
   * rebuilds the index from the store, after the audit records left the state, and when a copy of the exec arrives.
   */
  @Test
  void decidedAtTheWatermarkWhateverTheArrivalOrderAndKeptOnceDecided() throws Exception {
    IncidentEngine engine = new IncidentEngine(IncidentSettings.defaults());
    InMemoryTenantStore store = new InMemoryTenantStore();
    String tenant = EntityKeys.tenant(runtimeExec("rt", T, POD));
    long t = T.getEpochSecond() * 1_000_000L;
    engine.accept(store, runtimeExec("rt", T, POD));
    engine.flush(store, tenant, t + 60_000_000L);
    assertThat(store.member("rt").execKey()).as("no audit yet").startsWith("exec|");
    engine.accept(store, routine("r1", T.minusSeconds(300)));
    engine.accept(store, kubectlExec("api", T.minusSeconds(1), "alice", POD, 101));
    engine.flush(store, tenant, t + 5_000_000L);
    assertThat(store.member("rt").execKey()).as("audit before it only, watermark before the bound").startsWith("exec|");
    engine.accept(store, routine("r2", T.plusSeconds(300)));
    engine.flush(store, tenant, t + 5_000_000L);
    assertThat(store.member("rt").execKey()).as("the watermark has not passed the bound").startsWith("exec|");
    engine.flush(store, tenant, t + 16_000_000L);
    assertThat(store.member("rt").execKey()).startsWith("exec-api|");
    assertThat(store.member("rt").summary()).contains("pods/exec by alice");
    // the audit records leave the state; a restore rebuilds the index from the store; a copy of the exec arrives
    store.removeMember("r1");
    store.removeMember("r2");
    store.removeMember("api");
    IncidentEngine restored = new IncidentEngine(IncidentSettings.defaults());
    EvidenceEvent copy = runtimeExec("rt", T, POD);
    copy.getLineage().setOrigin("another/copy");
    assertThat(restored.accept(store, copy)).isFalse();
    restored.flush(store, tenant, Long.MAX_VALUE);
    assertThat(store.member("rt").execKey()).startsWith("exec-api|");
    assertThat(store.member("rt").summary()).contains("pods/exec by alice");

    // any arrival order within the lateness bound (here 400 s, the events' spread), flushed after every event with the
    // watermark at the latest time seen minus the bound, then a record an hour later moves it past them: the same
    // decisions as all at once
    List<EvidenceEvent> events = new ArrayList<>(List.of(routine("r1", T.minusSeconds(300)),
        kubectlExec("api", T.minusSeconds(1), "alice", POD, 101), runtimeExec("rt", T, POD),
        runtimeExec("rt2", T.plusSeconds(90), POD), routine("r2", T.plusSeconds(300))));
    Random random = new Random(15);
    for (int round = 0; round < 30; round++) {
      Collections.shuffle(events, random);
      IncidentEngine e2 = new IncidentEngine(IncidentSettings.defaults());
      InMemoryTenantStore s2 = new InMemoryTenantStore();
      long wm = Long.MIN_VALUE;
      for (EvidenceEvent ev : events) {
        e2.accept(s2, ev);
        wm = Math.max(wm, ev.getTime().getEpochSecond() * 1_000_000L - 400_000_000L);
        e2.flush(s2, tenant, wm);
      }
      e2.accept(s2, routine("r3", T.plusSeconds(3600)));
      e2.flush(s2, tenant, t + 3_200_000_000L);
      assertThat(s2.member("rt").execKey()).as("round " + round).startsWith("exec-api|");
      assertThat(s2.member("rt2").reason()).as("round " + round).isEqualTo(RuntimeExecAudit.REASON);
      // the reference regrouping decides the same
      IncidentEngine ref = new IncidentEngine(IncidentSettings.defaults());
      InMemoryTenantStore s3 = new InMemoryTenantStore();
      for (EvidenceEvent ev : events) ref.accept(s3, ev);
      IncidentEngineAccess.flushRegrouping(ref, s3, tenant, Long.MAX_VALUE);
      assertThat(s3.member("rt").execKey()).startsWith("exec-api|");
      assertThat(s3.member("rt2").reason()).isEqualTo(RuntimeExecAudit.REASON);
    }
  }
}
