package dev.strata.parse.formats.dockerlocallog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.parse.EvidenceParser;
import dev.strata.parse.ParserContractTest;
import dev.strata.parse.testing.Chunks;
import dev.strata.schema.common.Framing;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class DockerLocalLogParserTest extends ParserContractTest {

  private static final String ORIGIN = "containers/" + "c".repeat(64) + "/local-logs/container.log";

  @Override
  protected EvidenceParser parser() {
    return new DockerLocalLogParser();
  }

  /** A LogEntry frame, encoded by hand (field 1 source, 2 time_nano, 3 line). */
  static byte[] frame(String source, long timeNano, byte[] line) {
    ByteArrayOutputStream m = new ByteArrayOutputStream();
    m.write(0x0a);
    varint(m, source.length());
    m.writeBytes(source.getBytes(StandardCharsets.UTF_8));
    m.write(0x10);
    varint(m, timeNano);
    m.write(0x1a);
    varint(m, line.length);
    m.writeBytes(line);
    byte[] body = m.toByteArray();
    return ByteBuffer.allocate(body.length + 8).putInt(body.length).put(body).putInt(body.length).array();
  }

  private static void varint(ByteArrayOutputStream o, long v) {
    while ((v & ~0x7fL) != 0) {
      o.write((int) ((v & 0x7f) | 0x80));
      v >>>= 7;
    }
    o.write((int) v);
  }

  @Test
  void aHugeLineAndAHugeLengthHeader() throws Exception {
    byte[] big = frame("stdout", 1, "x".repeat(1 << 20).getBytes(StandardCharsets.UTF_8));
    byte[] bad = {0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, 1, 2, 3};
    byte[] all = ByteBuffer.allocate(big.length + bad.length).put(big).put(bad).array();
    var out = parse(Chunks.single(all, format(), Framing.LENGTH_PREFIXED, ORIGIN));
    assertThat(out.events).hasSize(1);
    assertThat(out.events.get(0).getMessage()).hasSize(1 << 20);
    assertThat(out.rejections).singleElement().satisfies(r -> {
      assertThat(r.reason().code()).isEqualTo("malformed_record");
      assertThat(r.byteOffset()).isEqualTo(big.length);
      assertThat(r.message()).contains("bad frame length");
      assertThat(r.original()).hasSize(bad.length);
    });
  }

  @Test
  void aFrameCutByTheCollectorIsRecordTooLarge() throws Exception {
    byte[] f = frame("stderr", 1, "y".repeat(5000).getBytes(StandardCharsets.UTF_8));
    byte[] cut = Arrays.copyOf(f, 1000);
    var chunk = Chunks.chunk(cut, "ab".repeat(32), format(), Framing.LENGTH_PREFIXED, ORIGIN, 0, 1, 0, 1, 0, true, f);
    var out = parse(chunk);
    assertThat(out.events).isEmpty();
    assertThat(out.rejections).singleElement().satisfies(r -> {
      assertThat(r.reason().code()).isEqualTo("record_too_large");
      assertThat(r.originalTruncated()).isTrue();
    });
  }

  @Test
  void laterChunksCountRecordsAndOffsetsFromTheirPosition() throws Exception {
    byte[] f = frame("stdout", 1_714_564_800_000_000_000L, "later\n".getBytes(StandardCharsets.UTF_8));
    var chunk = Chunks.chunk(f, "ab".repeat(32), format(), Framing.LENGTH_PREFIXED, ORIGIN, 3, 4, 123_456, 1, 42,
        false, f);
    var e = parse(chunk).events.get(0);
    assertThat(e.getLineage().getByteOffset()).isEqualTo(123_456);
    assertThat(e.getLineage().getRecordIndex()).isEqualTo(42);
    assertThat(e.getLineage().getLineNumber()).isNull();
    assertThat(e.getTime().toString()).isEqualTo("2024-05-01T12:00:00Z");
    assertThat(e.getContainer().getUid()).isEqualTo("c".repeat(64));
  }
}
