package dev.strata.parse.formats.awsvpccni;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.parse.EvidenceParser;
import dev.strata.parse.ParserContractTest;
import dev.strata.parse.testing.CollectingOutput;
import dev.strata.schema.common.Framing;
import dev.strata.schema.event.EvidenceEvent;
import org.junit.jupiter.api.Test;

/** The VPC CNI's plugin.log and ipamd.log: each pod sandbox's address from its ADD to its DEL (lines hand-written). */
class AwsVpcCniParserTest extends ParserContractTest {

  @Override
  protected EvidenceParser parser() {
    return new AwsVpcCniParser();
  }

  static final String S = "5e1d" + "a7".repeat(30);

  static String line(String level, String ts, String caller, String msg) {
    return "{\"level\":\"" + level + "\",\"ts\":\"" + ts + "\",\"caller\":\"" + caller + "\",\"msg\":\""
        + msg.replace("\\", "\\\\").replace("\"", "\\\"") + "\"}\n";
  }

  /**
   * ipamd at DEBUG (its default) dumps the plugin's gRPC request (rpc_handler.go {@code log.Debugf("AddNetworkRequest:
   * %s", in)}, protobuf text): the sandbox's pod, and the assign after it in the chunk names the pod too; a dump naming
   * no pod is no event (the info line before it says as much).
   */
  @Test
  void ipamdsDebugDumpOfTheRequestNamesTheSandboxsPod() throws Exception {
    String log = line("debug", "2026-11-24T08:55:12.404Z", "rpc/rpc.pb.go:713", "AddNetworkRequest: ClientVersion:\"v1.19.0\""
            + " K8S_POD_NAME:\"web-2\"  K8S_POD_NAMESPACE:\"shop\" K8S_POD_INFRA_CONTAINER_ID:\"" + S + "\" ContainerID:\""
            + S + "\" IfName:\"eth0\" NetworkName:\"aws-cni\" Netns:\"/var/run/netns/cni-7a1b\"")
        + line("info", "2026-11-24T08:55:12.405Z", "datastore/data_store.go:714",
            "AssignPodIPv4Address: Assign IP 10.93.12.78 to sandbox aws-cni/" + S + "/eth0")
        + line("debug", "2026-11-24T09:31:40.120Z", "rpc/rpc.pb.go:731", "DelNetworkRequest: ClientVersion:\"v1.19.0\""
            + " K8S_POD_NAME:\"web-2\" K8S_POD_NAMESPACE:\"shop\" K8S_POD_INFRA_CONTAINER_ID:\"" + S + "\" Reason:\"PodDeleted\""
            + " ContainerID:\"" + S + "\" IfName:\"eth0\" NetworkName:\"aws-cni\"")
        + line("debug", "2026-11-24T09:40:00.000Z", "rpc/rpc.pb.go:713", "AddNetworkRequest: K8S_POD_NAME:\"\" ContainerID:\""
            + "ab".repeat(32) + "\" IfName:\"eth0\"");
    CollectingOutput out = parse(log, Framing.LINES, "node/var/log/aws-routed-eni/ipamd.log");
    assertThat(out.rejections).isEmpty();
    assertThat(out.events).extracting(EvidenceEvent::getActivityName)
        .containsExactly("add_network", "ip_assigned", "del_network");
    for (EvidenceEvent e : out.events) {
      assertThat(e.getContainer().getUid()).isEqualTo(S);
      assertThat(e.getKubernetes().getNamespace() + "/" + e.getKubernetes().getPodName()).isEqualTo("shop/web-2");
    }
    assertThat(out.events.get(1).getSrcEndpoint().getIp()).isEqualTo("10.93.12.78");
  }

