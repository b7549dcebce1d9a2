package dev.strata.parse.formats.k8saudit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.parse.EvidenceParser;
import dev.strata.parse.ParserContractTest;
import dev.strata.parse.testing.CollectingOutput;
import dev.strata.schema.common.Framing;
import dev.strata.schema.event.EvidenceEvent;
import org.junit.jupiter.api.Test;

/** GKE (Cloud Logging LogEntry with a k8s.io AuditLog payload) and AKS (Azure diagnostic kube-audit) audit records. */
class ManagedClusterAuditTest extends ParserContractTest {

  @Override
  protected EvidenceParser parser() {
    return new K8sAuditParser();
  }

  /** A GKE exec: the command is in the PodExecOptions request, the cluster in resource.labels. */
  static final String GKE_EXEC =
      "{\"protoPayload\":{\"@type\":\"type.googleapis.com/google.cloud.audit.AuditLog\","
          + "\"authenticationInfo\":{\"principalEmail\":\"mallory@example.com\"},"
          + "\"authorizationInfo\":[{\"granted\":true,\"permission\":\"io.k8s.core.v1.pods.exec.create\","
          + "\"resource\":\"core/v1/namespaces/shop/pods/web-7d4b9/exec\"}],"
          + "\"methodName\":\"io.k8s.core.v1.pods.exec.create\","
          + "\"request\":{\"@type\":\"core.k8s.io/v1.PodExecOptions\",\"apiVersion\":\"v1\",\"command\":[\"sh\",\"-c\",\"id\"],"
          + "\"container\":\"web\",\"kind\":\"PodExecOptions\",\"stdin\":true,\"stdout\":true,\"tty\":true},"
          + "\"requestMetadata\":{\"callerIp\":\"198.51.100.23\",\"callerSuppliedUserAgent\":\"kubectl/v1.29.2 (linux/amd64)\"},"
          + "\"resourceName\":\"core/v1/namespaces/shop/pods/web-7d4b9/exec\",\"serviceName\":\"k8s.io\",\"status\":{}},"
          + "\"insertId\":\"3f1c2a9e-1b7e-4c55-9e0a-6a0f1c2b3d4e\",\"resource\":{\"type\":\"k8s_cluster\","
          + "\"labels\":{\"cluster_name\":\"prod-eu\",\"location\":\"europe-west1-b\",\"project_id\":\"acme-prod\"}},"
          + "\"timestamp\":\"2024-05-12T05:13:08.760303Z\",\"severity\":\"NOTICE\","
          + "\"labels\":{\"authorization.k8s.io/decision\":\"allow\",\"authorization.k8s.io/reason\":\"access granted by IAM permissions.\"},"
          + "\"logName\":\"projects/acme-prod/logs/cloudaudit.googleapis.com%2Factivity\","
          + "\"operation\":{\"id\":\"3f1c2a9e-1b7e-4c55-9e0a-6a0f1c2b3d4e\",\"producer\":\"k8s.io\",\"first\":true,\"last\":true},"
          + "\"receiveTimestamp\":\"2024-05-12T05:13:09.1Z\"}";

