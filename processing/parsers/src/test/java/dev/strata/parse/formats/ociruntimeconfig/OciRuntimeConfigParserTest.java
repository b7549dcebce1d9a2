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

  @Test
  void withoutACreatedAnnotationTheTimeIsTheFilesModificationTime() throws Exception {
    // Podman writes userdata/config.json when it initialises the container: the file's mtime on the disk image is
    // that moment (PodmanHostScenarioIT: the configs were timed at the collection, days after the incident)
    String cfg = "{\"ociVersion\":\"1.1.0\",\"process\":{\"args\":[\"java\",\"-jar\",\"/opt/app/orders-api.jar\"]},"
        + "\"annotations\":{\"io.container.manager\":\"libpod\"}}";
    var chunk = dev.strata.parse.testing.Chunks.single(cfg, format(), Framing.WHOLE,
        "home/orders/.local/share/containers/storage/overlay-containers/" + "a".repeat(64) + "/userdata/config.json");
    chunk.setOriginMtime(java.time.Instant.parse("2026-11-20T06:01:01Z"));
    var e = parse(chunk).events.get(0);
    assertThat(e.getTime()).isEqualTo(java.time.Instant.parse("2026-11-20T06:01:01Z"));
    assertThat(e.getUnmapped()).containsEntry("strata.time_source", "file_mtime");
    assertThat(e.getUnmapped().get("strata.warning")).contains("modification time");
    // CRI-O's own creation time wins over the file's
    String crio = "{\"ociVersion\":\"1.0.2\",\"process\":{\"args\":[\"sh\"]},\"annotations\":"
        + "{\"io.kubernetes.cri-o.Created\":\"2026-11-19T10:00:00.5Z\"}}";
    var c2 = dev.strata.parse.testing.Chunks.single(crio, format(), Framing.WHOLE, "x/config.json");
    c2.setOriginMtime(java.time.Instant.parse("2026-11-20T06:01:01Z"));
    assertThat(parse(c2).events.get(0).getTime()).isEqualTo(java.time.Instant.parse("2026-11-19T10:00:00.500Z"));
  }
}
