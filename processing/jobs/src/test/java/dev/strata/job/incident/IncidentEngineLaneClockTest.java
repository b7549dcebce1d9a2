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

  /** The lane of run {@code run}'s alerts (one file each here: {@link IncidentGrouperTest#base}'s origin). */
  static String lane(String run) {
    return LaneClocks.lane(run, "evidence/falco_alert");
  }

  final IncidentEngine engine = new IncidentEngine(IncidentSettings.defaults());
  final InMemoryTenantStore store = new InMemoryTenantStore();
  final Map<String, long[]> lanes = new HashMap<>();
  final Map<String, Incident> latest = new HashMap<>();
  long now = TODAY.plus(Duration.ofHours(6)).toEpochMilli();
  final LaneClocks clocks = new LaneClocks(Duration.ofMinutes(5), Duration.ofMinutes(15), Duration.ofSeconds(30),
      Duration.ofHours(6), () -> now);

  void accept(EvidenceEvent e) throws Exception {
    long[] lane = lanes.computeIfAbsent(LaneClocks.key(LaneClocks.laneOf(e)), k -> LaneClocks.fresh(now));
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
    assertThat(clock.watermarkMicros(lane("replay"))).isLessThan(clock.watermarkMicros(lane("today")));
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
    long todays = clocks.clock(lanes, now).watermarkMicros(lane("today"));
    flush(IncidentEngine.EventClock.uniform(todays));
    assertThat(store.member("r1")).isNull();
    accept(alert("r3", LAST_WEEK.plusSeconds(1200), "replay", "web-1"));
    flush(IncidentEngine.EventClock.uniform(todays));
    assertThat(openSignals()).containsExactlyInAnyOrder(2, 2, 1, 1);
  }

  @Test
  void aWatermarkHeldBackByTheReplayKeptTodaysIncidentOpen() throws Exception {
    twoRuns();
    flush(IncidentEngine.EventClock.uniform(clocks.clock(lanes, now).watermarkMicros(lane("replay"))));
    assertThat(store.member("t1")).isNotNull();
  }

  /**
   * One long {@code strata agent} run tails today's container log and, found late (a node's old rotated log, a
   * volume mounted later), last week's: each tailed file is its own lane. With one clock per run, today's file moved
   * it and last week's alerts were sealed one by one as they came (two incidents of one signal, the third alert a
   * third); per file, last week's file keeps its own clock and its alerts are one incident.
   */
  @Test
  void oneAgentRunTailingAnOldFileNextToTodaysKeepsAClockPerFile() throws Exception {
    String today = "var/log/pods/shop_web-1_u1/web/0.log";
    String old = "var/log/pods/shop_web-1_u0/web/0.log.20261117-060000";
    List<EvidenceEvent> events = List.of(
        agentAlert("t1", TODAY, today),
        agentAlert("o1", LAST_WEEK, old),
        agentAlert("t2", TODAY.plusSeconds(600), today),
        agentAlert("o2", LAST_WEEK.plusSeconds(600), old),
        agentAlert("o3", LAST_WEEK.plusSeconds(1200), old));
    for (EvidenceEvent e : events) {
      accept(e);
      flush(clocks.clock(lanes, now));
    }
    assertThat(lanes).hasSize(2);
    assertThat(openSignals()).containsExactlyInAnyOrder(2, 3);

    // the same run with one lane for both files (session 12): last week's alerts sealed as they came
    IncidentEngine perRun = new IncidentEngine(IncidentSettings.defaults());
    InMemoryTenantStore runStore = new InMemoryTenantStore();
    long[] runLane = LaneClocks.fresh(now);
    Map<String, Incident> runLatest = new HashMap<>();
    for (EvidenceEvent e : events) {
      clocks.observe(runLane, e.getTime().toEpochMilli(), now);
      perRun.accept(runStore, e);
      long wm = clocks.clock(new HashMap<>(Map.of("agent-run", runLane)), now).maxWatermarkMicros();
      for (Incident i : perRun.flush(runStore, TENANT, IncidentEngine.EventClock.uniform(wm))) {
        runLatest.put(i.getIncidentId(), i);
      }
    }
    assertThat(runLatest.values()).extracting(Incident::getSignals).containsExactlyInAnyOrder(2, 1, 1, 1);
  }

  /** A sender's pushes to strata receive are one stream whatever ephemeral port each connection came from. */
  @Test
  void onePushingSendersConnectionsAreOneLane() {
    assertThat(LaneClocks.lane("r", "http-push://10.0.4.7:51234/v1/falco"))
        .isEqualTo(LaneClocks.lane("r", "http-push://10.0.4.7:40001/v1/falco"))
        .isEqualTo("r\u0000http-push://10.0.4.7/v1/falco")
        .isNotEqualTo(LaneClocks.lane("r", "http-push://10.0.4.8:51234/v1/falco"))
        .isNotEqualTo(LaneClocks.lane("r", "http-push://10.0.4.7:51234/v1/tetragon"));
    assertThat(LaneClocks.lane("r", "http-push://2001:db8:0:0:0:0:0:7:51234/v1/falco"))
        .isEqualTo("r\u0000http-push://2001:db8:0:0:0:0:0:7/v1/falco");
    assertThat(LaneClocks.lane("r", "var/log/pods/a_b_c/d/0.log")).isEqualTo("r\u0000var/log/pods/a_b_c/d/0.log");
    assertThat(LaneClocks.lane(null, "var/log/x.log")).isNull();
  }

  /** An alert of the web pod read by one agent run ({@code agent-run}) from the file {@code origin}. */
  static EvidenceEvent agentAlert(String id, Instant t, String origin) {
    EvidenceEvent e = alert(id, t, "agent-run", "web-1");
    e.getLineage().setOrigin(origin);
    return e;
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
    Map<String, long[]> lanes = new HashMap<>(Map.of(lane("replay"), lane));
    clocks.clock(lanes, now + Duration.ofHours(6).plusMinutes(6).toMillis());
    assertThat(lanes).isEmpty();
  }
}
