package dev.strata.job.incident;

import dev.strata.schema.correlate.AttackStage;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.event.Resource;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * A runtime exec into a pod's container and the API server's record of it: {@code kubectl exec} is a {@code pods/exec}
 * (or {@code pods/attach}) create in the audit log, then {@code runc exec} on the node; the kubelet's own API
 * ({@code /run}, {@code /exec} on 10250), a shell on the node or the runtime's socket start the same {@code runc exec}
 * with no API record (kubelet scenario: an anonymous kubelet used from the internet). So a runtime exec is judged
 * against the audit log of its cluster:
 *
 * <ul>
 *   <li>an allowed {@code pods/exec} / {@code pods/attach} create for the same pod within {@link #bound} of it (the
 *       audit's {@code requestReceivedTimestamp} against the node's clock: the request comes first, and the two clocks
 *       differ by a few seconds): the exec is that request's; its timeline row names the user
 *       ({@code " (pods/exec by alice at 10:00:01Z)"}), its signal stays {@code tetragon_runtime_exec};</li>
 *   <li>none, and the audit log covers the exec (records of the cluster at or before {@code t - bound} and at or after
 *       {@code t + bound}: without audit evidence around it, absence cannot be claimed):
 *       {@code exec_without_api_record}, execution, High;</li>
 *   <li>no coverage (no audit log of the cluster, or it ends before the exec): undecided, the signal stays
 *       {@code tetragon_runtime_exec}.</li>
 * </ul>
 *
 * Decided at a flush once the event-time watermark has passed {@code t + bound} (the audit file may arrive after the
 * Tetragon file, within the lateness bound the watermark allows; bounded runs: at the input's end) and the coverage
 * after it is there; the decision is written into the member ({@link Member#execKey}: {@code exec-none|…},
 * {@code exec-api|…}) so it holds after a restore and after the audit records that made it leave the state, as a
 * binding join's decision does. Runtime execs are Tetragon {@code process_exec} events whose parent is the OCI
 * runtime's exec ({@link TetragonSignals#runtimeExec}; exec probes and the container's init are not), naming their
 * cluster and pod. Every such exec is a signal already: the decision changes its row (reason, severity, summary), never
 * what it links, so the grouping is not touched.
 */
final class RuntimeExecAudit {
  private RuntimeExecAudit() {}

  /**
   * The API request and the runtime's exec are at most this far apart (clock skew plus the kubelet's latency): the
   * default of {@code incident.exec_audit_bound} ({@link IncidentSettings#execAuditBound}).
   */
  static final long BOUND_MICROS = IncidentSettings.DEFAULT_EXEC_AUDIT_BOUND.toNanos() / 1000;

  static final String REASON = "exec_without_api_record";
  private static final String RUNTIME_EXEC = "tetragon_runtime_exec";

  /**
   * What the exec judgement needs of an event, kept on its member: {@code audit|<cluster>} (an audit record: coverage),
   * {@code api|<cluster>|<ns>/<pod>|<exec|attach>|<user>} (an allowed pods/exec or pods/attach create, coverage too),
   * {@code exec|<cluster>|<ns>/<pod>} (a runtime exec, undecided), or null.
   */
  static String key(EvidenceEvent e, EntityKeys.Extraction x, SignalRules.Signal s) {
    String f = e.getSourceFormat();
    if (!"k8s_audit".equals(f) && !"tetragon_event".equals(f)) return null;
    String cluster = null;
    String pod = null;
    for (Entity en : x.entities()) {
      if (Entity.CLUSTER.equals(en.type()) && cluster == null) cluster = en.key();
      if (Entity.POD.equals(en.type()) && Entity.TARGET.equals(en.role()) && pod == null) pod = en.key();
    }
    if (cluster == null) return null;
    if ("k8s_audit".equals(f)) {
      Resource r = e.getResources() == null || e.getResources().isEmpty() ? null : e.getResources().get(0);
      String verb = e.getApi() == null ? null : e.getApi().getOperation();
      Integer code = e.getApi() == null ? null : e.getApi().getResponseCode();
      String user = e.getActor() == null ? null : e.getActor().getUserName();
      if (r != null && "pods".equals(r.getType()) && ("exec".equals(r.getSubresource()) || "attach".equals(r.getSubresource()))
          && "create".equals(verb) && (code == null || code < 400) && r.getName() != null && !r.getName().isBlank()) {
        return "api|" + cluster + "|" + (r.getNamespace() == null ? "" : r.getNamespace()) + "/" + r.getName() + "|"
            + r.getSubresource() + "|" + (user == null ? "" : user);
      }
      return "audit|" + cluster;
    }
    if ("tetragon_event".equals(f) && s != null && pod != null) {
      Map<String, String> u = e.getUnmapped() == null ? Map.of() : e.getUnmapped();
      if ("process_exec".equals(u.get("event_type")) && TetragonSignals.runtimeExec(e, u)) {
        return "exec|" + cluster + "|" + pod;
      }
    }
    return null;
  }

  /** Whether {@code key} is a decided runtime exec. */
  static boolean decided(String key) {
    return key != null && (key.startsWith("exec-none|") || key.startsWith("exec-api|"));
  }

  /**
   * {@code now} (a new revision or a copy of an event whose member was decided) with {@code before}'s decision when it
   * is the same undecided exec (same cluster and pod): a copy must not undo the decision; else {@code now}.
   */
  static Member carry(Member before, Member now) {
    if (before == null || !decided(before.execKey()) || now.execKey() == null || !now.execKey().startsWith("exec|")) {
      return now;
    }
    String[] b = before.execKey().split("\\|", 4);
    String[] n = now.execKey().split("\\|", 3);
    return b[1].equals(n[1]) && b[2].equals(n[2]) ? apply(now, before.execKey()) : now;
  }

  /** The member of an undecided runtime exec with {@code decision} ({@code exec-none|…} or {@code exec-api|…}). */
  static Member apply(Member m, String decision) {
    String[] p = decision.split("\\|", 6);
    String cluster = p[1];
    String pod = p[2];
    String summary;
    String reason = m.reason();
    int severity = m.severityId();
    AttackStage stage = m.stage() == null ? AttackStage.EXECUTION : m.stage();
    if (decision.startsWith("exec-none|")) {
      summary = m.summary() + " (no pods/exec of " + pod + " in cluster " + cluster
          + "'s audit log: not through the API server)";
      reason = reason == null ? REASON
          : reason.startsWith(RUNTIME_EXEC) ? REASON + reason.substring(RUNTIME_EXEC.length()) : REASON + "; " + reason;
      severity = Math.max(4, severity);
    } else {
      long at = Long.parseLong(p[3]);
      summary = m.summary() + " (pods/" + p[4] + " by " + (p[5].isEmpty() ? "an unnamed user" : p[5]) + " at "
          + Instant.ofEpochSecond(Math.floorDiv(at, 1_000_000L)) + ")";
    }
    return new Member(m.eventId(), m.timeMicros(), m.layer(), m.className(), m.sourceFormat(), summary, true, severity,
        stage, reason, m.artifactSha256(), m.origin(), m.byteOffset(), m.lineNumber(), m.recordIndex(), m.entities(),
        m.indicators(), m.burstKey(), m.detections(), m.lane(), decision);
  }

  /**
   * The audit records and runtime execs of one tenant's members, by cluster and pod: derived state (rebuilt from the
   * members), what {@link #decide} reads.
   */
  static final class Ledger {
    /** {@code incident.exec_audit_bound} in micros. */
    private final long bound;
    /** {@code incident.exec_audit_coverage} in micros (Long.MAX_VALUE: unset, any record before and after covers). */
    private final long coverage;

    Ledger() {
      this(BOUND_MICROS, Long.MAX_VALUE);
    }

    Ledger(long boundMicros, long coverageMicros) {
      this.bound = boundMicros;
      this.coverage = coverageMicros;
    }

    /** The ledger of the settings' bound and coverage. */
    static Ledger of(IncidentSettings s) {
      return new Ledger(s.execAuditBound().toNanos() / 1000,
          s.execAuditCoverage() == null ? Long.MAX_VALUE : s.execAuditCoverage().toNanos() / 1000);
    }

    /** cluster -> audit record times (count per time). */
    private final Map<String, TreeMap<Long, Integer>> audit = new HashMap<>();
    /** cluster|pod -> time -> event id -> "sub|user" of the API's exec / attach requests. */
    private final Map<String, TreeMap<Long, Map<String, String>>> api = new HashMap<>();
    /** Undecided runtime execs: event id -> {cluster, pod}, with their times. */
    private final Map<String, String[]> pending = new LinkedHashMap<>();
    private final Map<String, Long> pendingTime = new HashMap<>();
    /** event id -> {key, time} of what was added (to remove it). */
    private final Map<String, Object[]> added = new HashMap<>();

    void add(String eventId, long t, String key) {
      if (key == null || added.containsKey(eventId)) return;
      String[] p = key.split("\\|", 5);
      switch (p[0]) {
        case "audit" -> audit.computeIfAbsent(p[1], k -> new TreeMap<>()).merge(t, 1, Integer::sum);
        case "api" -> {
          audit.computeIfAbsent(p[1], k -> new TreeMap<>()).merge(t, 1, Integer::sum);
          api.computeIfAbsent(p[1] + "|" + p[2], k -> new TreeMap<>()).computeIfAbsent(t, k -> new HashMap<>(2))
              .put(eventId, p[3] + "|" + p[4]);
        }
        case "exec" -> {
          pending.put(eventId, new String[] {p[1], p[2]});
          pendingTime.put(eventId, t);
        }
        default -> {
          return; // decided: nothing to do
        }
      }
      added.put(eventId, new Object[] {key, t});
    }

    void remove(String eventId) {
      Object[] a = added.remove(eventId);
      if (a == null) return;
      String[] p = ((String) a[0]).split("\\|", 5);
      long t = (Long) a[1];
      if (p[0].equals("audit") || p[0].equals("api")) {
        TreeMap<Long, Integer> times = audit.get(p[1]);
        if (times != null) {
          times.computeIfPresent(t, (k, n) -> n == 1 ? null : n - 1);
          if (times.isEmpty()) audit.remove(p[1]);
        }
      }
      if (p[0].equals("api")) {
        TreeMap<Long, Map<String, String>> reqs = api.get(p[1] + "|" + p[2]);
        if (reqs != null) {
          Map<String, String> at = reqs.get(t);
          if (at != null) {
            at.remove(eventId);
            if (at.isEmpty()) reqs.remove(t);
          }
          if (reqs.isEmpty()) api.remove(p[1] + "|" + p[2]);
        }
      }
      if (p[0].equals("exec")) {
        pending.remove(eventId);
        pendingTime.remove(eventId);
      }
    }

    /**
     * The decisions due at {@code watermarkMicros} (Long.MAX_VALUE: the input's end, all; Long.MIN_VALUE: none):
     * event id -> decided key. The members are not changed here (the caller replaces them).
     */
    Map<String, String> decide(long watermarkMicros) {
      Map<String, String> out = new LinkedHashMap<>();
      if (watermarkMicros == Long.MIN_VALUE || pending.isEmpty()) return out;
      for (Map.Entry<String, String[]> e : pending.entrySet()) {
        long t = pendingTime.get(e.getKey());
        if (watermarkMicros != Long.MAX_VALUE && t + bound > watermarkMicros) continue;
        String cluster = e.getValue()[0];
        String pod = e.getValue()[1];
        TreeMap<Long, Integer> times = audit.get(cluster);
        Long before = times == null ? null : times.floorKey(t - bound);
        Long after = times == null ? null : times.ceilingKey(t + bound);
        if (before == null || after == null) {
          continue; // the audit log does not cover it (yet): nothing can be said
        }
        if (coverage != Long.MAX_VALUE && (t - bound - before > coverage || after - (t + bound) > coverage)) {
          // the nearest records around it are further than incident.exec_audit_coverage: a gap in the log (a lost
          // file, another API server's log not collected) may hold its request; undecided for good once the
          // records after the bound are there (a later file can only bring nearer ones, which would decide it)
          continue;
        }
        TreeMap<Long, Map<String, String>> reqs = api.get(cluster + "|" + pod);
        NavigableMap<Long, Map<String, String>> near =
            reqs == null ? null : reqs.subMap(t - bound, true, t + bound, true);
        if (near == null || near.isEmpty()) {
          out.put(e.getKey(), "exec-none|" + cluster + "|" + pod);
          continue;
        }
        // the nearest request (ties: the earlier, then the smallest event id: the same answer in any arrival order)
        long best = Long.MIN_VALUE;
        for (long at : near.keySet()) {
          if (best == Long.MIN_VALUE || Math.abs(at - t) < Math.abs(best - t)) best = at;
        }
        String who = new TreeMap<>(near.get(best)).firstEntry().getValue();
        out.put(e.getKey(), "exec-api|" + cluster + "|" + pod + "|" + best + "|" + who);
      }
      return out;
    }
  }
}
