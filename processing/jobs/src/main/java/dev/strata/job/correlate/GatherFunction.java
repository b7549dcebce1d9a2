package dev.strata.job.correlate;

import dev.strata.correlate.EnrichmentMerger;
import dev.strata.correlate.Hit;
import dev.strata.schema.event.Enrichment;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by event id, one per hop that has keys: joins a request with the answers to its hop's lookup keys and,
 * once every key is answered, emits the request with {@code known} merged ({@link EnrichmentMerger}) for the next
 * hop; when a late answer changes the result, emits it again with this hop's counter + 1 in its revision ({@link
 * EnrichRequest#revisionAt}); an unchanged result is not emitted again. Answers to an older request revision are
 * ignored.
 *
 * <p>State per event: one value (the request, the answers, the emitted count, a hash of the last result; a few
 * hundred bytes), held on the heap while the event waits for its answers and written to keyed state once it is
 * complete ({@link InFlight}: one state read, for the event's first message, and one write per event, plus one of
 * each per late answer; complete ones in batches, in key order, found on the heap until written), kept there for the retention after its last write ({@link Retention}; never dropped before
 * the input ends in bounded mode).
 */
public final class GatherFunction extends KeyedCoProcessFunction<String, EnrichRequest, Resolution, EnrichRequest>
    implements InFlight {
  private static final long serialVersionUID = 1L;

  private final int hop;
  private final long retentionMs;

  private transient ValueState<Pending> pending;
  private transient Map<String, Pending> waiting;
  private transient Map<String, Pending> ready;
  private transient StateKeyOrder order;

  public GatherFunction(int hop, long retentionMs) {
    this.hop = hop;
    this.retentionMs = retentionMs;
  }

  @Override
  public void open(OpenContext ctx) {
    pending = getRuntimeContext().getState(
        Retention.keep(new ValueStateDescriptor<>("pending", Pending.TYPE), retentionMs));
    waiting = new HashMap<>();
    ready = new HashMap<>();
    order = new StateKeyOrder(getRuntimeContext().getTaskInfo().getMaxNumberOfParallelSubtasks());
  }

  @Override
  public void processElement1(EnrichRequest r, Context ctx, Collector<EnrichRequest> out) throws Exception {
    String id = ctx.getCurrentKey();
    Pending p = pending(id);
    if (p == null) {
      p = new Pending();
    } else if (p.request != null && r.rev() <= p.request.rev()) {
      return; // a replay, or an older revision
    }
    p.request = r;
    keep(id, p, tryEmit(p, out));
  }

  @Override
  public void processElement2(Resolution a, Context ctx, Collector<EnrichRequest> out) throws Exception {
    String id = ctx.getCurrentKey();
    Pending p = pending(id);
    if (p == null) p = new Pending(); // the request comes later
    else if (p.request != null && a.rev() < p.request.rev()) return;
    Resolution had = p.answers.get(a.key());
    if (had != null && had.rev() > a.rev()) return;
    p.answers.put(a.key(), a);
    boolean complete = p.request != null && a.rev() == p.request.rev() ? tryEmit(p, out) : isComplete(p);
    keep(id, p, complete);
  }

  /**
   * The event's state: on the heap while it waits or until it is written, else from keyed state (a copy, to
   * change).
   */
  private Pending pending(String id) throws Exception {
    Pending p = waiting.get(id);
    if (p == null) p = ready.get(id);
    return p != null ? p : Pending.copyOf(pending.value());
  }

  /**
   * A complete state goes to keyed state (late answers may need it), with the next batch ({@link #writeReady}); one
   * still waiting stays on the heap.
   */
  private void keep(String id, Pending p, boolean complete) {
    if (complete) {
      // its first result went on with the event's bytes: what a re-resolution needs is the event's coordinates (the
      // bytes stay only for an event without them)
      p.request = p.request.kept();
      waiting.remove(id);
      ready.put(id, p);
    } else {
      ready.remove(id);
      waiting.put(id, p);
    }
  }

  @Override
  public int held() {
    return waiting.size();
  }

  @Override
  public void writeHeld(Consumer<String> setKey) throws Exception {
    InFlight.writeAll(waiting, order, setKey, (id, p) -> pending.update(p));
  }

  @Override
  public int ready() {
    return ready.size();
  }

  @Override
  public void writeReady(Consumer<String> setKey) throws Exception {
    InFlight.writeAll(ready, order, setKey, (id, p) -> pending.update(p));
  }

  /** Whether every key of the request is answered at its revision. */
  private boolean isComplete(Pending p) {
    if (p.request == null) return false;
    for (String k : p.keys(hop)) {
      Resolution a = p.answers.get(k);
      if (a == null || a.rev() != p.request.rev()) return false;
    }
    return true;
  }

  /** Emits the merged request if every key is answered and the result is new; returns whether every key is. */
  private boolean tryEmit(Pending p, Collector<EnrichRequest> out) {
    EnrichRequest r = p.request;
    List<String> keys = p.keys(hop);
    Map<String, List<Hit>> hits = new HashMap<>(keys.size() * 2);
    for (String k : keys) {
      Resolution a = p.answers.get(k);
      if (a == null || a.rev() != r.rev()) return false; // still waiting
      hits.put(k, a.hits());
    }
    Enrichment en = EnrichRequest.EnrichmentCodec.copy(r.known());
    EnrichmentMerger.merge(en, keys, hits);
    int hash = en.hashCode();
    if (p.emitted > 0 && hash == p.hash) return true; // nothing new
    out.collect(r.with(EnrichRequest.revisionAt(r.rev(), hop, p.emitted), en));
    p.emitted++;
    p.hash = hash;
    return true;
  }

  /** The state of one event at one hop. */
  static final class Pending {
    static final TypeInformation<Pending> TYPE = new CodecTypeInfo<>(Pending.class, new PendingCodec());

    EnrichRequest request;
    final Map<String, Resolution> answers = new HashMap<>(4);
    private EnrichRequest keysOf; // the request whose keys are in keys (not serialized: computed again after a read)
    private List<String> keys;
    long emitted;
    int hash;

    /**
     * A copy to change (the heap backend hands out its stored object and snapshots it asynchronously: a value is
     * never modified once stored).
     */
    /** The request's keys at {@code hop}, computed once per request (a function of the request alone). */
    List<String> keys(int hop) {
      if (keysOf != request) {
        keys = request.keys(hop);
        keysOf = request;
      }
      return keys;
    }

    static Pending copyOf(Pending p) {
      if (p == null) return null;
      Pending c = new Pending();
      c.request = p.request;
      c.answers.putAll(p.answers);
      c.emitted = p.emitted;
      c.hash = p.hash;
      c.keysOf = p.keysOf;
      c.keys = p.keys;
      return c;
    }
  }

  /** Codec of {@link Pending}. */
  public static final class PendingCodec implements Codec<Pending> {
    private static final long serialVersionUID = 1L;
    private static final EnrichRequest.EnrichRequestCodec OLD_REQUEST = new EnrichRequest.EnrichRequestCodec();
    private static final EnrichRequest.WithEventCodec REQUEST = new EnrichRequest.WithEventCodec();
    private static final Resolution.ResolutionCodec ANSWER = new Resolution.ResolutionCodec();
    /** The first byte: no request, a request without its event (builds before the last hop emitted), with it. */
    static final int NO_REQUEST = 0;
    static final int REQUEST_ONLY = 1;
    static final int REQUEST_WITH_EVENT = 2;

    @Override
    public void write(Pending p, DataOutputView out) throws IOException {
      out.writeByte(p.request == null ? NO_REQUEST : REQUEST_WITH_EVENT);
      if (p.request != null) REQUEST.write(p.request, out);
      out.writeLong(p.emitted);
      out.writeInt(p.hash);
      out.writeShort(p.answers.size());
      for (Resolution a : p.answers.values()) ANSWER.write(a, out);
    }

    @Override
    public Pending read(DataInputView in) throws IOException {
      Pending p = new Pending();
      int form = in.readUnsignedByte();
      if (form == REQUEST_ONLY) p.request = OLD_REQUEST.read(in);
      else if (form == REQUEST_WITH_EVENT) p.request = REQUEST.read(in);
      else if (form != NO_REQUEST) throw new IOException("unknown gather state form " + form);
      p.emitted = in.readLong();
      p.hash = in.readInt();
      int n = in.readUnsignedShort();
      for (int i = 0; i < n; i++) {
        Resolution a = ANSWER.read(in);
        p.answers.put(a.key(), a);
      }
      return p;
    }
  }
}
