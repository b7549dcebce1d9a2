package dev.strata.parse.testing;

import dev.strata.parse.ParseOutput;
import dev.strata.parse.Rejection;
import dev.strata.schema.event.EvidenceEvent;
import java.util.ArrayList;
import java.util.List;

/** A ParseOutput that keeps everything. */
public final class CollectingOutput implements ParseOutput {
  public final List<EvidenceEvent> events = new ArrayList<>();
  public final List<Rejection> rejections = new ArrayList<>();

  @Override
  public void emit(EvidenceEvent event) {
    events.add(event);
  }

  @Override
  public void reject(Rejection rejection) {
    rejections.add(rejection);
  }
}
