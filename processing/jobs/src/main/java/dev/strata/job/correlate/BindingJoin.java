package dev.strata.job.correlate;

import dev.strata.correlate.BindingExtractor;
import dev.strata.schema.AvroCodec;
import dev.strata.schema.correlate.EntityBinding;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.FilterFunction;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;

/**
 * What the joins that derive statements from other statements share ({@link JoinSessionPods}, {@link
 * JoinDockerSocketClients}, {@link JoinImdsFetches} and its {@link JoinImdsFetches.FetchInstances}): the wiring (the
 * statements that take part, keyed, joined, their output added to the statements: {@link #attach}), the bounds
 * (retention and closed TTL; the retention is {@link Long#MAX_VALUE} in bounded runs, which keep everything until the
 * input's end, {@link #keepsAll}), the per-subtask Avro codec and extractor, the stores of statements ({@link Store})
 * and the event-time arithmetic of their decisions and drops ({@link #decideAt}, {@link #keptUntil}, {@link
 * #dropAfter}). Their input is statements ({@code I} = {@link EntityBinding}), except {@link JoinNodeInstances}'s:
 * each statement beside its node's key, in its compact form.
 *
 * <p>The operators' uids, state names and state forms are part of the savepoint: a join names its own ({@code
 * BindingJoinSavepointTest} restores main's snapshots into each).
 */
abstract class BindingJoin<I> extends KeyedProcessFunction<String, I, EntityBinding> {
  private static final long serialVersionUID = 1L;
  static final long MINUTE_MS = 60_000L;

  protected final long retentionMs;
  protected final long closedTtlMs;
  private transient AvroCodec<EntityBinding> avro;
  protected transient BindingExtractor extractor;

  BindingJoin(long retentionMs, long closedTtlMs) {
    this.retentionMs = retentionMs;
    this.closedTtlMs = closedTtlMs;
  }

  /**
   * {@code stated} plus what {@code join} emits from the statements {@code member} passes, keyed by {@code key}:
   * operator uids {@code membersUid} (the filter) and {@code uid} (the join).
   */
  static DataStream<EntityBinding> attach(DataStream<EntityBinding> stated, TypeInformation<EntityBinding> type,
      String membersUid, FilterFunction<EntityBinding> member, KeySelector<EntityBinding, String> key,
      BindingJoin<EntityBinding> join, String uid) {
    DataStream<EntityBinding> joined = stated.filter(member).name(membersUid).uid(membersUid)
        .keyBy(key, Types.STRING)
        .process(join, type)
        .name(uid)
        .uid(uid);
    return stated.union(joined);
  }

  /** {@link #attach} of the statements that have a key. */
  static DataStream<EntityBinding> attach(DataStream<EntityBinding> stated, TypeInformation<EntityBinding> type,
      String membersUid, KeySelector<EntityBinding, String> key, BindingJoin<EntityBinding> join, String uid) {
    return attach(stated, type, membersUid, b -> key.getKey(b) != null, key, join, uid);
  }

  @Override
  public final void open(OpenContext ctx) throws Exception {
    avro = AvroCodec.of(EntityBinding.class);
    extractor = new BindingExtractor();
    openState();
  }

  /** Opens the join's keyed state ({@link #store} and any other). */
  protected abstract void openState() throws Exception;

  /** The keyed {@link Store} named {@code name}. */
  protected final Store store(String name) {
    return Store.open(getRuntimeContext(), name, avro);
  }

  /**
   * The keyed {@link Store} named {@code name} whose entries expire {@code ttlMs} after they were written, in processing
   * time ({@link Retention}; never when {@code ttlMs} is {@link Long#MAX_VALUE}, bounded runs).
   */
  protected final Store store(String name, long ttlMs) {
    return new Store(getRuntimeContext().getMapState(Retention.keep(
        new MapStateDescriptor<>(name, Types.STRING, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO), ttlMs)),
        avro);
  }

  /** Bounded runs (retention {@link Long#MAX_VALUE}): nothing is dropped, decisions wait for the input's end. */
  protected final boolean keepsAll() {
    return retentionMs == Long.MAX_VALUE;
  }

  /** When a statement is decided: its start + {@code boundMs} + the retention, in ms (never, when unbounded). */
  protected final long decideAt(EntityBinding b, long boundMs) {
    return saturatedAdd(ms(b.getValidFrom()), saturatedAdd(boundMs, retentionMs));
  }

