package dev.strata.job.incident;

import dev.strata.schema.event.EvidenceEvent;
import java.io.Serializable;
import java.time.Duration;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkGeneratorSupplier;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.metrics.Counter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The streaming incident job's event time: bounded out-of-orderness, but an event stamped more than {@code
 * maxAheadOfClock} after the wall clock does not move the watermark. Such an event is kept (it is grouped, joins and
 * opens incidents at its own time) and counted ({@code eventsAheadOfClock}, with a warning naming the first and then
 * every 1,000th, by event id and time); only the watermark ignores it. Without this, one event with a wrong clock (a
 * node set to 2099, a file's future modification time, a replayed bundle stamped ahead) moved the watermark past
 * every open incident, and each was sealed right after its next flush: what came after it opened new incidents
 * (IncidentEngineWatermarkTest, ClockBoundedWatermarksTest). Evidence days behind the clock (a bundle of last
 * week's files streamed today) is not affected: the bound is against the clock, not against other sources, so a
 * stream that mixes old and current evidence still has its watermark driven by the newest plausible event; since
 * session 12 the grouping seals incidents by event time per tenant and collection run instead ({@link LaneClocks}),
 * and this watermark only fires the end-of-input flush (bounded runs, {@code --bounded}, have no watermark at all).
 */
public final class ClockBoundedWatermarks implements WatermarkStrategy<EvidenceEvent> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(ClockBoundedWatermarks.class);

  /** The wall clock, in epoch milliseconds (a test gives a fixed one). */
  public interface Clock extends Serializable {
    long nowMillis();
  }

  private final long outOfOrdernessMillis;
  private final long aheadMillis;
  private final Clock clock;

  public ClockBoundedWatermarks(Duration maxOutOfOrderness, Duration maxAheadOfClock, Clock clock) {
    this.outOfOrdernessMillis = maxOutOfOrderness.toMillis();
    this.aheadMillis = maxAheadOfClock.toMillis();
    this.clock = clock;
  }

  /** With the system clock, idleness applied. */
  public static WatermarkStrategy<EvidenceEvent> of(Duration maxOutOfOrderness, Duration maxAheadOfClock,
      Duration idleness) {
    return new ClockBoundedWatermarks(maxOutOfOrderness, maxAheadOfClock, System::currentTimeMillis)
        .withTimestampAssigner((event, previous) -> event.getTime() == null ? previous : event.getTime().toEpochMilli())
        .withIdleness(idleness);
  }

  @Override
  public WatermarkGenerator<EvidenceEvent> createWatermarkGenerator(WatermarkGeneratorSupplier.Context context) {
    Counter ahead = context.getMetricGroup().counter("eventsAheadOfClock");
    return new Generator(outOfOrdernessMillis, aheadMillis, clock, ahead);
  }

  /** The generator: the highest timestamp at most {@code ahead} after the clock, minus the out-of-orderness. */
  static final class Generator implements WatermarkGenerator<EvidenceEvent> {
    private final long outOfOrderness;
    private final long ahead;
    private final Clock clock;
    private final Counter counter;
    private long max;
    private long skipped;

    Generator(long outOfOrderness, long ahead, Clock clock, Counter counter) {
      this.outOfOrderness = outOfOrderness;
      this.ahead = ahead;
      this.clock = clock;
      this.counter = counter;
      this.max = Long.MIN_VALUE + outOfOrderness + 1;
    }

    @Override
    public void onEvent(EvidenceEvent event, long timestamp, WatermarkOutput output) {
      if (timestamp > clock.nowMillis() + ahead) {
        if (skipped++ % 1000 == 0) {
          LOG.warn("event {} at {} is more than {} ahead of the clock: kept, but it does not move the incident job's "
                  + "watermark ({} such events)", event.getEventId(), java.time.Instant.ofEpochMilli(timestamp),
              Duration.ofMillis(ahead), skipped);
        }
        if (counter != null) counter.inc();
        return;
      }
      max = Math.max(max, timestamp);
    }

    @Override
    public void onPeriodicEmit(WatermarkOutput output) {
      output.emitWatermark(new Watermark(max - outOfOrderness - 1));
    }

    long skipped() {
      return skipped;
    }
  }
}
