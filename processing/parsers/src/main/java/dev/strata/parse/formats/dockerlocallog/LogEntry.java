package dev.strata.parse.formats.dockerlocallog;

/**
 * moby's {@code api/types/plugins/logdriver/entry.proto} LogEntry, decoded by hand (protobuf wire format: varints and
 * length-delimited fields; unknown fields skipped):
 *
 * <pre>
 * message LogEntry { string source = 1; int64 time_nano = 2; bytes line = 3; bool partial = 4;
 *                    PartialLogEntryMetadata partial_log_metadata = 5; }
 * message PartialLogEntryMetadata { bool last = 1; string id = 2; int32 ordinal = 3; }
 * </pre>
 */
final class LogEntry {
  String source;
  long timeNano;
  boolean hasTime;
  int lineStart;
  int lineEnd;
  boolean partial;
  boolean hasMeta;
  boolean last;
  String partialId;
  int ordinal;

  /** Thrown for bytes that are not a LogEntry. */
  static final class BadEntry extends Exception {
    BadEntry(String m) {
      super(m, null, false, false);
    }
  }

  /** Decodes {@code b[from, to)}. The line is left in place ({@link #lineStart}, {@link #lineEnd}). */
  static LogEntry decode(byte[] b, int from, int to) throws BadEntry {
    LogEntry e = new LogEntry();
    e.lineStart = e.lineEnd = from;
    Reader r = new Reader(b, from, to);
    while (r.pos < to) {
      long key = r.varint();
      int field = (int) (key >>> 3);
      int wt = (int) (key & 7);
      switch (field) {
        case 1 -> {
          expect(wt, 2, "source");
          int n = r.length();
          e.source = new String(b, r.pos, n, java.nio.charset.StandardCharsets.UTF_8);
          r.pos += n;
        }
        case 2 -> {
          expect(wt, 0, "time_nano");
          e.timeNano = r.varint();
          e.hasTime = true;
        }
        case 3 -> {
          expect(wt, 2, "line");
          int n = r.length();
          e.lineStart = r.pos;
          e.lineEnd = r.pos + n;
          r.pos += n;
        }
        case 4 -> {
          expect(wt, 0, "partial");
          e.partial = r.varint() != 0;
        }
        case 5 -> {
          expect(wt, 2, "partial_log_metadata");
          int n = r.length();
          e.hasMeta = true;
          meta(e, b, r.pos, r.pos + n);
          r.pos += n;
        }
        default -> r.skip(wt);
      }
    }
    if (r.pos != to) throw new BadEntry("field runs past the frame");
    return e;
  }

  private static void meta(LogEntry e, byte[] b, int from, int to) throws BadEntry {
    Reader r = new Reader(b, from, to);
    while (r.pos < to) {
      long key = r.varint();
      int field = (int) (key >>> 3);
      int wt = (int) (key & 7);
      switch (field) {
        case 1 -> {
          expect(wt, 0, "partial_log_metadata.last");
          e.last = r.varint() != 0;
        }
        case 2 -> {
          expect(wt, 2, "partial_log_metadata.id");
          int n = r.length();
          e.partialId = new String(b, r.pos, n, java.nio.charset.StandardCharsets.UTF_8);
          r.pos += n;
        }
        case 3 -> {
          expect(wt, 0, "partial_log_metadata.ordinal");
          e.ordinal = (int) r.varint();
        }
        default -> r.skip(wt);
      }
    }
    if (r.pos != to) throw new BadEntry("partial_log_metadata field runs past its end");
  }

  private static void expect(int wt, int want, String field) throws BadEntry {
    if (wt != want) throw new BadEntry("field " + field + " has wire type " + wt + ", expected " + want);
  }

  /** A protobuf wire reader over b[pos, end). */
  static final class Reader {
    final byte[] b;
    int pos;
    final int end;

    Reader(byte[] b, int pos, int end) {
      this.b = b;
      this.pos = pos;
      this.end = end;
    }

    long varint() throws BadEntry {
      long v = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        if (pos >= end) throw new BadEntry("varint runs past the end");
        byte x = b[pos++];
        v |= (long) (x & 0x7f) << shift;
        if ((x & 0x80) == 0) return v;
      }
      throw new BadEntry("varint longer than 10 bytes");
    }

    int length() throws BadEntry {
      long n = varint();
      if (n < 0 || n > end - pos) throw new BadEntry("length " + n + " runs past the end");
      return (int) n;
    }

    void skip(int wt) throws BadEntry {
      switch (wt) {
        case 0 -> varint();
        case 1 -> advance(8);
        case 2 -> pos += length();
        case 5 -> advance(4);
        default -> throw new BadEntry("unsupported wire type " + wt);
      }
    }

    private void advance(int n) throws BadEntry {
      if (end - pos < n) throw new BadEntry("fixed field runs past the end");
      pos += n;
    }
  }
}
