package dev.strata.parse;

import dev.strata.schema.deadletter.DeadLetter;
import dev.strata.schema.event.EvidenceEvent;
import java.util.List;

/** Everything one chunk produced. Lists are never null. */
public record ChunkParseResult(List<EvidenceEvent> events, List<DeadLetter> deadLetters) {

  public ChunkParseResult {
    events = List.copyOf(events);
    deadLetters = List.copyOf(deadLetters);
  }
}
