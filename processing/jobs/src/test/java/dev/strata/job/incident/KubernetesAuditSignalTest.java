package dev.strata.job.incident;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.detect.sigma.SigmaFixtures;
import dev.strata.job.incident.SignalRules.Signal;
import dev.strata.schema.correlate.AttackStage;
import dev.strata.schema.event.EvidenceEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kubernetes audit signal rules beyond exec / port-forward / secret reads: a pod that hands over its host, kubectl
 * debug, a cluster-admin binding, an anonymous request the API server allowed. Audit lines parsed by the real
 * collector and parser.
 */
class KubernetesAuditSignalTest {
  @TempDir Path dir;

  private static String event(String id, String user, String verb, String uri, String objectRef, int code,
      String requestObject) {
    return "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"level\":\"RequestResponse\",\"auditID\":\"" + id
        + "\",\"stage\":\"ResponseComplete\",\"requestURI\":\"" + uri + "\",\"verb\":\"" + verb + "\",\"user\":{\"username\":\""
        + user + "\"},\"sourceIPs\":[\"203.0.113.9\"],"
        + (objectRef == null ? "" : "\"objectRef\":" + objectRef + ",")
        + "\"responseStatus\":{\"metadata\":{},\"code\":" + code + "},"
        + (requestObject == null ? "" : "\"requestObject\":" + requestObject + ",")
        + "\"requestReceivedTimestamp\":\"2024-05-01T10:00:00.000000Z\",\"stageTimestamp\":\"2024-05-01T10:00:00.100000Z\"}";
  }

  private static String pod(String spec) {
    return "{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"p\",\"namespace\":\"a\"},\"spec\":" + spec + "}";
  }

  private static final String POD_REF = "{\"resource\":\"pods\",\"namespace\":\"a\",\"name\":\"p\",\"apiVersion\":\"v1\"}";

  private List<Signal> signals(String... lines) throws Exception {
    Path f = dir.resolve("var/log/kubernetes/audit/audit.log");
    Files.createDirectories(f.getParent());
    Files.writeString(f, String.join("\n", lines) + "\n");
    List<EvidenceEvent> events = SigmaFixtures.parse(dir);
    assertThat(events).hasSize(lines.length);
    SignalRules rules = SignalRules.defaults();
    List<Signal> out = new ArrayList<>();
    for (EvidenceEvent e : events) out.add(rules.classify(e));
    return out;
  }

  @Test
  void aPodThatHandsOverItsHostIsPrivilegeEscalationWhoeverAsksButTheControllers() throws Exception {
    String privileged = pod("{\"containers\":[{\"name\":\"c\",\"image\":\"alpine\",\"securityContext\":{\"privileged\":true}}]}");
    String hostRoot = pod("{\"containers\":[{\"name\":\"c\",\"image\":\"alpine\"}],\"volumes\":[{\"name\":\"h\",\"hostPath\":{\"path\":\"/\"}}]}");
    String hostPid = pod("{\"hostPID\":true,\"containers\":[{\"name\":\"c\",\"image\":\"alpine\"}]}");
    String hostNetworkOnly = pod("{\"hostNetwork\":true,\"containers\":[{\"name\":\"c\",\"image\":\"alpine\"}]}");
    String uri = "/api/v1/namespaces/a/pods";
    List<Signal> s = signals(
        event("1", "mallory", "create", uri, POD_REF, 201, privileged),
        event("2", "mallory", "create", uri, POD_REF, 201, hostRoot),
        event("3", "mallory", "create", uri, POD_REF, 403, hostPid), // denied: still an attempt
        event("4", "mallory", "create", uri, POD_REF, 201, hostNetworkOnly),
        event("5", "system:serviceaccount:kube-system:daemon-set-controller", "create", uri, POD_REF, 201, privileged));
    for (int i = 0; i < 3; i++) {
      assertThat(s.get(i).stage()).isEqualTo(AttackStage.PRIVILEGE_ESCALATION);
      assertThat(s.get(i).reason()).isEqualTo("privileged_pod");
      assertThat(s.get(i).severityId()).isEqualTo(4);
    }
    assertThat(s.get(3)).isNull();
    assertThat(s.get(4)).isNull();
  }

