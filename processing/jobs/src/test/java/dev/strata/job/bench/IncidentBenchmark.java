package dev.strata.job.bench;

import dev.strata.job.incident.EntityKeys;
import dev.strata.job.incident.InMemoryTenantStore;
import dev.strata.job.incident.IncidentEngine;
import dev.strata.job.incident.IncidentEngineAccess;
import dev.strata.job.incident.IncidentSettings;
import dev.strata.schema.correlate.Incident;
import dev.strata.schema.correlate.IncidentStatus;
import dev.strata.schema.event.Cloud;
import dev.strata.schema.event.Container;
import dev.strata.schema.event.Device;
import dev.strata.schema.event.Enrichment;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.event.Finding;
import dev.strata.schema.event.Kubernetes;
import dev.strata.schema.event.Lineage;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The incident job's logic on one core: per event {@link IncidentEngine#accept} (entity extraction, signal rules,
 * member + bindings into the tenant's store), and every {@code --flush-every} events a {@link IncidentEngine#flush}
 * of every tenant at a watermark 5 minutes behind (regroup, assemble changed incidents, evict), as {@code
 * IncidentFunction} does on its flush timer. Baseline, same run, same events: a bare per-event keyed map update
 * (tenant|container id -> count and last time), i.e. what any keyed operator pays to touch its state once per event.
 *
 * <pre>
 * IncidentBenchmark [--entities N[,N...]] [--nodes K[,K...]] [--events M] [--signal-every S] [--flush-every F]
 *                   [--tenants T] [--rounds R] [--regroup true] [--late-percent P] [--late-minutes L]
 *                   [--audit-every A] [--exec-every X]
 * </pre>
 *
 * {@code --regroup true}: flush with the full regrouping the incremental flush replaced ({@code
 * IncidentEngine.flushRegrouping}, every member of the tenant regrouped and every incident re-assembled per flush;
 * accept still keeps the incremental index, so this slightly overstates the old cost).
 *
 * Events: containers of pods (one each) on K nodes (default 50), chosen uniformly among N containers, spread over one
 * hour; every S-th is a Falco alert (a signal, Warning), the others are container log lines (context). Events of a
 * node share it, so a node with alerts is one incident holding every event on it: {@code --nodes 1} makes one incident
 * of all events, {@code --nodes 1000} many small ones. Thread CPU time; the best round.
 *
 * <p>{@code --late-percent P} (default 0): P % of the events come again {@code --late-minutes} (default 10) later in
 * the stream, as a newer revision (the correlation job re-resolved them with late evidence: {@code enrichment.revision}
 * 1 naming the pod, its node, its service account and its image digest): a changed member, as late VPC Flow files and
 * task metadata make on a busy account.
 *
 * <p>{@code --audit-every A} (default 0: none): every A-th context event is instead an API server audit record of the
 * cluster (a controller's lease update: context, coverage for the runtime exec judgement); {@code --exec-every X}
 * (default 0: none): every X-th signal is instead a Tetragon exec the runtime started in the container (parent
 * {@code runc exec}: a runtime exec, judged against the audit log at the flushes, {@code RuntimeExecAudit}).
 *
 * <p>Before session 7 every container id began with the same 12 hex digits (the container key): all events were one
 * incident whatever the node count, the one container bound to every pod.
 */
public final class IncidentBenchmark {
  static final Instant T0 = Instant.parse("2026-11-20T10:00:00Z");

  public static void main(String[] args) throws Exception {
    Map<String, String> a = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    String[] sizes = a.getOrDefault("entities", "1000,10000").split(",");
    String[] nodeCounts = a.getOrDefault("nodes", "50").split(",");
    int events = Integer.parseInt(a.getOrDefault("events", "200000"));
    int signalEvery = Integer.parseInt(a.getOrDefault("signal-every", "100"));
    int flushEvery = Integer.parseInt(a.getOrDefault("flush-every", "20000"));
    int tenants = Integer.parseInt(a.getOrDefault("tenants", "4"));
    int rounds = Integer.parseInt(a.getOrDefault("rounds", "3"));
    boolean regroup = Boolean.parseBoolean(a.getOrDefault("regroup", "false"));
    int latePercent = Integer.parseInt(a.getOrDefault("late-percent", "0"));
    int lateMinutes = Integer.parseInt(a.getOrDefault("late-minutes", "10"));
    auditEvery = Integer.parseInt(a.getOrDefault("audit-every", "0"));
    execEvery = Integer.parseInt(a.getOrDefault("exec-every", "0"));
    for (String k : nodeCounts) {
      for (String s : sizes) {
        List<EvidenceEvent> ev = generate(Integer.parseInt(s.trim()), Integer.parseInt(k.trim()), events, signalEvery,
            tenants);
        ev = withLateRevisions(ev, latePercent, lateMinutes);
        System.out.printf(Locale.ROOT, "%n== %,d events over %s containers on %s nodes (%d tenants, a signal every %d,"
            + " flush every %,d; %s flush; %d %% again as a newer revision %d minutes later: %,d in all; audit every"
            + " %d, runtime exec every %d)%n", events,
            s.trim(), k.trim(), tenants, signalEvery, flushEvery, regroup ? "full regrouping" : "incremental",
            latePercent, lateMinutes, ev.size(), auditEvery, execEvery);
        run(ev, flushEvery, rounds, regroup);
      }
    }
  }

  /**
   * {@code events} (in time order over one hour) with {@code percent} % of them coming again {@code minutes} later in
   * the stream as revision 1 of their enrichment (pod, namespace, node, container, service account, image digest).
   */
  static List<EvidenceEvent> withLateRevisions(List<EvidenceEvent> events, int percent, int minutes) {
    if (percent <= 0) return events;
    SplittableRandom rnd = new SplittableRandom(7);
    int delay = (int) ((long) events.size() * minutes / 60);
    List<List<EvidenceEvent>> at = new ArrayList<>(events.size());
    for (int i = 0; i < events.size(); i++) at.add(new ArrayList<>(1));
    List<EvidenceEvent> tail = new ArrayList<>();
    for (int i = 0; i < events.size(); i++) {
      EvidenceEvent e = events.get(i);
      at.get(i).add(0, e);
      if (rnd.nextInt(100) >= percent) continue;
      EvidenceEvent r = EvidenceEvent.newBuilder(e).build();
      Kubernetes k = e.getKubernetes();
      r.setEnrichment(Enrichment.newBuilder().setPodName(k.getPodName()).setNamespace(k.getNamespace())
          .setNodeName(k.getNodeName()).setCluster(k.getCluster()).setContainerUid(e.getContainer().getUid())
          .setServiceAccount(k.getNamespace() + "/sa-" + Math.floorMod(k.getPodName().hashCode(), 10))
          .setImageDigest("sha256:" + String.format(Locale.ROOT, "%064x", (long) k.getPodName().hashCode()))
          .setAccountUid(e.getCloud().getAccountUid()).setRevision(1).build());
      if (i + delay < events.size()) at.get(i + delay).add(r);
      else tail.add(r);
    }
    List<EvidenceEvent> out = new ArrayList<>(events.size() * (100 + percent) / 100);
    for (List<EvidenceEvent> l : at) out.addAll(l);
    out.addAll(tail);
    return out;
  }

  static void run(List<EvidenceEvent> events, int flushEvery, int rounds, boolean regroup) throws Exception {
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    double bestEngine = 0;
    double bestBase = 0;
    for (int r = 1; r <= rounds; r++) {
      IncidentEngine engine = new IncidentEngine(IncidentSettings.defaults());
      Map<String, InMemoryTenantStore> stores = new HashMap<>();
      long incidents = 0;
      Set<String> ids = new HashSet<>();
      long newest = Long.MIN_VALUE;
      long t0 = cpu.getCurrentThreadCpuTime();
      for (int i = 0; i < events.size(); i++) {
        EvidenceEvent e = events.get(i);
        newest = Math.max(newest, micros(e.getTime()));
        engine.accept(stores.computeIfAbsent(EntityKeys.tenant(e), k -> new InMemoryTenantStore()), e);
        if ((i + 1) % flushEvery == 0 || i + 1 == events.size()) {
          long wm = newest - 300_000_000L;
          for (Map.Entry<String, InMemoryTenantStore> s : stores.entrySet()) {
            List<Incident> out = regroup ? IncidentEngineAccess.flushRegrouping(engine, s.getValue(), s.getKey(), wm)
                : engine.flush(s.getValue(), s.getKey(), wm);
            incidents += out.size();
            for (Incident inc : out) if (inc.getStatus() == IncidentStatus.OPEN) ids.add(inc.getIncidentId());
          }
        }
      }
      double engineRate = events.size() / ((cpu.getCurrentThreadCpuTime() - t0) / 1e9);
      int members = 0;
      for (InMemoryTenantStore s : stores.values()) members += s.memberCount();

      long b0 = cpu.getCurrentThreadCpuTime();
      Map<String, long[]> state = new HashMap<>();
      for (EvidenceEvent e : events) {
        String key = e.getCloud().getAccountUid() + '|' + (e.getContainer() == null ? "audit" : e.getContainer().getUid());
        long[] v = state.computeIfAbsent(key, k -> new long[2]);
        v[0]++;
        v[1] = Math.max(v[1], e.getTime().toEpochMilli());
      }
      double baseRate = events.size() / ((cpu.getCurrentThreadCpuTime() - b0) / 1e9);
      bestEngine = Math.max(bestEngine, engineRate);
      bestBase = Math.max(bestBase, baseRate);
      System.out.printf(Locale.ROOT, "round %d: incident engine %,.0f events/s (%,d incident records written of %,d"
          + " incidents, %,d members held at the end); baseline keyed map update %,.0f events/s (%,d keys);"
          + " ratio %.4f%n", r, engineRate, incidents, ids.size(), members, baseRate, state.size(),
          engineRate / baseRate);
    }
    System.out.printf(Locale.ROOT, "best: incident engine %,.0f events/s, baseline %,.0f events/s, ratio %.4f%n",
        bestEngine, bestBase, bestEngine / bestBase);
  }

  static int auditEvery;
  static int execEvery;

  static List<EvidenceEvent> generate(int entities, int nodes, int m, int signalEvery, int tenants) {
    SplittableRandom rnd = new SplittableRandom(42);
    List<EvidenceEvent> out = new ArrayList<>(m);
    long spanMicros = 3_600_000_000L;
    for (int i = 0; i < m; i++) {
      int n = rnd.nextInt(entities);
      Instant t = T0.plusNanos((spanMicros * i / m) * 1000);
      boolean signal = (i + 1) % signalEvery == 0;
      String node = "ip-10-" + (n % nodes / 250) + "-" + (n % nodes % 250) + "-10.ec2.internal";
      EvidenceEvent e = new EvidenceEvent();
      e.setEventId(String.format(Locale.ROOT, "%064x", (long) i * 0x9E3779B97F4A7C15L));
      e.setOcsfVersion("1.3.0");
      e.setTime(t);
      e.setSourceFormat(signal ? "falco_alert" : "cri_log");
      e.setClassUid(signal ? 2004 : 0);
      e.setClassName(signal ? "Detection Finding" : "Base Event");
      e.setCategoryUid(signal ? 2 : 0);
      e.setCategoryName(signal ? "Findings" : "Uncategorized");
      e.setActivityId(0);
      e.setTypeUid(0L);
      e.setSeverityId(signal ? 3 : 1);
      e.setMessage(signal ? "Terminal shell in container" : "GET /healthz 200");
      e.setResources(new ArrayList<>());
      e.setUnmapped(new HashMap<>());
      if (signal) {
        e.setFinding(Finding.newBuilder().setRule("Terminal shell in container").setTitle("Terminal shell in container")
            .setPriority("Warning").setTags(List.of("container", "mitre_execution")).build());
      }
      e.setCloud(Cloud.newBuilder().setProvider("aws").setAccountUid(String.format(Locale.ROOT, "%012d", n % tenants))
          .setRegion("us-east-1").build());
      // the key is the id's first 12 hex digits: one per container
      e.setContainer(Container.newBuilder().setUid(String.format(Locale.ROOT, "%012x%052x", (long) n, (long) n))
          .setRuntime("containerd").build());
      e.setKubernetes(Kubernetes.newBuilder().setCluster("prod").setNamespace("shop").setPodName("pod-" + n)
          .setNodeName(node).build());
      e.setDevice(Device.newBuilder().setHostname(node).build());
      e.setLineage(Lineage.newBuilder().setArtifactSha256("a".repeat(64)).setOrigin("bench/" + e.getSourceFormat())
          .setSourceType(e.getSourceFormat()).setChunkIndex(0).setByteOffset((long) i * 100).setByteLength(100L)
          .setLineNumber((long) i + 1).build());
      if (!signal && auditEvery > 0 && (i + 1) % auditEvery == 0) asAuditRecord(e);
      if (signal && execEvery > 0 && ((i + 1) / signalEvery) % execEvery == 0) asRuntimeExec(e);
      out.add(e);
    }
    return out;
  }

  /** A controller's lease update in the cluster's audit log (context). */
  static void asAuditRecord(EvidenceEvent e) {
    e.setSourceFormat("k8s_audit");
    e.setClassUid(6003);
    e.setClassName("API Activity");
    e.setMessage(null);
    e.setContainer(null);
    e.setDevice(null);
    e.setActor(dev.strata.schema.event.Actor.newBuilder().setUserName("system:kube-controller-manager").build());
    e.setApi(dev.strata.schema.event.Api.newBuilder().setOperation("update").setResponseCode(200).build());
    e.setResources(new ArrayList<>(List.of(dev.strata.schema.event.Resource.newBuilder().setType("leases")
        .setNamespace("kube-system").setName("kube-controller-manager").build())));
    e.setKubernetes(Kubernetes.newBuilder().setCluster("prod").build());
  }

  /** A process {@code runc exec} started in the event's container (Tetragon; a signal). */
  static void asRuntimeExec(EvidenceEvent e) {
    e.setSourceFormat("tetragon_event");
    e.setClassUid(1007);
    e.setClassName("Process Activity");
    e.setActivityId(1);
    e.setActivityName("Launch");
    e.setFinding(null);
    e.setProcess(dev.strata.schema.event.Process.newBuilder().setName("id").setExecutable("/usr/bin/id")
        .setCmdLine("/usr/bin/id").setParentName("runc").build());
    e.getUnmapped().put("event_type", "process_exec");
    e.getUnmapped().put("parent.arguments", "--root /run/containerd/runc/k8s.io exec --process /tmp/p.json x");
  }

  static long micros(Instant t) {
    return t.getEpochSecond() * 1_000_000L + t.getNano() / 1000;
  }
}
