package dev.strata.job.correlate;

import dev.strata.correlate.BindingExtractor;
import dev.strata.correlate.LookupKeys;
import dev.strata.schema.event.EvidenceEvent;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.util.Collector;

/** Event -> its probes at hop {@code hop} ({@link LookupKeys#probes}). */
public final class ProbeKeys implements FlatMapFunction<EvidenceEvent, Probe> {
  private static final long serialVersionUID = 1L;
  private final int hop;

  public ProbeKeys(int hop) {
    this.hop = hop;
  }

  @Override
  public void flatMap(EvidenceEvent e, Collector<Probe> out) {
    int rev = EnrichFunction.inputRevision(hop, e);
    long t = BindingExtractor.micros(e.getTime());
    for (String k : LookupKeys.probes(hop, e, EnrichFunction.known(hop, e))) {
      out.collect(new Probe(k, e.getEventId(), t, rev));
    }
  }
}
