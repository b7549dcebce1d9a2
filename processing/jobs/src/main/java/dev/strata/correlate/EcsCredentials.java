package dev.strata.correlate;

import dev.strata.schema.event.Actor;
import dev.strata.schema.event.Enrichment;
import dev.strata.schema.event.EvidenceEvent;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Which of an ECS task's two roles a call used. ECS assumes both with the task id as role session name
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html,
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html): the task role is the
 * workload's, the task execution role the ECS agent's (pulling the image from ECR, creating the log stream, reading
 * the secrets it injects). Both sessions resolve to the task ({@code session_task}), so the session name cannot tell
 * them apart. Two sources of evidence say which:
 *
 * <ul>
 *   <li><b>the task's definition</b> (describe-task-definition, CloudTrail {@code RegisterTaskDefinition}, a run's
 *       overrides) names both roles ({@code enrichment.ecs_task_role}, {@code ecs_execution_role} through {@code
 *       taskdefinition_roles}): confidence 1.0;
 *   <li><b>what CloudTrail says of the role's calls</b> ({@link #roleUse}, stated per role as {@code role_ecs_use}):
 *       a call of a task-id session is the execution role's kind of call when it is one of {@link #EXECUTION_CALLS}
 *       (ECR's image pull, CloudWatch Logs' stream, a secret or parameter the agent injects); the agent's own user
 *       agent ({@code Amazon ECS Agent - v1.x (...) (+http://aws.amazon.com/ecs/)}, amazon-ecs-agent's {@code
 *       httpclient}; the awslogs driver of the container instance's dockerd: {@code Docker <version> (linux) ...}) or
 *       an ECS service source ({@code ecs.amazonaws.com}, {@code ecs-tasks.amazonaws.com}) say it is the agent's
 *       (0.9); without them, a role whose sessions only ever make such calls is taken as an execution role (0.7 for
 *       image pulls and log streams, 0.6 for a secret read from a private address within {@link #TASK_START} of
 *       the session's creation). Any other call -- or a secret read later than that -- is a workload's: the role is
 *       a task role, whatever else its sessions did (that statement wins at every time: {@link #TASK_ROLE_FROM}).
 * </ul>
 *
 * A call an AWS service made with the role on its behalf ({@code invokedBy} / {@code sourceIPAddress} a service
 * other than ECS: KMS {@code Decrypt} by Secrets Manager, SSM or ECR for a customer-managed key) says nothing.
 *
 * <p>Never hidden: a call that is not one of {@link #EXECUTION_CALLS} (even by the definition's execution role: the
 * agent never makes it), and any call of a role seen doing a workload's work. A task role's credentials are what a
 * container can read (the task credentials endpoint; the execution role's are the agent's alone): stolen ones used
 * to read a secret from an attacker's address, later than the task's start, make the role a task role, and the read
 * stays a signal. A secret read within {@link #TASK_START} from a public address says nothing on its own (a NAT
 * gateway's address, or an attacker's): it is hidden only when the role is otherwise known as the execution role.
 */
public final class EcsCredentials {
  private EcsCredentials() {}

  /**
   * The calls the ECS agent makes with a task's execution role, by CloudTrail {@code eventSource} -> {@code
   * eventName} (task_execution_IAM_role.html: ECR private registry pulls, the awslogs driver, Secrets Manager and SSM
   * Parameter Store secrets injected at start).
   */
  public static final Map<String, Set<String>> EXECUTION_CALLS =
      Map.of(
          "ecr.amazonaws.com",
          Set.of("GetAuthorizationToken", "BatchGetImage", "GetDownloadUrlForLayer", "BatchCheckLayerAvailability"),
          "logs.amazonaws.com", Set.of("CreateLogStream", "PutLogEvents", "CreateLogGroup"),
          "secretsmanager.amazonaws.com", Set.of("GetSecretValue"),
          "ssm.amazonaws.com", Set.of("GetParameters"));

  private static final Set<String> SECRET_SERVICES = Set.of("secretsmanager.amazonaws.com", "ssm.amazonaws.com");

  /** How long after its session's creation a secret read is the agent's injection at the task's start. */
  public static final Duration TASK_START = Duration.ofMinutes(5);

  /** Binding object keys of {@code role_ecs_use}. */
  public static final String EXECUTION = "execution_role";

  public static final String TASK = "task_role";

  /** Binding attribute naming why a {@code role_ecs_use} statement says what it says. */
  public static final String BASIS = "ecs_role_basis";

  /**
   * valid_from of a task-role statement (micros): one after {@link BindingExtractor#ALWAYS}, the execution-role
   * statements' start, so the lookups' walk back from any time meets it first: a role seen doing a workload's work is
   * a task role at every time, whatever order its calls arrive in.
   */
  public static final long TASK_ROLE_FROM = BindingExtractor.ALWAYS + 1;

  /** What one call says about the role of its task-id session: which use, why, and how sure. */
  public record RoleUse(String use, String basis, float confidence) {
    public boolean execution() {
      return EXECUTION.equals(use);
    }
  }

  /**
   * Whether {@code e} was made with its ECS task's execution role: infrastructure of the task (attributed to it, but
   * not the workload's action). Only a call of {@link #EXECUTION_CALLS} can be; then, in order: a role known as a
   * task role (definition or usage) is not; the definition's execution role is; a role whose usage alone says
   * execution is; a role nothing is known of is when the call itself bears the agent's marks ({@link
   * #agentMarked}). One role serving as both: nothing tells, the call is the workload's.
   */
  public static boolean executionRole(EvidenceEvent e) {
    return executionRoleConfidence(e) > 0f;
  }

  /**
   * The confidence that {@code e} is the execution role's call (0 when it is not taken as one, see {@link
   * #executionRole}): 1.0 from the task's definition, 0.9 from the agent's marks on the call, 0.7 from the role's
   * usage alone (0.6 for a secret read).
   */
  public static float executionRoleConfidence(EvidenceEvent e) {
    Actor a = e.getActor();
    if (a == null || LookupKeys.taskSession(a.getUserUid()) == null || !executionCall(e)) return 0f;
    String role = role(e);
    Enrichment en = e.getEnrichment();
    String execution = en == null ? null : en.getEcsExecutionRole();
    String task = en == null ? null : en.getEcsTaskRole();
    if (role == null) return 0f;
    if (role.equals(task)) return 0f;
    if (role.equals(execution)) {
      if (task != null) return 1.0f; // the definition (or a run's overrides) names the other role as the task's
      if (agentMarked(e)) return 0.9f;
      return secretCall(e) ? 0.6f : 0.7f;
    }
    return agentMarked(e) ? 0.9f : 0f;
  }

  /**
   * What a CloudTrail call of an ECS task's role session says about that role (null: nothing, or not such a call):
   * see the class doc.
   */
  public static RoleUse roleUse(EvidenceEvent e) {
    return roleUse(e, KnownCidrs.NONE);
  }

  /**
   * {@link #roleUse(EvidenceEvent)}, with the organisation's own ranges ({@code incident.known_cidrs}): a secret read
   * at the task's start from its NAT gateway's address is inside, as one from a private address.
   */
  public static RoleUse roleUse(EvidenceEvent e, KnownCidrs known) {
    if (!"aws_cloudtrail".equals(e.getSourceFormat()) || e.getApi() == null || e.getApi().getOperation() == null) {
      return null;
    }
    Actor a = e.getActor();
    if (a == null || LookupKeys.taskSession(a.getUserUid()) == null || role(e) == null) return null;
    // a call an AWS service made on the role's behalf (KMS Decrypt by Secrets Manager, SSM or ECR for an encrypted
    // secret, parameter or repository: invokedBy / sourceIPAddress the service) says nothing of who holds the role
    if (!agentMarked(e) && (awsService(a.getInvokedBy())
        || awsService(e.getSrcEndpoint() == null ? null : e.getSrcEndpoint().getDomain()))) {
      return null;
    }
    if (!executionCall(e)) return new RoleUse(TASK, "workload_call", 0.9f);
    if (agentMarked(e)) return new RoleUse(EXECUTION, "ecs_agent_call", 0.9f);
    if (!secretCall(e)) return new RoleUse(EXECUTION, "execution_calls_only", 0.7f);
    Boolean atStart = atTaskStart(e);
    if (atStart == null || !atStart) return new RoleUse(TASK, "secret_read_after_start", 0.8f);
    // at the start: the agent injecting it, or the workload reading it at boot; from a public address (a NAT gateway,
    // or an attacker) nothing tells
    return publicSource(e, known) ? null : new RoleUse(EXECUTION, "secret_read_at_task_start", 0.6f);
  }

  /** The IAM role of a call's session: its issuer as CloudTrail names it, else from the session ARN. */
  public static String role(EvidenceEvent e) {
    Actor a = e.getActor();
    if (a == null) return null;
    return a.getSessionIssuer() != null ? a.getSessionIssuer() : BindingExtractor.roleOf(nz(a.getUserUid()));
  }

  /** Whether the call is one of {@link #EXECUTION_CALLS} (by operation alone when the event names no service). */
  public static boolean executionCall(EvidenceEvent e) {
    if (e.getApi() == null || e.getApi().getOperation() == null) return false;
    String op = e.getApi().getOperation();
    String service = e.getApi().getService();
    if (service != null) {
      Set<String> ops = EXECUTION_CALLS.get(service.toLowerCase(Locale.ROOT));
      return ops != null && ops.contains(op);
    }
    for (Set<String> ops : EXECUTION_CALLS.values()) {
      if (ops.contains(op)) return true;
    }
    return false;
  }

  private static boolean secretCall(EvidenceEvent e) {
    String service = e.getApi().getService();
    if (service != null) return SECRET_SERVICES.contains(service.toLowerCase(Locale.ROOT));
    String op = e.getApi().getOperation();
    return "GetSecretValue".equals(op) || "GetParameters".equals(op);
  }

  /**
   * Whether the call bears the ECS agent's marks: its HTTP client's user agent ({@code Amazon ECS Agent - v...}), the
   * awslogs driver of the container instance's dockerd for a log call ({@code Docker <version> ...}), or an ECS
   * service as source or invoker.
   */
  public static boolean agentMarked(EvidenceEvent e) {
    String ua = e.getHttpRequest() == null ? null : e.getHttpRequest().getUserAgent();
    if (ua != null) {
      String l = ua.toLowerCase(Locale.ROOT);
      if (l.startsWith("amazon ecs agent") || l.contains("amazon-ecs-agent")) return true;
      String service = e.getApi().getService();
      boolean logs = service == null ? "CreateLogStream".equals(e.getApi().getOperation())
          || "PutLogEvents".equals(e.getApi().getOperation()) : service.equalsIgnoreCase("logs.amazonaws.com");
      if (logs && ua.startsWith("Docker ")) return true;
    }
    String source = e.getSrcEndpoint() == null ? null : e.getSrcEndpoint().getDomain();
    String invoker = e.getActor() == null ? null : e.getActor().getInvokedBy();
    return ecsService(source) || ecsService(invoker);
  }

  private static boolean awsService(String s) {
    return s != null && s.toLowerCase(Locale.ROOT).endsWith(".amazonaws.com");
  }

  private static boolean ecsService(String s) {
    return s != null && (s.equalsIgnoreCase("ecs.amazonaws.com") || s.equalsIgnoreCase("ecs-tasks.amazonaws.com"));
  }

  /** A public source address outside the organisation's own ranges. */
  private static boolean publicSource(EvidenceEvent e, KnownCidrs known) {
    String ip = e.getSrcEndpoint() == null ? null : e.getSrcEndpoint().getIp();
    return ip != null && !ip.isEmpty() && !LookupKeys.isPrivateIp(ip) && !known.contains(ip);
  }

  /**
   * Whether the call came within {@link #TASK_START} of its session's creation ({@code userIdentity.sessionContext
   * .attributes.creationDate}); null when the record does not say.
   */
  static Boolean atTaskStart(EvidenceEvent e) {
    String created = e.getUnmapped() == null ? null
        : e.getUnmapped().get("userIdentity.sessionContext.attributes.creationDate");
    if (created == null || e.getTime() == null) return null;
    try {
      Instant c = Instant.parse(created);
      return !e.getTime().isBefore(c.minusSeconds(60)) && !e.getTime().isAfter(c.plus(TASK_START));
    } catch (DateTimeParseException ex) {
      return null;
    }
  }

  private static String nz(String s) {
    return s == null ? "" : s;
  }
}
