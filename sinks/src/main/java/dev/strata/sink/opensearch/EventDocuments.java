package dev.strata.sink.opensearch;

import dev.strata.schema.event.EvidenceEvent;
import dev.strata.sink.AvroJson;

/**
 * {@link EvidenceEvent} to OpenSearch document: every field under its Avro name (snake_case), nulls and empty
 * arrays/maps omitted, times as ISO-8601 UTC strings with six fraction digits, {@code unmapped} and
 * {@code log.attrs} as JSON objects (mapped as {@code flat_object}). Document id = {@code event_id}. See
 * {@link AvroJson}.
 */
public final class EventDocuments implements DocumentMapper<EvidenceEvent> {
  private static final long serialVersionUID = 1L;

  /** Into {@value IndexTemplates#EVENTS_INDEX}. */
  public static final EventDocuments DEFAULT = new EventDocuments(IndexTemplates.EVENTS_INDEX);

  private final String index;
  private final boolean versioned;
  private final long generation;

  public EventDocuments(String index) {
    this(index, false, 0);
  }

  /**
   * @param versioned write with external version {@link #version(long, long) version(generation, revision)} ({@code
   *     external_gte}): the correlation job's enriched events, so a newer revision replaces an older one and never
   *     the reverse, a later correlation run's any revision of an earlier run's, and revision 0 of generation 0 still
   *     replaces the parse job's un-enriched first version, written at {@link #PARSED_VERSION}
   * @param generation the correlation run that writes ({@link Generations}: when its job was submitted)
   */
  public EventDocuments(String index, boolean versioned, long generation) {
    this.index = index;
    this.versioned = versioned;
    this.generation = generation;
  }

  /**
   * The parse job's events are written at external version {@value #PARSED_VERSION} and the correlation job's at
   * {@link #version(long, long)} (both {@code external_gte}): re-running the parse job over evidence already enriched
   * is refused by OpenSearch (409, counted as done) instead of replacing the enriched document with an un-enriched
   * one, while a re-parse of evidence not yet enriched still rewrites it (0 >= 0).
   */
  @Override
  public long version(EvidenceEvent event) {
    if (!versioned) {
      return PARSED_VERSION;
    }
    return version(generation, event.getEnrichment() == null ? 0 : event.getEnrichment().getRevision());
  }

  /**
   * The external version of an event enriched at {@code revision} by correlation run {@code generation}: {@link
   * Generations#version}({@code generation}, {@code revision} + 1). Revisions count one job's emissions of an event,
   * so they only compare within a run: a second run over the same events (a replay, or a re-run over evidence that
   * grew) may give an event fewer revisions than the first did, and its answers must still replace the first's.
   */
  public static long version(long generation, long revision) {
    return Generations.version(generation, revision + 1);
  }

  /** External version of an event as the parse job writes it (before any enrichment). */
  public static final long PARSED_VERSION = 0;

  /** The document source of an event. */
  public static byte[] toJson(EvidenceEvent event) {
    return Json.bytes(1024, g -> AvroJson.write(g, event));
  }

  @Override
  public String index(EvidenceEvent event) {
    return index;
  }

  @Override
  public String id(EvidenceEvent event) {
    return event.getEventId();
  }

  @Override
  public byte[] source(EvidenceEvent event) {
    return toJson(event);
  }
}
