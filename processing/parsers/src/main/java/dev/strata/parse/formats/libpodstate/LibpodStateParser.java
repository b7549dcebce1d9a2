package dev.strata.parse.formats.libpodstate;

import static dev.strata.parse.Values.blank;
import static dev.strata.parse.Values.cut;
import static dev.strata.parse.Values.put;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.parse.ChunkContext;
import dev.strata.parse.ImageRefs;
import dev.strata.parse.Json;
import dev.strata.parse.JsonTreeMultiMapper;
import dev.strata.parse.JsonRecordStream.RecordException;
import dev.strata.parse.JsonRecordStream.RecordSpan;
import dev.strata.parse.JsonRecordsParser;
import dev.strata.parse.OcsfClass;
import dev.strata.parse.RejectReason;
import dev.strata.parse.formats.dockercontainerconfig.DockerContainerConfigMapper;
import dev.strata.schema.event.Container;
import dev.strata.schema.event.Endpoint;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.event.Process;
import dev.strata.schema.event.Resource;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Podman's own state database (libpod's {@code db.sql} / {@code bolt_state.db}) as the collector reads it (ingest
 * {@code dev.strata.ingest.libpod.LibpodState}): one JSON line per object, {@code {"libpod_state", "object", "id",
 * "name", "pod_id", "config", "state", "state_code", "exit_code", "timestamp", "db", "source"}}, the documents as
 * libpod stored them (ContainerConfig, ContainerState, PodConfig). The same events a {@code podman inspect} (read as
 * {@code docker_inspect}) or a Docker state file gives, so a Podman host imaged without {@code podman events} still
 * yields its containers:
 *
 * <pre>
 * container  OCSF 0 Base Event, 99 Other: "created" at config.createdTime, "started" at state.startedTime, "finished"
 *            at state.finishedTime with state.exitCode (status_code; 0 Success, else Failure) when the container is
 *            not running (state_code other than 3 running / 5 paused: a running container's finishedTime is a previous
 *            run's end); Go's zero time is no time; none of them: one "created" at the observed time, warned.
 *            container.uid = id, name, image_name = rootfsImageName (else RawImageName), image_uid = sha256:&lt;
 *            rootfsImageID&gt; (containers/storage's bare hex, as podman_containers_json reads it), image_digest = the
 *            name's pinned digest, runtime "podman"; process = spec.process.args (name, cmd_line, exe) and user;
 *            src_endpoint = the address of state.networkStatus (netavark / CNI: the first interface's first subnet)
 *            with the spec's hostname; a pod's container: resource pod (pod_id).
 *            Host settings as Docker's (hostconfig.*, strata.risk, read by the entry rule and the risk hints): the
 *            published ports of newPortMappings (Podman 4+: host_ip, host_port, container_port, range, protocol; the
 *            old OCICNI portMappings of Podman 3 otherwise) as hostconfig.port_bindings {@code 0.0.0.0:8080->80/tcp};
 *            networkMode -> network_mode (host: host_network); privileged; no pid / ipc namespace in the spec ->
 *            pid_mode / ipc_mode host; bind mounts -> binds {@code source:destination}.
 *            unmapped: podman.pod_id, podman.state (configured, created, running, stopped, paused, exited, removing,
 *            stopping), podman.state_code, podman.exit_code, podman.pid, podman.conmon_pid, podman.oom_killed,
 *            podman.create_command, podman.network_mode, podman.networks, podman.rootless (a user namespace mapping
 *            in the spec), podman.log_path, podman.config_path, podman.static_dir, podman.db.* (graph_root,
 *            run_root, static_dir, ...: whose store), podman.exec_sessions (ids and commands of state's exec sessions),
 *            labels.&lt;key&gt;, libpod.source (table and rowid, or bucket), libpod.engine (sqlite, bolt).
 * pod        OCSF 0, "pod created" at config.created: resource pod (name, id), podman.infra_container_id.
 * exit_code  OCSF 0, "finished" at timestamp (SQLite: Unix seconds) or time (BoltDB: RFC 3339): the exit code libpod
 *            keeps for {@code podman wait} (also of a container removed less than 5 minutes before), container.uid,
 *            status_code.
 * error      the collector could not read the database (wholly or from some page on): rejected (malformed_record) with
 *            its reason, so it is a dead letter; the objects before it were emitted.
 * </pre>
 *
 * A container line without id, or whose config is not a JSON object, is rejected (missing_field / malformed_json).
 */
public final class LibpodStateParser extends JsonRecordsParser {
  public static final String FORMAT = "libpod_state";
  static final String ZERO_TIME_PREFIX = "0001-01-01";
  private static final String[] STATES = {"unknown", "configured", "created", "running", "stopped", "paused",
      "exited", "removing", "stopping"};

  public LibpodStateParser() {
    super(FORMAT, Set.of(), Mapper::new);
  }

  private static final class Mapper extends JsonTreeMultiMapper {
    private final ChunkContext ctx;
    private ObjectNode node;

    Mapper(ChunkContext ctx) {
      this.ctx = ctx;
    }

    @Override
    protected List<EvidenceEvent> mapAll(ObjectNode record, RecordSpan span) throws RecordException {
      node = record;
      String object = Json.text(node, "object");
      if (object == null) throw new RecordException(RejectReason.MISSING_FIELD, "not a libpod state line: no object");
      return switch (object) {
        case "container" -> container(span);
        case "pod" -> List.of(pod(span));
        case "exit_code" -> List.of(exitCode(span));
        case "error" -> throw new RecordException(RejectReason.MALFORMED_RECORD, "libpod state database ("
            + Json.text(node, "libpod_state") + ") unreadable after " + node.path("containers_read").asInt()
            + " containers and " + node.path("pods_read").asInt() + " pods: " + Json.text(node, "error"));
        default -> List.of(); // an object kind this parser does not map (volumes, ...): nothing
      };
    }

    private EvidenceEvent event(String activity, RecordSpan span, int sub) {
      EvidenceEvent e = ctx.newEvent(OcsfClass.BASE_EVENT, OcsfClass.ACTIVITY_OTHER, activity, span.start(),
          span.end(), span.line(), span.ordinal(), sub, new HashMap<>(48));
      Map<String, String> u = e.getUnmapped();
      put(u, "libpod.engine", Json.text(node, "libpod_state"));
      JsonNode src = node.path("source");
      if (src.has("bucket")) put(u, "libpod.source", Json.text(src, "bucket"));
      else if (src.has("table")) put(u, "libpod.source", Json.text(src, "table") + " rowid " + Json.text(src, "rowid"));
      JsonNode db = node.path("db");
      for (Iterator<Map.Entry<String, JsonNode>> it = db.fields(); it.hasNext(); ) {
        var f = it.next();
        put(u, "podman.db." + f.getKey(), Json.text(f.getValue()));
      }
      e.setRawData(ctx.rawText(span.start(), span.end()));
      return e;
    }

    private List<EvidenceEvent> container(RecordSpan span) throws RecordException {
      String id = blank(Json.text(node, "id"));
      if (id == null) throw new RecordException(RejectReason.MISSING_FIELD, "libpod container without id");
      JsonNode cfg = node.path("config");
      if (!cfg.isObject()) {
        throw new RecordException(node.has("config_text") ? RejectReason.MALFORMED_JSON : RejectReason.MISSING_FIELD,
            "libpod container " + id + ": its config is not a JSON document");
      }
      JsonNode st = node.path("state");
      Long code = node.path("state_code").isIntegralNumber() ? node.path("state_code").asLong()
          : st.path("state").isIntegralNumber() ? st.path("state").asLong() : null;
      boolean running = code != null && (code == 3 || code == 5);
      String created = time(Json.text(cfg, "createdTime"));
      String started = time(Json.text(st, "startedTime"));
      String finished = running ? null : time(Json.text(st, "finishedTime"));
      List<EvidenceEvent> out = new ArrayList<>(3);
      if (created != null) out.add(lifecycle("created", created, "config.createdTime", span, out.size(), id, cfg, st));
      if (started != null) out.add(lifecycle("started", started, "state.startedTime", span, out.size(), id, cfg, st));
      if (finished != null) {
        EvidenceEvent e = lifecycle("finished", finished, "state.finishedTime", span, out.size(), id, cfg, st);
        String exit = node.has("exit_code") ? Json.text(node, "exit_code") : Json.text(st, "exitCode");
        if (exit == null) exit = "0"; // encoding/json omits a zero exitCode
        e.setStatusCode(exit);
        e.setStatus("0".equals(exit) ? "Success" : "Failure");
        e.setMessage(e.getMessage() + " (exit code " + exit + ")");
        out.add(e);
      }
      if (out.isEmpty()) out.add(lifecycle("created", null, "config.createdTime", span, 0, id, cfg, st));
      return out;
    }

    private EvidenceEvent lifecycle(String activity, String time, String field, RecordSpan span, int sub, String id,
        JsonNode cfg, JsonNode st) {
      EvidenceEvent e = event(activity, span, sub);
      ctx.applyTime(e, time, field);
      Map<String, String> u = e.getUnmapped();
      String name = blank(Json.text(node, "name"));
      if (name == null) name = blank(Json.text(cfg, "name"));
      String imageName = blank(Json.text(cfg, "rootfsImageName"));
      if (imageName == null) imageName = blank(Json.text(cfg, "RawImageName"));
      String imageId = imageId(blank(Json.text(cfg, "rootfsImageID")));
      e.setContainer(new Container(id, name, imageName, imageId, "podman", ImageRefs.pinnedDigest(imageName)));
      if (imageId != null) e.getResources().add(new Resource("image", imageName, imageId, null, null, null));
      String pod = blank(Json.text(node, "pod_id"));
      if (pod == null) pod = blank(Json.text(cfg, "pod"));
      if (pod != null) {
        e.getResources().add(new Resource("pod", null, pod, null, null, null));
        u.put("podman.pod_id", pod);
      }
      e.setMessage("podman container " + (name != null ? name : id.length() > 12 ? id.substring(0, 12) : id) + " "
          + activity + " (libpod state)");

      JsonNode spec = cfg.path("spec");
      JsonNode proc = spec.path("process");
      List<String> argv = new ArrayList<>();
      for (JsonNode a : proc.path("args")) if (a.isTextual()) argv.add(a.asText());
      String user = blank(Json.text(cfg, "user"));
      if (user == null && proc.path("user").has("uid")) user = Json.text(proc.path("user"), "uid");
      if (!argv.isEmpty()) {
        String exe = argv.get(0);
        int slash = exe.lastIndexOf('/');
        String pname = slash >= 0 && slash < exe.length() - 1 ? exe.substring(slash + 1) : exe;
        e.setProcess(new Process(null, blank(pname), cut(String.join(" ", argv)), exe, user, null, null, null, null,
            null, null));
      }
      String ip = address(st.path("networkStatus"));
      String hostname = blank(Json.text(spec, "hostname"));
      if (ip != null || hostname != null) e.setSrcEndpoint(new Endpoint(ip, null, hostname, null, null, null));

      DockerContainerConfigMapper.hostConfigHints(u, hostConfig(cfg, spec));
      String mode = blank(Json.text(cfg, "networkMode"));
      put(u, "podman.network_mode", mode);
      List<String> nets = new ArrayList<>();
      for (Iterator<String> it = cfg.path("newNetworks").fieldNames(); it.hasNext(); ) nets.add(it.next());
      for (JsonNode n : cfg.path("networks")) if (n.isTextual()) nets.add(n.asText());
      if (!nets.isEmpty()) u.put("podman.networks", String.join(",", nets));
      boolean rootless = spec.path("linux").path("uidMappings").isArray() && spec.path("linux").path("uidMappings")
          .size() > 0 && spec.path("linux").path("uidMappings").get(0).path("hostID").asLong(0) != 0;
      u.put("podman.rootless", Boolean.toString(rootless));
      List<String> create = new ArrayList<>();
      for (JsonNode a : cfg.path("CreateCommand")) if (a.isTextual()) create.add(a.asText());
      if (!create.isEmpty()) u.put("podman.create_command", cut(String.join(" ", create)));
      put(u, "podman.log_path", blank(Json.text(cfg, "logPath")));
      put(u, "podman.static_dir", blank(Json.text(cfg, "staticDir")));
      put(u, "podman.config_path", blank(Json.text(st, "configPath")));
      Long code = node.path("state_code").isIntegralNumber() ? node.path("state_code").asLong()
          : st.path("state").isIntegralNumber() ? st.path("state").asLong() : null;
      if (code != null) {
        u.put("podman.state_code", code.toString());
        if (code >= 0 && code < STATES.length) u.put("podman.state", STATES[code.intValue()]);
      }
      put(u, "podman.exit_code", node.has("exit_code") ? Json.text(node, "exit_code") : Json.text(st, "exitCode"));
      put(u, "podman.pid", positive(st.path("pid")));
      put(u, "podman.conmon_pid", positive(st.path("conmonPid")));
      if (st.path("oomKilled").asBoolean(false)) u.put("podman.oom_killed", "true");
      List<String> execs = new ArrayList<>();
      JsonNode sessions = st.has("newExecSessions") ? st.path("newExecSessions") : st.path("execSessions");
      for (Iterator<Map.Entry<String, JsonNode>> it = sessions.fields(); it.hasNext(); ) {
        var x = it.next();
        List<String> cmd = new ArrayList<>();
        for (JsonNode a : x.getValue().path("command")) if (a.isTextual()) cmd.add(a.asText());
        String sid = x.getKey().length() > 12 ? x.getKey().substring(0, 12) : x.getKey();
        execs.add(sid + (cmd.isEmpty() ? "" : " " + String.join(" ", cmd)));
      }
      if (!execs.isEmpty()) u.put("podman.exec_sessions", cut(String.join("; ", execs)));
      JsonNode labels = cfg.path("labels");
      for (Iterator<Map.Entry<String, JsonNode>> it = labels.fields(); it.hasNext(); ) {
        var l = it.next();
        put(u, "labels." + l.getKey(), Json.text(l.getValue()));
      }
      return e;
    }

    private EvidenceEvent pod(RecordSpan span) throws RecordException {
      String id = blank(Json.text(node, "id"));
      if (id == null) throw new RecordException(RejectReason.MISSING_FIELD, "libpod pod without id");
      JsonNode cfg = node.path("config");
      EvidenceEvent e = event("pod created", span, 0);
      String name = blank(Json.text(node, "name"));
      if (name == null) name = blank(Json.text(cfg, "name"));
      String created = time(Json.text(cfg, "created"));
      ctx.applyTime(e, created, "config.created");
      e.getResources().add(new Resource("pod", name, id, null, null, null));
      Map<String, String> u = e.getUnmapped();
      u.put("podman.pod_id", id);
      put(u, "podman.pod_name", name);
      put(u, "podman.infra_container_id", blank(Json.text(node, "infra_container_id")));
      List<String> create = new ArrayList<>();
      for (JsonNode a : cfg.path("CreateCommand")) if (a.isTextual()) create.add(a.asText());
      if (!create.isEmpty()) u.put("podman.create_command", cut(String.join(" ", create)));
      e.setMessage("podman pod " + (name != null ? name : id) + " created (libpod state)");
      return e;
    }

    private EvidenceEvent exitCode(RecordSpan span) throws RecordException {
      String id = blank(Json.text(node, "id"));
      if (id == null) throw new RecordException(RejectReason.MISSING_FIELD, "libpod exit code without container id");
      EvidenceEvent e = event("finished", span, 0);
      JsonNode ts = node.path("timestamp");
      if (ts.isIntegralNumber()) ctx.applyTime(e, Instant.ofEpochSecond(ts.asLong()).toString(), "timestamp");
      else ctx.applyTime(e, time(Json.text(node, "time")), "time"); // BoltDB: the time as Go's MarshalText wrote it
      e.setContainer(new Container(id, null, null, null, "podman", null));
      String exit = Json.text(node, "exit_code");
      if (exit != null) {
        e.setStatusCode(exit);
        e.setStatus("0".equals(exit) ? "Success" : "Failure");
        e.getUnmapped().put("podman.exit_code", exit);
      }
      e.setMessage("podman container " + (id.length() > 12 ? id.substring(0, 12) : id) + " exit code " + exit
          + " kept for podman wait (libpod state)");
      return e;
    }
  }

  /** A Go time as encoding/json wrote it, or null for none or Go's zero time. */
  static String time(String t) {
    return t == null || t.isEmpty() || t.startsWith(ZERO_TIME_PREFIX) ? null : t;
  }

  /** containers/storage's bare 64-hex image id as the {@code sha256:} digest it is; anything else as written. */
  static String imageId(String id) {
    if (id == null || id.length() != 64) return id;
    for (int i = 0; i < 64; i++) {
      char c = id.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return id;
    }
    return "sha256:" + id;
  }

  private static String positive(JsonNode n) {
    return n.isIntegralNumber() && n.asLong() > 0 ? n.asText() : null;
  }

  /** The container's address in its network status: netavark's / CNI's first interface's first subnet. */
  static String address(JsonNode status) {
    for (JsonNode net : status) {
      for (JsonNode itf : net.path("interfaces")) {
        for (JsonNode s : itf.path("subnets")) {
          String ipnet = Json.text(s, "ipnet");
          if (ipnet != null && !ipnet.isEmpty()) {
            int slash = ipnet.indexOf('/');
            return slash > 0 ? ipnet.substring(0, slash) : ipnet;
          }
        }
      }
      // Podman 4 with CNI (types.StatusBlock from CNI results): "ips":[{"address":"10.88.0.5/16"}]
      for (JsonNode ipn : net.path("ips")) {
        String a = Json.text(ipn, "address");
        if (a != null && !a.isEmpty()) return a.indexOf('/') > 0 ? a.substring(0, a.indexOf('/')) : a;
      }
    }
    return null;
  }

  /** libpod's config as the Docker host config the risk hints and the entry rule read. */
  static ObjectNode hostConfig(JsonNode cfg, JsonNode spec) {
    ObjectNode h = Json.MAPPER.createObjectNode();
    if (cfg.path("privileged").asBoolean(false)) h.put("Privileged", true);
    String mode = Json.text(cfg, "networkMode");
    if (mode != null && !mode.isEmpty()) h.put("NetworkMode", mode);
    boolean pid = false;
    boolean ipc = false;
    JsonNode namespaces = spec.path("linux").path("namespaces");
    for (JsonNode n : namespaces) {
      if ("pid".equals(Json.text(n, "type"))) pid = true;
      if ("ipc".equals(Json.text(n, "type"))) ipc = true;
    }
    if (namespaces.isArray() && namespaces.size() > 0) {
      if (!pid && blank(Json.text(cfg, "pidNsCtr")) == null) h.put("PidMode", "host");
      if (!ipc && blank(Json.text(cfg, "ipcNsCtr")) == null) h.put("IpcMode", "host");
    }
    ArrayNode binds = h.putArray("Binds");
    for (JsonNode m : spec.path("mounts")) {
      if (!"bind".equals(Json.text(m, "type"))) continue;
      binds.add(Json.text(m, "source") + ":" + Json.text(m, "destination"));
    }
    if (binds.isEmpty()) h.remove("Binds");
    ObjectNode ports = Json.MAPPER.createObjectNode();
    for (JsonNode p : cfg.path("newPortMappings")) {
      int host = p.path("host_port").asInt(0);
      int ctr = p.path("container_port").asInt(0);
      int range = Math.max(1, Math.min(p.path("range").asInt(1), 64));
      String proto = Json.text(p, "protocol");
      for (String pr : (proto == null || proto.isEmpty() ? "tcp" : proto).split(",")) {
        for (int i = 0; i < range && host > 0; i++) {
          ArrayNode a = ports.withArray((ctr + i) + "/" + pr);
          ObjectNode b = a.addObject();
          b.put("HostIp", Json.text(p, "host_ip") == null ? "" : Json.text(p, "host_ip"));
          b.put("HostPort", Integer.toString(host + i));
        }
      }
    }
    if (ports.isEmpty()) {
      for (JsonNode p : cfg.path("portMappings")) { // Podman 3's OCICNI port mappings
        int host = p.path("hostPort").asInt(0);
        if (host <= 0) continue;
        String proto = Json.text(p, "protocol");
        ObjectNode b = ports.withArray(p.path("containerPort").asInt(0) + "/" + (proto == null || proto.isEmpty()
            ? "tcp" : proto)).addObject();
        b.put("HostIp", Json.text(p, "hostIP") == null ? "" : Json.text(p, "hostIP"));
        b.put("HostPort", Integer.toString(host));
      }
    }
    if (!ports.isEmpty()) h.set("PortBindings", ports);
    return h;
  }
}
