package dev.strata.job.incident;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.detect.sigma.SigmaFixtures;
import dev.strata.job.incident.SignalRules.Signal;
import dev.strata.schema.correlate.AttackStage;
import dev.strata.schema.correlate.Incident;
import dev.strata.schema.event.EvidenceEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A service account creating pods or workloads in another namespace ({@link WorkloadPlacementSignals}), judged on
 * Metadata-level audit lines (no request or response object: only user, verb, objectRef, source address), the shape of
 * the crio scenario's audit log. Lines written here, collected and parsed by the real collector and parser.
 */
class WorkloadPlacementSignalsTest {
  @TempDir Path dir;

  /** A Metadata-level audit line of a bound token of {@code user} issued to pod {@code tokenPod} (null: none). */
  static String metadata(String id, String user, String tokenPod, String verb, String resource, String ns, String name,
      String sub, int code, String time) {
    String extra = tokenPod == null ? "" : ",\"extra\":{\"authentication.kubernetes.io/pod-name\":[\"" + tokenPod
        + "\"],\"authentication.kubernetes.io/node-name\":[\"ip-10-40-3-17\"]}";
    String group = resource.equals("pods") ? "" : resource.equals("jobs") || resource.equals("cronjobs") ? "batch" : "apps";
    return "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"level\":\"Metadata\",\"auditID\":\"" + id
        + "\",\"stage\":\"ResponseComplete\",\"requestURI\":\"/apis/x/namespaces/" + ns + "/" + resource
        + "\",\"verb\":\"" + verb + "\",\"user\":{\"username\":\"" + user + "\"" + extra
        + "},\"sourceIPs\":[\"10.40.3.91\"],\"objectRef\":{\"resource\":\"" + resource + "\",\"namespace\":\"" + ns + "\""
        + (name == null ? "" : ",\"name\":\"" + name + "\"") + (group.isEmpty() ? "" : ",\"apiGroup\":\"" + group + "\"")
        + (sub == null ? "" : ",\"subresource\":\"" + sub + "\"") + ",\"apiVersion\":\"v1\"},\"responseStatus\":{\"metadata\":{},\"code\":"
        + code + "},\"requestReceivedTimestamp\":\"" + time + "\",\"stageTimestamp\":\"" + time + "\"}";
  }

  private List<EvidenceEvent> parse(String name, String... lines) throws Exception {
    Path f = dir.resolve(name + "/var/log/kubernetes/audit/audit.log");
    Files.createDirectories(f.getParent());
    Files.writeString(f, String.join("\n", lines) + "\n");
    List<EvidenceEvent> events = SigmaFixtures.parse(dir.resolve(name));
    assertThat(events).hasSize(lines.length);
    return events;
  }

  private List<Signal> signals(String... lines) throws Exception {
    List<Signal> out = new ArrayList<>();
    for (EvidenceEvent e : parse("s" + lines.length + "-" + Math.abs(String.join("", lines).hashCode()), lines)) {
      out.add(SignalRules.defaults().classify(e));
    }
    return out;
  }

  private static final String T = "2026-11-24T10:08:02.330918Z";
  private static final String NOTEBOOK = "system:serviceaccount:ml:notebook";

  @Test
  void aServiceAccountCreatingAPodInAnotherNamespaceIsExecutionAndInKubeSystemPrivilegeEscalation() throws Exception {
    List<Signal> s = signals(
        metadata("1", NOTEBOOK, "jupyter-0", "create", "pods", "ml-batch", "sync-7x2q", null, 201, T),
        metadata("2", NOTEBOOK, "jupyter-0", "create", "daemonsets", "kube-system", "kube-proxy-x", null, 201, T),
        metadata("3", NOTEBOOK, "jupyter-0", "create", "cronjobs", "shop", "sync", null, 403, T),
        metadata("4", NOTEBOOK, null, "create", "deployments", "ml-batch", "d", null, 201, T));
    assertThat(s.get(0).reason()).isEqualTo("service_account_workload_other_namespace");
    assertThat(s.get(0).stage()).isEqualTo(AttackStage.EXECUTION);
    assertThat(s.get(0).severityId()).isEqualTo(3);
    assertThat(s.get(1).reason()).isEqualTo("service_account_workload_other_namespace");
    assertThat(s.get(1).stage()).as("into kube-system").isEqualTo(AttackStage.PRIVILEGE_ESCALATION);
    assertThat(s.get(1).severityId()).isEqualTo(4);
    assertThat(s.get(2)).as("a denied create counts (intent)").isNotNull();
    assertThat(s.get(3)).as("a legacy token (no pod named) too").isNotNull();
  }

