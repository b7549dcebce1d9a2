package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.ingest.agent.AgentOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class AgentCommandTest {
  @TempDir Path dir;

  @Test
  void agentSettingsComeFromOptionsThenEnvThenFile() throws Exception {
    Path file = dir.resolve("strata.yaml");
    Files.writeString(file, "agent:\n  collector_id: from-file\n  globs: [var/log/a/*.log, var/log/b.log]\n"
        + "  poll_interval_ms: 100\n  checkpoint_dir: /var/lib/strata\n  cluster: prod\n");
    Map<String, String> env = Map.of("STRATA_AGENT_CLUSTER", "from-env", "NODE_NAME", "ip-10-0-1-2");
    Map<String, String> cli = new HashMap<>();
    cli.put("agent.node_root", "/host");
    StrataSettings s = StrataSettings.resolve(file, cli, env::get);
    AgentOptions o = AgentCommand.options(s, env);
    assertThat(o.collectorId()).isEqualTo("from-file");
    assertThat(o.nodeRoot()).isEqualTo(Path.of("/host"));
    assertThat(o.globs()).containsExactly("var/log/a/*.log", "var/log/b.log");
    assertThat(o.pollInterval()).isEqualTo(Duration.ofMillis(100));
    assertThat(o.checkpointFile()).isEqualTo(Path.of("/var/lib/strata/from-file.json"));
    assertThat(o.context().cluster()).isEqualTo("from-env");
    assertThat(o.context().host()).isEqualTo("ip-10-0-1-2");
  }

  @Test
  void theCollectorIdDefaultsToTheNodeNameAndIsValidated() {
    StrataSettings s = StrataSettings.resolve(null, Map.of(), k -> null);
    assertThat(AgentCommand.options(s, Map.of("NODE_NAME", "node-7")).collectorId()).isEqualTo("node-7");
    assertThat(AgentCommand.options(s, Map.of("NODE_NAME", "node-7")).globs()).isEqualTo(AgentOptions.DEFAULT_GLOBS);
    assertThatThrownBy(() -> AgentCommand.options(s, Map.of())).hasMessageContaining("agent.collector_id");
    StrataSettings bad = StrataSettings.resolve(null, Map.of("agent.collector_id", "a b"), k -> null);
    assertThatThrownBy(() -> AgentCommand.options(bad, Map.of())).hasMessageContaining("agent.collector_id");
  }

  @Test
  void secretsAreNotPrinted() {
    StrataSettings s = StrataSettings.resolve(null, Map.of("receive.token", "t0ken"), k -> null);
    assertThat(s.component("receive.token")).isEqualTo("t0ken");
    assertThat(s.toString()).doesNotContain("t0ken");
  }

  @Test
  void receiverSettings() {
    StrataSettings s = StrataSettings.resolve(null, Map.of("receive.port", "9999"),
        Map.of("STRATA_RECEIVE_TOKEN", "tok", "STRATA_RECEIVE_MAX_BODY_BYTES", "65536")::get);
    var o = ReceiveCommand.options(s, "prod");
    assertThat(o.port()).isEqualTo(9999);
    assertThat(o.token()).isEqualTo("tok");
    assertThat(o.maxBodyBytes()).isEqualTo(65536);
    assertThat(o.context().cluster()).isEqualTo("prod");
    assertThat(new CommandLine(new ReceiveCommand()).getUsageMessage()).contains("--port", "--kafka", "--config");
    assertThat(StrataCli.commandLine().getSubcommands()).containsKey("receive");
  }

  @Test
  void helpListsTheOptions() {
    String usage = new CommandLine(new AgentCommand()).getUsageMessage();
    assertThat(usage).contains("--collector-id", "--node-root", "--glob", "--checkpoint-dir", "--kafka", "--config");
    assertThat(StrataCli.commandLine().getSubcommands()).containsKey("agent");
  }
}