  @Test
  void aGkeExecIsAnExecOnItsPodInItsClusterAndProject() throws Exception {
    CollectingOutput out = parse(GKE_EXEC + "\n", Framing.LINES, "cloudaudit.googleapis.com/activity/2024/05/12/05:00:00_05:59:59_S0.json");
    assertThat(out.rejections).isEmpty();
    EvidenceEvent e = out.events.get(0);
    assertThat(e.getActor().getUserName()).isEqualTo("mallory@example.com");
    assertThat(e.getSrcEndpoint().getIp()).isEqualTo("198.51.100.23");
    assertThat(e.getHttpRequest().getUserAgent()).startsWith("kubectl/v1.29.2");
    assertThat(e.getApi().getOperation()).isEqualTo("create");
    assertThat(e.getApi().getResponseCode()).isEqualTo(200);
    assertThat(e.getStatus()).isEqualTo("Success");
    assertThat(e.getResources().get(0).getType()).isEqualTo("pods");
    assertThat(e.getResources().get(0).getName()).isEqualTo("web-7d4b9");
    assertThat(e.getResources().get(0).getSubresource()).isEqualTo("exec");
    assertThat(e.getKubernetes().getCluster()).isEqualTo("prod-eu");
    assertThat(e.getKubernetes().getNamespace()).isEqualTo("shop");
    assertThat(e.getKubernetes().getPodName()).isEqualTo("web-7d4b9");
    assertThat(e.getKubernetes().getContainerName()).isEqualTo("web");
    assertThat(e.getProcess().getCmdLine()).isEqualTo("sh -c id");
    assertThat(e.getCloud().getProvider()).isEqualTo("gcp");
    assertThat(e.getCloud().getAccountUid()).isEqualTo("acme-prod");
    assertThat(e.getCloud().getRegion()).isEqualTo("europe-west1");
    assertThat(e.getCloud().getAvailabilityZone()).isEqualTo("europe-west1-b");
    assertThat(e.getTime().toString()).isEqualTo("2024-05-12T05:13:08.760303Z");
    assertThat(e.getApi().getRequestUid()).isEqualTo("3f1c2a9e-1b7e-4c55-9e0a-6a0f1c2b3d4e");
    assertThat(e.getUnmapped())
        .containsEntry("annotations.authorization.k8s.io/decision", "allow")
        .containsEntry("gke.methodName", "io.k8s.core.v1.pods.exec.create")
        .containsEntry("gke.logName", "projects/acme-prod/logs/cloudaudit.googleapis.com%2Factivity")
        .containsKey("gke.protoPayload.authorizationInfo");
    // the same entry from another export (gcloud logging read, a BigQuery dump) is the same event
    CollectingOutput again = parse(GKE_EXEC + "\n", Framing.LINES, "gcloud-read.json");
    assertThat(again.events.get(0).getEventId()).isEqualTo(e.getEventId());
  }

  @Test
  void gcloudLoggingReadPrintsAJsonArrayOfEntries() throws Exception {
    String second = GKE_EXEC.replace("3f1c2a9e-1b7e-4c55-9e0a-6a0f1c2b3d4e", "77").replace("sh\",\"-c\",\"id", "cat\",\"/etc/shadow");
    CollectingOutput out = parse("[\n  " + GKE_EXEC + ",\n  " + second + "\n]\n", Framing.JSON_RECORDS, "read.json");
    assertThat(out.rejections).isEmpty();
    assertThat(out.events).extracting(e -> e.getProcess().getCmdLine()).containsExactly("sh -c id", "cat /etc/shadow");
    assertThat(out.events.get(1).getLineage().getLineNumber()).isEqualTo(3L);
  }

