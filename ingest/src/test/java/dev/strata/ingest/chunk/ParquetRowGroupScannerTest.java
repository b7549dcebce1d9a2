package dev.strata.ingest.chunk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.ingest.CollectorOptions;
import dev.strata.ingest.FileCollector;
import dev.strata.ingest.TestFiles;
import dev.strata.ingest.publish.InMemoryChunkPublisher;
import dev.strata.schema.common.Framing;
import dev.strata.schema.raw.RawArtifactChunk;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import org.apache.parquet.format.ColumnChunk;
import org.apache.parquet.format.ColumnMetaData;
import org.apache.parquet.format.CompressionCodec;
import org.apache.parquet.format.Encoding;
import org.apache.parquet.format.FieldRepetitionType;
import org.apache.parquet.format.FileMetaData;
import org.apache.parquet.format.RowGroup;
import org.apache.parquet.format.SchemaElement;
import org.apache.parquet.format.Type;
import org.apache.parquet.format.Util;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PARQUET_ROW_GROUPS: the collector reads a Parquet file's footer first and cuts after its row groups. The files are
 * built here from the Parquet format specification (magic, column chunks, Thrift FileMetaData footer, its length,
 * magic) with random column bytes: the collector only reads the footer, the parser test reads real rows
 * (AwsVpcFlowParquetParserTest in processing/parsers).
 */
class ParquetRowGroupScannerTest {
  static final String KEY = "AWSLogs/111122223333/vpcflowlogs/eu-west-1/2026/11/20/10/"
      + "111122223333_vpcflowlogs_eu-west-1_fl-0a1b2c3d_20261120T1000Z_ab12cd34.log.parquet";

  @TempDir Path tmp;

  /** A file of row groups of the given byte sizes (two columns each), and its footer bytes. */
  record File(byte[] bytes, byte[] footer, long[] groupEnds) {}

