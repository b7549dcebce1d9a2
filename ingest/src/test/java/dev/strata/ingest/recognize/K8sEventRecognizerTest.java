package dev.strata.ingest.recognize;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.ingest.TestFiles;
import dev.strata.schema.common.Framing;
import java.util.List;
import org.junit.jupiter.api.Test;

class K8sEventRecognizerTest {
  private static final List<ArtifactRecognizer> R = Recognizers.defaults();
  private static final String EVENT =
      "{\"apiVersion\":\"v1\",\"count\":5,\"eventTime\":null,\"firstTimestamp\":\"2024-05-01T10:01:00Z\","
          + "\"involvedObject\":{\"kind\":\"Pod\",\"name\":\"api\",\"namespace\":\"shop\"},\"kind\":\"Event\","
          + "\"lastTimestamp\":\"2024-05-01T10:05:30Z\",\"message\":\"Back-off restarting failed container\","
          + "\"reason\":\"BackOff\",\"source\":{\"component\":\"kubelet\",\"host\":\"node-1\"},\"type\":\"Warning\"}";
  private static final String NEW_EVENT =
      "{\"kind\":\"Event\",\"apiVersion\":\"events.k8s.io/v1\",\"regarding\":{\"kind\":\"Pod\",\"name\":\"w\"},"
          + "\"reason\":\"Unhealthy\",\"note\":\"probe failed\",\"type\":\"Warning\"}";

  static Recognition rec(String path, String content) {
    return Recognizers.recognize(R, path, ContentSample.of(content));
  }

  private static String pretty(String json) {
    return json.replace(",\"", ",\n    \"").replace("{\"", "{\n    \"");
  }

  @Test
  void kubectlListIsJsonRecords() {
    String list = "{\n    \"apiVersion\": \"v1\",\n    \"items\": [\n" + pretty(EVENT) + ",\n" + pretty(NEW_EVENT)
        + "\n    ],\n    \"kind\": \"List\",\n    \"metadata\": {\"resourceVersion\": \"\"}\n}\n";
    Recognition r = rec("cases/1/out.json", list);
    assertThat(r.sourceType()).isEqualTo("k8s_event");
    assertThat(r.framing()).isEqualTo(Framing.JSON_RECORDS);
    Recognition one = rec("x", "{\"kind\":\"EventList\",\"apiVersion\":\"events.k8s.io/v1\",\"items\":[" + NEW_EVENT + "]}");
    assertThat(one.sourceType()).isEqualTo("k8s_event");
    assertThat(one.framing()).isEqualTo(Framing.JSON_RECORDS);
  }

  @Test
  void jsonLinesAndSingleEvents() {
    Recognition lines = rec("watch.log", EVENT + "\n" + NEW_EVENT + "\n");
    assertThat(lines.sourceType()).isEqualTo("k8s_event");
    assertThat(lines.framing()).isEqualTo(Framing.LINES);
    Recognition single = rec("ev.json", pretty(EVENT) + "\n");
    assertThat(single.sourceType()).isEqualTo("k8s_event");
    assertThat(single.framing()).isEqualTo(Framing.WHOLE);
  }

  @Test
  void auditEventsAndAuditEventListsStayK8sAudit() {
    String auditLine = TestFiles.auditLine(1);
    assertThat(rec("var/log/kubernetes/audit/audit.log", auditLine).sourceType()).isEqualTo("k8s_audit");
    assertThat(rec("events.json", auditLine).sourceType()).isEqualTo("k8s_audit");
    String auditList = "{\n  \"kind\": \"EventList\",\n  \"apiVersion\": \"audit.k8s.io/v1\",\n  \"metadata\": {},\n"
        + "  \"items\": [\n" + pretty(auditLine.strip()) + "\n  ]\n}\n";
    assertThat(new K8sEventRecognizer().probe(ContentSample.of(auditList)).strength())
        .isEqualTo(ContentMatch.Strength.NONE);
    assertThat(rec("var/log/kubernetes/audit/audit.log", auditList).sourceType()).isEqualTo("k8s_audit");
    String oneLine = "{\"kind\":\"EventList\",\"apiVersion\":\"audit.k8s.io/v1\",\"items\":[" + auditLine.strip() + "]}";
    assertThat(new K8sEventRecognizer().probe(ContentSample.of(oneLine)).strength())
        .isEqualTo(ContentMatch.Strength.NONE);
  }

  @Test
  void otherListsAndPaths() {
    // a List of Pods is not Events: k8s_pod since CrioKubeadmScenarioIT (was unrecognized)
    assertThat(rec("pods.json", "{\"apiVersion\":\"v1\",\"items\":[{\"kind\":\"Pod\",\"metadata\":{}}],\"kind\":\"List\"}")
        .sourceType()).isEqualTo("k8s_pod");
    K8sEventRecognizer k = new K8sEventRecognizer();
    assertThat(k.matchPath("cluster/events.json")).isPresent();
    assertThat(k.matchPath("k8s-events-2024.json.gz")).isPresent();
    assertThat(k.matchPath("cluster/pods.json")).isEmpty();
  }
}
