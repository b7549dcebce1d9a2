package dev.strata.ingest.chunk;

import dev.strata.schema.common.Framing;

/**
 * Finds record boundaries in a byte stream fed piece by piece (stateful; one instance per pass over one content). A
 * boundary is the position right after the byte that ends a record: after a {@code \n} (LINES), after the {@code ,}
 * that follows a complete element of the top-level array (JSON_RECORDS), after each complete binary frame
 * (LENGTH_PREFIXED), after each row group of a Parquet file
 * (PARQUET_ROW_GROUPS, {@link ParquetRowGroupScanner}), never (WHOLE).
 */
public interface BoundaryScanner {

  /**
   * Scans {@code buf[from, to)} (continuing from the bytes scanned before) up to and including the first boundary.
   *
   * @return the index in {@code buf} just after the boundary, or -1 if {@code buf[from, to)} holds none (then all of
   *     it was scanned)
   */
  int next(byte[] buf, int from, int to);

  /** Number of {@code \n} bytes scanned so far. */
  long newlines();

  /** Number of boundaries found so far (= index of the record that starts at the last boundary). */
  long boundaries();

  /**
   * A header the scanner derived from the whole content, for the collector to copy onto every chunk
   * ({@code RawArtifactChunk.format_header}); valid after the last {@link #next} call. Null for most scanners.
   */
  default String formatHeader() {
    return null;
  }

  /**
   * The header for the chunk covering content [chunkOffset, chunkEnd) when it differs per chunk (see
   * {@link #headerPerChunk}); by default {@link #formatHeader()}. Valid after the last {@link #next} call.
   */
  default String formatHeader(long chunkOffset, long chunkEnd) {
    return formatHeader();
  }

  /** True if {@link #formatHeader(long, long)} may differ between the chunks of one content. */
  default boolean headerPerChunk() {
    return false;
  }

  static BoundaryScanner forFraming(Framing framing) {
    return switch (framing) {
      case LINES -> new LineBoundaryScanner();
      case JSON_RECORDS -> new JsonRecordsBoundaryScanner();
      case WHOLE -> new NoBoundaryScanner();
      case LENGTH_PREFIXED -> new LengthPrefixedBoundaryScanner();
      // the row group ends are in the file's footer: ParquetRowGroupScanner.of(file) reads it; without it, one record
      case PARQUET_ROW_GROUPS -> new NoBoundaryScanner();
    };
  }
}
