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

  public EventDocuments(String index) {
    this(index, false);
  }

  /**
   * @param versioned write with external version = {@code enrichment.revision} + 1 ({@code external_gte}): the
   *     correlation job's enriched events, so a newer revision replaces an older one and never the reverse (and
   *     revision 0 still replaces the parse job's un-enriched first version of the document)
   */
  public EventDocuments(String index, boolean versioned) {
    this.index = index;
    this.versioned = versioned;
  }

  @Override
  public long version(EvidenceEvent event) {
    if (!versioned) {
      return DocWriteRequest.NO_VERSION;
    }
    return event.getEnrichment() == null ? 1 : event.getEnrichment().getRevision() + 1L;
  }

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
