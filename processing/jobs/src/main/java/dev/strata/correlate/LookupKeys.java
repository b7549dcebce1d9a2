package dev.strata.correlate;

import dev.strata.parse.EcsNames;
import dev.strata.schema.correlate.EntityBinding;
import dev.strata.schema.correlate.EntityRef;
import dev.strata.schema.event.Cloud;
import dev.strata.schema.event.Endpoint;
import dev.strata.schema.event.Enrichment;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.event.Network;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Lookup keys: {@code <entity type>|<scope>|<key>}, the same for a binding's subject and for what an event carries,
 * e.g. {@code ip|aws:111122223333:vpc-0a1b|10.0.1.57}, {@code container||<64 hex>}, {@code container12||<12 hex>},
 * {@code eni||eni-0abc}, {@code accesskey||ASIA...}, {@code session||arn:aws:sts::...:assumed-role/R/s}, {@code
 * session|aws:<account>|<ECS task id>} (an ECS task's role sessions, {@link #taskSession}),
 * {@code pod|k8s:prod|ns/name}, {@code serviceaccount|k8s:prod|ns/name}, {@code node|k8s:prod|ip-10-0-1-23} (a node by
 * the first DNS label of its name, {@link #node}).
 *
 * <p>Scopes of IP addresses: a binding is indexed under the most specific scope its evidence names ({@code
 * aws:<account>:<vpc>}, else {@code aws:<account>}) and under {@code k8s:<cluster>} when it names a cluster; an event
 * probes {@code aws:<account>:<vpc>}, {@code aws:<account>}, {@code k8s:<cluster>} and {@code host:<hostname>} with
 * what it knows, and the most specific answer wins. Only private addresses (RFC 1918, 100.64/10, 169.254/16, fc00::/7)
 * are looked up: a public address is not scoped by a VPC, and no pod owns it.
 *
 * <p>State keys ({@link #stateKey}): the scopes of one address (or one service account name) share one state key,
 * {@code ip||10.0.1.57}: the key's state holds every scope's intervals, each entry with the scopes it was stated for
 * ({@link KeyState}), and each scope's intervals are independent (a second VPC's reuse of an address does not close
 * the first VPC's holder). So an event that asks an address in four scopes reads one state, and a hop whose keys are
 * one address is answered by its lookup without a gather. The lookup keys themselves (what {@code unresolved} names,
 * what {@link EnrichmentMerger} merges in order) keep their scope.
 *
 * <p>Hops (see {@link #probes}): hop 1 uses the event's own fields (container id, IPs, ENI, access key, role
 * session, instance id); hop 2 the entities hop 1 found (pod -> node and service account, instance -> node, image ->
 * SBOM, container found through an IP -> pod); hop 3 the service account -> IAM role (IRSA / Pod Identity). A node's
 * instance ({@code node_instance}) comes with the statement that named the node (the job's {@code join-node-instances}
 * restates a pod's, an address's statements with it, {@code NodeInstances}); the node's own key is asked at hop 1 only
 * by an event that names its node itself and asks nothing else there ({@link #nodeToAsk}).
 *
 * <p>A pod or service account key is not asked when everything its bindings could fill ({@link #fillable}) is known
 * already: {@link EnrichmentMerger} fills only empty fields, so such a binding could not change the event's
 * enrichment (an ip -> pod binding from the API server states the pod's node and service account: a flow record then
 * skips hop 2, and a role found through its session skips hop 3). Its bindings are then not listed in {@code
 * binding_ids} nor the key in {@code unresolved}, and a late binding of that key, which could not change the answer
 * either, re-resolves nothing; a late binding of an earlier hop that changes what is known re-asks the later hops.
 */
public final class LookupKeys {
  public static final int HOPS = 3;

  private LookupKeys() {}

  public static String key(String type, String scope, String key) {
    return type + '|' + (scope == null ? "" : scope) + '|' + key;
  }

  public static String of(EntityRef ref) {
    return key(ref.getType(), ref.getScope(), ref.getKey());
  }

  /** Entity types whose scopes share one state key ({@link #stateKey}). */
  private static final java.util.Set<String> SCOPE_SHARED = java.util.Set.of("ip", "serviceaccount", "node");

  /**
   * The state key a lookup key is held and looked up under: {@code ip|aws:1111:vpc-0a|10.0.1.57} and
   * {@code ip|k8s:prod|10.0.1.57} -> {@code ip||10.0.1.57} (the same for service accounts); any other key is its own
   * state key.
   */
  public static String stateKey(String key) {
    int bar = key.indexOf('|');
    if (bar < 0 || !SCOPE_SHARED.contains(key.substring(0, bar))) return key;
    int second = key.indexOf('|', bar + 1);
    return second == bar + 1 ? key : key.substring(0, bar + 1) + key.substring(second);
  }

  /**
   * The scope a lookup key names inside its state key's state: the scope of an address or service account key
   * ({@code aws:1111:vpc-0a}), null for any other key (its state key holds only its own entries).
   */
  public static String stateScope(String key) {
    int bar = key.indexOf('|');
    if (bar < 0 || !SCOPE_SHARED.contains(key.substring(0, bar))) return null;
    return key.substring(bar + 1, key.indexOf('|', bar + 1));
  }

  /** The entity type of a key (its first field). */
  public static String typeOf(String key) {
    int bar = key.indexOf('|');
    return bar < 0 ? key : key.substring(0, bar);
  }

  // ------------------------------------------------------------------------------------------------- entity ids

  /** A container id without its runtime prefix ({@code containerd://}, {@code docker://}, ...), lower case. */
  public static String containerId(String id) {
    if (id == null) return null;
    String s = id.trim();
    int p = s.indexOf("://");
    if (p >= 0) s = s.substring(p + 3);
    if (s.isEmpty()) return null;
    return s.toLowerCase(Locale.ROOT);
  }

  /**
   * The container key: {@code container||<full id>}, or {@code container12||<id>} for hex ids shorter than 64; an id
   * that is not hex (Fargate's {@code <task id>-<n>}) is a key of its own.
   */
  public static String container(String id) {
    String c = containerId(id);
    if (c == null || c.length() < 12) return null;
    // a full id, or an id that is no hex digest (Fargate's runtime id <task id>-<n>: its first 12 characters are the
    // task's, shared by the task's containers)
    if (c.length() >= 64 || !isHex(c)) return key("container", "", c);
    return key("container12", "", c.substring(0, 12));
  }

  private static boolean isHex(String s) {
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'))) return false;
    }
    return true;
  }

  public static String pod(String cluster, String namespace, String name) {
    return key("pod", "k8s:" + nz(cluster), nz(namespace) + "/" + name);
  }

  /** A pod's container by name: {@code podcontainer|k8s:<cluster>|ns/pod/container}. */
  public static String podContainer(String cluster, String namespace, String pod, String name) {
    return key("podcontainer", "k8s:" + nz(cluster), namespace + "/" + pod + "/" + name);
  }

  /**
   * A node's key, {@code node|<scope>|<first DNS label of its name, lower case>}: a node is named {@code
   * ip-10-0-1-23.us-west-2.compute.internal} by EKS (its private DNS name), {@code ip-10-0-1-23} by kubeadm (its host
   * name), and the evidence that states its instance may use either form (the EC2 API's private DNS name, a
   * collector's host name), so the first label is the key; within a cluster it names one node (docs/correlation.md).
   * Scopes: {@code k8s:<cluster>} (the API server's Node, a node's own files); they share one state key ({@link
   * #stateKey}). Null without a name.
   */
  public static String node(String scope, String name) {
    if (name == null || name.isBlank()) return null;
    String n = name.trim().toLowerCase(Locale.ROOT);
    int dot = n.indexOf('.');
    return key("node", scope, dot > 0 ? n.substring(0, dot) : n);
  }

  public static String serviceAccountK8s(String cluster, String sa) {
    return key("serviceaccount", "k8s:" + nz(cluster), sa);
  }

  public static String serviceAccountAws(String account, String sa) {
    return key("serviceaccount", "aws:" + account, sa);
  }

  /** Whether an IP is private (see the class doc). */
  public static boolean isPrivateIp(String ip) {
    if (ip == null || ip.isEmpty()) return false;
    if (ip.indexOf(':') >= 0) {
      String l = ip.toLowerCase(Locale.ROOT);
      return l.startsWith("fc") || l.startsWith("fd") || l.startsWith("fe80");
    }
    int a = octet(ip, 0);
    int dot = ip.indexOf('.');
    int b = dot < 0 ? -1 : octet(ip, dot + 1);
    if (a == 10) return true;
    if (a == 172) return b >= 16 && b <= 31;
    if (a == 192) return b == 168;
    if (a == 100) return b >= 64 && b <= 127;
    if (a == 169) return b == 254;
    return false;
  }

  /** An IPv4 or IPv6 literal (CloudTrail's sourceIPAddress may also be an AWS service's name). */
  static boolean isIpLiteral(String s) {
    if (s.indexOf(':') >= 0) return s.matches("[0-9a-fA-F:.]+");
    return s.matches("\\d{1,3}(\\.\\d{1,3}){3}");
  }

  private static int octet(String s, int from) {
    int v = 0;
    int i = from;
    for (; i < s.length() && Character.isDigit(s.charAt(i)); i++) v = v * 10 + (s.charAt(i) - '0');
    return i == from ? -1 : v;
  }

  /**
   * The key of the role sessions an ECS task's credentials open, {@code session|aws:<account>|<task id>}: ECS assumes
   * the task role (and the execution role) with the task id as role session name, so a session ARN {@code
   * arn:aws:sts::<account>:assumed-role/<role>/<task id>} names its task; null when the session name is not shaped
   * like a task id (32 hex digits, or a UUID for tasks of the old ARN format).
   */
  public static String taskSession(String sessionArn) {
    if (sessionArn == null) return null;
    int sts = sessionArn.indexOf(":sts::");
    int role = sessionArn.indexOf(":assumed-role/");
    int slash = sessionArn.lastIndexOf('/');
    if (sts < 0 || role < sts + 6 || slash <= role + 14) return null;
    String name = sessionArn.substring(slash + 1);
    String account = sessionArn.substring(sts + 6, role);
    return isEcsTaskId(name) && !account.isEmpty() ? taskSession(account, name) : null;
  }

  /** {@code session|aws:<account>|<task id>} (see {@link #taskSession(String)}). */
  public static String taskSession(String account, String taskId) {
    return key("session", "aws:" + account, taskId);
  }

  /**
   * {@code dockersock|host:<host>|dockerd}: the Docker daemon of a host (its first DNS label, lower case), whose
   * socket's client containers {@link BindingKind#DOCKERSOCK_CLIENT} names; null without a host.
   */
  public static String dockerSocket(String hostname) {
    if (hostname == null || hostname.isBlank()) return null;
    String h = hostname.trim().toLowerCase(Locale.ROOT);
    int dot = h.indexOf('.');
    return key("dockersock", "host:" + (dot > 0 ? h.substring(0, dot) : h), "dockerd");
  }

  /** The scope field of a key ({@code type|scope|key}). */
  public static String scopeOf(String key) {
    int a = key.indexOf('|');
    return key.substring(a + 1, key.indexOf('|', a + 1));
  }

  /** The key field of a key ({@code type|scope|key}). */
  public static String keyOf(String key) {
    int a = key.indexOf('|');
    return key.substring(key.indexOf('|', a + 1) + 1);
  }

  /**
   * Whether {@code e} is a container create request dockerd logged (its {@code Calling POST /containers/create}
   * line or the request's body at debug level): it names no container of its own, and its client is the container
   * that connected to the host's Docker socket just before ({@link BindingKind#DOCKERSOCK_CLIENT}).
   */
  public static boolean dockerCreateRequest(EvidenceEvent e) {
    if (!"docker_daemon_log".equals(e.getSourceFormat())) return false;
    if (e.getContainer() != null && e.getContainer().getUid() != null) return false;
    return (e.getUnmapped() != null && e.getUnmapped().containsKey("dockerd.form.image"))
        || (e.getApi() != null && "ContainerCreate".equals(e.getApi().getOperation()));
  }

  /** {@code session|ecs-role|<role ARN>}: the ECS task-id sessions of a role ({@link BindingKind#ROLE_ECS_USE}). */
  public static String ecsRoleUse(String roleArn) {
    return roleArn == null || roleArn.isEmpty() ? null : key("session", "ecs-role", roleArn);
  }

  /**
   * The task id of an ECS task ARN ({@code arn:aws:ecs:<region>:<account>:task/<cluster>/<id>}, or the old {@code
   * task/<id>}), or null.
   */
  public static String ecsTaskId(String taskArn) {
    if (taskArn == null || !taskArn.contains(":task/")) return null;
    String id = taskArn.substring(taskArn.lastIndexOf('/') + 1);
    return isEcsTaskId(id) ? id : null;
  }

  /** 32 lower-case hex digits (task ARNs since 2018), or a lower-case UUID (the old task ARN format). */
  static boolean isEcsTaskId(String s) {
    int n = s.length();
    if (n != 32 && n != 36) return false;
    for (int i = 0; i < n; i++) {
      char ch = s.charAt(i);
      boolean dash = n == 36 && (i == 8 || i == 13 || i == 18 || i == 23);
      if (dash ? ch != '-' : !((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'))) return false;
    }
    return true;
  }

  // ----------------------------------------------------------------------------------------------- of a binding

  /**
   * The keys a binding is stored under: its subject's key; for containers also the 12-character short id; for IP
   * bindings also {@code k8s:<cluster>} (when the binding names a cluster and is scoped otherwise); for reverse kinds
   * also the object's key. The first is the primary key.
   */
  public static List<String> of(EntityBinding b) {
    List<String> keys = new ArrayList<>(3);
    EntityRef s = b.getSubject();
    keys.add("node".equals(s.getType()) ? node(s.getScope(), s.getKey()) : of(s));
    if ("container".equals(s.getType()) && s.getKey().length() >= 12 && isHex(s.getKey())) {
      keys.add(key("container12", "", s.getKey().substring(0, 12)));
    }
    if ("ip".equals(s.getType())) {
      String cluster = b.getAttributes().get(Attr.CLUSTER);
      if (cluster != null && !s.getScope().equals("k8s:" + cluster)) {
        keys.add(key("ip", "k8s:" + cluster, s.getKey()));
      }
    }
    BindingKind kind = BindingKind.of(b.getKind());
    if (kind != null && kind.reverse()) {
      keys.add(of(b.getObject()));
    }
    return keys;
  }

  // ------------------------------------------------------------------------------------------------ of an event

  /**
   * The keys an event looks up at hop {@code hop} (1..{@link #HOPS}), given what is known so far ({@code known}:
   * the event's own entities plus what earlier hops resolved; see {@link EnrichmentMerger#base}). In priority order
   * (the first resolved wins where two disagree). Keys of earlier hops are not repeated; a pod or service account
   * key whose bindings could fill nothing that is not known is left out (see the class doc).
   */
  public static List<String> probes(int hop, EvidenceEvent e, Enrichment known) {
    Set<String> out = new LinkedHashSet<>();
    switch (hop) {
      case 1 -> hop1(e, known, out);
      case 2 -> hop2(e, known, out);
      case 3 -> hop3(known, out);
      default -> throw new IllegalArgumentException("hop " + hop);
    }
    if (hop > 1) {
      // never ask again what an earlier hop asked
      for (int h = 1; h < hop; h++) {
        Set<String> earlier = new LinkedHashSet<>();
        if (h == 1) hop1(e, known, earlier);
        else if (h == 2) hop2(e, known, earlier);
        out.removeAll(earlier);
      }
    }
    return new ArrayList<>(out);
  }

  /**
   * The keys of hop {@code hop} >= 2 from what is known alone, without the keys asked at hop 1 ({@code hop1Keys} =
   * {@code probes(1, e, base(e))}): the same list as {@link #probes(int, EvidenceEvent, Enrichment)}, since later
   * hops look up only entity types (pod, container, instance, task, image, service account) whose hop-1 keys come
   * from the event's own fields, whatever is known.
   */
  public static List<String> probes(int hop, Enrichment known, List<String> hop1Keys) {
    Set<String> out = new LinkedHashSet<>();
    switch (hop) {
      case 2 -> hop2(null, known, out);
      case 3 -> hop3(known, out);
      default -> throw new IllegalArgumentException("hop " + hop + " (hop 1 keys come from the event)");
    }
    out.removeAll(hop1Keys);
    return out.isEmpty() ? List.of() : new ArrayList<>(out);
  }

  /** The entity types of the keys hops 2 and 3 ask ({@link #hop2}, {@link #hop3}). */
  private static final Set<String> HOP2_TYPES =
      Set.of("pod", "container", "container12", "instance", "task", "image", "taskdef");
  private static final Set<String> HOP3_TYPES = Set.of("serviceaccount");

  /**
   * Whether a hop-1 key of entity type {@code type} could also be a key of hop {@code hop} >= 2 or later (so those
   * hops need it to not ask it again, see {@link #probes(int, Enrichment, List)}).
   */
  public static boolean askedFrom(int hop, String type) {
    return HOP3_TYPES.contains(type) || (hop <= 2 && HOP2_TYPES.contains(type));
  }

  private static void hop1(EvidenceEvent e, Enrichment known, Set<String> out) {
    if (e.getContainer() != null) add(out, container(e.getContainer().getUid()));
    if (known.getContainerUid() == null && known.getContainerName() != null && known.getPodName() != null
        && known.getNamespace() != null) {
      // a CRI log line: its path names the pod and the container by name only
      add(out, podContainer(known.getCluster(), known.getNamespace(), known.getPodName(), known.getContainerName()));
    }
    Cloud c = e.getCloud();
    Endpoint src = e.getSrcEndpoint();
    Endpoint dst = e.getDstEndpoint();
    Network n = e.getNetwork();
    String account = known.getAccountUid();
    String vpc = known.getVpcUid();
    String cluster = known.getCluster();
    String host = e.getDevice() == null ? null : e.getDevice().getHostname();
    if (n != null) ips(out, n.getPktSrcIp(), account, src != null && src.getVpcUid() != null ? src.getVpcUid() : vpc, cluster, host);
    if (src != null) ips(out, src.getIp(), account, src.getVpcUid() != null ? src.getVpcUid() : vpc, cluster, host);
    if (n != null) ips(out, n.getPktDstIp(), account, dst != null && dst.getVpcUid() != null ? dst.getVpcUid() : vpc, cluster, host);
    if (dst != null) ips(out, dst.getIp(), account, dst.getVpcUid() != null ? dst.getVpcUid() : vpc, cluster, host);
    if (c != null) {
      if (c.getEniUid() != null) add(out, key("eni", "", c.getEniUid()));
      if (c.getInstanceUid() != null) add(out, key("instance", "", c.getInstanceUid()));
    }
    if (src != null && src.getInterfaceUid() != null && src.getInterfaceUid().startsWith("eni-")) {
      add(out, key("eni", "", src.getInterfaceUid()));
    }
    if (dockerCreateRequest(e)) add(out, dockerSocket(host)); // who asked the host's daemon (DOCKERSOCK_CLIENT)
    if (e.getActor() != null) {
      String cred = e.getActor().getCredentialUid();
      if (cred != null && !cred.isEmpty()) add(out, key("accesskey", "", cred));
      String uid = e.getActor().getUserUid();
      if (uid != null && uid.contains(":assumed-role/")) {
        add(out, key("session", "", uid));
        // an instance role session's call from a public address: the pod that fetched its credentials from IMDS
        // (BindingKind.SESSION_IMDS_POD, ImdsCredentials)
        String ip = src == null ? null : src.getIp();
        if (c != null && c.getInstanceUid() != null && uid.endsWith("/" + c.getInstanceUid()) && ip != null
            && !isPrivateIp(ip) && isIpLiteral(ip) && src.getInterfaceUid() == null) {
          add(out, ImdsCredentials.outsideKey(uid, ip));
        }
        String task = taskSession(uid);
        add(out, task);
        // how the role's task-id sessions are used (BindingKind.ROLE_ECS_USE): the execution role's or a task role's
        if (task != null) add(out, ecsRoleUse(EcsCredentials.role(e)));
      }
      // an IRSA token's exchange is the pod's that the session it issued is bound to (session_pod, join-session-pods):
      // the exchange from an attacker's address otherwise named no pod, only its service account (kubelet scenario)
      if (e.getApi() != null && "AssumeRoleWithWebIdentity".equals(e.getApi().getOperation()) && e.getUnmapped() != null) {
        String issued = e.getUnmapped().get("strata.issued.session_arn");
        if (issued != null && issued.contains(":assumed-role/")) add(out, key("session", "", issued));
      }
    }
    if (out.isEmpty()) add(out, nodeToAsk(known));
  }

  private static void ips(Set<String> out, String ip, String account, String vpc, String cluster, String host) {
    if (!isPrivateIp(ip)) return;
    if (account != null && vpc != null) out.add(key("ip", "aws:" + account + ":" + vpc, ip));
    if (account != null) out.add(key("ip", "aws:" + account, ip));
    if (cluster != null) out.add(key("ip", "k8s:" + cluster, ip));
    if (host != null) out.add(key("ip", "host:" + host, ip));
  }

  private static void hop2(EvidenceEvent e, Enrichment k, Set<String> out) {
    if (k.getPodName() != null && k.getNamespace() != null && !knowsAll(k, POD_FILLS)) {
      add(out, pod(k.getCluster(), k.getNamespace(), k.getPodName()));
    }
    if (k.getContainerUid() != null) add(out, container(k.getContainerUid()));
    // an instance -> its node (node_instance, held by its instance): not when all a node's instance states is known
    // (session 16: a pod's statement now carries its node's instance, which asked the instance key per event)
    // (not INSTANCE_FILLS: an instance whose node is known is a Kubernetes node, whose instance_cluster, an ECS
    // container instance's, there is none of; asking it for the ECS cluster would ask it for every pod's event again)
    if (k.getInstanceUid() != null && !knowsAll(k, NODE_FILLS)) add(out, key("instance", "", k.getInstanceUid()));
    if (k.getImageDigest() != null) add(out, key("image", "", k.getImageDigest()));
    else if (k.getImageUid() != null) add(out, key("image", "", k.getImageUid()));
    // an ECS task's definition: its task and execution roles (BindingKind.TASKDEFINITION_ROLES)
    // (also when the role's usage named one of them at hop 1: the definition names the other)
    if (k.getEcsTaskDefinition() != null && (k.getEcsExecutionRole() == null || k.getEcsTaskRole() == null)) {
      String arn = EcsNames.taskDefinitionArn(k.getTaskUid(), k.getEcsTaskDefinition());
      if (arn != null) add(out, key("taskdef", "", arn));
    }
  }

  /**
   * The node's key, asked at hop 1 by an event that names its node itself (a Tetragon event's {@code node_name}, a
   * container log's node from its collector's host, a pod snapshot's {@code spec.nodeName}) and nothing else hop 1
   * could look up, when a node -> instance binding could fill something (its instance): one lookup, answered alone.
   * Every other event finds its node through a statement (container -> pod, ip -> pod, ip -> node, pod -> node) that
   * carries the node's instance once it is known ({@code join-node-instances}), so it asks nothing more for it (until
   * session 15 the node's key was asked at hop 2 or 3 by every event that knew its node and not its instance:
   * docs/benchmarks.md sessions 15 and 16).
   */
  private static String nodeToAsk(Enrichment k) {
    return k.getNodeName() != null && !knowsAll(k, NODE_FILLS) ? node("k8s:" + nz(k.getCluster()), k.getNodeName()) : null;
  }

  private static void hop3(Enrichment k, Set<String> out) {
    String sa = k.getServiceAccount();
    if (sa != null && !knowsAll(k, SERVICE_ACCOUNT_FILLS)) {
      if (k.getCluster() != null) add(out, serviceAccountK8s(k.getCluster(), sa));
      if (k.getAccountUid() != null) add(out, serviceAccountAws(k.getAccountUid(), sa));
    }
  }

  // ---------------------------------------------------------------------------------------- keys with nothing to add

  /** What a pod key's bindings (pod -> node) can fill: what the API server states of a pod. */
  private static final int POD_FILLS = Attr.mask(Attr.CLUSTER, Attr.NAMESPACE, Attr.POD_NAME, Attr.POD_UID,
      Attr.NODE_NAME, Attr.SERVICE_ACCOUNT, Attr.ACCOUNT_UID);

  /**
   * What a pod key's entries keep: {@link #POD_FILLS} and the node's instance, which {@code join-node-instances} adds
   * to a pod's statements once the node's is known. Not part of the skip: a statement that named the pod's node (all
   * of {@link #POD_FILLS} known) carries the node's instance itself when the pod's {@code pod_node} would (the join
   * restates both from the same node statements).
   */
  private static final int POD_KEPT = POD_FILLS | Attr.mask(Attr.INSTANCE_UID);

  /** What a node key's bindings (node -> instance) can fill. */
  private static final int NODE_FILLS = Attr.mask(Attr.CLUSTER, Attr.NODE_NAME, Attr.INSTANCE_UID, Attr.ACCOUNT_UID);

  /**
   * What an instance key's entries keep: its node ({@code node_instance}, held by its object) and, since session 16's
   * EC2 inventory, the ECS cluster of an ECS container instance ({@code instance_cluster}). The hop-2 skip looks at
   * {@link #NODE_FILLS} only (see {@link #probes}).
   */
  private static final int INSTANCE_FILLS = NODE_FILLS | Attr.mask(Attr.ECS_CLUSTER);

  /** What a service account key's bindings (service account -> IAM role, IRSA / Pod Identity) can fill. */
  private static final int SERVICE_ACCOUNT_FILLS =
      Attr.mask(Attr.SERVICE_ACCOUNT, Attr.IAM_ROLE, Attr.ACCOUNT_UID, Attr.CLUSTER);

  /**
   * The attributes (a mask of {@link Attr} codes) a binding held under a key of entity type {@code type} may carry
   * into the lookup state, -1 for every attribute. Only the types a hop may skip are limited (pod, service account, node, instance,
   * see {@link #probes}): {@code route-bindings-N} keeps no other attribute in their entries, so "everything such a
   * key's bindings could fill is known" holds by construction, whatever an extractor states.
   */
  public static int fillable(String type) {
    return switch (type) {
      case "pod" -> POD_KEPT;
      case "serviceaccount" -> SERVICE_ACCOUNT_FILLS;
      case "node" -> NODE_FILLS;
      case "instance" -> INSTANCE_FILLS; // node_instance (by its object, reverse) and instance_cluster
      default -> -1;
    };
  }

  /** Whether every attribute of {@code mask} is set in {@code k}. */
  private static boolean knowsAll(Enrichment k, int mask) {
    for (int c = 0; c < Attr.ALL.size(); c++) {
      if ((mask & (1 << c)) != 0 && Attr.get(k, Attr.ALL.get(c)) == null) return false;
    }
    return true;
  }

  private static void add(Set<String> out, String k) {
    if (k != null) out.add(k);
  }

  private static String nz(String s) {
    return s == null ? "" : s;
  }
}
