package dev.strata.ingest.recognize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.ingest.CollectorOptions;
import dev.strata.ingest.FileCollector;
import dev.strata.ingest.TestFiles;
import dev.strata.ingest.publish.InMemoryChunkPublisher;
import dev.strata.schema.common.Framing;
import dev.strata.schema.raw.RawArtifactChunk;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Custom VPC flow log formats configured for exports without a header line. Fixtures written from the AWS docs "Flow
 * log records" (custom format: {@code LogFormat} {@code ${field}} string, available fields v2-v7), "Publish flow logs
 * to CloudWatch Logs" (no header line), "Export log data to Amazon S3" / CreateExportTask ({@code
 * <destinationPrefix>/<task id>/<log stream>/000000.gz}, {@code <ISO-8601 timestamp> <message>} lines) and the
 * CloudWatch Logs subscription filter payload ({@code logGroup}, {@code logEvents[].message}); ids and addresses
 * invented.
 */
class VpcFlowLogFormatsTest {
  static final String FORMAT = "${version} ${vpc-id} ${subnet-id} ${instance-id} ${interface-id} ${account-id} ${type}"
      + " ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${pkt-srcaddr} ${pkt-dstaddr} ${protocol} ${bytes} ${packets}"
      + " ${start} ${end} ${action} ${tcp-flags} ${log-status} ${flow-direction} ${traffic-path}";
  static final String RECORD = "5 vpc-0abc0abc0abc0abc0 subnet-0123456789abcdef0 i-0123456789abcdef0 "
      + "eni-0a1b2c3d4e5f60718 111122223333 IPv4 10.0.1.23 198.51.100.7 49152 443 10.0.1.23 198.51.100.7 6 4249 20 "
      + "1732300000 1732300060 ACCEPT 19 OK egress 1";
  static final String EXPORT_KEY = "exportedlogs/flow-custom/0a1b2c3d-4e5f-6789-abcd-ef0123456789/eni-0a1b2c3d4e5f60718-all/000000.gz";

  @TempDir Path tmp;

  @Test
  void specsParseAndTheLongestPrefixWins() {
    VpcFlowLogFormats f = VpcFlowLogFormats.of(VpcFlowLogFormats.parse(List.of(
        "exportedlogs/=version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end"
            + " action log-status",
        "exportedlogs/flow-custom/=" + FORMAT,
        "log-group:/vpc/flow-custom=" + FORMAT.replace(" ${traffic-path}", ""),
        "AWSLogs/aws-account-id=111122223333/exports/=${version}   ${start}  ${srcaddr}"), "--vpc-flow-log-format"));
    assertThat(f.forPath(EXPORT_KEY).orElseThrow().format()).isEqualTo(FORMAT);
    assertThat(f.forPath("case-42/bucket-copy/" + EXPORT_KEY).orElseThrow().format()).as("after any '/'")
        .isEqualTo(FORMAT);
    assertThat(f.forPath("s3://logs-bucket/" + EXPORT_KEY).orElseThrow().format()).as("an S3 origin")
        .isEqualTo(FORMAT);
    assertThat(f.forPath("exportedlogs/other/t/s/000000.gz").orElseThrow().format()).startsWith("version account-id");
    assertThat(f.forPath("AWSLogs/aws-account-id=111122223333/exports/x.gz").orElseThrow().format())
        .as("'=' in a Hive-style prefix; blanks normalized").isEqualTo("${version} ${start} ${srcaddr}");
    assertThat(f.forPath("myexportedlogs/x")).isEmpty();
    assertThat(f.forLogGroup("/vpc/flow-custom").orElseThrow().format()).endsWith("${flow-direction}");
    assertThat(f.forLogGroup("/vpc/other")).isEmpty();

    VpcFlowLogFormats bucket = VpcFlowLogFormats.of(VpcFlowLogFormats.parse(
        List.of("s3://logs-bucket/exportedlogs/=" + FORMAT), "env"));
    assertThat(bucket.forPath("s3://logs-bucket/" + EXPORT_KEY)).isPresent();
    assertThat(bucket.forPath("s3://other-bucket/" + EXPORT_KEY)).isEmpty();
  }

  @Test
  void aBadFormatFailsNamingWhereItCameFrom() {
    assertThatThrownBy(() -> VpcFlowLogFormats.parse(List.of("exportedlogs/ ${version} ${start}"), "--vpc-flow-log-format"))
        .hasMessageContaining("--vpc-flow-log-format").hasMessageContaining("PREFIX=FORMAT");
    assertThatThrownBy(() -> VpcFlowLogFormats.parse(List.of("exportedlogs/=${Version} ${START} ${srcaddr}"), "env X"))
        .hasMessageContaining("env X").hasMessageContaining("is not a VPC flow log format");
    assertThatThrownBy(() -> VpcFlowLogFormats.parse(List.of("exportedlogs/=  "), "env X"))
        .hasMessageContaining("empty");
  }

  @Test
  void aHeaderlessCustomExportIsRecognizedByItsPrefixAndCarriesTheConfiguredFormat() {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 2000; i++) {
      sb.append("2024-11-22T18:27:").append(String.format("%02d", i % 60)).append(".000Z ").append(RECORD).append('\n');
    }
    byte[] content = sb.toString().getBytes(StandardCharsets.UTF_8);
    Path root = tmp.resolve("evidence");
    TestFiles.write(root, EXPORT_KEY, TestFiles.gzip(content));

