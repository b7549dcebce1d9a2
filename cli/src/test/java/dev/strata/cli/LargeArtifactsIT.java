package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.infra.StackEndpoints;
import dev.strata.infra.testing.SharedStack;
import dev.strata.ingest.CollectionReport;
import dev.strata.ingest.CollectorOptions;
import dev.strata.ingest.ProgressListener;
import dev.strata.job.ParseJobConfig;
import dev.strata.job.ParseJobResult;
import dev.strata.sink.opensearch.IndexTemplates;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Artifacts over Kafka's 1 MB message limit go through the whole pipeline: a CloudTrail document of several MB (one
 * JSON document, cut between records) and a container log of tens of MB. Every record is accounted for. The 50 MB /
 * 200 MB run is {@link LargeArtifactsBenchmark}.
 */
@ExtendWith(SharedStack.class)
class LargeArtifactsIT {
  @Test
  void largeArtifactsArriveWhole(StackEndpoints endpoints, @TempDir Path evidence) throws Exception {
    LargeEvidence.Written trail = LargeEvidence.cloudTrail(evidence, 6L << 20);
    LargeEvidence.Written log = LargeEvidence.dockerLog(evidence, 24L << 20);
    try (EvidencePipeline pipeline = new EvidencePipeline(EvidencePipeline.Services.of(endpoints))) {
      pipeline.prepare();
      String group = pipeline.newGroupAtEndOfRawTopic("large");
      CollectionReport report = pipeline.collect(evidence, CollectorOptions.defaults(), ProgressListener.NONE);
      assertThat(report.sourceTypes().get("aws_cloudtrail").chunks()).isGreaterThan(6);
      assertThat(report.sourceTypes().get("docker_json_log").chunks()).isGreaterThan(24);
      ParseJobResult job = pipeline.runJob(pipeline.jobConfig(true, group, ParseJobConfig.StartingOffsets.COMMITTED));
      assertThat(job.eventsOut()).isEqualTo(trail.records() + log.records());
      assertThat(job.deadLetters()).isZero();

      pipeline.send("POST", "/strata-*/_refresh", null);
      for (CollectionReport.Artifact a : report.artifacts()) {
        long expected = a.sourceType().equals("aws_cloudtrail") ? trail.records() : log.records();
        long indexed = pipeline.send("POST", "/" + IndexTemplates.EVENTS_INDEX + "/_count",
            "{\"query\":{\"term\":{\"lineage.artifact_sha256\":\"" + a.artifactSha256() + "\"}}}").path("count").asLong();
        assertThat(indexed).as("events of %s", a.origin()).isEqualTo(expected);
        long dead = pipeline.send("POST", "/" + IndexTemplates.DEAD_LETTERS_INDEX + "/_count",
            "{\"query\":{\"term\":{\"artifact_sha256\":\"" + a.artifactSha256() + "\"}}}").path("count").asLong();
        assertThat(dead).as("dead letters of %s", a.origin()).isZero();
        assertThat(pipeline.store().verify(a.artifactSha256()).ok()).isTrue();
      }
    }
  }
}
