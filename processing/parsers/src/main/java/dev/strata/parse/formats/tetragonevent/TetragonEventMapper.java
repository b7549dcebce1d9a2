package dev.strata.parse.formats.tetragonevent;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.parse.ChunkContext;
import dev.strata.parse.Json;
import dev.strata.parse.JsonRecordStream;
import dev.strata.parse.JsonRecordStream.RecordException;
import dev.strata.parse.JsonRecordStream.RecordSpan;
import dev.strata.parse.JsonRecordStream.Source;
import dev.strata.parse.OcsfClass;
import dev.strata.parse.RejectReason;
import dev.strata.parse.Timestamps;
import dev.strata.schema.event.Container;
import dev.strata.schema.event.Device;
import dev.strata.schema.event.Endpoint;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.event.File;
import dev.strata.schema.event.Kubernetes;
import dev.strata.schema.event.Network;
import dev.strata.schema.event.Process;
import java.io.IOException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * One Tetragon event ({@code GetEventsResponse}, protobuf JSON names) to OCSF 1007 Process Activity (category 1
 * System Activity).
 *
 * <pre>
 * exactly one top-level process_* object (the event); none: rejected missing_field; two, or not an object:
 * rejected malformed_record
 *   process_exec        -> activity 1 Launch
 *   process_exit        -> activity 2 Terminate
 *   process_kprobe      -> activity 99 Other, activity_name = function_name (else "process_kprobe")
 *   process_lsm         -> activity 99 Other, activity_name = function_name (else "process_lsm")
 *   process_tracepoint  -> activity 99 Other, activity_name = subsys + ":" + event (else "process_tracepoint")
 *   any other process_* (process_uprobe, process_loader, process_throttle, legacy process_connect ...)
 *                       -> activity 99 Other, activity_name = the key
 * time                  -> time (RFC 3339 nanos; time_original keeps the text); absent: observed time, warned
 * node_name             -> device.hostname, kubernetes.node_name
 * cluster_name          -> kubernetes.cluster
 * &lt;event&gt;.process:
 *   pid, binary, arguments, uid -> process.pid, executable, name (basename of binary),
 *                                  cmd_line (binary + " " + arguments), user (uid as text)
 *   pod.namespace, pod.name     -> kubernetes.namespace, pod_name
 *   pod.container.id            -> container.uid with a "containerd://", "docker://", "cri-o://" prefix stripped;
 *                                  the runtime name (containerd, docker, cri-o) -> container.runtime
 *   pod.container.name          -> container.name, kubernetes.container_name
 *   pod.container.image.name, .id -> container.image_name, image_uid
 * &lt;event&gt;.parent.pid, binary -> process.parent_pid, parent_name (basename)
 * process_kprobe/lsm args: first file_arg.path -> file.path (+ file.name); first sock_arg -> src_endpoint
 *   (saddr, sport), dst_endpoint (daddr, dport), network.protocol (protocol)
 * legacy process_connect/listen/close source_ip/_port, destination_ip/_port, protocol -> the same endpoints
 * unmapped: every other field of the event, dotted, without the event key ("process.exec_id",
 *   "process.parent_exec_id" are the process tree keys; "parent.exec_id", "args" (JSON text), "policy_name", ...);
 *   "event_type" = the process_* key; other top-level fields (aggregation_info ...) dotted as written.
 * </pre>
 */
final class TetragonEventMapper implements JsonRecordStream.RecordMapper {

  static final int MAX_VALUE_CHARS = 64 * 1024;

  /** Flattened keys already mapped to a typed field, not repeated in unmapped. */
  private static final Set<String> MAPPED =
      Set.of("process.pid", "process.binary", "process.arguments", "process.uid", "process.pod.namespace",
          "process.pod.name", "process.pod.container.id", "process.pod.container.name",
          "process.pod.container.image.id", "process.pod.container.image.name", "parent.pid", "parent.binary");

  private final ChunkContext ctx;

  private String eventType;
  private JsonNode body;
  private boolean twoEvents;
  private boolean notObject;
  private String time;
  private String nodeName;
  private String clusterName;
  private final Map<String, String> other = new LinkedHashMap<>();

