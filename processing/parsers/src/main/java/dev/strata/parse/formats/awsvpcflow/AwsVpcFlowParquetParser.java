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
import java.util.Base64;

/**
 * AWS VPC Flow Logs delivered to S3 in Apache Parquet ({@code ...vpcflowlogs...<file>.parquet}), to the same OCSF 4001
 * Network Activity events as the text format ({@link AwsVpcFlowParser}): one event per row.
 *
 * <p>Framing: PARQUET_ROW_GROUPS. A Parquet file cannot be cut at arbitrary bytes (its schema and column chunk offsets
 * are in the footer at its end): a file up to the collector's chunk size is one chunk, read whole; a larger file is cut
 * by the collector after its row groups, and every chunk carries its part of the file's footer in its format_header
 * ({@value #ROW_GROUPS_HEADER} + the file's index of its first row group and row number of its first row + base64 of
 * a {@code FileMetaData} with the schema and the chunk's row groups; collectors before it sent the whole footer,
 * {@value #FOOTER_HEADER} + base64, which is read too): each chunk is read alone, its row groups located by the
 * footer's file offsets and the chunk's offset, and gives exactly the events of those rows in the whole file (same
 * event ids, offsets, record indexes, raw_data). A row group larger than the collector's max record size (4 MiB by
 * default) arrives truncated and is dead-lettered record_too_large (its rows are not read; the file stays whole in the
 * evidence store). A file larger than one chunk without the footer header (WHOLE framing of an older collector):
 * record_too_large.
 *
 * <p>Columns are the flow log fields with {@code _} for {@code -} ({@code account_id}, {@code pkt_srcaddr},
 * {@code ecs_task_arn}, ...; INT32 / INT64 / STRING as AWS documents them, any other flat column is read as text). The
 * field mapping is the text parser's, through a narrow interface: each row becomes the field values in the layout
 * named by the column names ({@link VpcFlowLayout}), an absent (null) value {@code -}, and is mapped by the text
 * parser's record mapping. raw_data is that text rendering of the row.
 *
 * <p>Lineage: byte_offset / byte_length = the row's row group (its column chunks in the file), record_index = the row
 * number in the file, line_number null (binary content); chunk_index is the chunk that held the row group. A row the mapping rejects is dead-lettered with its text
 * rendering as original bytes (a columnar row has no contiguous bytes; the file is in the evidence store). A file that
 * is not a readable flat Parquet file (corrupt, nested, a codec other than UNCOMPRESSED / GZIP): malformed_record.
 */
public final class AwsVpcFlowParquetParser implements EvidenceParser {

  public static final String FORMAT = "aws_vpc_flow_parquet";

  /**
   * The format_header of a file the collector cut at its row groups (framing PARQUET_ROW_GROUPS): this prefix, then
   * base64 of the file's footer (Thrift {@code FileMetaData}).
   */
  public static final String FOOTER_HEADER = "parquet-footer:";
  /**
   * The format_header of a chunk of a cut file that carries only its own part of the footer: this prefix, the file's
   * index of the chunk's first row group, ':', the file's row number of its first row, ':', then base64 of a Thrift
   * {@code FileMetaData} with the file's schema and the chunk's row groups only.
   */
  public static final String ROW_GROUPS_HEADER = "parquet-row-groups:";

  @Override
  public String format() {
    return FORMAT;
  }

