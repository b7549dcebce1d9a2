package dev.strata.sink;

import java.io.Serializable;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Bounded exponential backoff with "equal" jitter: retry {@code n} (1 = the first retry) waits a uniformly random
 * time in {@code [c/2, c]} where {@code c = min(maxDelay, initialDelay * 2^(n-1))}. Half of each wait is fixed, so
 * a run of failures always backs off for at least half the sum of the ceilings (an overloaded node gets time to
 * recover, e.g. a GC-bound circuit breaker); the random half spreads out the subtasks. After {@code maxAttempts}
 * attempts in all (the first try included) a transient failure becomes the job's failure.
 */
public record Backoff(int maxAttempts, Duration initialDelay, Duration maxDelay) implements Serializable {

  public static final Backoff DEFAULT = new Backoff(10, Duration.ofMillis(100), Duration.ofSeconds(30));

  public Backoff {
    Config.require(maxAttempts >= 1, "retry.max_attempts", "must be >= 1, was " + maxAttempts);
    Config.require(initialDelay != null && !initialDelay.isNegative() && !initialDelay.isZero(),
        "retry.initial_delay", "must be > 0, was " + initialDelay);
    Config.require(maxDelay != null && maxDelay.compareTo(initialDelay) >= 0,
        "retry.max_delay", "must be >= retry.initial_delay, was " + maxDelay);
  }

  /** True if a transient failure of attempt {@code attempt} (1 = first try) may be retried. */
  public boolean canRetry(int attempt) {
    return attempt < maxAttempts;
  }

  /** Delay before retry number {@code retry} (1 = first retry): uniform in [ceiling/2, ceiling]. */
  public long delayMillis(int retry) {
    long ceiling = ceilingMillis(retry);
    long half = ceiling / 2;
    return Math.max(1, half + ThreadLocalRandom.current().nextLong(ceiling - half + 1));
  }

  /** The upper bound of {@link #delayMillis(int)}. */
  public long ceilingMillis(int retry) {
    int shift = Math.min(Math.max(retry - 1, 0), 30);
    long initial = initialDelay.toMillis();
    long max = maxDelay.toMillis();
    long exp = initial > (max >> shift) ? max : initial << shift;
    return Math.min(max, Math.max(1, exp));
  }
}
