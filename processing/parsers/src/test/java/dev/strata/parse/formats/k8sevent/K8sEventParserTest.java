package dev.strata.parse.formats.k8sevent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.parse.EvidenceParser;
import dev.strata.parse.ParserContractTest;
import dev.strata.parse.testing.CollectingOutput;
import dev.strata.schema.common.Framing;
import org.junit.jupiter.api.Test;

class K8sEventParserTest extends ParserContractTest {

  @Override
  protected EvidenceParser parser() {
    return new K8sEventParser();
  }

  @Test
  void auditEventsAreNotClusterEvents() throws Exception {
    String audit = "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"auditID\":\"a1\",\"verb\":\"get\","
        + "\"objectRef\":{\"resource\":\"pods\"}}\n";
    CollectingOutput out = parse(audit, Framing.LINES, "x/events.json");
    assertThat(out.events).isEmpty();
    assertThat(out.rejections).hasSize(1);
  }

  @Test
  void timePrecedenceEventTimeThenLastThenFirst() throws Exception {
    String ev = "{\"kind\":\"Event\",\"involvedObject\":{\"kind\":\"Pod\",\"name\":\"p\"},\"reason\":\"Started\","
        + "\"firstTimestamp\":\"2024-01-01T00:00:01Z\",\"lastTimestamp\":\"2024-01-01T00:00:02Z\"%s}\n";
    var withEventTime = parse(String.format(ev, ",\"eventTime\":\"2024-01-01T00:00:03.000001Z\""), Framing.LINES, "x");
    assertThat(withEventTime.events.get(0).getTime().toString()).isEqualTo("2024-01-01T00:00:03.000001Z");
    var withoutEventTime = parse(String.format(ev, ",\"eventTime\":null"), Framing.LINES, "x");
    assertThat(withoutEventTime.events.get(0).getTime().toString()).isEqualTo("2024-01-01T00:00:02Z");
    var onlyFirst = parse(
        "{\"involvedObject\":{\"kind\":\"Pod\",\"name\":\"p\"},\"reason\":\"Created\","
            + "\"firstTimestamp\":\"2024-01-01T00:00:01Z\"}\n", Framing.LINES, "x");
    assertThat(onlyFirst.events.get(0).getTime().toString()).isEqualTo("2024-01-01T00:00:01Z");
    assertThat(onlyFirst.events.get(0).getUnmapped()).doesNotContainKey("strata.warning");
  }

  @Test
  void schedulerInstanceIsNotANode() throws Exception {
    String ev = "{\"involvedObject\":{\"kind\":\"Pod\",\"name\":\"p\",\"namespace\":\"n\"},\"reason\":\"Scheduled\","
        + "\"reportingComponent\":\"default-scheduler\",\"reportingInstance\":\"default-scheduler-cp-1\","
        + "\"eventTime\":\"2024-01-01T00:00:00.000000Z\"}\n";
    var e = parse(ev, Framing.LINES, "x").events.get(0);
    assertThat(e.getKubernetes().getNodeName()).isNull();
    assertThat(e.getKubernetes().getPodName()).isEqualTo("p");
  }
}
