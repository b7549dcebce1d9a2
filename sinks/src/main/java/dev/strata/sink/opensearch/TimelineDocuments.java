package dev.strata.sink.opensearch;

import dev.strata.schema.correlate.Incident;
import dev.strata.schema.correlate.TimelineRow;
import dev.strata.sink.AvroJson;
import java.util.ArrayList;
import java.util.List;

/**
 * The rows of an incident's timeline as documents of the timeline index: the row's fields plus
 * {@code incident_id}, {@code tenant} and {@code revision}; id = {@code incident_id:event_id}, so a row is one
 * document however many revisions carry it, versioned by the incident's revision ({@code external_gte}). Rows that
 * later revisions leave out because of the cap stay searchable; the incident job deletes the rows of members that left
 * the incident (its TimelineRows).
 */
public final class TimelineDocuments {
  private TimelineDocuments() {}

  public static String id(Incident incident, TimelineRow row) {
    return id(incident.getIncidentId(), row.getEventId());
  }

  /** The document id of event {@code eventId}'s row in incident {@code incidentId}. */
  public static String id(String incidentId, String eventId) {
    return incidentId + ":" + eventId;
  }

  public static byte[] toJson(Incident incident, TimelineRow row) {
    return Json.bytes(512, g -> {
      g.writeStartObject();
      g.writeStringField("incident_id", incident.getIncidentId());
      g.writeStringField("tenant", incident.getTenant());
      g.writeNumberField("revision", incident.getRevision());
      AvroJson.writeFields(g, row, name -> true);
      g.writeEndObject();
    });
  }

  /** One request per row, into {@code index}. */
  public static List<DocWriteRequest> requests(String index, Incident incident) {
    List<DocWriteRequest> out = new ArrayList<>(incident.getTimeline().size());
    for (TimelineRow row : incident.getTimeline()) {
      out.add(new DocWriteRequest(index, id(incident, row), toJson(incident, row), 1, incident.getRevision()));
    }
    return out;
  }
}
