package dev.strata.parse.formats.kubeletlog;

import static dev.strata.parse.daemonlog.CriLifecycle.container;
import static dev.strata.parse.daemonlog.CriLifecycle.lifecycle;
import static dev.strata.parse.daemonlog.CriLifecycle.outcome;
import static dev.strata.parse.daemonlog.CriLifecycle.pod;
import static dev.strata.parse.daemonlog.CriLifecycle.sandbox;

import dev.strata.parse.ChunkContext;
import dev.strata.parse.daemonlog.CriLifecycle;
import dev.strata.parse.daemonlog.DaemonLogLine;
import dev.strata.parse.daemonlog.DaemonLogReader;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.event.Kubernetes;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The kubelet's messages (Kubernetes 1.20+ structured logging, {@code pkg/kubelet/kubelet.go}, {@code pleg/generic.go},
 * {@code kuberuntime/kuberuntime_manager.go}, {@code kuberuntime_container.go}, {@code prober/prober.go}; and the
 * unstructured forms of the releases before, {@code format.Pod}'s {@code name_namespace(uid)}), each to an OCSF 0 Base
 * Event, activity 99 Other, named by its lifecycle verb:
 *
 * <pre>
 * "SyncLoop ADD|UPDATE|DELETE|REMOVE|RECONCILE" source= pods=["ns/p",..]     pod_added / pod_updated / pod_deleted /
 * SyncLoop (ADD, "api"): "p_ns(uid), .."                                      pod_removed / pod_reconciled
 * "SyncLoop (PLEG): event for pod" pod="ns/p" event={"ID":uid,"Type":T,"Data":id}
 * SyncLoop (PLEG): "p_ns(uid)", event: &amp;pleg.PodLifecycleEvent{ID:"uid", Type:"T", Data:"id"}
 *     T ContainerStarted -> started, ContainerDied -> exited, ContainerRemoved -> removed, ContainerChanged -> changed
 *     (id = a container's or the pod sandbox's: the PLEG relists both); PodSync and others -> pod_sync
 * "Generic (PLEG): container finished" podID= containerID= exitCode=         exited
 * "Created PodSandbox for pod" podSandboxID= pod= (V4) / Created PodSandbox "S" for pod "p_ns(uid)"   created (the sandbox)
 * "No sandbox for pod can be found. Need to start a new one" pod=             sandbox_requested
 * "Probe failed" probeType= pod= podUID= containerName= probeResult= output=  probe_failed
 * "Killing container with a grace period" pod= podUID= containerName= containerID="containerd://id" gracePeriod=
 * Killing container "docker://id" with [a ]N second grace period              kill_requested
 * "RemoveContainer" containerID=                                              remove_requested
 * </pre>
 *
 * A message naming one pod sets kubernetes namespace / pod name / uid, and the node (the log's host: the kubelet names
 * its node after its host unless {@code --hostname-override} says otherwise); a SyncLoop line naming several pods (the
 * ADD after a restart lists every pod of the node) keeps them all in unmapped {@code pods} ({@code ns/name} or {@code
 * ns/name(uid)}, comma-separated). Not read: exec / attach / port-forward (the kubelet's streaming server logs them
 * only at verbosity 4+, without the pod: the audit log's {@code pods/exec} is the record), container creation requests.
 */
final class KubeletMessages implements DaemonLogReader.Interpreter {
  static final String RUNTIME = "kubelet";

  private static final Pattern SYNC_LOOP = Pattern.compile("^SyncLoop (ADD|UPDATE|DELETE|REMOVE|RECONCILE)$");
  private static final Pattern SYNC_LOOP_OLD =
      Pattern.compile("^SyncLoop \\((ADD|UPDATE|DELETE|REMOVE|RECONCILE|RESTORE), \"([^\"]*)\"\\): \"(.*)\"$");
  private static final Pattern PLEG_OLD = Pattern.compile("^SyncLoop \\(PLEG\\): \"([^\"]+)\", event: "
      + "&pleg\\.PodLifecycleEvent\\{ID:\"([^\"]*)\", Type:\"([^\"]*)\", Data:(?:\"([^\"]*)\"|.*)\\}$");
  private static final Pattern JSON_FIELD = Pattern.compile("\"(ID|Type|Data)\":\"([^\"]*)\"");
  private static final Pattern QUOTED = Pattern.compile("\"([^\"]+)\"");
  private static final Pattern OLD_POD = Pattern.compile("^([a-z0-9.-]+)_([a-z0-9-]+)(?:\\(([0-9a-fA-F-]+)\\))?$");
  private static final Pattern SANDBOX_OLD = Pattern.compile("^Created PodSandbox \"([0-9a-f]{12,64})\" for pod \"([^\"]+)\"$");
  private static final Pattern KILL_OLD =
      Pattern.compile("^Killing container \"(?:[a-z]+://)?([0-9a-f]{12,64})\" with (?:a )?(\\d+) second grace period.*$");
  private static final Pattern HEX_ID = Pattern.compile("[0-9a-f]{12,64}");

  private final ChunkContext ctx;

  KubeletMessages(ChunkContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public EvidenceEvent event(DaemonLogLine line) {
    String msg = line.msg();
    Matcher m;
    EvidenceEvent e = null;
    if ((m = SYNC_LOOP.matcher(msg)).matches()) {
      e = syncLoop(line, m.group(1), line.field("source"), structuredPods(line.field("pods")));
    } else if ((m = SYNC_LOOP_OLD.matcher(msg)).matches()) {
      e = syncLoop(line, m.group(1), m.group(2), oldPods(m.group(3)));
    } else if (msg.equals("SyncLoop (PLEG): event for pod")) {
      String ev = line.field("event");
      String id = null;
      String type = null;
      String data = null;
      if (ev != null) {
        Matcher f = JSON_FIELD.matcher(ev);
        while (f.find()) {
          switch (f.group(1)) {
            case "ID" -> id = f.group(2);
            case "Type" -> type = f.group(2);
            default -> data = f.group(2);
          }
        }
      }
      e = pleg(line, podRef(line.field("pod")), id, type, data);
    } else if ((m = PLEG_OLD.matcher(msg)).matches()) {
      e = pleg(line, oldPod(m.group(1)), m.group(2), m.group(3), m.group(4));
    } else if (msg.equals("Generic (PLEG): container finished")) {
      e = lifecycle(line, ctx, "exited");
      container(e, id(line.field("containerID")), null, RUNTIME);
      pod(e, null, null, line.field("podID"), null);
      CriLifecycle.exit(e, line.field("exitCode"));
    } else if (msg.equals("Created PodSandbox for pod")) {
      e = sandboxCreated(line, id(line.field("podSandboxID")), podRef(line.field("pod")));
    } else if ((m = SANDBOX_OLD.matcher(msg)).matches()) {
      e = sandboxCreated(line, m.group(1), oldPod(m.group(2)));
    } else if (msg.equals("No sandbox for pod can be found. Need to start a new one")) {
      e = lifecycle(line, ctx, "sandbox_requested");
      podOf(e, podRef(line.field("pod")), line.field("podUID"), null);
    } else if (msg.equals("Probe failed")) {
      e = lifecycle(line, ctx, "probe_failed");
      outcome(e, false, line.field("output"));
      podOf(e, podRef(line.field("pod")), line.field("podUID"), line.field("containerName"));
      String cid = id(line.field("containerID"));
      if (cid != null) container(e, cid, line.field("containerName"), RUNTIME);
      put(e, "probe_type", line.field("probeType"));
      put(e, "probe_result", line.field("probeResult"));
    } else if (msg.equals("Killing container with a grace period")) {
      e = lifecycle(line, ctx, "kill_requested");
      container(e, id(line.field("containerID")), line.field("containerName"), RUNTIME);
      podOf(e, podRef(line.field("pod")), line.field("podUID"), line.field("containerName"));
      put(e, "grace_period_seconds", line.field("gracePeriod"));
    } else if ((m = KILL_OLD.matcher(msg)).matches()) {
      e = lifecycle(line, ctx, "kill_requested");
      container(e, m.group(1), null, RUNTIME);
      put(e, "grace_period_seconds", m.group(2));
    } else if (msg.equals("RemoveContainer")) {
      e = lifecycle(line, ctx, "remove_requested");
      container(e, id(line.field("containerID")), null, RUNTIME);
    }
    if (e == null) e = line.newLogEvent(ctx);
    return e;
  }

  /** The node of an event naming a pod: the log's host (set by the reader from the envelope or the context). */
  @Override
  public void finish(EvidenceEvent e, DaemonLogLine line) {
    Kubernetes k = e.getKubernetes();
    String host = e.getDevice() == null ? null : e.getDevice().getHostname();
    if (k != null && host != null && !host.isBlank() && (k.getPodName() != null || k.getPodUid() != null)) {
      k.setNodeName(host);
    }
  }

  private EvidenceEvent syncLoop(DaemonLogLine line, String op, String source, List<String[]> pods) {
    String verb = switch (op) {
      case "ADD", "RESTORE" -> "pod_added";
      case "UPDATE" -> "pod_updated";
      case "DELETE" -> "pod_deleted";
      case "REMOVE" -> "pod_removed";
      default -> "pod_reconciled";
    };
    EvidenceEvent e = lifecycle(line, ctx, verb);
    put(e, "pod_source", source);
    List<String> names = new ArrayList<>(pods.size());
    for (String[] p : pods) names.add(p[0] + "/" + p[1] + (p[2] == null ? "" : "(" + p[2] + ")"));
    if (!names.isEmpty()) e.getUnmapped().put("pods", String.join(",", names));
    if (pods.size() == 1) pod(e, pods.get(0)[0], pods.get(0)[1], pods.get(0)[2], null);
    return e;
  }

  private EvidenceEvent pleg(DaemonLogLine line, String[] pod, String podUid, String type, String data) {
    String verb = type == null ? "pod_sync" : switch (type) {
      case "ContainerStarted" -> "started";
      case "ContainerDied" -> "exited";
      case "ContainerRemoved" -> "removed";
      case "ContainerChanged" -> "changed";
      default -> "pod_sync";
    };
    EvidenceEvent e = lifecycle(line, ctx, verb);
    put(e, "pleg_event", type);
    podOf(e, pod, podUid, null);
    String cid = id(data);
    if (cid != null && !verb.equals("pod_sync")) container(e, cid, null, RUNTIME);
    return e;
  }

  private EvidenceEvent sandboxCreated(DaemonLogLine line, String sandboxId, String[] pod) {
    EvidenceEvent e = lifecycle(line, ctx, "created");
    outcome(e, true, null);
    if (sandboxId != null) container(e, sandboxId, null, RUNTIME);
    podOf(e, pod, null, null);
    sandbox(e, sandboxId, pod == null ? null : pod[0], pod == null ? null : pod[1]);
    return e;
  }

  private static void podOf(EvidenceEvent e, String[] pod, String uid, String containerName) {
    String podUid = uid != null && !uid.isEmpty() ? uid : pod == null ? null : pod[2];
    pod(e, pod == null ? null : pod[0], pod == null ? null : pod[1], podUid, containerName);
  }

  /** klog.KObj's {@code namespace/name} (the structured form), or null. */
  static String[] podRef(String ref) {
    if (ref == null) return null;
    int slash = ref.indexOf('/');
    if (slash <= 0 || slash == ref.length() - 1 || ref.indexOf('/', slash + 1) >= 0) return null;
    return new String[] {ref.substring(0, slash), ref.substring(slash + 1), null};
  }

  /** format.Pod's {@code name_namespace(uid)} (the unstructured form), or null. */
  static String[] oldPod(String s) {
    Matcher m = OLD_POD.matcher(s.trim());
    return m.matches() ? new String[] {m.group(2), m.group(1), m.group(3)} : null;
  }

  /** {@code pods=["ns/a","ns/b"]} (klog.KObjSlice). */
  static List<String[]> structuredPods(String list) {
    List<String[]> out = new ArrayList<>();
    if (list == null) return out;
    Matcher q = QUOTED.matcher(list);
    while (q.find()) {
      String[] p = podRef(q.group(1));
      if (p != null) out.add(p);
    }
    return out;
  }

  /** format.Pods' {@code "a_ns(uid), b_ns(uid)"}. */
  static List<String[]> oldPods(String list) {
    List<String[]> out = new ArrayList<>();
    for (String s : list.split(", ")) {
      String[] p = oldPod(s);
      if (p != null) out.add(p);
    }
    return out;
  }

  /** A container id as the kubelet names it ({@code containerd://<id>}, {@code cri-o://}, {@code docker://}, bare). */
  static String id(String s) {
    if (s == null) return null;
    int sep = s.indexOf("://");
    String id = sep >= 0 ? s.substring(sep + 3) : s;
    return HEX_ID.matcher(id).matches() ? id : null;
  }

  private static void put(EvidenceEvent e, String k, String v) {
    if (v != null && !v.isEmpty()) e.getUnmapped().put(k, DaemonLogReader.cut(v));
  }
}
