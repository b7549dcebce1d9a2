package dev.strata.parse;

import dev.strata.schema.deadletter.DeadLetter;
import dev.strata.schema.event.EvidenceEvent;

/** Receives what {@link ChunkParser} made of one chunk: events and dead letters, in the order they were found. */
public interface ChunkOutput {

  void event(EvidenceEvent event);

  void deadLetter(DeadLetter deadLetter);
}
