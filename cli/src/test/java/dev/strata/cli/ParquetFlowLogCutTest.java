package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.ingest.CollectionReport;
import dev.strata.ingest.CollectorOptions;
import dev.strata.ingest.FileCollector;
import dev.strata.ingest.publish.InMemoryChunkPublisher;
import dev.strata.parse.ChunkParseResult;
import dev.strata.parse.ChunkParser;
import dev.strata.parse.ParserRegistry;
import dev.strata.parse.formats.awsvpcflow.AwsVpcFlowParquetFiles;
import dev.strata.parse.parquet.FlatParquetReader;
import dev.strata.parse.parquet.ParquetTestWriter;
import dev.strata.schema.common.Framing;
import dev.strata.schema.deadletter.DeadLetter;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.raw.ChunkInfo;
import dev.strata.schema.raw.RawArtifactChunk;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * VPC Flow Logs in Parquet larger than the collector's max record size, through the real collector (footer read first,
 * cut after row groups, footer in format_header) and the parser chunk by chunk: the same events as the file parsed
 * whole. Files written in AWS's Parquet column layout by the parsers' test writer (GZIP pages), rows invented.
 */
class ParquetFlowLogCutTest {
  static final String KEY = "AWSLogs/111122223333/vpcflowlogs/eu-west-1/2026/11/20/10/"
      + "111122223333_vpcflowlogs_eu-west-1_fl-0a1b2c3d_20261120T1000Z_ab12cd34.log.parquet";

  @TempDir Path tmp;

  /** What a parse gave: the chunks, a digest per event (see {@link #digest}), the dead letters. */
  record Parsed(List<RawArtifactChunk> chunks, List<String> events, List<DeadLetter> deadLetters) {}

  Parsed collectAndParse(byte[] file, CollectorOptions options) throws Exception {
    return collectAndParse(file, options, KEY);
  }

  Parsed collectAndParse(byte[] file, CollectorOptions options, String key) throws Exception {
    Path root = tmp.resolve("evidence-" + file.length);
    Path p = root.resolve(key);
    Files.createDirectories(p.getParent());
    Files.write(p, file);
    InMemoryChunkPublisher out = new InMemoryChunkPublisher();
    CollectionReport report = FileCollector.collect(root, options, out, null, null);
    assertThat(report.artifacts()).singleElement().satisfies(a -> assertThat(a.sourceType())
        .isEqualTo("aws_vpc_flow_parquet"));
    List<RawArtifactChunk> chunks = out.chunksOfOrigin(key);
    ChunkParser parser = new ChunkParser(ParserRegistry.defaults());
    List<String> events = new ArrayList<>();
    List<DeadLetter> dead = new ArrayList<>();
    for (RawArtifactChunk c : chunks) {
      ChunkParseResult r = parser.parse(c);
      for (EvidenceEvent e : r.events()) {
        assertThat(e.getLineage().getChunkIndex()).isEqualTo(c.getChunk().getIndex());
        events.add(digest(e));
      }
      dead.addAll(r.deadLetters());
    }
    return new Parsed(chunks, events, dead);
  }

  /** The file as one chunk (as a collector without row group cutting would give it, without a size limit). */
  static List<String> parsedWhole(RawArtifactChunk like, byte[] file) {
    RawArtifactChunk whole = RawArtifactChunk.newBuilder(like).setPayload(ByteBuffer.wrap(file)).setFormatHeader(null)
        .setChunk(ChunkInfo.newBuilder(like.getChunk()).setIndex(0).setCount(1).setOffset(0).setLength(file.length)
            .setFirstRecord(0).setTruncatedRecord(false).build())
        .build();
    ChunkParseResult r = new ChunkParser(ParserRegistry.defaults()).parse(whole);
    assertThat(r.deadLetters()).isEmpty();
    return r.events().stream().map(ParquetFlowLogCutTest::digest).toList();
  }

  /**
   * SHA-256 of the event's Avro encoding with lineage.chunk_index set to 0 (the one field that names the chunk), its
   * id and record index in front so a difference shows where: ~200k events do not fit the test heap as objects.
   */
  static String digest(EvidenceEvent e) {
    try {
      e.getLineage().setChunkIndex(0);
      var bytes = new java.io.ByteArrayOutputStream();
      var enc = org.apache.avro.io.EncoderFactory.get().binaryEncoder(bytes, null);
      new org.apache.avro.specific.SpecificDatumWriter<>(EvidenceEvent.class).write(e, enc);
      enc.flush();
      return e.getLineage().getRecordIndex() + " " + e.getEventId() + " "
          + dev.strata.parse.EventIds.sha256Hex(bytes.toByteArray());
    } catch (java.io.IOException x) {
      throw new java.io.UncheckedIOException(x);
    }
  }

