package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StrataSettingsTest {
  @TempDir Path dir;

  Path yaml(String text) throws Exception {
    Path p = dir.resolve("strata.yaml");
    Files.writeString(p, text);
    return p;
  }

  @Test
  void optionsOverrideEnvironmentWhichOverridesTheFile() throws Exception {
    Path file = yaml("kafka:\n  bootstrap_servers: file:9092\nopensearch:\n  url: http://file:9200\ns3:\n  bucket: from-file\n  secret_key: ${SECRET}\n");
    Map<String, String> env = Map.of("STRATA_OPENSEARCH_URL", "http://env:9200", "SECRET", "s3cr3t");
    Map<String, String> cli = new HashMap<>();
    cli.put("kafka.bootstrap_servers", "cli:9092");
    StrataSettings s = StrataSettings.resolve(file, cli, env::get);
    assertThat(s.kafkaBootstrap()).isEqualTo("cli:9092");
    assertThat(s.openSearchUrl()).isEqualTo("http://env:9200");
    assertThat(s.s3Bucket()).isEqualTo("from-file");
    assertThat(s.s3SecretKey().value()).isEqualTo("s3cr3t");
    assertThat(s.toString()).doesNotContain("s3cr3t");
    assertThat(s.s3Region()).isEqualTo("us-east-1");
  }

  @Test
  void unknownKeysFailWithTheirPath() throws Exception {
    Path file = yaml("s3:\n  buckett: x\n");
    assertThatThrownBy(() -> StrataSettings.resolve(file, Map.of(), k -> null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("s3.buckett");
  }

  @Test
  void unsetEnvironmentReferenceIsAnError() throws Exception {
    Path file = yaml("kafka:\n  bootstrap_servers: ${NOPE}\n");
    assertThatThrownBy(() -> StrataSettings.resolve(file, Map.of(), k -> null))
        .hasMessageContaining("${NOPE}").hasMessageContaining("kafka.bootstrap_servers");
  }

  @Test
  void missingKafkaNamesEveryWayToSetIt() {
    StrataSettings s = StrataSettings.resolve(null, Map.of(), k -> null);
    assertThatThrownBy(s::requireKafka).hasMessageContaining("--kafka").hasMessageContaining("STRATA_KAFKA_BOOTSTRAP");
  }
}
