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
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.junit.jupiter.api.Test;

/**
 * VPC Flow Logs in Parquet, written by the test with parquet-java's column writers in AWS's documented Parquet
 * layout (column names = field names with '_', INT_32 / INT_64 / STRING as the "Flow log records" table gives them),
 * GZIP pages as AWS delivers them. Values invented.
 */
class AwsVpcFlowParquetParserTest extends ParserContractTest {
  static final String ORIGIN = "AWSLogs/aws-account-id=111122223333/aws-service=vpcflowlogs/aws-region=eu-west-1/"
      + "year=2026/month=11/day=20/hour=10/111122223333_vpcflowlogs_eu-west-1_fl-0a1b2c3d_20261120T1000Z_ab12.log.parquet";

  static final PrimitiveTypeName I32 = PrimitiveTypeName.INT32;
  static final PrimitiveTypeName I64 = PrimitiveTypeName.INT64;
  static final PrimitiveTypeName STR = PrimitiveTypeName.BINARY;

  /** Versions 2-5 and the v7 ECS task field, in AWS's Parquet types. */
  static final List<Column> COLUMNS = List.of(
      new Column("version", I32, true), new Column("account_id", STR, true), new Column("interface_id", STR, true),
      new Column("srcaddr", STR, true), new Column("dstaddr", STR, true), new Column("srcport", I32, true),
      new Column("dstport", I32, true), new Column("protocol", I32, true), new Column("packets", I64, true),
      new Column("bytes", I64, true), new Column("start", I64, true), new Column("end", I64, true),
      new Column("action", STR, true), new Column("log_status", STR, true), new Column("vpc_id", STR, true),
      new Column("subnet_id", STR, true), new Column("instance_id", STR, true), new Column("tcp_flags", I32, true),
      new Column("type", STR, true), new Column("pkt_srcaddr", STR, true), new Column("pkt_dstaddr", STR, true),
      new Column("region", STR, true), new Column("az_id", STR, true), new Column("flow_direction", STR, true),
      new Column("traffic_path", I32, true), new Column("ecs_task_arn", STR, true));

  @Override
  protected EvidenceParser parser() {
    return new AwsVpcFlowParquetParser();
  }

  static List<Object[]> rows(int n) {
    List<Object[]> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      boolean nodata = i % 50 == 49;
      rows.add(new Object[] {7, "111122223333", "eni-0a1b2c3d4e5f60718",
          nodata ? null : "10.0.1." + (i % 200), nodata ? null : "198.51.100." + (i % 7),
          nodata ? null : 1024 + i, nodata ? null : 443, nodata ? null : 6, nodata ? null : (long) (10 + i),
          nodata ? null : 840L * (i + 1), 1763632800L + i, 1763632860L + i, nodata ? null : (i % 3 == 0 ? "REJECT" : "ACCEPT"),
          nodata ? "NODATA" : "OK", "vpc-0abc0abc0abc0abc0", "subnet-0123456789abcdef0", i % 2 == 0 ? "i-0123456789abcdef0" : null,
          nodata ? null : 19, nodata ? null : "IPv4", nodata ? null : "10.0.1." + (i % 200), nodata ? null : "198.51.100.7",
          "eu-west-1", "euw1-az2", nodata ? null : (i % 2 == 0 ? "egress" : "ingress"), nodata ? null : 1,
          i % 4 == 0 ? "arn:aws:ecs:eu-west-1:111122223333:task/prod/0a1b2c3d4e5f" : null});
    }
    return rows;
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
