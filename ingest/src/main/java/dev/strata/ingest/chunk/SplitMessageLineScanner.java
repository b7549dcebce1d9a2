package dev.strata.ingest.chunk;

import java.nio.charset.StandardCharsets;

/**
 * LINES framing for the container log formats whose messages can span lines, so a chunk is never cut inside a split
 * message (the parser joins the pieces of a message only within one chunk):
 *
 * <ul>
 *   <li>CRI logs ({@link #cri()}): {@code <time> <stream> P[:tags] <content>} is a piece, the message ends with the
 *       next {@code F} line (the kubelet's {@code pkg/kubelet/kuberuntime/logs}; containerd and CRI-O split writes
 *       longer than 16 KiB);
 *   <li>Docker json-file logs ({@link #dockerJson()}): a line whose {@code log} value does not end with {@code \n} is a
 *       piece of a message over 16 KiB.
 * </ul>
 *
 * A boundary follows a line that ends a message; after a piece there is none, unless the open message already holds
 * {@link #MAX_OPEN_BYTES} (a message without end must not become one record the chunker truncates: it is cut as plain
 * lines are, and the parser marks the open pieces partial). Lines are still counted as records ({@link #boundaries()}
 * = lines), so record numbers, and the event ids made of them, are those of plain LINES framing. Only the newlines are
 * looked for byte by byte; a line's framing is judged at its end from its first and last bytes (a line fed over
 * several calls keeps its first 128 and last 512).
 */
public final class SplitMessageLineScanner extends LineRecords {

  /** The most bytes a message of pieces is kept in one chunk for. */
  static final int MAX_OPEN_BYTES = 256 * 1024;

  private static final byte[] DOCKER_STREAM = "\",\"stream\":".getBytes(StandardCharsets.US_ASCII);
  /** How far from a json-file line's end {@code ","stream":} is looked for (the stream, attrs and time follow it). */
  private static final int DOCKER_SUFFIX = 4096;
  private static final int HEAD = 128;
  private static final int TAIL = 512;

  private final boolean cri;
  /** Bytes since the last boundary returned (the open message's, while its pieces are read). */
  private long open;

  // the current line's bytes fed in earlier calls: its first HEAD and last TAIL bytes and how many there were
  private final byte[] head = new byte[HEAD];
  private final byte[] tail = new byte[TAIL];
  private long carried;
  private int tailLen;

  // the line being judged: its part in the buffer of this call
  private byte[] buf;
  private int lineStart;

  private SplitMessageLineScanner(boolean cri) {
    this.cri = cri;
  }

  public static SplitMessageLineScanner cri() {
    return new SplitMessageLineScanner(true);
  }

  public static SplitMessageLineScanner dockerJson() {
    return new SplitMessageLineScanner(false);
  }

  @Override
  public int next(byte[] buf, int from, int to) {
    int start = from;
    int i = from;
    while (true) {
      while (i < to && buf[i] != '\n') i++;
      if (i == to) {
        carry(buf, start, to);
        return -1;
      }
      newlines++;
      this.buf = buf;
      this.lineStart = start;
      long length = carried + (i - start);
      boolean piece = cri ? criPiece(length) : dockerPiece(length);
      this.buf = null;
      open += length + 1;
      carried = 0;
      tailLen = 0;
      i++;
      if (!piece || open >= MAX_OPEN_BYTES) {
        open = 0;
        return i;
      }
      start = i;
    }
  }

  /** Keeps the head and tail of a line that goes on in the next call. */
  private void carry(byte[] b, int from, int to) {
    for (int k = from; k < to && carried + (k - from) < HEAD; k++) head[(int) (carried + (k - from))] = b[k];
    int n = to - from;
    if (n >= TAIL) {
      System.arraycopy(b, to - TAIL, tail, 0, TAIL);
      tailLen = TAIL;
    } else {
      int keep = Math.min(tailLen, TAIL - n);
      System.arraycopy(tail, tailLen - keep, tail, 0, keep);
      System.arraycopy(b, from, tail, keep, n);
      tailLen = keep + n;
    }
    carried += n;
  }

  /** Byte {@code k} of the current line, or -1 where it is no longer known (the middle of a long line). */
  private int at(long k) {
    if (k >= carried) return buf[(int) (lineStart + (k - carried))];
    if (k < HEAD) return head[(int) k];
    long t = k - (carried - tailLen);
    return t >= 0 ? tail[(int) t] : -1;
  }

  /** {@code <time> <stream> P[:tags] <content>}: the tag after the second blank starts with P. */
  private boolean criPiece(long length) {
    if (carried == 0) { // the whole line is in the buffer (the usual case)
      byte[] b = buf;
      int end = lineStart + (int) Math.min(length, HEAD);
      int spaces = 0;
      for (int k = lineStart; k < end; k++) {
        if (b[k] == ' ' && ++spaces == 2) return k + 1 < lineStart + length && b[k + 1] == 'P';
      }
      return false;
    }
    int spaces = 0;
    for (long k = 0; k < length && k < HEAD; k++) {
      if (at(k) == ' ' && ++spaces == 2) return k + 1 < length && at(k + 1) == 'P';
    }
    return false;
  }

  /**
   * {@code {"log":"...","stream":...}}: a piece when the log value does not end with an escaped newline; a line
   * without {@code ","stream":} near its end (another field order) is a record.
   */
  private boolean dockerPiece(long length) {
    int n = DOCKER_STREAM.length;
    if (carried == 0) { // the whole line is in the buffer (the usual case)
      byte[] b = buf;
      int end = lineStart + (int) length;
      for (int k = end - n; k >= lineStart + 1 && k >= end - DOCKER_SUFFIX; k--) {
        if (b[k] != '"' || b[k + 1] != ',' || b[k + 2] != '"' || b[k + 3] != 's' || !matches(k - lineStart)) continue;
        if (b[k - 1] != 'n') return true;
        int backslashes = 0;
        for (int j = k - 2; j >= lineStart && b[j] == '\\'; j--) backslashes++;
        return backslashes % 2 == 0;
      }
      return false;
    }
    for (long k = length - n; k >= 1 && k >= length - DOCKER_SUFFIX; k--) {
      if (at(k) != '"' || !matches(k)) continue;
      if (at(k - 1) != 'n') return true;
      int backslashes = 0;
      for (long j = k - 2; j >= 0 && at(j) == '\\'; j--) backslashes++;
      return backslashes % 2 == 0; // "\n" is an escape when an odd run of backslashes stands before the n
    }
    return false;
  }

  private boolean matches(long k) {
    for (int j = 1; j < DOCKER_STREAM.length; j++) {
      if (at(k + j) != DOCKER_STREAM[j]) return false;
    }
    return true;
  }
}
