package dev.strata.job.correlate;

import dev.strata.schema.event.Enrichment;
import java.io.IOException;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keyed by event id: the results of late evidence ({@link EnrichRequest#rev} > 0; the first result, rev 0, was
 * emitted by the end of its path, {@link EmitEnriched}, as revision 0) -> the event again with {@code
 * enrichment.revision} 1, 2, ...: a result older than the newest seen here (lower rev: derived from older answers, on
 * another path that reordered) is dropped, and one whose enrichment equals the last re-emitted is not emitted again.
 * Revision 1 is emitted whatever the first result was (this operator never saw it): it may repeat revision 0's
 * enrichment, a higher revision of the same content, which replaces it (consumers keep the highest revision per
 * event id), never a duplicate at one revision.
 *
 * <p>The event comes with the result ({@link EnrichRequest#event}): its bytes for an event without coordinates in the
 * normalized topic (the hops' registrations keep them), else its coordinates there, read back through {@link
 * NormalizedEvents} (an event the topic no longer holds is not re-emitted: counted, {@code reemissionsMissingEvent},
 * logged as an error with its id and coordinates; the result is recorded as seen).
 *
 * <p>State per re-resolved event only ({@code reemitted}: newest rev seen, revisions emitted, hash of the last
 * re-emitted enrichment; ~20 bytes), kept for the retention after its last write ({@link Retention}). Late evidence is
 * rare: nothing here is batched or held on the heap.
 */
public final class Reemission extends KeyedProcessFunction<String, EnrichRequest, EnrichedEvent> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(Reemission.class);

  private final long retentionMs;
  /** Where events kept by their coordinates are read back from; null: none (every event comes with its bytes). */
  private final NormalizedEvents.Factory topic;

  private transient ValueState<Reemitted> state;
  private transient EventWire wire;
  private transient EventReadBack events;
  private transient Counter readBack;
  private transient Counter missing;

  public Reemission(long retentionMs, NormalizedEvents.Factory topic) {
    this.retentionMs = retentionMs;
    this.topic = topic;
  }

  @Override
  public void open(OpenContext ctx) {
    state = getRuntimeContext().getState(Retention.keep(
        new ValueStateDescriptor<>("reemitted", Reemitted.TYPE), retentionMs));
    wire = new EventWire();
    readBack = getRuntimeContext().getMetricGroup().counter("reemissionsReadFromTopic");
    missing = getRuntimeContext().getMetricGroup().counter("reemissionsMissingEvent");
  }

  @Override
  public void close() throws Exception {
    if (events != null) events.close();
    super.close();
  }

  @Override
  public void processElement(EnrichRequest r, Context ctx, Collector<EnrichedEvent> out) throws Exception {
    String id = ctx.getCurrentKey();
    Reemitted s = state.value();
    if (s != null && r.rev() <= s.rev()) return; // derived from older answers than a result already seen
    // the request came through a keyed exchange: its enrichment was deserialized for this call, nobody else holds it
    Enrichment en = r.known();
    en.setRevision(0);
    int hash = en.hashCode();
    // revision 0 is the first result's (emitted at the end of its path, or here if it came without the event's bytes)
    int next = s != null ? s.emitted() : r.rev() == 0 ? 0 : 1;
    if (s != null && hash == s.hash()) {
      state.update(new Reemitted(r.rev(), s.emitted(), s.hash()));
      return;
    }
    WireEvent e = r.event();
    byte[] unenriched = e == null ? noEvent(id, next) : e.bytes() != null ? e.unenriched() : readBack(id, e, next);
    if (unenriched == null) {
      // gone from the topic, or registered by an older build (counted, logged): seen, not emitted; a newer result
      // tries again
      state.update(new Reemitted(r.rev(), next, s == null ? 0 : s.hash()));
      return;
    }
    en.setRevision(next);
    out.collect(new EnrichedEvent(id, wire.withEnrichment(unenriched, en), en));
    state.update(new Reemitted(r.rev(), next + 1, hash));
  }

  /**
   * A result without its event: derived from state of a build before the last hop emitted the event (a registration
   * or gather that did not keep the event's coordinates): cannot be re-emitted (counted with the missing, logged).
   */
  private byte[] noEvent(String id, int revision) {
    missing.inc();
    LOG.error("event {} is not re-emitted as enrichment revision {}: its result comes from state written before the"
        + " upgrade, which does not hold the event's coordinates", id, revision);
    return null;
  }

  /**
   * Event {@code id}'s bytes without its enrichment, read back from the normalized topic at {@code e}'s coordinates,
   * for its emission as enrichment revision {@code revision}; null (counted, logged) when the topic no longer holds it
   * there.
   */
  private byte[] readBack(String id, WireEvent e, int revision) {
    if (events == null) events = new EventReadBack(topic, getRuntimeContext().getTaskInfo().getIndexOfThisSubtask());
    EventReadBack.Read read = events.fromTopic(id, e, false);
    if (read.problem() == null) {
      readBack.inc();
      return read.unenriched();
    }
    missing.inc();
    LOG.error("event {} (normalized topic partition {}, offset {}) is not re-emitted as enrichment revision {}: {}",
        id, e.partition(), e.offset(), revision, read.problem());
    return null;
  }

  /** What was re-emitted of an event: the newest result's rev seen, revisions emitted (0 included), the last hash. */
  record Reemitted(long rev, int emitted, int hash) {
    static final TypeInformation<Reemitted> TYPE = new CodecTypeInfo<>(Reemitted.class, new ReemittedCodec());
  }

  /** Codec of {@link Reemitted}. */
  public static final class ReemittedCodec implements Codec<Reemitted> {
    private static final long serialVersionUID = 1L;

    @Override
    public void write(Reemitted r, DataOutputView out) throws IOException {
      out.writeLong(r.rev());
      out.writeInt(r.emitted());
      out.writeInt(r.hash());
    }

    @Override
    public Reemitted read(DataInputView in) throws IOException {
      return new Reemitted(in.readLong(), in.readInt(), in.readInt());
    }
  }
}
