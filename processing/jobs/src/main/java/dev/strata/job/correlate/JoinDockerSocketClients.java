package dev.strata.job.correlate;

import dev.strata.correlate.BindingExtractor;
import dev.strata.correlate.DockerSocketClients;
import dev.strata.schema.AvroCodec;
import dev.strata.schema.correlate.EntityBinding;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by a host's Docker daemon ({@link DockerSocketClients#daemon}): the containers' connections to its socket
 * ({@code dockersock_connect}) -> each one's {@code dockersock_client} ({@link DockerSocketClients#decide}: flagged
 * when another container connected within the bound), decided once the event-time watermark has passed the
 * connection's time + the bound + the retention (bounded runs: at the input's end). The lookups then hold it as a late
 * binding: a create request already resolved is answered again.
 *
 * <p>State: the connections, each kept until 2 x the bound + {@code closedTtl} + retention after it (its neighbours'
 * decisions read it), and which are still undecided. Event-time timers: one per connection.
 */
public final class JoinDockerSocketClients extends KeyedProcessFunction<String, EntityBinding, EntityBinding> {
  private static final long serialVersionUID = 1L;
  public static final String UID = "join-dockersock-clients";
  public static final String UID_MEMBERS = "dockersock-connects";

  private final long retentionMs;
  private final long closedTtlMs;
  private transient MapState<String, byte[]> connects;
  private transient MapState<String, Boolean> pending;
  private transient AvroCodec<EntityBinding> avro;
  private transient BindingExtractor extractor;

  public JoinDockerSocketClients(long retentionMs, long closedTtlMs) {
    this.retentionMs = retentionMs;
    this.closedTtlMs = closedTtlMs;
  }

  /** {@code stated} plus the {@code dockersock_client} statements. */
  public static DataStream<EntityBinding> attach(DataStream<EntityBinding> stated, TypeInformation<EntityBinding> type,
      long retentionMs, long closedTtlMs) {
    DataStream<EntityBinding> clients =
        stated.filter(b -> DockerSocketClients.daemon(b) != null).name(UID_MEMBERS).uid(UID_MEMBERS)
            .keyBy(DockerSocketClients::daemon, Types.STRING)
            .process(new JoinDockerSocketClients(retentionMs, closedTtlMs), type)
            .name(UID)
            .uid(UID);
    return stated.union(clients);
  }

  @Override
  public void open(OpenContext ctx) {
    connects = getRuntimeContext().getMapState(
        new MapStateDescriptor<>("connects", Types.STRING, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
    pending = getRuntimeContext().getMapState(new MapStateDescriptor<>("pending", Types.STRING, Types.BOOLEAN));
    avro = AvroCodec.of(EntityBinding.class);
    extractor = new BindingExtractor();
  }

  @Override
  public void processElement(EntityBinding b, Context ctx, Collector<EntityBinding> out) throws Exception {
    if (connects.contains(b.getBindingId())) return;
    connects.put(b.getBindingId(), avro.encode(b));
    pending.put(b.getBindingId(), true);
    ctx.timerService().registerEventTimeTimer(decideAt(b));
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<EntityBinding> out) throws Exception {
    List<EntityBinding> all = new ArrayList<>();
    for (byte[] c : connects.values()) all.add(avro.decode(c));
    for (EntityBinding c : all) {
      if (!pending.contains(c.getBindingId()) || decideAt(c) > timestamp) continue;
      pending.remove(c.getBindingId());
      out.collect(DockerSocketClients.decide(extractor, c, all));
      if (retentionMs != Long.MAX_VALUE) ctx.timerService().registerEventTimeTimer(dropAt(c));
    }
    if (retentionMs == Long.MAX_VALUE) return;
    for (Iterator<Map.Entry<String, byte[]>> it = connects.iterator(); it.hasNext(); ) {
      Map.Entry<String, byte[]> c = it.next();
      if (!pending.contains(c.getKey()) && dropAt(avro.decode(c.getValue())) <= timestamp) it.remove();
    }
  }

  private long decideAt(EntityBinding c) {
    return JoinSandboxPods.saturatedAdd(BindingExtractor.micros(c.getValidFrom()) / 1000,
        JoinSandboxPods.saturatedAdd(BindingExtractor.DOCKER_SOCKET_CLIENT_BOUND.toMillis(), retentionMs));
  }

  private long dropAt(EntityBinding c) {
    return JoinSandboxPods.saturatedAdd(BindingExtractor.micros(c.getValidFrom()) / 1000,
        2 * BindingExtractor.DOCKER_SOCKET_CLIENT_BOUND.toMillis() + closedTtlMs + retentionMs);
  }
}
