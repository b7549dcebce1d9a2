package dev.strata.ingest.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class S3SourceTest {
  @TempDir Path dir;

  @Test
  void readsSourcesWithEnvSubstitutionAndDerivesTheStandardPrefixes() throws Exception {
    Path f = dir.resolve("sources.yaml");
    Files.writeString(f, """
        sources:
          - bucket: org-trail-logs
            accounts: ["111122223333", "444455556666"]
            org_id: o-abc123def4
            key_prefix: trails
            region: eu-west-1
            role_arn: arn:aws:iam::111122223333:role/strata-read
            external_id: ${EXT}
          - bucket: flow-logs
            account: "777788889999"
            prefixes: [exports/]
            endpoint: http://127.0.0.1:9000
            access_key: ak
            secret_key: ${SECRET}
        """);
    List<S3Source> s = S3Source.read(f, Map.of("EXT", "ext-1", "SECRET", "sk")::get);
    assertThat(s).hasSize(2);
    assertThat(s.get(0).prefixes()).containsExactly(
        "trails/AWSLogs/o-abc123def4/111122223333/CloudTrail/",
        "trails/AWSLogs/o-abc123def4/111122223333/CloudTrail-Digest/",
        "trails/AWSLogs/o-abc123def4/111122223333/CloudTrail-Insight/",
        "trails/AWSLogs/111122223333/vpcflowlogs/",
        "trails/AWSLogs/aws-account-id=111122223333/aws-service=vpcflowlogs/",
        "trails/AWSLogs/o-abc123def4/444455556666/CloudTrail/",
        "trails/AWSLogs/o-abc123def4/444455556666/CloudTrail-Digest/",
        "trails/AWSLogs/o-abc123def4/444455556666/CloudTrail-Insight/",
        "trails/AWSLogs/444455556666/vpcflowlogs/",
        "trails/AWSLogs/aws-account-id=444455556666/aws-service=vpcflowlogs/");
    assertThat(s.get(0).externalId()).isEqualTo("ext-1");
    assertThat(s.get(0).region()).isEqualTo("eu-west-1");
    assertThat(s.get(1).prefixes()).containsExactly("AWSLogs/777788889999/CloudTrail/",
        "AWSLogs/777788889999/CloudTrail-Digest/", "AWSLogs/777788889999/CloudTrail-Insight/",
        "AWSLogs/777788889999/vpcflowlogs/",
        "AWSLogs/aws-account-id=777788889999/aws-service=vpcflowlogs/", "exports/");
    assertThat(s.get(1).region()).isEqualTo("us-east-1");
    assertThat(s.get(1).secretKey().value()).isEqualTo("sk");
    assertThat(s.get(1).toString()).doesNotContain("sk").contains("via http://127.0.0.1:9000");
  }

  @Test
  void rejectsBadConfigNamingTheKey() throws Exception {
    Path f = dir.resolve("bad.yaml");
    Files.writeString(f, "sources:\n  - bucket: b-1\n    accounts: [\"111122223333\"]\n    rolearn: x\n");
    assertThatThrownBy(() -> S3Source.read(f, k -> null)).hasMessageContaining("sources[0].rolearn: unknown key");
    Files.writeString(f, "sources:\n  - bucket: b-1\n    accounts: [\"1234\"]\n");
    assertThatThrownBy(() -> S3Source.read(f, k -> null)).hasMessageContaining("12-digit");
    Files.writeString(f, "sources:\n  - bucket: b-1\n");
    assertThatThrownBy(() -> S3Source.read(f, k -> null)).hasMessageContaining("give accounts");
    Files.writeString(f, "sources:\n  - bucket: b-1\n    account: \"111122223333\"\n    external_id: e\n");
    assertThatThrownBy(() -> S3Source.read(f, k -> null)).hasMessageContaining("external_id: needs role_arn");
    Files.writeString(f, "sources:\n  - bucket: b-1\n    account: \"111122223333\"\n    secret_key: ${NOPE}\n");
    assertThatThrownBy(() -> S3Source.read(f, k -> null)).hasMessageContaining("${NOPE} is not set");
    Files.writeString(f, "sources:\n  - bucket: B_bad\n    account: \"111122223333\"\n");
    assertThatThrownBy(() -> S3Source.read(f, k -> null)).hasMessageContaining("bucket: not a valid");
  }
}
