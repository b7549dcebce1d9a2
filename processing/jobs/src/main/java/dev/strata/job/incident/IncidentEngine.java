package dev.strata.job.incident;

import dev.strata.correlate.KnownCidrs;
import dev.strata.schema.correlate.Incident;
import dev.strata.schema.correlate.IncidentStatus;
import dev.strata.schema.event.EvidenceEvent;
import java.io.Serializable;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The incident logic of one tenant without Flink: {@link #accept} stores what an event contributes and updates the
 * tenant's grouping ({@link TenantIndex}), {@link #flush} regroups what changed since the last flush and returns the
 * incidents that changed, each at its next revision, plus a {@code MERGED} revision for an id that no longer exists
 * (its first signal now belongs to an incident with another id). Unchanged incidents are not assembled or emitted
 * again, and a changed one is assembled from its parts as of the last flush plus its new members ({@link
 * IncidentAccumulator}). The result is the full regrouping and whole re-assembly's ({@link IncidentGrouper}, {@link
 * IncidentAssembler}, {@link #flushRegrouping}), which tests compare it with.
 *
 * <p>State bound: at a flush with a watermark, incidents whose last signal is more than 2 x window behind it are
 * sealed (members dropped, the emitted record stays), context members older than {@code retention} that joined
 * nothing are dropped, and beyond {@code max_members_per_tenant} the oldest unattached context goes first.
 */
public final class IncidentEngine implements Serializable {
  private static final long serialVersionUID = 1L;
  private final IncidentSettings settings;
  private final SignalRules rules;
  /** {@code incident.known_cidrs}: the account's own public ranges, whose addresses link nothing. */
  private final KnownCidrs knownCidrs;
  /** Per tenant: the grouping kept incrementally (derived from the store; rebuilt from it when missing). */
  private transient Map<String, TenantIndex> indexes;

  public IncidentEngine(IncidentSettings settings) {
    this.settings = settings;
    this.rules = settings.rules();
    this.knownCidrs = KnownCidrs.parse(settings.knownCidrs());
  }

  private boolean knownAddress(String ip) {
    return knownCidrs.contains(ip);
  }

  public IncidentSettings settings() {
    return settings;
  }

  /** Stores the event's member and bindings; true if anything changed (a flush is due). */
  public boolean accept(TenantStore store, EvidenceEvent e) throws Exception {
    TenantIndex index = index(store, EntityKeys.tenant(e));
    EntityKeys.Extraction x = knownCidrs.isEmpty() ? EntityKeys.extract(e) : EntityKeys.extract(e, this::knownAddress);
    Member m = Member.of(e, x, rules);
    boolean changed = store.putMember(m);
    if (changed) {
      index.addMember(m);
    } else if (regroups(store.member(m.eventId()), m = carry(store.member(m.eventId()), m))) {
      // a newer revision of the event (enriched again by late evidence): its entities are what groups it
      store.replaceMember(m);
      index.replaceMember(m);
      changed = true;
    }
    for (Binding b : x.bindings()) {
      if (store.addBinding(b)) {
        changed = true;
        index.addBinding(b);
      }
    }
    return changed;
  }

  /** {@code now} with the decision a judgement wrote into {@code before} (a copy must not undo it). */
  private static Member carry(Member before, Member now) {
    return ExfilVolume.carry(before,
        CredentialClients.carry(before, EntryFlows.carry(before, RuntimeExecAudit.carry(before, now))));
  }

  /**
   * Whether {@code now} (the event again: a newer enrichment revision, or a copy) groups otherwise than the stored
   * {@code before}: other entities, indicators or signal. A copy of the same event (another file's lineage) does not.
   */
  static boolean regroups(Member before, Member now) {
    return before != null && !(before.entities().equals(now.entities()) && before.indicators().equals(now.indicators())
        && before.signal() == now.signal() && before.severityId() == now.severityId()
        && java.util.Objects.equals(before.stage(), now.stage())
        && java.util.Objects.equals(before.burstKey(), now.burstKey()));
  }

  private TenantIndex index(TenantStore store, String tenant) throws Exception {
    if (indexes == null) indexes = new HashMap<>();
    TenantIndex index = indexes.get(tenant);
    if (index == null) {
      index = TenantIndex.of(tenant, store, settings);
      indexes.put(tenant, index);
    }
    return index;
  }

  /**
   * Regroups what changed since the last flush and returns the changed incidents (see the class doc).
   *
   * @param watermarkMicros the event-time watermark, or Long.MIN_VALUE / Long.MAX_VALUE when there is none (no
   *     state is dropped then)
   */
  public List<Incident> flush(TenantStore store, String tenant, long watermarkMicros) throws Exception {
    return flush(store, tenant, EventClock.uniform(watermarkMicros));
  }

  /**
   * Event time of one tenant at a flush, per source lane (collection run and source file; {@link LaneClocks}): what seals an
   * incident and drops old context. A uniform clock (one watermark for every lane) is the operator's watermark.
   */
  public interface EventClock {
    /** The watermark of {@code lane} (null: events of no known run) in epoch micros. */
    long watermarkMicros(String lane);

    /** The highest watermark of any lane: nothing later than it can be sealed. Long.MIN_VALUE / MAX_VALUE: none. */
    long maxWatermarkMicros();

    /** Whether every lane has the same watermark ({@link #maxWatermarkMicros}). */
    default boolean uniform() {
      return false;
    }

    static EventClock uniform(long watermarkMicros) {
      return new EventClock() {
        @Override
        public long watermarkMicros(String lane) {
          return watermarkMicros;
        }

        @Override
        public long maxWatermarkMicros() {
          return watermarkMicros;
        }

        @Override
        public boolean uniform() {
          return true;
        }
      };
    }
  }

  /**
   * {@link #flush(TenantStore, String, long)} with event time per source lane: an incident is sealed when it is 2 x
   * window behind the watermark of every lane that brought one of its members, context is dropped by its own lane's
   * watermark. So a replay of last week's bundle (its own collection run) neither seals today's incidents (its lane
   * is behind them) nor is sealed by today's evidence (today's lane is not one of its incidents' lanes), and a lane
   * that stays behind keeps open only the incidents it brought members to.
   */
  public List<Incident> flush(TenantStore store, String tenant, EventClock clock) throws Exception {
    long watermarkMicros = clock.maxWatermarkMicros();
    TenantIndex index = index(store, tenant);
    for (Member d : decideExecs(store, index.execs, watermarkMicros)) index.replaceMember(d);
    // a credential's new client is a credential access / exfiltration signal: before the entries too
    for (Member d : decideCalls(store, index.calls, watermarkMicros)) index.replaceMember(d);
    // after the tag rule: a re-pushed tag's new packages join its row (or make the push a signal of its own)
    for (Member d : decidePackages(store, index.packages, watermarkMicros)) index.replaceMember(d);
    // a key used after its owner revoked it: a credential signal too, before the entries
    for (Member d : decideRevoked(store, index.revoked, watermarkMicros)) index.replaceMember(d);
    // after the execs: an exec decided a signal is a first step an entry flow comes before
    for (Member d : decideEntries(store, index.entries, watermarkMicros)) index.replaceMember(d);
    // after every other judgement: the workload's signals are what makes its volume one
    for (Member d : decideExfil(store, index.exfil, watermarkMicros)) index.replaceMember(d);
    int held = index.size();
    List<Incident> out = new ArrayList<>();
    for (TenantIndex.Group g : index.regroup()) {
      Incident inc = index.assemble(g, store);
      long fp = fingerprint(inc);
      TenantStore.Emitted prev = store.emitted(g.id);
      if (prev != null && prev.fingerprint() == fp && "OPEN".equals(prev.status())) continue;
      int rev = prev == null ? 1 : prev.revision() + 1;
      inc.setRevision(rev);
      store.putEmitted(new TenantStore.Emitted(g.id, rev, fp, "OPEN", g.signals.get(0).eventId, false));
      out.add(inc);
    }
    // ids that vanished: their first signal now belongs to another incident, or to none (withdrawn)
    for (TenantStore.Emitted e : store.emitted()) {
      if (index.groups.containsKey(e.incidentId()) || e.sealed() || !"OPEN".equals(e.status())) continue;
      out.add(tombstone(store, tenant, e, index.groupOf(e.firstSignal()), out));
    }
    if (watermarkMicros != Long.MIN_VALUE && watermarkMicros != Long.MAX_VALUE) {
      evict(store, index, held, clock);
    }
    return out;
  }

  /**
   * The runtime execs due at the watermark, judged against the audit log ({@link RuntimeExecAudit}): each decided
   * member replaces its undecided one in the store (its row: reason, severity, summary; never its entities, so no
   * link changes). Returns the replacements.
   */
  private static List<Member> decideExecs(TenantStore store, RuntimeExecAudit.Ledger execs, long watermarkMicros)
      throws Exception {
    Map<String, Member> out = new java.util.LinkedHashMap<>();
    RuntimeExecAudit.Ledger.Decisions d = execs.decide(watermarkMicros);
    for (Map.Entry<String, String> k : d.keys().entrySet()) {
      Member m = store.member(k.getKey());
      if (m == null) continue;
      Member decided = RuntimeExecAudit.apply(m, k.getValue());
      store.replaceMember(decided);
      out.put(decided.eventId(), decided);
    }
    // one exec seen by two sensors: the primary's row names the other records' lineage
    for (Map.Entry<String, List<String>> a : d.alsoSeen().entrySet()) {
      Member p = store.member(a.getKey());
      if (p == null) continue;
      for (String dup : a.getValue()) {
        Member m = store.member(dup);
        if (m != null) p = RuntimeExecAudit.alsoSeen(p, m);
      }
      store.replaceMember(p);
      out.put(p.eventId(), p);
    }
    return new ArrayList<>(out.values());
  }

  /** The calls due at the watermark judged by their principal's clients and address ({@link CredentialClients}). */
  private static List<Member> decideCalls(TenantStore store, CredentialClients.Ledger calls, long watermarkMicros)
      throws Exception {
    List<Member> out = new ArrayList<>();
    for (Map.Entry<String, String> d : calls.decide(watermarkMicros).entrySet()) {
      Member m = store.member(d.getKey());
      if (m == null) continue;
      Member decided = CredentialClients.apply(m, d.getValue());
      store.replaceMember(decided);
      out.add(decided);
    }
    return out;
  }

  /** The re-pushed tags due at the watermark whose image adds packages ({@link ImagePackageDiff}). */
  private static List<Member> decidePackages(TenantStore store, ImagePackageDiff.Ledger packages, long watermarkMicros)
      throws Exception {
    List<Member> out = new ArrayList<>();
    for (Map.Entry<String, String> d : packages.decide(watermarkMicros).entrySet()) {
      Member m = store.member(d.getKey());
      if (m == null) continue;
      Member decided = ImagePackageDiff.apply(m, d.getValue());
      store.replaceMember(decided);
      out.add(decided);
    }
    return out;
  }

  /** The candidate flows due at the watermark found to be their pod's entry ({@link EntryFlows}), made signals. */
  private static List<Member> decideEntries(TenantStore store, EntryFlows.Ledger entries, long watermarkMicros)
      throws Exception {
    List<Member> out = new ArrayList<>();
    for (Map.Entry<String, String> d : entries.decide(watermarkMicros).entrySet()) {
      Member m = store.member(d.getKey());
      if (m == null) continue;
      Member decided = EntryFlows.apply(m, d.getValue());
      store.replaceMember(decided);
      out.add(decided);
    }
    return out;
  }

  /** The calls due at the watermark made with a key its owner deleted or made inactive before ({@link RevokedKeyUse}). */
  private static List<Member> decideRevoked(TenantStore store, RevokedKeyUse.Ledger revoked, long watermarkMicros)
      throws Exception {
    List<Member> out = new ArrayList<>();
    for (Map.Entry<String, String> d : revoked.decide(watermarkMicros).entrySet()) {
      Member m = store.member(d.getKey());
      if (m == null || RevokedKeyUse.decided(m)) continue;
      Member decided = RevokedKeyUse.apply(m, d.getValue());
      store.replaceMember(decided);
      out.add(decided);
    }
    return out;
  }

  /** The flows due at the watermark found to be exfiltration by volume ({@link ExfilVolume}), made signals. */
  private static List<Member> decideExfil(TenantStore store, ExfilVolume.Ledger exfil, long watermarkMicros)
      throws Exception {
    List<Member> out = new ArrayList<>();
    for (Map.Entry<String, String> d : exfil.decide(watermarkMicros).entrySet()) {
      Member m = store.member(d.getKey());
      if (m == null) continue;
      Member decided = ExfilVolume.apply(m, d.getValue());
      store.replaceMember(decided);
      out.add(decided);
    }
    return out;
  }

  /**
   * The {@code MERGED} revision of {@code e}, now part of {@code into}; or, {@code into} null, withdrawn: its first
   * signal is in no incident any more (a newer revision made it context that joins nothing, e.g. a call found to be
   * the ECS agent's), so its last {@code OPEN} record must not stand (a {@code MERGED} record without
   * {@code merged_into}: the schema has no other status).
   */
  private static Incident tombstone(TenantStore store, String tenant, TenantStore.Emitted e, String into,
      List<Incident> out) throws Exception {
    Incident target = null;
    for (Incident i : out) if (i.getIncidentId().equals(into)) target = i;
    long t = target != null ? target.getFirstSeen().toEpochMilli() * 1000 : 0;
    Instant first = target != null ? target.getFirstSeen() : IncidentAssembler.micros(t);
    Instant last = target != null ? target.getLastSeen() : IncidentAssembler.micros(t);
    Incident tomb = IncidentLinker.merged(e.incidentId(), tenant, into, first, last, e.revision() + 1);
    store.putEmitted(new TenantStore.Emitted(e.incidentId(), e.revision() + 1, 0, "MERGED", e.firstSignal(), false));
    return tomb;
  }

  /** Sealed incidents, old and excess unattached context leave the state (as {@link #evict(TenantStore, List,
   * List, long)} does after a full regrouping). */
  private void evict(TenantStore store, TenantIndex index, int held, EventClock clock) throws Exception {
    long w = settings.window().toNanos() / 1000;
    long wm = clock.maxWatermarkMicros();
    boolean uniform = clock.uniform();
    for (TenantIndex.Group g : new ArrayList<>(index.groups.values())) {
      if (g.last() + 2 * w >= wm) continue;
      if (!uniform && !behindEveryLane(g, clock, g.last() + 2 * w)) continue;
      for (TenantIndex.Node n : g.signals) store.removeMember(n.eventId);
      for (TenantIndex.Node n : g.context) store.removeMember(n.eventId);
      index.seal(g);
      TenantStore.Emitted e = store.emitted(g.id);
      if (e != null) {
        store.putEmitted(new TenantStore.Emitted(e.incidentId(), e.revision(), e.fingerprint(), e.status(),
            e.firstSignal(), true));
      }
    }
    long retention = settings.retention().toNanos() / 1000;
    if (uniform) {
      while (!index.loose.isEmpty() && index.loose.first().t < wm - retention) {
        String id = index.loose.first().eventId;
        store.removeMember(id);
        index.removeMember(id);
      }
    } else {
      // each by its own lane's watermark; those of a lane still behind stay (the scan stops at the newest lane's)
      List<String> old = new ArrayList<>();
      for (TenantIndex.Node n : index.loose) {
        if (n.t >= wm - retention) break;
        if (n.t < clock.watermarkMicros(n.lane) - retention) old.add(n.eventId);
      }
      for (String id : old) {
        store.removeMember(id);
        index.removeMember(id);
      }
    }
    int over = held - settings.maxMembersPerTenant();
    for (int i = 0; i < over && !index.loose.isEmpty(); i++) {
      String id = index.loose.first().eventId;
      store.removeMember(id);
      index.removeMember(id);
    }
  }

  /** Whether {@code limit} is behind the watermark of the lane of every member of {@code g}. */
  private static boolean behindEveryLane(TenantIndex.Group g, EventClock clock, long limit) {
    String checked = "\u0000"; // lanes are interned: consecutive members of one lane are checked once
    for (TenantIndex.Node n : g.signals) {
      if (n.lane != checked && clock.watermarkMicros(checked = n.lane) <= limit) return false;
    }
    for (TenantIndex.Node n : g.context) {
      if (n.lane != checked && clock.watermarkMicros(checked = n.lane) <= limit) return false;
    }
    return true;
  }

  /**
   * The reference {@link #flush}: regroups every member of the tenant from scratch ({@link IncidentGrouper}), O(members)
   * per call. Kept to check the incremental flush against (same incidents, same revisions, same evictions); the job
   * does not call it. Do not mix both on one store.
   */
  List<Incident> flushRegrouping(TenantStore store, String tenant, long watermarkMicros) throws Exception {
    RuntimeExecAudit.Ledger execs = RuntimeExecAudit.Ledger.of(settings);
    for (Member m : store.members()) execs.add(m.eventId(), m.timeMicros(), m.execKey());
    decideExecs(store, execs, watermarkMicros);
    CredentialClients.Ledger calls = new CredentialClients.Ledger();
    for (Binding b : store.bindings()) calls.addBinding(b);
    for (Member m : store.members()) calls.add(m);
    decideCalls(store, calls, watermarkMicros);
    ImagePackageDiff.Ledger packages = new ImagePackageDiff.Ledger();
    for (Member m : store.members()) packages.add(m);
    decidePackages(store, packages, watermarkMicros);
    RevokedKeyUse.Ledger revoked = new RevokedKeyUse.Ledger();
    for (Member m : store.members()) revoked.add(m);
    decideRevoked(store, revoked, watermarkMicros);
    EntryFlows.Ledger entries = EntryFlows.Ledger.of(settings);
    for (Member m : store.members()) entries.add(m);
    decideEntries(store, entries, watermarkMicros);
    ExfilVolume.Ledger exfil = ExfilVolume.Ledger.of(settings);
    for (Member m : store.members()) exfil.add(m);
    decideExfil(store, exfil, watermarkMicros);
    List<Member> members = new ArrayList<>();
    for (Member m : store.members()) members.add(m);
    List<Binding> bindings = new ArrayList<>();
    for (Binding b : store.bindings()) bindings.add(b);
    List<IncidentGrouper.Group> groups = IncidentGrouper.group(tenant, members, bindings, settings);

    List<Incident> out = new ArrayList<>();
    Map<String, String> incidentOfEvent = new HashMap<>();
    Set<String> live = new HashSet<>();
    for (IncidentGrouper.Group g : groups) {
      for (Member m : g.members()) incidentOfEvent.putIfAbsent(m.eventId(), g.incidentId());
    }
    for (IncidentGrouper.Group g : groups) {
      live.add(g.incidentId());
      Incident inc = IncidentAssembler.assemble(g, settings);
      long fp = fingerprint(inc);
      TenantStore.Emitted prev = store.emitted(g.incidentId());
      if (prev != null && prev.fingerprint() == fp && "OPEN".equals(prev.status())) continue;
      int rev = prev == null ? 1 : prev.revision() + 1;
      inc.setRevision(rev);
      store.putEmitted(new TenantStore.Emitted(g.incidentId(), rev, fp, "OPEN", g.firstSignal().eventId(), false));
      out.add(inc);
    }
    // ids that vanished: their first signal now belongs to another incident, or to none (withdrawn)
    for (TenantStore.Emitted e : store.emitted()) {
      if (live.contains(e.incidentId()) || e.sealed() || !"OPEN".equals(e.status())) continue;
      out.add(tombstone(store, tenant, e, incidentOfEvent.get(e.firstSignal()), out));
    }
    if (watermarkMicros != Long.MIN_VALUE && watermarkMicros != Long.MAX_VALUE) {
      evict(store, groups, members, watermarkMicros);
    }
    return out;
  }

  private void evict(TenantStore store, List<IncidentGrouper.Group> groups, List<Member> members, long wm)
      throws Exception {
    long w = settings.window().toNanos() / 1000;
    Set<String> attached = new HashSet<>();
    for (IncidentGrouper.Group g : groups) {
      long lastSignal = Long.MIN_VALUE;
      for (Member m : g.members()) if (m.signal()) lastSignal = Math.max(lastSignal, m.timeMicros());
      if (lastSignal + 2 * w < wm) {
        for (Member m : g.members()) store.removeMember(m.eventId());
        TenantStore.Emitted e = store.emitted(g.incidentId());
        if (e != null) {
          store.putEmitted(new TenantStore.Emitted(e.incidentId(), e.revision(), e.fingerprint(), e.status(),
              e.firstSignal(), true));
        }
      }
      for (Member m : g.members()) attached.add(m.eventId());
    }
    long retention = settings.retention().toNanos() / 1000;
    List<Member> loose = new ArrayList<>();
    for (Member m : members) {
      if (attached.contains(m.eventId()) || m.signal()) continue;
      if (m.timeMicros() < wm - retention) {
        store.removeMember(m.eventId());
      } else {
        loose.add(m);
      }
    }
    int over = members.size() - settings.maxMembersPerTenant();
    if (over > 0) {
      loose.sort(IncidentGrouper.ORDER);
      for (int i = 0; i < Math.min(over, loose.size()); i++) store.removeMember(loose.get(i).eventId());
    }
  }

  /**
   * The incidents of a set of events, grouped per tenant and linked across tenants ({@link IncidentLinker}) at once
   * (tests, tools): the open incidents the job converges to (revision 1 for single-tenant ones, 0 for linked ones).
   */
  public static List<Incident> incidentsOf(Collection<EvidenceEvent> events, IncidentSettings settings) throws Exception {
    IncidentEngine engine = new IncidentEngine(settings);
    Map<String, InMemoryTenantStore> stores = new java.util.TreeMap<>();
    for (EvidenceEvent e : events) {
      engine.accept(stores.computeIfAbsent(EntityKeys.tenant(e), t -> new InMemoryTenantStore()), e);
    }
    List<Incident> out = new ArrayList<>();
    for (Map.Entry<String, InMemoryTenantStore> s : stores.entrySet()) {
      // the input's end (MAX): the runtime execs are judged against the audit log; nothing is evicted
      for (Incident i : engine.flush(s.getValue(), s.getKey(), Long.MAX_VALUE)) {
        if (i.getStatus() == IncidentStatus.OPEN) out.add(i);
      }
    }
    return IncidentLinker.link(out, settings).incidents();
  }

  /**
   * Incident records assembled since start: {new incidents (from all members), rebuilt from all members (lost
   * members or parts from before), grown (from the last assembly's parts plus the change)}.
   */
  long[] assemblies() {
    long[] n = new long[3];
    if (indexes == null) return n;
    for (TenantIndex x : indexes.values()) {
      for (int i = 0; i < 3; i++) n[i] += x.assemblies[i];
    }
    return n;
  }

  /**
   * Incidents dissolved since start because links they held may be gone (a signal replaced by a newer revision, a
   * closure or a burst that shrank), and of those, the ones that came out split: {dissolved, split}.
   */
  long[] regroupings() {
    long[] n = new long[2];
    if (indexes == null) return n;
    for (TenantIndex x : indexes.values()) {
      for (int i = 0; i < 2; i++) n[i] += x.regroupings[i];
    }
    return n;
  }

  /**
   * 64 bits of SHA-256 over the record's Avro binary form with revision 0 (what a revision changes). Binary, not
   * {@code toString()}: Avro's JSON rendering of a record with a full timeline cost more than the rest of a flush.
   */
  static long fingerprint(Incident inc) {
    int rev = inc.getRevision();
    inc.setRevision(0);
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(inc.toByteBuffer());
      byte[] h = sha.digest();
      long v = 0;
      for (int i = 0; i < 8; i++) v = (v << 8) | (h[i] & 0xff);
      return v;
    } catch (java.security.NoSuchAlgorithmException | java.io.IOException e) {
      throw new IllegalStateException(e);
    } finally {
      inc.setRevision(rev);
    }
  }
}
