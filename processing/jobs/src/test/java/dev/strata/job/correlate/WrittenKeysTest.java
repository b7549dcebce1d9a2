package dev.strata.job.correlate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * {@link WrittenKeys} never says "not written" for a key it was told about, drops only what has expired from the
 * state, and after a restore treats every key as possibly written until the retention has passed. Fixtures:
 * event-id-shaped keys (64 hex digits, as {@code EventIds.sha256Hex} writes them) and a hand-driven clock.
 */
class WrittenKeysTest {
  static String id(long i) {
    String h = Long.toHexString(i * 0x9E3779B97F4A7C15L | Long.MIN_VALUE);
    return h + h + h + h;
  }

  @Test
  void noFalseNegativesAcrossGenerations_andFewFalsePositives() {
    AtomicLong now = new AtomicLong(1_000);
    WrittenKeys w = new WrittenKeys(Long.MAX_VALUE, now::get);
    int n = WrittenKeys.CAPACITY * 2 + 1000;
    for (int i = 0; i < n; i++) w.add(id(i));
    assertThat(w.generations()).isEqualTo(3);
    for (int i = 0; i < n; i++) assertThat(w.mayHave(id(i))).isTrue();
    int falsePositives = 0;
    for (int i = n; i < n + 100_000; i++) if (w.mayHave(id(i))) falsePositives++;
    assertThat(falsePositives).as("of 100,000 never written (3 generations)").isLessThan(8_000);
  }

  @Test
  void aGenerationGoesOnlyOnceEverythingInItHasExpired() {
    AtomicLong now = new AtomicLong(0);
    long retention = 600_000;
    WrittenKeys w = new WrittenKeys(retention, now::get);
    for (int i = 0; i < WrittenKeys.CAPACITY; i++) w.add(id(i));
    now.set(retention + WrittenKeys.EXPIRY_MARGIN_MS); // the first generation's keys: expired only after this
    w.add(id(-1)); // a second generation
    w.add(id(-3));
    assertThat(w.generations()).isEqualTo(2);
    assertThat(w.mayHave(id(7))).isTrue();
    for (int i = 2; i < WrittenKeys.CAPACITY; i++) w.add(id(-i - 3)); // fills the second
    now.addAndGet(1);
    w.add(id(-2)); // a third: the first has expired now
    assertThat(w.generations()).isEqualTo(2);
    assertThat(w.mayHave(id(-1))).isTrue();
    assertThat(w.mayHave(id(-2))).isTrue();
  }

  @Test
  void afterARestoreEveryKeyMayHaveBeenWrittenUntilTheRetentionHasPassed() {
    AtomicLong now = new AtomicLong(5_000);
    WrittenKeys w = new WrittenKeys(60_000, now::get);
    w.restored();
    w.add(id(1));
    assertThat(w.mayHave(id(2))).isTrue();
    now.set(5_000 + 60_000);
    assertThat(w.mayHave(id(2))).isFalse();
    assertThat(w.mayHave(id(1))).isTrue();
    WrittenKeys unbounded = new WrittenKeys(Long.MAX_VALUE, now::get);
    unbounded.restored();
    now.set(Long.MAX_VALUE - 1);
    assertThat(unbounded.mayHave(id(2))).isTrue();
  }

  @Test
  void beyondTheLastGenerationItFillsUpInsteadOfGrowing() {
    AtomicLong now = new AtomicLong(0);
    WrittenKeys w = new WrittenKeys(Long.MAX_VALUE, now::get, 1000, 3);
    int n = 1000 * 3 + 50_000;
    for (int i = 0; i < n; i++) w.add(id(i));
    assertThat(w.generations()).isEqualTo(3);
    for (int i = 0; i < n; i++) assertThat(w.mayHave(id(i))).isTrue();
  }
}
