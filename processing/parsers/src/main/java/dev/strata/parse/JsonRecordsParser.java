package dev.strata.parse;

import dev.strata.schema.common.Framing;
import dev.strata.schema.raw.RawArtifactChunk;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * An {@link EvidenceParser} for a JSON-records format read by a {@link JsonRecordStream} (JSON lines, concatenated or
 * pretty-printed objects, a root array, or records inside container fields): accepts chunks of its source_type that
 * start like JSON (or like a CloudWatch Logs export: {@link CloudWatchExportLines}) and streams each one through a
 * fresh mapper. Subclasses give the format id, the container fields
 * and the mapper's constructor; the mapping is theirs.
 */
public abstract class JsonRecordsParser extends JsonFormatParser {
  private final Set<String> containerFields;
  private final Function<ChunkContext, ? extends JsonRecordStream.RecordMapper> mappers;

  /**
   * @param format the format id (the collector's source_type)
   * @param containerFields root fields whose array elements are records (empty when records are root values only)
   * @param mappers the record mapping for one chunk (a new instance per chunk), e.g. {@code MyMapper::new}
   */
  protected JsonRecordsParser(
      String format,
      Set<String> containerFields,
      Function<ChunkContext, ? extends JsonRecordStream.RecordMapper> mappers) {
    super(format);
    this.containerFields = Set.copyOf(containerFields);
    this.mappers = Objects.requireNonNull(mappers, "mappers");
  }

  @Override
  public final void parse(RawArtifactChunk chunk, ParseOutput out) throws ParseException {
    ChunkContext ctx = ChunkContext.of(chunk);
    if (ctx.framing() != Framing.JSON_RECORDS && CloudWatchExportLines.startsLikeExport(chunk.getPayload())) {
      new CloudWatchExportLines(ctx, mappers.apply(ctx), out).run();
      return;
    }
    new JsonRecordStream(ctx, mappers.apply(ctx), containerFields, out).run();
  }
}
