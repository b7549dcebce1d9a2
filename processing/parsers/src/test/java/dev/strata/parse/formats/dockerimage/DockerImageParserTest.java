package dev.strata.parse.formats.dockerimage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.parse.EvidenceParser;
import dev.strata.parse.ParserContractTest;
import dev.strata.parse.testing.CollectingOutput;
import dev.strata.schema.common.Framing;
import dev.strata.schema.event.EvidenceEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Fixtures in fixtures/docker_image_config; the legacy graph layer json is checked on the shared corpus. */
class DockerImageParserTest extends ParserContractTest {

  @Override
  protected EvidenceParser parser() {
    return new DockerImageParser();
  }

  /** plaso's test data: a Docker 1.8 graph layer json (a build step of an Ubuntu image). */
  @Test
  void aLegacyGraphLayerFromTheSharedCorpus() throws Exception {
    Path f = Path.of(System.getProperty("strata.shared.dir", "../../../shared"), "corpus", "docker", "plaso",
        "graph_3c9a9d7cc6a2_json");
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.isRegularFile(f), "no shared corpus");
    CollectingOutput out = parse(Files.readString(f), Framing.WHOLE, "docker/graph/" + "3c9a9d7cc6a2".repeat(1)
        + "/json");
    assertThat(out.rejections).isEmpty();
    EvidenceEvent e = out.events.get(0);
    assertThat(e.getActivityName()).isEqualTo("image_layer_built");
    assertThat(e.getTime().toString()).isEqualTo("2015-10-12T17:27:03.079273Z");
    assertThat(e.getProcess().getCmdLine()).startsWith("/bin/sh -c sed -i 's/^#");
    assertThat(e.getUnmapped()).containsEntry("image.docker_version", "1.8.2")
        .containsEntry("image.build_container", "20d34709fc95c90a489c2954376f6ab9d70837c4d9f0341a0c5b57ac51f5ffb7")
        .containsEntry("image.parent", "sha256:eeb7cb91b09d5de9edb2798301aeedf50848eacc2123e98538f9d014f80f243c");
  }

  @Test
  void otherJsonIsAMissingFieldDeadLetter() throws Exception {
    CollectingOutput out = parse("{\"a\":1}\n", Framing.WHOLE, "x/imagedb/content/sha256/" + "d".repeat(64));
    assertThat(out.events).isEmpty();
    assertThat(out.rejections).hasSize(1);
  }
}
