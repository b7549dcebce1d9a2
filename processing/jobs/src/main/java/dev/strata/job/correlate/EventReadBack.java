package dev.strata.job.correlate;

import dev.strata.job.serde.AvroWireDecoder;
import dev.strata.schema.event.EvidenceEvent;
import java.util.Arrays;

/**
 * An event that state keeps by reference ({@link WireEvent}: its coordinates in the normalized topic, or its bytes
 * without enrichment for an event that has none) -> the event again: what {@link Reemission} (a late result's
 * re-emission) and hop 1's lookup (a late binding's re-resolution of an event whose registration holds only its
 * coordinates, {@link LookupFunction}) read back. The topic is opened at the first read (late evidence is rare). Not
 * thread-safe: one per subtask.
 */
final class EventReadBack implements AutoCloseable {
  /**
   * An event read back: decoded, and its wire bytes without enrichment ({@link WireEvent#unenriched}); null with
   * {@code problem} when it could not be read.
   */
  record Read(EvidenceEvent event, byte[] unenriched, String problem) {}

  private final NormalizedEvents.Factory topic;
  private final int subtask;
  private final EventWire wire = new EventWire();
  private final AvroWireDecoder<EvidenceEvent> decoder = new AvroWireDecoder<>(EvidenceEvent.class);
  private NormalizedEvents events;

  /** Reads events back from {@code topic} (null: the job has none; a read by coordinates then fails). */
  EventReadBack(NormalizedEvents.Factory topic, int subtask) {
    this.topic = topic;
    this.subtask = subtask;
  }

  /**
   * Event {@code id}'s bytes without its enrichment, read from the normalized topic at {@code e}'s coordinates (the
   * same bytes its first emission took from the record, when they are there); a {@link Read} with a problem when the
   * topic no longer holds it there or holds another event.
   *
   * @param decode also decode the event ({@link Read#event}; null otherwise)
   */
  Read fromTopic(String id, WireEvent e, boolean decode) {
    return fromTopic(id, 0, e, decode);
  }

  /**
   * {@link #fromTopic(String, WireEvent, boolean)} of an event known by its id ({@code id}) or, when {@code id} is
   * null, by its id's {@code hashCode} ({@code idHash}: what a registration under the event's coordinates keeps).
   */
  Read fromTopic(String id, int idHash, WireEvent e, boolean decode) {
    if (events == null) {
      if (topic == null) {
        throw new IllegalStateException("event " + (id != null ? id : "#" + idHash) + " is kept by its coordinates in the normalized topic ("
            + e.partition() + "@" + e.offset() + ") but this job has no topic to read it from");
      }
      events = topic.open(subtask);
    }
    byte[] value = events.read(e.partition(), e.offset());
    if (value == null) {
      return problem("the topic no longer holds it (its retention must cover the lateness retention)");
    }
    try {
      EvidenceEvent read = decoder.decode(value);
      if (id != null ? !id.equals(read.getEventId()) : read.getEventId().hashCode() != idHash) {
        return problem("the record there is event " + read.getEventId() + " (was the topic re-created?)");
      }
      int n = EventWire.unenrichedLength(value, read, decoder.lastWasCurrent());
      return new Read(decode ? read : null, n >= 0 ? Arrays.copyOf(value, n) : wire.withoutEnrichment(read), null);
    } catch (RuntimeException bad) {
      return problem("the record there does not decode: " + bad);
    }
  }

  /**
   * The event whose wire bytes without enrichment are {@code e}'s (kept in state for an event without coordinates),
   * decoded: the bytes, then the enrichment union's null branch (0), are the event's wire bytes without enrichment.
   */
  Read fromBytes(WireEvent e) {
    byte[] unenriched = e.unenriched();
    try {
      EvidenceEvent read = decoder.decode(Arrays.copyOf(unenriched, unenriched.length + 1));
      return new Read(read, unenriched, null);
    } catch (RuntimeException bad) {
      return problem("its bytes kept in state do not decode: " + bad);
    }
  }

  private static Read problem(String problem) {
    return new Read(null, null, problem);
  }

  @Override
  public void close() throws Exception {
    if (events != null) events.close();
  }
}
