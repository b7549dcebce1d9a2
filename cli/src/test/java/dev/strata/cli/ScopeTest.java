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
}