    InMemoryChunkPublisher without = new InMemoryChunkPublisher();
    FileCollector.collect(root, CollectorOptions.builder().chunkSize(16 << 10).build(), without, null, null);
    assertThat(without.chunksOfOrigin(EXPORT_KEY)).as("a custom format without header is not recognizable").isEmpty();

    VpcFlowLogFormats formats = VpcFlowLogFormats.of(VpcFlowLogFormats.parse(
        List.of("exportedlogs/flow-custom/=" + FORMAT), "test"));
    InMemoryChunkPublisher out = new InMemoryChunkPublisher();
    FileCollector.collect(root, CollectorOptions.builder().chunkSize(16 << 10).vpcFlowLogFormats(formats).build(), out,
        null, null);
    List<RawArtifactChunk> chunks = out.chunksOfOrigin(EXPORT_KEY);
    assertThat(chunks.size()).isGreaterThan(3);
    for (RawArtifactChunk c : chunks) {
      assertThat(c.getSourceType()).isEqualTo("aws_vpc_flow");
      assertThat(c.getFraming()).isEqualTo(Framing.LINES);
      assertThat(c.getFormatHeader()).isEqualTo(FORMAT);
      assertThat(c.getContext().getCloudProvider()).isEqualTo("aws");
    }
    assertThat(out.reassemble(chunks.get(0).getArtifactSha256())).isEqualTo(content);
  }

  @Test
  void theFilesOwnHeaderWinsAndOtherPathsAreUntouched() {
    ArtifactRecognizer r = new AwsVpcFlowRecognizer(VpcFlowLogFormats.of(VpcFlowLogFormats.parse(
        List.of("exportedlogs/flow-custom/=" + FORMAT), "test")));
    String own = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end"
        + " action log-status flow-direction";
    ContentSample withHeader = sample(own + "\n2 111122223333 eni-0a1b2c3d4e5f60718 10.0.1.23 198.51.100.7 49152 443 6"
        + " 20 4249 1732300000 1732300060 ACCEPT OK egress\n");
    assertThat(r.formatHeader(EXPORT_KEY, withHeader)).contains(own);
    ContentSample headerless = sample("2024-11-22T18:27:00.000Z " + RECORD + "\n");
    assertThat(r.formatHeader(EXPORT_KEY, headerless)).contains(FORMAT);
    assertThat(r.formatHeader("exportedlogs/app/t/web-1/000000.gz", headerless)).isEmpty();
    assertThat(r.matchPath("exportedlogs/app/t/web-1/000000.gz")).isEmpty();
    assertThat(r.probe(headerless).strength()).isEqualTo(ContentMatch.Strength.WEAK);
    assertThat(new AwsVpcFlowRecognizer().probe(headerless).strength()).isEqualTo(ContentMatch.Strength.NONE);
    // an application log under an unconfigured prefix stays unrecognized
    assertThat(Recognizers.recognize(AwsVpcFlowRecognizer.withLogFormats(Recognizers.defaults(),
            VpcFlowLogFormats.of(VpcFlowLogFormats.parse(List.of("exportedlogs/flow-custom/=" + FORMAT), "test"))),
        "exportedlogs/app/t/web-1/000000.gz", sample("2026-11-20T10:00:01.000Z GET /health 200 3ms\n")).recognized())
        .isFalse();
  }

  @Test
  void aSubscriptionPayloadOfAConfiguredLogGroupIsAFlowLog() {
    VpcFlowLogFormats formats = VpcFlowLogFormats.of(VpcFlowLogFormats.parse(
        List.of("log-group:/vpc/flow-custom=" + FORMAT), "test"));
    String payload = "{\"messageType\":\"DATA_MESSAGE\",\"owner\":\"111122223333\",\"logGroup\":\"/vpc/flow-custom\","
        + "\"logStream\":\"eni-0a1b2c3d4e5f60718-all\",\"subscriptionFilters\":[\"to-firehose\"],\"logEvents\":[{\"id\":"
        + "\"3819\",\"timestamp\":1732300060000,\"message\":\"" + RECORD + "\"}]}\n";
    Recognition rec = Recognizers.recognize(AwsVpcFlowRecognizer.withLogFormats(Recognizers.defaults(), formats),
        "firehose/2024/11/22/18/payload-1", sample(payload));
    assertThat(rec.sourceType()).isEqualTo("aws_vpc_flow");
    assertThat(rec.framing()).isEqualTo(Framing.LINES);
    assertThat(new AwsVpcFlowRecognizer(formats).formatHeader("firehose/2024/11/22/18/payload-1", sample(payload)))
        .contains(FORMAT);
    assertThat(Recognizers.recognize(Recognizers.defaults(), "firehose/2024/11/22/18/payload-1", sample(payload))
        .sourceType()).isNotEqualTo("aws_vpc_flow");
  }

  private static ContentSample sample(String s) {
    return new ContentSample(s.getBytes(StandardCharsets.UTF_8), true, false);
  }
}
