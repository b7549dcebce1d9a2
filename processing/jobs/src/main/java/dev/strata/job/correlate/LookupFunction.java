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
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LookupFunction.class);

  /** Requests whose only key at this hop is this lookup's, answered: the request with what the key resolves to. */
  public static final OutputTag<EnrichRequest> ANSWERED = new OutputTag<>("answered", EnrichRequest.TYPE);

  private final int hop;
  private final long retentionMs;
  private final long closedTtlMs;
  private final int maxEntries;
  /** The bytes of the bindings cache of each instance ({@link BindingCache}); 0: none. */
  private final long cacheBytes;
  /** The cache is write-through: every write of the bindings caches its key ({@link BindingCache#update}). */
  private final boolean writeThrough;
  /** Where hop 1 reads back an event registered by its coordinates ({@link Registered#byEvent}); null: none. */
  private final NormalizedEvents.Factory topic;

  private transient ValueState<byte[]> bindings;
  /**
   * What {@link #bindings} holds for the keys read lately (null: off): checked before the state is read, updated by
   * every write of it ({@link #readBindings}, {@link #writeBindings}).
   */
  private transient BindingCache cache;
  private transient MapState<String, Registered> probes;
  /** Registrations not written yet, by state key. */
  private transient Map<String, Registrations> unwritten;
  private transient int unwrittenCount;
  private transient StateKeyOrder order;
  /** The number of the next batch of a hot key's registrations ({@link #nextBatchKey}). */
  private transient long batchSeq;
  /** Reads back the events of registrations that hold only their coordinates (opened at the first). */
  private transient EventReadBack readBack;
  private transient org.apache.flink.metrics.Counter reResolvedFromTopic;
  private transient org.apache.flink.metrics.Counter missingEvent;

  /** The user key prefix of a batch of registrations (event ids are printable: never this). */
  static final String BATCH_PREFIX = "\u0000";

  /**
   * The user key prefix of a registration {@link Registered#byEvent} of an event with coordinates in the normalized
   * topic, under those ({@link #coordinatesKey}: ~8 bytes instead of the event id's 65; the event id is read back with
   * the event). Event ids are printable: never this.
   */
  static final String COORDINATES_PREFIX = "\u0001";

  /** At most this many registrations in one batch entry (a hot key's share of a batch is split beyond it). */
  static final int BATCHED = 1024;

  /** A lookup with no topic to read events back from (hop 1 then registers events that have coordinates fully). */
  public LookupFunction(int hop, long retentionMs, long closedTtlMs, int maxEntries) {
    this(hop, retentionMs, closedTtlMs, maxEntries, null);
  }

  /** A lookup with a bindings cache of {@link #DEFAULT_CACHE_BYTES}. */
  public LookupFunction(int hop, long retentionMs, long closedTtlMs, int maxEntries, NormalizedEvents.Factory topic) {
    this(hop, retentionMs, closedTtlMs, maxEntries, topic, DEFAULT_CACHE_BYTES);
  }

  /** The bindings cache of an instance unless said ({@code correlate.bindings.cache.bytes}). */
  public static final long DEFAULT_CACHE_BYTES = 32L << 20;

  /**
   * @param topic where the normalized topic's events are read back (hop 1: a late binding that may change the answer
   *     of an event registered by its coordinates, {@link Registered#byEvent}); null: the job has none (the requests
   *     then carry no coordinates, and an event registered by its bytes needs none)
   * @param cacheBytes the bytes of each instance's cache of the bindings it read ({@link BindingCache}); 0: none
   */
  public LookupFunction(int hop, long retentionMs, long closedTtlMs, int maxEntries, NormalizedEvents.Factory topic,
      long cacheBytes) {
    this(hop, retentionMs, closedTtlMs, maxEntries, topic, cacheBytes, false);
  }

  /**
   * @param writeThrough the cache holds every key written too, not only those read ({@link BindingCache}): sized for
   *     the keys the instance holds, it answers every read from the heap
   */
  public LookupFunction(int hop, long retentionMs, long closedTtlMs, int maxEntries, NormalizedEvents.Factory topic,
      long cacheBytes, boolean writeThrough) {
    if (cacheBytes != 0 && cacheBytes < 64 << 10) {
      throw new IllegalArgumentException("correlate.bindings.cache.bytes: 0 (off) or at least 64kb, got " + cacheBytes);
    }
    this.hop = hop;
    this.cacheBytes = cacheBytes;
    this.writeThrough = writeThrough;
    this.retentionMs = retentionMs;
    this.closedTtlMs = closedTtlMs;
    this.maxEntries = maxEntries;
    this.topic = topic;
  }

  @Override
  public void open(OpenContext ctx) {
    ValueStateDescriptor<byte[]> bindingsDescriptor =
        new ValueStateDescriptor<>("bindings", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);
    bindings = getRuntimeContext().getState(bindingsDescriptor);
    // never snapshotted: after a restore or rescale it starts empty and fills from the state, the truth; the bindings'
    // TTL, if they had one, is the cache's (they have none today: timers prune them, which are writes)
    cache = BindingCache.of(cacheBytes, bindingsDescriptor.getTtlConfig().isEnabled()
        ? bindingsDescriptor.getTtlConfig().getTimeToLive().toMillis() : Long.MAX_VALUE, System::currentTimeMillis,
        writeThrough);
    if (cache != null) {
      org.apache.flink.metrics.MetricGroup g = getRuntimeContext().getMetricGroup();
      BindingCache c = cache;
      g.gauge("bindingsCacheHits", c::hits);
      g.gauge("bindingsCacheMisses", c::misses);
      g.gauge("bindingsCacheEntries", c::entries);
      g.gauge("bindingsCacheLiveBytes", c::liveBytes);
      g.gauge("bindingsCacheHeldBytes", c::heldBytes);
      g.gauge("bindingsCacheEvicted", c::evicted);
    }
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
    readBack = null;
    reResolvedFromTopic = getRuntimeContext().getMetricGroup().counter("reResolutionsReadFromTopic");
    missingEvent = getRuntimeContext().getMetricGroup().counter("reResolutionsMissingEvent");
  }

  @Override
  public void close() throws Exception {
    if (readBack != null) readBack.close();
    super.close();
  }

  private boolean bounded() {
    return retentionMs == Long.MAX_VALUE;
  }

  /**
   * The current key's bindings blob (null: none): from the cache, else from the state (then cached, {@code fill}:
   * a probe's read; a binding's own read, about to be written over, is not).
   */
  private byte[] readBindings(String key, boolean fill) throws IOException {
    if (cache == null) return bindings.value();
    byte[] cached = cache.get(key);
    if (cached != null) return cached == BindingCache.ABSENT ? null : cached;
    byte[] blob = bindings.value();
    if (fill) cache.fill(key, blob);
    return blob;
  }

  /** Writes the current key's bindings ({@code blob}; null: clears them), and its cache entry in the same call. */
  private void writeBindings(String key, byte[] blob) throws IOException {
    if (blob == null) bindings.clear();
    else bindings.update(blob);
    if (cache != null) cache.update(key, blob);
  }

  /** The bindings cache of this instance, for tests (null: off). */
  BindingCache cache() {
    return cache;
  }

  @Override
  public void processElement1(Probe p, Context ctx, Collector<Resolution> out) throws Exception {
    byte[] blob = readBindings(ctx.getCurrentKey(), true);
    KeyState state = blob == null ? null : KeyState.decode(blob);
    List<String> keys = p.keysAt(hop);
    if (p.request() == null) {
      for (String k : keys) out.collect(new Resolution(p.eventId(), k, p.rev(), hits(state, k, p.time())));
      register(ctx.getCurrentKey(), p.eventId(), Registered.asking(p.time(), p.rev(), keys));
    } else {
      // requests of one event come in revision order (one path, FIFO channels): the newest replaces the registration
      Enrichment en = answer(p.request(), keys, state);
      ctx.output(ANSWERED, p.request().with(EnrichRequest.revisionAt(p.rev(), hop, 0), en));
      Registered r = registration(p.request(), 1, en.hashCode());
      register(ctx.getCurrentKey(), r.byEvent() && r.event().hasOffset() ? coordinatesKey(r.event()) : p.eventId(), r);
    }
  }

  /**
   * The user key of a registration of event {@code e} by its coordinates: {@link #COORDINATES_PREFIX}, the offset in
   * base 36, and the partition after a dot unless it is 0. One event, one key: a re-answer's registration replaces
   * the one it re-answered.
   */
  static String coordinatesKey(WireEvent e) {
    String offset = COORDINATES_PREFIX + Long.toString(e.offset(), 36);
    return e.partition() == 0 ? offset : offset + "." + Integer.toString(e.partition(), 36);
  }

  /**
   * The registration of carried request {@code r}, answered {@code emitted} times, last with {@code hash}: at hop 1,
   * of an event's request as it entered the hops (rev 0, with its event: {@link EnrichRequest#of(
   * dev.strata.schema.event.EvidenceEvent, WireEvent)}, all of it a function of the event), the event's reference
   * alone ({@link Registered#byEvent}: ~25 bytes instead of the request's ~200-280), the request rebuilt from the
   * event read back when a late binding may change its answer; else the request without its event's bytes ({@link
   * Registered#carrying}).
   */
  private Registered registration(EnrichRequest r, int emitted, int hash) {
    return hop == 1 && r.rev() == 0 && r.event() != null ? Registered.byEvent(r, emitted, hash)
        : Registered.carrying(r, emitted, hash);
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
    byte[] blob = readBindings(ctx.getCurrentKey(), false);
    Registrations mine = unwritten.get(ctx.getCurrentKey()); // registrations not written yet
    Iterator<Map.Entry<String, Registered>> waiting = probes.iterator();
    if (blob == null && mine == null && !waiting.hasNext()) {
      // the key's first statement, and no event asked about the key yet: the statement is the whole state, as it came
      writeBindings(ctx.getCurrentKey(), kb.entry());
      accepted(kb, ctx);
      if (!bounded() && KeyState.prunable(kb.entry())) schedule(ctx, KeyState.decode(kb.entry()));
      return;
    }
    KeyState.Entry entry = KeyState.firstEntry(kb.entry());
    KeyState state = KeyState.decode(blob);
    // answers of the buffered probes this entry may change (times at or after its start); of an event registered by
    // its reference alone (its keys are not kept), the answers in the scopes the entry is stated for, the only ones
    // it can change (each scope's intervals are walked alone, KeyState), that the event may have asked
    List<String> scopes = kb.scopes();
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
        if (r.byEvent()) {
          keys.add(null);
          before.add(scopeIds(state, scopes, r.askedScopes(), r.time()));
        } else {
          keys.add(r.keys() != null ? r.keys() : r.request(e.getKey()).keys(hop));
          before.add(answerIds(state, keys.get(keys.size() - 1), r.time()));
        }
      }
    }
    if (!state.add(entry)) return;
    boolean pruned = false;
    if (state.size() > maxEntries) pruned = state.prune(Long.MIN_VALUE, maxEntries) > 0;
    writeBindings(ctx.getCurrentKey(), state.encode());
    accepted(kb, ctx);
    for (int i = 0; i < ids.size(); i++) {
      Registered r = registered.get(i);
      if (r.byEvent()) {
        // pruning may change any scope's answers, and a binding of unknown scopes any of them: read the event back
        if (!pruned && scopes != null && scopeIds(state, scopes, r.askedScopes(), r.time()).equals(before.get(i))) {
          continue;
        }
        reAnswer(ctx, ids.get(i), r, rebuilt(ids.get(i), r), state);
        continue;
      }
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
      reAnswer(ctx, ids.get(i), r, r.request(ids.get(i)), state);
    }
    if (!bounded() && state.prunable()) schedule(ctx, state);
  }

  /**
   * Re-answers {@code request}, registered as {@code r}, with what {@code state} holds now, if that changes the
   * event's enrichment (a merged request with this hop's next counter, and a registration of the re-answer); a null
   * request (its event could not be read back) is not re-answered.
   */
  private void reAnswer(Context ctx, String userKey, Registered r, EnrichRequest request, KeyState state) {
    if (request == null) return;
    Enrichment en = answer(request, request.keys(hop), state);
    int hash = en.hashCode();
    if (hash == r.hash()) return; // nothing new for the event
    ctx.output(ANSWERED, request.with(EnrichRequest.revisionAt(r.rev(), hop, r.emitted()), en));
    // under the key it was found under (an event registered before its coordinates were its key stays under its id)
    register(ctx.getCurrentKey(), userKey, registration(request, r.emitted() + 1, hash));
  }

  /**
   * The request of event {@code eventId} registered by its reference ({@link Registered#byEvent}), rebuilt from the
   * event (read back from the normalized topic by its coordinates, or decoded from the bytes kept): as it entered the
   * hops, now carrying the event's bytes, so that its re-emission needs no second read ({@link Reemission}); null
   * when the event cannot be read back (counted, {@code reResolutionsMissingEvent}, and logged with its id and
   * coordinates: the topic's retention must cover the lateness retention).
   */
  private EnrichRequest rebuilt(String userKey, Registered r) {
    WireEvent kept = r.event();
    if (readBack == null) {
      readBack = new EventReadBack(topic, getRuntimeContext().getTaskInfo().getIndexOfThisSubtask());
    }
    String id = userKey.startsWith(COORDINATES_PREFIX) ? null : userKey; // else the event's, read back
    EventReadBack.Read read = kept.bytes() != null ? readBack.fromBytes(kept)
        : readBack.fromTopic(id, r.idHash(), kept, true);
    if (read.problem() != null) {
      missingEvent.inc();
      LOG.error("event {} (normalized topic partition {}, offset {}) is not re-resolved at hop {} by a late binding:"
          + " {}", id != null ? id : "#" + r.idHash(), kept.partition(), kept.offset(), hop, read.problem());
      return null;
    }
    if (kept.bytes() == null) reResolvedFromTopic.inc();
    String eventId = read.event().getEventId();
    return EnrichRequest.of(read.event(), new WireEvent(eventId, read.unenriched(), kept.partition(), kept.offset()));
  }

  /**
   * The binding ids answering the lookups of each of {@code scopes} at {@code time} that a registration asking
   * {@code asked} ({@link #scopeMask}) may have asked (none for unknown scopes).
   */
  private static List<List<String>> scopeIds(KeyState state, List<String> scopes, int asked, long time) {
    if (scopes == null) return List.of();
    List<List<String>> ids = new ArrayList<>(scopes.size());
    for (String scope : scopes) {
      if ((scopeBits(scope) & ~asked) == 0) ids.add(Resolution.ids(state.resolve(scope, time)));
    }
    return ids;
  }

  /**
   * The scopes of lookup keys {@code keys} ({@link LookupKeys#stateScope}; null for an unshared key) as a 32-bit
   * filter, two bits per scope ({@link #scopeBits}): a scope whose bits are not all set was not asked. With the
   * 2-4 scopes of an address, ~3 % of the scopes not asked pass (the event is then read back for nothing).
   */
  static int scopeMask(List<String> keys) {
    int mask = 0;
    for (String k : keys) mask |= scopeBits(LookupKeys.stateScope(k));
    return mask;
  }

  private static int scopeBits(String scope) {
    int h = scope == null ? 0 : scope.hashCode() * 0x9E3779B9;
    return 1 << (h >>> 27) | 1 << ((h >>> 22) & 31);
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
    byte[] blob = readBindings(ctx.getCurrentKey(), false);
    if (blob != null) {
      KeyState state = KeyState.decode(blob);
      if (state.prune((wm - retentionMs - closedTtlMs) * 1000, maxEntries) > 0) {
        writeBindings(ctx.getCurrentKey(), state.isEmpty() ? null : state.encode());
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
   * @param idHash of a registration {@link #byEvent}, its event id's {@code hashCode} (0 otherwise)
   * @param askedScopes of a registration {@link #byEvent}, the scopes its keys at this hop asked ({@link #scopeMask}; 0
   *     otherwise)
   */
  record Registered(long time, long rev, Enrichment known, List<String> hop1Keys, List<String> keys, int emitted,
      int hash, WireEvent event, Registrations batch, int idHash, int askedScopes) {
    static final TypeInformation<Registered> TYPE = new CodecTypeInfo<>(Registered.class, new RegisteredCodec());

    /** The registration of a probe of some of its request's keys (answered with a {@link Resolution} per key). */
    static Registered asking(long time, long rev, List<String> keys) {
      return new Registered(time, rev, null, null, keys, 0, 0, null, null, 0, 0);
    }

    /** The registration of a probe that carried {@code r}, answered {@code emitted} times, last with {@code hash}. */
    static Registered carrying(EnrichRequest r, int emitted, int hash) {
      return new Registered(r.time(), r.rev(), r.known(), r.hop1Keys(), null, emitted, hash, r.kept().event(),
          null, 0, 0);
    }

    /**
     * The registration of a probe that carried {@code r}, the request its event entered the hops with (rev 0, its
     * enrichment and keys a function of the event), by the event's reference alone ({@link EnrichRequest#kept}: its
     * coordinates in the normalized topic, else its bytes), its time, and how it was answered: the request is rebuilt
     * from the event read back ({@link LookupFunction#rebuilt}) when a late binding may change its answer.
     */
    static Registered byEvent(EnrichRequest r, int emitted, int hash) {
      if (r.rev() != 0 || r.event() == null) {
        throw new IllegalArgumentException("only a request as its event entered the hops is registered by its event:"
            + " event " + r.eventId() + ", rev " + r.rev() + (r.event() == null ? ", no event" : ""));
      }
      return new Registered(r.time(), 0, null, null, null, emitted, hash, r.kept().event(), null,
          r.eventId().hashCode(), scopeMask(r.hop1Keys()));
    }

    /** Whether this registration holds its event's reference instead of its request ({@link #byEvent}). */
    boolean byEvent() {
      return known == null && keys == null && batch == null && event != null;
    }

    /**
     * Registrations of several events under one state key, written as one state entry
     * under a {@link #BATCH_PREFIX} user key; its own time and revision are those of none of them (0).
     */
    static Registered batch(Registrations registrations) {
      return new Registered(0, 0, null, null, null, 0, 0, null, registrations, 0, 0);
    }

    /**
     * The newer of two registrations of one event: an event's requests come to a lookup in revision order, and a
     * re-answer registers the same request answered once more.
     */
    static Registered newer(Registered a, Registered b) {
      if (a.rev != b.rev) return a.rev > b.rev ? a : b;
      return b.emitted >= a.emitted ? b : a;
    }

    /**
     * The request a carrying probe of event {@code eventId} brought (with its event as kept); not of a registration
     * {@link #byEvent} (its request is rebuilt from the event read back).
     */
    EnrichRequest request(String eventId) {
      if (byEvent()) throw new IllegalStateException("event " + eventId + " is registered by its reference only");
      WireEvent e = event == null || eventId.equals(event.eventId()) ? event
          : new WireEvent(eventId, event.bytes(), event.length(), event.partition(), event.offset());
      return new EnrichRequest(eventId, time, rev, known, hop1Keys, e);
    }

    @Override
    public String toString() {
      return batch != null ? "Registered[batch of " + batch.size() + "]" : "Registered[time=" + time + ", rev=" + rev
          + ", emitted=" + emitted + (keys != null ? ", keys=" + keys : byEvent() ? ", by event" : ", carrying") + "]";
    }
  }

  /**
   * Codec of {@link Registered}: time, revision, a form byte, then the keys asked ({@link #ASKING}) or the request's
   * enrichment and hop-1 keys, emitted count and hash ({@link #CARRYING}), and the request's event as kept ({@link
   * #CARRYING_WITH_EVENT}: since the last hop emits the event, {@link EnrichRequest.EventCodec}).
   * {@link #CARRYING_WHOLE_REQUEST}, read only, is what builds before session 9 wrote: the whole request (its id, time
   * and revision again: ~80 bytes more).
   *
   * <p>A registration {@link Registered#byEvent} (hop 1, since session 17) has a layout of its own, ~20 bytes: the
   * byte {@link #BY_EVENT} where the other forms start with their time's 8 bytes (a time of at least 0x7E << 56
   * micros, the year 290,000, cannot be written in them), the time, the emitted count (varint), the hash, the event
   * id's {@code hashCode} (a registration under its coordinates, {@link #COORDINATES_PREFIX}, checks with it that the
   * record read back is its event), the scopes it asked ({@link #scopeMask}), then the event: its partition + 1 (varint) and offset (varint), or 0 and its
   * bytes (varint length) when it has no coordinates.
   */
  public static final class RegisteredCodec implements Codec<Registered> {
    private static final long serialVersionUID = 1L;
    private static final EnrichRequest.EnrichRequestCodec REQUEST = new EnrichRequest.EnrichRequestCodec();
    static final int ASKING = 0;
    static final int CARRYING_WHOLE_REQUEST = 1;
    static final int CARRYING = 2;
    static final int CARRYING_WITH_EVENT = 3;
    static final int BATCH = 4;
    static final int BY_EVENT = 0x7E;

    @Override
    public void write(Registered r, DataOutputView out) throws IOException {
      if (r.byEvent()) {
        writeByEvent(r, out);
        return;
      }
      if (r.time() >>> 56 == BY_EVENT) throw new IOException("time out of range: " + r.time());
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
      int first = in.readUnsignedByte();
      if (first == BY_EVENT) return readByEvent(in);
      long time = first;
      for (int i = 0; i < 7; i++) time = time << 8 | in.readUnsignedByte();
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
        return new Registered(time, rev, r.known(), r.hop1Keys(), null, in.readInt(), in.readInt(), null, null, 0, 0);
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
      return new Registered(time, rev, known, hop1Keys, null, emitted, hash, event, null, 0, 0);
    }

    private static void writeByEvent(Registered r, DataOutputView out) throws IOException {
      out.writeByte(BY_EVENT);
      out.writeLong(r.time());
      varint(r.emitted(), out);
      out.writeInt(r.hash());
      out.writeInt(r.idHash());
      out.writeInt(r.askedScopes());
      WireEvent e = r.event();
      if (e.hasOffset()) {
        varint(e.partition() + 1L, out);
        varint(e.offset(), out);
      } else {
        varint(0, out);
        varint(e.length(), out);
        out.write(e.bytes(), 0, e.length());
      }
    }

    private static Registered readByEvent(DataInputView in) throws IOException {
      long time = in.readLong();
      int emitted = (int) varint(in);
      int hash = in.readInt();
      int idHash = in.readInt();
      int askedScopes = in.readInt();
      long partition = varint(in) - 1;
      WireEvent event;
      // the event's id is the registration's map key, which the codec does not see: filled in where it is read back
      if (partition >= 0) {
        event = new WireEvent("", null, -1, (int) partition, varint(in));
      } else {
        byte[] bytes = new byte[(int) varint(in)];
        in.readFully(bytes);
        event = new WireEvent("", bytes, SourcedEvent.NONE, 0);
      }
      return new Registered(time, 0, null, null, null, emitted, hash, event, null, idHash, askedScopes);
    }

    private static void varint(long v, DataOutputView out) throws IOException {
      EnrichRequest.EnrichmentCodec.varint(v, out);
    }

    private static long varint(DataInputView in) throws IOException {
      return EnrichRequest.EnrichmentCodec.varint(in);
    }
  }
}
