package dev.strata.job.correlate;

import dev.strata.correlate.ContainerEnds;
import dev.strata.correlate.SandboxPods;
import dev.strata.schema.AvroCodec;
import dev.strata.schema.correlate.EntityBinding;
import dev.strata.schema.event.EvidenceEvent;
import java.time.Duration;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.util.Collector;

/**
 * Keyed by pod sandbox ({@link ContainerEnds#key} of its id): the sandbox's own pod statement and the statements
 * that meet it ({@link SandboxPods}) -> the container -> pod and address -> pod statements they imply, whichever
 * arrives first. State per sandbox: its pod statement (the earliest), and the members that came before it (dropped
 * once joined: a member after the pod is joined on arrival and not kept).
 *
 * <p>Bounds: a sandbox lives as long as its pod, days or weeks, and states its pod once (its RunPodSandbox line);
 * a container created in it on day 9 (a restart) still needs it. So the sandbox's state is kept {@link
 * #OPEN_SANDBOX_HOLD} (30 days) of event time after the latest news of it while its end is not seen, and {@code
 * closedTtl} + retention after its end (a runtime end of the sandbox: TaskExit, StopPodSandbox, RemovePodSandbox),
 * which the graph sends here too. A container created in a sandbox last heard of more than 30 days before, with no
 * end seen, gets no pod from it. One event-time timer per sandbox at a time; nothing cleared in bounded mode.
 */
public final class JoinSandboxPods extends ContainerEndJoin {
  private static final long serialVersionUID = 1L;
  public static final String UID = "join-sandbox-pods";
  /** How long a sandbox whose end was not seen is kept after its latest news. */
  public static final Duration OPEN_SANDBOX_HOLD = Duration.ofDays(30);

  /** The sandbox's pod statement (Avro bytes). */
  private transient ValueState<byte[]> pod;
  /** The members that came before it, by binding id. */
  private transient BindingJoin.Store waiting;
  /** Latest news of the sandbox (event time ms) and its end (ms; null while not seen). */
  private transient ValueState<Long> newsAt;
  private transient ValueState<Long> endAt;
  private transient ValueState<Long> timerAt;
  private transient AvroCodec<EntityBinding> avro;

  public JoinSandboxPods(long retentionMs, long closedTtlMs) {
    super(retentionMs, closedTtlMs);
  }

  /**
   * {@code extracted} plus the statements the sandboxes' pods imply: what {@link CloseContainerBindings} and the
   * binding consumers read instead of {@code extracted} alone.
   */
  public static DataStream<EntityBinding> attach(DataStream<EvidenceEvent> events, DataStream<EntityBinding> extracted,
      TypeInformation<EntityBinding> type, long retentionMs, long closedTtlMs) {
    return ContainerEndJoin.attach(events, extracted, type, "sandbox-ends", "sandbox-members", SandboxPods::sandbox,
        new JoinSandboxPods(retentionMs, closedTtlMs), UID);
  }

  @Override
  protected void openState() {
    avro = AvroCodec.of(EntityBinding.class);
    pod = getRuntimeContext().getState(
        new ValueStateDescriptor<>("pod", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
    waiting = BindingJoin.Store.open(getRuntimeContext(), "waiting", avro);
    newsAt = getRuntimeContext().getState(new ValueStateDescriptor<>("news-at", Types.LONG));
    endAt = getRuntimeContext().getState(new ValueStateDescriptor<>("end-at", Types.LONG));
    timerAt = getRuntimeContext().getState(new ValueStateDescriptor<>("timer-at", Types.LONG));
  }

  /** An end of the container keyed here: if it is a sandbox with state, its state goes closedTtl + retention later. */
  @Override
  public void processElement1(EvidenceEvent e, Context ctx, Collector<EntityBinding> out) throws Exception {
    if (keepsAll() || (pod.value() == null && waiting.isEmpty())) return;
    long at = BindingJoin.ms(e.getTime());
    Long before = endAt.value();
    if (before == null || at < before) endAt.update(at);
    schedule(ctx);
  }

  @Override
  public void processElement2(EntityBinding b, Context ctx, Collector<EntityBinding> out) throws Exception {
    byte[] known = pod.value();
    if (SandboxPods.isPod(b)) {
      EntityBinding current = known == null ? null : avro.decode(known);
      if (current != null && !current.getSubject().getKey().equals(b.getSubject().getKey())) return; // key clash
      if (current == null || b.getValidFrom().isBefore(current.getValidFrom())) pod.update(avro.encode(b));
      if (current == null) {
        for (EntityBinding w : waiting.all()) emit(b, w, out);
        waiting.clear();
      }
    } else if (known != null) {
      emit(avro.decode(known), b, out);
    } else {
      waiting.put(b.getBindingId(), b);
    }
    heardOf(ctx, BindingJoin.ms(b.getValidFrom()));
  }

  private void emit(EntityBinding sandboxPod, EntityBinding member, Collector<EntityBinding> out) {
    for (EntityBinding d : SandboxPods.join(extractor, sandboxPod, member)) out.collect(d);
  }

  private void heardOf(Context ctx, long fallbackMs) throws Exception {
    if (keepsAll()) return;
    long at = newsTime(ctx, fallbackMs);
    Long before = newsAt.value();
    if (before == null || at > before) newsAt.update(at);
    schedule(ctx);
  }

  /** When the sandbox's state goes: see the class doc. */
  private long clearTime() throws Exception {
    Long news = newsAt.value();
    Long end = endAt.value();
    long last = Math.max(news == null ? Long.MIN_VALUE : news, end == null ? Long.MIN_VALUE : end);
    long kept = end != null ? closedTtlMs + retentionMs
        : Math.max(OPEN_SANDBOX_HOLD.toMillis(), closedTtlMs + retentionMs);
    return last == Long.MIN_VALUE ? kept : BindingJoin.saturatedAdd(last, kept); // MIN_VALUE: no news yet
  }

  private void schedule(Context ctx) throws Exception {
    long when = Math.max(clearTime(), ctx.timerService().currentWatermark());
    Long pending = timerAt.value();
    if (pending != null && pending <= when) return; // it fires first and re-arms for the later time
    timerAt.update(when);
    ctx.timerService().registerEventTimeTimer(when);
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<EntityBinding> out) throws Exception {
    Long pending = timerAt.value();
    if (pending == null || pending != timestamp) return; // superseded by an earlier one
    long when = clearTime();
    if (timestamp < when) {
      timerAt.update(when);
      ctx.timerService().registerEventTimeTimer(when);
      return;
    }
    pod.clear();
    waiting.clear();
    newsAt.clear();
    endAt.clear();
    timerAt.clear();
  }
}
