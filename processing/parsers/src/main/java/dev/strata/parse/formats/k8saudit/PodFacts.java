package dev.strata.parse.formats.k8saudit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.parse.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What an audited pod object states about the pod: identity, placement, network and risky settings. Read from the
 * audit event's requestObject / responseObject (full Pod objects on create/update, strategic-merge patches on
 * {@code patch pods/status}, Binding objects on {@code create pods/binding}); every field is optional, partial
 * objects give partial facts. The correlation job builds its pod bindings from these (pod IP -> pod, pod -> node,
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
  static PodFacts of(String responseObject, String requestObject, String namespace) {
    PodFacts a = parse(responseObject, namespace);
    PodFacts b = parse(requestObject, namespace);
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

  static PodFacts parse(String json, String namespace) {
    if (json == null || !json.startsWith("{")) return NONE;
    String topKind = topLevelKind(json);
    if (topKind != null && !"Pod".equals(topKind) && !"Binding".equals(topKind)) {
      return NONE; // a ConfigMap, Status, DeleteOptions, ... : no tree built (the API server writes kind first)
    }
    JsonNode root;
    try {
      root = Json.MAPPER.readTree(json);
    } catch (IOException | RuntimeException e) {
      return NONE; // cut at the size bound or odd JSON: no facts
    }
    if (root == null || !root.isObject()) return NONE;
    String kind = text(root, "kind");
    if ("Binding".equals(kind)) {
      JsonNode target = root.get("target");
      String node = "Node".equals(text(target, "kind")) || text(target, "kind") == null ? text(target, "name") : null;
      return new PodFacts(text(root.get("metadata"), "uid"), node, null, null, List.of(), null, null, Set.of(),
          List.of());
    }
    if (kind != null && !"Pod".equals(kind)) return NONE; // Status, DeleteOptions, PodList, ...
    JsonNode spec = root.get("spec");
    JsonNode status = root.get("status");
    String sa = text(spec, "serviceAccountName");
    if (sa == null) sa = text(spec, "serviceAccount");
    String ns = text(root.get("metadata"), "namespace");
    if (ns == null) ns = namespace;
    String serviceAccount = sa == null ? null : (ns == null ? sa : ns + "/" + sa);
    List<String> ips = new ArrayList<>();
    JsonNode podIps = status == null ? null : status.get("podIPs");
    if (podIps != null && podIps.isArray()) {
      for (JsonNode i : podIps) {
        String ip = text(i, "ip");
        if (ip != null && !ips.contains(ip)) ips.add(ip);
      }
    }
    String podIp = text(status, "podIP");
    if (podIp == null && !ips.isEmpty()) podIp = ips.get(0);
    if (podIp != null && !ips.contains(podIp)) ips.add(0, podIp);

    Set<String> risks = new LinkedHashSet<>();
    List<String> hostPaths = new ArrayList<>();
    if (spec != null) {
      if (spec.path("hostNetwork").asBoolean(false)) risks.add("host_network");
      if (spec.path("hostPID").asBoolean(false)) risks.add("host_pid");
      if (spec.path("hostIPC").asBoolean(false)) risks.add("host_ipc");
      for (String list : new String[] {"initContainers", "containers", "ephemeralContainers"}) {
        JsonNode cs = spec.get(list);
        if (cs == null || !cs.isArray()) continue;
        for (JsonNode c : cs) {
          JsonNode sc = c.get("securityContext");
          if (sc == null) continue;
          if (sc.path("privileged").asBoolean(false)) risks.add("privileged");
          if (sc.path("allowPrivilegeEscalation").asBoolean(false)) risks.add("allow_privilege_escalation");
          if (sc.has("runAsUser") && sc.path("runAsUser").asLong(-1) == 0) risks.add("run_as_root");
          JsonNode add = sc.path("capabilities").get("add");
          if (add != null && add.isArray()) {
            for (JsonNode cap : add) {
              String n = cap.asText("").toUpperCase(java.util.Locale.ROOT);
              if (n.equals("SYS_ADMIN") || n.equals("CAP_SYS_ADMIN") || n.equals("ALL") || n.equals("SYS_PTRACE")
                  || n.equals("CAP_SYS_PTRACE") || n.equals("NET_ADMIN") || n.equals("CAP_NET_ADMIN")
                  || n.equals("SYS_MODULE") || n.equals("CAP_SYS_MODULE")) {
                risks.add("cap_" + n.replace("CAP_", "").toLowerCase(java.util.Locale.ROOT));
              }
            }
          }
        }
      }
      JsonNode vols = spec.get("volumes");
      if (vols != null && vols.isArray()) {
        for (JsonNode v : vols) {
          String p = text(v.get("hostPath"), "path");
          if (p != null) {
            hostPaths.add(p);
            risks.add("host_path");
            if (p.equals("/") || p.endsWith("docker.sock") || p.endsWith("containerd.sock") || p.endsWith("crio.sock")
                || p.equals("/proc") || p.equals("/etc") || p.startsWith("/var/run") || p.startsWith("/run")) {
              risks.add("sensitive_host_path");
            }
          }
        }
      }
    }
    return new PodFacts(text(root.get("metadata"), "uid"), text(spec, "nodeName"), serviceAccount, podIp,
        List.copyOf(ips), text(status, "hostIP"), text(status, "phase"), risks, List.copyOf(hostPaths));
  }

  /** The object's top-level {@code kind}, read by streaming over the top-level fields; null if absent or odd. */
  static String topLevelKind(String json) {
    try (com.fasterxml.jackson.core.JsonParser p = Json.FACTORY.createParser(json)) {
      if (p.nextToken() != com.fasterxml.jackson.core.JsonToken.START_OBJECT) return null;
      while (p.nextToken() == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
        String f = p.currentName();
        com.fasterxml.jackson.core.JsonToken t = p.nextToken();
        if ("kind".equals(f)) return t == com.fasterxml.jackson.core.JsonToken.VALUE_STRING ? p.getText() : null;
        p.skipChildren();
      }
    } catch (IOException | RuntimeException e) {
      return null; // cut at the size bound: let the tree read decide
    }
    return null;
  }

  private static String text(JsonNode n, String field) {
    if (n == null) return null;
    JsonNode v = n.get(field);
    if (v == null || !v.isValueNode() || v.isNull()) return null;
    String s = v.asText();
    return s.isBlank() ? null : s;
  }

  private static String first(String a, String b) {
    return a != null ? a : b;
  }
}
