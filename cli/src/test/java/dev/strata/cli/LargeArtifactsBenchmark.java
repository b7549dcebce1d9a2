package dev.strata.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.infra.EmbeddedStack;
import dev.strata.infra.testing.ProcessCpu;
import dev.strata.ingest.CollectionReport;
import dev.strata.ingest.CollectorOptions;
import dev.strata.job.ParseJobConfig;
import dev.strata.job.ParseJobResult;
import dev.strata.sink.opensearch.IndexTemplates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A CloudTrail file and a container log (50 MB + 200 MB by default; {@code bench/run large} gives 200 + 824 MB = the
 * 1 GB bundle of PERFORMANCE.md) through the whole pipeline on the embedded stack, with every record accounted for,
 * the seconds of each stage and the CPU seconds each process spent in it (this JVM: collector, Flink, S3Proxy; the
 * Kafka broker; OpenSearch), and OpenSearch's own indexing / refresh / merge times. The machine is shared: CPU
 * seconds hold where wall seconds do not. Target: collect -> OpenSearch + S3 of 1 GB in under 60 s (stack start is
 * reported apart).
 *
 * <pre>
 * ./mvnw -q -DskipTests install
 * java -cp "cli/target/test-classes:cli/target/classes:$(cat cli/target/bench.cp)" $OPENS \
 *   dev.strata.cli.LargeArtifactsBenchmark [cloudtrailMB=50] [dockerMB=200] [bulkRefreshInterval=30s]
 *   (files under java.io.tmpdir)
 * </pre>
 */
public final class LargeArtifactsBenchmark {
  public static void main(String[] args) throws Exception {
    long ctMb = args.length > 0 ? Long.parseLong(args[0]) : 50;
    long dockerMb = args.length > 1 ? Long.parseLong(args[1]) : 200;
    // opensearch.bulk_refresh_interval of the parse job (default 30s; give 1s = the index's own interval to compare)
    String bulkRefresh = args.length > 2 ? args[2] : null;
    Path work = Files.createTempDirectory("strata-large");
    Path evidence = Files.createDirectories(work.resolve("evidence"));
    LargeEvidence.Written trail = LargeEvidence.cloudTrail(evidence, ctMb << 20);
    LargeEvidence.Written log = LargeEvidence.dockerLog(evidence, dockerMb << 20);
    double mb = (trail.bytes() + log.bytes()) / 1e6;
    System.out.printf(Locale.ROOT, "evidence: cloudtrail %d records %.1f MB, docker log %d lines %.1f MB; load %s%n",
        trail.records(), trail.bytes() / 1e6, log.records(), log.bytes() / 1e6, load());
    long t0 = System.nanoTime();
    try (EmbeddedStack stack = EmbeddedStack.builder().dataDir(work.resolve("stack")).start();
        EvidencePipeline pipeline = new EvidencePipeline(EvidencePipeline.Services.of(stack.endpoints()))) {
      System.out.printf("stack start: %s%n", stack.startupTimes());
      pipeline.prepare();
      String group = pipeline.newGroupAtEndOfRawTopic("large-bench");
      ProcessCpu.Snapshot c1 = ProcessCpu.now();
      long t1 = System.nanoTime();
      CollectionReport report = pipeline.collect(evidence, CollectorOptions.defaults(), Console.collectionProgress(System.out));
      long t2 = System.nanoTime();
      ProcessCpu.Snapshot c2 = ProcessCpu.now();
      double collect = (t2 - t1) / 1e9;
      System.out.printf(Locale.ROOT, "collect (hash + S3 + Kafka): %.1f s, %d chunks, %s%n", collect,
          report.chunkCount(), c2.minus(c1));
      JsonNode os0 = indexStats(pipeline);
      ParseJobConfig cfg = pipeline.jobConfig(true, group, ParseJobConfig.StartingOffsets.COMMITTED);
      if (bulkRefresh != null) {
        cfg = cfg.toBuilder().openSearch(cfg.openSearchConfig().orElseThrow().toBuilder()
            .bulkRefreshInterval(bulkRefresh).build()).build();
      }
      System.out.printf("parse job: opensearch.bulk_refresh_interval %s%n",
          cfg.openSearchConfig().orElseThrow().bulkRefreshInterval());
      ParseJobResult job = pipeline.runJob(cfg, java.time.Duration.ofSeconds(10), System.out::println);
      long t3 = System.nanoTime();
      ProcessCpu.Snapshot c3 = ProcessCpu.now();
      double parse = (t3 - t2) / 1e9;
      JsonNode os1 = indexStats(pipeline);
      System.out.printf(Locale.ROOT, "parse job (Kafka -> Flink -> Kafka + OpenSearch): %.1f s, %s, %s%n", parse,
          job.summary(), c3.minus(c2));
      System.out.printf(Locale.ROOT, "  OpenSearch thread time in the parse job: indexing %.1f s, refresh %.1f s (%d),"
              + " merges %.1f s (%d), flush %.1f s; young GC %.1f s%n",
          delta(os0, os1, "/indices/indexing/index_time_in_millis") / 1e3,
          delta(os0, os1, "/indices/refresh/total_time_in_millis") / 1e3, delta(os0, os1, "/indices/refresh/total"),
          delta(os0, os1, "/indices/merges/total_time_in_millis") / 1e3, delta(os0, os1, "/indices/merges/total"),
          delta(os0, os1, "/indices/flush/total_time_in_millis") / 1e3,
          delta(os0, os1, "/jvm/gc/collectors/young/collection_time_in_millis") / 1e3);
      boolean ok = true;
      for (CollectionReport.Artifact a : report.artifacts()) {
        long expected = a.sourceType().equals("aws_cloudtrail") ? trail.records() : log.records();
        long indexed = pipeline.send("POST", "/" + IndexTemplates.EVENTS_INDEX + "/_count",
            "{\"query\":{\"term\":{\"lineage.artifact_sha256\":\"" + a.artifactSha256() + "\"}}}").path("count").asLong();
        boolean verified = pipeline.store().verify(a.artifactSha256()).ok();
        System.out.printf("%-16s records %d, indexed %d, s3 verified %s%n", a.sourceType(), expected, indexed, verified);
        ok &= indexed == expected && verified;
      }
      System.out.printf(Locale.ROOT, "total wall time %.1f s; all records accounted for: %s%n",
          (System.nanoTime() - t0) / 1e9, ok);
      System.out.printf(Locale.ROOT, "TARGET bundle of %.0f MB, collect -> OpenSearch + S3: %.1f s = collect %.1f s +"
              + " parse job %.1f s (%.1f MB/s; < 60 s for 1 GB wants >= 17.9 MB/s); CPU %.1f s; load %s%n",
          mb, collect + parse, collect, parse, mb / (collect + parse), c3.minus(c1).totalSeconds(), load());
      System.out.printf("peak heap of this JVM: %d MB%n", Runtime.getRuntime().totalMemory() >> 20);
      if (!ok) System.exit(1);
    } finally {
      DemoCommand.deleteRecursively(work);
    }
  }

  /** The node's indexing, refresh, merge and GC counters. */
  static JsonNode indexStats(EvidencePipeline pipeline) throws java.io.IOException {
    return pipeline.send("GET", "/_nodes/_local/stats/indices,jvm", null).path("nodes").elements().next();
  }

  static long delta(JsonNode before, JsonNode after, String pointer) {
    return after.at(pointer).asLong() - before.at(pointer).asLong();
  }

  static String load() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    } catch (java.io.IOException e) {
      return "?";
    }
  }

  private LargeArtifactsBenchmark() {}
}
