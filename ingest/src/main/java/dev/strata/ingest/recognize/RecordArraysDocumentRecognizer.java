package dev.strata.ingest.recognize;

import dev.strata.ingest.chunk.RecordArrays;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A JSON document format whose records sit in root arrays (SBOMs, scan results): one path pattern without context,
 * and the {@link RecordArrays} the collector cuts between their elements (framing JSON_RECORDS, each chunk carrying
 * the document's context; see {@link SpdxSbomRecognizer}). Subclasses write only the probe.
 */
abstract class RecordArraysDocumentRecognizer extends PathPatternRecognizer {
  private final RecordArrays recordArrays;

  RecordArraysDocumentRecognizer(String sourceType, Pattern path, RecordArrays recordArrays) {
    super(sourceType, path);
    this.recordArrays = Objects.requireNonNull(recordArrays, "recordArrays");
  }

  @Override
  public final Optional<RecordArrays> recordArrays() {
    return Optional.of(recordArrays);
  }
}
