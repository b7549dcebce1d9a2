package dev.strata.ingest.chunk;

import java.io.IOException;

/** Gzip content exceeded max_content_bytes or max_gzip_ratio (a gzip bomb, or simply too big). */
public class TooLargeDecompressedException extends IOException {
  public TooLargeDecompressedException(String message) {
    super(message);
  }
}
