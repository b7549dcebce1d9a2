package dev.strata.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StackValuesTest {
  @Test
  void endpointsNeverPrintTheSecret() {
    StackEndpoints endpoints =
        new StackEndpoints(
            "127.0.0.1:1", "http://127.0.0.1:2", URI.create("http://127.0.0.1:3"), "us-east-1", "strata",
            "strata-dev-secret", "strata-evidence", Path.of("/d"));
    assertThat(endpoints.toString()).doesNotContain("strata-dev-secret").contains("s3SecretKey=***");
  }

  @Test
  void startupTimesReadAsOneLine() {
    StartupTimes times =
        new StartupTimes(
            Map.of(StackComponent.KAFKA, Duration.ofMillis(3100), StackComponent.S3, Duration.ofMillis(400)),
            Duration.ofMillis(4200));
    assertThat(times).hasToString("kafka 3.1 s, s3 0.4 s; total 4.2 s");
  }

  @Test
  void topicsAreTheFourContractTopicsWithEightMiBRecords() {
    assertThat(Topics.ALL)
        .containsExactly(
            "evidence.raw.v1", "evidence.artifacts.v1", "evidence.normalized.v1", "evidence.deadletter.v1",
            "strata.checkpoints.v1", "evidence.enriched.v1", "evidence.bindings.v1", "evidence.incidents.v1");
    assertThat(Topics.topicConfig(Topics.CHECKPOINTS)).containsEntry("cleanup.policy", "compact");
    assertThat(Topics.topicConfig(Topics.INCIDENTS)).containsEntry("cleanup.policy", "compact");
    assertThat(Topics.topicConfig(Topics.RAW)).doesNotContainKey("cleanup.policy");
    assertThat(Topics.topicConfig())
        .containsEntry("max.message.bytes", "8388608")
        .containsEntry("compression.type", "producer");
  }

  @Test
  void startExceptionNamesTheComponent() {
    StackStartException e = new StackStartException(StackComponent.OPENSEARCH, "port in use", null);
    assertThat(e).hasMessage("opensearch failed to start: port in use");
    assertThat(e.component()).isEqualTo(StackComponent.OPENSEARCH);
  }
}
