package dev.strata.job.incident;

import dev.strata.schema.correlate.Incident;
import java.util.List;

/** Test access to the engine's reference flush (benchmarks in other packages compare against it). */
public final class IncidentEngineAccess {
  private IncidentEngineAccess() {}

  public static List<Incident> flushRegrouping(IncidentEngine engine, TenantStore store, String tenant, long wm)
      throws Exception {
    return engine.flushRegrouping(store, tenant, wm);
  }
}
