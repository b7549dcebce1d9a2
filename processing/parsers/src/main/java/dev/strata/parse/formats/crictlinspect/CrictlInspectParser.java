package dev.strata.parse.formats.crictlinspect;

import static dev.strata.parse.Values.blank;
import static dev.strata.parse.Values.cut;
import static dev.strata.parse.Values.first;
import static dev.strata.parse.Values.put;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.parse.ChunkContext;
import dev.strata.parse.Events;
import dev.strata.parse.Json;
import dev.strata.parse.JsonFormatParser;
import dev.strata.parse.OcsfClass;
import dev.strata.parse.ParseException;
import dev.strata.parse.ParseOutput;
import dev.strata.parse.RejectReason;
import dev.strata.parse.Timestamps;
import dev.strata.schema.event.Container;
import dev.strata.schema.event.Endpoint;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.event.Kubernetes;
import dev.strata.schema.event.Process;
import dev.strata.schema.event.Resource;
import dev.strata.schema.raw.RawArtifactChunk;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * crictl's JSON exports of the CRI (containerd, CRI-O) to OCSF 0 Base Events, activity 99 Other. One format id
 * for the four document shapes, told apart per record (they share the CRI object model and are often saved side
 * by side; one format keeps recognition and dashboards simple):
 *
 * <pre>
 * crictl inspect ID...    {"status": ContainerStatus, "info": {sandboxID, pid, runtimeSpec, privileged, ...}}
 *                         -> one event per lifecycle time: "created" (status.createdAt), "started" (startedAt),
 *                            "finished" (finishedAt; status_code = exitCode, Success/Failure, reason/message)
 * crictl inspectp ID...   {"status": PodSandboxStatus, "info": {...}} -> one "created" event for the pod sandbox
 *                            (createdAt), pod IP status.network.ip -> src_endpoint.ip
 * crictl ps -a -o json    {"containers": [Container]} -> one "inventory" event per container (time = createdAt)
 * crictl pods -o json     {"items": [PodSandbox]}     -> one "inventory" event per pod sandbox (time = createdAt)
 * </pre>
 *
 * Several inspect documents may be concatenated or wrapped in an array. A record is a container when its state is
 * CONTAINER_* (or it has image / podSandboxId), a pod sandbox when its state is SANDBOX_* (or its metadata has a
 * namespace / uid); anything else is rejected (missing_field).
 *
 * <p>Times: CRI int64 nanoseconds (as JSON numbers or strings; crictl ps / pods) or RFC 3339 (crictl inspect); 0 and
 * Go's zero time 0001-01-01 mean "never" (no event). Container: id -> container.uid, metadata.name -> name,
 * image.image -> image_name, imageRef / imageId: "repo@sha256:..." -> image_digest, "sha256:..." -> image_uid;
 * podSandboxId / info.sandboxID -> unmapped pod_sandbox_id and a resource {type pod_sandbox}; labels
 * io.kubernetes.pod.name / namespace / uid, io.kubernetes.container.name -> kubernetes.*; info.pid -> process.pid,
 * info.runtimeSpec.process.args -> process.cmd_line; info.privileged, NODE namespaces and host mounts of / or a
 * runtime socket -> strata.risk. Pod sandbox: metadata name / namespace / uid -> kubernetes.*; network.ip ->
 * src_endpoint.ip; linux.namespaces.options network/pid/ipc NODE -> strata.risk host_network/host_pid/host_ipc.
 * Labels and annotations -> unmapped labels.&lt;k&gt; / annotations.&lt;k&gt;; state, attempt, logPath, reason,
 * message, runtimeHandler -> unmapped. raw_data is left out (runtimeSpec carries the environment).
 */
public final class CrictlInspectParser extends JsonFormatParser {

  public static final String FORMAT = "crictl_inspect";

  public CrictlInspectParser() {
    super(FORMAT);
  }

