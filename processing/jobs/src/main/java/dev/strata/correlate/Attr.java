package dev.strata.correlate;

import dev.strata.schema.event.Enrichment;
import java.util.List;

/**
 * Attribute names of bindings: the {@link Enrichment} fields a binding can fill, in a fixed order (the code of an
 * attribute in compact state is its index here). Binding attributes with other names stay on the binding record but
 * are not kept in the correlation state.
 */
public final class Attr {
  public static final String CLUSTER = "cluster";
  public static final String NAMESPACE = "namespace";
  public static final String POD_NAME = "pod_name";
  public static final String POD_UID = "pod_uid";
  public static final String NODE_NAME = "node_name";
  public static final String CONTAINER_UID = "container_uid";
  public static final String CONTAINER_NAME = "container_name";
  public static final String IMAGE_UID = "image_uid";
  public static final String IMAGE_DIGEST = "image_digest";
  public static final String SERVICE_ACCOUNT = "service_account";
  public static final String IAM_ROLE = "iam_role";
  public static final String TASK_UID = "task_uid";
  public static final String INSTANCE_UID = "instance_uid";
  public static final String ENI_UID = "eni_uid";
  public static final String ACCOUNT_UID = "account_uid";
  public static final String VPC_UID = "vpc_uid";
  /** ECS (enrichment.ecs_*): an ECS cluster is no Kubernetes cluster, so never {@link #CLUSTER}. */
  public static final String ECS_CLUSTER = "ecs_cluster";
  public static final String ECS_SERVICE = "ecs_service";
  public static final String ECS_TASK_DEFINITION = "ecs_task_definition";
  public static final String ECS_LAUNCH_TYPE = "ecs_launch_type";
  public static final String ECS_TASK_ROLE = "ecs_task_role";
  public static final String ECS_EXECUTION_ROLE = "ecs_execution_role";

  /** Codes: index in this list. Never reorder (the order is part of checkpointed state); append only. */
  public static final List<String> ALL =
      List.of(
          CLUSTER, NAMESPACE, POD_NAME, POD_UID, NODE_NAME, CONTAINER_UID, CONTAINER_NAME, IMAGE_UID,
          IMAGE_DIGEST, SERVICE_ACCOUNT, IAM_ROLE, TASK_UID, INSTANCE_UID, ENI_UID, ACCOUNT_UID, VPC_UID,
          ECS_CLUSTER, ECS_SERVICE, ECS_TASK_DEFINITION, ECS_LAUNCH_TYPE, ECS_TASK_ROLE,
          ECS_EXECUTION_ROLE);

  private Attr() {}

  /** The bit mask of attribute codes of {@code names}. */
  public static int mask(String... names) {
    int m = 0;
    for (String n : names) m |= 1 << code(n);
    return m;
  }

  /** The code of an attribute name, or -1. */
  public static int code(String name) {
    return ALL.indexOf(name);
  }

  /** Reads attribute {@code name} of an enrichment. */
  public static String get(Enrichment e, String name) {
    return switch (name) {
      case CLUSTER -> e.getCluster();
      case NAMESPACE -> e.getNamespace();
      case POD_NAME -> e.getPodName();
      case POD_UID -> e.getPodUid();
      case NODE_NAME -> e.getNodeName();
      case CONTAINER_UID -> e.getContainerUid();
      case CONTAINER_NAME -> e.getContainerName();
      case IMAGE_UID -> e.getImageUid();
      case IMAGE_DIGEST -> e.getImageDigest();
      case SERVICE_ACCOUNT -> e.getServiceAccount();
      case IAM_ROLE -> e.getIamRole();
      case TASK_UID -> e.getTaskUid();
      case INSTANCE_UID -> e.getInstanceUid();
      case ENI_UID -> e.getEniUid();
      case ACCOUNT_UID -> e.getAccountUid();
      case VPC_UID -> e.getVpcUid();
      case ECS_CLUSTER -> e.getEcsCluster();
      case ECS_SERVICE -> e.getEcsService();
      case ECS_TASK_DEFINITION -> e.getEcsTaskDefinition();
      case ECS_LAUNCH_TYPE -> e.getEcsLaunchType();
      case ECS_TASK_ROLE -> e.getEcsTaskRole();
      case ECS_EXECUTION_ROLE -> e.getEcsExecutionRole();
      default -> null;
    };
  }

  /** Sets attribute {@code name} of an enrichment. */
  public static void set(Enrichment e, String name, String v) {
    switch (name) {
      case CLUSTER -> e.setCluster(v);
      case NAMESPACE -> e.setNamespace(v);
      case POD_NAME -> e.setPodName(v);
      case POD_UID -> e.setPodUid(v);
      case NODE_NAME -> e.setNodeName(v);
      case CONTAINER_UID -> e.setContainerUid(v);
      case CONTAINER_NAME -> e.setContainerName(v);
      case IMAGE_UID -> e.setImageUid(v);
      case IMAGE_DIGEST -> e.setImageDigest(v);
      case SERVICE_ACCOUNT -> e.setServiceAccount(v);
      case IAM_ROLE -> e.setIamRole(v);
      case TASK_UID -> e.setTaskUid(v);
      case INSTANCE_UID -> e.setInstanceUid(v);
      case ENI_UID -> e.setEniUid(v);
      case ACCOUNT_UID -> e.setAccountUid(v);
      case VPC_UID -> e.setVpcUid(v);
      case ECS_CLUSTER -> e.setEcsCluster(v);
      case ECS_SERVICE -> e.setEcsService(v);
      case ECS_TASK_DEFINITION -> e.setEcsTaskDefinition(v);
      case ECS_LAUNCH_TYPE -> e.setEcsLaunchType(v);
      case ECS_TASK_ROLE -> e.setEcsTaskRole(v);
      case ECS_EXECUTION_ROLE -> e.setEcsExecutionRole(v);
      default -> {}
    }
  }
}
