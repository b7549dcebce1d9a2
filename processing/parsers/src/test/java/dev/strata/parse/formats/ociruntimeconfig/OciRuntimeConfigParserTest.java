package dev.strata.parse.formats.ociruntimeconfig;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.parse.EvidenceParser;
import dev.strata.parse.ParserContractTest;
import dev.strata.schema.common.Framing;
import org.junit.jupiter.api.Test;

class OciRuntimeConfigParserTest extends ParserContractTest {

  @Override
  protected EvidenceParser parser() {
    return new OciRuntimeConfigParser();
  }

  @Test
  void envValuesAreNeverKept() throws Exception {
    String cfg = "{\"ociVersion\":\"1.0.2\",\"process\":{\"args\":[\"sh\"],\"env\":[\"DB_PASSWORD=hunter2-secret\"]}}";
    var out = parse(cfg, Framing.WHOLE, "x/config.json");
    assertThat(out.events).hasSize(1);
    assertThat(out.events.get(0).toString()).doesNotContain("hunter2-secret");
    assertThat(out.events.get(0).getUnmapped()).containsEntry("process.env_names", "DB_PASSWORD");
  }

  @Test
  void nonLinuxConfigHasNoNamespaceHints() throws Exception {
    String cfg = "{\"ociVersion\":\"1.3.0\",\"process\":{\"args\":[\"sh\"]},\"root\":{\"path\":\"rootfs\"}}";
    var e = parse(cfg, Framing.WHOLE, "x/config.json").events.get(0);
    assertThat(e.getUnmapped()).doesNotContainKey("strata.risk");
    assertThat(e.getContainer().getRuntime()).isEqualTo("oci");
  }

  @Test
  void identicalConfigsOfTwoContainersAreTwoEvents() throws Exception {
    String cfg = "{\"ociVersion\":\"1.0.2\",\"process\":{\"args\":[\"sh\"]}}";
    var a = parse(cfg, Framing.WHOLE, "s/overlay-containers/" + "a".repeat(64) + "/userdata/config.json").events.get(0);
    var b = parse(cfg, Framing.WHOLE, "s/overlay-containers/" + "b".repeat(64) + "/userdata/config.json").events.get(0);
    assertThat(a.getEventId()).isNotEqualTo(b.getEventId());
    assertThat(a.getContainer().getRuntime()).isEqualTo("podman");
  }
}
