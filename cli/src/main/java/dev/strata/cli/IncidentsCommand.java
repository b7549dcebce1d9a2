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
      "events whose original record matches a Sigma rule are signals too (rows name the rule and credit its author).",
      "",
      "Settings (config file section incident:, or env STRATA_INCIDENT_<KEY>; lists comma-separated in env):",
      "  known_cidrs          the organisation's own public ranges (default none)",
      "  deployer_namespaces  namespaces whose service accounts create workloads in others by design, not judged",
      "                       (default kube-system, argocd, flux-system, cattle-system, cattle-fleet-system,",
      "                       fleet-system, argo, tekton-pipelines, knative-serving, keda, spark-operator, kubeflow,",
      "                       cert-manager, velero; the item 'defaults' stands for that list: [defaults, x] adds x)",
      "  exec_audit_bound     a runtime exec and its pods/exec audit record at most this far apart; the audit log",
      "                       must hold records this far before and after the exec to judge it (default 15s)",
      "  exec_audit_coverage  the nearest audit records around the exec at most this far away (default: any)",
      "  entry_flow_bound     an accepted flow from a public address to a pod at most this long before the pod's",
      "                       first execution / credential access signal is the incident's entry row (default 10m)",
      "  exfil_bytes, exfil_window  a workload of an open incident sending this many bytes to one public address",
      "                       within this window is an exfiltration signal (default 50000000 bytes, 10m)",
      "  known_accounts       the organisation's AWS accounts: an S3 object written into a bucket of any other",
      "                       account is an exfiltration signal (default none: that rule is off)",
      "  sigma_rules, sigma_min_level  see the options below"
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
    var incidentSettings = settings.applyIncident(
        SigmaRulesOptions.apply(dev.strata.job.incident.IncidentSettings.defaults(), settings, System.err));
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
