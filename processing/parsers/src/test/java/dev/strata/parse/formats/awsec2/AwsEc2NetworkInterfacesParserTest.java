package dev.strata.parse.formats.awsec2;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.parse.EvidenceParser;
import dev.strata.parse.ParserContractTest;
import dev.strata.parse.testing.CollectingOutput;
import dev.strata.schema.common.Framing;
import org.junit.jupiter.api.Test;

/** {@code aws ec2 describe-network-interfaces}: one event per interface, its kind (ECS task, branch) in ec2.object. */
class AwsEc2NetworkInterfacesParserTest extends ParserContractTest {

  @Override
  protected EvidenceParser parser() {
    return new AwsEc2NetworkInterfacesParser();
  }

  @Test
  void anEcsTasksInterfaceAndABranchInterfaceAreMarkedForTheCorrelation() throws Exception {
    String ecs = "{\"Attachment\":{\"AttachTime\":\"2026-11-24T08:12:30+00:00\",\"DeviceIndex\":1,\"InstanceId\":\"i-0c\"},"
        + "\"Description\":\"arn:aws:ecs:us-west-2:111122223333:attachment/8c1d\",\"InterfaceType\":\"interface\","
        + "\"NetworkInterfaceId\":\"eni-0e\",\"OwnerId\":\"111122223333\",\"PrivateIpAddress\":\"10.9.0.7\",\"VpcId\":\"vpc-1\"}";
    String branch = "{\"Description\":\"aws-k8s-branch-eni\",\"InterfaceType\":\"branch\",\"NetworkInterfaceId\":\"eni-0b\","
        + "\"OwnerId\":\"111122223333\",\"PrivateIpAddresses\":[{\"Primary\":true,\"PrivateIpAddress\":\"10.9.0.8\"}],"
        + "\"TagSet\":[{\"Key\":\"vpcresources.k8s.aws/cluster-name\",\"Value\":\"prod\"}]}";
    CollectingOutput out = parse("{\"NetworkInterfaces\":[" + ecs + "," + branch + "]}", Framing.JSON_RECORDS, "x/enis.json");
    assertThat(out.events).hasSize(2);
    var e = JSON.readTree(out.events.get(0).getUnmapped().get("ec2.object")).at("/interfaces/0");
    assertThat(e.path("ecs_attachment").asText()).isEqualTo("arn:aws:ecs:us-west-2:111122223333:attachment/8c1d");
    assertThat(e.path("instance_id").asText()).isEqualTo("i-0c");
    assertThat(e.at("/private_ips/0/ip").asText()).as("PrivateIpAddress alone: the primary").isEqualTo("10.9.0.7");
    assertThat(out.events.get(0).getCloud().getInstanceUid()).isEqualTo("i-0c");
    var b = JSON.readTree(out.events.get(1).getUnmapped().get("ec2.object")).at("/interfaces/0");
    assertThat(b.path("type").asText()).isEqualTo("branch");
    assertThat(out.events.get(1).getKubernetes().getCluster()).isEqualTo("prod");
    assertThat(out.events.get(1).getTime()).as("not attached: the collection's time").isEqualTo(out.events.get(1).getObservedTime());
  }
}
