package dev.strata.parse.formats.dockerinspect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.parse.EvidenceParser;
import dev.strata.parse.ParserContractTest;
import dev.strata.schema.common.Framing;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

class DockerInspectParserTest extends ParserContractTest {

  @Override
  protected EvidenceParser parser() {
    return new DockerInspectParser();
  }

  @Test
  void envValuesAreNeverKept() throws Exception {
    for (String f : new String[] {"containers.input", "images.input"}) {
      String in = Files.readString(fixtureDir(format()).resolve(f));
      var out = parse(in, Framing.WHOLE, "x/inspect.json");
      assertThat(out.events).isNotEmpty();
      out.events.forEach(e -> assertThat(e.toString()).doesNotContain("hunter2").doesNotContain("API_KEY=secret"));
    }
  }

  @Test
  void oneObjectPerLine() throws Exception {
    String line = "{\"Id\":\"" + "a".repeat(64) + "\",\"Created\":\"2024-05-01T00:00:00Z\",\"State\":{\"Status\":\"created\"},"
        + "\"Config\":{\"Image\":\"x\"},\"HostConfig\":{\"NetworkMode\":\"host\"}}\n";
    var out = parse(line + line, Framing.LINES, "inspect.jsonl");
    assertThat(out.events).hasSize(2);
    assertThat(out.events.get(1).getLineage().getLineNumber()).isEqualTo(2);
    assertThat(out.events.get(0).getUnmapped()).containsEntry("strata.risk", "host_network");
  }
}
