package dev.strata.ingest.publish;

import dev.strata.ingest.CollectionException;

/** Publishing failed (broker unreachable, record rejected, timeout); the collection must stop. */
public class PublishException extends CollectionException {
  public PublishException(String message, Throwable cause) {
    super(message, cause);
  }
}
