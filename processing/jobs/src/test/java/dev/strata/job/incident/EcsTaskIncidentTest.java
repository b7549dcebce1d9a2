package dev.strata.job.incident;

import static dev.strata.job.incident.CrossAccountIncidentTest.call;
import static dev.strata.job.incident.CrossAccountIncidentTest.inAccount;
import static dev.strata.job.incident.IncidentGrouperTest.base;
import static dev.strata.job.incident.IncidentGrouperTest.falco;
import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.schema.correlate.Incident;
import dev.strata.schema.correlate.TimelineRow;
import dev.strata.schema.event.Actor;
import dev.strata.schema.event.Api;
import dev.strata.schema.event.Cloud;
import dev.strata.schema.event.Endpoint;
import dev.strata.schema.event.Enrichment;
import dev.strata.schema.event.EvidenceEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * An ECS task's incident (events written for this test from the fields the ECS, CloudTrail, VPC Flow and Falco
 * parsers fill; see cli EcsIncidentPipelineIT for the whole story on the real stack): a Falco alert in the task's
 * container, then calls with the task role's credentials from outside, enriched with the task only in a later
 * revision (the session -> task binding arrived after the call); the ECS service's own AssumeRole of every task's
 * role; and a second task on the same container instance.
 */
class EcsTaskIncidentTest {
  static final String A = "444455556666";
  static final Instant T = Instant.parse("2026-11-21T10:00:00Z");
  static final String TASK1 = "arn:aws:ecs:eu-west-1:" + A + ":task/shop-prod/5f1c2a3b4d5e4f60a1b2c3d4e5f60718";
  static final String TASK2 = "arn:aws:ecs:eu-west-1:" + A + ":task/shop-prod/9a8b7c6d5e4f40312a1b0c9d8e7f6a5b";
  static final String SESSION1 = "arn:aws:sts::" + A + ":assumed-role/storefront-task-role/5f1c2a3b4d5e4f60a1b2c3d4e5f60718";
  static final String SESSION2 = "arn:aws:sts::" + A + ":assumed-role/storefront-task-role/9a8b7c6d5e4f40312a1b0c9d8e7f6a5b";
  static final String HOST = "i-0e1c5a11c0ffee001";

  static EvidenceEvent alert() {
    EvidenceEvent e = inAccount(falco("falco-miner", T.plusSeconds(390), "ip-10-20-0-15", "62dfdab12104", null), A);
    e.setKubernetes(null);
    e.setSeverityId(5);
    e.setEnrichment(Enrichment.newBuilder().setTaskUid(TASK1).setEniUid("eni-1").setAccountUid(A)
        .setEcsCluster("shop-prod").setEcsService("storefront-web").build());
    return e;
  }

  static final String EXEC_SESSION1 = "arn:aws:sts::" + A + ":assumed-role/ecsTaskExecutionRole/5f1c2a3b4d5e4f60a1b2c3d4e5f60718";

  /**
   * A call with a task's session from the NAT gateway's public address, resolved to the task with the roles its
   * definition names (hop 2, taskdef): the task role's (the workload's) or the execution role's (the ECS agent's).
   */
  static EvidenceEvent taskSessionCall(String id, int minute, String op, String session, String key) {
    EvidenceEvent e = call(id, minute, A, op, session, key, A, null);
    e.setTime(T.plusSeconds(60L * minute));
    e.getApi().setService(op.startsWith("Create") && op.contains("Log") ? "logs.amazonaws.com"
        : op.equals("GetCallerIdentity") ? "sts.amazonaws.com" : "ecr.amazonaws.com");
    e.setSrcEndpoint(Endpoint.newBuilder().setIp("203.0.113.140").build());
    e.setEnrichment(Enrichment.newBuilder().setTaskUid(TASK1).setEniUid("eni-1").setAccountUid(A)
        .setEcsCluster("shop-prod").setEcsService("storefront-web").setEcsTaskDefinition("storefront:7")
        .setEcsTaskRole("arn:aws:iam::" + A + ":role/storefront-task-role")
        .setEcsExecutionRole("arn:aws:iam::" + A + ":role/ecsTaskExecutionRole").setRevision(1).build());
    return e;
  }

