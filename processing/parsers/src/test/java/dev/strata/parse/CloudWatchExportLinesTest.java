package dev.strata.parse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.parse.testing.Chunks;
import dev.strata.schema.common.Framing;
import dev.strata.schema.deadletter.DeadLetter;
import dev.strata.schema.event.EvidenceEvent;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Objects of a CloudWatch Logs export to S3 ({@code <timestamp> <message>} per line) of CloudTrail and of EKS audit
 * log groups. Fixture lines follow AWS "Exporting log data to Amazon S3" (one log event per line, ISO-8601 UTC
 * timestamp with milliseconds, a blank, the message) with CloudTrail record / audit.k8s.io Event messages written
 * for this test.
 */
class CloudWatchExportLinesTest {

  private static final String CT1 = "{\"eventVersion\":\"1.09\",\"userIdentity\":{\"type\":\"AssumedRole\","
      + "\"arn\":\"arn:aws:sts::111122223333:assumed-role/app/s1\",\"accountId\":\"111122223333\"},"
      + "\"eventTime\":\"2024-05-01T10:15:00Z\",\"eventSource\":\"s3.amazonaws.com\",\"eventName\":\"GetObject\","
      + "\"awsRegion\":\"eu-west-1\",\"sourceIPAddress\":\"10.0.1.57\",\"eventID\":\"e-1\"}";
  private static final String CT2 = "{\"eventVersion\":\"1.09\",\"userIdentity\":{\"type\":\"IAMUser\","
      + "\"arn\":\"arn:aws:iam::111122223333:user/bob\",\"accountId\":\"111122223333\"},"
      + "\"eventTime\":\"2024-05-01T10:16:00Z\",\"eventSource\":\"iam.amazonaws.com\",\"eventName\":\"CreateAccessKey\","
      + "\"awsRegion\":\"us-east-1\",\"sourceIPAddress\":\"198.51.100.7\",\"eventID\":\"e-2\"}";
  private static final String AUDIT = "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"level\":\"Metadata\","
      + "\"auditID\":\"a-1\",\"stage\":\"ResponseComplete\",\"requestURI\":\"/api/v1/namespaces/prod/pods/web/exec\","
      + "\"verb\":\"create\",\"user\":{\"username\":\"alice\"},\"sourceIPs\":[\"10.0.0.9\"],"
      + "\"objectRef\":{\"resource\":\"pods\",\"namespace\":\"prod\",\"name\":\"web\",\"subresource\":\"exec\"},"
      + "\"responseStatus\":{\"code\":101},\"requestReceivedTimestamp\":\"2024-05-01T10:15:00.000000Z\","
      + "\"stageTimestamp\":\"2024-05-01T10:15:00.100000Z\"}";

  private static ChunkParseResult parse(String content, String sourceType) {
    return new ChunkParser(ParserRegistry.defaults())
        .parse(Chunks.single(content, sourceType, Framing.LINES, "export/task-1/stream/000000.gz"));
  }

  @Test
  void cloudTrailExportLinesGiveTheSameEventsAsTheRecordsAlone() {
    String export = "2024-05-01T10:15:00.123Z " + CT1 + "\n"
        + "2024-05-01T10:16:00.456Z " + CT2 + "\n";
    ChunkParseResult fromExport = parse(export, "aws_cloudtrail");
    ChunkParseResult plain = parse(CT1 + "\n" + CT2 + "\n", "aws_cloudtrail");

    assertThat(fromExport.deadLetters()).isEmpty();
    assertThat(fromExport.events()).hasSize(2);
    for (int i = 0; i < 2; i++) {
      EvidenceEvent a = fromExport.events().get(i);
      EvidenceEvent b = plain.events().get(i);
      assertThat(a.getApi()).isEqualTo(b.getApi());
      assertThat(a.getActor()).isEqualTo(b.getActor());
      assertThat(a.getCloud()).isEqualTo(b.getCloud());
      assertThat(a.getSrcEndpoint()).isEqualTo(b.getSrcEndpoint());
      assertThat(a.getTime()).isEqualTo(b.getTime());
      assertThat(a.getClassUid()).isEqualTo(b.getClassUid());
    }
    assertThat(fromExport.events().get(0).getActor().getUserUid())
        .isEqualTo("arn:aws:sts::111122223333:assumed-role/app/s1");
    // lineage: the whole line, timestamp included, at its offset and line
    EvidenceEvent second = fromExport.events().get(1);
    assertThat(second.getRawData()).startsWith("2024-05-01T10:16:00.456Z {");
    assertThat(second.getLineage().getByteOffset()).isEqualTo(export.indexOf("2024-05-01T10:16:00.456Z"));
    assertThat(second.getLineage().getLineNumber()).isEqualTo(2L);
  }

  @Test
  void aBadLineCostsOneDeadLetterWithItsBytes() {
    String bad = "2024-05-01T10:15:01.000Z {\"eventVersion\":\"1.09\",\"eventName\":";
    String export = "2024-05-01T10:15:00.123Z " + CT1 + "\n" + bad + "\n"
        + "2024-05-01T10:16:00.456Z not json at all\n" + "2024-05-01T10:16:00.456Z " + CT2 + "\n";
    ChunkParseResult r = parse(export, "aws_cloudtrail");
    assertThat(r.events()).extracting(e -> e.getApi().getOperation()).containsExactly("GetObject", "CreateAccessKey");
    List<DeadLetter> dl = r.deadLetters();
    assertThat(dl).hasSize(2);
    assertThat(dl).allSatisfy(d -> assertThat(d.getReason().toString()).isEqualTo("malformed_json"));
    assertThat(new String(dl.get(0).getOriginal().array(), StandardCharsets.UTF_8)).isEqualTo(bad);
    assertThat(dl.get(1).getLineNumber()).isEqualTo(3L);
  }

  @Test
  void eksAuditExportLinesAreAuditEvents() {
    String export = "1714558500123 " + AUDIT + "\n";
    ChunkParseResult fromExport = parse(export, "k8s_audit");
    ChunkParseResult plain = parse(AUDIT + "\n", "k8s_audit");
    assertThat(fromExport.deadLetters()).isEmpty();
    assertThat(fromExport.events()).hasSize(1);
    EvidenceEvent a = fromExport.events().get(0);
    EvidenceEvent b = plain.events().get(0);
    assertThat(a.getApi()).isEqualTo(b.getApi());
    assertThat(a.getActor()).isEqualTo(b.getActor());
    assertThat(a.getKubernetes()).isEqualTo(b.getKubernetes());
    assertThat(a.getTime()).isEqualTo(b.getTime());
  }

  @Test
  void recognizesTheExportShapeOnly() {
    assertThat(CloudWatchExportLines.startsLikeExport(bytes("2024-05-01T10:15:00.123Z {\"a\":1}\n"))).isTrue();
    assertThat(CloudWatchExportLines.startsLikeExport(bytes("\n\n1714558500123 {\"a\":1}"))).isTrue();
    assertThat(CloudWatchExportLines.startsLikeExport(bytes("2024-05-01T10:15:00.123Z plain text\n"))).isFalse();
    assertThat(CloudWatchExportLines.startsLikeExport(bytes("{\"a\":1}\n"))).isFalse();
    assertThat(CloudWatchExportLines.startsLikeExport(
        bytes("2 123456789012 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 1 1714558500 1714558560 ACCEPT OK\n"))).isFalse();
  }

  private static java.nio.ByteBuffer bytes(String s) {
    return java.nio.ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
  }
}