  @Test
  void kubectlDebugIsExecutionAndAPrivilegedDebugContainerIsEscalation() throws Exception {
    String ref = "{\"resource\":\"pods\",\"namespace\":\"a\",\"name\":\"p\",\"apiVersion\":\"v1\",\"subresource\":\"ephemeralcontainers\"}";
    String uri = "/api/v1/namespaces/a/pods/p/ephemeralcontainers";
    String plain = pod("{\"containers\":[{\"name\":\"app\",\"image\":\"web\"}],\"ephemeralContainers\":[{\"name\":\"debugger-x\",\"image\":\"busybox\"}]}");
    String priv = pod("{\"containers\":[{\"name\":\"app\",\"image\":\"web\"}],\"ephemeralContainers\":[{\"name\":\"debugger-y\",\"image\":\"busybox\",\"securityContext\":{\"privileged\":true}}]}");
    List<Signal> s = signals(event("1", "alice", "patch", uri, ref, 200, plain), event("2", "alice", "patch", uri, ref, 200, priv));
    assertThat(s.get(0).stage()).isEqualTo(AttackStage.EXECUTION);
    assertThat(s.get(0).reason()).isEqualTo("pod_ephemeral_container");
    assertThat(s.get(1).reason()).isEqualTo("privileged_pod");
  }

  @Test
  void aBindingToClusterAdminIsEscalationAndOtherRolesAreNot() throws Exception {
    String ref = "{\"resource\":\"clusterrolebindings\",\"name\":\"b\",\"apiGroup\":\"rbac.authorization.k8s.io\",\"apiVersion\":\"v1\"}";
    String uri = "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings";
    String admin = "{\"kind\":\"ClusterRoleBinding\",\"metadata\":{\"name\":\"b\"},\"roleRef\":{\"apiGroup\":\"rbac.authorization.k8s.io\","
        + "\"kind\":\"ClusterRole\",\"name\":\"cluster-admin\"},\"subjects\":[{\"kind\":\"ServiceAccount\",\"name\":\"default\",\"namespace\":\"a\"}]}";
    String view = admin.replace("cluster-admin", "view");
    List<Signal> s = signals(event("1", "mallory", "create", uri, ref, 201, admin), event("2", "mallory", "create", uri, ref, 201, view));
    assertThat(s.get(0).stage()).isEqualTo(AttackStage.PRIVILEGE_ESCALATION);
    assertThat(s.get(0).reason()).isEqualTo("cluster_admin_binding");
    assertThat(s.get(1)).isNull();
  }

  @Test
  void anAnonymousRequestTheApiServerAllowedIsAnEntryButItsHealthEndpointsAndRefusalsAreNot() throws Exception {
    String podsRef = "{\"resource\":\"pods\",\"namespace\":\"a\",\"apiVersion\":\"v1\"}";
    List<Signal> s = signals(
        event("1", "system:anonymous", "list", "/api/v1/namespaces/a/pods", podsRef, 200, null),
        event("2", "system:anonymous", "get", "/healthz", null, 200, null),
        event("3", "system:anonymous", "get", "/version?timeout=32s", null, 200, null),
        event("4", "system:anonymous", "list", "/api/v1/namespaces/a/pods", podsRef, 403, null),
        event("5", "system:anonymous", "get", "/api", null, 200, null));
    assertThat(s.get(0).stage()).isEqualTo(AttackStage.ENTRY);
    assertThat(s.get(0).reason()).isEqualTo("anonymous_request_allowed");
    assertThat(s.get(1)).isNull();
    assertThat(s.get(2)).isNull();
    assertThat(s.get(3)).isNull();
    assertThat(s.get(4).reason()).isEqualTo("anonymous_request_allowed");
  }

