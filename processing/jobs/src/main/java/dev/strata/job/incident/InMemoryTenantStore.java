package dev.strata.job.incident;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/** A {@link TenantStore} in plain maps (tests, `strata` commands without Flink). */
public final class InMemoryTenantStore implements TenantStore {
  private final Map<String, Member> members = new LinkedHashMap<>();
  private final Set<Binding> bindings = new LinkedHashSet<>();
  private final Map<String, Emitted> emitted = new LinkedHashMap<>();

  @Override
  public Iterable<Member> members() {
    return new ArrayList<>(members.values());
  }

  @Override
  public boolean putMember(Member m) {
    return members.putIfAbsent(m.eventId(), m) == null;
  }

  @Override
  public Member member(String eventId) {
    return members.get(eventId);
  }

  @Override
  public void removeMember(String eventId) {
    members.remove(eventId);
  }

  @Override
  public Iterable<Binding> bindings() {
    return new ArrayList<>(bindings);
  }

  @Override
  public boolean addBinding(Binding b) {
    return bindings.add(b);
  }

  @Override
  public Iterable<Emitted> emitted() {
    return new ArrayList<>(emitted.values());
  }

  @Override
  public Emitted emitted(String incidentId) {
    return emitted.get(incidentId);
  }

  @Override
  public void putEmitted(Emitted e) {
    emitted.put(e.incidentId(), e);
  }

  public int memberCount() {
    return members.size();
  }
}
