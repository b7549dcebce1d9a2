package dev.strata.parse;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.strata.schema.common.Framing;
import dev.strata.schema.event.EvidenceEvent;
import java.io.IOException;
import java.util.Set;

/**
 * Streams JSON records out of a chunk payload with one Jackson parser, for every shape a JSON source arrives in:
 *
 * <ul>
 *   <li>JSON Lines / concatenated JSON values: each root object is a record;
 *   <li>container documents: a root object with a container field holding an array of records (CloudTrail
 *       {@code {"Records":[...]}}, a Kubernetes {@code EventList}'s {@code items}), or a bare root array;
 *   <li>{@code JSON_RECORDS} chunks of a container document cut after the {@code ,} following an element: chunk 0
 *       ends inside the array, later chunks start with an element ({@code "["} is put in front of them and its byte
 *       subtracted from every offset), the last ends with the document's suffix.
 * </ul>
 *
 * A root object's fields are handed to the {@link RecordMapper} one by one as they stream by; when a container
 * field turns up, what the mapper saw was the document header and is dropped ({@link RecordMapper#begin()} is called
 * again for each element). Each record's first byte, end, line and ordinal in the chunk are tracked.
 *
 * <p>LINES and WHOLE chunks are read as a sequence of root values with JSON Lines error handling: a value normally
 * sits on one line but may run over several (pretty-printed JSON); when a value fails to parse, only the line it
 * starts on is rejected and parsing resumes on the next line, so one bad line costs one dead letter. What a root
 * value produced is held back until the value is complete, so a failed value emits nothing. JSON_RECORDS chunks are one
 * document read as a whole; a syntax error inside the records array rejects the rest of the chunk.
 *
 * <p>A record cut by the collector (chunk.truncated_record) is rejected as record_too_large. A RuntimeException from
 * the mapper's {@code end} rejects that record only (parser_error).
 */
public final class JsonRecordStream {

  /** A format's record mapping, fed field by field. One instance per chunk; not thread-safe. */
  public interface RecordMapper {
    /** A new candidate record starts: reset state. */
    void begin();

    /**
     * One top-level field of the record; {@code p} is at the value's first token. Must consume the whole value
     * (e.g. {@code skipChildren()}, {@code readValueAsTree()}, {@code getText()}). Keep it cheap; do the mapping in
     * {@link #end}.
     */
    void field(String name, JsonParser p, Source src) throws IOException;

    /**
     * The record is complete: return its event, or null to emit nothing; throw {@link RecordException} to reject
     * it.
     */
    EvidenceEvent end(RecordSpan span) throws RecordException;
  }

  /** A mapper that can make several events of one record (e.g. a container's created, started, finished). */
  public interface MultiEventMapper extends RecordMapper {
    /** The record is complete: its events in order (possibly none); throw {@link RecordException} to reject it. */
    java.util.List<EvidenceEvent> endAll(RecordSpan span) throws RecordException;

    @Override
    default EvidenceEvent end(RecordSpan span) throws RecordException {
      java.util.List<EvidenceEvent> all = endAll(span);
      return all.isEmpty() ? null : all.get(0);
    }
  }

  /** A record's place in the payload. */
  public record RecordSpan(int start, int end, long line, long ordinal) {}

  /** A record the mapper refuses, with its reason. */
  public static final class RecordException extends Exception {
    private static final long serialVersionUID = 1L;
    private final RejectReason reason;

    public RecordException(RejectReason reason, String message) {
      super(message, null, false, false);
      this.reason = reason;
    }

    public RejectReason reason() {
      return reason;
    }
  }

  /** The bytes a parser reads, to cut raw text out of them. Parser offsets are relative to {@code base}. */
  public static final class Source {
    private final byte[] buf;
    private final int base;
    private final KeyCache keys;

    public Source(byte[] buf, int base) {
      this(buf, base, new KeyCache());
    }

