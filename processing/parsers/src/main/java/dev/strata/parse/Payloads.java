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
   * Cheap probe for JSON sources: the first non-blank byte (after a UTF-8 BOM) is '{' or '['; also true for a
   * blank payload and for chunks after the first (they may start inside a cut document).
   */
  public static boolean startsLikeJson(RawArtifactChunk chunk) {
    if (chunk.getChunk() != null && chunk.getChunk().getIndex() > 0) return true;
    ByteBuffer b = chunk.getPayload();
    if (b == null) return true;
    int i = b.position();
    if (b.limit() - i >= 3 && b.get(i) == (byte) 0xEF && b.get(i + 1) == (byte) 0xBB && b.get(i + 2) == (byte) 0xBF) {
      i += 3;
    }
    for (; i < b.limit(); i++) {
      byte c = b.get(i);
      if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
      return c == '{' || c == '[';
    }
    return true;
  }
}