  @Test
  void aGkePrivilegedPodCreateCarriesItsRisksAndADeniedSecretReadItsStatus() throws Exception {
    String create = "{\"protoPayload\":{\"@type\":\"type.googleapis.com/google.cloud.audit.AuditLog\","
        + "\"authenticationInfo\":{\"principalEmail\":\"system:serviceaccount:ci:deployer\"},"
        + "\"methodName\":\"io.k8s.core.v1.pods.create\",\"resourceName\":\"core/v1/namespaces/ci/pods/debug\","
        + "\"request\":{\"@type\":\"core.k8s.io/v1.Pod\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"debug\"},"
        + "\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"alpine\",\"securityContext\":{\"privileged\":true}}],"
        + "\"hostPID\":true,\"serviceAccountName\":\"deployer\"}},\"serviceName\":\"k8s.io\",\"status\":{}},"
        + "\"insertId\":\"a1\",\"resource\":{\"type\":\"k8s_cluster\",\"labels\":{\"cluster_name\":\"ci\",\"location\":\"us-central1\",\"project_id\":\"acme-ci\"}},"
        + "\"timestamp\":\"2024-05-12T06:00:00Z\"}";
    String denied = "{\"protoPayload\":{\"@type\":\"type.googleapis.com/google.cloud.audit.AuditLog\","
        + "\"authenticationInfo\":{\"principalEmail\":\"system:serviceaccount:ci:deployer\"},"
        + "\"methodName\":\"io.k8s.core.v1.secrets.get\",\"resourceName\":\"core/v1/namespaces/kube-system/secrets/admin-token\","
        + "\"serviceName\":\"k8s.io\",\"status\":{\"code\":7,\"message\":\"secrets \\\"admin-token\\\" is forbidden\"}},"
        + "\"insertId\":\"a2\",\"resource\":{\"type\":\"k8s_cluster\",\"labels\":{\"cluster_name\":\"ci\",\"location\":\"us-central1\",\"project_id\":\"acme-ci\"}},"
        + "\"timestamp\":\"2024-05-12T06:00:05Z\"}";
    String rbac = "{\"protoPayload\":{\"@type\":\"type.googleapis.com/google.cloud.audit.AuditLog\","
        + "\"authenticationInfo\":{\"principalEmail\":\"system:serviceaccount:ci:deployer\"},"
        + "\"methodName\":\"io.k8s.authorization.rbac.v1.clusterrolebindings.create\","
        + "\"resourceName\":\"rbac.authorization.k8s.io/v1/clusterrolebindings/backdoor\",\"serviceName\":\"k8s.io\",\"status\":{}},"
        + "\"insertId\":\"a3\",\"resource\":{\"type\":\"k8s_cluster\",\"labels\":{\"cluster_name\":\"ci\",\"location\":\"us-central1\",\"project_id\":\"acme-ci\"}},"
        + "\"timestamp\":\"2024-05-12T06:00:09Z\"}";
    CollectingOutput out = parse(create + "\n" + denied + "\n" + rbac + "\n", Framing.LINES, "gke.json");
    assertThat(out.rejections).isEmpty();
    EvidenceEvent c = out.events.get(0);
    assertThat(c.getKubernetes().getPodName()).isEqualTo("debug");
    assertThat(c.getKubernetes().getServiceAccount()).isEqualTo("ci/deployer");
    assertThat(c.getUnmapped().get("strata.risk")).contains("privileged").contains("host_pid");
    assertThat(c.getActor().getServiceAccount()).isEqualTo("ci/deployer");
    assertThat(c.getCloud().getRegion()).isEqualTo("us-central1");
    assertThat(c.getCloud().getAvailabilityZone()).isNull();
    EvidenceEvent d = out.events.get(1);
    assertThat(d.getApi().getResponseCode()).isEqualTo(403);
    assertThat(d.getStatus()).isEqualTo("Failure");
    assertThat(d.getApi().getResponseMessage()).contains("forbidden");
    assertThat(d.getResources().get(0).getType()).isEqualTo("secrets");
    assertThat(d.getResources().get(0).getNamespace()).isEqualTo("kube-system");
    EvidenceEvent r = out.events.get(2);
    assertThat(r.getResources().get(0).getType()).isEqualTo("clusterrolebindings");
    assertThat(r.getResources().get(0).getName()).isEqualTo("backdoor");
    assertThat(r.getResources().get(0).getApiGroup()).isEqualTo("rbac.authorization.k8s.io");
    assertThat(r.getKubernetes().getNamespace()).isNull();
  }

