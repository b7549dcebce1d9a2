package dev.strata.ingest;

import java.time.Duration;

/**
 * Progress callback of a collection run. Called on the collecting thread at every file and every published chunk (so
 * often: keep it cheap, or wrap it in {@link #throttled}).
 */
@FunctionalInterface
public interface ProgressListener {

  ProgressListener NONE = progress -> {};

  void onProgress(Progress progress);

  /** A snapshot of the run's counters. {@code currentFile} is the origin being read (null between files). */
  record Progress(
      long filesSeen,
      long artifacts,
      long skipped,
      long bytesHashed,
      long bytesPublished,
      long chunksPublished,
      String currentFile,
      boolean finished) {}

  /**
   * Forwards at most one progress every {@code interval} (plus the final one), e.g. for a CLI that prints a line every
   * ~2 s.
   */
  static ProgressListener throttled(Duration interval, ProgressListener delegate) {
    long intervalNanos = interval.toNanos();
    return new ProgressListener() {
      private long last = System.nanoTime();

      @Override
      public void onProgress(Progress progress) {
        long now = System.nanoTime();
        if (progress.finished() || now - last >= intervalNanos) {
          last = now;
          delegate.onProgress(progress);
        }
      }
    };
  }
}
