package dev.strata.ingest.recognize;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.ingest.TestFiles;
import dev.strata.ingest.context.ContextValues;
import dev.strata.schema.common.Framing;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class RecognizersTest {
  private static final List<ArtifactRecognizer> R = Recognizers.defaults();
  private static final String DOCKER_PATH =
      "var/lib/docker/containers/" + TestFiles.ID_B + "/" + TestFiles.ID_B + "-json.log";
  private static final String CT_PATH =
      "AWSLogs/123456789012/CloudTrail/eu-west-1/2024/05/01/123456789012_CloudTrail_eu-west-1_20240501T1200Z_abc.json.gz";

  static Recognition rec(String path, String content) {
    return Recognizers.recognize(R, path, ContentSample.of(content));
  }

  /**
   * {@code kubectl get pods -A -o json} is a List of Pods (k8s_pod, cut after each item), by content under any name;
   * {@code kubectl get events -A -o json} stays k8s_event (CrioKubeadmScenarioIT: the pods snapshot was skipped).
   */
  @Test
  void kubectlsPodListIsK8sPodAndItsEventListK8sEvent() {
    String pods = "{\n    \"apiVersion\": \"v1\",\n    \"items\": [\n        {\n            \"apiVersion\": \"v1\",\n"
        + "            \"kind\": \"Pod\",\n            \"metadata\": {\"name\": \"a\", \"namespace\": \"n\"},\n"
        + "            \"spec\": {\"nodeName\": \"node-1\"}\n        }\n    ],\n    \"kind\": \"List\"\n}\n";
    for (String path : List.of("kubectl/pods-all-namespaces.json", "snapshot/cluster-state.json")) {
      Recognition r = rec(path, pods);
      assertThat(r.sourceType()).as(path).isEqualTo("k8s_pod");
      assertThat(r.framing()).isEqualTo(Framing.JSON_RECORDS);
    }
    String events = "{\"apiVersion\":\"v1\",\"items\":[{\"apiVersion\":\"v1\",\"kind\":\"Event\",\"involvedObject\":"
        + "{\"kind\":\"Pod\",\"name\":\"a\"},\"reason\":\"Started\"}],\"kind\":\"List\"}\n";
    assertThat(rec("kubectl/events-all-namespaces.json", events).sourceType()).isEqualTo("k8s_event");
  }

  /**
   * {@code kubectl get nodes -o json} is a List of Nodes (k8s_node, cut after each item), by content under any name;
   * a List of Pods stays k8s_pod.
   */
  @Test
  void kubectlsNodeListIsK8sNode() {
    String nodes = "{\n    \"apiVersion\": \"v1\",\n    \"items\": [\n        {\n            \"apiVersion\": \"v1\",\n"
        + "            \"kind\": \"Node\",\n            \"metadata\": {\"name\": \"ip-10-40-3-17\"},\n"
        + "            \"spec\": {\"providerID\": \"aws:///eu-central-1a/i-0a9b8c7d6e5f40312\"}\n        }\n    ],\n"
        + "    \"kind\": \"List\"\n}\n";
    for (String path : List.of("kubectl/nodes.json", "snapshot/cluster-state.json")) {
      Recognition r = rec(path, nodes);
      assertThat(r.sourceType()).as(path).isEqualTo("k8s_node");
      assertThat(r.framing()).isEqualTo(Framing.JSON_RECORDS);
    }
    String pods = nodes.replace("\"Node\"", "\"Pod\"").replace("\"ip-10-40-3-17\"}", "\"a\", \"namespace\": \"n\"}");
    assertThat(rec("kubectl/nodes.json", pods).sourceType()).as("a List of Pods, whatever its name").isEqualTo("k8s_pod");
  }

  /**
   * {@code kubectl get svc -A -o json} is a List of Services (k8s_service, cut after each item), by content under any
   * name; a List of Pods named like services stays k8s_pod.
   */
  @Test
  void kubectlsServiceListIsK8sService() {
    String svcs = "{\n    \"apiVersion\": \"v1\",\n    \"items\": [\n        {\n            \"apiVersion\": \"v1\",\n"
        + "            \"kind\": \"Service\",\n            \"metadata\": {\"name\": \"jupyter\", \"namespace\": \"ml\"},\n"
        + "            \"spec\": {\"ports\": [{\"nodePort\": 30888, \"port\": 8888}], \"selector\": {\"app\": \"jupyter\"},"
        + " \"type\": \"NodePort\"}\n        }\n    ],\n    \"kind\": \"List\"\n}\n";
    for (String path : List.of("kubectl/services-all-namespaces.json", "kubectl/svc.json", "snapshot/cluster-state.json")) {
      Recognition r = rec(path, svcs);
      assertThat(r.sourceType()).as(path).isEqualTo("k8s_service");
      assertThat(r.framing()).isEqualTo(Framing.JSON_RECORDS);
    }
    String pods = svcs.replace("\"Service\"", "\"Pod\"");
    assertThat(rec("kubectl/services.json", pods).sourceType()).as("a List of Pods, whatever its name").isEqualTo("k8s_pod");
  }

  /**
   * {@code aws ec2 describe-instances} and {@code describe-network-interfaces} output (aws_ec2_instances /
   * aws_ec2_network_interfaces, cut between reservations / interfaces) by content under any name; a queried root array
   * of instances too; JSON lines of interfaces are LINES; CloudTrail's RunInstances stays CloudTrail.
   */
  @Test
  void ec2InventoriesByContent() {
    String instances = "{\n    \"Reservations\": [\n        {\n            \"Groups\": [],\n            \"Instances\": [\n"
        + "                {\"AmiLaunchIndex\": 0, \"ImageId\": \"ami-1\", \"InstanceId\": \"i-0f1e\", \"LaunchTime\":"
        + " \"2026-11-24T06:40:11+00:00\"}\n            ],\n            \"OwnerId\": \"577215664901\",\n"
        + "            \"ReservationId\": \"r-0a1b\"\n        }\n    ]\n}\n";
    for (String path : List.of("aws/describe-instances.json", "case-42/inventory.json")) {
      Recognition r = rec(path, instances);
      assertThat(r.sourceType()).as(path).isEqualTo("aws_ec2_instances");
      assertThat(r.framing()).isEqualTo(Framing.JSON_RECORDS);
    }
    Recognition queried = rec("x/out.json", "[\n    {\"InstanceId\": \"i-0f1e\", \"InstanceType\": \"m6i.large\"}\n]\n");
    assertThat(queried.sourceType()).isEqualTo("aws_ec2_instances");
    String enis = "{\n    \"NetworkInterfaces\": [\n        {\n            \"Attachment\": {\"DeviceIndex\": 0},\n"
        + "            \"InterfaceType\": \"interface\",\n            \"NetworkInterfaceId\": \"eni-0a1b\"\n        }\n    ]\n}\n";
    Recognition r = rec("aws/describe-network-interfaces.json", enis);
    assertThat(r.sourceType()).isEqualTo("aws_ec2_network_interfaces");
    assertThat(r.framing()).isEqualTo(Framing.JSON_RECORDS);
    Recognition lines = rec("x/enis.jsonl", "{\"NetworkInterfaceId\":\"eni-1\",\"InterfaceType\":\"branch\"}\n"
        + "{\"NetworkInterfaceId\":\"eni-2\",\"InterfaceType\":\"trunk\"}\n");
    assertThat(lines.sourceType()).isEqualTo("aws_ec2_network_interfaces");
    assertThat(lines.framing()).isEqualTo(Framing.LINES);
    String runInstances = "{\"Records\":[{\"eventVersion\":\"1.09\",\"eventTime\":\"2026-11-24T06:40:11Z\","
        + "\"eventSource\":\"ec2.amazonaws.com\",\"eventName\":\"RunInstances\",\"awsRegion\":\"us-west-2\","
        + "\"responseElements\":{\"instancesSet\":{\"items\":[{\"instanceId\":\"i-1\"}]}}}]}";
    assertThat(rec("x/describe-instances.json", runInstances).sourceType()).isEqualTo("aws_cloudtrail");
  }

  /** AWS "Delivery of Insights events": a trail's Insights events go to its CloudTrail-Insight folder. */
  @Test
  void cloudTrailInsightsLogFiles() {
    String insight = "{\"Records\":[{\"eventVersion\":\"1.08\",\"eventTime\":\"2026-11-20T10:00:00Z\","
        + "\"awsRegion\":\"us-east-1\",\"eventID\":\"e1\",\"eventType\":\"AwsCloudTrailInsight\","
        + "\"recipientAccountId\":\"111122223333\",\"sharedEventID\":\"s1\",\"insightDetails\":{\"state\":\"Start\","
        + "\"eventSource\":\"ec2.amazonaws.com\",\"eventName\":\"RunInstances\",\"insightType\":\"ApiCallRateInsight\"},"
        + "\"eventCategory\":\"Insight\"}]}";
    Recognition r = rec("b/AWSLogs/111122223333/CloudTrail-Insight/us-east-1/2026/11/20/"
        + "111122223333_CloudTrail-Insight_us-east-1_20261120T1000Z_abc.json.gz", insight);
    assertThat(r.sourceType()).isEqualTo("aws_cloudtrail");
    assertThat(r.framing()).isEqualTo(Framing.JSON_RECORDS);
    assertThat(r.pathHints()).isEqualTo(new ContextValues(null, null, "aws", "111122223333", "us-east-1"));
    assertThat(rec("x/insights.json", insight).sourceType()).as("by content alone").isEqualTo("aws_cloudtrail");
  }

  @Test
  void dockerByPathAndContent() {
    Recognition r = rec(DOCKER_PATH, TestFiles.dockerLine(1) + TestFiles.dockerLine(2));
    assertThat(r.sourceType()).isEqualTo("docker_json_log");
    assertThat(r.framing()).isEqualTo(Framing.LINES);
    assertThat(r.warnings()).isEmpty();
    for (String rotated : List.of(".1", ".2", ".1.gz", ".gz")) {
      assertThat(new DockerJsonLogRecognizer().matchPath(DOCKER_PATH + rotated)).isPresent();
    }
    assertThat(new DockerJsonLogRecognizer().matchPath("containers/abc/abc-json.log")).isEmpty();
  }

  @Test
  void dockerLogWithAPlainNameIsRecognizedByContent() {
    assertThat(rec("evidence/app.txt", TestFiles.dockerLine(1)).sourceType()).isEqualTo("docker_json_log");
  }

  @Test
  void dockerFirstLineLongerThanTheSampleNeedsThePath() {
    byte[] b = ("{\"log\":\"" + "a".repeat(70_000)).getBytes();
    ContentSample s = new ContentSample(java.util.Arrays.copyOf(b, ContentSample.SIZE), false, false);
    assertThat(Recognizers.recognize(R, DOCKER_PATH, s).sourceType()).isEqualTo("docker_json_log");
    assertThat(Recognizers.recognize(R, "x/plain.log", s).recognized()).isFalse();
  }

  @Test
  void k8sAuditByContentAndPaths() {
    Recognition r = rec("var/log/kubernetes/audit/audit.log", TestFiles.auditLine(1));
    assertThat(r.sourceType()).isEqualTo("k8s_audit");
    assertThat(r.framing()).isEqualTo(Framing.LINES);
    K8sAuditRecognizer k = new K8sAuditRecognizer();
    assertThat(k.matchPath("var/log/kube-apiserver-audit.log.1")).isPresent();
    assertThat(k.matchPath("var/log/audit/audit-2024-05-01.log.gz")).isPresent();
    assertThat(k.matchPath("var/log/syslog")).isEmpty();
    // auditID + stage + verb, without kind
    assertThat(rec("x.json", "{\"auditID\":\"1\",\"stage\":\"ResponseComplete\",\"verb\":\"get\"}\n").sourceType())
        .isEqualTo("k8s_audit");
  }

  @Test
  void eksCloudWatchExportLinesAreK8sAudit() {
    String inner = TestFiles.auditLine(1).strip().replace("\"", "\\\"");
    String line = "{\"timestamp\":1714564800000,\"message\":\"" + inner + "\",\"logStreamName\":\"kube-apiserver-audit-1\"}\n";
    assertThat(rec("export/eks.jsonl", line).sourceType()).isEqualTo("k8s_audit");
  }

  /**
   * {@code aws logs filter-log-events} output (pretty-printed, as the CLI prints it) whose messages are long audit
   * events full of escaped quotes: the flow log recognizer's probe of the first message used to overflow the stack on
   * it (a repeated regex alternation), which stopped the whole collection (kubelet scenario).
   */
  @Test
  void filterLogEventsOutputWithLongAuditMessagesIsK8sAudit() {
    String inner = TestFiles.auditLine(1).strip();
    inner = inner.substring(0, inner.length() - 1) + ",\"requestObject\":{\"pad\":\"" + "x\\\"y ".repeat(1500) + "\"}}";
    String doc = "{\n    \"events\": [\n        {\n            \"logStreamName\": \"kube-apiserver-audit-1\",\n"
        + "            \"timestamp\": 1714564800000,\n            \"message\": \""
        + inner.replace("\\", "\\\\").replace("\"", "\\\"") + "\",\n            \"ingestionTime\": 1714564801000,\n"
        + "            \"eventId\": \"1\"\n        }\n    ],\n    \"searchedLogStreams\": []\n}\n";
    assertThat(doc.length()).isGreaterThan(8000);
    assertThat(rec("cloudwatch/filter-log-events.json", doc).sourceType()).isEqualTo("k8s_audit");
  }

  @Test
  void cloudWatchExportToS3ObjectsOfCloudTrailAndEksAudit() {
    // AWS "Exporting log data to Amazon S3": <prefix>/<task id>/<log stream>/000000.gz, "<timestamp> <message>" lines
    String ct = "{\"eventVersion\":\"1.09\",\"eventTime\":\"2024-05-01T10:15:00Z\",\"eventSource\":"
        + "\"s3.amazonaws.com\",\"eventName\":\"GetObject\",\"awsRegion\":\"eu-west-1\"}";
    Recognition r = rec("exports/3f2a-task/123456789012_CloudTrail_eu-west-1/000000.gz",
        "2024-05-01T10:15:00.123Z " + ct + "\n2024-05-01T10:15:01.000Z " + ct + "\n");
    assertThat(r.sourceType()).isEqualTo("aws_cloudtrail");
    assertThat(r.framing()).isEqualTo(Framing.LINES);
    assertThat(r.pathHints()).isEqualTo(new ContextValues(null, null, "aws", "123456789012", "eu-west-1"));
    assertThat(rec("x/plain-name", "2024-05-01T10:15:00.123Z " + ct + "\n").sourceType()).isEqualTo("aws_cloudtrail");

    Recognition audit = rec("exports/9c1d-task/kube-apiserver-audit-0a1b2c3d/000000.gz",
        "2024-05-01T10:15:00.123Z " + TestFiles.auditLine(1).strip() + "\n");
    assertThat(audit.sourceType()).isEqualTo("k8s_audit");
    assertThat(audit.framing()).isEqualTo(Framing.LINES);
    // a timestamp before something else is not either
    assertThat(rec("x/other", "2024-05-01T10:15:00.123Z {\"a\":1}\n").recognized()).isFalse();
  }

  /** Fluent Bit on EKS Fargate ships the pods' lines to CloudWatch Logs; an export task writes them to S3. */
  @Test
  void cloudWatchExportOfFluentBitsRecordsIsAContainerLog() {
    String rec = "{\"log\":\"GET / 200\",\"stream\":\"stdout\",\"logtag\":\"F\",\"time\":\"2026-11-23T09:05:12.301Z\","
        + "\"kubernetes\":{\"pod_name\":\"web-1\",\"namespace_name\":\"shop\",\"host\":\"fargate-ip-10-0-1-5.ec2.internal\"}}";
    Recognition r = rec("exports/0c3b-task/from-fluent-bit-kube.var.log.containers.web-1_shop_web-0a1b.log/000000.gz",
        "2026-11-23T09:05:12.301Z " + rec + "\n");
    assertThat(r.sourceType()).isEqualTo("docker_json_log");
    assertThat(r.framing()).isEqualTo(Framing.LINES);
    // a record without log + stream/time is not one
    assertThat(rec("x/y/000000.gz", "2026-11-23T09:05:12.301Z {\"log\":\"x\"}\n").recognized()).isFalse();
  }

  @Test
  void managedClustersAuditEnvelopesAreK8sAuditByContent() {
    String gke = "{\"protoPayload\":{\"@type\":\"type.googleapis.com/google.cloud.audit.AuditLog\",\"serviceName\":\"k8s.io\","
        + "\"methodName\":\"io.k8s.core.v1.pods.exec.create\",\"resourceName\":\"core/v1/namespaces/a/pods/p/exec\"},"
        + "\"resource\":{\"type\":\"k8s_cluster\",\"labels\":{\"cluster_name\":\"c\"}},\"timestamp\":\"2024-05-12T05:13:08Z\"}";
    Recognition lines = rec("bucket/cloudaudit.googleapis.com/activity/2024/05/12/05:00:00_05:59:59_S0.json", gke + "\n" + gke + "\n");
    assertThat(lines.sourceType()).isEqualTo("k8s_audit");
    assertThat(lines.framing()).isEqualTo(Framing.LINES);
    Recognition array = rec("gcloud-read.json", "[\n  " + gke + ",\n  " + gke + "\n]\n");
    assertThat(array.sourceType()).isEqualTo("k8s_audit");
    assertThat(array.framing()).isEqualTo(Framing.JSON_RECORDS);
    // another service's Cloud Audit Log is not Kubernetes
    String iam = gke.replace("k8s.io", "iam.googleapis.com").replace("k8s_cluster", "service_account")
        .replace("io.k8s.core.v1.pods.exec.create", "google.iam.admin.v1.CreateServiceAccountKey");
    assertThat(rec("bucket/cloudaudit.googleapis.com/activity/x.json", iam + "\n").sourceType()).isNotEqualTo("k8s_audit");

    String event = TestFiles.auditLine(1).strip().replace("\\", "\\\\").replace("\"", "\\\"");
    String aks = "{\"category\":\"kube-audit\",\"operationName\":\"Microsoft.ContainerService/managedClusters/diagnosticLogs/Read\","
        + "\"properties\":{\"log\":\"" + event + "\",\"pod\":\"kube-apiserver-1\",\"stream\":\"stdout\"},"
        + "\"resourceId\":\"/SUBSCRIPTIONS/S/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.CONTAINERSERVICE/MANAGEDCLUSTERS/AKS\","
        + "\"time\":\"2024-06-01T10:00:03.2000000Z\"}";
    Recognition pt1h = rec("insights-logs-kube-audit/resourceId=/SUBSCRIPTIONS/S/y=2024/m=06/d=01/h=10/m=00/PT1H.json", aks + "\n");
    assertThat(pt1h.sourceType()).isEqualTo("k8s_audit");
    assertThat(pt1h.framing()).isEqualTo(Framing.LINES);
    Recognition hub = rec("eventhub/0.json", "{\"records\":[" + aks + "," + aks + "]}");
    assertThat(hub.sourceType()).isEqualTo("k8s_audit");
    assertThat(hub.framing()).isEqualTo(Framing.WHOLE);
    Recognition firehose = rec("firehose/x", "{\"messageType\":\"DATA_MESSAGE\",\"logGroup\":\"/aws/eks/c/cluster\",\"logEvents\":["
        + "{\"id\":\"1\",\"timestamp\":1717236003200,\"message\":\"" + event + "\"}]}");
    assertThat(firehose.sourceType()).isEqualTo("k8s_audit");
    // cut between subscription messages (JsonValuesBoundaryScanner): a Firehose object holds many, back to back
    assertThat(firehose.framing()).isEqualTo(Framing.LINES);
  }

  /**
   * What a CloudWatch Logs subscription to Firehose writes to S3: the messages back to back (no newline), a
   * CONTROL_MESSAGE first, no suffix on the key (FirehoseVpcCniScenarioIT: both objects were skipped, not_recognized).
   */
  @Test
  void firehoseObjectsOfSubscriptionMessagesAreTheirLogsFormat() {
    String control = "{\"messageType\":\"CONTROL_MESSAGE\",\"owner\":\"CloudwatchLogs\",\"logGroup\":\"\",\"logStream\":\"\","
        + "\"subscriptionFilters\":[],\"logEvents\":[{\"id\":\"\",\"timestamp\":1717236000000,"
        + "\"message\":\"CWL CONTROL MESSAGE: Checking health of destination Firehose.\"}]}";
    String event = TestFiles.auditLine(1).strip().replace("\\", "\\\\").replace("\"", "\\\"");
    String audit = "{\"messageType\":\"DATA_MESSAGE\",\"owner\":\"111122223333\",\"logGroup\":\"/aws/eks/c/cluster\","
        + "\"logStream\":\"kube-apiserver-audit-1\",\"subscriptionFilters\":[\"f\"],\"logEvents\":["
        + "{\"id\":\"1\",\"timestamp\":1717236003200,\"message\":\"" + event + "\"}]}";
    Recognition a = rec("firehose/eks-audit/2024/06/01/10/audit-1-2024-06-01-10-00-00-4f1c", control + audit + audit);
    assertThat(a.sourceType()).as(a.detail()).isEqualTo("k8s_audit");
    assertThat(a.framing()).isEqualTo(Framing.LINES);
    assertThat(Recognizers.boundaryScanner(R, a)).isInstanceOf(dev.strata.ingest.chunk.JsonValuesBoundaryScanner.class);
    String flows = "{\"messageType\":\"DATA_MESSAGE\",\"owner\":\"111122223333\",\"logGroup\":\"/vpc/flowlogs\","
        + "\"logStream\":\"eni-0a1b2c3d4e5f60718-all\",\"subscriptionFilters\":[\"f\"],\"logEvents\":["
        + "{\"id\":\"1\",\"timestamp\":1717236003000,\"message\":\"2 111122223333 eni-0a1b2c3d4e5f60718 10.0.1.5 "
        + "10.0.2.9 43210 5432 6 10 840 1717236003 1717236063 ACCEPT OK\"}]}";
    Recognition f = rec("firehose/vpc-flow/2024/06/01/10/flow-1-2024-06-01-10-00-00-7b2d", control + flows + flows);
    assertThat(f.sourceType()).as(f.detail()).isEqualTo("aws_vpc_flow");
    assertThat(f.framing()).isEqualTo(Framing.LINES);
    assertThat(Recognizers.boundaryScanner(R, f)).isInstanceOf(dev.strata.ingest.chunk.JsonValuesBoundaryScanner.class);
    // CloudTrail's log group subscribed the same way
    String ct = TestFiles.cloudTrailFile(1, 1);
    String record = ct.substring(ct.indexOf('[') + 1, ct.lastIndexOf(']')).strip();
    String trail = "{\"messageType\":\"DATA_MESSAGE\",\"owner\":\"111122223333\",\"logGroup\":\"aws-cloudtrail-logs\","
        + "\"logStream\":\"111122223333_CloudTrail_us-east-1\",\"subscriptionFilters\":[\"f\"],\"logEvents\":["
        + "{\"id\":\"1\",\"timestamp\":1717236003000,\"message\":\"" + record.replace("\\", "\\\\").replace("\"", "\\\"") + "\"}]}";
    Recognition t = rec("firehose/trail/2024/06/01/10/trail-1-2024-06-01-10-00-00-9c1e", control + trail);
    assertThat(t.sourceType()).as(t.detail()).isEqualTo("aws_cloudtrail");
    assertThat(Recognizers.boundaryScanner(R, t)).isInstanceOf(dev.strata.ingest.chunk.JsonValuesBoundaryScanner.class);
    // one message per line (Firehose's newline delimiter on): the same
    Recognition lines = rec("firehose/vpc-flow/x", control + "\n" + flows + "\n");
    assertThat(lines.framing()).isEqualTo(Framing.LINES);
    assertThat(Recognizers.boundaryScanner(R, lines)).isInstanceOf(dev.strata.ingest.chunk.JsonValuesBoundaryScanner.class);
  }

  /** The VPC CNI's node logs (FirehoseVpcCniScenarioIT: both files were skipped, not_recognized). */
  @Test
  void theVpcCnisPluginAndIpamdLogsAreAwsVpcCni() {
    String plugin = "{\"level\":\"info\",\"ts\":\"2026-11-24T08:55:12.402Z\",\"caller\":\"routed-eni-cni-plugin/cni.go:128\","
        + "\"msg\":\"Constructed new logger instance\"}\n";
    Recognition p = rec("nodes/n1/var/log/aws-routed-eni/plugin.log", plugin);
    assertThat(p.sourceType()).as(p.detail()).isEqualTo("aws_vpc_cni");
    assertThat(p.framing()).isEqualTo(Framing.LINES);
    String ipamd = "{\"level\":\"info\",\"ts\":\"2026-11-24T08:55:12.404Z\",\"caller\":\"datastore/data_store.go:714\","
        + "\"msg\":\"AssignPodIPv4Address: Assign IP 10.93.12.77 to sandbox aws-cni/5e1d/eth0\"}\n";
    assertThat(rec("eks_i-0f1e/ipamd/ipamd.txt", ipamd).sourceType()).isEqualTo("aws_vpc_cni"); // by content alone
    // another program's zap lines elsewhere are not the CNI's
    String other = "{\"level\":\"info\",\"ts\":\"2026-11-24T08:55:12Z\",\"caller\":\"server/main.go:12\",\"msg\":\"listening\"}\n";
    assertThat(rec("app/server.log", other).sourceType()).isNotEqualTo("aws_vpc_cni");
    assertThat(rec("var/log/aws-routed-eni/ipamd-2026-11-24T08-00-00.000.log", other).sourceType()).isEqualTo("aws_vpc_cni");
  }

  @Test
  void linuxAuditdAtAnAuditPathIsReportedWithBothFacts() {
    Recognition r = rec("var/log/audit/audit.log", "type=SYSCALL msg=audit(1714564800.123:42): arch=c000003e\n");
    assertThat(r.recognized()).isFalse();
    assertThat(r.detail()).contains("path matches k8s_audit but content does not", "not a JSON object");
  }

  @Test
  void cloudTrailByPathWithContextHints() {
    Recognition r = rec(CT_PATH, TestFiles.cloudTrailFile(3, 10));
    assertThat(r.sourceType()).isEqualTo("aws_cloudtrail");
    assertThat(r.framing()).isEqualTo(Framing.JSON_RECORDS);
    assertThat(r.pathHints()).isEqualTo(new ContextValues(null, null, "aws", "123456789012", "eu-west-1"));
    Recognition org = rec("bucket/AWSLogs/o-abcd123456/210987654321/CloudTrail/us-east-2/2024/05/01/f.json",
        TestFiles.cloudTrailFile(1, 1));
    assertThat(org.pathHints()).isEqualTo(new ContextValues(null, null, "aws", "210987654321", "us-east-2"));
  }

  @Test
  void cloudTrailWithAWrongNameIsRecognizedByContentWithoutPathHints() {
    Recognition r = rec("downloads/notes.txt", TestFiles.cloudTrailFile(2, 10));
    assertThat(r.sourceType()).isEqualTo("aws_cloudtrail");
    assertThat(r.pathHints()).isEqualTo(ContextValues.EMPTY);
  }

  @Test
  void contentWinsOverAMisleadingName() {
    Recognition r = rec(DOCKER_PATH, TestFiles.cloudTrailFile(2, 10));
    assertThat(r.sourceType()).isEqualTo("aws_cloudtrail");
    assertThat(r.warnings()).singleElement().asString().contains("path looks like docker_json_log");
  }

  @Test
  void cloudTrailArrayAndJsonLinesForms() {
    String rec = TestFiles.cloudTrailRecord(1, "p");
    assertThat(rec("a.json", "[\n  " + rec + ",\n  " + rec + "\n]").framing()).isEqualTo(Framing.JSON_RECORDS);
    assertThat(rec("a.jsonl", rec + "\n" + rec + "\n").framing()).isEqualTo(Framing.LINES);
    // several {"Records":[...]} documents, one per line
    String doc = TestFiles.cloudTrailFile(2, 1).replace("\n", "");
    assertThat(rec("a.json", doc + "\n" + doc + "\n").framing()).isEqualTo(Framing.LINES);
    // a pretty-printed Records document is one document
    assertThat(rec("a.json", "{\n \"Records\": [\n" + rec + "\n]\n}\n").framing()).isEqualTo(Framing.JSON_RECORDS);
    // lookup-events output
    assertThat(rec("a.jsonl", "{\"EventId\":\"1\",\"EventName\":\"X\",\"CloudTrailEvent\":\"{}\"}\n").sourceType())
        .isEqualTo("aws_cloudtrail");
    // empty Records: only with the standard path
    assertThat(rec(CT_PATH, "{\"Records\":[]}").sourceType()).isEqualTo("aws_cloudtrail");
    assertThat(rec("x.json", "{\"Records\":[]}").recognized()).isFalse();
  }

  @Test
  void cloudTrailLongerThanTheSample() {
    byte[] b = TestFiles.cloudTrailFile(1000, 400).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    ContentSample s = new ContentSample(java.util.Arrays.copyOf(b, ContentSample.SIZE), false, false);
    Recognition r = Recognizers.recognize(R, "x/dump.txt", s);
    assertThat(r.sourceType()).isEqualTo("aws_cloudtrail");
    assertThat(r.framing()).isEqualTo(Framing.JSON_RECORDS);
  }

  private static final String CRI_POD_PATH =
      "var/log/pods/prod_web-1_5a8c2f3e-1b7d-4c9a-9e2f-0d1c2b3a4f5e/nginx/0.log";

  @Test
  void criLogByPathAndContent() {
    String lines = "2024-05-01T12:00:00.000000001Z stdout P part\n2024-05-01T12:00:00.000000002Z stdout F rest\n";
    Recognition r = rec(CRI_POD_PATH, lines);
    assertThat(r.sourceType()).isEqualTo("cri_log");
    assertThat(r.framing()).isEqualTo(Framing.LINES);
    assertThat(r.warnings()).isEmpty();
    assertThat(r.detail()).contains("standard path");
    CriLogRecognizer c = new CriLogRecognizer();
    for (String p : List.of(CRI_POD_PATH + ".20240501-120000", CRI_POD_PATH + ".20240501-120000.gz",
        "nodes/n1/var/log/containers/web-1_prod_nginx-" + TestFiles.ID_B + ".log")) {
      assertThat(c.matchPath(p)).as(p).isPresent();
    }
    assertThat(c.matchPath("var/log/pods/web-1/nginx/0.log")).isEmpty();
    assertThat(c.matchPath("var/log/syslog")).isEmpty();
    // by content alone, with offsets, extra tags and a first line longer than the sample
    assertThat(rec("export/app.txt", "2024-05-01T14:00:00+02:00 stderr F:x oops\n").sourceType()).isEqualTo("cri_log");
    byte[] b = ("2024-05-01T12:00:00Z stdout P " + "a".repeat(70_000)).getBytes();
    ContentSample s = new ContentSample(java.util.Arrays.copyOf(b, ContentSample.SIZE), false, false);
    assertThat(Recognizers.recognize(R, "x/plain.log", s).sourceType()).isEqualTo("cri_log");
  }

  @Test
  void criPathWithOtherContentSaysWhy() {
    Recognition r = rec(CRI_POD_PATH, "2024-05-01 12:00:00 INFO started\n");
    assertThat(r.recognized()).isFalse();
    assertThat(r.detail()).contains("path matches cri_log but content does not");
    // a docker json-file log under the pods path (dockershim) is docker by content
    Recognition d = rec(CRI_POD_PATH, TestFiles.dockerLine(1));
    assertThat(d.sourceType()).isEqualTo("docker_json_log");
    assertThat(d.warnings()).singleElement().asString().contains("path looks like cri_log");
    assertThat(rec("x.log", "2024-05-01T12:00:00Z stdin F x\n").recognized()).isFalse();
    assertThat(rec("x.log", "2024-05-01T12:00:00Z stdout X x\n").recognized()).isFalse();
  }

  @Test
  void dockerContainerConfigAndHostconfig() {
    String id = "a".repeat(64);
    String dir = "var/lib/docker/containers/" + id + "/";
    String config = "{\"State\":{\"Pid\":1},\"ID\":\"" + id + "\",\"Created\":\"2024-01-01T00:00:00Z\","
        + "\"Config\":{\"Image\":\"busybox\"}}";
    for (String name : List.of("config.v2.json", "config.json")) {
      Recognition r = rec(dir + name, config);
      assertThat(r.sourceType()).isEqualTo("docker_container_config");
      assertThat(r.framing()).isEqualTo(Framing.WHOLE);
    }
    assertThat(rec("evidence/e7d0b7ea5ccf_config.json", config).sourceType()).isEqualTo("docker_container_config");
    String host = "{\"Binds\":[\"/var/run/docker.sock:/var/run/docker.sock\"],\"NetworkMode\":\"host\","
        + "\"Privileged\":true}";
    assertThat(rec(dir + "hostconfig.json", host).sourceType()).isEqualTo("docker_container_config");
    assertThat(rec("x/hostconfig.json", host).sourceType()).isEqualTo("docker_container_config");
    // fewer hostconfig keys: only at the standard path
    String partial = "{\"CapAdd\":null,\"PidMode\":\"\",\"IpcMode\":\"\"}";
    assertThat(rec(dir + "hostconfig.json", partial).sourceType()).isEqualTo("docker_container_config");
    assertThat(rec("x/hostconfig.json", partial).recognized()).isFalse();
    // an ID that is not a container id, or other JSON at the path
    assertThat(rec("x/c.json", config.replace(id, "abc")).recognized()).isFalse();
    Recognition other = rec(dir + "config.v2.json", "{\"name\":\"x\"}");
    assertThat(other.recognized()).isFalse();
    assertThat(other.detail()).contains("docker_container_config");
    assertThat(new DockerContainerConfigRecognizer().matchPath("containers/abc/config.v2.json")).isEmpty();
    assertThat(new DockerContainerConfigRecognizer().matchPath(dir + "resolv.conf")).isEmpty();
  }

  @Test
  void unrelatedJsonAndTextAreNotRecognized() {
    assertThat(rec("config.json", "{\"name\":\"x\",\"items\":[1,2]}").recognized()).isFalse();
    assertThat(rec("notes.txt", "hello world\n").detail()).isEqualTo("no recognizer matched the content or path");
    assertThat(rec("a", "").recognized()).isFalse();
  }

  /** The shared corpus (real samples): every file of the three formats is recognized with the right framing. */
  @Test
  void realCorpusSamples() throws IOException {
    Path corpus = Path.of(System.getProperty("strata.shared.dir", "../../shared"), "corpus");
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(corpus), "no shared corpus");
    assertFormat(corpus.resolve("cloudtrail/stratus-red-team"), "aws_cloudtrail", Framing.JSON_RECORDS);
    assertFormat(corpus.resolve("cloudtrail/falco"), "aws_cloudtrail", Framing.JSON_RECORDS);
    assertFormat(corpus.resolve("cloudtrail/plaso"), "aws_cloudtrail", Framing.LINES);
    assertFormat(corpus.resolve("k8s-audit/falco-trace-files"), "k8s_audit", Framing.LINES);
    try (Stream<Path> s = Files.walk(corpus.resolve("docker/docker-explorer"))) {
      for (Path p : s.filter(p -> p.toString().endsWith("-json.log")).filter(p -> p.toFile().length() > 0).toList()) {
        assertThat(sample(corpus, p).sourceType()).as(p.toString()).isEqualTo("docker_json_log");
      }
    }
    assertThat(sample(corpus, corpus.resolve("docker/plaso/e7d0b7ea5ccf_container-json.log")).sourceType())
        .isEqualTo("docker_json_log");
    try (Stream<Path> s = Files.walk(corpus.resolve("docker"))) {
      List<Path> configs = s.filter(p -> p.getFileName().toString().matches("(.*_)?(config\\.v2|config|hostconfig)\\.json"))
          .toList();
      assertThat(configs).hasSizeGreaterThanOrEqualTo(13);
      for (Path p : configs) {
        Recognition r = sample(corpus, p);
        assertThat(r.sourceType()).as(p.toString()).isEqualTo("docker_container_config");
        assertThat(r.framing()).as(p.toString()).isEqualTo(Framing.WHOLE);
      }
    }
    Recognition cri = sample(corpus, corpus.resolve("cri/plaso_cri.log"));
    assertThat(cri.sourceType()).isEqualTo("cri_log");
    assertThat(cri.framing()).isEqualTo(Framing.LINES);
  }

  private static void assertFormat(Path dir, String type, Framing framing) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      List<Path> files = s.filter(Files::isRegularFile).toList();
      assertThat(files).isNotEmpty();
      for (Path p : files) {
        Recognition r = sample(dir, p);
        assertThat(r.sourceType()).as(p.toString()).isEqualTo(type);
        assertThat(r.framing()).as(p.toString()).isEqualTo(framing);
      }
    }
  }

  private static Recognition sample(Path base, Path p) throws IOException {
    byte[] b = Files.readAllBytes(p);
    boolean complete = b.length <= ContentSample.SIZE;
    ContentSample s = new ContentSample(complete ? b : java.util.Arrays.copyOf(b, ContentSample.SIZE), complete, false);
    return Recognizers.recognize(R, base.relativize(p).toString(), s);
  }
}
