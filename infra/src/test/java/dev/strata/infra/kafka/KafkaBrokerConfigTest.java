package dev.strata.infra.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaBrokerConfigTest {
  @TempDir Path tmp;

  private final KafkaBrokerConfig config = new KafkaBrokerConfig(40001, 40002, Path.of("/data/kafka"));

  @Test
  void singleNodeKraftOnLoopback() {
    Map<String, String> p = config.properties();
    assertThat(p)
        .containsEntry("process.roles", "broker,controller")
        .containsEntry("controller.quorum.voters", "1@127.0.0.1:40002")
        .containsEntry("listeners", "PLAINTEXT://127.0.0.1:40001,CONTROLLER://127.0.0.1:40002")
        .containsEntry("advertised.listeners", "PLAINTEXT://127.0.0.1:40001")
        .containsEntry("log.dirs", "/data/kafka");
    assertThat(config.bootstrapServers()).isEqualTo("127.0.0.1:40001");
  }

  @Test
  void internalTopicsNeedOneReplicaAndLimitsFitStrata() {
    assertThat(config.properties())
        .containsEntry("offsets.topic.replication.factor", "1")
        .containsEntry("transaction.state.log.replication.factor", "1")
        .containsEntry("transaction.state.log.min.isr", "1")
        .containsEntry("share.coordinator.state.topic.replication.factor", "1")
        .containsEntry("share.coordinator.state.topic.min.isr", "1")
        .containsEntry("min.insync.replicas", "1")
        .containsEntry("message.max.bytes", "8388608")
        .containsEntry("auto.create.topics.enable", "false")
        .containsEntry("transaction.max.timeout.ms", "900000")
        .containsEntry("group.initial.rebalance.delay.ms", "0")
        .doesNotContainKeys("log.flush.interval.messages", "log.flush.interval.ms");
  }

  @Test
  void propertiesFileHasOneLinePerSetting() {
    String file = config.toPropertiesFile();
    assertThat(file.lines().filter(line -> !line.startsWith("#"))).hasSize(config.properties().size());
    assertThat(file).contains("node.id=1\n");
  }

  @Test
  void log4jConfigWritesWarnToTheGivenFile() {
    String xml = KafkaBrokerConfig.log4j2Config(Path.of("/data/kafka/broker.log"));
    assertThat(xml).contains("fileName=\"/data/kafka/broker.log\"").contains("<Root level=\"WARN\">");
  }

  @Test
  void clusterIdIsCreatedOnceAndKept() throws Exception {
    Path file = tmp.resolve("cluster.id");
    String first = EmbeddedKafka.clusterId(file);
    assertThat(first).hasSize(22);
    assertThat(EmbeddedKafka.clusterId(file)).isEqualTo(first);
    assertThat(Files.readString(file).trim()).isEqualTo(first);
  }
}
