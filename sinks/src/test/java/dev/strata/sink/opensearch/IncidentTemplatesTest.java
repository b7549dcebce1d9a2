package dev.strata.sink.opensearch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.schema.correlate.AttackStage;
import dev.strata.schema.correlate.Incident;
import dev.strata.schema.correlate.IncidentStatus;
import dev.strata.schema.correlate.TimelineLayer;
import dev.strata.schema.correlate.TimelineRow;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The incident and timeline templates follow the Avro schema; documents carry the declared fields only. */
class IncidentTemplatesTest {
  private final IndexTemplates templates = IndexTemplates.defaults();

  @Test
  void incidentMappingCoversExactlyTheAvroFields() {
    assertThat(IndexTemplatesTest.mappedPaths(templates.mappings("strata-incidents")))
        .isEqualTo(IndexTemplatesTest.avroPaths(Incident.getClassSchema(), Set.of("timeline")));
    assertThat(templates.mappings("strata-incidents").path("dynamic").asText()).isEqualTo("strict");
    assertThat(templates.mappings("strata-incidents").at("/properties/timeline/enabled").asBoolean(true)).isFalse();
  }

  @Test
  void timelineMappingIsTheRowPlusItsIncident() {
    Set<String> expected = IndexTemplatesTest.avroPaths(TimelineRow.getClassSchema(), Set.of());
    expected.addAll(List.of("incident_id", "tenant", "revision"));
    assertThat(IndexTemplatesTest.mappedPaths(templates.mappings("strata-timeline"))).isEqualTo(expected);
    assertThat(IndexTemplates.templateFor(IndexTemplates.INCIDENTS_INDEX)).isEqualTo("strata-incidents");
    assertThat(IndexTemplates.templateFor(IndexTemplates.TIMELINE_INDEX)).isEqualTo("strata-timeline");
  }

  @Test
  void timelineDocumentsAreOnePerRowWithTheIncidentId() throws Exception {
    TimelineRow row = new TimelineRow("ev1", Instant.parse("2026-11-20T10:03:05.218554Z"), TimelineLayer.CLUSTER,
        "API Activity", "k8s_audit", "dev-alice create pods/exec", true, 4, AttackStage.EXECUTION, "ab".repeat(32),
        "audit.log", 1234L, 3L, null, List.of(new dev.strata.schema.correlate.RuleMatch("sigma",
            "a1b0ca4e-7835-413e-8471-3ff2b8a66be6", "Potential Remote Command Execution In Pod Container",
            "Leo Tsaousis (@laripping)", "medium", "Sigma rule by Leo Tsaousis (@laripping), SigmaHQ, DRL-1.1")));
    Incident inc = Incident.newBuilder().setIncidentId("inc-1").setTenant("aws:1").setTitle("t").setSeverityId(4)
        .setSeverity("High").setStatus(IncidentStatus.OPEN).setFirstSeen(row.getTime()).setLastSeen(row.getTime())
        .setSignals(1).setTimeline(List.of(row)).setRevision(7).build();
    List<DocWriteRequest> reqs = TimelineDocuments.requests(IndexTemplates.TIMELINE_INDEX, inc);
    assertThat(reqs).hasSize(1);
    assertThat(reqs.get(0).id()).isEqualTo("inc-1:ev1");
    assertThat(reqs.get(0).version()).as("newest revision wins").isEqualTo(7);
    assertThat(new IncidentDocuments(IndexTemplates.INCIDENTS_INDEX).toRequest(inc).version()).isEqualTo(7);
    JsonNode doc = new ObjectMapper().readTree(reqs.get(0).source());
    assertThat(doc.path("incident_id").asText()).isEqualTo("inc-1");
    assertThat(doc.path("revision").asInt()).isEqualTo(7);
    assertThat(doc.path("time").asText()).isEqualTo("2026-11-20T10:03:05.218554Z");
    assertThat(doc.path("attack_stage").asText()).isEqualTo("EXECUTION");
    assertThat(doc.has("record_index")).isFalse();
    // a Sigma match keeps the rule's attribution on the row document (mapped: detections.* in the template)
    assertThat(doc.path("detections").get(0).path("rule_id").asText()).isEqualTo("a1b0ca4e-7835-413e-8471-3ff2b8a66be6");
    assertThat(doc.path("detections").get(0).path("credit").asText()).contains("Leo Tsaousis").contains("DRL-1.1");
    JsonNode incDoc = new ObjectMapper().readTree(new IncidentDocuments(IndexTemplates.INCIDENTS_INDEX).source(inc));
    assertThat(incDoc.path("timeline").get(0).path("event_id").asText()).isEqualTo("ev1");
  }
}
