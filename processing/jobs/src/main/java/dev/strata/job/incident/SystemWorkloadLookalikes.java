package dev.strata.job.incident;

import dev.strata.job.incident.SignalRules.Signal;
import dev.strata.schema.correlate.AttackStage;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.event.Resource;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * A workload written into a system namespace under a name one slip from a system component's (MITRE ATT&amp;CK T1036.005
 * Masquerading: Match Legitimate Name or Location, in the place a responder reads past: the daemonset scenario's
 * {@code kube-system/node-problern-detector} beside the real node-problem-detector), by someone who is not the
 * cluster's own machinery. Signal {@code system_workload_lookalike}, stage persistence (a workload the cluster keeps
 * running on its own, disguised), High when its image is not from a registry the system components come from (the
 * scenario's {@code docker.io/kubeagents/node-problem-detector}), Medium when it is or when the record holds no image
 * (Metadata level). Joined to the request's other signal ({@link ImageLookalikes#with}: the earlier rule's stage).
 *
 * <p>Judged: a Kubernetes audit {@code create}, {@code update} or {@code patch} (no subresource) of pods, deployments,
 * daemonsets, statefulsets, replicasets, replicationcontrollers, jobs or cronjobs in {@code kube-system},
 * {@code kube-public} or {@code kube-node-lease}, whose name (a pod's also without its generated suffix) is not a
 * listed component's but is one edit from one (Damerau-Levenshtein 1, listed names of 5 characters and more) or the
 * same once homoglyphs and separators are folded ({@link ImageLookalikes#lookalike}). Not judged, against false
 * positives: the cluster's own machinery (the controllers' and add-ons' {@code system:serviceaccount:kube-system:*}
 * accounts, the other {@code system:} users: kube-scheduler, kube-controller-manager, the nodes; EKS's {@code eks:*}
 * users: the add-on manager's {@code aws-node} / {@code kube-proxy} / {@code coredns} rollouts); a listed name itself
 * (a rollout or a reinstall of the real add-on, by anybody); a name near no listed one, whatever its image (Helm charts
 * install into {@code kube-system} from Docker Hub every day: sealed-secrets, external-dns, reloaders: an image rule
 * alone would flag them).
 */
final class SystemWorkloadLookalikes {
  private SystemWorkloadLookalikes() {}

  static final String REASON = "system_workload_lookalike";

  static final Set<String> SYSTEM_NAMESPACES = Set.of("kube-system", "kube-public", "kube-node-lease");

  static final Set<String> WORKLOADS = Set.of("pods", "deployments", "daemonsets", "statefulsets", "replicasets",
      "replicationcontrollers", "jobs", "cronjobs");

  /**
   * The system components' workload names: Kubernetes' own (kubeadm's static pods and add-ons), EKS's, GKE's and AKS's
   * managed add-ons, and the CNI, CSI and DNS add-ons installed in {@code kube-system} by their projects' defaults.
   */
  static final Set<String> COMPONENTS = new TreeSet<>(Set.of(
      // Kubernetes, kubeadm
      "kube-proxy", "coredns", "kube-dns", "kube-apiserver", "kube-controller-manager", "kube-scheduler",
      "etcd", "node-problem-detector", "metrics-server", "cluster-autoscaler", "kube-state-metrics",
      "node-local-dns", "nodelocaldns", "konnectivity-agent", "konnectivity-server", "ip-masq-agent",
      "event-exporter", "dns-autoscaler", "coredns-autoscaler", "kube-dns-autoscaler",
      // EKS
      "aws-node", "eks-pod-identity-agent", "ebs-csi-controller", "ebs-csi-node", "efs-csi-controller",
      "efs-csi-node", "aws-load-balancer-controller", "aws-cloud-controller-manager", "cloudwatch-agent",
      "aws-for-fluent-bit", "fluent-bit", "kube-proxy-windows", "aws-node-termination-handler",
      "s3-csi-node", "fsx-csi-controller", "fsx-csi-node", "secrets-store-csi-driver",
      "csi-secrets-store-provider-aws", "eks-node-monitoring-agent", "aws-guardduty-agent",
      // GKE
      "gke-metadata-server", "gke-metrics-agent", "fluentbit-gke", "pdcsi-node", "netd", "anetd",
      "l7-default-backend", "konnectivity-agent-autoscaler", "metadata-proxy",
      "nvidia-gpu-device-plugin", "filestore-node",
      // AKS
      "azure-ip-masq-agent", "cloud-node-manager", "csi-azuredisk-node", "csi-azurefile-node",
      "csi-azuredisk-controller", "csi-azurefile-controller", "azure-cns", "azure-npm", "omsagent", "ama-logs",
      "ama-metrics", "tunnelfront", "aks-link", "retina-agent",
      // CNIs and their controllers
      "calico-node", "calico-kube-controllers", "calico-typha", "cilium", "cilium-operator", "cilium-envoy",
      "kube-flannel-ds", "kube-flannel", "weave-net", "antrea-agent", "antrea-controller", "kube-router",
      "canal", "multus", "kube-multus-ds"));

  /**
   * The registries (and, for the shared ones, the repository prefixes) the system components' images come from:
   * Kubernetes' own, EKS's add-on registries (any account's ECR, public.ecr.aws/eks*), GKE's, AKS's, and the CNI
   * projects' own. An image elsewhere in a system namespace under a component's name is what the scenario's looks like.
   */
  static final Set<String> SYSTEM_IMAGE_PREFIXES = Set.of("registry.k8s.io/", "k8s.gcr.io/", "gcr.io/google-containers/",
      "gcr.io/google_containers/", "gcr.io/gke-release/", "gke.gcr.io/", "gcr.io/k8s-staging-", "public.ecr.aws/eks/",
      "public.ecr.aws/eks-distro/", "public.ecr.aws/ebs-csi-driver/", "public.ecr.aws/efs-csi-driver/",
      "public.ecr.aws/aws-observability/", "public.ecr.aws/aws-ec2/", "public.ecr.aws/cloudwatch-agent/",
      "mcr.microsoft.com/", "quay.io/cilium/", "quay.io/calico/", "docker.io/calico/", "quay.io/tigera/",
      "docker.io/flannel/", "docker.io/rancher/mirrored-flannelcni-", "docker.io/weaveworks/", "projects.registry.vmware.com/antrea/",
      "docker.io/antrea/", "docker.io/coredns/", "docker.io/cloudnativelabs/kube-router");

  /** The signal of a lookalike system workload write, or null. */
  static Signal classify(EvidenceEvent e) {
    if (!"k8s_audit".equals(e.getSourceFormat()) || e.getResources() == null || e.getResources().isEmpty()) return null;
    Resource r = e.getResources().get(0);
    String verb = e.getApi() == null || e.getApi().getOperation() == null ? "" : e.getApi().getOperation();
    if (!verb.equals("create") && !verb.equals("update") && !verb.equals("patch")) return null;
    if (r.getSubresource() != null && !r.getSubresource().isEmpty()) return null;
    if (r.getType() == null || !WORKLOADS.contains(r.getType()) || r.getName() == null) return null;
    String ns = r.getNamespace() != null ? r.getNamespace()
        : e.getKubernetes() == null ? null : e.getKubernetes().getNamespace();
    if (ns == null || !SYSTEM_NAMESPACES.contains(ns)) return null;
    String user = e.getActor() == null ? null : e.getActor().getUserName();
    if (user == null || clusterMachinery(user)) return null;
    String name = r.getName().toLowerCase(Locale.ROOT);
    if (imitated(name) == null && !("pods".equals(r.getType()) && name.lastIndexOf('-') > 0
        && imitated(name.substring(0, name.lastIndexOf('-'))) != null)) {
      return null;
    }
    boolean foreign = false;
    for (String image : ImageLookalikes.images(e)) foreign |= !systemImage(image);
    return new Signal(AttackStage.PERSISTENCE, foreign ? 4 : 3, REASON);
  }

  /**
   * What the row adds to the request's summary: the component the name imitates and the images not from a system
   * registry, e.g. {@code (kube-system/node-problern-detector: one slip from the system component
   * node-problem-detector; image docker.io/kubeagents/node-problem-detector:v0.8.19 from no registry the system
   * components use)}.
   */
  static String note(EvidenceEvent e) {
    Resource r = e.getResources().get(0);
    String name = r.getName().toLowerCase(Locale.ROOT);
    String like = imitated(name);
    if (like == null && name.lastIndexOf('-') > 0) like = imitated(name.substring(0, name.lastIndexOf('-')));
    String ns = r.getNamespace() != null ? r.getNamespace() : e.getKubernetes().getNamespace();
    StringBuilder b = new StringBuilder(" (" + ns + "/" + r.getName() + ": one slip from the system component " + like);
    java.util.Set<String> foreign = new java.util.LinkedHashSet<>();
    for (String image : ImageLookalikes.images(e)) if (!systemImage(image)) foreign.add(image);
    if (!foreign.isEmpty()) {
      b.append("; image ").append(String.join(", ", foreign)).append(" from no registry the system components use");
    }
    return b.append(')').toString();
  }

  /** The component {@code name} imitates, or null (a listed name itself imitates nothing). */
  static String imitated(String name) {
    return ImageLookalikes.lookalike(name, COMPONENTS, 5);
  }

  /** The controllers, the nodes, the scheduler, the add-ons' accounts, EKS's own users. */
  static boolean clusterMachinery(String user) {
    if (user.startsWith("system:serviceaccount:")) return user.startsWith("system:serviceaccount:kube-system:");
    return (user.startsWith("system:") && !user.equals("system:anonymous")) || user.startsWith("eks:");
  }

  /** Whether {@code image} comes from a registry the system components use ({@link #SYSTEM_IMAGE_PREFIXES}). */
  static boolean systemImage(String image) {
    String ref = image.trim().toLowerCase(Locale.ROOT);
    if (ref.matches("^[0-9]{12}\\.dkr\\.ecr(-fips)?\\.[a-z0-9-]+\\.amazonaws\\.com(\\.cn)?/.*")) return true;
    for (String p : SYSTEM_IMAGE_PREFIXES) if (ref.startsWith(p)) return true;
    return false;
  }
}
