package dev.strata.parse;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every registered format has a fixture folder, and every fixture folder a registered format. */
class RegistryFixturesTest {

  @Test
  void registeredFormatsAndFixtureFoldersMatch() throws IOException {
    Path root = ParserContractTest.fixtureDir("docker_json_log").getParent();
    try (Stream<Path> dirs = Files.list(root)) {
      assertThat(dirs.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList())
          .containsExactlyElementsOf(ParserRegistry.defaults().formats().stream().sorted().toList());
    }
  }

  @Test
  void registryRejectsDuplicatesAndBadIds() {
    var p = new dev.strata.parse.formats.k8saudit.K8sAuditParser();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> ParserRegistry.of(java.util.List.of(p, p)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(ParserRegistry.defaults().forSourceType("k8s_audit")).isPresent();
    assertThat(ParserRegistry.defaults().forSourceType(null)).isEmpty();
  }
}
