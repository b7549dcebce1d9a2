package dev.strata.parse.formats.k8saudit;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.strata.parse.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What an audit event's requestObject or responseObject states, collected in one streaming pass while the object
 * goes by (no tree, no second parse of its text): the top-level {@code kind}, {@code metadata.name / uid /
 * namespace}, a Binding's {@code target.kind / name}, and the pod fields {@link PodFacts} is made of:
 * {@code spec.serviceAccountName / serviceAccount / nodeName / hostNetwork / hostPID / hostIPC}, per container of
 * {@code spec.initContainers / containers / ephemeralContainers} its {@code securityContext} (privileged,
 * allowPrivilegeEscalation, runAsUser, capabilities.add), {@code spec.volumes[].hostPath.path} (also inside a
 * workload's {@code spec.template.spec} and a CronJob's {@code spec.jobTemplate.spec.template.spec}), and
 * {@code status.podIP / podIPs[].ip / hostIP / phase}, and a PodExecOptions' / PodAttachOptions' {@code command},
 * {@code container} and {@code tty} (GKE logs an exec's options as its request; the API server's own log has them only
 * in the requestURI), and a RoleBinding's / ClusterRoleBinding's {@code roleRef.kind / name}. Everything else is
 * skipped. Texts are scalar values (numbers
 * and booleans as written); blank texts count as absent. One instance per mapper, {@link #clear()}ed per event.
 */
final class AuditedObject {

  /** The capabilities worth a risk flag, upper case, with and without the CAP_ prefix. */
  private static final java.util.Set<String> RISKY_CAPS =
      java.util.Set.of("SYS_ADMIN", "CAP_SYS_ADMIN", "ALL", "SYS_PTRACE", "CAP_SYS_PTRACE", "NET_ADMIN",
          "CAP_NET_ADMIN", "SYS_MODULE", "CAP_SYS_MODULE");

  /** The object was a JSON object (else nothing below is set). */
  boolean seen;

  String kind;
  String name;
  String uid;
  String namespace;
  String targetKind;
  String targetName;
  /** metadata.ownerReferences: the controller's kind and name (else the first owner's). */
  String ownerKind;
  String ownerName;
  String serviceAccountName;
  String serviceAccount;
  String nodeName;
  boolean hostNetwork;
  boolean hostPid;
  boolean hostIpc;
  /** Container risks in the order PodFacts reports them: initContainers, then containers, then ephemeralContainers. */
  final List<String> initContainerRisks = new ArrayList<>(2);

  final List<String> containerRisks = new ArrayList<>(2);
  final List<String> ephemeralContainerRisks = new ArrayList<>(2);
  final List<String> hostPaths = new ArrayList<>(2);
  String podIp;
  final List<String> podIps = new ArrayList<>(2);
  String hostIp;
  String phase;
  /** A RoleBinding / ClusterRoleBinding's roleRef.kind and roleRef.name. */
  String roleRefKind;
  String roleRefName;
  /**
   * status.containerStatuses (a kubelet's status patch, a pod's response): {name, containerID, image, imageID} each,
   * in order.
   */
  final List<String[]> containerStatuses = new ArrayList<>(2);
  /** PodExecOptions.command (exec, attach: GKE's request), in order. */
  final List<String> command = new ArrayList<>(2);
  /** PodExecOptions / PodAttachOptions.container. */
  String container;
  /** PodExecOptions / PodAttachOptions.tty, null when absent. */
  Boolean tty;

  void clear() {
    seen = hostNetwork = hostPid = hostIpc = false;
    kind = name = uid = namespace = targetKind = targetName = ownerKind = ownerName = null;
    serviceAccountName = serviceAccount = nodeName = podIp = hostIp = phase = null;
    initContainerRisks.clear();
    containerRisks.clear();
    ephemeralContainerRisks.clear();
    hostPaths.clear();
    podIps.clear();
    containerStatuses.clear();
    command.clear();
    container = null;
    tty = null;
    roleRefKind = roleRefName = null;
  }

  /** Streams the object {@code p} is at (START_OBJECT) to its END_OBJECT. */
  void read(JsonParser p) throws IOException {
    seen = true;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String f = p.currentName();
      JsonToken t = p.nextToken();
      switch (f) {
        case "kind" -> kind = text(p);
        case "metadata" -> {
          if (t == JsonToken.START_OBJECT) metadata(p);
          else p.skipChildren();
        }
        case "target" -> {
          if (t == JsonToken.START_OBJECT) target(p);
          else p.skipChildren();
        }
        case "spec" -> {
          if (t == JsonToken.START_OBJECT) spec(p);
          else p.skipChildren();
        }
        case "status" -> {
          if (t == JsonToken.START_OBJECT) status(p);
          else p.skipChildren();
        }
        case "command" -> {
          if (t == JsonToken.START_ARRAY) {
            while (p.nextToken() != JsonToken.END_ARRAY) {
              String c = Json.scalarText(p);
              if (c != null) command.add(c);
            }
          } else {
            String c = text(p);
            if (c != null) command.add(c);
          }
        }
        case "container" -> container = text(p);
        case "roleRef" -> {
          if (t != JsonToken.START_OBJECT) {
            p.skipChildren();
            break;
          }
          while (p.nextToken() == JsonToken.FIELD_NAME) {
            String r = p.currentName();
            p.nextToken();
            switch (r) {
              case "kind" -> roleRefKind = text(p);
              case "name" -> roleRefName = text(p);
              default -> p.skipChildren();
            }
          }
        }
        case "tty" -> tty = bool(p);
        default -> p.skipChildren();
      }
    }
  }

  private void metadata(JsonParser p) throws IOException {
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String f = p.currentName();
      JsonToken t = p.nextToken();
      switch (f) {
        case "name" -> name = t == JsonToken.VALUE_STRING ? p.getText() : skip(p); // as written, even blank
        case "uid" -> uid = text(p);
        case "namespace" -> namespace = text(p);
        case "ownerReferences" -> {
          if (t == JsonToken.START_ARRAY) owners(p);
          else p.skipChildren();
        }
        default -> p.skipChildren();
      }
    }
  }

  /** metadata.ownerReferences: keeps the controller owner (controller: true), else the first one. */
  private void owners(JsonParser p) throws IOException {
    boolean controllerSeen = false;
    while (p.nextToken() == JsonToken.START_OBJECT) {
      String k = null;
      String n = null;
      boolean controller = false;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String f = p.currentName();
        JsonToken t = p.nextToken();
        switch (f) {
          case "kind" -> k = text(p);
          case "name" -> n = text(p);
          case "controller" -> controller = t == JsonToken.VALUE_TRUE;
          default -> p.skipChildren();
        }
      }
      if (k != null && n != null && !controllerSeen && (controller || ownerKind == null)) {
        ownerKind = k;
        ownerName = n;
        controllerSeen = controller;
      }
    }
  }

  private void target(JsonParser p) throws IOException {
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String f = p.currentName();
      p.nextToken();
      switch (f) {
        case "kind" -> targetKind = text(p);
        case "name" -> targetName = text(p);
        default -> p.skipChildren();
      }
    }
  }

  private void spec(JsonParser p) throws IOException {
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String f = p.currentName();
      JsonToken t = p.nextToken();
      switch (f) {
        case "serviceAccountName" -> serviceAccountName = text(p);
        case "serviceAccount" -> serviceAccount = text(p);
        case "nodeName" -> nodeName = text(p);
        case "hostNetwork" -> hostNetwork = bool(p);
        case "hostPID" -> hostPid = bool(p);
        case "hostIPC" -> hostIpc = bool(p);
        case "initContainers" -> containers(p, initContainerRisks);
        case "containers" -> containers(p, containerRisks);
        case "ephemeralContainers" -> containers(p, ephemeralContainerRisks);
        case "template", "jobTemplate" -> {
          // a workload's pod template (Deployment, DaemonSet, StatefulSet, ReplicaSet, ReplicationController, Job);
          // a CronJob's jobTemplate holds a Job spec, whose template holds the pod spec
          if (t != JsonToken.START_OBJECT) {
            p.skipChildren();
            break;
          }
          while (p.nextToken() == JsonToken.FIELD_NAME) {
            String tf = p.currentName();
            JsonToken tt = p.nextToken();
            if ("spec".equals(tf) && tt == JsonToken.START_OBJECT) spec(p);
            else p.skipChildren();
          }
        }
        case "volumes" -> {
          if (t != JsonToken.START_ARRAY) {
            p.skipChildren();
            break;
          }
          while (p.nextToken() != JsonToken.END_ARRAY) {
            if (p.currentToken() != JsonToken.START_OBJECT) {
              p.skipChildren();
              continue;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
              String v = p.currentName();
              JsonToken vt = p.nextToken();
              if ("hostPath".equals(v) && vt == JsonToken.START_OBJECT) {
                String path = member(p, "path");
                if (path != null) hostPaths.add(path);
              } else {
                p.skipChildren();
              }
            }
          }
        }
        default -> p.skipChildren();
      }
    }
  }

  /** A container list: each container's securityContext risks appended in container order. */
  private static void containers(JsonParser p, List<String> risks) throws IOException {
    if (p.currentToken() != JsonToken.START_ARRAY) {
      p.skipChildren();
      return;
    }
    while (p.nextToken() != JsonToken.END_ARRAY) {
      if (p.currentToken() != JsonToken.START_OBJECT) {
        p.skipChildren();
        continue;
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String f = p.currentName();
        JsonToken t = p.nextToken();
        if ("securityContext".equals(f) && t == JsonToken.START_OBJECT) securityContext(p, risks);
        else p.skipChildren();
      }
    }
  }

  private static void securityContext(JsonParser p, List<String> risks) throws IOException {
    boolean privileged = false, escalation = false, root = false;
    List<String> caps = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String f = p.currentName();
      JsonToken t = p.nextToken();
      switch (f) {
        case "privileged" -> privileged = bool(p);
        case "allowPrivilegeEscalation" -> escalation = bool(p);
        case "runAsUser" -> root = isZero(p);
        case "capabilities" -> {
          if (t != JsonToken.START_OBJECT) {
            p.skipChildren();
            break;
          }
          while (p.nextToken() == JsonToken.FIELD_NAME) {
            String c = p.currentName();
            JsonToken ct = p.nextToken();
            if (!"add".equals(c) || ct != JsonToken.START_ARRAY) {
              p.skipChildren();
              continue;
            }
            while (p.nextToken() != JsonToken.END_ARRAY) {
              String cap = Json.scalarText(p);
              if (cap == null) continue;
              String n = cap.toUpperCase(Locale.ROOT);
              if (RISKY_CAPS.contains(n)) {
                if (caps == null) caps = new ArrayList<>(2);
                caps.add("cap_" + n.replace("CAP_", "").toLowerCase(Locale.ROOT));
              }
            }
          }
        }
        default -> p.skipChildren();
      }
    }
    if (privileged) risks.add("privileged");
    if (escalation) risks.add("allow_privilege_escalation");
    if (root) risks.add("run_as_root");
    if (caps != null) risks.addAll(caps);
  }

  private void status(JsonParser p) throws IOException {
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String f = p.currentName();
      JsonToken t = p.nextToken();
      switch (f) {
        case "podIP" -> podIp = text(p);
        case "hostIP" -> hostIp = text(p);
        case "phase" -> phase = text(p);
        case "podIPs" -> {
          if (t != JsonToken.START_ARRAY) {
            p.skipChildren();
            break;
          }
          while (p.nextToken() != JsonToken.END_ARRAY) {
            String ip = p.currentToken() == JsonToken.START_OBJECT ? member(p, "ip") : skip(p);
            if (ip != null && !podIps.contains(ip)) podIps.add(ip);
          }
        }
        case "containerStatuses" -> {
          if (t != JsonToken.START_ARRAY) {
            p.skipChildren();
            break;
          }
          while (p.nextToken() != JsonToken.END_ARRAY) {
            if (p.currentToken() != JsonToken.START_OBJECT) {
              p.skipChildren();
              continue;
            }
            String[] c = new String[4];
            while (p.nextToken() == JsonToken.FIELD_NAME) {
              String cf = p.currentName();
              p.nextToken();
              switch (cf) {
                case "name" -> c[0] = text(p);
                case "containerID" -> c[1] = text(p);
                case "image" -> c[2] = text(p);
                case "imageID" -> c[3] = text(p);
                default -> p.skipChildren();
              }
            }
            containerStatuses.add(c);
          }
        }
        default -> p.skipChildren();
      }
    }
  }

  /** The {@link #text} of one member of the object {@code p} is at (START_OBJECT), consuming the object. */
  private static String member(JsonParser p, String field) throws IOException {
    String s = Json.memberText(p, field);
    return s == null || s.isBlank() ? null : s;
  }

  /** A scalar's text, null for null, blank text, objects and arrays (skipped). */
  private static String text(JsonParser p) throws IOException {
    String s = Json.scalarText(p);
    return s == null || s.isBlank() ? null : s;
  }

  private static String skip(JsonParser p) throws IOException {
    p.skipChildren();
    return null;
  }

  /** true, a non-zero number, or the text "true" (as Jackson's asBoolean reads them). */
  private static boolean bool(JsonParser p) throws IOException {
    switch (p.currentToken()) {
      case VALUE_TRUE:
        return true;
      case VALUE_NUMBER_INT:
      case VALUE_NUMBER_FLOAT:
        return p.getDoubleValue() != 0;
      case VALUE_STRING:
        return "true".equals(p.getText().trim());
      default:
        p.skipChildren();
        return false;
    }
  }

  /** A number (or numeric text) equal to 0: user id 0 is root. */
  private static boolean isZero(JsonParser p) throws IOException {
    switch (p.currentToken()) {
      case VALUE_NUMBER_INT:
      case VALUE_NUMBER_FLOAT:
        return p.getDoubleValue() == 0;
      case VALUE_STRING:
        try {
          return Long.parseLong(p.getText().trim()) == 0;
        } catch (NumberFormatException e) {
          return false;
        }
      default:
        p.skipChildren();
        return false;
    }
  }
}
