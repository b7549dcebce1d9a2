package dev.strata.cli;

import dev.strata.infra.EmbeddedStack;
import dev.strata.ingest.CollectionReport;
import dev.strata.ingest.CollectorOptions;
import dev.strata.job.ParseJobResult;
import dev.strata.sink.opensearch.IndexTemplates;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A 50 MB CloudTrail file and a 200 MB container log through the whole pipeline on the embedded stack, with every
 * record accounted for, and the time of each stage.
 *
 * <pre>
 * ./mvnw -q -DskipTests install
 * java -cp "cli/target/test-classes:cli/target/strata-cli-0.1.0-SNAPSHOT.jar:cli/target/lib/*" $OPENS \
 *   dev.strata.cli.LargeArtifactsBenchmark [cloudtrailMB=50] [dockerMB=200]
 * </pre>
 */
public final class LargeArtifactsBenchmark {
  public static void main(String[] args) throws Exception {
    long ctMb = args.length > 0 ? Long.parseLong(args[0]) : 50;
    long dockerMb = args.length > 1 ? Long.parseLong(args[1]) : 200;
    Path work = Files.createTempDirectory("strata-large");
    Path evidence = Files.createDirectories(work.resolve("evidence"));
    LargeEvidence.Written trail = LargeEvidence.cloudTrail(evidence, ctMb << 20);
    LargeEvidence.Written log = LargeEvidence.dockerLog(evidence, dockerMb << 20);
    System.out.printf("evidence: cloudtrail %d records %.1f MB, docker log %d lines %.1f MB%n",
        trail.records(), trail.bytes() / 1e6, log.records(), log.bytes() / 1e6);
    long t0 = System.nanoTime();
    try (EmbeddedStack stack = EmbeddedStack.builder().dataDir(work.resolve("stack")).start();
        EvidencePipeline pipeline = new EvidencePipeline(EvidencePipeline.Services.of(stack.endpoints()))) {
      System.out.printf("stack start: %s%n", stack.startupTimes());
      pipeline.prepare();
      String group = pipeline.newGroupAtEndOfRawTopic("large-bench");
      long t1 = System.nanoTime();
      CollectionReport report = pipeline.collect(evidence, CollectorOptions.defaults(), Console.collectionProgress(System.out));
      long t2 = System.nanoTime();
      System.out.printf("collect (hash + S3 + Kafka): %.1f s, %d chunks%n", (t2 - t1) / 1e9, report.chunkCount());
      ParseJobResult job = pipeline.runJob(pipeline.jobConfig(true, group, dev.strata.job.ParseJobConfig.StartingOffsets.COMMITTED),
          java.time.Duration.ofSeconds(10), System.out::println);
      long t3 = System.nanoTime();
      System.out.printf("parse job (Kafka -> Flink -> Kafka + OpenSearch): %.1f s, %s%n", (t3 - t2) / 1e9, job.summary());
      pipeline.send("POST", "/strata-*/_refresh", null);
      boolean ok = true;
      for (CollectionReport.Artifact a : report.artifacts()) {
        long expected = a.sourceType().equals("aws_cloudtrail") ? trail.records() : log.records();
        long indexed = pipeline.send("POST", "/" + IndexTemplates.EVENTS_INDEX + "/_count",
            "{\"query\":{\"term\":{\"lineage.artifact_sha256\":\"" + a.artifactSha256() + "\"}}}").path("count").asLong();
        boolean verified = pipeline.store().verify(a.artifactSha256()).ok();
        System.out.printf("%-16s records %d, indexed %d, s3 verified %s%n", a.sourceType(), expected, indexed, verified);
        ok &= indexed == expected && verified;
      }
      System.out.printf("total wall time %.1f s; all records accounted for: %s%n", (System.nanoTime() - t0) / 1e9, ok);
      System.out.printf("peak heap of this JVM: %d MB%n", Runtime.getRuntime().totalMemory() >> 20);
      if (!ok) System.exit(1);
    } finally {
      DemoCommand.deleteRecursively(work);
    }
  }

  private LargeArtifactsBenchmark() {}
}
