package dev.strata.cli;

import dev.strata.job.CorrelateJobConfig;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code strata correlate}: the Flink correlation job on a local MiniCluster. */
@Command(
    name = "correlate",
    mixinStandardHelpOptions = true,
    description = {
      "Run the Flink correlation job: normalized events -> entity bindings (container -> pod -> node, pod IP ->",
      "pod per account/VPC/cluster, ENI -> instance / ECS task, service account -> IAM role -> sessions and access",
      "keys, image -> SBOM) -> every event enriched with the entities it belonged to at its own time.",
      "Local MiniCluster: evidence.normalized.v1 -> evidence.enriched.v1 (newest revision wins),",
      "evidence.bindings.v1 and, when configured, OpenSearch strata-events-v1 (versioned) and strata-bindings-v1.",
      "Late evidence re-resolves the events it covers. --bounded keeps everything until the input ends (offline",
      "bundles of any age); following keeps events and closed bindings for the per-source lateness bounds."
    })
final class CorrelateCommand implements Callable<Integer> {
  @Mixin ServiceOptions services;

  @Option(names = "--bounded", description = "Stop after the normalized events present at start (default: follow until Ctrl-C).")
  boolean bounded;

  @Option(names = "--group-id",
      description = "Kafka consumer group (default: strata-correlate). Committed offsets make restarts resume.")
  String groupId = CorrelateJobConfig.DEFAULT_GROUP_ID;

  @Option(names = "--state-backend", description = "hashmap (default) or rocksdb (large fleets: state on local disk).")
  CorrelateJobConfig.StateBackend stateBackend = CorrelateJobConfig.StateBackend.HASHMAP;

  @Override
  public Integer call() throws Exception {
    StrataSettings settings = services.settings();
    try (EvidencePipeline pipeline = new EvidencePipeline(EvidencePipeline.Services.of(settings))) {
      pipeline.prepare();
      // incident.known_cidrs: the incident job's setting, read here too (a call from the organisation's NAT or VPN is
      // not used "from outside")
      CorrelateJobConfig cfg = pipeline.correlateConfig(bounded, groupId).withStateBackend(stateBackend)
          .withKnownCidrs(dev.strata.correlate.KnownCidrs.parse(settings.knownCidrs()));
      System.err.println("running the correlation job" + (bounded ? " over the normalized events present now"
          : " (Ctrl-C to stop)") + "; lateness " + cfg.latenessBounds());
      var r = pipeline.runCorrelate(cfg);
      System.err.printf("correlation job %s finished in %.1f s: enriched events in %s, bindings in %s%n",
          r.getJobID(), r.getNetRuntime() / 1000.0, cfg.enrichedTopic(), cfg.bindingsTopic());
    }
    return 0;
  }
}
