package dev.strata.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RuntimeLocatorTest {
  @TempDir Path tmp;

  @Test
  void systemPropertyWinsOverEnvironmentAndSearch() throws IOException {
    Path fromProperty = Files.createDirectories(tmp.resolve("prop"));
    Path fromEnv = Files.createDirectories(tmp.resolve("env"));
    Files.createDirectories(tmp.resolve("infra/target/runtime"));
    RuntimeLocator locator =
        new RuntimeLocator(
            name -> name.equals(RuntimeLocator.PROPERTY) ? fromProperty.toString() : null,
            Map.of(RuntimeLocator.ENV, fromEnv.toString()),
            tmp);
    assertThat(locator.runtimeDir()).isEqualTo(fromProperty);
  }

  @Test
  void environmentWinsOverSearch() throws IOException {
    Path fromEnv = Files.createDirectories(tmp.resolve("env"));
    Files.createDirectories(tmp.resolve("infra/target/runtime"));
    RuntimeLocator locator = new RuntimeLocator(name -> null, Map.of(RuntimeLocator.ENV, fromEnv.toString()), tmp);
    assertThat(locator.runtimeDir()).isEqualTo(fromEnv);
  }

  @Test
  void searchesUpwardFromTheWorkingDir() throws IOException {
    Path runtime = Files.createDirectories(tmp.resolve("infra/target/runtime"));
    Path deep = Files.createDirectories(tmp.resolve("sinks/src/test"));
    RuntimeLocator locator = new RuntimeLocator(name -> null, Map.of(), deep);
    assertThat(locator.runtimeDir()).isEqualTo(runtime);
  }

  @Test
  void notFoundNamesAllThreePlacesAndTheFix() {
    RuntimeLocator locator = new RuntimeLocator(name -> null, Map.of(), tmp);
    assertThatThrownBy(locator::runtimeDir)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(RuntimeLocator.PROPERTY)
        .hasMessageContaining(RuntimeLocator.ENV)
        .hasMessageContaining("infra/target/runtime")
        .hasMessageContaining("./mvnw -DskipTests install");
  }

  @Test
  void aNamedDirThatDoesNotExistIsAnErrorNotAFallThrough() throws IOException {
    Files.createDirectories(tmp.resolve("infra/target/runtime"));
    RuntimeLocator locator =
        new RuntimeLocator(name -> null, Map.of(RuntimeLocator.ENV, tmp.resolve("missing").toString()), tmp);
    assertThatThrownBy(locator::runtimeDir).hasMessageContaining(RuntimeLocator.ENV).hasMessageContaining("missing");
  }

  @Test
  void findsKafkaJarsAndTheOpenSearchHome() throws IOException {
    Path runtime = tmp.resolve("rt");
    Path kafka = Files.createDirectories(runtime.resolve("kafka"));
    Path home = Files.createDirectories(runtime.resolve("opensearch/opensearch-2.19.6/bin"));
    Files.createFile(home.resolve("opensearch"));
    RuntimeLocator locator = new RuntimeLocator(name -> runtime.toString(), Map.of(), tmp);
    assertThat(locator.kafkaLibDir()).isEqualTo(kafka);
    assertThat(locator.openSearchHome()).isEqualTo(runtime.resolve("opensearch/opensearch-2.19.6"));
  }

  @Test
  void missingOpenSearchDistributionSaysToBuild() throws IOException {
    Path runtime = Files.createDirectories(tmp.resolve("rt/opensearch"));
    RuntimeLocator locator = new RuntimeLocator(name -> runtime.getParent().toString(), Map.of(), tmp);
    assertThatThrownBy(locator::openSearchHome).hasMessageContaining("./mvnw -DskipTests install");
  }
}