  @Test
  void aHumansWorkloadWhosePodTemplateHandsOverTheHostIsEscalation() throws Exception {
    String ref = "{\"resource\":\"daemonsets\",\"namespace\":\"a\",\"name\":\"d\",\"apiGroup\":\"apps\",\"apiVersion\":\"v1\"}";
    String uri = "/apis/apps/v1/namespaces/a/daemonsets";
    String ds = "{\"kind\":\"DaemonSet\",\"metadata\":{\"name\":\"d\"},\"spec\":{\"selector\":{},\"template\":{\"metadata\":{},"
        + "\"spec\":{\"hostPID\":true,\"containers\":[{\"name\":\"c\",\"image\":\"alpine\"}]}}}}";
    String cronRef = "{\"resource\":\"cronjobs\",\"namespace\":\"a\",\"name\":\"j\",\"apiGroup\":\"batch\",\"apiVersion\":\"v1\"}";
    String cron = "{\"kind\":\"CronJob\",\"spec\":{\"schedule\":\"* * * * *\",\"jobTemplate\":{\"spec\":{\"template\":{\"spec\":"
        + "{\"containers\":[{\"name\":\"c\",\"image\":\"x\",\"securityContext\":{\"capabilities\":{\"add\":[\"SYS_ADMIN\"]}}}]}}}}}}";
    String plain = ds.replace("\"hostPID\":true,", "");
    List<Signal> s = signals(event("1", "mallory", "create", uri, ref, 201, ds),
        event("2", "mallory", "create", "/apis/batch/v1/namespaces/a/cronjobs", cronRef, 201, cron),
        event("3", "mallory", "create", uri, ref, 201, plain));
    assertThat(s.get(0).reason()).isEqualTo("privileged_workload");
    assertThat(s.get(0).stage()).isEqualTo(AttackStage.PRIVILEGE_ESCALATION);
    assertThat(s.get(1).reason()).isEqualTo("privileged_workload");
    assertThat(s.get(2)).isNull();
  }

  /** Falco's own k8s_audit trace files (the shared corpus, read in place): what each one is to us. */
  @Test
  void falcosTraceFilesOfTheseAttacksAreSignalsAndTheRoutineOnesAreNot() throws Exception {
    Path traces = Path.of("/work/shared/corpus/k8s-audit/falco-trace-files");
    Assumptions.assumeTrue(Files.isDirectory(traces), "the shared corpus is not on this machine");
    SignalRules rules = SignalRules.defaults();
    Map<String, String> byFile = new TreeMap<>();
    for (EvidenceEvent e : SigmaFixtures.parse(traces)) {
      Signal sig = rules.classify(e);
      String file = Path.of(e.getLineage().getOrigin()).getFileName().toString();
      byFile.merge(file, sig == null ? "-" : sig.reason(), (a, b) -> a + "," + b);
    }
    assertThat(byFile)
        .containsEntry("attach_cluster_admin_role.json", "cluster_admin_binding")
        .containsEntry("anonymous_creates_namespace_foo.json", "anonymous_request_allowed")
        .containsEntry("exec_pod.json", "pod_exec")
        .containsEntry("attach_pod.json", "pod_attach")
        // the replicaset controller's pods are not a human's choice: the Deployment that asked for them would be
        .containsEntry("create_nginx_pod_privileged.json", "-")
        .containsEntry("create_nginx_pod_unprivileged.json", "-")
        .containsEntry("create_configmap.json", "-")
        .containsEntry("minikube_creates_namespace_foo.json", "-");
  }

