package dev.strata.parse;

import dev.strata.schema.raw.RawArtifactChunk;
import java.util.Objects;

/**
 * An {@link EvidenceParser} for a JSON format: {@link #format()} is the id given to the constructor, and
 * {@link #accepts} takes the chunks of that source_type whose payload starts like JSON (or like a CloudWatch Logs
 * export of JSON messages, {@link CloudWatchExportLines}). Subclasses write
 * {@link #parse} (or extend {@link JsonRecordsParser}).
 */
public abstract class JsonFormatParser implements EvidenceParser {
  private final String format;

  /** @param format the format id (the collector's source_type) */
  protected JsonFormatParser(String format) {
    this.format = Objects.requireNonNull(format, "format");
  }

  @Override
  public final String format() {
    return format;
  }

  @Override
  public final boolean accepts(RawArtifactChunk chunk) {
    return format.equals(chunk.getSourceType())
        && (Payloads.startsLikeJson(chunk) || CloudWatchExportLines.startsLikeExport(chunk.getPayload()));
  }
}
