package dev.strata.parse.formats.containerddaemonlog;

import static dev.strata.parse.daemonlog.CriLifecycle.container;
import static dev.strata.parse.daemonlog.CriLifecycle.lifecycle;
import static dev.strata.parse.daemonlog.CriLifecycle.outcome;
import static dev.strata.parse.daemonlog.CriLifecycle.pod;
import static dev.strata.parse.daemonlog.CriLifecycle.sandbox;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.parse.ChunkContext;
import dev.strata.parse.Events;
import dev.strata.parse.Json;
import dev.strata.parse.Timestamps;
import dev.strata.parse.daemonlog.CriLifecycle;
import dev.strata.parse.daemonlog.DaemonLogLine;
import dev.strata.parse.daemonlog.DaemonLogReader;
import dev.strata.schema.event.Endpoint;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.event.Process;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * containerd's messages as its CRI plugin writes them (format strings of containerd v2.x
 * {@code internal/cri/instrument/instrumented_service.go}, {@code internal/cri/server/events.go},
 * {@code internal/cri/server/podsandbox/events.go}, {@code internal/cri/server/sandbox_run.go}; the same wording in
 * 1.x {@code pkg/cri/server}), each to an OCSF 0 Base Event, activity 99 Other, named by its lifecycle verb:
 *
 * <pre>
 * RunPodSandbox for &amp;PodSandboxMetadata{Name:N,Uid:U,Namespace:NS,Attempt:A,}         run_requested (pod)
 *   ... returns sandbox id "S"                                                     created (container = sandbox S)
 * CreateContainer within sandbox "S" for [container ]&amp;ContainerMetadata{Name:C,..}     create_requested
 *   ... returns container id "ID"                                                  created (container ID, name C)
 * StartContainer for "ID" [returns successfully]                                   start_requested / started
 * StopContainer for "ID" with timeout T (s) / ... returns successfully             stop_requested / stopped
 * RemoveContainer for "ID" / ... returns successfully                              remove_requested / removed
 * ExecSync for "ID" with command [..] and timeout T (s) / returns with exit code N  exec_sync_requested / _returned
 *   / failed (debug: the kubelet's exec probes)                                    / _failed (container ID)
 * Exec for "ID" with command [..], tty T and stdin S / returns URL "U" / failed    exec_requested / _returned /
 *   (a streaming exec: kubectl exec)                                               _failed (container ID)
 * StopPodSandbox for "S" / RemovePodSandbox [for] "S" (... returns successfully)   stop_/remove_requested, stopped / removed
 * ... failed (error=...)                                                          &lt;verb&gt;_failed, status Failure
 * TaskExit event [in podsandbox handler] / received exit event / failed to handle
 *   container|sandbox TaskExit event  &lt;TaskExit&gt;                                    exited: status_code = ExitStatus,
 *                                                                                  time = ExitedAt, process.pid = Pid
 *   (an exec's exit, ID != ContainerID, is exec_exited, not the container's end)
 * SandboxExit event &lt;SandboxExit&gt;                                                  exited (container = sandbox)
 * TaskOOM event &lt;TaskOOM&gt;                                                          oom_killed
 * PullImage "REF" / ... returns image reference "sha256:.."                       pull_requested / pulled
 * Pulled image "REF" with image id "sha256:..", repo tag "T", repo digest "R@sha256:..", size "N" in D
 *   (containerd 1.7+: what the tag resolved to: the digest)                         pulled (image name, id, digest)
 * ImageCreate|ImageUpdate|ImageDelete event &lt;Image..&gt;                              image_created / _updated / _deleted
 * generated id for sandbox name "N_NS_U_A" (debug; podsandboxid=S)                sandbox_id_generated
 * cni result: {Interfaces: {eth0: {IPConfigs: [{IP}]}}} (debug; podsandboxid=S)   network_ready: src_endpoint.ip
 * </pre>
 *
 * Go's {@code %+v} of the events: gogo-protobuf structs in containerd 1.2-1.6 ({@code &TaskExit{ContainerID:..,
 * ID:..,Pid:..,ExitStatus:..,ExitedAt:2023-09-06 07:44:42.4 +0000 UTC,}}) and protobuf text in 1.7+/2.x
 * ({@code container_id:"..." id:"..." pid:.. exit_status:.. exited_at:{seconds:.. nanos:..}}); both are read.
 * Pod names: a CreateContainer names only its sandbox, so the pod comes from that sandbox's RunPodSandbox /
 * generated-id line earlier in the same chunk (else the event carries only {@code pod_sandbox_id}). Every other
 * line: OCSF 0 Base Event with the log object.
 */
