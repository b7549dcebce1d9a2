package dev.strata.parse;

import dev.strata.schema.raw.RawArtifactChunk;
import java.util.Set;

/**
 * An {@link EvidenceParser} for a JSON-records format read by a {@link JsonRecordStream} (JSON lines, concatenated or
 * pretty-printed objects, a root array, or records inside container fields): accepts chunks of its source_type that
 * start like JSON and streams each one through a fresh mapper. Subclasses give the format id, the container fields
 * and the mapper; the mapping is theirs.
 */
public abstract class JsonRecordsParser extends JsonFormatParser {
  private final Set<String> containerFields;

  /**
   * @param format the format id (the collector's source_type)
   * @param containerFields root fields whose array elements are records (empty when records are root values only)
   */
  protected JsonRecordsParser(String format, Set<String> containerFields) {
    super(format);
    this.containerFields = Set.copyOf(containerFields);
  }

  /** The record mapping for one chunk (one instance per chunk). */
  protected abstract JsonRecordStream.RecordMapper mapper(ChunkContext ctx);

  @Override
  public final void parse(RawArtifactChunk chunk, ParseOutput out) throws ParseException {
    ChunkContext ctx = ChunkContext.of(chunk);
    new JsonRecordStream(ctx, mapper(ctx), containerFields, out).run();
  }
}
