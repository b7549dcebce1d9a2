package dev.strata.cli;

import dev.strata.job.ParseJobResult;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code strata job}: the Flink parse job on a local MiniCluster. */
@Command(
    name = "job",
    mixinStandardHelpOptions = true,
    description = {
      "Run the Flink parse job: raw evidence in Kafka to normalized events and dead letters.",
      "Local MiniCluster: evidence.raw.v1 -> parsers -> evidence.normalized.v1,",
      "evidence.deadletter.v1 and OpenSearch (when configured). To run the same job on a Flink cluster, submit",
      "the job jar (see processing/jobs/README.md)."
    })
final class JobCommand implements Callable<Integer> {
  @Mixin ServiceOptions services;

  @Option(names = "--bounded", description = "Stop after the records present at start (default: run until Ctrl-C).")
  boolean bounded;

  @Option(names = "--group-id", description = "Kafka consumer group (default: strata-parse). Committed offsets make restarts resume.")
  String groupId = "strata-parse";

  @Override
  public Integer call() throws Exception {
    try (EvidencePipeline pipeline = new EvidencePipeline(EvidencePipeline.Services.of(services.settings()))) {
      pipeline.prepare();
      System.err.println("running the parse job" + (bounded ? " over the evidence present now" : " (Ctrl-C to stop)"));
      ParseJobResult result = pipeline.runJob(pipeline.jobConfig(bounded, groupId, dev.strata.job.ParseJobConfig.StartingOffsets.COMMITTED),
          java.time.Duration.ofSeconds(5), System.err::println);
      System.err.println(result.summary());
    }
    return 0;
  }
}
