package dev.strata.parse.formats.dockerevents;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.parse.EvidenceParser;
import dev.strata.parse.ParserContractTest;
import dev.strata.parse.testing.Chunks;
import dev.strata.schema.common.Framing;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DockerEventsParserTest extends ParserContractTest {

  @Override
  protected EvidenceParser parser() {
    return new DockerEventsParser();
  }

  @Test
  void hugeAttributeIsCutAndATruncatedLineIsRecordTooLarge() throws Exception {
    String big = "{\"Type\":\"container\",\"Action\":\"create\",\"Actor\":{\"ID\":\"x\",\"Attributes\":{\"l\":\""
        + "v".repeat(2 << 20) + "\"}},\"timeNano\":1}\n";
    var out = parse(big, Framing.LINES, "docker-events.json");
    assertThat(out.events).hasSize(1);
    assertThat(out.events.get(0).getUnmapped().get("attributes.l")).hasSize(64 * 1024);
    byte[] cut = "{\"Type\":\"container\",\"Action\":\"create\",\"Actor\":{\"ID\":\"x\",\"Attr".getBytes(StandardCharsets.UTF_8);
    var res = parse(Chunks.chunk(cut, "ab".repeat(32), format(), Framing.LINES, "e", 0, 1, 0, 1, 0, true, cut));
    assertThat(res.events).isEmpty();
    assertThat(res.rejections).singleElement().satisfies(r -> assertThat(r.reason().code()).isEqualTo("record_too_large"));
  }

  @Test
  void timeWithoutNanos() throws Exception {
    var e = parse("{\"Type\":\"volume\",\"Action\":\"create\",\"Actor\":{\"ID\":\"v\"},\"time\":1714564800}\n",
        Framing.LINES, "x").events.get(0);
    assertThat(e.getTime().toString()).isEqualTo("2024-05-01T12:00:00Z");
    assertThat(e.getTimeOriginal()).isEqualTo("1714564800");
    assertThat(e.getContainer()).isNull();
  }
}