  @Test
  void anotherGoogleCloudServicesAuditEntryIsRejectedWithItsName() throws Exception {
    String iam = "{\"protoPayload\":{\"@type\":\"type.googleapis.com/google.cloud.audit.AuditLog\","
        + "\"serviceName\":\"iam.googleapis.com\",\"methodName\":\"google.iam.admin.v1.CreateServiceAccountKey\"},"
        + "\"insertId\":\"x\",\"resource\":{\"type\":\"service_account\"},\"timestamp\":\"2024-05-12T06:00:00Z\"}";
    CollectingOutput out = parse(GKE_EXEC + "\n" + iam + "\n", Framing.LINES, "mixed.json");
    assertThat(out.events).hasSize(1);
    assertThat(out.rejections).hasSize(1);
    assertThat(out.rejections.get(0).message()).contains("iam.googleapis.com").contains("not a Kubernetes");
  }

  static final String AKS_EVENT =
      "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"level\":\"Request\",\"auditID\":\"9b2f\","
          + "\"stage\":\"ResponseComplete\",\"requestURI\":\"/api/v1/namespaces/shop/pods/web-1/exec?command=bash&container=web&stdin=true&stdout=true&tty=true\","
          + "\"verb\":\"create\",\"user\":{\"username\":\"alice@contoso.com\",\"groups\":[\"system:authenticated\"]},"
          + "\"sourceIPs\":[\"203.0.113.7\"],\"userAgent\":\"kubectl/v1.30.0\","
          + "\"objectRef\":{\"resource\":\"pods\",\"namespace\":\"shop\",\"name\":\"web-1\",\"apiVersion\":\"v1\",\"subresource\":\"exec\"},"
          + "\"responseStatus\":{\"metadata\":{},\"code\":101},\"requestReceivedTimestamp\":\"2024-06-01T10:00:00.100000Z\","
          + "\"stageTimestamp\":\"2024-06-01T10:00:03.200000Z\"}";

  static String aksRecord() {
    return "{\"attrs\":\"{\\\"annotation.io.kubernetes.container.hash\\\":\\\"1\\\"}\",\"category\":\"kube-audit\","
        + "\"ccpNamespace\":\"65a1\",\"operationName\":\"Microsoft.ContainerService/managedClusters/diagnosticLogs/Read\","
        + "\"properties\":{\"log\":" + quote(AKS_EVENT) + ",\"pod\":\"kube-apiserver-7c9d-abcde\",\"stream\":\"stdout\"},"
        + "\"resourceId\":\"/SUBSCRIPTIONS/0F1E2D3C-AAAA-BBBB-CCCC-1234567890AB/RESOURCEGROUPS/RG-PROD/PROVIDERS/"
        + "MICROSOFT.CONTAINERSERVICE/MANAGEDCLUSTERS/AKS-PROD\",\"time\":\"2024-06-01T10:00:03.2000000Z\"}";
  }

  private static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  @Test
  void anAksDiagnosticRecordIsItsAuditEventInItsClusterAndSubscription() throws Exception {
    CollectingOutput out = parse(aksRecord() + "\n", Framing.LINES,
        "insights-logs-kube-audit/resourceId=/SUBSCRIPTIONS/0F1E/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.CONTAINERSERVICE/"
            + "MANAGEDCLUSTERS/AKS-PROD/y=2024/m=06/d=01/h=10/m=00/PT1H.json");
    assertThat(out.rejections).isEmpty();
    EvidenceEvent e = out.events.get(0);
    assertThat(e.getActor().getUserName()).isEqualTo("alice@contoso.com");
    assertThat(e.getProcess().getCmdLine()).isEqualTo("bash");
    assertThat(e.getKubernetes().getCluster()).isEqualTo("aks-prod");
    assertThat(e.getKubernetes().getPodName()).isEqualTo("web-1");
    assertThat(e.getCloud().getProvider()).isEqualTo("azure");
    assertThat(e.getCloud().getAccountUid()).isEqualTo("0f1e2d3c-aaaa-bbbb-cccc-1234567890ab");
    assertThat(e.getTime().toString()).isEqualTo("2024-06-01T10:00:03.200Z");
    assertThat(e.getUnmapped())
        .containsEntry("azure.category", "kube-audit")
        .containsEntry("azure.properties.pod", "kube-apiserver-7c9d-abcde")
        .containsKey("azure.resourceId");
    // the API server's own log line of the same request stage is the same event
    CollectingOutput own = parse(AKS_EVENT + "\n", Framing.LINES, "audit.log");
    assertThat(own.events.get(0).getEventId()).isEqualTo(e.getEventId());
  }

