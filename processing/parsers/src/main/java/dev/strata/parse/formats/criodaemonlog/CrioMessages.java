package dev.strata.parse.formats.criodaemonlog;

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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * CRI-O's messages as its server writes them (format strings of CRI-O 1.2x-1.3x {@code server/sandbox_run_linux.go},
 * {@code server/container_create.go}, {@code container_start.go}, {@code container_stop.go},
 * {@code container_remove.go}, {@code sandbox_stop_linux.go}, {@code sandbox_remove.go}, {@code image_pull.go};
 * older releases' lower-case "stopped pod sandbox: ns/pod/POD" too), each to an OCSF 0 Base Event, activity 99
 * Other, named by its lifecycle verb. {@code DESC} is CRI-O's description {@code namespace/pod/container} ({@code
 * POD} for the sandbox's infra container):
 *
 * <pre>
 * Running pod sandbox: DESC                              run_requested (pod)
 * Ran pod sandbox ID with infra container: DESC          created (container = sandbox ID = its infra container)
 * Creating container: DESC                               create_requested
 * Created container ID: DESC                             created (container ID, pod and container name)
 * Starting container: ID                                 start_requested
 * Started container [ID: DESC] (containerID= description= sandboxID= PID=)   started
 * Stopping container: ID (timeout: Ns)                   stop_requested
 * Stopped container ID: DESC                             stopped
 * Removing container: ID / Removed container ID: DESC    remove_requested / removed
 * Stopping pod sandbox: ID / Stopped pod sandbox[ (already stopped)]: ID|DESC    stop_requested / stopped
 * Removing pod sandbox: ID / Removed pod sandbox: ID     remove_requested / removed
 * Pulling image: REF / Pulled image: REF                 pull_requested / pulled
 * Request: &amp;ExecSyncRequest{ContainerId:ID,Cmd:[..],Timeout:N,}   exec_sync_requested (command, timeout_seconds)
 * Request: &amp;ExecRequest{ContainerId:ID,Cmd:[..],Tty:T,Stdin:S,..}  exec_requested (command, tty, stdin)
 * </pre>
 *
 * <p>CRI-O's exec handlers ({@code server/container_exec.go}, {@code container_execsync.go}) log nothing of their own;
 * the exec lines are its gRPC interceptor's ({@code internal/log/interceptors}: {@code log.Debugf(ctx, "Request: %+v",
 * req)} with {@code id=<uuid> name=/runtime.v1.RuntimeService/ExecSync}), so they exist at {@code log_level = "debug"}
 * only; the request prints as the CRI API's generated {@code String()} ({@code &ExecSyncRequest{ContainerId:..,Cmd:[sh
 * -c id],Timeout:0,}}). Releases before 1.19 logged {@code "ExecSyncRequest &ExecSyncRequest{...}"}, read the same. The
 * kubelet's exec probes always carry their timeout (1 s and more); its {@code /run} is an ExecSync with timeout 0,
 * {@code kubectl exec} and the kubelet's {@code /exec} a streaming Exec.
 *
 * Every other line: OCSF 0 Base Event with the log object.
 */
final class CrioMessages implements DaemonLogReader.Interpreter {
  static final String RUNTIME = "cri-o";

  private static final Pattern SANDBOX_RAN = Pattern.compile("^Ran pod sandbox (\\S+) with infra container: (\\S+)$");
  private static final Pattern CREATED = Pattern.compile("^(Created|Stopped|Removed) container (\\S+): (\\S+)$");
  private static final Pattern STARTED = Pattern.compile("^Started container(?: (\\S+): (\\S+))?$");
  private static final Pattern BY_ID =
      Pattern.compile("^(Starting|Stopping|Removing) container: (\\S+)(?: \\(timeout: (\\d+)s\\))?$");
  private static final Pattern SANDBOX_BY_ID = Pattern.compile(
      "^(Running|Stopping|Stopped|stopped|Removing|Removed|removed) pod sandbox(?: \\(already stopped\\))?: (\\S+)$");
  private static final Pattern CREATING = Pattern.compile("^Creating container: (\\S+)$");
  private static final Pattern PULL = Pattern.compile("^(Pulling|Pulled) image: (\\S+)$");
  private static final Pattern HEX_ID = Pattern.compile("[0-9a-f]{12,64}");
  /** The CRI request's String(): the command's words are space-separated inside {@code [..]} (Go's %v of a slice). */
  private static final Pattern EXEC_REQUEST = Pattern.compile(
      "^(?:Request: |(?:ExecSync|Exec)Request )&(ExecSync|Exec)Request\\{ContainerId:([^,]*),Cmd:(\\[.*\\]),"
          + "(?:Timeout:(-?\\d+),|Tty:(true|false),Stdin:(true|false),.*)\\}$");

  private final ChunkContext ctx;

