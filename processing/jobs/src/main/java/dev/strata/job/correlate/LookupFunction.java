package dev.strata.job.correlate;

import dev.strata.correlate.EnrichmentMerger;
import dev.strata.correlate.Hit;
import dev.strata.correlate.KeyState;
import dev.strata.correlate.LookupKeys;
import dev.strata.schema.event.Enrichment;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Keyed by state key ({@link LookupKeys#stateKey}: one per address, whatever its scopes): holds the key's bindings
 * ({@link KeyState}, one byte blob, each entry with the scopes it was stated for) and the probes of recent events
 * (event id -> time, revision, the lookup keys asked, and the request of a probe that carried one). A probe is
 * answered at once with what covers each of its lookup keys (the address in one scope) at the event's time: with a
 * {@link Resolution} per lookup key for the hop's gather, or, when this state key holds all of its request's keys at
 * this hop, with the request itself, merged ({@link #ANSWERED}: no gather). A binding that
 * changes the answer for a buffered probe re-answers it (late evidence re-resolves the events it covers), a merged
 * request with this hop's counter + 1 in its revision ({@link EnrichRequest#revisionAt}), as a gather would.
 *
 * <p>Registrations are written only for late bindings to find: they are collected on the heap and written in batches
 * of {@link InFlight#BATCH}, in the state's key order ({@link #writeReady}; before each checkpoint barrier too), and a
 * binding finds them on the heap until then. A key with several registrations in a batch (a hot node or service
 * account at hops 2 and 3) gets them as one state entry ({@link Registered#batch}), not one write per event.
 *
 * <p>State is bounded: probes are kept for the lateness retention after they came ({@link Retention}: a TTL, no timer
 * per probe); closed intervals for {@code closedTtl} + retention after their end (event time, watermark-driven
 * timers, one per key per minute, set when a binding leaves something to drop: a key holding only open starts has
 * none);
 * at most {@code maxEntries} entries per key. In bounded mode (unbounded retention) nothing is dropped before the
 * input ends.
 */
public final class LookupFunction extends KeyedCoProcessFunction<String, Probe, KeyedBinding, Resolution>
    implements InFlight {
  private static final long serialVersionUID = 1L;

  /**
   * The state key holding the primary lookup key of each binding that changed the state there (each accepted binding
   * once: what tells a benchmark that its bindings are loaded; the job's bindings outputs are merge-bindings' facts).
   */
  public static final OutputTag<String> ACCEPTED = new OutputTag<>("accepted-bindings", Types.STRING);

  private static final long TIMER_GRANULARITY_MS = 60_000;

  /** Requests whose only key at this hop is this lookup's, answered: the request with what the key resolves to. */
  public static final OutputTag<EnrichRequest> ANSWERED = new OutputTag<>("answered", EnrichRequest.TYPE);

  private final int hop;
  private final long retentionMs;
  private final long closedTtlMs;
  private final int maxEntries;

  private transient ValueState<byte[]> bindings;
  private transient MapState<String, Registered> probes;
  /** Registrations not written yet, by state key. */
  private transient Map<String, Registrations> unwritten;
  private transient int unwrittenCount;
  private transient StateKeyOrder order;
  /** The number of the next batch of a hot key's registrations ({@link #nextBatchKey}). */
  private transient long batchSeq;

  /** The user key prefix of a batch of registrations (event ids are printable: never this). */
  static final String BATCH_PREFIX = "\u0000";

  /** At most this many registrations in one batch entry (a hot key's share of a batch is split beyond it). */
  static final int BATCHED = 1024;

  public LookupFunction(int hop, long retentionMs, long closedTtlMs, int maxEntries) {
    this.hop = hop;
    this.retentionMs = retentionMs;
    this.closedTtlMs = closedTtlMs;
    this.maxEntries = maxEntries;
  }

  @Override
  public void open(OpenContext ctx) {
    bindings = getRuntimeContext().getState(
        new ValueStateDescriptor<>("bindings", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
    // "scoped-probes" (state keys shared by the scopes of an address: the lookup keys asked) replaced
    // "registered-probes" (one lookup key per state key), which replaced "recent-probes" (time and revision only) and
    // "probes" (timer-cleaned): probes of an older build are not read back (their events are not re-resolved by
    // bindings that come after the upgrade)
    probes = getRuntimeContext().getMapState(Retention.keep(
        new MapStateDescriptor<>("scoped-probes", Types.STRING, Registered.TYPE), retentionMs));
    unwritten = new HashMap<>();
    unwrittenCount = 0;
    order = new StateKeyOrder(getRuntimeContext().getTaskInfo().getMaxNumberOfParallelSubtasks());
    batchSeq = new java.security.SecureRandom().nextLong();
  }

  private boolean bounded() {
    return retentionMs == Long.MAX_VALUE;
  }

  @Override
  public void processElement1(Probe p, Context ctx, Collector<Resolution> out) throws Exception {
    byte[] blob = bindings.value();
    KeyState state = blob == null ? null : KeyState.decode(blob);
    List<String> keys = p.keysAt(hop);
    if (p.request() == null) {
      for (String k : keys) out.collect(new Resolution(p.eventId(), k, p.rev(), hits(state, k, p.time())));
      register(ctx.getCurrentKey(), p.eventId(), Registered.asking(p.time(), p.rev(), keys));
    } else {
      // requests of one event come in revision order (one path, FIFO channels): the newest replaces the registration
      Enrichment en = answer(p.request(), keys, state);
      ctx.output(ANSWERED, p.request().with(EnrichRequest.revisionAt(p.rev(), hop, 0), en));
      register(ctx.getCurrentKey(), p.eventId(), Registered.carrying(p.request(), 1, en.hashCode()));
    }
  }

  /** Registers a probe of event {@code eventId} under state key {@code key}, written with the next batch. */
  private void register(String key, String eventId, Registered r) {
    Registrations mine = unwritten.get(key);
    if (mine == null) unwritten.put(key, mine = new Registrations(1));
    mine.add(eventId, r);
    unwrittenCount++;
  }

  /**
   * Registrations of one state key, event id and registration, in the order they were made (a later one of the same
   * event is newer): those not written yet, and a batch written as one state entry ({@link Registered#batch}). Two
   * arrays, not a map per key (the profile of session 16: a hash map per state key, put per event, was ~3 % of the
   * process); they are read by event only when a binding comes ({@link #registrations}).
   */
  static final class Registrations {
    private String[] ids;
    private Registered[] registered;
    private int size;

    Registrations(int capacity) {
      ids = new String[capacity];
      registered = new Registered[capacity];
    }

    private Registrations(String[] ids, Registered[] registered) {
      this.ids = ids;
      this.registered = registered;
      this.size = ids.length;
    }

    void add(String eventId, Registered r) {
      if (size == ids.length) {
        ids = Arrays.copyOf(ids, size * 2);
        registered = Arrays.copyOf(registered, size * 2);
      }
      ids[size] = eventId;
      registered[size++] = r;
    }

    int size() {
      return size;
    }

    String id(int i) {
      return ids[i];
    }

    Registered get(int i) {
      return registered[i];
    }

    /** Registrations {@code from} (inclusive) to {@code to} (exclusive); this when that is all of them. */
    Registrations slice(int from, int to) {
      if (from == 0 && to == size && size == ids.length) return this;
      return new Registrations(Arrays.copyOfRange(ids, from, to), Arrays.copyOfRange(registered, from, to));
    }
  }

  @Override
  public int held() {
    return 0; // nothing waits: a registration is complete when it is made
  }

  @Override
  public void writeHeld(Consumer<String> setKey) {
    // nothing waits (see held)
  }

  @Override
  public int ready() {
    return unwrittenCount;
  }

  @Override
  public void writeReady(Consumer<String> setKey) throws Exception {
    InFlight.writeAll(unwritten, order, setKey, (key, mine) -> {
      int n = mine.size();
      if (n == 1) {
        probes.put(mine.id(0), mine.get(0));
        return;
      }
      // a hot key (a service account, a node: most events of a batch ask a few hundred of them): its registrations
      // of this batch as one entry (or a few, of at most BATCHED each) instead of one RocksDB write per event; an
      // event registered twice in it (re-answered before the batch was written) is read back as its newer one
      for (int from = 0; from < n; from += BATCHED) {
        probes.put(nextBatchKey(), Registered.batch(mine.slice(from, Math.min(n, from + BATCHED))));
      }
    });
    unwrittenCount = 0;
  }

  /**
   * A new user key for a batch of registrations: {@link #BATCH_PREFIX} (no event id starts with it) and a number
   * unique to this function's instance, which starts at a random value so that batches written under the same state
   * key before and after a restore or rescale do not overwrite each other (a collision would need two of its 64-bit
   * ranges to overlap).
   */
  private String nextBatchKey() {
    return BATCH_PREFIX + Long.toHexString(batchSeq++);
  }

  /**
   * The registrations of the current key, one per event, the newest of each (written singly, in batches, or not
   * written yet, {@code mine}): a batch written after a single registration of the same event, or the other way
   * round, leaves both in state until they expire; the newer answers.
   */
  private static Map<String, Registered> registrations(Iterator<Map.Entry<String, Registered>> written,
      Registrations mine) {
    Map<String, Registered> current = new LinkedHashMap<>();
    while (written.hasNext()) {
      Map.Entry<String, Registered> e = written.next();
      Registered r = e.getValue();
      if (r.batch() == null) {
        current.merge(e.getKey(), r, Registered::newer);
      } else {
        for (int i = 0; i < r.batch().size(); i++) current.merge(r.batch().id(i), r.batch().get(i), Registered::newer);
      }
    }
    // made after everything written, in order: the newest
    if (mine != null) for (int i = 0; i < mine.size(); i++) current.put(mine.id(i), mine.get(i));
    return current;
  }

  /** What covers lookup key {@code key} (in its scope) at {@code time} in {@code state} (null: no bindings). */
  private static List<Hit> hits(KeyState state, String key, long time) {
    return state == null ? List.of() : state.resolve(LookupKeys.stateScope(key), time);
  }

  /** The request's enrichment with what {@code keys}, all its keys at this hop, resolved to (as a gather merges). */
  private static Enrichment answer(EnrichRequest r, List<String> keys, KeyState state) {
    Map<String, List<Hit>> hits = new HashMap<>(keys.size() * 2);
    for (String k : keys) hits.put(k, hits(state, k, r.time()));
    Enrichment en = EnrichRequest.EnrichmentCodec.copy(r.known());
    EnrichmentMerger.merge(en, keys, hits);
    return en;
  }

  /** The binding ids answering each of {@code keys} at {@code time}, for change detection. */
  private static List<List<String>> answerIds(KeyState state, List<String> keys, long time) {
    List<List<String>> ids = new ArrayList<>(keys.size());
    for (String k : keys) ids.add(Resolution.ids(hits(state, k, time)));
    return ids;
  }

  @Override
  public void processElement2(KeyedBinding kb, Context ctx, Collector<Resolution> out) throws Exception {
    byte[] blob = bindings.value();
    Registrations mine = unwritten.get(ctx.getCurrentKey()); // registrations not written yet
    Iterator<Map.Entry<String, Registered>> waiting = probes.iterator();
    if (blob == null && mine == null && !waiting.hasNext()) {
      // the key's first statement, and no event asked about the key yet: the statement is the whole state, as it came
      bindings.update(kb.entry());
      accepted(kb, ctx);
      if (!bounded() && KeyState.prunable(kb.entry())) schedule(ctx, KeyState.decode(kb.entry()));
      return;
    }
    KeyState.Entry entry = KeyState.firstEntry(kb.entry());
    KeyState state = KeyState.decode(blob);
    // answers of the buffered probes this entry may change (times at or after its start)
    List<String> ids = new ArrayList<>();
    List<Registered> registered = new ArrayList<>();
    List<List<String>> keys = new ArrayList<>();
    List<List<List<String>>> before = new ArrayList<>();
    long changesFrom = state.changesFrom(entry);
    for (Map.Entry<String, Registered> e : registrations(waiting, mine).entrySet()) {
      Registered r = e.getValue();
      if (r.time() >= changesFrom) {
        ids.add(e.getKey());
        registered.add(r);
        keys.add(r.keys() != null ? r.keys() : r.request(e.getKey()).keys(hop));
        before.add(answerIds(state, keys.get(keys.size() - 1), r.time()));
      }
    }
    if (!state.add(entry)) return;
    if (state.size() > maxEntries) state.prune(Long.MIN_VALUE, maxEntries);
    bindings.update(state.encode());
    accepted(kb, ctx);
    for (int i = 0; i < ids.size(); i++) {
      Registered r = registered.get(i);
      List<String> asked = keys.get(i);
      List<List<String>> now = answerIds(state, asked, r.time());
      if (now.equals(before.get(i))) continue;
      if (r.keys() != null) {
        for (int k = 0; k < asked.size(); k++) {
          if (now.get(k).equals(before.get(i).get(k))) continue; // the gather keeps its answer for this key
          out.collect(new Resolution(ids.get(i), asked.get(k), r.rev(), hits(state, asked.get(k), r.time())));
        }
        continue;
      }
      EnrichRequest request = r.request(ids.get(i));
      Enrichment en = answer(request, asked, state);
      int hash = en.hashCode();
      if (hash == r.hash()) continue; // nothing new for the event
      ctx.output(ANSWERED, request.with(EnrichRequest.revisionAt(r.rev(), hop, r.emitted()), en));
      register(ctx.getCurrentKey(), ids.get(i), Registered.carrying(request, r.emitted() + 1, hash));
    }
    if (!bounded() && state.prunable()) schedule(ctx, state);
  }

  private static void accepted(KeyedBinding kb, Context ctx) {
    if (kb.primary()) ctx.output(ACCEPTED, kb.key());
  }

  /**
   * A cleanup timer for {@code state}, which has something {@link KeyState#prune} may drop once it is old enough
   * (a key holding open starts only has nothing to drop: no timer, one RocksDB timer write less per new key).
   */
  private void schedule(Context ctx, KeyState state) {
    schedule(ctx, Math.max(state.latestTime() / 1000, ctx.timerService().currentWatermark()) + closedTtlMs
        + retentionMs);
  }

  private void schedule(Context ctx, long atMs) {
    long t = (atMs / TIMER_GRANULARITY_MS + 1) * TIMER_GRANULARITY_MS;
    ctx.timerService().registerEventTimeTimer(t);
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<Resolution> out) throws Exception {
    long wm = ctx.timerService().currentWatermark();
    byte[] blob = bindings.value();
    if (blob != null) {
      KeyState state = KeyState.decode(blob);
      if (state.prune((wm - retentionMs - closedTtlMs) * 1000, maxEntries) > 0) {
        if (state.isEmpty()) bindings.clear();
        else bindings.update(state.encode());
      }
    }
  }

  /**
   * A probe kept for late bindings: its time and revision; for a probe that carried its request, what the request
   * holds besides the event id (the map key), time and revision ({@code known}, {@code hop1Keys}, {@code event}: the
   * request is rebuilt from them, {@link #request}), how many answers it was given and the hash of the last (an
   * unchanged answer is not given again); for one that did not, the lookup keys it asked ({@code keys}; null when it
   * carried its request: the request's keys at the hop).
   *
   * @param event the carried request's event as kept for a re-emission ({@link EnrichRequest#kept}: its coordinates in
   *     the normalized topic, else its bytes; null: none)
   */
  record Registered(long time, long rev, Enrichment known, List<String> hop1Keys, List<String> keys, int emitted,
      int hash, WireEvent event, Registrations batch) {
    static final TypeInformation<Registered> TYPE = new CodecTypeInfo<>(Registered.class, new RegisteredCodec());

    /** The registration of a probe of some of its request's keys (answered with a {@link Resolution} per key). */
    static Registered asking(long time, long rev, List<String> keys) {
      return new Registered(time, rev, null, null, keys, 0, 0, null, null);
    }

    /** The registration of a probe that carried {@code r}, answered {@code emitted} times, last with {@code hash}. */
    static Registered carrying(EnrichRequest r, int emitted, int hash) {
      return new Registered(r.time(), r.rev(), r.known(), r.hop1Keys(), null, emitted, hash, r.kept().event(),
          null);
    }

    /**
     * Registrations of several events under one state key, written as one state entry
     * under a {@link #BATCH_PREFIX} user key; its own time and revision are those of none of them (0).
     */
    static Registered batch(Registrations registrations) {
      return new Registered(0, 0, null, null, null, 0, 0, null, registrations);
    }

    /**
     * The newer of two registrations of one event: an event's requests come to a lookup in revision order, and a
     * re-answer registers the same request answered once more.
     */
    static Registered newer(Registered a, Registered b) {
      if (a.rev != b.rev) return a.rev > b.rev ? a : b;
      return b.emitted >= a.emitted ? b : a;
    }

    /** The request a carrying probe of event {@code eventId} brought (with its event as kept). */
    EnrichRequest request(String eventId) {
      WireEvent e = event == null || eventId.equals(event.eventId()) ? event
          : new WireEvent(eventId, event.bytes(), event.length(), event.partition(), event.offset());
      return new EnrichRequest(eventId, time, rev, known, hop1Keys, e);
    }

    @Override
    public String toString() {
      return batch != null ? "Registered[batch of " + batch.size() + "]" : "Registered[time=" + time + ", rev=" + rev
          + ", emitted=" + emitted + (keys != null ? ", keys=" + keys : ", carrying") + "]";
    }
  }

  /**
   * Codec of {@link Registered}: time, revision, a form byte, then the keys asked ({@link #ASKING}) or the request's
   * enrichment and hop-1 keys, emitted count and hash ({@link #CARRYING}), and the request's event as kept ({@link
   * #CARRYING_WITH_EVENT}: since the last hop emits the event, {@link EnrichRequest.EventCodec}).
   * {@link #CARRYING_WHOLE_REQUEST}, read only, is what builds before session 9 wrote: the whole request (its id, time
   * and revision again: ~80 bytes more).
   */
  public static final class RegisteredCodec implements Codec<Registered> {
    private static final long serialVersionUID = 1L;
    private static final EnrichRequest.EnrichRequestCodec REQUEST = new EnrichRequest.EnrichRequestCodec();
    static final int ASKING = 0;
    static final int CARRYING_WHOLE_REQUEST = 1;
    static final int CARRYING = 2;
    static final int CARRYING_WITH_EVENT = 3;
    static final int BATCH = 4;

    @Override
    public void write(Registered r, DataOutputView out) throws IOException {
      out.writeLong(r.time());
      out.writeLong(r.rev());
      if (r.batch() != null) {
        out.writeByte(BATCH);
        out.writeInt(r.batch().size());
        for (int i = 0; i < r.batch().size(); i++) {
          Codec.writeString(r.batch().id(i), out);
          write(r.batch().get(i), out);
        }
        return;
      }
      if (r.keys() != null) {
        out.writeByte(ASKING);
        EnrichRequest.writeStrings(r.keys(), out);
        return;
      }
      out.writeByte(r.event() == null ? CARRYING : CARRYING_WITH_EVENT);
      EnrichRequest.EnrichmentCodec.write(r.known(), out);
      EnrichRequest.writeStrings(r.hop1Keys(), out);
      out.writeInt(r.emitted());
      out.writeInt(r.hash());
      if (r.event() != null) EnrichRequest.EventCodec.write(r.event(), out);
    }

    @Override
    public Registered read(DataInputView in) throws IOException {
      long time = in.readLong();
      long rev = in.readLong();
      int form = in.readUnsignedByte();
      if (form == ASKING) return Registered.asking(time, rev, EnrichRequest.readStrings(in));
      if (form == BATCH) {
        int n = in.readInt();
        Registrations batch = new Registrations(Math.max(n, 1));
        for (int i = 0; i < n; i++) batch.add(Codec.readString(in), read(in));
        return Registered.batch(batch);
      }
      if (form == CARRYING_WHOLE_REQUEST) {
        EnrichRequest r = REQUEST.read(in);
        return new Registered(time, rev, r.known(), r.hop1Keys(), null, in.readInt(), in.readInt(), null, null);
      }
      if (form != CARRYING && form != CARRYING_WITH_EVENT) {
        throw new IOException("unknown probe registration form " + form);
      }
      Enrichment known = EnrichRequest.EnrichmentCodec.read(in);
      List<String> hop1Keys = EnrichRequest.readStrings(in);
      int emitted = in.readInt();
      int hash = in.readInt();
      // the event's id is the registration's map key, which the codec does not see: filled in by request(eventId)
      WireEvent event = form == CARRYING_WITH_EVENT ? EnrichRequest.EventCodec.read("", in) : null;
      return new Registered(time, rev, known, hop1Keys, null, emitted, hash, event, null);
    }
  }
}
