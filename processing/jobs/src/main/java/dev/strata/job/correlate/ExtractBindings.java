package dev.strata.job.correlate;

import dev.strata.correlate.BindingExtractor;
import dev.strata.correlate.KnownCidrs;
import dev.strata.schema.correlate.EntityBinding;
import dev.strata.schema.event.EvidenceEvent;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.util.Collector;

/** Event -> the bindings it states ({@link BindingExtractor}). */
public final class ExtractBindings extends RichFlatMapFunction<EvidenceEvent, EntityBinding> {
  private static final long serialVersionUID = 1L;
  private transient BindingExtractor extractor;
  /** {@code incident.known_cidrs}: the organisation's own ranges ({@link BindingExtractor#BindingExtractor(KnownCidrs)}). */
  private final KnownCidrs known;

  public ExtractBindings() {
    this(KnownCidrs.NONE);
  }

  public ExtractBindings(KnownCidrs known) {
    this.known = known == null ? KnownCidrs.NONE : known;
  }

  @Override
  public void flatMap(EvidenceEvent e, Collector<EntityBinding> out) {
    if (extractor == null) extractor = new BindingExtractor(known);
    for (EntityBinding b : extractor.extract(e)) out.collect(b);
  }
}
