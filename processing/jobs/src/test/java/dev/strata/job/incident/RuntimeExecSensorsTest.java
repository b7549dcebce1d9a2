package dev.strata.job.incident;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.detect.sigma.SigmaFixtures;
import dev.strata.schema.correlate.Incident;
import dev.strata.schema.correlate.TimelineRow;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.event.Kubernetes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every runtime's record of an exec judged against the audit log ({@link RuntimeExecAudit#runtimeExec}): Falco's stock
 * "Terminal shell in container" (a Notice: context until judged) and an alert whose parent is {@code runc},
 * containerd's {@code Exec} and {@code ExecSync ... timeout 0} lines (an exec probe's timeout-1 ExecSync is not one),
 * and the same exec seen by Tetragon, Falco and containerd as one signal row naming the other records' lineage.
 * Falco's JSON alerts and containerd's debug lines are written here after the shapes of Falco's rules
 * ({@code falco_rules.yaml}: "Terminal shell in container", output with {@code proc.pname}) and containerd's CRI
 * service ({@code instrumented_service.go}: {@code Exec for %q with command %+v, tty %v and stdin %v}, {@code
 * ExecSync for %q with command %+v and timeout %d (s)}), collected and parsed by the real collector and parsers; the
 * pod and cluster the correlation job would give them (containerd's line names the container only) are set here.
 */
class RuntimeExecSensorsTest {
  @TempDir Path dir;

  static final Instant T = RuntimeExecAuditTest.T; // 2026-11-21T10:03:41Z
  static final String POD = RuntimeExecAuditTest.POD;
  static final String CID = "e7c0" + "3f".repeat(30);

  static String falcoShell(Instant t, String parent, String rule, String priority) {
    return "{\"output\":\"" + t + ": " + priority + " A shell was spawned in a container with an attached terminal"
        + " (user=root container=worker shell=bash parent=" + parent + " cmdline=bash)\",\"priority\":\"" + priority
        + "\",\"rule\":\"" + rule + "\",\"time\":\"" + t + "\",\"output_fields\":{\"container.id\":\"" + CID.substring(0, 12)
        + "\",\"container.name\":\"worker\",\"evt.time\":" + (t.getEpochSecond() * 1_000_000_000L)
        + ",\"evt.type\":\"execve\",\"k8s.ns.name\":\"analytics\",\"k8s.pod.name\":\"" + POD
        + "\",\"proc.cmdline\":\"bash\",\"proc.name\":\"bash\",\"proc.exepath\":\"/bin/bash\",\"proc.pid\":4242,"
        + "\"proc.pname\":\"" + parent + "\",\"proc.tty\":34816,\"user.name\":\"root\"},\"source\":\"syscall\","
        + "\"tags\":[\"container\",\"shell\",\"mitre_execution\",\"T1059\"],\"hostname\":\"ip-10-72-14-203\"}";
  }

  static String containerd(Instant t, String msg) {
    return "time=\"" + t + "\" level=debug msg=\"" + msg.replace("\"", "\\\"") + "\"";
  }

  /** The files' events, with the account, the cluster (and for containerd's lines the pod) the correlation job gives them. */
  private List<EvidenceEvent> parse(String name, List<String> falco, List<String> containerd) throws Exception {
    return parse(name, falco, containerd, List.of());
  }

  /**
   * CRI-O's debug line of a CRI exec request (its gRPC interceptor's {@code log.Debugf(ctx, "Request: %+v", req)},
   * {@code internal/log/interceptors}; the request's generated String()).
   */
  static String crio(Instant t, String request, String method) {
    return "time=\"" + t + "\" level=debug msg=\"Request: " + request + "\" file=\"interceptors/interceptors.go:64\""
        + " id=5f0e8d1c-" + Long.toHexString(t.toEpochMilli() & 0xffff) + "-4000-8000-000000000001"
        + " name=/runtime.v1.RuntimeService/" + method;
  }

  private List<EvidenceEvent> parse(String name, List<String> falco, List<String> containerd, List<String> crio)
      throws Exception {
    Path root = dir.resolve(name);
    if (!crio.isEmpty()) {
      Path f = root.resolve("var/log/crio.log");
      Files.createDirectories(f.getParent());
      Files.writeString(f, String.join("\n", crio) + "\n");
    }
    if (!falco.isEmpty()) {
      Path f = root.resolve("var/log/falco/events.json");
      Files.createDirectories(f.getParent());
      Files.writeString(f, String.join("\n", falco) + "\n");
    }
    if (!containerd.isEmpty()) {
      Path f = root.resolve("var/log/containerd.log");
      Files.createDirectories(f.getParent());
      Files.writeString(f, String.join("\n", containerd) + "\n");
    }
    List<EvidenceEvent> events = SigmaFixtures.parse(root);
    for (EvidenceEvent e : events) {
      Kubernetes k = e.getKubernetes() == null ? new Kubernetes() : e.getKubernetes();
      k.setCluster("data-eks");
      k.setNamespace("analytics");
      k.setPodName(POD);
      e.setKubernetes(k);
      // the tenant of the audit records (one account: the correlation job's enrichment names it)
      e.setCloud(dev.strata.schema.event.Cloud.newBuilder().setProvider("aws").setAccountUid("111122223333")
          .setRegion("us-east-1").build());
    }
    return events;
  }

  static List<EvidenceEvent> auditAround(String... extra) {
    List<EvidenceEvent> out = new ArrayList<>();
    out.add(RuntimeExecAuditTest.routine("r1", T.minusSeconds(300)));
    out.add(RuntimeExecAuditTest.routine("r2", T.plusSeconds(300)));
    return out;
  }

  static Member only(InMemoryTenantStore store, String format) throws Exception {
    Member found = null;
    for (Member m : store.members()) {
      if (m.sourceFormat().equals(format) && m.execKey() != null) {
        assertThat(found).as("one exec of " + format).isNull();
        found = m;
      }
    }
    return found;
  }

  @Test
  void falcosTerminalShellIsJudgedAndBecomesASignalWithoutAnApiRecord() throws Exception {
    List<EvidenceEvent> falco = parse("falco", List.of(falcoShell(T, "runc", "Terminal shell in container", "Notice")),
        List.of());
    assertThat(IncidentSettings.defaults().rules().classify(falco.get(0))).as("a Notice: context").isNull();
    List<EvidenceEvent> events = new ArrayList<>(auditAround());
    events.addAll(falco);
    Member m = only(RuntimeExecAuditTest.judged(events), "falco_alert");
    assertThat(m.reason()).isEqualTo(RuntimeExecAudit.REASON);
    assertThat(m.signal()).isTrue();
    assertThat(m.severityId()).isEqualTo(4);
    assertThat(IncidentEngine.incidentsOf(events, IncidentSettings.defaults())).hasSize(1);
    // with the API's exec of the pod: its row names the user and it stays context (no incident of its own)
    events.add(RuntimeExecAuditTest.kubectlExec("api", T.minusSeconds(1), "alice@example.com", POD, 101));
    m = only(RuntimeExecAuditTest.judged(events), "falco_alert");
    assertThat(m.signal()).isFalse();
    assertThat(m.summary()).contains("(pods/exec by alice@example.com at ");
    // any Falco rule whose process's parent is the runtime's exec counts; a shell started by the container's own
    // start (containerd-shim: the entrypoint) does not
    List<EvidenceEvent> other = parse("falco-other", List.of(falcoShell(T, "runc:[1:CHILD]", "Run shell untrusted",
        "Notice")), List.of());
    assertThat(RuntimeExecAudit.runtimeExec(other.get(0), null)).containsExactly("falco", "bash");
    List<EvidenceEvent> entry = parse("falco-entry", List.of(falcoShell(T, "containerd-shim", "Terminal shell in container",
        "Notice")), List.of());
    assertThat(RuntimeExecAudit.runtimeExec(entry.get(0), null)).isNull();
  }

  @Test
  void containerdsExecAndTheKubeletsRunAreJudgedButAnExecProbeIsNot() throws Exception {
    List<EvidenceEvent> lines = parse("containerd", List.of(), List.of(
        containerd(T, "Exec for \"" + CID + "\" with command [sh], tty true and stdin true"),
        containerd(T.plusMillis(10), "Exec for \"" + CID + "\" returns URL \"http://127.0.0.1:40123/exec/Xy1\""),
        containerd(T.plusSeconds(20), "ExecSync for \"" + CID + "\" with command [cat /var/run/secrets/kubernetes.io/"
            + "serviceaccount/token] and timeout 0 (s)"),
        containerd(T.plusSeconds(40), "ExecSync for \"" + CID + "\" with command [/bin/grpc_health_probe -addr=:8080]"
            + " and timeout 1 (s)")));
    assertThat(lines).hasSize(4);
    assertThat(RuntimeExecAudit.runtimeExec(lines.get(0), null)).containsExactly("containerd", "sh");
    assertThat(RuntimeExecAudit.runtimeExec(lines.get(1), null)).as("the answer").isNull();
    assertThat(RuntimeExecAudit.runtimeExec(lines.get(2), null)).as("/run").containsExactly("containerd", "cat");
    assertThat(RuntimeExecAudit.runtimeExec(lines.get(3), null)).as("an exec probe").isNull();
    List<EvidenceEvent> events = new ArrayList<>(auditAround());
    events.addAll(lines);
    InMemoryTenantStore store = RuntimeExecAuditTest.judged(events);
    int none = 0;
    for (Member m : store.members()) {
      if (RuntimeExecAudit.REASON.equals(m.reason())) {
        none++;
        assertThat(m.summary()).contains("not through the API server");
      }
    }
    assertThat(none).as("the Exec and the /run").isEqualTo(2);
  }

  /**
   * One kubectl-less exec (the kubelet's /exec of a shell) seen by containerd (its Exec line), Tetragon (the shell,
   * parent runc exec) and Falco (Terminal shell in container): one signal row, Tetragon's, whose summary names the
   * other two records' lineage; theirs are context rows saying so. The same in 20 shuffled arrival orders.
   */
  @Test
  void oneExecSeenByThreeSensorsIsOneSignalRowNamingEveryLineage() throws Exception {
    List<EvidenceEvent> sensors = new ArrayList<>(parse("three",
        List.of(falcoShell(T.plusMillis(1), "runc", "Terminal shell in container", "Notice")),
        List.of(containerd(T.minusMillis(400), "Exec for \"" + CID + "\" with command [bash], tty true and stdin true"))));
    EvidenceEvent tetragon = RuntimeExecAuditTest.runtimeExec("rt", T, POD);
    tetragon.getProcess().setExecutable("/bin/bash");
    tetragon.getProcess().setName("bash");
    sensors.add(tetragon);
    List<EvidenceEvent> events = new ArrayList<>(auditAround());
    events.addAll(sensors);
    String falcoId = null;
    String containerdId = null;
    for (EvidenceEvent e : sensors) {
      if (e.getSourceFormat().equals("falco_alert")) falcoId = e.getEventId();
      if (e.getSourceFormat().equals("containerd_daemon_log")) containerdId = e.getEventId();
    }
    Random r = new Random(16);
    for (int i = 0; i < 20; i++) {
      List<EvidenceEvent> order = new ArrayList<>(events);
      Collections.shuffle(order, r);
      InMemoryTenantStore store = RuntimeExecAuditTest.judged(order);
      Member primary = store.member("rt");
      assertThat(primary.reason()).isEqualTo(RuntimeExecAudit.REASON);
      assertThat(primary.summary()).contains("[also seen by falco_alert ", "event " + falcoId + ")]",
          "[also seen by containerd_daemon_log ", "event " + containerdId + ")]", "line 1");
      for (String dup : List.of(falcoId, containerdId)) {
        Member d = store.member(dup);
        assertThat(d.signal()).as(dup).isFalse();
        assertThat(d.execKey()).startsWith("exec-dup|data-eks|analytics/" + POD + "|rt|");
        assertThat(d.summary()).contains("(the same exec as event rt, seen by two sensors");
      }
      List<Incident> incs = IncidentEngine.incidentsOf(order, IncidentSettings.defaults());
      assertThat(incs).hasSize(1);
      int signalRows = 0;
      for (TimelineRow row : incs.get(0).getTimeline()) if (row.getSignal()) signalRows++;
      assertThat(signalRows).as("one signal row for one exec").isEqualTo(1);
    }
    // two execs of other commands 1 s apart are two execs, never deduplicated
    List<EvidenceEvent> two = new ArrayList<>(auditAround());
    two.addAll(parse("two", List.of(), List.of(
        containerd(T.minusMillis(400), "Exec for \"" + CID + "\" with command [id], tty false and stdin false"))));
    two.add(RuntimeExecAuditTest.runtimeExec("rt", T.plusSeconds(1), POD)); // /usr/bin/id ... but named "id"
    EvidenceEvent cat = RuntimeExecAuditTest.runtimeExec("rt2", T.plusSeconds(2), POD);
    cat.getProcess().setExecutable("/bin/cat");
    two.add(cat);
    InMemoryTenantStore store = RuntimeExecAuditTest.judged(two);
    assertThat(store.member("rt").summary()).contains("[also seen by containerd_daemon_log ");
    assertThat(store.member("rt2").reason()).isEqualTo(RuntimeExecAudit.REASON);
    assertThat(store.member("rt2").summary()).doesNotContain("also seen");
  }

  /**
   * Streaming: the containerd line decided at a flush (watermark past it), Tetragon's record of the same exec after
   * it: the decided one stays the row (a decision is not undone), the late one is its duplicate.
   */
  @Test
  void aLateSecondSensorsRecordJoinsTheDecidedRow() throws Exception {
    List<EvidenceEvent> line = parse("late", List.of(),
        List.of(containerd(T, "Exec for \"" + CID + "\" with command [id], tty false and stdin false")));
    IncidentEngine engine = new IncidentEngine(IncidentSettings.defaults());
    InMemoryTenantStore store = new InMemoryTenantStore();
    for (EvidenceEvent e : auditAround()) engine.accept(store, e);
    engine.accept(store, line.get(0));
    String tenant = EntityKeys.tenant(line.get(0));
    engine.flush(store, tenant, T.plusSeconds(60).toEpochMilli() * 1000);
    Member first = store.member(line.get(0).getEventId());
    assertThat(first.reason()).isEqualTo(RuntimeExecAudit.REASON);
    engine.accept(store, RuntimeExecAuditTest.runtimeExec("rt", T.plusMillis(300), POD));
    engine.flush(store, tenant, T.plusSeconds(61).toEpochMilli() * 1000);
    assertThat(store.member("rt").execKey()).startsWith("exec-dup|");
    assertThat(store.member("rt").signal()).isFalse();
    assertThat(store.member(line.get(0).getEventId()).summary()).contains("[also seen by tetragon_event ");
  }

  /**
   * CRI-O's exec requests (debug level): the streaming Exec (kubectl exec, the kubelet's /exec) and the ExecSync with
   * timeout 0 (the kubelet's /run) are judged like containerd's and become signals without an API record; an exec
   * probe (ExecSync with its timeout) is not. The same exec seen by Tetragon too is one signal row, Tetragon's, naming
   * CRI-O's line.
   */
  @Test
  void crioExecRequestsAreJudgedLikeContainerdsAndAProbeIsNot() throws Exception {
    List<EvidenceEvent> lines = parse("crio", List.of(), List.of(), List.of(
        crio(T, "&ExecRequest{ContainerId:" + CID + ",Cmd:[sh],Tty:true,Stdin:true,Stdout:true,Stderr:false,}", "Exec"),
        crio(T.plusSeconds(20), "&ExecSyncRequest{ContainerId:" + CID + ",Cmd:[cat /var/run/secrets/kubernetes.io/"
            + "serviceaccount/token],Timeout:0,}", "ExecSync"),
        crio(T.plusSeconds(40), "&ExecSyncRequest{ContainerId:" + CID + ",Cmd:[/bin/grpc_health_probe -addr=:8080],"
            + "Timeout:1,}", "ExecSync")));
    assertThat(lines).hasSize(3);
    assertThat(lines).allMatch(e -> e.getSourceFormat().equals("crio_daemon_log"));
    assertThat(RuntimeExecAudit.runtimeExec(lines.get(0), null)).containsExactly("crio", "sh");
    assertThat(RuntimeExecAudit.runtimeExec(lines.get(1), null)).as("/run").containsExactly("crio", "cat");
    assertThat(RuntimeExecAudit.runtimeExec(lines.get(2), null)).as("an exec probe").isNull();
    assertThat(IncidentSettings.defaults().rules().classify(lines.get(0))).as("a daemon's line: context").isNull();
    List<EvidenceEvent> events = new ArrayList<>(auditAround());
    events.addAll(lines);
    InMemoryTenantStore store = RuntimeExecAuditTest.judged(events);
    int none = 0;
    for (Member m : store.members()) {
      if (RuntimeExecAudit.REASON.equals(m.reason())) {
        none++;
        assertThat(m.sourceFormat()).isEqualTo("crio_daemon_log");
        assertThat(m.signal()).isTrue();
        assertThat(m.summary()).contains("not through the API server");
      }
    }
    assertThat(none).as("the Exec and the /run").isEqualTo(2);
    List<Incident> incs = IncidentEngine.incidentsOf(events, IncidentSettings.defaults());
    assertThat(incs).hasSize(1);
    // with the API's exec of the pod a second before: the streaming exec names the user and stays context
    List<EvidenceEvent> withApi = new ArrayList<>(auditAround());
    withApi.add(lines.get(0));
    withApi.add(RuntimeExecAuditTest.kubectlExec("api", T.minusSeconds(1), "alice@example.com", POD, 101));
    Member m = only(RuntimeExecAuditTest.judged(withApi), "crio_daemon_log");
    assertThat(m.signal()).isFalse();
    assertThat(m.summary()).contains("(pods/exec by alice@example.com at ");
    // Tetragon's record of the same shell: one signal row, Tetragon's, naming CRI-O's line
    List<EvidenceEvent> both = new ArrayList<>(auditAround());
    both.add(lines.get(0));
    EvidenceEvent tetragon = RuntimeExecAuditTest.runtimeExec("rt", T.plusMillis(300), POD);
    tetragon.getProcess().setExecutable("/bin/sh");
    tetragon.getProcess().setName("sh");
    both.add(tetragon);
    store = RuntimeExecAuditTest.judged(both);
    assertThat(store.member("rt").reason()).isEqualTo(RuntimeExecAudit.REASON);
    assertThat(store.member("rt").summary()).contains("[also seen by crio_daemon_log ", "line 1");
    assertThat(store.member(lines.get(0).getEventId()).signal()).isFalse();
    assertThat(store.member(lines.get(0).getEventId()).execKey()).startsWith("exec-dup|");
  }
}
