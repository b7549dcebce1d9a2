package dev.strata.parse.formats.awscloudtrail;

import dev.strata.parse.ChunkContext;
import dev.strata.parse.CloudWatchExportLines;
import dev.strata.parse.JsonFormatParser;
import dev.strata.parse.JsonRecordStream;
import dev.strata.parse.ParseException;
import dev.strata.parse.ParseOutput;
import dev.strata.schema.raw.RawArtifactChunk;
import java.util.Set;

/**
 * AWS CloudTrail records to OCSF 3002 Authentication (sign-ins, credential issue), 3001 Account Change (IAM
 * identity, policy, access key and MFA changes) and 6003 API Activity (the rest). Shapes: log files as AWS delivers them ({@code {"Records":[...]}},
 * decompressed), bare JSON arrays of records, JSON Lines, single record objects, {@code JSON_RECORDS} chunks of a
 * large file (see {@link JsonRecordStream}), and cheaply also: {@code aws cloudtrail lookup-events} output (a
 * record in the {@code CloudTrailEvent} string, {@code {"Events":[...]}} documents), EventBridge "AWS API Call via
 * CloudTrail" events (the record in {@code detail}), CloudTrail Lake integration events ({@code eventData}) and Lake
 * query results ({@code get-query-results}: {@code QueryResultRows} rows of one-field cells, an {@code eventJson}
 * cell holding the whole record; see {@link LakeQueryResults}), and CloudWatch Logs exports (the record as the
 * {@code message} string of each log event: JSON lines, {@code filter-log-events} / {@code get-log-events}
 * {@code {"events":[...]}} documents, Firehose subscription payloads {@code {"logEvents":[...]}}, and objects the
 * CloudWatch Logs export to S3 writes, {@code <timestamp> <record>} per line: {@link CloudWatchExportLines}).
 * The mapping is in {@link CloudTrailMapper}.
 */
public final class AwsCloudTrailParser extends JsonFormatParser {

  public static final String FORMAT = "aws_cloudtrail";

  /** Container fields whose array elements are records. */
  static final Set<String> CONTAINERS = Set.of("Records", "Events", "events", "logEvents");

  private static final byte[] LAKE_ROWS = "\"QueryResultRows\"".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  public AwsCloudTrailParser() {
    super(FORMAT);
  }

  @Override
  public void parse(RawArtifactChunk chunk, ParseOutput out) throws ParseException {
    ChunkContext ctx = ChunkContext.of(chunk).unhashedEventIds(); // many small records per file: see EventIds
    if (ctx.framing() != dev.strata.schema.common.Framing.JSON_RECORDS && isLakeQueryResult(ctx.payload())) {
      new LakeQueryResults(ctx, new CloudTrailMapper(ctx), out).run();
      return;
    }
    if (ctx.framing() != dev.strata.schema.common.Framing.JSON_RECORDS
        && CloudWatchExportLines.startsLikeExport(chunk.getPayload())) {
      new CloudWatchExportLines(ctx, new CloudTrailMapper(ctx), out).run();
      return;
    }
    new JsonRecordStream(ctx, new CloudTrailMapper(ctx), CONTAINERS, out).run();
  }

  /** A CloudTrail Lake get-query-results document: "QueryResultRows" near the start (its first 4 KiB). */
  static boolean isLakeQueryResult(byte[] b) {
    int end = Math.min(b.length, 4096) - LAKE_ROWS.length;
    outer:
    for (int i = 0; i <= end; i++) {
      for (int k = 0; k < LAKE_ROWS.length; k++) {
        if (b[i + k] != LAKE_ROWS[k]) continue outer;
      }
      return true;
    }
    return false;
  }
}