  @Test
  void aFileOverTheMaxRecordSizeIsCutByRowGroupAndGivesTheEventsOfTheWholeFile() throws Exception {
    byte[] file = new ParquetTestWriter(AwsVpcFlowParquetFiles.COLUMNS, false, true)
        .write(AwsVpcFlowParquetFiles.rows(190_000), 19_000);
    CollectorOptions defaults = CollectorOptions.builder().build();
    assertThat(file.length).as("over the default max record size").isGreaterThan(defaults.maxRecordBytes());
    assertThat(FlatParquetReader.open(file).rowGroups()).hasSize(10);

    Parsed cut = collectAndParse(file, defaults);
    assertThat(cut.chunks()).hasSizeGreaterThan(5).allSatisfy(c -> {
      assertThat(c.getFraming()).isEqualTo(Framing.PARQUET_ROW_GROUPS);
      assertThat(c.getFormatHeader()).startsWith("parquet-row-groups:");
      assertThat(c.getChunk().getTruncatedRecord()).isFalse();
      assertThat(c.getChunk().getLength()).isLessThanOrEqualTo(defaults.chunkSize());
    });
    // each chunk carries the schema and its own row groups, not the whole footer
    int footer = footerLength(file);
    int groups = 0;
    long rows = 0;
    for (RawArtifactChunk c : cut.chunks()) {
      String[] h = c.getFormatHeader().split(":", 4); // parquet-row-groups:<first group>:<first row>:<base64>
      var part = org.apache.parquet.format.Util.readFileMetaData(
          new java.io.ByteArrayInputStream(java.util.Base64.getDecoder().decode(h[3])));
      assertThat(Integer.parseInt(h[1])).as("first row group of chunk %d", c.getChunk().getIndex()).isEqualTo(groups);
      assertThat(Long.parseLong(h[2])).as("first row of chunk %d", c.getChunk().getIndex()).isEqualTo(rows);
      assertThat(part.getSchema()).hasSize(AwsVpcFlowParquetFiles.COLUMNS.size() + 1);
      assertThat(part.getNum_rows()).isEqualTo(part.getRow_groups().stream().mapToLong(g -> g.getNum_rows()).sum());
      assertThat(h[3].length()).as("a part of the footer").isLessThan(footer * 4 / 3 * Math.max(1,
          part.getRow_groupsSize()) / 10 + 4096);
      groups += part.getRow_groupsSize();
      rows += part.getNum_rows();
    }
    assertThat(groups).as("every row group in exactly one chunk").isEqualTo(10);
    assertThat(rows).isEqualTo(190_000);
    assertThat(cut.deadLetters()).isEmpty();
    List<String> whole = parsedWhole(cut.chunks().get(0), file);
    assertThat(whole).hasSize(190_000);
    assertThat(cut.events()).as("same ids, offsets, record indexes and fields").isEqualTo(whole);
    assertThat(cut.events().get(189_999)).startsWith("189999 ");
  }

  /**
   * A Parquet flow log file gzip-compressed as a whole ({@code .log.parquet.gz}: AWS compresses Parquet pages itself,
   * but a copy may be gzipped for transfer) is cut by row group from its decompressed content too.
   */
  @Test
  void aGzipCompressedFileIsCutByRowGroupToo() throws Exception {
    byte[] file = new ParquetTestWriter(AwsVpcFlowParquetFiles.COLUMNS, false, true)
        .write(AwsVpcFlowParquetFiles.rows(40_000), 4_000);
    var gz = new java.io.ByteArrayOutputStream();
    try (var z = new java.util.zip.GZIPOutputStream(gz)) {
      z.write(file);
    }
    int max = file.length / 4;
    Parsed cut = collectAndParse(gz.toByteArray(), CollectorOptions.builder().chunkSize(max).maxRecordBytes(max)
        .build(), KEY + ".gz");
    assertThat(cut.chunks()).hasSizeGreaterThan(3).allSatisfy(c -> {
      assertThat(c.getFraming()).isEqualTo(Framing.PARQUET_ROW_GROUPS);
      assertThat(c.getFormatHeader()).startsWith("parquet-row-groups:");
      assertThat(c.getChunk().getTruncatedRecord()).isFalse();
    });
    assertThat(cut.deadLetters()).isEmpty();
    List<String> whole = parsedWhole(cut.chunks().get(0), file);
    assertThat(whole).hasSize(40_000);
    assertThat(cut.events()).isEqualTo(whole);
  }

  private static int footerLength(byte[] file) {
    int n = file.length;
    return (file[n - 8] & 0xff) | (file[n - 7] & 0xff) << 8 | (file[n - 6] & 0xff) << 16 | (file[n - 5] & 0xff) << 24;
  }

  @Test
  void aRowGroupOverTheMaxRecordSizeIsADeadLetterWithAClearReason() throws Exception {
    byte[] file = new ParquetTestWriter(AwsVpcFlowParquetFiles.COLUMNS, false, true)
        .write(AwsVpcFlowParquetFiles.rows(30_000), 10_000);
    List<FlatParquetReader.RowGroupInfo> groups = FlatParquetReader.open(file).rowGroups();
    long largest = groups.stream().mapToLong(FlatParquetReader.RowGroupInfo::length).max().orElseThrow();
    int max = (int) (largest * 3 / 4);
    Parsed cut = collectAndParse(file, CollectorOptions.builder().chunkSize(max).maxRecordBytes(max).build());
    assertThat(cut.events()).isEmpty();
    assertThat(cut.deadLetters()).hasSize(3).allSatisfy(d -> {
      assertThat(d.getReason()).isEqualTo("record_too_large");
      assertThat(d.getMessage()).contains("is larger than the collector's max record size")
          .contains("its rows are not read, the full file is in the evidence store");
    });
    // chunk 0 holds the magic PAR1, then the first bytes of row group 0
    assertThat(cut.deadLetters().get(0).getMessage()).contains("(" + (max - 4) + " bytes published)");
    assertThat(cut.deadLetters().get(1).getMessage()).contains("(" + max + " bytes published)");
    assertThat(cut.deadLetters().get(2).getMessage()).startsWith("Parquet row group 2 (rows 20000-29999, ");
  }
}
