package dev.strata.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.infra.StackEndpoints;
import dev.strata.infra.testing.SharedStack;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What every scenario IT holds: its pipeline on the shared stack, the collection run its evidence came in (the events
 * index is shared with the other tests: each IT reads its own run's events), and the incident it is about. A subclass
 * runs its scenario once in its {@code @BeforeAll} ({@link ScenarioRun}), fills these fields and asserts on what came
 * out; when one of its tests fails, {@link ScenarioRun.DumpOnFailure} writes what the run produced ({@link #dump}).
 */
@ExtendWith({SharedStack.class, ScenarioRun.DumpOnFailure.class})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AbstractScenarioIT implements ScenarioRun.Dumps {
  EvidencePipeline pipeline;
  StackEndpoints endpoints;
  /** The collection run of the scenario's evidence (the first one's, for a scenario with late evidence). */
  String runId;
  /** The open incidents that hold the scenario's key entity, and the first of them (null when there is none). */
  JsonNode incidents;
  JsonNode incident;

  /** This run's events matching a query_string query, in time order. */
  JsonNode search(String query) throws Exception {
    return ScenarioRun.search(pipeline, runId, query);
  }
}
