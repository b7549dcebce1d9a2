package dev.strata.job.correlate;

import dev.strata.schema.event.Enrichment;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The end of a request's path (chained to each stream of finished requests: the last hop's gather, its lookup's
 * answers, each stream it skipped): an event's first result ({@link EnrichRequest#rev} 0, which the request reaches
 * carrying the event's wire bytes, {@link EnrichRequest#event}) is emitted here, as enrichment revision 0, without
 * another shuffle and without per-event state; a later result (late evidence re-resolved the event at some hop: rev
 * > 0) goes to {@link #REEMIT}, to {@link Reemission}, keyed by event id, which numbers revisions 1, 2, ...
 *
 * <p>Why rev 0 is the first result and only it: every hop writes its own result counter into the request's revision
 * ({@link EnrichRequest#revisionAt}), 0 for its first answer, so only the result derived from every hop's first answer
 * is 0, and there is one such result per event (one request enters the hops per event; a hop answers it once).
 */
public final class EmitEnriched extends ProcessFunction<EnrichRequest, EnrichedEvent> {
  private static final long serialVersionUID = 1L;

  /** The results of late evidence (and any first result that does not carry the event's bytes), for {@link Reemission}. */
  public static final OutputTag<EnrichRequest> REEMIT = new OutputTag<>("reemit", EnrichRequest.TYPE);

  private transient EventWire wire;

  @Override
  public void open(OpenContext ctx) {
    wire = new EventWire();
  }

  @Override
  public void processElement(EnrichRequest r, Context ctx, Collector<EnrichedEvent> out) {
    WireEvent e = r.event();
    if (r.rev() != 0 || e == null || e.bytes() == null) {
      ctx.output(REEMIT, r);
      return;
    }
    out.collect(first(r, e, wire));
  }

  /** Event {@code e} with {@code r}'s enrichment at revision 0. */
  static EnrichedEvent first(EnrichRequest r, WireEvent e, EventWire wire) {
    Enrichment en = r.known();
    // the merged enrichment is this request's own (a hop's copy), and revision 0 is what it already holds; copy only
    // if something set another (the enrichment a request carries may be shared along a chain)
    if (en.getRevision() != 0) {
      en = EnrichRequest.EnrichmentCodec.copy(en);
      en.setRevision(0);
    }
    return new EnrichedEvent(r.eventId(), wire.withEnrichment(e.unenriched(), en), en);
  }
}
