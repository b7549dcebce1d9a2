package dev.strata.cli;

import dev.strata.infra.Topics;
import dev.strata.ingest.agent.AgentOptions;
import dev.strata.ingest.agent.NodeAgentService;
import dev.strata.ingest.context.ContextValues;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code strata agent}: the live node agent (DaemonSet), tailing container logs exactly once into Kafka. */
@Command(
    name = "agent",
    mixinStandardHelpOptions = true,
    description = {
      "Tail a node's container, audit and runtime-security logs into Kafka, exactly once.",
      "Appended complete lines are published as RawArtifactChunk segments to evidence.raw.v1 together with the",
      "file positions (strata.checkpoints.v1) in one Kafka transaction; a restart resumes where the last commit",
      "ended. Files are followed across rotation (by inode) and truncation. Stops cleanly on SIGTERM.",
      "Settings: options > env STRATA_AGENT_<KEY> > the config file's agent: section (see cli/README.md)."
    })
final class AgentCommand implements Callable<Integer> {
  @Mixin ServiceOptions services;

  @Option(names = "--collector-id", paramLabel = "ID",
      description = "Stable id of this agent, one per node (default: the node name). Names the Kafka transactional id: "
          + "a second agent with the same id fences the first.")
  String collectorId;

  @Option(names = "--node-root", paramLabel = "DIR",
      description = "Where the node's filesystem is mounted (default /; e.g. /host in a container).")
  Path nodeRoot;

  @Option(names = "--glob", paramLabel = "GLOB",
      description = "A file pattern to tail, relative to the node root (repeatable; replaces the defaults: "
          + "var/log/pods/*/*/*.log, var/log/containers/*.log, var/lib/docker/containers/*/*-json.log, "
          + "kube-apiserver audit logs, falco and tetragon JSON files).")
  List<String> globs;

  @Option(names = "--poll-interval-ms", paramLabel = "MS", description = "How often files are read (default 250).")
  Integer pollMs;

  @Option(names = "--checkpoint-dir", paramLabel = "DIR",
      description = "Where the local copy of the positions is written (<DIR>/<collector-id>.json; a cache, Kafka is authoritative).")
  Path checkpointDir;

  @Option(names = "--node-name", paramLabel = "NAME", description = "Host name stamped on the evidence (default env NODE_NAME, else HOSTNAME).")
  String nodeName;

  @Option(names = "--cluster", paramLabel = "NAME", description = "Cluster name stamped on the evidence.")
  String cluster;

  @Option(names = "--progress-seconds", paramLabel = "S", description = "Progress line period (default 10; 0 = none).")
  Integer progressSeconds;

  @Override
  public Integer call() {
    Map<String, String> o = new HashMap<>();
    o.put("agent.collector_id", collectorId);
    o.put("agent.node_root", nodeRoot == null ? null : nodeRoot.toString());
    o.put("agent.globs", globs == null ? null : String.join(",", globs));
    o.put("agent.poll_interval_ms", pollMs == null ? null : pollMs.toString());
    o.put("agent.checkpoint_dir", checkpointDir == null ? null : checkpointDir.toString());
    o.put("agent.node_name", nodeName);
    o.put("agent.cluster", cluster);
    o.put("agent.progress_seconds", progressSeconds == null ? null : progressSeconds.toString());
    StrataSettings settings = services.settings(o);
    AgentOptions options = options(settings, System.getenv());
    String bootstrap = settings.requireKafka();
    Topics.ensure(bootstrap);
    System.err.println("strata agent " + options.collectorId() + ": tailing under " + options.nodeRoot() + " into "
        + bootstrap + " (Ctrl-C or SIGTERM stops after the in-flight transaction)");
    return NodeAgentService.run(options, bootstrap, settings.kafkaProperties());
  }

  static AgentOptions options(StrataSettings s, Map<String, String> env) {
    String node = s.component("agent.node_name");
    if (node == null) node = blankToNull(env.get("NODE_NAME"));
    if (node == null) node = blankToNull(env.get("HOSTNAME"));
    String id = s.component("agent.collector_id");
    if (id == null) id = node;
    if (id == null) {
      throw new IllegalArgumentException(
          "agent.collector_id: pass --collector-id, set STRATA_AGENT_COLLECTOR_ID or NODE_NAME, or agent.collector_id in the config file");
    }
    AgentOptions.Builder b = AgentOptions.builder(id)
        .context(new ContextValues(node, s.component("agent.cluster"), null, null, null));
    if (s.component("agent.node_root") != null) b.nodeRoot(Path.of(s.component("agent.node_root")));
    if (s.component("agent.globs") != null) {
      b.globs(Arrays.stream(s.component("agent.globs").split(",")).map(String::strip).filter(g -> !g.isEmpty()).toList());
    }
    if (s.component("agent.poll_interval_ms") != null) {
      b.pollInterval(Duration.ofMillis(number(s, "agent.poll_interval_ms")));
    }
    if (s.component("agent.progress_seconds") != null) {
      b.progressEvery(Duration.ofSeconds(number(s, "agent.progress_seconds")));
    }
    if (s.component("agent.checkpoint_dir") != null) {
      b.checkpointFile(Path.of(s.component("agent.checkpoint_dir")).resolve(id + ".json"));
    }
    return b.build();
  }

  private static long number(StrataSettings s, String key) {
    try {
      return Long.parseLong(s.component(key).strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + ": not a number: '" + s.component(key) + "'");
    }
  }

  private static String blankToNull(String v) {
    return v == null || v.isBlank() ? null : v;
  }
}