  CrioMessages(ChunkContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public EvidenceEvent event(DaemonLogLine line) {
    String msg = line.msg();
    Matcher m;
    EvidenceEvent e = null;
    if ((m = SANDBOX_RAN.matcher(msg)).matches()) {
      e = lifecycle(line, ctx, "created");
      outcome(e, true, null);
      inSandbox(e, m.group(1), m.group(1), m.group(2));
    } else if ((m = CREATED.matcher(msg)).matches()) {
      String verb = m.group(1).toLowerCase(java.util.Locale.ROOT);
      e = lifecycle(line, ctx, verb);
      outcome(e, true, null);
      described(e, m.group(2), m.group(3), line.field("sandboxID"));
    } else if ((m = STARTED.matcher(msg)).matches()) {
      e = lifecycle(line, ctx, "started");
      outcome(e, true, null);
      String id = m.group(1) != null ? m.group(1) : line.field("containerID");
      String desc = m.group(2) != null ? m.group(2) : line.field("description");
      described(e, id, desc, line.field("sandboxID"));
      String pid = line.field("PID");
      if (pid != null) e.getUnmapped().put("container_pid", pid);
    } else if ((m = BY_ID.matcher(msg)).matches()) {
      String verb = m.group(1).equals("Starting") ? "start" : m.group(1).equals("Stopping") ? "stop" : "remove";
      e = lifecycle(line, ctx, verb + "_requested");
      container(e, m.group(2), null, RUNTIME);
      if (m.group(3) != null) e.getUnmapped().put("timeout_seconds", m.group(3));
    } else if ((m = SANDBOX_BY_ID.matcher(msg)).matches()) {
      String w = m.group(1);
      String verb = switch (w) {
        case "Running" -> "run_requested";
        case "Stopping" -> "stop_requested";
        case "Stopped", "stopped" -> "stopped";
        case "Removing" -> "remove_requested";
        default -> "removed";
      };
      e = lifecycle(line, ctx, verb);
      if (!verb.endsWith("_requested")) outcome(e, true, null);
      if (msg.contains("(already stopped)")) e.getUnmapped().put("already_stopped", "true");
      String arg = m.group(2);
      if (HEX_ID.matcher(arg).matches()) inSandbox(e, arg, arg, null);
      else inSandbox(e, null, null, arg); // a description (Running pod sandbox, older "stopped pod sandbox")
    } else if ((m = CREATING.matcher(msg)).matches()) {
      e = lifecycle(line, ctx, "create_requested");
      described(e, null, m.group(1), null);
    } else if (msg.contains("ExecSyncRequest{") || msg.contains("ExecRequest{")) {
      if ((m = EXEC_REQUEST.matcher(msg)).matches()) e = execRequest(line, m);
    } else if ((m = PULL.matcher(msg)).matches()) {
      boolean done = m.group(1).equals("Pulled");
      e = lifecycle(line, ctx, done ? "pulled" : "pull_requested");
      if (done) outcome(e, true, null);
      CriLifecycle.image(e, m.group(2), RUNTIME);
    }
    if (e == null) {
      e = line.newLogEvent(ctx);
      String id = line.field("containerID");
      if (id != null && HEX_ID.matcher(id).matches()) container(e, id, null, RUNTIME);
    }
    return e;
  }

  /**
   * An exec the kubelet asked for ({@code ExecSync}: probes, the kubelet's {@code /run}; {@code Exec}: kubectl exec, the
   * kubelet's {@code /exec}): the container, the command as printed ({@code [sh -c id]}), its timeout or tty / stdin.
   */
  private EvidenceEvent execRequest(DaemonLogLine line, Matcher m) {
    boolean sync = m.group(1).equals("ExecSync");
    EvidenceEvent e = lifecycle(line, ctx, sync ? "exec_sync_requested" : "exec_requested");
    String id = m.group(2);
    if (!id.isEmpty()) container(e, id, null, RUNTIME);
    e.getUnmapped().put("command", m.group(3));
    if (sync) {
      e.getUnmapped().put("timeout_seconds", m.group(4));
    } else {
      e.getUnmapped().put("tty", m.group(5));
      e.getUnmapped().put("stdin", m.group(6));
    }
    String request = line.field("id");
    if (request != null) e.getUnmapped().put("request_id", request);
    return e;
  }

  /** A container {@code id} with its description {@code ns/pod/container} (either may be null). */
  private static void described(EvidenceEvent e, String id, String desc, String sandboxId) {
    String[] d = description(desc);
    container(e, id, d == null ? null : d[2], RUNTIME);
    if (d != null) pod(e, d[0], d[1], null, d[2]);
    sandbox(e, sandboxId, d == null ? null : d[0], d == null ? null : d[1]);
  }

  /** The pod sandbox {@code sandboxId} (= its infra container {@code containerId}) of the pod in {@code desc}. */
  private static void inSandbox(EvidenceEvent e, String sandboxId, String containerId, String desc) {
    String[] d = description(desc);
    if (containerId != null) container(e, containerId, null, RUNTIME);
    if (d != null) pod(e, d[0], d[1], null, null);
    sandbox(e, sandboxId, d == null ? null : d[0], d == null ? null : d[1]);
  }

  /** CRI-O's {@code namespace/pod/container}, or null. */
  static String[] description(String desc) {
    if (desc == null) return null;
    String[] p = desc.split("/", -1);
    if (p.length != 3 || p[0].isEmpty() || p[1].isEmpty()) return null;
    return p;
  }
}
