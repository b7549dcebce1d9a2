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
}
