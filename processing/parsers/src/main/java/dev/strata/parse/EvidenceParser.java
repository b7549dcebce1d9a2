package dev.strata.parse;

import dev.strata.schema.raw.RawArtifactChunk;

/**
 * Turns one chunk of one raw evidence artifact of one format into zero or more normalized events.
 *
 * <p>Implementations are stateless and thread-safe: one instance serves every chunk. Record-level problems are
 * reported through {@link ParseOutput#reject(Rejection)} and parsing continues with the next record; only a problem
 * that makes the whole chunk unusable is thrown as a {@link ParseException}. Any other exception is a parser bug;
 * {@link ChunkParser} turns it into a dead letter, but parsers should not rely on that.
 */
public interface EvidenceParser {

  /** Format id, lower_snake_case, equal to the {@code source_type} the collector writes. */
  String format();

  /**
   * Cheap probe: the chunk's source_type, then its first bytes. Never throws. By default: the chunk's source_type
   * is this parser's {@link #format()}.
   */
  default boolean accepts(RawArtifactChunk chunk) {
    return format().equals(chunk.getSourceType());
  }

  /** Parses the chunk's payload; emits events and rejections in payload order (reassembled records excepted). */
  void parse(RawArtifactChunk chunk, ParseOutput out) throws ParseException;
}