  @Override
  public void parse(RawArtifactChunk chunk, ParseOutput out) throws ParseException {
    ChunkContext ctx = ChunkContext.of(chunk);
    byte[] b = ctx.payload();
    int start = 0;
    while (start < b.length && (Json.isWs(b[start]) || (b[start] & 0xff) == 0xEF || (b[start] & 0xff) == 0xBB
        || (b[start] & 0xff) == 0xBF)) {
      start++;
    }
    if (start >= b.length) return;
    if (ctx.truncatedRecord() || ctx.chunkCount() > 1) {
      out.reject(ctx.rejection(RejectReason.RECORD_TOO_LARGE,
          "crictl export larger than one chunk; the full bytes are in the evidence store", start, b.length, 0));
      return;
    }
    long ordinal = 0;
    int pos = start;
    try (JsonParser p = Json.FACTORY.createParser(b, start, b.length - start)) {
      JsonToken t;
      while ((t = p.nextToken()) != null) {
        pos = start + (int) p.currentTokenLocation().getByteOffset();
        if (t != JsonToken.START_OBJECT && t != JsonToken.START_ARRAY) {
          int end = lineEnd(b, pos);
          out.reject(ctx.rejection(RejectReason.MALFORMED_JSON, "not a JSON object or array", pos, end, ordinal++));
          return;
        }
        JsonNode root = Json.tree(p);
        int end = start + (int) p.currentLocation().getByteOffset();
        List<JsonNode> records = new ArrayList<>();
        if (root.isArray()) {
          root.forEach(records::add);
        } else if (root.path("containers").isArray() && !root.has("status")) {
          root.path("containers").forEach(records::add);
        } else if (root.path("items").isArray() && !root.has("status")) {
          root.path("items").forEach(records::add);
        } else {
          records.add(root);
        }
        for (JsonNode r : records) {
          // the record's own bytes are not located inside a list: lineage points at its document
          List<EvidenceEvent> events = map(ctx, r, pos, end, ordinal);
          if (events == null) {
            out.reject(ctx.rejection(RejectReason.MISSING_FIELD,
                "not a crictl container or pod sandbox (no CONTAINER_/SANDBOX_ state, image or pod metadata)", pos,
                end, ordinal));
          } else {
            events.forEach(out::emit);
          }
          ordinal++;
        }
      }
    } catch (JsonProcessingException e) {
      out.reject(ctx.rejection(RejectReason.MALFORMED_JSON, "malformed JSON: " + e.getOriginalMessage(), pos,
          b.length, ordinal));
    } catch (IOException e) {
      out.reject(ctx.rejection(RejectReason.MALFORMED_JSON, "unreadable JSON: " + e.getMessage(), pos, b.length,
          ordinal));
    }
  }

  private static int lineEnd(byte[] b, int from) {
    int i = from;
    while (i < b.length && b[i] != '\n') i++;
    return i;
  }

  /** The events of one record, or null if it is neither shape. */
  static List<EvidenceEvent> map(ChunkContext ctx, JsonNode r, int start, int end, long ordinal) {
    if (!r.isObject()) return null;
    boolean inspect = r.path("status").isObject();
    JsonNode s = inspect ? r.get("status") : r;
    JsonNode info = r.path("info");
    String state = Json.text(s, "state");
    boolean container;
    if (state != null && state.startsWith("CONTAINER_")) {
      container = true;
    } else if (state != null && state.startsWith("SANDBOX_")) {
      container = false;
    } else if (s.has("image") || s.has("imageRef") || s.has("podSandboxId")) {
      container = true;
    } else if (s.path("metadata").has("namespace") || s.path("metadata").has("uid") || s.has("network")) {
      container = false;
    } else {
      return null;
    }
    if (Json.text(s, "id") == null) return null;
    return container ? container(ctx, s, info, inspect, start, end, ordinal)
        : pod(ctx, s, info, inspect, start, end, ordinal);
  }

