package dev.strata.ingest.chunk;

/**
 * LENGTH_PREFIXED framing: binary frames {@code [uint32 big-endian length][length bytes][the same uint32]} back to
 * back (Docker's {@code local} log driver: a protobuf LogEntry per frame); a boundary after each complete frame whose
 * trailing length matches. A frame whose length is above {@link #MAX_FRAME} or whose trailing length differs is
 * corrupt: resynchronizing is not possible, so no boundary is reported after it (the rest of the content is one
 * record, which the chunker cuts at its max record size like any long record, and the parser rejects). Line numbers
 * mean nothing in binary content: {@link #newlines()} is always 0.
 */
public final class LengthPrefixedBoundaryScanner implements BoundaryScanner {
  /** Larger frames are corrupt (moby's local driver caps a message at 1 MB; its decoder refuses more than 16 MiB). */
  public static final long MAX_FRAME = 16L << 20;

  private static final int HEAD = 0;
  private static final int BODY = 1;
  private static final int TAIL = 2;
  private static final int CORRUPT = 3;

  private int state = HEAD;
  private int have; // bytes of the current header / trailer read
  private long len; // frame length from the header
  private long trail; // trailing length being read
  private long left; // body bytes still to skip
  private long boundaries;

  @Override
  public int next(byte[] buf, int from, int to) {
    int i = from;
    while (i < to) {
      switch (state) {
        case HEAD -> {
          len = (len << 8) | (buf[i++] & 0xff);
          if (++have == 4) {
            have = 0;
            if (len > MAX_FRAME) {
              state = CORRUPT;
            } else {
              left = len;
              state = left == 0 ? TAIL : BODY;
            }
          }
        }
        case BODY -> {
          long skip = Math.min(left, to - i);
          i += (int) skip;
          left -= skip;
          if (left == 0) state = TAIL;
        }
        case TAIL -> {
          trail = (trail << 8) | (buf[i++] & 0xff);
          if (++have == 4) {
            have = 0;
            if (trail != len) {
              state = CORRUPT;
            } else {
              state = HEAD;
              len = 0;
              trail = 0;
              boundaries++;
              return i;
            }
          }
        }
        default -> {
          return -1; // corrupt: no more boundaries
        }
      }
    }
    return -1;
  }

  @Override
  public long newlines() {
    return 0;
  }

  @Override
  public long boundaries() {
    return boundaries;
  }
}
