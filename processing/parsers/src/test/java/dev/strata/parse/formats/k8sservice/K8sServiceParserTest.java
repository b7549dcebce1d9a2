package dev.strata.parse.formats.k8sservice;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.parse.EvidenceParser;
import dev.strata.parse.ParserContractTest;
import dev.strata.parse.testing.CollectingOutput;
import dev.strata.schema.common.Framing;
import dev.strata.schema.event.EvidenceEvent;
import org.junit.jupiter.api.Test;

/**
 * {@code kubectl get services -A -o json}: one event per Service with its node ports and selector, which tell the
 * incident job which pods a connection to a node's port reaches (docs/incidents.md, "Through a NodePort").
 */
class K8sServiceParserTest extends ParserContractTest {

  @Override
  protected EvidenceParser parser() {
    return new K8sServiceParser();
  }

  static final String SVC = "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"creationTimestamp\":"
      + "\"2026-11-24T07:02:11Z\",\"name\":\"jupyter\",\"namespace\":\"ml\",\"uid\":\"s1\"},\"spec\":{\"clusterIP\":"
      + "\"10.96.140.12\",\"ports\":[{\"name\":\"http\",\"nodePort\":30888,\"port\":8888,\"protocol\":\"TCP\","
      + "\"targetPort\":8888}],\"selector\":{\"app\":\"jupyter\"},\"type\":\"NodePort\"},\"status\":{\"loadBalancer\":{}}}";

  @Test
  void eachServiceIsAnEventWithItsNodePortsAndSelector() throws Exception {
    String list = "{\"apiVersion\":\"v1\",\"items\":[" + SVC + "],\"kind\":\"List\",\"metadata\":{\"resourceVersion\":\"\"}}";
    CollectingOutput out = parse(list, Framing.WHOLE, "kubectl/services.json");
    assertThat(out.events).hasSize(1);
    EvidenceEvent e = out.events.get(0);
    assertThat(e.getTime().toString()).isEqualTo("2026-11-24T07:02:11Z");
    assertThat(e.getKubernetes().getNamespace()).isEqualTo("ml");
    assertThat(e.getResources().get(0).getType()).isEqualTo("Service");
    assertThat(e.getResources().get(0).getName()).isEqualTo("jupyter");
    assertThat(e.getUnmapped()).containsEntry("k8s.service.node_ports", "30888/TCP->8888")
        .containsEntry("k8s.service.selector", "app=jupyter").containsEntry("k8s.service.type", "NodePort");
  }

  @Test
  void anotherKindIsRejected() throws Exception {
    CollectingOutput out = parse("{\"items\":[{\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\",\"namespace\":\"n\"}}]}",
        Framing.WHOLE, "x/services.json");
    assertThat(out.events).isEmpty();
    assertThat(out.rejections).hasSize(1);
  }
}
