package dev.strata.job.incident;

import dev.strata.job.correlate.Retention;
import dev.strata.schema.correlate.Incident;
import dev.strata.schema.correlate.TimelineRow;
import dev.strata.sink.opensearch.DocWriteRequest;
import dev.strata.sink.opensearch.TimelineDocuments;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The timeline index's writes for each incident revision, keyed by incident id: its rows ({@link TimelineDocuments}),
 * and the deletion of the rows an earlier revision wrote that this one no longer has, when its timeline holds all its
 * members (no row omitted by the cap): a member that left the incident (a newer revision of its event resolved it
 * to another workload, a context member of a dissolved incident that joins it no more) must not stay among the
 * incident's rows, which {@code strata report} reads. Rows the cap leaves out are kept (they are still members, and
 * nothing here tells them from members that left: a limit of capped incidents). A {@code MERGED} revision has no rows:
 * the old id's rows go (its incident's rows are under the id it merged into). Deletions carry the new revision as
 * their external version, so a replayed older revision cannot bring a row back over them.
 *
 * <p>State per incident id: the event ids of the rows written, kept {@code incident.retention} after the last write
 * (processing time; an incident is sealed 2 x window after its last signal, so no revision comes after that).
 */
final class TimelineRows extends KeyedProcessFunction<String, Incident, DocWriteRequest> {
  private static final long serialVersionUID = 1L;
  private final String index;
  private final long retentionMs;
  private transient MapState<String, Boolean> written;

  TimelineRows(String index, IncidentSettings settings) {
    this.index = index;
    this.retentionMs = settings.retention().toMillis();
  }

  @Override
  public void open(OpenContext ctx) {
    written = getRuntimeContext().getMapState(Retention.keep(
        new MapStateDescriptor<>("timeline-rows-written", Types.STRING, Types.BOOLEAN), retentionMs));
  }

  @Override
  public void processElement(Incident incident, Context ctx, Collector<DocWriteRequest> out) throws Exception {
    for (DocWriteRequest r : TimelineDocuments.requests(index, incident)) out.collect(r);
    Set<String> now = new HashSet<>();
    for (TimelineRow row : incident.getTimeline()) now.add(row.getEventId());
    if (incident.getTimelineOmitted() == 0) {
      List<String> gone = new ArrayList<>();
      for (String eventId : written.keys()) if (!now.contains(eventId)) gone.add(eventId);
      for (String eventId : gone) {
        out.collect(DocWriteRequest.deletion(index, TimelineDocuments.id(incident.getIncidentId(), eventId),
            incident.getRevision()));
        written.remove(eventId);
      }
    }
    for (String eventId : now) written.put(eventId, Boolean.TRUE);
  }
}
