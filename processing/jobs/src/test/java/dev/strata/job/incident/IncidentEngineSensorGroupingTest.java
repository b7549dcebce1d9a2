package dev.strata.job.incident;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.schema.correlate.Incident;
import dev.strata.schema.correlate.IncidentEntity;
import dev.strata.schema.correlate.IncidentStatus;
import dev.strata.schema.event.Cloud;
import dev.strata.schema.event.Device;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.event.Finding;
import dev.strata.schema.event.Lineage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Sensor-output grouping ({@link EntityKeys.SensorOutput}): Falco alerts that name no host (text output, no context
 * host) group by the artifact that carried them, within the window; never across artifacts, hosts or tenants.
 * Synthetic alerts written for these tests; the engine flushes after every event in shuffled orders and the
 * reference regrouping ({@link IncidentEngine#flushRegrouping}) must agree.
 */
class IncidentEngineSensorGroupingTest {
  static final Instant T0 = Instant.parse("2026-11-20T10:00:00Z");
  static final String FILE_A = "a".repeat(64);
  static final String FILE_B = "b".repeat(64);
  static int seq;

  /** A Falco alert outside any container: Warning (Medium, a signal) or Notice (Low, context). */
  static EvidenceEvent alert(String id, Instant t, String artifact, String hostname, String account, boolean warning) {
    EvidenceEvent e = IncidentGrouperTest.base(id, t, "falco_alert");
    e.setClassUid(2004);
    e.setClassName("Detection Finding");
    e.setSeverityId(warning ? 3 : 2);
    e.setMessage("Write below binary dir");
    e.setFinding(Finding.newBuilder().setRule("Write below binary dir").setTitle("Write below binary dir")
        .setPriority(warning ? "Warning" : "Notice").setTags(List.of("filesystem", "mitre_persistence")).build());
    e.setLineage(Lineage.newBuilder().setArtifactSha256(artifact).setOrigin("falco/" + artifact.charAt(0) + ".txt")
        .setSourceType("falco_alert").setChunkIndex(0).setByteOffset((long) seq++ * 100).setByteLength(100L)
        .setLineNumber((long) seq).build());
    e.setCloud(Cloud.newBuilder().setProvider("aws").setAccountUid(account == null ? "111122223333" : account)
        .setRegion("us-east-1").build());
    e.setDevice(hostname == null ? null : Device.newBuilder().setHostname(hostname).build());
    return e;
  }

  static Instant at(int minutes) {
    return T0.plus(Duration.ofMinutes(minutes));
  }

  /** The open incidents after a flush per event (random order), checked against the full regrouping. */
  static List<Incident> incidents(List<EvidenceEvent> events, long seed) throws Exception {
    List<EvidenceEvent> order = new ArrayList<>(events);
    Collections.shuffle(order, new Random(seed));
    IncidentEngine engine = new IncidentEngine(IncidentSettings.defaults());
    IncidentEngine reference = new IncidentEngine(IncidentSettings.defaults());
    Map<String, InMemoryTenantStore> stores = new TreeMap<>();
    Map<String, InMemoryTenantStore> refStores = new TreeMap<>();
    Map<String, Incident> latest = new TreeMap<>();
    Map<String, Incident> refLatest = new TreeMap<>();
    for (EvidenceEvent e : order) {
      String tenant = EntityKeys.tenant(e);
      engine.accept(stores.computeIfAbsent(tenant, t -> new InMemoryTenantStore()), e);
      reference.accept(refStores.computeIfAbsent(tenant, t -> new InMemoryTenantStore()), e);
      for (Incident i : engine.flush(stores.get(tenant), tenant, Long.MIN_VALUE)) latest.put(i.getIncidentId(), i);
      for (Incident i : IncidentEngineAccess.flushRegrouping(reference, refStores.get(tenant), tenant, Long.MIN_VALUE)) {
        refLatest.put(i.getIncidentId(), i);
      }
    }
    assertThat(latest).isEqualTo(refLatest);
    return latest.values().stream().filter(i -> i.getStatus() == IncidentStatus.OPEN).toList();
  }

  static List<String> types(Incident i) {
    return i.getEntities().stream().map(IncidentEntity::getType).toList();
  }

  @Test
  void hostlessAlertsOfOneSensorFileAreOneIncidentInAnyOrder() throws Exception {
    List<EvidenceEvent> events = new ArrayList<>();
    for (int i = 0; i < 7; i++) events.add(alert("a" + i, at(i * 10), FILE_A, null, null, true));
    events.add(alert("notice", at(25), FILE_A, null, null, false)); // context of the same sensor
    for (long seed = 0; seed < 5; seed++) {
      List<Incident> open = incidents(events, seed);
      assertThat(open).singleElement().satisfies(i -> {
        assertThat(i.getSignals()).isEqualTo(7);
        assertThat(i.getEventCount()).isEqualTo(8);
        assertThat(i.getTitle()).startsWith("Host not named, sensor output falco/a.txt (artifact aaaaaaaaaaaa)");
        assertThat(i.getEntities()).anySatisfy(x -> {
          assertThat(x.getType()).isEqualTo(Entity.SENSOR);
          assertThat(x.getKey()).isEqualTo(FILE_A);
          assertThat(x.getScope()).isEqualTo("falco/a.txt");
        });
      });
    }
  }

  @Test
  void twoFilesTwoHostsTwoTenantsAndTheWindowKeepAlertsApart() throws Exception {
    List<EvidenceEvent> events = new ArrayList<>();
    events.add(alert("a1", at(0), FILE_A, null, null, true));
    events.add(alert("a2", at(30), FILE_A, null, null, true));
    // another hostless file: maybe another host
    events.add(alert("b1", at(5), FILE_B, null, null, true));
    // an alert of file A that names its host: its node's, not the hostless ones' (which host those ran on is unknown)
    events.add(alert("named", at(10), FILE_A, "ip-10-0-1-23.ec2.internal", null, true));
    // the same file's alert in another tenant (an account named by the context): never merged across tenants
    events.add(alert("other-tenant", at(15), FILE_A, null, "222233334444", true));
    // three hours after the last: past the window
    events.add(alert("later", at(30 + 180), FILE_A, null, null, true));
    for (long seed = 0; seed < 5; seed++) {
      List<Incident> open = incidents(events, seed);
      assertThat(open).extracting(Incident::getSignals).containsExactlyInAnyOrder(2, 1, 1, 1, 1);
      assertThat(open).filteredOn(i -> i.getSignals() == 2).singleElement()
          .satisfies(i -> assertThat(i.getTenant()).isEqualTo("aws:111122223333"));
      assertThat(open).filteredOn(i -> types(i).contains(Entity.NODE)).singleElement()
          .satisfies(i -> assertThat(types(i)).doesNotContain(Entity.SENSOR));
      assertThat(open).filteredOn(i -> i.getTenant().equals("aws:222233334444")).hasSize(1);
    }
  }

  @Test
  void localhostNamesNoHost() throws Exception {
    // two sensors' outputs that both say "localhost" (Falco's default when nothing sets it): two machines, not one
    List<EvidenceEvent> events = List.of(
        alert("a1", at(0), FILE_A, "localhost", null, true), alert("a2", at(1), FILE_A, "localhost", null, true),
        alert("b1", at(2), FILE_B, "localhost", null, true));
    List<Incident> open = incidents(events, 1);
    assertThat(open).extracting(Incident::getSignals).containsExactlyInAnyOrder(2, 1);
    assertThat(open).allSatisfy(i -> assertThat(types(i)).contains(Entity.SENSOR).doesNotContain(Entity.NODE));
  }

  @Test
  void evidenceNamingItsHostOrContainerGetsNoSensor() {
    EntityKeys.Extraction named = EntityKeys.extract(alert("n", at(0), FILE_A, "node-1", null, true));
    assertThat(named.entities()).extracting(Entity::type).contains(Entity.NODE).doesNotContain(Entity.SENSOR);
    EvidenceEvent inContainer = IncidentGrouperTest.falco("c", at(0), "node-1", "abcdef0123456789", "web-1");
    assertThat(EntityKeys.extract(inContainer).entities()).extracting(Entity::type).doesNotContain(Entity.SENSOR);
    EvidenceEvent trail = IncidentGrouperTest.cloudTrail("t", at(0), "DeleteTrail", "alice", "203.0.113.9");
    assertThat(EntityKeys.extract(trail).entities()).extracting(Entity::type).doesNotContain(Entity.SENSOR);
  }
}
