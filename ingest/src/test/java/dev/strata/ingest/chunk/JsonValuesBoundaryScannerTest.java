package dev.strata.ingest.chunk;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Back-to-back JSON objects as Firehose writes CloudWatch Logs subscription messages to S3: cut between the objects,
 * never inside a string (braces and newlines in a message), so an object larger than max_record_bytes in all is read
 * message by message (FirehoseVpcCniScenarioIT: the whole Firehose object was one record).
 */
class JsonValuesBoundaryScannerTest {

  static String message(int n) {
    return "{\"messageType\":\"DATA_MESSAGE\",\"logEvents\":[{\"id\":\"" + n + "\",\"message\":\"{\\\"a\\\":\\\"}\\\\n{\\\"}\"}],"
        + "\"pad\":\"" + "x".repeat(300) + "\"}";
  }

  @Test
  void backToBackObjectsAreCutBetweenThemAndNeverInsideAString() throws Exception {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 40; i++) b.append(message(i));
    byte[] content = b.toString().getBytes(StandardCharsets.UTF_8);
    int one = message(0).length();
    // every object fits max_record_bytes, all of them do not: several chunks, none truncated, each whole objects
    Chunker chunker = new Chunker(2 * one + 10, 4 * one);
    ChunkPlan plan = chunker.plan(new ByteArrayInputStream(content), new JsonValuesBoundaryScanner());
    assertThat(plan.truncations()).isEmpty();
    assertThat(plan.chunks().size()).isGreaterThan(10);
    long records = 0;
    for (PlannedChunk c : plan.chunks()) {
      String payload = new String(content, (int) c.offset(), c.length(), StandardCharsets.UTF_8);
      assertThat(payload).startsWith("{\"messageType\"").endsWith("}");
      assertThat(c.firstRecord()).isEqualTo(records);
      records += payload.split("\\{\"messageType\"", -1).length - 1;
    }
    assertThat(records).isEqualTo(40);
  }

  @Test
  void jsonLinesAreCutAsLinesWithoutEmptyRecords() throws Exception {
    byte[] content = (message(1) + "\n" + message(2) + "\n\n" + message(3) + "\n").getBytes(StandardCharsets.UTF_8);
    JsonValuesBoundaryScanner sc = new JsonValuesBoundaryScanner();
    int at = 0;
    int n = 0;
    while ((at = sc.next(content, at, content.length)) >= 0) n++;
    assertThat(n).isEqualTo(3);
    assertThat(sc.boundaries()).isEqualTo(3);
    assertThat(sc.newlines()).isEqualTo(4);
  }
}
