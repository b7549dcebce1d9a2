package dev.strata.job.correlate;

import dev.strata.correlate.BindingExtractor;
import dev.strata.schema.correlate.EntityBinding;
import dev.strata.schema.event.EvidenceEvent;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.util.Collector;

/** Event -> the bindings it states ({@link BindingExtractor}). */
public final class ExtractBindings extends RichFlatMapFunction<EvidenceEvent, EntityBinding> {
  private static final long serialVersionUID = 1L;
  private transient BindingExtractor extractor;

  @Override
  public void flatMap(EvidenceEvent e, Collector<EntityBinding> out) {
    if (extractor == null) extractor = new BindingExtractor();
    for (EntityBinding b : extractor.extract(e)) out.collect(b);
  }
}
