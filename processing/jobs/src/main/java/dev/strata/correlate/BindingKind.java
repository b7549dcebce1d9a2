package dev.strata.correlate;

import java.util.HashMap;
import java.util.Map;

/**
 * The kinds of {@code EntityBinding} strata derives, with the entity types on each side and the confidence the
 * binding gets (0..1). The subject is the side events carry (what they look up); {@code reverse} kinds are also
 * indexed by their object, for 1:1 relations (node name and instance id).
 *
 * <p>Confidence: 1.0 when the runtime / control plane states the relation about itself (the Kubernetes API server's
 * pod status, Docker's container config, STS's answer in CloudTrail); 0.9 when a sensor reports it alongside a
 * detection (Falco / Tetragon enrichment, which comes from the same runtime but through a cache); 0.8 when it is
 * inferred from a naming convention (an EC2 role session named after its instance id, an ECS task's role sessions
 * named after its task id, a CRI log path). Append new kinds at the end: the ordinal is part of checkpointed state.
 *
 * <p>{@link #lookup()}: whether the lookups hold the kind. {@code container_sandbox} (a CRI container -> the pod
 * sandbox it was created in, from containerd's {@code CreateContainer within sandbox}) is a fact of its own but no
 * lookup reads it: {@code SandboxPods} joins it with the sandbox's own {@code container_pod} into the container's
 * {@code container_pod}, which the lookups hold.
 */
