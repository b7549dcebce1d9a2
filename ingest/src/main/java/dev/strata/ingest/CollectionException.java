package dev.strata.ingest;

/**
 * A collection run failed as a whole (evidence root missing, invalid context manifest, preservation or publishing
 * failed). Nothing after the failure was published; what was published before stays (re-running is idempotent).
 */
public class CollectionException extends RuntimeException {
  public CollectionException(String message) {
    super(message);
  }

  public CollectionException(String message, Throwable cause) {
    super(message, cause);
  }
}