  /**
   * A workload's service account (CiRunnerEscapeScenarioIT): its token used from a public address is a signal, staged
   * by what it asks; from the cluster, a pod with the host's namespaces or / is privilege escalation, a privileged
   * docker-in-docker build pod and a workload are not; the controller manager's accounts are never judged.
   */
  @Test
  void aServiceAccountsTokenFromOutsideAndItsHostEscapingPodsAreSignals() throws Exception {
    String sa = "system:serviceaccount:ci:runner-jobs";
    String uri = "/api/v1/namespaces/a/pods";
    String nodeShell = pod("{\"hostPID\":true,\"containers\":[{\"name\":\"c\",\"image\":\"alpine\",\"securityContext\":"
        + "{\"privileged\":true}}],\"volumes\":[{\"name\":\"h\",\"hostPath\":{\"path\":\"/\"}}]}");
    String dind = pod("{\"containers\":[{\"name\":\"docker\",\"image\":\"docker:dind\",\"securityContext\":{\"privileged\":true}}]}");
    String cronRef = "{\"resource\":\"cronjobs\",\"namespace\":\"ci\",\"name\":\"x\",\"apiGroup\":\"batch\",\"apiVersion\":\"v1\"}";
    String cron = "{\"kind\":\"CronJob\",\"apiVersion\":\"batch/v1\",\"metadata\":{\"name\":\"x\"},\"spec\":{\"schedule\":\"* * * * *\","
        + "\"jobTemplate\":{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"m\",\"image\":\"x\"}]}}}}}}";
    String secretsRef = "{\"resource\":\"secrets\",\"namespace\":\"ci\",\"apiVersion\":\"v1\"}";
    String inside = "10.61.7.88";
    List<Signal> s = signals(
        event("1", sa, "create", uri, POD_REF, 201, nodeShell).replace("203.0.113.9", inside),
        // the runner's build pod in its own namespace (in another one it is service_account_workload_other_namespace)
        event("2", sa, "create", "/api/v1/namespaces/ci/pods", POD_REF.replace("\"a\"", "\"ci\""), 201, dind)
            .replace("203.0.113.9", inside),
        event("3", sa, "create", "/apis/batch/v1/namespaces/ci/cronjobs", cronRef, 201, cron),
        event("4", sa, "list", "/api/v1/namespaces/ci/secrets", secretsRef, 200, null),
        event("5", sa, "create", uri, POD_REF, 201, nodeShell),
        event("6", sa, "create", "/apis/batch/v1/namespaces/ci/cronjobs", cronRef, 201,
            cron.replace("\"image\":\"x\"}", "\"image\":\"x\",\"securityContext\":{\"privileged\":true}}"))
            .replace("203.0.113.9", inside),
        event("7", "system:serviceaccount:kube-system:job-controller", "create", uri, POD_REF, 201, nodeShell),
        event("8", sa, "list", "/api/v1/namespaces/ci/secrets", secretsRef, 200, null).replace("203.0.113.9", inside));
    assertThat(s.get(0).reason()).isEqualTo("privileged_pod");
    assertThat(s.get(0).stage()).isEqualTo(AttackStage.PRIVILEGE_ESCALATION);
    assertThat(s.get(1)).as("a privileged build pod of the runner").isNull();
    assertThat(s.get(2).reason()).isEqualTo("service_account_token_outside");
    assertThat(s.get(2).stage()).isEqualTo(AttackStage.PERSISTENCE);
    assertThat(s.get(2).severityId()).isEqualTo(4);
    assertThat(s.get(3).reason()).isEqualTo("service_account_token_outside");
    assertThat(s.get(3).stage()).isEqualTo(AttackStage.CREDENTIAL_ACCESS);
    assertThat(s.get(4).reason()).isEqualTo("service_account_token_outside");
    assertThat(s.get(4).stage()).isEqualTo(AttackStage.PRIVILEGE_ESCALATION);
    assertThat(s.get(5)).as("a privileged workload written by a service account in the cluster").isNull();
    // the same privileged CronJob written from outside: the escalation itself (DaemonSetEscalationScenarioIT's
    // DaemonSet: privileged, host PID, the host's /), not persistence
    Path g = dir.resolve("o/var/log/kubernetes/audit/audit.log");
    Files.createDirectories(g.getParent());
    Files.writeString(g, event("10", sa, "create", "/apis/batch/v1/namespaces/ci/cronjobs", cronRef, 201,
        cron.replace("\"image\":\"x\"}", "\"image\":\"x\",\"securityContext\":{\"privileged\":true}}")) + "\n");
    Signal outside = SignalRules.defaults().classify(SigmaFixtures.parse(dir.resolve("o")).get(0));
    assertThat(outside.reason()).isEqualTo("service_account_token_outside");
    assertThat(outside.stage()).isEqualTo(AttackStage.PRIVILEGE_ESCALATION);
    // the token looking around from outside (list nodes: DaemonSetEscalationScenarioIT's first requests) is the way
    // in; a secrets read from outside stays credential access (s.get(3) above)
    Path n = dir.resolve("n/var/log/kubernetes/audit/audit.log");
    Files.createDirectories(n.getParent());
    Files.writeString(n, event("11", sa, "list", "/api/v1/nodes", "{\"resource\":\"nodes\",\"apiVersion\":\"v1\"}",
        200, null) + "\n");
    Signal look = SignalRules.defaults().classify(SigmaFixtures.parse(dir.resolve("n")).get(0));
    assertThat(look.reason()).isEqualTo("service_account_token_outside");
    assertThat(look.stage()).isEqualTo(AttackStage.ENTRY);
    assertThat(s.get(6)).isNull();
    assertThat(s.get(7)).as("the pod's own secret reads: context").isNull();
    // a known deployer's range
    Path f = dir.resolve("k/var/log/kubernetes/audit/audit.log");
    Files.createDirectories(f.getParent());
    Files.writeString(f, event("9", sa, "create", "/apis/batch/v1/namespaces/ci/cronjobs", cronRef, 201, cron) + "\n");
    List<EvidenceEvent> known = SigmaFixtures.parse(dir.resolve("k"));
    assertThat(new SignalRules(List.of("203.0.113.0/24")).classify(known.get(0))).isNull();
  }

