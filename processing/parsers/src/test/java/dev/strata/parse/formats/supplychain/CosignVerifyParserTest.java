package dev.strata.parse.formats.supplychain;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.parse.ChunkParser;
import dev.strata.parse.EvidenceParser;
import dev.strata.parse.Json;
import dev.strata.parse.ParserContractTest;
import dev.strata.parse.ParserRegistry;
import dev.strata.parse.testing.Chunks;
import dev.strata.schema.common.Framing;
import dev.strata.schema.event.EvidenceEvent;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Contract + fixtures (src/test/resources/fixtures/cosign_verify) for {@link CosignVerifyParser}. */
class CosignVerifyParserTest extends ParserContractTest {

  @Override
  protected EvidenceParser parser() {
    return new CosignVerifyParser();
  }

  /**
   * Signature payloads are streamed, not read as trees: their {@code optional} fields must still land in unmapped as
   * a tree flatten puts them (Subject and Issuer mapped, the rest under signature.optional.*), whatever the field
   * order and value kinds. Payloads hand-written after cosign's simple-signing format (critical / optional).
   */
  @Test
  void streamedSignatureFieldsAreWhatATreeFlattenGives() throws Exception {
    String[] payloads = {
      "{\"optional\":{\"Subject\":{\"email\":\"a@example.com\",\"n\":[1,2.5]},\"1.3.6.1.4.1.57264.1.8\":\"https://oid\","
          + "\"Bundle\":{\"Payload\":{\"integratedTime\":1.7e9,\"logIndex\":123456789012345678901234567890}}},"
          + "\"critical\":{\"identity\":{\"docker-reference\":\"r/a\"},\"type\":5.0,\"image\":\"x\"},\"extra\":[1]}",
      "{\"critical\":{\"identity\":{\"docker-reference\":\"r/b\"}},\"optional\":{\"Issuer\":[\"a\"],\"k\":-0,\"e\":\"\","
          + "\"t\":true,\"z\":null,\"arr\":[ 1, \"a b\" ],\"o\":{},\"Bundle\":{\"Payload\":{\"integratedTime\":"
          + "\"1725350400\",\"logIndex\":7}}}}",
      "{\"critical\":{\"identity\":{\"docker-reference\":\"r/c\"}},\"optional\":{\"Subject\":\"s@example.com\","
          + "\"Issuer\":\"https://issuer\",\"Bundle\":{\"SignedEntryTimestamp\":\"MEU=\",\"Payload\":{\"body\":\"b\","
          + "\"integratedTime\":1725350400,\"logIndex\":8,\"logID\":\"l\"}}}}"
    };
    ChunkParser parser = new ChunkParser(ParserRegistry.defaults());
    var r = parser.parse(Chunks.single("[" + String.join(",\n", payloads) + "]", CosignVerifyParser.FORMAT,
        Framing.WHOLE, "cosign.json"));
    assertThat(r.deadLetters()).isEmpty();
    assertThat(r.events()).hasSize(payloads.length);
    for (int i = 0; i < payloads.length; i++) {
      JsonNode tree = Json.MAPPER.readTree(payloads[i]);
      Map<String, String> flat = new HashMap<>();
      Json.flatten(flat, "signature.optional", tree.path("optional"), SupplyChain.MAX_TEXT);
      flat.remove("signature.optional.Subject");
      flat.remove("signature.optional.Issuer");
      EvidenceEvent e = r.events().get(i);
      Map<String, String> optional = new HashMap<>(e.getUnmapped());
      optional.keySet().removeIf(k -> !k.startsWith("signature.optional"));
      assertThat(optional).as("payload %d", i).isEqualTo(flat);
      assertThat(e.getContainer().getImageName()).isEqualTo(tree.path("critical").path("identity")
          .path("docker-reference").asText());
    }
    assertThat(r.events().get(0).getActor().getUserName()).isEqualTo("{\"email\":\"a@example.com\",\"n\":[1,2.5]}");
    assertThat(r.events().get(0).getUnmapped()).containsEntry("signature.issuer", "https://oid")
        .containsEntry("signature.type", "5.0")
        .containsEntry("signature.rekor_log_index", "123456789012345678901234567890");
    assertThat(r.events().get(0).getTimeOriginal()).isEqualTo("1.7E9");
    assertThat(r.events().get(1).getUnmapped()).containsEntry("signature.issuer", "[\"a\"]")
        .doesNotContainKey("signature.time_source"); // a textual integratedTime is not a Rekor time
    assertThat(r.events().get(2).getTimeOriginal()).isEqualTo("1725350400");
    assertThat(r.events().get(2).getActor().getUserName()).isEqualTo("s@example.com");
    assertThat(r.events().get(2).getUnmapped()).containsEntry("signature.issuer", "https://issuer")
        .containsEntry("signature.rekor_log_index", "8");
  }
}
