package dev.strata.parse.formats.dockercontainerconfig;

import static dev.strata.parse.Values.blank;
import static dev.strata.parse.Values.cut;
import static dev.strata.parse.Values.put;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.parse.ChunkContext;
import dev.strata.parse.ImageRefs;
import dev.strata.parse.EventIds;
import dev.strata.parse.Events;
import dev.strata.parse.Json;
import dev.strata.parse.OcsfClass;
import dev.strata.schema.event.Container;
import dev.strata.schema.event.Endpoint;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.event.Kubernetes;
import dev.strata.schema.event.Process;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Docker container state files to OCSF 0 Base Event, activity 99 Other.
 *
 * <pre>
 * config.v2.json / config.json (object with ID and Config or State):
 *   one event per lifecycle timestamp, activity_name: Created -> "created", State.StartedAt -> "started",
 *   State.FinishedAt -> "finished" (status_code = State.ExitCode); Docker's zero time 0001-01-01T00:00:00Z (never
 *   happened) gives no event. No usable timestamp at all: one "created" event at observed time, warned.
 *   every event carries:
 *   ID, Name (without '/'), Config.Image, Image -> container.uid, name, image_name, image_uid; runtime "docker";
 *                        a Config.Image pinned by digest (repo:tag@sha256:..) -> image_digest
 *   Path + Args (else Config.Entrypoint + Config.Cmd) -> process.cmd_line (joined by ' '); Path -> executable,
 *                        basename(Path) -> name
 *   Config.Labels io.kubernetes.pod.name / .pod.namespace / .pod.uid / .container.name -> kubernetes.*
 *   NetworkSettings.IPAddress, else the first non-empty NetworkSettings.Networks.*.IPAddress -> src_endpoint.ip
 *                        (the container's own address; device stays the host the daemon runs on);
 *                        Config.Hostname -> src_endpoint.hostname; every network's IP in unmapped network.&lt;name&gt;.ip
 *   unmapped: config.env_names (names only, comma-separated: values are secrets and are never kept),
 *             labels.&lt;key&gt;, mounts.&lt;destination&gt;.source / .rw / .type / .name, state.pid, state.running,
 *             state.oom_killed, state.exit_code, state.error, state.paused / .restarting / .dead,
 *             state.health.status / .failing_streak / .last_end / .last_exit_code / .last_output (State.Health),
 *             network.&lt;name&gt;.ip / .mac / .ipv6 / .gateway, network.ports (NetworkSettings.Ports as
 *             {@code 0.0.0.0:8080->80/tcp}), restart_count, driver, platform, log_path, config.user,
 *             config.working_dir
 *   raw_data is left out (it would carry the Env values); the bytes are in the evidence store.
 * hostconfig.json (object with hostconfig keys): one "configured" event; the file has no time of its own:
 *   time = observed_time, warned. container.uid from the path (containers/&lt;64 hex&gt;/hostconfig.json).
 *   Privileged, CapAdd, CapDrop, PidMode, NetworkMode, IpcMode, Binds, SecurityOpt, ReadonlyRootfs, Devices,
 *   UsernsMode, Mounts -> unmapped hostconfig.&lt;snake_case&gt; (arrays comma-joined, objects as JSON); PortBindings ->
 *   hostconfig.port_bindings ({@code 0.0.0.0:8080->80/tcp}, comma-joined);
 *   strata.risk: comma-separated hints: privileged, host_pid, host_network, host_ipc, docker_sock_bind,
 *   host_root_bind (the host's / bound into the container).
 *   event_id = SHA-256 of (artifact, container id from the path): identical hostconfig files of several
 *   containers are one artifact but stay one event per container.
 * </pre>
 *
 * <p>Also used by {@code docker_inspect}: a {@code docker inspect} element has the same shape with {@code Id} for
 * {@code ID}, a {@code Mounts} array for {@code MountPoints} and the host config inline ({@link #hostConfigHints}).
 */
public final class DockerContainerConfigMapper {

  static final String ZERO_TIME_PREFIX = "0001-01-01";
  private static final Pattern PATH_ID = Pattern.compile("(?:^|/)containers/([0-9a-f]{64})/[^/]*$");
  private static final String[] HOST_KEYS = {
    "Binds", "NetworkMode", "Privileged", "CapAdd", "CapDrop", "PidMode", "IpcMode", "PortBindings",
    "RestartPolicy", "LogConfig", "SecurityOpt", "ReadonlyRootfs", "Devices"
  };

  private final ChunkContext ctx;
  private final int start;
  private final int end;
  private final long line;
  private final long ordinal;

  DockerContainerConfigMapper(ChunkContext ctx, int start, int end) {
    this(ctx, start, end, ctx.lineAt(start), 0);
  }

  /** A mapper for the record at payload [start, end), on content line {@code line}, record {@code ordinal}. */
  public DockerContainerConfigMapper(ChunkContext ctx, int start, int end, long line, long ordinal) {
    this.ctx = ctx;
    this.start = start;
    this.end = end;
    this.line = line;
    this.ordinal = ordinal;
  }

  /** The container id: {@code ID} (state files) or {@code Id} (docker inspect). */
  static String id(JsonNode root) {
    String id = text(root, "ID");
    return id != null ? id : text(root, "Id");
  }

  public static boolean isConfig(JsonNode root) {
    JsonNode id = root.has("ID") ? root.get("ID") : root.get("Id");
    return id != null && id.isTextual() && !id.asText().isEmpty()
        && (root.path("Config").isObject() || root.path("State").isObject());
  }

  static boolean isHostConfig(JsonNode root) {
    int n = 0;
    for (String k : HOST_KEYS) {
      if (root.has(k)) n++;
    }
    return n >= 2;
  }

  // ---- config.v2.json ---------------------------------------------------------------------------------------

  public List<EvidenceEvent> config(JsonNode root) {
    JsonNode state = root.path("State");
    JsonNode cfg = root.path("Config");
    List<EvidenceEvent> out = new ArrayList<>(3);
    String created = text(root, "Created");
    String started = text(state, "StartedAt");
    String finished = text(state, "FinishedAt");
    if (isTime(created)) out.add(lifecycle(root, "created", created, "Created", out.size()));
    if (isTime(started)) out.add(lifecycle(root, "started", started, "State.StartedAt", out.size()));
    if (isTime(finished)) {
      EvidenceEvent e = lifecycle(root, "finished", finished, "State.FinishedAt", out.size());
      String code = text(state, "ExitCode");
      if (code != null) {
        e.setStatusCode(code);
        e.setStatus("0".equals(code) ? "Success" : "Failure");
      }
      out.add(e);
    }
    if (out.isEmpty()) {
      EvidenceEvent e = lifecycle(root, "created", null, "Created", 0);
      out.add(e);
    }
    return out;
  }

  private EvidenceEvent lifecycle(JsonNode root, String activity, String time, String field, int sub) {
    EvidenceEvent e =
        ctx.newEvent(OcsfClass.BASE_EVENT, OcsfClass.ACTIVITY_OTHER, activity, start, end, line, ordinal, sub,
            new HashMap<>(32));
    ctx.applyTime(e, time, field);
    JsonNode state = root.path("State");
    JsonNode cfg = root.path("Config");
    Map<String, String> u = e.getUnmapped();

    String id = id(root);
    String name = text(root, "Name");
    if (name != null && name.startsWith("/")) name = name.substring(1);
    String image = blank(text(cfg, "Image"));
    e.setContainer(new Container(id, blank(name), image, blank(text(root, "Image")), "docker",
        ImageRefs.pinnedDigest(image)));
    e.setMessage("container " + (name != null ? name : shortId(id)) + " " + activity
        + ("finished".equals(activity) && text(state, "ExitCode") != null
            ? " (exit code " + text(state, "ExitCode") + ")" : ""));

    // process
    String path = blank(text(root, "Path"));
    List<String> argv = new ArrayList<>();
    if (path != null) {
      argv.add(path);
      addAll(argv, root.get("Args"));
    } else {
      addAll(argv, cfg.get("Entrypoint"));
      addAll(argv, cfg.get("Cmd"));
    }
    if (!argv.isEmpty()) {
      String exe = path != null ? path : argv.get(0);
      int slash = exe.lastIndexOf('/');
      String pname = slash >= 0 && slash < exe.length() - 1 ? exe.substring(slash + 1) : exe;
      e.setProcess(new Process(null, blank(pname), String.join(" ", argv), exe, blank(text(cfg, "User")),
          null, null, null, null, null, null));
    }

    // kubernetes
    JsonNode labels = cfg.path("Labels");
    String pod = blank(text(labels, "io.kubernetes.pod.name"));
    String ns = blank(text(labels, "io.kubernetes.pod.namespace"));
    String podUid = blank(text(labels, "io.kubernetes.pod.uid"));
    String kcont = blank(text(labels, "io.kubernetes.container.name"));
    if (pod != null || ns != null || podUid != null || kcont != null) {
      Kubernetes k = e.getKubernetes();
      if (k == null) {
        k = new Kubernetes();
        e.setKubernetes(k);
      }
      k.setNamespace(ns);
      k.setPodName(pod);
      k.setPodUid(podUid);
      k.setContainerName(kcont);
    }
    if (labels.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = labels.fields(); it.hasNext(); ) {
        var l = it.next();
        put(u, "labels." + l.getKey(), Json.text(l.getValue()));
      }
    }

    // network
    JsonNode ns2 = root.path("NetworkSettings");
    String ip = blank(text(ns2, "IPAddress"));
    JsonNode nets = ns2.path("Networks");
    if (nets.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = nets.fields(); it.hasNext(); ) {
        var n = it.next();
        String nip = blank(text(n.getValue(), "IPAddress"));
        if (nip != null) {
          u.put("network." + n.getKey() + ".ip", nip);
          if (ip == null) ip = nip;
        }
        put(u, "network." + n.getKey() + ".mac", blank(text(n.getValue(), "MacAddress")));
        put(u, "network." + n.getKey() + ".ipv6", blank(text(n.getValue(), "GlobalIPv6Address")));
        put(u, "network." + n.getKey() + ".gateway", blank(text(n.getValue(), "Gateway")));
      }
    }
    // the ports the running container publishes (-p and -P's ephemeral host ports; PortBindings lacks the latter)
    put(u, "network.ports", portBindings(ns2.get("Ports")));
    String hostname = blank(text(cfg, "Hostname"));
    if (ip != null || hostname != null) {
      e.setSrcEndpoint(new Endpoint(ip, null, hostname, null, null, null));
    }

    // env names only
    JsonNode env = cfg.get("Env");
    if (env != null && env.isArray()) {
      List<String> names = new ArrayList<>();
      for (JsonNode v : env) {
        if (!v.isTextual()) continue;
        String s = v.asText();
        int eq = s.indexOf('=');
        names.add(eq >= 0 ? s.substring(0, eq) : s);
      }
      if (!names.isEmpty()) u.put("config.env_names", String.join(",", names));
    }

    // mounts
    JsonNode mounts = root.path("MountPoints");
    if (mounts.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = mounts.fields(); it.hasNext(); ) {
        var m = it.next();
        String dest = m.getValue().hasNonNull("Destination") ? text(m.getValue(), "Destination") : m.getKey();
        put(u, "mounts." + dest + ".source", blank(text(m.getValue(), "Source")));
        put(u, "mounts." + dest + ".rw", text(m.getValue(), "RW"));
        put(u, "mounts." + dest + ".type", blank(text(m.getValue(), "Type"))); // bind, volume, tmpfs (Docker 17.06+)
        put(u, "mounts." + dest + ".name", blank(text(m.getValue(), "Name"))); // a volume's name
      }
    }

    JsonNode mountList = root.path("Mounts"); // docker inspect
    if (mountList.isArray()) {
      for (JsonNode mt : mountList) {
        String dest = text(mt, "Destination");
        if (dest == null) continue;
        put(u, "mounts." + dest + ".source", blank(text(mt, "Source")));
        put(u, "mounts." + dest + ".rw", text(mt, "RW"));
        put(u, "mounts." + dest + ".type", blank(text(mt, "Type")));
      }
    }

    put(u, "state.status", blank(text(state, "Status")));
    put(u, "state.pid", text(state, "Pid"));
    put(u, "state.running", text(state, "Running"));
    put(u, "state.oom_killed", text(state, "OOMKilled"));
    put(u, "state.exit_code", text(state, "ExitCode"));
    put(u, "state.error", blank(text(state, "Error")));
    put(u, "state.paused", text(state, "Paused"));
    put(u, "state.restarting", text(state, "Restarting"));
    put(u, "state.dead", text(state, "Dead"));
    health(u, state.path("Health"));
    put(u, "restart_count", text(root, "RestartCount"));
    put(u, "driver", blank(text(root, "Driver")));
    put(u, "platform", blank(text(root, "Platform")));
    put(u, "log_path", blank(text(root, "LogPath")));
    put(u, "config.working_dir", blank(text(cfg, "WorkingDir")));
    put(u, "config.user", blank(text(cfg, "User")));
    return e;
  }

  /** Longest health check output kept (a probe's output can be large and is the container's own text). */
  static final int MAX_HEALTH_OUTPUT = 1024;

  /**
   * {@code State.Health} (a HEALTHCHECK's state: Status starting / healthy / unhealthy, FailingStreak, Log of the last
   * probes with Start, End, ExitCode, Output) -> state.health.status, .failing_streak, and the last probe's
   * .last_end, .last_exit_code, .last_output (cut at {@link #MAX_HEALTH_OUTPUT} characters).
   */
  private static void health(Map<String, String> u, JsonNode h) {
    if (!h.isObject()) return;
    put(u, "state.health.status", blank(text(h, "Status")));
    put(u, "state.health.failing_streak", text(h, "FailingStreak"));
    JsonNode log = h.path("Log");
    if (log.isArray() && !log.isEmpty()) {
      JsonNode last = log.get(log.size() - 1);
      put(u, "state.health.last_end", blank(text(last, "End")));
      put(u, "state.health.last_exit_code", text(last, "ExitCode"));
      String out = blank(text(last, "Output"));
      put(u, "state.health.last_output",
          out == null || out.length() <= MAX_HEALTH_OUTPUT ? out : out.substring(0, MAX_HEALTH_OUTPUT));
    }
  }

  // ---- hostconfig.json --------------------------------------------------------------------------------------

  List<EvidenceEvent> hostConfig(JsonNode root) {
    EvidenceEvent e =
        ctx.newEvent(OcsfClass.BASE_EVENT, OcsfClass.ACTIVITY_OTHER, "configured", start, end, ctx.lineAt(start), 0, 0,
            new HashMap<>(32));
    Events.warn(e, "hostconfig.json has no timestamp of its own; time = observed_time");
    Map<String, String> u = e.getUnmapped();
    String id = null;
    Matcher m = PATH_ID.matcher(ctx.origin() == null ? "" : ctx.origin());
    if (m.find()) id = m.group(1);
    if (id != null) {
      e.setContainer(new Container(id, null, null, null, "docker", null));
      // hostconfig.json files of different containers are often byte-identical (same artifact): the id includes
      // the container so they do not collapse into one document
      e.setEventId(EventIds.sha256Hex(
          ("docker_container_config\u0000hostconfig\u0000" + e.getLineage().getArtifactSha256() + "\u0000" + id)
              .getBytes(StandardCharsets.UTF_8)));
    }

    List<String> risks = hostConfigHints(u, root);
    e.setMessage("container " + (id != null ? shortId(id) : "?") + " host config"
        + (risks.isEmpty() ? "" : " (" + String.join(", ", risks) + ")"));
    return List.of(e);
  }

  /**
   * Puts a host config's security-relevant settings into {@code u} as hostconfig.&lt;snake_case&gt; and its risk
   * hints as strata.risk (privileged, host_pid, host_network, host_ipc, docker_sock_bind, host_root_bind); returns the
   * hints.
   */
  public static List<String> hostConfigHints(Map<String, String> u, JsonNode root) {
    String[][] keys = {
      {"Privileged", "privileged"}, {"CapAdd", "cap_add"}, {"CapDrop", "cap_drop"}, {"PidMode", "pid_mode"},
      {"NetworkMode", "network_mode"}, {"IpcMode", "ipc_mode"}, {"Binds", "binds"}, {"SecurityOpt", "security_opt"},
      {"ReadonlyRootfs", "readonly_rootfs"}, {"Devices", "devices"}, {"UsernsMode", "userns_mode"},
      {"Mounts", "mounts"}
    };
    for (String[] k : keys) put(u, "hostconfig." + k[1], flat(root.get(k[0])));
    put(u, "hostconfig.port_bindings", portBindings(root.get("PortBindings")));

    List<String> risks = new ArrayList<>();
    if (root.path("Privileged").asBoolean(false)) risks.add("privileged");
    if ("host".equals(text(root, "PidMode"))) risks.add("host_pid");
    if ("host".equals(text(root, "NetworkMode"))) risks.add("host_network");
    if ("host".equals(text(root, "IpcMode"))) risks.add("host_ipc");
    if (mentionsDockerSock(root.get("Binds")) || mentionsDockerSock(root.get("Mounts"))) {
      risks.add("docker_sock_bind");
    }
    if (bindsHostRoot(root.get("Binds"), root.get("Mounts"))) risks.add("host_root_bind");
    if (!risks.isEmpty()) u.put("strata.risk", String.join(",", risks));
    return risks;
  }

  /**
   * {@code PortBindings} ({@code {"80/tcp":[{"HostIp":"0.0.0.0","HostPort":"8080"}]}}: {@code docker run -p}) as
   * {@code 0.0.0.0:8080->80/tcp}, comma-joined (an empty HostIp is every address: {@code :8080->80/tcp}); null for none.
   * The incident job reads it to lead a connection to the host's port to the container (EntryFlows).
   */
  static String portBindings(JsonNode bindings) {
    if (bindings == null || !bindings.isObject()) return null;
    List<String> out = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = bindings.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> b = it.next();
      if (b.getValue() == null || !b.getValue().isArray()) continue;
      for (JsonNode h : b.getValue()) {
        String port = text(h, "HostPort");
        if (port == null || port.isEmpty()) continue;
        String ip = text(h, "HostIp");
        out.add((ip == null ? "" : ip) + ":" + port + "->" + b.getKey());
      }
    }
    return out.isEmpty() ? null : String.join(",", out);
  }

  /** A bind of the host's root file system ({@code -v /:/host}, a bind mount of source {@code /}). */
  private static boolean bindsHostRoot(JsonNode binds, JsonNode mounts) {
    if (binds != null) {
      for (JsonNode b : binds) if (b.isTextual() && b.asText().startsWith("/:")) return true;
    }
    if (mounts != null) {
      for (JsonNode m : mounts) if ("/".equals(text(m, "Source"))) return true;
    }
    return false;
  }

  private static boolean mentionsDockerSock(JsonNode n) {
    if (n == null || n.isNull()) return false;
    if (n.isTextual()) return n.asText().toLowerCase(Locale.ROOT).contains("docker.sock");
    for (JsonNode c : n) {
      if (mentionsDockerSock(c)) return true;
    }
    return false;
  }

  // ---- helpers ----------------------------------------------------------------------------------------------

  /** A timestamp that is present and not Docker's zero time. */
  static boolean isTime(String s) {
    return s != null && !s.isBlank() && !s.startsWith(ZERO_TIME_PREFIX);
  }

  private static String text(JsonNode obj, String field) {
    if (obj == null || !obj.isObject()) return null;
    return Json.text(obj.get(field));
  }

  /** Scalars as text, arrays of scalars comma-joined, anything else as JSON text; null/empty array: null. */
  private static String flat(JsonNode n) {
    if (n == null || n.isNull() || n.isMissingNode()) return null;
    if (n.isArray()) {
      if (n.isEmpty()) return null;
      List<String> parts = new ArrayList<>();
      for (JsonNode c : n) {
        if (!c.isValueNode()) return cut(n.toString());
        parts.add(c.asText());
      }
      return cut(String.join(",", parts));
    }
    return cut(Json.text(n));
  }

  private static void addAll(List<String> into, JsonNode arr) {
    if (arr == null || arr.isNull()) return;
    if (arr.isTextual()) {
      into.add(arr.asText());
      return;
    }
    if (arr.isArray()) {
      for (JsonNode a : arr) {
        if (a.isValueNode() && !a.isNull()) into.add(a.asText());
      }
    }
  }

  private static String shortId(String id) {
    return id == null ? "?" : id.length() > 12 ? id.substring(0, 12) : id;
  }
}
