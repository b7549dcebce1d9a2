package dev.strata.sink;

/**
 * What a failed write means, decided in one place per destination (see {@code OpenSearchFailureClassifier},
 * {@code S3FailureClassifier}).
 *
 * <ul>
 *   <li>{@link #PERMANENT}: the same input fails the same way again (a 400-style rejection of one document): no
 *       retry; dead letter; count; continue.
 *   <li>{@link #TRANSIENT}: may succeed later (429, 5xx, timeouts, I/O): bounded retry with backoff and jitter, then
 *       fail the job (it restarts from its last checkpoint, nothing is lost).
 *   <li>{@link #FATAL}: configuration, authentication or a missing resource (401/403, missing bucket or index): fail
 *       fast.
 * </ul>
 */
public enum FailureClass {
  PERMANENT,
  TRANSIENT,
  FATAL;

  /** True if a retry may help. */
  public boolean retriable() {
    return this == TRANSIENT;
  }
}
