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

  /**
   * A repeated event: events.k8s.io/v1 (eventTime = the first occurrence, series.count / lastObservedTime, the
   * deprecated* core fields, reportingController / reportingInstance, regarding, note) and core/v1 (count,
   * firstTimestamp, lastTimestamp) cover the interval from the first to the last occurrence.
   */
  @Test
  void aRepeatedEventCoversItsSeries() throws Exception {
    String v1 = "{\"apiVersion\":\"events.k8s.io/v1\",\"kind\":\"Event\",\"metadata\":{\"name\":\"web-0.17f1\","
        + "\"namespace\":\"shop\"},\"eventTime\":\"2025-03-01T10:00:00.250000Z\",\"series\":{\"count\":7,"
        + "\"lastObservedTime\":\"2025-03-01T10:06:30.500000Z\"},\"reportingController\":\"kubelet\","
        + "\"reportingInstance\":\"ip-10-0-1-5.ec2.internal\",\"action\":\"Pulling\",\"reason\":\"BackOff\","
        + "\"regarding\":{\"kind\":\"Pod\",\"namespace\":\"shop\",\"name\":\"web-0\",\"uid\":\"u-1\","
        + "\"apiVersion\":\"v1\",\"fieldPath\":\"spec.containers{web}\"},\"note\":\"Back-off pulling image\","
        + "\"type\":\"Warning\",\"deprecatedCount\":7,\"deprecatedFirstTimestamp\":\"2025-03-01T10:00:00Z\","
        + "\"deprecatedLastTimestamp\":\"2025-03-01T10:06:30Z\",\"deprecatedSource\":{\"component\":\"kubelet\","
        + "\"host\":\"ip-10-0-1-5.ec2.internal\"}}\n";
    var e = parse(v1, Framing.LINES, "x/events.json").events.get(0);
    assertThat(e.getActivityName()).isEqualTo("BackOff");
    assertThat(e.getMessage()).isEqualTo("Back-off pulling image");
    assertThat(e.getSeverityId()).isEqualTo(3);
    assertThat(e.getTime()).isEqualTo(java.time.Instant.parse("2025-03-01T10:00:00.250Z"));
    assertThat(e.getStartTime()).isEqualTo(java.time.Instant.parse("2025-03-01T10:00:00Z"));
    assertThat(e.getEndTime()).isEqualTo(java.time.Instant.parse("2025-03-01T10:06:30.500Z"));
    assertThat(e.getKubernetes().getNodeName()).isEqualTo("ip-10-0-1-5.ec2.internal");
    assertThat(e.getKubernetes().getContainerName()).isEqualTo("web");
    assertThat(e.getUnmapped()).containsEntry("count", "7").containsEntry("action", "Pulling")
        .containsEntry("reportingComponent", "kubelet");
    String core = "{\"apiVersion\":\"v1\",\"kind\":\"Event\",\"involvedObject\":{\"kind\":\"Pod\",\"name\":\"p\"},"
        + "\"reason\":\"Unhealthy\",\"count\":3,\"firstTimestamp\":\"2025-03-01T09:00:00Z\","
        + "\"lastTimestamp\":\"2025-03-01T09:02:00Z\",\"eventTime\":null}\n"
        + "{\"apiVersion\":\"v1\",\"kind\":\"Event\",\"involvedObject\":{\"kind\":\"Pod\",\"name\":\"p\"},"
        + "\"reason\":\"Started\",\"firstTimestamp\":\"2025-03-01T09:00:00Z\",\"lastTimestamp\":\"2025-03-01T09:00:00Z\"}\n";
    var out = parse(core, Framing.LINES, "x/events.json").events;
    assertThat(out.get(0).getStartTime()).isEqualTo(java.time.Instant.parse("2025-03-01T09:00:00Z"));
    assertThat(out.get(0).getEndTime()).isEqualTo(java.time.Instant.parse("2025-03-01T09:02:00Z"));
    assertThat(out.get(1).getStartTime()).isNull();
  }
}
