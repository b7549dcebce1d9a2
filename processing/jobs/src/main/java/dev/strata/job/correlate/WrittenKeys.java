package dev.strata.job.correlate;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.function.LongSupplier;

/**
 * Which keys one subtask may have written into keyed state that is kept for {@code retentionMs} after its last write
 * ({@link Retention}: processing time), so that a lookup of a key it never wrote can skip the state read: the final
 * join's first message of an event reads its state only to find an earlier result or an emitted event (a replay),
 * and for a new event that read is a RocksDB miss (a fifth of {@code enrich}'s time, docs/benchmarks.md session 9).
 *
 * <p>A bloom filter per generation of {@link #CAPACITY} writes (no false negatives: {@link #mayHave} is false only
 * for a key never {@link #add added}); a generation whose last write is older than the retention is dropped (every
 * key it holds has expired from the state). What a restored state holds is not known: after {@link #restored} every
 * key may have been written until the retention has passed (keys written before the restore have expired by then;
 * never, with unbounded retention), and the filter holds what is written from then on. Beyond {@link
 * #MAX_GENERATIONS} live generations (unbounded retention and a long run) the last one fills beyond its capacity
 * (more false positives: more reads, never a missed one). Call {@link #add} after the state write it records. Heap:
 * {@link #BITS} / 8 bytes per generation (1 MiB per million writes, 64 MiB at most).
 */
final class WrittenKeys {
  static final int CAPACITY = 1 << 20;
  static final int BITS = 1 << 23; // ~8 bits per key: ~2 % false positives with 4 probes at capacity
  static final int MAX_GENERATIONS = 64;
  private static final int PROBES = 4;
  /** Kept this long beyond the retention (clock steps; the state's TTL stamps its write a moment before {@link #add}). */
  static final long EXPIRY_MARGIN_MS = 60_000;

  private final long retentionMs;
  private final LongSupplier clock;
  private final int capacity;
  private final int maxGenerations;
  private final ArrayDeque<Generation> generations = new ArrayDeque<>();
  private long unknownUntil = Long.MIN_VALUE;

  WrittenKeys(long retentionMs, LongSupplier clock) {
    this(retentionMs, clock, CAPACITY, MAX_GENERATIONS);
  }

  WrittenKeys(long retentionMs, LongSupplier clock, int capacity, int maxGenerations) {
    this.retentionMs = retentionMs;
    this.clock = clock;
    this.capacity = capacity;
    this.maxGenerations = maxGenerations;
  }

  /** The state was restored: its keys are unknown until they have expired. */
  void restored() {
    unknownUntil = retentionMs == Long.MAX_VALUE ? Long.MAX_VALUE : clock.getAsLong() + retentionMs;
  }

  /** Records a write of {@code key}. */
  void add(String key) {
    long now = clock.getAsLong();
    Generation g = generations.peekLast();
    if (g == null || g.count >= capacity) {
      dropExpired(now);
      if (g == null || generations.size() < maxGenerations) {
        g = new Generation();
        generations.addLast(g);
      } // else the last one fills beyond its capacity: more false positives, never a false negative
    }
    long h = mix(key.hashCode());
    int h1 = (int) h;
    int h2 = (int) (h >>> 32);
    for (int i = 0; i < PROBES; i++) {
      int bit = (h1 + i * h2) & (BITS - 1);
      g.bits[bit >>> 6] |= 1L << bit;
    }
    g.count++;
    g.lastWrite = now;
  }

  /** Whether {@code key} may have been written (false: it certainly was not, its state is empty). */
  boolean mayHave(String key) {
    if (unknownUntil != Long.MIN_VALUE) {
      if (clock.getAsLong() < unknownUntil) return true;
      unknownUntil = Long.MIN_VALUE;
    }
    long h = mix(key.hashCode());
    int h1 = (int) h;
    int h2 = (int) (h >>> 32);
    for (Generation g : generations) {
      if (g.has(h1, h2)) return true;
    }
    return false;
  }

  private void dropExpired(long now) {
    if (retentionMs == Long.MAX_VALUE) return;
    for (Iterator<Generation> it = generations.iterator(); it.hasNext(); ) {
      Generation g = it.next();
      if (g != generations.peekLast() && g.lastWrite + retentionMs + EXPIRY_MARGIN_MS < now) it.remove();
    }
  }

  /** Live generations (for tests). */
  int generations() {
    return generations.size();
  }

  /** A 64-bit finalizer (murmur3's fmix64) over the key's hash: two independent 32-bit probe hashes. */
  private static long mix(long h) {
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb34fe63b9a53L;
    h ^= h >>> 33;
    return h;
  }

  private static final class Generation {
    final long[] bits = new long[BITS >>> 6];
    int count;
    long lastWrite;

    boolean has(int h1, int h2) {
      for (int i = 0; i < PROBES; i++) {
        int bit = (h1 + i * h2) & (BITS - 1);
        if ((bits[bit >>> 6] & (1L << bit)) == 0) return false;
      }
      return true;
    }
  }
}