  /** GetCallerIdentity with the task's credentials from a public address; enriched or not (its first revision). */
  static EvidenceEvent outside(boolean enriched) {
    EvidenceEvent e = call("ct-gci", 31, A, "GetCallerIdentity", SESSION1, "ASIATASK1", A, null);
    e.setTime(T.plusSeconds(31 * 60));
    e.setSrcEndpoint(Endpoint.newBuilder().setIp("198.51.100.77").build());
    if (enriched) {
      e.setEnrichment(Enrichment.newBuilder().setTaskUid(TASK1).setEniUid("eni-1").setAccountUid(A)
          .setEcsCluster("shop-prod").setRevision(1).build());
    }
    return e;
  }

  /** ECS (ecs-tasks.amazonaws.com) assuming a task's role with the task id as session name. */
  static EvidenceEvent vending(String id, int minute, String session) {
    EvidenceEvent e = inAccount(base(id, T.plusSeconds(60L * minute), "aws_cloudtrail"), A);
    e.setClassUid(6003);
    e.setActor(Actor.newBuilder().setUserName("ecs-tasks.amazonaws.com").setUserType("AWSService")
        .setGroups(List.of()).build());
    e.setApi(Api.newBuilder().setService("sts.amazonaws.com").setOperation("AssumeRole").build());
    e.setStatus("Success");
    e.getUnmapped().put("responseElements", CrossAccountIncidentTest.issued(session, "ASIA" + id.toUpperCase()));
    return e;
  }

  /** A VPC Flow record of a task's ENI on the shared container instance (custom format with instance-id). */
  static EvidenceEvent flow(String id, int minute, String eni, String task) {
    EvidenceEvent e = base(id, T.plusSeconds(60L * minute), "aws_vpc_flow");
    e.setCloud(Cloud.newBuilder().setProvider("aws").setAccountUid(A).setEniUid(eni).setInstanceUid(HOST).build());
    e.setSrcEndpoint(Endpoint.newBuilder().setIp("10.20.1.37").build());
    e.setDstEndpoint(Endpoint.newBuilder().setIp("192.0.2.44").build());
    e.setEnrichment(Enrichment.newBuilder().setTaskUid(task).setEniUid(eni).setAccountUid(A).build());
    return e;
  }

  @Test
  void aLaterRevisionOfACallJoinsItsTasksIncident() throws Exception {
    IncidentEngine engine = new IncidentEngine(IncidentSettings.defaults());
    InMemoryTenantStore store = new InMemoryTenantStore();
    engine.accept(store, alert());
    engine.accept(store, outside(false));
    List<Incident> first = engine.flush(store, "aws:" + A, Long.MIN_VALUE);
    assertThat(first).as("before the call knows its task: two incidents").hasSize(2);
    // the same event again, now enriched with the task: it replaces the member and the tenant regroups
    assertThat(engine.accept(store, outside(true))).isTrue();
    assertThat(engine.accept(store, outside(true))).as("the same revision again changes nothing").isFalse();
    List<Incident> after = engine.flush(store, "aws:" + A, Long.MIN_VALUE);
    List<Incident> open = after.stream().filter(i -> !"MERGED".equals(String.valueOf(i.getStatus()))).toList();
    assertThat(open).hasSize(1);
    assertThat(open.get(0).getTimeline()).extracting(TimelineRow::getEventId).containsExactly("falco-miner", "ct-gci");
    assertThat(after).as("the other id is merged into it").anyMatch(i -> "MERGED".equals(String.valueOf(i.getStatus())));
  }

