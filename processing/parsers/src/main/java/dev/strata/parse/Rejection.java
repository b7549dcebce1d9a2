package dev.strata.parse;

import java.util.Objects;

/**
 * One record a parser could not turn into an event.
 *
 * @param reason bounded reason code
 * @param message human-readable detail (no evidence payload beyond a short excerpt)
 * @param byteOffset offset of the record's first byte in the artifact's content (chunk.offset + offset in payload)
 * @param lineNumber 1-based line of the record's first byte in the content, or null if unknown
 * @param recordIndex chunk.first_record + index of the record in the chunk, or null if unknown
 * @param original the record's original bytes, unmodified (ChunkParser bounds them on the dead letter)
 * @param originalTruncated true if {@code original} is only the first part of the record (e.g. record_too_large)
 */
public record Rejection(
    RejectReason reason,
    String message,
    long byteOffset,
    Long lineNumber,
    Long recordIndex,
    byte[] original,
    boolean originalTruncated) {

  public Rejection {
    Objects.requireNonNull(reason, "reason");
    original = original == null ? new byte[0] : original;
  }

  public Rejection(
      RejectReason reason,
      String message,
      long byteOffset,
      Long lineNumber,
      Long recordIndex,
      byte[] original) {
    this(reason, message, byteOffset, lineNumber, recordIndex, original, false);
  }
}
