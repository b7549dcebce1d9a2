package dev.strata.job.incident;

import dev.strata.job.incident.TenantIndex.Node;
import dev.strata.schema.correlate.AttackStage;
import dev.strata.schema.correlate.AttackStep;
import dev.strata.schema.correlate.Incident;
import dev.strata.schema.correlate.IncidentEntity;
import dev.strata.schema.correlate.IncidentIndicator;
import dev.strata.schema.correlate.TimelineRow;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What one incident's record is made of, kept beside {@link TenantIndex} and fed member by member, so that a grown
 * incident is re-assembled from it plus the members it gained (or whose expanded entities grew), not from all its
 * members: per entity its event count and the role / scope of the earliest member naming it, the smallest indicators,
 * the capped timeline's earliest signals and earliest context, per attack stage its earliest signals, the signal
 * count, the highest severity, last seen (first seen is the first signal's). {@link #incident} builds the same record as {@link
 * IncidentAssembler#assemble} over the same members ({@code IncrementalGroupingTest} compares both on every flush).
 *
 * <p>It only grows: a member that leaves the incident, loses expanded entities or changes between context and signal
 * cannot be taken out, and {@link #take} says so (the caller then builds a new one from all members). Derived state
 * like the index: never checkpointed, rebuilt from the store after a restore. Heap: per member taken, a map entry
 * (its node and the entity set it was taken with); per entity one small object; the capped sets hold nodes (the rows'
 * members are read back from the store when the record is built).
 */
final class IncidentAccumulator {
  /** Reads the member of an index node from the tenant's store (bursts promoted). */
  interface Members {
    Member of(Node n) throws Exception;
  }

  /** What a member was taken with: its expanded entities and whether it counted as a signal. */
  private record Taken(Set<String> keys, boolean signal) {}

  /** One entity of the incident: counts, and the role / scope of the earliest member (by time, event id) naming it. */
  private static final class EntitySum {
    final String type;
    final String key;
    final int rank;
    int count;
    String role;
    Node roleFrom;
    String scope;
    Node scopeFrom;

    EntitySum(String type, String key) {
      this.type = type;
      this.key = key;
      this.rank = IncidentAssembler.typeRank(type);
    }
  }

  private static final Comparator<EntitySum> ENTITY_ORDER = Comparator.<EntitySum>comparingInt(e -> e.rank)
      .thenComparing(e -> e.type).thenComparing(e -> e.key);
  private static final Comparator<Indicator> INDICATOR_ORDER =
      Comparator.comparing(Indicator::type).thenComparing(Indicator::value);

  private final int timelineCap;
  private final Map<Node, Taken> taken = new HashMap<>();
  private final Map<String, EntitySum> entityById = new HashMap<>();
  private final TreeSet<EntitySum> entities = new TreeSet<>(ENTITY_ORDER);
  /** The smallest {@link IncidentSettings#MAX_INDICATORS} indicators. */
  private final TreeSet<Indicator> indicators = new TreeSet<>(INDICATOR_ORDER);
  /** The earliest {@code timelineCap} signals and the earliest {@code timelineCap} context members. */
  private final TreeSet<Node> earliestSignals = new TreeSet<>(TenantIndex.ORDER);
  private final TreeSet<Node> earliestContext = new TreeSet<>(TenantIndex.ORDER);
  /** Per stage its earliest {@link IncidentSettings#MAX_STEP_EVENTS} signals. */
  private final Map<AttackStage, TreeSet<Node>> stages = new EnumMap<>(AttackStage.class);
  private int signals;
  private int severity;
  /** The latest member's time (last seen); first seen is the first signal's ({@link IncidentAssembler#assemble}). */
  private long last = Long.MIN_VALUE;

  IncidentAccumulator(int timelineCap) {
    this.timelineCap = timelineCap;
  }

  /** Members taken in. */
  int size() {
    return taken.size();
  }

  /** True when {@code n} is in as it is now: same kind, same expanded entities (nothing to read or update). */
  boolean holds(Node n) {
    Taken t = taken.get(n);
    return t != null && t.signal == n.signal() && sameKeys(t, n);
  }

  private static boolean sameKeys(Taken t, Node n) {
    return t.keys == n.keys || t.keys.equals(n.keys);
  }

  /**
   * Takes in member {@code m} of node {@code n} (expanded entities {@code n.keys}), or its grown entities when it was
   * taken before. False when that cannot be done by adding: it was taken as the other kind (context / signal) or with
   * entities it no longer has.
   */
  boolean take(Node n, Member m) {
    Taken before = taken.get(n);
    if (before == null) {
      add(n, m);
    } else if (before.signal != m.signal()) {
      return false;
    } else if (!sameKeys(before, n)) {
      if (!n.keys.containsAll(before.keys)) return false;
      Set<String> own = new HashSet<>();
      for (Entity e : m.entities()) own.add(e.id());
      for (String id : n.keys) {
        if (!before.keys.contains(id) && !own.contains(id)) derived(id, n);
      }
    }
    taken.put(n, new Taken(n.keys, m.signal()));
    return true;
  }

  private void add(Node n, Member m) {
    last = Math.max(last, m.timeMicros());
    // entities: those the member names (the first mention of an id counts), then those derived through bindings
    Set<String> counted = new HashSet<>();
    for (Entity e : m.entities()) {
      if (counted.add(e.id())) count(e.id(), e.type(), e.key(), e.role(), e.scope(), n);
    }
    for (String id : n.keys) if (counted.add(id)) derived(id, n);
    for (Indicator i : m.indicators()) {
      if (indicators.add(i) && indicators.size() > IncidentSettings.MAX_INDICATORS) indicators.pollLast();
    }
    if (m.signal()) {
      signals++;
      severity = Math.max(severity, m.severityId());
      keepEarliest(earliestSignals, n, timelineCap);
      if (m.stage() != null) {
        keepEarliest(stages.computeIfAbsent(m.stage(), s -> new TreeSet<>(TenantIndex.ORDER)), n,
            IncidentSettings.MAX_STEP_EVENTS);
      }
    } else {
      keepEarliest(earliestContext, n, timelineCap);
    }
  }

  private static void keepEarliest(TreeSet<Node> set, Node n, int cap) {
    if (set.size() >= cap && TenantIndex.ORDER.compare(n, set.last()) > 0) return;
    set.add(n);
    if (set.size() > cap) set.pollLast();
  }

  private void derived(String id, Node n) {
    String type = Entity.typeOf(id);
    count(id, type, Entity.keyOf(id), Entity.defaultRole(type), null, n);
  }

  private void count(String id, String type, String key, String role, String scope, Node from) {
    EntitySum s = entityById.get(id);
    if (s == null) {
      s = new EntitySum(type, key);
      s.role = role;
      s.roleFrom = from;
      entityById.put(id, s);
      entities.add(s);
    } else if (TenantIndex.ORDER.compare(from, s.roleFrom) < 0) {
      s.role = role;
      s.roleFrom = from;
    }
    s.count++;
    if (scope != null && (s.scopeFrom == null || TenantIndex.ORDER.compare(from, s.scopeFrom) < 0)) {
      s.scope = scope;
      s.scopeFrom = from;
    }
  }

  /** The incident record (revision 0) of what was taken; reads the timeline's and the first signal's members. */
  Incident incident(String incidentId, String tenant, Members members) throws Exception {
    List<IncidentEntity> ents = new ArrayList<>(Math.min(entities.size(), IncidentSettings.MAX_ENTITIES));
    for (EntitySum s : entities) {
      if (ents.size() >= IncidentSettings.MAX_ENTITIES) break;
      ents.add(new IncidentEntity(s.type, s.key, s.scope, s.role, s.count));
    }
    List<IncidentIndicator> inds = new ArrayList<>(indicators.size());
    for (Indicator i : indicators) inds.add(new IncidentIndicator(i.type(), i.value()));

    // the earliest signals, then the earliest context up to the cap (all members when they fit), in order
    List<Node> kept = new ArrayList<>(earliestSignals);
    for (Node n : earliestContext) {
      if (kept.size() >= timelineCap) break;
      kept.add(n);
    }
    kept.sort(TenantIndex.ORDER);
    List<TimelineRow> rows = new ArrayList<>(kept.size());
    for (Node n : kept) rows.add(IncidentAssembler.row(members.of(n)));

    List<AttackStep> path = new ArrayList<>(stages.size());
    for (Map.Entry<AttackStage, TreeSet<Node>> e : stages.entrySet()) {
      List<String> ids = new ArrayList<>(e.getValue().size());
      for (Node n : e.getValue()) ids.add(n.eventId);
      path.add(new AttackStep(e.getKey(), IncidentAssembler.micros(e.getValue().first().t), ids));
    }
    path.sort(IncidentAssembler.PATH_ORDER);

    Node firstSignal = earliestSignals.first();
    String title = IncidentAssembler.title(members.of(firstSignal), firstSignal.keys, path, signals);
    return IncidentAssembler.record(incidentId, tenant, title, severity, firstSignal.t, last, ents, inds, signals,
        taken.size(), rows, path);
  }
}
