package dev.strata.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code strata scope}: what an indicator touches, across every cluster and account ingested. */
@Command(
    name = "scope",
    mixinStandardHelpOptions = true,
    description = {
      "Which clusters, accounts, nodes, instances, pods, containers, ECS tasks, images and principals the given",
      "indicators touch (the events' own fields and the correlation job's enrichment, in strata-events-*), first and",
      "last seen, and the evidence for each (event ids + artifact SHA-256 + position); plus the incidents that carry",
      "them. Several indicators (of any kinds) are ORed. Exit code 0 when something matches, 1 when nothing does."
    })
final class ScopeCommand implements Callable<Integer> {
  @Mixin ServiceOptions services;

  @Option(names = "--ip", paramLabel = "ADDR", description = "IP address (source, destination, device, pod, host).")
  List<String> ips = new ArrayList<>();

  @Option(names = "--domain", paramLabel = "NAME", description = "Domain or host name.")
  List<String> domains = new ArrayList<>();

  @Option(names = "--image-digest", paramLabel = "DIGEST", description = "Image digest or image id (sha256:...).")
  List<String> digests = new ArrayList<>();

  @Option(names = "--sha256", paramLabel = "HEX", description = "File SHA-256.")
  List<String> sha256 = new ArrayList<>();

  @Option(names = "--principal", paramLabel = "NAME", description = "User name, ARN, role.")
  List<String> principals = new ArrayList<>();

  @Option(names = "--access-key", paramLabel = "ID", description = "AWS access key id.")
  List<String> accessKeys = new ArrayList<>();

  @Option(names = "--service-account", paramLabel = "NAME", description = "Kubernetes service account.")
  List<String> serviceAccounts = new ArrayList<>();

  @Option(names = "--process", paramLabel = "NAME", description = "Process name or executable path.")
  List<String> processes = new ArrayList<>();

  @Option(names = "--cluster", paramLabel = "NAME", description = "Kubernetes (EKS) cluster name.")
  List<String> clusters = new ArrayList<>();

  @Option(names = "--ecs-cluster", paramLabel = "NAME", description = "ECS cluster name or ARN (never a Kubernetes cluster of that name).")
  List<String> ecsClusters = new ArrayList<>();

  @Option(names = "--json", description = "One JSON document on stdout (for machines).")
  boolean json;

  @Override
  public Integer call() throws Exception {
    List<Scope.Indicator> indicators = indicators();
    if (indicators.isEmpty()) {
      throw new IllegalArgumentException("give at least one indicator (--ip, --domain, --image-digest, --sha256, "
          + "--principal, --access-key, --service-account, --process, --cluster, --ecs-cluster)");
    }
    String url = services.settings().openSearchUrl();
    if (url == null) throw new IllegalArgumentException("no OpenSearch configured (--opensearch or STRATA_OPENSEARCH_URL)");
    ObjectNode result = run(url, indicators);
    if (json) {
      System.out.println(Scope.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(result));
    } else {
      System.out.print(Scope.table(result));
    }
    return result.path("events").asLong() > 0 ? 0 : 1;
  }

  static ObjectNode run(String openSearchUrl, List<Scope.Indicator> indicators) throws Exception {
    try (EvidencePipeline p = new EvidencePipeline(new EvidencePipeline.Services(null, java.util.Map.of(), openSearchUrl, null))) {
      JsonNode events = p.send("POST", "/" + Scope.EVENTS + "/_search?ignore_unavailable=true&allow_no_indices=true",
          Scope.query(indicators).toString());
      JsonNode incidents = p.send("POST", "/" + Scope.INCIDENTS + "/_search?ignore_unavailable=true&allow_no_indices=true",
          Scope.incidentQuery(indicators).toString());
      return Scope.result(indicators, events, incidents);
    }
  }

  List<Scope.Indicator> indicators() {
    List<Scope.Indicator> out = new ArrayList<>();
    ips.forEach(v -> out.add(new Scope.Indicator("ip", v)));
    domains.forEach(v -> out.add(new Scope.Indicator("domain", v)));
    digests.forEach(v -> out.add(new Scope.Indicator("image_digest", v)));
    sha256.forEach(v -> out.add(new Scope.Indicator("sha256", v)));
    principals.forEach(v -> out.add(new Scope.Indicator("principal", v)));
    accessKeys.forEach(v -> out.add(new Scope.Indicator("access_key", v)));
    serviceAccounts.forEach(v -> out.add(new Scope.Indicator("service_account", v)));
    processes.forEach(v -> out.add(new Scope.Indicator("process", v)));
    clusters.forEach(v -> out.add(new Scope.Indicator("cluster", v)));
    ecsClusters.forEach(v -> out.add(new Scope.Indicator("ecs_cluster", v)));
    return out;
  }
}
