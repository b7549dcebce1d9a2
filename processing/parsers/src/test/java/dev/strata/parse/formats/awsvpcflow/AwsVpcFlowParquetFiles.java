package dev.strata.parse.formats.awsvpcflow;

import dev.strata.parse.parquet.ParquetTestWriter.Column;
import java.util.ArrayList;
import java.util.List;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;

/**
 * VPC Flow Logs in Parquet for tests (here and in other modules through the parsers' test jar): AWS's documented
 * Parquet layout ("Flow log records": column names = field names with '_', INT_32 / INT_64 / STRING) and invented
 * rows; write them with {@link dev.strata.parse.parquet.ParquetTestWriter}.
 */
public final class AwsVpcFlowParquetFiles {
  private AwsVpcFlowParquetFiles() {}

  public static final PrimitiveTypeName I32 = PrimitiveTypeName.INT32;
  public static final PrimitiveTypeName I64 = PrimitiveTypeName.INT64;
  public static final PrimitiveTypeName STR = PrimitiveTypeName.BINARY;

  /** Versions 2-5 and the v7 ECS task field, in AWS's Parquet types. */
  public static final List<Column> COLUMNS = List.of(
      new Column("version", I32, true), new Column("account_id", STR, true), new Column("interface_id", STR, true),
      new Column("srcaddr", STR, true), new Column("dstaddr", STR, true), new Column("srcport", I32, true),
      new Column("dstport", I32, true), new Column("protocol", I32, true), new Column("packets", I64, true),
      new Column("bytes", I64, true), new Column("start", I64, true), new Column("end", I64, true),
      new Column("action", STR, true), new Column("log_status", STR, true), new Column("vpc_id", STR, true),
      new Column("subnet_id", STR, true), new Column("instance_id", STR, true), new Column("tcp_flags", I32, true),
      new Column("type", STR, true), new Column("pkt_srcaddr", STR, true), new Column("pkt_dstaddr", STR, true),
      new Column("region", STR, true), new Column("az_id", STR, true), new Column("flow_direction", STR, true),
      new Column("traffic_path", I32, true), new Column("ecs_task_arn", STR, true));

  /** {@code n} rows: every 50th NODATA, ECS task on every 4th, instance on every 2nd. */
  public static List<Object[]> rows(int n) {
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
}
