package dev.strata.ingest.chunk;

/**
 * Back-to-back JSON values (a Kinesis Data Firehose delivery of CloudWatch Logs subscription messages: the objects
 * follow each other with no newline between them, the object is as large as Firehose's buffer, up to 128 MiB): a
 * streaming structural scanner (string / escape state and nesting depth, no parsing) that reports a boundary right
 * after each complete root-level object or array, and after a newline ending anything else at the root (text that
 * is not JSON stays one line per record); a newline right after a value belongs to the next record. Newlines inside strings are counted but are no boundary. Used with LINES
 * framing: the parser reads a chunk as a sequence of root values either way.
 */
public final class JsonValuesBoundaryScanner implements BoundaryScanner {
  private int depth;
  private boolean inString;
  private boolean escape;
  /** something other than whitespace since the last boundary (a newline after a value's end is no record of its own) */
  private boolean pending;
  private long newlines;
  private long boundaries;

  @Override
  public int next(byte[] buf, int from, int to) {
    for (int i = from; i < to; i++) {
      byte c = buf[i];
      if (c == '\n') newlines++;
      if (inString) {
        if (escape) {
          escape = false;
        } else if (c == '\\') {
          escape = true;
        } else if (c == '"') {
          inString = false;
        }
        continue;
      }
      switch (c) {
        case '"' -> {
          inString = true;
          pending = true;
        }
        case '{', '[' -> {
          depth++;
          pending = true;
        }
        case '}', ']' -> {
          if (depth > 0 && --depth == 0) {
            boundaries++;
            pending = false;
            return i + 1;
          }
        }
        case '\n' -> {
          if (depth == 0 && pending) {
            boundaries++;
            pending = false;
            return i + 1;
          }
        }
        case ' ', '\t', '\r' -> {}
        default -> pending = true;
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
    return boundaries;
  }
}
