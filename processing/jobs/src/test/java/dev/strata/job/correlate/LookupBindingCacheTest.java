package dev.strata.job.correlate;

import static dev.strata.job.correlate.LookupFunctionTest.EVENT_MICROS;
import static dev.strata.job.correlate.LookupFunctionTest.KEY;
import static dev.strata.job.correlate.LookupFunctionTest.STATE_KEY;
import static dev.strata.job.correlate.LookupFunctionTest.ipPod;
import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.correlate.Attr;
import dev.strata.correlate.Hit;
import java.time.Instant;
import java.util.List;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The lookup's bindings cache ({@link BindingCache}) against the state it fronts: every write of the bindings (a
 * binding's arrival, a timer's clean-up) changes what the next probe is answered, cached or not; a restored lookup
 * starts with an empty cache and answers as before. Each test checks that the cache did answer (hits), so that it
 * fails if a write leaves the cache stale. Fixtures: {@link LookupFunctionTest}'s address and ip -> pod bindings.
 */
class LookupBindingCacheTest {
  private static Probe probe(String eventId, long micros) {
    return new Probe(STATE_KEY, eventId, micros, 0, null, List.of(KEY));
  }

  /** The pods event {@code eventId}'s probe was answered with, in order. */
  private static List<String> pods(KeyedTwoInputStreamOperatorTestHarness<String, Probe, KeyedBinding, Resolution> h,
      String eventId) {
    return h.extractOutputValues().stream().filter(r -> r.eventId().equals(eventId))
        .map(r -> r.hits().isEmpty() ? "none" : r.hits().stream().map(Hit::attrs).map(a -> a.get(Attr.POD_NAME))
            .reduce((a, b) -> a + "," + b).orElseThrow())
        .toList();
  }

  @Test
  void aBindingArrivingAfterACachedReadChangesTheNextAnswer() throws Exception {
    LookupFunction fn = new LookupFunction(1, Long.MAX_VALUE, 3_600_000L, 64, null, 1 << 20);
    try (var h = harness(fn)) {
      h.open();
      h.processElement2(new StreamRecord<>(KeyedBinding.of(KEY, true, ipPod("api-7d9f", "10:00:00")), 1));
      h.processElement1(new StreamRecord<>(probe("e1", EVENT_MICROS), 2)); // read through, cached
      h.processElement1(new StreamRecord<>(probe("e2", EVENT_MICROS), 3)); // from the cache
      assertThat(fn.cache().hits()).isEqualTo(1);
      // the address went to another pod a minute before the events
      h.processElement2(new StreamRecord<>(KeyedBinding.of(KEY, true, ipPod("web-1234", "10:01:00")), 4));
      h.processElement1(new StreamRecord<>(probe("e3", EVENT_MICROS), 5));
      assertThat(fn.cache().hits()).as("the binding's read and e3's").isEqualTo(3);
      assertThat(pods(h, "e2")).containsExactly("api-7d9f", "web-1234"); // answered, then re-answered
      assertThat(pods(h, "e3")).containsExactly("web-1234");
    }
  }

  @Test
  void aTimersCleanUpChangesTheNextAnswer() throws Exception {
    LookupFunction fn = new LookupFunction(1, 3_600_000L, 3_600_000L, 64, null, 1 << 20);
    try (var h = harness(fn)) {
      h.open();
      h.processElement2(new StreamRecord<>(KeyedBinding.of(KEY, true, ipPod("api-7d9f", "10:00:00")), 1));
      h.processElement2(new StreamRecord<>(KeyedBinding.of(KEY, true, ipPod("web-1234", "10:30:00")), 2));
      h.processElement1(new StreamRecord<>(probe("e1", EVENT_MICROS), 3)); // cached: api-7d9f until 10:30
      assertThat(h.numEventTimeTimers()).isEqualTo(1);
      // two hours after api-7d9f's interval closed (closed TTL + lateness retention): the timer drops it
      h.processBothWatermarks(new Watermark(Instant.parse("2026-11-20T13:00:00Z").toEpochMilli()));
      assertThat(h.numEventTimeTimers()).isZero();
      h.processElement1(new StreamRecord<>(probe("e2", EVENT_MICROS), 4));
      assertThat(fn.cache().hits()).as("the timer's read and e2's").isEqualTo(2);
      assertThat(pods(h, "e1")).containsExactly("api-7d9f");
      assertThat(pods(h, "e2")).as("api-7d9f's interval is gone from the state: from the cache too")
          .containsExactly("none");
    }
  }

  @Test
  void aRestoredLookupStartsWithAnEmptyCacheAndAnswersTheSame() throws Exception {
    OperatorSubtaskState snapshot;
    LookupFunction before = new LookupFunction(1, 3_600_000L, 3_600_000L, 64, null, 1 << 20);
    try (var h = harness(before)) {
      h.open();
      h.processElement2(new StreamRecord<>(KeyedBinding.of(KEY, true, ipPod("api-7d9f", "10:00:00")), 1));
      h.processElement1(new StreamRecord<>(probe("e1", EVENT_MICROS), 2));
      h.processElement1(new StreamRecord<>(probe("e2", EVENT_MICROS), 3));
      assertThat(before.cache().entries()).isEqualTo(1);
      assertThat(before.cache().hits()).isEqualTo(1);
      assertThat(pods(h, "e2")).containsExactly("api-7d9f");
      h.prepareSnapshotPreBarrier(1);
      snapshot = h.snapshot(1, 1);
    }
    LookupFunction after = new LookupFunction(1, 3_600_000L, 3_600_000L, 64, null, 1 << 20);
    try (var h = harness(after)) {
      h.initializeState(snapshot);
      h.open();
      assertThat(after.cache().entries()).as("cold").isZero();
      h.processElement1(new StreamRecord<>(probe("e3", EVENT_MICROS), 4));
      h.processElement1(new StreamRecord<>(probe("e4", EVENT_MICROS), 5));
      assertThat(after.cache().misses()).isEqualTo(1);
      assertThat(after.cache().hits()).isEqualTo(1);
      assertThat(pods(h, "e3")).containsExactly("api-7d9f");
      assertThat(pods(h, "e4")).containsExactly("api-7d9f");
    }
  }

