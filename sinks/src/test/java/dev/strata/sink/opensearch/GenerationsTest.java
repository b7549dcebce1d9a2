package dev.strata.sink.opensearch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.schema.event.EvidenceEvent;
import dev.strata.sink.testing.SampleEvents;
import org.junit.jupiter.api.Test;

class GenerationsTest {
  @Test
  void aLaterRunReplacesAnEarlierOneWhateverTheRevisions() {
    long first = 1_795_255_800_000L;
    long second = first + 1;
    assertThat(EventDocuments.version(second, 0)).isGreaterThan(EventDocuments.version(first, 5));
    assertThat(EventDocuments.version(first, 1)).isGreaterThan(EventDocuments.version(first, 0));
    assertThat(Generations.version(second, 0)).isGreaterThan(Generations.version(first, Generations.MAX_REVISION));
  }

  @Test
  void aVersionSaysItsRunAndRevision() {
    long v = EventDocuments.version(1_795_255_800_123L, 2);
    assertThat(Generations.generation(v)).isEqualTo(1_795_255_800_123L);
    assertThat(Generations.revision(v)).isEqualTo(3); // revision + 1: above the parse job's version 0
    assertThat(Generations.revision(Generations.version(7, Long.MAX_VALUE))).isEqualTo(Generations.MAX_REVISION);
    assertThat(EventDocuments.version(0, 0)).as("no run: revision + 1 as before").isEqualTo(1);
    assertThatThrownBy(() -> Generations.version(-1, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Generations.version(1L << 44, 0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theMappersWriteAtTheirRunsGeneration() {
    EvidenceEvent e = SampleEvents.cloudTrail();
    e.setEnrichment(dev.strata.schema.event.Enrichment.newBuilder().setRevision(4).build());
    assertThat(new EventDocuments("i", true, 9).toRequest(e).version()).isEqualTo(Generations.version(9, 5));
    assertThat(new EventDocuments("i", false, 9).toRequest(e).version()).isEqualTo(EventDocuments.PARSED_VERSION);
  }
}
