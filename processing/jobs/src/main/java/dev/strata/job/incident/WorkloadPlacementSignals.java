package dev.strata.job.incident;

import dev.strata.job.incident.SignalRules.Signal;
import dev.strata.schema.correlate.AttackStage;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.event.Resource;
import java.io.Serializable;
import java.util.Set;

/**
 * A workload's service account creating a pod or a workload in another namespace than its own
 * ({@code service_account_workload_other_namespace}): the token of a pod reaching out to run code in another tenant's or
 * team's namespace (crio scenario: a notebook's token, stolen in its reverse shell, created a privileged pod in
 * {@code ml-batch} and took the node from it). Judged on what every audit level records ({@code user.username},
 * {@code verb}, {@code objectRef.resource} / {@code namespace}), so it holds at {@code Metadata} level, where the
 * request body that would say "privileged" is absent.
 *
 * <table>
 *   <tr><th>request</th><th>stage</th><th>severity</th></tr>
 *   <tr><td>create of pods, deployments, daemonsets, statefulsets, replicasets, replicationcontrollers, jobs,
 *       cronjobs in {@code kube-system} by a service account of another namespace</td><td>privilege_escalation (the
 *       system namespace's service accounts and host-level pods are the cluster's)</td><td>High</td></tr>
 *   <tr><td>... in any other namespace than the account's own</td><td>execution (ATT&amp;CK T1610, deploy a
 *       container)</td><td>Medium</td></tr>
 * </table>
 *
 * Not judged: service accounts of {@link #deployerNamespaces} (default {@link #DEFAULT_DEPLOYER_NAMESPACES}: the
 * cluster's own controllers and add-ons, GitOps controllers and operators that create workloads everywhere by design), creates in the account's own namespace
 * (CI executors, Spark and Airflow drivers create their pods next to themselves), updates and patches (operators and
 * reloaders patch workloads of other namespaces routinely), denied creates count (intent). The request's pod (the
 * created pod, or for a workload the token's pod) and the token's pod ({@code k8s.token.pod}, from {@code user.extra}
 * at any audit level) are the signal's entities ({@link EntityKeys}): it links the creator's incident to the created
 * pod's.
 */
public final class WorkloadPlacementSignals implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The resources whose create runs new code: pods and the workloads that make pods. */
  static final Set<String> CREATED = Set.of("pods", "deployments", "daemonsets", "statefulsets", "replicasets",
      "replicationcontrollers", "jobs", "cronjobs");

  private final Set<String> deployerNamespaces;

  public WorkloadPlacementSignals(Set<String> deployerNamespaces) {
    this.deployerNamespaces = Set.copyOf(deployerNamespaces);
  }

  /**
   * The namespaces whose service accounts create workloads in other namespaces by design, by their projects' default
   * install namespaces: the cluster's own controllers and add-ons ({@code kube-system}); GitOps controllers (Argo CD
   * {@code argocd}, Flux {@code flux-system}, Rancher Fleet {@code cattle-fleet-system} / {@code fleet-system}, Rancher's
   * agent {@code cattle-system}); controllers that run their users' pods in the users' namespaces (Argo Workflows
   * {@code argo}, Tekton {@code tekton-pipelines}, Knative {@code knative-serving}, KEDA {@code keda}, the Spark
   * operator {@code spark-operator}, Kubeflow {@code kubeflow}, cert-manager's ACME solver pods {@code cert-manager},
   * Velero's restore pods {@code velero}). A deployment that installs them elsewhere lists its own in {@code
   * incident.deployer_namespaces} ({@link IncidentSettings#deployerNamespaces(java.util.Collection)}: the item {@code
   * defaults} keeps this list, a list without it replaces it).
   */
  public static final Set<String> DEFAULT_DEPLOYER_NAMESPACES = Set.of("kube-system", "argocd", "flux-system",
      "cattle-fleet-system", "fleet-system", "cattle-system", "argo", "tekton-pipelines", "knative-serving", "keda",
      "spark-operator", "kubeflow", "cert-manager", "velero");

  public static WorkloadPlacementSignals defaults() {
    return new WorkloadPlacementSignals(DEFAULT_DEPLOYER_NAMESPACES);
  }

  /** The signal of a service account's audit record ({@code system:serviceaccount:<ns>:<name>}), or null. */
  public Signal classify(EvidenceEvent e) {
    String user = e.getActor() == null ? null : e.getActor().getUserName();
    if (user == null || !user.startsWith("system:serviceaccount:")) return null;
    if (e.getResources() == null || e.getResources().isEmpty()) return null;
    Resource r = e.getResources().get(0);
    String verb = e.getApi() == null ? null : e.getApi().getOperation();
    if (!"create".equals(verb) || r.getType() == null || !CREATED.contains(r.getType())) return null;
    if (r.getSubresource() != null && !r.getSubresource().isEmpty()) return null; // pods/exec, pods/binding ...
    String own = namespaceOf(user);
    String target = r.getNamespace();
    if (own == null || target == null || target.isEmpty() || own.equals(target)) return null;
    if (deployerNamespaces.contains(own)) return null;
    return "kube-system".equals(target)
        ? new Signal(AttackStage.PRIVILEGE_ESCALATION, 4, "service_account_workload_other_namespace")
        : new Signal(AttackStage.EXECUTION, 3, "service_account_workload_other_namespace");
  }

  /** {@code system:serviceaccount:<namespace>:<name>} -> the namespace, else null. */
  static String namespaceOf(String user) {
    String rest = user.substring("system:serviceaccount:".length());
    int colon = rest.indexOf(':');
    return colon > 0 ? rest.substring(0, colon) : null;
  }
}
