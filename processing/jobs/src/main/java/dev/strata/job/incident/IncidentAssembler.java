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
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Turns a {@link IncidentGrouper.Group} into the {@link Incident} record (revision 0: the job numbers them), reading
 * every member: the reference assembly ({@link IncidentEngine#flushRegrouping}, tools). The job assembles from
 * per-incident parts kept up to date instead ({@link IncidentAccumulator}, the same record).
 */
public final class IncidentAssembler {
  private IncidentAssembler() {}

  static final List<String> TYPE_ORDER =
      List.of(Entity.POD, Entity.CONTAINER, Entity.NODE, Entity.INSTANCE, Entity.SENSOR, Entity.TASK, Entity.ENI, Entity.PRINCIPAL,
          Entity.SESSION, Entity.ACCESS_KEY, Entity.SERVICE_ACCOUNT, Entity.ROLE, Entity.IP, Entity.API_CLIENT, Entity.IMAGE,
          Entity.NAMESPACE, Entity.CLUSTER, Entity.ECS_SERVICE, Entity.ECS_CLUSTER, Entity.ACCOUNT);

  public static Incident assemble(IncidentGrouper.Group g, IncidentSettings s) {
    List<Member> members = g.members();
    int signals = 0;
    int severity = 0;
    for (Member m : members) {
      if (m.signal()) {
        signals++;
        severity = Math.max(severity, m.severityId());
      }
    }

    // entities: named by members, plus those derived through bindings
    Map<String, IncidentEntity> ents = new LinkedHashMap<>();
    for (Member m : members) {
      Set<String> counted = new HashSet<>();
      for (Entity e : m.entities()) {
        if (!counted.add(e.id())) continue;
        IncidentEntity ie = ents.computeIfAbsent(e.id(), id -> new IncidentEntity(e.type(), e.key(), e.scope(), e.role(), 0));
        if (ie.getScope() == null && e.scope() != null) ie.setScope(e.scope());
        ie.setEventCount(ie.getEventCount() + 1);
      }
      for (String id : g.expanded().getOrDefault(m.eventId(), Set.of())) {
        if (!counted.add(id)) continue;
        String type = Entity.typeOf(id);
        IncidentEntity ie =
            ents.computeIfAbsent(id, x -> new IncidentEntity(type, Entity.keyOf(x), null, Entity.defaultRole(type), 0));
        ie.setEventCount(ie.getEventCount() + 1);
      }
    }
    List<IncidentEntity> entities = new ArrayList<>(ents.values());
    entities.sort(Comparator.<IncidentEntity>comparingInt(e -> typeRank(e.getType()))
        .thenComparing(IncidentEntity::getType).thenComparing(IncidentEntity::getKey));
    if (entities.size() > IncidentSettings.MAX_ENTITIES) entities = new ArrayList<>(entities.subList(0, IncidentSettings.MAX_ENTITIES));

    TreeSet<Indicator> inds = new TreeSet<>(Comparator.comparing(Indicator::type).thenComparing(Indicator::value));
    for (Member m : members) inds.addAll(m.indicators());
    List<IncidentIndicator> indicators = new ArrayList<>();
    for (Indicator i : inds) {
      if (indicators.size() >= IncidentSettings.MAX_INDICATORS) break;
      indicators.add(new IncidentIndicator(i.type(), i.value()));
    }

    // timeline: signals first, then the earliest context rows, up to the cap; shown in (time, event_id) order
    List<Member> kept = new ArrayList<>();
    if (members.size() <= s.timelineCap()) {
      kept.addAll(members);
    } else {
      for (Member m : members) if (m.signal() && kept.size() < s.timelineCap()) kept.add(m);
      for (Member m : members) if (!m.signal() && kept.size() < s.timelineCap()) kept.add(m);
      kept.sort(IncidentGrouper.ORDER);
    }
    List<TimelineRow> rows = new ArrayList<>(kept.size());
    for (Member m : kept) rows.add(row(m));

    // attack path
    Map<AttackStage, List<Member>> byStage = new EnumMap<>(AttackStage.class);
    for (Member m : members) {
      if (m.signal() && m.stage() != null) byStage.computeIfAbsent(m.stage(), k -> new ArrayList<>()).add(m);
    }
    List<AttackStep> path = new ArrayList<>();
    for (Map.Entry<AttackStage, List<Member>> e : byStage.entrySet()) {
      List<String> ids = new ArrayList<>();
      for (Member m : e.getValue()) if (ids.size() < IncidentSettings.MAX_STEP_EVENTS) ids.add(m.eventId());
      path.add(new AttackStep(e.getKey(), micros(e.getValue().get(0).timeMicros()), ids));
    }
    path.sort(PATH_ORDER);

    Member first = g.firstSignal();
    String title = title(first, g.expanded().getOrDefault(first.eventId(), Set.of()), path, signals);
    // first seen is the first signal's time: context before it (the workload's own lines, node-level context within
    // the window) stays in the timeline as lead-up, but routine evidence is no start of the attack
    return record(g.incidentId(), g.tenant(), title, severity, first.timeMicros(),
        members.get(members.size() - 1).timeMicros(), entities, indicators, signals, members.size(), rows, path);
  }

  /** The attack path's order: by first time, then stage. */
  static final Comparator<AttackStep> PATH_ORDER =
      Comparator.comparing(AttackStep::getFirstTime).thenComparing(AttackStep::getStage);

  /** The OPEN record (revision 0) of an incident's parts; the timeline omits {@code eventCount - rows}. */
  static Incident record(String incidentId, String tenant, String title, int severity, long firstMicros,
      long lastMicros, List<IncidentEntity> entities, List<IncidentIndicator> indicators, int signals, int eventCount,
      List<TimelineRow> rows, List<AttackStep> path) {
    Incident inc = new Incident();
    inc.setIncidentId(incidentId);
    inc.setTenant(tenant);
    inc.setTitle(title);
    inc.setSeverityId(severity);
    inc.setSeverity(OcsfSeverity.name(severity));
    inc.setStatus(IncidentStatus.OPEN);
    inc.setMergedInto(null);
    inc.setFirstSeen(micros(firstMicros));
    inc.setLastSeen(micros(lastMicros));
    inc.setEntities(entities);
    inc.setIndicators(indicators);
    inc.setSignals(signals);
    inc.setEventCount(eventCount);
    inc.setTimeline(rows);
    inc.setTimelineOmitted(eventCount - rows.size());
    inc.setAttackPath(path);
    inc.setRevision(0);
    return inc;
  }

  public static TimelineRow row(Member m) {
    return new TimelineRow(m.eventId(), micros(m.timeMicros()), m.layer(), m.className(), m.sourceFormat(), m.summary(),
        m.signal(), m.severityId(), m.stage(), m.artifactSha256(), m.origin(), m.byteOffset(), m.lineNumber(),
        m.recordIndex(), m.detections());
  }

  /**
   * "Pod shop/web-1 (node ip-10-0-1-23): execution, credential access, ... (6 signals)": the subject is the first
   * signal's entity of the most telling type, among those it names and then those derived ({@code expanded}).
   */
  static String title(Member first, Set<String> expanded, List<AttackStep> path, int signals) {
    String subject = null;
    Set<String> x = new java.util.LinkedHashSet<>();
    for (Entity e : first.entities()) x.add(e.id());
    x.addAll(expanded);
    // an ECS task before its containers: a responder knows the task (its cluster), not a Docker id
    for (String type : List.of(Entity.POD, Entity.TASK, Entity.CONTAINER, Entity.NODE, Entity.INSTANCE,
        Entity.PRINCIPAL, Entity.SESSION, Entity.SERVICE_ACCOUNT, Entity.API_CLIENT, Entity.IP, Entity.SENSOR,
        Entity.IMAGE)) {
      for (String id : x) {
        if (Entity.typeOf(id).equals(type)) {
          subject = type.equals(Entity.TASK) ? ecsTask(Entity.keyOf(id), keyOf(x, Entity.ECS_SERVICE),
              keyOf(x, Entity.ECS_CLUSTER))
              : type.equals(Entity.SENSOR) ? sensorOutput(first, Entity.keyOf(id))
              : type.equals(Entity.API_CLIENT) ? apiClient(Entity.keyOf(id))
              : type.replace('_', ' ') + " " + Entity.keyOf(id) + (type.equals(Entity.CONTAINER) ? onHost(x) : "");
          break;
        }
      }
      if (subject != null) break;
    }
    StringBuilder b = new StringBuilder();
    b.append(subject == null ? "Incident" : Character.toUpperCase(subject.charAt(0)) + subject.substring(1));
    b.append(": ");
    for (int i = 0; i < path.size(); i++) {
      if (i > 0) b.append(", ");
      b.append(path.get(i).getStage().name().toLowerCase(Locale.ROOT).replace('_', ' '));
    }
    b.append(" (").append(signals).append(signals == 1 ? " signal)" : " signals)");
    return Summaries.clean(b.toString());
  }


  /**
   * "Host not named, sensor output falco/falco.txt (artifact 341d88759612)": the alerts of one artifact that name no
   * host ({@link EntityKeys.SensorOutput}).
   */
  private static String sensorOutput(Member first, String sha256) {
    String origin = null;
    for (Entity e : first.entities()) if (e.type().equals(Entity.SENSOR)) origin = e.scope();
    return "host not named, sensor output " + (origin == null ? "" : origin + " ") + "(artifact "
        + sha256.substring(0, Math.min(12, sha256.length())) + ")";
  }

  /**
   * "API client 10.20.3.7 of cluster prod" ({@link Entity#API_CLIENT}: {@code <cluster, account or artifact>/<address>};
   * "... (cluster not named, artifact 341d88759612)" when only the artifact names where it was seen).
   */
  private static String apiClient(String key) {
    int slash = key.lastIndexOf('/');
    String address = key.substring(slash + 1);
    if (slash <= 0) return "API client " + address;
    String where = key.substring(0, slash);
    if (where.matches("[0-9a-f]{64}")) {
      return "API client " + address + " (cluster not named, artifact " + where.substring(0, 12) + ")";
    }
    return "API client " + address + " of " + (where.matches("\\d{12}") ? "account " : "cluster ") + where;
  }

  /**
   * " on host ip-10-30-1-15" for a container in no pod and no task (a plain Docker / Podman host: the container id
   * alone does not say where to look), else "".
   */
  private static String onHost(Set<String> entities) {
    for (String id : entities) {
      if (Entity.typeOf(id).equals(Entity.NODE)) return " on host " + Entity.keyOf(id);
    }
    return "";
  }

  /**
   * "ECS task 5f1c...0718 (service storefront-web, cluster shop-prod)" from a task ARN ({@code
   * arn:aws:ecs:<region>:<account>:task/<cluster>/<id>}; the old format {@code task/<id>} names no cluster) and the
   * service and cluster the event names, when known.
   */
  static String ecsTask(String taskArn, String service, String cluster) {
    int t = taskArn.indexOf(":task/");
    String[] p = t < 0 ? new String[] {taskArn} : taskArn.substring(t + ":task/".length()).split("/");
    if (cluster == null && p.length > 1) cluster = p[0];
    String where = (service == null ? "" : "service " + service + (cluster == null ? "" : ", "))
        + (cluster == null ? "" : "cluster " + cluster);
    return "ECS task " + p[p.length - 1] + (where.isEmpty() ? "" : " (" + where + ")");
  }

  /** The key of the first entity of {@code type} among {@code ids}, or null. */
  private static String keyOf(Set<String> ids, String type) {
    for (String id : ids) if (Entity.typeOf(id).equals(type)) return Entity.keyOf(id);
    return null;
  }

  static int typeRank(String type) {
    int i = TYPE_ORDER.indexOf(type);
    return i < 0 ? TYPE_ORDER.size() : i;
  }

  static Instant micros(long m) {
    return Instant.ofEpochSecond(Math.floorDiv(m, 1_000_000L), Math.floorMod(m, 1_000_000L) * 1000L);
  }
}
