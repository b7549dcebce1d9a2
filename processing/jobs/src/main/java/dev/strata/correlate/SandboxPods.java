package dev.strata.correlate;

import dev.strata.schema.correlate.EntityBinding;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A CRI container's pod from its pod sandbox's. containerd names the pod only on the sandbox's lines ({@code
 * RunPodSandbox ... returns sandbox id}, the debug {@code generated id for sandbox name}); a container's {@code
 * CreateContainer within sandbox "S"}, its start, its exit and its CNI address name the sandbox or nothing. On a
 * node whose log spans several chunks (the normal case: 512 KiB chunks, days of log) or several artifacts (a rotated
 * journal, the EKS log collector's containerd-log.txt next to a later journal export), the sandbox's line is
 * elsewhere: the parser cannot carry the pod, so the job joins it.
 *
 * <p>Statements meet at the sandbox ({@link #sandbox}): its own {@code container_pod} (the sandbox is the pause
 * container of its pod), the {@code container_sandbox} of each container created in it, and the address its CNI
 * result gave it ({@code ip_container} on the host, stated by a daemon log line that did not know the pod). Each
 * member with the sandbox's pod yields the statement the line would have made with the pod in the same chunk
 * ({@link #join}): {@code container_pod} for a container, {@code ip_pod} for the address, with the member's start,
 * lineage and event id, so its id is the one the in-chunk statement gets (a derivation and a direct statement are
 * one statement, whichever arrives). The join is a function of the pair: the same whatever the arrival order.
 */
public final class SandboxPods {
  /**
   * Sources that state a sandbox's own pod: the runtimes' daemon logs, crictl inspectp, the VPC CNI's plugin.log (its
   * ADD / DEL request names the sandbox's pod) and ipamd.log's debug dump of that request ({@code AddNetworkRequest:};
   * ipamd's other lines and the plugin's answer to a request in another chunk name the sandbox and its address only),
   * a containerd sandbox's own OCI {@code config.json} (annotations {@code io.kubernetes.cri.sandbox-*}; only while the
   * pod runs: the task directory is removed with it), the kubelet's log (its PLEG relists sandboxes as it does
   * containers: {@code "SyncLoop (PLEG): event for pod" pod="ns/p" event={..."ContainerStarted","Data":"S"}}). Not Falco / Tetragon ({@code container.id} is an app
   * container's: the pause process is never theirs to report) nor the audit log's {@code containerStatuses} (app
   * containers only: no sandbox id).
   */
  static final Set<String> SANDBOX_POD_SOURCES = Set.of("containerd_daemon_log", "crio_daemon_log",
      "crictl_inspect", "aws_vpc_cni", "oci_runtime_config", "kubelet_log");
  /** What a sandbox's pod statement says about the pod (its container's own fields stay the member's). */
  private static final Set<String> POD_ATTRS =
      Set.of(Attr.CLUSTER, Attr.NAMESPACE, Attr.POD_NAME, Attr.POD_UID, Attr.NODE_NAME, Attr.ACCOUNT_UID);

  private SandboxPods() {}

  /**
   * The sandbox (full id) at which {@code b} joins, or null: the subject of a runtime's own {@code container_pod}
   * (a sandbox's pod; an app container's too, which no member names), the object of {@code container_sandbox}, the
   * container holding a daemon log's {@code ip_container}. Closing statements do not join.
   */
  public static String sandbox(EntityBinding b) {
    if (BindingExtractor.isClosing(b)) return null;
    BindingKind kind = BindingKind.of(b.getKind());
    if (kind == null) return null;
    String id =
        switch (kind) {
          case CONTAINER_POD -> SANDBOX_POD_SOURCES.contains(b.getSourceFormat()) ? b.getSubject().getKey() : null;
          case CONTAINER_SANDBOX -> b.getObject().getKey();
          case IP_CONTAINER -> BindingExtractor.statesSandboxAddress(b) ? b.getObject().getKey() : null;
          default -> null;
        };
    return id == null || id.length() < 12 ? null : id;
  }

  /** Whether {@code b} is the sandbox's own pod (else a member waiting for it). */
  public static boolean isPod(EntityBinding b) {
    return BindingKind.CONTAINER_POD.id().equals(b.getKind());
  }

  /**
   * What {@code member} states with the sandbox's pod {@code pod} (the pod's {@code container_pod} statement): a
   * container's {@code container_pod}; for the sandbox's address, {@code ip_pod} and the sandbox's own {@code
   * container_pod} from that line's time (what the CNI result line states when it knows the pod). Empty when they do
   * not meet (another sandbox sharing the 12-char key, a member of no known kind).
   */
  public static List<EntityBinding> join(BindingExtractor x, EntityBinding pod, EntityBinding member) {
    return joinMember(x, pod, member);
  }

  /**
   * The sandbox's own pod from one of its app containers' ({@code container_pod} of a source that names app containers
   * only: the audit log's {@code containerStatuses}, a sensor's k8s fields) and that container's {@code
   * container_sandbox} (containerd's {@code CreateContainer within sandbox "S"}): the sandbox is that pod's, from the
   * container's creation line (with its lineage and format: a runtime's statement of the sandbox's pod, which {@link
   * #sandbox} then takes for the sandbox's own). Null when they do not name one container or the pod statement is a
   * sandbox's pod source already (its own pod statements join without this).
   */
  public static EntityBinding sandboxPodOfContainer(BindingExtractor x, EntityBinding containerPod,
      EntityBinding containerSandbox) {
    if (!BindingKind.CONTAINER_POD.id().equals(containerPod.getKind())
        || !BindingKind.CONTAINER_SANDBOX.id().equals(containerSandbox.getKind())
        || BindingExtractor.isClosing(containerPod) || BindingExtractor.isClosing(containerSandbox)
        || SANDBOX_POD_SOURCES.contains(containerPod.getSourceFormat())
        || !containerPod.getSubject().getKey().equals(containerSandbox.getSubject().getKey())) {
      return null;
    }
    Map<String, String> a = new LinkedHashMap<>();
    for (Map.Entry<String, String> p : containerPod.getAttributes().entrySet()) {
      if (POD_ATTRS.contains(p.getKey())) a.put(p.getKey(), p.getValue());
    }
    String sandbox = containerSandbox.getObject().getKey();
    a.put(Attr.CONTAINER_UID, sandbox);
    a.put(APP_CONTAINER, containerPod.getSubject().getKey());
    float confidence = Math.min(containerPod.getConfidence(), containerSandbox.getConfidence());
    return x.derived(BindingKind.CONTAINER_POD, "", sandbox, containerPod.getObject().getScope(),
        containerPod.getObject().getKey(), a, confidence, containerSandbox);
  }

  /** Attribute of a sandbox's pod found through an app container's: that container (not an enrichment field). */
  public static final String APP_CONTAINER = "sandbox_pod_by_container";

  private static List<EntityBinding> joinMember(BindingExtractor x, EntityBinding pod, EntityBinding member) {
    String sandbox = pod.getSubject().getKey();
    if (!sandbox.equals(sandbox(member)) || isPod(member)) return List.of();
    Map<String, String> a = new LinkedHashMap<>();
    for (Map.Entry<String, String> p : pod.getAttributes().entrySet()) {
      if (POD_ATTRS.contains(p.getKey())) a.put(p.getKey(), p.getValue());
    }
    float confidence = Math.min(pod.getConfidence(), member.getConfidence());
    String podScope = pod.getObject().getScope();
    String podKey = pod.getObject().getKey();
    if (BindingKind.CONTAINER_SANDBOX.id().equals(member.getKind())) {
      a.putAll(member.getAttributes());
      String container = member.getSubject().getKey();
      EntityBinding inPod = x.derived(BindingKind.CONTAINER_POD, "", container, podScope, podKey, a, confidence, member);
      String name = a.get(Attr.CONTAINER_NAME);
      if (name == null) return List.of(inPod);
      return List.of(inPod, x.derived(BindingKind.POD_CONTAINER, podScope, podKey + "/" + name, "", container, a,
          confidence, member));
    }
    // the sandbox's address: scoped as the in-chunk ip_pod is, by the node's account, else by the cluster
    String account = member.getAttributes().get(Attr.ACCOUNT_UID);
    if (account != null) a.put(Attr.ACCOUNT_UID, account);
    a.put(Attr.CONTAINER_UID, sandbox);
    String scope = account != null ? "aws:" + account : podScope;
    return List.of(
        x.derived(BindingKind.IP_POD, scope, member.getSubject().getKey(), podScope, podKey, a, confidence, member),
        x.derived(BindingKind.CONTAINER_POD, "", sandbox, podScope, podKey, a, confidence, member));
  }
}