  /**
   * KubectlDebugScenarioIT: a fleet operator's leaked legacy token, from the internet, impersonating {@code
   * system:admin} in {@code system:masters}. Its {@code kubectl debug} (a patch of pods/ephemeralcontainers) is
   * execution (it was credential access), its {@code kubectl auth can-i --list} (not impersonated) stays credential
   * access, a read as system:masters the escalation, a secrets read as system:masters still credential
   * access; from inside the cluster, a service account's ephemeral container is execution and its impersonation of
   * system:masters escalation (both were no signal), its impersonation of a tenant's deployer account (what operators
   * hold the verb for) none. A person impersonating system:masters is escalation too; the row says as whom.
   */
  @Test
  void kubectlDebugAndPrivilegedImpersonationByAServiceAccountAreSignals() throws Exception {
    String sa = "system:serviceaccount:platform:fleet-operator";
    String masters = ",\"impersonatedUser\":{\"username\":\"system:admin\",\"groups\":[\"system:masters\",\"system:authenticated\"]}";
    String deployer = ",\"impersonatedUser\":{\"username\":\"system:serviceaccount:payments:deployer\",\"groups\":"
        + "[\"system:serviceaccounts\",\"system:serviceaccounts:payments\",\"system:authenticated\"]}";
    String ephRef = "{\"resource\":\"pods\",\"namespace\":\"a\",\"name\":\"p\",\"apiVersion\":\"v1\",\"subresource\":\"ephemeralcontainers\"}";
    String ephUri = "/api/v1/namespaces/a/pods/p/ephemeralcontainers";
    String debug = "{\"spec\":{\"ephemeralContainers\":[{\"name\":\"debugger-x\",\"image\":\"aws-cli\",\"targetContainerName\":\"app\"}]}}";
    String reviewRef = "{\"resource\":\"selfsubjectrulesreviews\",\"apiGroup\":\"authorization.k8s.io\",\"apiVersion\":\"v1\"}";
    String secretsRef = "{\"resource\":\"secrets\",\"apiVersion\":\"v1\"}";
    String deployRef = "{\"resource\":\"deployments\",\"namespace\":\"payments\",\"name\":\"ledger\",\"apiGroup\":\"apps\",\"apiVersion\":\"v1\"}";
    String inside = "10.44.21.140";
    String user = "\"user\":{\"username\":\"" + sa + "\"}";
    String bob = "\"user\":{\"username\":\"bob\"}";
    List<Signal> s = signals(
        event("1", sa, "patch", ephUri, ephRef, 200, debug).replace(user, user + masters),
        event("2", sa, "create", "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews", reviewRef, 201, null),
        event("3", sa, "get", "/api/v1/namespaces/a/pods/p", POD_REF, 200, null).replace(user, user + masters),
        event("4", sa, "list", "/api/v1/secrets", secretsRef, 200, null).replace(user, user + masters),
        event("5", sa, "patch", ephUri, ephRef, 200, debug).replace("203.0.113.9", inside),
        event("6", sa, "get", "/api/v1/namespaces/a/pods/p", POD_REF, 200, null).replace(user, user + masters)
            .replace("203.0.113.9", inside),
        event("7", sa, "patch", "/apis/apps/v1/namespaces/payments/deployments/ledger", deployRef, 200, null)
            .replace(user, user + deployer).replace("203.0.113.9", inside),
        event("8", "bob", "get", "/api/v1/namespaces/a/pods/p", POD_REF, 200, null).replace(bob, bob + masters),
        event("9", "bob", "get", "/api/v1/namespaces/a/pods/p", POD_REF, 200, null).replace(bob, bob + deployer));
    assertThat(s.get(0).reason()).isEqualTo("service_account_token_outside");
    assertThat(s.get(0).stage()).as("kubectl debug from outside").isEqualTo(AttackStage.EXECUTION);
    assertThat(s.get(1).stage()).as("auth can-i --list from outside").isEqualTo(AttackStage.CREDENTIAL_ACCESS);
    assertThat(s.get(2).stage()).as("a read as system:masters from outside").isEqualTo(AttackStage.PRIVILEGE_ESCALATION);
    assertThat(s.get(3).stage()).as("secrets read as system:masters").isEqualTo(AttackStage.CREDENTIAL_ACCESS);
    assertThat(s.get(4).reason()).as("kubectl debug from inside").isEqualTo("pod_ephemeral_container");
    assertThat(s.get(4).stage()).isEqualTo(AttackStage.EXECUTION);
    assertThat(s.get(5).reason()).as("system:masters from inside").isEqualTo("impersonated_privileged");
    assertThat(s.get(5).stage()).isEqualTo(AttackStage.PRIVILEGE_ESCALATION);
    assertThat(s.get(6)).as("the operator acting as its tenant's deployer").isNull();
    assertThat(s.get(7).reason()).as("a person as system:masters").isEqualTo("impersonated_privileged");
    assertThat(s.get(8)).as("a person as a namespace's deployer").isNull();
    // the row says as whom the request was authorized
    Path f = dir.resolve("sum/var/log/kubernetes/audit/audit.log");
    Files.createDirectories(f.getParent());
    Files.writeString(f, event("10", sa, "list", "/api/v1/secrets", secretsRef, 200, null).replace(user, user + masters) + "\n");
    assertThat(Summaries.of(SigmaFixtures.parse(dir.resolve("sum")).get(0)))
        .isEqualTo(sa + " as system:admin (system:masters) list secrets -> 200");
  }

