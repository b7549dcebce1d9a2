package dev.strata.job.incident;

import dev.strata.schema.correlate.AttackStage;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Groups the members of one tenant into incidents. A pure function of the set of members and bindings, so the
 * order in which evidence arrives never changes the result:
 *
 * <ol>
 *   <li>GetSecretValue bursts (see {@link SignalRules}) promote their calls to signals.
 *   <li>Each member's pivot entities are expanded upwards along bindings (container -> pod -> node <-> instance;
 *       an ENI bound to an ECS task expands to the task, not to the instance its flow records name).
 *   <li>A member joins through its {@link #linkKeys link entities}: its expanded entities, without those many
 *       workloads share (node, instance, ENI, service account) when it belongs to a workload (a pod, container or
 *       task among them). Evidence of another pod on the same node (or another replica of the same service account)
 *       is that pod's: it joins only through its own link to the incident (its pod, an attacker's address, a
 *       session); evidence that names no workload (a host process, a kubelet line, the node's instance-role calls, a
 *       flow of the node's own address, a call of the service account's credentials) joins by the node or the
 *       service account.
 *   <li>Signals are joined with a union-find: two signals at most {@code window} apart are in one incident when a
 *       link entity of one is an expanded entity of the other (transitively): signals of two pods of one node are
 *       not linked by the node, a node-level signal between them links both.
 *   <li>A context member joins every incident whose signals' expanded entities hold one of its link entities, when
 *       its time lies within {@code window} of the incident's first..last signal. It never links incidents together.
 *   <li>An incident with an escape to a host ({@link HostEscapes}: a pod's process entering PID 1's namespaces) takes
 *       that host's own flow records (naming the node, its instance or ENI, no workload) to a public address one of
 *       its members above names, from {@link HostEscapes#BEFORE} before the escape to {@code window} after it: the
 *       escaped shell's traffic leaves from the node's address.
 *   <li>The incident id is {@link #incidentId} of the earliest signal by (time, event_id).
 * </ol>
 *
 * Cost: O(members x expanded entities) per call, with hash maps; the job calls it once per tenant per flush.
 */
public final class IncidentGrouper {
  private IncidentGrouper() {}

  static final Comparator<Member> ORDER =
      Comparator.comparingLong(Member::timeMicros).thenComparing(Member::eventId);

  /** One incident: its id, its members in (time, event_id) order, the expanded pivot entities of each member. */
  public record Group(String incidentId, String tenant, List<Member> members, Map<String, Set<String>> expanded) {
    public Member firstSignal() {
      for (Member m : members) if (m.signal()) return m;
      throw new IllegalStateException("a group without signal");
    }
  }

  public static List<Group> group(
      String tenant, Collection<Member> all, Collection<Binding> bindings, IncidentSettings s) {
    List<Member> members = promoteBursts(all, s);
    members.sort(ORDER);
    Map<String, List<String>> up = new HashMap<>();
    for (Binding b : bindings) {
      up.computeIfAbsent(b.from(), k -> new ArrayList<>(2)).add(b.to());
    }
    Map<String, Set<String>> closure = new HashMap<>();
    Map<String, Set<String>> expanded = new HashMap<>();
    for (Member m : members) {
      Set<String> x = new LinkedHashSet<>();
      for (Entity e : m.entities()) {
        if (e.pivot()) x.addAll(closure.computeIfAbsent(e.id(), id -> expand(id, up)));
      }
      expanded.put(m.eventId(), x);
    }

    List<Member> signals = new ArrayList<>();
    for (Member m : members) if (m.signal()) signals.add(m);
    int[] parent = new int[signals.size()];
    for (int i = 0; i < parent.length; i++) parent[i] = i;
    long w = s.window().toNanos() / 1000;
    // per entity, its signals in time order; one that links through it ("strong": the entity is one of its link
    // entities) is joined to the strong ones next to it and to the others up to the next strong one, each at most a
    // window apart: the closure of "a strong signal and any signal of the entity at most a window apart"
    Map<String, List<Integer>> signalsOf = new HashMap<>();
    Map<String, Set<String>> links = new HashMap<>();
    for (int i = 0; i < signals.size(); i++) {
      Set<String> x = expanded.get(signals.get(i).eventId());
      links.put(signals.get(i).eventId(), linkKeys(x));
      for (String k : x) signalsOf.computeIfAbsent(k, key -> new ArrayList<>()).add(i);
    }
    for (Map.Entry<String, List<Integer>> e : signalsOf.entrySet()) {
      int prevStrong = -1;
      List<Integer> weakSince = new ArrayList<>();
      for (int i : e.getValue()) {
        long t = signals.get(i).timeMicros();
        if (prevStrong >= 0 && t - signals.get(prevStrong).timeMicros() <= w) union(parent, prevStrong, i);
        if (links.get(signals.get(i).eventId()).contains(e.getKey())) {
          for (int j : weakSince) if (t - signals.get(j).timeMicros() <= w) union(parent, j, i);
          weakSince.clear();
          prevStrong = i;
        } else {
          weakSince.add(i);
        }
      }
    }
    Map<Integer, List<Member>> comps = new TreeMap<>();
    for (int i = 0; i < signals.size(); i++) {
      comps.computeIfAbsent(find(parent, i), r -> new ArrayList<>()).add(signals.get(i));
    }
    List<List<Member>> groups = new ArrayList<>(comps.values());
    List<long[]> range = new ArrayList<>();
    Map<String, List<Integer>> byKey = new HashMap<>();
    Map<String, List<Integer>> byJoinKey = new HashMap<>();
    for (int g = 0; g < groups.size(); g++) {
      List<Member> sig = groups.get(g);
      range.add(new long[] {sig.get(0).timeMicros() - w, sig.get(sig.size() - 1).timeMicros() + w});
      Set<String> keys = new HashSet<>();
      Set<String> join = new HashSet<>();
      for (Member m : sig) {
        keys.addAll(expanded.get(m.eventId()));
        join.addAll(joinKeys(expanded.get(m.eventId())));
      }
      for (String k : keys) byKey.computeIfAbsent(k, x -> new ArrayList<>(1)).add(g);
      for (String k : join) byJoinKey.computeIfAbsent(k, x -> new ArrayList<>(1)).add(g);
    }
    List<List<Member>> withContext = new ArrayList<>();
    for (List<Member> g : groups) withContext.add(new ArrayList<>(g));
    for (Member m : members) {
      if (m.signal()) continue;
      Set<Integer> joined = new HashSet<>();
      // the cloud's record of the node (its role session's calls, flows of its address) joins by the node only an
      // incident with node-level evidence of the attack (joinKeys)
      Map<String, List<Integer>> by = cloudLayer(m) ? byJoinKey : byKey;
      for (String k : linkKeys(expanded.get(m.eventId()))) {
        List<Integer> gs = by.get(k);
        if (gs == null) continue;
        for (int g : gs) {
          long[] r = range.get(g);
          if (m.timeMicros() >= r[0] && m.timeMicros() <= r[1] && joined.add(g)) withContext.get(g).add(m);
        }
      }
    }
    // an escaped node's own flows to an address the incident names (HostEscapes): after the context above, whose
    // addresses, with the signals', are what the incident names
    for (int g = 0; g < groups.size(); g++) {
      Map<String, java.util.TreeSet<Long>> escapes = new HashMap<>();
      for (Member m : groups.get(g)) {
        if (HostEscapes.escape(m)) HostEscapes.hosts(expanded.get(m.eventId()), m.timeMicros(), escapes);
      }
      if (escapes.isEmpty()) continue;
      List<Member> in = withContext.get(g);
      Set<String> named = new HashSet<>();
      Set<String> ids = new HashSet<>();
      for (Member m : in) {
        HostEscapes.addresses(expanded.get(m.eventId()), named);
        ids.add(m.eventId());
      }
      List<Member> add = new ArrayList<>();
      for (Member m : members) {
        String target = HostEscapes.target(m);
        if (target == null || !cloudLayer(m) || ids.contains(m.eventId())) continue;
        if (HostEscapes.joins(escapes, linkKeys(expanded.get(m.eventId())), target, m.timeMicros(), named, w)) {
          add.add(m);
        }
      }
      in.addAll(add);
    }
    List<Group> out = new ArrayList<>();
    for (List<Member> g : withContext) {
      g.sort(ORDER);
      Map<String, Set<String>> x = new HashMap<>();
      for (Member m : g) x.put(m.eventId(), expanded.get(m.eventId()));
      Member first = null;
      for (Member m : g) {
        if (m.signal()) {
          first = m;
          break;
        }
      }
      out.add(new Group(incidentId(tenant, first.eventId()), tenant, g, x));
    }
    out.sort(Comparator.comparing(Group::incidentId));
    return out;
  }

  /**
   * The entities a member with these expanded entities joins and links through: all of them, except those many
   * workloads share (node, instance, ENI, service account: {@link Entity#sharedByWorkloads}) when a workload (pod,
   * container, task) is among them.
   */
  static Set<String> linkKeys(Set<String> expanded) {
    boolean workload = false;
    boolean host = false;
    for (String k : expanded) {
      String type = Entity.typeOf(k);
      workload |= Entity.workloadType(type);
      host |= Entity.sharedByWorkloads(type);
    }
    if (!workload || !host) return expanded;
    Set<String> out = new LinkedHashSet<>();
    for (String k : expanded) if (!Entity.sharedByWorkloads(Entity.typeOf(k))) out.add(k);
    return out;
  }

  /**
   * The entities of a signal with these expanded entities that the cloud's record of a node (its instance role
   * session's calls, flows of its own address: {@link #cloudLayer} context) joins its incident through: all of them,
   * except the node, instance and ENI a pod's evidence reaches only upwards (it runs there) when a pod is among them. So a workload's incident takes the node role's calls only on evidence that the workload used the node:
   * a node-level signal in the incident (a host process, an escape, the kubelet reached from outside: its entities are
   * the node's own), or the node role's session tied to the pod (the correlation job's IMDS join, {@code imds_fetch}:
   * the session's calls then name the pod and join through it). Before session 16 every pod's incident took in its
   * node's role session's calls (FirehoseVpcCniScenarioIT: the kubelet's ECR GetAuthorizationToken before the pod
   * started). The node's host evidence (a process on the node, a kubelet line) still joins by the node, and signals
   * still link through it (a node-level signal between two pods' signals is an escape and joins them).
   */
  static Set<String> joinKeys(Set<String> expanded) {
    boolean workload = false;
    boolean host = false;
    for (String k : expanded) {
      String type = Entity.typeOf(k);
      // a Kubernetes pod: the node runs many, and its role session is the kubelet's and the node's agents'. A container
      // on a Docker or Podman host (no pod) keeps the host's records: a rootless container's connections leave from
      // the host's own address (PodmanHostScenarioIT: the miner's pool is only in the host's flow); an ECS task's ENI
      // is its own already
      workload |= Entity.POD.equals(type);
      host |= hostType(type);
    }
    if (!workload || !host) return expanded;
    Set<String> out = new LinkedHashSet<>();
    for (String k : expanded) if (!hostType(Entity.typeOf(k))) out.add(k);
    return out;
  }

  /** Context of the cloud layer (CloudTrail calls, flow records): {@link #joinKeys} is what it joins through. */
  static boolean cloudLayer(Member m) {
    return m.layer() == dev.strata.schema.correlate.TimelineLayer.CLOUD;
  }

  /** The node a workload runs on and what stands for it: its instance and ENI. */
  static boolean hostType(String type) {
    return Entity.NODE.equals(type) || Entity.INSTANCE.equals(type) || Entity.ENI.equals(type);
  }

  /** {@code inc-} + 24 hex digits of SHA-256(tenant NUL event_id). */
  public static String incidentId(String tenant, String firstSignalEventId) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      d.update(tenant.getBytes(StandardCharsets.UTF_8));
      d.update((byte) 0);
      byte[] h = d.digest(firstSignalEventId.getBytes(StandardCharsets.UTF_8));
      StringBuilder b = new StringBuilder("inc-");
      for (int i = 0; i < 12; i++) b.append(String.format("%02x", h[i]));
      return b.toString();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static Set<String> expand(String id, Map<String, List<String>> up) {
    Set<String> seen = new LinkedHashSet<>();
    Deque<String> todo = new ArrayDeque<>();
    todo.add(id);
    while (!todo.isEmpty() && seen.size() < 64) {
      String k = todo.poll();
      if (!seen.add(k)) continue;
      List<String> ups = up.getOrDefault(k, List.of());
      boolean taskEni = Entity.ENI.equals(Entity.typeOf(k)) && ups.stream().anyMatch(p -> Entity.TASK.equals(Entity.typeOf(p)));
      for (String p : ups) {
        // an ECS task's ENI (awsvpc) is the task's: the container instance its flow records name only hosted it
        if (taskEni && Entity.INSTANCE.equals(Entity.typeOf(p))) continue;
        if (Entity.expandsTo(Entity.typeOf(p))) todo.add(p);
      }
    }
    return seen;
  }

  /** Members with GetSecretValue bursts promoted to signals. */
  static List<Member> promoteBursts(Collection<Member> all, IncidentSettings s) {
    Map<String, List<Member>> byKey = new HashMap<>();
    for (Member m : all) {
      if (m.burstKey() != null && !m.signal()) byKey.computeIfAbsent(m.burstKey(), k -> new ArrayList<>()).add(m);
    }
    Set<String> promoted = new HashSet<>();
    long w = s.secretBurstWindow().toNanos() / 1000;
    for (List<Member> calls : byKey.values()) {
      if (calls.size() < s.secretBurstCount()) continue;
      calls.sort(ORDER);
      int lo = 0;
      for (int hi = 0; hi < calls.size(); hi++) {
        while (calls.get(hi).timeMicros() - calls.get(lo).timeMicros() > w) lo++;
        if (hi - lo + 1 >= s.secretBurstCount()) {
          for (int i = lo; i <= hi; i++) promoted.add(calls.get(i).eventId());
        }
      }
    }
    List<Member> out = new ArrayList<>(all.size());
    for (Member m : all) {
      out.add(promoted.contains(m.eventId()) ? m.asSignal(AttackStage.CREDENTIAL_ACCESS, 3, "secret_read_burst") : m);
    }
    return out;
  }

  static int find(int[] p, int i) {
    while (p[i] != i) {
      p[i] = p[p[i]];
      i = p[i];
    }
    return i;
  }

  static void union(int[] p, int a, int b) {
    int ra = find(p, a), rb = find(p, b);
    if (ra != rb) p[Math.max(ra, rb)] = Math.min(ra, rb);
  }
}