  @Override
  public void parse(RawArtifactChunk chunk, ParseOutput out) throws ParseException {
    ChunkContext ctx = ChunkContext.of(chunk);
    byte[] b = ctx.payload();
    int blank = 0;
    while (blank < b.length && (b[blank] == ' ' || b[blank] == '\n' || b[blank] == '\r' || b[blank] == '\t')) blank++;
    if (blank == b.length) return;
    String header = chunk.getFormatHeader();
    boolean ownRowGroups = header != null && header.startsWith(ROW_GROUPS_HEADER);
    boolean part = ownRowGroups || header != null && header.startsWith(FOOTER_HEADER);
    if (!part && (ctx.truncatedRecord() || ctx.chunkCount() > 1)) {
      out.reject(ctx.rejection(RejectReason.RECORD_TOO_LARGE, "Parquet file larger than one chunk (max record size)"
          + " and not cut at its row groups; the full bytes are in the evidence store", 0, b.length, 0));
      return;
    }
    FlatParquetReader reader;
    try {
      reader = ownRowGroups ? openOwnRowGroups(header, b, ctx.contentOffset(0))
          : part ? FlatParquetReader.openPart(footer(header), b, ctx.contentOffset(0))
          : FlatParquetReader.open(b);
    } catch (ParquetFormatException e) {
      out.reject(ctx.rejection(RejectReason.MALFORMED_RECORD, "not a readable Parquet flow log file"
          + (part ? " part (footer in format_header)" : "") + ": " + e.getMessage(), 0, b.length, 0));
      return;
    }
    VpcFlowLayout layout = layout(reader.columns());
    if (layout == null) {
      out.reject(ctx.rejection(RejectReason.MALFORMED_RECORD, "Parquet file without columns", 0, b.length, 0));
      return;
    }
    RowOutput rows = new RowOutput(out);
    AwsVpcFlowParser.Run run = new AwsVpcFlowParser.Run(ctx, rows, layout);
    long chunkStart = ctx.contentOffset(0);
    long chunkEnd = chunkStart + b.length;
    long firstRecord = ctx.recordIndex(0);
    StringBuilder line = new StringBuilder(256);
    FlatParquetReader.RowVisitor visitor = (group, rowInFile, values) -> {
      line.setLength(0);
      for (int i = 0; i < values.length; i++) {
        if (i > 0) line.append(' ');
        String v = values[i];
        line.append(v == null || v.isEmpty() ? "-" : v);
      }
      byte[] text = line.toString().getBytes(StandardCharsets.UTF_8);
      rows.text = text;
      int start = (int) (group.offset() - chunkStart); // payload position: lineage byte_offset = the group's
      // record_index = the row number in the file, however the file was cut
      run.textRecord(text, start, start + (int) group.length(), 0, rowInFile - firstRecord);
    };
    try {
      if (!part) {
        reader.read(visitor);
        return;
      }
      for (FlatParquetReader.RowGroupInfo g : reader.rowGroups()) {
        if (reader.holds(g)) {
          reader.read(g, visitor);
        } else if (g.offset() >= chunkStart && g.offset() < chunkEnd) { // starts here, ends past the payload
          int start = (int) (g.offset() - chunkStart);
          out.reject(ctx.rejection(ctx.truncatedRecord() ? RejectReason.RECORD_TOO_LARGE : RejectReason.MALFORMED_RECORD,
              "Parquet row group " + g.index() + " (rows " + g.firstRow() + "-" + (g.firstRow() + g.rows() - 1)
                  + ", " + g.length() + " bytes at file offset " + g.offset() + ") "
                  + (ctx.truncatedRecord()
                      ? "is larger than the collector's max record size (" + (chunkEnd - g.offset())
                          + " bytes published); its rows are not read, the full file is in the evidence store"
                      : "does not end in this chunk (" + b.length + " bytes at file offset " + chunkStart + ")"),
              start, b.length, 0, g.firstRow() - firstRecord));
        }
      }
    } catch (ParquetFormatException e) {
      out.reject(ctx.rejection(RejectReason.MALFORMED_RECORD, "unreadable Parquet flow log rows: " + e.getMessage(),
          0, b.length, 0));
    }
  }

  /** The flow log layout named by the Parquet columns ({@code _} for {@code -}), or null without columns. */
  private static VpcFlowLayout layout(String[] columns) {
    StringBuilder header = new StringBuilder();
    for (String c : columns) {
      if (header.length() > 0) header.append(' ');
      header.append(c.replace('_', '-'));
    }
    return VpcFlowLayout.of(header.toString());
  }

  /** A chunk whose header is {@link #ROW_GROUPS_HEADER}{@code <first group>:<first row>:<base64 footer part>}. */
  private static FlatParquetReader openOwnRowGroups(String header, byte[] part, long partOffset)
      throws ParquetFormatException {
    int groupEnd = header.indexOf(':', ROW_GROUPS_HEADER.length());
    int rowEnd = groupEnd < 0 ? -1 : header.indexOf(':', groupEnd + 1);
    if (rowEnd < 0) throw new ParquetFormatException("format_header row groups without first group and row");
    try {
      int firstGroup = Integer.parseInt(header, ROW_GROUPS_HEADER.length(), groupEnd, 10);
      long firstRow = Long.parseLong(header, groupEnd + 1, rowEnd, 10);
      byte[] footer = Base64.getDecoder().decode(header.substring(rowEnd + 1));
      return FlatParquetReader.openPart(footer, part, partOffset, firstGroup, firstRow);
    } catch (IllegalArgumentException e) {
      throw new ParquetFormatException("format_header row groups unreadable: " + e.getMessage(), e);
    }
  }

  private static byte[] footer(String header) throws ParquetFormatException {
    try {
      return Base64.getDecoder().decode(header.substring(FOOTER_HEADER.length()));
    } catch (IllegalArgumentException e) {
      throw new ParquetFormatException("format_header footer is not base64: " + e.getMessage(), e);
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
