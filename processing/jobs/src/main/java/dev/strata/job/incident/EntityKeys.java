package dev.strata.job.incident;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.correlate.EcsCredentials;
import dev.strata.schema.correlate.TimelineLayer;
import dev.strata.schema.event.Actor;
import dev.strata.schema.event.Cloud;
import dev.strata.schema.event.Container;
import dev.strata.schema.event.Ecs;
import dev.strata.schema.event.Endpoint;
import dev.strata.schema.event.Enrichment;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.event.Kubernetes;
import dev.strata.schema.event.Resource;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The entities, bindings, indicators and tenant of one event, the same before and after enrichment: each entity is
 * taken from {@code enrichment} when the correlation job filled it, else from the event's own fields.
 *
 * <table>
 *   <tr><th>entity</th><th>from (first present)</th></tr>
 *   <tr><td>cluster</td><td>enrichment.cluster, kubernetes.cluster</td></tr>
 *   <tr><td>account (tenant)</td><td>enrichment.account_uid, cloud.account_uid, actor.account_uid</td></tr>
 *   <tr><td>pod ({@code namespace/name})</td><td>enrichment.pod_name + namespace, kubernetes.pod_name + namespace,
 *       a {@code pods} resource (audit objectRef), Docker log attrs {@code io.kubernetes.pod.name/namespace}</td></tr>
 *   <tr><td>container (first 12 hex digits, runtime prefix dropped)</td><td>enrichment.container_uid, container.uid</td></tr>
 *   <tr><td>node (first DNS label, lowercase)</td><td>enrichment.node_name, kubernetes.node_name, device.hostname of
 *       evidence found on a node (container, pod and host layers), a Kubernetes Node object in an audit record
 *       (metadata.name)</td></tr>
 *   <tr><td>instance</td><td>enrichment.instance_uid, cloud.instance_uid (CloudTrail: an instance-profile session
 *       {@code assumed-role/<role>/i-...}), device.instance_uid, a Node object's {@code spec.providerID}
 *       ({@code aws:///<zone>/i-...})</td></tr>
 *   <tr><td>task, eni</td><td>enrichment.task_uid / eni_uid, cloud.task_uid / eni_uid</td></tr>
 *   <tr><td>ecs_cluster, ecs_service (context)</td><td>enrichment.ecs_cluster / ecs_service, ecs.cluster_name /
 *       service</td></tr>
 *   <tr><td>principal</td><td>a Kubernetes user that is not {@code system:*} (humans); an IAM user or root ARN
 *       (actor.user_uid)</td></tr>
 *   <tr><td>session, role</td><td>an {@code assumed-role} ARN (actor.user_uid) / its issuer (actor.session_issuer,
 *       enrichment.iam_role): the role never links (every node of a group shares it), the session does</td></tr>
 *   <tr><td>access_key</td><td>actor.credential_uid</td></tr>
 *   <tr><td>service_account ({@code namespace/name})</td><td>enrichment.service_account, actor.service_account,
 *       user {@code system:serviceaccount:<ns>:<name>}</td></tr>
 *   <tr><td>ip</td><td>src_endpoint.ip / dst_endpoint.ip when public (private, loopback, link-local, CGNAT and ULA
 *       addresses are everywhere inside a cluster and never link; an address of {@code incident.known_cidrs} is kept
 *       but links nothing either)</td></tr>
 *   <tr><td>image</td><td>enrichment.image_digest / container.image_digest, else image name</td></tr>
 *   <tr><td>docker_request (key: event id)</td><td>a container create request dockerd logged (its own id), and the
 *       start call of the container it made ({@code dockerd.created_by.event_id}): {@link #dockerRequest}</td></tr>
 *   <tr><td>sensor</td><td>host-layer evidence naming no node nor instance: the artifact that carried it
 *       ({@link SensorOutput}); a device.hostname of {@code localhost} names no host</td></tr>
 *   <tr><td>api_client ({@code <cluster, else account, else artifact>/<address>})</td><td>cluster and cloud evidence
 *       naming no pivot entity (an anonymous request): its source address ({@link ApiClient})</td></tr>
 * </table>
 *
 * Bindings: an event naming a container and its pod / node, a pod and its node, a node and its instance, an ENI and
 * its task (ECS awsvpc: an event of the task naming its ENI), else (no task known) its instance, a container and its
 * task; the session and access key an {@code AssumeRole*} call handed out -> its caller, and -> the pod its source
 * address belonged to at its time when the call's enrichment names one (IRSA: the pod's own call). AWS services acting for the account ({@code
 * userIdentity.type} AWSService, e.g. ecs-tasks.amazonaws.com) are {@code principal_system}: they link nothing; nor
 * does a call made with an ECS task's execution role ({@link EcsCredentials}): all its entities are context. Tenant: {@code <provider>:<account>} when an account is known, else {@code k8s:<cluster>}, else
 * {@code default}.
 */
public final class EntityKeys {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern INSTANCE_ID = Pattern.compile("(i-[0-9a-f]{8}(?:[0-9a-f]{9})?)$");
  private static final Pattern PROVIDER_INSTANCE = Pattern.compile("^aws:///[^/]*/(i-[0-9a-f]{8,17})$");

  private EntityKeys() {}

  /** The grouping rule for host evidence that names no host: see {@link SensorOutput}. */
  static final SensorOutput SENSOR_OUTPUT = new SensorOutput();

  /**
   * Sensor-output grouping: host evidence (timeline layer host: no container, no pod; a Falco alert outside a
   * container, a Tetragon host process, a syslog line) that names neither its node nor its instance -- Falco's text
   * output ({@code json_output: false}) has no {@code hostname}, nor has a collection without {@code --host} or a
   * context manifest -- gets an {@link Entity#SENSOR} entity keyed by the artifact that carried it. What the
   * evidence says is that one artifact is one sensor's output: a Falco log file, a journal's Falco entries, a Falco
   * container's log are one Falco on one host. So such alerts link as alerts naming one node do (window-chained
   * signals, context of the same file within the window), and nothing else: not by rule (a node's alerts of
   * different rules are one story too), never across artifacts (two hostless files may be two hosts), never with
   * alerts that name a host (even in the same file: which host the hostless ones ran on is not known), never across
   * tenants (the job's key). Evidence naming its node or instance (its own {@code hostname}, the context's host or
   * instance) groups by those and gets no sensor entity. Before session 12 each such alert was an incident of its
   * own: the shared corpus' Falco text file gave seven one-signal incidents.
   */
  static final class SensorOutput {
    boolean test(TimelineLayer layer, String nodeKey, String instance) {
      return layer == TimelineLayer.HOST && nodeKey == null && instance == null;
    }
  }

  /** The grouping rule for cluster and cloud evidence that names no entity: see {@link ApiClient}. */
  static final ApiClient API_CLIENT = new ApiClient();

  /**
   * API-client grouping: cluster and cloud evidence (an API server's audit record, a cloud API call) whose entities
   * hold no pivot -- an anonymous request ({@code system:anonymous}), a {@code system:*} component's request, from an
   * address that is no pod's or from a public address the account owns ({@code incident.known_cidrs}) -- gets an
   * {@link Entity#API_CLIENT} entity keyed by its cluster (else account) and its source address. What the evidence
   * says of who sent such a request is where it came from, and one address probing one API server within the window
   * is one story: its requests group as a node's alerts do (window-chained signals, context of the same client within
   * the window: the refused requests between the allowed ones). Never across clusters (the same private address in
   * two VPCs; with no cluster or account named, never across artifacts: two unnamed audit logs may be two clusters),
   * never with evidence naming an entity of its own (a pod's, a principal's requests from that address: whose they are
   * is known), and only literal addresses outside loopback, link-local and unspecified space (the API server's own
   * host, its local components). A public address outside {@code known_cidrs} is also an {@link
   * Entity#IP}, which links what the address did next (a stolen token used from it). Before session 13 each such
   * request was an incident of its own.
   */
  static final class ApiClient {
    boolean test(TimelineLayer layer, Map<String, Entity> entities) {
      if (layer != TimelineLayer.CLUSTER && layer != TimelineLayer.CLOUD) return false;
      for (Entity x : entities.values()) if (x.pivot()) return false;
      return true;
    }

    /**
     * The entity key: {@code <cluster or account>/<address>}; with neither named, {@code <artifact sha256>/<address>}
     * (one audit log is one API server's, two unnamed ones may be two clusters); null when the address tells no
     * client apart.
     */
    String key(String cluster, String account, String artifact, Endpoint src) {
      String ip = src == null ? null : trim(src.getIp());
      if (ip == null || !literalAddress(ip)) return null;
      try {
        InetAddress a = InetAddress.getByName(ip);
        if (a.isLoopbackAddress() || a.isLinkLocalAddress() || a.isAnyLocalAddress() || a.isMulticastAddress()) {
          return null;
        }
      } catch (Exception ex) {
        return null;
      }
      String where = cluster != null ? cluster : account != null ? account : artifact;
      return where == null ? ip : where + "/" + ip;
    }
  }

  /** Names that do not tell one host from another ({@code localhost}: a Falco or syslog default). */
  private static final List<String> NO_HOST_NAMES =
      List.of("localhost", "localhost.localdomain", "localhost6", "localhost6.localdomain6", "ip6-localhost", "(none)",
          "unknown");

  /** {@code name}, or null when it names no particular host (a loopback default two machines share). */
  static String hostName(String name) {
    String t = trim(name);
    if (t == null) return null;
    for (String n : NO_HOST_NAMES) if (n.equalsIgnoreCase(t)) return null; // lengths first: no copy per event
    return t;
  }

  /** What one event contributes. */
  public record Extraction(
      String tenant, List<Entity> entities, List<Binding> bindings, List<Indicator> indicators, TimelineLayer layer) {}

  public static Extraction extract(EvidenceEvent e) {
    return extract(e, ip -> false);
  }

  /**
   * {@link #extract(EvidenceEvent)} with the account's own public ranges ({@code incident.known_cidrs}): a public
   * address in them is kept as an entity and an indicator but is no pivot (the organisation's NAT gateways and
   * offices are shared by everything it runs; only an address outside them links).
   */
  public static Extraction extract(EvidenceEvent e, java.util.function.Predicate<String> knownAddress) {
    Enrichment en = e.getEnrichment();
    Kubernetes k = e.getKubernetes();
    Container c = e.getContainer();
    Cloud cloud = e.getCloud();
    Actor actor = e.getActor();
    TimelineLayer layer = layer(e);
    Map<String, Entity> out = new LinkedHashMap<>();
    Set<Indicator> ind = new LinkedHashSet<>();

    String cluster = first(en == null ? null : en.getCluster(), k == null ? null : k.getCluster());
    String account =
        first(en == null ? null : en.getAccountUid(), cloud == null ? null : cloud.getAccountUid(),
            actor == null ? null : actor.getAccountUid());
    String provider = cloud == null || blank(cloud.getProvider()) ? "aws" : cloud.getProvider().toLowerCase(Locale.ROOT);
    if (cluster != null) add(out, Entity.CLUSTER, cluster, null, Entity.CONTEXT);
    if (account != null) add(out, Entity.ACCOUNT, account, provider, Entity.CONTEXT);
    Ecs ownEcs = e.getEcs();
    String ecsCluster = first(en == null ? null : en.getEcsCluster(), ownEcs == null ? null : ownEcs.getClusterName());
    String ecsService = first(en == null ? null : en.getEcsService(), ownEcs == null ? null : ownEcs.getService());
    if (ecsCluster != null) add(out, Entity.ECS_CLUSTER, ecsCluster, account, Entity.CONTEXT);
    if (ecsService != null) add(out, Entity.ECS_SERVICE, ecsService, ecsCluster, Entity.CONTEXT);

    // pod
    String ns = first(en == null ? null : en.getNamespace(), k == null ? null : k.getNamespace());
    String pod = first(en == null ? null : en.getPodName(), k == null ? null : k.getPodName());
    if (pod == null && e.getResources() != null) {
      for (Resource r : e.getResources()) {
        if ("pods".equals(r.getType()) && !blank(r.getName())) {
          pod = r.getName();
          ns = first(r.getNamespace(), ns);
          break;
        }
      }
    }
    if (pod == null && e.getLog() != null && e.getLog().getAttrs() != null) {
      pod = trim(e.getLog().getAttrs().get("io.kubernetes.pod.name"));
      ns = first(trim(e.getLog().getAttrs().get("io.kubernetes.pod.namespace")), ns);
    }
    if (ns != null) add(out, Entity.NAMESPACE, ns, cluster, Entity.CONTEXT);
    // a service account token's request on an object in another namespace: the event's pod is the token's (in its
    // namespace), the object's namespace is context too
    String objectNs = e.getUnmapped() == null ? null : trim(e.getUnmapped().get("k8s.object.namespace"));
    if (objectNs != null && !objectNs.equals(ns)) add(out, Entity.NAMESPACE, objectNs, cluster, Entity.CONTEXT);
    String podKey = pod == null ? null : (ns == null ? "" : ns) + "/" + pod;
    if (podKey != null) add(out, Entity.POD, podKey, cluster, Entity.TARGET);

    // container
    String container = containerKey(first(en == null ? null : en.getContainerUid(), c == null ? null : c.getUid()));
    if (container != null) add(out, Entity.CONTAINER, container, cluster, Entity.TARGET);

    // node
    String node = first(en == null ? null : en.getNodeName(), k == null ? null : k.getNodeName());
    if (node == null && e.getDevice() != null
        && (layer == TimelineLayer.CONTAINER || layer == TimelineLayer.POD || layer == TimelineLayer.HOST)) {
      node = hostName(e.getDevice().getHostname());
    }
    String nodeObjectInstance = null;
    if (node == null && "k8s_audit".equals(e.getSourceFormat()) && e.getResources() != null) {
      String[] nodeObject = nodeObject(e);
      if (nodeObject != null) {
        node = nodeObject[0];
        nodeObjectInstance = nodeObject[1];
      }
    }
    String nodeKey = nodeKey(node);
    if (nodeKey != null) add(out, Entity.NODE, nodeKey, cluster, Entity.TARGET);

    // cloud compute
    String instance =
        first(en == null ? null : en.getInstanceUid(), cloud == null ? null : cloud.getInstanceUid(),
            e.getDevice() == null ? null : e.getDevice().getInstanceUid(), nodeObjectInstance);
    if (instance != null) add(out, Entity.INSTANCE, instance, account, Entity.TARGET);
    String task = first(en == null ? null : en.getTaskUid(), cloud == null ? null : cloud.getTaskUid());
    if (task != null) add(out, Entity.TASK, task, account, Entity.TARGET);
    String eni = first(en == null ? null : en.getEniUid(), cloud == null ? null : cloud.getEniUid());
    if (eni != null) add(out, Entity.ENI, eni, account, Entity.TARGET);
    // an SBOM or a scan describes an image, not the host it was made on: it is no sensor's output
    if (SENSOR_OUTPUT.test(layer, nodeKey, instance) && !SupplyChainSignals.IMAGE_FORMATS.contains(e.getSourceFormat())) {
      add(out, Entity.SENSOR, e.getLineage().getArtifactSha256(), e.getLineage().getOrigin(), Entity.TARGET);
    }

    // image
    String digest = first(en == null ? null : en.getImageDigest(), c == null ? null : c.getImageDigest());
    String imageName = c == null ? null : trim(c.getImageName());
    if (digest != null) {
      add(out, Entity.IMAGE, digest, null, Entity.CONTEXT);
      ind.add(new Indicator("image_digest", digest));
    } else if (imageName != null) {
      add(out, Entity.IMAGE, imageName, null, Entity.CONTEXT);
    }
    if (imageName != null) ind.add(new Indicator("image", imageName));
    // an SBOM or a scan names the image by its digest and its id (config digest): a Docker or Podman container's state
    // names only the id (the correlation job's image answer is then the id), so the document is about both
    String imageId = c == null ? null : trim(c.getImageUid());
    if (imageId != null && imageId.startsWith("sha256:") && !imageId.equals(digest)
        && SupplyChainSignals.IMAGE_FORMATS.contains(e.getSourceFormat())) {
      add(out, Entity.IMAGE, imageId, null, Entity.CONTEXT);
    }

    // actors
    String sa = first(en == null ? null : en.getServiceAccount(), actor == null ? null : actor.getServiceAccount());
    if (actor != null) {
      String user = trim(actor.getUserName());
      String uid = trim(actor.getUserUid());
      if ("k8s_audit".equals(e.getSourceFormat()) || (uid == null && user != null && cloud == null)) {
        if (user != null && user.startsWith("system:serviceaccount:")) {
          String[] p = user.split(":", 4);
          if (p.length == 4 && sa == null) sa = p[2] + "/" + p[3];
        } else if (user != null && !user.startsWith("system:")) {
          add(out, Entity.PRINCIPAL, user, cluster, Entity.ACTOR);
          ind.add(new Indicator("principal", user));
        } else if (user != null) {
          add(out, Entity.PRINCIPAL + "_system", user, cluster, Entity.ACTOR);
        }
      } else {
        String arn = uid != null && uid.startsWith("arn:") ? uid : null;
        if (arn != null && arn.contains(":assumed-role/")) {
          add(out, Entity.SESSION, arn, account, Entity.ACTOR);
          ind.add(new Indicator("principal", arn));
        } else if ("AWSService".equals(actor.getUserType())) {
          // an AWS service acting for the account (ecs-tasks.amazonaws.com assuming every task's role): it links
          // nothing, as a Kubernetes system user
          String service = arn != null ? arn : user;
          if (service != null) add(out, Entity.PRINCIPAL + "_system", service, account, Entity.ACTOR);
        } else if (arn != null) {
          add(out, Entity.PRINCIPAL, arn, account, Entity.ACTOR);
          ind.add(new Indicator("principal", arn));
        } else if (user != null) {
          add(out, Entity.PRINCIPAL, user, account, Entity.ACTOR);
          ind.add(new Indicator("principal", user));
        }
        String role = first(en == null ? null : en.getIamRole(), actor.getSessionIssuer());
        if (role != null) add(out, Entity.ROLE, role, account, Entity.ACTOR);
        String key = trim(actor.getCredentialUid());
        if (key != null) {
          add(out, Entity.ACCESS_KEY, key, account, Entity.ACTOR);
          ind.add(new Indicator("access_key", key));
        }
      }
    }
    if (sa != null) {
      add(out, Entity.SERVICE_ACCOUNT, sa, cluster, Entity.ACTOR);
      ind.add(new Indicator("service_account", sa));
    }
    // the pod a bound service account token was issued to (the audit parser's k8s.token.pod, from user.extra): the
    // requester, also when the request is about another pod (CiRunnerEscapeScenarioIT: a CI job's token created a
    // host-escaping pod on its node; without it the job's and the new pod's alerts were two incidents)
    if ("k8s_audit".equals(e.getSourceFormat()) && e.getUnmapped() != null) {
      add(out, Entity.POD, e.getUnmapped().get("k8s.token.pod"), cluster, Entity.ACTOR);
    }
    String[] issued = issuedCredentials(e);

    // network
    ip(out, ind, e.getSrcEndpoint(), Entity.SOURCE, knownAddress);
    ip(out, ind, e.getDstEndpoint(), Entity.TARGET, knownAddress);

    // other indicators
    if (e.getFile() != null && !blank(e.getFile().getSha256())) {
      ind.add(new Indicator("sha256", e.getFile().getSha256().toLowerCase(Locale.ROOT)));
    }
    if (e.getProcess() != null && !blank(e.getProcess().getName())) {
      ind.add(new Indicator("process", e.getProcess().getName()));
    }

    List<Binding> bindings = new ArrayList<>(4);
    String podId = podKey == null ? null : Entity.id(Entity.POD, podKey);
    String containerId = container == null ? null : Entity.id(Entity.CONTAINER, container);
    String nodeId = nodeKey == null ? null : Entity.id(Entity.NODE, nodeKey);
    String instanceId = instance == null ? null : Entity.id(Entity.INSTANCE, instance);
    bind(bindings, containerId, podId);
    bind(bindings, containerId, nodeId);
    // the image a container runs (by digest): an SBOM or scan finding about the image joins the container's incident
    // through it (SupplyChainSignals); the image is no pivot of the container's events, it links nothing else
    bind(bindings, containerId, digest == null ? null : Entity.id(Entity.IMAGE, digest));
    dockerRequest(e, out, bindings, containerId);
    batchWorkload(e, out, bindings, cluster);
    bind(bindings, podId, nodeId);
    bind(bindings, nodeId, instanceId);
    bind(bindings, instanceId, nodeId);
    // an EC2 inventory's public (elastic) address of an instance is that host's own: a call or connection from it is
    // the host's (CredentialClients: the host's own public address is not outside); bindings are kept for good, so
    // the fact outlives the inventory record, which is timed at the instance's launch
    String publicIp = e.getSourceFormat() != null && e.getSourceFormat().startsWith("aws_ec2_")
        && e.getUnmapped() != null ? trim(e.getUnmapped().get("ec2.public_ip")) : null;
    if (publicIp != null && isPublicIp(publicIp)) bind(bindings, Entity.id(Entity.IP, publicIp), instanceId);
    String taskId = task == null ? null : Entity.id(Entity.TASK, task);
    String eniId = eni == null ? null : Entity.id(Entity.ENI, eni);
    // an ECS task's ENI (awsvpc) is the task's, as the task's own evidence says (not a provisional enrichment); the
    // instance a flow of a task's ENI names is only the host it ran on: no ENI -> instance then
    String ownTask = cloud == null ? null : trim(cloud.getTaskUid());
    bind(bindings, eniId, ownTask != null ? Entity.id(Entity.TASK, ownTask) : task == null ? instanceId : null);
    bind(bindings, containerId, taskId);
    if (issued != null) {
      // the session and key an STS call handed out belong to whoever asked for them (a role chain, maybe into
      // another account): a later call with them expands to the caller
      String newSession = Entity.id(Entity.SESSION, issued[0]);
      add(out, Entity.SESSION, issued[0], accountOfArn(issued[0], account), Entity.ACTOR);
      ind.add(new Indicator("principal", issued[0]));
      String caller = null;
      for (String type : List.of(Entity.SESSION, Entity.SERVICE_ACCOUNT, Entity.PRINCIPAL)) {
        for (Entity x : out.values()) {
          if (caller == null && x.type().equals(type) && x.role().equals(Entity.ACTOR) && !x.id().equals(newSession)) {
            caller = x.id();
          }
        }
      }
      bind(bindings, newSession, caller);
      // called from a pod's address (the correlation job resolved the caller's source address at the call's time:
      // an IRSA pod's AssumeRoleWithWebIdentity through the STS endpoint), the credentials are that pod's: a call
      // made with them from anywhere else expands to the pod
      bind(bindings, newSession, podId);
      if (issued[1] != null) {
        add(out, Entity.ACCESS_KEY, issued[1], accountOfArn(issued[0], account), Entity.ACTOR);
        ind.add(new Indicator("access_key", issued[1]));
        bind(bindings, Entity.id(Entity.ACCESS_KEY, issued[1]), newSession);
      }
    }

    createdAccessKey(e, out, ind, bindings, account, podId);

    if (API_CLIENT.test(layer, out)) {
      String artifact = e.getLineage() == null ? null : trim(e.getLineage().getArtifactSha256());
      String client = API_CLIENT.key(cluster, account, artifact, e.getSrcEndpoint());
      String scope = cluster != null ? cluster : account != null ? account
          : e.getLineage() == null ? null : e.getLineage().getOrigin();
      if (client != null) add(out, Entity.API_CLIENT, client, scope, Entity.SOURCE);
    }

    String tenant = account != null ? provider + ":" + account : cluster != null ? "k8s:" + cluster : "default";
    if (EcsCredentials.executionRole(e)) {
      // the ECS agent's call with the task's execution role (image pull, log stream, secrets): the task's
      // infrastructure, attributed to it but linking nothing (it is no step of whoever holds the workload)
      List<Entity> context = new ArrayList<>(out.size());
      for (Entity x : out.values()) context.add(new Entity(x.type(), x.key(), x.scope(), Entity.CONTEXT, false));
      return new Extraction(tenant, context, List.of(), new ArrayList<>(ind), layer);
    }
    if (nodeImageEvent(e, layer, podKey, container, digest != null || imageName != null)) {
      // a Kubernetes node's runtime pulling or storing an image (containerd's / CRI-O's PullImage, ImageCreate, Pulled
      // image): about that image, not about every workload of the node, so it links through the image (the containers
      // that ran it expand to it) and not through the node (SupplyChainRolloutScenarioIT: the imaged node's pull of
      // another Deployment's image two hours earlier joined the poisoned pod's incident through the node)
      List<Entity> imageLinked = new ArrayList<>(out.size());
      for (Entity x : out.values()) {
        boolean host = Entity.NODE.equals(x.type()) || Entity.INSTANCE.equals(x.type()) || Entity.SENSOR.equals(x.type());
        imageLinked.add(host ? new Entity(x.type(), x.key(), x.scope(), x.role(), false)
            : Entity.IMAGE.equals(x.type()) ? new Entity(x.type(), x.key(), x.scope(), Entity.TARGET, true) : x);
      }
      return new Extraction(tenant, imageLinked, bindings, new ArrayList<>(ind), layer);
    }
    return new Extraction(tenant, new ArrayList<>(out.values()), bindings, new ArrayList<>(ind), layer);
  }

  /** The runtime daemons of Kubernetes nodes, whose image lines {@link #nodeImageEvent} reads. */
  private static final Set<String> NODE_RUNTIME_LOGS = Set.of("containerd_daemon_log", "crio_daemon_log");

  /**
   * A node runtime's line about an image (a pull requested or done, an image stored), naming no pod and no container:
   * host layer, a containerd or CRI-O daemon log. One naming the image by its tag only links to nothing (the
   * containers expand to their digest).
   */
  static boolean nodeImageEvent(EvidenceEvent e, TimelineLayer layer, String podKey, String container, boolean image) {
    return layer == TimelineLayer.HOST && podKey == null && container == null && image
        && NODE_RUNTIME_LOGS.contains(e.getSourceFormat());
  }

  /**
   * A container made through the Docker API, tied to the request that made it: the create request (dockerd's
   * logged {@code POST /containers/create} or its body; no container of its own) names itself as a {@code
   * docker_request} entity and binds it to its client container when the correlation job found one (enrichment
   * {@code container_uid}: the container that connected to the host's Docker socket just before, {@code
   * dockersock_client}); the start call of the container it made ({@code dockerd.created_by.event_id}) binds that
   * container to the request. So the made container's evidence expands to the request and its client: a privileged
   * container started through a mounted docker.sock joins the incident of the container that asked for it.
   */
  private static void dockerRequest(EvidenceEvent e, Map<String, Entity> out, List<Binding> bindings,
      String containerId) {
    if (!"docker_daemon_log".equals(e.getSourceFormat()) || e.getUnmapped() == null) return;
    if (dev.strata.correlate.LookupKeys.dockerCreateRequest(e)) {
      add(out, Entity.DOCKER_REQUEST, e.getEventId(), null, Entity.TARGET);
      bind(bindings, Entity.id(Entity.DOCKER_REQUEST, e.getEventId()), containerId);
      return;
    }
    String request = trim(e.getUnmapped().get("dockerd.created_by.event_id"));
    if (request != null && containerId != null) {
      add(out, Entity.DOCKER_REQUEST, request, null, Entity.CONTEXT);
      bind(bindings, containerId, Entity.id(Entity.DOCKER_REQUEST, request));
    }
  }

  /**
   * Batch workloads and DaemonSets in the audit log: a request that writes a Job or a CronJob names it ({@link
   * Entity#BATCH_WORKLOAD}, {@code Job/<ns>/<name>}), one that writes a DaemonSet names it ({@link Entity#DAEMON_SET},
   * {@code DaemonSet/<ns>/<name>}); the object's controller owner ({@code k8s.owner}, metadata.ownerReferences) binds a
   * Job's pod to its Job, a CronJob's Job to its CronJob and a DaemonSet's pod to its DaemonSet, so every event of such
   * a pod expands to its workload (upwards only) and joins the incident of the request that created it: in
   * CiRunnerEscapeScenarioIT the CronJob a stolen token created from outside, and the miner its Job ran, were linked only
   * through the node otherwise; in DaemonSetEscalationScenarioIT the DaemonSet's pods on three nodes were three
   * incidents beside the token's. The replicas of a Deployment are not linked through it (as through their service
   * account).
   */
  private static void batchWorkload(EvidenceEvent e, Map<String, Entity> out, List<Binding> bindings, String cluster) {
    if (!"k8s_audit".equals(e.getSourceFormat()) || e.getResources() == null || e.getResources().isEmpty()) return;
    dev.strata.schema.event.Resource r = e.getResources().get(0);
    String ns = trim(r.getNamespace());
    String name = trim(r.getName());
    if (ns == null || name == null || r.getSubresource() != null) return;
    String self = switch (r.getType() == null ? "" : r.getType()) {
      case "jobs" -> "Job/" + ns + "/" + name;
      case "cronjobs" -> "CronJob/" + ns + "/" + name;
      case "daemonsets" -> "DaemonSet/" + ns + "/" + name;
      case "pods" -> null;
      default -> "";
    };
    if ("".equals(self)) return;
    String selfId = self == null ? Entity.id(Entity.POD, ns + "/" + name) : Entity.id(workloadType(self), self);
    if (self != null) add(out, workloadType(self), self, cluster, Entity.TARGET);
    String owner = e.getUnmapped() == null ? null : trim(e.getUnmapped().get("k8s.owner"));
    if (owner == null || !(owner.startsWith("Job/") || owner.startsWith("CronJob/") || owner.startsWith("DaemonSet/"))) {
      return;
    }
    String ownerKey = owner.substring(0, owner.indexOf('/')) + "/" + ns + "/" + owner.substring(owner.indexOf('/') + 1);
    add(out, workloadType(ownerKey), ownerKey, cluster, Entity.CONTEXT);
    bind(bindings, selfId, Entity.id(workloadType(ownerKey), ownerKey));
  }

  /** The entity type of a workload key ({@code DaemonSet/...}, else a batch workload's). */
  private static String workloadType(String key) {
    return key.startsWith("DaemonSet/") ? Entity.DAEMON_SET : Entity.BATCH_WORKLOAD;
  }

  /** The tenant alone (the job's key). */
  public static String tenant(EvidenceEvent e) {
    Enrichment en = e.getEnrichment();
    Cloud cloud = e.getCloud();
    Actor actor = e.getActor();
    String account =
        first(en == null ? null : en.getAccountUid(), cloud == null ? null : cloud.getAccountUid(),
            actor == null ? null : actor.getAccountUid());
    if (account != null) {
      String provider = cloud == null || blank(cloud.getProvider()) ? "aws" : cloud.getProvider().toLowerCase(Locale.ROOT);
      return provider + ":" + account;
    }
    String cluster = first(en == null ? null : en.getCluster(), e.getKubernetes() == null ? null : e.getKubernetes().getCluster());
    return cluster != null ? "k8s:" + cluster : "default";
  }

  /**
   * The layer of a row: cloud (cloud provider APIs and flows), cluster (the Kubernetes API: audit, events),
   * container (a container id is known), pod (a pod but no container), host (the rest: node processes, syslog).
   */
  public static TimelineLayer layer(EvidenceEvent e) {
    String f = e.getSourceFormat() == null ? "" : e.getSourceFormat();
    if (f.startsWith("aws_") || f.startsWith("gcp_") || f.startsWith("azure_") || f.contains("cloudtrail")
        || f.contains("vpc_flow")) {
      return TimelineLayer.CLOUD;
    }
    if (f.startsWith("k8s_")) {
      return TimelineLayer.CLUSTER;
    }
    if (e.getContainer() != null && !blank(e.getContainer().getUid())) {
      return TimelineLayer.CONTAINER;
    }
    if (e.getKubernetes() != null && !blank(e.getKubernetes().getPodName())) {
      return TimelineLayer.POD;
    }
    return TimelineLayer.HOST;
  }

  /** First 12 hex digits of a container id, without a runtime prefix ({@code docker://}, {@code containerd://}). */
  static String containerKey(String id) {
    id = trim(id);
    if (id == null) return null;
    int p = id.indexOf("://");
    if (p >= 0) id = id.substring(p + 3);
    id = id.toLowerCase(Locale.ROOT);
    // hex ids only: Fargate's runtime ids (<task id>-<n>) share their first 12 characters within a task
    return id.length() > 12 && id.chars().allMatch(ch -> Character.digit(ch, 16) >= 0) ? id.substring(0, 12) : id;
  }

  /** First DNS label, lowercase ({@code ip-10-0-1-23.ec2.internal} -> {@code ip-10-0-1-23}). */
  static String nodeKey(String name) {
    name = trim(name);
    if (name == null) return null;
    name = name.toLowerCase(Locale.ROOT);
    if (name.startsWith("system:node:")) name = name.substring("system:node:".length());
    int dot = name.indexOf('.');
    return dot > 0 && !Character.isDigit(name.charAt(0)) ? name.substring(0, dot) : name;
  }

  /** An EC2 instance id ending a session name or ARN, if any. */
  static String instanceIdAtEnd(String s) {
    if (s == null) return null;
    Matcher m = INSTANCE_ID.matcher(s);
    return m.find() ? m.group(1) : null;
  }

  /** {node name, instance id or null} from a Kubernetes Node object in an audit record's request/response object. */
  /**
   * The role session ARN and access key id a successful CloudTrail {@code AssumeRole*} call handed out (its
   * responseElements), or null.
   */
  static String[] issuedCredentials(EvidenceEvent e) {
    if (!"aws_cloudtrail".equals(e.getSourceFormat()) || e.getApi() == null || e.getApi().getOperation() == null
        || !e.getApi().getOperation().startsWith("AssumeRole") || "Failure".equals(e.getStatus())
        || e.getUnmapped() == null) {
      return null;
    }
    String text = e.getUnmapped().get("responseElements");
    if (text == null || text.isEmpty() || text.charAt(0) != '{') return null;
    try {
      JsonNode r = JSON.readTree(text);
      String session = trim(r.path("assumedRoleUser").path("arn").asText(null));
      if (session == null) return null;
      return new String[] {session, trim(r.path("credentials").path("accessKeyId").asText(null))};
    } catch (Exception ignored) {
      return null; // truncated
    }
  }

  /**
   * IAM persistence: the access key a successful {@code iam:CreateAccessKey} handed out ({@code
   * responseElements.accessKey.accessKeyId}) belongs to whoever created it: a later call with it, from anywhere,
   * expands to the creating session (or principal) and, when the call came from a pod, to the pod. Found by
   * FirehoseVpcCniScenarioIT: the new user's key, used from another address, opened an incident of its own (or none)
   * instead of joining the stolen session's.
   */
  private static void createdAccessKey(EvidenceEvent e, Map<String, Entity> out, java.util.Set<Indicator> ind,
      List<Binding> bindings, String account, String podId) {
    String key = createdAccessKey(e);
    if (key == null) return;
    String keyId = Entity.id(Entity.ACCESS_KEY, key);
    String caller = null;
    for (String type : List.of(Entity.SESSION, Entity.PRINCIPAL, Entity.SERVICE_ACCOUNT)) {
      for (Entity x : out.values()) {
        if (caller == null && x.type().equals(type) && x.role().equals(Entity.ACTOR) && !x.id().equals(keyId)) {
          caller = x.id();
        }
      }
    }
    add(out, Entity.ACCESS_KEY, key, account, Entity.ACTOR);
    ind.add(new Indicator("access_key", key));
    bind(bindings, keyId, caller);
    bind(bindings, keyId, podId);
  }

  /** The access key id a successful CloudTrail {@code CreateAccessKey} handed out, or null. */
  static String createdAccessKey(EvidenceEvent e) {
    if (!"aws_cloudtrail".equals(e.getSourceFormat()) || e.getApi() == null
        || !"CreateAccessKey".equals(e.getApi().getOperation()) || "Failure".equals(e.getStatus())
        || e.getUnmapped() == null) {
      return null;
    }
    String text = e.getUnmapped().get("responseElements");
    if (text == null || text.isEmpty() || text.charAt(0) != '{') return null;
    try {
      return trim(JSON.readTree(text).path("accessKey").path("accessKeyId").asText(null));
    } catch (Exception ignored) {
      return null; // truncated
    }
  }

  /** The account field of an ARN ({@code arn:aws:sts::<account>:...}), else {@code fallback}. */
  private static String accountOfArn(String arn, String fallback) {
    String[] p = arn.split(":", 6);
    return p.length > 4 && !p[4].isEmpty() ? p[4] : fallback;
  }

  static String[] nodeObject(EvidenceEvent e) {
    boolean nodes = false;
    for (Resource r : e.getResources()) {
      nodes |= "nodes".equals(r.getType());
    }
    if (!nodes || e.getUnmapped() == null) return null;
    for (String field : new String[] {"responseObject", "requestObject"}) {
      String text = e.getUnmapped().get(field);
      if (text == null) continue;
      try {
        JsonNode o = JSON.readTree(text);
        if (!"Node".equals(o.path("kind").asText())) continue;
        String name = trim(o.path("metadata").path("name").asText(null));
        if (name == null) continue;
        Matcher m = PROVIDER_INSTANCE.matcher(o.path("spec").path("providerID").asText(""));
        return new String[] {name, m.matches() ? m.group(1) : null};
      } catch (Exception ignored) {
        // a truncated object: no binding from it
      }
    }
    return null;
  }

  /** True for a literal IPv4/IPv6 address outside private, loopback, link-local, CGNAT, ULA and multicast space. */
  public static boolean isPublicIp(String s) {
    s = trim(s);
    if (s == null || !literalAddress(s)) return false;
    try {
      InetAddress a = InetAddress.getByName(s);
      byte[] b = a.getAddress();
      if (a.isLoopbackAddress() || a.isSiteLocalAddress() || a.isLinkLocalAddress() || a.isAnyLocalAddress()
          || a.isMulticastAddress()) {
        return false;
      }
      if (b.length == 4 && (b[0] & 0xff) == 100 && (b[1] & 0xc0) == 64) return false; // 100.64.0.0/10
      if (b.length == 16 && (b[0] & 0xfe) == 0xfc) return false; // fc00::/7
      return true;
    } catch (Exception ex) {
      return false;
    }
  }

  private static void ip(Map<String, Entity> out, Set<Indicator> ind, Endpoint ep, String role,
      java.util.function.Predicate<String> knownAddress) {
    if (ep == null) return;
    if (isPublicIp(ep.getIp())) {
      String ip = ep.getIp().trim();
      // an address of the account's own ranges is everywhere the organisation is: kept, never a link
      out.putIfAbsent(Entity.id(Entity.IP, ip), new Entity(Entity.IP, ip, null, role, !knownAddress.test(ip)));
      ind.add(new Indicator("ip", ip));
    }
    if (!blank(ep.getDomain())) ind.add(new Indicator("domain", ep.getDomain().trim().toLowerCase(Locale.ROOT)));
  }

  /** A literal IPv4 / IPv6 address (checked before any {@link InetAddress} call: never a DNS lookup). */
  static boolean literalAddress(String s) {
    if (s.length() > 45) return false;
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      if (!(Character.digit(ch, 16) >= 0 || ch == '.' || ch == ':')) return false;
    }
    return s.indexOf(':') >= 0 || s.matches("\\d{1,3}(\\.\\d{1,3}){3}");
  }

  private static void add(Map<String, Entity> out, String type, String key, String scope, String role) {
    key = trim(key);
    if (key == null) return;
    out.putIfAbsent(Entity.id(type, key), new Entity(type, key, scope, role, Entity.pivotType(type)));
  }

  private static void bind(List<Binding> out, String from, String to) {
    if (from != null && to != null && !from.equals(to)) out.add(new Binding(from, to));
  }

  static String first(String... values) {
    for (String v : values) {
      String t = trim(v);
      if (t != null) return t;
    }
    return null;
  }

  static String trim(String v) {
    if (v == null) return null;
    String t = v.trim();
    return t.isEmpty() || "-".equals(t) ? null : t;
  }

  static boolean blank(String v) {
    return trim(v) == null;
  }
}