  /**
   * A service account's exec into a pod of another namespace (CrioKubeadmScenarioIT: the notebook's token exec'ing
   * into the pod it created in ml-batch) is execution, from inside the cluster too; into its own namespace's pod (a CI
   * executor's build pod) it is context.
   */
  @Test
  void aServiceAccountsExecIntoAnotherNamespacesPodIsExecution() throws Exception {
    String sa = "system:serviceaccount:ml:notebook";
    String inside = "10.40.3.91";
    String other = "{\"resource\":\"pods\",\"namespace\":\"ml-batch\",\"name\":\"sync\",\"subresource\":\"exec\",\"apiVersion\":\"v1\"}";
    String own = other.replace("ml-batch", "ml");
    List<Signal> s = signals(
        event("1", sa, "create", "/api/v1/namespaces/ml-batch/pods/sync/exec?command=bash", other, 101, null).replace("203.0.113.9", inside),
        event("2", sa, "create", "/api/v1/namespaces/ml/pods/sync/exec?command=bash", own, 101, null).replace("203.0.113.9", inside),
        event("3", sa, "get", "/api/v1/namespaces/ml-batch/pods/sync", other.replace(",\"subresource\":\"exec\"", ""), 200, null)
            .replace("203.0.113.9", inside));
    assertThat(s.get(0).reason()).isEqualTo("service_account_exec_other_namespace");
    assertThat(s.get(0).stage()).isEqualTo(AttackStage.EXECUTION);
    assertThat(s.get(0).severityId()).isEqualTo(3);
    assertThat(s.get(1)).as("an exec into its own namespace's pod").isNull();
    assertThat(s.get(2)).as("a get of the pod").isNull();
  }