  @Test
  void anEventHubMessageHoldsAksRecordsAndACloudWatchSubscriptionItsLogEvents() throws Exception {
    String hub = "{\"records\":[" + aksRecord() + "," + aksRecord().replace("9b2f", "9b30") + "]}";
    CollectingOutput out = parse(hub, Framing.WHOLE, "eventhub.json");
    assertThat(out.rejections).isEmpty();
    assertThat(out.events).extracting(e -> e.getApi().getRequestUid()).containsExactly("9b2f", "9b30");
    String firehose = "{\"messageType\":\"DATA_MESSAGE\",\"owner\":\"111122223333\",\"logGroup\":\"/aws/eks/prod/cluster\","
        + "\"logStream\":\"kube-apiserver-audit-abc\",\"subscriptionFilters\":[\"f\"],\"logEvents\":["
        + "{\"id\":\"1\",\"timestamp\":1717236003200,\"message\":" + quote(AKS_EVENT) + "}]}";
    CollectingOutput fh = parse(firehose, Framing.WHOLE, "firehose.json");
    assertThat(fh.rejections).isEmpty();
    assertThat(fh.events).hasSize(1);
    assertThat(fh.events.get(0).getProcess().getCmdLine()).isEqualTo("bash");
  }

  /**
   * A Firehose object of subscription messages: back to back without newlines, the CONTROL_MESSAGE first
   * (FirehoseVpcCniScenarioIT: the control message's event was a malformed_json dead letter in every object).
   */
  @Test
  void firehosesMessagesBackToBackWithAControlMessageGiveTheEventsAndNoDeadLetter() throws Exception {
    String control = "{\"messageType\":\"CONTROL_MESSAGE\",\"owner\":\"CloudwatchLogs\",\"logGroup\":\"\",\"logStream\":\"\","
        + "\"subscriptionFilters\":[],\"logEvents\":[{\"id\":\"\",\"timestamp\":1717236000000,"
        + "\"message\":\"CWL CONTROL MESSAGE: Checking health of destination Firehose.\"}]}";
    String data = "{\"messageType\":\"DATA_MESSAGE\",\"owner\":\"111122223333\",\"logGroup\":\"/aws/eks/prod/cluster\","
        + "\"logStream\":\"kube-apiserver-audit-abc\",\"subscriptionFilters\":[\"f\"],\"logEvents\":["
        + "{\"id\":\"1\",\"timestamp\":1717236003200,\"message\":" + quote(AKS_EVENT) + "}]}";
    CollectingOutput out = parse(control + data + data.replace("\"id\":\"1\"", "\"id\":\"2\""), Framing.WHOLE,
        "payments-eks-audit-1-2026-11-24-09-55-12-4f1c");
    assertThat(out.rejections).isEmpty();
    assertThat(out.events).hasSize(2);
    // the log group names the EKS cluster, the owner its account (a pulled bucket has no collection context)
    for (var e : out.events) {
      assertThat(e.getKubernetes().getCluster()).isEqualTo("prod");
      assertThat(e.getCloud().getAccountUid()).isEqualTo("111122223333");
      assertThat(e.getUnmapped()).containsEntry("cloudwatch.logGroup", "/aws/eks/prod/cluster")
          .containsEntry("cloudwatch.logStream", "kube-apiserver-audit-abc");
    }
    // a message that is not a control message and not an audit Event is still rejected
    CollectingOutput bad = parse(data.replace(quote(AKS_EVENT), "\"CWL is not a prefix here\""), Framing.WHOLE, "x");
    assertThat(bad.rejections).hasSize(1);
  }
}
