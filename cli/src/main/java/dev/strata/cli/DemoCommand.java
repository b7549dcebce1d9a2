package dev.strata.cli;

import dev.strata.infra.EmbeddedStack;
import dev.strata.infra.StackEndpoints;
import dev.strata.ingest.CollectionReport;
import dev.strata.ingest.CollectorOptions;
import dev.strata.job.ParseJobResult;
import dev.strata.sink.opensearch.IndexTemplates;
import dev.strata.sink.s3.VerificationResult;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import software.amazon.awssdk.services.s3.model.S3Object;

/** {@code strata demo}: the whole pipeline on the embedded stack with the bundled sample evidence. */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Run the whole pipeline on the embedded stack with sample evidence, and show what landed.",
      "Starts the embedded stack, collects the sample evidence bundle (examples/demo-bundle) or yours, runs the",
      "Flink parse job, the correlation job (bindings, enrichment) and the incident job over it, validates the",
      "CloudTrail digests, writes the incident reports (HTML + Markdown), and prints per-source counts, dead",
      "letters, OpenSearch indices and document counts, the S3 evidence objects (verified), and how to query."
    })
final class DemoCommand implements Callable<Integer> {
  @picocli.CommandLine.Mixin SigmaRulesOptions sigma;

  @Option(names = "--evidence", paramLabel = "PATH", description = "Evidence to collect: a directory, a file or an"
      + " archive (tar, tar.gz/.xz/.zst/.bz2, zip) (default: the bundled examples/demo-bundle).")
  Path evidence;

  @Option(names = "--data-dir", paramLabel = "DIR", description = "Keep the stack's data here and reuse it across runs (default: a fresh .strata/demo each run).")
  Path dataDir;

  @Option(names = "--keep-running", description = "Leave the stack running for exploration after the demo (Ctrl-C stops it).")
  boolean keepRunning;

  @Option(names = "--trail-public-key", paramLabel = "FILE",
      description = "CloudTrail digest public key(s) (PEM, DER or 'aws cloudtrail list-public-keys' JSON) to validate"
          + " the bundle's CloudTrail digests with (default for the bundled sample: examples/demo-keys).")
  java.util.List<Path> trailPublicKeys = new java.util.ArrayList<>();