  private static List<EvidenceEvent> container(
      ChunkContext ctx, JsonNode s, JsonNode info, boolean inspect, int start, int end, long ordinal) {
    List<EvidenceEvent> out = new ArrayList<>(3);
    String[][] times = inspect
        ? new String[][] {{"created", "createdAt"}, {"started", "startedAt"}, {"finished", "finishedAt"}}
        : new String[][] {{"inventory", "createdAt"}};
    for (String[] t : times) {
      String v = Json.text(s, t[1]);
      if (never(v)) continue;
      EvidenceEvent e = containerEvent(ctx, s, info, t[0], start, end, ordinal, out.size());
      time(ctx, e, v, t[1]);
      if (t[0].equals("finished")) {
        String code = Json.text(s, "exitCode");
        if (code != null) {
          e.setStatusCode(code);
          e.setStatus("0".equals(code) ? "Success" : "Failure");
        }
        String detail = join(Json.text(s, "reason"), Json.text(s, "message"));
        if (detail != null) e.setStatusDetail(cut(detail));
        e.setMessage(e.getMessage() + (code != null ? " (exit code " + code + ")" : ""));
      }
      out.add(e);
    }
    if (out.isEmpty()) {
      EvidenceEvent e = containerEvent(ctx, s, info, inspect ? "created" : "inventory", start, end, ordinal, 0);
      Events.warn(e, "no createdAt; time = observed_time");
      out.add(e);
    }
    return out;
  }

  private static EvidenceEvent containerEvent(
      ChunkContext ctx, JsonNode s, JsonNode info, String activity, int start, int end, long ordinal, int sub) {
    EvidenceEvent e = ctx.newEvent(OcsfClass.BASE_EVENT, OcsfClass.ACTIVITY_OTHER, activity, start, end,
        ctx.lineAt(start), ordinal, sub, new HashMap<>(32));
    Map<String, String> u = e.getUnmapped();
    u.put("crictl.kind", "container");
    String id = Json.text(s, "id");
    String name = blank(Json.text(s.path("metadata"), "name"));
    String image = blank(Json.text(s.path("image"), "image"));
    String imageRef = first(Json.text(s, "imageRef"), Json.text(s, "imageId"));
    String digest = null;
    String imageUid = null;
    if (imageRef != null) {
      int at = imageRef.indexOf("@sha256:");
      if (at > 0) digest = imageRef.substring(at + 1);
      else if (imageRef.startsWith("sha256:")) imageUid = imageRef;
      put(u, "image_ref", imageRef);
    }
    if (image != null && image.startsWith("sha256:")) {
      if (imageUid == null) imageUid = image; // crictl ps shows the image id there
      image = null;
    }
    if (image == null && imageRef != null && !imageRef.startsWith("sha256:")) {
      int at = imageRef.indexOf('@');
      image = at > 0 ? imageRef.substring(0, at) : imageRef;
    }
    JsonNode labels = s.path("labels");
    JsonNode ann = s.path("annotations");
    String runtime = runtime(info, ann);
    e.setContainer(new Container(id, name, image, imageUid, runtime, digest));
    kubernetes(e, Json.text(labels, "io.kubernetes.pod.name"), Json.text(labels, "io.kubernetes.pod.namespace"),
        Json.text(labels, "io.kubernetes.pod.uid"), first(Json.text(labels, "io.kubernetes.container.name"), name));
    String sandbox = first(Json.text(s, "podSandboxId"), Json.text(info, "sandboxID"));
    if (sandbox != null) {
      u.put("pod_sandbox_id", sandbox);
      e.getResources().add(new Resource("pod_sandbox", Json.text(labels, "io.kubernetes.pod.name"), sandbox,
          Json.text(labels, "io.kubernetes.pod.namespace"), null, null));
    }
    put(u, "state", Json.text(s, "state"));
    put(u, "attempt", Json.text(s.path("metadata"), "attempt"));
    put(u, "log_path", Json.text(s, "logPath"));
    put(u, "exit_code", Json.text(s, "exitCode"));
    put(u, "reason", blank(Json.text(s, "reason")));
    labelsAndAnnotations(u, labels, ann);

    List<String> risks = new ArrayList<>();
    for (JsonNode m : s.path("mounts")) {
      String cp = Json.text(m, "containerPath");
      String hp = Json.text(m, "hostPath");
      if (cp == null) continue;
      put(u, "mounts." + cp + ".host_path", hp);
      put(u, "mounts." + cp + ".readonly", Json.text(m, "readonly"));
      if (hp != null) {
        if (hp.equals("/")) addOnce(risks, "host_root_mount");
        String base = hp.substring(hp.lastIndexOf('/') + 1);
        if (base.equals("docker.sock") || base.equals("containerd.sock") || base.equals("crio.sock")
            || base.equals("podman.sock")) {
          addOnce(risks, "runtime_socket_mount");
        }
      }
    }
    if (info.isObject()) {
      JsonNode pid = info.get("pid");
      List<String> argv = new ArrayList<>();
      for (JsonNode a : info.path("runtimeSpec").path("process").path("args")) argv.add(a.asText());
      if ((pid != null && pid.canConvertToLong() && pid.asLong() > 0) || !argv.isEmpty()) {
        String exe = argv.isEmpty() ? null : argv.get(0);
        e.setProcess(new Process(pid != null && pid.asLong() > 0 ? pid.asLong() : null,
            exe == null ? null : exe.substring(exe.lastIndexOf('/') + 1),
            argv.isEmpty() ? null : cut(String.join(" ", argv)), exe, null, null, null, null, null, null, null));
      }
      put(u, "info.runtime_type", Json.text(info, "runtimeType"));
      put(u, "info.snapshotter", Json.text(info, "snapshotter"));
      put(u, "info.snapshot_key", Json.text(info, "snapshotKey"));
      put(u, "info.privileged", Json.text(info, "privileged"));
      if (info.path("privileged").asBoolean(false)
          || info.path("config").path("linux").path("security_context").path("privileged").asBoolean(false)) {
        addOnce(risks, "privileged");
      }
      JsonNode nsOpts = info.path("config").path("linux").path("security_context").path("namespace_options");
      hostNamespaces(nsOpts, risks);
    }
    if (!risks.isEmpty()) u.put("strata.risk", String.join(",", risks));
    String who = name != null ? name : id.length() > 12 ? id.substring(0, 12) : id;
    e.setMessage("container " + who + " " + activity + (image != null ? " (image " + image + ")" : ""));
    return e;
  }

