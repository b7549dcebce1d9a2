package dev.strata.correlate;

import static dev.strata.correlate.CreatedKeysTest.b;
import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.schema.correlate.EntityBinding;
import dev.strata.schema.correlate.EntityRef;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link SessionChains}: a session obtained with sts:AssumeRole by a pod's or an ECS task's session is that pod's /
 * task's while it holds the caller, in either arrival order; a chain of chains through the stages; nothing outside
 * the root's hold.
 */
class SessionChainsTest {
  static final String S1 = "arn:aws:sts::111111111111:assumed-role/app/botocore-session-1";
  static final String S2 = "arn:aws:sts::222222222222:assumed-role/cross/hop-1";
  static final String S3 = "arn:aws:sts::333333333333:assumed-role/third/hop-2";
  static final String TASK_ID = "0123456789abcdef0123456789abcdef";
  static final String TASK_SESSION = "arn:aws:sts::111111111111:assumed-role/task-role/" + TASK_ID;
  static final String TASK = "arn:aws:ecs:us-east-1:111111111111:task/billing/" + TASK_ID;
  final BindingExtractor x = new BindingExtractor();

  static EntityBinding chain(String issued, String caller, String role, String at, String expires) {
    return b("session_chain", new EntityRef("session", issued, ""), new EntityRef("session", caller, ""), at, expires,
        Map.of(Attr.IAM_ROLE, role, Attr.ACCOUNT_UID, role.split(":")[4], CreatedKeys.CREATED_BY_SESSION, caller), 1.0f,
        "e-chain-" + issued.hashCode());
  }

  static EntityBinding pod() {
    return b("session_pod", new EntityRef("session", S1, ""), new EntityRef("pod", "ns/p", "k8s:prod"),
        "2026-11-20T10:00:00Z", "2026-11-20T11:00:00Z", Map.of(Attr.CLUSTER, "prod", Attr.NAMESPACE, "ns",
            Attr.POD_NAME, "p", Attr.NODE_NAME, "n1", Attr.IAM_ROLE, "arn:aws:iam::111111111111:role/app",
            Attr.ACCOUNT_UID, "111111111111", SessionPods.RULE, "token"), 0.7f, "e-pod");
  }

  /** Stage {@code stage}'s derivations from {@code statements} arriving in this order (as the keyed join sees them). */
  List<EntityBinding> run(int stage, List<EntityBinding> statements) {
    List<EntityBinding> out = new ArrayList<>();
    for (int i = 0; i < statements.size(); i++) {
      EntityBinding b = statements.get(i);
      String key = SessionChains.session(b, stage);
      if (key == null) continue;
      List<EntityBinding> same = statements.subList(0, i + 1).stream()
          .filter(o -> key.equals(SessionChains.session(o, stage))).toList();
      out.addAll(SessionChains.join(x, b, same, stage));
    }
    return out;
  }

  @Test
  void aChainedSessionGetsThePodOfItsCallerWithItsOwnRoleInEitherOrderAndAChainOfChainsThroughTheStages() {
    EntityBinding c2 = chain(S2, S1, "arn:aws:iam::222222222222:role/cross", "2026-11-20T10:06:00Z",
        "2026-11-20T11:06:00Z");
    EntityBinding c3 = chain(S3, S2, "arn:aws:iam::333333333333:role/third", "2026-11-20T10:09:00Z",
        "2026-11-20T11:09:00Z");
    List<EntityBinding> podFirst = run(1, List.of(pod(), c2, c3));
    List<EntityBinding> chainFirst = run(1, List.of(c3, c2, pod()));
    assertThat(podFirst).singleElement().satisfies(d -> {
      assertThat(d.getKind()).isEqualTo("session_pod");
      assertThat(d.getSubject().getKey()).isEqualTo(S2);
      assertThat(d.getObject().getKey()).isEqualTo("ns/p");
      assertThat(d.getValidFrom()).isEqualTo(Instant.parse("2026-11-20T10:06:00Z"));
      assertThat(d.getValidTo()).isEqualTo(Instant.parse("2026-11-20T11:06:00Z"));
      assertThat(d.getConfidence()).isEqualTo(0.7f);
      assertThat(d.getAttributes()).containsEntry(Attr.IAM_ROLE, "arn:aws:iam::222222222222:role/cross")
          .containsEntry(Attr.ACCOUNT_UID, "222222222222").containsEntry(Attr.NODE_NAME, "n1")
          .containsEntry(SessionPods.RULE, "token").containsEntry(SessionChains.DEPTH, "1")
          .containsEntry(CreatedKeys.CREATED_BY_SESSION, S1);
    });
    assertThat(chainFirst).extracting(EntityBinding::getBindingId)
        .containsExactly(podFirst.get(0).getBindingId());
    // stage 2 takes stage 1's derivation as S2's root: S3 gets the pod; stage 1's root is not taken again
    List<EntityBinding> second = run(2, List.of(pod(), c2, c3, podFirst.get(0)));
    assertThat(second).singleElement().satisfies(d -> {
      assertThat(d.getSubject().getKey()).isEqualTo(S3);
      assertThat(d.getObject().getKey()).isEqualTo("ns/p");
      assertThat(d.getAttributes()).containsEntry(SessionChains.DEPTH, "2")
          .containsEntry(Attr.IAM_ROLE, "arn:aws:iam::333333333333:role/third");
    });
  }

  @Test
  void aChainOutsideTheRootsHoldGetsNothingAndATaskSessionsChainGetsTheTask() {
    EntityBinding late = chain(S2, S1, "arn:aws:iam::222222222222:role/cross", "2026-11-20T11:00:00Z", null);
    assertThat(run(1, List.of(pod(), late))).as("at the caller's expiry").isEmpty();
    EntityBinding task = b("session_task", new EntityRef("session", TASK_ID, "aws:111111111111"),
        new EntityRef("task", TASK, ""), "1970-01-01T00:00:00Z", null,
        Map.of(Attr.TASK_UID, TASK, Attr.ECS_TASK_ROLE, "arn:aws:iam::111111111111:role/task-role",
            Attr.ACCOUNT_UID, "111111111111"), 0.8f, "e-task");
    EntityBinding c = chain(S2, TASK_SESSION, "arn:aws:iam::222222222222:role/cross", "2026-11-20T10:06:00Z",
        "2026-11-20T11:06:00Z");
    assertThat(SessionChains.session(c, 1)).isEqualTo(SessionChains.session(task, 1));
    assertThat(run(1, List.of(c, task))).singleElement().satisfies(d -> {
      assertThat(d.getKind()).isEqualTo("session_task");
      assertThat(d.getSubject().getScope() + "|" + d.getSubject().getKey()).isEqualTo("|" + S2);
      assertThat(d.getObject().getKey()).isEqualTo(TASK);
      assertThat(d.getAttributes()).containsEntry(Attr.TASK_UID, TASK)
          .doesNotContainKey(Attr.ECS_TASK_ROLE).containsEntry(Attr.IAM_ROLE, "arn:aws:iam::222222222222:role/cross");
      assertThat(CreatedKeys.session(d)).as("a key S2 created meets it").isEqualTo(S2);
    });
  }
}
