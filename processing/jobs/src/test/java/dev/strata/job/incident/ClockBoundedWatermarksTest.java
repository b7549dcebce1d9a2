package dev.strata.job.incident;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.job.ParseJob;
import dev.strata.schema.correlate.Incident;
import dev.strata.schema.event.EvidenceEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import dev.strata.job.TestMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A streaming incident run (watermarks on, a flush after every event) over the demo bundle's events, the first of
 * them a copy stamped 2099 (a node with a wrong clock): with the plain bounded out-of-orderness watermark it seals
 * every incident behind it as it comes, and the demo's incident never comes out; with {@link ClockBoundedWatermarks}
 * (the wall clock here fixed an hour after the demo) the 2099 event is kept, is an incident of its own, and the demo
 * is its one incident of six signals.
 */
class ClockBoundedWatermarksTest {
  @RegisterExtension
  static final MiniClusterExtension FLINK =
      TestMiniCluster.extension(1);

  static List<EvidenceEvent> withA2099EventFirst() throws Exception {
    List<EvidenceEvent> events = DemoEvents.parse();
    EvidenceEvent wrongClock = EvidenceEvent.newBuilder(events.get(0)).setEventId("f".repeat(64))
        .setTime(Instant.parse("2099-01-01T00:00:00Z")).build();
    List<EvidenceEvent> order = new ArrayList<>();
    order.add(wrongClock);
    order.addAll(events);
    return order;
  }

  /** The open incidents of a streaming run over {@code events}, a few milliseconds apart, under {@code watermarks}. */
  static List<Incident> openIncidents(List<EvidenceEvent> events, WatermarkStrategy<EvidenceEvent> watermarks)
      throws Exception {
    return LaneClocksStreamingTest.openIncidents(events, watermarks, null);
  }

  @Test
  void anEventFromTheFutureNoLongerSealsTheIncidentsBehindIt() throws Exception {
    List<EvidenceEvent> events = withA2099EventFirst();
    long demoEnd = events.stream().skip(1).mapToLong(e -> e.getTime().toEpochMilli()).max().orElseThrow();
    // what it was: the plain watermark jumps to 2099, and everything behind it is sealed as it comes (and left
    // behind by the cross-tenant linker): the demo's incident never comes out
    assertThat(openIncidents(events, ParseJob.watermarks(Duration.ofMinutes(5), Duration.ofSeconds(30))))
        .extracting(Incident::getSignals).containsExactly(1);
    ClockBoundedWatermarks.Clock clock = () -> demoEnd + 3_600_000L;
    WatermarkStrategy<EvidenceEvent> bounded = new ClockBoundedWatermarks(Duration.ofMinutes(5), Duration.ofMinutes(15),
        clock).withTimestampAssigner((e, previous) -> e.getTime().toEpochMilli());
    List<Incident> open = openIncidents(events, bounded);
    assertThat(open).extracting(Incident::getSignals).containsExactlyInAnyOrder(6, 1);
    assertThat(open).filteredOn(i -> i.getSignals() == 1).singleElement()
        .satisfies(i -> assertThat(i.getFirstSeen().toString()).startsWith("2099-01-01"));
  }

  @Test
  void theWatermarkIgnoresOnlyWhatIsAheadOfTheClock() {
    long now = Instant.parse("2026-11-22T12:00:00Z").toEpochMilli();
    ClockBoundedWatermarks.Generator g = new ClockBoundedWatermarks.Generator(60_000, 900_000, () -> now, null);
    List<Long> emitted = new ArrayList<>();
    WatermarkOutput out = new WatermarkOutput() {
      @Override public void emitWatermark(Watermark w) { emitted.add(w.getTimestamp()); }
      @Override public void markIdle() {}
      @Override public void markActive() {}
    };
    EvidenceEvent e = new EvidenceEvent();
    e.setEventId("e1");
    g.onEvent(e, now - 3_600_000, out);
    g.onEvent(e, now + 600_000, out); // 10 min ahead: a clock within the bound moves it
    g.onEvent(e, Instant.parse("2099-01-01T00:00:00Z").toEpochMilli(), out);
    g.onEvent(e, now + 901_000, out); // just past the bound
    g.onPeriodicEmit(out);
    assertThat(emitted).containsExactly(now + 600_000 - 60_000 - 1);
    assertThat(g.skipped()).isEqualTo(2);
  }
}