  private static List<EvidenceEvent> pod(
      ChunkContext ctx, JsonNode s, JsonNode info, boolean inspect, int start, int end, long ordinal) {
    String activity = inspect ? "created" : "inventory";
    EvidenceEvent e = ctx.newEvent(OcsfClass.BASE_EVENT, OcsfClass.ACTIVITY_OTHER, activity, start, end,
        ctx.lineAt(start), ordinal, 0, new HashMap<>(32));
    Map<String, String> u = e.getUnmapped();
    u.put("crictl.kind", "pod_sandbox");
    String id = Json.text(s, "id");
    JsonNode md = s.path("metadata");
    String name = blank(Json.text(md, "name"));
    String ns = blank(Json.text(md, "namespace"));
    kubernetes(e, name, ns, Json.text(md, "uid"), null);
    e.getResources().add(new Resource("pod_sandbox", name, id, ns, null, null));
    u.put("pod_sandbox_id", id);
    String created = Json.text(s, "createdAt");
    if (never(created)) Events.warn(e, "no createdAt; time = observed_time");
    else time(ctx, e, created, "createdAt");
    put(u, "state", Json.text(s, "state"));
    put(u, "attempt", Json.text(md, "attempt"));
    put(u, "runtime_handler", first(Json.text(s, "runtimeHandler"), Json.text(info, "runtimeHandler")));
    String ip = blank(Json.text(s.path("network"), "ip"));
    List<String> more = new ArrayList<>();
    for (JsonNode a : s.path("network").path("additionalIps")) {
      String x = Json.text(a, "ip");
      if (x != null) more.add(x);
    }
    if (!more.isEmpty()) u.put("network.additional_ips", String.join(",", more));
    if (ip != null) e.setSrcEndpoint(new Endpoint(ip, null, null, null, null, null));
    labelsAndAnnotations(u, s.path("labels"), s.path("annotations"));
    List<String> risks = new ArrayList<>();
    hostNamespaces(s.path("linux").path("namespaces").path("options"), risks);
    if (info.isObject()) {
      JsonNode pid = info.get("pid");
      if (pid != null && pid.canConvertToLong() && pid.asLong() > 0) {
        e.setProcess(new Process(pid.asLong(), null, null, null, null, null, null, null, null, null, null));
      }
      put(u, "info.image", Json.text(info, "image"));
      put(u, "info.runtime_type", Json.text(info, "runtimeType"));
      hostNamespaces(info.path("config").path("linux").path("security_context").path("namespace_options"), risks);
      if (info.path("config").path("linux").path("security_context").path("privileged").asBoolean(false)) {
        addOnce(risks, "privileged");
      }
    }
    if (!risks.isEmpty()) u.put("strata.risk", String.join(",", risks));
    e.setMessage("pod sandbox " + (ns != null ? ns + "/" : "") + (name != null ? name : id) + " " + activity
        + (ip != null ? " (ip " + ip + ")" : ""));
    return List.of(e);
  }

