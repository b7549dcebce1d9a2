package dev.strata.job.correlate;

import java.util.List;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * A request -> its probes at hop {@code hop} ({@link EnrichRequest#keys}). With one key, the probe carries the request
 * and the lookup answers it ({@link Probe#carrying}); with several, the request itself goes to {@link #WAITING} (to
 * the hop's gather); with none, to {@link #SKIPPED} (straight on to the next hop: no shuffle, no state).
 */
public final class ProbeKeys extends ProcessFunction<EnrichRequest, Probe> {
  private static final long serialVersionUID = 1L;
  public static final OutputTag<EnrichRequest> WAITING = new OutputTag<>("waiting", EnrichRequest.TYPE);
  public static final OutputTag<EnrichRequest> SKIPPED = new OutputTag<>("skipped", EnrichRequest.TYPE);

  private final int hop;

  public ProbeKeys(int hop) {
    this.hop = hop;
  }

  @Override
  public void processElement(EnrichRequest r, Context ctx, Collector<Probe> out) {
    List<String> keys = r.keys(hop);
    if (keys.isEmpty()) {
      ctx.output(SKIPPED, r);
      return;
    }
    if (keys.size() == 1) {
      out.collect(Probe.carrying(keys.get(0), r)); // answered by the lookup itself, no gather
      return;
    }
    for (String k : keys) out.collect(new Probe(k, r.eventId(), r.time(), r.rev()));
    ctx.output(WAITING, r);
  }
}
