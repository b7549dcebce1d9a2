package dev.strata.cli;

import dev.strata.infra.StackEndpoints;
import dev.strata.infra.Topics;
import dev.strata.ingest.CollectorOptions;
import dev.strata.ingest.ProgressListener;
import dev.strata.job.ParseJobConfig;
import java.nio.file.Path;

/**
 * One bounded run of every job over what a scenario test adds to the shared stack: collect, parse, correlate,
 * incidents, then an index refresh. Each job's consumer group starts at the end of its input topic, so a run reads
 * only what it adds (the stack is shared with the other tests).
 */
final class ScenarioRun {
  private ScenarioRun() {}

  /** Runs the pipeline over {@code evidence}; returns the collection's run id. */
  static String run(EvidencePipeline pipeline, StackEndpoints endpoints, String name, Path evidence,
      CollectorOptions options) throws Exception {
    pipeline.prepare();
    String parseGroup = pipeline.newGroupAtEndOfRawTopic(name);
    String correlateGroup = IncidentPipelineIT.groupAtEnd(endpoints.kafkaBootstrap(), Topics.NORMALIZED,
        name + "-correlate");
    String incidentGroup = IncidentPipelineIT.groupAtEnd(endpoints.kafkaBootstrap(), Topics.ENRICHED,
        name + "-incidents");
    String runId = pipeline.collect(evidence, options, ProgressListener.NONE).runId();
    pipeline.runJob(pipeline.jobConfig(true, parseGroup, ParseJobConfig.StartingOffsets.COMMITTED));
    var correlate = pipeline.correlateConfig(true, correlateGroup);
    pipeline.runCorrelate(correlate);
    pipeline.runIncidents(pipeline.incidentConfig(true, incidentGroup, correlate.enrichedTopic()));
    pipeline.send("POST", "/strata-*/_refresh", null);
    return runId;
  }
}
