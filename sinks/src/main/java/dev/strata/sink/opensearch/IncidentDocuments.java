package dev.strata.sink.opensearch;

import dev.strata.schema.correlate.Incident;
import dev.strata.sink.AvroJson;

/**
 * {@link Incident} to OpenSearch document ({@link AvroJson}: snake_case fields, ISO-8601 times); id =
 * {@code incident_id}, so each revision replaces the previous one. Keeping the newest revision relies on order: the
 * incident job emits the revisions of one incident from one subtask in order, and its sink runs with one request in
 * flight (a retried batch goes out again before anything newer).
 */
public final class IncidentDocuments implements DocumentMapper<Incident> {
  private static final long serialVersionUID = 1L;
  private final String index;

  public IncidentDocuments(String index) {
    this.index = index;
  }

  public static byte[] toJson(Incident incident) {
    return Json.bytes(4096, g -> AvroJson.write(g, incident));
  }

  @Override
  public String index(Incident incident) {
    return index;
  }

  @Override
  public String id(Incident incident) {
    return incident.getIncidentId();
  }

  @Override
  public byte[] source(Incident incident) {
    return toJson(incident);
  }
}