  @Test
  void ownNamespaceControllersDeployersUpdatesAndSubresourcesAreNoPlacementSignal() throws Exception {
    List<Signal> s = signals(
        metadata("1", NOTEBOOK, "jupyter-0", "create", "pods", "ml", "worker-1", null, 201, T),
        metadata("2", "system:serviceaccount:kube-system:replicaset-controller", null, "create", "pods", "shop", "cart-1", null, 201, T),
        metadata("3", "system:serviceaccount:kube-system:helm-installer", null, "create", "deployments", "shop", "cart", null, 201, T),
        metadata("4", NOTEBOOK, "jupyter-0", "patch", "deployments", "ml-batch", "d", null, 200, T),
        metadata("5", NOTEBOOK, "jupyter-0", "create", "pods", "ml-batch", "sync-7x2q", "binding", 201, T),
        metadata("6", NOTEBOOK, "jupyter-0", "create", "configmaps", "ml-batch", "c", null, 201, T),
        metadata("7", "alice@example.com", null, "create", "pods", "ml-batch", "p", null, 201, T));
    assertThat(s.get(0)).as("in its own namespace").isNull();
    assertThat(s.get(1)).as("the controller manager's account").isNull();
    assertThat(s.get(2)).as("kube-system's add-ons deploy everywhere").isNull();
    assertThat(s.get(3)).as("a patch (operators, reloaders)").isNull();
    assertThat(s.get(4)).as("a subresource").isNull();
    assertThat(s.get(5)).as("not a workload").isNull();
    assertThat(s.get(6)).as("a human's create is judged by the human rules (no privilege shown)").isNull();
    EvidenceEvent argo = parse("argo", metadata("8", "system:serviceaccount:argocd:argocd-application-controller", null,
        "create", "deployments", "shop", "cart", null, 201, T)).get(0);
    assertThat(WorkloadPlacementSignals.defaults().classify(argo)).as("Argo CD deploys everywhere by design").isNull();
    EvidenceEvent gitops = parse("gitops", metadata("9", "system:serviceaccount:platform:deployer", null,
        "create", "deployments", "shop", "cart", null, 201, T)).get(0);
    assertThat(WorkloadPlacementSignals.defaults().classify(gitops)).as("an unlisted deployer").isNotNull();
    assertThat(new WorkloadPlacementSignals(java.util.Set.of("kube-system", "platform")).classify(gitops))
        .as("a deployer namespace the deployment lists").isNull();
  }

