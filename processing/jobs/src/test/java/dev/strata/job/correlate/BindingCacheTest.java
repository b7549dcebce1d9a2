package dev.strata.job.correlate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The bindings cache alone: what it answers is what was last filled or written, or nothing; it stays within its
 * bytes, evicting; with a TTL an entry stops answering when the state's would have expired. Values are made up
 * (the cache does not read them).
 */
class BindingCacheTest {
  private static final long NO_TTL = Long.MAX_VALUE;

  private static byte[] value(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void aFilledKeyIsAnswered_aWriteReplacesIt_aKeyWithNoStateIsCachedAsAbsent() {
    BindingCache c = new BindingCache(1 << 20, NO_TTL, () -> 0);
    assertThat(c.get("ip||10.0.0.1")).isNull();
    c.fill("ip||10.0.0.1", value("pod-a"));
    c.fill("ip||10.0.0.2", null);
    assertThat(c.get("ip||10.0.0.1")).isEqualTo(value("pod-a"));
    assertThat(c.get("ip||10.0.0.2")).isSameAs(BindingCache.ABSENT);
    c.update("ip||10.0.0.1", value("pod-a then pod-b"));
    c.update("ip||10.0.0.2", value("pod-c"));
    assertThat(c.get("ip||10.0.0.1")).isEqualTo(value("pod-a then pod-b"));
    assertThat(c.get("ip||10.0.0.2")).isEqualTo(value("pod-c"));
    c.update("ip||10.0.0.2", null); // cleared (every entry pruned)
    assertThat(c.get("ip||10.0.0.2")).isSameAs(BindingCache.ABSENT);
    c.update("ip||10.0.0.3", value("pod-d"));
    assertThat(c.get("ip||10.0.0.3")).as("a write of a key not cached does not cache it").isNull();
    c.invalidate("ip||10.0.0.1");
    assertThat(c.get("ip||10.0.0.1")).isNull();
    assertThat(c.entries()).isEqualTo(1);
    assertThat(c.hits()).isEqualTo(5);
  }

  @Test
  void withATtlAnEntryStopsAnsweringWhenTheStatesWouldHaveExpired_andReadsDoNotFill() {
    AtomicLong now = new AtomicLong(1_000_000);
    BindingCache c = new BindingCache(1 << 20, 60_000, now::get);
    c.fill("k", value("read at some unknown time after its write"));
    assertThat(c.get("k")).as("when a read's state was written is unknown: not cached").isNull();
    c.update("k", value("v1"));
    now.addAndGet(59_999);
    assertThat(c.get("k")).isEqualTo(value("v1"));
    c.update("k", value("v2")); // a write restarts the TTL, as OnCreateAndWrite does
    now.addAndGet(59_999);
    assertThat(c.get("k")).isEqualTo(value("v2"));
    now.addAndGet(1);
    assertThat(c.get("k")).as("expired with the state").isNull();
    assertThat(c.entries()).isZero();
  }

  @Test
  void itStaysWithinItsBytesEvictingTheOldest_andAnEntryReadSinceItsWriteGetsASecondChance() {
    long capacity = 256 << 10;
    BindingCache c = new BindingCache(capacity, NO_TTL, () -> 0);
    byte[] v = new byte[200];
    c.fill("hot", v);
    int n = 20_000; // ~4.5 MB of entries through a 256 KB cache
    for (int i = 0; i < n; i++) {
      c.fill("key-" + i, v);
      assertThat(c.get("hot")).as("read after each write: never evicted").isEqualTo(v);
      assertThat(c.heldBytes()).isLessThanOrEqualTo(capacity);
    }
    assertThat(c.evicted()).isGreaterThan(n * 9L / 10);
    assertThat(c.get("key-" + (n - 1))).as("the newest").isEqualTo(v);
    assertThat(c.get("key-0")).as("the oldest, never read").isNull();
    // header 20 + key + 200, 8-aligned: 232 for "key-i", 224 for "hot"
    assertThat(c.liveBytes()).isLessThanOrEqualTo(capacity).isEqualTo((c.entries() - 1) * 232L + 224);
  }

  @Test
  void itsBytesAreAllocatedOnceWhenMade_andNeverReplacedAsItFillsAndEvicts() {
    long capacity = 8 << 20;
    BindingCache c = new BindingCache(capacity, NO_TTL, () -> 0);
    long held = c.heldBytes();
    assertThat(held).as("segments and index, all of them, at creation").isLessThanOrEqualTo(capacity)
        .isGreaterThan(capacity * 9 / 10);
    byte[] v = new byte[100];
    for (int i = 0; i < 200_000; i++) c.fill("ip||10." + i, v); // ~26 MB of entries: fills, then evicts
    assertThat(c.evicted()).isPositive();
    assertThat(c.heldBytes()).isEqualTo(held);
  }

  @Test
  void keysOfTheSameHashAreToldApartByTheirBytes() {
    BindingCache c = new BindingCache(1 << 20, NO_TTL, () -> 0);
    assertThat("Aa".hashCode()).isEqualTo("BB".hashCode());
    c.fill("Aa", value("a"));
    assertThat(c.get("BB")).as("same hash, other key").isNull();
    c.fill("BB", value("b"));
    assertThat(c.get("Aa")).isEqualTo(value("a"));
    assertThat(c.get("BB")).isEqualTo(value("b"));
    c.invalidate("Aa");
    assertThat(c.get("Aa")).isNull();
    assertThat(c.get("BB")).isEqualTo(value("b"));
  }

  @Test
  void aValueTooLargeToCacheReplacesNothing() {
    BindingCache c = new BindingCache(64 << 10, NO_TTL, () -> 0);
    c.fill("k", value("small"));
    c.update("k", new byte[8 << 10]); // over a quarter of a segment
    assertThat(c.get("k")).as("not the stale small value").isNull();
  }

  @Test
  void underRandomFillsWritesAndEvictionsItNeverAnswersAnythingButTheLatestValue() {
    BindingCache c = new BindingCache(96 << 10, NO_TTL, () -> 0);
    assertThat(randomMix(c, new Random(42))).isGreaterThan(10_000);
    assertThat(c.evicted()).isGreaterThan(10_000);
  }

  @Test
  void underRandomWritesThroughFillsAndEvictionsItNeverAnswersAnythingButTheLatestValue() {
    BindingCache c = new BindingCache(96 << 10, NO_TTL, () -> 0, true);
    assertThat(randomMix(c, new Random(7))).isGreaterThan(30_000);
    assertThat(c.evicted()).isGreaterThan(10_000);
  }

  /** Probes' reads, bindings' writes and invalidations at random against a map of the truth; the hits. */
  private static int randomMix(BindingCache c, Random rnd) {
    Map<String, byte[]> state = new HashMap<>(); // the truth: what the state holds
    int hits = 0;
    for (int op = 0; op < 300_000; op++) {
      String key = "ip||10.0." + rnd.nextInt(8) + "." + rnd.nextInt(250);
      int what = rnd.nextInt(10);
      if (what < 6) { // a probe's read
        byte[] got = c.get(key);
        if (got == null) {
          c.fill(key, state.get(key));
        } else {
          hits++;
          assertThat(got == BindingCache.ABSENT ? null : got).as(key).isEqualTo(state.get(key));
        }
      } else if (what < 9) { // a binding's write
        byte[] v = rnd.nextInt(8) == 0 ? null : new byte[rnd.nextInt(300)];
        if (v != null) rnd.nextBytes(v);
        if (v == null) state.remove(key);
        else state.put(key, v);
        c.update(key, v);
      } else {
        c.invalidate(key);
      }
    }
    return hits;
  }

  @Test
  void aWriteThroughCacheCachesEveryWrite_aClearedKeyAsAbsent() {
    BindingCache c = new BindingCache(1 << 20, NO_TTL, () -> 0, true);
    c.update("ip||10.0.0.3", value("pod-d"));
    assertThat(c.get("ip||10.0.0.3")).as("written, never read: cached").isEqualTo(value("pod-d"));
    c.update("ip||10.0.0.3", value("pod-d then pod-e"));
    assertThat(c.get("ip||10.0.0.3")).isEqualTo(value("pod-d then pod-e"));
    c.update("ip||10.0.0.4", null);
    assertThat(c.get("ip||10.0.0.4")).as("cleared: the state holds nothing").isSameAs(BindingCache.ABSENT);
    c.fill("ip||10.0.0.5", value("read after a restore")); // keys written before the cache was made fill on reads
    assertThat(c.get("ip||10.0.0.5")).isEqualTo(value("read after a restore"));
    assertThat(c.entries()).isEqualTo(3);
    assertThat(c.hits()).isEqualTo(4);
    assertThat(c.misses()).isZero();
  }

  @Test
  void aWriteThroughCacheSmallerThanTheKeysWrittenKeepsTheNewestAndThoseReadSinceTheirWrite() {
    long capacity = 256 << 10;
    BindingCache c = new BindingCache(capacity, NO_TTL, () -> 0, true);
    byte[] v = new byte[200];
    c.update("hot", v);
    int n = 20_000; // a fleet of ~4.5 MB of entries written through a 256 KB cache
    for (int i = 0; i < n; i++) {
      c.update("key-" + i, v);
      if (i % 100 == 0) assertThat(c.get("hot")).as("read since its write: never evicted").isEqualTo(v);
      c.update("hot", v); // a hot key written again keeps its second chance
      assertThat(c.heldBytes()).isLessThanOrEqualTo(capacity);
    }
    assertThat(c.evicted()).isGreaterThan(n * 9L / 10);
    assertThat(c.get("key-" + (n - 1))).as("the newest").isEqualTo(v);
    assertThat(c.get("key-0")).as("the oldest, never read: evicted, read from the state again").isNull();
    assertThat(c.liveBytes()).isLessThanOrEqualTo(capacity);
  }

  @Test
  void aCacheBelow64KbIsRefused() {
    assertThatThrownBy(() -> new BindingCache(1000, NO_TTL, () -> 0)).hasMessageContaining("64 KB");
    assertThat(BindingCache.of(0, NO_TTL, () -> 0)).isNull();
  }
}
