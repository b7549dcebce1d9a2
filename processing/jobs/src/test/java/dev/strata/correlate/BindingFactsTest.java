package dev.strata.correlate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.schema.correlate.BindingEvidence;
import dev.strata.schema.correlate.BindingLineage;
import dev.strata.schema.correlate.EntityBinding;
import dev.strata.schema.correlate.EntityRef;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Statements -> facts: one record per (object, interval) with the statements merged, the same for every arrival
 * order. Statements are written here the way {@link BindingExtractor} states them (an ip -> pod per audit status
 * patch, a Falco alert, a delete as a closing statement).
 */
class BindingFactsTest {
  static final String DAY = "2026-11-20T";

  static EntityBinding start(String id, String pod, String time, String format) {
    return statement(id, "ip_pod", pod, time, null, false, format);
  }

  static EntityBinding end(String id, String pod, String time) {
    return statement(id, "ip_pod", pod, time, time, true, "k8s_audit");
  }

  static EntityBinding statement(String id, String kind, String object, String from, String to, boolean endObserved,
      String format) {
    return EntityBinding.newBuilder()
        .setBindingId(id.repeat(64 / id.length()))
        .setKind(kind)
        .setSubject(new EntityRef("ip", "10.0.1.57", "aws:111111111111"))
        .setObject(new EntityRef("pod", object, "k8s:prod"))
        .setAttributes(Map.of("pod_name", object.substring(object.indexOf('/') + 1), "source", format))
        .setValidFrom(Instant.parse(DAY + from + "Z"))
        .setValidTo(to == null ? null : Instant.parse(DAY + to + "Z"))
        .setEndObserved(endObserved)
        .setConfidence(format.equals("falco_alert") ? 0.9f : 1.0f)
        .setSourceFormat(format)
        .setLineage(new BindingLineage("e" + id, "a".repeat(64), (long) (id.hashCode() & 0xffff), 1L, null))
        .build();
  }

  /** The IP of payments/api-7d9f stated three times, closed by its delete, then reused by shop/web-1. */
  static List<EntityBinding> story() {
    return List.of(
        start("01", "payments/api-7d9f", "10:00:00", "k8s_audit"),
        start("02", "payments/api-7d9f", "10:02:00", "falco_alert"),
        start("03", "payments/api-7d9f", "10:05:00", "k8s_audit"),
        end("04", "payments/api-7d9f", "10:10:00"),
        start("05", "shop/web-1", "10:12:00", "k8s_audit"),
        start("06", "shop/web-1", "10:14:00", "k8s_audit"));
  }

  @Test
  void restatementsOfOneIntervalAreOneFactWithTheirEvidenceMerged() {
    List<BindingFacts.Fact> f = new BindingFacts().facts(story());
    assertThat(f).hasSize(2);
    EntityBinding api = f.get(0).binding();
    assertThat(api.getObject().getKey()).isEqualTo("payments/api-7d9f");
    assertThat(api.getValidFrom()).isEqualTo(Instant.parse(DAY + "10:00:00Z"));
    assertThat(api.getValidTo()).isEqualTo(Instant.parse(DAY + "10:10:00Z"));
    assertThat(api.getEndObserved()).isTrue();
    assertThat(api.getEvidenceCount()).isEqualTo(4);
    assertThat(api.getEvidence()).extracting(BindingEvidence::getSourceFormat)
        .containsExactly("k8s_audit", "falco_alert", "k8s_audit", "k8s_audit");
    assertThat(api.getEvidence().get(3).getClosing()).isTrue();
    assertThat(api.getConfidence()).isEqualTo(1.0f);
    assertThat(api.getLineage().getEventId()).isEqualTo("e01");
    assertThat(api.getAttributes()).containsEntry("source", "k8s_audit"); // the earliest statement's
    EntityBinding web = f.get(1).binding();
    assertThat(web.getObject().getKey()).isEqualTo("shop/web-1");
    assertThat(web.getValidTo()).as("open until contradicted").isNull();
    assertThat(web.getEvidenceCount()).isEqualTo(2);
    assertThat(f.get(0).id()).isNotEqualTo(f.get(1).id()).hasSize(64);
    assertThat(f.get(0).statementIds()).hasSize(4);
  }

  @Test
  void everyArrivalOrderGivesTheSameFacts() {
    List<EntityBinding> all = new ArrayList<>(story());
    List<EntityBinding> expected = bindings(new BindingFacts().facts(all));
    Random r = new Random(5);
    for (int i = 0; i < 200; i++) {
      Collections.shuffle(all, r);
      List<EntityBinding> twice = new ArrayList<>(all);
      twice.add(all.get(0)); // a replayed statement counts once
      assertThat(bindings(new BindingFacts().facts(twice))).isEqualTo(expected);
    }
  }

  @Test
  void aLaterPodTakingTheAddressEndsTheFactWithoutObservingTheEnd() {
    List<BindingFacts.Fact> f = new BindingFacts().facts(List.of(
        start("01", "payments/api-7d9f", "10:00:00", "k8s_audit"),
        start("05", "shop/web-1", "10:12:00", "k8s_audit")));
    assertThat(f.get(0).binding().getValidTo()).isEqualTo(Instant.parse(DAY + "10:12:00Z"));
    assertThat(f.get(0).binding().getEndObserved()).isFalse();
  }

  @Test
  void anEarlierStatementArrivingLateMovesTheStartAndChangesTheFactId() {
    BindingFacts facts = new BindingFacts();
    List<EntityBinding> s = new ArrayList<>(List.of(start("03", "payments/api-7d9f", "10:05:00", "k8s_audit")));
    String before = facts.facts(s).get(0).id();
    s.add(start("01", "payments/api-7d9f", "10:00:00", "k8s_audit"));
    List<BindingFacts.Fact> after = facts.facts(s);
    assertThat(after).singleElement().satisfies(x -> {
      assertThat(x.id()).isNotEqualTo(before);
      assertThat(x.binding().getValidFrom()).isEqualTo(Instant.parse(DAY + "10:00:00Z"));
    });
  }

  @Test
  void statedEndsAndAnEndWithoutItsStart() {
    List<BindingFacts.Fact> f = new BindingFacts().facts(List.of(
        statement("11", "ip_task", "task-1", "09:00:00", "09:30:00", true, "aws_ecs_task_metadata"),
        statement("12", "ip_task", "task-1", "09:40:00", "09:50:00", false, "aws_ecs_task_metadata"),
        statement("13", "ip_task", "task-2", "10:00:00", "10:00:00", true, "aws_ecs_task_metadata")));
    assertThat(f).hasSize(3);
    assertThat(f.get(0).binding().getEndObserved()).as("a stop time is evidence of the end").isTrue();
    assertThat(f.get(0).binding().getValidTo()).isEqualTo(Instant.parse(DAY + "09:30:00Z"));
    assertThat(f.get(1).binding().getEndObserved()).isFalse();
    EntityBinding orphan = f.get(2).binding();
    assertThat(orphan.getValidFrom()).isEqualTo(orphan.getValidTo());
    assertThat(BindingExtractor.isClosing(orphan)).isTrue();
  }

  static List<EntityBinding> bindings(List<BindingFacts.Fact> facts) {
    return facts.stream().map(BindingFacts.Fact::binding).toList();
  }
}
