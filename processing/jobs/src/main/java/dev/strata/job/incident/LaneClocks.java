package dev.strata.job.incident;

import java.io.Serializable;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;

/**
 * Event time per source lane inside the keyed incident function (streaming runs): a lane is one source file of one
 * collection run of one tenant ({@link #lane}: {@code lineage.collector_run_id} and {@code lineage.origin}; events of
 * no known run are one lane), so a tenant's evidence streamed from two runs -- a replay of last week's bundle next to
 * today's agent -- or from an old file one agent run tails next to today's logs has two clocks, and each one's
 * incidents are sealed by its own event time ({@link IncidentEngine#flush(TenantStore, String, IncidentEngine.EventClock)}).
 * Before (session 12), one operator watermark for every tenant and run: interleaved with today's evidence, the replay's
 * incidents were sealed as they came (one incident per signal), and with the replay on a partition of its own (the
 * watermark the minimum of the partitions') today's incidents stayed open until the replay ended.
 *
 * <p>A lane's clock, as {@link ClockBoundedWatermarks} does for the operator: the highest event time of the lane that
 * is at most {@code maxAheadOfClock} after the wall clock (an event further ahead is kept but moves nothing), minus
 * {@code maxOutOfOrderness}. A lane that has sent nothing for {@code idleness} (wall clock) advances at the wall
 * clock's pace from then on: a replay that ended, a quiet node, still seals its last incidents (2 x window of wall
 * time later), and its state is bounded. A lane idle for longer than it takes to seal and drop all of its evidence
 * ({@code retention} + out-of-orderness + idleness) is forgotten; members of a forgotten lane (an incident it shared
 * with another lane) go by the newest lane's watermark. State per tenant: two longs per live lane.
 */
public final class LaneClocks implements Serializable {
  private static final long serialVersionUID = 1L;
  /** The lane key of events of no known collection run (a state map key cannot be null). */
  static final String NO_RUN = "";

  private final long outOfOrderness;
  private final long ahead;
  private final long idleness;
  private final long forget;
  private final ClockBoundedWatermarks.Clock clock;

  public LaneClocks(Duration maxOutOfOrderness, Duration maxAheadOfClock, Duration idleness, Duration retention,
      ClockBoundedWatermarks.Clock clock) {
    this.outOfOrderness = maxOutOfOrderness.toMillis();
    this.ahead = maxAheadOfClock.toMillis();
    this.idleness = idleness.toMillis();
    this.forget = retention.toMillis() + outOfOrderness + this.idleness;
    this.clock = clock;
  }

  /** With the system clock. */
  public static LaneClocks of(Duration maxOutOfOrderness, Duration maxAheadOfClock, Duration idleness,
      Duration retention) {
    return new LaneClocks(maxOutOfOrderness, maxAheadOfClock, idleness, retention, System::currentTimeMillis);
  }

  public long nowMillis() {
    return clock.nowMillis();
  }

  /**
   * The lane of evidence of collection run {@code run} read from source file {@code origin}: the run and the file
   * (its {@code lineage.origin}: a tailed log's path, an S3 object's key, a bundle's file), null for evidence of no
   * known run (one lane). A file is the unit whose event time moves forward (a log is appended in time order); a run
   * is not: one {@code strata agent} run tails a node's new logs next to an old one it found late, and with one clock
   * per run the new logs' time sealed the old file's incidents signal by signal and dropped its context as it came
   * (before session 13).
   */
  static String lane(String run, String origin) {
    if (run == null) return null;
    return origin == null || origin.isEmpty() ? run : run + '\u0000' + stream(origin);
  }

  /**
   * The stream an origin stands for: itself, except that a push to {@code strata receive} ({@code
   * http-push://<address>:<port>/v1/<source>}, HttpEvidenceReceiver) names its sender's ephemeral port, which changes
   * with every connection: one sender's pushes to one endpoint are one stream ({@code http-push://<address>/v1/...}),
   * else every connection would be a lane of its own.
   */
  static String stream(String origin) {
    if (!origin.startsWith(HTTP_PUSH)) return origin;
    int path = origin.indexOf('/', HTTP_PUSH.length());
    int end = path < 0 ? origin.length() : path;
    int port = origin.lastIndexOf(':', end - 1);
    if (port <= HTTP_PUSH.length() || port == end - 1) return origin;
    for (int i = port + 1; i < end; i++) if (!Character.isDigit(origin.charAt(i))) return origin;
    return origin.substring(0, port) + origin.substring(end);
  }

  private static final String HTTP_PUSH = "http-push://";

  /** The lane of an event ({@link #lane(String, String)} of its collection run and origin). */
  static String laneOf(dev.strata.schema.event.EvidenceEvent e) {
    return lane(Member.laneOf(e), e.getLineage() == null ? null : e.getLineage().getOrigin());
  }

  /** The state key of a member's lane. */
  static String key(String lane) {
    return lane == null ? NO_RUN : lane;
  }

  /** A new lane's state: {highest event time (none yet), last arrival (wall clock)}. */
  static long[] fresh(long now) {
    return new long[] {Long.MIN_VALUE, now};
  }

  /**
   * An event of the lane at {@code eventMillis} arrived at {@code now}: true when it moves the lane's clock, false
   * when it is more than {@code maxAheadOfClock} after the wall clock (kept, grouped, but it moves nothing).
   */
  boolean observe(long[] lane, long eventMillis, long now) {
    lane[1] = Math.max(lane[1], now);
    if (eventMillis > now + ahead) return false;
    lane[0] = Math.max(lane[0], eventMillis);
    return true;
  }

  /** The lane's watermark at {@code now} in epoch millis (Long.MIN_VALUE: no event time yet). */
  long watermarkMillis(long[] lane, long now) {
    if (lane[0] == Long.MIN_VALUE) return Long.MIN_VALUE;
    long quiet = now - lane[1] - idleness;
    return lane[0] - outOfOrderness + Math.max(0, quiet);
  }

  /** Whether the lane has been quiet long enough for all of its evidence to be sealed or dropped. */
  boolean forgotten(long[] lane, long now) {
    return now - lane[1] > forget;
  }

  /**
   * The engine's clock over {@code lanes} at {@code now} (forgotten lanes are removed from the map; an unknown lane
   * reads as the newest lane's watermark).
   */
  IncidentEngine.EventClock clock(Map<String, long[]> lanes, long now) {
    Map<String, Long> micros = new java.util.HashMap<>();
    long max = Long.MIN_VALUE;
    for (Iterator<Map.Entry<String, long[]>> it = lanes.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, long[]> e = it.next();
      if (forgotten(e.getValue(), now)) {
        it.remove();
        continue;
      }
      long wm = watermarkMillis(e.getValue(), now);
      long us = wm == Long.MIN_VALUE ? Long.MIN_VALUE : wm * 1000;
      micros.put(e.getKey(), us);
      max = Math.max(max, us);
    }
    long newest = max;
    boolean uniform = micros.size() <= 1;
    return new IncidentEngine.EventClock() {
      @Override
      public long watermarkMicros(String lane) {
        Long us = micros.get(key(lane));
        return us == null ? newest : us;
      }

      @Override
      public long maxWatermarkMicros() {
        return newest;
      }

      @Override
      public boolean uniform() {
        return uniform;
      }
    };
  }
}
