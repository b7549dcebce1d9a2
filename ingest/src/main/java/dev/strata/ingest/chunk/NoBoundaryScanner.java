package dev.strata.ingest.chunk;

/** WHOLE framing: the content is one record (cut at max_record_bytes like any other record). */
public final class NoBoundaryScanner implements BoundaryScanner {
  private long newlines;

  @Override
  public int next(byte[] buf, int from, int to) {
    for (int i = from; i < to; i++) {
      if (buf[i] == '\n') {
        newlines++;
      }
    }
    return -1;
  }

  @Override
  public long newlines() {
    return newlines;
  }

  @Override
  public long boundaries() {
    return 0;
  }
}
