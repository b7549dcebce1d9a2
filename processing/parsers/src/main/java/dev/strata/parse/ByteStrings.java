package dev.strata.parse;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Strings of short byte tokens that repeat (account ids, interface ids, statuses, window starts), decoded once: a
 * direct-mapped cache keyed by the token's length and its first and last eight bytes, which for a token of up to 16
 * bytes is the whole token (compared as two longs, no byte loop, no key copy); a longer token also keeps its bytes.
 * A miss decodes (UTF-8) and replaces the slot, so the cache never grows. Not thread-safe: one per thread or per
 * chunk.
 */
public final class ByteStrings {

  /** Tokens longer than this are decoded every time (ARNs and the like rarely repeat enough to pay). */
  public static final int MAX_CACHED_LENGTH = 64;

  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private final int mask;
  private final int[] lengths;
  private final long[] heads;
  private final long[] tails;
  private final byte[][] longKeys;
  private final String[] values;

  /** @param slots number of slots, a power of two */
  public ByteStrings(int slots) {
    if (slots <= 0 || Integer.bitCount(slots) != 1) {
      throw new IllegalArgumentException("slots must be a power of two: " + slots);
    }
    this.mask = slots - 1;
    this.lengths = new int[slots];
    this.heads = new long[slots];
    this.tails = new long[slots];
    this.longKeys = new byte[slots][];
    this.values = new String[slots];
  }

  /** The UTF-8 text of {@code b[s, e)}, from the cache when the same bytes were decoded recently. */
  public String get(byte[] b, int s, int e) {
    int len = e - s;
    if (len <= 0 || len > MAX_CACHED_LENGTH) return new String(b, s, Math.max(len, 0), StandardCharsets.UTF_8);
    long head;
    long tail;
    if (len >= 8) {
      head = (long) LONGS.get(b, s);
      tail = (long) LONGS.get(b, e - 8);
    } else {
      head = 0;
      for (int k = s; k < e; k++) head = (head << 8) | (b[k] & 0xff);
      tail = 0;
    }
    long x = (head + len) * 0x9E3779B97F4A7C15L ^ tail * 0xC2B2AE3D27D4EB4FL;
    int slot = (int) (x ^ (x >>> 29) ^ (x >>> 41)) & mask;
    if (lengths[slot] == len && heads[slot] == head && tails[slot] == tail
        && (len <= 16 || Arrays.equals(longKeys[slot], 0, len, b, s, e))) {
      return values[slot];
    }
    String v = new String(b, s, len, StandardCharsets.UTF_8);
    lengths[slot] = len;
    heads[slot] = head;
    tails[slot] = tail;
    longKeys[slot] = len <= 16 ? null : Arrays.copyOfRange(b, s, e);
    values[slot] = v;
    return v;
  }
}
