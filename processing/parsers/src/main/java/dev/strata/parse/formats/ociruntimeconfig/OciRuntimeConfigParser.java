package dev.strata.parse.formats.ociruntimeconfig;

import static dev.strata.parse.Values.blank;
import static dev.strata.parse.Values.cut;
import static dev.strata.parse.Values.first;
import static dev.strata.parse.Values.put;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.parse.ChunkContext;
import dev.strata.parse.EventIds;
import dev.strata.parse.Events;
import dev.strata.parse.Json;
import dev.strata.parse.JsonFormatParser;
import dev.strata.parse.OcsfClass;
import dev.strata.parse.ParseException;
import dev.strata.parse.ParseOutput;
import dev.strata.parse.RejectReason;
import dev.strata.parse.Values;
import dev.strata.parse.WholeJsonDocument;
import dev.strata.schema.event.Container;
import dev.strata.schema.event.Endpoint;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.event.Kubernetes;
import dev.strata.schema.event.Process;
import dev.strata.schema.raw.RawArtifactChunk;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An OCI runtime-spec bundle {@code config.json} (Podman and CRI-O {@code overlay-containers/<id>/userdata/
 * config.json}, containerd {@code io.containerd.runtime.v2.task/<ns>/<id>/config.json}, runc bundles) to one OCSF 0
 * Base Event, activity 99 Other, activity_name "configured". The file is one JSON object (framing WHOLE).
 *
 * <pre>
 * ociVersion                      -> unmapped oci_version (a document without it: missing_field)
 * process.args                    -> process.cmd_line (joined by ' '), executable = args[0], name = its basename
 * process.user uid/gid/username   -> process.user (username, else "uid:gid"); additionalGids, umask unmapped
 * process.terminal                -> process.tty; cwd, noNewPrivileges, apparmorProfile, selinuxLabel unmapped
 * process.env                     -> unmapped process.env_names (names only: values are secrets, never kept)
 * process.capabilities.&lt;set&gt;     -> unmapped process.capabilities.&lt;set&gt; (comma-joined)
 * root.path / readonly, hostname  -> unmapped root.path, root.readonly; src_endpoint.hostname
 * mounts[]                        -> unmapped mounts.&lt;destination&gt;.source / .type / .options
 * linux.namespaces                -> unmapped linux.namespaces ("pid,network:/proc/1/ns/net,...")
 * linux.seccomp.defaultAction, linux.maskedPaths / readonlyPaths (counts), linux.resources (flattened),
 * linux.cgroupsPath, linux.uidMappings (user namespace) -> unmapped linux.*
 * annotations                     -> unmapped annotations.&lt;key&gt;
 *   Kubernetes (CRI-O io.kubernetes.pod.*, io.kubernetes.container.name, io.kubernetes.cri-o.*; containerd
 *   io.kubernetes.cri.sandbox-name / -namespace / -uid, container-name, image-name) -> kubernetes.*, container.*
 *   io.kubernetes.cri-o.Created    -> time (else the file's modification time on the evidence medium, origin_mtime:
 *                                  the runtime writes it when it initialises the container; unmapped
 *                                  strata.time_source = file_mtime; else observed_time; warned either way)
 * container.uid                   -> from the path (overlay-containers/&lt;id&gt;/userdata/, task/&lt;ns&gt;/&lt;id&gt;/),
 *                                    else io.kubernetes.cri-o.ContainerID, else a sandbox's own
 *                                    io.kubernetes.cri.sandbox-id; runtime from the annotations / path:
 *                                    cri-o, containerd, podman, else "oci"
 * strata.risk (comma-separated hints):
 *   privileged            (nearly every capability in the bounding set, or a *.privileged annotation = true)
 *   cap_&lt;name&gt;             for CAP_SYS_ADMIN, SYS_PTRACE, SYS_MODULE, SYS_RAWIO, DAC_READ_SEARCH, NET_ADMIN, BPF,
 *                         SYS_BOOT, MAC_ADMIN in the effective or bounding set
 *   host_pid / host_network / host_ipc / host_uts / host_cgroup
 *                         (linux config without that namespace: the container shares the host's)
 *   host_root_mount       (a bind mount of the host's /), runtime_socket_mount (docker / containerd / crio /
 *                         podman socket), host_proc_mount, host_sys_mount, host_dev_mount, sensitive_host_mount
 *                         (/etc, /root, /var/lib/kubelet, /var/lib/docker, /var/lib/containers, /boot, /home;
 *                         not the runtime's own overlay-containers/ files nor kubelet pods/ volumes)
 *   no_seccomp, seccomp_unconfined (defaultAction SCMP_ACT_ALLOW), no_masked_paths, apparmor_unconfined,
 *   all_devices_allowed (a linux.resources.devices rule allowing every device rwm), host_net_device
 *   (linux.netDevices moves host interfaces into the container)
 * other linux keys (sysctl, intelRdt, personality, ...) -> unmapped linux.&lt;key&gt;... flattened
 * raw_data is left out (process.env values); the bytes are in the evidence store.
 * </pre>
 */
public final class OciRuntimeConfigParser extends JsonFormatParser {

  public static final String FORMAT = "oci_runtime_config";

  private static final Pattern PODMAN_PATH =
      Pattern.compile("(?:^|/)overlay-containers/([0-9a-f]{64})/userdata/config\\.json$");
  private static final Pattern TASK_PATH =
      Pattern.compile("(?:^|/)io\\.containerd\\.runtime\\.v[12]\\.(?:task|linux)/([^/]+)/([^/]+)/config\\.json$");
  private static final Set<String> DANGEROUS_CAPS =
      Set.of("CAP_SYS_ADMIN", "CAP_SYS_PTRACE", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_DAC_READ_SEARCH",
          "CAP_NET_ADMIN", "CAP_BPF", "CAP_SYS_BOOT", "CAP_MAC_ADMIN");
  private static final Set<String> SOCKETS =
      Set.of("docker.sock", "containerd.sock", "crio.sock", "podman.sock", "dockershim.sock", "cri-dockerd.sock");
  private static final List<String> SENSITIVE =
      List.of("/etc", "/root", "/var/lib/kubelet", "/var/lib/docker", "/var/lib/containers", "/boot", "/home");
  private static final List<String> HOST_NS_HINT = List.of("pid", "network", "ipc", "uts", "cgroup");
  private static final int MAX = Values.MAX_CHARS;
  private static final Set<String> LINUX_KEYS =
      Set.of("namespaces", "seccomp", "maskedPaths", "readonlyPaths", "cgroupsPath", "mountLabel",
          "rootfsPropagation", "resources", "devices", "netDevices", "uidMappings", "gidMappings");

  public OciRuntimeConfigParser() {
    super(FORMAT);
  }

  @Override
  public void parse(RawArtifactChunk chunk, ParseOutput out) throws ParseException {
    ChunkContext ctx = ChunkContext.of(chunk);
    WholeJsonDocument doc = WholeJsonDocument.read(ctx, out, "OCI runtime config");
    if (doc.root == null) return;
    JsonNode root = doc.root;
    if (!root.isObject() || !root.path("ociVersion").isTextual()) {
      out.reject(ctx.rejection(RejectReason.MISSING_FIELD, "not an OCI runtime config: no ociVersion", doc.start,
          doc.end, 0));
      return;
    }
    out.emit(map(ctx, root, doc.start, doc.end));
  }

  static EvidenceEvent map(ChunkContext ctx, JsonNode root, int start, int end) {
    EvidenceEvent e = ctx.newEvent(OcsfClass.BASE_EVENT, OcsfClass.ACTIVITY_OTHER, "configured", start, end,
        ctx.lineAt(start), 0, 0, new HashMap<>(64));
    Map<String, String> u = e.getUnmapped();
    List<String> risks = new ArrayList<>();
    put(u, "oci_version", text(root, "ociVersion"));

    // annotations first: they name the runtime, the container and its pod
    JsonNode ann = root.path("annotations");
    Map<String, String> a = new HashMap<>();
    if (ann.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = ann.fields(); it.hasNext(); ) {
        var f = it.next();
        String v = Json.text(f.getValue());
        if (v == null) continue;
        a.put(f.getKey(), v);
        put(u, "annotations." + f.getKey(), v);
        if (f.getKey().endsWith(".privileged") && v.equalsIgnoreCase("true")) addOnce(risks, "privileged");
      }
    }
    String origin = ctx.origin() == null ? "" : ctx.origin();
    String id = null;
    String runtime;
    Matcher m = PODMAN_PATH.matcher(origin);
    Matcher t = TASK_PATH.matcher(origin);
    if (m.find()) {
      id = m.group(1);
    } else if (t.find()) {
      id = t.group(2);
      u.put("containerd.namespace", t.group(1));
    }
    if (id == null) id = blank(a.get("io.kubernetes.cri-o.ContainerID"));
    // a containerd pod sandbox's own config.json names its id (the sandbox's pod: the VPC CNI's ipamd.log names only it)
    if (id == null && "sandbox".equals(a.get("io.kubernetes.cri.container-type"))) {
      id = blank(a.get("io.kubernetes.cri.sandbox-id"));
    }
    if (a.keySet().stream().anyMatch(k -> k.startsWith("io.kubernetes.cri-o."))) {
      runtime = "cri-o";
    } else if (a.keySet().stream().anyMatch(k -> k.startsWith("io.kubernetes.cri.")) || t.find(0)) {
      runtime = "containerd";
    } else if ("libpod".equals(a.get("io.container.manager")) || m.find(0)
        || a.keySet().stream().anyMatch(k -> k.startsWith("io.podman."))) {
      runtime = "podman";
    } else {
      runtime = "oci";
    }
    String name = first(a.get("io.kubernetes.cri-o.Name"), a.get("io.kubernetes.cri.container-name"),
        a.get("io.kubernetes.container.name"));
    String image = first(a.get("io.kubernetes.cri.image-name"), a.get("io.kubernetes.cri-o.ImageName"),
        a.get("io.kubernetes.cri-o.Image"));
    String imageId = blank(a.get("io.kubernetes.cri-o.ImageRef"));
    e.setContainer(new Container(blank(id), name, image, imageId, runtime, null));

    // kubernetes: CRI-O labels are also serialized in io.kubernetes.cri-o.Labels
    Map<String, String> labels = new HashMap<>(a);
    String crioLabels = a.get("io.kubernetes.cri-o.Labels");
    if (crioLabels != null) {
      try {
        JsonNode l = Json.MAPPER.readTree(crioLabels);
        if (l.isObject()) {
          for (Iterator<Map.Entry<String, JsonNode>> it = l.fields(); it.hasNext(); ) {
            var f = it.next();
            labels.putIfAbsent(f.getKey(), Json.text(f.getValue()));
          }
        }
      } catch (Exception bad) {
        Events.warn(e, "io.kubernetes.cri-o.Labels is not JSON");
      }
    }
    String pod = first(labels.get("io.kubernetes.pod.name"), a.get("io.kubernetes.cri.sandbox-name"),
        a.get("io.kubernetes.cri-o.KubeName"));
    String ns = first(labels.get("io.kubernetes.pod.namespace"), a.get("io.kubernetes.cri.sandbox-namespace"),
        a.get("io.kubernetes.cri-o.Namespace"));
    String podUid = first(labels.get("io.kubernetes.pod.uid"), a.get("io.kubernetes.cri.sandbox-uid"));
    String kc = first(labels.get("io.kubernetes.container.name"), a.get("io.kubernetes.cri.container-name"));
    if (pod != null || ns != null || podUid != null || kc != null) {
      Kubernetes k = e.getKubernetes();
      if (k == null) {
        k = new Kubernetes();
        e.setKubernetes(k);
      }
      k.setNamespace(ns);
      k.setPodName(pod);
      k.setPodUid(podUid);
      k.setContainerName(kc);
    }

    // time: CRI-O records when it created the container; otherwise the file has no time of its own, but the runtime
    // writes it when it initialises the container (libpod saveSpec in init, containerd's bundle at task create): its
    // modification time on the evidence medium is that moment, which a timeline can place (before, the collection's
    // observed time put the config of a container started days ago at the end of the incident's timeline)
    String created = blank(a.get("io.kubernetes.cri-o.Created"));
    java.time.Instant mtime = ctx.chunk().getOriginMtime();
    if (created != null) {
      ctx.applyTime(e, created, "annotations.io.kubernetes.cri-o.Created");
    } else if (mtime != null) {
      e.setTime(mtime);
      u.put("strata.time_source", "file_mtime");
      Events.warn(e, "an OCI runtime config has no timestamp of its own; time = the file's modification time (when the"
          + " runtime last initialised the container)");
    } else {
      Events.warn(e, "an OCI runtime config has no timestamp of its own; time = observed_time");
    }

    // process
    JsonNode proc = root.path("process");
    List<String> argv = new ArrayList<>();
    for (JsonNode x : proc.path("args")) {
      if (x.isValueNode()) argv.add(x.asText());
    }
    JsonNode user = proc.path("user");
    String userText = blank(text(user, "username"));
    if (userText == null && user.has("uid")) {
      userText = text(user, "uid") + (user.has("gid") ? ":" + text(user, "gid") : "");
    }
    Boolean tty = proc.path("terminal").isBoolean() ? proc.path("terminal").asBoolean() : null;
    if (!argv.isEmpty() || userText != null || tty != null) {
      String exe = argv.isEmpty() ? null : argv.get(0);
      String pname = exe == null ? null : exe.substring(exe.lastIndexOf('/') + 1);
      e.setProcess(new Process(null, blank(pname), argv.isEmpty() ? null : cut(String.join(" ", argv)), exe,
          userText, tty, null, null, null, null, null));
    }
    if (user.has("additionalGids")) put(u, "process.user.additional_gids", joined(user.get("additionalGids")));
    put(u, "process.user.umask", text(user, "umask"));
    put(u, "process.cwd", text(proc, "cwd"));
    put(u, "process.no_new_privileges", text(proc, "noNewPrivileges"));
    String apparmor = text(proc, "apparmorProfile");
    put(u, "process.apparmor_profile", apparmor);
    put(u, "process.selinux_label", text(proc, "selinuxLabel"));
    put(u, "process.oom_score_adj", text(proc, "oomScoreAdj"));
    if ("unconfined".equals(apparmor)) risks.add("apparmor_unconfined");
    List<String> env = new ArrayList<>();
    for (JsonNode v : proc.path("env")) {
      if (!v.isTextual()) continue;
      String s = v.asText();
      int eq = s.indexOf('=');
      env.add(eq >= 0 ? s.substring(0, eq) : s);
    }
    if (!env.isEmpty()) u.put("process.env_names", cut(String.join(",", env)));
    JsonNode caps = proc.path("capabilities");
    Set<String> dangerous = new LinkedHashSet<>();
    if (caps.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = caps.fields(); it.hasNext(); ) {
        var f = it.next();
        put(u, "process.capabilities." + f.getKey(), joined(f.getValue()));
        boolean counts = f.getKey().equals("bounding") || f.getKey().equals("effective");
        if (!counts) continue;
        int n = 0;
        for (JsonNode c : f.getValue()) {
          String cap = c.asText().toUpperCase(Locale.ROOT);
          if (!cap.startsWith("CAP_")) cap = "CAP_" + cap;
          n++;
          if (DANGEROUS_CAPS.contains(cap)) dangerous.add("cap_" + cap.substring(4).toLowerCase(Locale.ROOT));
        }
        // runc's default set is 14; a set of (nearly) every capability is what --privileged gives
        if (f.getKey().equals("bounding") && n >= 36) addOnce(risks, "privileged");
      }
    }
    risks.addAll(dangerous);

    // root, hostname
    put(u, "root.path", text(root.path("root"), "path"));
    put(u, "root.readonly", text(root.path("root"), "readonly"));
    String hostname = blank(text(root, "hostname"));
    if (hostname != null) e.setSrcEndpoint(new Endpoint(null, null, hostname, null, null, null));
    put(u, "domainname", text(root, "domainname"));

    // mounts
    for (JsonNode mnt : root.path("mounts")) {
      String dest = text(mnt, "destination");
      if (dest == null) continue;
      String src = text(mnt, "source");
      String type = text(mnt, "type");
      String opts = joined(mnt.get("options"));
      put(u, "mounts." + dest + ".source", src);
      put(u, "mounts." + dest + ".type", type);
      put(u, "mounts." + dest + ".options", opts);
      boolean bind = "bind".equals(type) || (opts != null && (("," + opts + ",").contains(",bind,")
          || ("," + opts + ",").contains(",rbind,")));
      if (!bind || src == null) continue;
      String s = src.length() > 1 && src.endsWith("/") ? src.substring(0, src.length() - 1) : src;
      String base = s.substring(s.lastIndexOf('/') + 1);
      if (s.equals("/")) addOnce(risks, "host_root_mount");
      else if (SOCKETS.contains(base)) addOnce(risks, "runtime_socket_mount");
      else if (s.equals("/proc") || s.startsWith("/proc/")) addOnce(risks, "host_proc_mount");
      else if (s.equals("/sys")) addOnce(risks, "host_sys_mount");
      else if (s.equals("/dev")) addOnce(risks, "host_dev_mount");
      else if (SENSITIVE.stream().anyMatch(p -> s.equals(p) || s.startsWith(p + "/"))
          && !s.contains("/overlay-containers/") && !s.startsWith("/var/lib/kubelet/pods/")) {
        // the runtime's own per-container files (hosts, resolv.conf) and kubelet pod volumes are not a risk
        addOnce(risks, "sensitive_host_mount");
      }
    }

    // linux
    JsonNode linux = root.path("linux");
    if (linux.isObject()) {
      Set<String> nsTypes = new LinkedHashSet<>();
      List<String> nsText = new ArrayList<>();
      for (JsonNode n : linux.path("namespaces")) {
        String type = text(n, "type");
        if (type == null) continue;
        nsTypes.add(type);
        String path = text(n, "path");
        nsText.add(path == null ? type : type + ":" + path);
      }
      put(u, "linux.namespaces", String.join(",", nsText));
      if (linux.has("namespaces")) {
        for (String h : HOST_NS_HINT) {
          if (!nsTypes.contains(h)) risks.add("host_" + h);
        }
      }
      if (nsTypes.contains("user") || linux.has("uidMappings")) u.put("linux.user_namespace", "true");
      JsonNode sec = linux.get("seccomp");
      if (sec == null || sec.isNull()) {
        risks.add("no_seccomp");
      } else {
        String def = text(sec, "defaultAction");
        put(u, "linux.seccomp.default_action", def);
        put(u, "linux.seccomp.syscall_rules", Integer.toString(sec.path("syscalls").size()));
        if ("SCMP_ACT_ALLOW".equals(def)) risks.add("seccomp_unconfined");
      }
      JsonNode masked = linux.get("maskedPaths");
      put(u, "linux.masked_paths", masked == null ? null : Integer.toString(masked.size()));
      if (masked == null || masked.isEmpty()) risks.add("no_masked_paths");
      JsonNode ro = linux.get("readonlyPaths");
      put(u, "linux.readonly_paths", ro == null ? null : Integer.toString(ro.size()));
      put(u, "linux.cgroups_path", text(linux, "cgroupsPath"));
      put(u, "linux.mount_label", text(linux, "mountLabel"));
      put(u, "linux.rootfs_propagation", text(linux, "rootfsPropagation"));
      JsonNode res = linux.path("resources");
      if (res.isObject()) {
        Map<String, String> flat = new HashMap<>();
        Json.flatten(flat, "linux.resources", res, MAX);
        flat.forEach((k, v) -> put(u, k, v));
        for (JsonNode d : res.path("devices")) {
          boolean allow = d.path("allow").asBoolean(false);
          String type = text(d, "type");
          String access = text(d, "access");
          if (allow && (type == null || "a".equals(type)) && !d.has("major") && !d.has("minor")
              && (access == null || access.equals("rwm"))) {
            addOnce(risks, "all_devices_allowed");
          }
        }
      }
      if (linux.has("devices")) put(u, "linux.devices", Integer.toString(linux.path("devices").size()));
      JsonNode netDevices = linux.path("netDevices");
      if (netDevices.isObject() && !netDevices.isEmpty()) {
        List<String> names = new ArrayList<>();
        netDevices.fieldNames().forEachRemaining(names::add);
        u.put("linux.net_devices", cut(String.join(",", names)));
        risks.add("host_net_device");
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = linux.fields(); it.hasNext(); ) {
        var f = it.next();
        if (!LINUX_KEYS.contains(f.getKey())) {
          Map<String, String> flat = new HashMap<>();
          Json.flatten(flat, "linux." + f.getKey(), f.getValue(), MAX);
          flat.forEach((k, v) -> put(u, k, v));
        }
      }
    }
    if (!risks.isEmpty()) u.put("strata.risk", String.join(",", risks));

    String who = name != null ? name : id != null ? (id.length() > 12 ? id.substring(0, 12) : id) : "?";
    e.setMessage("container " + who + " OCI runtime config"
        + (argv.isEmpty() ? "" : ": " + Events.excerpt(String.join(" ", argv), 200))
        + (risks.isEmpty() ? "" : " (" + String.join(", ", risks) + ")"));
    if (id != null) {
      // identical config files of several containers would be one artifact: keep one event per container
      e.setEventId(EventIds.sha256Hex((FORMAT + "\u0000" + e.getLineage().getArtifactSha256() + "\u0000" + id)
          .getBytes(StandardCharsets.UTF_8)));
    }
    return e;
  }

  private static void addOnce(List<String> l, String s) {
    if (!l.contains(s)) l.add(s);
  }

  private static String joined(JsonNode n) {
    if (n == null || !n.isArray() || n.isEmpty()) return null;
    List<String> parts = new ArrayList<>(n.size());
    for (JsonNode c : n) parts.add(c.isValueNode() ? c.asText() : c.toString());
    return cut(String.join(",", parts));
  }

  private static String text(JsonNode obj, String field) {
    if (obj == null || !obj.isObject()) return null;
    return Json.text(obj.get(field));
  }
}
