package dev.strata.job.correlate;

import dev.strata.correlate.BindingExtractor;
import dev.strata.correlate.DockerSocketClients;
import dev.strata.schema.correlate.EntityBinding;
import java.util.List;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
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
public final class JoinDockerSocketClients extends BindingJoin<EntityBinding> {
  private static final long serialVersionUID = 1L;
  public static final String UID = "join-dockersock-clients";
  public static final String UID_MEMBERS = "dockersock-connects";
  private static final long BOUND_MS = BindingExtractor.DOCKER_SOCKET_CLIENT_BOUND.toMillis();

  /** The connections by binding id. */
  private transient Store connects;
  /** The ids of the connections not decided yet. */
  private transient MapState<String, Boolean> pending;

  public JoinDockerSocketClients(long retentionMs, long closedTtlMs) {
    super(retentionMs, closedTtlMs);
  }

  /** {@code stated} plus the {@code dockersock_client} statements. */
  public static DataStream<EntityBinding> attach(DataStream<EntityBinding> stated, TypeInformation<EntityBinding> type,
      long retentionMs, long closedTtlMs) {
    return attach(stated, type, UID_MEMBERS, DockerSocketClients::daemon,
        new JoinDockerSocketClients(retentionMs, closedTtlMs), UID);
  }

  @Override
  protected void openState() {
    connects = store("connects");
    pending = getRuntimeContext().getMapState(new MapStateDescriptor<>("pending", Types.STRING, Types.BOOLEAN));
  }

  @Override
  public void processElement(EntityBinding b, Context ctx, Collector<EntityBinding> out) throws Exception {
    if (!connects.addIfAbsent(b.getBindingId(), b)) return;
    pending.put(b.getBindingId(), true);
    ctx.timerService().registerEventTimeTimer(decideAt(b, BOUND_MS));
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<EntityBinding> out) throws Exception {
    List<EntityBinding> all = connects.all();
    for (EntityBinding c : all) {
      if (!pending.contains(c.getBindingId()) || decideAt(c, BOUND_MS) > timestamp) continue;
      pending.remove(c.getBindingId());
      out.collect(DockerSocketClients.decide(extractor, c, all));
      if (!keepsAll()) ctx.timerService().registerEventTimeTimer(dropAt(c));
    }
    if (keepsAll()) return;
    connects.removeIf(c -> !pending.contains(c.getBindingId()) && dropAt(c) <= timestamp);
  }

  /** A decided connection is kept while a neighbour's decision may read it (2 x the bound), then closed TTL + retention. */
  private long dropAt(EntityBinding c) {
    return saturatedAdd(ms(c.getValidFrom()), 2 * BOUND_MS + closedTtlMs + retentionMs);
  }
}
