package dev.strata.job.incident;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.job.serde.StrataTypes;
import dev.strata.job.testing.CollectSink;
import dev.strata.schema.correlate.Incident;
import dev.strata.schema.correlate.IncidentStatus;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.event.Lineage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import dev.strata.job.TestMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A streaming incident run (watermarks on, a flush after every event) where a replay of the demo bundle stamped a
 * week earlier (its own collection run) is interleaved with today's demo evidence (another run), one tenant. With the
 * operator's one watermark ({@link ClockBoundedWatermarks}, the wall clock fixed an hour after today's evidence) the
 * replay's incident is sealed signal by signal as it comes and the linker drops each piece (nothing of the replay is
 * published); with event time per collection run ({@link LaneClocks})
 * today's incident and the replay's are each whole: six signals each.
 */
class LaneClocksStreamingTest {
  @RegisterExtension
  static final MiniClusterExtension FLINK =
      TestMiniCluster.extension(1);

  static EvidenceEvent inRun(EvidenceEvent e, String id, Duration shift, String run) {
    EvidenceEvent copy = EvidenceEvent.newBuilder(e).setEventId(id).setTime(e.getTime().minus(shift)).build();
    copy.setLineage(Lineage.newBuilder(e.getLineage()).setCollectorRunId(run).build());
    return copy;
  }

  /** Today's demo evidence and last week's replay of it, alternating. */
  static List<EvidenceEvent> interleaved() throws Exception {
    List<EvidenceEvent> demo = DemoEvents.parse();
    List<EvidenceEvent> order = new ArrayList<>();
    for (EvidenceEvent e : demo) {
      order.add(inRun(e, e.getEventId(), Duration.ZERO, "run-today"));
      order.add(inRun(e, "r" + e.getEventId().substring(1), Duration.ofDays(7), "run-replay"));
    }
    return order;
  }

  /**
   * The open incidents (newest revision per id) of a streaming run over {@code events}, which arrive a few
   * milliseconds apart as a stream's do (the watermark moves between them); {@code laneClocks} null: the operator's
   * one watermark seals.
   */
  static List<Incident> openIncidents(List<EvidenceEvent> events, WatermarkStrategy<EvidenceEvent> watermarks,
      LaneClocks laneClocks) throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(1);
    env.getConfig().setAutoWatermarkInterval(2);
    CollectSink<Incident> out = new CollectSink<>();
    IncidentJob.build(env.fromData(events, StrataTypes.EVIDENCE_EVENT).map(e -> {
          Thread.sleep(25);
          return e;
        }, StrataTypes.EVIDENCE_EVENT), watermarks, IncidentSettings.defaults(), Duration.ZERO, out,
        IncidentJob.Outputs.none(), laneClocks);
    env.execute("lane-clocks");
    Map<String, Incident> latest = new TreeMap<>();
    List<Incident> all = new ArrayList<>();
    out.collected().forEach(c -> all.add(c.value()));
    all.sort(Comparator.comparing(Incident::getRevision));
    for (Incident i : all) latest.put(i.getIncidentId(), i);
    return latest.values().stream().filter(i -> i.getStatus() == IncidentStatus.OPEN).toList();
  }

  @Test
  void aReplayOfLastWeekNextToTodaysEvidenceIsWholeAndSoIsToday() throws Exception {
    List<EvidenceEvent> events = interleaved();
    long todayEnd = events.stream().mapToLong(e -> e.getTime().toEpochMilli()).max().orElseThrow();
    ClockBoundedWatermarks.Clock clock = () -> todayEnd + 3_600_000L;
    WatermarkStrategy<EvidenceEvent> shared = new ClockBoundedWatermarks(Duration.ofMinutes(5), Duration.ofMinutes(15),
        clock).withTimestampAssigner((e, previous) -> e.getTime().toEpochMilli());
    long todayStart = events.stream().filter(e -> !e.getEventId().startsWith("r"))
        .mapToLong(e -> e.getTime().toEpochMilli()).min().orElseThrow();
    java.util.function.Predicate<Incident> replay = i -> i.getFirstSeen().toEpochMilli() < todayStart;

    // what it was: today's watermark sealed the replay's incident after each of its signals, and the cross-tenant
    // linker, whose horizon is that watermark too, dropped each of them before publishing it: none came out
    List<Incident> before = openIncidents(events, shared, null);
    assertThat(before).filteredOn(replay.negate())
        .extracting(Incident::getSignals).containsExactly(6);
    assertThat(before).filteredOn(replay).isEmpty();

    LaneClocks lanes = new LaneClocks(Duration.ofMinutes(5), Duration.ofMinutes(15), Duration.ofSeconds(30),
        IncidentSettings.defaults().retention(), clock);
    List<Incident> open = openIncidents(events, shared, lanes);
    assertThat(open).extracting(Incident::getSignals).containsExactly(6, 6);
    assertThat(open).extracting(replay::test).containsExactlyInAnyOrder(true, false);
  }
}
