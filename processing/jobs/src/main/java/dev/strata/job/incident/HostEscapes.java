package dev.strata.job.incident;

import dev.strata.job.incident.SignalRules.Signal;
import dev.strata.schema.correlate.AttackStage;
import dev.strata.schema.event.EvidenceEvent;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A container's process entering its host's namespaces (MITRE ATT&amp;CK T1611 Escape to Host): {@code nsenter} aimed at
 * PID 1 ({@code -t 1}, {@code --target 1}, {@code --target=1}), the host's init, from a pod with the host's PID
 * namespace: the daemonset scenario's {@code nsenter -t 1 -m -u -i -n -p -- sh}, as Falco's {@code Change thread
 * namespace} (priority Notice: the stock rule is noisy for other programs' {@code setns}) and Tetragon's {@code setns}
 * name it. Signal {@code host_escape}, privilege escalation, High, joined to the event's other one; Tetragon's exec of
 * it is already {@code tetragon_nsenter_host} ({@link TetragonSignals}), an escape as well.
 *
 * <p>After such an escape the shell is the node's: its connections leave from the node's own address (the host
 * network), so their flow records name the node and no pod. {@link IncidentGrouper} lets an escape signal's incident
 * take the node's own flows ({@link #target}) to a public address the incident already names, from {@link #BEFORE}
 * before the escape to {@code incident.window} after it ({@link #joins}); docs/incidents.md, "An escaped shell's
 * traffic from the node's own address".
 */
final class HostEscapes {
  private HostEscapes() {}

  static final String REASON = "host_escape";

  /** A flow record's time is the start of its capture window, up to 10 minutes (VPC Flow Logs' longest aggregation). */
  static final long BEFORE = 10 * 60 * 1_000_000L;

  /** The signal of a container's process entering PID 1's namespaces, or null. */
  static Signal classify(EvidenceEvent e) {
    String f = e.getSourceFormat();
    if (!"falco_alert".equals(f) && !"tetragon_event".equals(f)) return null;
    if (e.getContainer() == null && (e.getKubernetes() == null || e.getKubernetes().getPodName() == null)) return null;
    if (e.getProcess() == null) return null;
    return entersPid1(e.getProcess().getCmdLine()) ? new Signal(AttackStage.PRIVILEGE_ESCALATION, 4, REASON) : null;
  }

  /** Whether {@code cmd} runs {@code nsenter} (by name or path) with the target PID 1. */
  static boolean entersPid1(String cmd) {
    if (cmd == null) return false;
    String[] t = cmd.trim().split("\\s+");
    if (t.length < 2) return false;
    String bin = t[0].substring(t[0].lastIndexOf('/') + 1);
    if (!bin.equals("nsenter")) return false;
    for (int i = 1; i < t.length; i++) {
      String a = t[i];
      if (a.equals("--")) break;
      if ((a.equals("-t") || a.equals("--target")) && i + 1 < t.length && t[i + 1].equals("1")) return true;
      if (a.equals("-t1") || a.equals("--target=1")) return true;
      // short options bundled before the target: -at 1, -mt1
      if (a.startsWith("-") && !a.startsWith("--") && a.indexOf('t') > 0) {
        String rest = a.substring(a.indexOf('t') + 1);
        if (rest.equals("1") || (rest.isEmpty() && i + 1 < t.length && t[i + 1].equals("1"))) return true;
      }
    }
    return false;
  }

  /** Tetragon's own rule for the same exec ({@link TetragonSignals}): an escape too. */
  static final String TETRAGON_REASON = "tetragon_nsenter_host";

  /** {@code s} with this rule's signal for {@code e} (not again for an exec Tetragon's own rule judged so). */
  static Signal with(Signal s, EvidenceEvent e) {
    if (s != null && s.reason().contains(TETRAGON_REASON)) return s;
    return ImageLookalikes.with(s, classify(e));
  }

  /** A signal that is an escape to its host (its reasons name {@link #REASON} or Tetragon's {@code nsenter} rule). */
  static boolean escape(Member m) {
    return m.signal() && m.reason() != null && (m.reason().contains(REASON) || m.reason().contains(TETRAGON_REASON));
  }

  /**
   * The destination address of a flow record that may be an escaped shell's traffic (context, a public address it was
   * sent to: the node's outbound traffic, not an inbound connection from the address), as an entity id; else null.
   */
  static String target(Member m) {
    if (m.signal() || m.sourceFormat() == null || !m.sourceFormat().startsWith("aws_vpc_flow")) return null;
    for (Entity x : m.entities()) {
      if (Entity.IP.equals(x.type()) && Entity.TARGET.equals(x.role()) && x.pivot()) return x.id();
    }
    return null;
  }

  /** Adds each escape's host entities (node, instance, ENI) of {@code keys} with the escape's time. */
  static void hosts(Set<String> keys, long t, Map<String, TreeSet<Long>> out) {
    for (String k : keys) {
      if (IncidentGrouper.hostType(Entity.typeOf(k))) out.computeIfAbsent(k, x -> new TreeSet<>()).add(t);
    }
  }

  /** The public addresses among {@code keys}. */
  static void addresses(Set<String> keys, Set<String> out) {
    for (String k : keys) if (Entity.IP.equals(Entity.typeOf(k))) out.add(k);
  }

  /**
   * Whether a flow with link entities {@code link} to {@code target} ({@link #target}) at {@code t} is an escaped
   * shell's traffic of an incident whose escapes are {@code escapes} (host entity -> times) and which names the
   * addresses {@code named}: one of its host entities escaped from {@code window} before {@code t} to {@link #BEFORE}
   * after it (the flow starts from {@link #BEFORE} before the escape to {@code window} after), and it goes to one of
   * the addresses.
   */
  static boolean joins(Map<String, TreeSet<Long>> escapes, Set<String> link, String target, long t,
      Set<String> named, long window) {
    if (target == null || !named.contains(target)) return false;
    for (String k : link) {
      TreeSet<Long> times = escapes.get(k);
      if (times == null) continue;
      // an escape at e covers [e - BEFORE, e + window]: some e in [t - window, t + BEFORE]
      Long e = times.ceiling(t - window);
      if (e != null && e <= t + BEFORE) return true;
    }
    return false;
  }
}
