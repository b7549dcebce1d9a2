package dev.strata.parse.formats.awsvpcflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.parse.ChunkParseResult;
import dev.strata.parse.ChunkParser;
import dev.strata.parse.EvidenceParser;
import dev.strata.parse.ParserContractTest;
import dev.strata.parse.ParserRegistry;
import dev.strata.parse.parquet.FlatParquetReader;
import dev.strata.parse.parquet.ParquetTestWriter;
import dev.strata.parse.parquet.ParquetTestWriter.Column;
import dev.strata.parse.testing.Chunks;
import dev.strata.schema.common.Framing;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.raw.RawArtifactChunk;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * VPC Flow Logs in Parquet, written by the test with parquet-java's column writers in AWS's documented Parquet
 * layout (column names = field names with '_', INT_32 / INT_64 / STRING as the "Flow log records" table gives them),
 * GZIP pages as AWS delivers them. Values invented.
 */
class AwsVpcFlowParquetParserTest extends ParserContractTest {
  static final String ORIGIN = "AWSLogs/aws-account-id=111122223333/aws-service=vpcflowlogs/aws-region=eu-west-1/"
      + "year=2026/month=11/day=20/hour=10/111122223333_vpcflowlogs_eu-west-1_fl-0a1b2c3d_20261120T1000Z_ab12.log.parquet";

  static final List<Column> COLUMNS = AwsVpcFlowParquetFiles.COLUMNS;

  @Override
  protected EvidenceParser parser() {
    return new AwsVpcFlowParquetParser();
  }

  static List<Object[]> rows(int n) {
    return AwsVpcFlowParquetFiles.rows(n);
  }

  /** The same records as the text format AWS delivers (header line, '-' for absent). */
  static String text(List<Object[]> rows) {
    StringBuilder sb = new StringBuilder();
    for (int c = 0; c < COLUMNS.size(); c++) sb.append(c == 0 ? "" : " ").append(COLUMNS.get(c).name().replace('_', '-'));
    sb.append('\n');
    for (Object[] r : rows) {
      for (int c = 0; c < r.length; c++) sb.append(c == 0 ? "" : " ").append(r[c] == null ? "-" : r[c]);
      sb.append('\n');
    }
    return sb.toString();
  }

  ChunkParseResult parseParquet(byte[] file) {
    return new ChunkParser(ParserRegistry.defaults())
        .parse(Chunks.single(file, AwsVpcFlowParquetParser.FORMAT, Framing.WHOLE, ORIGIN));
  }

