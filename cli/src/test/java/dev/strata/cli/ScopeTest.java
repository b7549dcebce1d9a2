package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Indicator parsing and the search {@code strata scope} sends (no services). */
class ScopeTest {
  @Test
  void aServiceAccountIsOneSpellingAndMatchesWhatItDidAndThePodsRunningAsIt() {
    Scope.Indicator subject = new Scope.Indicator("service_account", "system:serviceaccount:payments:api-sa");
    assertThat(subject.value()).isEqualTo("payments/api-sa");
    assertThat(new Scope.Indicator("service_account", " payments/api-sa ").value()).isEqualTo("payments/api-sa");
    assertThatThrownBy(() -> new Scope.Indicator("service_account", "api-sa"))
        .hasMessageContaining("--service-account");
    String q = Scope.query(List.of(subject)).toString();
    assertThat(q).contains("{\"term\":{\"enrichment.service_account\":\"payments/api-sa\"}}")
        .contains("{\"term\":{\"actor.service_account\":\"payments/api-sa\"}}")
        .contains("{\"term\":{\"actor.user_name\":\"system:serviceaccount:payments:api-sa\"}}")
        .contains("{\"must\":[{\"term\":{\"kubernetes.namespace\":\"payments\"}},"
            + "{\"term\":{\"kubernetes.service_account\":\"api-sa\"}}]}")
        .doesNotContain("{\"term\":{\"kubernetes.service_account\":\"payments/api-sa\"}}");
  }

  /**
   * A service account's user name given as a principal finds the incidents that hold the account (entity {@code
   * service_account:<ns>/<name>}); before, only its events (KubectlDebugScenarioIT's leaked operator token).
   */
  @Test
  void aServiceAccountPrincipalFindsTheIncidentsHoldingTheAccount() {
    String q = Scope.incidentQuery(List.of(new Scope.Indicator("principal",
        "system:serviceaccount:platform:fleet-operator"))).toString();
    assertThat(q).contains("{\"term\":{\"entities.key\":\"platform/fleet-operator\"}}")
        .contains("{\"term\":{\"entities.key\":\"system:serviceaccount:platform:fleet-operator\"}}");
    assertThat(Scope.incidentQuery(List.of(new Scope.Indicator("principal", "alice"))).toString())
        .doesNotContain("/");
  }

  /** Falco's 12-character id and Tetragon's cgroup prefix of a container whose full id the enrichment names: one row. */
  /** An image digest also matches a pod's status in the audit log (EKS Fargate's only record of the pods' images). */
  @Test
  void anImageDigestMatchesThePodStatusesThatNameIt() {
    String q = Scope.query(List.of(new Scope.Indicator("image_digest", "sha256:4e1a"))).toString();
    assertThat(q).contains("{\"term\":{\"unmapped.k8s.pod.image_digest\":\"sha256:4e1a\"}}")
        .contains("{\"term\":{\"container.image_digest\":\"sha256:4e1a\"}}");
  }

  @Test
  void shortContainerIdsFoldIntoTheFullIdTheyStart() {
    String full = "c1ec" + "4b".repeat(30);
    String other = "c1ec4b4b4b4b" + "00".repeat(26);
    java.util.Map<String, com.fasterxml.jackson.databind.node.ObjectNode> rows = new java.util.TreeMap<>();
    for (String[] v : new String[][] {{full, "5", "2026-11-22T10:09:55Z"}, {full.substring(0, 31), "4", "2026-11-22T10:09:50Z"},
        {"a1b2c3d4e5f6", "1", "2026-11-22T10:00:00Z"}}) {
      var n = Scope.JSON.createObjectNode().put("value", v[0]).put("events", Long.parseLong(v[1])).put("first_seen", v[2])
          .put("last_seen", v[2]);
      n.putArray("fields").add("container.uid");
      n.putArray("evidence").addObject().put("event_id", "e-" + v[0].length());
      rows.put(v[0], n);
    }
    Scope.foldShortIds(rows, true);
    assertThat(rows.keySet()).containsExactly("a1b2c3d4e5f6", full);
    assertThat(rows.get(full).path("first_seen").asText()).isEqualTo("2026-11-22T10:09:50Z");
    assertThat(rows.get(full).path("events").asLong()).isEqualTo(5);
    assertThat(rows.get(full).path("evidence")).hasSize(2);
    // a 12-character id two full ids start is ambiguous: kept apart
    java.util.Map<String, com.fasterxml.jackson.databind.node.ObjectNode> two = new java.util.TreeMap<>();
    for (String v : List.of(full, other, full.substring(0, 12))) {
      var n = Scope.JSON.createObjectNode().put("value", v).put("events", 1L);
      n.putArray("fields");
      two.put(v, n);
    }
    Scope.foldShortIds(two, false);
    assertThat(two).hasSize(3);
  }

