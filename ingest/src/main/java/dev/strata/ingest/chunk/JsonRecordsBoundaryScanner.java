package dev.strata.ingest.chunk;

/**
 * JSON_RECORDS framing: a streaming structural scanner (string/escape state and nesting depth, no parsing) that finds
 * the top-level record array — the document itself when it starts with {@code [}, or the value of the
 * {@code "Records"} key (CloudTrail), the {@code "items"} key (a Kubernetes {@code List}), the {@code "Reservations"}
 * key ({@code aws ec2 describe-instances}) or the {@code "NetworkInterfaces"} key ({@code aws ec2
 * describe-network-interfaces}) of a top-level object — the
 * first such key whose value is an array — and reports a boundary right after each {@code ,} that
 * follows a complete element of that array. Bytes before the array (the prefix, e.g. {@code {"Records":[}) belong to
 * the first record, bytes after it (the suffix {@code ]}}) to the last. Input that is not such a document yields no
 * boundary at all.
 */
public final class JsonRecordsBoundaryScanner implements BoundaryScanner {
  /** The keys whose array value is the record array. */
  private static final byte[][] KEYS = {
    "Records".getBytes(java.nio.charset.StandardCharsets.US_ASCII),
    "items".getBytes(java.nio.charset.StandardCharsets.US_ASCII),
    "Reservations".getBytes(java.nio.charset.StandardCharsets.US_ASCII),
    "NetworkInterfaces".getBytes(java.nio.charset.StandardCharsets.US_ASCII)
  };

  private static final int START = 0;
  private static final int PREFIX_OBJECT = 1;
  private static final int IN_RECORDS = 2;
  private static final int DONE = 3;

  private int mode = START;
  private int depth;
  private boolean inString;
  private boolean escape;
  private int recordsDepth;
  // key tracking at depth 1 of a top-level object (PREFIX_OBJECT)
  private boolean expectKey;
  private boolean capturingKey;
  /** per key of {@link #KEYS}: how many of its bytes the key being captured matched so far, -1 none */
  private final int[] keyMatch = new int[KEYS.length];
  private boolean keyIsRecords;
  private boolean valueIsRecords;

  private long newlines;
  private long boundaries;

  @Override
  public int next(byte[] buf, int from, int to) {
    int i = from;
    while (i < to) {
      if (inString) {
        if (escape || capturingKey) {
          stringByte(buf[i++]);
          continue;
        }
        // fast path: skip string content up to the next quote, backslash or newline
        int j = i;
        byte c = 0;
        while (j < to) {
          c = buf[j];
          if (c == '"' || c == '\\' || c == '\n') {
            break;
          }
          j++;
        }
        if (j == to) {
          return -1;
        }
        if (c == '\n') {
          newlines++;
        } else if (c == '\\') {
          escape = true;
        } else {
          inString = false;
        }
        i = j + 1;
        continue;
      }
      byte c = buf[i++];
      if (c == '\n') {
        newlines++;
        continue;
      }
      switch (mode) {
        case IN_RECORDS -> {
          switch (c) {
            case '"' -> inString = true;
            case '{', '[' -> depth++;
            case '}', ']' -> {
              if (--depth < recordsDepth) {
                mode = DONE;
              }
            }
            case ',' -> {
              if (depth == recordsDepth) {
                boundaries++;
                return i;
              }
            }
            default -> {}
          }
        }
        case START -> {
          if (c == '[') {
            depth = 1;
            recordsDepth = 1;
            mode = IN_RECORDS;
          } else if (c == '{') {
            depth = 1;
            expectKey = true;
            mode = PREFIX_OBJECT;
          } else if (!isWhitespace(c) && !isBom(c)) {
            mode = DONE;
          }
        }
        case PREFIX_OBJECT -> prefixObject(c);
        default -> {
          // DONE: suffix or not a record document; strings are still tracked (cheap) to keep the state consistent
          if (c == '"') {
            inString = true;
          }
        }
      }
    }
    return -1;
  }

  /** One byte inside a string, slow path: after a backslash, or while capturing a key of the top-level object. */
  private void stringByte(byte c) {
    if (c == '\n') {
      newlines++;
    }
    if (escape) {
      escape = false;
      java.util.Arrays.fill(keyMatch, -1);
    } else if (c == '\\') {
      escape = true;
    } else if (c == '"') {
      inString = false;
      if (capturingKey) {
        capturingKey = false;
        keyIsRecords = false;
        for (int k = 0; k < KEYS.length; k++) keyIsRecords |= keyMatch[k] == KEYS[k].length;
      }
    } else if (capturingKey) {
      for (int k = 0; k < KEYS.length; k++) {
        int m = keyMatch[k];
        keyMatch[k] = m >= 0 && m < KEYS[k].length && c == KEYS[k][m] ? m + 1 : -1;
      }
    }
  }

  private void prefixObject(byte c) {
    switch (c) {
      case '"' -> {
        inString = true;
        if (depth == 1 && expectKey) {
          capturingKey = true;
          java.util.Arrays.fill(keyMatch, 0);
          expectKey = false;
        } else if (depth == 1) {
          valueIsRecords = false;
        }
      }
      case '[' -> {
        depth++;
        if (depth == 2 && valueIsRecords) {
          recordsDepth = 2;
          mode = IN_RECORDS;
        }
        valueIsRecords = false;
      }
      case '{' -> {
        depth++;
        valueIsRecords = false;
      }
      case '}', ']' -> {
        if (--depth == 0) {
          mode = DONE;
        }
      }
      case ':' -> {
        if (depth == 1) {
          valueIsRecords = keyIsRecords;
          keyIsRecords = false;
        }
      }
      case ',' -> {
        if (depth == 1) {
          expectKey = true;
          valueIsRecords = false;
        }
      }
      default -> {
        if (depth == 1 && !isWhitespace(c)) {
          valueIsRecords = false;
        }
      }
    }
  }

  static boolean isWhitespace(byte c) {
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
  }

  static boolean isBom(byte c) {
    return c == (byte) 0xEF || c == (byte) 0xBB || c == (byte) 0xBF;
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
