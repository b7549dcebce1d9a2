package dev.strata.parse;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/** Fast byte scanning (eight bytes at a time). */
public final class Bytes {

  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long ONES = 0x0101010101010101L;
  private static final long HIGHS = 0x8080808080808080L;
  private static final long NEWLINES = ONES * '\n';

  private Bytes() {}

  /** Index of the first '\n' in [from, to), or -1. */
  public static int indexOfNewline(byte[] b, int from, int to) {
    return indexOf(b, (byte) '\n', from, to);
  }

  /** Index of the first byte x in [from, to), or -1. */
  public static int indexOf(byte[] b, byte x, int from, int to) {
    long pattern = ONES * (x & 0xFF);
    int i = from;
    while (i + 8 <= to) {
      long w = (long) LONGS.get(b, i) ^ pattern;
      long z = (w - ONES) & ~w & HIGHS; // a high bit set where a byte of w is zero
      if (z != 0) return i + (Long.numberOfTrailingZeros(z) >>> 3);
      i += 8;
    }
    for (; i < to; i++) {
      if (b[i] == x) return i;
    }
    return -1;
  }

  /** Number of '\n' bytes in [from, to). */
  public static int countNewlines(byte[] b, int from, int to) {
    int n = 0;
    int i = from;
    while (i + 8 <= to) {
      long w = (long) LONGS.get(b, i) ^ NEWLINES;
      // exact per-byte zero test (no false positives from borrows): high bit set where the byte is zero
      long z = ~(((w & ~HIGHS) + ~HIGHS) | w) & HIGHS;
      n += Long.bitCount(z);
      i += 8;
    }
    for (; i < to; i++) {
      if (b[i] == '\n') n++;
    }
    return n;
  }

  private static final long LOW7 = ~HIGHS;
  private static final long OVER_SPACE = ONES * (0x80 - 0x21);

  /**
   * The eight bytes at {@code i} as a mask with the high bit of each byte set where that byte is a space or a control
   * byte (0x00-0x20), exactly (no false positives from carries); bytes 0x80-0xFF are not flagged. Needs {@code i + 8
   * <= b.length}. Lowest byte first: the first such byte is at {@code i + numberOfTrailingZeros(mask) / 8}.
   */
  public static long spaceOrControlMask(byte[] b, int i) {
    long w = (long) LONGS.get(b, i);
    return ~(((w & LOW7) + OVER_SPACE) | w) & HIGHS;
  }

  /** As {@link #spaceOrControlMask(byte[], int)} for the fewer than eight bytes [i, end) at the end of a range. */
  public static long spaceOrControlMask(byte[] b, int i, int end) {
    long m = 0;
    for (int k = i; k < end; k++) {
      if ((b[k] & 0xff) <= 0x20) m |= 0x80L << ((k - i) << 3);
    }
    return m;
  }

  private static final long QUOTES = ONES * '"';
  private static final long BACKSLASHES = ONES * '\\';
  private static final long SPACES = ONES * 0x20;

  /**
   * Index of the first byte in [from, to) that ends or complicates a plain ASCII JSON string: '"', '\\', a control
   * character (below 0x20) or a non-ASCII byte; {@code to} if there is none.
   */
  public static int indexOfStringSpecial(byte[] b, int from, int to) {
    int i = from;
    while (i + 8 <= to) {
      long w = (long) LONGS.get(b, i);
      long q = w ^ QUOTES;
      long s = w ^ BACKSLASHES;
      long m = ((q - ONES) & ~q) | ((s - ONES) & ~s) | (w - SPACES) | w;
      if ((m & HIGHS) != 0) break; // something in these 8 bytes (maybe): look byte by byte
      i += 8;
    }
    for (; i < to; i++) {
      byte c = b[i];
      if (c == '"' || c == '\\' || c < 0x20) return i; // c < 0 for non-ASCII
    }
    return to;
  }
  /** True when [from, to) holds only spaces, tabs and carriage returns (a blank line without its '\n'). */
  public static boolean isBlankLine(byte[] b, int from, int to) {
    for (int k = from; k < to; k++) {
      byte c = b[k];
      if (c != ' ' && c != '\t' && c != '\r') return false;
    }
    return true;
  }

  /**
   * Start of the last line of {@code b} that holds anything but whitespace, or -1 when there is none: the line a
   * collector may have cut at its max record size (a chunk flagged truncated ends inside that line).
   */
  public static int lastContentLineStart(byte[] b) {
    int e = b.length;
    while (e > 0 && (b[e - 1] == '\n' || b[e - 1] == '\r' || b[e - 1] == ' ' || b[e - 1] == '\t')) e--;
    if (e == 0) return -1;
    int s = e;
    while (s > 0 && b[s - 1] != '\n') s--;
    return s;
  }
}
