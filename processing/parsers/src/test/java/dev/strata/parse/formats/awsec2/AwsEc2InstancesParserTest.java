package dev.strata.parse.formats.awsec2;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.parse.EvidenceParser;
import dev.strata.parse.ParserContractTest;
import dev.strata.parse.testing.CollectingOutput;
import dev.strata.schema.common.Framing;
import dev.strata.schema.event.EvidenceEvent;
import org.junit.jupiter.api.Test;

/**
 * {@code aws ec2 describe-instances}: one event per instance at its launch, its interfaces and addresses in {@code
 * ec2.object} for the correlation job (docs/correlation.md, "EC2 inventory"); the fixture is the CLI's whole output.
 */
class AwsEc2InstancesParserTest extends ParserContractTest {

  @Override
  protected EvidenceParser parser() {
    return new AwsEc2InstancesParser();
  }

  static final String NODE = "{\"InstanceId\":\"i-0aa\",\"LaunchTime\":\"2026-11-24T06:40:11.000Z\",\"PrivateDnsName\":"
      + "\"ip-10-1-2-3.eu-west-1.compute.internal\",\"PrivateIpAddress\":\"10.1.2.3\",\"State\":{\"Name\":\"running\"},"
      + "\"Placement\":{\"AvailabilityZone\":\"eu-west-1c\"},\"VpcId\":\"vpc-1\",\"NetworkInterfaces\":[{\"Attachment\":"
      + "{\"AttachTime\":\"2026-11-24T06:40:11.000Z\",\"DeviceIndex\":0},\"NetworkInterfaceId\":\"eni-1\",\"OwnerId\":"
      + "\"111122223333\",\"PrivateIpAddress\":\"10.1.2.3\",\"PrivateIpAddresses\":[{\"Primary\":true,\"PrivateIpAddress\":"
      + "\"10.1.2.3\",\"Association\":{\"PublicIp\":\"203.0.113.5\"}},{\"Primary\":false,\"PrivateIpAddress\":\"10.1.2.9\"}],"
      + "\"Ipv6Addresses\":[{\"Ipv6Address\":\"2600:1f18::5\"}],\"InterfaceType\":\"interface\"}],"
      + "\"Tags\":[{\"Key\":\"kubernetes.io/cluster/prod\",\"Value\":\"owned\"}]}";

  @Test
  void aQueriedArrayOfInstancesAndJsonLinesReadAsTheWholeOutput() throws Exception {
    // --query 'Reservations[].Instances[]' prints a root array of instances (CLI v1 times with milliseconds)
    CollectingOutput out = parse("[" + NODE + "]", Framing.JSON_RECORDS, "aws/ec2-instances.json");
    assertThat(out.events).hasSize(1);
    assertThat(out.rejections).isEmpty();
    EvidenceEvent e = out.events.get(0);
    assertThat(e.getTime().toString()).isEqualTo("2026-11-24T06:40:11Z");
    assertThat(e.getCloud().getAccountUid()).as("the primary interface's owner").isEqualTo("111122223333");
    assertThat(e.getCloud().getRegion()).isEqualTo("eu-west-1");
    assertThat(e.getKubernetes().getCluster()).isEqualTo("prod");
    assertThat(e.getKubernetes().getNodeName()).isEqualTo("ip-10-1-2-3.eu-west-1.compute.internal");
    var obj = JSON.readTree(e.getUnmapped().get("ec2.object"));
    assertThat(obj.at("/interfaces/0/id").asText()).isEqualTo("eni-1");
    assertThat(obj.at("/interfaces/0/private_ips/1/ip").asText()).isEqualTo("10.1.2.9");
    assertThat(obj.at("/interfaces/0/private_ips/1/primary").asBoolean()).isFalse();
    assertThat(obj.at("/interfaces/0/public_ips/0").asText()).isEqualTo("203.0.113.5");
    assertThat(obj.at("/interfaces/0/ipv6/0").asText()).isEqualTo("2600:1f18::5");
    CollectingOutput lines = parse(NODE + "\n" + NODE.replace("i-0aa", "i-0bb") + "\n", Framing.LINES, "x/instances.jsonl");
    assertThat(lines.events).extracting(x -> x.getCloud().getInstanceUid()).containsExactly("i-0aa", "i-0bb");
  }

  @Test
  void anInstanceUntaggedNamesNoClusterWhateverTheContextAndARecordOfNoKnownShapeIsRejected() throws Exception {
    CollectingOutput out = parse("{\"Reservations\":[{\"OwnerId\":\"111122223333\",\"Instances\":["
        + NODE.replace("kubernetes.io/cluster/prod", "team") + "]},{\"Foo\":1}]}", Framing.JSON_RECORDS, "x/i.json");
    assertThat(out.events).hasSize(1);
    assertThat(out.events.get(0).getKubernetes()).isNull();
    assertThat(out.rejections).hasSize(1);
  }
}