  /**
   * A private address held in two accounts at once: the answer lists each account's entities apart. The response is
   * written by hand after OpenSearch's terms/min/max aggregation response format (buckets with key, doc_count and
   * sub-aggregations' value_as_string), with the buckets {@link Scope#query} asks for.
   */
  @Test
  void aPrivateAddressOfTwoAccountsListsEachAccountsEntitiesApart() throws Exception {
    String q = Scope.query(List.of(new Scope.Indicator("ip", "10.0.1.57"))).toString();
    assertThat(q).contains("\"by_account\":{\"terms\":{\"field\":\"cloud.account_uid\",\"size\":100,"
        + "\"missing\":\"(no account)\"").contains("\"pods|enrichment.pod_name\"");
    String response = """
        {"hits":{"total":{"value":5}},"aggregations":{
          "first_seen":{"value_as_string":"2026-11-20T10:00:00.000Z"},
          "last_seen":{"value_as_string":"2026-11-20T10:15:00.000Z"},
          "pods|enrichment.pod_name":{"buckets":[
            %s,
            %s,
            %s]},
          "accounts|cloud.account_uid":{"buckets":[
            {"key":"111111111111","doc_count":3},{"key":"222222222222","doc_count":2}]},
          "by_account":{"buckets":[
            {"key":"111111111111","doc_count":3,"first":{"value_as_string":"2026-11-20T10:00:00.000Z"},
             "last":{"value_as_string":"2026-11-20T10:15:00.000Z"},
             "pods|enrichment.pod_name":{"buckets":[%s,%s]},
             "clusters|kubernetes.cluster":{"buckets":[{"key":"prod","doc_count":3}]}},
            {"key":"222222222222","doc_count":2,"first":{"value_as_string":"2026-11-20T10:01:00.000Z"},
             "last":{"value_as_string":"2026-11-20T10:05:00.000Z"},
             "pods|enrichment.pod_name":{"buckets":[%s]},
             "clusters|kubernetes.cluster":{"buckets":[{"key":"stage","doc_count":2}]}}]}}}
        """.formatted(pod("api-7d9f", 2), pod("job-x", 2), pod("web-1", 1), pod("api-7d9f", 2), pod("web-1", 1),
        pod("job-x", 2));
    var r = Scope.result(List.of(new Scope.Indicator("ip", "10.0.1.57")), Scope.JSON.readTree(response), null);

    assertThat(r.path("entities").path("pods").findValuesAsText("value")).containsExactly("api-7d9f", "job-x", "web-1");
    assertThat(r.path("by_account").findValuesAsText("account")).containsExactly("111111111111", "222222222222");
    var prod = r.path("by_account").get(0).path("entities");
    var stage = r.path("by_account").get(1).path("entities");
    assertThat(prod.path("pods").findValuesAsText("value")).containsExactly("api-7d9f", "web-1");
    assertThat(prod.path("clusters").findValuesAsText("value")).containsExactly("prod");
    assertThat(stage.path("pods").findValuesAsText("value")).containsExactly("job-x");
    assertThat(stage.path("clusters").findValuesAsText("value")).containsExactly("stage");
    assertThat(stage.has("accounts")).isFalse();
    assertThat(r.path("by_account").get(1).path("events").asLong()).isEqualTo(2);
    assertThat(Scope.table(r)).contains("per account").contains("account 111111111111: 3 events")
        .contains("api-7d9f, web-1").contains("account 222222222222: 2 events");
  }

  @Test
  void incidentsListTheDetectionRulesTheirRowsMatchedWithTheAttribution() throws Exception {
    assertThat(Scope.incidentQuery(List.of(new Scope.Indicator("ip", "203.0.113.50"))).toString())
        .contains("\"timeline.detections\"");
    // a Sigma match as the incident job writes it (TimelineRow.detections); the rule is SigmaHQ's
    // aws_sts_getcalleridentity_trufflehog (title, id, author, level as the rule states them)
    String d = "{\"engine\":\"sigma\",\"rule_id\":\"9b1b8e9b-0a5d-4af1-9d2f-4c4b6e7c2c9d\","
        + "\"title\":\"AWS STS GetCallerIdentity Enumeration Via TruffleHog\",\"author\":\"Adan Alvarez @adanalvarez\","
        + "\"level\":\"medium\",\"credit\":\"Sigma rule by Adan Alvarez @adanalvarez, SigmaHQ, DRL-1.1\"}";
    String incidents = "{\"hits\":{\"hits\":[{\"_source\":{\"incident_id\":\"inc-1\",\"title\":\"Principal alice\","
        + "\"severity\":\"Medium\",\"first_seen\":\"2026-11-20T10:05:00Z\",\"last_seen\":\"2026-11-20T10:05:00Z\","
        + "\"timeline\":[{\"detections\":[" + d + "]},{\"detections\":[" + d + "]},{\"detections\":[]}]}}]}}";
    var r = Scope.result(List.of(new Scope.Indicator("ip", "203.0.113.50")),
        Scope.JSON.readTree("{\"hits\":{\"total\":{\"value\":1}},\"aggregations\":{}}"), Scope.JSON.readTree(incidents));
    var rules = r.path("incidents").get(0).path("detections");
    assertThat(rules).hasSize(1); // one rule, matched by two rows
    assertThat(rules.get(0).path("rule_id").asText()).isEqualTo("9b1b8e9b-0a5d-4af1-9d2f-4c4b6e7c2c9d");
    assertThat(rules.get(0).path("author").asText()).isEqualTo("Adan Alvarez @adanalvarez");
    assertThat(Scope.table(r)).contains("Sigma: AWS STS GetCallerIdentity Enumeration Via TruffleHog "
        + "(9b1b8e9b-0a5d-4af1-9d2f-4c4b6e7c2c9d, level medium). Sigma rule by Adan Alvarez @adanalvarez, SigmaHQ, DRL-1.1");
  }

  static String pod(String name, int events) {
    return "{\"key\":\"" + name + "\",\"doc_count\":" + events
        + ",\"first\":{\"value_as_string\":\"2026-11-20T10:00:00.000Z\"},"
        + "\"last\":{\"value_as_string\":\"2026-11-20T10:05:00.000Z\"},\"evidence\":{\"hits\":{\"hits\":[]}}}";
  }
}
