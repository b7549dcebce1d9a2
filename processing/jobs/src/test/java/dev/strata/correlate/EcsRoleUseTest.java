package dev.strata.correlate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.schema.correlate.EntityBinding;
import dev.strata.schema.event.Actor;
import dev.strata.schema.event.Api;
import dev.strata.schema.event.Cloud;
import dev.strata.schema.event.Endpoint;
import dev.strata.schema.event.Enrichment;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.event.HttpRequest;
import dev.strata.schema.event.Lineage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * An ECS task's execution role told from its task role without the task's definition: what CloudTrail says of each
 * call of the role's task-id sessions ({@link EcsCredentials#roleUse}, {@code role_ecs_use}), decided per role by the
 * lookups (a role seen doing a workload's work is a task role), and what a call then is ({@link
 * EcsCredentials#executionRole}).
 */
class EcsRoleUseTest {
  static final String A = "121212121212";
  static final String TASK_ID = "7e1d9c3b5a2f4e6d8c0b1a2f3e4d5c6b";
  static final String EXEC = "arn:aws:iam::" + A + ":role/ledger-execution-role";
  static final String TASKROLE = "arn:aws:iam::" + A + ":role/ledger-task-role";
  static final Instant CREATED = Instant.parse("2026-11-21T11:00:00Z");
  static final String SDK = "aws-sdk-go/1.55.5 (go1.22.7; linux; amd64)";
  static final String AGENT = "Amazon ECS Agent - v1.89.2 (3b0e4b1a) (linux; amzn2023) (+http://aws.amazon.com/ecs/)";
  static final String CLI = "aws-cli/2.17.20 md/awscrt#0.20.11 ua/2.0 os/linux#6.5.0 md/arch#x86_64 lang/python#3.11.9";

  final BindingExtractor x = new BindingExtractor();

  static EvidenceEvent call(String id, String role, String service, String op, int secondsAfterCreation, String ip,
      String userAgent) {
    EvidenceEvent e = new EvidenceEvent();
    e.setEventId(id);
    e.setSourceFormat("aws_cloudtrail");
    e.setClassUid(6003);
    e.setTime(CREATED.plusSeconds(secondsAfterCreation));
    e.setUnmapped(new HashMap<>());
    e.getUnmapped().put("userIdentity.sessionContext.attributes.creationDate", CREATED.toString());
    e.setResources(new ArrayList<>());
    e.setLineage(Lineage.newBuilder().setArtifactSha256("ab".repeat(32)).setByteOffset(0).setChunkIndex(0)
        .setRecordIndex(0L).setSourceType("aws_cloudtrail").setOrigin("o").build());
    String roleName = role.substring(role.lastIndexOf('/') + 1);
    e.setActor(Actor.newBuilder().setUserUid("arn:aws:sts::" + A + ":assumed-role/" + roleName + "/" + TASK_ID)
        .setUserType("AssumedRole").setSessionIssuer(role).setAccountUid(A).setGroups(List.of()).build());
    e.setApi(Api.newBuilder().setService(service).setOperation(op).build());
    e.setCloud(Cloud.newBuilder().setProvider("aws").setAccountUid(A).build());
    e.setSrcEndpoint(ip.contains(".amazonaws.com") ? Endpoint.newBuilder().setDomain(ip).build()
        : Endpoint.newBuilder().setIp(ip).build());
    e.setHttpRequest(HttpRequest.newBuilder().setUserAgent(userAgent).build());
    return e;
  }

  EntityBinding use(EvidenceEvent e) {
    List<EntityBinding> l = x.extract(e).stream().filter(b -> b.getKind().equals("role_ecs_use")).toList();
    assertThat(l.size()).as("role_ecs_use of " + e.getEventId()).isLessThanOrEqualTo(1);
    return l.isEmpty() ? null : l.get(0);
  }

  @Test
  void eachCallOfATaskSessionSaysHowItsRoleIsUsed() {
    // the ECS agent (EC2 launch type): its own user agent
    EntityBinding agent = use(call("pull", EXEC, "ecr.amazonaws.com", "BatchGetImage", 10, "203.0.113.150", AGENT));
    assertThat(LookupKeys.of(agent)).containsExactly("session|ecs-role|" + EXEC);
    assertThat(agent.getObject().getKey()).isEqualTo("execution_role");
    assertThat(agent.getAttributes()).containsEntry("ecs_execution_role", EXEC)
        .containsEntry("ecs_role_basis", "ecs_agent_call");
    assertThat(agent.getConfidence()).isEqualTo(0.9f);
    assertThat(agent.getValidFrom()).as("a role's use holds always").isEqualTo(Instant.EPOCH);
    // dockerd's awslogs driver with the agent's credentials endpoint
    assertThat(use(call("logs", EXEC, "logs.amazonaws.com", "CreateLogStream", 20, "10.30.1.20",
        "Docker 25.0.5 (linux) aws-sdk-go/1.51.6 (go1.21.9; linux; amd64)")).getAttributes())
        .containsEntry("ecs_role_basis", "ecs_agent_call");
    // an image pull with a plain SDK user agent (no mark): the kind of call alone, less sure
    EntityBinding plain = use(call("token", EXEC, "ecr.amazonaws.com", "GetAuthorizationToken", 5, "203.0.113.150", SDK));
    assertThat(plain.getObject().getKey()).isEqualTo("execution_role");
    assertThat(plain.getAttributes()).containsEntry("ecs_role_basis", "execution_calls_only");
    assertThat(plain.getConfidence()).isEqualTo(0.7f);
    // a secret read at the task's start from a private address: the agent injecting it, or the app at boot
    EntityBinding secret = use(call("s1", EXEC, "secretsmanager.amazonaws.com", "GetSecretValue", 40, "10.30.1.20", SDK));
    assertThat(secret.getAttributes()).containsEntry("ecs_role_basis", "secret_read_at_task_start");
    assertThat(secret.getConfidence()).isEqualTo(0.6f);
    // ... from a public address (a NAT gateway or an attacker): says nothing
    assertThat(use(call("s2", EXEC, "secretsmanager.amazonaws.com", "GetSecretValue", 40, "198.51.100.99", SDK)))
        .isNull();
    // ... unless the address is in the organisation's own ranges (incident.known_cidrs: its NAT gateway): inside
    BindingExtractor withNat = new BindingExtractor(KnownCidrs.parse("198.51.100.96/29"));
    EvidenceEvent fromNat = call("s4", EXEC, "secretsmanager.amazonaws.com", "GetSecretValue", 40, "198.51.100.99", SDK);
    assertThat(withNat.extract(fromNat).stream().filter(b -> b.getKind().equals("role_ecs_use")).toList())
        .singleElement().satisfies(b -> assertThat(b.getAttributes())
            .containsEntry("ecs_role_basis", "secret_read_at_task_start"));
    BindingExtractor otherRange = new BindingExtractor(KnownCidrs.parse("192.0.2.0/24"));
    assertThat(otherRange.extract(fromNat)).noneMatch(b -> b.getKind().equals("role_ecs_use"));
    // a workload's calls: the role is a task role, and that statement wins at every time
    EntityBinding work = use(call("list", TASKROLE, "s3.amazonaws.com", "ListBuckets", 600, "198.51.100.99", CLI));
    assertThat(work.getObject().getKey()).isEqualTo("task_role");
    assertThat(work.getAttributes()).containsEntry("ecs_task_role", TASKROLE).containsEntry("ecs_role_basis",
        "workload_call");
    assertThat(work.getValidFrom()).isAfter(Instant.EPOCH);
    EntityBinding late = use(call("s3", TASKROLE, "secretsmanager.amazonaws.com", "GetSecretValue", 3600,
        "198.51.100.99", CLI));
    assertThat(late.getObject().getKey()).as("a secret read an hour after the credentials were issued")
        .isEqualTo("task_role");
    assertThat(late.getAttributes()).containsEntry("ecs_role_basis", "secret_read_after_start");
    // KMS Decrypt that Secrets Manager made with the execution role for a secret under a customer-managed key: says
    // nothing (it is no workload's call, nor the agent's own)
    EvidenceEvent decrypt = call("kms", EXEC, "kms.amazonaws.com", "Decrypt", 41, "secretsmanager.amazonaws.com", 
        "secretsmanager.amazonaws.com");
    decrypt.getActor().setInvokedBy("secretsmanager.amazonaws.com");
    assertThat(use(decrypt)).isNull();
    // not a task session (an EC2 instance role, an IAM user): nothing
    EvidenceEvent instance = call("i", EXEC, "ecr.amazonaws.com", "BatchGetImage", 10, "10.30.1.20", AGENT);
    instance.getActor().setUserUid("arn:aws:sts::" + A + ":assumed-role/ecsInstanceRole/i-0abc1234def567890");
    assertThat(use(instance)).isNull();
    // the call asks its role's use at hop 1
    EvidenceEvent ask = call("ask", EXEC, "ecr.amazonaws.com", "BatchGetImage", 10, "203.0.113.150", SDK);
    assertThat(LookupKeys.probes(1, ask, EnrichmentMerger.base(ask))).contains("session|ecs-role|" + EXEC,
        LookupKeys.taskSession(ask.getActor().getUserUid()));
  }

  @Test
  void aRoleSeenDoingAWorkloadsWorkIsATaskRoleWhateverTheOrder() {
    EvidenceEvent pull = call("pull", TASKROLE, "ecr.amazonaws.com", "BatchGetImage", 10, "203.0.113.150", SDK);
    EvidenceEvent list = call("list", TASKROLE, "s3.amazonaws.com", "ListBuckets", 600, "203.0.113.150", CLI);
    EvidenceEvent token = call("tok", TASKROLE, "ecr.amazonaws.com", "GetAuthorizationToken", 5, "203.0.113.150", SDK);
    List<EvidenceEvent> calls = new ArrayList<>(List.of(pull, list, token));
    for (int seed = 0; seed < 6; seed++) {
      Collections.shuffle(calls, new Random(seed));
      KeyState s = new KeyState();
      for (EvidenceEvent e : calls) s.add(Statements.entry(use(e)));
      for (long t : new long[] {0, 1, BindingExtractor.micros(pull.getTime())}) {
        List<Hit> h = s.resolve(t);
        if (t == 0) continue; // before the task-role statement's start (no event is that old)
        assertThat(h).hasSize(1);
        assertThat(h.get(0).attrs()).as("seed " + seed + " at " + t).containsEntry("ecs_task_role", TASKROLE)
            .doesNotContainKey("ecs_execution_role");
      }
    }
    // only the agent's kind of calls: an execution role
    KeyState exec = new KeyState();
    exec.add(Statements.entry(use(call("a", EXEC, "ecr.amazonaws.com", "BatchGetImage", 10, "203.0.113.150", SDK))));
    exec.add(Statements.entry(use(call("b", EXEC, "logs.amazonaws.com", "CreateLogStream", 15, "203.0.113.150", SDK))));
    assertThat(exec.size()).as("a restatement adds nothing").isEqualTo(1);
    assertThat(exec.resolve(BindingExtractor.micros(CREATED)).get(0).attrs()).containsEntry("ecs_execution_role", EXEC);
  }

  static EvidenceEvent enriched(EvidenceEvent e, String execution, String task) {
    e.setEnrichment(Enrichment.newBuilder().setEcsExecutionRole(execution).setEcsTaskRole(task).build());
    return e;
  }

  @Test
  void whatACallIsGivenWhatIsKnownOfItsRole() {
    // usage alone says execution: the agent's pull through the NAT gateway is its infrastructure
    EvidenceEvent pull = enriched(call("pull", EXEC, "ecr.amazonaws.com", "BatchGetImage", 10, "203.0.113.150", SDK),
        EXEC, null);
    assertThat(EcsCredentials.executionRoleConfidence(pull)).isEqualTo(0.7f);
    // ... and so is its secret read at the start through the NAT gateway (less sure)
    EvidenceEvent secret = enriched(call("s", EXEC, "secretsmanager.amazonaws.com", "GetSecretValue", 30,
        "203.0.113.150", SDK), EXEC, null);
    assertThat(EcsCredentials.executionRoleConfidence(secret)).isEqualTo(0.6f);
    // the stolen task role reading it later: its own statement made the role a task role (lookups: it wins)
    EvidenceEvent stolen = call("s", TASKROLE, "secretsmanager.amazonaws.com", "GetSecretValue", 3000,
        "198.51.100.99", CLI);
    assertThat(EcsCredentials.roleUse(stolen).use()).isEqualTo(EcsCredentials.TASK);
    assertThat(EcsCredentials.executionRole(enriched(stolen, null, TASKROLE))).isFalse();
    // ... unless the agent's marks are on it
    EvidenceEvent agentSecret = enriched(call("s", EXEC, "secretsmanager.amazonaws.com", "GetSecretValue", 30,
        "203.0.113.150", AGENT), EXEC, null);
    assertThat(EcsCredentials.executionRoleConfidence(agentSecret)).isEqualTo(0.9f);
    // the definition names both roles: sure
    assertThat(EcsCredentials.executionRoleConfidence(enriched(call("s", EXEC, "secretsmanager.amazonaws.com",
        "GetSecretValue", 30, "198.51.100.99", SDK), EXEC, TASKROLE))).isEqualTo(1.0f);
    // a call the agent never makes is never hidden, not even the definition's execution role's
    assertThat(EcsCredentials.executionRole(enriched(call("l", EXEC, "s3.amazonaws.com", "ListBuckets", 30,
        "198.51.100.99", CLI), EXEC, TASKROLE))).isFalse();
    // a role known as a task role: its image pull is the workload's
    assertThat(EcsCredentials.executionRole(enriched(call("p", TASKROLE, "ecr.amazonaws.com", "BatchGetImage", 10,
        "203.0.113.150", AGENT), null, TASKROLE))).isFalse();
    // nothing known of the role (no correlation yet): the agent's marks on the call, else the workload's
    assertThat(EcsCredentials.executionRoleConfidence(call("m", EXEC, "ecr.amazonaws.com", "BatchGetImage", 10,
        "203.0.113.150", AGENT))).isEqualTo(0.9f);
    assertThat(EcsCredentials.executionRole(call("m", EXEC, "ecr.amazonaws.com", "BatchGetImage", 10,
        "203.0.113.150", SDK))).isFalse();
  }
}
