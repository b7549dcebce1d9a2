package dev.strata.parse.formats.falcoalert;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.parse.EvidenceParser;
import dev.strata.parse.ParserContractTest;
import dev.strata.parse.testing.CollectingOutput;
import dev.strata.schema.common.Framing;
import org.junit.jupiter.api.Test;

class FalcoAlertParserTest extends ParserContractTest {

  @Override
  protected EvidenceParser parser() {
    return new FalcoAlertParser();
  }

  @Test
  void prioritiesMapToSeverities() {
    for (String p : new String[] {"Emergency", "Alert", "Critical", "CRITICAL"}) {
      assertThat(FalcoAlertMapper.severityOf(p)).as(p).isEqualTo(5);
    }
    assertThat(FalcoAlertMapper.severityOf("Error")).isEqualTo(4);
    assertThat(FalcoAlertMapper.severityOf("Warning")).isEqualTo(3);
    assertThat(FalcoAlertMapper.severityOf("Notice")).isEqualTo(2);
    assertThat(FalcoAlertMapper.severityOf("Informational")).isEqualTo(1);
    assertThat(FalcoAlertMapper.severityOf("Info")).isEqualTo(1);
    assertThat(FalcoAlertMapper.severityOf("debug")).isEqualTo(1);
    assertThat(FalcoAlertMapper.severityOf("Loud")).isZero();
    assertThat(FalcoAlertMapper.severityOf(null)).isZero();
  }

  @Test
  void naValuesAreNeverNames() throws Exception {
    String line = "{\"rule\":\"r\",\"priority\":\"Warning\",\"output\":\"o\",\"time\":\"2024-01-01T00:00:00Z\","
        + "\"output_fields\":{\"container.id\":\"<NA>\",\"container.name\":\"<NA>\",\"proc.name\":\"<NA>\","
        + "\"proc.pid\":\"<NA>\",\"user.name\":\"<NA>\",\"fd.name\":\"<NA>\",\"k8s.pod.name\":\"<NA>\"},"
        + "\"hostname\":\"<NA>\"}\n";
    CollectingOutput out = parse(line, Framing.LINES, "x/falco.json");
    assertThat(out.rejections).isEmpty();
    var e = out.events.get(0);
    assertThat(e.getContainer()).isNull();
    assertThat(e.getProcess()).isNull();
    assertThat(e.getFile()).isNull();
    assertThat(e.getKubernetes() == null || e.getKubernetes().getPodName() == null).isTrue();
    assertThat(e.getDevice() == null || !"<NA>".equals(e.getDevice().getHostname())).isTrue();
    assertThat(e.getUnmapped()).containsEntry("output_fields.proc.name", "<NA>");
  }

  @Test
  void evtTimeIsTheFallbackTime() throws Exception {
    String line = "{\"rule\":\"r\",\"priority\":\"Error\",\"output\":\"o\","
        + "\"output_fields\":{\"evt.time\":1507591916746609046}}\n";
    var e = parse(line, Framing.LINES, "x/falco.json").events.get(0);
    assertThat(e.getTime().toString()).isEqualTo("2017-10-09T23:31:56.746609Z");
    assertThat(e.getTimeOriginal()).isEqualTo("1507591916746609046");
  }
}
