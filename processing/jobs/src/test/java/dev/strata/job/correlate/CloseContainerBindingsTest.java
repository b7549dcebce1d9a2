package dev.strata.job.correlate;

import static dev.strata.correlate.CorrelationScenario.ACCOUNT_PROD;
import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.correlate.BindingExtractor;
import dev.strata.correlate.ContainerEnds;
import dev.strata.correlate.CorrelationScenario;
import dev.strata.schema.correlate.EntityBinding;
import dev.strata.schema.event.EvidenceEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * close-container-bindings' state is bounded by the closed TTL + the lateness bound after the latest news of a
 * container, whether or not its end is ever seen (fixtures/correlate/README.md: node-docker-inspect.jsonl, batch-a
 * holds 172.17.0.5 from 10:00; node-docker-events.jsonl, its die at 10:05:00.5).
 */
class CloseContainerBindingsTest {
  static final Duration CLOSED_TTL = Duration.ofMinutes(60);
  static final Duration RETENTION = Duration.ofMinutes(20);
  static final long KEPT_MS = CLOSED_TTL.toMillis() + RETENTION.toMillis();
  static final String BATCH_A = "a1b2c3d4e5f6";

  static final List<EvidenceEvent> INSPECT =
      CorrelationScenario.parse("docker_inspect", "node-docker-inspect.jsonl", "prod", ACCOUNT_PROD);
  static final List<EvidenceEvent> EVENTS =
      CorrelationScenario.parse("docker_events", "node-docker-events.jsonl", "prod", ACCOUNT_PROD);

  /** batch-a's snapshot (10:00) and what it states that batch-a holds: its address, its image. */
  static final EvidenceEvent SNAPSHOT = INSPECT.stream()
      .filter(e -> e.getContainer().getUid().startsWith(BATCH_A)).findFirst().orElseThrow();
  static final List<EntityBinding> HELD = new BindingExtractor().extract(SNAPSHOT).stream()
      .filter(b -> ContainerEnds.holder(b) != null).toList();
  static final EvidenceEvent DIE = EVENTS.stream()
      .filter(e -> "die".equals(e.getActivityName()) && e.getContainer().getUid().startsWith(BATCH_A))
      .findFirst().orElseThrow();

  static KeyedTwoInputStreamOperatorTestHarness<String, EvidenceEvent, EntityBinding, EntityBinding> harness(
      long retentionMs) throws Exception {
    var h = new KeyedTwoInputStreamOperatorTestHarness<>(
        new KeyedCoProcessOperator<>(new CloseContainerBindings(retentionMs, CLOSED_TTL.toMillis())),
        (EvidenceEvent e) -> ContainerEnds.key(BindingExtractor.containerEnd(e)),
        (EntityBinding b) -> ContainerEnds.key(ContainerEnds.holder(b)), Types.STRING);
    h.setup(dev.strata.job.CorrelateJob.BINDING.createSerializer(
        new org.apache.flink.api.common.serialization.SerializerConfigImpl()));
    h.open();
    return h;
  }

  static long ms(EvidenceEvent e) {
    return e.getTime().toEpochMilli();
  }

  static void hold(KeyedTwoInputStreamOperatorTestHarness<String, EvidenceEvent, EntityBinding, EntityBinding> h,
      long statedAtMs) throws Exception {
    for (EntityBinding b : HELD) h.processElement2(new StreamRecord<>(b, statedAtMs));
  }

  @Test
  void aContainerWhoseEndIsNeverSeenIsForgottenTheClosedTtlPlusTheLatenessAfterItWasLastHeardOf() throws Exception {
    assertThat(HELD).extracting(EntityBinding::getKind).contains("ip_container", "container_image");
    long t0 = ms(SNAPSHOT);
    try (var h = harness(RETENTION.toMillis())) {
      hold(h, t0);
      assertThat(h.numKeyedStateEntries()).isPositive();
      assertThat(h.numEventTimeTimers()).isEqualTo(1);

      h.processBothWatermarks(new Watermark(t0 + KEPT_MS - 1));
      assertThat(h.numKeyedStateEntries()).as("kept until closedTtl + lateness after the news").isPositive();
      h.processBothWatermarks(new Watermark(t0 + KEPT_MS));
      assertThat(h.numKeyedStateEntries()).as("then cleared: no 7 days of state").isZero();
      assertThat(h.numEventTimeTimers()).isZero();

      // the documented price: an end that comes after that closes nothing
      h.processElement1(new StreamRecord<>(DIE, t0 + KEPT_MS + 1000));
      assertThat(h.extractOutputValues()).isEmpty();
    }
  }

  @Test
  void restatementsKeepAContainerKnownWithOneTimerAndItsLateEndStillClosesWhatItHeld() throws Exception {
    long t0 = ms(SNAPSHOT);
    long tenMinutes = Duration.ofMinutes(10).toMillis();
    try (var h = harness(RETENTION.toMillis())) {
      // restated every 10 minutes (as Falco alerts, log lines or periodic snapshots do) for 3 hours
      long last = t0;
      for (long at = t0; at <= t0 + Duration.ofHours(3).toMillis(); at += tenMinutes) {
        hold(h, at);
        h.processBothWatermarks(new Watermark(at));
        last = at;
      }
      assertThat(h.numEventTimeTimers()).as("one timer per container, moved by the news").isEqualTo(1);
      assertThat(h.numKeyedStateEntries()).isPositive();

      // its end (10:05:00.5 stated, delivered late) still closes both bindings from their start
      h.processElement1(new StreamRecord<>(DIE, last));
      List<EntityBinding> closings = h.extractOutputValues();
      assertThat(closings).hasSize(HELD.size()).allSatisfy(c -> {
        assertThat(BindingExtractor.isClosing(c)).isTrue();
        assertThat(c.getValidFrom()).isEqualTo(DIE.getTime());
        assertThat(c.getLineage().getEventId()).isEqualTo(DIE.getEventId());
      });

      h.processBothWatermarks(new Watermark(last + KEPT_MS - 1));
      assertThat(h.numKeyedStateEntries()).isPositive();
      h.processBothWatermarks(new Watermark(last + KEPT_MS));
      assertThat(h.numKeyedStateEntries()).isZero();
      assertThat(h.numEventTimeTimers()).isZero();
    }
  }

  @Test
  void nothingIsClearedInBoundedMode() throws Exception {
    try (var h = harness(Long.MAX_VALUE)) {
      hold(h, ms(SNAPSHOT));
      h.processBothWatermarks(new Watermark(Instant.parse("2027-01-01T00:00:00Z").toEpochMilli()));
      assertThat(h.numEventTimeTimers()).isZero();
      h.processElement1(new StreamRecord<>(DIE, ms(DIE)));
      assertThat(h.extractOutputValues()).hasSize(HELD.size());
    }
  }
}
