package dev.strata.job.incident;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.schema.correlate.Incident;
import dev.strata.schema.correlate.IncidentStatus;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.event.Lineage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Event time per collection run ({@link LaneClocks}) in the engine: a replay of last week's evidence (run "replay")
 * next to today's (run "today") in one tenant. One shared watermark (today's) seals the replay's incident as it
 * comes, and a watermark held back by the replay (the minimum of Kafka partitions) keeps today's open; per-run
 * clocks seal each by its own run. Synthetic alerts written for this test.
 */
class IncidentEngineLaneClockTest {
  static final Instant TODAY = Instant.parse("2026-11-24T06:00:00Z");
  static final Instant LAST_WEEK = TODAY.minus(Duration.ofDays(7));
  static final String TENANT = "aws:111122223333";

  static EvidenceEvent alert(String id, Instant t, String run, String pod) {
    EvidenceEvent e = IncidentGrouperTest.falco(id, t, "ip-10-0-1-23",
        pod.equals("web-1") ? "aaaaaaaaaaaa0001" : "bbbbbbbbbbbb0002", pod);
    Lineage l = e.getLineage();
    l.setCollectorRunId(run);
    return e;
  }

  final IncidentEngine engine = new IncidentEngine(IncidentSettings.defaults());
  final InMemoryTenantStore store = new InMemoryTenantStore();
  final Map<String, long[]> lanes = new HashMap<>();
  final Map<String, Incident> latest = new HashMap<>();
  long now = TODAY.plus(Duration.ofHours(6)).toEpochMilli();
  final LaneClocks clocks = new LaneClocks(Duration.ofMinutes(5), Duration.ofMinutes(15), Duration.ofSeconds(30),
      Duration.ofHours(6), () -> now);

  void accept(EvidenceEvent e) throws Exception {
    long[] lane = lanes.computeIfAbsent(LaneClocks.key(Member.laneOf(e)), k -> LaneClocks.fresh(now));
    clocks.observe(lane, e.getTime().toEpochMilli(), now);
    engine.accept(store, e);
  }

  void flush(IncidentEngine.EventClock clock) throws Exception {
    for (Incident i : engine.flush(store, TENANT, clock)) latest.put(i.getIncidentId(), i);
  }

  List<Integer> openSignals() {
    List<Integer> out = new ArrayList<>();
    for (Incident i : latest.values()) if (i.getStatus() == IncidentStatus.OPEN) out.add(i.getSignals());
    return out;
  }

  /** Today's incident (2 signals at 06:00) and last week's (2 signals), then today's run moves 5 h on. */
  void twoRuns() throws Exception {
    accept(alert("t1", TODAY, "today", "web-1"));
    accept(alert("r1", LAST_WEEK, "replay", "web-1"));
    accept(alert("t2", TODAY.plusSeconds(600), "today", "web-1"));
    accept(alert("r2", LAST_WEEK.plusSeconds(600), "replay", "web-1"));
    accept(alert("t3", TODAY.plus(Duration.ofHours(5)), "today", "api-2"));
  }

  @Test
  void eachRunsIncidentsAreSealedByItsOwnEventTime() throws Exception {
    twoRuns();
    IncidentEngine.EventClock clock = clocks.clock(lanes, now);
    assertThat(clock.uniform()).isFalse();
    assertThat(clock.watermarkMicros("replay")).isLessThan(clock.watermarkMicros("today"));
    flush(clock);
    // today's 06:00 incident is 2 x window behind today's clock: sealed, though the replay's clock is a week behind
    assertThat(store.member("t1")).isNull();
    // last week's is behind today's clock too, but not behind its own run's: still open, and the replay's next
    // alert joins it
    assertThat(store.member("r1")).isNotNull();
    accept(alert("r3", LAST_WEEK.plusSeconds(1200), "replay", "web-1"));
    flush(clocks.clock(lanes, now));
    assertThat(openSignals()).containsExactlyInAnyOrder(2, 3, 1);
  }

  @Test
  void oneSharedWatermarkSealedTheReplayAndOneHeldBackKeptTodayOpen() throws Exception {
    twoRuns();
    // what it was with today's watermark for all: last week's incident sealed, the replay's next alert opens another
    long todays = clocks.clock(lanes, now).watermarkMicros("today");
    flush(IncidentEngine.EventClock.uniform(todays));
    assertThat(store.member("r1")).isNull();
    accept(alert("r3", LAST_WEEK.plusSeconds(1200), "replay", "web-1"));
    flush(IncidentEngine.EventClock.uniform(todays));
    assertThat(openSignals()).containsExactlyInAnyOrder(2, 2, 1, 1);
  }

  @Test
  void aWatermarkHeldBackByTheReplayKeptTodaysIncidentOpen() throws Exception {
    twoRuns();
    flush(IncidentEngine.EventClock.uniform(clocks.clock(lanes, now).watermarkMicros("replay")));
    assertThat(store.member("t1")).isNotNull();
  }

  @Test
  void aQuietRunsClockFollowsTheWallClockAndIsForgotten() {
    long[] lane = LaneClocks.fresh(now);
    long event = now - Duration.ofDays(7).toMillis();
    clocks.observe(lane, event, now);
    assertThat(clocks.watermarkMillis(lane, now)).isEqualTo(event - 300_000);
    // an event more than 15 min after the wall clock moves nothing
    assertThat(clocks.observe(lane, now + 3_600_000, now)).isFalse();
    assertThat(clocks.watermarkMillis(lane, now)).isEqualTo(event - 300_000);
    // quiet for 30 s + 1 h: an hour on
    long later = now + 30_000 + 3_600_000;
    assertThat(clocks.watermarkMillis(lane, later)).isEqualTo(event - 300_000 + 3_600_000);
    Map<String, long[]> lanes = new HashMap<>(Map.of("replay", lane));
    clocks.clock(lanes, now + Duration.ofHours(6).plusMinutes(6).toMillis());
    assertThat(lanes).isEmpty();
  }
}
