package dev.strata.ingest.chunk;

/** LINES framing: a boundary after every {@code \n}. */
public final class LineBoundaryScanner extends LineRecords {

  @Override
  public int next(byte[] buf, int from, int to) {
    for (int i = from; i < to; i++) {
      if (buf[i] == '\n') {
        newlines++;
        return i + 1;
      }
    }
    return -1;
  }
}
