package dev.strata.cli;

import dev.strata.ingest.ProgressListener;
import java.io.PrintStream;
import java.time.Duration;

/** Human output helpers: progress lines on stderr, sizes and durations. */
final class Console {
  private Console() {}

  static ProgressListener collectionProgress(PrintStream out) {
    return ProgressListener.throttled(Duration.ofSeconds(2), p -> {
      if (p.finished()) return;
      out.printf("  collecting: %d files, %d artifacts, %s hashed, %s published in %d chunks%s%n",
          p.filesSeen(), p.artifacts(), bytes(p.bytesHashed()), bytes(p.bytesPublished()), p.chunksPublished(),
          p.currentFile() == null ? "" : "  (" + p.currentFile() + ")");
    });
  }

  static String bytes(long n) {
    if (n < 1024) return n + " B";
    if (n < 1 << 20) return String.format("%.1f KiB", n / 1024.0);
    if (n < 1L << 30) return String.format("%.1f MiB", n / (1024.0 * 1024));
    return String.format("%.2f GiB", n / (1024.0 * 1024 * 1024));
  }

  static String seconds(Duration d) {
    return String.format("%.1f s", d.toMillis() / 1000.0);
  }
}
