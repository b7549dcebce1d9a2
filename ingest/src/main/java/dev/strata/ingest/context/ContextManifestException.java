package dev.strata.ingest.context;

import dev.strata.ingest.CollectionException;

/** A context manifest (strata-context.yaml/.json) is invalid; the message names the file, entry and key. */
public class ContextManifestException extends CollectionException {
  public ContextManifestException(String message) {
    super(message);
  }

  public ContextManifestException(String message, Throwable cause) {
    super(message, cause);
  }
}
