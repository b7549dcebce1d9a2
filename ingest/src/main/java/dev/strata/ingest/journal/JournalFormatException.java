package dev.strata.ingest.journal;

import java.io.IOException;

/** The file is not a journal file this reader can walk (signature, header, unknown incompatible flags). */
public final class JournalFormatException extends IOException {
  public JournalFormatException(String message) {
    super(message);
  }
}
