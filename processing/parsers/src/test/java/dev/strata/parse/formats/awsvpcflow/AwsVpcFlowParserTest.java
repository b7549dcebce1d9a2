package dev.strata.parse.formats.awsvpcflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.parse.ChunkParser;
import dev.strata.parse.EvidenceParser;
import dev.strata.parse.ParserContractTest;
import dev.strata.parse.ParserRegistry;
import dev.strata.parse.testing.Chunks;
import dev.strata.parse.testing.CollectingOutput;
import dev.strata.schema.common.Framing;
import dev.strata.schema.deadletter.DeadLetter;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.raw.RawArtifactChunk;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AwsVpcFlowParserTest extends ParserContractTest {

  private static final String CUSTOM =
      "version vpc-id subnet-id instance-id interface-id account-id type srcaddr dstaddr srcport dstport "
          + "pkt-srcaddr pkt-dstaddr protocol bytes packets start end action tcp-flags log-status";

  @Override
  protected EvidenceParser parser() {
    return new AwsVpcFlowParser();
  }

  private static String customRecord(int i) {
    return "3 vpc-0abc0abc0abc0abc0 subnet-0123abcd0123abcd0 i-0123456789abcdef0 eni-0a1b2c3d4e5f60718 "
        + "111122223333 IPv4 10.0.1." + (i % 250) + " 198.51.100." + (i % 200) + " " + (1024 + i) + " 443 "
        + "10.0.1." + (i % 250) + " 198.51.100." + (i % 200) + " 6 " + (100 + i) + " " + (1 + i % 7) + " "
        + (1732300000 + i) + " " + (1732300060 + i) + " ACCEPT 19 OK\n";
  }

  /** The collector puts the header on every chunk: every chunk after the first parses with the custom layout. */
  @Test
  void formatHeaderTravelsWithEveryChunk() throws Exception {
    StringBuilder sb = new StringBuilder(CUSTOM).append('\n');
    for (int i = 0; i < 500; i++) sb.append(customRecord(i));
    byte[] content = sb.toString().getBytes(StandardCharsets.UTF_8);
    List<RawArtifactChunk> chunks = Chunks.lines(content, AwsVpcFlowParser.FORMAT, "flow.log", 4096);
    assertThat(chunks.size()).isGreaterThan(5);
    ChunkParser cp = new ChunkParser(ParserRegistry.defaults());

    List<EvidenceEvent> events = new ArrayList<>();
    List<DeadLetter> dead = new ArrayList<>();
    for (RawArtifactChunk c : chunks) {
      RawArtifactChunk withHeader = RawArtifactChunk.newBuilder(c).setFormatHeader(CUSTOM).build();
      var r = cp.parse(withHeader);
      events.addAll(r.events());
      dead.addAll(r.deadLetters());
    }
    assertThat(dead).isEmpty();
    assertThat(events).hasSize(500);
    for (int i = 0; i < 500; i++) {
      EvidenceEvent e = events.get(i);
      assertThat(e.getSrcEndpoint().getPort()).isEqualTo(1024 + i);
      assertThat(e.getNetwork().getBytes()).isEqualTo(100L + i);
      assertThat(e.getCloud().getVpcUid()).isEqualTo("vpc-0abc0abc0abc0abc0");
      assertThat(e.getNetwork().getTcpFlags()).isEqualTo(19);
      assertThat(e.getLineage().getLineNumber()).isEqualTo(i + 2L);
    }
    assertThat(events.stream().map(EvidenceEvent::getEventId).distinct().count()).isEqualTo(500);

    // without the header a later chunk cannot know the layout: its records are dead letters, nothing is guessed
    var r = cp.parse(chunks.get(1));
    assertThat(r.events()).isEmpty();
    assertThat(r.deadLetters()).isNotEmpty().allSatisfy(d -> {
      assertThat(d.getReason()).isEqualTo("malformed_record");
      assertThat(d.getMessage()).contains("21 fields where the layout has 14");
    });
  }

  @Test
  void logFormatSyntaxAndHeaderInPayloadWin() throws Exception {
    String fmt = "${version} ${interface-id} ${start} ${end} ${srcaddr} ${log-status}";
    RawArtifactChunk c = RawArtifactChunk.newBuilder(
            Chunks.single("5 eni-1 1732300000 1732300060 10.0.0.1 OK\n", AwsVpcFlowParser.FORMAT, Framing.LINES, "x"))
        .setFormatHeader(fmt).build();
    CollectingOutput out = parse(c);
    assertThat(out.rejections).isEmpty();
    assertThat(out.events).singleElement().satisfies(e -> {
      assertThat(e.getCloud().getEniUid()).isEqualTo("eni-1");
      assertThat(e.getSrcEndpoint().getIp()).isEqualTo("10.0.0.1");
    });
    // a second header further down (two files concatenated) switches the layout from there on
    String two = VpcFlowLayout.DEFAULT_HEADER + "\n"
        + "2 111122223333 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 40 1732300000 1732300060 ACCEPT OK\n"
        + "start srcaddr log-status\n1732300000 10.9.9.9 OK\n";
    out = parse(two, Framing.LINES, "x");
    assertThat(out.rejections).isEmpty();
    assertThat(out.events).extracting(e -> e.getSrcEndpoint().getIp()).containsExactly("10.0.0.1", "10.9.9.9");
  }

  @Test
  void hugeLineAndWrongFieldCountAreDeadLettersAndTheRestFlows() throws Exception {
    String good = "2 111122223333 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 40 1732300000 1732300060 ACCEPT OK\n";
    String huge = "2 ".repeat(600_000) + "\n";
    String bin = "\u0000\u0001 \u00ff\n";
    String content = good + huge + good + bin + good;
    var res = new ChunkParser(ParserRegistry.defaults())
        .parse(Chunks.single(content, AwsVpcFlowParser.FORMAT, Framing.LINES, "x"));
    assertThat(res.events()).hasSize(3);
    assertThat(res.deadLetters()).extracting(DeadLetter::getReason)
        .containsExactly("malformed_record", "malformed_record");
    assertThat(res.deadLetters().get(0).getMessage()).contains("more than 256 fields");
    assertThat(res.deadLetters().get(0).getLineNumber()).isEqualTo(2L);
    assertThat(res.deadLetters().get(1).getLineNumber()).isEqualTo(4L);
    assertThat(res.events().get(2).getLineage().getLineNumber()).isEqualTo(5L);
  }

  @Test
  void truncatedLastRecordIsRecordTooLarge() throws Exception {
    String good = "2 111122223333 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 40 1732300000 1732300060 ACCEPT OK\n";
    byte[] payload = (good + "2 111122223333 eni-1 10.0.0.1 10.0").getBytes(StandardCharsets.UTF_8);
    RawArtifactChunk chunk = Chunks.chunk(payload, "a".repeat(64), AwsVpcFlowParser.FORMAT, Framing.LINES, "x", 2, 5,
        9000, 101, 0, true, payload);
    var res = new ChunkParser(ParserRegistry.defaults()).parse(chunk);
    assertThat(res.events()).hasSize(1);
    assertThat(res.events().get(0).getLineage().getByteOffset()).isEqualTo(9000L);
    assertThat(res.events().get(0).getLineage().getLineNumber()).isEqualTo(101L);
    assertThat(res.deadLetters()).singleElement().satisfies(d -> {
      assertThat(d.getReason()).isEqualTo("record_too_large");
      assertThat(d.getLineNumber()).isEqualTo(102L);
    });
  }

  /**
   * CloudWatch Logs export to S3 (CreateExportTask writes {@code <prefix>/<task-id>/<log-stream>/000000.gz}, lines
   * {@code <ISO-8601 timestamp> <message>}, no header): the message is a default-format record, or a custom-format one
   * when the chunk carries the flow log's format. Fixture written here from the CreateExportTask and VPC Flow Logs
   * record docs; ids and addresses invented.
   */
  @Test
  void cloudWatchLogsExportToS3Lines() throws Exception {
    String export = "2026-11-20T10:00:01.000Z 2 123456789012 eni-0a1b2c3d 10.0.1.5 203.0.113.12 49761 443 6 12 "
        + "4820 1795168741 1795168800 ACCEPT OK\n"
        + "2026-11-20T10:00:02.000Z 2 123456789012 eni-0a1b2c3d - - - - - - - 1795168742 1795168801 - NODATA\n";
    CollectingOutput out = parse(Chunks.single(export, AwsVpcFlowParser.FORMAT, Framing.LINES,
        "exports/vpc/0a1b2c3d-task/eni-0a1b2c3d-all/000000"));
    assertThat(out.rejections).isEmpty();
    assertThat(out.events).hasSize(2);
    EvidenceEvent e = out.events.get(0);
    assertThat(e.getUnmapped()).containsEntry("cloudwatch.timestamp", "2026-11-20T10:00:01.000Z")
        .containsEntry("version", "2").containsEntry("protocol", "6");
    assertThat(e.getCloud().getAccountUid()).isEqualTo("123456789012");
    assertThat(e.getCloud().getEniUid()).isEqualTo("eni-0a1b2c3d");
    assertThat(e.getSrcEndpoint().getIp()).isEqualTo("10.0.1.5");
    assertThat(e.getSrcEndpoint().getPort()).isEqualTo(49761);
    assertThat(e.getDstEndpoint().getIp()).isEqualTo("203.0.113.12");
    assertThat(e.getDstEndpoint().getPort()).isEqualTo(443);
    assertThat(e.getNetwork().getProtocol()).isEqualTo("tcp");
    assertThat(e.getNetwork().getPackets()).isEqualTo(12L);
    assertThat(e.getNetwork().getBytes()).isEqualTo(4820L);
    assertThat(e.getNetwork().getAction()).isEqualTo("Allowed");
    assertThat(e.getTime()).isEqualTo(java.time.Instant.ofEpochSecond(1795168741));
    assertThat(e.getEndTime()).isEqualTo(java.time.Instant.ofEpochSecond(1795168800));
    int firstLine = export.indexOf('\n');
    assertThat(e.getRawData()).isEqualTo(export.substring(0, firstLine)); // the timestamp is part of the evidence
    assertThat(e.getLineage().getByteLength()).isEqualTo((long) firstLine);
    assertThat(out.events.get(1).getNetwork().getLogStatus()).isEqualTo("NODATA");
    assertThat(out.events.get(1).getLineage().getByteOffset()).isEqualTo(firstLine + 1L);

    // a custom-format flow log exported the same way parses with its format when the chunk carries it
    String fmt = "${version} ${vpc-id} ${interface-id} ${srcaddr} ${dstaddr} ${start} ${end} ${action} "
        + "${log-status} ${flow-direction}";
    RawArtifactChunk custom = RawArtifactChunk.newBuilder(Chunks.single(
            "2026-11-20T10:00:03.000Z 5 vpc-0abc eni-0a1b2c3d 10.0.1.5 198.51.100.9 1795168743 1795168802 REJECT "
                + "OK ingress\n",
            AwsVpcFlowParser.FORMAT, Framing.LINES, "exports/vpc/t/eni-0a1b2c3d-all/000000"))
        .setFormatHeader(fmt).build();
    out = parse(custom);
    assertThat(out.rejections).isEmpty();
    assertThat(out.events).singleElement().satisfies(c -> {
      assertThat(c.getCloud().getVpcUid()).isEqualTo("vpc-0abc");
      assertThat(c.getNetwork().getDirection()).isEqualTo("Inbound");
      assertThat(c.getNetwork().getAction()).isEqualTo("Denied");
      assertThat(c.getUnmapped()).containsEntry("cloudwatch.timestamp", "2026-11-20T10:00:03.000Z");
    });
  }

  /** Blank fields, tabs, CRLF and a BOM do not move tokens; a CR inside a line stays part of its token. */
  @Test
  void separatorsAndLineEnds() throws Exception {
    String rec = "2 111122223333 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 40 1732300000 1732300060 ACCEPT OK";
    String content = "\uFEFF" + rec + "\r\n \t\r\n" + rec.replace(' ', '\t') + "  \r\n  " + rec.replace(" OK", " O\rK")
        + "\n\r\r\n" + rec + "\r";
    CollectingOutput out = parse(content, Framing.LINES, "x");
    assertThat(out.rejections).isEmpty();
    assertThat(out.events).hasSize(4);
    assertThat(out.events).extracting(e -> e.getNetwork().getLogStatus()).containsExactly("OK", "OK", "O\rK", "OK");
    assertThat(out.events).extracting(e -> e.getLineage().getLineNumber()).containsExactly(1L, 3L, 4L, 6L);
    assertThat(out.events.get(0).getRawData()).isEqualTo("\uFEFF" + rec);
    assertThat(out.events.get(3).getRawData()).isEqualTo(rec);
  }

  /**
   * VPC Flow Logs v7 name an ECS task's first container in {@code ecs-container-id} and its second in {@code
   * ecs-second-container-id} (flow-log-records.html, "Available fields"): the containers of a task share its
   * interface, so a record of a two-container task is the task's, not its first container's.
   */
  @Test
  void aFlowOfATaskWithTwoContainersNamesNoContainer() throws Exception {
    String header = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end "
        + "action log-status ecs-cluster-name ecs-container-id ecs-second-container-id ecs-task-arn";
    String task = "arn:aws:ecs:eu-west-1:444455556666:task/shop-prod/5f1c2a3b4d5e4f60a1b2c3d4e5f60718";
    String one = "c0".repeat(32);
    String two = "d1".repeat(32);
    String text = header + "\n"
        + "7 444455556666 eni-0e1c5a110000e0001 10.20.1.37 198.51.100.77 41822 3333 6 655 157200 1795255620 "
        + "1795255679 ACCEPT OK shop-prod " + one + " " + two + " " + task + "\n"
        + "7 444455556666 eni-0e1c5a110000e0003 10.20.1.52 192.0.2.44 39150 443 6 22 8120 1795255620 1795255679 "
        + "ACCEPT OK shop-prod " + one + " - " + task + "\n";
    var r = new ChunkParser(ParserRegistry.defaults())
        .parse(Chunks.lines(text.getBytes(StandardCharsets.UTF_8), AwsVpcFlowParser.FORMAT, "flow.log", 1 << 16).get(0));
    assertThat(r.deadLetters()).isEmpty();
    assertThat(r.events()).hasSize(2);
    EvidenceEvent both = r.events().get(0);
    assertThat(both.getContainer()).isNull();
    assertThat(both.getCloud().getTaskUid()).isEqualTo(task);
    assertThat(both.getUnmapped()).containsEntry("ecs-container-id", one).containsEntry("ecs-second-container-id", two);
    EvidenceEvent single = r.events().get(1);
    assertThat(single.getContainer().getUid()).isEqualTo(one);
    assertThat(single.getUnmapped()).doesNotContainKey("ecs-container-id");
  }

  /**
   * Every field of "Available fields" (flow-log-records.html) v2 to v8 in one custom format, in the documented order:
   * a v8 REJECT by the VPC's Block Public Access names its reason (reject-reason BPA) as the status detail; an ACCEPT
   * has none ('-'); the v7 ECS fields name the task, service, task definition and container instance.
   */
  @Test
  void allFieldsOfV2ToV8() throws Exception {
    String header = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end "
        + "action log-status vpc-id subnet-id instance-id tcp-flags type pkt-srcaddr pkt-dstaddr region az-id "
        + "sublocation-type sublocation-id pkt-src-aws-service pkt-dst-aws-service flow-direction traffic-path "
        + "ecs-cluster-arn ecs-cluster-name ecs-container-instance-arn ecs-container-instance-id ecs-container-id "
        + "ecs-second-container-id ecs-service-name ecs-task-definition-arn ecs-task-arn ecs-task-id reject-reason";
    String cluster = "arn:aws:ecs:eu-west-1:444455556666:cluster/shop-prod";
    String task = "arn:aws:ecs:eu-west-1:444455556666:task/shop-prod/5f1c2a3b4d5e4f60a1b2c3d4e5f60718";
    String ci = "arn:aws:ecs:eu-west-1:444455556666:container-instance/shop-prod/0a1b2c3d4e5f60718293a4b5c6d7e8f9";
    String td = "arn:aws:ecs:eu-west-1:444455556666:task-definition/web:12";
    String cid = "c0".repeat(32);
    String text = header + "\n"
        + "8 444455556666 eni-0e1c5a110000e0001 203.0.113.9 10.20.1.37 51514 22 6 1 60 1795255620 1795255679 REJECT OK "
        + "vpc-0a1b2c3d subnet-0a1b2c3d i-0123456789abcdef0 2 IPv4 203.0.113.9 10.20.1.37 eu-west-1 euw1-az1 - - - - "
        + "ingress - " + cluster + " shop-prod " + ci + " 0a1b2c3d4e5f60718293a4b5c6d7e8f9 " + cid + " - web " + td
        + " " + task + " 5f1c2a3b4d5e4f60a1b2c3d4e5f60718 BPA\n"
        + "8 444455556666 eni-0e1c5a110000e0001 10.20.1.37 52.94.133.131 40100 443 6 12 4200 1795255620 1795255679 "
        + "ACCEPT OK vpc-0a1b2c3d subnet-0a1b2c3d i-0123456789abcdef0 19 IPv4 10.20.1.37 52.94.133.131 eu-west-1 "
        + "euw1-az1 - - - S3 egress 8 " + cluster + " shop-prod " + ci + " 0a1b2c3d4e5f60718293a4b5c6d7e8f9 " + cid
        + " - web " + td + " " + task + " 5f1c2a3b4d5e4f60a1b2c3d4e5f60718 -\n";
    var r = new ChunkParser(ParserRegistry.defaults())
        .parse(Chunks.lines(text.getBytes(StandardCharsets.UTF_8), AwsVpcFlowParser.FORMAT, "flow.log", 1 << 16).get(0));
    assertThat(r.deadLetters()).isEmpty();
    assertThat(r.events()).hasSize(2);
    EvidenceEvent rejected = r.events().get(0);
    assertThat(rejected.getNetwork().getAction()).isEqualTo("Denied");
    assertThat(rejected.getStatusDetail()).isEqualTo("BPA");
    assertThat(rejected.getUnmapped()).containsEntry("reject-reason", "BPA");
    assertThat(rejected.getNetwork().getDirection()).isEqualTo("Inbound");
    assertThat(rejected.getCloud().getTaskUid()).isEqualTo(task);
    assertThat(rejected.getCloud().getClusterUid()).isEqualTo(cluster);
    assertThat(rejected.getCloud().getAvailabilityZone()).isEqualTo("euw1-az1");
    assertThat(rejected.getContainer().getUid()).isEqualTo(cid);
    assertThat(rejected.getEcs().getService()).isEqualTo("web");
    assertThat(rejected.getEcs().getTaskDefinition()).isEqualTo("web:12");
    assertThat(rejected.getEcs().getContainerInstanceArn()).isEqualTo(ci);
    EvidenceEvent accepted = r.events().get(1);
    assertThat(accepted.getStatusDetail()).isNull();
    assertThat(accepted.getNetwork().getTrafficPath()).isEqualTo(8);
    assertThat(accepted.getUnmapped()).containsEntry("pkt-dst-aws-service", "S3").doesNotContainKey("reject-reason");
  }

  @Test
  void headerDetection() {
    assertThat(isHeader(VpcFlowLayout.DEFAULT_HEADER)).isTrue();
    assertThat(isHeader("${version} ${vpc-id} ${some-future-field}")).isTrue();
    assertThat(isHeader("interface-id vpc-id subnet-id")).isTrue();
    // data lines that happen to be lower case are not headers
    assertThat(isHeader("eni-0a1b2c3d vpc-0abc subnet-0123")).isFalse();
    assertThat(isHeader("use1-az1 us-east-1 ingress")).isFalse();
    assertThat(isHeader("2 111122223333 eni-1 - - - - - - - 1 2 - NODATA")).isFalse();
    assertThat(isHeader("version web-api my-service other-service")).isFalse();
  }

  @Test
  void ianaProtocolNames() {
    assertThat(VpcFlowLayout.protocolName(6)).isEqualTo("tcp");
    assertThat(VpcFlowLayout.protocolName(17)).isEqualTo("udp");
    assertThat(VpcFlowLayout.protocolName(1)).isEqualTo("icmp");
    assertThat(VpcFlowLayout.protocolName(47)).isEqualTo("gre");
    assertThat(VpcFlowLayout.protocolName(50)).isEqualTo("esp");
    assertThat(VpcFlowLayout.protocolName(58)).isEqualTo("ipv6-icmp");
    assertThat(VpcFlowLayout.protocolName(89)).isEqualTo("ospfigp");
    assertThat(VpcFlowLayout.protocolName(112)).isEqualTo("vrrp");
    assertThat(VpcFlowLayout.protocolName(132)).isEqualTo("sctp");
    assertThat(VpcFlowLayout.protocolName(145)).isEqualTo("nsh");
    assertThat(VpcFlowLayout.protocolName(146)).isNull();
    assertThat(VpcFlowLayout.protocolName(255)).isNull();
  }

  private static boolean isHeader(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    return VpcFlowLayout.isHeader(b, 0, b.length);
  }
}
