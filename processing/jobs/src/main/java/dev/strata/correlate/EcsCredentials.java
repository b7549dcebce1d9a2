package dev.strata.correlate;

import dev.strata.schema.event.Actor;
import dev.strata.schema.event.Enrichment;
import dev.strata.schema.event.EvidenceEvent;

/**
 * Which of an ECS task's two roles a call used. ECS assumes both with the task id as role session name
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html,
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html): the task role is the
 * workload's, the task execution role the ECS agent's (pulling the image from ECR, creating the log stream, reading
 * the secrets it injects). Both sessions resolve to the task ({@code session_task}); the session's issuer (CloudTrail
 * {@code userIdentity.sessionContext.sessionIssuer.arn}) against the roles the task's definition names
 * ({@code enrichment.ecs_task_role}, {@code ecs_execution_role}, from describe-task-definition / RegisterTaskDefinition, or a run's overrides) says which.
 */
public final class EcsCredentials {
  private EcsCredentials() {}

  /**
   * Whether {@code e} was made with its ECS task's execution role: infrastructure of the task (attributed to it, but
   * not the workload's action). False when the roles are unknown, or one role serves as both (nothing tells then).
   */
  public static boolean executionRole(EvidenceEvent e) {
    Actor a = e.getActor();
    Enrichment en = e.getEnrichment();
    String execution = en == null ? null : en.getEcsExecutionRole();
    if (a == null || execution == null) return false;
    String uid = a.getUserUid();
    if (LookupKeys.taskSession(uid) == null) return false;
    String role = a.getSessionIssuer() != null ? a.getSessionIssuer() : BindingExtractor.roleOf(uid);
    return execution.equals(role) && !execution.equals(en.getEcsTaskRole());
  }
}