    Source(byte[] buf, int base, KeyCache keys) {
      this.buf = buf;
      this.base = base;
      this.keys = keys;
    }

    public byte[] buffer() {
      return buf;
    }

    /**
     * The dotted key {@code prefix + "." + name} ({@code name} alone for an empty prefix), built once per chunk for
     * each (prefix, field name) pair: pass names as the parser gives them (interned) and prefixes that are literals
     * or keys from here.
     */
    public String key(String prefix, String name) {
      return keys.key(prefix, name);
    }

    public int index(long parserOffset) {
      return (int) Math.min(buf.length, base + parserOffset);
    }

    /** UTF-8 text of the bytes between two parser offsets, at most maxBytes long. */
    public String text(long parserStart, long parserEnd, int maxBytes) {
      return ChunkContext.text(buf, index(parserStart), index(parserEnd), maxBytes);
    }

    /**
     * The current value as text: scalars as their text (strings unquoted), objects and arrays as their original
     * JSON text, at most maxBytes long (cut values get no closing bracket: they are for reading, not re-parsing).
     */
    public String valueText(JsonParser p, int maxBytes) throws IOException {
      JsonToken t = p.currentToken();
      if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
        long s = p.currentTokenLocation().getByteOffset();
        p.skipChildren();
        return text(s, p.currentLocation().getByteOffset(), maxBytes);
      }
      return Json.scalarText(p);
    }

