package dev.strata.parse;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class BytesTest {

  @Test
  void agreesWithASimpleLoop() {
    Random r = new Random(1);
    for (int t = 0; t < 100_000; t++) {
      byte[] b = new byte[r.nextInt(40)];
      for (int i = 0; i < b.length; i++) {
        int k = r.nextInt(8);
        b[i] = (byte) (k == 0 ? '\n' : k == 1 ? '"' : k == 2 ? '\\' : k < 5 ? 'a' + r.nextInt(26) : r.nextInt(256));
      }
      int from = b.length == 0 ? 0 : r.nextInt(b.length);
      int to = from + r.nextInt(b.length - from + 1);
      int count = 0;
      int first = -1;
      for (int i = from; i < to; i++) {
        if (b[i] == '\n') {
          count++;
          if (first < 0) first = i;
        }
      }
      assertThat(Bytes.countNewlines(b, from, to)).isEqualTo(count);
      assertThat(Bytes.indexOfNewline(b, from, to)).isEqualTo(first);
      int special = to;
      for (int i = from; i < to; i++) {
        if (b[i] == '"' || b[i] == '\\' || b[i] < 0x20) {
          special = i;
          break;
        }
      }
      assertThat(Bytes.indexOfStringSpecial(b, from, to)).isEqualTo(special);
    }
  }

  /** Every byte value in every lane, with neighbours that would carry or borrow into it in a naive bit trick. */
  @Test
  void spaceOrControlMaskFlagsExactlyTheBytesUpToSpace() {
    Random r = new Random(2);
    int[] neighbours = {0x00, 0x20, 0x21, 0x7f, 0x80, 0xa0, 0xff};
    byte[] b = new byte[8];
    for (int lane = 0; lane < 8; lane++) {
      for (int v = 0; v < 256; v++) {
        for (int i = 0; i < 8; i++) b[i] = (byte) neighbours[r.nextInt(neighbours.length)];
        b[lane] = (byte) v;
        long want = 0;
        for (int i = 0; i < 8; i++) {
          if ((b[i] & 0xff) <= 0x20) want |= 0x80L << (8 * i);
        }
        assertThat(Bytes.spaceOrControlMask(b, 0)).isEqualTo(want);
        int end = r.nextInt(9);
        assertThat(Bytes.spaceOrControlMask(b, 0, end)).isEqualTo(end == 8 ? want : want & ((1L << (8 * end)) - 1));
      }
    }
  }
}
