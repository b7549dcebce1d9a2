package dev.strata.sink;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.schema.raw.ArtifactManifest;
import dev.strata.sink.s3.S3EvidenceStore;
import dev.strata.sink.testing.SampleEvents;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SharedTest {
  @Test
  void secretHidesItsValue() {
    Secret s = Secret.of("hunter2");
    assertThat(s.toString()).isEqualTo("***");
    assertThat(s.reveal()).isEqualTo("hunter2");
    assertThat(Secret.ofNullable(" ")).isNull();
  }

  @Test
  void backoffIsExponentialBoundedAndJittered() {
    Backoff b = new Backoff(5, Duration.ofMillis(100), Duration.ofSeconds(1));
    assertThat(b.ceilingMillis(1)).isEqualTo(100);
    assertThat(b.ceilingMillis(2)).isEqualTo(200);
    assertThat(b.ceilingMillis(4)).isEqualTo(800);
    assertThat(b.ceilingMillis(5)).isEqualTo(1000);
    assertThat(b.ceilingMillis(60)).isEqualTo(1000);
    for (int i = 0; i < 100; i++) {
      assertThat(b.delayMillis(3)).isBetween(200L, 400L);
    }
    assertThat(b.canRetry(4)).isTrue();
    assertThat(b.canRetry(5)).isFalse();
  }

  @Test
  void timesHaveSixFractionDigits() {
    assertThat(Times.isoMicros(Instant.parse("2024-05-01T12:34:56.123456789Z")))
        .isEqualTo("2024-05-01T12:34:56.123456Z");
    assertThat(Times.isoMicros(Instant.EPOCH)).isEqualTo("1970-01-01T00:00:00.000000Z");
    assertThat(Times.isoMicros(Instant.parse("1969-12-31T23:59:59.5Z"))).isEqualTo("1969-12-31T23:59:59.500000Z");
  }

  @Test
  void manifestJsonRoundTrips() throws Exception {
    ArtifactManifest m = SampleEvents.manifest(SampleEvents.ARTIFACT, 42, "var/log/a.log", "run-1");
    m.setStorageUri("s3://b/artifacts/sha256/" + SampleEvents.ARTIFACT);
    byte[] json = S3EvidenceStore.manifestJson(m);
    var tree = new ObjectMapper().readTree(json);
    assertThat(tree.get("collected_at").asText()).isEqualTo("2024-06-01T10:00:00.654321Z");
    assertThat(tree.get("compression").asText()).isEqualTo("NONE");
    assertThat(tree.at("/collector/run_id").asText()).isEqualTo("run-1");
    assertThat(tree.at("/context/cluster").asText()).isEqualTo("prod");
    assertThat(S3EvidenceStore.parseManifest(json)).isEqualTo(m);
  }
}