  @Override
  public Integer call() throws Exception {
    PrintStream out = System.out;
    long t0 = System.nanoTime();
    Path bundle = evidence != null ? evidence : defaultBundle();
    Path data = dataDir;
    if (data == null) {
      data = Path.of(".strata", "demo");
      deleteRecursively(data);
    }
    out.println("== strata demo");
    out.println("evidence: " + bundle.toAbsolutePath().normalize());
    out.println("data dir: " + data.toAbsolutePath().normalize());
    StrataSettings configured = StrataSettings.fromEnvironment(null, sigma.overrides());
    var incidentSettings = configured.applyIncident(
        SigmaRulesOptions.apply(dev.strata.job.incident.IncidentSettings.defaults(), configured, out));
    out.println("starting the embedded stack (Kafka, OpenSearch, S3) ...");
    try (EmbeddedStack stack = EmbeddedStack.builder().dataDir(data).progress(m -> out.println("  " + m)).start();
        EvidencePipeline pipeline = new EvidencePipeline(EvidencePipeline.Services.of(stack.endpoints()))) {
      StackEndpoints endpoints = stack.endpoints();
      out.println("stack up: " + stack.startupTimes());
      pipeline.prepare();

      out.println();
      out.println("== collect (hash, preserve in S3, publish to Kafka " + dev.strata.infra.Topics.RAW + ")");
      // With a reused data dir the raw topic holds earlier runs: the job reads only what this run collects.
      String group = pipeline.newGroupAtEndOfRawTopic("strata-demo");
      CollectionReport report = pipeline.collect(bundle, CollectorOptions.defaults(), Console.collectionProgress(out));
      out.print(report.summary(false));

      out.println();
      out.println("== parse job (Flink MiniCluster, bounded)");
      ParseJobResult job = pipeline.runJob(pipeline.jobConfig(true, group, dev.strata.job.ParseJobConfig.StartingOffsets.COMMITTED),
          Duration.ofSeconds(5), out::println);
      out.println(job.summary());

      out.println();
      out.println("== correlate (Flink MiniCluster, bounded): bindings, events enriched at their own time");
      dev.strata.job.CorrelateJobConfig correlate = pipeline.correlateConfig(true, null)
          .withKnownCidrs(dev.strata.correlate.KnownCidrs.parse(configured.knownCidrs()));
      var correlated = pipeline.runCorrelate(correlate);
      out.printf("correlation job finished in %.1f s; lateness bounds %s%n", correlated.getNetRuntime() / 1000.0,
          correlate.latenessBounds());
      out.println(enrichmentSummary(pipeline));

      out.println();
      out.println("== incidents (Flink MiniCluster, bounded, on the enriched events)");
      var incidentCfg = pipeline.incidentConfig(true, null, correlate.enrichedTopic(), incidentSettings);
      var incidents = pipeline.runIncidents(incidentCfg);
      out.printf("incident job finished in %.1f s%n", incidents.getNetRuntime() / 1000.0);
      pipeline.send("POST", "/" + IndexTemplates.INCIDENTS_INDEX + "," + IndexTemplates.TIMELINE_INDEX + "/_refresh", null);
      out.print(ReportCommand.list(endpoints.openSearchUrl()));
      Path reports = data.resolve("reports");
      for (String id : incidentIds(pipeline)) {
        for (Path f : ReportCommand.write(endpoints.openSearchUrl(), id, reports, "both")) {
          out.println("  report: " + f.toAbsolutePath().normalize());
        }
      }

      out.println();
      out.println("== CloudTrail log file integrity (digest files)");
      out.println(trailIntegrity(bundle, evidence == null));

      EvidencePipeline.Landed landed = pipeline.landed();
      out.println();
      out.println("== per source");
      out.printf("%-24s %9s %8s %8s %13s%n", "source", "artifacts", "chunks", "events", "dead letters");
      Set<String> sources = new TreeSet<>(report.sourceTypes().keySet());
      sources.addAll(landed.eventsBySource().keySet());
      for (String s : sources) {
        var st = report.sourceTypes().get(s);
        out.printf("%-24s %9d %8d %8d %13d%n", s, st == null ? 0 : st.artifacts(), st == null ? 0 : st.chunks(),
            landed.eventsBySource().getOrDefault(s, 0L), landed.deadLettersBySource().getOrDefault(s, 0L));
      }
      out.println("dead letters by reason: " + landed.deadLettersByReason());

      out.println();
      out.println("== OpenSearch indices (" + endpoints.openSearchUrl() + ")");
      landed.indexDocCounts().forEach((k, v) -> out.printf("  %-24s %8d docs%n", k, v));

      out.println();
      out.println("== S3 evidence store (s3://" + endpoints.evidenceBucket() + ", " + endpoints.s3Endpoint() + ")");
      for (S3Object o : landed.evidenceObjects()) {
        String sha = o.key().substring(o.key().lastIndexOf('/') + 1);
        VerificationResult v = pipeline.store().verify(sha);
        out.printf("  %-90s %10d bytes  %s%n", o.key(), o.size(), v.ok() ? "sha256 verified" : "MISMATCH");
      }

      out.println();
      out.println("== query it");
      out.println("  curl '" + endpoints.openSearchUrl() + "/" + IndexTemplates.EVENTS_INDEX + "/_search?q=actor.user_name:dev-alice&pretty'");
      out.println("  curl '" + endpoints.openSearchUrl() + "/" + IndexTemplates.DEAD_LETTERS_INDEX + "/_search?pretty'");
      out.println("  bin/strata scope --ip 203.0.113.50   (with the stack left up: --keep-running, then the printed env)");
      out.printf("%ndemo wall time: %s%n", Console.seconds(Duration.ofNanos(System.nanoTime() - t0)));

      if (keepRunning) {
        out.println();
        out.println("stack left running; point other commands at it with:");
        StackCommand.printEnvironment(endpoints);
        out.println("Ctrl-C to stop.");
        new CountDownLatch(1).await();
      }
    }
    return 0;
  }