  @Test
  void theEcsServiceAndTheContainerInstanceLinkNoTasks() throws Exception {
    List<EvidenceEvent> ev = new ArrayList<>();
    ev.add(vending("vend-1", -2, SESSION1));
    ev.add(alert());
    ev.add(flow("flow-1", 7, "eni-1", TASK1));
    ev.add(outside(true));
    ev.add(vending("vend-2", 30, SESSION2)); // the next task's credentials, the same service and role
    ev.add(flow("flow-2", 36, "eni-2", TASK2)); // the next task's ENI, on the same container instance
    // first revisions of flows, resolved to no task yet: they bind the ENIs to the instance their records name
    EvidenceEvent early1 = flow("flow-1-rev0", 8, "eni-1", TASK1);
    early1.setEnrichment(null);
    EvidenceEvent early2 = flow("flow-2-rev0", 37, "eni-2", TASK2);
    early2.setEnrichment(null);
    ev.add(early1);
    ev.add(early2);
    // the task's own evidence (describe-tasks) names its ENI: the ENI is the task's, not the host's
    for (String[] t : new String[][] {{"task-1", "eni-1", TASK1}, {"task-2", "eni-2", TASK2}}) {
      EvidenceEvent d = base(t[0], T.minusSeconds(100), "aws_ecs_task_metadata");
      d.setCloud(Cloud.newBuilder().setProvider("aws").setAccountUid(A).setEniUid(t[1]).setTaskUid(t[2]).build());
      ev.add(d);
    }
    List<Incident> incs = IncidentEngine.incidentsOf(ev, IncidentSettings.defaults());
    assertThat(incs).hasSize(1);
    Incident x = incs.get(0);
    assertThat(x.getTitle()).as("the task a responder knows (its service and cluster), not its container's Docker id")
        .startsWith("ECS task 5f1c2a3b4d5e4f60a1b2c3d4e5f60718 (service storefront-web, cluster shop-prod): ");
    assertThat(x.getEntities()).extracting(e -> e.getType() + ":" + e.getKey())
        .contains("ecs_cluster:shop-prod", "ecs_service:storefront-web").doesNotContain("cluster:shop-prod");
    assertThat(x.getTimeline()).extracting(TimelineRow::getEventId)
        .containsExactly("vend-1", "task-1", "falco-miner", "flow-1", "flow-1-rev0", "ct-gci");
    assertThat(x.getEntities()).extracting(e -> e.getType() + ":" + e.getKey())
        .contains("task:" + TASK1, "principal_system:ecs-tasks.amazonaws.com")
        .doesNotContain("task:" + TASK2, "session:" + SESSION2, "eni:eni-2", "principal:ecs-tasks.amazonaws.com");
  }

  @Test
  void theTasksExecutionRoleCallsAreItsInfrastructureNotTheWorkloadsNorSignalsNorPivots() throws Exception {
    // the ECS agent pulls the image and creates the log stream with the execution role's session (named after the
    // task id too) through the NAT gateway: a task session used from a public address, but not the workload's
    List<EvidenceEvent> ev = new ArrayList<>();
    ev.add(taskSessionCall("ecr-token", -2, "GetAuthorizationToken", EXEC_SESSION1, "ASIAEXEC1"));
    ev.add(taskSessionCall("ecr-pull", -2, "BatchGetImage", EXEC_SESSION1, "ASIAEXEC1"));
    ev.add(taskSessionCall("logs-stream", -1, "CreateLogStream", EXEC_SESSION1, "ASIAEXEC1"));
    ev.add(alert());
    ev.add(taskSessionCall("gci", 6, "GetCallerIdentity", SESSION1, "ASIATASK1"));
    SignalRules rules = SignalRules.defaults();
    assertThat(rules.judge(ev.get(0)).signal()).as("the agent's call from a public address is no signal").isNull();
    assertThat(rules.judge(ev.get(4)).signal()).as("the workload's is").isNotNull();
    EntityKeys.Extraction agent = EntityKeys.extract(ev.get(0));
    assertThat(agent.entities()).as("attributed to the task, as context").anyMatch(e -> e.type().equals("task")
        && e.key().equals(TASK1) && e.role().equals(Entity.CONTEXT)).noneMatch(Entity::pivot);
    assertThat(agent.bindings()).isEmpty();
    List<Incident> incs = IncidentEngine.incidentsOf(ev, IncidentSettings.defaults());
    assertThat(incs).hasSize(1);
    assertThat(incs.get(0).getTimeline()).extracting(TimelineRow::getEventId).containsExactly("gci", "falco-miner");
    assertThat(incs.get(0).getEntities()).extracting(e -> e.getType() + ":" + e.getKey())
        .doesNotContain("session:" + EXEC_SESSION1, "access_key:ASIAEXEC1");
    // one role serving as both: nothing tells the agent from the workload, the call is the workload's
    EvidenceEvent same = taskSessionCall("same-role", -2, "BatchGetImage", SESSION1, "ASIATASK1");
    same.getEnrichment().setEcsExecutionRole(same.getEnrichment().getEcsTaskRole());
    assertThat(dev.strata.correlate.EcsCredentials.executionRole(same)).isFalse();
    assertThat(dev.strata.correlate.EcsCredentials.executionRole(ev.get(1))).isTrue();
  }

