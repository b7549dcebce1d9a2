package dev.strata.correlate;

import java.io.Serializable;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * How late evidence of each source may arrive behind the event-time watermark, and so how long the correlation job
 * keeps (a) events and their probes waiting for bindings that may still come, and (b) closed binding intervals for
 * events that may still come. Both use {@link #retention()}, the largest bound: a binding of any source can cover an
 * event of any source.
 *
 * <p>Defaults (streaming): {@code aws_vpc_flow} 20 min (VPC Flow Logs publish every 1-10 min, S3 delivery adds
 * ~5 min), {@code aws_cloudtrail} 30 min (CloudTrail delivers within ~15 min, digest and lookups later), {@code
 * aws_ecs_task_metadata} 10 min, {@code k8s_audit} 5 min (webhook/file batches, CloudWatch export lag), sensors ({@code
 * falco_alert}, {@code tetragon_event}) 2 min, anything else 10 min. Offline bundles arrive days late: run those in
 * bounded mode, where the bound is the whole run ({@link #unbounded()}: nothing is dropped before the input ends).
 */
public final class LatenessBounds implements Serializable {
  private static final long serialVersionUID = 1L;

  public static final Map<String, Duration> DEFAULTS =
      Collections.unmodifiableMap(
          new TreeMap<>(
              Map.of(
                  "aws_vpc_flow", Duration.ofMinutes(20),
                  "aws_cloudtrail", Duration.ofMinutes(30),
                  "aws_ecs_task_metadata", Duration.ofMinutes(10),
                  "k8s_audit", Duration.ofMinutes(5),
                  "falco_alert", Duration.ofMinutes(2),
                  "tetragon_event", Duration.ofMinutes(2))));
  public static final Duration DEFAULT = Duration.ofMinutes(10);

  private final Map<String, Duration> perSource;
  private final Duration fallback;
  private final boolean unbounded;

  public LatenessBounds(Map<String, Duration> perSource, Duration fallback) {
    this(perSource, fallback, false);
  }

  private LatenessBounds(Map<String, Duration> perSource, Duration fallback, boolean unbounded) {
    this.perSource = new TreeMap<>(perSource);
    this.fallback = fallback;
    this.unbounded = unbounded;
  }

  public static LatenessBounds defaults() {
    return new LatenessBounds(DEFAULTS, DEFAULT);
  }

  /** Bounded runs: keep everything until the input ends. */
  public static LatenessBounds unbounded() {
    return new LatenessBounds(DEFAULTS, DEFAULT, true);
  }

  public boolean isUnbounded() {
    return unbounded;
  }

  public Duration of(String sourceFormat) {
    return perSource.getOrDefault(sourceFormat, fallback);
  }

  /** The largest bound (milliseconds), or Long.MAX_VALUE when unbounded. */
  public long retentionMillis() {
    if (unbounded) return Long.MAX_VALUE;
    long max = fallback.toMillis();
    for (Duration d : perSource.values()) max = Math.max(max, d.toMillis());
    return max;
  }

  public Duration retention() {
    return unbounded ? null : Duration.ofMillis(retentionMillis());
  }

  public Map<String, Duration> perSource() {
    return Collections.unmodifiableMap(perSource);
  }

  @Override
  public String toString() {
    return unbounded ? "unbounded (whole run)" : perSource + ", others " + fallback;
  }
}