    /**
     * Streams the object {@code p} is at (START_OBJECT) into {@code into} with dotted keys under {@code prefix}:
     * objects recurse, arrays become their original JSON text, scalars their text, nulls are left out. Values are cut
     * to maxBytes.
     */
    public void flatten(JsonParser p, String prefix, java.util.Map<String, String> into, int maxBytes)
        throws IOException {
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String key = keys.key(prefix, p.currentName());
        JsonToken t = p.nextToken();
        if (t == JsonToken.START_OBJECT) {
          flatten(p, key, into, maxBytes);
        } else if (t == JsonToken.START_ARRAY) {
          into.put(key, valueText(p, maxBytes));
        } else if (t != JsonToken.VALUE_NULL) {
          String v = p.getText();
          into.put(key, v.length() > maxBytes ? v.substring(0, maxBytes) : v);
        }
      }
    }
  }

  /**
   * Streams the fields of one JSON object held in {@code json} (e.g. a record carried as a string inside a
   * wrapper) into {@code mapper}, without calling {@link RecordMapper#begin()}.
   *
   * @throws RecordException malformed_json if the text is not one JSON object
   */
  public static void readObject(byte[] json, RecordMapper mapper) throws RecordException {
    Source src = new Source(json, 0);
    try (JsonParser p = Json.utf8Parser(json, 0, json.length)) {
      if (p == null || p.nextToken() != JsonToken.START_OBJECT) {
        throw new RecordException(RejectReason.MALFORMED_JSON, "embedded record is not a JSON object");
      }
      readFields(p, mapper, src);
      if (p.nextToken() != null) {
        throw new RecordException(RejectReason.MALFORMED_JSON, "trailing data after the embedded JSON record");
      }
    } catch (JsonProcessingException e) {
      throw new RecordException(RejectReason.MALFORMED_JSON, "embedded record is not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new RecordException(RejectReason.MALFORMED_JSON, "embedded record unreadable: " + e);
    }
  }

  /** Streams the fields of the object {@code p} is in (just after START_OBJECT) into the mapper, to END_OBJECT. */
  public static void readFields(JsonParser p, RecordMapper mapper, Source src) throws IOException {
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      p.nextToken();
      mapper.field(name, p, src);
    }
  }

  /**
   * Dotted keys "prefix.name" without building the same strings again and again: Jackson interns field names and
   * prefixes are themselves cached keys, so (prefix, name) pairs are looked up by identity, in one open-addressing
   * table (at most {@link #MAX_KEYS} keys; past that, keys are built each time).
   */
  static final class KeyCache {
    private static final int MAX_KEYS = 1024;
    private String[] prefixes = new String[64];
    private String[] names = new String[64];
    private String[] keys = new String[64];
    private int size;

    String key(String prefix, String name) {
      if (prefix.isEmpty()) return name;
      int mask = prefixes.length - 1;
      int i = (prefix.hashCode() * 31 + name.hashCode()) & mask;
      for (String p; (p = prefixes[i]) != null; i = (i + 1) & mask) {
        if (p == prefix && names[i] == name) return keys[i];
      }
      String k = prefix + "." + name;
      if (size < MAX_KEYS) {
        prefixes[i] = prefix;
        names[i] = name;
        keys[i] = k;
        if (++size * 2 > prefixes.length) grow();
      }
      return k;
    }

    private void grow() {
      String[] op = prefixes;
      String[] on = names;
      String[] ok = keys;
      prefixes = new String[op.length * 2];
      names = new String[op.length * 2];
      keys = new String[op.length * 2];
      int mask = prefixes.length - 1;
      for (int j = 0; j < op.length; j++) {
        if (op[j] == null) continue;
        int i = (op[j].hashCode() * 31 + on[j].hashCode()) & mask;
        while (prefixes[i] != null) i = (i + 1) & mask;
        prefixes[i] = op[j];
        names[i] = on[j];
        keys[i] = ok[j];
      }
    }
  }

  private final KeyCache keys = new KeyCache();
  private final ChunkContext ctx;
  private final RecordMapper mapper;
  private final Set<String> containerFields;
  private final ParseOutput out;
  private final Held held = new Held();
  private final boolean continuation;
  private final byte[] buf;
  private final int shift; // payload position = buffer index + shift

  private long ordinal;
  private int curStart; // buffer index of the current record (or of the garbage being read)
  private int curStartRow; // the parser's line number at curStart (only compared with the row at the record's end)
  private boolean inContainer;

  public JsonRecordStream(
      ChunkContext ctx, RecordMapper mapper, Set<String> containerFields, ParseOutput out) {
    this.ctx = ctx;
    this.mapper = mapper;
    this.containerFields = containerFields;
    this.out = out;
    byte[] payload = ctx.payload();
    this.continuation = ctx.framing() == Framing.JSON_RECORDS && ctx.chunkIndex() > 0;
    if (continuation) {
      buf = new byte[payload.length + 1];
      buf[0] = '[';
      System.arraycopy(payload, 0, buf, 1, payload.length);
      shift = -1;
    } else {
      buf = payload;
      shift = 0;
    }
  }

  /** Number of records seen (events, rejections and records the mapper skipped). */
  public long records() {
    return ordinal;
  }

  public void run() throws ParseException {
    int pos = skipWs(continuation ? 1 : 0);
    if (pos >= buf.length) return; // empty or blank payload
    try {
      if (ctx.framing() == Framing.JSON_RECORDS) {
        pos = 0;
        while (pos >= 0 && pos < buf.length) {
          pos = readFrom(pos);
          held.flush();
        }
      } else {
        readLines();
      }
    } finally {
      held.flush();
    }
  }

  // ---- line mode ----------------------------------------------------------------------------------------------

  private void readLines() throws ParseException {
    int pos = 0;
    long line = ctx.lineAt(0);
    while (true) {
      while (pos < buf.length && Json.isWs(buf[pos])) {
        if (buf[pos] == '\n') line++;
        pos++;
      }
      if (pos >= buf.length) return;
      ctx.markLine(pos, line);
      // root values from here to the end, normally one per line (JSON Lines), possibly over several (pretty JSON)
      Attempt a = readRange(pos, buf.length, false);
      if (a.ok) return;
      int bad = a.start;
      long badLine = ctx.lineAt(bad);
      int lineEnd = lineEnd(bad);
      if (a.eof && ctx.truncatedRecord()) {
        rejectSpan(
            RejectReason.RECORD_TOO_LARGE,
            "record cut by the collector at its max record size (full bytes in the evidence store)",
            bad,
            buf.length);
        return;
      }
      // only the line the bad value starts on is rejected; the next line gets its own chance
      rejectSpan(RejectReason.MALFORMED_JSON, "invalid JSON: " + a.message, bad, trimEnd(bad, lineEnd));
      pos = lineEnd + 1;
      line = badLine + 1;
    }
  }

  /** The outcome of reading root values from a byte range. */
  private static final class Attempt {
    boolean ok;
    boolean eof;
    int start;
    int end;
    String message;
  }

  /**
   * Reads root values in [from, to) (or only the first, if {@code one}); what they produce is emitted only once each
   * value is complete. On failure, nothing of the failing value is emitted and the ordinal is rolled back.
   */
  private Attempt readRange(int from, int to, boolean one) throws ParseException {
    Attempt a = new Attempt();
    Source src = new Source(buf, from, keys);
    JsonParser p;
    try {
      p = Json.utf8Parser(buf, from, to - from);
    } catch (IOException e) {
      throw new ParseException(RejectReason.PARSER_ERROR, "cannot create JSON parser: " + e.getMessage(), e);
    }
    a.start = from;
    if (p == null) {
      a.message = "not UTF-8 JSON (NUL bytes or a UTF-16/32 byte order mark)";
      return a;
    }
    long ordinalBefore = ordinal;
    try (p) {
      int next = from; // where the parser is: after the previous root value
      while (true) {
        int vs = skipWs(next);
        if (vs >= to) break;
        a.start = vs;
        ordinalBefore = ordinal;
        curStart = vs;
        inContainer = false;
        JsonToken t = p.nextToken();
        if (t == null) break;
        startAt(p, src);
        if (t == JsonToken.START_OBJECT) {
          readRootObject(p, src);
        } else if (t == JsonToken.START_ARRAY) {
          readElements(p, src);
        } else {
          Json.scalarText(p);
          int end = src.index(p.currentLocation().getByteOffset());
          reject(RejectReason.MALFORMED_JSON, "root value is not a JSON object or array: " + t, curStart, end);
        }
        held.flush();
        a.end = next = src.index(p.currentLocation().getByteOffset());
        if (one) break;
      }
      a.ok = true;
      return a;
    } catch (JsonProcessingException e) {
      held.discard();
      ordinal = ordinalBefore;
      a.message = e.getOriginalMessage();
      a.eof = e.getLocation() == null || src.index(e.getLocation().getByteOffset()) >= to;
      return a;
    } catch (IOException e) {
      throw new ParseException(RejectReason.PARSER_ERROR, "I/O error on an in-memory buffer: " + e, e);
    }
  }

  private int trimEnd(int s, int e) {
    while (e > s && Json.isWs(buf[e - 1])) e--;
    return e;
  }

  // ---- document mode (JSON_RECORDS) -------------------------------------------------------------------------

  /** Reads root values from buffer index {@code pos}; returns where to resume after an error, or -1 when done. */
  private int readFrom(int pos) throws ParseException {
    Source src = new Source(buf, pos, keys);
    JsonParser p;
    try {
      p = Json.utf8Parser(buf, pos, buf.length - pos);
    } catch (IOException e) {
      throw new ParseException(RejectReason.PARSER_ERROR, "cannot create JSON parser: " + e.getMessage(), e);
    }
    if (p == null) {
      rejectSpan(
          RejectReason.MALFORMED_JSON,
          "not UTF-8 JSON (NUL bytes or a UTF-16/32 byte order mark)",
          Math.max(pos, continuation ? 1 : 0),
          buf.length);
      return -1;
    }
    try (p) {
      while (true) {
        curStart = skipWs(src.index(p.currentLocation().getByteOffset()));
        inContainer = false;
        if (curStart >= buf.length) return -1;
        JsonToken t = p.nextToken();
        if (t == null) return -1;
        startAt(p, src);
        if (t == JsonToken.START_OBJECT) {
          if (!readRootObject(p, src)) return -1;
        } else if (t == JsonToken.START_ARRAY) {
          if (readElements(p, src) || (continuation && pos == 0)) return -1; // chunk boundary, or end of our '['
        } else {
          Json.scalarText(p);
          int end = src.index(p.currentLocation().getByteOffset());
          reject(RejectReason.MALFORMED_JSON, "root value is not a JSON object or array: " + t, curStart, end);
        }
      }
    } catch (JsonProcessingException e) {
      return recover(e, src);
    } catch (IOException e) {
      throw new ParseException(RejectReason.PARSER_ERROR, "I/O error on an in-memory buffer: " + e, e);
    }
  }

  /** A root object: a record, or a container document. Returns false when the chunk ends inside it. */
  private boolean readRootObject(JsonParser p, Source src) throws IOException {
    int start = curStart;
    int startRow = curStartRow;
    mapper.begin();
    boolean container = false;
    JsonToken t;
    while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken v = p.nextToken();
      if (!container && v == JsonToken.START_ARRAY && containerFields.contains(name)) {
        container = true;
        if (readElements(p, src)) return false; // JSON_RECORDS chunk ends inside the array
      } else if (container) {
        p.skipChildren();
      } else {
        mapper.field(name, p, src);
      }
    }
    if (t != JsonToken.END_OBJECT) throw new IllegalStateException("unexpected token " + t);
    if (!container) recordEnd(p, src, start, startRow);
    return true;
  }

  /** Array elements as records. Returns true if the payload ended at a JSON_RECORDS chunk boundary. */
  private boolean readElements(JsonParser p, Source src) throws IOException {
    inContainer = true;
    while (true) {
      if (atChunkBoundary(src.index(p.currentLocation().getByteOffset()))) return true;
      JsonToken t = p.nextToken();
      if (t == JsonToken.END_ARRAY) {
        inContainer = false;
        return false;
      }
      startAt(p, src);
      if (t == JsonToken.START_OBJECT) {
        mapper.begin();
        readFields(p, mapper, src);
        recordEnd(p, src, curStart, curStartRow);
      } else {
        Json.scalarText(p);
        reject(
            RejectReason.MALFORMED_JSON,
            "array element is not a JSON object: " + t,
            curStart,
            src.index(p.currentLocation().getByteOffset()));
      }
    }
  }

  /** After an element (or the '['): only ',' and whitespace remain, and more chunks follow. */
  private boolean atChunkBoundary(int i) {
    if (ctx.framing() != Framing.JSON_RECORDS || ctx.isLastChunk()) return false;
    i = skipWs(i);
    if (i < buf.length && buf[i] == ',') i = skipWs(i + 1);
    return i >= buf.length;
  }

  /** The current token starts a value (a record, or what is read as one). */
  private void startAt(JsonParser p, Source src) {
    com.fasterxml.jackson.core.JsonLocation at = p.currentTokenLocation();
    curStart = src.index(at.getByteOffset());
    curStartRow = at.getLineNr();
  }

  /**
   * The record that started at {@code start} (parser line {@code startRow}) ends where the parser is. If the parser
   * counted no line break inside it, its end is on its first line: the line counter is told so, and the newlines of
   * a JSON Lines record are never counted byte by byte.
   */
  private void recordEnd(JsonParser p, Source src, int start, int startRow) {
    com.fasterxml.jackson.core.JsonLocation at = p.currentLocation();
    record(start, src.index(at.getByteOffset()), at.getLineNr() == startRow);
  }

  private void record(int start, int end, boolean oneLine) {
    long ord = ordinal++;
    int ps = start + shift;
    int pe = end + shift;
    RecordSpan span = new RecordSpan(ps, pe, ctx.lineAt(ps), ord);
    if (oneLine) ctx.markLine(pe, span.line());
    EvidenceEvent e;
    java.util.List<EvidenceEvent> all = null;
    try {
      if (mapper instanceof MultiEventMapper m) {
        all = m.endAll(span);
        e = null;
      } else {
        e = mapper.end(span);
      }
    } catch (RecordException ex) {
      held.reject(ctx.rejection(ex.reason(), ex.getMessage(), ps, pe, span.line(), ord));
      return;
    } catch (RuntimeException | StackOverflowError ex) {
      held.reject(
          ctx.rejection(
              RejectReason.PARSER_ERROR,
              "parser bug on this record: " + ex,
              ps,
              pe,
              span.line(),
              ord));
      return;
    }
    if (e != null) held.emit(e);
    if (all != null) {
      for (EvidenceEvent x : all) held.emit(x);
    }
  }

  private void reject(RejectReason reason, String message, int start, int end) {
    long ord = ordinal++;
    held.reject(ctx.rejection(reason, message, start + shift, end + shift, ord));
  }

  /** Output held back until the root value that produced it is complete. */
  private final class Held {
    private final java.util.ArrayList<Object> items = new java.util.ArrayList<>();

    void emit(EvidenceEvent e) {
      items.add(e);
    }

    void reject(Rejection r) {
      items.add(r);
    }

    void flush() {
      if (items.isEmpty()) return;
      try {
        for (int k = 0, n = items.size(); k < n; k++) {
          Object o = items.get(k);
          if (o instanceof EvidenceEvent ev) out.emit(ev);
          else out.reject((Rejection) o);
        }
      } finally {
        items.clear(); // if out throws, parsing is over anyway: nothing is passed on twice
      }
    }

    void discard() {
      items.clear();
    }
  }

  private int recover(JsonProcessingException e, Source src) {
    String msg = e.getOriginalMessage();
    int err =
        e.getLocation() == null
            ? buf.length
            : Math.max(curStart, src.index(e.getLocation().getByteOffset()));
    int start = Math.max(curStart, continuation ? 1 : 0);
    if (err >= buf.length && ctx.truncatedRecord()) {
      rejectSpan(
          RejectReason.RECORD_TOO_LARGE,
          "record cut by the collector at its max record size (full bytes in the evidence store)",
          start,
          buf.length);
      return -1;
    }
    if (inContainer) {
      rejectSpan(
          RejectReason.MALFORMED_JSON,
          "invalid JSON inside the records array, rest of chunk not parsed: " + msg,
          start,
          buf.length);
      return -1;
    }
    int startLineEnd = lineEnd(start);
    if (err <= startLineEnd) {
      rejectSpan(RejectReason.MALFORMED_JSON, "invalid JSON: " + msg, start, startLineEnd);
      return startLineEnd + 1;
    }
    int errLineStart = lineStart(err);
    if (err < buf.length && buf[err] == '{' && skipWs(errLineStart) == err) {
      // the record was cut short; a new one starts on this line
      rejectSpan(RejectReason.MALFORMED_JSON, "incomplete JSON: " + msg, start, trimNl(errLineStart));
      return errLineStart;
    }
    int errLineEnd = lineEnd(err);
    rejectSpan(RejectReason.MALFORMED_JSON, "invalid JSON: " + msg, start, errLineEnd);
    return errLineEnd + 1;
  }

  private void rejectSpan(RejectReason reason, String message, int start, int end) {
    reject(reason, message, start, Math.max(start, end));
  }

  private int skipWs(int i) {
    while (i < buf.length && Json.isWs(buf[i])) i++;
    return i;
  }

  private int lineEnd(int i) {
    int nl = Bytes.indexOfNewline(buf, i, buf.length);
    return nl < 0 ? buf.length : nl;
  }

  private int lineStart(int i) {
    while (i > 0 && buf[i - 1] != '\n') i--;
    return i;
  }

  private int trimNl(int i) {
    if (i > 0 && buf[i - 1] == '\n') i--;
    if (i > 0 && buf[i - 1] == '\r') i--;
    return i;
  }
}
