package dev.strata.cli;

import dev.strata.ingest.CollectorOptions;
import dev.strata.ingest.EvidencePreserver;
import dev.strata.ingest.checkpoint.CheckpointedPublisher;
import dev.strata.ingest.s3.S3Clients;
import dev.strata.ingest.s3.S3Puller;
import dev.strata.ingest.s3.S3Source;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code strata pull-s3}: CloudTrail / digest / VPC Flow Log objects from S3 into Kafka, exactly once. */
@Command(
    name = "pull-s3",
    mixinStandardHelpOptions = true,
    description = {
      "Pull the logs AWS delivers to S3 (AWSLogs/<account>/CloudTrail/, CloudTrail-Digest/, vpcflowlogs/, extra",
      "prefixes) into Kafka, exactly once across kills and restarts: each object is preserved in the evidence store,",
      "recognized and chunked like a collected file, and its chunks, manifest and the new listing position are",
      "committed in one Kafka transaction (positions live in the compacted topic strata.checkpoints.v1).",
      "Default: follow (poll every --poll-interval seconds); --once lists to the end and exits.",
      "Source credentials: --source-access-key + $STRATA_SOURCE_S3_SECRET_KEY, else the AWS default chain; with",
      "--source-endpoint and no source keys, the evidence store's keys (same S3-compatible server); --role-arn",
      "assumes a role (STS) with them. Several buckets or accounts: --sources FILE (see ingest/README.md)."
    })
final class PullS3Command implements Callable<Integer> {
  @Mixin S3SourceOptions source;

  @Option(names = "--once", description = "List every prefix to its end once, then exit.")
  boolean once;

  @Option(names = "--poll-interval", paramLabel = "SECONDS", description = "Follow mode: pause between listings (default ${DEFAULT-VALUE}).")
  long pollSeconds = 60;

  @Option(names = "--collector-id", paramLabel = "ID",
      description = "Names this puller's checkpoints and Kafka transactional id (default ${DEFAULT-VALUE}); one running instance per id.")
  String collectorId = "s3-puller";

  @Option(names = "--spool-dir", paramLabel = "DIR", description = "Where objects are downloaded, one at a time (default: a temp dir).")
  Path spoolDir;

  @Option(names = "--max-object-bytes", paramLabel = "N", description = "Larger objects are skipped (default 8 GiB).")
  long maxObjectBytes = 8L * 1024 * 1024 * 1024;

  @Option(names = "--throttle-ms", paramLabel = "MS", description = "Pause after each object (default 0).")
  long throttleMs;

  @Option(names = "--mirror", paramLabel = "DIR",
      description = "Also copy every object to DIR/<bucket>/<key>, digests with <key>.metadata.json (their S3 signature), for offline 'strata verify-trail DIR'.")
  Path mirror;

  @Option(names = {"-v", "--verbose"}, description = "One line per object.")
  boolean verbose;

  @Mixin ServiceOptions services;

  @Mixin FlowLogFormatOptions flowLogFormats;

  @Override
  public Integer call() throws Exception {
    StrataSettings settings = services.settings();
    List<S3Source> sources = source.sources(settings);
    Path spool = spoolDir != null ? spoolDir : Files.createTempDirectory("strata-pull-s3-");
    S3Puller.Options options = S3Puller.Options.defaults(spool).withOnce(once)
        .withPollInterval(Duration.ofSeconds(pollSeconds)).withMaxObjectBytes(maxObjectBytes)
        .withObjectDelay(Duration.ofMillis(throttleMs))
        .withCollector(CollectorOptions.builder().vpcFlowLogFormats(flowLogFormats.resolve(settings)).build())
        .withMirrorDir(mirror);
    try (EvidencePipeline pipeline = new EvidencePipeline(EvidencePipeline.Services.of(settings))) {
      pipeline.prepare();
      EvidencePreserver preserver = EvidencePreserver.NONE;
      if (pipeline.services().s3() != null) {
        preserver = EvidencePipeline.preserver(pipeline.store());
      } else {
        System.err.println("pull-s3: no evidence store configured: originals are not preserved");
      }
      sources.forEach(s -> System.err.println("pulling " + s));
      long[] last = {System.nanoTime()};
      long[] n = {0};
      try (CheckpointedPublisher publisher = CheckpointedPublisher.open(pipeline.services().kafkaBootstrap(),
          pipeline.services().kafkaProperties(), collectorId)) {
        S3Puller puller = new S3Puller(sources, S3Clients::create, publisher, preserver, options, r -> {
          n[0]++;
          if (verbose) {
            System.err.printf("  %-9s s3://%s/%s%s%n", r.outcome(), r.bucket(), r.key(),
                r.outcome().equals("collected") ? "  " + r.sourceType() + " " + r.chunks() + " chunks"
                    : "  (" + r.skipReason() + (r.detail() == null ? "" : ": " + r.detail()) + ")");
          } else if (System.nanoTime() - last[0] > 2_000_000_000L) {
            last[0] = System.nanoTime();
            System.err.printf("  pull-s3: %d objects done, at s3://%s/%s%n", n[0], r.bucket(), r.key());
          }
        });
        Thread main = Thread.currentThread();
        Thread hook = new Thread(() -> {
          puller.stop();
          try {
            main.join(30_000);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }, "strata-pull-s3-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        S3Puller.Summary summary;
        try {
          summary = puller.run();
        } finally {
          try {
            Runtime.getRuntime().removeShutdownHook(hook);
          } catch (IllegalStateException e) {
            // shutting down already (SIGTERM): the hook waits for this thread
          }
        }
        System.err.println("pull-s3: " + summary.line());
        summary.positions().forEach((k, v) -> System.err.println("  " + k + " -> start_after " + v));
      }
    } finally {
      if (spoolDir == null) {
        try (var s = Files.list(spool)) {
          for (Path p : s.toList()) Files.deleteIfExists(p);
        }
        Files.deleteIfExists(spool);
      }
    }
    return 0;
  }
}
