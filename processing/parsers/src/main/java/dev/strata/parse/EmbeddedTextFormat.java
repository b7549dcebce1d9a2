package dev.strata.parse;

import dev.strata.parse.JsonRecordStream.RecordSpan;
import dev.strata.schema.event.EvidenceEvent;

/**
 * A text record format that other logs carry as their messages ({@link EmbeddedJsonFormat} for JSON ones): Falco's
 * text alerts ({@code json_output: false}) in the Falco container's log.
 */
public interface EmbeddedTextFormat {

  /** The format id of the records (their events' source_format). */
  String format();

  /** A cheap test on a message [s, e) of {@code b}: true when it may be one of this format's records. */
  boolean looksLike(byte[] b, int s, int e);

  /**
   * The event of a message, made through {@code ctx} with {@code span} as its record, or null when the message is
   * not one of this format's records. {@code carrierTime} is the time the carrying log gave the line (RFC 3339, may
   * be null): the date of a record that names only a time of day.
   */
  EvidenceEvent event(ChunkContext ctx, String message, RecordSpan span, String carrierTime);
}
