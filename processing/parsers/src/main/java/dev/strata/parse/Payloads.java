package dev.strata.parse;

import dev.strata.schema.raw.RawArtifactChunk;
import java.nio.ByteBuffer;

/** Access to a chunk's payload bytes without copying when the buffer is an exact array. */
public final class Payloads {
  private static final byte[] EMPTY = new byte[0];

  private Payloads() {}

  /** The payload as an array holding exactly the payload (shared with the chunk when possible: do not modify). */
  public static byte[] bytes(RawArtifactChunk chunk) {
    ByteBuffer b = chunk.getPayload();
    if (b == null) return EMPTY;
    if (b.hasArray() && b.arrayOffset() == 0 && b.position() == 0 && b.remaining() == b.array().length) {
      return b.array();
    }
    ByteBuffer d = b.duplicate();
    byte[] out = new byte[d.remaining()];
    d.get(out);
    return out;
  }

  /**
   * Cheap probe for line-oriented JSON sources: one of the first 8 non-blank lines (within the first 64 KiB, after a
   * UTF-8 BOM) starts with '{' or '['. Also true for a blank payload and for chunks after the first (they may start
   * inside a cut document). Looking past the first line keeps one bad first line from costing the whole chunk; a
   * text log mislabelled as JSON (e.g. a CRI log) still fails.
   */
  public static boolean startsLikeJson(RawArtifactChunk chunk) {
    if (chunk.getChunk() != null && chunk.getChunk().getIndex() > 0) return true;
    ByteBuffer b = chunk.getPayload();
    if (b == null) return true;
    int i = b.position();
    int limit = Math.min(b.limit(), i + 64 * 1024);
    if (limit - i >= 3 && b.get(i) == (byte) 0xEF && b.get(i + 1) == (byte) 0xBB && b.get(i + 2) == (byte) 0xBF) {
      i += 3;
    }
    int lines = 0;
    boolean blank = true;
    while (i < limit && lines < 8) {
      byte c = b.get(i);
      if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
        i++;
        continue;
      }
      blank = false;
      if (c == '{' || c == '[') return true;
      lines++;
      while (i < limit && b.get(i) != '\n') i++; // next line
    }
    return blank && limit == b.limit();
  }
}
