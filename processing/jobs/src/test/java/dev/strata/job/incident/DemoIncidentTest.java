package dev.strata.job.incident;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.schema.correlate.AttackStage;
import dev.strata.schema.correlate.AttackStep;
import dev.strata.schema.correlate.Incident;
import dev.strata.schema.correlate.IncidentEntity;
import dev.strata.schema.correlate.TimelineLayer;
import dev.strata.schema.correlate.TimelineRow;
import dev.strata.schema.event.EvidenceEvent;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The demo bundle's story comes out as one incident, whatever the order the events arrive in. */
class DemoIncidentTest {

  @Test
  void theDemoIsOneIncidentWithItsAttackPath() throws Exception {
    List<EvidenceEvent> events = DemoEvents.parse();
    List<Incident> incidents = IncidentEngine.incidentsOf(events, IncidentSettings.defaults());
    incidents.forEach(i -> System.out.println(i.getTitle() + " " + i.getEntities()));
    assertThat(incidents).hasSize(1);
    Incident inc = incidents.get(0);
    assertThat(inc.getTenant()).isEqualTo("aws:111122223333");
    assertThat(inc.getSeverity()).isEqualTo("High");
    // signals: exec into the pod, the denied secret read, the four calls with the node role's credentials outside
    assertThat(inc.getSignals()).isEqualTo(6);
    List<String> ents = inc.getEntities().stream().map(e -> e.getType() + ":" + e.getKey()).toList();
    assertThat(ents)
        .contains("pod:shop/web-7d9c8b6f5-x2x9q", "node:ip-10-0-1-23", "instance:i-0a1b2c3d4e5f60718",
            "principal:dev-alice", "ip:203.0.113.50", "access_key:ASIAEXAMPLEKEY000001",
            "session:arn:aws:sts::111122223333:assumed-role/eks-node-role/i-0a1b2c3d4e5f60718",
            "container:304ef4d5cf41", "cluster:prod-eks", "account:111122223333")
        .doesNotContain("principal_system:system:kube-scheduler");
    assertThat(inc.getIndicators()).extracting(i -> i.getType() + ":" + i.getValue())
        .contains("ip:203.0.113.50", "principal:dev-alice", "access_key:ASIAEXAMPLEKEY000001");
    assertThat(inc.getAttackPath()).extracting(AttackStep::getStage)
        .containsExactly(AttackStage.EXECUTION, AttackStage.CREDENTIAL_ACCESS, AttackStage.EXFILTRATION,
            AttackStage.PERSISTENCE);
    List<TimelineRow> rows = inc.getTimeline();
    for (int i = 1; i < rows.size(); i++) {
      TimelineRow a = rows.get(i - 1), b = rows.get(i);
      assertThat(a.getTime().compareTo(b.getTime()) < 0
              || (a.getTime().equals(b.getTime()) && a.getEventId().compareTo(b.getEventId()) < 0))
          .as("rows ordered by time then event_id").isTrue();
    }
    List<String> signals = rows.stream().filter(TimelineRow::getSignal).map(TimelineRow::getSummary).toList();
    assertThat(signals).hasSize(6);
    assertThat(signals.get(0)).contains("dev-alice create pods/exec shop/web-7d9c8b6f5-x2x9q");
    assertThat(signals.get(2)).contains("GetCallerIdentity").contains("203.0.113.50");
    assertThat(signals.get(5)).contains("CreateAccessKey").contains("AccessDenied");
    assertThat(rows).extracting(TimelineRow::getLayer).contains(TimelineLayer.CLUSTER, TimelineLayer.CONTAINER, TimelineLayer.CLOUD);
    assertThat(rows.stream().map(TimelineRow::getSummary)).noneMatch(s -> s.contains("kube-scheduler"));
    assertThat(inc.getEventCount()).isEqualTo(rows.size());
    assertThat(inc.getTimelineOmitted()).isZero();
  }

  @Test
  void arrivalOrderDoesNotChangeTheResult() throws Exception {
    List<EvidenceEvent> events = DemoEvents.parse();
    Incident expected = IncidentEngine.incidentsOf(events, IncidentSettings.defaults()).get(0);
    Random r = new Random(42);
    for (int round = 0; round < 5; round++) {
      List<EvidenceEvent> shuffled = new ArrayList<>(events);
      Collections.shuffle(shuffled, r);
      // streaming: flush after every event, as the job may; the last revision is the result
      IncidentEngine engine = new IncidentEngine(IncidentSettings.defaults());
      InMemoryTenantStore store = new InMemoryTenantStore();
      java.util.Map<String, Incident> latest = new java.util.TreeMap<>();
      for (EvidenceEvent e : shuffled) {
        engine.accept(store, e);
        for (Incident i : engine.flush(store, "aws:111122223333", Long.MIN_VALUE)) latest.put(i.getIncidentId(), i);
      }
      List<Incident> open = latest.values().stream()
          .filter(i -> i.getStatus() == dev.strata.schema.correlate.IncidentStatus.OPEN).toList();
      assertThat(open).hasSize(1);
      Incident got = open.get(0);
      got.setRevision(expected.getRevision());
      assertThat(got).isEqualTo(expected);
      // every superseded id leads, through merged_into, to the final incident
      for (Incident i : latest.values()) {
        Incident at = i;
        for (int hops = 0; at.getStatus() != dev.strata.schema.correlate.IncidentStatus.OPEN && hops < 50; hops++) {
          at = latest.get(at.getMergedInto());
        }
        assertThat(at.getIncidentId()).isEqualTo(expected.getIncidentId());
      }
    }
  }
}