public enum BindingKind {
  CONTAINER_POD("container", "pod", 1.0f, false),
  CONTAINER_IMAGE("container", "image", 1.0f, false),
  CONTAINER_TASK("container", "task", 1.0f, false),
  IP_POD("ip", "pod", 1.0f, false),
  IP_CONTAINER("ip", "container", 1.0f, false),
  IP_TASK("ip", "task", 1.0f, false),
  ENI_TASK("eni", "task", 1.0f, false),
  ENI_INSTANCE("eni", "instance", 1.0f, false),
  POD_NODE("pod", "node", 1.0f, false),
  NODE_INSTANCE("node", "instance", 1.0f, true),
  SERVICEACCOUNT_ROLE("serviceaccount", "role", 1.0f, false),
  SESSION_SERVICEACCOUNT("session", "serviceaccount", 1.0f, false),
  SESSION_INSTANCE("session", "instance", 0.8f, false),
  ACCESSKEY_SESSION("accesskey", "session", 1.0f, false),
  IMAGE_SBOM("image", "sbom", 1.0f, false),
  /** Role sessions named after an ECS task id (subject {@code aws:<account>} + task id) -> the task ARN. */
  SESSION_TASK("session", "task", 0.8f, false),
  CONTAINER_SANDBOX("container", "sandbox", 1.0f, false, false),
  /**
   * A pod's container by name ({@code k8s:<cluster>}, {@code ns/pod/container}) -> the container id running under that
   * name (a restart is the next holder): what a CRI log line, whose path names its container by name, is resolved by.
   */
  POD_CONTAINER("podcontainer", "container", 1.0f, false),
  /**
   * An EKS Pod Identity role session -> the pod it was issued for ({@code k8s:<cluster>} ns/name), from the session
   * tags EKS puts on its {@code AssumeRole} ({@code kubernetes-pod-name}, {@code kubernetes-pod-uid}, ...), until the
   * credentials expire: the session's calls from anywhere resolve the pod.
   */
  SESSION_POD("session", "pod", 1.0f, false),
  /**
   * An ECS task definition revision ({@code taskdef||<task definition ARN>}) -> its execution role (else its task
   * role), both named in the attributes ({@code ecs_task_role}, {@code ecs_execution_role}): looked up at hop 2 by
   * the events of a task whose definition is known, so a call of the task's execution-role session is known as the
   * ECS agent's, not the workload's.
   */
  TASKDEFINITION_ROLES("taskdef", "role", 1.0f, false),
  /**
   * A container of no cluster and no ECS task -> the plain host it runs on (object key: the hostname where its evidence
   * was found): a fact for the incident report's graph, no lookup reads it (the event names its host itself).
   */
  CONTAINER_HOST("container", "node", 1.0f, false, false),
  /**
   * A host (its hostname) -> its cloud instance, as the evidence context says (context manifest {@code
   * cloud_instance}): a fact for the report's graph, no lookup reads it (every event of the host names both).
   */
  HOST_INSTANCE("node", "instance", 1.0f, false, false),
  /**
   * A service account's projected token issued to a pod ({@code k8s:<cluster>} ns/name -> the pod), from the kubelet's
   * TokenRequest in the audit log ({@code serviceaccounts/<sa>/token} create with {@code spec.boundObjectRef} the
   * Pod), valid until the token expires: which pods held a token of the service account, for which audiences, at a
   * time. A fact for the report's graph; no lookup reads it: {@code SessionPods} joins it with an IRSA session's
   * {@code AssumeRoleWithWebIdentity}.
   */
  TOKEN_POD("serviceaccount", "pod", 1.0f, false, false),
  /**
   * The ECS task-id sessions of an IAM role ({@code session|ecs-role|<role ARN>}) -> how they are used, object {@code
   * execution_role} (attribute {@code ecs_execution_role}) or {@code task_role} ({@code ecs_task_role}), from what
   * CloudTrail says of each of their calls ({@link EcsCredentials#roleUse}: the ECS agent's calls, or a workload's);
   * the basis in attribute {@code ecs_role_basis}, the confidence per statement (0.6-0.9). Holds always; a task-role
   * statement starts one microsecond later ({@link EcsCredentials#TASK_ROLE_FROM}) so it wins at every time. Looked
   * up at hop 1 by the calls of the role's task-id sessions: without the task's definition, the execution role's
   * calls are still known as the agent's. The subject is typed {@code session} (the role's sessions), a type hop 1
   * already routes.
   */
  ROLE_ECS_USE("session", "ecs_role_use", 0.7f, false),
  /**
   * A host's Docker daemon socket ({@code dockersock|host:<host>|dockerd}) -> the container that connected to it
   * (a Falco / Tetragon alert on the socket in that container, or a process of the container whose command line
   * names the socket or is the docker CLI), for {@link BindingExtractor#DOCKER_SOCKET_CLIENT_BOUND} after the
   * connection: a Docker API request the daemon logs in that bound (a container create through the mounted socket)
   * was that container's. Confidence 0.9 for a connect the sensor saw, 0.7 for a process that would connect.
   */
  DOCKERSOCK_CLIENT("dockersock", "container", 0.9f, false),
  /**
   * An EC2 instance's role credentials fetched from its instance metadata service by a pod ({@code
   * instance|pod:k8s:<cluster>/<ns/pod>|<instance id>} -> the pod {@code k8s:<cluster>} ns/name; before the instance is
   * known, {@code instance|node:k8s:<cluster>/<ns/pod>|<node name>}): a process of the pod whose command line (Tetragon exec / kprobe
   * args, Falco's {@code proc.cmdline}) or log line (a CRI / Docker log showing the curl) names IMDS's {@code
   * /latest/meta-data/iam/security-credentials/} path, from the fetch until the credentials can expire ({@link
   * ImdsCredentials#VALIDITY}). A fact (who held the node role's credentials when); no lookup reads it: {@link
   * ImdsCredentials} joins it with the instance role session's calls.
   */
  IMDS_FETCH("instance", "pod", 0.9f, false, false),
  /**
   * An instance role session's calls from one address outside the node ({@code session|from:<address>|<session
   * ARN>}) -> the pod that fetched the role's credentials from IMDS before them ({@link ImdsCredentials}): the only
   * pod whose fetch was in force then, for that interval; 0.6 (an inference from timing, below a stated binding's and
   * below {@code session_instance}'s naming convention). Several pods in force: one statement per candidate under
   * {@code session|ambiguous:<address>:<ns/pod>|<session ARN>}, a key no event asks (0.3, every candidate named in {@code
   * imds_candidates}): none wins.
   */
  SESSION_IMDS_POD("session", "pod", 0.6f, false),
  /** {@link #IMDS_FETCH} by a plain container (no pod: a Docker / Podman host on EC2), object {@code container||<id>}. */
  IMDS_FETCH_CONTAINER("instance", "container", 0.9f, false, false),
  /** {@link #SESSION_IMDS_POD} for a plain container that fetched the credentials. */
  SESSION_IMDS_CONTAINER("session", "container", 0.6f, false),
  /**
   * A container connected to a host's Docker socket (what {@link #DOCKERSOCK_CLIENT} was stated from until session
   * 13): a fact, no lookup reads it; {@link DockerSocketClients} turns each into the {@code dockersock_client} the
   * lookups hold, with a lowered confidence and every candidate named when other containers connected within the
   * same bound.
   */
  DOCKERSOCK_CONNECT("dockersock", "container", 0.9f, false, false),
  /**
   * A node's own private address -> the node (session 14): the API server's Node object ({@code status.addresses},
   * {@code InternalIP}, with the instance from {@code spec.providerID}) and every pod's {@code status.hostIP} on its
   * {@code spec.nodeName}. A flow to or from the node itself (the kubelet's port, a NodePort, the node's own egress)
   * then names the node, and its instance where the Node object stated one; a flow of one of the node's pods names
   * the pod first (the source's binding wins, this one fills only what is empty). Open until another node states the
   * address or the Node is deleted.
   */
  IP_NODE("ip", "node", 1.0f, false),
  /**
   * An access key a pod's role session created ({@code iam:CreateAccessKey}) -> that pod ({@code k8s:<cluster>}
   * ns/name), from the creation on, open: derived by {@link CreatedKeys} from the key's {@code accesskey_session} and
   * the session's {@code session_pod} holding at the creation, with the pod's attributes (node, service account, role)
   * and the creating session ({@code created_by_session}). Looked up at hop 1 under the key, which the key's calls
   * already ask: they name the pod, also after the session expired and the pod is gone.
   */
  ACCESSKEY_POD("accesskey", "pod", 0.9f, false),
  /**
   * A private address -> the EC2 instance whose attached network interface holds it (attributes: instance, interface,
   * VPC, account; the cluster and node when the instance is tagged as a cluster's node), from an EC2 inventory ({@code
   * aws ec2 describe-instances} / {@code describe-network-interfaces}, {@link Ec2Inventory}): an interface's primary
   * address from the instance's launch (device 0) or the interface's attachment, open; a secondary address (the VPC
   * CNI's pod addresses) from the inventory's collection, open. Held under the address's state key with the pods'.
   */
  IP_INSTANCE("ip", "instance", 1.0f, false),
  /**
   * A private address -> the network interface holding it when that interface is no instance's (a pod's branch
   * interface, an ECS {@code awsvpc} task's, a VPC endpoint's, a load balancer's), from an EC2 inventory.
   */
  IP_ENI("ip", "eni", 1.0f, false),
  /**
   * An EC2 instance ({@code instance||<id>}) -> the ECS cluster its tag {@code aws:ecs:clusterName} names (attribute
   * {@code ecs_cluster}), from its launch, open: looked up where an event's instance is (hops 1-2). A Kubernetes
   * node's cluster comes with its {@code node_instance} (indexed by the instance too).
   */
  INSTANCE_CLUSTER("instance", "cluster", 1.0f, false),
  /**
   * An access key an ECS task's role session created ({@code iam:CreateAccessKey} by {@code
   * assumed-role/<role>/<task id>}) -> that task's ARN, from the creation on, open: derived by {@link CreatedKeys} from
   * the key's {@code accesskey_session} and the task's {@code session_task} (task metadata, describe-tasks, v7 flows),
   * with the task's attributes (ENI, account, ECS cluster, definition). Looked up at hop 1 under the key (session 17).
   */
  ACCESSKEY_TASK("accesskey", "task", 0.8f, false),
  /**
   * An access key an EC2 instance role's session created ({@code assumed-role/<role>/<instance id>}) -> that instance,
   * from the creation on, open, stated by the creating call itself (the session's name is the instance id, the
   * convention {@code session_instance} reads), 0.8. Looked up at hop 1 under the key (session 17).
   */
  ACCESSKEY_INSTANCE("accesskey", "instance", 0.8f, false),
  /**
   * An IAM user access key's status as CloudTrail records its changes: {@code DeleteAccessKey} (object {@code
   * deleted}), {@code UpdateAccessKey} {@code Inactive} / {@code Active} ({@code inactive} / {@code active}), from the
   * call on. A fact (who changed the key when) that no lookup reads: {@link KeyStatus} closes the key's created-key
   * statements there and restates them with the status (session 17).
   */
  ACCESSKEY_STATUS("accesskey", "key_status", 1.0f, false, false),
  /**
   * An EC2 instance -> {@code terminated}, as an EC2 inventory lists it ({@code State.Name} terminated or
   * shutting-down), from the time its {@code StateTransitionReason} names (else the collection): a fact no lookup
   * reads; {@link InstanceEnds} closes the instance's {@code eni_instance} and {@code ip_instance} there (session 17).
   */
  INSTANCE_STATE("instance", "instance_state", 1.0f, false, false),
  /**
   * An IAM role session ({@code session||<assumed-role ARN>}) -> its role's ARN (attribute {@code iam_role}), from
   * always, open: a session ARN {@code arn:aws:sts::<account>:assumed-role/<role>/<name>} names one role for all time
   * (only the role's path is not in it). Stated from the {@code AssumeRole*} responses ({@code assumedRoleUser.arn},
   * the request's {@code roleArn}) and from every call's {@code userIdentity.sessionContext.sessionIssuer} (once per
   * session and extractor): a session's calls name their role in {@code enrichment.iam_role} also when nothing else
   * binds the session (a chained session in another account, fargate scenario). Looked up at hop 1 under the session,
   * which every call of an assumed-role session already asks (session 18).
   */
  SESSION_ROLE("session", "role", 1.0f, false),
  /**
   * Role chaining: a role session ({@code session||<new session ARN>}) -> the assumed-role session that called {@code
   * sts:AssumeRole} for it ({@code session||<caller's ARN>}), from the call until the new credentials expire, with the
   * new session's role and account and, when the caller is an EC2 instance role's session, its instance. Held by the
   * lookups under the new session; {@link SessionChains} joins it with the caller's {@code session_pod} / {@code
   * session_task} (and a caller's own chain) into the new session's, so its calls name the pod, task or instance whose
   * credentials started the chain (session 18).
   */
  SESSION_CHAIN("session", "session", 1.0f, false),
  /**
   * What an EC2 inventory's instance record lists as the instance's own ({@code instance||<id>} -> {@code listed},
   * attribute {@code ec2_listed}: its interfaces' ids and private addresses), at the collection: a record that lists its
   * {@code NetworkInterfaces} names all of them, whatever filter chose the instance. A fact no lookup reads: {@link
   * InstanceEnds} closes, at that collection, the earlier inventories' {@code eni_instance} / {@code ip_instance} of the
   * instance that it no longer lists (an upper bound of their end, confidence 0.5; session 18).
   */
  INSTANCE_LISTING("instance", "instance_listing", 1.0f, false, false);

