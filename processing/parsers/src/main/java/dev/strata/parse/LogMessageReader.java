package dev.strata.parse;

import dev.strata.schema.event.EvidenceEvent;

/**
 * An application format printed as container log messages, read into the log line's own event: a web server's access
 * log line gives the event its client address, request and response (OCSF HTTP Activity), while the event stays the
 * log line (source_format, lineage, raw_data, message, {@code log} are the carrier's). The container log parsers (CRI
 * and Podman k8s-file, Docker json-file, Docker local) hand every complete message to the readers listed in {@code
 * dev.strata.parse.formats.LogMessageReaders}, after the carried sensor records ({@link CarriedRecords}) declined it.
 * A reader must leave the event untouched when the message is not one of its lines, and must not change the event's
 * nested records in place (they may be shared): it sets new ones.
 */
public interface LogMessageReader {

  /** Fills {@code ev} from {@code message} and returns true when the message is one of this reader's lines. */
  boolean read(String message, EvidenceEvent ev);
}
