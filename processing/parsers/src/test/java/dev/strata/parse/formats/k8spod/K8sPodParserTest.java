package dev.strata.parse.formats.k8spod;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.parse.EvidenceParser;
import dev.strata.parse.ParserContractTest;
import dev.strata.parse.testing.CollectingOutput;
import dev.strata.schema.common.Framing;
import dev.strata.schema.event.EvidenceEvent;
import org.junit.jupiter.api.Test;

/** {@code kubectl get pods -A -o json}: one event per Pod, the Pod kept whole for the correlation job's bindings. */
class K8sPodParserTest extends ParserContractTest {

  @Override
  protected EvidenceParser parser() {
    return new K8sPodParser();
  }

  static final String POD = "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"creationTimestamp\":\"2026-11-24T10:52:03Z\","
      + "\"name\":\"cart-1\",\"namespace\":\"shop\",\"uid\":\"f1e2\"},\"spec\":{\"containers\":[{\"name\":\"cart\",\"image\":\"r/cart:4\"}],"
      + "\"nodeName\":\"ip-10-40-3-17\",\"serviceAccountName\":\"cart\"},\"status\":{\"containerStatuses\":[{\"containerID\":"
      + "\"cri-o://ca7e4d4d4d4d\",\"imageID\":\"r/cart@sha256:8e2f\",\"name\":\"cart\"}],\"hostIP\":\"10.40.3.17\","
      + "\"phase\":\"Running\",\"podIP\":\"10.40.3.120\",\"startTime\":\"2026-11-24T10:52:04Z\"}}";

  @Test
  void eachPodOfTheListIsAnEventAtItsStartWithThePodKept() throws Exception {
    String list = "{\"apiVersion\":\"v1\",\"items\":[" + POD + "," + POD.replace("cart-1", "cart-2")
        .replace(",\"startTime\":\"2026-11-24T10:52:04Z\"", "") + "],\"kind\":\"List\",\"metadata\":{\"resourceVersion\":\"\"}}";
    CollectingOutput out = parse(list, Framing.WHOLE, "kubectl/pods-all-namespaces.json");
    assertThat(out.events).hasSize(2);
    EvidenceEvent e = out.events.get(0);
    assertThat(e.getClassUid()).isEqualTo(5001);
    assertThat(e.getTime().toString()).isEqualTo("2026-11-24T10:52:04Z");
    assertThat(e.getKubernetes().getNamespace() + "/" + e.getKubernetes().getPodName() + " " + e.getKubernetes().getNodeName())
        .isEqualTo("shop/cart-1 ip-10-40-3-17");
    assertThat(e.getUnmapped()).containsEntry("service_account", "shop/cart").containsEntry("phase", "Running");
    assertThat(JSON.readTree(e.getUnmapped().get("k8s.object")).at("/status/podIP").asText()).isEqualTo("10.40.3.120");
    assertThat(e.getMessage()).isEqualTo("Pod shop/cart-1 on ip-10-40-3-17 at 10.40.3.120 (Running)");
    // no start time (pending): its creation
    assertThat(out.events.get(1).getTime().toString()).isEqualTo("2026-11-24T10:52:03Z");
  }

  @Test
  void anotherKindIsRejected() throws Exception {
    CollectingOutput out = parse("{\"items\":[{\"kind\":\"Service\",\"metadata\":{\"name\":\"s\",\"namespace\":\"n\"}}]}",
        Framing.WHOLE, "x/pods.json");
    assertThat(out.events).isEmpty();
    assertThat(out.rejections).hasSize(1);
  }
}