  TetragonEventMapper(ChunkContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void begin() {
    eventType = time = nodeName = clusterName = null;
    body = null;
    twoEvents = notObject = false;
    other.clear();
  }

  @Override
  public void field(String name, JsonParser p, Source src) throws IOException {
    if (name.startsWith("process_")) {
      if (eventType != null) {
        twoEvents = true;
        p.skipChildren();
        return;
      }
      eventType = name;
      if (p.currentToken() == JsonToken.START_OBJECT) {
        body = Json.tree(p);
      } else {
        notObject = true;
        p.skipChildren();
      }
      return;
    }
    switch (name) {
      case "time" -> time = scalarOrKeep(name, p);
      case "node_name" -> nodeName = scalarOrKeep(name, p);
      case "cluster_name" -> clusterName = scalarOrKeep(name, p);
      default -> Json.flatten(other, name, Json.tree(p), MAX_VALUE_CHARS);
    }
  }

  private String scalarOrKeep(String name, JsonParser p) throws IOException {
    JsonToken t = p.currentToken();
    if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
      Json.flatten(other, name, Json.tree(p), MAX_VALUE_CHARS);
      return null;
    }
    return Json.scalarText(p);
  }

  @Override
  public EvidenceEvent end(RecordSpan span) throws RecordException {
    if (eventType == null) {
      throw new RecordException(RejectReason.MISSING_FIELD, "not a Tetragon event: no process_* field");
    }
    if (twoEvents) {
      throw new RecordException(RejectReason.MALFORMED_RECORD, "more than one process_* event in one record");
    }
    if (notObject) {
      throw new RecordException(RejectReason.MALFORMED_RECORD, eventType + " is not an object");
    }
    int activity;
    String activityName;
    switch (eventType) {
      case "process_exec" -> {
        activity = 1;
        activityName = "Launch";
      }
      case "process_exit" -> {
        activity = 2;
        activityName = "Terminate";
      }
      case "process_tracepoint" -> {
        activity = 99;
        String subsys = blank(Json.text(body, "subsys"));
        String ev = blank(Json.text(body, "event"));
        activityName = subsys != null || ev != null
            ? (subsys == null ? "" : subsys) + ":" + (ev == null ? "" : ev)
            : eventType;
      }
      case "process_kprobe", "process_lsm", "process_uprobe" -> {
        activity = 99;
        String fn = blank(Json.text(body, "function_name"));
        activityName = fn != null ? fn : eventType;
      }
      default -> {
        activity = 99;
        activityName = eventType;
      }
    }
    Map<String, String> u = new HashMap<>(64);
    EvidenceEvent e =
        ctx.newEvent(OcsfClass.PROCESS_ACTIVITY, activity, activityName, span.start(), span.end(), span.line(),
            span.ordinal(), 0, u);
    ctx.applyTime(e, blank(time), "time");

    // host / cluster
    String node = blank(nodeName);
    if (node != null) {
      Device d = e.getDevice();
      if (d == null) {
        e.setDevice(new Device(node, null, null));
      } else {
        if (d.getHostname() != null && !d.getHostname().equals(node)) u.put("strata.context_host", d.getHostname());
        d.setHostname(node);
      }
    }

    JsonNode proc = body.get("process");
    JsonNode parent = body.get("parent");
    JsonNode pod = proc == null ? null : proc.get("pod");
    JsonNode cont = pod == null ? null : pod.get("container");
    JsonNode image = cont == null ? null : cont.get("image");

    // process
    String binary = blank(Json.text(proc, "binary"));
    String args = blank(Json.text(proc, "arguments"));
    Long pid = number(proc, "pid");
    String uid = blank(Json.text(proc, "uid"));
    Long ppid = number(parent, "pid");
    String pbinary = blank(Json.text(parent, "binary"));
    if (binary != null || pid != null || uid != null || ppid != null || pbinary != null
        || blank(Json.text(proc, "exec_id")) != null) {
      String cmd = binary == null ? args : args == null ? binary : binary + " " + args;
      e.setProcess(new Process(pid, basename(binary), cmd, binary, uid, null, ppid, basename(pbinary),
          blank(Json.text(proc, "exec_id")), parentExecId(proc, parent), startMicros(proc)));
    }

    // container
    String cid = blank(Json.text(cont, "id"));
    String runtime = null;
    if (cid != null) {
      int sep = cid.indexOf("://");
      if (sep > 0) {
        runtime = cid.substring(0, sep);
        cid = blank(cid.substring(sep + 3));
      }
    }
    String cname = blank(Json.text(cont, "name"));
    String iname = blank(Json.text(image, "name"));
    String iid = blank(Json.text(image, "id"));
    if (cid != null || cname != null || iname != null || iid != null) {
      e.setContainer(new Container(cid, cname, iname, iid, runtime, digestOf(iid)));
    }

    // kubernetes
    String ns = blank(Json.text(pod, "namespace"));
    String podName = blank(Json.text(pod, "name"));
    String cluster = blank(clusterName);
    if (ns != null || podName != null || cname != null || node != null || cluster != null) {
      Kubernetes k = e.getKubernetes();
      if (k == null) {
        k = new Kubernetes();
        e.setKubernetes(k);
      }
      if (ns != null) k.setNamespace(ns);
      if (podName != null) k.setPodName(podName);
      if (cname != null) k.setContainerName(cname);
      if (node != null) k.setNodeName(node);
      if (cluster != null) k.setCluster(cluster);
    }

    // kprobe / lsm arguments: first file and first socket
    JsonNode argList = body.get("args");
    if (argList != null && argList.isArray()) {
      for (JsonNode a : argList) {
        JsonNode f = a.get("file_arg");
        String path = blank(Json.text(f, "path"));
        if (path != null && e.getFile() == null) {
          int slash = path.lastIndexOf('/');
          String fname = slash < path.length() - 1 ? path.substring(slash + 1) : null;
          e.setFile(new File(path, fname, null, null, null, null, null));
        }
        JsonNode s = a.get("sock_arg");
        if (s != null && s.isObject() && e.getDstEndpoint() == null) {
          endpoints(e, Json.text(s, "saddr"), port(s, "sport"), Json.text(s, "daddr"), port(s, "dport"),
              Json.text(s, "protocol"));
        }
      }
    }
    // legacy connect/listen/close events
    if (e.getDstEndpoint() == null && e.getSrcEndpoint() == null
        && (body.has("source_ip") || body.has("destination_ip"))) {
      endpoints(e, Json.text(body, "source_ip"), port(body, "source_port"), Json.text(body, "destination_ip"),
          port(body, "destination_port"), Json.text(body, "protocol"));
    }

    // unmapped
    u.put("event_type", eventType);
    Map<String, String> flat = new LinkedHashMap<>();
    Json.flatten(flat, "", body, MAX_VALUE_CHARS);
    for (Map.Entry<String, String> f : flat.entrySet()) {
      if (!MAPPED.contains(f.getKey())) u.put(f.getKey(), f.getValue());
    }
    u.putAll(other);
    e.setRawData(ctx.rawText(span.start(), span.end()));
    return e;
  }