  /**
   * A pod created with another pod's bound token (user.extra pod-name) links the two pods' incidents: the requester's
   * pod is an entity of the request (k8s.token.pod), so the creator's alert and the created pod's alert on the same
   * node are one incident; without the token's pod they are two (another pod's alert on the node stays apart).
   */
  @Test
  void aPodCreatedWithAnotherPodsTokenJoinsThatPodsIncident() throws Exception {
    String nodeShell = pod("{\"hostPID\":true,\"containers\":[{\"name\":\"c\",\"image\":\"alpine\"}],"
        + "\"volumes\":[{\"name\":\"h\",\"hostPath\":{\"path\":\"/\"}}]}").replace("\"name\":\"p\",\"namespace\":\"a\"",
        "\"name\":\"node-shell\",\"namespace\":\"shop\"");
    String ref = "{\"resource\":\"pods\",\"namespace\":\"shop\",\"name\":\"node-shell\",\"apiVersion\":\"v1\"}";
    String line = event("1", "system:serviceaccount:shop:runner", "create", "/api/v1/namespaces/shop/pods", ref, 201, nodeShell)
        .replace("203.0.113.9", "10.0.1.57");
    String withToken = line.replace("\"username\":\"system:serviceaccount:shop:runner\"}",
        "\"username\":\"system:serviceaccount:shop:runner\",\"extra\":{\"authentication.kubernetes.io/pod-name\":[\"job-1\"]}}");
    java.time.Instant t = java.time.Instant.parse("2024-05-01T10:00:00Z");
    for (boolean token : List.of(true, false)) {
      Path d = dir.resolve("link-" + token + "/var/log/kubernetes/audit/audit.log");
      Files.createDirectories(d.getParent());
      Files.writeString(d, (token ? withToken : line) + "\n");
      List<EvidenceEvent> events = new ArrayList<>(SigmaFixtures.parse(dir.resolve("link-" + token)));
      events.forEach(e -> {
        e.getKubernetes().setCluster("prod");
        e.setCloud(dev.strata.schema.event.Cloud.newBuilder().setProvider("aws").setAccountUid("111122223333").build());
      });
      events.add(IncidentGrouperTest.falco("job-alert", t.minusSeconds(60), "ip-10-0-1-10", "3f4e5d6c7b8a" + "0".repeat(52), "job-1"));
      events.add(IncidentGrouperTest.falco("shell-alert", t.plusSeconds(60), "ip-10-0-1-10", "9a8b7c6d5e4f" + "0".repeat(52), "node-shell"));
      List<dev.strata.schema.correlate.Incident> incs = IncidentEngine.incidentsOf(events, IncidentSettings.defaults());
      assertThat(incs).as("with the token's pod: " + token).hasSize(token ? 1 : 2);
    }
  }

  /**
   * A bound token's request on another namespace's object (the job's token listing kube-system's secrets): the token's
   * pod is the event's pod and the actor, in its own namespace; the object's namespace is context too.
   */
  @Test
  void aTokensRequestInAnotherNamespaceIsItsPodsAndKeepsTheObjectsNamespace() throws Exception {
    String sa = "system:serviceaccount:ci:runner";
    String ref = "{\"resource\":\"secrets\",\"namespace\":\"kube-system\",\"apiVersion\":\"v1\"}";
    String line = event("1", sa, "list", "/api/v1/namespaces/kube-system/secrets", ref, 403, null)
        .replace("\"username\":\"" + sa + "\"}", "\"username\":\"" + sa + "\",\"extra\":{"
            + "\"authentication.kubernetes.io/pod-name\":[\"job-1\"],\"authentication.kubernetes.io/node-name\":[\"ip-10-0-1-10\"]}}");
    Path d = dir.resolve("other-ns/var/log/kubernetes/audit/audit.log");
    Files.createDirectories(d.getParent());
    Files.writeString(d, line + "\n");
    EvidenceEvent e = SigmaFixtures.parse(dir.resolve("other-ns")).get(0);
    assertThat(e.getKubernetes().getNamespace() + "/" + e.getKubernetes().getPodName()).isEqualTo("ci/job-1");
    assertThat(e.getResources().get(0).getNamespace()).isEqualTo("kube-system");
    List<Entity> entities = EntityKeys.extract(e).entities();
    assertThat(entities).filteredOn(en -> en.type().equals(Entity.POD)).extracting(Entity::key).containsOnly("ci/job-1");
    assertThat(entities).filteredOn(en -> en.type().equals(Entity.NAMESPACE)).extracting(Entity::key)
        .containsExactlyInAnyOrder("ci", "kube-system");
    assertThat(entities).filteredOn(en -> en.type().equals(Entity.NODE)).extracting(Entity::key).containsExactly("ip-10-0-1-10");
    // from a public address outside the known ranges: the token used from outside, still a signal
    assertThat(new SignalRules(List.of()).classify(e)).isNotNull();
  }

