package dev.strata.job.incident;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.job.ParseJob;
import dev.strata.job.serde.StrataTypes;
import dev.strata.job.testing.CollectSink;
import dev.strata.schema.correlate.Incident;
import dev.strata.schema.correlate.IncidentStatus;
import dev.strata.schema.event.EvidenceEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import dev.strata.job.TestMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The incident graph on a MiniCluster with the demo's events in memory: the newest revision is the one incident. */
class IncidentJobTest {

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      TestMiniCluster.extension(2);

  static Map<String, Incident> run(List<EvidenceEvent> events, Duration flush) throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    CollectSink<Incident> out = new CollectSink<>();
    IncidentJob.build(env.fromData(events, StrataTypes.EVIDENCE_EVENT),
        ParseJob.watermarks(Duration.ofMinutes(5), Duration.ofSeconds(30)), IncidentSettings.defaults(), flush, out,
        IncidentJob.Outputs.none());
    env.execute("incident-test");
    Map<String, Incident> latest = new TreeMap<>();
    List<Incident> all = new ArrayList<>();
    out.collected().forEach(c -> all.add(c.value()));
    all.sort(Comparator.comparing(Incident::getRevision));
    for (Incident i : all) {
      Incident prev = latest.get(i.getIncidentId());
      assertThat(prev == null || prev.getRevision() < i.getRevision()).as("revisions increase").isTrue();
      latest.put(i.getIncidentId(), i);
    }
    return latest;
  }

  @Test
  void theDemoComesOutAsOneIncidentWhateverTheOrder() throws Exception {
    List<EvidenceEvent> events = DemoEvents.parse();
    Incident expected = IncidentEngine.incidentsOf(events, IncidentSettings.defaults()).get(0);
    List<EvidenceEvent> shuffled = new ArrayList<>(events);
    Collections.shuffle(shuffled, new Random(7));
    for (List<EvidenceEvent> input : List.of(events, shuffled)) {
      for (Duration flush : List.of(Duration.ZERO, Duration.ofSeconds(1))) {
        Map<String, Incident> latest = run(input, flush);
        List<Incident> open = latest.values().stream().filter(i -> i.getStatus() == IncidentStatus.OPEN).toList();
        assertThat(open).as("flush %s", flush).hasSize(1);
        Incident got = open.get(0);
        assertThat(got.getIncidentId()).isEqualTo(expected.getIncidentId());
        assertThat(got.getTimeline()).isEqualTo(expected.getTimeline());
        assertThat(got.getEntities()).isEqualTo(expected.getEntities());
        assertThat(got.getSignals()).isEqualTo(6);
      }
    }
  }

  @Test
  void aRoleChainIntoAnotherAccountIsOneIncidentAndItsPartsPublishedAloneAreMerged() throws Exception {
    List<EvidenceEvent> events = CrossAccountIncidentTest.story(true);
    Incident expected = CrossAccountIncidentTest.linked(IncidentEngine.incidentsOf(events, IncidentSettings.defaults()));
    Map<String, Incident> latest = run(events, Duration.ZERO);
    List<Incident> open = latest.values().stream().filter(i -> i.getStatus() == IncidentStatus.OPEN).toList();
    Incident got = CrossAccountIncidentTest.linked(open);
    assertThat(got.getIncidentId()).isEqualTo(expected.getIncidentId());
    assertThat(got.getTimeline()).isEqualTo(expected.getTimeline());
    assertThat(open).hasSize(3); // the linked one and account C's two
    // every other id that was published ends MERGED into the linked incident (directly or via its tenant's merge)
    for (Incident i : latest.values()) {
      if (i.getStatus() == IncidentStatus.MERGED) {
        String into = i.getMergedInto();
        while (latest.containsKey(into) && latest.get(into).getStatus() == IncidentStatus.MERGED) {
          into = latest.get(into).getMergedInto();
        }
        assertThat(into).isEqualTo(got.getIncidentId());
      }
    }
  }
}
