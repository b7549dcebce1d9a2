package dev.strata.parse.formats.tetragonevent;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.strata.parse.ChunkContext;
import dev.strata.parse.Json;
import dev.strata.parse.JsonFlattener;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One Tetragon event ({@code GetEventsResponse}, protobuf JSON names) to OCSF 1007 Process Activity (category 1
 * System Activity).
 *
 * <pre>
 * exactly one top-level event object (process_*, rate_limit_info, test: the GetEventsResponse oneof of the gRPC API
 * reference, Tetragon v1.1-v1.5); none: rejected missing_field; two, or not an object: rejected malformed_record
 *   process_exec        -> activity 1 Launch
 *   process_exit        -> activity 2 Terminate; status_code = status, status_detail = signal, status Success (0, no
 *                          signal) / Failure
 *   process_kprobe      -> activity 99 Other, activity_name = function_name (else "process_kprobe")
 *   process_lsm         -> activity 99 Other, activity_name = function_name (else "process_lsm")
 *   process_tracepoint  -> activity 99 Other, activity_name = subsys + ":" + event (else "process_tracepoint")
 *   process_uprobe      -> activity 99 Other, activity_name = symbol (else "offset " + offset, else the key)
 *   process_usdt        -> activity 99 Other, activity_name = provider + ":" + name
 *   process_throttle    -> activity 99 Other, activity_name = type (THROTTLE_START / THROTTLE_STOP), message names
 *                          the cgroup
 *   process_loader      -> activity 99 Other, activity_name = the key, file.path = path (the loaded object)
 *   rate_limit_info     -> activity 99 Other, activity_name = the key, message says how many events were dropped
 *   any other (test, legacy process_connect ...) -> activity 99 Other, activity_name = the key
 * message               -> the policy's message (kprobe, lsm, tracepoint, uprobe, usdt)
 * time                  -> time (RFC 3339 nanos; time_original keeps the text); absent: observed time, warned
 * node_name             -> device.hostname, kubernetes.node_name
 * cluster_name          -> kubernetes.cluster
 * &lt;event&gt;.process:
 *   pid, binary, arguments, uid -> process.pid, executable, name (basename of binary),
 *                                  cmd_line (binary + " " + arguments), user (uid as text)
 *   pod.namespace, pod.name, pod.uid -> kubernetes.namespace, pod_name, pod_uid (workload, workload_kind,
 *                                  pod_labels, pod_annotations, container security_context stay in unmapped)
 *   process.docker              -> container.uid when the event has no pod container id (Tetragon had no pod for the
 *                                  process: the container id it read from the cgroup path, truncated; kept in unmapped)
 *   pod.container.id            -> container.uid with a "containerd://", "docker://", "cri-o://" prefix stripped;
 *                                  the runtime name (containerd, docker, cri-o) -> container.runtime
 *   pod.container.name          -> container.name, kubernetes.container_name
 *   pod.container.image.name, .id -> container.image_name, image_uid
 * &lt;event&gt;.parent.pid, binary -> process.parent_pid, parent_name (basename)
 * ima_hash (process_lsm) "sha256:&lt;hex&gt;" -> file.sha256 of the hook's file (kept in unmapped)
 * args (and a kprobe's data): the first file_arg / path_arg / linux_binprm_arg path -> file.path (+ file.name); the
 *   first sock_arg -> src_endpoint (saddr, sport), dst_endpoint (daddr, dport), network.protocol (protocol); else the
 *   first skb_arg the same (protocol, else proto as IPPROTO_*); else the first sockaddr_arg (addr, port) ->
 *   dst_endpoint (a bind hook's: src_endpoint)
 * an accepted connection (inet_csk_accept's or tcp_create_openreq_child's return.sock_arg; tcp_set_state of a
 *   TCP_SYN_RECV sock_arg to int_arg 1): src_endpoint = the client (daddr, dport), dst_endpoint = the workload's
 *   listening end (saddr, sport), network.direction Inbound, unmapped strata.connection = accepted
 * legacy process_connect/listen/close source_ip/_port, destination_ip/_port, protocol -> the same endpoints
 * unmapped: every other field of the event, dotted, without the event key ("process.exec_id",
 *   "process.parent_exec_id" are the process tree keys; "parent.exec_id", "args" (JSON text), "policy_name", ...);
 *   "event_type" = the process_* key; other top-level fields (aggregation_info ...) dotted as written.
 * </pre>
 *
 * The event is read as it streams by (no tree): mapped values are picked up on the way and every other field goes
 * straight into unmapped through a {@link JsonFlattener}, with the keys and values a tree flatten gives.
 */
final class TetragonEventMapper implements JsonRecordStream.RecordMapper {

  static final int MAX_VALUE_CHARS = 64 * 1024;

  private final ChunkContext ctx;
  private final JsonFlattener flat = new JsonFlattener(MAX_VALUE_CHARS);

  private String eventType;
  private boolean twoEvents;
  private boolean notObject;
  private String time;
  private String nodeName;
  private String clusterName;
  /** The event's fields, dotted (the record's unmapped map; mapped fields left out). */
  private Map<String, String> unmapped;
  /** Top-level fields other than the event, time, node_name, cluster_name; put last. */
  private final Map<String, String> other = new LinkedHashMap<>();

  // mapped values of the event body
  private String processBinary;
  private String processArguments;
  private Long processPid;
  private String processUid;
  private String execId;
  private String processParentExecId;
  private String startTime;
  private Long parentPid;
  private String parentBinary;
  private String parentExecId;
  private String podNamespace;
  private String podName;
  private String containerId;
  /** process.docker: the container id from the process's cgroup (what is left when Tetragon had no pod). */
  private String processDocker;
  private String containerName;
  private String imageName;
  private String imageId;
  private String functionName;
  private String subsys;
  private String tracepointEvent;
  private String filePath;
  /** The first skb_arg (a packet: its addresses are a flow's) and sockaddr_arg (connect / bind: the peer). */
  private SockArg skbArg;
  private SockArg sockaddrArg;
  private String podUid;
  private final List<SockArg> sockArgs = new ArrayList<>(2);
  /** The int_arg values of the args list, in order (tcp_set_state's new state). */
  private final List<Long> intArgs = new ArrayList<>(2);
  private boolean legacyEndpoints;
  private String sourceIp;
  private Long sourcePort;
  private String destinationIp;
  private Long destinationPort;
  private String protocol;

  /** One sock_arg of an args list. */
  private record SockArg(String saddr, Integer sport, String daddr, Integer dport, String protocol, String state) {}

  /**
   * The kernel functions whose returned socket is a connection a listener accepted (session 19): {@code
   * inet_csk_accept} (the accept call's kretprobe; tcpaccept of bcc and bpftrace hook the same) and {@code
   * tcp_create_openreq_child} (the child socket of a completed handshake, Tetragon's {@code tcp-accept.yaml} example).
   */
  static final java.util.Set<String> ACCEPT_RETURNS = java.util.Set.of("inet_csk_accept", "tcp_create_openreq_child");

  /**
   * The {@code GetEventsResponse} events that are not {@code process_*}: {@code rate_limit_info} (the export's rate
   * limit dropped events: {@code number_of_dropped_process_events}) and {@code test} (Tetragon's test sensor).
   */
  static final java.util.Set<String> INFO_EVENTS = java.util.Set.of("rate_limit_info", "test");

  TetragonEventMapper(ChunkContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void begin() {
    eventType = time = nodeName = clusterName = null;
    twoEvents = notObject = false;
    unmapped = new HashMap<>(128);
    other.clear();
    processBinary = processArguments = processUid = execId = processParentExecId = startTime = null;
    processPid = parentPid = null;
    parentBinary = parentExecId = null;
    podNamespace = podName = containerId = containerName = imageName = imageId = processDocker = null;
    functionName = subsys = tracepointEvent = filePath = null;
    skbArg = sockaddrArg = null;
    podUid = null;
    sockArgs.clear();
    intArgs.clear();
    legacyEndpoints = false;
    sourceIp = destinationIp = protocol = null;
    sourcePort = destinationPort = null;
  }

  @Override
  public void field(String name, JsonParser p, Source src) throws IOException {
    if (name.startsWith("process_") || INFO_EVENTS.contains(name)) {
      if (eventType != null) {
        twoEvents = true;
        p.skipChildren();
        return;
      }
      eventType = name;
      if (p.currentToken() == JsonToken.START_OBJECT) {
        readBody(p, src);
      } else {
        notObject = true;
        p.skipChildren();
      }
      return;
    }
    switch (name) {
      case "time" -> time = scalarOrKeep(name, p, src);
      case "node_name" -> nodeName = scalarOrKeep(name, p, src);
      case "cluster_name" -> clusterName = scalarOrKeep(name, p, src);
      default -> flat.value(p, src, name, other);
    }
  }

  private String scalarOrKeep(String name, JsonParser p, Source src) throws IOException {
    JsonToken t = p.currentToken();
    if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
      flat.value(p, src, name, other);
      return null;
    }
    return Json.scalarText(p);
  }

  /** The event object: its fields into unmapped (dotted, without the event key), mapped ones picked up. */
  private void readBody(JsonParser p, Source src) throws IOException {
    Map<String, String> u = unmapped;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken t = p.nextToken();
      switch (name) {
        case "process" -> {
          if (t == JsonToken.START_OBJECT) object(p, src, name, processFields);
          else flat.value(p, src, name, u);
        }
        case "parent" -> {
          if (t == JsonToken.START_OBJECT) object(p, src, name, parentFields);
          else flat.value(p, src, name, u);
        }
        case "args", "data" -> {
          if (t == JsonToken.START_ARRAY) readArgs(p, src, name);
          else flat.value(p, src, name, u);
        }
        case "function_name" -> functionName = flat.keptText(p, src, name, u);
        case "subsys" -> subsys = flat.keptText(p, src, name, u);
        case "event" -> tracepointEvent = flat.keptText(p, src, name, u);
        case "source_ip" -> {
          legacyEndpoints = true;
          sourceIp = flat.keptText(p, src, name, u);
        }
        case "destination_ip" -> {
          legacyEndpoints = true;
          destinationIp = flat.keptText(p, src, name, u);
        }
        case "source_port" -> sourcePort = keptNumber(p, src, name);
        case "destination_port" -> destinationPort = keptNumber(p, src, name);
        case "protocol" -> protocol = flat.keptText(p, src, name, u);
        default -> flat.value(p, src, name, u);
      }
    }
  }

  /** A number that also stays in unmapped (as its text). */
  private Long keptNumber(JsonParser p, Source src, String key) throws IOException {
    JsonToken t = p.currentToken();
    if (t != JsonToken.VALUE_NUMBER_INT && t != JsonToken.VALUE_STRING) {
      flat.value(p, src, key, unmapped);
      return null;
    }
    String text = flat.keptText(p, src, key, unmapped);
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      return t == JsonToken.VALUE_NUMBER_INT ? new java.math.BigInteger(text).longValue() : null;
    }
  }

  /** One field of an object read by {@link #object}; false leaves it to the flattener. */
  @FunctionalInterface
  private interface FieldReader {
    boolean read(String name, String key, JsonToken t, JsonParser p, Source src) throws IOException;
  }

  private final FieldReader processFields = this::processField;
  private final FieldReader parentFields = this::parentField;
  private final FieldReader podFields = this::podField;
  private final FieldReader containerFields = this::containerField;
  private final FieldReader imageFields = this::imageField;

  /** Streams the object {@code p} is at: each field to {@code reader}, or into unmapped under {@code prefix}. */
  private void object(JsonParser p, Source src, String prefix, FieldReader reader) throws IOException {
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      String key = src.key(prefix, name);
      JsonToken t = p.nextToken();
      if (!reader.read(name, key, t, p, src)) flat.value(p, src, key, unmapped);
    }
  }

  /** {@code <event>.process}: pid, binary, arguments, uid and the pod are mapped (not in unmapped). */
  private boolean processField(String name, String key, JsonToken t, JsonParser p, Source src) throws IOException {
    Map<String, String> u = unmapped;
    switch (name) {
      case "pid" -> processPid = flat.mappedNumber(p, src, key, u);
      case "binary" -> processBinary = flat.mappedText(p, src, key, u);
      case "arguments" -> processArguments = flat.mappedText(p, src, key, u);
      case "uid" -> processUid = flat.mappedText(p, src, key, u);
      case "exec_id" -> execId = flat.keptText(p, src, key, u);
      case "parent_exec_id" -> processParentExecId = flat.keptText(p, src, key, u);
      case "docker" -> processDocker = flat.keptText(p, src, key, u);
      case "start_time" -> startTime = flat.keptText(p, src, key, u);
      case "pod" -> {
        if (t != JsonToken.START_OBJECT) return false;
        object(p, src, key, podFields);
      }
      default -> {
        return false;
      }
    }
    return true;
  }

  /** {@code <event>.parent}: pid and binary are mapped, exec_id too (and kept). */
  private boolean parentField(String name, String key, JsonToken t, JsonParser p, Source src) throws IOException {
    switch (name) {
      case "pid" -> parentPid = flat.mappedNumber(p, src, key, unmapped);
      case "binary" -> parentBinary = flat.mappedText(p, src, key, unmapped);
      case "exec_id" -> parentExecId = flat.keptText(p, src, key, unmapped);
      default -> {
        return false;
      }
    }
    return true;
  }

  /** {@code process.pod}: namespace, name and the container are mapped. */
  private boolean podField(String name, String key, JsonToken t, JsonParser p, Source src) throws IOException {
    switch (name) {
      case "namespace" -> podNamespace = flat.mappedText(p, src, key, unmapped);
      case "name" -> podName = flat.mappedText(p, src, key, unmapped);
      case "uid" -> podUid = flat.mappedText(p, src, key, unmapped);
      case "container" -> {
        if (t != JsonToken.START_OBJECT) return false;
        object(p, src, key, containerFields);
      }
      default -> {
        return false;
      }
    }
    return true;
  }

  /** {@code process.pod.container}: id, name and the image are mapped. */
  private boolean containerField(String name, String key, JsonToken t, JsonParser p, Source src)
      throws IOException {
    switch (name) {
      case "id" -> containerId = flat.mappedText(p, src, key, unmapped);
      case "name" -> containerName = flat.mappedText(p, src, key, unmapped);
      case "image" -> {
        if (t != JsonToken.START_OBJECT) return false;
        object(p, src, key, imageFields);
      }
      default -> {
        return false;
      }
    }
    return true;
  }

  /** {@code process.pod.container.image}: id and name are mapped. */
  private boolean imageField(String name, String key, JsonToken t, JsonParser p, Source src) throws IOException {
    switch (name) {
      case "id" -> imageId = flat.mappedText(p, src, key, unmapped);
      case "name" -> imageName = flat.mappedText(p, src, key, unmapped);
      default -> {
        return false;
      }
    }
    return true;
  }

  /** The args whose {@code path} is a file the hook acted on (the executed file of a linux_binprm). */
  private static final java.util.Set<String> PATH_ARGS = java.util.Set.of("file_arg", "path_arg", "linux_binprm_arg");

  /**
   * A kprobe/lsm/tracepoint/uprobe args list (or the kprobe's {@code data} list): kept whole in unmapped under its key
   * (compact JSON); the first file_arg / path_arg / linux_binprm_arg path, every sock_arg, the first skb_arg and
   * sockaddr_arg are picked up on the way.
   */
  private void readArgs(JsonParser p, Source src, String key) throws IOException {
    int start = src.index(p.currentTokenLocation().getByteOffset());
    while (p.nextToken() != JsonToken.END_ARRAY) {
      if (p.currentToken() != JsonToken.START_OBJECT) {
        p.skipChildren();
        continue;
      }
      String path = null;
      SockArg sock = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken t = p.nextToken();
        if (PATH_ARGS.contains(name)) {
          path = null;
          if (t == JsonToken.START_OBJECT) {
            while (p.nextToken() == JsonToken.FIELD_NAME) {
              boolean isPath = p.currentName().equals("path");
              p.nextToken();
              if (isPath) path = flat.text(p, src);
              else p.skipChildren();
            }
          } else {
            p.skipChildren();
          }
        } else if (name.equals("int_arg") && (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_STRING)) {
          try {
            intArgs.add(Long.parseLong(p.getText()));
          } catch (NumberFormatException notANumber) {
            // kept in the args text only
          }
        } else if (name.equals("sock_arg")) {
          sock = t == JsonToken.START_OBJECT ? sockArg(p, src) : null;
          if (t != JsonToken.START_OBJECT) p.skipChildren();
        } else if (name.equals("skb_arg") && t == JsonToken.START_OBJECT) {
          SockArg skb = sockArg(p, src);
          if (skbArg == null) skbArg = skb;
        } else if (name.equals("sockaddr_arg") && t == JsonToken.START_OBJECT) {
          SockArg peer = sockArg(p, src);
          if (sockaddrArg == null) sockaddrArg = peer;
        } else {
          p.skipChildren();
        }
      }
      if (filePath == null) filePath = blank(path);
      if (sock != null) sockArgs.add(sock);
    }
    unmapped.put(key, flat.textSince(p, src, start));
  }

  private SockArg sockArg(JsonParser p, Source src) throws IOException {
    String saddr = null;
    String daddr = null;
    String proto = null;
    String state = null;
    Long sport = null;
    Long dport = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      p.nextToken();
      switch (name) {
        case "saddr" -> saddr = flat.text(p, src);
        case "daddr", "addr" -> daddr = flat.text(p, src); // sockaddr_arg: the address connected / bound to
        case "protocol" -> proto = flat.text(p, src);
        case "proto" -> {
          // skb_arg: the IP protocol number (before its "protocol" text, v1.4+)
          Long n = JsonFlattener.number(p);
          if (proto == null && n != null) proto = ipProtocol(n);
        }
        case "state" -> state = flat.text(p, src);
        case "sport" -> sport = JsonFlattener.number(p);
        case "dport", "port" -> dport = JsonFlattener.number(p);
        default -> p.skipChildren();
      }
    }
    return new SockArg(saddr, port(sport), daddr, port(dport), proto, state);
  }

  @Override
  public EvidenceEvent end(RecordSpan span) throws RecordException {
    if (eventType == null) {
      throw new RecordException(RejectReason.MISSING_FIELD, "not a Tetragon event: no process_* (or rate_limit_info) field");
    }
    if (twoEvents) {
      throw new RecordException(RejectReason.MALFORMED_RECORD, "more than one process_* event in one record");
    }
    if (notObject) {
      throw new RecordException(RejectReason.MALFORMED_RECORD, eventType + " is not an object");
    }
    // the body's own scalars (uprobe, usdt, loader, throttle, exit, rate_limit_info) are in unmapped under their names
    Map<String, String> u = unmapped;
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
        String sub = blank(subsys);
        String ev = blank(tracepointEvent);
        activityName = sub != null || ev != null
            ? (sub == null ? "" : sub) + ":" + (ev == null ? "" : ev)
            : eventType;
      }
      case "process_kprobe", "process_lsm" -> {
        activity = 99;
        String fn = blank(functionName);
        activityName = fn != null ? fn : eventType;
      }
      case "process_uprobe" -> {
        // the probed symbol (offset: a probe by address, v1.4+); older exports' function_name
        activity = 99;
        String fn = blank(u.get("symbol")) != null ? u.get("symbol") : blank(functionName);
        if (fn == null && blank(u.get("offset")) != null) fn = "offset " + u.get("offset");
        activityName = fn != null ? fn : eventType;
      }
      case "process_usdt" -> {
        activity = 99;
        String prov = blank(u.get("provider"));
        String nm = blank(u.get("name"));
        activityName = prov != null || nm != null ? (prov == null ? "" : prov) + ":" + (nm == null ? "" : nm) : eventType;
      }
      case "process_throttle" -> {
        activity = 99;
        String type = blank(u.get("type"));
        activityName = type != null ? type : eventType;
      }
      default -> {
        activity = 99;
        activityName = eventType;
      }
    }
    EvidenceEvent e =
        ctx.newEvent(OcsfClass.PROCESS_ACTIVITY, activity, activityName, span.start(), span.end(), span.line(),
            span.ordinal(), 0, u);
    ctx.applyTime(e, blank(time), "time");
    String message = message();
    if (message != null) e.setMessage(message);
    if ("process_exit".equals(eventType)) {
      // the exit status, or the signal that ended it (Tetragon reports one or the other)
      String signal = blank(u.get("signal"));
      Long exitStatus = longOf(u.get("status"));
      if (exitStatus != null) e.setStatusCode(Long.toString(exitStatus));
      if (signal != null) e.setStatusDetail(signal);
      if (exitStatus != null || signal != null) {
        e.setStatus(signal == null && exitStatus == 0 ? "Success" : "Failure");
      }
    }

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

    // process
    String binary = blank(processBinary);
    String args = blank(processArguments);
    String uid = blank(processUid);
    String pbinary = blank(parentBinary);
    String exec = blank(execId);
    if (binary != null || processPid != null || uid != null || parentPid != null || pbinary != null
        || exec != null) {
      String cmd = binary == null ? args : args == null ? binary : binary + " " + args;
      String parentExec = blank(processParentExecId);
      e.setProcess(new Process(processPid, basename(binary), cmd, binary, uid, null, parentPid, basename(pbinary),
          exec, parentExec != null ? parentExec : blank(parentExecId), startMicros(startTime)));
    }

    // container
    String cid = blank(containerId);
    if (cid == null) cid = blank(processDocker); // no pod: the cgroup's container id is all there is
    String runtime = null;
    if (cid != null) {
      int sep = cid.indexOf("://");
      if (sep > 0) {
        runtime = cid.substring(0, sep);
        cid = blank(cid.substring(sep + 3));
      }
    }
    String cname = blank(containerName);
    String iname = blank(imageName);
    String iid = blank(imageId);
    if (cid != null || cname != null || iname != null || iid != null) {
      e.setContainer(new Container(cid, cname, iname, iid, runtime, digestOf(iid)));
    }

    // kubernetes
    String ns = blank(podNamespace);
    String pod = blank(podName);
    String cluster = blank(clusterName);
    if (ns != null || pod != null || cname != null || node != null || cluster != null || blank(podUid) != null) {
      Kubernetes k = e.getKubernetes();
      if (k == null) {
        k = new Kubernetes();
        e.setKubernetes(k);
      }
      if (ns != null) k.setNamespace(ns);
      if (pod != null) k.setPodName(pod);
      if (blank(podUid) != null) k.setPodUid(podUid);
      if (cname != null) k.setContainerName(cname);
      if (node != null) k.setNodeName(node);
      if (cluster != null) k.setCluster(cluster);
    }

    // kprobe / lsm arguments: first file and first socket; a loader's loaded file
    if (filePath == null && "process_loader".equals(eventType)) filePath = blank(u.get("path"));
    if (filePath != null) {
      int slash = filePath.lastIndexOf('/');
      String fname = slash < filePath.length() - 1 ? filePath.substring(slash + 1) : null;
      // an LSM hook's IMA measurement of the file (ima_hash "sha256:<hex>", v1.3+) is the file's hash
      String ima = blank(u.get("ima_hash"));
      String sha256 = ima != null && ima.startsWith("sha256:") && ima.length() == 71 ? ima.substring(7) : null;
      e.setFile(new File(filePath, fname, null, null, null, sha256, null));
    }
    SockArg accepted = accepted(u);
    if (accepted != null) {
      // a connection the workload accepted: the socket's far end (daddr) is the client, its own end (saddr, the
      // listening port) the server; src -> dst as a flow record says it, direction Inbound
      endpoints(e, accepted.daddr(), accepted.dport(), accepted.saddr(), accepted.sport(), accepted.protocol());
      Network n = e.getNetwork() == null ? new Network() : e.getNetwork();
      n.setDirection("Inbound");
      e.setNetwork(n);
      u.put("strata.connection", "accepted");
    }
    for (SockArg s : sockArgs) {
      if (e.getDstEndpoint() == null) endpoints(e, s.saddr(), s.sport(), s.daddr(), s.dport(), s.protocol());
    }
    // a packet (skb_arg): its source and destination as the packet says them
    if (e.getDstEndpoint() == null && e.getSrcEndpoint() == null && skbArg != null) {
      endpoints(e, skbArg.saddr(), skbArg.sport(), skbArg.daddr(), skbArg.dport(), skbArg.protocol());
    }
    // a sockaddr_arg (security_socket_connect / _bind, connect(2), bind(2)): the address connected to is the
    // destination; the address a bind names is the workload's own end, the source
    if (e.getDstEndpoint() == null && e.getSrcEndpoint() == null && sockaddrArg != null) {
      boolean bind = functionName != null && functionName.contains("bind");
      if (bind) endpoints(e, sockaddrArg.daddr(), sockaddrArg.dport(), null, null, null);
      else endpoints(e, null, null, sockaddrArg.daddr(), sockaddrArg.dport(), null);
    }
    // legacy connect/listen/close events
    if (e.getDstEndpoint() == null && e.getSrcEndpoint() == null && legacyEndpoints) {
      endpoints(e, sourceIp, port(sourcePort), destinationIp, port(destinationPort), protocol);
    }

    // unmapped: the event's fields are in already
    u.putIfAbsent("event_type", eventType);
    u.putAll(other);
    e.setRawData(ctx.rawText(span.start(), span.end()));
    return e;
  }

  /**
   * The socket of a connection this kprobe says a listener accepted, or null: the returned socket of {@link
   * #ACCEPT_RETURNS} ({@code return.sock_arg}), or {@code tcp_set_state} of a socket in {@code TCP_SYN_RECV} to state 1
   * ({@code TCP_ESTABLISHED}: the passive open completing, the other hook of Tetragon's {@code tcp-accept.yaml}).
   */
  private SockArg accepted(Map<String, String> u) {
    if (!"process_kprobe".equals(eventType) || functionName == null) return null;
    if (ACCEPT_RETURNS.contains(functionName)) {
      String daddr = blank(u.get("return.sock_arg.daddr"));
      if (daddr == null) return null;
      return new SockArg(blank(u.get("return.sock_arg.saddr")), port(longOf(u.get("return.sock_arg.sport"))), daddr,
          port(longOf(u.get("return.sock_arg.dport"))), u.get("return.sock_arg.protocol"),
          u.get("return.sock_arg.state"));
    }
    if ("tcp_set_state".equals(functionName) && !sockArgs.isEmpty() && "TCP_SYN_RECV".equals(sockArgs.get(0).state())
        && intArgs.contains(1L)) {
      return sockArgs.get(0);
    }
    return null;
  }

  /** The event's message: the policy's {@code message}, else what an info event says. */
  private String message() {
    String policyMessage = blank(unmapped.get("message"));
    if (policyMessage != null) return policyMessage;
    return switch (eventType) {
      case "rate_limit_info" -> "Tetragon's export rate limit dropped "
          + (blank(unmapped.get("number_of_dropped_process_events")) == null ? "some"
              : unmapped.get("number_of_dropped_process_events")) + " process events";
      case "process_throttle" -> "Tetragon "
          + ("THROTTLE_STOP".equals(unmapped.get("type")) ? "stopped throttling" : "throttled")
          + " the events of cgroup " + (blank(unmapped.get("cgroup")) == null ? "?" : unmapped.get("cgroup"));
      default -> null;
    };
  }

  /**
   * An IP protocol number (skb_arg's {@code proto}) in the form Tetragon writes a sock_arg's {@code protocol}
   * ({@code IPPROTO_TCP}), so the events of both name it alike; other numbers as written.
   */
  static String ipProtocol(long n) {
    return switch ((int) n) {
      case 1 -> "IPPROTO_ICMP";
      case 6 -> "IPPROTO_TCP";
      case 17 -> "IPPROTO_UDP";
      case 58 -> "IPPROTO_ICMPV6";
      case 132 -> "IPPROTO_SCTP";
      default -> Long.toString(n);
    };
  }

  private static Long longOf(String text) {
    if (text == null) return null;
    try {
      return Long.parseLong(text.trim());
    } catch (NumberFormatException e) {
      return null;
    }
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

  private static Integer port(Long v) {
    return v == null || v < 0 || v > 65535 ? null : v.intValue();
  }

  /** process.start_time (RFC 3339, nanoseconds) at microsecond precision, or null. */
  private static java.time.Instant startMicros(String startTime) {
    String t = blank(startTime);
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
