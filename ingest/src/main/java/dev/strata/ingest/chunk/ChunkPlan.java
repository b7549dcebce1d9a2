package dev.strata.ingest.chunk;

import java.util.List;

/**
 * Result of pass 1 over an artifact's content.
 *
 * @param chunks the chunks, in order; payloads are contiguous except after a truncated record, whose rest is skipped
 * @param contentSize bytes of content
 * @param contentSha256 lowercase hex SHA-256 of the content
 * @param truncations records larger than max_record_bytes
 * @param formatHeader the header the boundary scanner derived from the content ({@link BoundaryScanner#formatHeader}),
 *     or null
 * @param chunkHeaders per chunk, when the scanner's header differs per chunk ({@link
 *     BoundaryScanner#formatHeader(long, long)}, e.g. joined elements), else null
 */
public record ChunkPlan(
    List<PlannedChunk> chunks, long contentSize, String contentSha256, List<Truncation> truncations,
    String formatHeader, List<String> chunkHeaders) {

  public ChunkPlan(List<PlannedChunk> chunks, long contentSize, String contentSha256, List<Truncation> truncations) {
    this(chunks, contentSize, contentSha256, truncations, null, null);
  }

  public ChunkPlan(
      List<PlannedChunk> chunks, long contentSize, String contentSha256, List<Truncation> truncations,
      String formatHeader) {
    this(chunks, contentSize, contentSha256, truncations, formatHeader, null);
  }

  /** The scanner's header for chunk {@code index}: its own one if headers differ per chunk, else the shared one. */
  public String formatHeader(int index) {
    return chunkHeaders != null ? chunkHeaders.get(index) : formatHeader;
  }

  /**
   * A record cut at max_record_bytes.
   *
   * @param chunkIndex the chunk holding the record's first bytes
   * @param recordOffset content offset of the record
   * @param recordLength full length of the record (up to the end of the content if it never ended)
   * @param skippedBytes bytes of the record not published ({@code recordLength - max_record_bytes})
   */
  public record Truncation(int chunkIndex, long recordOffset, long recordLength, long skippedBytes) {}

  public int count() {
    return chunks.size();
  }
}
