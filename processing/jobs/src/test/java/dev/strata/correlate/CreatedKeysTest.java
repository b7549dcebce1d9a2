package dev.strata.correlate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.schema.correlate.BindingLineage;
import dev.strata.schema.correlate.EntityBinding;
import dev.strata.schema.correlate.EntityRef;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link CreatedKeys}: a created key meets the pod that held its creating session at the creation, in either order. */
class CreatedKeysTest {
  static final String SESSION = "arn:aws:sts::111111111111:assumed-role/r/s";
  final BindingExtractor x = new BindingExtractor();

  static EntityBinding b(String kind, EntityRef s, EntityRef o, String from, String to, Map<String, String> attrs,
      float confidence, String eventId) {
    return EntityBinding.newBuilder().setBindingId(eventId + kind).setKind(kind).setSubject(s).setObject(o)
        .setAttributes(attrs).setValidFrom(Instant.parse(from)).setValidTo(to == null ? null : Instant.parse(to))
        .setConfidence(confidence).setSourceFormat("aws_cloudtrail")
        .setLineage(new BindingLineage(eventId, "a".repeat(64), 0L, 1L, 0L)).build();
  }

  static EntityBinding key(String created) {
    return b("accesskey_session", new EntityRef("accesskey", "AKIA1", ""), new EntityRef("session", SESSION, ""), created,
        null, Map.of(Attr.IAM_ROLE, "arn:aws:iam::111111111111:role/r", BindingExtractor.CREATED_KEY_USER, "u"), 0.9f,
        "e-key");
  }

  static EntityBinding pod(String from, String to) {
    return b("session_pod", new EntityRef("session", SESSION, ""), new EntityRef("pod", "ns/p", "k8s:prod"), from, to,
        Map.of(Attr.CLUSTER, "prod", Attr.NAMESPACE, "ns", Attr.POD_NAME, "p", Attr.NODE_NAME, "n1",
            SessionPods.RULE, "address"), 0.7f, "e-pod");
  }

  @Test
  void theKeyGetsThePodHoldingTheSessionAtItsCreationWhicheverArrivesFirst() {
    EntityBinding k = key("2026-11-20T10:05:00Z");
    EntityBinding p = pod("2026-11-20T10:02:00Z", "2026-11-20T11:02:00Z");
    List<EntityBinding> keyLast = CreatedKeys.join(x, k, List.of(p, k));
    List<EntityBinding> podLast = CreatedKeys.join(x, p, List.of(k, p));
    assertThat(keyLast).hasSize(1);
    assertThat(podLast).extracting(EntityBinding::getBindingId).containsExactly(keyLast.get(0).getBindingId());
    EntityBinding d = keyLast.get(0);
    assertThat(d.getKind()).isEqualTo("accesskey_pod");
    assertThat(d.getSubject().getKey()).isEqualTo("AKIA1");
    assertThat(d.getObject().getKey()).isEqualTo("ns/p");
    assertThat(d.getValidFrom()).isEqualTo(Instant.parse("2026-11-20T10:05:00Z"));
    assertThat(d.getValidTo()).as("open: the key outlives the session").isNull();
    assertThat(d.getConfidence()).as("the weaker of the two").isEqualTo(0.7f);
    assertThat(d.getAttributes()).containsEntry(Attr.NODE_NAME, "n1").containsEntry(CreatedKeys.CREATED_BY_SESSION, SESSION)
        .containsEntry(Attr.IAM_ROLE, "arn:aws:iam::111111111111:role/r").containsEntry(SessionPods.RULE, "address");
  }

  @Test
  void aKeyCreatedOutsideThePodsHoldOfTheSessionGetsNothing() {
    EntityBinding p = pod("2026-11-20T10:02:00Z", "2026-11-20T11:02:00Z");
    assertThat(CreatedKeys.join(x, key("2026-11-20T10:01:00Z"), List.of(p))).as("before the session").isEmpty();
    assertThat(CreatedKeys.join(x, key("2026-11-20T11:02:00Z"), List.of(p))).as("at its expiry").isEmpty();
    EntityBinding other = EntityBinding.newBuilder(p).setSubject(new EntityRef("session", SESSION + "2", "")).build();
    assertThat(CreatedKeys.join(x, key("2026-11-20T10:05:00Z"), List.of(other))).as("another session").isEmpty();
    EntityBinding notCreated = EntityBinding.newBuilder(key("2026-11-20T10:05:00Z")).setAttributes(Map.of()).build();
    assertThat(CreatedKeys.session(notCreated)).as("a session's own key (STS's) joins nothing").isNull();
  }
}
