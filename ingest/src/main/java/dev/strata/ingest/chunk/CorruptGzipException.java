package dev.strata.ingest.chunk;

import java.io.IOException;

/** The artifact starts with the gzip magic but cannot be decompressed (corrupt or truncated). */
public class CorruptGzipException extends IOException {
  public CorruptGzipException(String message, Throwable cause) {
    super(message, cause);
  }
}
