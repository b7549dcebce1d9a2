package dev.strata.job.incident;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.schema.correlate.AttackStage;
import dev.strata.schema.correlate.Incident;
import dev.strata.schema.correlate.TimelineRow;
import dev.strata.schema.event.Endpoint;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.event.Kubernetes;
import dev.strata.schema.event.Network;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Exfiltration by volume ({@link ExfilVolume}): FargateFleetScenarioIT's ledger pod sent 187 MB to the attacker's
 * server after the exec, a context row. Synthetic v5 flow records (the pod named by the correlation job's enrichment,
 * set here; the NAT gateway's record of the same connection with {@code pkt-srcaddr} / {@code pkt-dstaddr}) and a
 * Falco alert of the pod as the incident's signal.
 */
class ExfilVolumeTest {
  static final Instant EXEC = Instant.parse("2026-11-23T09:12:40Z");
  static final String POD = "ledger-api-5f8b9c7d6-m2n8q";
  static final String POD_IP = "10.77.34.52";
  static final String SERVER = "203.0.113.77";
  static final String NAT = "10.77.0.9";

  /** A record of the pod's connection {@code sport} -> the server's 443 on the pod's node's ENI. */
  static EvidenceEvent flow(String id, Instant start, int sport, long bytes, String dst) {
    EvidenceEvent e = IncidentGrouperTest.base(id, start, "aws_vpc_flow");
    e.setClassUid(4001);
    e.setClassName("Network Activity");
    e.setSrcEndpoint(Endpoint.newBuilder().setIp(POD_IP).setPort(sport).build());
    e.setDstEndpoint(Endpoint.newBuilder().setIp(dst).setPort(443).build());
    e.setNetwork(Network.newBuilder().setProtocol("tcp").setAction("Allowed").setDirection("Outbound").setBytes(bytes)
        .setPackets(bytes / 1400).build());
    e.setKubernetes(Kubernetes.newBuilder().setCluster("prod").setNamespace("shop").setPodName(POD).build());
    e.getCloud().setEniUid("eni-0node000000000001");
    return e;
  }

  /** The NAT gateway's record of the same connection: the gateway's address, the packet's own in pkt-*. */
  static EvidenceEvent natLeg(String id, Instant start, int sport, long bytes) {
    EvidenceEvent e = flow(id, start, sport, bytes, NAT);
    e.getNetwork().setDirection("Inbound");
    e.getNetwork().setPktSrcIp(POD_IP);
    e.getNetwork().setPktDstIp(SERVER);
    e.getCloud().setEniUid("eni-0nat0000000000001");
    return e;
  }

  static EvidenceEvent exec() {
    return IncidentGrouperTest.falco("exec", EXEC, "ip-10-77-34-10", "a1b2c3d4e5f6a7b8", POD);
  }

  static Incident only(List<Incident> incs) {
    assertThat(incs).hasSize(1);
    return incs.get(0);
  }

  static TimelineRow row(Incident inc, String id) {
    return inc.getTimeline().stream().filter(r -> r.getEventId().equals(id)).findFirst().orElse(null);
  }

  static List<Incident> incidents(List<EvidenceEvent> events, IncidentSettings s) throws Exception {
    return IncidentEngine.incidentsOf(events, s);
  }

  @Test
  void theRecordThatCrossesTheThresholdIsTheIncidentsExfiltrationInAnyOrder() throws Exception {
    Instant t = EXEC.plusSeconds(80); // 09:14:00
    List<EvidenceEvent> events = List.of(exec(),
        flow("dump1", t, 58122, 30_000_000, SERVER),
        natLeg("dump1-nat", t, 58122, 30_000_000), // the same connection on the NAT gateway's ENI: counted once
        flow("dump2", t.plusSeconds(300), 58140, 25_000_000, SERVER),
        flow("later", t.plusSeconds(900), 58190, 40_000_000, SERVER)); // the next window: 40 MB alone, under
    Random r = new Random(7);
    for (int i = 0; i < 10; i++) {
      List<EvidenceEvent> order = new ArrayList<>(events);
      Collections.shuffle(order, r);
      Incident inc = only(incidents(order, IncidentSettings.defaults()));
      TimelineRow x = row(inc, "dump2");
      assertThat(x.getSignal()).as("the crossing record").isTrue();
      assertThat(x.getAttackStage()).isEqualTo(AttackStage.EXFILTRATION);
      assertThat(x.getSummary()).contains("(exfiltration by volume: 55,000,000 bytes from " + POD_IP + " (shop/" + POD
          + ") to " + SERVER + " in 2 connections whose flow records start 2026-11-23T09:14:00Z to 2026-11-23T09:19:00Z,"
          + " within 10 min (incident.exfil_window): over 50,000,000 bytes (incident.exfil_bytes); each record counted"
          + " whole at its start)");
      for (String id : List.of("dump1", "dump1-nat", "later")) {
        assertThat(row(inc, id).getSignal()).as(id).isFalse();
      }
      assertThat(inc.getAttackPath().stream().map(s -> s.getStage()).toList()).contains(AttackStage.EXFILTRATION);
    }
  }

  /** A long transfer: one connection's capture windows on one interface are summed, its NAT copies counted once. */
  @Test
  void aConnectionsRecordsOnOneInterfaceAreSummedAndItsCopiesOnAnotherAreNot() throws Exception {
    Instant t = EXEC.plusSeconds(80);
    List<EvidenceEvent> events = List.of(exec(),
        flow("m1", t, 58122, 20_000_000, SERVER), natLeg("m1-nat", t.plusSeconds(7), 58122, 20_000_000),
        flow("m2", t.plusSeconds(60), 58122, 20_000_000, SERVER), natLeg("m2-nat", t.plusSeconds(67), 58122, 20_000_000),
        flow("m3", t.plusSeconds(120), 58122, 15_000_000, SERVER), natLeg("m3-nat", t.plusSeconds(127), 58122, 15_000_000));
    Random r = new Random(17);
    for (int i = 0; i < 5; i++) {
      List<EvidenceEvent> order = new ArrayList<>(events);
      Collections.shuffle(order, r);
      Incident inc = only(incidents(order, IncidentSettings.defaults()));
      List<String> signals = inc.getTimeline().stream().filter(x -> x.getSignal() && !x.getEventId().equals("exec"))
          .map(x -> x.getEventId()).toList();
      assertThat(signals).as("55 MB in one connection's three capture windows, 40 MB before the third").containsExactly("m3");
      assertThat(row(inc, "m3").getSummary()).contains("55,000,000 bytes").contains(" in 1 connection ");
    }
  }

  @Test
  void oneRecordOverTheThresholdAndTheSettings() throws Exception {
    Instant t = EXEC.plusSeconds(80);
    List<EvidenceEvent> events = List.of(exec(), flow("dump", t, 58122, 187_342_112, SERVER));
    TimelineRow x = row(only(incidents(events, IncidentSettings.defaults())), "dump");
    assertThat(x.getSignal()).isTrue();
    assertThat(x.getSummary()).contains("187,342,112 bytes from " + POD_IP + " (shop/" + POD + ") to " + SERVER
        + " in 1 connection whose flow records start 2026-11-23T09:14:00Z, within 10 min");
    // a higher threshold: context
    IncidentSettings high = IncidentSettings.defaults().withExfil(200_000_000L, Duration.ofMinutes(10));
    assertThat(row(only(incidents(events, high)), "dump").getSignal()).isFalse();
    // the server in the organisation's own ranges: context
    IncidentSettings known = IncidentSettings.defaults().withKnownCidrs(List.of("203.0.113.0/24"));
    assertThat(row(only(incidents(events, known)), "dump").getSignal()).isFalse();
  }

  @Test
  void volumeAloneOpensNothingAndSpreadOverTwoWindowsIsUnder() throws Exception {
    Instant t = EXEC.plusSeconds(80);
    // no signal of the pod: a nightly export to a public endpoint is no incident
    assertThat(incidents(List.of(flow("backup", t, 50000, 900_000_000, SERVER)), IncidentSettings.defaults())).isEmpty();
    // 30 MB and 30 MB eleven minutes apart: no window holds 50 MB
    List<EvidenceEvent> events = List.of(exec(), flow("a", t, 58122, 30_000_000, SERVER),
        flow("b", t.plusSeconds(660), 58123, 30_000_000, SERVER));
    Incident inc = only(incidents(events, IncidentSettings.defaults()));
    assertThat(row(inc, "a").getSignal()).isFalse();
    assertThat(row(inc, "b").getSignal()).isFalse();
    // a refused connection, an inbound reply (public source) and a private destination count nothing
    EvidenceEvent refused = flow("refused", t, 58124, 90_000_000, SERVER);
    refused.getNetwork().setAction("Denied");
    EvidenceEvent reply = flow("reply", t, 443, 90_000_000, POD_IP);
    reply.getSrcEndpoint().setIp(SERVER);
    EvidenceEvent inside = flow("inside", t, 58125, 90_000_000, "10.77.40.3");
    Incident quiet = only(incidents(List.of(exec(), refused, reply, inside), IncidentSettings.defaults()));
    assertThat(quiet.getTimeline().stream().filter(r -> r.getSignal()).map(r -> r.getEventId()).toList())
        .containsExactly("exec");
  }

  @Test
  void decidedAtTheWatermarkOnceTheWindowIsCompleteAndKeptForACopy() throws Exception {
    IncidentEngine engine = new IncidentEngine(IncidentSettings.defaults());
    InMemoryTenantStore store = new InMemoryTenantStore();
    Instant t = EXEC.plusSeconds(80);
    EvidenceEvent dump = flow("dump", t, 58122, 187_342_112, SERVER);
    engine.accept(store, exec());
    engine.accept(store, dump);
    String tenant = EntityKeys.tenant(dump);
    long at = (t.getEpochSecond() + 60) * 1_000_000L;
    engine.flush(store, tenant, at); // the window (10 min from 09:14) is not complete
    assertThat(store.member("dump").signal()).isFalse();
    engine.flush(store, tenant, at + 600_000_000L);
    assertThat(store.member("dump").signal()).isTrue();
    engine.accept(store, flow("dump", t, 58122, 187_342_112, SERVER)); // a copy of the record
    assertThat(store.member("dump").signal()).isTrue();
    assertThat(store.member("dump").execKey()).startsWith("xfil+|");
  }
}
