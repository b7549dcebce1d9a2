package dev.strata.ingest.chunk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.schema.common.Framing;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** LENGTH_PREFIXED framing: chunks end only after complete frames; nothing after a corrupt frame is a boundary. */
class LengthPrefixedChunkerTest {

  private static byte[] frame(int n, Random r) {
    byte[] body = new byte[n];
    r.nextBytes(body);
    return ByteBuffer.allocate(n + 8).putInt(n).put(body).putInt(n).array();
  }

  @Test
  void chunksEndOnFrameBoundariesWhateverTheReadSizes() throws Exception {
    Random r = new Random(11);
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    List<Long> ends = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      all.writeBytes(frame(r.nextInt(3000), r));
      ends.add((long) all.size());
    }
    byte[] content = all.toByteArray();
    ChunkPlan plan = new Chunker(16 * 1024, 64 * 1024).plan(new ByteArrayInputStream(content), Framing.LENGTH_PREFIXED);
    assertThat(plan.chunks().size()).isGreaterThan(10);
    long pos = 0;
    for (PlannedChunk c : plan.chunks()) {
      assertThat(c.offset()).isEqualTo(pos);
      assertThat(ends).contains(c.offset() + c.length());
      assertThat(c.firstRecord()).isEqualTo(ends.indexOf(c.offset()) + 1);
      assertThat(c.firstLine()).isEqualTo(1);
      assertThat(c.truncatedRecord()).isFalse();
      pos += c.length();
    }
    assertThat(pos).isEqualTo(content.length);
  }

  @Test
  void noBoundaryAfterACorruptFrame() {
    Random r = new Random(3);
    byte[] good = frame(100, r);
    byte[] bad = frame(100, r);
    bad[bad.length - 1] ^= 1; // trailing length differs
    byte[] more = frame(100, r);
    LengthPrefixedBoundaryScanner sc = new LengthPrefixedBoundaryScanner();
    byte[] all = ByteBuffer.allocate(good.length + bad.length + more.length).put(good).put(bad).put(more).array();
    assertThat(sc.next(all, 0, all.length)).isEqualTo(good.length);
    assertThat(sc.next(all, good.length, all.length)).isEqualTo(-1);
    assertThat(sc.boundaries()).isEqualTo(1);
    // a length over the maximum is corrupt at once
    LengthPrefixedBoundaryScanner sc2 = new LengthPrefixedBoundaryScanner();
    byte[] huge = {0x7f, 0, 0, 0, 1, 2, 3};
    assertThat(sc2.next(huge, 0, huge.length)).isEqualTo(-1);
  }

  @Test
  void byteByByteFeedingFindsTheSameBoundaries() {
    Random r = new Random(5);
    byte[] a = frame(10, r);
    byte[] b = frame(0, r);
    byte[] all = ByteBuffer.allocate(a.length + b.length).put(a).put(b).array();
    LengthPrefixedBoundaryScanner sc = new LengthPrefixedBoundaryScanner();
    List<Integer> found = new ArrayList<>();
    for (int i = 0; i < all.length; i++) {
      if (sc.next(all, i, i + 1) >= 0) found.add(i + 1);
    }
    assertThat(found).containsExactly(a.length, all.length);
  }
}
