package dev.strata.parse;

import dev.strata.schema.event.Ecs;

/**
 * Amazon ECS names out of the ARNs and fields the ECS evidence writes (task metadata, describe-tasks,
 * describe-task-definition, VPC Flow v7 {@code ecs-*} fields), for the {@code ecs} record: one reading for the
 * parsers and the correlation job. ARN formats: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-account-settings.html
 * ({@code arn:aws:ecs:<region>:<account>:task/<cluster>/<id>}, the old {@code task/<id>}),
 * {@code cluster/<name>}, {@code task-definition/<family>:<revision>}.
 */
public final class EcsNames {
  private EcsNames() {}

  /**
   * The cluster's name: the last part of its ARN, the name as given, else the cluster part of a task ARN of the
   * current format ({@code task/<cluster>/<id>}); or null.
   */
  public static String clusterName(String clusterArnOrName, String taskArn) {
    if (clusterArnOrName != null && !clusterArnOrName.isEmpty()) {
      int slash = clusterArnOrName.indexOf(":cluster/");
      return slash >= 0 ? clusterArnOrName.substring(slash + ":cluster/".length()) : clusterArnOrName;
    }
    if (taskArn == null) return null;
    int t = taskArn.indexOf(":task/");
    int last = taskArn.lastIndexOf('/');
    return t >= 0 && last > t + 6 ? taskArn.substring(t + 6, last) : null;
  }

  /** {@code family:revision} of a task definition ARN ({@code ...:task-definition/storefront:7}), else as given. */
  public static String taskDefinition(String arnOrName) {
    if (arnOrName == null || arnOrName.isEmpty()) return null;
    int p = arnOrName.indexOf(":task-definition/");
    return p >= 0 ? arnOrName.substring(p + ":task-definition/".length()) : arnOrName;
  }

  /**
   * The ARN of task definition {@code familyRevision} in the region and account of {@code ecsArn} (a task ARN:
   * {@code arn:aws:ecs:<region>:<account>:task/...}), or null; an ARN given as {@code familyRevision} is returned.
   */
  public static String taskDefinitionArn(String ecsArn, String familyRevision) {
    if (familyRevision == null || familyRevision.isEmpty()) return null;
    if (familyRevision.startsWith("arn:")) return familyRevision;
    if (ecsArn == null || !ecsArn.startsWith("arn:")) return null;
    String[] p = ecsArn.split(":", 6);
    if (p.length < 6 || !p[2].equals("ecs") || p[3].isEmpty() || p[4].isEmpty()) return null;
    return p[0] + ":" + p[1] + ":ecs:" + p[3] + ":" + p[4] + ":task-definition/" + familyRevision;
  }

  /** The service of a describe-tasks {@code group} ({@code service:<name>}; {@code family:<name>} is no service). */
  public static String serviceOfGroup(String group) {
    return group != null && group.startsWith("service:") && group.length() > 8 ? group.substring(8) : null;
  }

  /**
   * An {@code ecs} record ({@code clusterArnOrName}: what the evidence names, an ARN or a bare name); null when
   * nothing is known.
   */
  public static Ecs ecs(String clusterArnOrName, String taskArn, String taskDefinition, String service,
      String launchType) {
    if (clusterArnOrName == null && taskArn == null && taskDefinition == null) return null;
    Ecs e = new Ecs();
    if (clusterArnOrName != null && clusterArnOrName.startsWith("arn:")) e.setClusterArn(clusterArnOrName);
    e.setClusterName(clusterName(clusterArnOrName, taskArn));
    e.setTaskArn(taskArn);
    e.setTaskDefinition(taskDefinition(taskDefinition));
    e.setService(service);
    e.setLaunchType(launchType);
    return e;
  }
}