  @Test
  void withoutTheDefinitionTheRolesUsageSaysWhichCallsAreTheAgents() throws Exception {
    // what the correlation job resolves without any task definition (role_ecs_use): the execution role's sessions
    // only pulled the image and read the injected secret (enrichment.ecs_execution_role alone); the task role was seen
    // doing a workload's work (enrichment.ecs_task_role alone)
    String execRole = "arn:aws:iam::" + A + ":role/ecsTaskExecutionRole";
    String taskRole = "arn:aws:iam::" + A + ":role/storefront-task-role";
    List<EvidenceEvent> ev = new ArrayList<>();
    for (EvidenceEvent e : List.of(
        taskSessionCall("pull", -2, "BatchGetImage", EXEC_SESSION1, "ASIAEXEC1"),
        taskSessionCall("token", -2, "GetAuthorizationToken", EXEC_SESSION1, "ASIAEXEC1"),
        taskSessionCall("secret-at-start", -1, "GetSecretValue", EXEC_SESSION1, "ASIAEXEC1"))) {
      e.getApi().setService(e.getApi().getOperation().equals("GetSecretValue") ? "secretsmanager.amazonaws.com"
          : "ecr.amazonaws.com");
      e.getEnrichment().setEcsTaskDefinition(null);
      e.getEnrichment().setEcsTaskRole(null);
      e.getEnrichment().setEcsExecutionRole(execRole);
      ev.add(e);
    }
    EvidenceEvent stolen = taskSessionCall("stolen-secret", 40, "GetSecretValue", SESSION1, "ASIATASK1");
    stolen.getApi().setService("secretsmanager.amazonaws.com");
    stolen.setSrcEndpoint(Endpoint.newBuilder().setIp("198.51.100.140").build());
    stolen.getEnrichment().setEcsTaskDefinition(null);
    stolen.getEnrichment().setEcsExecutionRole(null);
    stolen.getEnrichment().setEcsTaskRole(taskRole);
    ev.add(stolen);
    SignalRules rules = SignalRules.defaults();
    for (int i = 0; i < 3; i++) {
      assertThat(rules.judge(ev.get(i)).signal()).as(ev.get(i).getEventId()).isNull();
      assertThat(EntityKeys.extract(ev.get(i)).entities()).noneMatch(Entity::pivot);
    }
    assertThat(rules.judge(stolen).signal().reason()).isEqualTo("task_credentials_outside");
    List<Incident> incs = IncidentEngine.incidentsOf(ev, IncidentSettings.defaults());
    assertThat(incs).hasSize(1);
    assertThat(incs.get(0).getTimeline()).extracting(TimelineRow::getEventId).containsExactly("stolen-secret");
  }

  @Test
  void aFargateContainerIsItsOwnEntityNotItsTasksPrefix() {
    String fargate = "0c0ffee0c0ffee0c0ffee0c0ffee0c0f-1190384756";
    assertThat(EntityKeys.containerKey(fargate)).isEqualTo(fargate);
    assertThat(EntityKeys.containerKey("docker://62DFDAB12104246c148c97c5e4cc0465ad968f850e5439ca6cfa49a381c707cd"))
        .isEqualTo("62dfdab12104");
  }
}
