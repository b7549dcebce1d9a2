package dev.strata.ingest.chunk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.schema.common.Framing;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Chunks of CRI and Docker json-file logs end after a line that ends a message: containerd / CRI-O write a message
 * over 16 KiB as P pieces up to an F line, Docker's json-file driver as lines whose log value lacks its \n. Record
 * numbers stay those of plain lines.
 */
class SplitMessageLineScannerTest {

  private static String cri(int i, char tag, int len) {
    return "2025-06-01T10:00:" + String.format("%02d", i % 60) + ".123456789Z stdout " + tag + " " + "m".repeat(len)
        + "\n";
  }

  private static String docker(String log) {
    return "{\"log\":\"" + log + "\",\"stream\":\"stdout\",\"time\":\"2025-06-01T10:00:00.1Z\"}\n";
  }

  /** Each chunk's last line: whether it ends a message (F, or a json-file line ending \n). */
  private static void assertCutsAfterMessages(byte[] content, BoundaryScanner scanner, int chunkSize, boolean cri)
      throws IOException {
    Chunker chunker = new Chunker(chunkSize, 1 << 20);
    ChunkPlan plan = chunker.plan(ChunkerTest.jittery(content, 3), scanner);
    assertThat(plan.count()).isGreaterThan(3);
    long offset = 0;
    for (PlannedChunk c : plan.chunks()) {
      assertThat(c.offset()).isEqualTo(offset);
      offset += c.length();
      int end = (int) (c.offset() + c.length());
      assertThat(content[end - 1]).isEqualTo((byte) '\n');
      int start = end - 2;
      while (start >= 0 && content[start] != '\n') start--;
      String last = new String(content, start + 1, end - start - 1, StandardCharsets.UTF_8);
      if (c.index() < plan.count() - 1) {
        if (cri) assertThat(last).as("chunk %d", c.index()).contains(" stdout F ");
        else assertThat(last).as("chunk %d", c.index()).contains("\\n\",\"stream\"");
      }
      long lines = 0;
      for (int i = 0; i < c.offset(); i++) if (content[i] == '\n') lines++;
      assertThat(c.firstRecord()).isEqualTo(lines);
      assertThat(c.firstLine()).isEqualTo(lines + 1);
    }
    assertThat(offset).isEqualTo(content.length);
  }

  @Test
  void criPiecesStayWithTheirFLine() throws IOException {
    Random r = new Random(7);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 400; i++) {
      int pieces = r.nextInt(4);
      for (int p = 0; p < pieces; p++) sb.append(cri(i, 'P', 300));
      sb.append(cri(i, 'F', 20 + r.nextInt(200)));
    }
    byte[] content = sb.toString().getBytes(StandardCharsets.UTF_8);
    assertCutsAfterMessages(content, SplitMessageLineScanner.cri(), 4096, true);
    // plain lines framing cuts between the pieces of a message in this content (what the scanner is for)
    ChunkPlan plain = new Chunker(4096, 1 << 20).plan(new ByteArrayInputStream(content), Framing.LINES);
    assertThat(plain.chunks()).anySatisfy(c -> {
      int end = (int) (c.offset() + c.length());
      int start = end - 2;
      while (start >= 0 && content[start] != '\n') start--;
      assertThat(new String(content, start + 1, end - start - 1, StandardCharsets.UTF_8)).contains(" stdout P ");
    });
  }

  @Test
  void dockerPiecesStayWithTheirEnd() throws IOException {
    Random r = new Random(9);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 400; i++) {
      int pieces = r.nextInt(4);
      for (int p = 0; p < pieces; p++) sb.append(docker("piece " + "d".repeat(300) + "n")); // ends with a plain n
      sb.append(docker("end \\\\" + "e".repeat(r.nextInt(200)) + "\\n")); // an escaped backslash inside, \n at the end
    }
    assertCutsAfterMessages(sb.toString().getBytes(StandardCharsets.UTF_8), SplitMessageLineScanner.dockerJson(), 4096,
        false);
  }

  /** A log value ending in an escaped backslash then n ({@code \\n}: a backslash and the letter n) is a piece. */
  @Test
  void anEscapedBackslashBeforeNIsNoNewline() {
    SplitMessageLineScanner s = SplitMessageLineScanner.dockerJson();
    byte[] piece = docker("ends with \\\\n").getBytes(StandardCharsets.UTF_8);
    assertThat(s.next(piece, 0, piece.length)).isEqualTo(-1);
    byte[] end = docker("done\\n").getBytes(StandardCharsets.UTF_8);
    assertThat(s.next(end, 0, end.length)).isEqualTo(end.length);
    assertThat(s.boundaries()).isEqualTo(2);
  }

  /** A message that never ends is cut as plain lines are once it holds MAX_OPEN_BYTES: nothing is truncated. */
  @Test
  void aMessageWithoutEndIsCutAfterTheCap() throws IOException {
    StringBuilder sb = new StringBuilder();
    while (sb.length() < 3 * SplitMessageLineScanner.MAX_OPEN_BYTES) sb.append(cri(1, 'P', 16 * 1024 - 50));
    byte[] content = sb.toString().getBytes(StandardCharsets.UTF_8);
    Chunker chunker = new Chunker(64 * 1024, 1 << 20);
    ChunkPlan plan = chunker.plan(new ByteArrayInputStream(content), SplitMessageLineScanner.cri());
    assertThat(plan.chunks()).noneMatch(PlannedChunk::truncatedRecord);
    assertThat(plan.chunks()).allMatch(c -> c.length() <= SplitMessageLineScanner.MAX_OPEN_BYTES + 16 * 1024);
    assertThat(plan.chunks().stream().mapToLong(PlannedChunk::length).sum()).isEqualTo(content.length);
  }

  @Test
  void plainLinesFramingIsUnchangedForOtherFormats() {
    assertThat(BoundaryScanner.forFraming(Framing.LINES)).isInstanceOf(LineBoundaryScanner.class);
  }
}
