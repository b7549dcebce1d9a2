package dev.strata.job.incident;

import dev.strata.correlate.KnownCidrs;
import dev.strata.correlate.EcsCredentials;
import dev.strata.correlate.LookupKeys;
import dev.strata.detect.sigma.SigmaEngine;
import dev.strata.detect.sigma.SigmaRule;
import dev.strata.schema.correlate.AttackStage;
import dev.strata.schema.correlate.RuleMatch;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.event.Resource;
import java.io.Serializable;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Which events are signals (they open or extend an incident), with their attack stage and severity. Everything else
 * is context: it joins an incident when it shares an entity with it, but never opens one.
 *
 * <table>
 *   <tr><th>source</th><th>signal when</th><th>stage</th><th>severity</th></tr>
 *   <tr><td>Falco alerts, any OCSF 2004 Detection Finding</td><td>severity_id >= 3 (Medium)</td>
 *       <td>from MITRE tags (mitre_initial_access -> entry, mitre_execution, mitre_persistence,
 *       mitre_privilege_escalation, mitre_credential_access, mitre_lateral_movement, mitre_discovery/collection/
 *       exfiltration -> exfiltration, mitre_impact/defense_evasion -> impact), else execution</td><td>the event's</td></tr>
 *   <tr><td>Tetragon events</td><td>enforcement actions, hooks on sensitive targets (credential files, privilege
 *       and namespace changes, module loads, sensitive syscalls), execs of dropped binaries, severity_id >= 3
 *       ({@link TetragonSignals}); other policy hits, execs and exits are context</td><td>by target</td>
 *       <td>Medium or High</td></tr>
 *   <tr><td rowspan=8>Kubernetes audit, user not {@code system:*} (a human)</td><td>pods/exec, pods/attach</td>
 *       <td>execution</td><td>High</td></tr>
 *   <tr><td>pods/portforward</td><td>lateral_movement</td><td>Medium</td></tr>
 *   <tr><td>get/list/watch secrets</td><td>credential_access</td><td>Medium</td></tr>
 *   <tr><td>a pod created or changed (or an ephemeral container added) with privileged, host PID / IPC, a sensitive
 *       host path (/, the runtime sockets, /proc, /etc, /run) or CAP_SYS_ADMIN / SYS_MODULE / ALL</td>
 *       <td>privilege_escalation</td><td>High</td></tr>
 *   <tr><td>a workload (Deployment, DaemonSet, StatefulSet, ReplicaSet, ReplicationController, Job, CronJob)
 *       created or changed with such a pod template</td><td>privilege_escalation</td><td>High</td></tr>
 *   <tr><td>pods/ephemeralcontainers update or patch ({@code kubectl debug})</td><td>execution</td><td>High</td></tr>
 *   <tr><td>a (Cluster)RoleBinding created or changed to bind ClusterRole cluster-admin</td>
 *       <td>privilege_escalation</td><td>High</td></tr>
 *   <tr><td>a request impersonating {@code system:masters}, a node, the control plane or a kube-system service
 *       account ({@code impersonated_privileged}), when no rule above applies</td><td>privilege_escalation</td>
 *       <td>High</td></tr>
 *   <tr><td rowspan=6>Kubernetes audit, a workload's service account (not kube-system's *-controller)</td>
 *       <td>any request from a public IP outside {@code known_cidrs} ({@code service_account_token_outside})</td>
 *       <td>by request: privileged pod, workload with such a pod template / role binding -> privilege_escalation,
 *       workload or pod written ->
 *       persistence, exec / attach / ephemeral container -> execution, a read (get / list / watch) of anything but
 *       secrets and ConfigMaps -> entry, else credential_access; impersonating a privileged identity (below), entry
 *       and credential access but secrets / ConfigMap reads -> privilege_escalation</td><td>High</td></tr>
 *   <tr><td>pods/ephemeralcontainers update or patch ({@code kubectl debug}, {@code pod_ephemeral_container})</td>
 *       <td>execution</td><td>High</td></tr>
 *   <tr><td>a request impersonating a privileged identity ({@code impersonated_privileged}; its tenants'
 *       accounts are none)</td><td>privilege_escalation</td><td>High</td></tr>
 *   <tr><td>a pod created or changed with host PID / IPC or a sensitive host path (privileged alone is not)</td>
 *       <td>privilege_escalation</td><td>High</td></tr>
 *   <tr><td>its own pod deleted with its token: the token's bound pod, or (legacy token) the pod's account and
 *       address ({@link PodSelfDeletion}, {@code pod_self_deletion})</td><td>impact (defense evasion)</td>
 *       <td>Medium</td></tr>
 *   <tr><td>a pod or workload created in another namespace than its own ({@link WorkloadPlacementSignals},
 *       {@code service_account_workload_other_namespace})</td><td>kube-system: privilege_escalation, else
 *       execution</td><td>High / Medium</td></tr>
 *   <tr><td>Kubernetes audit, user {@code system:anonymous}</td><td>any allowed request (code &lt; 400) but the
 *       health and discovery endpoints (/healthz, /livez, /readyz, /version, OIDC discovery)</td><td>entry</td>
 *       <td>High</td></tr>
 *   <tr><td rowspan=9>CloudTrail</td><td>an S3 object written (PutObject, CopyObject, multipart upload) into a bucket
 *       whose owner (the record's {@code resources[]}) is neither the caller's account nor one of {@code
 *       incident.known_accounts} ({@code s3_write_unknown_account}; only when known_accounts is set)</td>
 *       <td>exfiltration</td><td>High</td></tr>
 *   <tr><td>instance-profile credentials (session named after an instance) or an ECS
 *       task's role credentials (session named after a task id) used from a public IP outside the known ranges
 *       (default: none known, i.e. any public IP is outside AWS's private space)</td><td>by operation: GetCallerIdentity -> credential_access; Get/List/Describe/Head ->
 *       exfiltration (discovery, collection); else the operation's stage below, else credential_access</td>
 *       <td>High</td></tr>
 *   <tr><td>an IAM user's access key a role session created (CreateAccessKey; the call's enrichment names the
 *       creating session's role) used from a public IP outside the known ranges ({@code created_key_outside})</td>
 *       <td>as above</td><td>High</td></tr>
 *   <tr><td>any credential used from a public IP outside {@code known_cidrs} (only when known_cidrs is set)</td>
 *       <td>as above</td><td>Medium</td></tr>
 *   <tr><td>CreateAccessKey, CreateLoginProfile, UpdateLoginProfile, CreateUser</td><td>persistence</td>
 *       <td>Medium</td></tr>
 *   <tr><td>Attach/Put User/Role/Group Policy, CreatePolicyVersion, UpdateAssumeRolePolicy</td>
 *       <td>privilege_escalation</td><td>High</td></tr>
 *   <tr><td>PutBucketPolicy, PutBucketAcl, DeleteBucketPolicy, DeletePublicAccessBlock</td><td>exfiltration</td>
 *       <td>Medium</td></tr>
 *   <tr><td>DeleteTrail, StopLogging, UpdateTrail, PutEventSelectors, DeleteFlowLogs, DeleteDetector</td>
 *       <td>impact</td><td>High</td></tr>
 *   <tr><td>GetSecretValue: {@code secret_burst_count} calls (default 5) by one principal within
 *       {@code secret_burst_window} (default 5 min); decided when incidents are grouped</td>
 *       <td>credential_access</td><td>Medium</td></tr>
 *   <tr><td>{@code overlay_upper_changes}, {@code docker_diff}</td><td>a file added to a container's writable layer
 *       that is executable (mode with an x bit, type executable, or unmapped executable=true)</td><td>execution</td>
 *       <td>Medium</td></tr>
 *   <tr><td>SBOMs and scans (CycloneDX, SPDX, syft, grype, Trivy); a package manager's install-time script in a
 *       container's log ({@code pkg_script.command})</td><td>a malicious-package advisory, a cryptominer or offensive
 *       tool component, a baked-in secret; a script command that fetches and runs code, reads credentials or contacts
 *       a public address ({@link SupplyChainSignals}); CVEs are context</td><td>entry</td><td>Medium to Critical</td></tr>
 *   <tr><td>HTTP Activity (a web server's access line in a container's log)</td><td>a JNDI lookup
 *       ({@code ${jndi:...}}, nested lookups undone) in the URL, User-Agent or Referer: Log4Shell exploitation, an
 *       attempt counts ({@link JndiLookupRequests}, {@code jndi_lookup_request})</td><td>entry</td><td>High</td></tr>
 *   <tr><td>HTTP Activity</td><td>a request whose URL or parameters name a local file ({@code file://}), a
 *       service-account / IRSA token path, {@code /proc/self/environ} or a metadata service (IMDS, ECS credentials,
 *       GCP metadata): SSRF / local file read reaching for credentials ({@link SsrfRequests}, {@code
 *       ssrf_credential_request}; a metadata address only from outside)</td><td>entry from a public address outside
 *       {@code known_cidrs}, else credential_access</td><td>High / Medium</td></tr>
 *   <tr><td>{@code docker_daemon_log}</td><td>a container create request whose body (dockerd's debug {@code form
 *       data}) asks for a privileged container or binds the host's root file system (the Docker socket used to
 *       escape to the host)</td><td>privilege_escalation</td><td>High</td></tr>
 * </table>
 *
 * Denied calls count: an attempt is evidence of intent.
 *
 * <p>Sigma rules ({@code incident.sigma_rules}, {@link SigmaEngine}) add to these: an event whose original record
 * matches a rule of level {@code incident.sigma_min_level} (default medium) or above is a signal, with the rule's
 * level as severity (informational 1, low 2, medium 3, high 4, critical 5), the stage of the rule's first ATT&amp;CK
 * tactic tag (the Falco table below, {@link #stageOfTactic}; execution when none maps) and reason {@code
 * sigma:<rule id>}. Matches below that level are context: they annotate the event's timeline row but open nothing.
 * An event that a hand-written rule and Sigma rules both match is one signal: the highest severity, the hand-written
 * rule's stage, both reasons ({@link #judge}).
 */
public final class SignalRules implements Serializable {
  private static final long serialVersionUID = 1L;

  /** What makes an event a signal. */
  public record Signal(AttackStage stage, int severityId, String reason) implements Serializable {}

  static final Set<String> PERSISTENCE =
      Set.of("CreateAccessKey", "CreateLoginProfile", "UpdateLoginProfile", "CreateUser");
  static final Set<String> PRIVILEGE_ESCALATION =
      Set.of("AttachUserPolicy", "AttachRolePolicy", "AttachGroupPolicy", "PutUserPolicy", "PutRolePolicy",
          "PutGroupPolicy", "CreatePolicyVersion", "UpdateAssumeRolePolicy");
  static final Set<String> EXFILTRATION =
      Set.of("PutBucketPolicy", "PutBucketAcl", "DeleteBucketPolicy", "DeletePublicAccessBlock");
  static final Set<String> IMPACT =
      Set.of("DeleteTrail", "StopLogging", "UpdateTrail", "PutEventSelectors", "DeleteFlowLogs", "DeleteDetector");
  public static final String SECRET_READ = "GetSecretValue";

  /** What the rules say about one event: its signal (or null: context) and the Sigma rules its record matched. */
  public record Verdict(Signal signal, List<RuleMatch> detections) {}

  private final KnownCidrs knownCidrs;
  private final SigmaEngine sigma;
  private final int sigmaMinSeverity;
  private final TetragonSignals tetragon;
  private final SupplyChainSignals supplyChain;
  /** Pods and workloads a service account creates in another namespace ({@code incident.deployer_namespaces}). */
  private final WorkloadPlacementSignals workloadPlacement;
  /** The organisation's AWS accounts ({@code incident.known_accounts}). */
  private final Set<String> knownAccounts;

  public SignalRules(List<String> knownCidrs) {
    this(knownCidrs, SigmaEngine.empty(), 3);
  }

  /** With Sigma rules: matches of at least {@code sigmaMinSeverity} (OCSF severity of the level) are signals. */
  public SignalRules(List<String> knownCidrs, SigmaEngine sigma, int sigmaMinSeverity) {
    this(knownCidrs, sigma, sigmaMinSeverity, TetragonSignals.defaults());
  }

  /** With the Tetragon events that are signals ({@link TetragonSignals}). */
  public SignalRules(List<String> knownCidrs, SigmaEngine sigma, int sigmaMinSeverity, TetragonSignals tetragon) {
    this(knownCidrs, sigma, sigmaMinSeverity, tetragon, SupplyChainSignals.defaults());
  }

  /** With the supply-chain entry rules ({@link SupplyChainSignals}). */
  public SignalRules(List<String> knownCidrs, SigmaEngine sigma, int sigmaMinSeverity, TetragonSignals tetragon,
      SupplyChainSignals supplyChain) {
    this(knownCidrs, sigma, sigmaMinSeverity, tetragon, supplyChain, WorkloadPlacementSignals.defaults());
  }

  /** With the deployer namespaces the workload placement rule does not judge ({@link WorkloadPlacementSignals}). */
  public SignalRules(List<String> knownCidrs, SigmaEngine sigma, int sigmaMinSeverity, TetragonSignals tetragon,
      SupplyChainSignals supplyChain, WorkloadPlacementSignals workloadPlacement) {
    this(knownCidrs, sigma, sigmaMinSeverity, tetragon, supplyChain, workloadPlacement, Set.of());
  }

  /** With the organisation's AWS accounts ({@code incident.known_accounts}; empty: the foreign bucket rule is off). */
  public SignalRules(List<String> knownCidrs, SigmaEngine sigma, int sigmaMinSeverity, TetragonSignals tetragon,
      SupplyChainSignals supplyChain, WorkloadPlacementSignals workloadPlacement, Set<String> knownAccounts) {
    this.knownAccounts = Set.copyOf(knownAccounts);
    this.workloadPlacement = workloadPlacement;
    this.knownCidrs = KnownCidrs.parse(knownCidrs);
    this.sigma = sigma;
    this.sigmaMinSeverity = sigmaMinSeverity;
    this.tetragon = tetragon;
    this.supplyChain = supplyChain;
  }

  /**
   * The hand-written rules' signal plus the Sigma rules the event matches (on its original record, or on its taxonomy
   * view for generic log sources: {@link SigmaEngine#match(EvidenceEvent)}).
   */
  public Verdict judge(EvidenceEvent e) {
    if (EcsCredentials.executionRole(e)) {
      // the ECS agent's call with the task's execution role (image pull, log stream, secrets): not the workload's
      return new Verdict(null, judgeAll(e).detections());
    }
    return judgeAll(e);
  }

  private Verdict judgeAll(EvidenceEvent e) {
    Signal hand = classify(e);
    if (!sigma.covers(e.getSourceFormat())) return new Verdict(hand, List.of());
    List<SigmaRule.Info> matched = sigma.match(e);
    if (matched.isEmpty()) return new Verdict(hand, List.of());
    Signal signal = hand;
    List<RuleMatch> detections = new java.util.ArrayList<>(matched.size());
    for (SigmaRule.Info rule : matched) {
      detections.add(new RuleMatch("sigma", rule.id(), rule.title(), rule.author(), rule.level(), rule.credit()));
      if (rule.severityId() < sigmaMinSeverity) continue;
      AttackStage stage = AttackStage.EXECUTION;
      for (String tactic : rule.tactics()) {
        AttackStage s = stageOfTactic(tactic);
        if (s != null) {
          stage = s;
          break;
        }
      }
      String reason = "sigma:" + rule.id();
      signal = signal == null
          ? new Signal(stage, rule.severityId(), reason)
          : new Signal(signal.stage(), Math.max(signal.severityId(), rule.severityId()), signal.reason() + "; " + reason);
    }
    return new Verdict(signal, List.copyOf(detections));
  }

  /** Whether {@code ip} is one of the organisation's own public ranges ({@code incident.known_cidrs}). */
  boolean known(String ip) {
    return !knownCidrs.isEmpty() && ip != null && knownCidrs.contains(ip);
  }

  public static SignalRules defaults() {
    return new SignalRules(List.of());
  }

  /** Typosquatted images ({@link ImageLookalikes}): an entry signal of its own, joined to the event's other one. */
  private static final ImageLookalikes IMAGE_LOOKALIKES = ImageLookalikes.defaults();

  /** The signal this event is, or null. */
  public Signal classify(EvidenceEvent e) {
    Signal s = ImageLookalikes.with(classifyByFormat(e), IMAGE_LOOKALIKES.classify(e));
    s = HostEscapes.with(s, e);
    return ImageLookalikes.with(s, SystemWorkloadLookalikes.classify(e));
  }

  private Signal classifyByFormat(EvidenceEvent e) {
    String f = e.getSourceFormat() == null ? "" : e.getSourceFormat();
    int sev = e.getSeverityId();
    if (SupplyChainSignals.IMAGE_FORMATS.contains(f)) {
      return supplyChain.classify(e); // a scan or SBOM describes an image, no activity: only its entry findings
    }
    if (e.getUnmapped() != null && e.getUnmapped().containsKey("pkg_script.command")) {
      Signal script = supplyChain.classify(e); // a dependency's install-time script in a container's log
      if (script != null) return script;
    }
    if (e.getClassUid() == 2004 || "falco_alert".equals(f)) {
      return sev >= 3 ? new Signal(stageFromTags(e), sev, "alert") : null;
    }
    if ("tetragon_event".equals(f)) {
      return tetragon.classify(e);
    }
    if ("k8s_audit".equals(f)) {
      return audit(e, knownCidrs.isEmpty() ? ip -> false : knownCidrs::contains);
    }
    if ("aws_cloudtrail".equals(f)) {
      return cloudTrail(e);
    }
    if (f.startsWith("aws_vpc_flow")) {
      return kubeletPortFromOutside(e) ? new Signal(AttackStage.ENTRY, 4, "kubelet_port_public") : null;
    }
    if ("overlay_upper_changes".equals(f) || "docker_diff".equals(f)) {
      return droppedBinary(e) ? new Signal(AttackStage.EXECUTION, 3, "dropped_binary") : null;
    }
    if ("docker_daemon_log".equals(f)) {
      return hostEscapingCreate(e) ? new Signal(AttackStage.PRIVILEGE_ESCALATION, 4, "privileged_container_create")
          : null;
    }
    if (JndiLookupRequests.matches(e)) {
      return new Signal(AttackStage.ENTRY, 4, JndiLookupRequests.REASON); // Log4Shell exploitation (attempt)
    }
    if (e.getClassUid() == 4002) {
      // a request naming a local file, a token path, the environment or a metadata service (SSRF, file read)
      return SsrfRequests.classify(e, knownCidrs.isEmpty() ? ip -> false : knownCidrs::contains);
    }
    return null;
  }

  /**
   * A container create request (dockerd's logged request body) for a container that is the host: privileged, or
   * binding the host's root file system. Host PID / network alone are common for monitoring agents: not a signal.
   */
  private static boolean hostEscapingCreate(EvidenceEvent e) {
    Map<String, String> u = e.getUnmapped();
    if (u == null || !u.containsKey("dockerd.form.image")) return false;
    String risk = u.get("strata.risk");
    if (risk == null) return false;
    for (String r : risk.split(",")) {
      if (r.equals("privileged") || r.equals("host_root_bind")) return true;
    }
    return false;
  }

  private Signal audit(EvidenceEvent e, java.util.function.Predicate<String> knownIp) {
    String user = e.getActor() == null ? null : e.getActor().getUserName();
    if ("system:anonymous".equals(user)) {
      return anonymousAllowed(e) ? new Signal(AttackStage.ENTRY, 4, "anonymous_request_allowed") : null;
    }
    if (user != null && user.startsWith("system:serviceaccount:") && !controllerAccount(user)) {
      return serviceAccountAudit(e, knownIp);
    }
    if (user == null || user.startsWith("system:") || e.getResources() == null || e.getResources().isEmpty()) {
      return null;
    }
    Resource r = e.getResources().get(0);
    String verb = e.getApi() == null || e.getApi().getOperation() == null ? "" : e.getApi().getOperation();
    String sub = r.getSubresource() == null ? "" : r.getSubresource();
    boolean writes = verb.equals("create") || verb.equals("update") || verb.equals("patch");
    if ("pods".equals(r.getType()) && ("exec".equals(sub) || "attach".equals(sub))) {
      return new Signal(AttackStage.EXECUTION, 4, "pod_" + sub);
    }
    if ("pods".equals(r.getType()) && writes && (sub.isEmpty() || "ephemeralcontainers".equals(sub))
        && hostEscapingPod(e)) {
      return new Signal(AttackStage.PRIVILEGE_ESCALATION, 4, "privileged_pod");
    }
    if (r.getType() != null && WORKLOADS.contains(r.getType()) && writes && sub.isEmpty() && hostEscapingPod(e)) {
      return new Signal(AttackStage.PRIVILEGE_ESCALATION, 4, "privileged_workload"); // its pods will be so
    }
    if ("pods".equals(r.getType()) && "ephemeralcontainers".equals(sub) && (verb.equals("update") || verb.equals("patch"))) {
      return new Signal(AttackStage.EXECUTION, 4, "pod_ephemeral_container"); // kubectl debug: a shell in the pod
    }
    if (("clusterrolebindings".equals(r.getType()) || "rolebindings".equals(r.getType())) && writes
        && e.getUnmapped() != null && CLUSTER_ADMIN.equals(e.getUnmapped().get("k8s.rbac.role_ref"))) {
      return new Signal(AttackStage.PRIVILEGE_ESCALATION, 4, "cluster_admin_binding");
    }
    if ("pods".equals(r.getType()) && "portforward".equals(sub)) {
      return new Signal(AttackStage.LATERAL_MOVEMENT, 3, "pod_portforward");
    }
    if ("secrets".equals(r.getType()) && (verb.equals("get") || verb.equals("list") || verb.equals("watch"))) {
      return new Signal(AttackStage.CREDENTIAL_ACCESS, 3, "secret_read");
    }
    if (impersonatesPrivileged(e)) return new Signal(AttackStage.PRIVILEGE_ESCALATION, 4, IMPERSONATED_PRIVILEGED);
    return null;
  }

  static final String IMPERSONATED_PRIVILEGED = "impersonated_privileged";

  /**
   * A request made as a privileged identity through impersonation ({@code Impersonate-User} / {@code
   * Impersonate-Group}; the audit event's {@code impersonatedUser}): in group {@code system:masters} (which no RBAC
   * rule limits), a node ({@code system:node:*}, group {@code system:nodes}), the control plane's own users ({@code
   * system:kube-controller-manager}, {@code system:kube-scheduler}) or a {@code kube-system} service account. The
   * requester holds the {@code impersonate} verb (operators and GitOps controllers do, to act as their tenants'
   * accounts: impersonating those is no signal) and uses it to become what RBAC did not give it (KubectlDebugScenarioIT:
   * a fleet operator's leaked token acting as {@code system:admin} in {@code system:masters} from the internet).
   */
  static boolean impersonatesPrivileged(EvidenceEvent e) {
    String user = e.getActor() == null ? null : e.getActor().getImpersonatedUser();
    String groups = e.getUnmapped() == null ? null : e.getUnmapped().get("impersonatedUser.groups");
    if (user == null && groups == null) return false;
    if (user != null && (user.startsWith("system:node:") || user.equals("system:kube-controller-manager")
        || user.equals("system:kube-scheduler") || user.startsWith("system:serviceaccount:kube-system:"))) {
      return true;
    }
    return groups != null && (groups.contains("\"system:masters\"") || groups.contains("\"system:nodes\"")
        || groups.equals("system:masters") || groups.equals("system:nodes"));
  }


  private static final String CLUSTER_ADMIN = "ClusterRole/cluster-admin";

  /**
   * Requests of a workload's service account (found by {@code CiRunnerEscapeScenarioIT}: a CI job's token created a
   * privileged, host-PID pod with the host's / on its own node, then, copied out, a CronJob from the attacker's
   * address; neither was a signal, since only humans' requests were judged):
   * <ul>
   *   <li>from a public address outside {@code known_cidrs} ({@code service_account_token_outside}, High): a service
   *       account's token is meant for the cluster's own workloads, whose requests come from the cluster's private
   *       addresses; stage by what it asks: a workload, CronJob or privileged pod created or changed -> persistence
   *       / privilege escalation, exec -> execution, secrets read -> credential access, a read of anything else
   *       (get / list / watch: the stolen token looking around) -> entry, anything else credential access (a stolen
   *       credential in use). An external deployer (a CI service holding a long-lived token) comes
   *       from its own public ranges: list them in {@code known_cidrs};</li>
   *   <li>a pod created or changed with host PID / IPC or a sensitive host path ({@code privileged_pod}, privilege
   *       escalation, High), not privileged alone: CI runners' docker-in-docker build pods are privileged and created
   *       by the runner's service account, and hand over the node only through the host's namespaces or file
   *       system. Workloads (a Deployment, DaemonSet) written by a service account stay no signal: GitOps controllers
   *       deploy the cluster's privileged agents that way;</li>
   *   <li>exec / attach into a pod of another namespace than the account's ({@code
   *       service_account_exec_other_namespace}, execution, Medium): a workload's token reaching into another
   *       tenant's or team's pod; in its own namespace it stays context (CI executors exec into their build pods).</li>
   * </ul>
   * The controller manager's own accounts ({@code system:serviceaccount:kube-system:*-controller}, which create every
   * workload's pods) are never judged.
   */
  private Signal serviceAccountAudit(EvidenceEvent e, java.util.function.Predicate<String> knownIp) {
    if (e.getResources() == null || e.getResources().isEmpty()) return null;
    Resource r = e.getResources().get(0);
    String verb = e.getApi() == null || e.getApi().getOperation() == null ? "" : e.getApi().getOperation();
    String sub = r.getSubresource() == null ? "" : r.getSubresource();
    boolean writes = verb.equals("create") || verb.equals("update") || verb.equals("patch");
    boolean podWrite = "pods".equals(r.getType()) && writes && (sub.isEmpty() || "ephemeralcontainers".equals(sub));
    boolean escapes = podWrite && hostEscapingPod(e, SERVICE_ACCOUNT_HOST_ESCAPING_POD);
    String ip = e.getSrcEndpoint() == null ? null : e.getSrcEndpoint().getIp();
    if (EntityKeys.isPublicIp(ip) && !knownIp.test(ip)) {
      AttackStage stage = AttackStage.CREDENTIAL_ACCESS;
      boolean workloadWrite = r.getType() != null && WORKLOADS.contains(r.getType()) && writes && sub.isEmpty();
      if (escapes || (podWrite && hostEscapingPod(e, HOST_ESCAPING_POD))) stage = AttackStage.PRIVILEGE_ESCALATION;
      // a workload whose pod template escapes to the host (privileged, host PID, the host's /: a DaemonSet of them
      // on every node), written from outside, is the escalation itself, not only persistence
      // (DaemonSetEscalationScenarioIT)
      else if (workloadWrite && hostEscapingPod(e, HOST_ESCAPING_POD)) stage = AttackStage.PRIVILEGE_ESCALATION;
      else if (("clusterrolebindings".equals(r.getType()) || "rolebindings".equals(r.getType())) && writes) {
        stage = AttackStage.PRIVILEGE_ESCALATION;
      } else if (r.getType() != null && (WORKLOADS.contains(r.getType()) || "pods".equals(r.getType())) && writes
          && sub.isEmpty()) {
        stage = AttackStage.PERSISTENCE;
      } else if ("pods".equals(r.getType()) && ("exec".equals(sub) || "attach".equals(sub) || ephemeral(r, verb))) {
        // kubectl debug's ephemeral container is a shell in the pod as much as an exec (KubectlDebugScenarioIT: it was
        // credential access)
        stage = AttackStage.EXECUTION;
      } else if (READS.contains(verb) && !"secrets".equals(r.getType()) && !"configmaps".equals(r.getType())) {
        // a read of the cluster's objects (what runs, which nodes, which DaemonSets) with the stolen token: the way in
        // (ATT&CK T1078 valid accounts), not a credential read; DaemonSetEscalationScenarioIT's attack path started
        // at credential access with the token's list of nodes
        stage = AttackStage.ENTRY;
      }
      if (impersonatesPrivileged(e) && (stage == AttackStage.ENTRY || stage == AttackStage.CREDENTIAL_ACCESS)
          && !("secrets".equals(r.getType()) || "configmaps".equals(r.getType()))) {
        // acting as system:masters (or a node, the control plane): what the request does is the escalation itself
        stage = AttackStage.PRIVILEGE_ESCALATION;
      }
      return new Signal(stage, 4, "service_account_token_outside");
    }
    if (escapes) return new Signal(AttackStage.PRIVILEGE_ESCALATION, 4, "privileged_pod");
    // kubectl debug with a workload's token, from inside: a shell in another pod, as for a person (judged before the
    // namespace rules: an ephemeral container in the account's own namespace is no CI executor's routine)
    if ("pods".equals(r.getType()) && ephemeral(r, verb)) {
      return new Signal(AttackStage.EXECUTION, 4, "pod_ephemeral_container");
    }
    if (impersonatesPrivileged(e)) return new Signal(AttackStage.PRIVILEGE_ESCALATION, 4, IMPERSONATED_PRIVILEGED);
    // the pod deleted with its own token: removing the evidence (PodSelfDeletion, FirehoseVpcCniScenarioIT)
    Signal selfDelete = PodSelfDeletion.classify(e);
    if (selfDelete != null) return selfDelete;
    // a pod or workload created in another namespace than the account's (any audit level: WorkloadPlacementSignals)
    Signal placed = workloadPlacement.classify(e);
    if (placed != null) return placed;
    // exec / attach into a pod of another namespace than the account's own (CrioKubeadmScenarioIT: a notebook's
    // token, stolen in its reverse shell, exec'd into the pod it had created in ml-batch; at audit level Metadata the
    // create showed nothing of the pod, and this exec was what tied the notebook to the pod that took the node).
    // In-namespace execs stay context: CI executors (GitLab runner's Kubernetes executor, Jenkins agents) exec into
    // the build pods they create in their own namespace
    if ("pods".equals(r.getType()) && ("exec".equals(sub) || "attach".equals(sub)) && r.getNamespace() != null
        && !r.getNamespace().equals(serviceAccountNamespace(e.getActor().getUserName()))) {
      return new Signal(AttackStage.EXECUTION, 3, "service_account_exec_other_namespace");
    }
    return null;
  }

  /** An update or patch of a pod's {@code ephemeralcontainers} subresource: {@code kubectl debug} adding a container. */
  private static boolean ephemeral(Resource r, String verb) {
    return "ephemeralcontainers".equals(r.getSubresource()) && (verb.equals("update") || verb.equals("patch"));
  }

  /** {@code system:serviceaccount:<namespace>:<name>} -> the namespace, else null. */
  private static String serviceAccountNamespace(String user) {
    String rest = user.substring("system:serviceaccount:".length());
    int colon = rest.indexOf(':');
    return colon > 0 ? rest.substring(0, colon) : null;
  }

  /** The controller manager's service accounts ({@code --use-service-account-credentials}): kube-system's *-controller. */
  private static boolean controllerAccount(String user) {
    return user.startsWith("system:serviceaccount:kube-system:") && user.endsWith("-controller");
  }

  /** What hands the node to a pod a service account creates: its host namespaces or file system (not privileged alone). */
  private static final Set<String> SERVICE_ACCOUNT_HOST_ESCAPING_POD = Set.of("host_pid", "host_ipc", "sensitive_host_path");

  /** Read verbs of the API server (a request that changes nothing). */
  private static final Set<String> READS = Set.of("get", "list", "watch");

  /** Resources whose pod template the audit parser reads (strata.risk of the pods their controller creates). */
  private static final Set<String> WORKLOADS = Set.of("deployments", "daemonsets", "statefulsets", "replicasets",
      "replicationcontrollers", "jobs", "cronjobs");

  /** The pod settings that hand the host to whoever runs in the pod (host network or root user alone do not). */
  private static final Set<String> HOST_ESCAPING_POD =
      Set.of("privileged", "host_pid", "host_ipc", "sensitive_host_path", "cap_sys_admin", "cap_sys_module", "cap_all");

  /** The API server's unauthenticated health and discovery endpoints, which anonymous clients may read by design. */
  private static final List<String> ANONYMOUS_BY_DESIGN =
      List.of("/healthz", "/livez", "/readyz", "/version", "/.well-known/openid-configuration", "/openid/v1/jwks");

  private static boolean hostEscapingPod(EvidenceEvent e) {
    return hostEscapingPod(e, HOST_ESCAPING_POD);
  }

  private static boolean hostEscapingPod(EvidenceEvent e, Set<String> risks) {
    String risk = e.getUnmapped() == null ? null : e.getUnmapped().get("strata.risk");
    if (risk == null) return false;
    for (String r : risk.split(",")) {
      if (risks.contains(r)) return true;
    }
    return false;
  }

  /** An anonymous request the API server allowed, other than its health and discovery endpoints. */
  private static boolean anonymousAllowed(EvidenceEvent e) {
    Integer code = e.getApi() == null ? null : e.getApi().getResponseCode();
    if (code == null || code >= 400) return false;
    String url = e.getHttpRequest() == null ? null : e.getHttpRequest().getUrl();
    if (url != null && (e.getResources() == null || e.getResources().isEmpty())) {
      for (String p : ANONYMOUS_BY_DESIGN) {
        if (url.equals(p) || url.startsWith(p + "/") || url.startsWith(p + "?")) return false;
      }
    }
    return true;
  }

  private Signal cloudTrail(EvidenceEvent e) {
    String op = e.getApi() == null ? null : e.getApi().getOperation();
    if (op == null) return null;
    if (!knownAccounts.isEmpty() && S3_OBJECT_WRITES.contains(op) && !"Failure".equals(e.getStatus())) {
      String owner = foreignBucketAccount(e);
      if (owner != null && !knownAccounts.contains(owner)) {
        return new Signal(AttackStage.EXFILTRATION, 4, "s3_write_unknown_account");
      }
    }
    String ip = e.getSrcEndpoint() == null ? null : e.getSrcEndpoint().getIp();
    boolean outside = EntityKeys.isPublicIp(ip) && !knownCidrs.contains(ip);
    boolean instanceSession =
        (e.getCloud() != null && e.getCloud().getInstanceUid() != null)
            || (e.getActor() != null && e.getActor().getUserUid() != null
                && e.getActor().getUserUid().contains(":assumed-role/")
                && EntityKeys.instanceIdAtEnd(e.getActor().getUserUid()) != null);
    AttackStage opStage = operationStage(op);
    // a stolen session assuming another account's role: the attacker moving into that account (FargateFleetScenarioIT)
    AttackStage use = crossAccountAssumeRole(e) ? AttackStage.LATERAL_MOVEMENT : stageOfUse(op, opStage);
    if (instanceSession && outside) {
      return new Signal(use, 4, "instance_credentials_outside");
    }
    if (outside && e.getActor() != null && LookupKeys.taskSession(e.getActor().getUserUid()) != null) {
      return new Signal(use, 4, "task_credentials_outside");
    }
    if (outside && eksWorkloadIdentity(e)) {
      // an IRSA token exchanged, or its (or an EKS Pod Identity) session used, from a public address: a pod's identity
      // used off the cluster (kubelet scenario: the token read through the kubelet, exchanged from the attacker's address)
      return new Signal("AssumeRoleWithWebIdentity".equals(op) ? AttackStage.CREDENTIAL_ACCESS : use,
          4, "workload_credentials_outside");
    }
    if (outside && createdByRoleSession(e)) {
      return new Signal(use, 4, "created_key_outside");
    }
    if (!knownCidrs.isEmpty() && outside) {
      return new Signal(use, opStage == null ? 3 : severityOf(opStage), "unknown_source_ip");
    }
    return opStage == null ? null : new Signal(opStage, severityOf(opStage), "suspicious_call");
  }

  /** S3 operations that write an object (the data events a copy into a bucket leaves). */
  static final Set<String> S3_OBJECT_WRITES = Set.of("PutObject", "CopyObject", "UploadPart", "UploadPartCopy",
      "CreateMultipartUpload", "CompleteMultipartUpload");

  private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

  /**
   * The account that owns the bucket an S3 data event wrote into, when it is not the caller's: CloudTrail's {@code
   * resources[]} names the bucket ({@code AWS::S3::Bucket}) with its owner's {@code accountId}, also in the record the
   * caller's trail receives of a request into another account's bucket (KubectlDebugScenarioIT: the ledger pod's IRSA
   * session, exchanged in a kubectl debug shell, copied the exports into the attacker's bucket: no signal, no
   * exfiltration in the path). Null when the record names no owner or the caller's own account.
   */
  static String foreignBucketAccount(EvidenceEvent e) {
    String text = e.getUnmapped() == null ? null : e.getUnmapped().get("resources");
    if (text == null || !text.contains("AWS::S3::Bucket")) return null;
    String caller = e.getActor() != null && e.getActor().getAccountUid() != null ? e.getActor().getAccountUid()
        : e.getCloud() == null ? null : e.getCloud().getAccountUid();
    try {
      for (com.fasterxml.jackson.databind.JsonNode r : JSON.readTree(text)) {
        String owner = r.path("accountId").asText("");
        if ("AWS::S3::Bucket".equals(r.path("type").asText()) && owner.matches("\\d{12}") && !owner.equals(caller)) {
          return owner;
        }
      }
    } catch (Exception ignored) {
      // resources cut at the parser's bound: no owner read
    }
    return null;
  }

  /** The kubelet's authenticated API and its read-only port. */
  static final Set<Integer> KUBELET_PORTS = Set.of(10250, 10255);

  /**
   * A flow record of a connection from a public address (not in {@code incident.known_cidrs}) to a kubelet port,
   * accepted: the kubelet API reached from the internet (an anonymous-auth kubelet's /run and /exec leave no pods/exec
   * in the audit log; this is the entry's trace). The packet's own source counts when the flow names one.
   */
  private boolean kubeletPortFromOutside(EvidenceEvent e) {
    if (e.getDstEndpoint() == null || e.getDstEndpoint().getPort() == null
        || !KUBELET_PORTS.contains(e.getDstEndpoint().getPort())) {
      return false;
    }
    var n = e.getNetwork();
    if (n != null && n.getAction() != null && !"Allowed".equalsIgnoreCase(n.getAction())) return false;
    if (n != null && n.getDirection() != null && "Outbound".equalsIgnoreCase(n.getDirection())) return false;
    String src = n != null && n.getPktSrcIp() != null ? n.getPktSrcIp()
        : e.getSrcEndpoint() == null ? null : e.getSrcEndpoint().getIp();
    return EntityKeys.isPublicIp(src) && !knownCidrs.contains(src);
  }

  /**
   * An EKS workload's IAM identity: a web identity token of a Kubernetes service account (AssumeRoleWithWebIdentity,
   * subject {@code system:serviceaccount:...}) or a session an EKS cluster's OIDC provider federated (the session's
   * {@code webIdFederationData}). Other OIDC providers (CI systems' tokens) are used from public addresses by design.
   */
  static boolean eksWorkloadIdentity(EvidenceEvent e) {
    if (e.getActor() != null && e.getActor().getUserName() != null
        && e.getActor().getUserName().startsWith("system:serviceaccount:")) {
      return true;
    }
    Map<String, String> u = e.getUnmapped();
    String provider = u == null ? null : u.get("userIdentity.sessionContext.webIdFederationData.federatedProvider");
    if (provider != null && provider.contains(":oidc-provider/oidc.eks.")) return true;
    return podIdentitySession(e);
  }

  /**
   * An EKS Pod Identity session's call: a role session (not an instance's or a task's: those are judged before) that
   * the correlation job tied to a pod. Its identity names no web identity provider (EKS assumes the role itself, with
   * the pod in its session tags; docs/correlation.md {@code session_pod}), so only the enrichment tells it is a pod's
   * (SupplyChainRolloutScenarioIT: the poisoned pod's session used from its C2 host was context).
   */
  static boolean podIdentitySession(EvidenceEvent e) {
    if (e.getActor() == null || !"AssumedRole".equals(e.getActor().getUserType())) return false;
    var en = e.getEnrichment();
    return en != null && en.getPodName() != null && !en.getPodName().isEmpty();
  }

  /**
   * A call made with an IAM user's access key that a role session created ({@code iam:CreateAccessKey}): the
   * correlation job binds such a key to its creating session ({@code accesskey_session}, docs/correlation.md), whose
   * role it names, so an IAM user's call enriched with an IAM role is one; a workload's role minting users' keys is
   * persistence, and the key used from a public address is the attacker's (FirehoseVpcCniScenarioIT: the new key's
   * S3 and Secrets Manager reads from another address were context: no exfiltration in the path).
   */
  static boolean createdByRoleSession(EvidenceEvent e) {
    return e.getActor() != null && "IAMUser".equals(e.getActor().getUserType()) && e.getEnrichment() != null
        && e.getEnrichment().getIamRole() != null && !e.getEnrichment().getIamRole().isEmpty();
  }

  /**
   * {@code sts:AssumeRole} of a role of another account than the caller's (the role from the request, the caller's
   * account from its identity): used with stolen credentials, lateral movement into that account, not more credential
   * access in the caller's.
   */
  static boolean crossAccountAssumeRole(EvidenceEvent e) {
    if (e.getApi() == null || !"AssumeRole".equals(e.getApi().getOperation()) || e.getActor() == null) return false;
    String role = e.getUnmapped() == null ? null : e.getUnmapped().get("strata.issued.role_arn");
    String caller = e.getActor().getAccountUid();
    String[] arn = role == null ? new String[0] : role.split(":", 6);
    return arn.length == 6 && caller != null && !arn[4].isEmpty() && !arn[4].equals(caller);
  }

  static AttackStage stageOfUse(String op, AttackStage opStage) {
    if (opStage != null) return opStage;
    if ("GetCallerIdentity".equals(op)) return AttackStage.CREDENTIAL_ACCESS;
    if (op.startsWith("Get") || op.startsWith("List") || op.startsWith("Describe") || op.startsWith("Head")) {
      return AttackStage.EXFILTRATION;
    }
    return AttackStage.CREDENTIAL_ACCESS;
  }

  static AttackStage operationStage(String op) {
    if (PERSISTENCE.contains(op)) return AttackStage.PERSISTENCE;
    if (PRIVILEGE_ESCALATION.contains(op)) return AttackStage.PRIVILEGE_ESCALATION;
    if (EXFILTRATION.contains(op)) return AttackStage.EXFILTRATION;
    if (IMPACT.contains(op)) return AttackStage.IMPACT;
    return null;
  }

  private static int severityOf(AttackStage s) {
    return s == AttackStage.PRIVILEGE_ESCALATION || s == AttackStage.IMPACT ? 4 : 3;
  }

  /** The key GetSecretValue calls are counted under for the burst rule, or null. */
  public static String secretBurstKey(EvidenceEvent e) {
    if (!"aws_cloudtrail".equals(e.getSourceFormat()) || e.getApi() == null
        || !SECRET_READ.equals(e.getApi().getOperation()) || e.getActor() == null || EcsCredentials.executionRole(e)) {
      return null;
    }
    String who = EntityKeys.first(e.getActor().getUserUid(), e.getActor().getUserName(), e.getActor().getCredentialUid());
    return who == null ? null : SECRET_READ + "|" + who;
  }

  private static AttackStage stageFromTags(EvidenceEvent e) {
    if (e.getFinding() != null && e.getFinding().getTags() != null) {
      for (String t : e.getFinding().getTags()) {
        String s = t.toLowerCase(Locale.ROOT);
        AttackStage stage = s.startsWith("mitre_") ? stageOfTactic(s.substring("mitre_".length())) : null;
        if (stage != null) return stage;
      }
    }
    return AttackStage.EXECUTION;
  }

  /**
   * The stage of a MITRE ATT&amp;CK tactic ({@code credential_access}; Falco's tags and Sigma's {@code attack.*} tags
   * name them, a tag may go on after the tactic), or null for a tag that is no tactic: initial_access -> entry,
   * execution, persistence, privilege_escalation, credential_access, lateral_movement, discovery / collection /
   * exfiltration -> exfiltration, impact / defense_evasion (ATT&amp;CK 18: stealth, defense_impairment) -> impact.
   */
  public static AttackStage stageOfTactic(String tactic) {
    String s = tactic.toLowerCase(Locale.ROOT).replace('-', '_');
    if (s.startsWith("initial_access")) return AttackStage.ENTRY;
    if (s.startsWith("execution")) return AttackStage.EXECUTION;
    if (s.startsWith("persistence")) return AttackStage.PERSISTENCE;
    if (s.startsWith("privilege_escalation")) return AttackStage.PRIVILEGE_ESCALATION;
    if (s.startsWith("credential_access")) return AttackStage.CREDENTIAL_ACCESS;
    if (s.startsWith("lateral_movement")) return AttackStage.LATERAL_MOVEMENT;
    if (s.startsWith("discovery") || s.startsWith("collection") || s.startsWith("exfiltration")) {
      return AttackStage.EXFILTRATION;
    }
    if (s.startsWith("impact") || s.startsWith("defense_evasion") || s.startsWith("stealth")
        || s.startsWith("defense_impairment")) {
      return AttackStage.IMPACT;
    }
    return null;
  }

  private static boolean droppedBinary(EvidenceEvent e) {
    if (e.getFile() == null) return false;
    String act = e.getActivityName() == null ? "" : e.getActivityName().toLowerCase(Locale.ROOT);
    boolean added = e.getActivityId() == 1 || act.contains("add") || act.contains("creat");
    if (!added) return false;
    String type = e.getFile().getType() == null ? "" : e.getFile().getType().toLowerCase(Locale.ROOT);
    if (type.equals("dir") || type.equals("directory") || type.equals("symlink") || type.equals("whiteout")
        || type.equals("char_device") || type.equals("block_device") || type.equals("fifo") || type.equals("socket")) {
      return false; // only regular files are binaries (a new 0755 directory is not)
    }
    Map<String, String> u = e.getUnmapped();
    if (u != null && "true".equalsIgnoreCase(u.get("file.executable"))) return true;
    if (u != null && "true".equalsIgnoreCase(u.get("executable"))) return true;
    if ("executable".equalsIgnoreCase(e.getFile().getType())) return true;
    String mode = e.getFile().getMode();
    if (mode == null) return false;
    if (mode.matches("[0-7]{3,6}")) {
      int m = Integer.parseInt(mode, 8);
      return (m & 0111) != 0;
    }
    return mode.length() >= 10 && (mode.charAt(3) == 'x' || mode.charAt(6) == 'x' || mode.charAt(9) == 'x');
  }
}
