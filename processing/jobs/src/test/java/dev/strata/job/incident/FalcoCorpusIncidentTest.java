package dev.strata.job.incident;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.detect.sigma.SigmaFixtures;
import dev.strata.schema.correlate.Incident;
import dev.strata.schema.correlate.IncidentEntity;
import dev.strata.schema.event.EvidenceEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Falco's own test output in the shared corpus (read in place, skipped when absent), collected and parsed as
 * {@code strata parse} reads it: the text output names no host, the JSON output of the same alerts names
 * {@code test-falco-hostname}, Falcosidekick's README payload says {@code localhost}. Session 11's corpus demo gave
 * ten incidents for these three files (one per hostless text alert); a responder wants one per sensor output.
 */
class FalcoCorpusIncidentTest {
  static final Path FALCO = Path.of("/work/shared/corpus/falco");

  @Test
  void oneSensorsAlertsAreOneIncidentPerHostOrHostlessFile() throws Exception {
    Assumptions.assumeTrue(Files.isDirectory(FALCO), "the shared corpus is not on this machine");
    List<EvidenceEvent> events = SigmaFixtures.parse(FALCO);
    assertThat(events.size()).isEqualTo(17);
    List<Incident> incidents = IncidentEngine.incidentsOf(events, IncidentSettings.defaults());
    assertThat(incidents).extracting(Incident::getSignals).containsExactlyInAnyOrder(8, 8, 1);
    assertThat(incidents).filteredOn(i -> i.getTitle().startsWith("Node test-falco-hostname: ")).singleElement()
        .satisfies(i -> assertThat(i.getSignals()).isEqualTo(8));
    assertThat(incidents).filteredOn(i -> i.getTitle().startsWith("Host not named, sensor output "
        + "falco_single_rule_with_cat_write.txt (artifact 341d88759612)")).singleElement().satisfies(i -> {
      assertThat(i.getSignals()).isEqualTo(8);
      assertThat(i.getEntities()).extracting(IncidentEntity::getType).contains(Entity.SENSOR)
          .doesNotContain(Entity.NODE);
    });
    // "localhost" names no host: the payload is its own sensor output, never merged with another localhost's
    assertThat(incidents).filteredOn(i -> i.getSignals() == 1).singleElement()
        .satisfies(i -> assertThat(i.getTitle()).startsWith("Host not named, sensor output falcosidekick_readme_payload.json"));
  }
}
