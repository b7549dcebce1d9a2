package dev.strata.job.incident;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.job.incident.SignalRules.Signal;
import dev.strata.schema.correlate.AttackStage;
import dev.strata.schema.event.EvidenceEvent;
import java.io.Serializable;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Which Tetragon events are signals. A Tetragon sensor reports every hit of every loaded tracing policy, and most
 * policies observe routine activity (every outbound connect, every write under a directory, every exec): a responder
 * calls only some of them a signal. Everything else ({@code process_exec}, {@code process_exit}, routine kprobe /
 * LSM / tracepoint hits) is context: it joins an incident through its pod, container or node.
 *
 * <table>
 *   <tr><th>what</th><th>signal</th><th>stage</th><th>severity</th></tr>
 *   <tr><td>an enforcement action ({@code action} {@code KPROBE_ACTION_SIGKILL}, {@code _OVERRIDE}, {@code _SIGNAL},
 *       {@code _NOTIFYENFORCER}: a policy blocked or killed the call; Tetragon's enforcement docs)</td>
 *       <td>{@code tetragon_enforced}</td><td>the target's below, else execution</td><td>High</td></tr>
 *   <tr><td>a hook on a file ({@code file_arg}/{@code path_arg}: security_file_permission, security_mmap_file,
 *       security_path_truncate, fd_install, ...) whose path is a credential or account file ({@link #sensitivePaths}:
 *       /etc/shadow, /etc/sudoers, ssh keys, the pod's service account and IRSA tokens, cloud credentials, the
 *       kubelet's and the control plane's keys)</td><td>{@code tetragon_sensitive_file}</td><td>credential
 *       access</td><td>Medium; a write (MAY_WRITE in the mask) High</td></tr>
 *   <tr><td>a write (MAY_WRITE, truncate, a write call) to a file that runs code later ({@link #persistencePaths}:
 *       cron, systemd units, /etc/ld.so.preload, profile scripts, authorized_keys)</td>
 *       <td>{@code tetragon_persistence_file}</td><td>persistence</td><td>High</td></tr>
 *   <tr><td>{@code commit_creds} (the stock privileges-raise policy), setuid / setreuid / setresuid / setgid ... to
 *       0</td><td>{@code tetragon_privilege}</td><td>privilege escalation</td><td>High</td></tr>
 *   <tr><td>namespace changes: setns, unshare, switch_task_namespaces</td><td>{@code tetragon_namespace}</td>
 *       <td>privilege escalation</td><td>High</td></tr>
 *   <tr><td>kernel module loads: init_module, finit_module, do_init_module, security_kernel_module_request,
 *       delete_module</td><td>{@code tetragon_module}</td><td>persistence</td><td>High</td></tr>
 *   <tr><td>sensitive syscalls ({@link #sensitiveCalls}: ptrace, process_vm_readv/writev, bpf, kexec_load, mount,
 *       pivot_root, memfd_create)</td><td>{@code tetragon_syscall}</td><td>privilege escalation</td><td>High</td></tr>
 *   <tr><td>a {@code process_exec} whose command line fetches cloud credentials from an instance / task metadata
 *       endpoint ({@link #credentialEndpoints}: IMDS {@code /latest/meta-data/iam/security-credentials}, the ECS and
 *       EKS Pod Identity agents' credential URLs, GCE's service-account tokens, Azure IMDS's identity token; SDKs do
 *       not exec a process for it: a shell or curl does, as in CiRunnerEscapeScenarioIT's node shell)</td>
 *       <td>{@code tetragon_metadata_credentials}</td><td>credential access</td><td>High</td></tr>
 *   <tr><td>a {@code process_exec} of a binary under a writable scratch directory ({@link #execDirs}: /tmp, /dev/shm,
 *       /var/tmp: the dropped-binary rule of the writable layer and Falco's "Drop and execute new binary")</td>
 *       <td>{@code tetragon_exec_dropped}</td><td>execution</td><td>Medium</td></tr>
 *   <tr><td>a {@code process_exec} in a container whose parent is the OCI runtime's {@code exec} on the host (runc,
 *       crun: kubectl exec, the kubelet's /run and /exec), not an exec probe ({@code maybe_exec_probe}) nor the
 *       container's init</td><td>{@code tetragon_runtime_exec}</td><td>execution</td><td>Medium</td></tr>
 *   <tr><td>a {@code process_exec} whose command line redirects to a socket ({@code /dev/tcp/}, {@code /dev/udp/}:
 *       bash's reverse shell)</td><td>{@code tetragon_reverse_shell}</td><td>execution</td><td>High</td></tr>
 *   <tr><td>a {@code process_exec} whose command line names a credential file ({@link #sensitivePaths}) under
 *       another process's root ({@code /proc/<pid>/root/...}: another container of the pod through a shared PID
 *       namespace, the node from a host-PID pod)</td><td>{@code tetragon_proc_root_credentials}</td><td>credential
 *       access</td><td>High</td></tr>
 *   <tr><td>a {@code process_exec} of {@code nsenter} into PID 1's namespaces ({@code -t 1}) in a container (a
 *       privileged, host-PID pod entering the node)</td><td>{@code tetragon_nsenter_host}</td><td>privilege
 *       escalation</td><td>High</td></tr>
 * </table>
 *
 * Function names are compared without the syscall wrappers' prefixes ({@code __x64_sys_}, {@code __arm64_sys_},
 * {@code __ia32_sys_}, {@code __se_sys_}, {@code __sys_}, {@code sys_}), so the stock library's {@code
 * sys_setuid} and a policy naming {@code __x64_sys_setuid} are one. Events Tetragon itself rated Medium or above
 * ({@code severity_id} >= 3) stay signals. Sigma process_creation / network_connection / file_event rules match
 * Tetragon events too ({@link SignalRules}).
 */
public record TetragonSignals(
    Set<String> enforcementActions,
    List<String> sensitivePaths,
    List<String> persistencePaths,
    Set<String> privilegeCalls,
    Set<String> namespaceCalls,
    Set<String> moduleCalls,
    Set<String> sensitiveCalls,
    List<String> execDirs,
    List<String> credentialEndpoints)
    implements Serializable {

  /** The defaults' cloud credential endpoints (see {@link #credentialEndpoints}). */
  public static final List<String> CREDENTIAL_ENDPOINTS = List.of(
      "169.254.169.254/latest/meta-data/iam/security-credentials", "[fd00:ec2::254]/latest/meta-data/iam/security-credentials",
      "169.254.170.2/v2/credentials", "169.254.170.23/v1/credentials", "[fd00:ec2::23]/v1/credentials",
      "metadata.google.internal/computemetadata/v1/instance/service-accounts", "169.254.169.254/metadata/identity/oauth2/token");

  /** The settings before {@code credentialEndpoints} (session 12): the default endpoints. */
  public TetragonSignals(Set<String> enforcementActions, List<String> sensitivePaths, List<String> persistencePaths,
      Set<String> privilegeCalls, Set<String> namespaceCalls, Set<String> moduleCalls, Set<String> sensitiveCalls,
      List<String> execDirs) {
    this(enforcementActions, sensitivePaths, persistencePaths, privilegeCalls, namespaceCalls, moduleCalls,
        sensitiveCalls, execDirs, CREDENTIAL_ENDPOINTS);
  }

  /** The defaults of the table above. */
  public static TetragonSignals defaults() {
    return new TetragonSignals(
        Set.of("KPROBE_ACTION_SIGKILL", "KPROBE_ACTION_OVERRIDE", "KPROBE_ACTION_SIGNAL", "KPROBE_ACTION_NOTIFYENFORCER"),
        List.of("/etc/shadow", "/etc/gshadow", "/etc/sudoers", "/etc/sudoers.d/", "/root/.ssh/", "/home/*/.ssh/",
            "/etc/ssh/ssh_host_", "/var/run/secrets/kubernetes.io/serviceaccount/",
            "/run/secrets/kubernetes.io/serviceaccount/", "/var/run/secrets/eks.amazonaws.com/serviceaccount/",
            "/run/secrets/eks.amazonaws.com/serviceaccount/", "/root/.aws/", "/home/*/.aws/", "/root/.kube/config",
            "/home/*/.kube/config", "/etc/kubernetes/pki/", "/etc/kubernetes/admin.conf", "/var/lib/kubelet/pki/",
            "/var/lib/kubelet/kubeconfig", "/root/.docker/config.json", "/home/*/.docker/config.json"),
        List.of("/etc/cron.d/", "/etc/crontab", "/etc/cron.hourly/", "/etc/cron.daily/", "/var/spool/cron/",
            "/etc/systemd/system/", "/lib/systemd/system/", "/usr/lib/systemd/system/", "/etc/ld.so.preload",
            "/etc/profile.d/", "/etc/rc.local", "/etc/init.d/", "/root/.bashrc", "/root/.ssh/authorized_keys",
            "/home/*/.ssh/authorized_keys"),
        Set.of("commit_creds", "setuid", "setreuid", "setresuid", "setfsuid", "setgid", "setregid", "setresgid"),
        Set.of("setns", "unshare", "switch_task_namespaces"),
        Set.of("init_module", "finit_module", "do_init_module", "security_kernel_module_request", "delete_module"),
        Set.of("ptrace", "process_vm_readv", "process_vm_writev", "bpf", "kexec_load", "kexec_file_load", "mount",
            "pivot_root", "memfd_create"),
        List.of("/tmp/", "/dev/shm/", "/var/tmp/"),
        CREDENTIAL_ENDPOINTS);
  }

  public TetragonSignals {
    enforcementActions = Set.copyOf(enforcementActions);
    sensitivePaths = List.copyOf(sensitivePaths);
    persistencePaths = List.copyOf(persistencePaths);
    privilegeCalls = Set.copyOf(privilegeCalls);
    namespaceCalls = Set.copyOf(namespaceCalls);
    moduleCalls = Set.copyOf(moduleCalls);
    sensitiveCalls = Set.copyOf(sensitiveCalls);
    execDirs = List.copyOf(execDirs);
    credentialEndpoints = credentialEndpoints.stream().map(x -> x.toLowerCase(java.util.Locale.ROOT)).toList();
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String[] WRAPPERS = {"__x64_sys_", "__arm64_sys_", "__ia32_sys_", "__se_sys_", "__sys_", "sys_"};
  /** security_file_permission's mask bit for a write (include/linux/fs.h MAY_WRITE). */
  private static final long MAY_WRITE = 0x2;

  /** The OCI runtimes whose {@code exec} starts a process in a running container. */
  static final Set<String> RUNTIMES = Set.of("runc", "crun", "runsc", "youki");

  /**
   * A process the container runtime started in a running container ({@code runc exec}: its parent is the runtime on
   * the host, with an {@code exec} argument), not an exec probe (Tetragon's {@code maybe_exec_probe}): what kubectl
   * exec and the kubelet's own /run and /exec do. The kubelet scenario's commands left nothing else on the node and no
   * pods/exec in the audit log (an anonymous kubelet); a kubectl exec is a signal of the audit log as well.
   */
  static boolean runtimeExec(EvidenceEvent e, Map<String, String> u) {
    if (e.getContainer() == null || e.getProcess() == null || e.getProcess().getParentName() == null) return false;
    if ("true".equals(u.get("process.pod.container.maybe_exec_probe"))) return false;
    if ("true".equals(u.get("process.in_init_tree"))) return false;
    String parent = e.getProcess().getParentName();
    int colon = parent.indexOf(':'); // runc:[2:INIT]
    if (!RUNTIMES.contains(colon > 0 ? parent.substring(0, colon) : parent)) return false;
    String args = u.get("parent.arguments");
    return args == null || (" " + args + " ").contains(" exec ");
  }

  private static final java.util.regex.Pattern TARGET_PID_1 =
      java.util.regex.Pattern.compile("(^|\\s)(-t\\s*1|--target(=|\\s+)1)(\\s|$)");

  /**
   * {@code nsenter} into PID 1's namespaces ({@code -t 1}, {@code --target 1}) from a container: a privileged, host-PID
   * pod's step onto the node (CrioKubeadmScenarioIT: {@code nsenter -t 1 -m -u -i -n -p -- bash} in the pod the
   * stolen token created; Tetragon reports no setns unless a policy hooks it, only the exec). Outside a container it
   * is an administrator's tool on the host.
   */
  static boolean nsenterHost(EvidenceEvent e) {
    if (e.getContainer() == null || e.getProcess() == null) return false;
    String exe = e.getProcess().getExecutable();
    if (exe == null || !(exe.equals("nsenter") || exe.endsWith("/nsenter"))) return false;
    String cmd = e.getProcess().getCmdLine();
    return cmd != null && TARGET_PID_1.matcher(cmd).find();
  }

  private static final java.util.regex.Pattern PROC_ROOT =
      java.util.regex.Pattern.compile("/proc/(?:\\d+|self|thread-self)/root(/\\S+)");

  /**
   * A {@code process_exec} whose command line reaches a credential file ({@link #sensitivePaths}) through another
   * process's root ({@code /proc/<pid>/root/...}): the files of another container of the pod (kubectl debug's
   * {@code --target} shares its PID namespace: KubectlDebugScenarioIT's {@code cat
   * /proc/1/root/var/run/secrets/eks.amazonaws.com/serviceaccount/token}, the ledger container's IRSA token read from
   * the aws-cli ephemeral container) or of the node (a host-PID pod's {@code /proc/1/root/etc/shadow}). Without a file
   * hook policy only the exec tells it; the pod's own token at its own path is the file hook's matter.
   */
  boolean otherRootCredentials(EvidenceEvent e) {
    String cmd = e.getProcess() == null ? null : e.getProcess().getCmdLine();
    if (cmd == null || !cmd.contains("/root/")) return false;
    java.util.regex.Matcher m = PROC_ROOT.matcher(cmd);
    while (m.find()) {
      if (any(sensitivePaths, m.group(1))) return true;
    }
    return false;
  }

  /** The signal a Tetragon event is, or null (context). */
  public Signal classify(EvidenceEvent e) {
    Map<String, String> u = e.getUnmapped() == null ? Map.of() : e.getUnmapped();
    String type = u.getOrDefault("event_type", "");
    int sev = e.getSeverityId();
    if (type.equals("process_exec")) {
      String cmd = e.getProcess() == null || e.getProcess().getCmdLine() == null ? null
          : e.getProcess().getCmdLine().toLowerCase(java.util.Locale.ROOT);
      if (cmd != null && credentialEndpoints.stream().anyMatch(cmd::contains)) {
        return new Signal(AttackStage.CREDENTIAL_ACCESS, Math.max(4, sev), "tetragon_metadata_credentials");
      }
      String binary = e.getProcess() == null ? null : e.getProcess().getExecutable();
      if (binary != null && execDirs.stream().anyMatch(binary::startsWith)) {
        return new Signal(AttackStage.EXECUTION, Math.max(3, sev), "tetragon_exec_dropped");
      }
      if (cmd != null && (cmd.contains("/dev/tcp/") || cmd.contains("/dev/udp/"))) {
        // bash's network redirection (bash -i >& /dev/tcp/<host>/<port> 0>&1): a reverse shell; Falco's "Redirect
        // STDOUT/STDIN to Network Connection in Container" says so at Notice, below the alerts' threshold
        // (CrioKubeadmScenarioIT: the notebook's reverse shell was no signal, the incident began at the token read)
        return new Signal(AttackStage.EXECUTION, Math.max(4, sev), "tetragon_reverse_shell");
      }
      if (nsenterHost(e)) return new Signal(AttackStage.PRIVILEGE_ESCALATION, Math.max(4, sev), "tetragon_nsenter_host");
      if (otherRootCredentials(e)) {
        return new Signal(AttackStage.CREDENTIAL_ACCESS, Math.max(4, sev), "tetragon_proc_root_credentials");
      }
      if (runtimeExec(e, u)) return new Signal(AttackStage.EXECUTION, Math.max(3, sev), "tetragon_runtime_exec");
      return sev >= 3 ? new Signal(AttackStage.EXECUTION, sev, "alert") : null;
    }
    if (e.getActivityId() != 99) return sev >= 3 ? new Signal(AttackStage.EXECUTION, sev, "alert") : null;
    String function = call(e.getActivityName());
    Signal target = target(e, function, u);
    String action = u.get("action");
    if (action != null && enforcementActions.contains(action)) {
      AttackStage stage = target == null ? AttackStage.EXECUTION : target.stage();
      return new Signal(stage, Math.max(4, sev), "tetragon_enforced");
    }
    if (target != null) return new Signal(target.stage(), Math.max(target.severityId(), sev), target.reason());
    return sev >= 3 ? new Signal(AttackStage.EXECUTION, sev, "alert") : null;
  }

  /** What the hook's target makes of the event, whatever the policy's action. */
  private Signal target(EvidenceEvent e, String function, Map<String, String> u) {
    String path = e.getFile() == null ? null : e.getFile().getPath();
    if (path != null) {
      boolean writes = writes(function, u);
      if (writes && any(persistencePaths, path)) {
        return new Signal(AttackStage.PERSISTENCE, 4, "tetragon_persistence_file");
      }
      if (any(sensitivePaths, path)) {
        return new Signal(AttackStage.CREDENTIAL_ACCESS, writes ? 4 : 3, "tetragon_sensitive_file");
      }
    }
    if (function.equals("commit_creds")) return new Signal(AttackStage.PRIVILEGE_ESCALATION, 4, "tetragon_privilege");
    if (privilegeCalls.contains(function)) {
      // setuid(0) and the like: the first argument (setreuid / setresuid: any of them) is root
      JsonNode args = args(u);
      boolean toRoot = false;
      for (JsonNode a : args) {
        JsonNode v = a.has("int_arg") ? a.get("int_arg") : a.get("uint_arg");
        if (v != null && v.asLong(-1) == 0) toRoot = true;
      }
      return toRoot ? new Signal(AttackStage.PRIVILEGE_ESCALATION, 4, "tetragon_privilege") : null;
    }
    if (namespaceCalls.contains(function)) return new Signal(AttackStage.PRIVILEGE_ESCALATION, 4, "tetragon_namespace");
    if (moduleCalls.contains(function)) return new Signal(AttackStage.PERSISTENCE, 4, "tetragon_module");
    if (sensitiveCalls.contains(function)) return new Signal(AttackStage.PRIVILEGE_ESCALATION, 4, "tetragon_syscall");
    return null;
  }

  /**
   * Whether {@code path} is under one of {@code patterns} (a directory ending in '/', else the file or a name it starts;
   * '*' one path element). A path Tetragon wrote without its leading '/' gets one.
   */
  static boolean any(List<String> patterns, String path) {
    String p = path.startsWith("/") ? path : "/" + path;
    for (String s : patterns) {
      if (matches(p, s)) return true;
    }
    return false;
  }

  private static boolean matches(String path, String pattern) {
    int star = pattern.indexOf('*');
    if (star < 0) return path.startsWith(pattern);
    if (!path.startsWith(pattern.substring(0, star))) return false;
    int slash = path.indexOf('/', star);
    return slash >= 0 && matches(path.substring(slash), pattern.substring(star + 1));
  }

  /** A write: security_file_permission / security_file_mprotect's mask with MAY_WRITE, a truncate or a write call. */
  private static boolean writes(String function, Map<String, String> u) {
    if (function.contains("truncate") || function.equals("write") || function.equals("pwrite64")
        || function.equals("vfs_write")) {
      return true;
    }
    if (!function.equals("security_file_permission")) return false;
    for (JsonNode a : args(u)) {
      if (a.has("int_arg") && (a.get("int_arg").asLong() & MAY_WRITE) != 0) return true;
    }
    return false;
  }

  private static JsonNode args(Map<String, String> u) {
    String text = u.get("args");
    if (text == null || text.isEmpty() || text.charAt(0) != '[') return JSON.createArrayNode();
    try {
      return JSON.readTree(text);
    } catch (Exception ex) {
      return JSON.createArrayNode();
    }
  }

  /** A hook's function name without the syscall wrappers' prefixes, lower case. */
  static String call(String function) {
    if (function == null) return "";
    String f = function.toLowerCase(Locale.ROOT);
    for (String w : WRAPPERS) {
      if (f.startsWith(w)) return f.substring(w.length());
    }
    return f;
  }
}
