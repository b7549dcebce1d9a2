package dev.strata.sink.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

class S3EvidenceStoreConfigTest {
  @Test
  void fromEnvWithDefaults() {
    S3EvidenceStoreConfig c = S3EvidenceStoreConfig.fromEnv(Map.of());
    assertThat(c.endpoint()).isNull();
    assertThat(c.region()).isEqualTo("us-east-1");
    assertThat(c.bucket()).isEqualTo("strata-evidence");
    assertThat(c.accessKey()).isNull();
    assertThat(c.pathStyle()).isFalse();
    assertThat(c.keyPrefix()).isEmpty();
    assertThat(c.objectLockDays()).isNull();
    assertThat(c.multipartThresholdBytes()).isEqualTo(64L << 20);
  }

  @Test
  void fromEnvForAnS3CompatibleServer() {
    S3EvidenceStoreConfig c = S3EvidenceStoreConfig.fromEnv(Map.of(
        "STRATA_S3_ENDPOINT", "http://127.0.0.1:9000",
        "STRATA_S3_REGION", "eu-west-1",
        "STRATA_S3_BUCKET", "case-42",
        "STRATA_S3_ACCESS_KEY", "AKIA",
        "STRATA_S3_SECRET_KEY", "s3cr3t",
        "STRATA_S3_KEY_PREFIX", "cases/42",
        "STRATA_S3_OBJECT_LOCK_DAYS", "365"));
    assertThat(c.endpoint()).isEqualTo(URI.create("http://127.0.0.1:9000"));
    assertThat(c.pathStyle()).isTrue();
    assertThat(c.region()).isEqualTo("eu-west-1");
    assertThat(c.bucket()).isEqualTo("case-42");
    assertThat(c.secretKey().reveal()).isEqualTo("s3cr3t");
    assertThat(c.keyPrefix()).isEqualTo("cases/42/");
    assertThat(c.objectLockDays()).isEqualTo(365);
    assertThat(c.objectLockMode()).isEqualTo("COMPLIANCE");
    assertThat(c.toString()).doesNotContain("s3cr3t").doesNotContain("AKIA").contains("secretKey=***");
  }

  @Test
  void errorsNameTheKey() {
    assertThatThrownBy(() -> S3EvidenceStoreConfig.builder().bucket("").build()).hasMessageStartingWith("s3.bucket:");
    assertThatThrownBy(() -> S3EvidenceStoreConfig.builder().bucket("Bad_Bucket").build())
        .hasMessageStartingWith("s3.bucket:");
    assertThatThrownBy(() -> S3EvidenceStoreConfig.builder().endpoint(URI.create("ftp://x")).build())
        .hasMessageStartingWith("s3.endpoint:");
    assertThatThrownBy(() -> S3EvidenceStoreConfig.builder().credentials("a", null).build())
        .hasMessageStartingWith("s3.access_key:");
    assertThatThrownBy(() -> S3EvidenceStoreConfig.builder().keyPrefix("/abs").build())
        .hasMessageStartingWith("s3.key_prefix:");
    assertThatThrownBy(() -> S3EvidenceStoreConfig.builder().objectLockDays(0).build())
        .hasMessageStartingWith("s3.object_lock_days:");
    assertThatThrownBy(() -> S3EvidenceStoreConfig.builder().objectLockMode("forever").build())
        .hasMessageStartingWith("s3.object_lock_mode:");
    assertThatThrownBy(() -> S3EvidenceStoreConfig.builder().partSizeBytes(1024).build())
        .hasMessageStartingWith("s3.part_size_bytes:");
    assertThatThrownBy(() -> S3EvidenceStoreConfig.fromEnv(Map.of("STRATA_S3_OBJECT_LOCK_DAYS", "x")))
        .hasMessageStartingWith("s3.object_lock_days");
  }
}