  /** Until when a statement that ended at {@code endMs} is kept: closed TTL + retention after its end. */
  protected final long keptUntil(long endMs) {
    return saturatedAdd(endMs, closedTtlMs + retentionMs);
  }

  /**
   * A drop timer at the minute after {@code dropMs} (none in bounded runs): one timer per minute of drops, however
   * many statements end in it.
   */
  protected final void dropAfter(Context ctx, long dropMs) {
    if (!keepsAll()) ctx.timerService().registerEventTimeTimer(minuteAfter(dropMs));
  }

  /**
   * A statement's key in a join that keeps each start once (kind, subject, object and start; another statement of the
   * same start, e.g. a flow restating an interface's instance, is the same member): {@code join-container-sandboxes},
   * {@code join-instance-ends}, {@code join-key-status}.
   */
  static String statementKey(EntityBinding b) {
    return b.getKind() + '|' + b.getSubject().getKey() + '|' + b.getObject().getScope() + '|' + b.getObject().getKey()
        + '|' + BindingExtractor.micros(b.getValidFrom());
  }

  /** An instant in epoch ms, truncated as the statements' microseconds are ({@link BindingExtractor#micros}). */
  static long ms(Instant t) {
    return BindingExtractor.micros(t) / 1000;
  }

  /** {@code a + b}, {@link Long#MAX_VALUE} on overflow. */
  static long saturatedAdd(long a, long b) {
    long r = a + b;
    return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
  }

  static long minuteAfter(long ms) {
    return ms >= Long.MAX_VALUE - MINUTE_MS ? Long.MAX_VALUE : (ms / MINUTE_MS + 1) * MINUTE_MS;
  }

  /**
   * Statements in keyed state by a key of the join's choosing, as their Avro bytes (a {@code MapState<String,
   * byte[]>}: the form the savepoints hold; bytes rather than the record's serializer, so the schema's evolution goes
   * through {@link AvroCodec}'s registered versions).
   */
  static final class Store {
    private final MapState<String, byte[]> state;
    private final AvroCodec<EntityBinding> avro;

    private Store(MapState<String, byte[]> state, AvroCodec<EntityBinding> avro) {
      this.state = state;
      this.avro = avro;
    }

    static Store open(RuntimeContext rc, String name, AvroCodec<EntityBinding> avro) {
      return new Store(rc.getMapState(
          new MapStateDescriptor<>(name, Types.STRING, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO)), avro);
    }

    /** Stores {@code b} under {@code key} unless something is stored there: whether it was added. */
    boolean addIfAbsent(String key, EntityBinding b) throws Exception {
      if (state.contains(key)) return false;
      state.put(key, avro.encode(b));
      return true;
    }

    /** The statement stored under {@code key}, or null. */
    EntityBinding get(String key) throws Exception {
      byte[] v = state.get(key);
      return v == null ? null : avro.decode(v);
    }

    /** Removes what is stored under {@code key}. */
    void remove(String key) throws Exception {
      state.remove(key);
    }

    /** Stores {@code b} under {@code key}, replacing what was there. */
    void put(String key, EntityBinding b) throws Exception {
      state.put(key, avro.encode(b));
    }

    /** Every statement, in the state's order. */
    List<EntityBinding> all() throws Exception {
      List<EntityBinding> out = new ArrayList<>();
      for (byte[] v : state.values()) out.add(avro.decode(v));
      return out;
    }

    /** A test of a stored statement (it may read other state). */
    interface Which {
      boolean test(EntityBinding b) throws Exception;
    }

    /** Removes the statements {@code which} passes and returns them, in the state's order. */
    List<EntityBinding> removeIf(Which which) throws Exception {
      List<EntityBinding> removed = new ArrayList<>();
      for (Iterator<Map.Entry<String, byte[]>> it = state.iterator(); it.hasNext(); ) {
        EntityBinding b = avro.decode(it.next().getValue());
        if (!which.test(b)) continue;
        removed.add(b);
        it.remove();
      }
      return removed;
    }

    /** The statement's keys (no decode). */
    Iterable<String> keys() throws Exception {
      return state.keys();
    }

    boolean isEmpty() throws Exception {
      return state.isEmpty();
    }

    void clear() {
      state.clear();
    }
  }
}
