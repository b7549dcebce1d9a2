package dev.strata.correlate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.parse.EcsNames;
import dev.strata.schema.correlate.BindingLineage;
import dev.strata.schema.correlate.EntityBinding;
import dev.strata.schema.correlate.EntityRef;
import dev.strata.schema.event.Cloud;
import dev.strata.schema.event.Container;
import dev.strata.schema.event.Device;
import dev.strata.schema.event.Ecs;
import dev.strata.schema.event.Endpoint;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.event.Kubernetes;
import dev.strata.schema.event.Lineage;
import dev.strata.schema.event.Resource;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Derives {@link EntityBinding}s from one normalized event: the facts "A was bound to B from t1 (to t2)" the event
 * states. Pure Java, no Flink; not thread-safe (one per operator instance). A source that states nothing yields
 * nothing, so new sources only add rules. Rules, by what the event carries:
 *
 * <ul>
 *   <li><b>container id + Kubernetes pod</b> (Docker config.v2.json labels, containerd/CRI-O metadata, CRI log
 *       paths, Falco / Tetragon k8s fields; Falco's {@code <NA>} is null already): {@code container_pod}, and
 *       {@code container_image} when an image id or digest is named. Container runtime lifecycle events whose
 *       activity is an end ({@code finished}, {@code die}, {@code destroy}, {@code stop}, ...) close both.
 *   <li><b>the runtimes' own daemon logs</b> ({@code containerd_daemon_log}, {@code crio_daemon_log}): a sandbox or
 *       container {@code created} / {@code started} in a pod states {@code container_pod} (cluster from the
 *       evidence context, as for CRI log paths and crictl: {@code k8s:<cluster>}, {@code k8s:} when unknown), and
 *       containerd's {@code network_ready} (the sandbox's CNI result) the pod's address like a container state
 *       source; {@code exited} (containerd {@code TaskExit} / {@code SandboxExit}), {@code stopped} and {@code
 *       removed} are container ends ({@link #containerEnd}). A container created in a sandbox also states {@code
 *       container_sandbox} (its pod then comes from the sandbox's own line, wherever that is: {@link SandboxPods}).
 *       Requests, failures, an exec's exit and pulls state nothing.
 *   <li><b>a container's own address</b> (container state/inspect sources, not sensors, whose endpoints are the
 *       connection's): {@code ip_pod} when the container belongs to a pod, else {@code ip_container} scoped by host.
 *   <li><b>Kubernetes audit</b> of pods (create/update/patch, incl. the kubelet's {@code pods/status} patches, and
 *       delete), from the response (else request) object: {@code ip_pod} for status.podIP(s) (not for host-network
 *       pods; closed on delete or phase Succeeded/Failed), {@code pod_node} (node, service account, uid), {@code
 *       container_pod} + {@code container_image} per status.containerStatuses (closed on delete); of nodes: {@code
 *       node_instance} from spec.providerID {@code aws:///<az>/i-...}; an IRSA pod (env {@code AWS_ROLE_ARN}, as
 *       EKS's pod identity webhook injects it) states {@code serviceaccount_role} from its record on; the kubelet's
 *       TokenRequest of a pod's projected service account token: {@code token_pod} (until the token expires).
 *   <li><b>Kubernetes events</b> {@code Scheduled} ("Successfully assigned ns/pod to node"): {@code pod_node}.
 *   <li><b>CloudTrail</b> {@code AssumeRoleWithWebIdentity} (IRSA) and {@code AssumeRoleForPodIdentity} (EKS Pod
 *       Identity): {@code serviceaccount_role}, {@code session_serviceaccount} and {@code accesskey_session} (valid
 *       until the credentials' expiration; an IRSA session's also carries the caller's address, VPC endpoint and the
 *       token's audience, for {@link SessionPods}); EKS Pod Identity's own {@code sts:AssumeRole} (by the AWS service {@code
 *       pods.eks.amazonaws.com}, with the session tags {@code eks-cluster-name}, {@code kubernetes-namespace}, {@code
 *       kubernetes-service-account}, {@code kubernetes-pod-name}, {@code kubernetes-pod-uid} in its request): the
 *       same three plus {@code session_pod}, the pod the credentials were issued for (eks-auth's {@code
 *       AssumeRoleForPodIdentity} event itself names no pod: its response is not logged); a role session named after
 *       an instance id: {@code session_instance}; any call of an ECS task-id session: {@code role_ecs_use}, whether its role
 *       is used as the task's execution role or as a task role ({@link EcsCredentials#roleUse}).
 *   <li><b>ENI + instance id</b> on a non-API event (VPC Flow Logs v3+ {@code instance-id}): {@code eni_instance}.
 *   <li><b>ECS task</b> on a non-API event (task metadata, describe-tasks): {@code eni_task}, {@code ip_task},
 *       {@code container_task}, from start_time (or time) to end_time when the task stopped (and a closing statement
 *       at the stop, which ends what the task's other evidence stated open); VPC Flow v7 records ({@code
 *       ecs-task-arn}) state {@code eni_task} from the record on, never the task's address; from task metadata and
 *       v7 records also {@code session_task}: the role sessions ECS opens for the task are named after its task id ({@code
 *       assumed-role/<task role>/<task id>}, the same for the execution role), so {@code session|aws:<account>|<task
 *       id>} -> the task, from its start and open (its credentials outlive it until they expire; 0.8, a naming
 *       convention, as {@code session_instance}).
 *   <li><b>SBOM / scan results</b> (an event with a package or vulnerability and an image digest/id): {@code
 *       image_sbom} (object = the SBOM artifact's SHA-256).
 * </ul>
 *
 * Scopes: private IPs {@code aws:<account>[:<vpc>]} when the evidence names the account (else {@code
 * k8s:<cluster>}); pods, nodes and service accounts of a cluster {@code k8s:<cluster>}; IRSA service accounts {@code
 * aws:<account>} (the token names no cluster); globally unique ids (container, ENI, task, instance, session, access
 * key, image) no scope.
 */
public final class BindingExtractor {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HexFormat HEX = HexFormat.of();
  private static final Set<String> CONTAINER_END =
      Set.of("finished", "die", "died", "destroy", "destroyed", "remove", "removed", "stop", "stopped", "exited",
          "exit", "delete", "deleted", "cleanup"); // not "kill": a signal need not end it
  private static final Set<String> SENSOR_FORMATS = Set.of("falco_alert", "tetragon_event");
  /** The kubelet's own log (format {@code kubelet_log}). */
  static final String KUBELET_LOG = "kubelet_log";
  /**
   * Container lifecycle logs of a node: the runtimes' daemon logs and the kubelet's (its PLEG's container and sandbox
   * starts and deaths): lifecycle (state) sources, unlike the other {@code *_log} formats.
   */
  private static final Set<String> RUNTIME_DAEMON_LOGS =
      Set.of("containerd_daemon_log", "crio_daemon_log", KUBELET_LOG);
  /** What a runtime daemon log line states a binding from: the container (or sandbox) exists, its network is up. */
  private static final Set<String> RUNTIME_DAEMON_LOG_STATES = Set.of("created", "started", "network_ready");
  private static final Pattern SCHEDULED = Pattern.compile("assigned (\\S+)/(\\S+) to (\\S+)");
  private static final Pattern PROVIDER_ID = Pattern.compile("^aws:///[^/]*/(i-[0-9a-f]+)$");
  private static final Pattern ASSUMED_ROLE = Pattern.compile("^arn:(aws[a-z-]*):sts::(\\d+):assumed-role/([^/]+)/");
  /**
   * The start of a fact that holds for all time: a globally unique id that names one entity forever (a role session
   * named after an ECS task id), stated by evidence that does not know when the entity began (no event can name the
   * id before it), or an immutable thing's property (a task definition revision's roles).
   */
  static final long ALWAYS = 0L;
  private static final List<DateTimeFormatter> EXPIRATION_FORMATS =
      List.of(
          DateTimeFormatter.ofPattern("MMM d, yyyy, h:mm:ss a", Locale.US),
          DateTimeFormatter.ofPattern("MMM d, yyyy h:mm:ss a", Locale.US));

  private final MessageDigest sha256;
  /** {@code incident.known_cidrs}: the organisation's own ranges, inside for the "from a public address" rules. */
  private final KnownCidrs known;

  public BindingExtractor() {
    this(KnownCidrs.NONE);
  }

  /** With the organisation's own public ranges ({@code incident.known_cidrs}: {@link EcsCredentials#roleUse}). */
  public BindingExtractor(KnownCidrs known) {
    this.known = known == null ? KnownCidrs.NONE : known;
    try {
      sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The bindings {@code e} states (possibly none). Never throws on odd input: a rule that cannot apply is skipped. */
  public List<EntityBinding> extract(EvidenceEvent e) {
    List<EntityBinding> out = new ArrayList<>(2);
    try {
      String format = e.getSourceFormat() == null ? "" : e.getSourceFormat();
      switch (format) {
        case "k8s_audit" -> {
          sessionRole(e, out); // an EKS IAM principal's request (aws-iam-authenticator's user.extra)
          audit(e, out);
        }
        case "k8s_event" -> k8sEvent(e, out);
        case "k8s_pod" -> podSnapshot(e, out);
        case "k8s_node" -> nodeSnapshot(e, out);
        case "aws_cloudtrail" -> {
          sessionRole(e, out);
          cloudTrail(e, out);
        }
        case "aws_ec2_instances", "aws_ec2_network_interfaces" -> Ec2Inventory.extract(this, e, out);
        case KUBELET_LOG -> kubeletPods(e, out);
        default -> {}
      }
      // an inventory's statements are its own rules' only (its device and cloud ids are the inventory's subject)
      if (!format.equals("aws_cloudtrail") && !format.equals("k8s_audit") && !Ec2Inventory.FORMATS.contains(format)) {
        containers(e, format, out);
        cloudIds(e, format, out);
        sbom(e, out);
        hostInstance(e, out);
        dockerSocketClient(e, format, out);
        imdsFetch(e, format, out);
      }
    } catch (RuntimeException ex) {
      // a rule met a shape it did not expect: no bindings from this event rather than a failed job
    }
    return out;
  }

  // ---------------------------------------------------------------------------------------------- containers

  private void containers(EvidenceEvent e, String format, List<EntityBinding> out) {
    Container c = e.getContainer();
    String cid = c == null ? null : LookupKeys.containerId(c.getUid());
    if (cid == null || cid.length() < 12) return;
    Kubernetes k = e.getKubernetes();
    boolean sensor = SENSOR_FORMATS.contains(format);
    float conf = sensor ? 0.9f : format.equals("cri_log") ? 0.8f : 1.0f;
    boolean end = isContainerEnd(e, format);
    boolean daemonLog = RUNTIME_DAEMON_LOGS.contains(format);
    if (daemonLog && !end
        && (e.getActivityName() == null || !RUNTIME_DAEMON_LOG_STATES.contains(e.getActivityName()))) {
      return; // a request, a failure, a plain line naming the container: states nothing
    }
    long t = startOf(e);
    String cluster = k == null ? null : k.getCluster();
    String account = e.getCloud() == null ? null : e.getCloud().getAccountUid();
    boolean inPod = k != null && k.getPodName() != null && k.getNamespace() != null;
    Map<String, String> podAttrs = new LinkedHashMap<>();
    if (inPod) {
      put(podAttrs, Attr.CLUSTER, cluster);
      put(podAttrs, Attr.NAMESPACE, k.getNamespace());
      put(podAttrs, Attr.POD_NAME, k.getPodName());
      put(podAttrs, Attr.POD_UID, k.getPodUid());
      put(podAttrs, Attr.NODE_NAME, k.getNodeName());
      put(podAttrs, Attr.CONTAINER_UID, cid);
      put(podAttrs, Attr.CONTAINER_NAME, k.getContainerName() != null ? k.getContainerName() : c.getName());
      put(podAttrs, Attr.IMAGE_UID, c.getImageUid());
      put(podAttrs, Attr.IMAGE_DIGEST, c.getImageDigest());
      put(podAttrs, Attr.ACCOUNT_UID, account);
      out.add(binding(BindingKind.CONTAINER_POD, "", cid, "k8s:" + nz(cluster), k.getNamespace() + "/" + k.getPodName(),
          podAttrs, t, null, end, conf, e));
      String cname = podAttrs.get(Attr.CONTAINER_NAME);
      if (cname != null && !sensor && !format.equals("cri_log")) {
        // the runtime's own record of the container by name (a sensor's restates it with every alert)
        out.add(binding(BindingKind.POD_CONTAINER, "k8s:" + nz(cluster),
            k.getNamespace() + "/" + k.getPodName() + "/" + cname, "", cid, podAttrs, t, null, end, conf, e));
      }
    }
    // a CRI container in its pod sandbox (containerd's CreateContainer within sandbox): the pod comes from the
    // sandbox's own line, which may be in another chunk or artifact; SandboxPods joins the two
    String sandbox = daemonLog && !end ? LookupKeys.containerId(e.getUnmapped().get("pod_sandbox_id")) : null;
    if (sandbox != null && sandbox.length() >= 12 && !sandbox.equals(cid)) {
      Map<String, String> a = new LinkedHashMap<>();
      put(a, Attr.CONTAINER_UID, cid);
      put(a, Attr.CONTAINER_NAME, k != null && k.getContainerName() != null ? k.getContainerName() : c.getName());
      put(a, Attr.IMAGE_UID, c.getImageUid());
      put(a, Attr.IMAGE_DIGEST, c.getImageDigest());
      put(a, Attr.ACCOUNT_UID, account);
      out.add(binding(BindingKind.CONTAINER_SANDBOX, "", cid, "", sandbox, a, t, null, false, conf, e));
    }
    String image = c.getImageDigest() != null ? c.getImageDigest() : c.getImageUid();
    if (image != null) {
      Map<String, String> a = new LinkedHashMap<>();
      put(a, Attr.CONTAINER_UID, cid);
      put(a, Attr.IMAGE_UID, c.getImageUid());
      put(a, Attr.IMAGE_DIGEST, c.getImageDigest());
      out.add(binding(BindingKind.CONTAINER_IMAGE, "", cid, "", image, a, t, null, end, conf, e));
    }
    // a plain host's container (no cluster, no ECS task): the host it runs on, as its evidence's device says (on a
    // Kubernetes node the container's pod and the pod's node are the path)
    String host = e.getDevice() == null ? null : e.getDevice().getHostname();
    boolean inTask = e.getCloud() != null && e.getCloud().getTaskUid() != null;
    if (!inPod && cluster == null && !inTask && host != null && !host.isBlank() && !daemonLog) {
      Map<String, String> a = new LinkedHashMap<>();
      put(a, Attr.CONTAINER_UID, cid);
      put(a, Attr.NODE_NAME, host);
      put(a, Attr.INSTANCE_UID, e.getDevice().getInstanceUid());
      put(a, Attr.ACCOUNT_UID, account);
      out.add(binding(BindingKind.CONTAINER_HOST, "", cid, "", host, a, t, null, false, conf, e));
    }
    // the container's own address: only from container state sources (a sensor's endpoints are a connection's)
    String ip = e.getSrcEndpoint() == null ? null : e.getSrcEndpoint().getIp();
    boolean ecs = e.getCloud() != null && e.getCloud().getTaskUid() != null; // ECS: ip_task (cloudIds)
    if (!sensor && !ecs && (daemonLog || !format.endsWith("_log")) && !isFlow(format)
        && LookupKeys.isPrivateIp(ip)) {
      if (inPod) {
        String scope = account != null ? "aws:" + account : "k8s:" + nz(cluster);
        out.add(binding(BindingKind.IP_POD, scope, ip, "k8s:" + nz(cluster), k.getNamespace() + "/" + k.getPodName(),
            podAttrs, t, null, end, conf, e));
      } else {
        Map<String, String> a = new LinkedHashMap<>();
        put(a, Attr.CONTAINER_UID, cid);
        put(a, Attr.CONTAINER_NAME, c.getName());
        put(a, Attr.IMAGE_UID, c.getImageUid());
        put(a, Attr.IMAGE_DIGEST, c.getImageDigest());
        // a sandbox's address: SandboxPods' ip_pod scope
        if (daemonLog || SANDBOX_ADDRESS_LOGS.contains(format)) put(a, Attr.ACCOUNT_UID, account);
        out.add(binding(BindingKind.IP_CONTAINER, "host:" + nz(host), ip, "", cid, a, t, null, end, conf, e));
      }
    }
  }

  /**
   * A host's instance as the evidence context names it (device.hostname + device.instance_uid: a plain Docker / Podman
   * host's files under a context manifest entry with {@code cloud_instance}).
   */
  private void hostInstance(EvidenceEvent e, List<EntityBinding> out) {
    Device d = e.getDevice();
    if (d == null || d.getHostname() == null || d.getHostname().isBlank() || d.getInstanceUid() == null) return;
    Map<String, String> a = new LinkedHashMap<>();
    put(a, Attr.NODE_NAME, d.getHostname());
    put(a, Attr.INSTANCE_UID, d.getInstanceUid());
    put(a, Attr.ACCOUNT_UID, e.getCloud() == null ? null : e.getCloud().getAccountUid());
    long t = startOf(e);
    out.add(binding(BindingKind.HOST_INSTANCE, "", d.getHostname(), "", d.getInstanceUid(), a, t, null, false, 1.0f,
        e));
    // a Kubernetes node's own files (the context names the host's cluster too): the node is its instance, so that what
    // finds the node through a pod or the node's address (a flow, a call, the audit log's requests) names the instance
    // too (the lookups' node key, hop 2 or 3). The node's name is taken to be its host name, which kubeadm and EKS use (0.9: a kubelet
    // may be given another with --hostname-override). Stated once per (cluster, host, instance) and extractor, again
    // only from an earlier time: every event of the node's files would restate it, at a lookup each
    String cluster = e.getKubernetes() == null ? null : e.getKubernetes().getCluster();
    if (cluster == null || !d.getInstanceUid().startsWith("i-")) return;
    String memo = cluster + '|' + d.getHostname() + '|' + d.getInstanceUid();
    Long earliest = contextNodes.get(memo);
    if (earliest != null && earliest <= t) return;
    contextNodes.put(memo, t);
    Map<String, String> n = nodeAttributes(cluster, d.getHostname(), d.getInstanceUid(), a.get(Attr.ACCOUNT_UID));
    out.add(binding(BindingKind.NODE_INSTANCE, "k8s:" + cluster, d.getHostname(), "", d.getInstanceUid(), n, t, null,
        false, CONTEXT_NODE_CONFIDENCE, e));
  }

  /** The confidence of a node's instance stated by its files' context (host name taken for the node's name). */
  static final float CONTEXT_NODE_CONFIDENCE = 0.9f;

  /** (cluster, host, instance) -> the earliest start this extractor stated it from ({@link #hostInstance}). */
  private final Map<String, Long> contextNodes =
      new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
          return size() > 4096;
        }
      };

  /** How long after a container's connection to the Docker socket a request the daemon logs is taken as its. */
  public static final long DOCKER_SOCKET_CLIENT_BOUND_MICROS = 60_000_000L;

  /** See {@link #DOCKER_SOCKET_CLIENT_BOUND_MICROS}. */
  public static final java.time.Duration DOCKER_SOCKET_CLIENT_BOUND = java.time.Duration.ofSeconds(60);

  /**
   * {@code dockersock_client}: a sensor's event in a container that connected to the host's Docker socket (Falco:
   * {@code fd.name} a path ending in {@code docker.sock}, or a unix socket's tuple ending in one, e.g. a connect
   * rule on the mounted socket; Tetragon: a
   * hook whose file / path argument is such a path) states "the daemon's client was this container" from the
   * event's time for {@link #DOCKER_SOCKET_CLIENT_BOUND_MICROS} (0.9); a process of the container whose command
   * line names the socket ({@code curl --unix-socket /var/run/docker.sock}, {@code docker -H unix://...}) or that is
   * the docker CLI, the same from its start (0.7: it would connect). The socket's path inside the container may be
   * any (a bind mount can put the host's socket anywhere): the key is the host's daemon, {@code
   * dockersock|host:<host>|dockerd}, the host's first DNS label. The lookups answer a create request dockerd logged
   * in that bound with the latest such container ({@link LookupKeys#dockerSocket}).
   */
  private void dockerSocketClient(EvidenceEvent e, String format, List<EntityBinding> out) {
    if (!SENSOR_FORMATS.contains(format)) return;
    Container c = e.getContainer();
    String cid = c == null ? null : LookupKeys.containerId(c.getUid());
    String host = e.getDevice() == null ? null : e.getDevice().getHostname();
    if (cid == null || cid.length() < 12 || host == null || host.isBlank()) return;
    String path = e.getFile() == null ? null : e.getFile().getPath();
    String cmd = e.getProcess() == null ? null : e.getProcess().getCmdLine();
    // Falco writes a unix socket's fd.name as its connection tuple then its path ("ffff8a0c...->ffff8a0c...
    // /var/run/docker.sock"; the parser makes a file of it only when it is a plain path)
    String fd = e.getUnmapped() == null ? null : e.getUnmapped().get("output_fields.fd.name");
    if (fd != null) fd = fd.strip().substring(fd.strip().lastIndexOf(' ') + 1);
    float conf;
    if (dockerSocketPath(path) || dockerSocketPath(fd)) {
      conf = 0.9f;
    } else if (cmd != null && (cmd.contains("docker.sock") || dockerCli(e.getProcess().getExecutable(), cmd))) {
      conf = 0.7f;
    } else {
      return;
    }
    Map<String, String> a = new LinkedHashMap<>();
    put(a, Attr.CONTAINER_UID, cid);
    put(a, Attr.CONTAINER_NAME, c.getName());
    long t = micros(e.getTime());
    String key = LookupKeys.dockerSocket(host);
    out.add(binding(BindingKind.DOCKERSOCK_CONNECT, LookupKeys.scopeOf(key), LookupKeys.keyOf(key), "", cid, a, t,
        t + DOCKER_SOCKET_CLIENT_BOUND_MICROS, false, conf, e));
  }

  /**
   * {@code imds_fetch}: a pod's process fetched its instance's role credentials from IMDS ({@link ImdsCredentials}):
   * a sensor's process event (Tetragon exec / kprobe, Falco) whose command line, or a container log line (CRI, Docker;
   * not a web server's access log line, whose path is a request the pod received), names {@code
   * /meta-data/iam/security-credentials}; the instance from the evidence context ({@code device.instance_uid}, the
   * collector's {@code cloud_instance}) or the event; from the event's time for {@link ImdsCredentials#VALIDITY}.
   */
  private void imdsFetch(EvidenceEvent e, String format, List<EntityBinding> out) {
    Kubernetes k = e.getKubernetes();
    Container c = e.getContainer();
    String cid = c == null ? null : LookupKeys.containerId(c.getUid());
    boolean inPod = k != null && k.getPodName() != null && k.getNamespace() != null;
    // a pod's container by its pod; else the container by its id (a Docker / Podman host on EC2, or an alert naming
    // only its container: the lookups then find its pod at hop 2)
    if (!inPod && (cid == null || cid.length() < 12)) return;
    if (k == null) k = new Kubernetes();
    String instance = e.getDevice() != null && e.getDevice().getInstanceUid() != null ? e.getDevice().getInstanceUid()
        : e.getCloud() == null ? null : e.getCloud().getInstanceUid();
    String node = k.getNodeName() != null ? k.getNodeName() : e.getDevice() == null ? null : e.getDevice().getHostname();
    if (instance != null && !instance.startsWith("i-")) instance = null;
    if (instance == null && (node == null || node.isBlank())) return;
    String basis;
    ImdsCredentials.Fetch f;
    float confidence = BindingKind.IMDS_FETCH.confidence();
    if (SENSOR_FORMATS.contains(format)) {
      f = ImdsCredentials.fetch(e.getProcess() == null ? null : e.getProcess().getCmdLine());
      basis = "process";
      if (f == null && imdsConnection(e)) {
        // an SDK (boto3, aws-sdk-go) or a bare socket reads IMDS without a command line naming the path: the
        // connection is all a sensor shows; not proof of a credentials read (the SDK also asks for its region), so
        // below a read, and a node agent's routine traffic (kube-system: aws-node, kube-proxy, CSI drivers, as
        // Falco's ec2_metadata_containers list) states nothing
        if ("kube-system".equals(k.getNamespace())) return;
        f = new ImdsCredentials.Fetch(null, null);
        basis = ImdsCredentials.BY_CONNECTION;
        confidence = ImdsCredentials.CONNECTION;
      }
    } else if (CONTAINER_LOGS.contains(format) && e.getClassUid() != HTTP_ACTIVITY) {
      f = ImdsCredentials.fetch(e.getMessage());
      basis = "container_log";
    } else {
      return;
    }
    if (f == null) return;
    Map<String, String> a = new LinkedHashMap<>();
    put(a, Attr.CLUSTER, k.getCluster());
    put(a, Attr.NAMESPACE, k.getNamespace());
    put(a, Attr.POD_NAME, k.getPodName());
    put(a, Attr.POD_UID, k.getPodUid());
    put(a, Attr.NODE_NAME, node);
    put(a, Attr.CONTAINER_UID, cid);
    put(a, Attr.CONTAINER_NAME, k.getContainerName() != null ? k.getContainerName() : c == null ? null : c.getName());
    put(a, Attr.INSTANCE_UID, instance);
    put(a, Attr.ACCOUNT_UID, e.getCloud() == null ? null : e.getCloud().getAccountUid());
    put(a, ImdsCredentials.ROLE_NAME, f.role());
    put(a, ImdsCredentials.IMDS_VERSION, f.version());
    put(a, ImdsCredentials.FETCH_BASIS, basis);
    long t = micros(e.getTime());
    // without the instance (no context cloud_instance: Tetragon and Falco name the node), the node stands for it
    // until ImdsCredentials.onInstance finds the node's instance (node_instance)
    BindingKind kind = inPod ? BindingKind.IMDS_FETCH : BindingKind.IMDS_FETCH_CONTAINER;
    String oScope = inPod ? "k8s:" + nz(k.getCluster()) : "";
    // a container by its 12-character id: Falco names 12, Tetragon more, the runtime 64; one container, one candidate
    String oKey = inPod ? k.getNamespace() + "/" + k.getPodName() : cid.substring(0, 12);
    String sScope = ImdsCredentials.fetchScope(instance != null, kind.objectType(), oScope, oKey);
    String sKey = instance != null ? instance : node;
    out.add(binding(kind, sScope, sKey, oScope, oKey, a, t, t + ImdsCredentials.VALIDITY_MICROS, false,
        confidence, e));
  }

  /** Falco's stock rule for a container's connection to IMDS (condition {@code outbound and fd.sip="169.254.169.254"}). */
  private static final String FALCO_IMDS_RULE = "Contact EC2 Instance Metadata Service From Container";

  /**
   * Whether a sensor's event is a connection to IMDS ({@link ImdsCredentials#IMDS_ADDRESSES}): its server end
   * ({@code dst_endpoint}: Tetragon's {@code tcp_connect} / {@code tcp_sendmsg} kprobes, Falco's {@code fd.sip}), Falco's
   * {@code fd.name} connection ({@code client:port->server:port}, kept in {@code unmapped} as {@code output_fields.fd.name}
   * when the JSON alert names
   * no {@code fd.sip}), or Falco's stock IMDS rule, whose condition is that connection.
   */
  private static boolean imdsConnection(EvidenceEvent e) {
    if (e.getDstEndpoint() != null && ImdsCredentials.imdsAddress(e.getDstEndpoint().getIp())) return true;
    Map<String, String> u = e.getUnmapped();
    if (u != null) {
      for (String field : List.of("fd.name", "fd.sip", "fd.rip")) {
        if (ImdsCredentials.imdsAddress(u.get("output_fields." + field)) || ImdsCredentials.imdsAddress(u.get(field))) {
          return true;
        }
      }
    }
    return e.getFinding() != null && FALCO_IMDS_RULE.equalsIgnoreCase(e.getFinding().getRule());
  }

  private static final Set<String> CONTAINER_LOGS = Set.of("cri_log", "docker_json_log", "docker_local_log");
  private static final int HTTP_ACTIVITY = 4002;

  private static boolean dockerSocketPath(String path) {
    return path != null && (path.endsWith("/docker.sock") || path.equals("docker.sock"));
  }

  /** The docker CLI ({@code docker run ...}): it talks to the daemon's socket. */
  private static boolean dockerCli(String exe, String cmd) {
    String bin = exe != null ? exe : cmd.split(" ", 2)[0];
    return bin.equals("docker") || bin.endsWith("/docker");
  }

  /** Whether {@code e} is a container runtime's end of a container (die, stop, died, finished, removed, ...). */
  private static boolean isContainerEnd(EvidenceEvent e, String format) {
    return !SENSOR_FORMATS.contains(format) && (RUNTIME_DAEMON_LOGS.contains(format) || !format.endsWith("_log"))
        && e.getActivityName() != null
        && CONTAINER_END.contains(e.getActivityName().toLowerCase(Locale.ROOT));
  }

  /**
   * The container (full id, else the 12-char prefix) whose end {@code e} states -- a runtime lifecycle event whose
   * activity is an end: Docker events {@code die}/{@code stop}/{@code destroy}, Podman {@code died}/{@code
   * cleanup}/{@code remove}, a container state file's or crictl's {@code finished}, containerd's / CRI-O's daemon log
   * {@code exited} / {@code stopped} / {@code removed} -- or null. Such an event rarely
   * names what the container held (a {@code die} carries no address): {@link ContainerEnds} closes those bindings.
   */
  public static String containerEnd(EvidenceEvent e) {
    Container c = e.getContainer();
    String cid = c == null ? null : LookupKeys.containerId(c.getUid());
    if (cid == null || cid.length() < 12) return null;
    return isContainerEnd(e, e.getSourceFormat() == null ? "" : e.getSourceFormat()) ? cid : null;
  }

  /**
   * The closing statement "{@code held}'s subject is no longer bound to its object from {@code atMicros}", stated by
   * the end event {@code eventId} (with its lineage and format): what a container's end says about a binding the
   * container held that the end event itself does not name.
   */
  public EntityBinding closing(EntityBinding held, long atMicros, String eventId, BindingLineage lineage,
      String sourceFormat) {
    BindingKind kind = BindingKind.of(held.getKind());
    Map<String, String> a = new LinkedHashMap<>();
    String cid = held.getAttributes().get(Attr.CONTAINER_UID);
    put(a, Attr.CONTAINER_UID, cid);
    return statement(kind, held.getSubject().getScope(), held.getSubject().getKey(), held.getObject().getScope(),
        held.getObject().getKey(), a, atMicros, atMicros, true, true, 1.0f, eventId, lineage, sourceFormat);
  }

  /**
   * {@code held} in other scopes, with {@code attrs} and {@code confidence}: the same kind, keys, interval, end and
   * closing flag, lineage and format, and its own id (the scopes are part of it). What {@link NodeClusters} restates a
   * clusterless statement as, once the node's cluster is known.
   */
  public EntityBinding rescoped(EntityBinding held, String sScope, String oScope, Map<String, String> attrs,
      float confidence) {
    BindingKind kind = BindingKind.of(held.getKind());
    boolean closing = isClosing(held);
    return statement(kind, sScope, held.getSubject().getKey(), oScope, held.getObject().getKey(), attrs,
        micros(held.getValidFrom()), held.getValidTo() == null ? null : micros(held.getValidTo()),
        held.getEndObserved(), closing, confidence, held.getLineage().getEventId(), held.getLineage(),
        held.getSourceFormat());
  }

  /**
   * {@link #closing} with its own confidence and attributes: an end known only as an upper bound (an address a later
   * inventory no longer lists ended no later than that collection, {@link InstanceEnds}).
   */
  public EntityBinding closing(EntityBinding held, long atMicros, EntityBinding by, float confidence,
      Map<String, String> attrs) {
    BindingKind kind = BindingKind.of(held.getKind());
    return statement(kind, held.getSubject().getScope(), held.getSubject().getKey(), held.getObject().getScope(),
        held.getObject().getKey(), attrs, atMicros, atMicros, true, true, confidence, by.getLineage().getEventId(),
        by.getLineage(), by.getSourceFormat());
  }

  /** Whether {@code b} comes from a container runtime's daemon log (containerd, CRI-O). */
  public static boolean fromRuntimeDaemonLog(EntityBinding b) {
    return RUNTIME_DAEMON_LOGS.contains(b.getSourceFormat());
  }

  /**
   * Logs whose lines state a pod sandbox's address without always knowing its pod, besides the runtimes' daemon logs:
   * the AWS VPC CNI's (ipamd's assign names the sandbox only; plugin.log's answer names the pod only through its request,
   * which a chunk boundary may put in another chunk). SandboxPods joins such an address with the sandbox's pod.
   */
  private static final Set<String> SANDBOX_ADDRESS_LOGS = Set.of("aws_vpc_cni");

  /** Whether {@code b} (an {@code ip_container}) is a sandbox's address as a runtime or the CNI logs it. */
  public static boolean statesSandboxAddress(EntityBinding b) {
    return fromRuntimeDaemonLog(b) || SANDBOX_ADDRESS_LOGS.contains(b.getSourceFormat());
  }

  /**
   * A statement derived from others by the job (not read from one event): {@code kind} from {@code from} on, open,
   * with the lineage and source format of the statement it restates ({@code basis}): its id is the one the
   * extractor gives the same binding stated by that event, so a derivation and a direct statement are one.
   */
  public EntityBinding derived(BindingKind kind, String sScope, String sKey, String oScope, String oKey,
      Map<String, String> attrs, float confidence, EntityBinding basis) {
    return derived(kind, sScope, sKey, oScope, oKey, attrs, null, confidence, basis);
  }

  /** {@link #derived} from {@code fromMicros} until {@code toMicros} (a stated end), open when null. */
  public EntityBinding derived(BindingKind kind, String sScope, String sKey, String oScope, String oKey,
      Map<String, String> attrs, long fromMicros, Long toMicros, float confidence, EntityBinding basis) {
    return statement(kind, sScope, sKey, oScope, oKey, attrs, fromMicros, toMicros, false, false, confidence,
        basis.getLineage().getEventId(), basis.getLineage(), basis.getSourceFormat());
  }

  /** {@link #derived} until {@code toMicros} (a stated end, not observed), open when null. */
  public EntityBinding derived(BindingKind kind, String sScope, String sKey, String oScope, String oKey,
      Map<String, String> attrs, Long toMicros, float confidence, EntityBinding basis) {
    long from = micros(basis.getValidFrom());
    return statement(kind, sScope, sKey, oScope, oKey, attrs, from, toMicros, false, false, confidence,
        basis.getLineage().getEventId(), basis.getLineage(), basis.getSourceFormat());
  }

  // ----------------------------------------------------------------------------------------- cloud ids (VPC, ECS)

  private void cloudIds(EvidenceEvent e, String format, List<EntityBinding> out) {
    Cloud c = e.getCloud();
    if (c == null) return;
    String eni = c.getEniUid();
    if (eni == null && e.getSrcEndpoint() != null && e.getSrcEndpoint().getInterfaceUid() != null
        && e.getSrcEndpoint().getInterfaceUid().startsWith("eni-")) {
      eni = e.getSrcEndpoint().getInterfaceUid();
    }
    long from = startOf(e);
    Map<String, String> base = new LinkedHashMap<>();
    put(base, Attr.ACCOUNT_UID, c.getAccountUid());
    put(base, Attr.VPC_UID, c.getVpcUid());
    if (eni != null && c.getInstanceUid() != null && c.getTaskUid() == null) {
      Map<String, String> a = new LinkedHashMap<>(base);
      put(a, Attr.ENI_UID, eni);
      put(a, Attr.INSTANCE_UID, c.getInstanceUid());
      out.add(binding(BindingKind.ENI_INSTANCE, "", eni, "", c.getInstanceUid(), a, from, null, false, 1.0f, e));
    }
    String task = c.getTaskUid();
    if (task == null) {
      Ecs x = e.getEcs();
      if (x != null && "task_definition".equals(e.getActivityName())) {
        taskDefinitionRoles(e, e.getUnmapped().get("task_definition_arn"), x.getTaskRoleArn(),
            x.getExecutionRoleArn(), out);
      }
      return;
    }
    Long to = e.getEndTime() == null ? null : micros(e.getEndTime());
    boolean stopped = e.getActivityName() != null
        && CONTAINER_END.contains(e.getActivityName().toLowerCase(Locale.ROOT));
    boolean flow = isFlow(format);
    if (flow) {
      from = micros(e.getTime());
      to = null; // a flow window is not the task's lifetime
    }
    Map<String, String> a = new LinkedHashMap<>(base);
    put(a, Attr.TASK_UID, task);
    put(a, Attr.ENI_UID, eni);
    // not the instance a v7 flow record names: the container instance only hosts the task (awsvpc), and a task's
    // calls, flows and alerts resolved with it would share a pivot with every other task of that host
    ecsAttributes(e, task, a); // never Attr.CLUSTER: an ECS cluster is no Kubernetes cluster (nor an address scope)
    Map<String, String> ipAttrs = a;
    if (eni != null) {
      timed(BindingKind.ENI_TASK, "", eni, "", task, a, from, to, stopped, e, out);
    }
    // the task's role sessions (task role and execution role), named by ECS after the task id: open from the task's
    // start, past its stop (the credentials stay valid until they expire; no other task ever has that id). A VPC Flow
    // v7 record names the task too (ecs-task-arn): with CloudTrail and flow logs alone, the task's calls reach it. The
    // record does not say when the task started, and no session can be named after a task id before the task
    // existed: from the record, the fact holds from the start of time (ALWAYS), so calls made before the
    // task's first flow record (the credentials are issued before its containers start) resolve too
    String taskId = LookupKeys.ecsTaskId(task);
    if (taskId != null && c.getAccountUid() != null && (flow || format.equals("aws_ecs_task_metadata"))) {
      out.add(binding(BindingKind.SESSION_TASK, "aws:" + c.getAccountUid(), taskId, "", task, a,
          flow ? ALWAYS : from, null, false, BindingKind.SESSION_TASK.confidence(), e));
    }
    // the task's own address: from task metadata, not from a flow record (whose source may be the remote side);
    // scoped by the account alone: task metadata v4 names the VPC, describe-tasks (the stop) does not, and the stop
    // must close what the metadata opened (a VPC-scoped start would hold the address past the task's stop)
    String ip = e.getSrcEndpoint() == null || flow ? null : e.getSrcEndpoint().getIp();
    if (LookupKeys.isPrivateIp(ip) && c.getAccountUid() != null) {
      timed(BindingKind.IP_TASK, "aws:" + c.getAccountUid(), ip, "", task, ipAttrs, from, to, stopped, e, out);
    }
    String cid = e.getContainer() == null ? null : LookupKeys.containerId(e.getContainer().getUid());
    if (cid != null && cid.length() >= 12) {
      Map<String, String> ca = new LinkedHashMap<>(a);
      put(ca, Attr.CONTAINER_UID, cid);
      put(ca, Attr.CONTAINER_NAME, e.getContainer().getName());
      put(ca, Attr.IMAGE_UID, e.getContainer().getImageUid());
      put(ca, Attr.IMAGE_DIGEST, e.getContainer().getImageDigest());
      timed(BindingKind.CONTAINER_TASK, "", cid, "", task, ca, from, to, stopped, e, out);
    }
  }

  /**
   * The task's ECS context as binding attributes (enrichment.ecs): cluster name (from the event's {@code ecs}, else
   * its {@code cloud.cluster_uid} or task ARN, as events parsed before schema 6 name it), service, task definition,
   * launch type, and the task / execution roles when the evidence names them (a run's overrides).
   */
  private static void ecsAttributes(EvidenceEvent e, String task, Map<String, String> a) {
    Ecs x = e.getEcs();
    String cluster = x != null && x.getClusterName() != null ? x.getClusterName()
        : EcsNames.clusterName(e.getCloud().getClusterUid(), task);
    put(a, Attr.ECS_CLUSTER, cluster);
    if (x == null) return;
    put(a, Attr.ECS_SERVICE, x.getService());
    put(a, Attr.ECS_TASK_DEFINITION, x.getTaskDefinition());
    put(a, Attr.ECS_LAUNCH_TYPE, x.getLaunchType());
    put(a, Attr.ECS_TASK_ROLE, x.getTaskRoleArn());
    put(a, Attr.ECS_EXECUTION_ROLE, x.getExecutionRoleArn());
  }

  /**
   * A task definition revision's roles ({@code describe-task-definition}, CloudTrail {@code RegisterTaskDefinition}):
   * {@code taskdef||<task definition ARN>} -> its execution role (else its task role), with both as attributes; a
   * revision never changes, so the fact holds always ({@link #ALWAYS}). A task's events reach it at hop 2 through
   * the task's {@code ecs_task_definition}: a call of the task's execution-role session is then the ECS agent's.
   */
  private void taskDefinitionRoles(EvidenceEvent e, String definitionArn, String taskRole, String executionRole,
      List<EntityBinding> out) {
    String famRev = EcsNames.taskDefinition(definitionArn);
    if (definitionArn == null || !definitionArn.contains(":task-definition/") || (taskRole == null
        && executionRole == null)) {
      return;
    }
    Map<String, String> a = new LinkedHashMap<>();
    put(a, Attr.ECS_TASK_DEFINITION, famRev);
    put(a, Attr.ECS_TASK_ROLE, taskRole);
    put(a, Attr.ECS_EXECUTION_ROLE, executionRole);
    put(a, Attr.ACCOUNT_UID, accountOf(definitionArn, null));
    out.add(binding(BindingKind.TASKDEFINITION_ROLES, "", definitionArn, "", executionRole != null ? executionRole
        : taskRole, a, ALWAYS, null, false, 1.0f, e));
  }

  /**
   * A binding with a stated end (end_observed) and the closing statement of that end, or a closing statement when
   * only the stop is known. The closing statement ends what other evidence stated open about the same object (the
   * task's metadata while it ran, its VPC Flow v7 records): a stated end alone ends only its own interval, and the
   * stopped task's ENI stayed the task's in the graph (describe-tasks' {@code stoppedAt}: the task's ENI is detached
   * and deleted when the task stops, its attachment status DELETED).
   */
  private void timed(BindingKind kind, String sScope, String sKey, String oScope, String oKey,
      Map<String, String> a, long from, Long to, boolean stopped, EvidenceEvent e, List<EntityBinding> out) {
    if (to != null && to >= from) {
      // a stop time is evidence of the end (task or container stopped)
      EntityBinding b = binding(kind, sScope, sKey, oScope, oKey, a, from, to, false, 1.0f, e);
      b.setEndObserved(true);
      out.add(b);
      out.add(statement(kind, sScope, sKey, oScope, oKey, a, to, to, true, true, 1.0f, e));
      return;
    }
    out.add(binding(kind, sScope, sKey, oScope, oKey, a, micros(e.getTime()), null, stopped, 1.0f, e));
  }

  /** VPC Flow Logs records (text and Parquet): a flow window is not a task's lifetime, its source may be remote. */
  private static boolean isFlow(String format) {
    return format.startsWith("aws_vpc_flow");
  }

  // ------------------------------------------------------------------------------------------------------ SBOM

  private void sbom(EvidenceEvent e, List<EntityBinding> out) {
    if (e.getPackage$() == null && e.getVulnerability() == null) return;
    Container c = e.getContainer();
    if (c == null) return;
    String image = c.getImageDigest() != null ? c.getImageDigest() : c.getImageUid();
    if (image == null) return;
    Map<String, String> a = new LinkedHashMap<>();
    put(a, Attr.IMAGE_DIGEST, c.getImageDigest());
    put(a, Attr.IMAGE_UID, c.getImageUid());
    out.add(binding(BindingKind.IMAGE_SBOM, "", image, "", e.getLineage().getArtifactSha256(), a, micros(e.getTime()),
        null, false, 1.0f, e));
    // a container whose source names only its image id (Docker's config.v2.json, docker inspect, Podman) looks its
    // image up by that id: an SBOM / scan that names both the manifest digest and the image id is bound under both
    if (c.getImageDigest() != null && c.getImageUid() != null && !c.getImageUid().equals(c.getImageDigest())) {
      out.add(binding(BindingKind.IMAGE_SBOM, "", c.getImageUid(), "", e.getLineage().getArtifactSha256(), a,
          micros(e.getTime()), null, false, 1.0f, e));
    }
  }

  // ------------------------------------------------------------------------------------------- Kubernetes audit

  private void audit(EvidenceEvent e, List<EntityBinding> out) {
    if (e.getResources().isEmpty() || e.getApi() == null || "Failure".equals(e.getStatus())) return;
    boundTokenPod(e, out);
    Resource r = e.getResources().get(0);
    String type = r.getType();
    String verb = e.getApi().getOperation();
    if ("serviceaccounts".equals(type) && "token".equals(r.getSubresource()) && "create".equals(verb)) {
      tokenRequest(e, r, out);
      return;
    }
    if (verb == null || !(type != null && (type.equals("pods") || type.equals("nodes")))) return;
    boolean delete = verb.equals("delete");
    if (!delete && !verb.equals("create") && !verb.equals("update") && !verb.equals("patch")) return;
    JsonNode obj = object(e.getUnmapped().get("responseObject"));
    if (obj == null || !obj.has("metadata")) obj = object(e.getUnmapped().get("requestObject"));
    if (obj == null) return;
    String kind = obj.path("kind").asText("");
    String cluster = e.getKubernetes() == null ? null : e.getKubernetes().getCluster();
    String account = e.getCloud() == null ? null : e.getCloud().getAccountUid();
    long t = micros(e.getTime());
    if (type.equals("nodes")) {
      if (!kind.isEmpty() && !kind.equals("Node")) return;
      node(e, obj, r.getName(), delete, cluster, account, t, out);
      return;
    }
    JsonNode request = object(e.getUnmapped().get("requestObject"));
    if ("binding".equals(r.getSubresource()) && "create".equals(verb)) {
      schedulerBinding(e, r, request, cluster, account, t, out);
      return;
    }
    if (!kind.isEmpty() && !kind.equals("Pod")) return; // a Status answer to a delete names nothing
    pod(e, obj, request, r.getNamespace(), r.getName(), delete, cluster, account, t, out);
  }

  /**
   * A Pod of a snapshot ({@code k8s_pod}: {@code kubectl get pods -A -o json}, the Pod in unmapped {@code k8s.object},
   * the event's time its {@code status.startTime}): the same statements as an audit record's Pod (node and service
   * account, addresses, containers and images), open from the pod's start. On a cluster whose audit policy logs pods
   * at Metadata it is the only record of them (CrioKubeadmScenarioIT: the flow of a reused address named no pod, a
   * container's CRI log lines no container). A pod deleted before the snapshot is not in it: its address stays
   * unbound, so an earlier holder's flows are never the later pod's (the address is bound from the pod's start only).
   */
  private void podSnapshot(EvidenceEvent e, List<EntityBinding> out) {
    JsonNode obj = object(e.getUnmapped().get("k8s.object"));
    if (obj == null || !obj.has("metadata") || e.getTime() == null) return;
    String cluster = e.getKubernetes() == null ? null : e.getKubernetes().getCluster();
    String account = e.getCloud() == null ? null : e.getCloud().getAccountUid();
    pod(e, obj, null, null, null, false, cluster, account, micros(e.getTime()), out);
  }

  /**
   * The statements of a Node object (an audit record's, a snapshot's): its instance ({@code spec.providerID} {@code
   * aws:///<az>/i-...}) and its own private addresses ({@code status.addresses} InternalIP: a flow to the kubelet or a
   * NodePort names the node, and its instance; v2 flow logs carry no instance id).
   */
  private void node(EvidenceEvent e, JsonNode obj, String refName, boolean delete, String cluster, String account,
      long t, List<EntityBinding> out) {
    String name = text(obj.path("metadata"), "name");
    if (name == null) name = refName;
    if (name == null) return;
    Matcher m = PROVIDER_ID.matcher(obj.path("spec").path("providerID").asText(""));
    String instance = m.matches() ? m.group(1) : null;
    Map<String, String> a = nodeAttributes(cluster, name, instance, account);
    if (instance != null) {
      out.add(binding(BindingKind.NODE_INSTANCE, "k8s:" + nz(cluster), name, "", instance, a, t, null, delete, 1.0f,
          e));
    }
    for (JsonNode address : obj.path("status").path("addresses")) {
      String ip = text(address, "address");
      if (!"InternalIP".equals(text(address, "type")) || ip == null || !LookupKeys.isPrivateIp(ip)) continue;
      out.add(binding(BindingKind.IP_NODE, account != null ? "aws:" + account : "k8s:" + nz(cluster), ip,
          "k8s:" + nz(cluster), name, a, t, null, delete, 1.0f, e));
    }
  }

  /**
   * A Node of a snapshot ({@code k8s_node}: {@code kubectl get nodes -o json}, the Node in unmapped {@code
   * k8s.object}, the event's time its {@code metadata.creationTimestamp}): the same statements as an audit record's
   * Node, open from the node's registration (a Node's provider id never changes).
   */
  private void nodeSnapshot(EvidenceEvent e, List<EntityBinding> out) {
    JsonNode obj = object(e.getUnmapped().get("k8s.object"));
    if (obj == null || !obj.has("metadata") || e.getTime() == null) return;
    String cluster = e.getKubernetes() == null ? null : e.getKubernetes().getCluster();
    String account = e.getCloud() == null ? null : e.getCloud().getAccountUid();
    node(e, obj, null, false, cluster, account, micros(e.getTime()), out);
  }

  /** What a node's statements carry: its cluster, name, instance (when known) and account. */
  private static Map<String, String> nodeAttributes(String cluster, String node, String instance, String account) {
    Map<String, String> a = new LinkedHashMap<>();
    put(a, Attr.CLUSTER, cluster);
    put(a, Attr.NODE_NAME, node);
    put(a, Attr.INSTANCE_UID, instance);
    put(a, Attr.ACCOUNT_UID, account);
    return a;
  }

  /** The statements of a Pod object (an audit record's, a snapshot's). */
  private void pod(EvidenceEvent e, JsonNode obj, JsonNode request, String refNs, String refName, boolean delete,
      String cluster, String account, long t, List<EntityBinding> out) {
    JsonNode meta = obj.path("metadata");
    String ns = text(meta, "namespace");
    if (ns == null) ns = refNs;
    String name = text(meta, "name");
    if (name == null) name = refName;
    if (ns == null || name == null) return;
    JsonNode spec = obj.path("spec");
    JsonNode status = obj.path("status");
    String node = text(spec, "nodeName");
    if (node == null) node = reportingKubelet(e);
    String sa = text(spec, "serviceAccountName");
    String phase = text(status, "phase");
    boolean terminal = "Succeeded".equals(phase) || "Failed".equals(phase);
    Until podEnd = podTermination(delete, terminal, meta, status, request, t);
    String podKey = ns + "/" + name;
    String podScope = "k8s:" + nz(cluster);
    Map<String, String> a =
        podAttributes(cluster, ns, name, text(meta, "uid"), node, sa == null ? null : ns + "/" + sa, account);
    // on its node since the kubelet acknowledged it (status.startTime), not since this report of it
    Long since = time(status, "startTime");
    if (node != null || sa != null) {
      Until onNode = node != null && since != null && since < t && podEnd.equals(Until.open(t)) ? Until.open(since)
          : podEnd;
      out.add(until(BindingKind.POD_NODE, podScope, podKey, podScope, node == null ? "" : node, a, onNode, e));
    }
    String irsaRole = sa == null || delete ? null : irsaRole(spec);
    if (irsaRole != null) {
      // IRSA: EKS's pod identity webhook gives the pod its service account's role (the account's
      // eks.amazonaws.com/role-arn annotation) as AWS_ROLE_ARN: the service account -> role from the pod's record
      // on, not only from the role's first AssumeRoleWithWebIdentity in CloudTrail
      String roleAccount = accountOf(irsaRole, account);
      Map<String, String> ra = new LinkedHashMap<>();
      put(ra, Attr.SERVICE_ACCOUNT, ns + "/" + sa);
      put(ra, Attr.IAM_ROLE, irsaRole);
      put(ra, Attr.ACCOUNT_UID, roleAccount);
      out.add(binding(BindingKind.SERVICEACCOUNT_ROLE, "aws:" + nz(roleAccount), ns + "/" + sa, "", irsaRole, ra, t,
          null, false, 1.0f, e));
    }
    // pod IPs: not for host-network pods (the node's address)
    String hostIp = text(status, "hostIP");
    boolean hostNetwork = spec.path("hostNetwork").asBoolean(false);
    List<String> ips = new ArrayList<>(2);
    String podIp = text(status, "podIP");
    if (podIp != null) ips.add(podIp);
    for (JsonNode p : status.path("podIPs")) {
      String ip = text(p, "ip");
      if (ip != null && !ips.contains(ip)) ips.add(ip);
    }
    String ipScope = account != null ? "aws:" + account : podScope;
    // EKS Fargate: each pod is its own micro-VM with its own ENI, its node named after its address (fargate-ip-...):
    // the pod's address is its node's and the pod's (elsewhere an address equal to hostIP is a host-network pod's,
    // reported without its spec by the kubelet's status patch)
    boolean ownVm = node != null && node.startsWith("fargate-");
    if (!hostNetwork) {
      for (String ip : ips) {
        if ((ip.equals(hostIp) && !ownVm) || !LookupKeys.isPrivateIp(ip)) continue;
        out.add(until(BindingKind.IP_POD, ipScope, ip, podScope, podKey, a, podEnd, e));
      }
    }
    // the node's own address: the kubelet reports its node's address as every pod's hostIP; a pod's end is not the
    // node's (a restatement, from the pod's start on that node)
    if (node != null && hostIp != null && LookupKeys.isPrivateIp(hostIp) && !delete) {
      out.add(binding(BindingKind.IP_NODE, ipScope, hostIp, podScope, node, nodeAttributes(cluster, node, null, account),
          since != null && since < t ? since : t, null, false, 1.0f, e));
    }
    // containers of the pod
    for (String field : List.of("initContainerStatuses", "containerStatuses", "ephemeralContainerStatuses")) {
      for (JsonNode cs : status.path(field)) {
        String cid = LookupKeys.containerId(text(cs, "containerID"));
        if (cid == null || cid.length() < 12) continue;
        Map<String, String> ca = new LinkedHashMap<>(a);
        put(ca, Attr.CONTAINER_UID, cid);
        put(ca, Attr.CONTAINER_NAME, text(cs, "name"));
        String imageId = text(cs, "imageID");
        String digest = null;
        if (imageId != null) {
          imageId = LookupKeys.containerId(imageId) == null ? imageId : imageId.replaceFirst("^[a-z-]+://", "");
          int at = imageId.indexOf('@');
          digest = at >= 0 ? imageId.substring(at + 1) : imageId.startsWith("sha256:") ? imageId : null;
        }
        put(ca, Attr.IMAGE_UID, imageId);
        put(ca, Attr.IMAGE_DIGEST, digest);
        Long finished = time(cs.path("state").path("terminated"), "finishedAt");
        // a running container has run since its startedAt (the record only reports it): bound from then
        Long started = time(cs.path("state").path("running"), "startedAt");
        Until over = cs.path("state").has("terminated")
            ? terminatedAt(finished == null ? t : finished, deletionTime(meta))
            : delete ? podEnd : Until.open(started != null && started < t ? started : t);
        out.add(until(BindingKind.CONTAINER_POD, "", cid, podScope, podKey, ca, over, e));
        String cname = text(cs, "name");
        if (cname != null) out.add(until(BindingKind.POD_CONTAINER, podScope, podKey + "/" + cname, "", cid, ca, over, e));
        if (digest != null || imageId != null) {
          Map<String, String> ia = new LinkedHashMap<>();
          put(ia, Attr.CONTAINER_UID, cid);
          put(ia, Attr.IMAGE_UID, imageId);
          put(ia, Attr.IMAGE_DIGEST, digest);
          out.add(until(BindingKind.CONTAINER_IMAGE, "", cid, "", digest != null ? digest : imageId, ia, over, e));
        }
      }
    }
  }

  /**
   * The node of a pod's status written by its kubelet ({@code patch pods/status} by {@code system:node:<node>}): the
   * patch carries no spec.nodeName, its author is the node the pod runs on (only a pod's own node may write its status,
   * NodeRestriction). Null for any other request.
   */
  private static String reportingKubelet(EvidenceEvent e) {
    if (e.getActor() == null || e.getResources().isEmpty()) return null;
    String user = e.getActor().getUserName();
    Resource r = e.getResources().get(0);
    if (user == null || !user.startsWith("system:node:") || !"status".equals(r.getSubresource())) return null;
    return user.substring("system:node:".length());
  }

  /** What a pod's bindings from the API server say about it (null values left out). */
  private static Map<String, String> podAttributes(String cluster, String ns, String name, String uid, String node,
      String serviceAccount, String account) {
    Map<String, String> a = new LinkedHashMap<>();
    put(a, Attr.CLUSTER, cluster);
    put(a, Attr.NAMESPACE, ns);
    put(a, Attr.POD_NAME, name);
    put(a, Attr.POD_UID, uid);
    put(a, Attr.NODE_NAME, node);
    put(a, Attr.SERVICE_ACCOUNT, serviceAccount);
    put(a, Attr.ACCOUNT_UID, account);
    return a;
  }

  /**
   * How a statement about a pod's bindings ends: {@code to == null} open (from {@code from}); {@code closing} ends
   * the binding at {@code from}; else bound from {@code from} until {@code to} ({@code observed}: the end is evidence
   * of termination, not a provisional one).
   */
  record Until(long from, Long to, boolean closing, boolean observed) {
    static Until open(long t) {
      return new Until(t, null, false, false);
    }

    static Until closedAt(long t) {
      return new Until(t, t, true, true);
    }
  }

  /**
   * When the pod stops holding its IP (and node, containers), from what one audit record of it shows:
   *
   * <ul>
   *   <li>its containers reported terminated (a kubelet status patch, the kubelet's final delete) while the pod is
   *       being deleted or has a terminal phase: at the latest container {@code finishedAt} (else the record's time)
   *       -- a closing statement, or, when that is after the grace period's end ({@code deletionTimestamp}: killed
   *       at the end of the grace period), bound from the grace period's end until then;
   *   <li>a delete with a grace period ({@code deletionTimestamp} after the request, or {@code gracePeriodSeconds} /
   *       {@code deletionGracePeriodSeconds} > 0): still bound from the request until the grace period's end, a
   *       provisional end ({@code end_observed} false) that an observed termination replaces -- one before it
   *       closes the binding earlier, one after it extends the binding;
   *   <li>any other delete (grace 0, forced, or no grace known): closed at the request;
   *   <li>a status update of a pod being deleted whose containers still run: bound until the grace period's end
   *       (provisional, as for the delete);
   *   <li>otherwise a terminal phase closes it at the record's time, and anything else states it open.
   * </ul>
   */
  static Until podTermination(boolean delete, boolean terminal, JsonNode meta, JsonNode status, JsonNode request,
      long t) {
    Long deletion = deletionTime(meta);
    boolean allTerminated = status.path("containerStatuses").size() > 0;
    Long finished = null;
    for (JsonNode cs : status.path("containerStatuses")) {
      JsonNode term = cs.path("state").path("terminated");
      if (term.isMissingNode()) {
        allTerminated = false;
        continue;
      }
      Long f = time(term, "finishedAt");
      if (f != null && (finished == null || f > finished)) finished = f;
    }
    if (allTerminated && (delete || terminal || deletion != null)) {
      return terminatedAt(finished == null ? t : finished, deletion);
    }
    if (delete) {
      long grace = Math.max(seconds(meta, "deletionGracePeriodSeconds"),
          request == null ? 0 : seconds(request, "gracePeriodSeconds"));
      long graceEnd = deletion != null ? deletion : t + grace * 1_000_000L;
      return graceEnd > t ? new Until(t, graceEnd, false, false) : Until.closedAt(t);
    }
    if (terminal) return Until.closedAt(t);
    // a status update of a pod being deleted, containers still running: bound, provisionally, until the grace end
    return deletion != null && deletion > t ? new Until(t, deletion, false, false) : Until.open(t);
  }

  /** Terminated at {@code at}: closed then, or bound from the grace period's end until then if that is later. */
  private static Until terminatedAt(long at, Long graceEnd) {
    return graceEnd != null && at > graceEnd ? new Until(graceEnd, at, false, true) : Until.closedAt(at);
  }

  private static Long deletionTime(JsonNode meta) {
    return time(meta, "deletionTimestamp");
  }

  private static Long time(JsonNode n, String field) {
    String v = text(n, field);
    if (v == null) return null;
    try {
      return micros(Instant.parse(v));
    } catch (DateTimeParseException ex) {
      return null;
    }
  }

  private static long seconds(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v != null && v.canConvertToLong() ? Math.max(0, v.asLong()) : 0;
  }

  /** A binding stated by a pod record, ending as {@code u} says. */
  private EntityBinding until(BindingKind kind, String sScope, String sKey, String oScope, String oKey,
      Map<String, String> attrs, Until u, EvidenceEvent e) {
    if (u.closing()) {
      return statement(kind, sScope, sKey, oScope, oKey, attrs, u.from(), u.from(), true, true, 1.0f, e);
    }
    return statement(kind, sScope, sKey, oScope, oKey, attrs, u.from(), u.to(), u.observed(), false, 1.0f, e);
  }

  /**
   * A request made with a pod's bound service account token: the API server names the token's pod and node in {@code
   * user.extra} ({@code authentication.kubernetes.io/pod-name}, {@code node-name}; the parser's unmapped {@code
   * k8s.token.pod} / {@code k8s.token.node}), and the user is the service account. That is the pod's node and its
   * service account at the request's time, whatever the audit level: {@code pod_node} from the request on, open (its
   * start is earlier, its end unknown; the same statement again from each request). Found by
   * FirehoseVpcCniScenarioIT: at Metadata level nothing else named the deleted pod's service account, so its IRSA
   * session's pod was never decided (SessionPods joins pods at their service account) and its delete named no node.
   */
  private void boundTokenPod(EvidenceEvent e, List<EntityBinding> out) {
    String pod = e.getUnmapped().get("k8s.token.pod");
    String user = e.getActor() == null ? null : e.getActor().getUserName();
    if (pod == null || user == null || !user.startsWith("system:serviceaccount:")) return;
    String[] sa = user.substring("system:serviceaccount:".length()).split(":", 2);
    int slash = pod.indexOf('/');
    if (sa.length != 2 || slash <= 0 || !pod.substring(0, slash).equals(sa[0])) return; // a token of the pod's namespace
    String node = e.getUnmapped().get("k8s.token.node");
    String cluster = e.getKubernetes() == null ? null : e.getKubernetes().getCluster();
    String account = e.getCloud() == null ? null : e.getCloud().getAccountUid();
    Map<String, String> a = podAttributes(cluster, sa[0], pod.substring(slash + 1), null, node, sa[0] + "/" + sa[1],
        account);
    String scope = "k8s:" + nz(cluster);
    out.add(binding(BindingKind.POD_NODE, scope, pod, scope, node == null ? "" : node, a, micros(e.getTime()), null,
        false, 1.0f, e));
  }

  /**
   * The kubelet's TokenRequest for a pod's projected service account token ({@code serviceaccounts/<sa>/token} create,
   * {@code spec.boundObjectRef} the Pod): {@code token_pod} from the request until the token's expiry ({@code
   * status.expirationTimestamp} when the response is logged, else {@code spec.expirationSeconds}, default 1 h), with
   * its audiences and, since Kubernetes 1.29, the token's id ({@code authentication.kubernetes.io/issued-credential-id}
   * audit annotation, {@code JTI=<uuid>}). Needs the request body (audit level Request or RequestResponse).
   */
  private void tokenRequest(EvidenceEvent e, Resource r, List<EntityBinding> out) {
    if ("Failure".equals(e.getStatus()) || r.getNamespace() == null || r.getName() == null) return;
    JsonNode request = object(e.getUnmapped().get("requestObject"));
    JsonNode response = object(e.getUnmapped().get("responseObject"));
    JsonNode spec = request != null ? request.path("spec") : response != null ? response.path("spec") : null;
    if (spec == null) return;
    JsonNode bound = spec.path("boundObjectRef");
    String pod = text(bound, "name");
    if (!"Pod".equals(text(bound, "kind")) || pod == null) return;
    long t = micros(e.getTime());
    Long to = response == null ? null : time(response.path("status"), "expirationTimestamp");
    if (to == null) to = t + spec.path("expirationSeconds").asLong(3600) * 1_000_000L;
    String cluster = e.getKubernetes() == null ? null : e.getKubernetes().getCluster();
    String account = e.getCloud() == null ? null : e.getCloud().getAccountUid();
    String user = e.getActor() == null ? null : e.getActor().getUserName();
    String node = user != null && user.startsWith("system:node:") ? user.substring("system:node:".length()) : null;
    String sa = r.getNamespace() + "/" + r.getName();
    Map<String, String> a = podAttributes(cluster, r.getNamespace(), pod, text(bound, "uid"), node, sa, account);
    List<String> audiences = new ArrayList<>();
    for (JsonNode au : spec.path("audiences")) {
      if (au.isTextual()) audiences.add(au.asText());
    }
    if (!audiences.isEmpty()) a.put(SessionPods.AUDIENCES, String.join(" ", audiences));
    String jti = e.getUnmapped().get("annotations.authentication.kubernetes.io/issued-credential-id");
    if (jti != null) put(a, SessionPods.CREDENTIAL_ID, jti.startsWith("JTI=") ? jti.substring(4) : jti);
    String scope = "k8s:" + nz(cluster);
    out.add(binding(BindingKind.TOKEN_POD, scope, sa, scope, r.getNamespace() + "/" + pod, a, t, to, false, 1.0f, e));
  }

  /**
   * The scheduler's {@code pods/binding} create: its request is a {@code Binding} whose {@code target} is the Node; the
   * answer is a Status. A pod a controller created (a Deployment's, a Job's) has no {@code spec.nodeName} in its create
   * record: this is the API server's only record of its node (kubelet scenario: without it a pod's calls resolved no
   * node, only the node's own sensors named it).
   */
  private void schedulerBinding(EvidenceEvent e, Resource r, JsonNode request, String cluster, String account, long t,
      List<EntityBinding> out) {
    if (request == null || !"Binding".equals(request.path("kind").asText(""))) return;
    JsonNode target = request.path("target");
    String targetKind = target.path("kind").asText("Node");
    String node = text(target, "name");
    if (node == null || !targetKind.equals("Node")) return;
    JsonNode meta = request.path("metadata");
    String ns = text(meta, "namespace");
    if (ns == null) ns = r.getNamespace();
    String name = text(meta, "name");
    if (name == null) name = r.getName();
    if (ns == null || name == null) return;
    Map<String, String> a = podAttributes(cluster, ns, name, text(meta, "uid"), node, null, account);
    String scope = "k8s:" + nz(cluster);
    out.add(binding(BindingKind.POD_NODE, scope, ns + "/" + name, scope, node, a, t, null, false, 1.0f, e));
  }

  /** The kubelet names its node after its host unless {@code --hostname-override} says otherwise. */
  static final float KUBELET_HOST_NODE_CONFIDENCE = 0.9f;

  /**
   * The kubelet's own log ({@code kubelet_log}): its sync loop's {@code SyncLoop ADD} / {@code UPDATE} of a pod (the
   * API server gave the pod to this kubelet; after a restart the ADD lists every pod of the node) states {@code
   * pod_node} for each pod it names -> the log's host (the node), 0.9, from the line on, open; {@code SyncLoop REMOVE}
   * (the pod object is gone) closes it. Its containers and sandboxes are {@link #containers} like a runtime's daemon
   * log (the PLEG's {@code ContainerStarted} / {@code ContainerDied} name the container or the sandbox and the pod).
   */
  private void kubeletPods(EvidenceEvent e, List<EntityBinding> out) {
    String verb = e.getActivityName();
    boolean remove = "pod_removed".equals(verb);
    if (!"pod_added".equals(verb) && !"pod_updated".equals(verb) && !remove) return;
    String pods = e.getUnmapped().get("pods");
    String node = e.getDevice() == null ? null : e.getDevice().getHostname();
    if (pods == null || node == null || node.isBlank()) return;
    String cluster = e.getKubernetes() == null ? null : e.getKubernetes().getCluster();
    String scope = "k8s:" + nz(cluster);
    for (String p : pods.split(",")) {
      int paren = p.indexOf('(');
      String ref = paren < 0 ? p : p.substring(0, paren);
      String uid = paren < 0 ? null : p.substring(paren + 1, p.length() - 1);
      int slash = ref.indexOf('/');
      if (slash <= 0) continue;
      Map<String, String> a = new LinkedHashMap<>();
      put(a, Attr.CLUSTER, cluster);
      put(a, Attr.NAMESPACE, ref.substring(0, slash));
      put(a, Attr.POD_NAME, ref.substring(slash + 1));
      put(a, Attr.POD_UID, uid);
      put(a, Attr.NODE_NAME, node);
      out.add(binding(BindingKind.POD_NODE, scope, ref, scope, node, a, micros(e.getTime()), null, remove,
          KUBELET_HOST_NODE_CONFIDENCE, e));
    }
  }

  private void k8sEvent(EvidenceEvent e, List<EntityBinding> out) {
    if (!"Scheduled".equals(e.getActivityName()) || e.getMessage() == null) return;
    Matcher m = SCHEDULED.matcher(e.getMessage());
    if (!m.find()) return;
    String cluster = e.getKubernetes() == null ? null : e.getKubernetes().getCluster();
    String scope = "k8s:" + nz(cluster);
    Map<String, String> a = new LinkedHashMap<>();
    put(a, Attr.CLUSTER, cluster);
    put(a, Attr.NAMESPACE, m.group(1));
    put(a, Attr.POD_NAME, m.group(2));
    put(a, Attr.NODE_NAME, m.group(3));
    out.add(binding(BindingKind.POD_NODE, scope, m.group(1) + "/" + m.group(2), scope, m.group(3), a, micros(e.getTime()),
        null, false, 1.0f, e));
  }

  // ------------------------------------------------------------------------------------------------ CloudTrail

  /** The tag that names an instance's Kubernetes cluster: {@code kubernetes.io/cluster/<name>} (AWS cloud provider). */
  private static final String CLUSTER_TAG = "kubernetes.io/cluster/";

  /** The confidence of a node's instance named by its launch (the node taken to be named after its private DNS name). */
  static final float LAUNCH_NODE_CONFIDENCE = 0.8f;

  /**
   * EC2 {@code RunInstances} (CloudTrail; the EC2 API reference's {@code RunningInstancesItemType}): each launched
   * instance ({@code responseElements.instancesSet.items[]}) states {@code eni_instance} for the network interfaces it
   * was launched with ({@code networkInterfaceSet.items[].networkInterfaceId}: a flow record of such an ENI without an
   * {@code instance-id}, a v2 record, then names the instance), and, when the launch tags the instance with its
   * Kubernetes cluster ({@code kubernetes.io/cluster/<name>} in the request's {@code tagSpecificationSet} or the
   * item's {@code tagSet}: EKS managed node groups, Karpenter, the AWS cloud provider's nodes), {@code node_instance}
   * for the node named after its {@code privateDnsName} (EKS's naming; kubeadm's host name is its first label, which
   * is the node key, {@link LookupKeys#node}), 0.8: a naming convention. From the call's time, open.
   */
  private void runInstances(EvidenceEvent e, String account, long t, List<EntityBinding> out) {
    JsonNode req = object(e.getUnmapped().get("requestParameters"));
    JsonNode resp = object(e.getUnmapped().get("responseElements"));
    if (resp == null) return;
    String requestCluster = null;
    if (req != null) {
      for (JsonNode spec : req.path("tagSpecificationSet").path("items")) {
        if (!spec.has("resourceType") || "instance".equals(text(spec, "resourceType"))) {
          String c = clusterTag(spec.path("tags"));
          if (c != null) requestCluster = c;
        }
      }
    }
    for (JsonNode item : resp.path("instancesSet").path("items")) {
      String instance = text(item, "instanceId");
      if (instance == null || !instance.startsWith("i-")) continue;
      Map<String, String> base = new LinkedHashMap<>();
      put(base, Attr.ACCOUNT_UID, account);
      put(base, Attr.VPC_UID, text(item, "vpcId"));
      for (JsonNode ni : item.path("networkInterfaceSet").path("items")) {
        String eni = text(ni, "networkInterfaceId");
        if (eni == null || !eni.startsWith("eni-")) continue;
        Map<String, String> a = new LinkedHashMap<>(base);
        put(a, Attr.ENI_UID, eni);
        put(a, Attr.INSTANCE_UID, instance);
        out.add(binding(BindingKind.ENI_INSTANCE, "", eni, "", instance, a, t, null, false, 1.0f, e));
      }
      String cluster = requestCluster != null ? requestCluster : clusterTag(item.path("tagSet").path("items"));
      String dns = text(item, "privateDnsName");
      if (cluster != null && dns != null) {
        out.add(binding(BindingKind.NODE_INSTANCE, "k8s:" + cluster, dns.toLowerCase(Locale.ROOT), "", instance,
            nodeAttributes(cluster, dns.toLowerCase(Locale.ROOT), instance, account), t, null, false,
            LAUNCH_NODE_CONFIDENCE, e));
      }
    }
  }

  /** The cluster a {@code kubernetes.io/cluster/<name>} tag names among {@code tags} ({@code key} / {@code value}). */
  private static String clusterTag(JsonNode tags) {
    for (JsonNode tag : tags) {
      String k = text(tag, "key");
      if (k != null && k.startsWith(CLUSTER_TAG) && k.length() > CLUSTER_TAG.length()) {
        return k.substring(CLUSTER_TAG.length());
      }
    }
    return null;
  }

  private void cloudTrail(EvidenceEvent e, List<EntityBinding> out) {
    String op = e.getApi() == null ? null : e.getApi().getOperation();
    long t = micros(e.getTime());
    String account = e.getCloud() == null ? null : e.getCloud().getAccountUid();
    if ("RunInstances".equals(op) && !"Failure".equals(e.getStatus())) {
      runInstances(e, account, t, out);
      return;
    }
    if (("AssumeRoleWithWebIdentity".equals(op) || "AssumeRoleForPodIdentity".equals(op))
        && !"Failure".equals(e.getStatus())) {
      JsonNode req = object(e.getUnmapped().get("requestParameters"));
      JsonNode resp = object(e.getUnmapped().get("responseElements"));
      if (resp == null) return;
      String sessionArn = text(resp.path("assumedRoleUser"), "arn");
      String keyId = text(resp.path("credentials"), "accessKeyId");
      Long expires = expiration(text(resp.path("credentials"), "expiration"));
      String sa;
      String saScope;
      String role = req == null ? null : text(req, "roleArn");
      String cluster = null;
      if ("AssumeRoleWithWebIdentity".equals(op)) {
        String sub = text(resp, "subjectFromWebIdentityToken");
        if (sub == null || !sub.startsWith("system:serviceaccount:")) return;
        String[] p = sub.substring("system:serviceaccount:".length()).split(":", 2);
        if (p.length != 2) return;
        sa = p[0] + "/" + p[1];
      } else {
        JsonNode s = resp.path("subject");
        String ns = text(s, "namespace");
        String name = text(s, "serviceAccount");
        if (ns == null || name == null) return;
        sa = ns + "/" + name;
        cluster = req == null ? null : text(req, "clusterName");
      }
      if (role == null && sessionArn != null) role = roleOf(sessionArn);
      String roleAccount = role == null ? account : accountOf(role, account);
      saScope = cluster != null ? "k8s:" + cluster : "aws:" + nz(roleAccount);
      Map<String, String> a = new LinkedHashMap<>();
      put(a, Attr.SERVICE_ACCOUNT, sa);
      put(a, Attr.IAM_ROLE, role);
      put(a, Attr.ACCOUNT_UID, roleAccount);
      put(a, Attr.CLUSTER, cluster);
      if (role != null) {
        out.add(binding(BindingKind.SERVICEACCOUNT_ROLE, saScope, sa, "", role, a, t, null, false, 1.0f, e));
      }
      if (sessionArn != null) issuedSessionRole(sessionArn, role, e, out);
      if (sessionArn != null) {
        Map<String, String> issued = a;
        if (cluster == null) {
          // IRSA: what SessionPods needs to find the pod that asked (not kept in the lookups' state)
          issued = new LinkedHashMap<>(a);
          Endpoint src = e.getSrcEndpoint();
          put(issued, SessionPods.SOURCE_IP, src == null ? null : src.getIp());
          put(issued, SessionPods.VPC_ENDPOINT, src == null ? null : src.getInterfaceUid());
          put(issued, SessionPods.VPC_ENDPOINT_ACCOUNT, e.getUnmapped().get("vpcEndpointAccountId"));
          put(issued, SessionPods.AUDIENCES, text(resp, "audience"));
        }
        out.add(binding(BindingKind.SESSION_SERVICEACCOUNT, "", sessionArn, saScope, sa, issued, t, expires, false, 1.0f,
            e));
        if (keyId != null) {
          out.add(binding(BindingKind.ACCESSKEY_SESSION, "", keyId, "", sessionArn, a, t, expires, false, 1.0f, e));
        }
      }
      return;
    }
    if ("AssumeRole".equals(op) && !"Failure".equals(e.getStatus())) {
      podIdentitySession(e, t, account, out);
      chainedSession(e, t, account, out);
      return;
    }
    if ("AssumeRoleWithSAML".equals(op) && !"Failure".equals(e.getStatus())) {
      JsonNode req = object(e.getUnmapped().get("requestParameters"));
      JsonNode resp = object(e.getUnmapped().get("responseElements"));
      String sessionArn = resp == null ? null : text(resp.path("assumedRoleUser"), "arn");
      if (sessionArn != null) issuedSessionRole(sessionArn, req == null ? null : text(req, "roleArn"), e, out);
      return;
    }
    if ("RegisterTaskDefinition".equals(op) && !"Failure".equals(e.getStatus())) {
      JsonNode resp = object(e.getUnmapped().get("responseElements"));
      JsonNode d = resp == null ? null : resp.path("taskDefinition");
      if (d != null && d.isObject()) {
        taskDefinitionRoles(e, text(d, "taskDefinitionArn"), text(d, "taskRoleArn"), text(d, "executionRoleArn"), out);
      }
      return;
    }
    if ("CreateAccessKey".equals(op) && !"Failure".equals(e.getStatus())) {
      createdAccessKey(e, t, account, out);
      return;
    }
    if (("DeleteAccessKey".equals(op) || "UpdateAccessKey".equals(op)) && !"Failure".equals(e.getStatus())) {
      accessKeyStatus(e, op, t, account, out); // and what the call's own session states, below
    }
    // a call of an ECS task's role session: what it says of the role (the ECS agent's call or a workload's)
    roleUse(e, out);
    // an EC2 instance-role session (named after its instance id): session -> instance
    String uid = e.getActor() == null ? null : e.getActor().getUserUid();
    String instance = e.getCloud() == null ? null : e.getCloud().getInstanceUid();
    if (uid != null && instance != null && uid.contains(":assumed-role/") && uid.endsWith("/" + instance)) {
      Map<String, String> a = new LinkedHashMap<>();
      put(a, Attr.INSTANCE_UID, instance);
      put(a, Attr.IAM_ROLE, roleOf(uid));
      put(a, Attr.ACCOUNT_UID, account);
      // where the call came from: ImdsCredentials tells the node's own calls from those made elsewhere
      Endpoint src = e.getSrcEndpoint();
      put(a, ImdsCredentials.SOURCE_IP, src == null ? null : src.getIp());
      put(a, ImdsCredentials.VPC_ENDPOINT, src == null ? null : src.getInterfaceUid());
      out.add(binding(BindingKind.SESSION_INSTANCE, "", uid, "", instance, a, t, null, false,
          BindingKind.SESSION_INSTANCE.confidence(), e));
    }
  }

  /**
   * IAM persistence: {@code iam:CreateAccessKey} made with a role session hands out a long-lived key
   * ({@code responseElements.accessKey.accessKeyId}, of the IAM user {@code accessKey.userName}). Whoever holds the key
   * got it from the session's holder, so the key's calls resolve through the session that created it (to its pod, its
   * service account, its role), from the creation on, open until the key is deleted or deactivated ({@link
   * KeyStatus}). {@code
   * accesskey_session} with confidence 0.9 (the key is not the session's own credentials: the creator handed it on)
   * and attribute {@code created_key_user}. Found by FirehoseVpcCniScenarioIT: the new user's key, used from another
   * address after the pod was deleted, named nothing, and its calls opened no incident of the pod's. A key created by
   * an IAM user's own key is not followed (no session to resolve through).
   */
  private void createdAccessKey(EvidenceEvent e, long t, String account, List<EntityBinding> out) {
    String creator = e.getActor() == null ? null : e.getActor().getUserUid();
    if (creator == null || !creator.contains(":assumed-role/")) return;
    JsonNode resp = object(e.getUnmapped().get("responseElements"));
    JsonNode key = resp == null ? null : resp.path("accessKey");
    String keyId = key == null ? null : text(key, "accessKeyId");
    if (keyId == null) return;
    Map<String, String> a = new LinkedHashMap<>();
    put(a, Attr.ACCOUNT_UID, account);
    // the creating session's role: an IAM user's call enriched with a role is a call with a key a role session made
    // (SignalRules' created_key_outside)
    put(a, Attr.IAM_ROLE, roleOf(creator));
    put(a, CREATED_KEY_USER, text(key, "userName"));
    out.add(binding(BindingKind.ACCESSKEY_SESSION, "", keyId, "", creator, a, t, null, false, CREATED_KEY_CONFIDENCE, e));
    // an instance role's session (named after its instance id, as session_instance reads it): the key -> the instance
    String instance = e.getCloud() == null ? null : e.getCloud().getInstanceUid();
    if (instance != null && creator.endsWith("/" + instance)) {
      Map<String, String> i = new LinkedHashMap<>(a);
      put(i, Attr.INSTANCE_UID, instance);
      put(i, CreatedKeys.CREATED_BY_SESSION, creator);
      out.add(binding(BindingKind.ACCESSKEY_INSTANCE, "", keyId, "", instance, i, t, null, false,
          BindingKind.ACCESSKEY_INSTANCE.confidence(), e));
    }
  }

  /**
   * An IAM user key's status change ({@code iam:DeleteAccessKey}: {@code deleted}; {@code iam:UpdateAccessKey}
   * {@code status} {@code Inactive} / {@code Active}): {@code accesskey_status} key -> the status, from the call, open,
   * with the user ({@code created_key_user}) and the caller ({@code key_status_by}). {@link KeyStatus} closes what the
   * key's creation stated there and restates it with the status.
   */
  private void accessKeyStatus(EvidenceEvent e, String op, long t, String account, List<EntityBinding> out) {
    JsonNode req = object(e.getUnmapped().get("requestParameters"));
    String keyId = req == null ? null : text(req, "accessKeyId");
    if (keyId == null) return;
    String status = "DeleteAccessKey".equals(op) ? KeyStatus.DELETED : text(req, "status");
    if (status == null) return;
    status = status.toLowerCase(Locale.ROOT);
    if (!status.equals(KeyStatus.DELETED) && !status.equals(KeyStatus.INACTIVE) && !status.equals(KeyStatus.ACTIVE)) {
      return;
    }
    Map<String, String> a = new LinkedHashMap<>();
    put(a, Attr.ACCOUNT_UID, account);
    put(a, CREATED_KEY_USER, text(req, "userName"));
    put(a, KeyStatus.STATUS_BY, e.getActor() == null ? null : e.getActor().getUserUid());
    out.add(binding(BindingKind.ACCESSKEY_STATUS, "", keyId, "", status, a, t, null, false, 1.0f, e));
  }

  /** The IAM user a session created an access key for (attribute of that key's {@code accesskey_session}). */
  static final String CREATED_KEY_USER = "created_key_user";
  /** A created key is its creator's to hand on, not the creator's own credentials. */
  static final float CREATED_KEY_CONFIDENCE = 0.9f;

  /**
   * {@code role_ecs_use}: a call of an ECS task-id session says whether its role is used as the task's execution role
   * (the ECS agent's calls) or as a task role (a workload's), {@link EcsCredentials#roleUse}; execution from {@link
   * #ALWAYS}, task from {@link EcsCredentials#TASK_ROLE_FROM} (it wins), open.
   */
  private void roleUse(EvidenceEvent e, List<EntityBinding> out) {
    EcsCredentials.RoleUse use = EcsCredentials.roleUse(e, known);
    if (use == null) return;
    String role = EcsCredentials.role(e);
    Map<String, String> a = new LinkedHashMap<>();
    put(a, use.execution() ? Attr.ECS_EXECUTION_ROLE : Attr.ECS_TASK_ROLE, role);
    put(a, EcsCredentials.BASIS, use.basis());
    out.add(binding(BindingKind.ROLE_ECS_USE, "ecs-role", role, "", use.use(), a,
        use.execution() ? ALWAYS : EcsCredentials.TASK_ROLE_FROM, null, false, use.confidence(), e));
  }

  /**
   * {@code session_role} of the caller's own session: an assumed-role session's call names its role in {@code
   * userIdentity.sessionContext.sessionIssuer.arn} (actor {@code session_issuer}), with its path; else the role the
   * session ARN names. Once per session and extractor (every call of the session would restate it: a statement from
   * always cannot be moved earlier by a later one).
   */
  private void sessionRole(EvidenceEvent e, List<EntityBinding> out) {
    if (e.getActor() == null) return;
    String uid = e.getActor().getUserUid();
    if (uid == null || !uid.contains(":assumed-role/")) return;
    String issuer = e.getActor().getSessionIssuer();
    String role = issuer != null && issuer.contains(":role/") ? issuer : roleOf(uid);
    issuedSessionRole(uid, role, e, out);
  }

  /**
   * {@code session_role}: the role session {@code sessionArn} -> {@code role} (else the role its ARN names), from
   * always, open; once per session and extractor ({@link #sessionRoles}).
   */
  private void issuedSessionRole(String sessionArn, String role, EvidenceEvent e, List<EntityBinding> out) {
    if (!sessionArn.contains(":assumed-role/")) return;
    if (role == null || !role.contains(":role/")) role = roleOf(sessionArn);
    if (role == null || sessionRoles.put(sessionArn, Boolean.TRUE) != null) return;
    Map<String, String> a = new LinkedHashMap<>();
    put(a, Attr.IAM_ROLE, role);
    put(a, Attr.ACCOUNT_UID, accountOf(role, null));
    out.add(binding(BindingKind.SESSION_ROLE, "", sessionArn, "", role, a, ALWAYS, null, false, 1.0f, e));
  }

  /** The sessions whose role this extractor stated ({@link #issuedSessionRole}), the latest 16,384. */
  private final Map<String, Boolean> sessionRoles =
      new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
          return size() > 16_384;
        }
      };

  /**
   * Role chaining: {@code sts:AssumeRole} called with an assumed-role session (the caller {@code S1}, {@code
   * userIdentity.arn}) issues the session {@code S2} of the response ({@code assumedRoleUser.arn}, {@code
   * credentials.accessKeyId}, {@code expiration}): {@code session_chain} S2 -> S1 from the call until S2 expires (the
   * new session's role and account; the caller's instance when its session is named after the call's instance, as
   * {@code session_instance} reads it), {@code session_role} of S2 and {@code accesskey_session} of S2's key. {@link
   * SessionChains} gives S2 the pod / task of S1. CloudTrail logs a cross-account {@code AssumeRole} in both accounts
   * (one {@code sharedEventID}); the role's account sees the caller as {@code AWSAccount}, without its session: only
   * the caller's account's record states the chain, both state the role.
   */
  private void chainedSession(EvidenceEvent e, long t, String account, List<EntityBinding> out) {
    JsonNode req = object(e.getUnmapped().get("requestParameters"));
    JsonNode resp = object(e.getUnmapped().get("responseElements"));
    if (resp == null) return;
    String issued = text(resp.path("assumedRoleUser"), "arn");
    if (issued == null || !issued.contains(":assumed-role/")) return;
    String role = req == null ? null : text(req, "roleArn");
    if (role == null || !role.contains(":role/")) role = roleOf(issued);
    issuedSessionRole(issued, role, e, out);
    Long expires = expiration(text(resp.path("credentials"), "expiration"));
    String roleAccount = role == null ? account : accountOf(role, account);
    String keyId = text(resp.path("credentials"), "accessKeyId");
    boolean podIdentity = out.stream().anyMatch(b -> BindingKind.SESSION_POD.id().equals(b.getKind()));
    if (keyId != null && !podIdentity) { // (EKS Pod Identity's stated it with the pod)
      Map<String, String> k = new LinkedHashMap<>();
      put(k, Attr.IAM_ROLE, role);
      put(k, Attr.ACCOUNT_UID, roleAccount);
      out.add(binding(BindingKind.ACCESSKEY_SESSION, "", keyId, "", issued, k, t, expires, false, 1.0f, e));
    }
    String caller = e.getActor() == null ? null : e.getActor().getUserUid();
    if (caller == null || !caller.contains(":assumed-role/") || caller.equals(issued)) return;
    Map<String, String> a = new LinkedHashMap<>();
    put(a, Attr.IAM_ROLE, role);
    put(a, Attr.ACCOUNT_UID, roleAccount);
    put(a, CreatedKeys.CREATED_BY_SESSION, caller);
    String instance = e.getCloud() == null ? null : e.getCloud().getInstanceUid();
    if (instance != null && caller.endsWith("/" + instance)) put(a, Attr.INSTANCE_UID, instance);
    out.add(binding(BindingKind.SESSION_CHAIN, "", issued, "", caller, a, t, expires, false, 1.0f, e));
  }

  /**
   * EKS Pod Identity's {@code AssumeRole} of the associated role (AWS service {@code pods.eks.amazonaws.com}) carries
   * the pod in its session tags ({@code requestParameters.tags}: {@code eks-cluster-name}, {@code
   * kubernetes-namespace}, {@code kubernetes-service-account}, {@code kubernetes-pod-name}, {@code kubernetes-pod-uid};
   * EKS user guide, "List of session tags added by EKS Pod Identity"): the session and its access key are that pod's
   * until they expire. Any {@code AssumeRole} whose request carries those tags states it (a role chained by the pod
   * with its tags passed on as transitive tags is the same pod's too); one without them, nothing.
   */
  private void podIdentitySession(EvidenceEvent e, long t, String account, List<EntityBinding> out) {
    JsonNode req = object(e.getUnmapped().get("requestParameters"));
    JsonNode resp = object(e.getUnmapped().get("responseElements"));
    if (req == null || resp == null) return;
    Map<String, String> tags = new LinkedHashMap<>();
    for (JsonNode tag : req.path("tags")) {
      String k = text(tag, "key");
      String v = text(tag, "value");
      if (k != null && v != null) tags.put(k, v);
    }
    String cluster = tags.get("eks-cluster-name");
    String ns = tags.get("kubernetes-namespace");
    String pod = tags.get("kubernetes-pod-name");
    String sessionArn = text(resp.path("assumedRoleUser"), "arn");
    if (cluster == null || ns == null || pod == null || sessionArn == null) return;
    String keyId = text(resp.path("credentials"), "accessKeyId");
    Long expires = expiration(text(resp.path("credentials"), "expiration"));
    String role = text(req, "roleArn");
    if (role == null) role = roleOf(sessionArn);
    String roleAccount = role == null ? account : accountOf(role, account);
    String scope = "k8s:" + cluster;
    String saName = tags.get("kubernetes-service-account");
    String sa = saName == null ? null : ns + "/" + saName;
    Map<String, String> a = new LinkedHashMap<>();
    put(a, Attr.CLUSTER, cluster);
    put(a, Attr.NAMESPACE, ns);
    put(a, Attr.POD_NAME, pod);
    put(a, Attr.POD_UID, tags.get("kubernetes-pod-uid"));
    put(a, Attr.SERVICE_ACCOUNT, sa);
    put(a, Attr.IAM_ROLE, role);
    put(a, Attr.ACCOUNT_UID, roleAccount);
    out.add(binding(BindingKind.SESSION_POD, "", sessionArn, scope, ns + "/" + pod, a, t, expires, false, 1.0f, e));
    if (sa != null) {
      Map<String, String> sat = new LinkedHashMap<>();
      put(sat, Attr.SERVICE_ACCOUNT, sa);
      put(sat, Attr.IAM_ROLE, role);
      put(sat, Attr.ACCOUNT_UID, roleAccount);
      put(sat, Attr.CLUSTER, cluster);
      if (role != null) out.add(binding(BindingKind.SERVICEACCOUNT_ROLE, scope, sa, "", role, sat, t, null, false, 1.0f, e));
      out.add(binding(BindingKind.SESSION_SERVICEACCOUNT, "", sessionArn, scope, sa, sat, t, expires, false, 1.0f, e));
    }
    if (keyId != null) out.add(binding(BindingKind.ACCESSKEY_SESSION, "", keyId, "", sessionArn, a, t, expires, false, 1.0f, e));
  }

  /**
   * The IAM role of an IRSA pod: {@code AWS_ROLE_ARN} in its containers' env, as EKS's pod identity webhook injects it
   * (with {@code AWS_WEB_IDENTITY_TOKEN_FILE}); null when absent or not a role ARN.
   */
  static String irsaRole(JsonNode spec) {
    for (String list : List.of("containers", "initContainers")) {
      for (JsonNode c : spec.path(list)) {
        for (JsonNode env : c.path("env")) {
          if (!"AWS_ROLE_ARN".equals(env.path("name").asText())) continue;
          String v = text(env, "value");
          if (v != null && v.startsWith("arn:aws") && v.contains(":role/")) return v;
        }
      }
    }
    return null;
  }

  /** {@code arn:aws:sts::1:assumed-role/R/s} -> {@code arn:aws:iam::1:role/R}. */
  static String roleOf(String sessionArn) {
    Matcher m = ASSUMED_ROLE.matcher(sessionArn);
    return m.find() ? "arn:" + m.group(1) + ":iam::" + m.group(2) + ":role/" + m.group(3) : null;
  }

  private static String accountOf(String arn, String fallback) {
    String[] p = arn.split(":", 6);
    return p.length > 4 && !p[4].isEmpty() ? p[4] : fallback;
  }

  /** CloudTrail writes credential expirations as "Nov 23, 2026, 7:46:57 AM" (UTC) or ISO-8601. */
  static Long expiration(String s) {
    if (s == null) return null;
    try {
      return micros(Instant.parse(s));
    } catch (DateTimeParseException ignored) {
      // not ISO
    }
    for (DateTimeFormatter f : EXPIRATION_FORMATS) {
      try {
        return micros(LocalDateTime.parse(s, f).toInstant(ZoneOffset.UTC));
      } catch (DateTimeParseException ignored) {
        // next
      }
    }
    return null;
  }

  // ---------------------------------------------------------------------------------------------------- helpers

  /**
   * A binding; {@code closing} makes it a closing statement (valid_from = valid_to = the event's time, end_observed)
   * unless a start and end are both given.
   */
  EntityBinding binding(BindingKind kind, String sScope, String sKey, String oScope, String oKey,
      Map<String, String> attrs, long from, Long to, boolean closing, float confidence, EvidenceEvent e) {
    long validFrom = closing ? micros(e.getTime()) : from;
    Long validTo = closing ? Long.valueOf(validFrom) : to;
    return statement(kind, sScope, sKey, oScope, oKey, attrs, validFrom, validTo, closing, closing, confidence, e);
  }

  private EntityBinding statement(BindingKind kind, String sScope, String sKey, String oScope, String oKey,
      Map<String, String> attrs, long validFrom, Long validTo, boolean endObserved, boolean closing, float confidence,
      EvidenceEvent e) {
    Lineage l = e.getLineage();
    return statement(kind, sScope, sKey, oScope, oKey, attrs, validFrom, validTo, endObserved, closing, confidence,
        e.getEventId(), new BindingLineage(e.getEventId(), l.getArtifactSha256(), l.getByteOffset(),
            l.getLineNumber(), l.getRecordIndex()), e.getSourceFormat());
  }

  private EntityBinding statement(BindingKind kind, String sScope, String sKey, String oScope, String oKey,
      Map<String, String> attrs, long validFrom, Long validTo, boolean endObserved, boolean closing, float confidence,
      String eventId, BindingLineage lineage, String sourceFormat) {
    EntityRef subject = new EntityRef(kind.subjectType(), sKey, nz(sScope));
    EntityRef object = new EntityRef(kind.objectType(), oKey, nz(oScope));
    String id = bindingId(kind, subject, object, validFrom, closing, eventId);
    return EntityBinding.newBuilder()
        .setBindingId(id)
        .setKind(kind.id())
        .setSubject(subject)
        .setObject(object)
        .setAttributes(new LinkedHashMap<>(attrs))
        .setValidFrom(Instant.ofEpochSecond(0, validFrom * 1000))
        .setValidTo(validTo == null ? null : Instant.ofEpochSecond(0, validTo * 1000))
        .setEndObserved(endObserved)
        .setConfidence(confidence)
        .setSourceFormat(sourceFormat)
        .setLineage(lineage)
        .build();
  }

  /** SHA-256 hex of kind|subject scope|subject key|object scope|object key|valid_from micros|event id[|end]. */
  String bindingId(BindingKind kind, EntityRef s, EntityRef o, long validFrom, boolean closing, String eventId) {
    return bindingId(sha256, kind.id(), s, o, validFrom, closing, eventId);
  }

  /**
   * {@link #bindingId} with the caller's digest: what {@link CompactStatements} recomputes instead of holding a
   * statement's id (one formula, so a held id and a recomputed one cannot drift apart).
   */
  static String bindingId(MessageDigest sha256, String kind, EntityRef s, EntityRef o, long validFrom,
      boolean closing, String eventId) {
    String in = kind + '|' + s.getScope() + '|' + s.getKey() + '|' + o.getScope() + '|' + o.getKey() + '|'
        + validFrom + '|' + eventId + (closing ? "|end" : "");
    return HEX.formatHex(sha256.digest(in.getBytes(StandardCharsets.UTF_8)));
  }

  /** Whether a binding is a closing statement (see the schema doc). */
  public static boolean isClosing(EntityBinding b) {
    return b.getEndObserved() && b.getValidTo() != null && b.getValidTo().equals(b.getValidFrom());
  }

  private static long startOf(EvidenceEvent e) {
    return micros(e.getStartTime() != null ? e.getStartTime() : e.getTime());
  }

  public static long micros(Instant t) {
    return t.getEpochSecond() * 1_000_000L + t.getNano() / 1000;
  }

  private static JsonNode object(String text) {
    if (text == null || text.isEmpty() || text.charAt(0) != '{') return null;
    try {
      return JSON.readTree(text);
    } catch (Exception ex) {
      return null; // truncated or not JSON
    }
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() || !v.isValueNode() || v.asText().isEmpty() ? null : v.asText();
  }

  private static void put(Map<String, String> m, String k, String v) {
    if (v != null && !v.isEmpty() && !"<NA>".equals(v)) m.put(k, v);
  }

  private static String nz(String s) {
    return s == null ? "" : s;
  }
}