  private static void endpoints(
      EvidenceEvent e, String sip, Integer sport, String dip, Integer dport, String protocol) {
    sip = blank(sip);
    dip = blank(dip);
    if (sip != null || sport != null) e.setSrcEndpoint(new Endpoint(sip, sport, null, null, null, null));
    if (dip != null || dport != null) e.setDstEndpoint(new Endpoint(dip, dport, null, null, null, null));
    protocol = blank(protocol);
    if (protocol != null) e.setNetwork(new Network(protocol, null, null, null, null, null, null, null, null, null));
  }

  static String basename(String path) {
    if (path == null) return null;
    int slash = path.lastIndexOf('/');
    return slash < path.length() - 1 ? path.substring(slash + 1) : blank(path);
  }

  private static String blank(String s) {
    return s == null || s.isEmpty() ? null : s;
  }

  private static Long number(JsonNode obj, String field) {
    JsonNode n = obj == null ? null : obj.get(field);
    if (n == null) return null;
    if (n.isIntegralNumber()) return n.asLong();
    if (n.isTextual()) {
      try {
        return Long.parseLong(n.asText());
      } catch (NumberFormatException ex) {
        return null;
      }
    }
    return null;
  }

  private static Integer port(JsonNode obj, String field) {
    Long v = number(obj, field);
    return v == null || v < 0 || v > 65535 ? null : v.intValue();
  }

  /** The parent's exec id: process.parent_exec_id, else parent.exec_id. */
  private static String parentExecId(JsonNode proc, JsonNode parent) {
    String p = blank(Json.text(proc, "parent_exec_id"));
    return p != null ? p : blank(Json.text(parent, "exec_id"));
  }

  /** process.start_time (RFC 3339, nanoseconds) at microsecond precision, or null. */
  private static java.time.Instant startMicros(JsonNode proc) {
    String t = blank(Json.text(proc, "start_time"));
    if (t == null) return null;
    long m = Timestamps.toMicros(t);
    return m == Timestamps.INVALID ? null : Timestamps.toInstant(m);
  }

  /** {@code repo@sha256:<hex>} or a bare {@code sha256:<hex>} image reference -> {@code sha256:<hex>}. */
  static String digestOf(String imageRef) {
    if (imageRef == null) return null;
    int at = imageRef.lastIndexOf("@sha256:");
    if (at >= 0) return imageRef.substring(at + 1);
    return imageRef.startsWith("sha256:") && imageRef.length() == 71 ? imageRef : null;
  }
}
