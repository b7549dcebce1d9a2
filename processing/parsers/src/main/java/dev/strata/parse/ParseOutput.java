package dev.strata.parse;

import dev.strata.schema.event.EvidenceEvent;

/** Where a parser puts what it found: events, and records it could not use. Zero or more of each per chunk. */
public interface ParseOutput {

  void emit(EvidenceEvent event);

  void reject(Rejection rejection);
}
