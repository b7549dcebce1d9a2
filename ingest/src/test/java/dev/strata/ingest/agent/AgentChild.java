package dev.strata.ingest.agent;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/** The agent as a child process for {@link NodeAgentKillRestartIT}: args = bootstrap, collector id, node root, checkpoint file. */
public final class AgentChild {
  private AgentChild() {}

  public static void main(String[] args) {
    AgentOptions options = AgentOptions.builder(args[1])
        .nodeRoot(Path.of(args[2]))
        .checkpointFile(Path.of(args[3]))
        .pollInterval(Duration.ofMillis(50))
        .scanInterval(Duration.ofMillis(100))
        .closeInactive(Duration.ofSeconds(1))
        .progressEvery(Duration.ofSeconds(2))
        .build();
    try {
      System.exit(NodeAgentService.run(options, args[0], Map.of()));
    } catch (RuntimeException e) {
      e.printStackTrace();
      System.exit(1);
    }
  }
}
