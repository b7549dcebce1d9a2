package dev.strata.parse.formats.podmanevents;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.parse.EvidenceParser;
import dev.strata.parse.ParserContractTest;
import dev.strata.schema.common.Framing;
import org.junit.jupiter.api.Test;

class PodmanEventsParserTest extends ParserContractTest {

  @Override
  protected EvidenceParser parser() {
    return new PodmanEventsParser();
  }

  @Test
  void dockerCompatibleApiStreamIsReadToo() throws Exception {
    String line = "{\"status\":\"start\",\"id\":\"abc\",\"from\":\"alpine\",\"Type\":\"container\",\"Action\":\"start\","
        + "\"Actor\":{\"ID\":\"abc\",\"Attributes\":{\"name\":\"c1\",\"image\":\"alpine\"}},\"time\":1714564800,"
        + "\"timeNano\":1714564800123456789}\n";
    var out = parse(line, Framing.LINES, "x/podman-events.json");
    assertThat(out.rejections).isEmpty();
    assertThat(out.events).hasSize(1);
    var e = out.events.get(0);
    assertThat(e.getActivityName()).isEqualTo("start");
    assertThat(e.getContainer().getUid()).isEqualTo("abc");
    assertThat(e.getContainer().getName()).isEqualTo("c1");
    assertThat(e.getTime().toString()).isEqualTo("2024-05-01T12:00:00.123456Z");
  }

  @Test
  void textLineWithoutZoneOffsetIsMalformed() throws Exception {
    var out = parse("2024-05-01 12:00:00 CEST container create abc (image=x, name=y)\n", Framing.LINES, "x");
    assertThat(out.events).isEmpty();
    assertThat(out.rejections).hasSize(1);
  }

  @Test
  void hugeTextLineIsOneEventOrOneRejection() throws Exception {
    String big = "2024-05-01 12:00:00 +0000 UTC container create abc (image=x, name=y, label=" + "v".repeat(2_000_000)
        + ")\n";
    var out = parse(big, Framing.LINES, "x");
    assertThat(out.events).hasSize(1);
    assertThat(out.events.get(0).getUnmapped().get("attributes.label")).hasSize(64 * 1024);
    assertThat(out.events.get(0).getRawData().length()).isLessThanOrEqualTo(16 * 1024);
  }
}