  /**
   * The pod a CronJob's Job runs joins the incident of the request that created the CronJob: the controllers' creates
   * name the owner (Job -> CronJob, Pod -> Job: k8s.owner), and the pod's alert expands to the CronJob; without the
   * owners the CronJob's creator and the miner are two incidents (CiRunnerEscapeScenarioIT without the node role's
   * calls).
   */
  @Test
  void aCronJobsPodJoinsTheIncidentOfWhoeverCreatedTheCronJob() throws Exception {
    String sa = "system:serviceaccount:shop:runner";
    String cronRef = "{\"resource\":\"cronjobs\",\"namespace\":\"shop\",\"name\":\"cc\",\"apiGroup\":\"batch\",\"apiVersion\":\"v1\"}";
    String cron = "{\"kind\":\"CronJob\",\"apiVersion\":\"batch/v1\",\"metadata\":{\"name\":\"cc\",\"namespace\":\"shop\"},"
        + "\"spec\":{\"schedule\":\"*/10 * * * *\",\"jobTemplate\":{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"m\",\"image\":\"x\"}]}}}}}}";
    String created = event("1", sa, "create", "/apis/batch/v1/namespaces/shop/cronjobs", cronRef, 201, cron)
        .replace("\"username\":\"" + sa + "\"}", "\"username\":\"" + sa + "\",\"extra\":{\"authentication.kubernetes.io/pod-name\":[\"job-1\"]}}");
    String jobRef = "{\"resource\":\"jobs\",\"namespace\":\"shop\",\"name\":\"cc-29924050\",\"apiGroup\":\"batch\",\"apiVersion\":\"v1\"}";
    String job = "{\"kind\":\"Job\",\"apiVersion\":\"batch/v1\",\"metadata\":{\"name\":\"cc-29924050\",\"namespace\":\"shop\","
        + "\"ownerReferences\":[{\"apiVersion\":\"batch/v1\",\"kind\":\"CronJob\",\"name\":\"cc\",\"controller\":true}]}}";
    String minerRef = "{\"resource\":\"pods\",\"namespace\":\"shop\",\"name\":\"cc-29924050-7sk4d\",\"apiVersion\":\"v1\"}";
    String miner = "{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"cc-29924050-7sk4d\",\"namespace\":\"shop\","
        + "\"ownerReferences\":[{\"apiVersion\":\"batch/v1\",\"kind\":\"Job\",\"name\":\"cc-29924050\",\"controller\":true}]},"
        + "\"spec\":{\"containers\":[{\"name\":\"m\",\"image\":\"x\"}]}}";
    String jobCreate = event("2", "system:serviceaccount:kube-system:cronjob-controller", "create",
        "/apis/batch/v1/namespaces/shop/jobs", jobRef, 201, job).replace("203.0.113.9", "10.0.0.12")
        .replace("10:00:00.100000Z", "10:10:00.100000Z").replace("10:00:00.000000Z", "10:10:00.000000Z");
    String podCreate = event("3", "system:serviceaccount:kube-system:job-controller", "create",
        "/api/v1/namespaces/shop/pods", minerRef, 201, miner).replace("203.0.113.9", "10.0.0.12")
        .replace("10:00:00.100000Z", "10:10:00.200000Z").replace("10:00:00.000000Z", "10:10:00.100000Z");
    java.time.Instant t = java.time.Instant.parse("2024-05-01T10:00:00Z");
    for (boolean owners : List.of(true, false)) {
      Path d = dir.resolve("cron-" + owners + "/var/log/kubernetes/audit/audit.log");
      Files.createDirectories(d.getParent());
      String lines = created + "\n" + jobCreate + "\n" + podCreate + "\n";
      Files.writeString(d, owners ? lines : lines.replace("\"ownerReferences\"", "\"x-ownerReferences\""));
      List<EvidenceEvent> events = new ArrayList<>(SigmaFixtures.parse(dir.resolve("cron-" + owners)));
      events.forEach(e -> {
        e.getKubernetes().setCluster("prod");
        e.setCloud(dev.strata.schema.event.Cloud.newBuilder().setProvider("aws").setAccountUid("111122223333").build());
      });
      events.add(IncidentGrouperTest.falco("job-alert", t.minusSeconds(60), "ip-10-0-1-10", "3f4e5d6c7b8a" + "0".repeat(52), "job-1"));
      // the miner on another node, 10 minutes later
      events.add(IncidentGrouperTest.falco("miner-alert", t.plusSeconds(605), "ip-10-0-1-11", "9a8b7c6d5e4f" + "0".repeat(52),
          "cc-29924050-7sk4d"));
      List<dev.strata.schema.correlate.Incident> incs = IncidentEngine.incidentsOf(events, IncidentSettings.defaults());
      assertThat(incs).as("with the owners: " + owners).hasSize(owners ? 1 : 2);
    }
  }
}