  @Test
  void everyRowIsTheEventTheTextFormatGives() throws Exception {
    List<Object[]> rows = rows(230);
    for (boolean v2 : new boolean[] {false, true}) {
      byte[] file = new ParquetTestWriter(COLUMNS, v2, true).write(rows, 100);
      assertThat(FlatParquetReader.open(file).rowCount()).isEqualTo(230);
      ChunkParseResult parquet = parseParquet(file);
      assertThat(parquet.deadLetters()).as("pages v2=%s", v2).isEmpty();
      List<EvidenceEvent> events = parquet.events();
      assertThat(events).hasSize(230);
      List<EvidenceEvent> fromText = new ChunkParser(ParserRegistry.defaults()).parse(Chunks.single(text(rows),
          AwsVpcFlowParser.FORMAT, Framing.LINES, ORIGIN)).events();
      assertThat(fromText).hasSize(230);
      for (int i = 0; i < events.size(); i++) {
        EvidenceEvent p = events.get(i);
        EvidenceEvent t = fromText.get(i);
        assertThat(p.getClassUid()).isEqualTo(4001);
        assertThat(p.getSourceFormat()).isEqualTo("aws_vpc_flow_parquet");
        assertThat(p.getTime()).isEqualTo(t.getTime());
        assertThat(p.getEndTime()).isEqualTo(t.getEndTime());
        assertThat(p.getSrcEndpoint()).isEqualTo(t.getSrcEndpoint());
        assertThat(p.getDstEndpoint()).isEqualTo(t.getDstEndpoint());
        assertThat(p.getNetwork()).isEqualTo(t.getNetwork());
        assertThat(p.getCloud()).isEqualTo(t.getCloud());
        assertThat(p.getUnmapped()).isEqualTo(t.getUnmapped());
        assertThat(p.getRawData()).isEqualTo(textLine(rows.get(i)));
        // lineage: the row number in the file, its row group's bytes, no line (binary content)
        assertThat(p.getLineage().getRecordIndex()).isEqualTo(i);
        assertThat(p.getLineage().getLineNumber()).isNull();
        assertThat(p.getLineage().getByteLength()).isPositive();
        assertThat(p.getLineage().getByteOffset() + p.getLineage().getByteLength()).isLessThanOrEqualTo(file.length);
      }
      // rows of one row group share its byte range, the next group's differ
      assertThat(events.get(0).getLineage().getByteOffset()).isEqualTo(events.get(99).getLineage().getByteOffset())
          .isNotEqualTo(events.get(100).getLineage().getByteOffset());
      assertThat(events.stream().map(EvidenceEvent::getEventId).distinct().count()).isEqualTo(230);
      EvidenceEvent e = events.get(0);
      assertThat(e.getSrcEndpoint().getIp()).isEqualTo("10.0.1.0");
      assertThat(e.getDstEndpoint().getPort()).isEqualTo(443);
      assertThat(e.getNetwork().getProtocol()).isEqualTo("tcp");
      assertThat(e.getNetwork().getAction()).isEqualTo("Denied");
      assertThat(e.getNetwork().getDirection()).isEqualTo("Outbound");
      assertThat(e.getNetwork().getBytes()).isEqualTo(840L);
      assertThat(e.getCloud().getEniUid()).isEqualTo("eni-0a1b2c3d4e5f60718");
      assertThat(e.getCloud().getTaskUid()).isEqualTo("arn:aws:ecs:eu-west-1:111122223333:task/prod/0a1b2c3d4e5f");
      assertThat(e.getTime().getEpochSecond()).isEqualTo(1763632800L);
      EvidenceEvent nodata = events.get(49);
      assertThat(nodata.getNetwork().getLogStatus()).isEqualTo("NODATA");
      assertThat(nodata.getSrcEndpoint().getIp()).isNull();
    }
  }

  @Test
  void uncompressedPagesToo() throws Exception {
    byte[] file = new ParquetTestWriter(COLUMNS, false, false).write(rows(7), 1000);
    assertThat(parseParquet(file).events()).hasSize(7);
  }

  @Test
  void aRowWithoutStartIsADeadLetterWithItsTextRendering() throws Exception {
    List<Object[]> rows = rows(3);
    rows.get(1)[10] = null;
    ChunkParseResult r = parseParquet(new ParquetTestWriter(COLUMNS, false, true).write(rows, 1000));
    assertThat(r.events()).hasSize(2);
    assertThat(r.deadLetters()).singleElement().satisfies(d -> {
      assertThat(d.getReason()).isEqualTo("malformed_record");
      assertThat(d.getRecordIndex()).isEqualTo(1L);
      assertThat(d.getLineNumber()).isNull();
      assertThat(new String(bytes(d.getOriginal()), StandardCharsets.UTF_8)).isEqualTo(textLine(rows.get(1)));
    });
  }

  @Test
  void corruptOrCutFilesAreDeadLetters() throws Exception {
    byte[] file = new ParquetTestWriter(COLUMNS, false, true).write(rows(20), 1000);
    byte[] cut = java.util.Arrays.copyOf(file, file.length - 30);
    assertThat(parseParquet(cut).deadLetters()).extracting(d -> d.getReason()).containsExactly("malformed_record");
    byte[] flipped = file.clone();
    flipped[file.length - 8] ^= 0x7f; // footer length
    assertThat(parseParquet(flipped).deadLetters()).extracting(d -> d.getReason()).containsExactly("malformed_record");
    byte[] p = java.util.Arrays.copyOf(file, 4096);
    var truncated = Chunks.chunk(p, "d".repeat(64), AwsVpcFlowParquetParser.FORMAT, Framing.WHOLE, ORIGIN, 0, 1, 0, 1, 0,
        true, p);
    assertThat(new ChunkParser(ParserRegistry.defaults()).parse(truncated).deadLetters())
        .extracting(d -> d.getReason()).containsExactly("record_too_large");
  }

