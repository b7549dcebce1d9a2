package dev.strata.parse.formats.crictlinspect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.parse.EvidenceParser;
import dev.strata.parse.ParserContractTest;
import dev.strata.schema.common.Framing;
import org.junit.jupiter.api.Test;

class CrictlInspectParserTest extends ParserContractTest {

  @Override
  protected EvidenceParser parser() {
    return new CrictlInspectParser();
  }

  @Test
  void concatenatedInspectDocumentsAreEachRead() throws Exception {
    String one = "{\"status\":{\"id\":\"a1\",\"state\":\"CONTAINER_RUNNING\",\"createdAt\":\"2024-05-01T12:00:00Z\","
        + "\"startedAt\":\"2024-05-01T12:00:01Z\",\"finishedAt\":\"0001-01-01T00:00:00Z\"},\"info\":{}}\n";
    var out = parse(one + one.replace("a1", "b2"), Framing.WHOLE, "x/crictl-inspect.json");
    assertThat(out.rejections).isEmpty();
    assertThat(out.events).extracting(e -> e.getActivityName() + ":" + e.getContainer().getUid())
        .containsExactly("created:a1", "started:a1", "created:b2", "started:b2");
    assertThat(out.events.get(2).getLineage().getByteOffset()).isEqualTo(one.length());
  }

  @Test
  void envOfTheRuntimeSpecIsNeverKept() throws Exception {
    String doc = "{\"status\":{\"id\":\"a1\",\"state\":\"CONTAINER_RUNNING\",\"createdAt\":\"1\"},"
        + "\"info\":{\"runtimeSpec\":{\"process\":{\"args\":[\"sh\"],\"env\":[\"TOKEN=abc-secret\"]}}}}";
    var out = parse(doc, Framing.WHOLE, "x");
    assertThat(out.events).hasSize(1);
    assertThat(out.events.get(0).toString()).doesNotContain("abc-secret");
  }

  @Test
  void garbageAfterAValidDocumentIsOneRejection() throws Exception {
    String doc = "{\"status\":{\"id\":\"a1\",\"state\":\"SANDBOX_READY\",\"createdAt\":\"1\"},\"info\":{}}\n{oops\n";
    var out = parse(doc, Framing.WHOLE, "x");
    assertThat(out.events).hasSize(1);
    assertThat(out.rejections).hasSize(1);
  }
}
