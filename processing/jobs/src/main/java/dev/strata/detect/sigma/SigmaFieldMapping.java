package dev.strata.detect.sigma;

import dev.strata.schema.event.EvidenceEvent;
import java.util.List;
import java.util.Set;

/**
 * The Sigma taxonomy view of one strata format: which generic log sources ({@code category: process_creation},
 * {@code network_connection}, {@code file_event}, {@code file_change}, {@code file_delete}, product {@code linux})
 * an event of the format answers, and the taxonomy fields ({@code Image}, {@code CommandLine}, {@code
 * DestinationPort}, {@code TargetFilename}, ...) it answers them with: from the normalized event (OCSF fields, {@code
 * unmapped}) and, where that lacks a field, from the original record. One implementation per format, listed in
 * {@link LogSources#FIELD_MAPPINGS}; the table is in docs/incidents.md "Sigma rules".
 */
public interface SigmaFieldMapping {
  /** The strata format ({@code tetragon_event}). */
  String format();

  /** Every category an event of this format can answer. */
  Set<String> categories();

  /** The categories this event answers; empty: it is offered to no rule of a generic log source. */
  List<String> categoriesOf(EvidenceEvent e);

  /** The taxonomy fields answered in {@code category} (empty for a category this format does not answer). */
  Set<String> fields(String category);

  /**
   * A taxonomy field of the event in {@code category}: a String, Number or Boolean, or null when the event lacks it
   * (the rule then sees the field absent).
   */
  Object value(String category, String field, EventFields e);

  /** The event as the rules of {@code category} see it. */
  default SigmaRecord view(String category, EvidenceEvent e) {
    EventFields fields = new EventFields(e);
    return SigmaRecord.view((field, out) -> EventFields.add(value(category, field, fields), out), e::getRawData);
  }
}
