package dev.strata.ingest.recognize;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.ingest.CollectionReport;
import dev.strata.ingest.CollectorOptions;
import dev.strata.ingest.FileCollector;
import dev.strata.ingest.TestFiles;
import dev.strata.ingest.publish.InMemoryChunkPublisher;
import dev.strata.schema.common.Framing;
import dev.strata.schema.raw.RawArtifactChunk;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * aws_vpc_flow_parquet: the delivery keys of AWS's "Flow log files" documentation (plain and Hive-compatible, daily and
 * hourly) with a Parquet file name; the content is only checked for the PAR1 magic (the schema is in the footer).
 */
class AwsVpcFlowParquetRecognizerTest {
  private static final List<ArtifactRecognizer> R = Recognizers.defaults();
  static final String KEY = "AWSLogs/111122223333/vpcflowlogs/eu-west-1/2026/11/20/10/"
      + "111122223333_vpcflowlogs_eu-west-1_fl-0a1b2c3d_20261120T1000Z_ab12cd34.log.parquet";
  static final String HIVE = "AWSLogs/aws-account-id=111122223333/aws-service=vpcflowlogs/aws-region=us-east-2/"
      + "year=2026/month=11/day=20/hour=10/111122223333_vpcflowlogs_us-east-2_fl-1_20261120T1000Z_ef56.log.parquet";

  @TempDir Path tmp;

  /** Bytes shaped like a Parquet file: magic, a body with newlines and zeros, magic (the parser reads the rest). */
  static byte[] parquetLike(int size) {
    byte[] b = new byte[size];
    for (int i = 0; i < size; i++) b[i] = (byte) (i * 31 + (i % 7 == 0 ? '\n' : 0));
    byte[] magic = "PAR1".getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(magic, 0, b, 0, 4);
    System.arraycopy(magic, 0, b, size - 4, 4);
    return b;
  }

  @Test
  void pathsGiveAccountAndRegion() {
    var r = new AwsVpcFlowParquetRecognizer();
    assertThat(r.matchPath("bucket/" + KEY).orElseThrow().cloudAccount()).isEqualTo("111122223333");
    assertThat(r.matchPath(KEY).orElseThrow().cloudRegion()).isEqualTo("eu-west-1");
    assertThat(r.matchPath(HIVE).orElseThrow().cloudRegion()).isEqualTo("us-east-2");
    assertThat(r.matchPath(KEY.replace(".log.parquet", ".log.gz"))).isEmpty();
    assertThat(new AwsVpcFlowRecognizer().matchPath(KEY)).isEmpty();
  }

  @Test
  void parquetMagicOnTheStandardPathOnly() {
    var sample = new ContentSample(Arrays.copyOf(parquetLike(4096), 4096), true, false);
    Recognition on = Recognizers.recognize(R, KEY, sample);
    assertThat(on.sourceType()).isEqualTo("aws_vpc_flow_parquet");
    assertThat(on.framing()).isEqualTo(Framing.PARQUET_ROW_GROUPS);
    assertThat(on.pathHints().cloudAccount()).isEqualTo("111122223333");
    assertThat(Recognizers.recognize(R, "exports/some.parquet", sample).recognized())
        .as("any other Parquet file is not taken for flow logs").isFalse();
    assertThat(Recognizers.recognize(R, KEY, ContentSample.of("version account-id\n")).sourceType())
        .as("text at a .parquet key is whatever its content is").isEqualTo("aws_vpc_flow");
  }

  /**
   * A file whose footer does not parse (these bytes only look like Parquet) is not cut: it travels as one record (one
   * chunk, bytes unchanged, no header), preserved under its SHA-256 like any artifact. Files that are cut:
   * ParquetRowGroupScannerTest.
   */
  @Test
  void withoutAReadableFooterCollectedAsOneChunk() {
    byte[] file = parquetLike(300_000);
    Path root = tmp.resolve("evidence");
    TestFiles.write(root, KEY, file);
    InMemoryChunkPublisher out = new InMemoryChunkPublisher();
    CollectionReport report = FileCollector.collect(root, CollectorOptions.builder().chunkSize(64 << 10).build(), out,
        null, null);
    assertThat(report.artifacts()).singleElement().satisfies(a -> {
      assertThat(a.sourceType()).isEqualTo("aws_vpc_flow_parquet");
      assertThat(a.artifactSha256()).isEqualTo(TestFiles.sha256(file));
    });
    List<RawArtifactChunk> chunks = out.chunksOfOrigin(KEY);
    assertThat(chunks).singleElement().satisfies(c -> {
      assertThat(c.getFraming()).isEqualTo(Framing.PARQUET_ROW_GROUPS);
      assertThat(c.getFormatHeader()).isNull();
      assertThat(c.getChunk().getTruncatedRecord()).isFalse();
      assertThat(c.getContext().getCloudRegion()).isEqualTo("eu-west-1");
    });
    assertThat(out.reassemble(chunks.get(0).getArtifactSha256())).isEqualTo(file);
  }
}
