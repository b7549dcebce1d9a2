package dev.strata.sink.opensearch;

import dev.strata.schema.correlate.Incident;
import dev.strata.sink.AvroJson;

/**
 * {@link Incident} to OpenSearch document ({@link AvroJson}: snake_case fields, ISO-8601 times); id =
 * {@code incident_id}, external version ({@code external_gte}) = {@code revision}: a newer revision replaces an
 * older one and never the reverse, whatever order retries and replays deliver them in.
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
  public long version(Incident incident) {
    return incident.getRevision();
  }

  @Override
  public byte[] source(Incident incident) {
    return toJson(incident);
  }
}