  /**
   * A file over the size limits cut as the collector's PARQUET_ROW_GROUPS framing cuts it (records = PAR1 + row group 0,
   * each next row group, the footer; chunks of whole records up to chunkSize, a record over maxRecord truncated to
   * it), every chunk with the footer header. Mirrors ingest's Chunker + ParquetRowGroupScanner, which cannot be used
   * from here (parsers do not depend on ingest); ingest's ParquetRowGroupScannerTest pins the cut positions.
   */
  static List<RawArtifactChunk> collectorCut(byte[] file, int chunkSize, int maxRecord) throws Exception {
    List<long[]> records = new ArrayList<>(); // {start, end}
    long prev = 0;
    for (FlatParquetReader.RowGroupInfo g : FlatParquetReader.open(file).rowGroups()) {
      records.add(new long[] {prev, g.offset() + g.length()});
      prev = g.offset() + g.length();
    }
    records.add(new long[] {prev, file.length});
    List<long[]> cuts = new ArrayList<>(); // {start, end, firstRecord, truncated}
    long cs = 0;
    int csRecord = 0;
    for (int i = 0; i < records.size(); i++) {
      long rs = records.get(i)[0];
      long re = records.get(i)[1];
      if (re - rs > maxRecord) {
        if (rs > cs) cuts.add(new long[] {cs, rs, csRecord, 0});
        cuts.add(new long[] {rs, rs + maxRecord, i, 1});
        cs = re;
        csRecord = i + 1;
      } else if (re - cs > chunkSize) {
        if (rs > cs) cuts.add(new long[] {cs, rs, csRecord, 0});
        cs = rs;
        csRecord = i;
        if (re - rs > chunkSize) {
          cuts.add(new long[] {rs, re, i, 0});
          cs = re;
          csRecord = i + 1;
        }
      }
    }
    if (cs < file.length) cuts.add(new long[] {cs, file.length, csRecord, 0});
    int footerLength = java.nio.ByteBuffer.wrap(file, file.length - 8, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt();
    String header = AwsVpcFlowParquetParser.FOOTER_HEADER + java.util.Base64.getEncoder()
        .encodeToString(java.util.Arrays.copyOfRange(file, file.length - 8 - footerLength, file.length - 8));
    String sha = dev.strata.parse.EventIds.sha256Hex(file);
    List<RawArtifactChunk> out = new ArrayList<>();
    for (int k = 0; k < cuts.size(); k++) {
      long[] c = cuts.get(k);
      byte[] payload = java.util.Arrays.copyOfRange(file, (int) c[0], (int) c[1]);
      out.add(RawArtifactChunk.newBuilder(Chunks.chunk(payload, sha, AwsVpcFlowParquetParser.FORMAT,
          Framing.PARQUET_ROW_GROUPS, ORIGIN, k, cuts.size(), c[0], 1, c[2], c[3] == 1, file))
          .setFormatHeader(header).build());
    }
    return out;
  }

  static EvidenceEvent withoutChunkIndex(EvidenceEvent e) {
    EvidenceEvent c = EvidenceEvent.newBuilder(e).build();
    c.getLineage().setChunkIndex(0);
    return c;
  }

  @Test
  void aFileCutAtItsRowGroupsGivesTheEventsOfTheWholeFile() throws Exception {
    List<Object[]> rows = rows(2000);
    for (boolean v2 : new boolean[] {false, true}) {
      byte[] file = new ParquetTestWriter(COLUMNS, v2, true).write(rows, 150);
      List<FlatParquetReader.RowGroupInfo> groups = FlatParquetReader.open(file).rowGroups();
      assertThat(groups).hasSize(14);
      long largest = groups.stream().mapToLong(FlatParquetReader.RowGroupInfo::length).max().orElseThrow();
      FlatParquetReader.RowGroupInfo last = groups.get(groups.size() - 1);
      long footerRecord = file.length - (last.offset() + last.length()); // these tiny groups have a big footer
      // limits as if the file were over the collector's max record size: chunks of ~3 row groups, nothing truncated
      List<RawArtifactChunk> chunks = collectorCut(file, (int) (3.5 * largest),
          (int) Math.max(4 * largest, footerRecord));
      assertThat(chunks).hasSizeGreaterThan(3);
      assertThat(chunks.stream().filter(c -> c.getChunk().getTruncatedRecord()).count()).isZero();
      List<EvidenceEvent> whole = parseParquet(file).events();
      assertThat(whole).hasSize(2000);
      ChunkParser parser = new ChunkParser(ParserRegistry.defaults());
      List<EvidenceEvent> cut = new ArrayList<>();
      for (RawArtifactChunk c : chunks) {
        ChunkParseResult r = parser.parse(c);
        assertThat(r.deadLetters()).as("chunk %d", c.getChunk().getIndex()).isEmpty();
        r.events().forEach(e -> assertThat(e.getLineage().getChunkIndex()).isEqualTo(c.getChunk().getIndex()));
        cut.addAll(r.events());
      }
      assertThat(cut.stream().map(AwsVpcFlowParquetParserTest::withoutChunkIndex).toList())
          .as("pages v2=%s: every event as the whole file gives it (ids, offsets, record indexes, fields)", v2)
          .isEqualTo(whole.stream().map(AwsVpcFlowParquetParserTest::withoutChunkIndex).toList());
      assertThat(cut.get(1999).getLineage().getRecordIndex()).isEqualTo(1999L);
    }
  }

  @Test
  void aRowGroupLargerThanTheMaxRecordSizeIsADeadLetterAndTheOthersFlow() throws Exception {
    byte[] file = new ParquetTestWriter(COLUMNS, false, true).write(rows(1000), 400); // 400, 400, 200 rows
    List<FlatParquetReader.RowGroupInfo> groups = FlatParquetReader.open(file).rowGroups();
    assertThat(groups).extracting(FlatParquetReader.RowGroupInfo::rows).containsExactly(400L, 400L, 200L);
    int max = (int) ((groups.get(1).length() + groups.get(2).length()) / 2); // between the 200-row and 400-row groups
    assertThat(groups.get(2).length()).isLessThan(max);
    List<RawArtifactChunk> chunks = collectorCut(file, max, max);
    ChunkParser parser = new ChunkParser(ParserRegistry.defaults());
    List<EvidenceEvent> events = new ArrayList<>();
    List<dev.strata.schema.deadletter.DeadLetter> dead = new ArrayList<>();
    for (RawArtifactChunk c : chunks) {
      ChunkParseResult r = parser.parse(c);
      events.addAll(r.events());
      dead.addAll(r.deadLetters());
    }
    assertThat(dead).hasSize(2).allSatisfy(d -> {
      assertThat(d.getReason()).isEqualTo("record_too_large");
      assertThat(d.getMessage()).contains("larger than the collector's max record size")
          .contains("the full file is in the evidence store");
    });
    assertThat(dead.get(0).getMessage()).contains("Parquet row group 0 (rows 0-399");
    assertThat(dead.get(1).getMessage()).contains("Parquet row group 1 (rows 400-799");
    assertThat(dead).extracting(d -> d.getRecordIndex()).containsExactly(0L, 400L);
    List<EvidenceEvent> whole = parseParquet(file).events();
    assertThat(events.stream().map(AwsVpcFlowParquetParserTest::withoutChunkIndex).toList())
        .isEqualTo(whole.subList(800, 1000).stream().map(AwsVpcFlowParquetParserTest::withoutChunkIndex).toList());
  }

  @Test
  void aFileLargerThanOneChunkWithoutTheFooterHeaderIsRecordTooLarge() throws Exception {
    byte[] file = new ParquetTestWriter(COLUMNS, false, true).write(rows(300), 100);
    RawArtifactChunk first = RawArtifactChunk.newBuilder(collectorCut(file, 1, file.length).get(0))
        .setFormatHeader(null).build();
    assertThat(new ChunkParser(ParserRegistry.defaults()).parse(first).deadLetters()).singleElement()
        .satisfies(d -> assertThat(d.getReason()).isEqualTo("record_too_large"));
  }

  static String textLine(Object[] r) {
    StringBuilder sb = new StringBuilder();
    for (int c = 0; c < r.length; c++) sb.append(c == 0 ? "" : " ").append(r[c] == null ? "-" : r[c]);
    return sb.toString();
  }

  static byte[] bytes(java.nio.ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.duplicate().get(out);
    return out;
  }
}
