package dev.strata.job.incident;

import dev.strata.parse.OcsfSeverity;
import dev.strata.schema.correlate.AttackStage;
import dev.strata.schema.correlate.AttackStep;
import dev.strata.schema.correlate.Incident;
import dev.strata.schema.correlate.IncidentEntity;
import dev.strata.schema.correlate.IncidentIndicator;
import dev.strata.schema.correlate.IncidentStatus;
import dev.strata.schema.correlate.TimelineRow;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Links the incidents of different tenants (accounts, clusters) into one when they share an identity that is the
 * same in every account: an assumed-role session ARN, an access key id, an IAM principal ARN -- how a story crosses
 * accounts (a pod's IRSA session assumes a role of another account: the AssumeRole record names both sessions, so
 * both accounts' incidents hold them). Nothing else links tenants: pods, nodes, IPs (private ranges repeat from
 * account to account), service accounts and namespaces are only meaningful inside their own tenant. Two incidents
 * link when they share such an entity and their first..last seen are at most {@code window} apart; linking is
 * transitive.
 *
 * <p>A pure function of the set of open incidents, as {@link IncidentGrouper} is of members: a linked incident gets
 * the id of its earliest part (by first seen, then id), the other parts are {@code MERGED} into it; entities,
 * indicators, timelines and attack paths are merged, counts added, the tenant is the parts' tenants joined by commas.
 */
public final class IncidentLinker {
  private IncidentLinker() {}

  static final Comparator<Incident> EARLIEST =
      Comparator.comparing(Incident::getFirstSeen).thenComparing(Incident::getIncidentId);

  /** The incidents to publish, and which input ids were merged into which of them. */
  public record Linked(List<Incident> incidents, Map<String, String> mergedInto) {}

  /** Whether an entity names the same identity in every account (so it may link tenants). */
  static boolean global(IncidentEntity e) {
    return switch (e.getType()) {
      case Entity.SESSION, Entity.ACCESS_KEY -> true;
      case Entity.PRINCIPAL -> e.getKey().startsWith("arn:");
      default -> false;
    };
  }

  public static Linked link(Collection<Incident> open, IncidentSettings s) {
    List<Incident> all = new ArrayList<>(open);
    all.sort(EARLIEST);
    int[] parent = new int[all.size()];
    for (int i = 0; i < parent.length; i++) parent[i] = i;
    long w = s.window().toNanos() / 1000;
    Map<String, List<Integer>> byIdentity = new HashMap<>();
    for (int i = 0; i < all.size(); i++) {
      for (IncidentEntity e : all.get(i).getEntities()) {
        if (global(e)) byIdentity.computeIfAbsent(e.getType() + "|" + e.getKey(), k -> new ArrayList<>(2)).add(i);
      }
    }
    for (List<Integer> sharing : byIdentity.values()) {
      for (int a = 0; a < sharing.size(); a++) {
        for (int b = a + 1; b < sharing.size(); b++) {
          Incident x = all.get(sharing.get(a));
          Incident y = all.get(sharing.get(b));
          if (!x.getTenant().equals(y.getTenant()) && near(x, y, w)) IncidentGrouper.union(parent, sharing.get(a), sharing.get(b));
        }
      }
    }
    Map<Integer, List<Incident>> parts = new TreeMap<>();
    for (int i = 0; i < all.size(); i++) parts.computeIfAbsent(IncidentGrouper.find(parent, i), r -> new ArrayList<>()).add(all.get(i));
    List<Incident> out = new ArrayList<>();
    Map<String, String> merged = new LinkedHashMap<>();
    for (List<Incident> p : parts.values()) {
      if (p.size() == 1) {
        out.add(p.get(0));
        continue;
      }
      Incident root = combine(p, s);
      out.add(root);
      for (Incident i : p) if (!i.getIncidentId().equals(root.getIncidentId())) merged.put(i.getIncidentId(), root.getIncidentId());
    }
    out.sort(Comparator.comparing(Incident::getIncidentId));
    return new Linked(out, merged);
  }

  /** The record that says {@code id} now lives on as {@code into}. */
  static Incident merged(String id, String tenant, String into, Instant firstSeen, Instant lastSeen, int revision) {
    Incident t = new Incident();
    t.setIncidentId(id);
    t.setTenant(tenant);
    t.setTitle(into == null ? "Withdrawn: no incident holds its first signal any more" : "Merged into " + into);
    t.setSeverityId(0);
    t.setSeverity("Unknown");
    t.setStatus(IncidentStatus.MERGED);
    t.setMergedInto(into);
    t.setFirstSeen(firstSeen);
    t.setLastSeen(lastSeen);
    t.setEntities(new ArrayList<>());
    t.setIndicators(new ArrayList<>());
    t.setSignals(0);
    t.setEventCount(0);
    t.setTimeline(new ArrayList<>());
    t.setTimelineOmitted(0);
    t.setAttackPath(new ArrayList<>());
    t.setRevision(revision);
    return t;
  }

  private static boolean near(Incident x, Incident y, long w) {
    return micros(x.getFirstSeen()) - w <= micros(y.getLastSeen()) && micros(y.getFirstSeen()) - w <= micros(x.getLastSeen());
  }

