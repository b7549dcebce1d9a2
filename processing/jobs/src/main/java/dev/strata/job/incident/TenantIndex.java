package dev.strata.job.incident;

import dev.strata.schema.correlate.AttackStage;
import dev.strata.schema.correlate.Incident;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The grouping of one tenant kept up to date as evidence arrives, so a flush costs what changed, not the tenant's
 * size. It computes the same groups as {@link IncidentGrouper#group} (a pure function of the members and bindings;
 * {@code IncrementalGroupingTest} compares both on random evidence in random order with random flushes):
 *
 * <ul>
 *   <li>per member: its time, whether it is a signal (GetSecretValue bursts promoted per burst key, recomputed only
 *       for the keys that got a call), its pivot entities expanded upwards along bindings (cached per entity; a new
 *       binding re-expands only the entities whose closure holds its lower end, and their members);
 *   <li>per expanded entity: its signals and all its members, each in (time, event id) order;
 *   <li>an incident is a connected component of signals, two signals being linked when they are consecutive on an
 *       entity's signal list and at most {@code window} apart. Adding a signal (or an entity to a signal) only adds
 *       links, so components only grow and merge, and the changed ones are those holding a changed signal: a flush
 *       walks exactly those (breadth first over each entity's neighbours within the window). Links go only when a
 *       signal leaves (a newer revision of its event replaces its member), loses entities or link entities (a binding
 *       that shrinks a closure, a workload found for node-level evidence) or stops being one (a burst that no longer
 *       holds): its incident is {@link #dissolve dissolved} and its signals walked again, which splits it where the
 *       lost link was the only bridge;
 *   <li>a context member joins the incidents whose signals share an entity with it and whose first..last signal +-
 *       window covers its time; a changed context member marks those incidents (found through its entities' signal
 *       lists) for re-assembly; a re-assembled incident takes its context by a time-range query on each of its
 *       entities' member lists.
 *   <li>an incident with an escape to a host ({@link HostEscapes}) keeps its escapes per host entity and the flows it
 *       took as that host's outbound traffic to an address it names; at a flush each changed incident, and each whose
 *       escaped host got a new or changed flow, re-decides them after every other join ({@link #escapeFlows}: one
 *       range query per escaped host entity), as the full regrouping's last step does;
 *   <li>each incident keeps the parts of its record ({@link IncidentAccumulator}) and the members it gained (or
 *       whose expanded entities grew) since its last assembly; a grown or merged incident takes over the parts of its
 *       largest old part, so re-assembling it reads and adds only those members ({@link #assemble}). An incident that
 *       lost members (evicted context, a context member promoted to signal) is assembled from all its members.
 * </ul>
 *
 * Only the incidents re-assembled at a flush can change, so only they are fingerprinted and emitted. The index is
 * derived state: the engine builds it from the {@link TenantStore} when it has none for the tenant (after a restore or
 * a rescale) and then keeps both in step, so checkpoints hold the store only. Heap: per member its event id, time and
 * expanded entity ids, plus an entry in its incidents' parts; per incident its entities' counts and its capped
 * timeline, attack path and indicators (the members themselves stay in the store and are read back only when they
 * join an incident or are rows of a re-assembled incident's timeline).
 */
final class TenantIndex {
  /** What the grouping needs of one member. */
  static final class Node {
    final String eventId;
    final long t;
    final String burstKey;
    final List<String> pivots;
    final boolean ownSignal;
    /** Of the cloud layer ({@link IncidentGrouper#cloudLayer}): joins through its incidents' join entities. */
    final boolean cloud;
    /** An escape to its host ({@link HostEscapes#escape}). */
    final boolean escape;
    /** A flow record's public destination, by which an escaped host's incident may take it ({@link
     * HostEscapes#target}), else null. */
    final String escapeTarget;
    /** The source lane (collection run and source file, {@link LaneClocks#lane}) it came from, null when no run is
     * known: whose event time seals it ({@link IncidentEngine.EventClock}). */
    final String lane;
    /** Arrival number: the tie-break of {@link #BY_TIME} (cheaper than comparing event ids). */
    final long seq;
    boolean promoted;
    /** Its expanded entities. */
    Set<String> keys = Set.of();
    /** The entities it joins and links through ({@link IncidentGrouper#linkKeys}). */
    Set<String> link = Set.of();
    /** The incident ids this member belongs to (signals: one; context: any number) after the last flush. */
    final Set<String> groups = new HashSet<>(2);

    Node(Member m, long seq) {
      this.seq = seq;
      eventId = m.eventId();
      t = m.timeMicros();
      burstKey = m.burstKey();
      ownSignal = m.signal();
      cloud = IncidentGrouper.cloudLayer(m);
      escape = HostEscapes.escape(m);
      escapeTarget = cloud ? HostEscapes.target(m) : null;
      String l = LaneClocks.lane(m.lane(), m.origin());
      lane = l == null ? null : l.intern();
      List<String> p = new ArrayList<>(m.entities().size());
      for (Entity e : m.entities()) if (e.pivot()) p.add(e.id());
      pivots = p;
    }

    boolean signal() {
      return ownSignal || promoted;
    }
  }

  static final Comparator<Node> ORDER = Comparator.comparingLong((Node n) -> n.t).thenComparing(n -> n.eventId);
  /** The order of the per-entity lists: by time (ties: any fixed order does, only time ranges are asked). */
  static final Comparator<Node> BY_TIME = (a, b) -> a.t != b.t ? Long.compare(a.t, b.t) : Long.compare(a.seq, b.seq);

  /** One incident after the last flush: its signals in order, its context members. */
  static final class Group {
    final String id;
    final List<Node> signals;
    Set<Node> context = new HashSet<>();
    /** The expanded entities of its signals (what context joins through). */
    final Set<String> keys = new HashSet<>();
    /** Their join entities ({@link IncidentGrouper#joinKeys}): what the cloud layer's context joins through. */
    final Set<String> joinKeys = new HashSet<>();
    /** Its record's parts as of its last assembly (null: none yet, built from all members at the next). */
    IncidentAccumulator parts;
    /** Members gained, or whose expanded entities grew, since its last assembly. */
    final Set<Node> gained = new HashSet<>();
    /** It lost members since its last assembly: {@link #parts} no longer applies. */
    boolean shrank;
    /** Its signals' escapes to their hosts: host entity -> times ({@link HostEscapes}). */
    final Map<String, TreeSet<Long>> escapes = new HashMap<>();
    /** Context that joined only as an escaped host's flow ({@link #escapeFlows}). */
    Set<Node> escapeJoined = new HashSet<>();

    Group(String id, List<Node> signals) {
      this.id = id;
      this.signals = signals;
      for (Node s : signals) {
        keys.addAll(s.keys);
        joinKeys.addAll(IncidentGrouper.joinKeys(s.keys));
        if (s.escape) HostEscapes.hosts(s.keys, s.t, escapes);
      }
      gained.addAll(signals);
    }

    long first() {
      return signals.get(0).t;
    }

    long last() {
      return signals.get(signals.size() - 1).t;
    }
  }

  private final String tenant;
  private final IncidentSettings settings;
  private final long window;
  final Map<String, Node> nodes = new HashMap<>();
  private final Map<String, List<String>> up = new HashMap<>();
  private final Set<String> bindingSet = new HashSet<>();
  private final Map<String, Set<String>> closure = new HashMap<>();
  /** entity id -> entities whose closure holds it (to re-expand on a new binding). */
  private final Map<String, Set<String>> inClosureOf = new HashMap<>();
  /** pivot entity id -> members naming it. */
  private final Map<String, Set<Node>> byPivot = new HashMap<>();
  /** expanded entity -> its signals. */
  private final Map<String, TreeSet<Node>> signalsByKey = new HashMap<>();
  /** link entity -> the signals linking through it. */
  private final Map<String, TreeSet<Node>> strongByKey = new HashMap<>();
  /** link entity -> the members joining through it. */
  private final Map<String, TreeSet<Node>> membersByKey = new HashMap<>();
  private final Map<String, List<Node>> burstCalls = new HashMap<>();
  final Map<String, Group> groups = new TreeMap<>();
  /** entity id -> the incidents whose signals hold it. */
  private final Map<String, Set<String>> groupsByKey = new HashMap<>();
  /** Incident ids per join entity of their signals ({@link Group#joinKeys}). */
  private final Map<String, Set<String>> groupsByJoinKey = new HashMap<>();
  /** Incident ids per host entity their signals escaped to ({@link Group#escapes}). */
  private final Map<String, Set<String>> groupsByEscapeKey = new HashMap<>();
  /**
   * Incidents whose links may be gone since the last flush (a signal replaced by a newer revision or evicted with
   * another incident, a signal whose expanded or link entities shrank, a burst that no longer holds): they can
   * split, so their grouping was forgotten and their signals and context are regrouped at the next flush, as new.
   */
  private final List<Group> dissolved = new ArrayList<>();
  /** Context members that joined no incident, by time (eviction). */
  final TreeSet<Node> loose = new TreeSet<>(ORDER);
  private final Set<Node> dirty = new HashSet<>();
  private long arrivals;
  private final Set<String> dirtyBursts = new HashSet<>();
  /** The audit records and runtime execs of the members, for the runtime exec judgement ({@link RuntimeExecAudit}). */
  final RuntimeExecAudit.Ledger execs;
  /** Candidate entry flows and the pods' first steps, for the entry flow judgement ({@link EntryFlows}). */
  final EntryFlows.Ledger entries;
  /** The principals' calls and clients and the instances' public addresses ({@link CredentialClients}). */
  final CredentialClients.Ledger calls = new CredentialClients.Ledger();
  /** The flows of workloads to public addresses and the workloads' signals ({@link ExfilVolume}). */
  final ExfilVolume.Ledger exfil;
  /** The access keys' status changes and uses ({@link RevokedKeyUse}). */
  final RevokedKeyUse.Ledger revoked = new RevokedKeyUse.Ledger();
  /** The tags' pushes and the SBOMs' packages per digest ({@link ImagePackageDiff}). */
  final ImagePackageDiff.Ledger packages = new ImagePackageDiff.Ledger();
  /** Incidents that lost context (a member evicted with another, sealed incident): re-assembled at the next flush. */
  private final Set<Group> shrunk = new HashSet<>();
  /** Assemblies of new incidents, rebuilt from all members, grown from their parts (see {@link #assemble}). */
  final long[] assemblies = new long[3];
  /** Incidents dissolved (see {@link #dissolved}), and of those, the ones whose signals came out in two or more. */
  final long[] regroupings = new long[2];

  TenantIndex(String tenant, IncidentSettings settings) {
    this.tenant = tenant;
    this.settings = settings;
    this.window = settings.window().toNanos() / 1000;
    this.execs = RuntimeExecAudit.Ledger.of(settings);
    this.entries = EntryFlows.Ledger.of(settings);
    this.exfil = ExfilVolume.Ledger.of(settings);
  }

  /** The index of what {@code store} holds (every member is new to it: the next flush regroups them all). */
  static TenantIndex of(String tenant, TenantStore store, IncidentSettings settings) throws Exception {
    TenantIndex x = new TenantIndex(tenant, settings);
    for (Binding b : store.bindings()) x.addBinding(b);
    for (Member m : store.members()) x.addMember(m);
    return x;
  }

  int size() {
    return nodes.size();
  }

  // ------------------------------------------------------------------------------------------------------ accept

  void addMember(Member m) {
    if (nodes.containsKey(m.eventId())) return;
    Node n = new Node(m, ++arrivals);
    nodes.put(n.eventId, n);
    execs.add(n.eventId, n.t, m.execKey());
    entries.add(m);
    calls.add(m);
    exfil.add(m);
    revoked.add(m);
    packages.add(m);
    for (String p : n.pivots) byPivot.computeIfAbsent(p, k -> new HashSet<>(4)).add(n);
    setKeys(n, expand(n));
    loose.add(n);
    if (n.burstKey != null && !n.ownSignal) {
      burstCalls.computeIfAbsent(n.burstKey, k -> new ArrayList<>()).add(n);
      dirtyBursts.add(n.burstKey);
    }
    dirty.add(n);
  }

  /**
   * A newer revision of a member's event (the correlation job re-resolved it: entities added, changed or gone): the
   * old member leaves the index as an evicted one does (the incident it was a signal of is dissolved: the links it
   * held may have been its only bridge; the incidents it was context of are re-assembled), the new one comes in as
   * new evidence. Only those incidents are regrouped at the next flush, never the tenant.
   */
  void replaceMember(Member m) {
    removeMember(m.eventId());
    addMember(m);
  }

  void addBinding(Binding b) {
    if (!bindingSet.add(b.from() + '\u0000' + b.to())) return;
    calls.addBinding(b);
    up.computeIfAbsent(b.from(), k -> new ArrayList<>(2)).add(b.to());
    Set<String> affected = new HashSet<>(inClosureOf.getOrDefault(b.from(), Set.of()));
    for (String entity : affected) {
      Set<String> before = closure.get(entity);
      Set<String> after = IncidentGrouper.expand(entity, up);
      if (after.equals(before)) continue;
      uncache(entity, before);
      cache(entity, after);
      for (Node n : byPivot.getOrDefault(entity, Set.of())) {
        Set<String> keys = expand(n);
        if (!keys.equals(n.keys)) {
          Set<String> link = n.link;
          boolean shrank = !keys.containsAll(n.keys);
          setKeys(n, keys);
          // a binding can shrink a closure (an ENI found to be a task's stops reaching its host instance), and an
          // event found to be a workload's stops joining through its node: links may be gone
          if (shrank || !n.link.containsAll(link)) detach(n);
          dirty.add(n);
        }
      }
    }
  }

  private Set<String> expand(Node n) {
    Set<String> x = new LinkedHashSet<>();
    for (String p : n.pivots) {
      Set<String> c = closure.get(p);
      if (c == null) {
        c = IncidentGrouper.expand(p, up);
        cache(p, c);
      }
      x.addAll(c);
    }
    return x;
  }

  private void cache(String entity, Set<String> c) {
    closure.put(entity, c);
    for (String k : c) inClosureOf.computeIfAbsent(k, x -> new HashSet<>(2)).add(entity);
  }

  private void uncache(String entity, Set<String> c) {
    if (c == null) return;
    for (String k : c) {
      Set<String> s = inClosureOf.get(k);
      if (s != null) s.remove(entity);
    }
  }

  private void setKeys(Node n, Set<String> keys) {
    for (String k : n.link) {
      remove(membersByKey, k, n);
      if (n.signal()) remove(strongByKey, k, n);
    }
    if (n.signal()) for (String k : n.keys) remove(signalsByKey, k, n);
    n.keys = keys;
    n.link = IncidentGrouper.linkKeys(keys);
    for (String k : n.link) {
      membersByKey.computeIfAbsent(k, x -> new TreeSet<>(BY_TIME)).add(n);
      if (n.signal()) strongByKey.computeIfAbsent(k, x -> new TreeSet<>(BY_TIME)).add(n);
    }
    if (n.signal()) {
      for (String k : keys) signalsByKey.computeIfAbsent(k, x -> new TreeSet<>(BY_TIME)).add(n);
    }
  }

  private static void remove(Map<String, TreeSet<Node>> m, String k, Node n) {
    TreeSet<Node> s = m.get(k);
    if (s == null) return;
    s.remove(n);
    if (s.isEmpty()) m.remove(k);
  }

  /** Re-evaluates the GetSecretValue bursts of the keys that changed (as {@link IncidentGrouper#promoteBursts}). */
  private void promoteBursts() {
    long w = settings.secretBurstWindow().toNanos() / 1000;
    for (String key : dirtyBursts) {
      List<Node> calls = burstCalls.get(key);
      if (calls == null) continue;
      calls.sort(ORDER);
      Set<Node> promoted = new HashSet<>();
      if (calls.size() >= settings.secretBurstCount()) {
        int lo = 0;
        for (int hi = 0; hi < calls.size(); hi++) {
          while (calls.get(hi).t - calls.get(lo).t > w) lo++;
          if (hi - lo + 1 >= settings.secretBurstCount()) {
            for (int i = lo; i <= hi; i++) promoted.add(calls.get(i));
          }
        }
      }
      for (Node n : calls) {
        boolean p = promoted.contains(n);
        if (p == n.promoted) continue;
        if (!p) detach(n); // a burst that no longer holds: the links of its calls are gone
        Set<String> keys = n.keys;
        setKeys(n, Set.of());
        n.promoted = p;
        setKeys(n, keys);
        dirty.add(n);
      }
    }
    dirtyBursts.clear();
  }

  // ------------------------------------------------------------------------------------------------------- flush

  /**
   * Regroups what changed since the last call; returns the incidents to re-assemble (new, grown, merged, or with
   * new context), by id. Incidents merged into another are gone from {@link #groups}.
   */
  List<Group> regroup() {
    promoteBursts();
    Map<String, Group> changes = new TreeMap<>();
    // a context member promoted to signal (a burst) leaves the incidents it was context of
    Set<Group> lostContext = new HashSet<>();
    for (Node d : dirty) {
      if (!d.signal()) continue;
      for (String gid : new ArrayList<>(d.groups)) {
        Group g = groups.get(gid);
        if (g == null || g.signals.contains(d)) continue;
        g.context.remove(d);
        g.shrank = true;
        d.groups.remove(gid);
        lostContext.add(g);
      }
    }
    Set<Node> seen = new HashSet<>();
    for (Node d : dirty) {
      if (!d.signal() || seen.contains(d)) continue;
      List<Node> component = component(d, seen);
      component.sort(ORDER);
      List<Group> olds = new ArrayList<>();
      for (Node s : component) {
        for (String old : s.groups) {
          Group g = groups.get(old);
          if (g != null) {
            olds.add(g);
            dropGroup(g, false); // its context joins the new incident (attachContext)
          }
          changes.remove(old);
        }
      }
      Group g = new Group(IncidentGrouper.incidentId(tenant, component.get(0).eventId), component);
      groups.put(g.id, g);
      for (String k : g.keys) groupsByKey.computeIfAbsent(k, x -> new HashSet<>(2)).add(g.id);
      for (String k : g.joinKeys) groupsByJoinKey.computeIfAbsent(k, x -> new HashSet<>(2)).add(g.id);
      for (String k : g.escapes.keySet()) groupsByEscapeKey.computeIfAbsent(k, x -> new HashSet<>(2)).add(g.id);
      for (Node s : component) {
        s.groups.clear();
        s.groups.add(g.id);
        loose.remove(s);
      }
      attachContext(g, olds);
      changes.put(g.id, g);
    }
    lostContext.addAll(shrunk);
    shrunk.clear();
    for (Group d : dissolved) {
      Set<String> into = new HashSet<>();
      for (Node s : d.signals) if (s.signal() && nodes.get(s.eventId) == s) into.addAll(s.groups);
      if (into.size() > 1) regroupings[1]++;
    }
    dissolved.clear();
    for (Group g : lostContext) if (groups.get(g.id) == g) changes.put(g.id, g);
    // context that is new or has new entities: the incidents it joins
    for (Node d : dirty) {
      if (d.signal()) continue;
      for (String k : d.link) {
        for (String gid : (d.cloud ? groupsByJoinKey : groupsByKey).getOrDefault(k, Set.of())) {
          Group g = groups.get(gid);
          if (d.t >= g.first() - window && d.t <= g.last() + window) {
            join(g, d); // already context when only its entities grew: the incident's entities change anyway
            changes.put(gid, g);
          }
        }
      }
    }
    // members whose expanded entities grew: their incidents' parts take the new entities in
    for (Node d : dirty) {
      for (String gid : d.groups) {
        Group g = groups.get(gid);
        if (g == null) continue;
        g.gained.add(d);
        changes.put(gid, g);
      }
    }
    // a new or changed flow of a host: the incidents that escaped to it (HostEscapes)
    for (Node d : dirty) {
      if (d.escapeTarget == null || d.signal()) continue;
      for (String k : d.link) {
        for (String gid : groupsByEscapeKey.getOrDefault(k, Set.of())) changes.put(gid, groups.get(gid));
      }
    }
    // after every other join: what the incident names is its signals' and that context's addresses
    for (Group g : changes.values()) escapeFlows(g);
    dirty.clear();
    return new ArrayList<>(changes.values());
  }

  /**
   * Forgets an incident's grouping (merged into another, sealed, or before a full regroup); {@code toLoose}: its
   * context that joins nothing else becomes loose (not when a grown incident takes it over).
   */
  private void dropGroup(Group g, boolean toLoose) {
    groups.remove(g.id);
    for (String k : g.keys) {
      Set<String> ids = groupsByKey.get(k);
      if (ids != null && ids.remove(g.id) && ids.isEmpty()) groupsByKey.remove(k);
    }
    for (String k : g.joinKeys) {
      Set<String> ids = groupsByJoinKey.get(k);
      if (ids != null && ids.remove(g.id) && ids.isEmpty()) groupsByJoinKey.remove(k);
    }
    for (String k : g.escapes.keySet()) {
      Set<String> ids = groupsByEscapeKey.get(k);
      if (ids != null && ids.remove(g.id) && ids.isEmpty()) groupsByEscapeKey.remove(k);
    }
    if (!toLoose) return;
    for (Node c : g.context) {
      c.groups.remove(g.id);
      if (c.groups.isEmpty() && nodes.containsKey(c.eventId)) loose.add(c);
    }
  }

  /**
   * {@code n}'s links or joins may be gone (before its keys or signal state change, or as it leaves): as a signal, its
   * incident is dissolved; as context, it leaves its incidents (re-assembled from all their members) and joins again
   * at the next flush where it still belongs.
   */
  private void detach(Node n) {
    for (String gid : new ArrayList<>(n.groups)) {
      Group g = groups.get(gid);
      if (g == null) continue;
      if (g.context.remove(n)) {
        g.shrank = true;
        shrunk.add(g);
      } else {
        dissolve(g);
      }
    }
    n.groups.clear();
    if (nodes.get(n.eventId) == n) loose.add(n);
  }

  /**
   * Forgets the grouping of {@code g}, whose links may be gone: its signals are regrouped at the next flush as new
   * ones are (components walked from them), its context becomes loose unless it belongs to another incident. A lost
   * link can only split {@code g} (removing a signal from an entity's list, or making it no longer link through the
   * entity, only links signals that were linked through it, all in {@code g}), and new links reach other incidents as
   * any new signal's do, so the flush costs {@code g}'s size, not the tenant's. The context comes back by the range
   * scan of each new incident ({@link #attachContext}: no old incident covers what {@code g} covered).
   */
  private void dissolve(Group g) {
    dropGroup(g, true);
    dissolved.add(g);
    regroupings[0]++;
    for (Node s : g.signals) {
      s.groups.remove(g.id);
      if (nodes.get(s.eventId) != s) continue;
      loose.add(s);
      dirty.add(s);
    }
  }

  /** The incident a member belongs to (the first by id, as the full regrouping reports it), or null. */
  String groupOf(String eventId) {
    Node n = nodes.get(eventId);
    if (n == null || n.groups.isEmpty()) return null;
    return new TreeSet<>(n.groups).first();
  }

  /**
   * The signals linked to {@code start}, transitively: per expanded entity, a signal linking through it is linked to
   * the next signals linking through it on either side and to the other signals of the entity up to those, each at
   * most a window apart; a signal not linking through it to the nearest ones that do (the same links as
   * {@link IncidentGrouper#group}).
   */
  private List<Node> component(Node start, Set<Node> seen) {
    List<Node> out = new ArrayList<>();
    Deque<Node> todo = new ArrayDeque<>();
    todo.add(start);
    seen.add(start);
    while (!todo.isEmpty()) {
      Node s = todo.poll();
      out.add(s);
      for (String k : s.keys) {
        TreeSet<Node> strong = strongByKey.get(k);
        if (strong == null) continue;
        Node prev = strong.lower(s);
        if (prev != null && s.t - prev.t <= window && seen.add(prev)) todo.add(prev);
        Node next = strong.higher(s);
        if (next != null && next.t - s.t <= window && seen.add(next)) todo.add(next);
        if (!s.link.contains(k)) continue;
        TreeSet<Node> all = signalsByKey.get(k);
        Node from = prev != null && prev.t >= s.t - window ? prev : probe(s.t - window, Long.MIN_VALUE);
        Node to = next != null && next.t <= s.t + window ? next : probe(s.t + window, Long.MAX_VALUE);
        for (Node o : all.subSet(from, false, to, false)) {
          if (!o.link.contains(k) && seen.add(o)) todo.add(o);
        }
      }
    }
    return out;
  }

  /**
   * The context of a new incident {@code g} made of the incidents {@code olds} (and new signals): theirs (an
   * incident only grows: its entities and its first - window .. last + window only widen), plus the members sharing
   * an entity of {@code g}'s signals in the part of that range no old incident with that entity covered. Context
   * that is new or has new entities inside a covered part joins through the dirty members (see {@link #regroup}).
   */
  private void attachContext(Group g, List<Group> olds) {
    Group largest = null;
    for (Group o : olds) if (largest == null || o.context.size() > largest.context.size()) largest = o;
    if (largest != null) {
      // take over the largest old context as is (a grown incident keeps its id: its members need no update), and
      // the record parts built from it and its signals
      g.context = largest.context;
      g.parts = largest.parts;
      g.shrank = largest.shrank;
      g.gained.addAll(largest.gained);
      if (!largest.id.equals(g.id)) {
        for (Node c : g.context) {
          c.groups.remove(largest.id);
          c.groups.add(g.id);
        }
      }
    }
    for (Group o : olds) g.escapeJoined.addAll(o.escapeJoined); // sorted out again by escapeFlows
    for (Group o : olds) {
      if (o == largest) continue;
      for (Node c : o.context) {
        if (!o.id.equals(g.id)) c.groups.remove(o.id); // an old part with the new id: c stays context of it
        if (!c.signal() && nodes.containsKey(c.eventId)) join(g, c);
      }
    }
    long from = g.first() - window;
    long to = g.last() + window;
    for (String k : g.keys) {
      TreeSet<Node> list = membersByKey.get(k);
      if (list == null) continue;
      // through a join entity every member joins (the cloud layer's too); through the node of a workload's signal only
      // the others: a range an old incident covered is skipped when its members joined it the same way
      boolean all = g.joinKeys.contains(k);
      List<long[]> covered = new ArrayList<>();
      for (Group o : olds) {
        if (all ? o.joinKeys.contains(k) : o.keys.contains(k)) covered.add(new long[] {o.first() - window, o.last() + window});
      }
      covered.sort(Comparator.comparingLong(r -> r[0]));
      long at = from; // scan [at, next covered start), then skip the covered part
      for (long[] r : covered) {
        if (r[0] > at) scan(g, list, at, r[0] - 1, all);
        at = Math.max(at, r[1] + 1);
      }
      if (at <= to) scan(g, list, at, to, all);
    }
  }

  /**
   * The flows of a host {@code g}'s signals escaped to ({@link HostEscapes#joins}: to a public address its signals or
   * its other context name, from {@link HostEscapes#BEFORE} before an escape to {@code window} after): joined, and
   * those joined so before that no longer are, left (as {@link IncidentGrouper#group} takes them, after the rest).
   */
  private void escapeFlows(Group g) {
    if (g.escapes.isEmpty() && g.escapeJoined.isEmpty()) return;
    // one that left, or that now joins by the rules before (a new signal's entities), is not this rule's any more
    g.escapeJoined.removeIf(c -> !g.context.contains(c) || joinsByLink(g, c));
    Set<String> named = new HashSet<>();
    for (Node s : g.signals) HostEscapes.addresses(s.keys, named);
    for (Node c : g.context) if (!g.escapeJoined.contains(c)) HostEscapes.addresses(c.keys, named);
    Set<Node> want = new HashSet<>();
    if (!named.isEmpty()) {
      for (Map.Entry<String, TreeSet<Long>> e : g.escapes.entrySet()) {
        TreeSet<Node> list = membersByKey.get(e.getKey());
        if (list == null) continue;
        for (Node m : list.subSet(probe(e.getValue().first() - HostEscapes.BEFORE, Long.MIN_VALUE), true,
            probe(e.getValue().last() + window, Long.MAX_VALUE), true)) {
          if (m.escapeTarget == null || m.signal() || (g.context.contains(m) && !g.escapeJoined.contains(m))) continue;
          if (HostEscapes.joins(g.escapes, m.link, m.escapeTarget, m.t, named, window)) want.add(m);
        }
      }
    }
    for (Node c : new ArrayList<>(g.escapeJoined)) {
      if (want.contains(c)) continue;
      g.escapeJoined.remove(c);
      g.context.remove(c);
      c.groups.remove(g.id);
      g.shrank = true;
      if (c.groups.isEmpty() && nodes.get(c.eventId) == c) loose.add(c);
    }
    for (Node m : want) {
      if (join(g, m)) g.escapeJoined.add(m);
    }
  }

  /** Whether context {@code c} joins {@code g} by the link rules (not only as an escaped host's flow). */
  private boolean joinsByLink(Group g, Node c) {
    if (c.t < g.first() - window || c.t > g.last() + window) return false;
    Set<String> by = c.cloud ? g.joinKeys : g.keys;
    for (String k : c.link) if (by.contains(k)) return true;
    return false;
  }

  private void scan(Group g, TreeSet<Node> list, long from, long to, boolean cloudToo) {
    for (Node m : list.subSet(probe(from, Long.MIN_VALUE), true, probe(to, Long.MAX_VALUE), true)) {
      if (!m.signal() && (cloudToo || !m.cloud)) join(g, m);
    }
  }

  /** {@code m} is context of {@code g}; true if it was not before. */
  private boolean join(Group g, Node m) {
    if (!g.context.add(m)) return false;
    g.gained.add(m);
    m.groups.add(g.id);
    loose.remove(m);
    return true;
  }

  private static Node probe(long t, long seq) {
    Member m = new Member("", t, null, "", "", "", false, 0, null, null, "", "", 0, null, null, List.of(), List.of(), null,
        List.of(), null, null);
    return new Node(m, seq);
  }

  /**
   * The record of {@code g} (revision 0): its parts ({@link IncidentAccumulator}) as of the last assembly plus the
   * members it gained since, or built from all its members when it has none yet or lost members (a full build).
   */
  Incident assemble(Group g, TenantStore store) throws Exception {
    IncidentAccumulator.Members read = n -> member(n, store);
    IncidentAccumulator parts = g.shrank ? null : g.parts;
    if (parts != null) {
      for (Node n : g.gained) {
        if (!parts.holds(n) && !parts.take(n, read.of(n))) {
          parts = null;
          break;
        }
      }
    }
    if (parts != null && parts.size() != g.signals.size() + g.context.size()) parts = null; // a missed change
    if (parts == null) {
      assemblies[g.parts == null ? 0 : 1]++;
      parts = new IncidentAccumulator(settings.timelineCap());
      for (Node n : g.signals) parts.take(n, read.of(n));
      for (Node n : g.context) parts.take(n, read.of(n));
    } else {
      assemblies[2]++;
    }
    g.parts = parts;
    g.gained.clear();
    g.shrank = false;
    return parts.incident(g.id, tenant, read);
  }

  /** The stored member of a node, promoted when a burst made it a signal. */
  private static Member member(Node n, TenantStore store) throws Exception {
    Member m = store.member(n.eventId);
    if (m == null) throw new IllegalStateException("member " + n.eventId + " is indexed but not stored");
    return n.promoted ? m.asSignal(AttackStage.CREDENTIAL_ACCESS, 3, "secret_read_burst") : m;
  }

  // ---------------------------------------------------------------------------------------------------- eviction

  /** Forgets a member (sealed incident, old or excess context). */
  void removeMember(String eventId) {
    Node n = nodes.remove(eventId);
    if (n == null) return;
    execs.remove(eventId);
    entries.remove(eventId);
    calls.remove(eventId);
    exfil.remove(eventId);
    revoked.remove(eventId);
    packages.remove(eventId);
    setKeys(n, Set.of());
    for (String p : n.pivots) {
      Set<Node> s = byPivot.get(p);
      if (s != null) {
        s.remove(n);
        if (s.isEmpty()) byPivot.remove(p);
      }
    }
    loose.remove(n);
    dirty.remove(n);
    // context of a sealed incident also context of this one, or a member replaced by a newer revision
    detach(n);
    if (n.burstKey != null && !n.ownSignal) {
      List<Node> calls = burstCalls.get(n.burstKey);
      if (calls != null) {
        calls.remove(n);
        if (calls.isEmpty()) burstCalls.remove(n.burstKey);
        else dirtyBursts.add(n.burstKey);
      }
    }
  }

  /** Forgets a sealed incident and its members. */
  void seal(Group g) {
    dropGroup(g, true);
    for (Node s : g.signals) removeMember(s.eventId);
    for (Node c : g.context) removeMember(c.eventId);
  }
}
