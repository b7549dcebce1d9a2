package dev.strata.infra.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BrokerClasspathTest {
  @TempDir Path tmp;

  @Test
  void twoVersionsOfOneArtifactAreStale() {
    assertThat(
            BrokerClasspath.duplicates(
                List.of(
                    "kafka-clients-4.2.0.jar",
                    "kafka-clients-4.4.0.jar",
                    "kafka_2.13-4.4.0.jar",
                    "scala-library-2.13.18.jar",
                    "log4j-slf4j-impl-2.24.3.jar",
                    "log4j-slf4j2-impl-2.24.3.jar",
                    "jackson-annotations-2.21.jar")))
        .containsOnlyKeys("kafka-clients")
        .containsEntry("kafka-clients", List.of("kafka-clients-4.2.0.jar", "kafka-clients-4.4.0.jar"));
  }

  @Test
  void classpathIsEveryJarPlusTheLauncher() throws Exception {
    Path lib = Files.createDirectories(tmp.resolve("kafka"));
    Files.createFile(lib.resolve("kafka_2.13-4.4.0.jar"));
    Files.createFile(lib.resolve("kafka-clients-4.4.0.jar"));
    assertThat(BrokerClasspath.of(lib, tmp.resolve("launcher.jar"))).isEqualTo(lib + "/*:" + tmp.resolve("launcher.jar"));
  }

  @Test
  void staleJarsAreRefusedWithTheFix() throws Exception {
    Path lib = Files.createDirectories(tmp.resolve("kafka"));
    for (String jar : List.of("kafka_2.13-4.4.0.jar", "kafka-clients-4.2.0.jar", "kafka-clients-4.4.0.jar")) {
      Files.createFile(lib.resolve(jar));
    }
    assertThatThrownBy(() -> BrokerClasspath.of(lib, tmp))
        .hasMessageContaining("kafka-clients-4.2.0.jar")
        .hasMessageContaining("./mvnw -DskipTests install");
  }

  @Test
  void aDirWithoutTheBrokerSaysToBuild() throws Exception {
    Path lib = Files.createDirectories(tmp.resolve("kafka"));
    assertThatThrownBy(() -> BrokerClasspath.of(lib, tmp)).hasMessageContaining("kafka_2.13");
  }
}
