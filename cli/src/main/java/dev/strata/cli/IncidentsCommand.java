package dev.strata.cli;

import dev.strata.job.incident.IncidentJobConfig;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code strata incidents}: the Flink incident job on a local MiniCluster. */
@Command(
    name = "incidents",
    mixinStandardHelpOptions = true,
    description = {
      "Run the incident job: signals (alerts, human exec/attach/port-forward and secret reads, suspicious CloudTrail",
      "calls, dropped binaries) open incidents; events sharing a pod, container, node, instance, principal, session,",
      "access key or public IP within the window join them. Writes evidence.incidents.v1 and, when configured,",
      "OpenSearch strata-incidents-v1 + strata-timeline-v1 and S3 incidents/<id>/<revision>.json. With --sigma-rules,",
      "events whose original record matches a Sigma rule are signals too (rows name the rule and credit its author)."
    })
final class IncidentsCommand implements Callable<Integer> {
  @Mixin ServiceOptions services;
  @Mixin SigmaRulesOptions sigma;

  @Option(names = "--bounded", description = "Stop after the events present at start (default: follow until Ctrl-C).")
  boolean bounded;

  @Option(names = "--input", paramLabel = "TOPIC",
      description = "Input topic: evidence.normalized.v1 (default) or evidence.enriched.v1 (after strata correlate).")
  String input = "evidence.normalized.v1";

  @Option(names = "--group-id", description = "Kafka consumer group (default: a new one, reading from the beginning).")
  String groupId;

  @Override
  public Integer call() throws Exception {
    StrataSettings settings = services.settings(sigma.overrides());
    var incidentSettings = SigmaRulesOptions.apply(dev.strata.job.incident.IncidentSettings.defaults(), settings, System.err)
        .withKnownCidrs(settings.knownCidrs());
    try (EvidencePipeline pipeline = new EvidencePipeline(EvidencePipeline.Services.of(settings))) {
      pipeline.prepare();
      IncidentJobConfig cfg = pipeline.incidentConfig(bounded, groupId, input, incidentSettings);
      System.err.println("running the incident job on " + cfg.inputTopic() + (bounded ? " (bounded)" : " (Ctrl-C to stop)"));
      var r = pipeline.runIncidents(cfg);
      System.err.printf("incident job %s finished in %.1f s: incidents in %s%n", r.getJobID(), r.getNetRuntime() / 1000.0,
          cfg.incidentsTopic());
    }
    return 0;
  }
}
