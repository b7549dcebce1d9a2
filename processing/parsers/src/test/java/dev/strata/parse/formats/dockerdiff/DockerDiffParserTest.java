package dev.strata.parse.formats.dockerdiff;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.parse.EvidenceParser;
import dev.strata.parse.ParserContractTest;
import dev.strata.schema.common.Framing;
import org.junit.jupiter.api.Test;

class DockerDiffParserTest extends ParserContractTest {

  private static final String ID = "ab".repeat(32);

  @Override
  protected EvidenceParser parser() {
    return new DockerDiffParser();
  }

  @Test
  void containerIdFromTheFileNameOrDirectory() {
    assertThat(DockerDiffParser.containerId("x/" + ID + ".diff")).isEqualTo(ID);
    assertThat(DockerDiffParser.containerId("x/" + ID + ".diff.txt")).isEqualTo(ID);
    assertThat(DockerDiffParser.containerId("x/docker-diff-" + ID + ".txt")).isEqualTo(ID);
    assertThat(DockerDiffParser.containerId("x/diff_abcdef012345.log")).isEqualTo("abcdef012345");
    assertThat(DockerDiffParser.containerId("containers/" + ID + "/diff.txt")).isEqualTo(ID);
    assertThat(DockerDiffParser.containerId("x/diff.txt")).isNull();
    assertThat(DockerDiffParser.containerId(null)).isNull();
  }

  @Test
  void noContainerWhenThePathSaysNothing() throws Exception {
    var out = parse("A /x\n", Framing.LINES, "bundle/changes.txt");
    assertThat(out.events).singleElement().satisfies(e -> assertThat(e.getContainer()).isNull());
  }

  @Test
  void hugePathLine() throws Exception {
    var out = parse("A /" + "p".repeat(1 << 20) + "\nD /y\n", Framing.LINES, "d.diff");
    assertThat(out.events).hasSize(2);
    assertThat(out.events.get(0).getFile().getPath()).hasSize((1 << 20) + 1);
    assertThat(out.events.get(0).getRawData().length()).isLessThanOrEqualTo(16 * 1024);
  }
}
