package dev.strata.parse.formats.awscloudtrail;

import dev.strata.parse.ChunkContext;
import dev.strata.parse.EvidenceParser;
import dev.strata.parse.JsonRecordStream;
import dev.strata.parse.ParseException;
import dev.strata.parse.ParseOutput;
import dev.strata.parse.Payloads;
import dev.strata.schema.raw.RawArtifactChunk;
import java.util.Set;

/**
 * AWS CloudTrail records to OCSF 6003 API Activity. Shapes: log files as AWS delivers them ({@code {"Records":[...]}},
 * decompressed), bare JSON arrays of records, JSON Lines, single record objects, {@code JSON_RECORDS} chunks of a
 * large file (see {@link JsonRecordStream}), and cheaply also: {@code aws cloudtrail lookup-events} output (a
 * record in the {@code CloudTrailEvent} string, {@code {"Events":[...]}} documents), EventBridge "AWS API Call via
 * CloudTrail" events (the record in {@code detail}), and CloudTrail Lake integration events ({@code eventData}).
 * The mapping is in {@link CloudTrailMapper}.
 */
public final class AwsCloudTrailParser implements EvidenceParser {

  public static final String FORMAT = "aws_cloudtrail";

  /** Container fields whose array elements are records. */
  static final Set<String> CONTAINERS = Set.of("Records", "Events");

  @Override
  public String format() {
    return FORMAT;
  }

  @Override
  public boolean accepts(RawArtifactChunk chunk) {
    return FORMAT.equals(chunk.getSourceType()) && Payloads.startsLikeJson(chunk);
  }

  @Override
  public void parse(RawArtifactChunk chunk, ParseOutput out) throws ParseException {
    ChunkContext ctx = ChunkContext.of(chunk);
    new JsonRecordStream(ctx, new CloudTrailMapper(ctx), CONTAINERS, out).run();
  }
}
