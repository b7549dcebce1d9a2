package dev.strata.job.correlate;

import dev.strata.job.serde.AvroWireDecoder;
import dev.strata.schema.event.Enrichment;
import dev.strata.schema.event.EvidenceEvent;
import java.io.IOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The final join, keyed by event id: the event (the only place it is held, once, as {@link WireEvent} bytes) and the
 * last result of its hops ({@link EnrichRequest#known}) -> the event with that {@code enrichment}, as the wire bytes
 * of the enriched topic ({@link EnrichedEvent}: the event's bytes up to its enrichment, then the enrichment's, {@link
 * EventWire}; the event is never decoded). A newer result (higher {@link
 * EnrichRequest#rev}) that changes the enrichment is emitted again with {@code revision} + 1, so the revisions of an
 * event are 0, 1, 2, ... with no gap and no duplicate; an unchanged or older result is not emitted. A result that
 * comes before its event waits for it. A replayed event (same id) is ignored.
 *
 * <p>State per event, one value ({@code event-and-join}): the event's wire bytes without its enrichment ({@link
 * WireEvent}: stored as they came; state of builds before session 10 holds the whole event's bytes, read back as
 * such, {@link HeldCodec}) and {last result revision, emitted count, hash of the last emitted enrichment, the
 * result waiting for its event}; kept for the retention after the last write ({@link Retention}; never dropped before
 * the input ends in bounded mode). Until the event is first emitted, it is held on the heap ({@link InFlight}: written
 * to keyed state once, after it is emitted, or before a checkpoint): per event one write, and a read only for an id
 * that may have been written before ({@link WrittenKeys}: a replay, a result written out before a checkpoint, anything
 * of a restored state until the retention has passed); a new event's first message skips that read (a RocksDB miss).
 * Emitted events are written in batches of {@link InFlight#BATCH}, in the state's key order ({@link #writeReady}), and
 * found on the heap until then.
 *
 * <p>With the normalized topic to read from ({@link NormalizedEvents}) and events that carry their coordinates there
 * ({@link WireEvent#partition}, from the Kafka source: {@link SourcedEvent}), an emitted event's state keeps those
 * coordinates instead of its bytes (~20 bytes instead of ~1.3 KB per event for the whole retention: session 13), and
 * a re-emission reads the event back from the topic. An event the topic no longer holds (its retention passed) cannot
 * be re-emitted: counted ({@code reemissionsMissingEvent}) and logged as an error with its id and coordinates; the
 * join state still records the result seen. Events without coordinates (other sources, tests) and state of older
 * builds keep their bytes as before.
 */
public final class JoinEnrichment extends KeyedCoProcessFunction<String, WireEvent, EnrichRequest, EnrichedEvent>
    implements InFlight, CheckpointedFunction {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(JoinEnrichment.class);

  private final long retentionMs;
  /** Where emitted events are read back from for a re-emission; null: their bytes are kept in state. */
  private final NormalizedEvents.Factory topic;

  private transient ValueState<Held> stored;
  private transient EventWire wire;
  private transient Map<String, Held> waiting;
  private transient Map<String, Held> ready;
  private transient StateKeyOrder order;
  private transient WrittenKeys written;
  private transient NormalizedEvents events;
  private transient AvroWireDecoder<EvidenceEvent> decoder;
  private transient Counter readBack;
  private transient Counter missing;

  /** A join that keeps the bytes of the events it emitted (for a re-emission). */
  public JoinEnrichment(long retentionMs) {
    this(retentionMs, null);
  }

  /**
   * A join that keeps, of an emitted event that came with its coordinates in the normalized topic, only those, and
   * reads it back from {@code topic} (null: keeps the bytes) for a re-emission.
   */
  public JoinEnrichment(long retentionMs, NormalizedEvents.Factory topic) {
    this.retentionMs = retentionMs;
    this.topic = topic;
  }

  @Override
  public void initializeState(FunctionInitializationContext ctx) {
    written = new WrittenKeys(retentionMs, System::currentTimeMillis); // the clock of the state's TTL
    if (ctx.isRestored()) written.restored();
  }

  @Override
  public void snapshotState(FunctionSnapshotContext ctx) {
    // nothing: what was written before a restore is treated as unknown until it has expired (WrittenKeys)
  }

  @Override
  public void open(OpenContext ctx) {
    // "event-and-join" replaced "event" (the wire bytes) and "joined" (two values, two writes per event): what an
    // older build stored there is not read (see docs/correlation.md, upgrading)
    stored = getRuntimeContext().getState(Retention.keep(
        new ValueStateDescriptor<>("event-and-join", Held.TYPE), retentionMs));
    wire = new EventWire();
    waiting = new HashMap<>();
    ready = new HashMap<>();
    order = new StateKeyOrder(getRuntimeContext().getTaskInfo().getMaxNumberOfParallelSubtasks());
    readBack = getRuntimeContext().getMetricGroup().counter("reemissionsReadFromTopic");
    missing = getRuntimeContext().getMetricGroup().counter("reemissionsMissingEvent");
  }

  @Override
  public void close() throws Exception {
    if (events != null) events.close();
    super.close();
  }

  @Override
  public void processElement1(WireEvent w, Context ctx, Collector<EnrichedEvent> out) throws Exception {
    String id = ctx.getCurrentKey();
    Held h = held(id);
    Joined j = h == null ? Joined.NONE : h.joined;
    if (j.hasEvent) return; // a replay
    if (j.waiting != null) {
      // the waiting result is this join's own (read from state, or its request's: see processElement2)
      j = emit(id, w.unenriched(), j, j.waiting, j.waiting.hashCode(), out);
      keep(id, emitted(w.unenriched(), j, w.partition(), w.offset()));
    } else {
      waiting.put(id, new Held(w.unenriched(), new Joined(j.rev, j.seen, true, j.emitted, j.hash, null), false,
          w.partition(), w.offset()));
    }
  }

  @Override
  public void processElement2(EnrichRequest r, Context ctx, Collector<EnrichedEvent> out) throws Exception {
    String id = ctx.getCurrentKey();
    Held h = held(id);
    Joined j = h == null ? Joined.NONE : h.joined;
    if (j.seen && r.rev() <= j.rev) return; // a result derived from older answers
    // a request reaches this join through a keyed exchange, so it was deserialized for this call and nobody else
    // holds its enrichment: the join takes it (no copy), and emits it with its revision set
    Enrichment en = r.known();
    en.setRevision(0);
    int hash = en.hashCode();
    if (j.emitted > 0 && hash == j.hash) {
      // nothing new (the event was emitted, so it is in keyed state or ready for it: only the revision seen changes)
      keep(id, h.with(new Joined(r.rev(), true, j.hasEvent, j.emitted, j.hash, null)));
    } else if (!j.hasEvent) {
      waiting.put(id, new Held(null, new Joined(r.rev(), true, false, j.emitted, j.hash, en))); // waits for its event
    } else {
      byte[] unenriched = h.event() != null ? h.unenriched(wire) : readBack(id, h, j.emitted);
      if (unenriched == null) { // gone from the topic: counted and logged; the result is seen, nothing emitted
        keep(id, h.with(new Joined(r.rev(), true, true, j.emitted, j.hash, null)));
        return;
      }
      j = emit(id, unenriched, new Joined(r.rev(), true, true, j.emitted, j.hash, null), en, hash, out);
      keep(id, emitted(unenriched, j, h.partition(), h.offset()));
    }
  }

  /**
   * The state of an emitted event: its coordinates in the normalized topic if it has them and the topic can be read
   * back, else its bytes.
   */
  private Held emitted(byte[] unenriched, Joined j, int partition, long offset) {
    // the bytes stay on the heap until the batch is written (a re-emission before then reads nothing); the state
    // gets only the coordinates (HeldCodec)
    return topic != null && partition >= 0 ? new Held(unenriched, j, false, partition, offset)
        : new Held(unenriched, j);
  }

  /**
   * Event {@code id}'s bytes without its enrichment, read back from the normalized topic at the coordinates {@code
   * h} holds, for its emission as enrichment revision {@code revision}; null (counted, logged) when the topic no
   * longer holds it there.
   */
  private byte[] readBack(String id, Held h, int revision) {
    if (events == null) {
      if (topic == null) {
        throw new IllegalStateException("event " + id + " is kept by its coordinates in the normalized topic ("
            + h.partition() + "@" + h.offset() + ") but this join has no topic to read it from");
      }
      events = topic.open(getRuntimeContext().getTaskInfo().getIndexOfThisSubtask());
      decoder = new AvroWireDecoder<>(EvidenceEvent.class);
    }
    byte[] value = events.read(h.partition(), h.offset());
    String problem;
    if (value == null) {
      problem = "the topic no longer holds it (its retention must cover the lateness retention)";
    } else {
      try {
        EvidenceEvent e = decoder.decode(value);
        if (id.equals(e.getEventId())) {
          readBack.inc();
          // the same bytes as its first emission took from the record (SourcedEvent), when they are there
          int n = EventWire.unenrichedLength(value, e, decoder.lastWasCurrent());
          return n >= 0 ? Arrays.copyOf(value, n) : wire.withoutEnrichment(e);
        }
        problem = "the record there is event " + e.getEventId() + " (was the topic re-created?)";
      } catch (RuntimeException bad) {
        problem = "the record there does not decode: " + bad;
      }
    }
    missing.inc();
    LOG.error("event {} (normalized topic partition {}, offset {}) is not re-emitted as enrichment revision {}: {}",
        id, h.partition(), h.offset(), revision, problem);
    return null;
  }

  /**
   * The event's state: on the heap while it waits or until it is written, else from keyed state (null: nothing yet;
   * no read for an id this subtask never wrote, {@link WrittenKeys}: a new event's first message).
   */
  private Held held(String id) throws Exception {
    Held h = waiting.get(id);
    if (h == null) h = ready.get(id);
    return h != null || !written.mayHave(id) ? h : stored.value();
  }

  /**
   * An emitted event's state goes to keyed state (a later result re-emits it), in one write, with the next batch
   * ({@link #writeReady}).
   */
  private void keep(String id, Held h) {
    waiting.remove(id);
    ready.put(id, h);
  }

  /** Writes the current key's state ({@code id}) and records that it did. */
  private void write(String id, Held h) throws Exception {
    stored.update(h.forState());
    written.add(id);
  }

  @Override
  public int held() {
    return waiting.size();
  }

  @Override
  public void writeHeld(Consumer<String> setKey) throws Exception {
    InFlight.writeAll(waiting, order, setKey, this::write);
  }

  @Override
  public int ready() {
    return ready.size();
  }

  @Override
  public void writeReady(Consumer<String> setKey) throws Exception {
    InFlight.writeAll(ready, order, setKey, this::write);
  }

  /**
   * An event's join state and its wire bytes if they came (null while its result waits for it, or once emitted when
   * it is kept by its coordinates in the normalized topic): on the heap while it waits, in keyed state ({@code
   * event-and-join}) once emitted.
   *
   * @param event the event's wire bytes without its enrichment ({@link WireEvent#unenriched}), or, read from the
   *     state of an older build ({@code whole}), the whole event's
   */
  record Held(byte[] event, Joined joined, boolean whole, int partition, long offset) {
    static final TypeInformation<Held> TYPE = new CodecTypeInfo<>(Held.class, new HeldCodec());

    Held(byte[] event, Joined joined) {
      this(event, joined, false, SourcedEvent.NONE, 0);
    }

    Held(byte[] event, Joined joined, boolean whole) {
      this(event, joined, whole, SourcedEvent.NONE, 0);
    }

    /**
     * What keyed state keeps: of an emitted event with coordinates, only those (the heap backend keeps the object
     * itself, so the bytes are dropped here, not only by the codec).
     */
    Held forState() {
      return event != null && partition >= 0 && joined.emitted() > 0 ? new Held(null, joined, false, partition, offset)
          : this;
    }

    /** This state with the join state {@code j}. */
    Held with(Joined j) {
      return new Held(event, j, whole, partition, offset);
    }

    /** The event's wire bytes without its enrichment. */
    byte[] unenriched(EventWire wire) {
      return whole ? wire.withoutEnrichment(event) : event;
    }
  }

  /**
   * Codec of {@link Held}: the join state, then {@link #UNENRICHED}, the length and the event's bytes without its
   * enrichment, or -1 for no event; since session 13 also {@link #REFERENCE} and the event's partition and offset in
   * the normalized topic (no bytes: an emitted event that has them), or {@link #UNENRICHED_WITH_REFERENCE}, the
   * coordinates and the bytes (an event waiting for its result at a checkpoint). Builds before session 10 wrote the whole event's wire bytes there (a
   * length >= 0 and the bytes): read as such ({@link Held#whole}) and written back without the enrichment when next
   * written. Builds before session 13 cannot read the two new forms.
   */
  public static final class HeldCodec implements Codec<Held> {
    private static final long serialVersionUID = 1L;
    private static final JoinedCodec JOINED = new JoinedCodec();
    static final int NO_EVENT = -1;
    static final int UNENRICHED = -2;
    static final int REFERENCE = -3;
    static final int UNENRICHED_WITH_REFERENCE = -4;

    @Override
    public void write(Held h, DataOutputView out) throws IOException {
      JOINED.write(h.joined(), out);
      boolean ref = h.partition() >= 0;
      if (h.event() == null || ref && h.joined().emitted() > 0) { // an emitted event with coordinates: no bytes
        out.writeInt(ref ? REFERENCE : NO_EVENT);
        if (ref) {
          out.writeInt(h.partition());
          out.writeLong(h.offset());
        }
        return;
      }
      if (h.whole()) {
        ref = false; // (never both: state of an older build has no coordinates)
      } else {
        out.writeInt(ref ? UNENRICHED_WITH_REFERENCE : UNENRICHED);
      }
      if (ref) {
        out.writeInt(h.partition());
        out.writeLong(h.offset());
      }
      out.writeInt(h.event().length);
      out.write(h.event());
    }

    @Override
    public Held read(DataInputView in) throws IOException {
      Joined j = JOINED.read(in);
      int n = in.readInt();
      if (n == NO_EVENT) return new Held(null, j);
      if (n == REFERENCE) return new Held(null, j, false, in.readInt(), in.readLong());
      int partition = SourcedEvent.NONE;
      long offset = 0;
      if (n == UNENRICHED_WITH_REFERENCE) {
        partition = in.readInt();
        offset = in.readLong();
      }
      boolean whole = n != UNENRICHED && n != UNENRICHED_WITH_REFERENCE;
      if (!whole) n = in.readInt();
      if (n < 0) throw new IOException("bad event length " + n);
      byte[] event = new byte[n];
      in.readFully(event);
      return new Held(event, j, whole, partition, offset);
    }
  }

  /**
   * Emits event {@code id} (its bytes without enrichment: {@code unenriched}) with {@code en} (whose hash at revision
   * 0 is {@code hash}) at the next revision; the join state after it.
   */
  private Joined emit(String id, byte[] unenriched, Joined j, Enrichment en, int hash, Collector<EnrichedEvent> out) {
    en.setRevision(j.emitted);
    out.collect(new EnrichedEvent(id, wire.withEnrichment(unenriched, en), en));
    return new Joined(j.rev, j.seen, true, j.emitted + 1, hash, null);
  }

  /**
   * Immutable join state: the revision of the last result seen ({@code seen}: any), whether the event is here, the
   * emitted count and the hash of the last emitted enrichment (revision 0), the result waiting for its event.
   */
  record Joined(long rev, boolean seen, boolean hasEvent, int emitted, int hash, Enrichment waiting) {
    static final Joined NONE = new Joined(0, false, false, 0, 0, null);
    static final TypeInformation<Joined> TYPE = new CodecTypeInfo<>(Joined.class, new JoinedCodec());
  }

  /** Codec of {@link Joined}. */
  public static final class JoinedCodec implements Codec<Joined> {
    private static final long serialVersionUID = 1L;

    @Override
    public void write(Joined j, DataOutputView out) throws IOException {
      out.writeLong(j.rev());
      out.writeBoolean(j.seen());
      out.writeBoolean(j.hasEvent());
      out.writeInt(j.emitted());
      out.writeInt(j.hash());
      out.writeBoolean(j.waiting() != null);
      if (j.waiting() != null) EnrichRequest.EnrichmentCodec.write(j.waiting(), out);
    }

    @Override
    public Joined read(DataInputView in) throws IOException {
      return new Joined(in.readLong(), in.readBoolean(), in.readBoolean(), in.readInt(), in.readInt(),
          in.readBoolean() ? EnrichRequest.EnrichmentCodec.read(in) : null);
    }
  }
}
