package dev.strata.sink.opensearch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.schema.deadletter.DeadLetter;
import dev.strata.sink.testing.SampleEvents;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class DeadLetterDocumentsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void originalAsBase64AndTextPreview() throws Exception {
    byte[] original = "{\"log\":\"broken".getBytes(StandardCharsets.UTF_8);
    DeadLetter d = SampleEvents.deadLetter(original);
    JsonNode doc = JSON.readTree(DeadLetterDocuments.toJson(d));
    assertThat(doc.has("original")).isFalse();
    assertThat(Base64.getDecoder().decode(doc.get("original_b64").asText())).isEqualTo(original);
    assertThat(doc.get("original_text").asText()).isEqualTo("{\"log\":\"broken");
    assertThat(doc.get("stage").asText()).isEqualTo("PARSE");
    assertThat(doc.get("reason").asText()).isEqualTo("malformed_json");
    assertThat(doc.get("time").asText()).isEqualTo("2024-05-01T12:34:56.123456Z");
    assertThat(doc.get("original_truncated").asBoolean()).isFalse();
    assertThat(DeadLetterDocuments.DEFAULT.id(d)).isEqualTo(d.getDeadLetterId());
    assertThat(DeadLetterDocuments.DEFAULT.index(d)).isEqualTo("strata-deadletters-v1");
  }

  @Test
  void previewIsBoundedAndDoesNotCutACharacter() {
    byte[] big = new byte[10_000];
    Arrays.fill(big, (byte) 'a');
    assertThat(DeadLetterDocuments.preview(big, 4096)).hasSize(4096);
    // "é" is two bytes; put one across the 4096 boundary
    byte[] e = "é".getBytes(StandardCharsets.UTF_8);
    big[4095] = e[0];
    big[4096] = e[1];
    String p = DeadLetterDocuments.preview(big, 4096);
    assertThat(p).hasSize(4095).doesNotContain("\uFFFD");
  }

  @Test
  void invalidUtf8IsReplacedNotFatal() {
    byte[] bin = {(byte) 0xff, 'o', 'k'};
    assertThat(DeadLetterDocuments.preview(bin, 4096)).isEqualTo("\uFFFDok");
  }
}