  /** Whether this is an IMDS fetch fact (by a pod or by a plain container). */
  public boolean imdsFetch() {
    return this == IMDS_FETCH || this == IMDS_FETCH_CONTAINER;
  }

  private final String subjectType;
  private final String objectType;
  private final float confidence;
  private final boolean reverse;
  private final boolean lookup;
  private final String id;

  BindingKind(String subjectType, String objectType, float confidence, boolean reverse) {
    this(subjectType, objectType, confidence, reverse, true);
  }

  BindingKind(String subjectType, String objectType, float confidence, boolean reverse, boolean lookup) {
    this.subjectType = subjectType;
    this.objectType = objectType;
    this.confidence = confidence;
    this.reverse = reverse;
    this.lookup = lookup;
    this.id = name().toLowerCase(java.util.Locale.ROOT);
  }

  /**
   * Whether an event after the subject's observed end still resolves to its last object: a container id is never
   * reused, so what names a container after it ended (containerd's StopContainer / RemoveContainer results after the
   * TaskExit, a writable-layer listing collected later) is still that container's, in its pod, of its image and task.
   * An address, a pod name or a session does change hands: their ends stay ends.
   */
  public boolean keptAfterEnd() {
    return this == CONTAINER_POD || this == CONTAINER_IMAGE || this == CONTAINER_TASK;
  }

