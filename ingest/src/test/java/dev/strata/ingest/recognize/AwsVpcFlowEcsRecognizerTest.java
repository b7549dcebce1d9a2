package dev.strata.ingest.recognize;

import static org.assertj.core.api.Assertions.assertThat;

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

/** aws_vpc_flow and aws_ecs_task_metadata: paths, content probes, and the format header on every chunk. */
class AwsVpcFlowEcsRecognizerTest {
  private static final List<ArtifactRecognizer> R = Recognizers.defaults();
  static final String V2 =
      "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action "
          + "log-status";
  static final String CUSTOM = "version vpc-id interface-id srcaddr dstaddr srcport dstport protocol bytes start end "
      + "action log-status flow-direction traffic-path ecs-task-arn";
  static final String REC = "2 111122223333 eni-0a1b2c3d4e5f60718 198.51.100.7 10.0.1.23 49152 22 6 20 4249 "
      + "1732300000 1732300060 ACCEPT OK";
  static final String S3_KEY = "AWSLogs/111122223333/vpcflowlogs/eu-west-1/2024/11/22/"
      + "111122223333_vpcflowlogs_eu-west-1_fl-0123456789abcdef0_20241122T1830Z_1a2b3c4d.log.gz";

  @TempDir Path tmp;

  static Recognition rec(String path, String content) {
    return Recognizers.recognize(R, path, ContentSample.of(content));
  }

  @Test
  void flowLogPathsGiveAccountAndRegion() {
    var r = new AwsVpcFlowRecognizer();
    var ctx = r.matchPath("bucket/prefix/" + S3_KEY).orElseThrow();
    assertThat(ctx.cloudAccount()).isEqualTo("111122223333");
    assertThat(ctx.cloudRegion()).isEqualTo("eu-west-1");
    assertThat(ctx.cloudProvider()).isEqualTo("aws");
    var hive = r.matchPath("AWSLogs/aws-account-id=444455556666/aws-service=vpcflowlogs/aws-region=us-east-2/"
        + "year=2024/month=11/day=22/hour=18/444455556666_vpcflowlogs_us-east-2_fl-1_20241122T1800Z_ab.log.gz");
    assertThat(hive.orElseThrow().cloudAccount()).isEqualTo("444455556666");
    assertThat(hive.orElseThrow().cloudRegion()).isEqualTo("us-east-2");
    assertThat(r.matchPath("AWSLogs/111122223333/CloudTrail/eu-west-1/2024/11/22/x.json.gz")).isEmpty();
  }

  @Test
  void flowLogContent() {
    Recognition header = rec("anything.log", V2 + "\n" + REC + "\n");
    assertThat(header.sourceType()).isEqualTo("aws_vpc_flow");
    assertThat(header.framing()).isEqualTo(Framing.LINES);
    assertThat(new AwsVpcFlowRecognizer().formatHeader(ContentSample.of(V2 + "\r\n" + REC))).contains(V2);
    assertThat(rec("x.log", CUSTOM + "\n").sourceType()).isEqualTo("aws_vpc_flow");
    assertThat(rec("x.log", REC + "\n").sourceType()).isEqualTo("aws_vpc_flow");
    assertThat(new AwsVpcFlowRecognizer().formatHeader(ContentSample.of(REC + "\n"))).isEmpty();
    assertThat(rec("x.log", "2 111122223333 eni-1 - - - - - - - 1732300000 1732300060 - NODATA\n").sourceType())
        .isEqualTo("aws_vpc_flow");
    assertThat(rec("export/000000", "2024-11-22T18:27:00.000Z " + REC + "\n").sourceType()).isEqualTo("aws_vpc_flow");
    String cw = "{\"timestamp\":1732300060000,\"message\":\"" + REC + "\",\"ingestionTime\":1732300065000}\n";
    assertThat(rec("cw.jsonl", cw).framing()).isEqualTo(Framing.LINES);
    String doc = "{\n  \"events\": [\n    {\n      \"timestamp\": 1732300060000,\n      \"message\": \"" + REC
        + "\"\n    }\n  ]\n}\n";
    Recognition d = rec("get-log-events.json", doc);
    assertThat(d.sourceType()).isEqualTo("aws_vpc_flow");
    assertThat(d.framing()).isEqualTo(Framing.WHOLE);
    // not flow logs
    assertThat(rec("x.log", "May  1 12:00:00 host kernel: hello\n").sourceType()).isNotEqualTo("aws_vpc_flow");
    assertThat(rec("x.log", "eni-0a1b2c3d vpc-0abc subnet-0123\n").recognized()).isFalse();
    String audit = TestFiles.auditLine(1);
    assertThat(rec("var/log/kubernetes/audit/audit.log", audit).sourceType()).isEqualTo("k8s_audit");
  }

