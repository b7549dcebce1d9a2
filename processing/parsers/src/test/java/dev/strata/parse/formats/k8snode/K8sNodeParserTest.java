package dev.strata.parse.formats.k8snode;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.parse.EvidenceParser;
import dev.strata.parse.ParserContractTest;
import dev.strata.parse.testing.CollectingOutput;
import dev.strata.schema.common.Framing;
import dev.strata.schema.event.EvidenceEvent;
import org.junit.jupiter.api.Test;

/**
 * {@code kubectl get nodes -o json}: one event per Node at its registration, its provider id and addresses kept for
 * the correlation job's node -> instance (docs/correlation.md, "A node's instance"); the images it lists are not.
 */
class K8sNodeParserTest extends ParserContractTest {

  @Override
  protected EvidenceParser parser() {
    return new K8sNodeParser();
  }

  static final String NODE = "{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":{\"creationTimestamp\":\"2026-11-24T06:12:09Z\","
      + "\"labels\":{\"kubernetes.io/hostname\":\"ip-10-40-3-17\"},\"name\":\"ip-10-40-3-17\",\"uid\":\"n1\"},"
      + "\"spec\":{\"podCIDR\":\"10.244.1.0/24\",\"providerID\":\"aws:///eu-central-1a/i-0a9b8c7d6e5f40312\"},"
      + "\"status\":{\"addresses\":[{\"address\":\"10.40.3.17\",\"type\":\"InternalIP\"},{\"address\":\"ip-10-40-3-17\","
      + "\"type\":\"Hostname\"}],\"images\":[{\"names\":[\"r/notebook@sha256:c0de\"],\"sizeBytes\":912345678}],"
      + "\"nodeInfo\":{\"kubeletVersion\":\"v1.30.6\"}}}";

  @Test
  void eachNodeOfTheListIsAnEventAtItsRegistrationWithItsInstanceAndAddresses() throws Exception {
    String list = "{\"apiVersion\":\"v1\",\"items\":[" + NODE + "," + NODE.replace("ip-10-40-3-17", "ip-10-40-3-18")
        .replace("i-0a9b8c7d6e5f40312", "i-0a9b8c7d6e5f40313").replace("10.40.3.17", "10.40.3.18")
        + "],\"kind\":\"List\",\"metadata\":{\"resourceVersion\":\"\"}}";
    CollectingOutput out = parse(list, Framing.WHOLE, "kubectl/nodes.json");
    assertThat(out.events).hasSize(2);
    EvidenceEvent e = out.events.get(0);
    assertThat(e.getClassUid()).isEqualTo(5001);
    assertThat(e.getTime().toString()).isEqualTo("2026-11-24T06:12:09Z");
    assertThat(e.getKubernetes().getNodeName()).isEqualTo("ip-10-40-3-17");
    assertThat(e.getResources().get(0).getType()).isEqualTo("Node");
    assertThat(e.getUnmapped()).containsEntry("provider_id", "aws:///eu-central-1a/i-0a9b8c7d6e5f40312")
        .containsEntry("kubelet_version", "v1.30.6");
    var node = JSON.readTree(e.getUnmapped().get("k8s.object"));
    assertThat(node.at("/spec/providerID").asText()).isEqualTo("aws:///eu-central-1a/i-0a9b8c7d6e5f40312");
    assertThat(node.at("/status/addresses/0/address").asText()).isEqualTo("10.40.3.17");
    assertThat(node.at("/status/images").isMissingNode()).as("the node's image list is not kept").isTrue();
    assertThat(e.getMessage()).isEqualTo("Node ip-10-40-3-17 (aws:///eu-central-1a/i-0a9b8c7d6e5f40312) at 10.40.3.17");
    assertThat(out.events.get(1).getKubernetes().getNodeName()).isEqualTo("ip-10-40-3-18");
  }

  @Test
  void anotherKindIsRejected() throws Exception {
    CollectingOutput out = parse("{\"items\":[{\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\",\"namespace\":\"n\"}}]}",
        Framing.WHOLE, "x/nodes.json");
    assertThat(out.events).isEmpty();
    assertThat(out.rejections).hasSize(1);
  }
}