  /** How long a pod still answers for its node after its end (see {@link #afterEndMicros}). */
  public static final long POD_NODE_AFTER_END_MICROS = 5 * 60 * 1_000_000L;

  /**
   * How long after the subject's end (observed or stated) an event still resolves to its last object, in micros: a
   * pod's node ({@code pod_node}) for {@link #POD_NODE_AFTER_END_MICROS} (5 min), so a container's own lines right
   * after its pod's deletion (its teardown, an alert flushed late), which still name the pod through the container
   * ({@link #keptAfterEnd}), name its node too; a StatefulSet's next pod of the same name is a later start and answers
   * from its own start. Every other kind: not at all (an address or a session changes hands at its end).
   */
  public long afterEndMicros() {
    return this == POD_NODE ? POD_NODE_AFTER_END_MICROS : -1;
  }

  /** The wire name: {@code container_pod}, {@code ip_pod}, ... */
  public String id() {
    return id;
  }

  public String subjectType() {
    return subjectType;
  }

  public String objectType() {
    return objectType;
  }

  /** Default confidence of this kind (a source may state less, see the class doc). */
  public float confidence() {
    return confidence;
  }

  /** Whether the lookups hold bindings of this kind (see the class doc). */
  public boolean lookup() {
    return lookup;
  }

  /** Also indexed by the object's key (1:1 relations). */
  public boolean reverse() {
    return reverse;
  }

  private static final Map<String, BindingKind> BY_ID = new HashMap<>();

  static {
    for (BindingKind k : values()) {
      BY_ID.put(k.id, k);
    }
  }

  /** The kind of a wire name, or null. */
  public static BindingKind of(String id) {
    return BY_ID.get(id);
  }
}