  @Test
  void ipamdsAssignAndUnassignNameTheSandboxAndItsAddress() throws Exception {
    String log = line("info", "2026-11-24T08:55:12.404Z", "rpc/rpc.pb.go:713",
        "Received AddNetwork for NS /var/run/netns/cni-7a1b, Sandbox " + S + ", ifname eth0")
        + line("info", "2026-11-24T08:55:12.405Z", "datastore/data_store.go:714",
            "AssignPodIPv4Address: Assign IP 10.93.12.77 to sandbox aws-cni/" + S + "/eth0")
        + line("info", "2026-11-24T08:55:12.405Z", "rpc/rpc.pb.go:713",
            "Send AddNetworkReply: IPv4Addr: 10.93.12.77, IPv6Addr: , DeviceNumber: 0, err: <nil>")
        + line("info", "2026-11-24T09:31:40.121Z", "datastore/data_store.go:1082",
            "UnassignPodIPAddress: sandbox aws-cni/" + S + "/eth0's ipAddr 10.93.12.77, DeviceNumber 0")
        // older ipamd (v1.6): the pod named in the assign line
        + line("info", "2026-11-24T09:40:00.000Z", "ipamd/datastore/data_store.go:520",
            "AssignPodIPv4Address: Assign IP 10.93.12.80 to pod (name web-1, namespace shop container " + "cd".repeat(32) + ")");
    CollectingOutput out = parse(log, Framing.LINES, "node/var/log/aws-routed-eni/ipamd.log");
    assertThat(out.rejections).isEmpty();
    assertThat(out.events).extracting(EvidenceEvent::getActivityName)
        .containsExactly("add_network", "ip_assigned", "removed", "ip_assigned"); // the reply line: no event
    EvidenceEvent assign = out.events.get(1);
    assertThat(assign.getContainer().getUid()).isEqualTo(S);
    assertThat(assign.getSrcEndpoint().getIp()).isEqualTo("10.93.12.77");
    assertThat(assign.getKubernetes() == null || assign.getKubernetes().getPodName() == null).isTrue();
    assertThat(assign.getTime().toString()).isEqualTo("2026-11-24T08:55:12.405Z");
    EvidenceEvent unassign = out.events.get(2);
    assertThat(unassign.getContainer().getUid()).isEqualTo(S);
    assertThat(unassign.getSrcEndpoint().getIp()).isEqualTo("10.93.12.77");
    EvidenceEvent old = out.events.get(3);
    assertThat(old.getKubernetes().getNamespace() + "/" + old.getKubernetes().getPodName()).isEqualTo("shop/web-1");
  }

  @Test
  void aResponseWhoseRequestIsInAnotherChunkNamesTheSandboxAndAddressOnlyAndAFailedAddNoAddress() throws Exception {
    String log = line("info", "2026-11-24T08:55:12.408Z", "routed-eni-cni-plugin/cni.go:128",
        "Received add network response from ipamd for container " + S + " interface eth0: Success:true "
            + "IPAllocationMetadata:{IPv4Addr:\"10.93.12.77\" RouteTableId:254} VPCv4CIDRs:\"10.93.0.0/16\"")
        + line("error", "2026-11-24T08:56:00.000Z", "routed-eni-cni-plugin/cni.go:128",
            "Received add network response from ipamd for container " + "ef".repeat(32) + " interface eth0: Success:false");
    CollectingOutput out = parse(log, Framing.LINES, "node/var/log/aws-routed-eni/plugin.log");
    EvidenceEvent ok = out.events.get(0);
    assertThat(ok.getActivityName()).isEqualTo("network_ready");
    assertThat(ok.getSrcEndpoint().getIp()).isEqualTo("10.93.12.77");
    assertThat(ok.getKubernetes() == null || ok.getKubernetes().getPodName() == null).isTrue();
    EvidenceEvent failed = out.events.get(1);
    assertThat(failed.getActivityName()).isEqualTo("network_failed");
    assertThat(failed.getStatus()).isEqualTo("Failure");
    assertThat(failed.getSrcEndpoint()).isNull();
    assertThat(failed.getSeverityId()).isEqualTo(3);
  }

  @Test
  void aWarningIsAnEventAndInfoChatterIsNone() throws Exception {
    String log = line("info", "2026-11-24T08:55:12Z", "routed-eni-cni-plugin/cni.go:128", "Constructed new logger instance")
        + line("warn", "2026-11-24T08:55:13Z", "ipamd/ipamd.go:900", "Failed to increase pool: InsufficientFreeAddressesInSubnet");
    CollectingOutput out = parse(log, Framing.LINES, "ipamd.log");
    assertThat(out.rejections).isEmpty();
    assertThat(out.events).extracting(EvidenceEvent::getActivityName).containsExactly("log");
    assertThat(out.events.get(0).getSeverityId()).isEqualTo(2);
  }

  @Test
  void aLineWithoutMsgIsRejected() throws Exception {
    CollectingOutput out = parse("{\"level\":\"info\",\"ts\":\"2026-11-24T08:55:12Z\"}\n", Framing.LINES, "plugin.log");
    assertThat(out.events).isEmpty();
    assertThat(out.rejections).hasSize(1);
  }
}
