package dev.strata.parse.formats.awsecstaskmetadata;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.parse.ChunkParser;
import dev.strata.parse.EvidenceParser;
import dev.strata.parse.ParserContractTest;
import dev.strata.parse.ParserRegistry;
import dev.strata.parse.testing.Chunks;
import dev.strata.schema.common.Framing;
import dev.strata.schema.event.EvidenceEvent;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class AwsEcsTaskMetadataParserTest extends ParserContractTest {

  @Override
  protected EvidenceParser parser() {
    return new AwsEcsTaskMetadataParser();
  }

  @Test
  void snakeCaseKeys() {
    assertThat(EcsMapper.snake("TaskARN")).isEqualTo("task_arn");
    assertThat(EcsMapper.snake("IPv4SubnetCIDRBlock")).isEqualTo("ipv4_subnet_cidr_block");
    assertThat(EcsMapper.snake("MACAddress")).isEqualTo("mac_address");
    assertThat(EcsMapper.snake("SubnetGatewayIpv4Address")).isEqualTo("subnet_gateway_ipv4_address");
    assertThat(EcsMapper.snake("PrivateDNSName")).isEqualTo("private_dns_name");
    assertThat(EcsMapper.snake("taskDefinitionArn")).isEqualTo("task_definition_arn");
    assertThat(EcsMapper.snake("VPCID")).isEqualTo("vpc_id");
  }

  @Test
  void eventIdsAreDistinctPerTaskAndContainerAndStable() {
    String doc = "{\"tasks\":[{\"taskArn\":\"arn:aws:ecs:us-east-1:111122223333:task/c/1\",\"containers\":[{\"name\":"
        + "\"a\",\"runtimeId\":\"r1\"},{\"name\":\"b\",\"runtimeId\":\"r2\"}]},{\"taskArn\":\"arn:aws:ecs:us-east-1:"
        + "111122223333:task/c/2\",\"containers\":[{\"name\":\"a\",\"runtimeId\":\"r3\"}]}],\"failures\":[]}";
    var cp = new ChunkParser(ParserRegistry.defaults());
    var a = cp.parse(Chunks.single(doc, AwsEcsTaskMetadataParser.FORMAT, Framing.WHOLE, "x")).events();
    var b = cp.parse(Chunks.single(doc, AwsEcsTaskMetadataParser.FORMAT, Framing.WHOLE, "x")).events();
    assertThat(a).hasSize(5);
    assertThat(a.stream().map(EvidenceEvent::getEventId).distinct().count()).isEqualTo(5);
    assertThat(a).extracting(EvidenceEvent::getEventId)
        .containsExactlyElementsOf(b.stream().map(EvidenceEvent::getEventId).toList());
    assertThat(a).extracting(EvidenceEvent::getActivityName)
        .containsExactly("task", "container", "container", "task", "container");
    assertThat(a.get(4).getCloud().getTaskUid()).endsWith("task/c/2");
    assertThat(a.get(0).getUnmapped().get("strata.warning")).contains("no start time");
  }

  @Test
  void documentLargerThanAChunkIsRecordTooLarge() {
    byte[] p = "{\"TaskARN\":\"arn:aws:ecs:us-east-1:1:task/x\",\"Containers\":[".getBytes(StandardCharsets.UTF_8);
    var chunk = Chunks.chunk(p, "b".repeat(64), AwsEcsTaskMetadataParser.FORMAT, Framing.WHOLE, "x", 0, 2, 0, 1, 0,
        false, p);
    var res = new ChunkParser(ParserRegistry.defaults()).parse(chunk);
    assertThat(res.events()).isEmpty();
    assertThat(res.deadLetters()).extracting(d -> d.getReason()).isEqualTo(List.of("record_too_large"));
  }
}