  /** How many events the correlation resolved to a workload, and how many bindings it derived. */
  static String enrichmentSummary(EvidencePipeline pipeline) throws IOException {
    pipeline.send("POST", "/" + IndexTemplates.EVENTS_INDEX + "," + IndexTemplates.BINDINGS_INDEX + "/_refresh", null);
    long events = count(pipeline, IndexTemplates.EVENTS_INDEX, null);
    long withPod = count(pipeline, IndexTemplates.EVENTS_INDEX, "enrichment.pod_name");
    long withNode = count(pipeline, IndexTemplates.EVENTS_INDEX, "enrichment.node_name");
    long withRole = count(pipeline, IndexTemplates.EVENTS_INDEX, "enrichment.iam_role");
    long bindings = count(pipeline, IndexTemplates.BINDINGS_INDEX, null);
    return String.format("%d bindings; of %d events, %d resolved to a pod, %d to a node, %d to an IAM role", bindings,
        events, withPod, withNode, withRole);
  }

  private static long count(EvidencePipeline pipeline, String index, String existsField) throws IOException {
    String body = existsField == null ? null : "{\"query\":{\"exists\":{\"field\":\"" + existsField + "\"}}}";
    var r = pipeline.send(body == null ? "GET" : "POST", "/" + index + "/_count", body);
    return r == null ? 0 : r.path("count").asLong(0);
  }

  /** Ids of the open (not merged) incidents, newest first. */
  static java.util.List<String> incidentIds(EvidencePipeline pipeline) throws IOException {
    String q = "{\"size\":50,\"_source\":[\"incident_id\"],\"query\":{\"bool\":{\"must_not\":[{\"term\":"
        + "{\"status\":\"MERGED\"}}]}},\"sort\":[{\"last_seen\":{\"order\":\"desc\"}}]}";
    var r = pipeline.send("POST", "/" + IndexTemplates.INCIDENTS_INDEX + "/_search", q);
    java.util.List<String> ids = new java.util.ArrayList<>();
    if (r != null) r.at("/hits/hits").forEach(h -> ids.add(h.path("_source").path("incident_id").asText()));
    return ids;
  }

  /** Validates the CloudTrail digests in the bundle (if any) with the supplied or the demo public key. */
  String trailIntegrity(Path bundle, boolean bundledSample) {
    try {
      java.util.List<Path> keys = new java.util.ArrayList<>(trailPublicKeys);
      if (keys.isEmpty() && bundledSample) {
        Path demoKey = bundle.resolve("../demo-keys/cloudtrail-demo-public-key.pem").normalize();
        if (Files.isRegularFile(demoKey)) keys.add(demoKey);
      }
      var validation = dev.strata.ingest.cloudtrail.TrailValidator.validate(bundle,
          dev.strata.ingest.cloudtrail.DigestPublicKeys.read(keys));
      return validation.summary() + (keys.isEmpty() ? " (no public key given: --trail-public-key)" : "")
          + System.lineSeparator() + "  details: strata verify-trail " + bundle + " --public-key <key.pem>";
    } catch (Exception e) {
      return "not validated: " + e.getMessage();
    }
  }

  static Path defaultBundle() {
    String home = System.getenv("STRATA_HOME");
    Path p = Path.of(home == null ? "." : home, "examples", "demo-bundle");
    if (!Files.isDirectory(p)) {
      throw new IllegalArgumentException("sample bundle not found at " + p + "; pass --evidence DIR");
    }
    return p;
  }

  static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) return;
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
    }
  }
}
