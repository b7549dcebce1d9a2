package dev.strata.job.correlate;

import dev.strata.correlate.LookupKeys;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * A request -> its probes at hop {@code hop}: one per state key ({@link LookupKeys#stateKey}) of its keys there
 * ({@link EnrichRequest#keys}; an address asked in several scopes is one probe). With one state key, the probe
 * carries the request and the lookup answers it ({@link Probe#carrying}); with several, the request itself goes to
 * {@link #WAITING} (to the hop's gather); with none, to {@link #SKIPPED} (straight on to the next hop: no shuffle, no
 * state). From hop 2 on, the request goes on without the hop-1 keys no later hop could ask ({@link
 * EnrichRequest#forHop}).
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
  public void processElement(EnrichRequest request, Context ctx, Collector<Probe> out) {
    EnrichRequest r = request.forHop(hop);
    List<String> keys = r.keys(hop);
    if (keys.isEmpty()) {
      ctx.output(SKIPPED, r);
      return;
    }
    String first = LookupKeys.stateKey(keys.get(0));
    boolean one = true;
    for (int i = 1; i < keys.size() && one; i++) one = LookupKeys.stateKey(keys.get(i)).equals(first);
    if (one) {
      out.collect(Probe.carrying(first, r)); // answered by the lookup itself, no gather
      return;
    }
    Map<String, List<String>> byState = new LinkedHashMap<>();
    for (String k : keys) byState.computeIfAbsent(LookupKeys.stateKey(k), s -> new ArrayList<>(2)).add(k);
    for (Map.Entry<String, List<String>> e : byState.entrySet()) out.collect(Probe.of(e.getKey(), e.getValue(), r));
    ctx.output(WAITING, r);
  }
}