  /** CRI NamespaceMode NODE (2) for network / pid / ipc: the sandbox shares the host's. */
  private static void hostNamespaces(JsonNode opts, List<String> risks) {
    if (!opts.isObject()) return;
    for (String k : new String[] {"network", "pid", "ipc"}) {
      JsonNode v = opts.get(k);
      if (v != null && ("NODE".equals(v.asText()) || (v.isInt() && v.asInt() == 2))) addOnce(risks, "host_" + k);
    }
  }

  private static void kubernetes(EvidenceEvent e, String pod, String ns, String podUid, String container) {
    pod = blank(pod);
    ns = blank(ns);
    podUid = blank(podUid);
    container = blank(container);
    if (pod == null && ns == null && podUid == null) return;
    Kubernetes k = e.getKubernetes();
    if (k == null) {
      k = new Kubernetes();
      e.setKubernetes(k);
    }
    k.setNamespace(ns);
    k.setPodName(pod);
    k.setPodUid(podUid);
    k.setContainerName(container);
  }

  private static void labelsAndAnnotations(Map<String, String> u, JsonNode labels, JsonNode ann) {
    for (var src : new Object[][] {{"labels.", labels}, {"annotations.", ann}}) {
      JsonNode n = (JsonNode) src[1];
      if (!n.isObject()) continue;
      for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
        var f = it.next();
        put(u, src[0] + f.getKey(), Json.text(f.getValue()));
      }
    }
  }

  private static String runtime(JsonNode info, JsonNode ann) {
    String rt = Json.text(info, "runtimeType");
    if (rt != null && rt.startsWith("io.containerd")) return "containerd";
    if (info.has("snapshotter") || info.has("snapshotKey")) return "containerd";
    if (ann.isObject()) {
      for (Iterator<String> it = ann.fieldNames(); it.hasNext(); ) {
        if (it.next().startsWith("io.kubernetes.cri-o.")) return "cri-o";
      }
    }
    return "cri";
  }

  /** Never happened: absent, 0, or Go's zero time. */
  static boolean never(String v) {
    return v == null || v.isBlank() || v.equals("0") || v.startsWith("0001-01-01");
  }

  private static void time(ChunkContext ctx, EvidenceEvent e, String v, String field) {
    if (v.length() <= 19 && v.chars().allMatch(c -> c >= '0' && c <= '9')) {
      long nanos = Long.parseLong(v);
      e.setTimeOriginal(v);
      e.setTime(Timestamps.toInstant(Math.floorDiv(nanos, 1000L)));
    } else {
      ctx.applyTime(e, v, field);
    }
  }

  private static void addOnce(List<String> l, String s) {
    if (!l.contains(s)) l.add(s);
  }

  private static String join(String a, String b) {
    a = blank(a);
    b = blank(b);
    if (a == null) return b;
    if (b == null) return a;
    return a + ": " + b;
  }
}