  @Test
  void withTheCacheOffTheAnswersAreTheSame() throws Exception {
    List<List<String>> answers = new java.util.ArrayList<>();
    for (long bytes : new long[] {0, 1 << 20, -(1 << 20)}) { // negative: write-through
      LookupFunction fn = new LookupFunction(1, Long.MAX_VALUE, 3_600_000L, 64, null, Math.abs(bytes), bytes < 0);
      try (var h = harness(fn)) {
        h.open();
        h.processElement1(new StreamRecord<>(probe("e1", EVENT_MICROS), 1)); // nothing bound yet
        h.processElement1(new StreamRecord<>(probe("e2", EVENT_MICROS), 2));
        h.processElement2(new StreamRecord<>(KeyedBinding.of(KEY, true, ipPod("api-7d9f", "10:00:00")), 3));
        h.processElement1(new StreamRecord<>(probe("e3", EVENT_MICROS), 4));
        h.processElement2(new StreamRecord<>(KeyedBinding.of(KEY, true, ipPod("web-1234", "10:01:00")), 5));
        h.processElement1(new StreamRecord<>(probe("e4", EVENT_MICROS), 6));
        answers.add(h.extractOutputValues().stream().map(r -> r.eventId() + "=" + r.hits().stream()
            .map(x -> x.attrs().get(Attr.POD_NAME)).toList()).toList());
        assertThat(fn.cache() == null).isEqualTo(bytes == 0);
        if (fn.cache() != null) assertThat(fn.cache().hits()).isPositive();
      }
    }
    assertThat(answers.get(1)).isEqualTo(answers.get(0)).contains("e4=[web-1234]", "e1=[]");
    assertThat(answers.get(2)).as("write-through").isEqualTo(answers.get(0));
  }

  @Test
  void aWriteThroughLookupAnswersAKeysFirstReadFromTheCache_andALateBindingChangesTheNextAnswer() throws Exception {
    LookupFunction fn = new LookupFunction(1, Long.MAX_VALUE, 3_600_000L, 64, null, 1 << 20, true);
    try (var h = harness(fn)) {
      h.open();
      h.processElement2(new StreamRecord<>(KeyedBinding.of(KEY, true, ipPod("api-7d9f", "10:00:00")), 1));
      h.processElement1(new StreamRecord<>(probe("e1", EVENT_MICROS), 2)); // never read before: a hit
      assertThat(fn.cache().hits()).isEqualTo(1);
      assertThat(fn.cache().misses()).as("the first statement's read, before anything was written").isEqualTo(1);
      h.processElement2(new StreamRecord<>(KeyedBinding.of(KEY, true, ipPod("web-1234", "10:01:00")), 3));
      h.processElement1(new StreamRecord<>(probe("e2", EVENT_MICROS), 4));
      assertThat(fn.cache().misses()).as("every read since answered by the cache").isEqualTo(1);
      assertThat(fn.cache().hits()).isEqualTo(3);
      assertThat(pods(h, "e1")).containsExactly("api-7d9f", "web-1234"); // answered, then re-answered
      assertThat(pods(h, "e2")).containsExactly("web-1234");
    }
  }

  @Test
  void aRestoredWriteThroughLookupStartsColdReadsThroughAndAnswersTheSame() throws Exception {
    OperatorSubtaskState snapshot;
    LookupFunction before = new LookupFunction(1, 3_600_000L, 3_600_000L, 64, null, 1 << 20, true);
    try (var h = harness(before)) {
      h.open();
      h.processElement2(new StreamRecord<>(KeyedBinding.of(KEY, true, ipPod("api-7d9f", "10:00:00")), 1));
      h.processElement1(new StreamRecord<>(probe("e1", EVENT_MICROS), 2));
      assertThat(before.cache().hits()).isEqualTo(1);
      h.prepareSnapshotPreBarrier(1);
      snapshot = h.snapshot(1, 1);
    }
    LookupFunction after = new LookupFunction(1, 3_600_000L, 3_600_000L, 64, null, 1 << 20, true);
    try (var h = harness(after)) {
      h.initializeState(snapshot);
      h.open();
      assertThat(after.cache().entries()).as("never snapshotted: cold").isZero();
      h.processElement1(new StreamRecord<>(probe("e2", EVENT_MICROS), 3)); // read from the state, filled
      h.processElement1(new StreamRecord<>(probe("e3", EVENT_MICROS), 4));
      assertThat(after.cache().misses()).isEqualTo(1);
      assertThat(after.cache().hits()).isEqualTo(1);
      assertThat(pods(h, "e2")).containsExactly("api-7d9f");
      assertThat(pods(h, "e3")).containsExactly("api-7d9f");
    }
  }

  static KeyedTwoInputStreamOperatorTestHarness<String, Probe, KeyedBinding, Resolution> harness(LookupFunction fn)
      throws Exception {
    var h = new KeyedTwoInputStreamOperatorTestHarness<>(new InFlight.Operator<>(fn),
        (KeySelector<Probe, String>) Probe::key, (KeySelector<KeyedBinding, String>) KeyedBinding::key, Types.STRING);
    h.setup(Resolution.TYPE.createSerializer(new SerializerConfigImpl()));
    return h;
  }
}
