package dev.strata.ingest.chunk;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * JSON_RECORDS framing of a document that is one JSON object holding several record arrays (an SBOM's
 * {@code packages} and {@code relationships}, a scan's {@code matches}): a streaming structural scanner (string and
 * escape state, nesting depth, the keys of the root object; no parsing) that reports a boundary at the first byte of
 * every element of the named top-level arrays. A chunk of such a document therefore starts at the document's first
 * byte (chunk 0) or at an element's first byte; bytes between two arrays belong to the element before them. Input
 * whose root value is not an object yields no boundary at all; nothing after the root object is cut.
 *
 * <p>While it scans, it keeps the document's <em>context</em>: the root object with every record array emptied except
 * for its context elements (those whose bytes contain one of the array's markers, e.g. the container package of an
 * SPDX document), as the original bytes. {@link #formatHeader()} returns it, with where each record array lies:
 *
 * <pre>
 * {"arrays":[{"name":"packages","offset":&lt;content offset of '['&gt;,"end":&lt;offset after ']'&gt;,"elements":N},...],
 *  "document":{...the root object, record arrays reduced to their context elements...}}
 * </pre>
 *
 * A top-level value larger than {@link #MAX_MEMBER_BYTES} (or past {@link #MAX_CONTEXT_BYTES} in all) is kept as
 * {@code null}; a context element larger than {@link #MAX_CONTEXT_ELEMENT_BYTES} is not kept.
 *
 * <p><b>Joins</b> ({@link RecordArrays.Join}): elements of one array that refer to elements of another (an SPDX
 * relationship names the packages it is about; a CycloneDX component is named by the vulnerabilities that affect it)
 * may sit in any chunk. The scanner keeps the referring elements and the
 * key of every target element, and {@link #formatHeader(long, long)} gives each chunk, after the shared context, the
 * referring elements that name one of the chunk's own target elements, in document order:
 *
 * <pre>
 * {"arrays":[...],"document":{...},"joined":{"relationships":[...]}}
 * </pre>
 *
 * so a chunk's elements get the same joined facts as in the whole document. {@code "joined_complete":false} comes
 * before {@code "joined"} when something was left out: more than {@link #MAX_JOIN_MEMORY_BYTES} of referring elements
 * in the document, more than {@link #MAX_JOINED_BYTES} for one chunk, or an element over
 * {@link #MAX_CONTEXT_ELEMENT_BYTES} (not read).
 */
public final class RecordArraysBoundaryScanner implements BoundaryScanner {

  public static final int MAX_MEMBER_BYTES = 128 * 1024;
  public static final int MAX_CONTEXT_BYTES = 256 * 1024;
  public static final int MAX_CONTEXT_ELEMENT_BYTES = 64 * 1024;
  /** Referring elements the scanner holds for joins, in all (beyond: joins are incomplete). */
  public static final long MAX_JOIN_MEMORY_BYTES = 32L * 1024 * 1024;
  /** Joined elements carried in one chunk's header (beyond: that chunk's join is incomplete). */
  public static final int MAX_JOINED_BYTES = 1024 * 1024;

  private static final int START = 0;
  private static final int TOP = 1; // inside the root object, outside record arrays
  private static final int BETWEEN = 2; // inside a record array, before an element or ']'
  private static final int ELEMENT = 3; // inside an element of a record array
  private static final int DONE = 4;

  private final RecordArrays spec;
  private final byte[][] names;
  private final byte[][][] markers;
  /** per array: its element bytes are kept while scanned (context markers or a join) */
  private final boolean[] buffered;
  private final List<JoinState> joins = new ArrayList<>();

  private int mode = START;
  private int depth;
  private boolean inString;
  private boolean escape;
  private long newlines;
  private long boundaries;
  private long scanned; // content offset of the next byte to scan

  // keys of the root object
  private boolean expectKey;
  private boolean capturingKey;
  private final byte[] key = new byte[64];
  private int keyLen; // -1: too long or escaped, matches nothing
  private int lastKey = -1; // index in names of the key just read, or -1
  private boolean afterColon;
  private int valueStart = -1; // context position where the current top-level value starts
  private boolean suppressed; // the current top-level value is over budget: kept as null

  // the current record array
  private int array = -1; // index in names
  private final List<String> arrays = new ArrayList<>();
  private final List<long[]> arraySpans = new ArrayList<>(); // {offset, end, elements}
  private boolean arrayHasContext;
  private final ElementBytes element = new ElementBytes();
  private boolean elementTooLarge;
  private long elementStart; // content offset of the current element's first byte

  private final Context context = new Context();
  private boolean complete;

  public RecordArraysBoundaryScanner(RecordArrays spec) {
    this.spec = spec;
    this.names = new byte[spec.names().size()][];
    this.markers = new byte[spec.names().size()][][];
    for (int i = 0; i < names.length; i++) {
      String n = spec.names().get(i);
      names[i] = n.getBytes(StandardCharsets.UTF_8);
      List<String> m = spec.contextMarkers().getOrDefault(n, List.of());
      markers[i] = new byte[m.size()][];
      for (int j = 0; j < m.size(); j++) markers[i][j] = m.get(j).getBytes(StandardCharsets.UTF_8);
    }
    this.buffered = new boolean[names.length];
    for (int i = 0; i < names.length; i++) buffered[i] = markers[i].length > 0;
    for (RecordArrays.Join j : spec.joins()) {
      JoinState js = new JoinState(j, spec.names().indexOf(j.source()), spec.names().indexOf(j.target()));
      buffered[js.source] = true;
      buffered[js.target] = true;
      joins.add(js);
    }
  }

  @Override
  public int next(byte[] buf, int from, int to) {
    int i = from;
    try {
      while (i < to) {
        if (inString) {
          i = string(buf, i, to);
          continue;
        }
        byte c = buf[i];
        if (c == '\n') newlines++;
        scanOffset = i - from;
        switch (mode) {
          case TOP -> top(c);
          case BETWEEN -> {
            if (c == ']') {
              endArray();
            } else if (c == ',' || JsonRecordsBoundaryScanner.isWhitespace(c)) {
              // separators
            } else {
              mode = ELEMENT;
              boundaries++;
              long[] span = arraySpans.get(arraySpans.size() - 1);
              span[2]++;
              elementStart = scanned + i - from;
              element.reset();
              elementTooLarge = false;
              return i; // the element's first byte starts the next record; it is scanned by the next call
            }
          }
          case ELEMENT -> elementByte(c);
          case START -> {
            if (c == '{') {
              mode = TOP;
              depth = 1;
              expectKey = true;
              context.write(c);
            } else if (!JsonRecordsBoundaryScanner.isWhitespace(c) && !JsonRecordsBoundaryScanner.isBom(c)) {
              mode = DONE;
            }
          }
          default -> {} // DONE: only newlines are counted
        }
        i++;
      }
      return -1;
    } finally {
      scanned += i - from;
    }
  }

  /** One structural byte inside an element of a record array. */
  private void elementByte(byte c) {
    switch (c) {
      case '"' -> inString = true;
      case '{', '[' -> depth++;
      case '}' -> depth--;
      case ']' -> {
        if (depth == 2) {
          endElement();
          endArray();
          return;
        }
        depth--;
      }
      case ',' -> {
        if (depth == 2) {
          endElement();
          mode = BETWEEN;
          return;
        }
      }
      default -> {}
    }
    keepElementByte(c);
  }

  /** Scans string content from i (inString); returns where scanning continues. */
  private int string(byte[] buf, int i, int to) {
    if (escape || capturingKey) {
      byte c = buf[i];
      if (c == '\n') newlines++;
      keep(c);
      if (escape) {
        escape = false;
        keyLen = -1;
      } else if (c == '\\') {
        escape = true;
      } else if (c == '"') {
        inString = false;
        capturingKey = false;
        lastKey = matchKey();
      } else if (keyLen >= 0) {
        if (keyLen < key.length) key[keyLen++] = c;
        else keyLen = -1;
      }
      return i + 1;
    }
    int j = i;
    byte c = 0;
    while (j < to) {
      c = buf[j];
      if (c == '"' || c == '\\' || c == '\n') break;
      j++;
    }
    keep(buf, i, j);
    if (j == to) return to;
    if (c == '\n') {
      newlines++;
    } else if (c == '\\') {
      escape = true;
    } else {
      inString = false;
    }
    keep(c);
    return j + 1;
  }

  /** One byte in the root object, outside record arrays. */
  private void top(byte c) {
    if (depth == 1) {
      if (suppressed && (c == ',' || c == '}')) suppressed = false;
      switch (c) {
        case '"' -> {
          inString = true;
          if (expectKey) {
            expectKey = false;
            capturingKey = true;
            keyLen = 0;
          }
        }
        case ':' -> {
          afterColon = true;
          context.write(c);
          valueStart = context.size();
          return;
        }
        case ',' -> {
          expectKey = true;
          afterColon = false;
          lastKey = -1;
          valueStart = -1;
        }
        case '}' -> {
          depth = 0;
          mode = DONE;
          complete = true;
          context.write(c);
          return;
        }
        case '[' -> {
          if (afterColon && lastKey >= 0) {
            afterColon = false;
            startArray(lastKey);
            return;
          }
          depth++;
        }
        case '{' -> depth++;
        default -> {}
      }
      if (afterColon && !JsonRecordsBoundaryScanner.isWhitespace(c)) afterColon = false;
      keep(c);
      return;
    }
    switch (c) {
      case '"' -> inString = true;
      case '{', '[' -> depth++;
      case '}', ']' -> depth--;
      default -> {}
    }
    keep(c);
  }

  private int matchKey() {
    if (keyLen < 0) return -1;
    outer:
    for (int n = 0; n < names.length; n++) {
      byte[] name = names[n];
      if (name.length != keyLen) continue;
      for (int k = 0; k < keyLen; k++) if (key[k] != name[k]) continue outer;
      return n;
    }
    return -1;
  }

  private void startArray(int n) {
    array = n;
    depth = 2;
    mode = BETWEEN;
    arrayHasContext = false;
    arrays.add(spec.names().get(n));
    arraySpans.add(new long[] {scannedAt(), -1, 0});
    context.write('[');
  }

  /** The ']' being scanned ends the current record array. */
  private void endArray() {
    arraySpans.get(arraySpans.size() - 1)[1] = scannedAt() + 1;
    depth = 1;
    mode = TOP;
    array = -1;
    lastKey = -1;
    context.write(']');
  }

  private void endElement() {
    if (!buffered[array]) return;
    boolean isContext = false;
    if (elementTooLarge) {
      for (JoinState j : joins) {
        if (j.target == array) j.unread.add(elementStart); // its chunk may miss what refers to it
        if (j.source == array) j.overMemory = true; // which chunks it refers to is unknown
      }
      return;
    }
    byte[] b = element.bytes;
    int s = 0;
    int e = element.size;
    while (s < e && JsonRecordsBoundaryScanner.isWhitespace(b[s])) s++;
    while (e > s && JsonRecordsBoundaryScanner.isWhitespace(b[e - 1])) e--;
    for (byte[] m : markers[array]) {
      if (indexOf(b, s, e, m) >= 0) {
        isContext = true;
        if (this.context.size() + (e - s) + 1 > MAX_CONTEXT_BYTES) break;
        if (arrayHasContext) this.context.write(',');
        this.context.write(b, s, e - s);
        arrayHasContext = true;
        break;
      }
    }
    // the strings at each path list, read once per element (CycloneDX components: the key of two joins)
    java.util.Map<List<String>, String[]> read = new java.util.HashMap<>(4);
    int from = s;
    int to = e;
    for (JoinState j : joins) {
      if (j.target == array) {
        for (String key : read.computeIfAbsent(List.of(j.spec.keyField()), paths -> strings(b, from, to, paths))) {
          if (key == null) continue;
          j.targetOffsets.add(elementStart);
          j.targetKeys.add(key);
        }
      }
      if (j.source == array) {
        j.source(read.computeIfAbsent(j.spec.refFields(), paths -> strings(b, from, to, paths)), b, s, e, isContext);
      }
    }
  }

  /**
   * The string values at {@code paths} in the JSON object b[s, e) ({@link RecordArrays.Join} paths: top-level field
   * names read until all are found; else all paths in one pass through the element), one entry per path for top-level
   * fields (null: absent or not a string), else every value found, in document order.
   */
  static String[] strings(byte[] b, int s, int e, List<String> paths) {
    boolean nested = false;
    for (String path : paths) nested |= RecordArrays.Join.isNested(path);
    if (!nested) return topLevelStrings(b, s, e, paths);
    List<String> out = new ArrayList<>();
    try (com.fasterxml.jackson.core.JsonParser p = JSON.createParser(b, s, e - s)) {
      p.nextToken();
      RecordArrays.Join.values(p, paths, out);
    } catch (java.io.IOException ex) {
      // not a complete JSON object: what was read so far
    }
    return out.toArray(new String[0]);
  }

  /** The values of the given top-level string fields of the JSON object in b[s, e) (null: absent or not a string). */
  static String[] topLevelStrings(byte[] b, int s, int e, List<String> fields) {
    String[] out = new String[fields.size()];
    try (com.fasterxml.jackson.core.JsonParser p = JSON.createParser(b, s, e - s)) {
      if (p.nextToken() != com.fasterxml.jackson.core.JsonToken.START_OBJECT) return out;
      int found = 0;
      while (found < out.length && p.nextToken() == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
        int k = fields.indexOf(p.currentName());
        if (p.nextToken() == com.fasterxml.jackson.core.JsonToken.VALUE_STRING && k >= 0) {
          if (out[k] == null) found++;
          out[k] = p.getText();
        } else {
          p.skipChildren();
        }
      }
    } catch (java.io.IOException ex) {
      // not a complete JSON object: what was read so far
    }
    return out;
  }

  private static final com.fasterxml.jackson.core.JsonFactory JSON = new com.fasterxml.jackson.core.JsonFactory();

  /** One join: the referring elements kept, the keys and offsets of the target elements. */
  private static final class JoinState {
    final RecordArrays.Join spec;
    final int source;
    final int target;
    final List<byte[]> sources = new ArrayList<>();
    final List<String[]> sourceRefs = new ArrayList<>();
    final List<Boolean> sourceContext = new ArrayList<>();
    final List<Long> targetOffsets = new ArrayList<>();
    final List<String> targetKeys = new ArrayList<>();
    /** offsets of target elements too large to read: their chunk's join is incomplete */
    final List<Long> unread = new ArrayList<>();
    long memory;
    /** referring elements were left out (memory budget, or one too large to read): every chunk's join is incomplete */
    boolean overMemory;

    JoinState(RecordArrays.Join spec, int source, int target) {
      this.spec = spec;
      this.source = source;
      this.target = target;
    }

    /** A source element b[s, e) whose strings at {@code spec.refFields()} are {@code refs}. */
    void source(String[] refs, byte[] b, int s, int e, boolean context) {
      boolean any = false;
      for (String r : refs) any |= r != null;
      if (!any || overMemory) return;
      if (memory + (e - s) > MAX_JOIN_MEMORY_BYTES) {
        overMemory = true;
        return;
      }
      memory += e - s;
      sources.add(java.util.Arrays.copyOfRange(b, s, e));
      sourceRefs.add(refs);
      sourceContext.add(context);
    }

    /**
     * Appends {@code "<source>":[...]} for the chunk [offset, end) to sb; returns false if something was left out.
     */
    boolean append(StringBuilder sb, long offset, long end) {
      boolean complete = !overMemory;
      for (long u : unread) if (u >= offset && u < end) complete = false;
      java.util.Map<String, int[]> carried = new java.util.HashMap<>(); // key -> non-context elements carried
      for (int i = 0; i < targetOffsets.size(); i++) {
        long o = targetOffsets.get(i);
        if (o >= offset && o < end) carried.put(targetKeys.get(i), new int[1]);
      }
      sb.append('"').append(spec.source()).append("\":[");
      int bytes = 0;
      boolean first = true;
      for (int i = 0; i < sources.size() && !carried.isEmpty(); i++) {
        boolean ctx = sourceContext.get(i);
        boolean take = false;
        for (String r : sourceRefs.get(i)) {
          int[] n = r == null ? null : carried.get(r);
          if (n != null && (ctx || n[0] < spec.perKey())) take = true;
        }
        if (!take) continue;
        byte[] el = sources.get(i);
        if (bytes + el.length > MAX_JOINED_BYTES) {
          complete = false;
          break;
        }
        for (String r : sourceRefs.get(i)) {
          int[] n = r == null ? null : carried.get(r);
          if (n != null && !ctx) n[0]++;
        }
        if (!first) sb.append(',');
        sb.append(new String(el, StandardCharsets.UTF_8));
        bytes += el.length;
        first = false;
      }
      sb.append(']');
      return complete;
    }
  }

  // ---- byte keeping -----------------------------------------------------------------------------------------

  /** Content offset of the byte being scanned (valid inside next()). */
  private long scannedAt() {
    return scanned + scanOffset;
  }

  private long scanOffset; // set by the byte loop for scannedAt()

  private void keep(byte c) {
    if (mode == TOP) {
      keepTop(c);
    } else if (mode == ELEMENT) {
      keepElementByte(c);
    }
  }

  private void keep(byte[] buf, int s, int e) {
    if (e <= s) return;
    if (mode == TOP) {
      if (suppressed) return;
      context.write(buf, s, e - s);
      checkBudget();
    } else if (mode == ELEMENT && buffered[array] && !elementTooLarge) {
      element.write(buf, s, e - s);
      if (element.size > MAX_CONTEXT_ELEMENT_BYTES) elementTooLarge = true;
    }
  }

  private void keepTop(byte c) {
    if (suppressed) return;
    context.write(c);
    checkBudget();
  }

  private void keepElementByte(byte c) {
    if (!buffered[array] || elementTooLarge) return;
    element.write(c);
    if (element.size > MAX_CONTEXT_ELEMENT_BYTES) elementTooLarge = true;
  }

  /** A top-level value over budget is replaced by null in the context. */
  private void checkBudget() {
    if (valueStart < 0 || depth < 1) return;
    if (context.size() - valueStart > MAX_MEMBER_BYTES || context.size() > MAX_CONTEXT_BYTES) {
      context.truncate(valueStart);
      context.write(" null".getBytes(StandardCharsets.US_ASCII), 0, 5);
      suppressed = true;
    }
  }

  // ---- results ----------------------------------------------------------------------------------------------

  @Override
  public long newlines() {
    return newlines;
  }

  @Override
  public long boundaries() {
    return boundaries;
  }

  /**
   * The document's context with the record arrays' places (see the class comment), or null when the content is not
   * one complete JSON object.
   */
  @Override
  public String formatHeader() {
    if (!complete) return null;
    StringBuilder sb = new StringBuilder(context.size() + 64 * arrays.size() + 32).append("{\"arrays\":[");
    for (int i = 0; i < arrays.size(); i++) {
      long[] s = arraySpans.get(i);
      if (i > 0) sb.append(',');
      sb.append("{\"name\":\"").append(arrays.get(i)).append("\",\"offset\":").append(s[0]).append(",\"end\":")
          .append(s[1]).append(",\"elements\":").append(s[2]).append('}');
    }
    sb.append("],\"document\":").append(context.text()).append('}');
    return sb.toString();
  }

  /**
   * The header of the chunk covering content [chunkOffset, chunkEnd): {@link #formatHeader()} with, for a spec with
   * joins, the elements joined to the chunk's own elements (see the class comment).
   */
  @Override
  public String formatHeader(long chunkOffset, long chunkEnd) {
    String common = formatHeader();
    if (common == null || joins.isEmpty()) return common;
    StringBuilder joined = new StringBuilder(256);
    boolean complete = true;
    for (int i = 0; i < joins.size(); i++) {
      if (i > 0) joined.append(',');
      complete &= joins.get(i).append(joined, chunkOffset, chunkEnd);
    }
    StringBuilder sb = new StringBuilder(common.length() + joined.length() + 48);
    sb.append(common, 0, common.length() - 1);
    if (!complete) sb.append(",\"joined_complete\":false");
    return sb.append(",\"joined\":{").append(joined).append("}}").toString();
  }

  @Override
  public boolean headerPerChunk() {
    return !joins.isEmpty();
  }

  private static int indexOf(byte[] b, int s, int e, byte[] m) {
    outer:
    for (int i = s; i <= e - m.length; i++) {
      for (int k = 0; k < m.length; k++) if (b[i + k] != m[k]) continue outer;
      return i;
    }
    return -1;
  }

  /**
   * The bytes of the element being scanned: a growable array without ByteArrayOutputStream's per-call lock (written
   * byte by byte, it cost a third of the collector's time on a split CycloneDX BOM).
   */
  private static final class ElementBytes {
    byte[] bytes = new byte[1024];
    int size;

    void reset() {
      size = 0;
    }

    void write(byte c) {
      if (size == bytes.length) bytes = java.util.Arrays.copyOf(bytes, size * 2);
      bytes[size++] = c;
    }

    void write(byte[] b, int off, int len) {
      if (size + len > bytes.length) bytes = java.util.Arrays.copyOf(bytes, Math.max(size + len, size * 2));
      System.arraycopy(b, off, bytes, size, len);
      size += len;
    }
  }

  /** The context bytes. */
  private static final class Context extends ByteArrayOutputStream {
    void truncate(int n) {
      count = n;
    }

    String text() {
      return new String(buf, 0, count, StandardCharsets.UTF_8);
    }
  }
}