  static File parquet(int... groupSizes) throws Exception {
    Random random = new Random(7);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(new byte[] {'P', 'A', 'R', '1'});
    List<RowGroup> groups = new ArrayList<>();
    long[] ends = new long[groupSizes.length];
    for (int g = 0; g < groupSizes.length; g++) {
      List<ColumnChunk> columns = new ArrayList<>();
      int first = groupSizes[g] / 2;
      for (int c = 0; c < 2; c++) {
        int size = c == 0 ? first : groupSizes[g] - first;
        long at = out.size();
        byte[] body = new byte[size];
        random.nextBytes(body);
        out.write(body);
        ColumnMetaData md = new ColumnMetaData(c == 0 ? Type.INT64 : Type.BYTE_ARRAY, List.of(Encoding.PLAIN),
            List.of(c == 0 ? "start" : "srcaddr"), CompressionCodec.GZIP, 100, size, size, at);
        ColumnChunk cc = new ColumnChunk(at);
        cc.setMeta_data(md);
        columns.add(cc);
      }
      groups.add(new RowGroup(columns, groupSizes[g], 100));
      ends[g] = out.size();
    }
    SchemaElement root = new SchemaElement("schema");
    root.setNum_children(2);
    SchemaElement start = new SchemaElement("start");
    start.setType(Type.INT64);
    start.setRepetition_type(FieldRepetitionType.OPTIONAL);
    SchemaElement srcaddr = new SchemaElement("srcaddr");
    srcaddr.setType(Type.BYTE_ARRAY);
    srcaddr.setRepetition_type(FieldRepetitionType.OPTIONAL);
    FileMetaData meta = new FileMetaData(1, List.of(root, start, srcaddr), 100L * groupSizes.length, groups);
    ByteArrayOutputStream footer = new ByteArrayOutputStream();
    Util.writeFileMetaData(meta, footer);
    out.write(footer.toByteArray());
    out.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(footer.size()).array());
    out.write(new byte[] {'P', 'A', 'R', '1'});
    return new File(out.toByteArray(), footer.toByteArray(), ends);
  }

  List<RawArtifactChunk> collect(byte[] file, int chunkSize, int maxRecord, InMemoryChunkPublisher out) {
    Path root = tmp.resolve("evidence");
    TestFiles.write(root, KEY, file);
    FileCollector.collect(root, CollectorOptions.builder().chunkSize(chunkSize).maxRecordBytes(maxRecord).build(), out,
        null, null);
    return out.chunksOfOrigin(KEY);
  }

  @Test
  void aFileOverTheLimitsIsCutAfterItsRowGroupsWithItsPartOfTheFooterOnEveryChunk() throws Exception {
    File f = parquet(30_000, 50_000, 10_000, 70_000, 10_000);
    InMemoryChunkPublisher out = new InMemoryChunkPublisher();
    List<RawArtifactChunk> chunks = collect(f.bytes(), 64 << 10, 100 << 10, out);
    // records: PAR1 + group 0 | group 1 | group 2 | group 3 | group 4 | footer; chunks of whole records up to 64 KiB,
    // a record over 64 KiB (group 3) alone
    assertThat(chunks).extracting(c -> c.getChunk().getOffset())
        .containsExactly(0L, f.groupEnds()[0], f.groupEnds()[2], f.groupEnds()[3]);
    assertThat(chunks).extracting(c -> c.getChunk().getLength())
        .containsExactly(f.groupEnds()[0], f.groupEnds()[2] - f.groupEnds()[0], f.groupEnds()[3] - f.groupEnds()[2],
            f.bytes().length - f.groupEnds()[3]);
    assertThat(chunks).extracting(c -> c.getChunk().getFirstRecord()).containsExactly(0L, 1L, 3L, 4L);
    assertThat(chunks).allSatisfy(c -> {
      assertThat(c.getFraming()).isEqualTo(Framing.PARQUET_ROW_GROUPS);
      assertThat(c.getChunk().getTruncatedRecord()).isFalse();
    });
    // each chunk: its first row group and row, and a FileMetaData with the schema and its own row groups
    FileMetaData whole = Util.readFileMetaData(new java.io.ByteArrayInputStream(f.footer()));
    int[][] own = {{0}, {1, 2}, {3}, {4}};
    for (int i = 0; i < chunks.size(); i++) {
      String[] h = chunks.get(i).getFormatHeader().split(":", 4);
      assertThat(h[0] + ":").isEqualTo(ParquetRowGroupScanner.ROW_GROUPS_PREFIX);
      assertThat(Integer.parseInt(h[1])).isEqualTo(own[i][0]);
      assertThat(Long.parseLong(h[2])).isEqualTo(100L * own[i][0]);
      FileMetaData part = Util.readFileMetaData(new java.io.ByteArrayInputStream(Base64.getDecoder().decode(h[3])));
      assertThat(part.getSchema()).isEqualTo(whole.getSchema());
      List<RowGroup> expected = new ArrayList<>();
      for (int g : own[i]) expected.add(whole.getRow_groups().get(g));
      assertThat(part.getRow_groups()).as("chunk %d", i).isEqualTo(expected);
      assertThat(part.getNum_rows()).isEqualTo(100L * own[i].length);
    }
    assertThat(out.reassemble(chunks.get(0).getArtifactSha256())).as("exact source bytes").isEqualTo(f.bytes());
  }

  @Test
  void aRowGroupLargerThanTheMaxRecordSizeIsATruncatedRecordAndTheRestIsCut() throws Exception {
    File f = parquet(30_000, 150_000, 20_000);
    InMemoryChunkPublisher out = new InMemoryChunkPublisher();
    List<RawArtifactChunk> chunks = collect(f.bytes(), 64 << 10, 100 << 10, out);
    assertThat(chunks).extracting(c -> c.getChunk().getOffset())
        .containsExactly(0L, f.groupEnds()[0], f.groupEnds()[1]);
    assertThat(chunks).extracting(c -> c.getChunk().getTruncatedRecord()).containsExactly(false, true, false);
    RawArtifactChunk cut = chunks.get(1);
    assertThat(cut.getChunk().getLength()).isEqualTo(100 << 10);
    assertThat(cut.getChunk().getFirstRecord()).isEqualTo(1L);
    assertThat(chunks.get(2).getChunk().getLength()).isEqualTo(f.bytes().length - f.groupEnds()[1]);
    assertThat(chunks).extracting(c -> c.getFormatHeader().split(":", 4)[1]).containsExactly("0", "1", "2");
  }

  @Test
  void aSmallFileIsOneChunkWithoutHeader() throws Exception {
    File f = parquet(3_000, 2_000);
    List<RawArtifactChunk> chunks = collect(f.bytes(), 64 << 10, 100 << 10, new InMemoryChunkPublisher());
    assertThat(chunks).singleElement().satisfies(c -> {
      assertThat(c.getFraming()).isEqualTo(Framing.PARQUET_ROW_GROUPS);
      assertThat(c.getFormatHeader()).isNull();
      assertThat(c.getChunk().getLength()).isEqualTo(f.bytes().length);
    });
  }

  /** A gzip-compressed Parquet file: the footer is found by reading its decompressed content through. */
  @Test
  void aGzipCompressedFileIsCutAtTheSameRowGroups() throws Exception {
    File f = parquet(30_000, 50_000, 10_000, 70_000, 10_000);
    ParquetRowGroupScanner fromStream = ParquetRowGroupScanner.of(new java.io.ByteArrayInputStream(f.bytes())).orElseThrow();
    assertThat(fromStream.formatHeader()).isEqualTo(ParquetRowGroupScanner.HEADER_PREFIX
        + Base64.getEncoder().encodeToString(f.footer()));
    assertThat(ParquetRowGroupScanner.of(new java.io.ByteArrayInputStream(Arrays.copyOf(f.bytes(), 11)))).isEmpty();
    assertThat(ParquetRowGroupScanner.of(new java.io.ByteArrayInputStream("PAR1 not parquet at all".getBytes())))
        .isEmpty();

    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (var z = new java.util.zip.GZIPOutputStream(gz)) {
      z.write(f.bytes());
    }
    Path root = tmp.resolve("gz");
    TestFiles.write(root, KEY + ".gz", gz.toByteArray());
    InMemoryChunkPublisher out = new InMemoryChunkPublisher();
    FileCollector.collect(root, CollectorOptions.builder().chunkSize(64 << 10).maxRecordBytes(100 << 10).build(), out,
        null, null);
    List<RawArtifactChunk> chunks = out.chunksOfOrigin(KEY + ".gz");
    assertThat(chunks).extracting(c -> c.getChunk().getOffset())
        .containsExactly(0L, f.groupEnds()[0], f.groupEnds()[2], f.groupEnds()[3]);
    assertThat(chunks).allSatisfy(c -> {
      assertThat(c.getSourceType()).isEqualTo("aws_vpc_flow_parquet");
      assertThat(c.getFraming()).isEqualTo(Framing.PARQUET_ROW_GROUPS);
      assertThat(c.getFormatHeader()).startsWith(ParquetRowGroupScanner.ROW_GROUPS_PREFIX);
    });
  }

  @Test
  void noScannerForFilesWhoseFooterCannotBeRead() throws Exception {
    File f = parquet(3_000, 2_000);
    Path p = tmp.resolve("x.parquet");
    Files.write(p, f.bytes());
    assertThat(ParquetRowGroupScanner.of(p)).isPresent();
    byte[] badLength = f.bytes().clone();
    badLength[badLength.length - 5] = 0x7f; // footer length > file
    Files.write(p, badLength);
    assertThat(ParquetRowGroupScanner.of(p)).isEmpty();
    Files.write(p, Arrays.copyOf(f.bytes(), f.bytes().length - 1)); // no closing magic
    assertThat(ParquetRowGroupScanner.of(p)).isEmpty();
    byte[] garbledFooter = f.bytes().clone();
    Arrays.fill(garbledFooter, garbledFooter.length - 8 - f.footer().length, garbledFooter.length - 8, (byte) 0xff);
    Files.write(p, garbledFooter);
    assertThat(ParquetRowGroupScanner.of(p)).isEmpty();
    assertThat(ParquetRowGroupScanner.fromFooter(f.footer(), 100)).as("row groups past the footer").isEmpty();
  }
}