  /**
   * The crio scenario's shape: the notebook's alert, its token creating a pod in ml-batch, the new pod's alert (on
   * another node) later. The create names the created pod and the token's pod, so as a signal it joins both pods' alerts in one
   * incident; before (context), the two alerts were two incidents when nothing else tied them (no exec).
   */
  /**
   * {@code incident.deployer_namespaces}: a platform team's deployer in {@code platform-deploy} is judged by default,
   * not once listed with the defaults ({@code [defaults, platform-deploy]}: Argo CD stays unjudged), and a list without
   * {@code defaults} replaces them (Argo CD judged again). Through the settings the engine and the job use.
   */
  @Test
  void deployerNamespacesAreASettingThatAddsToOrReplacesTheDefaults() throws Exception {
    List<EvidenceEvent> events = parse("deployers",
        metadata("p1", "system:serviceaccount:platform-deploy:deployer", "deployer-0", "create", "deployments", "shop",
            "web", null, 201, T),
        metadata("a1", "system:serviceaccount:argocd:argocd-application-controller", null, "create", "deployments",
            "shop", "web", null, 201, T));
    IncidentSettings defaults = IncidentSettings.defaults();
    assertThat(defaults.rules().classify(events.get(0))).as("default: judged").isNotNull();
    assertThat(defaults.rules().classify(events.get(1))).as("default: argocd not judged").isNull();
    IncidentSettings added = defaults.withDeployerNamespaces(
        IncidentSettings.deployerNamespaces(List.of("defaults", "platform-deploy")));
    assertThat(added.deployerNamespaces()).contains("platform-deploy", "argocd", "kube-system");
    assertThat(added.rules().classify(events.get(0))).as("added").isNull();
    assertThat(added.rules().classify(events.get(1))).isNull();
    IncidentSettings replaced = defaults.withDeployerNamespaces(
        IncidentSettings.deployerNamespaces(List.of("kube-system", "platform-deploy")));
    assertThat(replaced.deployerNamespaces()).containsExactlyInAnyOrder("kube-system", "platform-deploy");
    assertThat(replaced.rules().classify(events.get(0))).isNull();
    assertThat(replaced.rules().classify(events.get(1))).as("replaced: argocd judged").isNotNull();
    // the engine reads the settings' rules: the signal opens an incident only where the setting judges it
    assertThat(IncidentEngine.incidentsOf(events, defaults)).hasSize(1);
    assertThat(IncidentEngine.incidentsOf(events, added)).isEmpty();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> defaults.withDeployerNamespaces(java.util.Set.of("Not_A_NS")))
        .hasMessageContaining("incident.deployer_namespaces");
  }

  @Test
  void theCreateTiesTheCreatorsPodToTheCreatedPod() throws Exception {
    List<EvidenceEvent> events = new ArrayList<>(parse("tie",
        metadata("c1", NOTEBOOK, "jupyter-0", "create", "pods", "ml-batch", "sync-7x2q", null, 201, T)));
    events.forEach(e -> {
      e.getKubernetes().setCluster("ml-kubeadm");
      e.setCloud(dev.strata.schema.event.Cloud.newBuilder().setProvider("aws").setAccountUid("111122223333").build());
    });
    EvidenceEvent create = events.get(0);
    List<Entity> entities = EntityKeys.extract(create).entities();
    assertThat(entities).filteredOn(en -> en.type().equals(Entity.POD)).extracting(Entity::key)
        .containsExactlyInAnyOrder("ml-batch/sync-7x2q", "ml/jupyter-0");
    Instant t = Instant.parse(T);
    events.add(IncidentGrouperTest.falco("nb-alert", t.minusSeconds(180), "ip-10-40-3-17", "1a2b3c4d5e6f" + "0".repeat(52), "jupyter-0"));
    events.add(IncidentGrouperTest.falco("sync-alert", t.plusSeconds(120), "ip-10-40-3-29", "6f5e4d3c2b1a" + "0".repeat(52), "sync-7x2q"));
    for (EvidenceEvent e : events.subList(1, 3)) {
      e.getKubernetes().setCluster("ml-kubeadm");
      e.getKubernetes().setNamespace(e.getKubernetes().getPodName().equals("jupyter-0") ? "ml" : "ml-batch");
    }
    List<Incident> incs = IncidentEngine.incidentsOf(events, IncidentSettings.defaults());
    assertThat(incs).hasSize(1);
    assertThat(incs.get(0).getSignals()).isEqualTo(3);
    // without the create, the two alerts (two nodes) share nothing
    assertThat(IncidentEngine.incidentsOf(events.subList(1, 3), IncidentSettings.defaults())).hasSize(2);
  }
}
