package dev.strata.job.incident;

/**
 * The state of one tenant: members by event id, bindings, and what was emitted per incident id. The job backs it
 * with Flink keyed MapState (key = tenant); tests use {@link InMemoryTenantStore}.
 */
public interface TenantStore {
  Iterable<Member> members() throws Exception;

  /** Returns false when the event id was there already (a replay or a second copy): nothing changes. */
  boolean putMember(Member m) throws Exception;

  void removeMember(String eventId) throws Exception;

  /** Stores {@code m} in place of the member of its event id (a newer revision of the event). */
  default void replaceMember(Member m) throws Exception {
    removeMember(m.eventId());
    putMember(m);
  }

  /** The member stored for an event id, or null. */
  default Member member(String eventId) throws Exception {
    for (Member m : members()) if (m.eventId().equals(eventId)) return m;
    return null;
  }

  Iterable<Binding> bindings() throws Exception;

  /** Returns true if the binding is new. */
  boolean addBinding(Binding b) throws Exception;

  Iterable<Emitted> emitted() throws Exception;

  Emitted emitted(String incidentId) throws Exception;

  void putEmitted(Emitted e) throws Exception;

  /**
   * What was last emitted for an incident id.
   *
   * @param fingerprint hash of the content (without revision), to emit only on change
   * @param firstSignal the event id the incident id was derived from (to find what a vanished id merged into)
   * @param sealed no event can join any more (its window is behind the watermark): its members left the state
   */
  record Emitted(String incidentId, int revision, long fingerprint, String status, String firstSignal, boolean sealed) {
    public String encode() {
      return revision + "\t" + fingerprint + "\t" + status + "\t" + firstSignal + "\t" + sealed;
    }

    public static Emitted decode(String id, String s) {
      String[] p = s.split("\t", 5);
      return new Emitted(id, Integer.parseInt(p[0]), Long.parseLong(p[1]), p[2], p[3], Boolean.parseBoolean(p[4]));
    }
  }
}
