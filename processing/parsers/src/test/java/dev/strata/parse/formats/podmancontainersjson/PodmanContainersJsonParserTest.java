package dev.strata.parse.formats.podmancontainersjson;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.parse.EvidenceParser;
import dev.strata.parse.ParserContractTest;
import dev.strata.schema.common.Framing;
import org.junit.jupiter.api.Test;

class PodmanContainersJsonParserTest extends ParserContractTest {

  @Override
  protected EvidenceParser parser() {
    return new PodmanContainersJsonParser();
  }

  @Test
  void emptyRegistryHasNoEvents() throws Exception {
    var out = parse("[]", Framing.JSON_RECORDS, "s/overlay-containers/containers.json");
    assertThat(out.events).isEmpty();
    assertThat(out.rejections).isEmpty();
  }

  @Test
  void metadataThatIsNotJsonIsKeptAsText() throws Exception {
    var out = parse("[{\"id\":\"abc\",\"layer\":\"l\",\"metadata\":\"not json\"}]", Framing.JSON_RECORDS, "x");
    assertThat(out.events).hasSize(1);
    assertThat(out.events.get(0).getUnmapped()).containsEntry("metadata", "not json")
        .containsKey("strata.warning");
  }
}
