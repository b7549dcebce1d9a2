package dev.strata.parse.formats.k8saudit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.parse.EvidenceParser;
import dev.strata.parse.OcsfClass;
import dev.strata.parse.ParserContractTest;
import dev.strata.parse.testing.CollectingOutput;
import dev.strata.schema.common.Framing;
import dev.strata.schema.event.EvidenceEvent;
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

  @Test
  void podStatusPatchAndCreateCarryPodFacts() throws Exception {
    String status = "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"level\":\"RequestResponse\","
        + "\"auditID\":\"a1\",\"stage\":\"ResponseComplete\",\"verb\":\"patch\","
        + "\"user\":{\"username\":\"system:node:ip-10-0-1-12\"},"
        + "\"objectRef\":{\"resource\":\"pods\",\"namespace\":\"shop\",\"name\":\"web-1\",\"apiVersion\":\"v1\","
        + "\"subresource\":\"status\"},\"responseStatus\":{\"code\":200},"
        + "\"requestObject\":{\"status\":{\"podIP\":\"10.0.1.57\",\"podIPs\":[{\"ip\":\"10.0.1.57\"},{\"ip\":\"fd00::5\"}],"
        + "\"hostIP\":\"10.0.1.12\",\"phase\":\"Running\"}},"
        + "\"responseObject\":{\"kind\":\"Pod\",\"metadata\":{\"name\":\"web-1\",\"namespace\":\"shop\",\"uid\":\"u-1\"},"
        + "\"spec\":{\"nodeName\":\"ip-10-0-1-12\",\"serviceAccountName\":\"web\",\"hostNetwork\":false,"
        + "\"containers\":[{\"name\":\"c\",\"securityContext\":{\"privileged\":true}}],"
        + "\"volumes\":[{\"name\":\"sock\",\"hostPath\":{\"path\":\"/var/run/docker.sock\"}}]},"
        + "\"status\":{\"podIP\":\"10.0.1.57\"}},"
        + "\"stageTimestamp\":\"2024-05-01T10:00:00.000001Z\"}\n";
    String binding = "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"level\":\"Request\","
        + "\"auditID\":\"a2\",\"stage\":\"ResponseComplete\",\"verb\":\"create\","
        + "\"user\":{\"username\":\"system:kube-scheduler\"},"
        + "\"objectRef\":{\"resource\":\"pods\",\"namespace\":\"shop\",\"name\":\"web-2\",\"apiVersion\":\"v1\","
        + "\"subresource\":\"binding\"},\"responseStatus\":{\"code\":201},"
        + "\"requestObject\":{\"kind\":\"Binding\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"web-2\",\"uid\":\"u-2\"},"
        + "\"target\":{\"kind\":\"Node\",\"name\":\"ip-10-0-2-7\"}},"
        + "\"stageTimestamp\":\"2024-05-01T10:00:01Z\"}\n";
    CollectingOutput out = parse(status + binding + "{\"kind\":\"Event\",\"requestObject\":{\"kind\":\"Pod\"", Framing.LINES, "audit.log");
    assertThat(out.events).hasSize(2);
    var k = out.events.get(0).getKubernetes();
    assertThat(k.getPodUid()).isEqualTo("u-1");
    assertThat(k.getPodIp()).isEqualTo("10.0.1.57");
    assertThat(k.getHostIp()).isEqualTo("10.0.1.12");
    assertThat(k.getNodeName()).isEqualTo("ip-10-0-1-12");
    assertThat(k.getServiceAccount()).isEqualTo("shop/web");
    assertThat(out.events.get(0).getUnmapped())
        .containsEntry("k8s.pod.ips", "10.0.1.57,fd00::5")
        .containsEntry("k8s.pod.phase", "Running")
        .containsEntry("strata.risk", "privileged,host_path,sensitive_host_path")
        .containsEntry("k8s.pod.host_paths", "/var/run/docker.sock");
    var b = out.events.get(1).getKubernetes();
    assertThat(b.getPodName()).isEqualTo("web-2");
    assertThat(b.getNodeName()).isEqualTo("ip-10-0-2-7");
    assertThat(b.getPodUid()).isNull(); // a Binding's uid is the pod's only by convention: not claimed
    assertThat(out.rejections).hasSize(1);
  }

  /**
   * Pod facts are read while the objects stream by, but reported in one fixed order whatever the field order of the
   * object: pod-level flags, then initContainers, containers, ephemeralContainers, then host paths; the response
   * wins over the request, and a non-Pod kind states nothing.
   */
  @Test
  void podFactsKeepTheirOrderWhateverTheFieldOrder() throws Exception {
    String pod = "{\"spec\":{\"volumes\":[{\"name\":\"r\",\"hostPath\":{\"path\":\"/\"}},{\"name\":\"d\"},"
        + "{\"hostPath\":{\"path\":\"/data\"}}],"
        + "\"containers\":[{\"securityContext\":{\"capabilities\":{\"add\":[\"net_admin\",\"CHOWN\"]},"
        + "\"runAsUser\":0}},{\"securityContext\":{\"allowPrivilegeEscalation\":\"true\"}}],"
        + "\"initContainers\":[{\"securityContext\":{\"privileged\":true}}],\"hostPID\":true,"
        + "\"hostNetwork\":1,\"serviceAccount\":\"legacy\",\"nodeName\":\"n1\"},"
        + "\"metadata\":{\"uid\":\"u-9\",\"namespace\":\"prod\",\"name\":\"p-9\"},\"kind\":\"Pod\","
        + "\"status\":{\"podIPs\":[{\"ip\":\"fd00::9\"},{\"ip\":\"10.1.1.9\"}],\"podIP\":\"10.1.1.9\"}}";
    String configMap = "{\"data\":{\"k\":\"v\"},\"metadata\":{\"name\":\"cm\",\"uid\":\"u-cm\"},\"kind\":\"ConfigMap\"}";
    String line = "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"auditID\":\"a9\",\"stage\":\"ResponseComplete\","
        + "\"verb\":\"create\",\"objectRef\":{\"resource\":\"pods\",\"namespace\":\"prod\"},"
        + "\"requestObject\":" + configMap + ",\"responseObject\":" + pod
        + ",\"stageTimestamp\":\"2024-05-01T10:00:00Z\"}\n";
    CollectingOutput out = parse(line, Framing.LINES, "audit.log");
    assertThat(out.events).hasSize(1);
    EvidenceEvent e = out.events.get(0);
    assertThat(e.getUnmapped())
        .containsEntry("strata.risk",
            "host_network,host_pid,privileged,run_as_root,cap_net_admin,allow_privilege_escalation,host_path,"
                + "sensitive_host_path")
        .containsEntry("k8s.pod.host_paths", "/,/data")
        .containsEntry("k8s.pod.ips", "fd00::9,10.1.1.9")
        .containsEntry("strata.name_from", "responseObject")
        .containsEntry("responseObject", pod)
        .containsEntry("requestObject", configMap);
    var k = e.getKubernetes();
    assertThat(k.getPodName()).isEqualTo("p-9");
    assertThat(k.getPodUid()).isEqualTo("u-9");
    assertThat(k.getServiceAccount()).isEqualTo("prod/legacy");
    assertThat(k.getNodeName()).isEqualTo("n1");
    assertThat(k.getPodIp()).isEqualTo("10.1.1.9");
  }

  /**
   * Line numbers stay exact whatever the line breaks: records on one line are skipped by the line counter (the
   * parser saw no break inside them), records over several lines, CRLF, a lone CR and blank lines are counted.
   */
  @Test
  void lineNumbersOverOneLineAndMultiLineRecords() throws Exception {
    String one = "{\"kind\":\"Event\",\"auditID\":\"a%d\",\"stage\":\"ResponseComplete\",\"verb\":\"get\"}";
    String pretty = "{\n  \"kind\": \"Event\",\r\n  \"auditID\": \"a%d\",\r  \"verb\": \"list\"\n}";
    String text = String.format(one, 1) + "\r\n" // line 1
        + String.format(pretty, 2) + "\n" // lines 2-5 (the lone CR is not a line break)
        + "\n\n" + String.format(one, 3) + "\n" // line 8
        + String.format(one, 4) + " " + String.format(one, 5) + "\n" // line 9, twice
        + String.format(pretty, 6) + String.format(one, 7) + "\n"; // lines 10-13, then line 13 again
    CollectingOutput out = parse(text, Framing.LINES, "audit.log");
    assertThat(out.rejections).isEmpty();
    assertThat(out.events.stream().map(e -> e.getLineage().getLineNumber()).toList())
        .containsExactly(1L, 2L, 8L, 9L, 9L, 10L, 13L);
  }

  /**
   * A bound service account token's request names the pod the token was issued to (user.extra pod-name, pod-uid,
   * node-name): a CronJob created with it from outside the cluster is that pod's request; a request about another pod
   * keeps that pod; a request in another namespace names no pod (the pod's key would be wrong), only k8s.token.pod.
   */
  @Test
  void aBoundServiceAccountTokensRequestIsItsPods() throws Exception {
    String head = "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"level\":\"Metadata\",\"stage\":\"ResponseComplete\","
        + "\"user\":{\"username\":\"system:serviceaccount:ci:runner-jobs\",\"groups\":[\"system:serviceaccounts\"],"
        + "\"extra\":{\"authentication.kubernetes.io/credential-id\":[\"JTI=9e7c\"],"
        + "\"authentication.kubernetes.io/node-name\":[\"ip-10-61-7-19.eu-west-1.compute.internal\"],"
        + "\"authentication.kubernetes.io/pod-name\":[\"job-1\"],\"authentication.kubernetes.io/pod-uid\":[\"u-1\"]}},"
        + "\"sourceIPs\":[\"198.51.100.143\"],\"responseStatus\":{\"code\":201},\"stageTimestamp\":\"2026-11-23T14:05:30Z\",";
    String cronjob = head + "\"auditID\":\"t1\",\"verb\":\"create\",\"objectRef\":{\"resource\":\"cronjobs\",\"namespace\":\"ci\","
        + "\"name\":\"cache-cleanup\",\"apiGroup\":\"batch\",\"apiVersion\":\"v1\"}}\n";
    String review = head + "\"auditID\":\"t2\",\"verb\":\"create\",\"objectRef\":{\"resource\":\"selfsubjectrulesreviews\","
        + "\"apiGroup\":\"authorization.k8s.io\",\"apiVersion\":\"v1\"}}\n";
    String otherPod = head + "\"auditID\":\"t3\",\"verb\":\"create\",\"objectRef\":{\"resource\":\"pods\",\"namespace\":\"ci\","
        + "\"name\":\"node-shell\",\"apiVersion\":\"v1\"}}\n";
    String otherNs = head + "\"auditID\":\"t4\",\"verb\":\"list\",\"objectRef\":{\"resource\":\"secrets\",\"namespace\":\"prod\","
        + "\"apiVersion\":\"v1\"}}\n";
    String podList = head + "\"auditID\":\"t5\",\"verb\":\"list\",\"objectRef\":{\"resource\":\"pods\",\"namespace\":\"prod\","
        + "\"apiVersion\":\"v1\"}}\n";
    CollectingOutput out = parse(cronjob + review + otherPod + otherNs + podList, Framing.LINES, "audit.log");
    assertThat(out.events).hasSize(5);
    // the token listing another namespace's pods (no pod named): its pod's request, as for secrets
    EvidenceEvent pods = out.events.get(4);
    assertThat(pods.getKubernetes().getNamespace() + "/" + pods.getKubernetes().getPodName()).isEqualTo("ci/job-1");
    assertThat(pods.getResources().get(0).getNamespace()).isEqualTo("prod");
    assertThat(pods.getUnmapped()).containsEntry("k8s.object.namespace", "prod");
    for (int i = 0; i < 2; i++) {
      var k = out.events.get(i).getKubernetes();
      assertThat(k.getNamespace()).isEqualTo("ci");
      assertThat(k.getPodName()).isEqualTo("job-1");
      assertThat(k.getPodUid()).isEqualTo("u-1");
      assertThat(k.getNodeName()).isEqualTo("ip-10-61-7-19.eu-west-1.compute.internal");
    }
    assertThat(out.events.get(2).getKubernetes().getPodName()).isEqualTo("node-shell");
    // the token listing another namespace's secrets: still its pod's request, in the pod's namespace; the object keeps
    // its own namespace
    EvidenceEvent otherNsList = out.events.get(3);
    assertThat(otherNsList.getKubernetes().getPodName()).isEqualTo("job-1");
    assertThat(otherNsList.getKubernetes().getNamespace()).isEqualTo("ci");
    assertThat(otherNsList.getKubernetes().getPodUid()).isEqualTo("u-1");
    assertThat(otherNsList.getKubernetes().getNodeName()).isEqualTo("ip-10-61-7-19.eu-west-1.compute.internal");
    assertThat(otherNsList.getResources().get(0).getNamespace()).isEqualTo("prod");
    assertThat(otherNsList.getResources().get(0).getType()).isEqualTo("secrets");
    assertThat(otherNsList.getUnmapped()).containsEntry("k8s.object.namespace", "prod");
    assertThat(out.events.get(0).getUnmapped()).doesNotContainKey("k8s.object.namespace");
    for (EvidenceEvent e : out.events) {
      assertThat(e.getUnmapped()).containsEntry("k8s.token.pod", "ci/job-1")
          .containsEntry("k8s.token.node", "ip-10-61-7-19.eu-west-1.compute.internal");
    }
    assertThat(AuditMapper.firstOfList("[\"a\",\"b\"]")).isNull();
    assertThat(AuditMapper.firstOfList("[]")).isNull();
  }

  /** An object's controller (metadata.ownerReferences, controller: true) is kept as k8s.owner: a Job's pod, a CronJob's Job. */
  @Test
  void theObjectsControllerIsItsOwner() throws Exception {
    String pod = "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"auditID\":\"o1\",\"stage\":\"ResponseComplete\","
        + "\"verb\":\"create\",\"user\":{\"username\":\"system:serviceaccount:kube-system:job-controller\"},"
        + "\"objectRef\":{\"resource\":\"pods\",\"namespace\":\"ci\",\"apiVersion\":\"v1\"},\"responseStatus\":{\"code\":201},"
        + "\"responseObject\":{\"kind\":\"Pod\",\"metadata\":{\"name\":\"cc-1-x\",\"namespace\":\"ci\",\"ownerReferences\":["
        + "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"name\":\"not-it\"},"
        + "{\"apiVersion\":\"batch/v1\",\"kind\":\"Job\",\"name\":\"cc-1\",\"uid\":\"u\",\"controller\":true,\"blockOwnerDeletion\":true}]}},"
        + "\"stageTimestamp\":\"2026-11-23T14:10:00Z\"}\n";
    String job = pod.replace("\"o1\"", "\"o2\"").replace("\"resource\":\"pods\"", "\"resource\":\"jobs\",\"apiGroup\":\"batch\"")
        .replace("\"responseObject\":{\"kind\":\"Pod\",\"metadata\":{\"name\":\"cc-1-x\",\"namespace\":\"ci\",\"ownerReferences\":["
            + "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"name\":\"not-it\"},"
            + "{\"apiVersion\":\"batch/v1\",\"kind\":\"Job\",\"name\":\"cc-1\"",
            "\"requestObject\":{\"kind\":\"Job\",\"metadata\":{\"name\":\"cc-1\",\"ownerReferences\":["
            + "{\"apiVersion\":\"batch/v1\",\"kind\":\"CronJob\",\"name\":\"cc\"");
    CollectingOutput out = parse(pod + job, Framing.LINES, "audit.log");
    assertThat(out.events).hasSize(2);
    assertThat(out.events.get(0).getUnmapped()).containsEntry("k8s.owner", "Job/cc-1");
    assertThat(out.events.get(1).getUnmapped()).containsEntry("k8s.owner", "CronJob/cc");
  }

  /**
   * An IAM principal's request on EKS (access entries, aws-iam-authenticator): the STS key it signed with, the role and
   * the session from user.extra (FargateFleetScenarioIT: a cross-account session's kubectl exec).
   */
  @Test
  void anEksIamPrincipalsRequestNamesItsKeyRoleAndSession() throws Exception {
    String line = "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"level\":\"Metadata\",\"auditID\":\"6eb8-2\","
        + "\"stage\":\"ResponseComplete\",\"requestURI\":\"/api/v1/namespaces/ledger/pods/api-1/exec?command=sh\","
        + "\"verb\":\"create\",\"user\":{\"username\":\"arn:aws:sts::602214076012:assumed-role/ledger-deploy-cross/sync\","
        + "\"uid\":\"aws-iam-authenticator:602214076012:AROAZLEDGERDEPLOYX01\",\"groups\":[\"ledger:deployers\",\"system:authenticated\"],"
        + "\"extra\":{\"accessKeyId\":[\"ASIAZLEDGERXACCT0917\"],\"arn\":[\"arn:aws:sts::602214076012:assumed-role/ledger-deploy-cross/sync\"],"
        + "\"canonicalArn\":[\"arn:aws:iam::602214076012:role/ledger-deploy-cross\"],\"principalId\":[\"AROAZLEDGERDEPLOYX01\"],"
        + "\"sessionName\":[\"sync\"]}},\"sourceIPs\":[\"198.51.100.61\"],\"objectRef\":{\"resource\":\"pods\","
        + "\"namespace\":\"ledger\",\"name\":\"api-1\",\"apiVersion\":\"v1\",\"subresource\":\"exec\"},"
        + "\"responseStatus\":{\"metadata\":{},\"code\":101},\"requestReceivedTimestamp\":\"2026-11-23T09:13:05.208113Z\","
        + "\"stageTimestamp\":\"2026-11-23T09:13:05.212323Z\"}\n";
    CollectingOutput out = parse(line, Framing.LINES, "audit.log");
    assertThat(out.rejections).isEmpty();
    var a = out.events.get(0).getActor();
    assertThat(a.getCredentialUid()).isEqualTo("ASIAZLEDGERXACCT0917");
    assertThat(a.getSessionIssuer()).isEqualTo("arn:aws:iam::602214076012:role/ledger-deploy-cross");
    assertThat(a.getAccountUid()).isEqualTo("602214076012");
    assertThat(a.getSessionName()).isEqualTo("sync");
    // a Kubernetes user has none of them
    String noExtra = line.substring(0, line.indexOf(",\"extra\"")) + line.substring(line.indexOf("},\"sourceIPs\""));
    var k = parse(noExtra, Framing.LINES, "audit.log").events.get(0).getActor();
    assertThat(k.getCredentialUid()).isNull();
    assertThat(k.getSessionIssuer()).isNull();
  }

  /**
   * A kubelet's pods/status patch (Request level) reports its container: the runtime id and the image digest it runs
   * (EKS Fargate has no other record of which image a pod ran: FargateFleetScenarioIT's scope of the digest).
   */
  @Test
  void aStatusPatchNamesItsImageDigest() throws Exception {
    String cid = "d5e3" + "6f".repeat(30);
    String status = "\"status\":{\"containerStatuses\":[{\"containerID\":\"containerd://" + cid + "\","
        + "\"image\":\"662607015034.dkr.ecr.us-east-2.amazonaws.com/media/thumbnailer:2.4.1\","
        + "\"imageID\":\"662607015034.dkr.ecr.us-east-2.amazonaws.com/media/thumbnailer@sha256:" + "4e1a9d7c".repeat(8) + "\","
        + "\"name\":\"thumbnailer\",\"ready\":true,\"state\":{\"running\":{\"startedAt\":\"2026-11-23T07:15:27Z\"}}}%s],"
        + "\"hostIP\":\"10.77.34.10\",\"podIP\":\"10.77.34.77\",\"phase\":\"Running\"}";
    String line = "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"level\":\"Request\",\"auditID\":\"6eb8-3\","
        + "\"stage\":\"ResponseComplete\",\"requestURI\":\"/api/v1/namespaces/ledger/pods/sr-1/status?fieldManager=kubelet\","
        + "\"verb\":\"patch\",\"user\":{\"username\":\"system:node:ip-10-77-34-10.us-east-2.compute.internal\","
        + "\"groups\":[\"system:nodes\"]},\"sourceIPs\":[\"10.77.34.10\"],\"objectRef\":{\"resource\":\"pods\","
        + "\"namespace\":\"ledger\",\"name\":\"sr-1\",\"apiVersion\":\"v1\",\"subresource\":\"status\"},"
        + "\"responseStatus\":{\"metadata\":{},\"code\":200},\"requestObject\":{\"metadata\":{\"uid\":\"u-1\"}," + status + "},"
        + "\"requestReceivedTimestamp\":\"2026-11-23T07:15:30.440982Z\",\"stageTimestamp\":\"2026-11-23T07:15:30.445192Z\"}\n";
    EvidenceEvent e = parse(String.format(line, ""), Framing.LINES, "audit.log").events.get(0);
    assertThat(e.getUnmapped()).containsEntry("k8s.pod.image_digest", "sha256:" + "4e1a9d7c".repeat(8));
    assertThat(e.getContainer()).as("not the event's container (EksIncidentScenarioIT)").isNull();
    assertThat(e.getKubernetes().getPodIp()).isEqualTo("10.77.34.77");
    // two containers: which one the event is about is not said
    String two = ",{\"containerID\":\"containerd://" + "ab".repeat(32) + "\",\"image\":\"x:1\",\"imageID\":\"x@sha256:" + "12".repeat(32)
        + "\",\"name\":\"side\"}";
    assertThat(parse(String.format(line, two), Framing.LINES, "audit.log").events.get(0).getUnmapped())
        .doesNotContainKey("k8s.pod.image_digest");
  }

  /**
   * A Metadata-level audit record of an admitted pod create (no request object): Pod Security Admission's audit
   * annotation (k8s.io/pod-security-admission's reasons and details, as audit mode writes them) names what the pod
   * asked for; a denied create (403, enforce) and a pod whose object is logged take nothing from it; authorization
   * and impersonation fields are kept.
   */
  @Test
  void podSecurityAuditViolationsNameTheRisksOfAnUnloggedPod() throws Exception {
    String violations = "would violate PodSecurity \\\"baseline:latest\\\": host namespaces (hostNetwork=true, hostPID=true), "
        + "hostPath volumes (volume \\\"root\\\"), non-default capabilities (container \\\"shell\\\" must not include "
        + "\\\"NET_RAW\\\", \\\"SYS_ADMIN\\\" in securityContext.capabilities.add), privileged (container \\\"shell\\\" must not "
        + "set securityContext.privileged=true), runAsUser=0 (pod must not set runAsUser=0)";
    String created = "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"level\":\"Metadata\",\"auditID\":\"psa-1\","
        + "\"stage\":\"ResponseComplete\",\"requestURI\":\"/api/v1/namespaces/ci/pods\",\"verb\":\"create\","
        + "\"user\":{\"username\":\"system:serviceaccount:ci:runner\"},\"impersonatedUser\":{\"username\":\"ops\","
        + "\"groups\":[\"system:masters\"]},\"sourceIPs\":[\"10.0.4.7\"],\"objectRef\":{\"resource\":\"pods\","
        + "\"namespace\":\"ci\",\"name\":\"debug-x\",\"apiVersion\":\"v1\"},\"responseStatus\":{\"metadata\":{},\"code\":201},"
        + "\"requestReceivedTimestamp\":\"2025-05-01T10:00:00.100000Z\",\"stageTimestamp\":\"2025-05-01T10:00:00.140000Z\","
        + "\"annotations\":{\"authorization.k8s.io/decision\":\"allow\",\"authorization.k8s.io/reason\":\"RBAC: allowed by "
        + "ClusterRoleBinding \\\"ci-admin\\\"\",\"pod-security.kubernetes.io/enforce-policy\":\"privileged:latest\","
        + "\"pod-security.kubernetes.io/audit-violations\":\"" + violations + "\"}}\n";
    String denied = created.replace("\"psa-1\"", "\"psa-2\"").replace("\"code\":201", "\"code\":403");
    CollectingOutput out = parse(created + denied, Framing.LINES, "audit.log");
    assertThat(out.rejections).isEmpty();
    EvidenceEvent e = out.events.get(0);
    assertThat(e.getUnmapped())
        .containsEntry("strata.risk", "privileged,host_network,host_pid,host_path,run_as_root,cap_sys_admin")
        .containsEntry("strata.risk_source", "pod-security.kubernetes.io/audit-violations")
        .containsEntry("annotations.authorization.k8s.io/decision", "allow")
        .containsEntry("annotations.pod-security.kubernetes.io/enforce-policy", "privileged:latest");
    assertThat(e.getActor().getImpersonatedUser()).isEqualTo("ops");
    assertThat(e.getKubernetes().getPodName()).isEqualTo("debug-x");
    assertThat(out.events.get(1).getStatus()).isEqualTo("Failure");
    assertThat(out.events.get(1).getUnmapped()).doesNotContainKey("strata.risk");
    assertThat(PodSecurityViolations.risks("would violate PodSecurity \"restricted:latest\": allowPrivilegeEscalation != "
        + "false (container \"a\" must set securityContext.allowPrivilegeEscalation=false), runAsNonRoot != true (pod or "
        + "container \"a\" must set securityContext.runAsNonRoot=true)")).isEmpty();
    assertThat(PodSecurityViolations.risks("would violate PodSecurity \"restricted:latest\": restricted volume types "
        + "(volume \"h\" uses restricted volume type \"hostPath\")")).containsExactly("host_path");
  }
}
