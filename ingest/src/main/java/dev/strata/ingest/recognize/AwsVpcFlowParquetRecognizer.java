package dev.strata.ingest.recognize;

import dev.strata.ingest.context.ContextValues;
import dev.strata.schema.common.Framing;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * {@code aws_vpc_flow_parquet}: VPC Flow Logs delivered to S3 in Apache Parquet.
 *
 * <p>Path: the flow log delivery keys of {@link AwsVpcFlowRecognizer} (plain or Hive-compatible, daily or hourly
 * partitions) with a {@code .parquet} file name; the layout gives cloud_provider=aws, cloud_account and cloud_region.
 * AWS writes Parquet flow logs with Parquet's own GZIP page compression ("Flow log files": "Parquet format with Gzip
 * compression"), so the object itself starts with {@code PAR1}; a copy gzip-compressed as a whole
 * ({@code .parquet.gz}, e.g. in an evidence bundle) is read through its decompressed content and cut the same way.
 * Content: the Parquet magic {@code PAR1} (WEAK: a Parquet file's schema is in its footer, at the end, so the sample
 * cannot prove it holds flow logs; accepted on the standard path only). Framing PARQUET_ROW_GROUPS: Parquet cannot be
 * cut at arbitrary bytes, so the collector reads the file's footer first and cuts after its row groups
 * ({@link dev.strata.ingest.chunk.ParquetRowGroupScanner}): a chunk holds whole row groups (or the footer), and every
 * chunk of a file cut into several carries the footer in its format_header, so the parser reads each chunk alone. A
 * row group larger than the collector's max record size is a truncated record (dead-lettered by the parser; the file
 * stays whole in the evidence store); a small file is one chunk.
 */
public final class AwsVpcFlowParquetRecognizer implements ArtifactRecognizer {
  public static final String SOURCE_TYPE = "aws_vpc_flow_parquet";

  private static final String PARQUET_FILE = "[^/]+\\.parquet(?:\\.gz)?";
  private static final Pattern PATH = AwsVpcFlowRecognizer.deliveryPath(PARQUET_FILE);
  private static final Pattern HIVE_PATH = AwsVpcFlowRecognizer.hivePath(PARQUET_FILE);

  @Override
  public String sourceType() {
    return SOURCE_TYPE;
  }

  @Override
  public Optional<ContextValues> matchPath(String relPath) {
    return AwsVpcFlowRecognizer.layout(relPath, PATH, HIVE_PATH);
  }

  @Override
  public ContentMatch probe(ContentSample sample) {
    byte[] b = sample.bytes();
    if (b.length >= 4 && b[0] == 'P' && b[1] == 'A' && b[2] == 'R' && b[3] == '1') {
      return ContentMatch.weak(Framing.PARQUET_ROW_GROUPS, "Parquet file (its schema is in the footer)");
    }
    return ContentMatch.none("no Parquet magic PAR1");
  }
}
