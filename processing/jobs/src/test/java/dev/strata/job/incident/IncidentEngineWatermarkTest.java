package dev.strata.job.incident;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.schema.correlate.Incident;
import dev.strata.schema.correlate.IncidentStatus;
import dev.strata.schema.event.EvidenceEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * One event stamped two days after the rest of the demo bundle (a file's modification time on the collection day)
 * arrives first: with a watermark taken from event time, every later signal is behind it, and each incident is sealed
 * right after its first flush (eight one-signal incidents instead of one); without a watermark, as bounded runs now
 * flush (IncidentJob.watermarks), the demo is its one incident of six signals.
 */
class IncidentEngineWatermarkTest {
  static List<Incident> flushAfterEach(boolean watermark) throws Exception {
    List<EvidenceEvent> events = DemoEvents.parse();
    EvidenceEvent later = EvidenceEvent.newBuilder(events.get(0)).setEventId("f".repeat(64))
        .setTime(events.get(0).getTime().plusSeconds(2 * 86400)).build();
    List<EvidenceEvent> order = new ArrayList<>();
    order.add(later);
    order.addAll(events);
    IncidentEngine engine = new IncidentEngine(IncidentSettings.defaults());
    InMemoryTenantStore store = new InMemoryTenantStore();
    Map<String, Incident> latest = new TreeMap<>();
    long max = Long.MIN_VALUE;
    for (EvidenceEvent e : order) {
      engine.accept(store, e);
      max = Math.max(max, e.getTime().getEpochSecond() * 1_000_000L);
      for (Incident i : engine.flush(store, "aws:111122223333", watermark ? max - 5_000_000L : Long.MIN_VALUE)) {
        latest.put(i.getIncidentId(), i);
      }
    }
    for (Incident i : engine.flush(store, "aws:111122223333", Long.MAX_VALUE)) latest.put(i.getIncidentId(), i);
    return latest.values().stream().filter(i -> i.getStatus() == IncidentStatus.OPEN).toList();
  }

  // the later copy is a signal of its own, two days after the rest: an incident of its own either way

  @Test
  void aLaterStampedEventSealsEveryIncidentBehindItsWatermark() throws Exception {
    assertThat(flushAfterEach(true)).hasSizeGreaterThan(2).allMatch(i -> i.getSignals() == 1);
  }

  @Test
  void withoutAWatermarkTheBundleIsItsOneIncident() throws Exception {
    assertThat(flushAfterEach(false)).extracting(Incident::getSignals).containsExactlyInAnyOrder(6, 1);
  }
}
