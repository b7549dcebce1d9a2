package dev.strata.parse.formats.trivyscan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.parse.EvidenceParser;
import dev.strata.parse.ParserContractTest;
import dev.strata.parse.testing.CollectingOutput;
import dev.strata.schema.common.Framing;
import dev.strata.schema.event.EvidenceEvent;
import org.junit.jupiter.api.Test;

/** Fixtures in fixtures/trivy_scan (Trivy's pkg/types Report / Result JSON as its docs show it; values invented). */
class TrivyScanParserTest extends ParserContractTest {

  @Override
  protected EvidenceParser parser() {
    return new TrivyScanParser();
  }

  @Test
  void eachFindingPointsAtItsOwnEntry() throws Exception {
    String report = "{\"SchemaVersion\":2,\"ArtifactName\":\"alpine:3.19\",\"ArtifactType\":\"container_image\","
        + "\"Results\":[{\"Target\":\"alpine:3.19 (alpine 3.19.1)\",\"Class\":\"os-pkgs\",\"Type\":\"alpine\","
        + "\"Vulnerabilities\":[{\"VulnerabilityID\":\"CVE-2024-0727\",\"PkgName\":\"libcrypto3\","
        + "\"InstalledVersion\":\"3.1.4-r2\",\"Severity\":\"MEDIUM\"},{\"VulnerabilityID\":\"CVE-2023-6237\","
        + "\"PkgName\":\"libssl3\",\"InstalledVersion\":\"3.1.4-r2\",\"Severity\":\"UNKNOWN\"}]}]}\n";
    CollectingOutput out = parse(report, Framing.WHOLE, "scans/alpine.trivy.json");
    assertThat(out.rejections).isEmpty();
    assertThat(out.events).hasSize(2);
    EvidenceEvent first = out.events.get(0);
    int at = report.indexOf("{\"VulnerabilityID\":\"CVE-2024-0727\"");
    assertThat(first.getLineage().getByteOffset()).isEqualTo(at);
    assertThat(first.getRawData()).startsWith("{\"VulnerabilityID\":\"CVE-2024-0727\"").endsWith("\"MEDIUM\"}");
    assertThat(first.getUnmapped().get("strata.warning")).contains("CreatedAt"); // no time in the report
    assertThat(out.events.get(1).getSeverityId()).isZero();
    assertThat(out.events).extracting(EvidenceEvent::getEventId).doesNotHaveDuplicates();
    assertThat(first.getContainer().getImageName()).isEqualTo("alpine:3.19");
  }

  @Test
  void aJsonDocumentThatIsNotATrivyReportIsADeadLetter() throws Exception {
    CollectingOutput out = parse("{\"matches\":[],\"source\":{}}\n", Framing.WHOLE, "x.json");
    assertThat(out.events).isEmpty();
    assertThat(out.rejections).hasSize(1);
    assertThat(out.rejections.get(0).message()).contains("not a Trivy report");
  }
}