final class ContainerdMessages implements DaemonLogReader.Interpreter {
  static final String RUNTIME = "containerd";

  private static final Pattern RUN_SANDBOX =
      Pattern.compile("^RunPodSandbox for (.*?)(?: returns sandbox id \"([^\"]*)\"| (failed), error)?$");
  private static final Pattern CREATE =
      Pattern.compile("^CreateContainer within sandbox \"([^\"]*)\" for (?:container )?(.*?)"
          + "(?: returns container id \"([^\"]*)\"| (failed))?$");
  private static final Pattern BY_ID =
      Pattern.compile("^(StartContainer|StopContainer|RemoveContainer|StopPodSandbox|RemovePodSandbox)(?: for)? "
          + "\"([^\"]*)\"(?: with timeout (-?\\d+) \\(s\\))?(?: (returns successfully|failed))?$");
  private static final Pattern EXEC =
      Pattern.compile("^(ExecSync|Exec) for \"([^\"]*)\"(?: with command (\\[.*?\\])(?:,| and) .*|( returns .*)|( failed.*))$");
  private static final Pattern PULL =
      Pattern.compile("^PullImage \"([^\"]*)\"(?: returns image reference \"([^\"]*)\"| (failed)| with .*)?$");
  private static final Pattern PULLED =
      Pattern.compile("^Pulled image \"([^\"]*)\" with image id \"([^\"]*)\", repo tag \"[^\"]*\", repo digest \"([^\"]*)\".*$");
  private static final Pattern EXIT =
      Pattern.compile("^(TaskExit event in podsandbox handler|TaskExit event|SandboxExit event|received exit event"
          + "|failed to handle (?:container|sandbox) TaskExit event) (.*)$");
  private static final Pattern OOM = Pattern.compile("^TaskOOM event (.*)$");
  private static final Pattern IMAGE = Pattern.compile("^Image(Create|Update|Delete) event (.*)$");
  private static final Pattern GENERATED = Pattern.compile("^generated id for sandbox name \"([^\"]*)\"$");
  private static final Pattern CNI = Pattern.compile("^cni result: (\\{.*)$");
  /**
   * A struct field of gogo's %+v ({@code Key:value,}) or protobuf text ({@code key:"value"} / {@code key:1}). The quoted
   * value's loop is possessive, runs of plain characters taken at once: {@code (?:[^"\\]|\\.)*} made java.util.regex
   * recurse once per character and a quoted value of ~15k mixed characters (a long exec command line, an error
   * message) overflowed the stack; the language is the same, since a character is either plain or starts an escape.
   */
  private static final Pattern FIELD =
      Pattern.compile("(?<![A-Za-z0-9_])([A-Za-z_]+):(?:\"((?:[^\"\\\\]++|\\\\.)*+)\"|([^,}\\s\"{]*))");
  private static final Pattern PROTO_TIME =
      Pattern.compile("exited_at:\\s*\\{\\s*(?:seconds:\\s*(\\d+))?\\s*(?:nanos:\\s*(\\d+))?\\s*\\}");
  private static final Pattern GOGO_TIME =
      Pattern.compile("ExitedAt:(\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}(?:\\.\\d+)?) ([+-]\\d{4})");
  private static final Pattern GOGO_NAME = Pattern.compile("Name:([^,}]*)");
  private static final Pattern HEX_ID = Pattern.compile("[0-9a-f]{64}");

  private final ChunkContext ctx;
  /** sandbox id -> its pod (name, namespace, uid), from lines earlier in this chunk. */
  private final Map<String, String[]> sandboxPods = new HashMap<>();
  /** container id -> {container name, sandbox id}, from CreateContainer lines earlier in this chunk. */
  private final Map<String, String[]> containers = new HashMap<>();
  /** exited_at of the event being built, applied in {@link #finish}. */
  private String exitedAtText;
  private long exitedAtMicros = Timestamps.INVALID;

