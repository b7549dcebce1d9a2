package dev.strata.parse.formats.k8saudit;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What an audited pod object states about the pod: identity, placement, network and risky settings. Read from the
 * audit event's requestObject / responseObject as they stream by ({@link AuditedObject}): full Pod objects on
 * create/update, strategic-merge patches on {@code patch pods/status}, Binding objects on {@code create
 * pods/binding}; every field is optional, partial objects give partial facts. The correlation job builds its pod bindings from these (pod IP -> pod, pod -> node,
 * pod -> service account).
 */
record PodFacts(
    String uid,
    String nodeName,
    String serviceAccount,
    String podIp,
    List<String> podIps,
    String hostIp,
    String phase,
    Set<String> risks,
    List<String> hostPaths) {

  static final PodFacts NONE = new PodFacts(null, null, null, null, List.of(), null, null, Set.of(), List.of());

  boolean isEmpty() {
    return uid == null && nodeName == null && serviceAccount == null && podIp == null && hostIp == null
        && phase == null && risks.isEmpty() && hostPaths.isEmpty();
  }

  /** Facts of the first object, completed by the second (the response wins: it is what the server stored). */
  static PodFacts of(AuditedObject response, AuditedObject request, String namespace) {
    PodFacts a = of(response, namespace);
    PodFacts b = of(request, namespace);
    if (a.isEmpty()) return b;
    if (b.isEmpty()) return a;
    Set<String> risks = new LinkedHashSet<>(a.risks);
    risks.addAll(b.risks);
    List<String> paths = new ArrayList<>(a.hostPaths);
    for (String p : b.hostPaths) if (!paths.contains(p)) paths.add(p);
    List<String> ips = new ArrayList<>(a.podIps);
    for (String ip : b.podIps) if (!ips.contains(ip)) ips.add(ip);
    return new PodFacts(first(a.uid, b.uid), first(a.nodeName, b.nodeName),
        first(a.serviceAccount, b.serviceAccount), first(a.podIp, b.podIp), List.copyOf(ips), first(a.hostIp, b.hostIp), first(a.phase, b.phase), risks, paths);
  }

  /**
   * The facts of one streamed object: a Pod (or an object without kind, e.g. a status patch), or a Binding (its
   * uid and target node); any other kind (ConfigMap, Status, DeleteOptions, PodList, ...) states nothing.
   */
  static PodFacts of(AuditedObject o, String namespace) {
    if (o == null || !o.seen) return NONE;
    if ("Binding".equals(o.kind)) {
      String node = o.targetKind == null || "Node".equals(o.targetKind) ? o.targetName : null;
      return new PodFacts(o.uid, node, null, null, List.of(), null, null, Set.of(), List.of());
    }
    if (o.kind != null && !"Pod".equals(o.kind)) return NONE;
    String sa = o.serviceAccountName != null ? o.serviceAccountName : o.serviceAccount;
    String ns = o.namespace != null ? o.namespace : namespace;
    String serviceAccount = sa == null ? null : (ns == null ? sa : ns + "/" + sa);
    List<String> ips = new ArrayList<>(o.podIps);
    String podIp = o.podIp;
    if (podIp == null && !ips.isEmpty()) podIp = ips.get(0);
    if (podIp != null && !ips.contains(podIp)) ips.add(0, podIp);

    return new PodFacts(o.uid, o.nodeName, serviceAccount, podIp, List.copyOf(ips), o.hostIp, o.phase, risksOf(o),
        List.copyOf(o.hostPaths));
  }

  /**
   * The risky settings of a workload's pod template (Deployment, DaemonSet, Job, CronJob, ...: {@link AuditedObject}
   * reads {@code spec.template.spec} into the same fields), response first, as {@link #of(AuditedObject,
   * AuditedObject, String)} merges them; only risks and host paths are set.
   */
  static PodFacts ofTemplate(AuditedObject response, AuditedObject request) {
    Set<String> risks = new LinkedHashSet<>();
    List<String> paths = new ArrayList<>();
    for (AuditedObject o : new AuditedObject[] {response, request}) {
      if (o == null || !o.seen) continue;
      risks.addAll(risksOf(o));
      for (String p : o.hostPaths) if (!paths.contains(p)) paths.add(p);
    }
    return new PodFacts(null, null, null, null, List.of(), null, null, risks, paths);
  }

  private static Set<String> risksOf(AuditedObject o) {
    Set<String> risks = new LinkedHashSet<>();
    if (o.hostNetwork) risks.add("host_network");
    if (o.hostPid) risks.add("host_pid");
    if (o.hostIpc) risks.add("host_ipc");
    risks.addAll(o.initContainerRisks);
    risks.addAll(o.containerRisks);
    risks.addAll(o.ephemeralContainerRisks);
    for (String p : o.hostPaths) {
      risks.add("host_path");
      if (p.equals("/") || p.endsWith("docker.sock") || p.endsWith("containerd.sock") || p.endsWith("crio.sock")
          || p.equals("/proc") || p.equals("/etc") || p.startsWith("/var/run") || p.startsWith("/run")) {
        risks.add("sensitive_host_path");
      }
    }
    return risks;
  }

  private static String first(String a, String b) {
    return a != null ? a : b;
  }
}
