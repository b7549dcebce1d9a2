package dev.strata.parse.formats.awsvpcflow;

import dev.strata.parse.ChunkContext;
import dev.strata.parse.EvidenceParser;
import dev.strata.parse.ParseException;
import dev.strata.parse.ParseOutput;
import dev.strata.parse.RejectReason;
import dev.strata.parse.Rejection;
import dev.strata.parse.parquet.FlatParquetReader;
import dev.strata.parse.parquet.ParquetFormatException;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.raw.RawArtifactChunk;
import java.nio.charset.StandardCharsets;

/**
 * AWS VPC Flow Logs delivered to S3 in Apache Parquet ({@code ...vpcflowlogs...<file>.parquet}), to the same OCSF 4001
 * Network Activity events as the text format ({@link AwsVpcFlowParser}): one event per row.
 *
 * <p>Framing: WHOLE. A Parquet file cannot be cut at arbitrary bytes (its schema and column chunk offsets are in the
 * footer at its end), so the collector preserves the file and publishes it as one chunk (up to its max record size,
 * 4 MiB by default; a larger file is rejected record_too_large here and stays whole in the evidence store).
 *
 * <p>Columns are the flow log fields with {@code _} for {@code -} ({@code account_id}, {@code pkt_srcaddr},
 * {@code ecs_task_arn}, ...; INT32 / INT64 / STRING as AWS documents them, any other flat column is read as text). The
 * field mapping is the text parser's, through a narrow interface: each row becomes the field values in the layout
 * named by the column names ({@link VpcFlowLayout}), an absent (null) value {@code -}, and is mapped by the text
 * parser's record mapping. raw_data is that text rendering of the row.
 *
 * <p>Lineage: byte_offset / byte_length = the row's row group (its column chunks in the file), record_index = the row
 * number in the file, line_number null (binary content). A row the mapping rejects is dead-lettered with its text
 * rendering as original bytes (a columnar row has no contiguous bytes; the file is in the evidence store). A file that
 * is not a readable flat Parquet file (corrupt, nested, a codec other than UNCOMPRESSED / GZIP): malformed_record.
 */
public final class AwsVpcFlowParquetParser implements EvidenceParser {

  public static final String FORMAT = "aws_vpc_flow_parquet";

  @Override
  public String format() {
    return FORMAT;
  }

  @Override
  public boolean accepts(RawArtifactChunk chunk) {
    return FORMAT.equals(chunk.getSourceType());
  }

  @Override
  public void parse(RawArtifactChunk chunk, ParseOutput out) throws ParseException {
    ChunkContext ctx = ChunkContext.of(chunk);
    byte[] b = ctx.payload();
    int blank = 0;
    while (blank < b.length && (b[blank] == ' ' || b[blank] == '\n' || b[blank] == '\r' || b[blank] == '\t')) blank++;
    if (blank == b.length) return;
    if (ctx.truncatedRecord() || ctx.chunkCount() > 1) {
      out.reject(ctx.rejection(RejectReason.RECORD_TOO_LARGE, "Parquet file larger than one chunk (max record size);"
          + " the full bytes are in the evidence store", 0, b.length, 0));
      return;
    }
    FlatParquetReader reader;
    try {
      reader = FlatParquetReader.open(b);
    } catch (ParquetFormatException e) {
      out.reject(ctx.rejection(RejectReason.MALFORMED_RECORD, "not a readable Parquet flow log file: "
          + e.getMessage(), 0, b.length, 0));
      return;
    }
    String[] columns = reader.columns();
    StringBuilder header = new StringBuilder();
    for (String c : columns) {
      if (header.length() > 0) header.append(' ');
      header.append(c.replace('_', '-'));
    }
    VpcFlowLayout layout = VpcFlowLayout.of(header.toString());
    if (layout == null) {
      out.reject(ctx.rejection(RejectReason.MALFORMED_RECORD, "Parquet file without columns", 0, b.length, 0));
      return;
    }
    RowOutput rows = new RowOutput(out);
    AwsVpcFlowParser.Run run = new AwsVpcFlowParser.Run(ctx, rows, layout);
    StringBuilder line = new StringBuilder(256);
    try {
      reader.read((group, rowInFile, values) -> {
        line.setLength(0);
        for (int i = 0; i < values.length; i++) {
          if (i > 0) line.append(' ');
          String v = values[i];
          line.append(v == null || v.isEmpty() ? "-" : v);
        }
        byte[] text = line.toString().getBytes(StandardCharsets.UTF_8);
        rows.text = text;
        int start = (int) group.offset();
        run.textRecord(text, start, start + (int) group.length(), 0);
      });
    } catch (ParquetFormatException e) {
      out.reject(ctx.rejection(RejectReason.MALFORMED_RECORD, "unreadable Parquet flow log rows: " + e.getMessage(),
          0, b.length, 0));
    }
  }

  /** Forwards the mapping's output with Parquet lineage: no line number; a rejected row's original = its text. */
  private static final class RowOutput implements ParseOutput {
    private final ParseOutput out;
    byte[] text;

    RowOutput(ParseOutput out) {
      this.out = out;
    }

    @Override
    public void emit(EvidenceEvent event) {
      event.getLineage().setLineNumber(null);
      out.emit(event);
    }

    @Override
    public void reject(Rejection r) {
      out.reject(new Rejection(r.reason(), r.message() + " (Parquet row rendered as text)", r.byteOffset(), null,
          r.recordIndex(), text, false));
    }
  }
}
