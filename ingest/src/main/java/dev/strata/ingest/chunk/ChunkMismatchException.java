package dev.strata.ingest.chunk;

import java.io.IOException;

/** Pass 2 read different bytes than pass 1: the content changed while it was being collected. */
public class ChunkMismatchException extends IOException {
  public ChunkMismatchException(String message) {
    super(message);
  }
}