  ContainerdMessages(ChunkContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public EvidenceEvent event(DaemonLogLine line) {
    exitedAtText = null;
    exitedAtMicros = Timestamps.INVALID;
    String msg = line.msg();
    EvidenceEvent e = null;
    Matcher m;
    if (msg.isEmpty() || "RCSPTIEgcfr".indexOf(msg.charAt(0)) < 0) {
      // not one of the messages below (most of a busy node's lines): no pattern to try
    } else if (msg.startsWith("RunPodSandbox ") && (m = RUN_SANDBOX.matcher(msg)).matches()) {
      e = runSandbox(line, m);
    } else if (msg.startsWith("CreateContainer ") && (m = CREATE.matcher(msg)).matches()) {
      e = create(line, m);
    } else if ((m = BY_ID.matcher(msg)).matches()) {
      e = byId(line, m);
    } else if (msg.startsWith("Exec") && (m = EXEC.matcher(msg)).matches()) {
      // an exec in a container names the container (a probe of a neighbour is that neighbour's, not the node's)
      String verb = m.group(1).equals("ExecSync") ? "exec_sync" : "exec";
      e = lifecycle(line, ctx, verb + (m.group(4) != null ? "_returned" : m.group(5) != null ? "_failed" : "_requested"));
      if (m.group(5) != null) outcome(e, false, line.field("error"));
      put(e, "command", m.group(3));
      container(e, m.group(2), null, RUNTIME);
      known(e, m.group(2));
    } else if (msg.startsWith("PullImage ") && (m = PULL.matcher(msg)).matches()) {
      boolean failed = m.group(3) != null;
      e = lifecycle(line, ctx, m.group(2) != null ? "pulled" : failed ? "pull_failed" : "pull_requested");
      CriLifecycle.image(e, m.group(1), RUNTIME);
      CriLifecycle.image(e, m.group(2), RUNTIME);
      if (m.group(2) != null || failed) outcome(e, !failed, line.field("error"));
    } else if (msg.startsWith("Pulled image ") && (m = PULLED.matcher(msg)).matches()) {
      // the only line that says which digest the tag was when the node pulled it (SupplyChainRolloutScenarioIT: the
      // tag v2.3.1 was overwritten during the rollout; the node pulled the attacker's digest)
      e = lifecycle(line, ctx, "pulled");
      CriLifecycle.image(e, m.group(1), RUNTIME);
      CriLifecycle.image(e, m.group(2), RUNTIME);
      CriLifecycle.image(e, m.group(3), RUNTIME);
      outcome(e, true, null);
    } else if ((m = EXIT.matcher(msg)).matches()) {
      e = exit(line, m.group(1), m.group(2));
    } else if ((m = OOM.matcher(msg)).matches()) {
      Map<String, String> f = fields(m.group(1));
      e = lifecycle(line, ctx, "oom_killed");
      String cid = f.get("containerid");
      container(e, cid, null, RUNTIME);
      known(e, cid);
    } else if ((m = IMAGE.matcher(msg)).matches()) {
      e = lifecycle(line, ctx, "image_" + m.group(1).toLowerCase(Locale.ROOT) + "d");
      Matcher n = GOGO_NAME.matcher(m.group(2));
      String name = fields(m.group(2)).get("name");
      if (name == null && n.find()) name = n.group(1);
      CriLifecycle.image(e, name, RUNTIME);
    } else if ((m = GENERATED.matcher(msg)).matches()) {
      e = generated(line, m.group(1));
    } else if ((m = CNI.matcher(msg)).matches()) {
      e = cni(line, m.group(1));
    }
    if (e == null) {
      e = line.newLogEvent(ctx);
      // e.g. "shim disconnected" id=<container>, "begin cni setup" podsandboxid=<sandbox>: searchable by container
      String sandboxId = line.field("podsandboxid");
      String id = sandboxId != null ? sandboxId : line.field("id");
      if (id != null && HEX_ID.matcher(id).matches()) {
        container(e, id, null, RUNTIME);
        if (sandboxId != null) e.getUnmapped().put("pod_sandbox_id", sandboxId);
      }
    }
    return e;
  }

  @Override
  public void finish(EvidenceEvent e, DaemonLogLine line) {
    if (exitedAtMicros == Timestamps.INVALID) return;
    // the exit's own time: the log line was written when containerd handled it (ms to s later)
    if (e.getTimeOriginal() != null) e.getUnmapped().put("containerd.logged_at", e.getTimeOriginal());
    e.setTimeOriginal(exitedAtText);
    e.setTime(Timestamps.toInstant(exitedAtMicros));
  }

  // ------------------------------------------------------------------------------------------------- messages

  private EvidenceEvent runSandbox(DaemonLogLine line, Matcher m) {
    Map<String, String> md = fields(m.group(1));
    String sandboxId = m.group(2);
    boolean failed = m.group(3) != null;
    EvidenceEvent e = lifecycle(line, ctx, sandboxId != null ? "created" : failed ? "run_failed" : "run_requested");
    String[] p = {md.get("name"), md.get("namespace"), md.get("uid")};
    pod(e, p[1], p[0], p[2], null);
    put(e, "attempt", md.get("attempt"));
    if (sandboxId != null) {
      sandboxPods.put(sandboxId, p);
      container(e, sandboxId, null, RUNTIME);
      sandbox(e, sandboxId, p[1], p[0]);
      outcome(e, true, null);
    } else if (failed) {
      outcome(e, false, line.field("error"));
    }
    return e;
  }

  private EvidenceEvent create(DaemonLogLine line, Matcher m) {
    String sandboxId = m.group(1);
    Map<String, String> md = fields(m.group(2));
    String id = m.group(3);
    boolean failed = m.group(4) != null;
    EvidenceEvent e = lifecycle(line, ctx, id != null ? "created" : failed ? "create_failed" : "create_requested");
    String name = md.get("name");
    put(e, "attempt", md.get("attempt"));
    if (id != null) {
      containers.put(id, new String[] {name, sandboxId});
      container(e, id, name, RUNTIME);
      outcome(e, true, null);
    } else {
      if (failed) outcome(e, false, line.field("error"));
      if (name != null) e.getUnmapped().put("container_name", name);
    }
    inSandbox(e, sandboxId, name);
    return e;
  }

  private EvidenceEvent byId(DaemonLogLine line, Matcher m) {
    String method = m.group(1);
    String id = m.group(2);
    String result = m.group(4);
    String verb = method.startsWith("Start") ? "start" : method.startsWith("Stop") ? "stop" : "remove";
    String past = verb.equals("start") ? "started" : verb.equals("stop") ? "stopped" : "removed";
    EvidenceEvent e = lifecycle(line, ctx,
        result == null ? verb + "_requested" : result.equals("failed") ? verb + "_failed" : past);
    if (result != null) outcome(e, !result.equals("failed"), line.field("error"));
    put(e, "timeout_seconds", m.group(3));
    container(e, id, null, RUNTIME);
    if (method.endsWith("PodSandbox")) {
      String[] p = sandboxPods.get(id);
      sandbox(e, id, p == null ? null : p[1], p == null ? null : p[0]);
      if (p != null) pod(e, p[1], p[0], p[2], null);
    } else {
      known(e, id);
    }
    return e;
  }

  private EvidenceEvent exit(DaemonLogLine line, String kind, String body) {
    Map<String, String> f = fields(body);
    String cid = f.get("containerid");
    String id = f.get("id");
    String sandboxId = f.get("sandboxid");
    boolean exec = cid != null && id != null && !id.isEmpty() && !id.equals(cid);
    EvidenceEvent e = lifecycle(line, ctx, exec ? "exec_exited" : "exited");
    e.getUnmapped().put("containerd.event", kind);
    if (kind.startsWith("failed")) outcome(e, false, line.field("error"));
    CriLifecycle.exit(e, f.get("exitstatus"));
    String pid = f.get("pid");
    if (pid != null && pid.matches("\\d{1,10}") && !pid.equals("0")) {
      Process p = new Process();
      p.setPid(Long.parseLong(pid));
      e.setProcess(p); // the exited process, not containerd
    }
    if (exec) e.getUnmapped().put("exec_id", id);
    String subject = cid != null ? cid : sandboxId != null ? sandboxId : id;
    container(e, subject, null, RUNTIME);
    if (sandboxId != null || kind.contains("podsandbox") || sandboxPods.containsKey(subject)) {
      String[] p = sandboxPods.get(subject);
      sandbox(e, subject, p == null ? null : p[1], p == null ? null : p[0]);
      if (p != null) pod(e, p[1], p[0], p[2], null);
    } else {
      known(e, subject);
    }
    exitedAt(e, body);
    return e;
  }

  private EvidenceEvent generated(DaemonLogLine line, String sandboxName) {
    EvidenceEvent e = lifecycle(line, ctx, "sandbox_id_generated");
    String sandboxId = line.field("podsandboxid");
    // containerd's sandbox name: name_namespace_uid_attempt (none of the parts can hold '_')
    String[] parts = sandboxName.split("_");
    if (parts.length == 4) {
      pod(e, parts[1], parts[0], parts[2], null);
      put(e, "attempt", parts[3]);
      if (sandboxId != null) sandboxPods.put(sandboxId, new String[] {parts[0], parts[1], parts[2]});
    }
    e.getUnmapped().put("sandbox_name", sandboxName);
    if (sandboxId != null) sandbox(e, sandboxId, parts.length == 4 ? parts[1] : null, parts[0]);
    return e;
  }

  private EvidenceEvent cni(DaemonLogLine line, String json) {
    JsonNode root;
    try (JsonParser p = Json.FACTORY.createParser(json)) {
      root = Json.tree(p);
    } catch (IOException | RuntimeException ex) {
      return null; // a cut or odd result: a plain log line
    }
    String sandboxId = line.field("podsandboxid");
    List<String> ips = new ArrayList<>(2);
    JsonNode ifs = root == null ? null : root.path("Interfaces");
    if (ifs != null && ifs.isObject()) {
      // the pod's side of the network: interfaces in the sandbox's netns; eth0 first
      List<String> names = new ArrayList<>();
      ifs.fieldNames().forEachRemaining(names::add);
      names.sort((a, b) -> a.equals("eth0") ? -1 : b.equals("eth0") ? 1 : a.compareTo(b));
      for (String n : names) {
        JsonNode i = ifs.get(n);
        if (Json.text(i, "Sandbox") == null) continue;
        for (JsonNode c : i.path("IPConfigs")) {
          String ip = Json.text(c, "IP");
          if (ip != null && !ip.startsWith("127.") && !ip.equals("::1") && !ips.contains(ip)) ips.add(ip);
        }
      }
    }
    EvidenceEvent e = lifecycle(line, ctx, "network_ready");
    if (sandboxId != null) {
      container(e, sandboxId, null, RUNTIME);
      String[] p = sandboxPods.get(sandboxId);
      sandbox(e, sandboxId, p == null ? null : p[1], p == null ? null : p[0]);
      if (p != null) pod(e, p[1], p[0], p[2], null);
    }
    if (!ips.isEmpty()) {
      e.setSrcEndpoint(new Endpoint(ips.get(0), null, null, null, null, null));
      if (ips.size() > 1) e.getUnmapped().put("network.additional_ips", String.join(",", ips.subList(1, ips.size())));
    }
    return e;
  }

  // -------------------------------------------------------------------------------------------------- helpers

  /** A container of this chunk's CreateContainer lines: its name, sandbox and pod. */
  private void known(EvidenceEvent e, String id) {
    String[] c = id == null ? null : containers.get(id);
    if (c == null) return;
    container(e, id, c[0], RUNTIME);
    inSandbox(e, c[1], c[0]);
  }

  private void inSandbox(EvidenceEvent e, String sandboxId, String containerName) {
    String[] p = sandboxId == null ? null : sandboxPods.get(sandboxId);
    sandbox(e, sandboxId, p == null ? null : p[1], p == null ? null : p[0]);
    if (p != null) pod(e, p[1], p[0], p[2], containerName);
  }

  private void exitedAt(EvidenceEvent e, String body) {
    Matcher t = PROTO_TIME.matcher(body);
    if (t.find() && t.group(1) != null) {
      long s = Long.parseLong(t.group(1));
      long nanos = t.group(2) == null ? 0 : Long.parseLong(t.group(2));
      if (s > 0) {
        exitedAtMicros = s * 1_000_000L + nanos / 1000;
        exitedAtText = Instant.ofEpochSecond(s, nanos).toString();
      }
      return;
    }
    t = GOGO_TIME.matcher(body);
    if (t.find()) {
      String text = t.group(1) + t.group(2);
      long micros = Timestamps.toMicros(text);
      if (micros != Timestamps.INVALID && !t.group(1).startsWith("0001-")) {
        exitedAtMicros = micros;
        exitedAtText = t.group(1) + " " + t.group(2);
      } else {
        Events.warn(e, "unreadable ExitedAt; time = the log line's");
      }
    }
  }

  /**
   * The fields of a {@code %+v}-printed CRI / event message, keys lower-cased without '_' ({@code ContainerID} and
   * {@code container_id} -> {@code containerid}); the first occurrence of a key wins (nested messages come later).
   */
  static Map<String, String> fields(String text) {
    Map<String, String> out = new HashMap<>(8);
    Matcher m = FIELD.matcher(text);
    while (m.find()) {
      String key = m.group(1).replace("_", "").toLowerCase(Locale.ROOT);
      String v = m.group(2) != null ? m.group(2).replace("\\\"", "\"").replace("\\\\", "\\") : m.group(3);
      out.putIfAbsent(key, v);
    }
    return out;
  }

  private static void put(EvidenceEvent e, String key, String value) {
    if (value != null && !value.isEmpty()) e.getUnmapped().put(key, value);
  }
}