  @Test
  void ecsDocuments() throws Exception {
    String task = "{\n  \"Cluster\": \"default\",\n  \"TaskARN\": \"arn:aws:ecs:us-east-2:012345678910:task/9781c248\","
        + "\n  \"Containers\": [\n    {\"DockerId\": \"43481a6c\", \"Name\": \"nginx\"}\n  ]\n}\n";
    Recognition t = rec("case/ecs/task.json", task);
    assertThat(t.sourceType()).isEqualTo("aws_ecs_task_metadata");
    assertThat(t.framing()).isEqualTo(Framing.WHOLE);
    String container = "{\"DockerId\":\"43481a6c\",\"Name\":\"nginx\",\"DockerName\":\"ecs-nginx-5\",\"Labels\":{}}";
    assertThat(rec("c.json", container + "\n").sourceType()).isEqualTo("aws_ecs_task_metadata");
    Recognition lines = rec("c.jsonl", container + "\n" + container + "\n");
    assertThat(lines.framing()).isEqualTo(Framing.LINES);
    String dt = "{\n    \"tasks\": [\n        {\n            \"taskArn\": \"arn:aws:ecs:us-east-1:1:task/c/1\",\n"
        + "            \"clusterArn\": \"arn:aws:ecs:us-east-1:1:cluster/c\"\n        }\n    ],\n    \"failures\": []\n}\n";
    assertThat(rec("ir/describe-tasks-prod.json", dt).sourceType()).isEqualTo("aws_ecs_task_metadata");
    assertThat(new AwsEcsTaskMetadataRecognizer().matchPath("ir/describe-tasks-prod.json")).isPresent();
    assertThat(new AwsEcsTaskMetadataRecognizer().matchPath("ir/task-metadata.json")).isPresent();
    // aws ecs describe-task-definition (DescribeTaskDefinition response): the task and execution roles
    String td = "{\n    \"taskDefinition\": {\n        \"taskDefinitionArn\": \"arn:aws:ecs:us-east-1:1:task-definition/w:3\",\n"
        + "        \"family\": \"w\",\n        \"executionRoleArn\": \"arn:aws:iam::1:role/ecsTaskExecutionRole\"\n    },\n"
        + "    \"tags\": []\n}\n";
    assertThat(rec("case/w-3.json", td).sourceType()).isEqualTo("aws_ecs_task_metadata");
    assertThat(new AwsEcsTaskMetadataRecognizer().matchPath("ir/describe-task-definition-w.json")).isPresent();
    assertThat(rec("x.json", "{\"kind\":\"Pod\",\"metadata\":{}}\n").sourceType())
        .isNotEqualTo("aws_ecs_task_metadata");
  }

  /**
   * EventBridge "ECS Task State Change" events (Amazon ECS developer guide, "Amazon ECS task state change events"),
   * one per line as an archive replay or a Firehose delivery writes them; an EventBridge CloudTrail event stays
   * aws_cloudtrail.
   */
  @Test
  void ecsTaskStateChangeEvents() {
    String ev = "{\"version\":\"0\",\"id\":\"3317b2af\",\"detail-type\":\"ECS Task State Change\",\"source\":"
        + "\"aws.ecs\",\"account\":\"111122223333\",\"time\":\"2024-11-20T10:15:11Z\",\"region\":\"us-east-1\","
        + "\"resources\":[\"arn:aws:ecs:us-east-1:111122223333:task/prod/7e1c\"],\"detail\":{\"taskArn\":"
        + "\"arn:aws:ecs:us-east-1:111122223333:task/prod/7e1c\",\"lastStatus\":\"RUNNING\"}}";
    Recognition r = rec("eventbridge/2024/11/20/ecs-1", ev + "\n" + ev + "\n");
    assertThat(r.sourceType()).isEqualTo("aws_ecs_task_metadata");
    assertThat(r.framing()).isEqualTo(Framing.LINES);
    String ct = "{\"version\":\"0\",\"detail-type\":\"AWS API Call via CloudTrail\",\"source\":\"aws.ecs\","
        + "\"detail\":{\"eventVersion\":\"1.09\",\"eventSource\":\"ecs.amazonaws.com\",\"eventName\":\"RunTask\"}}";
    assertThat(rec("eventbridge/ct-1", ct + "\n").sourceType()).isEqualTo("aws_cloudtrail");
  }