  /** One incident of several tenants' parts (earliest first): the first part's id. */
  static Incident combine(List<Incident> parts, IncidentSettings s) {
    Incident first = parts.get(0);
    Map<String, IncidentEntity> ents = new LinkedHashMap<>();
    TreeSet<String> tenants = new TreeSet<>();
    TreeMap<String, IncidentIndicator> inds = new TreeMap<>();
    Map<String, TimelineRow> rows = new LinkedHashMap<>();
    Map<AttackStage, AttackStep> steps = new EnumMap<>(AttackStage.class);
    int signals = 0, events = 0, omitted = 0, severity = 0;
    Instant firstSeen = first.getFirstSeen(), lastSeen = first.getLastSeen();
    for (Incident p : parts) {
      for (String t : p.getTenant().split(",")) tenants.add(t);
      for (IncidentEntity e : p.getEntities()) {
        IncidentEntity m = ents.computeIfAbsent(e.getType() + "|" + e.getKey(),
            k -> new IncidentEntity(e.getType(), e.getKey(), e.getScope(), e.getRole(), 0));
        if (m.getScope() == null) m.setScope(e.getScope());
        m.setEventCount(m.getEventCount() + e.getEventCount());
      }
      for (IncidentIndicator i : p.getIndicators()) inds.putIfAbsent(i.getType() + "\u0000" + i.getValue(), i);
      for (TimelineRow r : p.getTimeline()) rows.putIfAbsent(r.getEventId(), r);
      for (AttackStep st : p.getAttackPath()) {
        AttackStep m = steps.get(st.getStage());
        if (m == null) {
          steps.put(st.getStage(), new AttackStep(st.getStage(), st.getFirstTime(), new ArrayList<>(st.getEventIds())));
          continue;
        }
        if (st.getFirstTime().isBefore(m.getFirstTime())) m.setFirstTime(st.getFirstTime());
        Set<String> ids = new LinkedHashSet<>(m.getEventIds());
        ids.addAll(st.getEventIds());
        m.setEventIds(new ArrayList<>(new ArrayList<>(ids).subList(0, Math.min(ids.size(), IncidentSettings.MAX_STEP_EVENTS))));
      }
      signals += p.getSignals();
      events += p.getEventCount();
      omitted += p.getTimelineOmitted();
      severity = Math.max(severity, p.getSeverityId());
      if (p.getFirstSeen().isBefore(firstSeen)) firstSeen = p.getFirstSeen();
      if (p.getLastSeen().isAfter(lastSeen)) lastSeen = p.getLastSeen();
    }
    List<IncidentEntity> entities = new ArrayList<>(ents.values());
    entities.sort(Comparator.<IncidentEntity>comparingInt(e -> rank(e.getType()))
        .thenComparing(IncidentEntity::getType).thenComparing(IncidentEntity::getKey));
    if (entities.size() > IncidentSettings.MAX_ENTITIES) entities = new ArrayList<>(entities.subList(0, IncidentSettings.MAX_ENTITIES));
    List<IncidentIndicator> indicators = new ArrayList<>(inds.values());
    if (indicators.size() > IncidentSettings.MAX_INDICATORS) indicators = new ArrayList<>(indicators.subList(0, IncidentSettings.MAX_INDICATORS));
    List<TimelineRow> timeline = new ArrayList<>(rows.values());
    timeline.sort(Comparator.comparing(TimelineRow::getTime).thenComparing(TimelineRow::getEventId));
    if (timeline.size() > s.timelineCap()) {
      List<TimelineRow> kept = new ArrayList<>();
      for (TimelineRow r : timeline) if (r.getSignal() && kept.size() < s.timelineCap()) kept.add(r);
      for (TimelineRow r : timeline) if (!r.getSignal() && kept.size() < s.timelineCap()) kept.add(r);
      omitted += timeline.size() - kept.size();
      kept.sort(Comparator.comparing(TimelineRow::getTime).thenComparing(TimelineRow::getEventId));
      timeline = kept;
    }
    List<AttackStep> path = new ArrayList<>(steps.values());
    path.sort(Comparator.comparing(AttackStep::getFirstTime).thenComparing(AttackStep::getStage));

    Incident inc = new Incident();
    inc.setIncidentId(first.getIncidentId());
    inc.setTenant(String.join(",", tenants));
    inc.setTitle(title(first, path, signals, tenants.size()));
    inc.setSeverityId(severity);
    inc.setSeverity(OcsfSeverity.name(severity));
    inc.setStatus(IncidentStatus.OPEN);
    inc.setMergedInto(null);
    inc.setFirstSeen(firstSeen);
    inc.setLastSeen(lastSeen);
    inc.setEntities(entities);
    inc.setIndicators(indicators);
    inc.setSignals(signals);
    inc.setEventCount(events);
    inc.setTimeline(timeline);
    inc.setTimelineOmitted(omitted);
    inc.setAttackPath(path);
    inc.setRevision(0);
    return inc;
  }

  /** The earliest part's subject, the merged stages, "(N signals, M tenants)". */
  private static String title(Incident first, List<AttackStep> path, int signals, int tenants) {
    String t = first.getTitle();
    int colon = t.indexOf(": ");
    StringBuilder b = new StringBuilder(colon > 0 ? t.substring(0, colon) : "Incident").append(": ");
    for (int i = 0; i < path.size(); i++) {
      if (i > 0) b.append(", ");
      b.append(path.get(i).getStage().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' '));
    }
    b.append(" (").append(signals).append(signals == 1 ? " signal, " : " signals, ").append(tenants).append(" tenants)");
    return Summaries.clean(b.toString());
  }

  private static int rank(String type) {
    int i = IncidentAssembler.TYPE_ORDER.indexOf(type);
    return i < 0 ? IncidentAssembler.TYPE_ORDER.size() : i;
  }

  private static long micros(Instant t) {
    return t.getEpochSecond() * 1_000_000L + t.getNano() / 1000;
  }
}
