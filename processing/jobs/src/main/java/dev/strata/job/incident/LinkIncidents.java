package dev.strata.job.incident;

import dev.strata.schema.AvroCodec;
import dev.strata.schema.correlate.Incident;
import dev.strata.schema.correlate.IncidentStatus;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * After the per-tenant grouping: links the incidents of different tenants that share a session, access key or IAM
 * principal ({@link IncidentLinker}) and numbers what it publishes. One key ({@link #KEY}) holds every open
 * per-tenant incident (incident records, not events: few, bounded by eviction) and, per published id, the revision,
 * fingerprint and status it last wrote. Each incoming revision re-links and writes only what changed: a linked
 * incident under its earliest part's id, a {@code MERGED} record for a part that was published on its own before,
 * and a tenant's own {@code MERGED} records passed on. Parts whose last signal is 3 x window behind the watermark are
 * final and leave the state; in streaming runs with event time per collection run ({@link LaneClocks}), parts that got
 * no new revision for 3 x window of wall-clock time do instead (the grouping seals an incident 2 x window behind its
 * runs' clocks, and a quiet run's clock follows the wall clock): the operator's watermark is today's evidence's, and
 * a replay of last week's bundle, behind it, had each of its incidents dropped here before it was ever published.
 */
public final class LinkIncidents extends KeyedProcessFunction<String, Incident, Incident> {
  private static final long serialVersionUID = 1L;
  /** The one key: linking needs every tenant's incidents in one place. */
  public static final String KEY = "incidents";

  private final IncidentSettings settings;
  /** Streaming runs with per-run event time: parts leave by wall-clock age; null: by the watermark. */
  private final LaneClocks laneClocks;
  private transient MapState<String, byte[]> parts;
  /** Part id -> wall-clock millis of its last revision (with {@link #laneClocks}). */
  private transient MapState<String, Long> updated;
  private transient MapState<String, String> published;
  private transient AvroCodec<Incident> avro;

  public LinkIncidents(IncidentSettings settings) {
    this(settings, null);
  }

  public LinkIncidents(IncidentSettings settings, LaneClocks laneClocks) {
    this.settings = settings;
    this.laneClocks = laneClocks;
  }

  @Override
  public void open(OpenContext ctx) {
    parts = getRuntimeContext().getMapState(
        new MapStateDescriptor<>("parts", Types.STRING, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
    published = getRuntimeContext().getMapState(new MapStateDescriptor<>("published", Types.STRING, Types.STRING));
    updated = getRuntimeContext().getMapState(new MapStateDescriptor<>("part-updated", Types.STRING, Types.LONG));
    avro = AvroCodec.of(Incident.class);
  }

  @Override
  public void processElement(Incident in, Context ctx, Collector<Incident> out) throws Exception {
    String id = in.getIncidentId();
    long now = laneClocks == null ? 0 : laneClocks.nowMillis();
    if (in.getStatus() == IncidentStatus.MERGED) {
      parts.remove(id);
      if (laneClocks != null) updated.remove(id);
      String[] p = state(id);
      if (p != null && p[2].equals("OPEN")) {
        int rev = Integer.parseInt(p[0]) + 1;
        in.setRevision(rev);
        published.put(id, rev + "|0|MERGED");
        out.collect(in);
      }
    } else {
      parts.put(id, avro.encode(in));
      if (laneClocks != null) updated.put(id, now);
    }
    long wm = ctx.timerService().currentWatermark();
    List<Incident> open = new ArrayList<>();
    long horizon = laneClocks != null || wm == Long.MIN_VALUE || wm == Long.MAX_VALUE ? Long.MIN_VALUE
        : (wm - 3 * settings.window().toMillis()) * 1000;
    long stale = laneClocks == null || wm == Long.MAX_VALUE ? Long.MIN_VALUE : now - 3 * settings.window().toMillis();
    for (Iterator<Map.Entry<String, byte[]>> it = parts.iterator(); it.hasNext(); ) {
      Map.Entry<String, byte[]> part = it.next();
      Long at = laneClocks == null ? null : updated.get(part.getKey());
      if (laneClocks != null && at == null) updated.put(part.getKey(), now); // a part of state from before: from now
      if (at != null && at < stale) {
        it.remove(); // final: what was published stays
        published.remove(part.getKey());
        updated.remove(part.getKey());
        continue;
      }
      Incident p = avro.decode(part.getValue());
      if (micros(p.getLastSeen()) < horizon) {
        it.remove(); // final: what was published stays
        published.remove(p.getIncidentId());
      } else {
        open.add(p);
      }
    }
    IncidentLinker.Linked linked = IncidentLinker.link(open, settings);
    for (Incident i : linked.incidents()) {
      long fp = IncidentEngine.fingerprint(i);
      String[] p = state(i.getIncidentId());
      if (p != null && Long.parseLong(p[1]) == fp && p[2].equals("OPEN")) continue;
      int rev = p == null ? 1 : Integer.parseInt(p[0]) + 1;
      i.setRevision(rev);
      published.put(i.getIncidentId(), rev + "|" + fp + "|OPEN");
      out.collect(i);
    }
    for (Map.Entry<String, String> m : linked.mergedInto().entrySet()) {
      String[] p = state(m.getKey());
      if (p == null || !p[2].equals("OPEN")) continue;
      Incident root = null;
      for (Incident i : linked.incidents()) if (i.getIncidentId().equals(m.getValue())) root = i;
      int rev = Integer.parseInt(p[0]) + 1;
      published.put(m.getKey(), rev + "|0|MERGED");
      out.collect(IncidentLinker.merged(m.getKey(), root.getTenant(), m.getValue(), root.getFirstSeen(),
          root.getLastSeen(), rev));
    }
  }

  /** revision, fingerprint, status last published for {@code id}, or null. */
  private String[] state(String id) throws Exception {
    String v = published.get(id);
    return v == null ? null : v.split("\\|", 3);
  }

  private static long micros(java.time.Instant t) {
    return t.getEpochSecond() * 1_000_000L + t.getNano() / 1000;
  }
}
