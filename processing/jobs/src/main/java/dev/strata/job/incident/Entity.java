package dev.strata.job.incident;

import java.io.Serializable;

/**
 * One entity an event names: what it is, its normalized key, where that key is unique (display only), the part it
 * plays, and whether sharing it links events into one incident ({@code pivot}). Broad entities (cluster, account,
 * namespace, IAM role, image) are kept for the report but never link: every pod of a cluster shares them.
 */
public record Entity(String type, String key, String scope, String role, boolean pivot) implements Serializable {
  public static final String CLUSTER = "cluster";
  public static final String ACCOUNT = "account";
  public static final String NAMESPACE = "namespace";
  public static final String POD = "pod";
  public static final String CONTAINER = "container";
  public static final String NODE = "node";
  public static final String INSTANCE = "instance";
  public static final String TASK = "task";
  public static final String ENI = "eni";
  public static final String PRINCIPAL = "principal";
  public static final String SESSION = "session";
  public static final String ROLE = "role";
  public static final String ACCESS_KEY = "access_key";
  public static final String SERVICE_ACCOUNT = "service_account";
  public static final String IP = "ip";
  public static final String IMAGE = "image";
  /** An ECS cluster (context, like a Kubernetes cluster, but never one: since schema 6 they are apart). */
  public static final String ECS_CLUSTER = "ecs_cluster";
  /** An ECS service (context: every task of the service shares it). */
  public static final String ECS_SERVICE = "ecs_service";
  /**
   * The sensor output that carried host evidence naming no host (key: the artifact's SHA-256, scope: its origin):
   * one Falco log file is one Falco's alerts on one host, so its alerts link as alerts naming one node do
   * ({@link EntityKeys#SENSOR_OUTPUT}). It stands for the unnamed host, so it is shared by workloads as a node is.
   */
  public static final String SENSOR = "sensor";
  /**
   * A Docker container create request (key: the event id of the request dockerd logged): links the container it
   * made (the start call that tied it, {@code dockerd.created_by.event_id}) to the request and, through it, to the
   * request's client container when the correlation job found it ({@code EntityKeys}).
   */
  public static final String DOCKER_REQUEST = "docker_request";
  /**
   * A batch workload (key {@code Job/<ns>/<name>} or {@code CronJob/<ns>/<name>}): what the request that wrote it, the
   * Jobs its CronJob made and the pods its Jobs made share ({@code k8s.owner}, {@link EntityKeys}), so the pod a
   * CronJob runs joins the incident of whoever created the CronJob (CiRunnerEscapeScenarioIT).
   */
  public static final String BATCH_WORKLOAD = "batch_workload";
  /**
   * A DaemonSet (key {@code DaemonSet/<ns>/<name>}): the request that wrote it and every pod its controller made
   * ({@code k8s.owner}) share it, so the pods a stolen token's DaemonSet runs on every node join the incident of the
   * request that created it (DaemonSetEscalationScenarioIT). A DaemonSet's pods run one template, one per node: what one
   * of them does, all of them may; a Deployment's replicas are still not linked through their Deployment.
   */
  public static final String DAEMON_SET = "daemonset";
  /**
   * A client of a cluster's API server (or of a cloud API) known only by its source address (key {@code
   * <cluster>/<address>}, else {@code <account>/<address>}): what cluster and cloud evidence that names no entity of
   * its own says of who sent it (an anonymous request, a {@code system:*} request from an address that is no pod's).
   * Only such evidence carries it ({@link EntityKeys.ApiClient}), so it groups the probing of one API server from one
   * address and links nothing else; a public address outside {@code incident.known_cidrs} is an {@link #IP} too.
   */
  public static final String API_CLIENT = "api_client";

  public static final String TARGET = "target";
  public static final String ACTOR = "actor";
  public static final String SOURCE = "source";
  public static final String CONTEXT = "context";

  /** Identity inside a tenant: type and key (the scope is shown, not compared). */
  public String id() {
    return id(type, key);
  }

  public static String id(String type, String key) {
    return type + "|" + key;
  }

  /** The type part of an {@link #id()}. */
  public static String typeOf(String id) {
    return id.substring(0, id.indexOf('|'));
  }

  /** The key part of an {@link #id()}. */
  public static String keyOf(String id) {
    return id.substring(id.indexOf('|') + 1);
  }

  /** Whether entities of this type link events (see the class comment). */
  public static boolean pivotType(String type) {
    return switch (type) {
      case POD, CONTAINER, NODE, INSTANCE, TASK, ENI, PRINCIPAL, SESSION, ACCESS_KEY, SERVICE_ACCOUNT, IP, SENSOR,
          DOCKER_REQUEST, BATCH_WORKLOAD, DAEMON_SET, API_CLIENT -> true;
      default -> false;
    };
  }

  /** A workload: what runs (pod, container, ECS task). */
  public static boolean workloadType(String type) {
    return POD.equals(type) || CONTAINER.equals(type) || TASK.equals(type);
  }

  /**
   * An entity many workloads share: the node, its instance and ENI (every pod the node runs), a service account
   * (every replica of a deployment, on any node), an image (every container that runs it).
   */
  public static boolean sharedByWorkloads(String type) {
    return NODE.equals(type) || INSTANCE.equals(type) || ENI.equals(type) || SERVICE_ACCOUNT.equals(type)
        || SENSOR.equals(type) || IMAGE.equals(type);
  }

  /**
   * Whether a binding's upper end of this type is followed when a member's entities are expanded: the pivot types,
   * and the image a container runs. An image never links by itself (it is no pivot of the events that name it): only
   * a signal about the image alone (an SBOM or scan finding, whose image is its pivot: {@code Member.of}) is held by
   * it, and so joins the containers that ran the image, as a node-level signal joins the node's pods.
   */
  public static boolean expandsTo(String type) {
    return pivotType(type) || IMAGE.equals(type);
  }

  /** The role an entity of this type plays when it is derived through a binding. */
  public static String defaultRole(String type) {
    return switch (type) {
      case POD, CONTAINER, NODE, INSTANCE, TASK, ENI, SENSOR, BATCH_WORKLOAD, DAEMON_SET -> TARGET;
      case PRINCIPAL, SESSION, ROLE, ACCESS_KEY, SERVICE_ACCOUNT -> ACTOR;
      case IP, API_CLIENT -> SOURCE;
      default -> CONTEXT;
    };
  }
}
