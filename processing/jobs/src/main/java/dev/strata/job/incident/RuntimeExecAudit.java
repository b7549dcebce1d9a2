package dev.strata.job.incident;

import dev.strata.schema.correlate.AttackStage;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.event.Resource;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
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
 * binding join's decision does. Runtime execs are every sensor's record of a process the OCI runtime's exec started
 * in a pod's container ({@link #runtimeExec}: Tetragon's {@code process_exec} with a {@code runc exec} parent, Falco's
 * "Terminal shell in container" or runc-parented execve, containerd's {@code Exec} and {@code ExecSync ... timeout 0}
 * lines; exec probes and the container's init are not), naming their cluster and pod. The decision changes the row
 * (reason, severity, summary; a context record without an API record becomes a signal), and one exec seen by several
 * sensors is one signal row: the best sensor's, naming the others' lineage ({@link Ledger#decide}, {@link #alsoSeen}).
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
   * Two sensors' records of one exec (Tetragon's process, Falco's alert, containerd's Exec line) of one pod are at most
   * this far apart: the same execve for Tetragon and Falco, the CRI call a moment before the process for containerd
   * (the kubelet's streaming connection starts it).
   */
  static final long SAME_EXEC_MICROS = 3_000_000L;

  /** The sensors whose records of a runtime exec are judged, best first: the primary row of a deduplicated exec. */
  static final java.util.List<String> SENSORS = java.util.List.of("tetragon", "falco", "containerd", "crio");

  /** The OCI runtimes whose exec starts a process in a container (Falco's {@code proc.pname}). */
  private static final java.util.Set<String> RUNTIMES = TetragonSignals.RUNTIMES;

  /** Falco's stock rule for an interactive shell whose parent is the container's entrypoint or a runtime exec. */
  static final String FALCO_TERMINAL_SHELL = "Terminal shell in container";

  /** Parents of a container's own first process (its start, not an exec): Falco's container_entrypoint macro's others. */
  private static final java.util.Set<String> CONTAINER_START_PARENTS =
      java.util.Set.of("containerd-shim", "containerd-shim-runc-v2", "conmon", "systemd", "docker-runc", "exe", "crio");

  /**
   * What the exec judgement needs of an event, kept on its member: {@code audit|<cluster>} (an audit record: coverage),
   * {@code api|<cluster>|<ns>/<pod>|<exec|attach>|<user>} (an allowed pods/exec or pods/attach create, coverage too),
   * {@code exec|<cluster>|<ns>/<pod>|<sensor>|<command>} (a runtime exec, undecided: {@link #runtimeExec}), or null.
   */
  static String key(EvidenceEvent e, EntityKeys.Extraction x, SignalRules.Signal s) {
    String f = e.getSourceFormat();
    if (f == null) return null;
    boolean audit = "k8s_audit".equals(f);
    if (!audit && !"tetragon_event".equals(f) && !"falco_alert".equals(f) && !"containerd_daemon_log".equals(f)
        && !"crio_daemon_log".equals(f)) {
      return null;
    }
    String cluster = null;
    String pod = null;
    for (Entity en : x.entities()) {
      if (Entity.CLUSTER.equals(en.type()) && cluster == null) cluster = en.key();
      if (Entity.POD.equals(en.type()) && Entity.TARGET.equals(en.role()) && pod == null) pod = en.key();
    }
    if (cluster == null) return null;
    if (audit) {
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
    if (pod == null) return null;
    String[] exec = runtimeExec(e, s);
    return exec == null ? null : "exec|" + cluster + "|" + pod + "|" + exec[0] + "|" + exec[1];
  }

  /**
   * {sensor, command} when {@code e} is a process started in a container by the OCI runtime's exec (what {@code
   * kubectl exec}, the kubelet's {@code /run} and {@code /exec} and the runtime's socket all do), else null:
   * <ul>
   *   <li>Tetragon: a {@code process_exec} signal whose parent is {@code runc}/{@code crun}/... {@code exec}
   *       ({@link TetragonSignals#runtimeExec}: not an exec probe, not the container's init);</li>
   *   <li>Falco: the stock rule "Terminal shell in container", or any alert whose {@code proc.pname} is an OCI runtime
   *       and {@code evt.type} execve, in a container ({@code container.id} not {@code host}); a shell whose parent is
   *       the container's own start (containerd-shim, conmon) is the entrypoint, not an exec;</li>
   *   <li>containerd (its CRI plugin's debug lines, {@code containerd.log} or its journal): {@code Exec for "ID" with
   *       command [..]} (a streaming exec: kubectl exec, the kubelet's {@code /exec}) and {@code ExecSync for "ID" with
   *       command [..] and timeout 0 (s)} (the kubelet's {@code /run}: exec probes always carry their timeout, 1 s and
   *       more, and stay context);</li>
   *   <li>CRI-O (its gRPC interceptor's debug lines, {@code crio.log} or its journal): {@code Request:
   *       &ExecRequest{ContainerId:ID,Cmd:[..],..}} (streaming) and {@code &ExecSyncRequest{..,Timeout:0,}} (the
   *       kubelet's {@code /run}); an ExecSync with a timeout is a probe and stays context.</li>
   * </ul>
   * The command is the executable's last path element (compared to tell two sensors' records of one exec from two
   * execs), empty when the record names none.
   */
  static String[] runtimeExec(EvidenceEvent e, SignalRules.Signal s) {
    String f = e.getSourceFormat();
    Map<String, String> u = e.getUnmapped() == null ? Map.of() : e.getUnmapped();
    if ("tetragon_event".equals(f)) {
      if (s == null || !"process_exec".equals(u.get("event_type")) || !TetragonSignals.runtimeExec(e, u)) return null;
      String exe = e.getProcess().getExecutable() != null ? e.getProcess().getExecutable() : e.getProcess().getName();
      return new String[] {"tetragon", command(exe)};
    }
    if ("falco_alert".equals(f)) {
      String cid = e.getContainer() == null ? null : e.getContainer().getUid();
      if (cid == null || cid.isBlank() || "host".equals(cid) || e.getProcess() == null) return null;
      String parent = e.getProcess().getParentName() == null ? "" : e.getProcess().getParentName();
      int colon = parent.indexOf(':'); // runc:[1:CHILD]
      String parentName = colon > 0 ? parent.substring(0, colon) : parent;
      String rule = e.getFinding() == null ? null : e.getFinding().getRule();
      String evt = u.get("output_fields.evt.type");
      boolean byRuntime = RUNTIMES.contains(parentName) && (evt == null || "execve".equals(evt) || "execveat".equals(evt));
      boolean shell = FALCO_TERMINAL_SHELL.equals(rule) && !CONTAINER_START_PARENTS.contains(parentName)
          && !parentName.startsWith("containerd-shim");
      if (!byRuntime && !shell) return null;
      String exe = e.getProcess().getExecutable() != null ? e.getProcess().getExecutable() : e.getProcess().getName();
      return new String[] {"falco", command(exe)};
    }
    if ("containerd_daemon_log".equals(f) || "crio_daemon_log".equals(f)) {
      String act = e.getActivityName();
      boolean stream = "exec_requested".equals(act);
      // the kubelet's /run is an ExecSync without a timeout; its exec probes always carry one (1 s and more):
      // containerd's line says it in words, CRI-O's request as Timeout:N (its parser's timeout_seconds)
      boolean sync = "exec_sync_requested".equals(act) && ("0".equals(u.get("timeout_seconds"))
          || e.getMessage() != null && e.getMessage().contains(" and timeout 0 (s)"));
      if (!stream && !sync) return null;
      String cmd = u.get("command");
      if (cmd != null && cmd.startsWith("[")) cmd = cmd.substring(1, cmd.endsWith("]") ? cmd.length() - 1 : cmd.length());
      String first = cmd == null ? null : cmd.trim().split("\\s+", 2)[0];
      return new String[] {"containerd_daemon_log".equals(f) ? "containerd" : "crio", command(first)};
    }
    return null;
  }

  /** The last path element of an executable, lower case, no '|' (a key separator); "" for none. */
  private static String command(String exe) {
    if (exe == null || exe.isBlank()) return "";
    String c = exe.trim();
    int slash = c.lastIndexOf('/');
    if (slash >= 0) c = c.substring(slash + 1);
    return c.replace('|', '_').toLowerCase(java.util.Locale.ROOT);
  }

  /** Whether {@code key} is a decided runtime exec. */
  static boolean decided(String key) {
    return key != null && (key.startsWith("exec-none|") || key.startsWith("exec-api|") || key.startsWith("exec-dup|"));
  }

  /**
   * A runtime exec key taken apart: kind ({@code exec}, {@code exec-none}, {@code exec-api}, {@code exec-dup}),
   * cluster, pod, sensor, command, and for {@code exec-api} the request's time, subresource and user, for {@code
   * exec-dup} the primary exec's event id. Written by {@link #toString}; state of version 4 before session 16 holds
   * {@code exec|c|p}, {@code exec-none|c|p}, {@code exec-api|c|p|at|sub|user} (Tetragon's), read as such.
   */
  record ExecKey(String kind, String cluster, String pod, String sensor, String cmd, long at, String sub, String user,
      String primary) {
    static ExecKey parse(String key) {
      String[] p = key.split("\\|", -1);
      String kind = p[0];
      switch (kind) {
        case "exec", "exec-none" -> {
          return new ExecKey(kind, p[1], p[2], p.length > 3 ? p[3] : "tetragon", p.length > 4 ? p[4] : "", 0, null, null,
              null);
        }
        case "exec-api" -> {
          return new ExecKey(kind, p[1], p[2], p.length > 6 ? p[6] : "tetragon", p.length > 7 ? p[7] : "",
              Long.parseLong(p[3]), p[4], p[5], null);
        }
        case "exec-dup" -> {
          return new ExecKey(kind, p[1], p[2], p[4], p[5], 0, null, null, p[3]);
        }
        default -> throw new IllegalArgumentException("not a runtime exec key: " + key);
      }
    }

    ExecKey as(String newKind) {
      return new ExecKey(newKind, cluster, pod, sensor, cmd, at, sub, user, primary);
    }

    @Override
    public String toString() {
      return switch (kind) {
        case "exec", "exec-none" -> kind + "|" + cluster + "|" + pod + "|" + sensor + "|" + cmd;
        case "exec-api" -> kind + "|" + cluster + "|" + pod + "|" + at + "|" + sub + "|" + (user == null ? "" : user)
            + "|" + sensor + "|" + cmd;
        default -> kind + "|" + cluster + "|" + pod + "|" + primary + "|" + sensor + "|" + cmd;
      };
    }
  }

  /**
   * {@code now} (a new revision or a copy of an event whose member was decided) with {@code before}'s decision when it
   * is the same undecided exec (same cluster and pod): a copy must not undo the decision; else {@code now}.
   */
  static Member carry(Member before, Member now) {
    if (before == null || !decided(before.execKey()) || now.execKey() == null || !now.execKey().startsWith("exec|")) {
      return now;
    }
    ExecKey b = ExecKey.parse(before.execKey());
    ExecKey n = ExecKey.parse(now.execKey());
    return b.cluster().equals(n.cluster()) && b.pod().equals(n.pod()) ? apply(now, before.execKey()) : now;
  }

  /**
   * The member of an undecided runtime exec with {@code decision} ({@code exec-none|…}, {@code exec-api|…}: its
   * audit verdict; {@code exec-dup|…}: another sensor's record of an exec whose primary row is another member's).
   */
  static Member apply(Member m, String decision) {
    ExecKey d = ExecKey.parse(decision);
    String summary;
    String reason = m.reason();
    int severity = m.severityId();
    boolean signal = m.signal();
    AttackStage stage = m.stage();
    switch (d.kind()) {
      case "exec-none" -> {
        summary = m.summary() + " (no pods/exec of " + d.pod() + " in cluster " + d.cluster()
            + "'s audit log: not through the API server)";
        reason = reason == null ? REASON
            : reason.startsWith(RUNTIME_EXEC) ? REASON + reason.substring(RUNTIME_EXEC.length()) : REASON + "; " + reason;
        severity = Math.max(4, severity);
        signal = true; // a Falco Notice or a containerd line: context until the audit log said nobody asked for it
        if (stage == null) stage = AttackStage.EXECUTION;
      }
      case "exec-api" -> summary = m.summary() + " (pods/" + d.sub() + " by "
          + (d.user() == null || d.user().isEmpty() ? "an unnamed user" : d.user()) + " at "
          + Instant.ofEpochSecond(Math.floorDiv(d.at(), 1_000_000L)) + ")";
      default -> {
        // one exec, one row: the primary sensor's row is the signal and names this record's lineage
        summary = m.summary() + " (the same exec as event " + d.primary() + ", seen by two sensors: that row is its signal)";
        signal = false;
        reason = null;
        stage = null;
      }
    }
    return new Member(m.eventId(), m.timeMicros(), m.layer(), m.className(), m.sourceFormat(), summary, signal, severity,
        stage, reason, m.artifactSha256(), m.origin(), m.byteOffset(), m.lineNumber(), m.recordIndex(), m.entities(),
        m.indicators(), m.burstKey(), m.detections(), m.lane(), decision);
  }

  /** {@code primary} naming another sensor's record of the same exec ({@code dup}): one row, both lineages. */
  static Member alsoSeen(Member primary, Member dup) {
    String lineage = dup.sourceFormat() + " " + (dup.origin() == null ? "" : dup.origin())
        + (dup.lineNumber() != null ? " line " + dup.lineNumber()
            : dup.recordIndex() != null ? " record " + dup.recordIndex() : " byte " + dup.byteOffset())
        + " (artifact " + (dup.artifactSha256() == null ? "?" : dup.artifactSha256().substring(0,
            Math.min(12, dup.artifactSha256().length()))) + ", event " + dup.eventId() + ")";
    String note = " [also seen by " + lineage + "]";
    if (primary.summary().contains(note)) return primary;
    return new Member(primary.eventId(), primary.timeMicros(), primary.layer(), primary.className(),
        primary.sourceFormat(), primary.summary() + note, primary.signal(), primary.severityId(), primary.stage(),
        primary.reason(), primary.artifactSha256(), primary.origin(), primary.byteOffset(), primary.lineNumber(),
        primary.recordIndex(), primary.entities(), primary.indicators(), primary.burstKey(), primary.detections(),
        primary.lane(), primary.execKey());
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
    /** Undecided runtime execs: event id -> key, with their times. */
    private final Map<String, ExecKey> pending = new LinkedHashMap<>();
    private final Map<String, Long> pendingTime = new HashMap<>();
    /** cluster|pod -> time -> event id -> key: every runtime exec but the duplicates (what another record joins). */
    private final Map<String, TreeMap<Long, TreeMap<String, ExecKey>>> execsOf = new HashMap<>();
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
        case "exec", "exec-none", "exec-api" -> {
          ExecKey k = ExecKey.parse(key);
          if (p[0].equals("exec")) {
            pending.put(eventId, k);
            pendingTime.put(eventId, t);
          }
          execsOf.computeIfAbsent(k.cluster() + "|" + k.pod(), x -> new TreeMap<>())
              .computeIfAbsent(t, x -> new TreeMap<>()).put(eventId, k);
        }
        default -> {
          return; // another sensor's record of an exec decided elsewhere: nothing to do
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
      if (p[0].startsWith("exec")) {
        pending.remove(eventId);
        pendingTime.remove(eventId);
        String pk = p[1] + "|" + p[2];
        TreeMap<Long, TreeMap<String, ExecKey>> byTime = execsOf.get(pk);
        if (byTime != null) {
          TreeMap<String, ExecKey> at = byTime.get(t);
          if (at != null) {
            at.remove(eventId);
            if (at.isEmpty()) byTime.remove(t);
          }
          if (byTime.isEmpty()) execsOf.remove(pk);
        }
      }
    }

    /**
     * What a flush decides: per event id its decided key, and per primary exec the other sensors' records found to be
     * the same exec at this flush (their rows' lineage goes into the primary's row).
     */
    record Decisions(Map<String, String> keys, Map<String, List<String>> alsoSeen) {}

    /**
     * The decisions due at {@code watermarkMicros} (Long.MAX_VALUE: the input's end, all; Long.MIN_VALUE: none). The
     * members are not changed here (the caller replaces them). Due execs are taken in time order; each first finds the
     * other sensors' records of the same exec (same cluster and pod, at most {@link #SAME_EXEC_MICROS} apart, the same
     * command or one not named; per sensor the nearest): the best sensor's ({@link #SENSORS}; one already decided at
     * an earlier flush stays the primary) is judged against the audit log, the others become {@code exec-dup} of it.
     */
    Decisions decide(long watermarkMicros) {
      Map<String, String> out = new LinkedHashMap<>();
      Map<String, List<String>> also = new LinkedHashMap<>();
      if (watermarkMicros == Long.MIN_VALUE || pending.isEmpty()) return new Decisions(out, also);
      List<String> due = new ArrayList<>();
      for (String id : pending.keySet()) {
        if (watermarkMicros == Long.MAX_VALUE || pendingTime.get(id) + bound <= watermarkMicros) due.add(id);
      }
      due.sort(Comparator.comparingLong((String id) -> pendingTime.get(id)).thenComparing(id -> id));
      Set<String> done = new HashSet<>();
      for (String id : due) {
        if (!done.add(id)) continue;
        ExecKey k = pending.get(id);
        long t = pendingTime.get(id);
        // the other sensors' records of this exec: per sensor the nearest, not yet taken
        Map<String, Object[]> bySensor = new TreeMap<>();
        bySensor.put(k.sensor(), new Object[] {id, k, t});
        TreeMap<Long, TreeMap<String, ExecKey>> byTime = execsOf.get(k.cluster() + "|" + k.pod());
        for (Map.Entry<Long, TreeMap<String, ExecKey>> at : byTime.subMap(t - SAME_EXEC_MICROS, true,
            t + SAME_EXEC_MICROS, true).entrySet()) {
          for (Map.Entry<String, ExecKey> o : at.getValue().entrySet()) {
            ExecKey ok = o.getValue();
            if (done.contains(o.getKey()) || ok.sensor().equals(k.sensor())) continue;
            if (!ok.cmd().isEmpty() && !k.cmd().isEmpty() && !ok.cmd().equals(k.cmd())) continue;
            boolean isPending = pending.containsKey(o.getKey());
            if (isPending && watermarkMicros != Long.MAX_VALUE && at.getKey() + bound > watermarkMicros) continue;
            Object[] cur = bySensor.get(ok.sensor());
            if (cur == null || Math.abs(at.getKey() - t) < Math.abs((Long) cur[2] - t)) {
              bySensor.put(ok.sensor(), new Object[] {o.getKey(), ok, at.getKey()});
            }
          }
        }
        // the primary: one decided before (its row already stands), else the best sensor's
        Object[] primary = null;
        for (Object[] c : bySensor.values()) {
          if (!pending.containsKey((String) c[0])) primary = better(primary, c);
        }
        if (primary == null) for (Object[] c : bySensor.values()) primary = better(primary, c);
        String primaryId = (String) primary[0];
        for (Object[] c : bySensor.values()) {
          String cid = (String) c[0];
          done.add(cid);
          if (cid.equals(primaryId)) continue;
          ExecKey ck = (ExecKey) c[1];
          out.put(cid, new ExecKey("exec-dup", ck.cluster(), ck.pod(), ck.sensor(), ck.cmd(), 0, null, null, primaryId)
              .toString());
          also.computeIfAbsent(primaryId, x -> new ArrayList<>()).add(cid);
        }
        if (pending.containsKey(primaryId)) {
          String verdict = verdict((ExecKey) primary[1], (Long) primary[2]);
          if (verdict != null) out.put(primaryId, verdict);
        }
      }
      return new Decisions(out, also);
    }

    /** The better primary of two candidates {id, key, time}: the earlier sensor of {@link #SENSORS}, then time, id. */
    private static Object[] better(Object[] a, Object[] b) {
      if (a == null) return b;
      int ra = SENSORS.indexOf(((ExecKey) a[1]).sensor());
      int rb = SENSORS.indexOf(((ExecKey) b[1]).sensor());
      if (ra != rb) return ra < rb ? a : b;
      int c = Long.compare((Long) a[2], (Long) b[2]);
      if (c != 0) return c < 0 ? a : b;
      return ((String) a[0]).compareTo((String) b[0]) <= 0 ? a : b;
    }

    /** The audit log's verdict on the runtime exec {@code k} at {@code t}, or null (the log does not cover it). */
    private String verdict(ExecKey k, long t) {
      TreeMap<Long, Integer> times = audit.get(k.cluster());
      Long before = times == null ? null : times.floorKey(t - bound);
      Long after = times == null ? null : times.ceilingKey(t + bound);
      if (before == null || after == null) {
        return null; // the audit log does not cover it (yet): nothing can be said
      }
      if (coverage != Long.MAX_VALUE && (t - bound - before > coverage || after - (t + bound) > coverage)) {
        // the nearest records around it are further than incident.exec_audit_coverage: a gap in the log (a lost
        // file, another API server's log not collected) may hold its request; undecided for good once the
        // records after the bound are there (a later file can only bring nearer ones, which would decide it)
        return null;
      }
      TreeMap<Long, Map<String, String>> reqs = api.get(k.cluster() + "|" + k.pod());
      NavigableMap<Long, Map<String, String>> near =
          reqs == null ? null : reqs.subMap(t - bound, true, t + bound, true);
      if (near == null || near.isEmpty()) return k.as("exec-none").toString();
      // the nearest request (ties: the earlier, then the smallest event id: the same answer in any arrival order)
      long best = Long.MIN_VALUE;
      for (long at : near.keySet()) {
        if (best == Long.MIN_VALUE || Math.abs(at - t) < Math.abs(best - t)) best = at;
      }
      String[] who = new TreeMap<>(near.get(best)).firstEntry().getValue().split("\\|", 2);
      return new ExecKey("exec-api", k.cluster(), k.pod(), k.sensor(), k.cmd(), best, who[0], who.length > 1 ? who[1] : "",
          null).toString();
    }
  }
}