  /**
   * CloudWatch Logs export to S3 of a flow log group: CreateExportTask writes gzip objects
   * {@code <prefix>/<task-id>/<log-stream-name>/000000.gz} of {@code <ISO-8601 timestamp> <message>} lines (and an
   * {@code aws-logs-write-test} object at the prefix). Recognized by content, whatever the prefix; no header.
   */
  @Test
  void cloudWatchLogsExportObjectsAreFlowLogs() {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 3000; i++) {
      sb.append("2026-11-20T10:00:").append(String.format("%02d", i % 60)).append(".000Z 2 123456789012 eni-0a1b2c3d ")
          .append("10.0.1.5 203.0.113.").append(i % 250).append(' ').append(40000 + i).append(" 443 6 12 4820 ")
          .append(1795168741 + i).append(' ').append(1795168800 + i).append(" ACCEPT OK\n");
    }
    byte[] content = sb.toString().getBytes(StandardCharsets.UTF_8);
    String key = "exports/vpc-flow/0a1b2c3d-4e5f-6789-abcd-ef0123456789/eni-0a1b2c3d-all/000000.gz";
    Path root = tmp.resolve("export");
    TestFiles.write(root, key, TestFiles.gzip(content));
    TestFiles.write(root, "exports/vpc-flow/aws-logs-write-test", "Permission Check Successful");
    TestFiles.write(root, "exports/app/0a1b/web-1/000000.gz",
        TestFiles.gzip("2026-11-20T10:00:01.000Z GET /health 200 3ms\n".getBytes(StandardCharsets.UTF_8)));
    InMemoryChunkPublisher out = new InMemoryChunkPublisher();
    FileCollector.collect(root, CollectorOptions.builder().chunkSize(16 << 10).build(), out, null, null);
    List<RawArtifactChunk> chunks = out.chunksOfOrigin(key);
    assertThat(chunks.size()).isGreaterThan(3);
    for (RawArtifactChunk c : chunks) {
      assertThat(c.getSourceType()).isEqualTo("aws_vpc_flow");
      assertThat(c.getFraming()).isEqualTo(Framing.LINES);
      assertThat(c.getFormatHeader()).isNull();
    }
    assertThat(out.reassemble(chunks.get(0).getArtifactSha256())).isEqualTo(content);
    for (RawArtifactChunk c : out.chunks()) {
      if (!c.getOrigin().equals(key)) assertThat(c.getSourceType()).isNotEqualTo("aws_vpc_flow");
    }
  }

  /** The collector copies the header onto every chunk; the header bytes stay in chunk 0 only. */
  @Test
  void everyChunkOfAFlowLogCarriesTheHeader() {
    StringBuilder sb = new StringBuilder(CUSTOM).append('\n');
    for (int i = 0; i < 2000; i++) {
      sb.append("5 vpc-0abc0abc0abc0abc0 eni-0a1b2c3d4e5f60718 10.0.1.").append(i % 250).append(" 198.51.100.7 ")
          .append(1024 + i).append(" 443 6 ").append(100 + i).append(" 1732300000 1732300060 ACCEPT OK egress 1 -\n");
    }
    byte[] content = sb.toString().getBytes(StandardCharsets.UTF_8);
    Path root = tmp.resolve("evidence");
    TestFiles.write(root, S3_KEY, TestFiles.gzip(content));
    TestFiles.write(root, "var/log/syslog.log", "May  1 12:00:00 host kernel: hello\n");
    InMemoryChunkPublisher out = new InMemoryChunkPublisher();
    FileCollector.collect(root, CollectorOptions.builder().chunkSize(16 << 10).build(), out, null, null);
    List<RawArtifactChunk> chunks = out.chunksOfOrigin(S3_KEY);
    assertThat(chunks.size()).isGreaterThan(3);
    for (RawArtifactChunk c : chunks) {
      assertThat(c.getSourceType()).isEqualTo("aws_vpc_flow");
      assertThat(c.getFormatHeader()).isEqualTo(CUSTOM);
      assertThat(c.getContext().getCloudAccount()).isEqualTo("111122223333");
      assertThat(c.getContext().getCloudRegion()).isEqualTo("eu-west-1");
    }
    assertThat(new String(chunks.get(0).getPayload().array(), StandardCharsets.UTF_8)).startsWith(CUSTOM + "\n");
    assertThat(new String(chunks.get(1).getPayload().array(), StandardCharsets.UTF_8)).startsWith("5 vpc-");
    assertThat(out.reassemble(chunks.get(0).getArtifactSha256())).isEqualTo(content);
    for (RawArtifactChunk c : out.chunks()) {
      if (!c.getOrigin().equals(S3_KEY)) assertThat(c.getFormatHeader()).isNull();
    }
  }
}
