package dev.strata.ingest.checkpoint;

import dev.strata.ingest.publish.PublishException;

/**
 * Another instance opened a {@link CheckpointedPublisher} with the same collector id (same transactional.id): this
 * one is a zombie, its open transaction was aborted, and it must stop. Never retried.
 */
public final class CheckpointFencedException extends PublishException {
  public CheckpointFencedException(String message, Throwable cause) {
    super(message, cause);
  }
}
