package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.infra.StackEndpoints;
import dev.strata.infra.testing.SharedStack;
import dev.strata.ingest.CollectorOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The CI runner scenario ({@link CiRunnerEscapeScenarioIT}, {@code scenarios/ci-runner/README.md}) without the
 * CloudTrail file: no node-level signal (the node role's calls from outside) falls between the pods' alerts, so only
 * the evidence of the pods themselves links them: the job pod's token creating the shell pod ({@code k8s.token.pod}),
 * the CronJob it created from outside and the miner its Job ran ({@code batch_workload}), the image they share. The
 * attack is still one incident with the three pods, and it starts at its entry (the poisoned dependency's install
 * script in the job's log).
 *
 * <p>The bundle is copied to a temporary directory without {@code AWSLogs/<account>/CloudTrail} (the fixture is never
 * changed). The stack is shared with the other tests and event ids are content addressed (the copy's evidence is the
 * full bundle's, byte for byte), so the copy's context manifest names another account: its incident is another
 * tenant's and never meets the full bundle's (the VPC flow records name their own account and stay in the full
 * bundle's tenant: context only, no link here). Its incidents are deleted from the indices afterwards, so a later
 * {@link CiRunnerEscapeScenarioIT} finds only its own.
 */
@ExtendWith(SharedStack.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CiRunnerWithoutCloudTrailIT {
  static final String ACCT = "271828182845"; // the copy's account (the bundle's is 314159265358)
  static final String TENANT = "aws:" + ACCT;
  static final String NS = CiRunnerEscapeScenarioIT.NS;

  EvidencePipeline pipeline;
  JsonNode incidents;

  @BeforeAll
  void runPipeline(StackEndpoints endpoints) throws Exception {
    Path bundle = ScenarioRun.home().resolve("cli/src/test/resources/scenarios/ci-runner/bundle");
    Path copy = Files.createTempDirectory("ci-runner-no-cloudtrail");
    try (Stream<Path> files = Files.walk(bundle)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        String rel = bundle.relativize(f).toString().replace('\\', '/');
        if (rel.matches("AWSLogs/[^/]+/CloudTrail(/.*)?")) continue;
        Path to = copy.resolve(rel);
        if (Files.isDirectory(f)) Files.createDirectories(to);
        else Files.copy(f, to);
      }
    }
    Path context = copy.resolve("strata-context.yaml");
    Files.writeString(context, Files.readString(context).replace(CiRunnerEscapeScenarioIT.ACCT, ACCT));
    try (Stream<Path> left = Files.walk(copy)) {
      assertThat(left.map(p -> copy.relativize(p).toString())).noneMatch(p -> p.contains("CloudTrail"))
          .anyMatch(p -> p.contains("vpcflowlogs"));
    }
    pipeline = new EvidencePipeline(EvidencePipeline.Services.of(endpoints));
    ScenarioRun.run(pipeline, endpoints, "ci-runner-no-cloudtrail-it", copy, CollectorOptions.defaults());
    incidents = pipeline.send("POST", "/strata-incidents-*/_search", "{\"size\":20,\"query\":{\"bool\":{\"must\":["
        + "{\"term\":{\"tenant\":\"" + TENANT + "\"}},{\"term\":{\"status\":\"OPEN\"}}]}}}").at("/hits/hits");
  }

  /**
   * This tenant's incidents and their timeline rows leave the shared indices (see the class comment), one document at
   * a time (the test node has no reindex module, hence no delete-by-query).
   */
  @AfterAll
  void removeThisTenantsIncidents() throws Exception {
    if (pipeline == null) return;
    JsonNode all = pipeline.send("POST", "/strata-incidents-*/_search",
        "{\"size\":100,\"query\":{\"term\":{\"tenant\":\"" + TENANT + "\"}}}").at("/hits/hits");
    for (JsonNode h : all) {
      String id = h.at("/_source/incident_id").asText();
      JsonNode rows = pipeline.send("POST", "/strata-timeline-*/_search",
          "{\"size\":1000,\"_source\":false,\"query\":{\"term\":{\"incident_id\":\"" + id + "\"}}}").at("/hits/hits");
      for (JsonNode r : rows) delete(r);
      delete(h);
    }
    pipeline.send("POST", "/strata-*/_refresh", null);
  }

  private void delete(JsonNode hit) throws Exception {
    pipeline.send("DELETE", "/" + hit.path("_index").asText() + "/_doc/"
        + java.net.URLEncoder.encode(hit.path("_id").asText(), java.nio.charset.StandardCharsets.UTF_8), null);
  }

  @Test
  void oneIncidentHoldsTheJobTheShellAndTheMinerAndStartsAtTheEntry() throws Exception {
    List<String> titles = new ArrayList<>();
    incidents.forEach(h -> titles.add(h.at("/_source/title").asText()));
    assertThat(incidents).as("open incidents of the copy: %s", titles).hasSize(1);
    JsonNode incident = incidents.get(0).path("_source");
    assertThat(incident.path("title").asText()).contains(CiRunnerEscapeScenarioIT.JOB);
    assertThat(ScenarioRun.entities(incident)).contains("pod:" + NS + "/" + CiRunnerEscapeScenarioIT.JOB,
        "pod:" + NS + "/" + CiRunnerEscapeScenarioIT.SHELL, "pod:" + NS + "/" + CiRunnerEscapeScenarioIT.MINER)
        .noneMatch(e -> e.startsWith("session:")); // no CloudTrail, no node role session
    Set<String> stages = new HashSet<>();
    incident.path("attack_path").forEach(s -> stages.add(s.path("stage").asText()));
    assertThat(incident.at("/attack_path/0/stage").asText()).as("the path's first step").isEqualTo("ENTRY");
    assertThat(stages).contains("ENTRY", "CREDENTIAL_ACCESS", "PRIVILEGE_ESCALATION", "PERSISTENCE");
  }
}
