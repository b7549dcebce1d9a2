package dev.strata.parse.formats.k8saudit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.parse.EvidenceParser;
import dev.strata.parse.OcsfClass;
import dev.strata.parse.ParserContractTest;
import dev.strata.parse.testing.CollectingOutput;
import dev.strata.schema.common.Framing;
import org.junit.jupiter.api.Test;

class K8sAuditParserTest extends ParserContractTest {

  @Override
  protected EvidenceParser parser() {
    return new K8sAuditParser();
  }

  @Test
  void verbsMapToActivities() {
    assertThat(AuditMapper.activityOf("create")).isEqualTo(OcsfClass.ACTIVITY_CREATE);
    assertThat(AuditMapper.activityOf("get")).isEqualTo(OcsfClass.ACTIVITY_READ);
    assertThat(AuditMapper.activityOf("list")).isEqualTo(OcsfClass.ACTIVITY_READ);
    assertThat(AuditMapper.activityOf("watch")).isEqualTo(OcsfClass.ACTIVITY_READ);
    assertThat(AuditMapper.activityOf("update")).isEqualTo(OcsfClass.ACTIVITY_UPDATE);
    assertThat(AuditMapper.activityOf("patch")).isEqualTo(OcsfClass.ACTIVITY_UPDATE);
    assertThat(AuditMapper.activityOf("delete")).isEqualTo(OcsfClass.ACTIVITY_DELETE);
    assertThat(AuditMapper.activityOf("deletecollection")).isEqualTo(OcsfClass.ACTIVITY_DELETE);
    assertThat(AuditMapper.activityOf("escalate")).isEqualTo(OcsfClass.ACTIVITY_OTHER);
  }

  @Test
  void attachAndPortforwardQueries() {
    var q = AuditMapper.Query.of("/api/v1/namespaces/a/pods/p/attach?container=c1&stdin=true&tty=true");
    assertThat(q.container).isEqualTo("c1");
    assertThat(q.commands).isEmpty();
    assertThat(q.tty).isTrue();
    var pf = AuditMapper.Query.of("/api/v1/namespaces/a/pods/p/portforward?ports=8080&ports=9090");
    assertThat(pf.ports).isEqualTo("8080,9090");
    var ex = AuditMapper.Query.of("/x/exec?command=echo&command=a+b%21&command=%ZZ");
    assertThat(String.join(" ", ex.commands)).isEqualTo("echo a b! %ZZ");
  }

  @Test
  void theSameRequestStageHasOneEventIdWhereverItIsFound() throws Exception {
    String complete = "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"auditID\":\"r-1\",\"stage\":\"ResponseComplete\","
        + "\"verb\":\"get\",\"user\":{\"username\":\"u\"},\"stageTimestamp\":\"2024-01-01T00:00:01Z\"}\n";
    String started = complete.replace("ResponseComplete", "ResponseStarted");
    CollectingOutput out = parse(complete + started + complete, Framing.LINES, "audit.log");
    assertThat(out.events).hasSize(3);
    assertThat(out.events.get(0).getEventId()).isEqualTo(out.events.get(2).getEventId());
    assertThat(out.events.get(1).getEventId()).isNotEqualTo(out.events.get(0).getEventId());
    // lineage still tells the copies apart
    assertThat(out.events.get(0).getLineage().getLineNumber()).isEqualTo(1L);
    assertThat(out.events.get(2).getLineage().getLineNumber()).isEqualTo(3L);
    CollectingOutput other = parse(complete, Framing.LINES, "other-apiserver/audit.log");
    assertThat(other.events.get(0).getEventId()).isEqualTo(out.events.get(0).getEventId());
  }

  @Test
  void eventListOnOneLine() throws Exception {
    String ev = "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"auditID\":\"a%d\",\"verb\":\"list\","
        + "\"user\":{\"username\":\"u\"},\"stageTimestamp\":\"2024-01-01T00:00:0%dZ\"}";
    String doc = "{\"apiVersion\":\"audit.k8s.io/v1\",\"items\":[" + String.format(ev, 1, 1) + ","
        + String.format(ev, 2, 2) + "],\"kind\":\"EventList\",\"metadata\":{}}\n";
    CollectingOutput out = parse(doc, Framing.LINES, "audit.json");
    assertThat(out.rejections).isEmpty();
    assertThat(out.events).hasSize(2);
    assertThat(out.events.get(1).getApi().getRequestUid()).isEqualTo("a2");
    assertThat(out.events.get(1).getLineage().getRecordIndex()).isEqualTo(1L);
    assertThat(doc.substring((int) (long) out.events.get(1).getLineage().getByteOffset())).startsWith("{\"kind\":\"Event\"");
  }

  @Test
  void serviceAccountOfTheRequestingUser() {
    assertThat(AuditMapper.serviceAccountOf("system:serviceaccount:payments:api-runner")).isEqualTo("payments/api-runner");
    assertThat(AuditMapper.serviceAccountOf("system:serviceaccount:broken")).isNull();
    assertThat(AuditMapper.serviceAccountOf("dev-alice")).isNull();
    assertThat(AuditMapper.serviceAccountOf(null)).isNull();
  }
}
