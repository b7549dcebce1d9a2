package dev.strata.parse.formats.supplychain;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.parse.Bytes;
import dev.strata.parse.ChunkContext;
import dev.strata.parse.Json;
import dev.strata.parse.JsonRecordStream.RecordException;
import dev.strata.parse.ParseException;
import dev.strata.parse.ParseOutput;
import dev.strata.parse.RejectReason;
import dev.strata.parse.Values;
import dev.strata.schema.common.Framing;
import dev.strata.schema.event.EvidenceEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Streams one-object JSON documents (an SBOM, a scan report) out of a chunk with one Jackson parser. The document's
 * top-level fields go to the format's {@link DocumentMapper} as they stream by; the elements of its record arrays
 * (packages, components, artifacts, matches, and the arrays the collector cuts with them: relationships, files,
 * dependencies, ...) go one by one, each with its byte span and record ordinal, so each package event points at its
 * own bytes and no element is held as a tree unless the mapper wants one.
 *
 * <p>Two ways a document arrives:
 *
 * <ul>
 *   <li><b>whole</b> (one chunk, any framing): every root value of the payload is one document (usually one; JSON
 *       Lines of documents also work). A document that is not valid JSON is rejected (malformed_json) from its first
 *       byte to the next line that starts a new root value at column 0 (or to the end), and nothing of it is emitted;
 *       a document cut by the collector at its max record size is rejected as record_too_large.
 *   <li><b>split</b> (JSON_RECORDS, several chunks): the collector cut the document at element starts of its record
 *       arrays and put the document's context on every chunk as {@code format_header} ({@code {"arrays":[{"name",
 *       "offset","end","elements"}...],"document":{root object, record arrays reduced to context elements},
 *       "joined":{"<array>":[elements of other chunks that refer to this chunk's elements]}}}). The header's document
 *       is fed to the mapper first ({@link Mode#CONTEXT}), then the joined elements ({@link Mode#JOINED}); then the
 *       payload: chunk 0 from the
 *       document's start, later chunks from an element of the array whose span holds the chunk's offset (a synthetic
 *       {@code {"<array>":[} is put in front of them); top-level fields in the payload are skipped (the header has
 *       them). A syntax error rejects the rest of the chunk from the element it is in; what came before is emitted.
 * </ul>
 *
 * Record ordinals do not depend on the split: record 0 is the document head, record k + 1 the k-th element of the
 * record arrays (all of them, in document order), as the collector counts them; so event ids (artifact, byte offset,
 * record index) are the same whether a document arrived whole or split. A {@link RecordException} from the mapper
 * rejects the document (whole) or the chunk's events (split); a RuntimeException rejects it as parser_error.
 */
final class JsonDocuments {

  /** How an element reached the mapper. */
  enum Mode {
    /** from a document read whole */
    WHOLE,
    /** a context element from the format header of a split document (no event of its own) */
    CONTEXT,
    /** from a chunk of a split document */
    CHUNK,
    /**
     * an element of another chunk that refers to this chunk's elements (e.g. an SPDX relationship naming one of its
     * packages), carried in the split document's header by the collector (no event of its own)
     */
    JOINED
  }

  /** A format's document mapping. One instance per document; not thread-safe. */
  interface DocumentMapper {
    /** A record array starts (its elements follow). */
    default void array(String name) {}

    /**
     * A top-level field that is not a record array (from the whole document, or from the header of a split one);
     * {@code c.p} is at the value's first token and the mapper must consume the whole value.
     */
    void field(String name, Cursor c) throws IOException;

    /**
     * One element of record array {@code array}; {@code c.p} is at its first token and the mapper must consume it
     * (then {@link Cursor#end()} is its end). Context elements (mode CONTEXT) make no events.
     */
    void element(String array, Cursor c) throws IOException, RecordException;

    /**
     * The header of a split document carries the elements of {@code array} that refer to this chunk's elements (they
     * follow as {@link Mode#JOINED} elements if this returns true; else they are skipped); {@code complete} is false
     * when the collector left some out.
     */
    default boolean joined(String array, boolean complete) {
      return false;
    }

    /** The document (or the chunk's part of it) is complete: add its events to {@code out}. */
    void end(List<EvidenceEvent> out) throws RecordException;
  }

  /** The parser and where its bytes are. Positions are payload positions (header positions in CONTEXT mode). */
  static final class Cursor {
    final JsonParser p;
    final byte[] buf;
    /** buffer index = parser offset + base; payload position = buffer index - shift */
    private final int base;
    private final int shift;
    Mode mode;
    private final Strings strings = new Strings();
    /** the current element: payload position of its first byte, record ordinal in the chunk */
    int start;
    long ordinal;
    /**
     * the current element's 1-based content line: the parser's own row count (Jackson counts the line breaks in the
     * whitespace it skips anyway; JSON has no raw line break elsewhere) from {@link #firstLine}, so the payload is not
     * scanned for newlines a second time
     */
    long line;
    /** content line of the parser's first row (its first byte) */
    private final long firstLine;

    Cursor(JsonParser p, byte[] buf, int base, int shift, Mode mode, long firstLine) {
      this.p = p;
      this.buf = buf;
      this.base = base;
      this.shift = shift;
      this.mode = mode;
      this.firstLine = firstLine;
    }

    /** The current token starts an element: sets {@link #start} and {@link #line}. */
    void markElement() {
      com.fasterxml.jackson.core.JsonLocation at = p.currentTokenLocation();
      start = (int) (at.getByteOffset() + base - shift);
      line = firstLine + at.getLineNr() - 1;
    }

    /** Payload position of the current token's first byte. */
    int tokenStart() {
      return (int) (p.currentTokenLocation().getByteOffset() + base - shift);
    }

    /** Payload position just after the last consumed byte (the current element's end once it is consumed). */
    int end() {
      return (int) (p.currentLocation().getByteOffset() + base - shift);
    }

    /**
     * The current value as text, consumed: strings, numbers and booleans as their text (blank strings: null),
     * objects and arrays as their source JSON text cut to maxBytes (empty ones: null), null: null.
     */
    String text(int maxBytes) throws IOException {
      JsonToken t = p.currentToken();
      if (t == JsonToken.VALUE_STRING) {
        String s = strings.get(p);
        return Values.isBlank(s) ? null : s.length() > maxBytes ? s.substring(0, maxBytes) : s;
      }
      if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
        int s = (int) (p.currentTokenLocation().getByteOffset() + base);
        p.skipChildren();
        int e = (int) (p.currentLocation().getByteOffset() + base);
        return isEmptyContainer(s, e) ? null : ChunkContext.text(buf, s, e, maxBytes);
      }
      if (t == JsonToken.VALUE_NULL) return null;
      return p.getText();
    }

    private boolean isEmptyContainer(int s, int e) {
      if (e - s > 16) return false;
      for (int i = s + 1; i < e - 1; i++) if (!Json.isWs(buf[i])) return false;
      return true;
    }

    /** True if the current token starts an array (then {@link #nextElement} walks it). */
    boolean isArray() {
      return p.currentToken() == JsonToken.START_ARRAY;
    }

    /** The next element's first token of the array being walked, or null at its end. */
    JsonToken nextElement() throws IOException {
      JsonToken t = p.nextToken();
      return t == JsonToken.END_ARRAY || t == null ? null : t;
    }

    /**
     * In an object (after START_OBJECT or a consumed value): the next field's name, with the parser at its value; null
     * at the object's end.
     */
    String nextField() throws IOException {
      if (p.nextToken() != JsonToken.FIELD_NAME) return null;
      String name = p.currentName();
      p.nextToken();
      return name;
    }

    /** Buffer index of the current token's first byte (for {@link #textFrom}). */
    int mark() {
      return (int) (p.currentTokenLocation().getByteOffset() + base);
    }

    /** Source text from a mark to the end of the last consumed token, cut to maxBytes. */
    String textFrom(int mark, int maxBytes) {
      return ChunkContext.text(buf, mark, (int) (p.currentLocation().getByteOffset() + base), maxBytes);
    }

    /** The source bytes from a mark to the end of the last consumed token, as a tree. */
    JsonNode treeFrom(int mark) throws IOException {
      int e = (int) (p.currentLocation().getByteOffset() + base);
      try (JsonParser q = Json.FACTORY.createParser(buf, mark, e - mark)) {
        return Json.tree(q);
      }
    }

    /** True if the current value is an array (walk it with {@link #nextObject}); else consumes it: false. */
    boolean array() throws IOException {
      if (isArray()) return true;
      p.skipChildren();
      return false;
    }

    /** The next object of the array being walked (other elements are skipped): true at its START_OBJECT. */
    boolean nextObject() throws IOException {
      for (JsonToken t; (t = nextElement()) != null; ) {
        if (t == JsonToken.START_OBJECT) return true;
        p.skipChildren();
      }
      return false;
    }

    /** Consumes the current value. */
    void skip() throws IOException {
      p.skipChildren();
    }

    /**
     * A string (or scalar) value's text, blank: null; an object or array is skipped: null. For values that repeat in a
     * document (licenses, suppliers, types, cataloger names): a repeat is the same instance, from the chunk's cache.
     */
    String string() throws IOException {
      return string(true);
    }

    /**
     * As {@link #string()}, for values that seldom repeat in a document (package names, versions, ids, paths): made
     * without asking the cache (a probe that misses costs more than the String it saves, and would evict a value that
     * does repeat).
     */
    String uniqueString() throws IOException {
      return string(false);
    }

    private String string(boolean cached) throws IOException {
      JsonToken t = p.currentToken();
      if (t == JsonToken.VALUE_STRING) {
        String s = cached ? strings.get(p) : p.getText();
        return Values.isBlank(s) ? null : s;
      }
      if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
        p.skipChildren();
        return null;
      }
      return t == JsonToken.VALUE_NULL ? null : p.getText();
    }

    /** The current value as a tree. */
    JsonNode tree() throws IOException {
      return Json.tree(p);
    }

    /** The bytes of a consumed value as a tree (e.g. an element re-read when it turns out to matter). */
    JsonNode treeOf(int start, int end) throws IOException {
      try (JsonParser q = Json.FACTORY.createParser(buf, start + shift, end - start)) {
        return Json.tree(q);
      }
    }
  }

  /**
   * Short strings seen again and again in one chunk (licenses, suppliers, types, "NOASSERTION", cataloger names) made
   * once: a small direct-mapped cache over the parser's character buffer, so a repeat costs a hash and a compare
   * instead of a new String.
   */
  static final class Strings {
    private static final int MAX_LEN = 32;
    private final String[] slots = new String[1024];
    /** the characters of each slot's string (compared without String.charAt's checks) */
    private final char[][] chars = new char[1024][];
    /** each slot's hash (below): a miss is told from it without reading the slot's characters */
    private final int[] hashes = new int[1024];

    String get(JsonParser p) throws IOException {
      int len = p.getTextLength();
      if (len > MAX_LEN || len == 0) return p.getText();
      char[] cs = p.getTextCharacters();
      int off = p.getTextOffset();
      // a few characters pick the slot (the compare decides): cheaper than a hash over every character
      int h = len * 0x9E3779B1 + cs[off] * 31 + cs[off + len - 1] * 961 + cs[off + (len >> 1)] * 29791
          + cs[off + (len >> 2)] * 923521 + cs[off + (3 * len >> 2)] * 28629151;
      int slot = (h ^ (h >>> 11) ^ (h >>> 21)) & (slots.length - 1);
      if (hashes[slot] == h) {
        char[] c = chars[slot];
        if (c != null && c.length == len) {
          int i = 0;
          while (i < len && c[i] == cs[off + i]) i++;
          if (i == len) return slots[slot];
        }
      }
      String s = new String(cs, off, len);
      slots[slot] = s;
      chars[slot] = Arrays.copyOfRange(cs, off, off + len);
      hashes[slot] = h;
      return s;
    }
  }

  private final ChunkContext ctx;
  private final Set<String> recordArrays;
  private final java.util.function.Supplier<DocumentMapper> mappers;
  private final ParseOutput out;
  private long ordinal;

  JsonDocuments(
      ChunkContext ctx, Set<String> recordArrays, java.util.function.Supplier<DocumentMapper> mappers,
      ParseOutput out) {
    this.ctx = ctx;
    this.recordArrays = recordArrays;
    this.mappers = mappers;
    this.out = out;
  }

  void run() throws ParseException {
    String header = ctx.chunk().getFormatHeader();
    if (ctx.framing() == Framing.JSON_RECORDS && ctx.chunkCount() > 1) {
      if (header == null) {
        byte[] b = ctx.payload();
        int s = skipWs(b, 0);
        if (s < b.length) {
          reject(RejectReason.MALFORMED_JSON, "chunk of a split document without the document's context header "
              + "(the document is not one complete JSON object)", s, trimEnd(b, s, b.length));
        }
        return;
      }
      runSplit(header);
      return;
    }
    byte[] buf = ctx.payload();
    ordinal = ctx.chunkIndex() == 0 ? 1 : 0;
    int pos = skipWs(buf, 0);
    while (pos < buf.length) {
      pos = readWhole(buf, pos);
      pos = skipWs(buf, pos);
    }
  }

  // ---- whole documents ------------------------------------------------------------------------------------------

  /** Reads root values from pos; returns where to go on (buf.length when done). */
  private int readWhole(byte[] buf, int pos) throws ParseException {
    JsonParser p = parser(buf, pos, buf.length - pos);
    if (p == null) {
      reject(RejectReason.MALFORMED_JSON, "not UTF-8 JSON (NUL bytes or a UTF-16/32 byte order mark)", pos,
          buf.length);
      return buf.length;
    }
    int docStart = pos;
    long docOrdinal = ordinal;
    Cursor c = new Cursor(p, buf, pos, 0, Mode.WHOLE, ctx.lineAt(pos));
    try (p) {
      while (true) {
        docStart = skipWs(buf, pos + (int) p.currentLocation().getByteOffset());
        if (docStart >= buf.length) return buf.length;
        JsonToken t = p.nextToken();
        if (t == null) return buf.length;
        docStart = c.tokenStart();
        docOrdinal = ordinal;
        if (t != JsonToken.START_OBJECT) {
          if (t == JsonToken.START_ARRAY) p.skipChildren();
          else Json.scalarText(p);
          reject(RejectReason.MALFORMED_JSON, "root value is not a JSON object: " + t, docStart, c.end());
          continue;
        }
        DocumentMapper m = mappers.get();
        List<EvidenceEvent> events = new ArrayList<>();
        try {
          readObject(c, m, recordArrays, false);
          m.end(events);
        } catch (RecordException ex) {
          skipRest(p);
          out.reject(ctx.rejection(ex.reason(), ex.getMessage(), docStart, c.end(), docOrdinal));
          continue;
        } catch (RuntimeException | StackOverflowError ex) {
          skipRest(p);
          out.reject(ctx.rejection(RejectReason.PARSER_ERROR, "parser bug on this document: " + ex, docStart,
              c.end(), docOrdinal));
          continue;
        }
        for (EvidenceEvent e : events) out.emit(e);
      }
    } catch (JsonProcessingException e) {
      ordinal = docOrdinal;
      int err = e.getLocation() == null ? buf.length : pos + (int) e.getLocation().getByteOffset();
      if (err >= buf.length && ctx.truncatedRecord()) {
        reject(RejectReason.RECORD_TOO_LARGE,
            "document cut by the collector at its max record size (full bytes in the evidence store)", docStart,
            buf.length);
        return buf.length;
      }
      int next = nextRootLine(buf, Math.max(err, docStart + 1));
      reject(RejectReason.MALFORMED_JSON, "invalid JSON: " + e.getOriginalMessage(), docStart,
          trimEnd(buf, docStart, next));
      return next;
    } catch (IOException e) {
      throw new ParseException(RejectReason.PARSER_ERROR, "I/O error on an in-memory buffer: " + e, e);
    }
  }

  /**
   * The fields of the root object {@code c.p} is in (after START_OBJECT): record arrays element by element, other
   * fields to the mapper (or skipped). Returns false if the payload ended at a chunk boundary inside a record array.
   */
  private boolean readObject(Cursor c, DocumentMapper m, Set<String> arrays, boolean skipFields)
      throws IOException, RecordException {
    JsonParser p = c.p;
    JsonToken t;
    while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken v = p.nextToken();
      if (v == JsonToken.START_ARRAY && arrays.contains(name)) {
        m.array(name);
        if (!readElements(c, m, name)) return false;
      } else if (skipFields) {
        p.skipChildren();
      } else {
        m.field(name, c);
      }
    }
    if (t != JsonToken.END_OBJECT) throw new IllegalStateException("unexpected token " + t);
    return true;
  }

  /** Elements of a record array, to its ']'. Returns false if the payload ended at a chunk boundary. */
  private boolean readElements(Cursor c, DocumentMapper m, String array) throws IOException, RecordException {
    JsonParser p = c.p;
    while (true) {
      if (c.mode == Mode.CHUNK && atChunkBoundary(c.end())) return false;
      JsonToken t = p.nextToken();
      if (t == JsonToken.END_ARRAY) return true;
      c.markElement();
      c.ordinal = c.mode == Mode.CONTEXT ? -1 : ordinal++;
      m.element(array, c);
      if (p.currentToken() == JsonToken.START_OBJECT || p.currentToken() == JsonToken.START_ARRAY) {
        p.skipChildren(); // the mapper left it
      }
    }
  }

  /** After an element: only ',' and whitespace remain in the payload, and more chunks follow. */
  private boolean atChunkBoundary(int payloadPos) {
    if (ctx.isLastChunk()) return false;
    byte[] b = ctx.payload();
    int i = skipWs(b, payloadPos);
    if (i < b.length && b[i] == ',') i = skipWs(b, i + 1);
    return i >= b.length;
  }

  // ---- split documents ------------------------------------------------------------------------------------------

  /** One chunk of a split document, with its context header. */
  private void runSplit(String header) throws ParseException {
    byte[] head = header.getBytes(StandardCharsets.UTF_8);
    DocumentMapper m = mappers.get();
    List<String> arrayNames = new ArrayList<>();
    List<long[]> spans = new ArrayList<>();
    boolean joinedComplete = true;
    // 1. the header: array places, then the document's context through the mapper
    try (JsonParser p = Json.FACTORY.createParser(head)) {
      Cursor hc = new Cursor(p, head, 0, 0, Mode.CONTEXT, 0); // no events: no lines
      if (p.nextToken() != JsonToken.START_OBJECT) throw new IOException("header is not a JSON object");
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken v = p.nextToken();
        if (name.equals("arrays") && v == JsonToken.START_ARRAY) {
          for (JsonNode a : Json.tree(p)) {
            arrayNames.add(a.path("name").asText());
            spans.add(new long[] {a.path("offset").asLong(), a.path("end").asLong(), a.path("elements").asLong()});
          }
        } else if (name.equals("document") && v == JsonToken.START_OBJECT) {
          readObject(hc, m, Set.copyOf(arrayNames), false);
        } else if (name.equals("joined_complete") && v == JsonToken.VALUE_FALSE) {
          joinedComplete = false;
        } else if (name.equals("joined") && v == JsonToken.START_OBJECT) {
          readJoined(hc, m, joinedComplete);
        } else {
          p.skipChildren();
        }
      }
    } catch (IOException | RecordException | RuntimeException e) {
      byte[] b = ctx.payload();
      reject(RejectReason.MALFORMED_JSON, "unreadable document context header: " + e.getMessage(), 0, b.length);
      return;
    }
    if (m instanceof ArrayCounts counts) {
      for (int i = 0; i < arrayNames.size(); i++) counts.elements(arrayNames.get(i), spans.get(i)[2]);
    }
    // 2. the payload
    byte[] payload = ctx.payload();
    long offset = ctx.contentOffset(0);
    byte[] buf = payload;
    int shift = 0;
    if (ctx.chunkIndex() > 0) {
      String array = null;
      for (int i = 0; i < spans.size(); i++) {
        if (spans.get(i)[0] < offset && offset < spans.get(i)[1]) array = arrayNames.get(i);
      }
      if (array == null) {
        reject(RejectReason.MALFORMED_JSON, "chunk at offset " + offset + " is in none of the document's record "
            + "arrays " + arrayNames, 0, trimEnd(payload, 0, payload.length));
        return;
      }
      byte[] prefix = ("{\"" + array + "\":[").getBytes(StandardCharsets.UTF_8);
      buf = new byte[prefix.length + payload.length];
      System.arraycopy(prefix, 0, buf, 0, prefix.length);
      System.arraycopy(payload, 0, buf, prefix.length, payload.length);
      shift = prefix.length;
    }
    ordinal = ctx.chunkIndex() == 0 ? 1 : 0;
    List<EvidenceEvent> events = new ArrayList<>();
    JsonParser p = parser(buf, 0, buf.length);
    if (p == null) {
      reject(RejectReason.MALFORMED_JSON, "not UTF-8 JSON", 0, payload.length);
      return;
    }
    Cursor c = new Cursor(p, buf, 0, shift, Mode.CHUNK, ctx.lineAt(0)); // the prefix in front has no newline
    c.start = skipWs(payload, 0);
    int rest = payload.length;
    try (p) {
      if (p.nextToken() != JsonToken.START_OBJECT) throw new IllegalStateException("document is not an object");
      boolean closed = readObject(c, m, Set.copyOf(arrayNames), true);
      rest = closed ? c.end() : payload.length;
    } catch (JsonProcessingException e) {
      int s = Math.max(0, c.start);
      if (ctx.truncatedRecord()) {
        reject(RejectReason.RECORD_TOO_LARGE,
            "element cut by the collector at its max record size (full bytes in the evidence store)", s,
            payload.length);
      } else {
        reject(RejectReason.MALFORMED_JSON, "invalid JSON: " + e.getOriginalMessage(), s,
            trimEnd(payload, s, payload.length));
      }
      rest = payload.length;
    } catch (IOException e) {
      throw new ParseException(RejectReason.PARSER_ERROR, "I/O error on an in-memory buffer: " + e, e);
    } catch (RecordException e) {
      reject(e.reason(), e.getMessage(), Math.max(0, c.start), c.end());
      return;
    } catch (RuntimeException e) {
      reject(RejectReason.PARSER_ERROR, "parser bug on this chunk: " + e, Math.max(0, c.start), payload.length);
      return;
    }
    try {
      m.end(events);
    } catch (RecordException e) {
      reject(e.reason(), e.getMessage(), 0, payload.length);
      return;
    } catch (RuntimeException e) {
      reject(RejectReason.PARSER_ERROR, "parser bug on this chunk: " + e, 0, payload.length);
      return;
    }
    for (EvidenceEvent e : events) out.emit(e);
    // anything after the split document's root object (more documents in the same artifact) is read whole
    int pos = skipWs(payload, rest);
    while (pos < payload.length) {
      pos = readWhole(payload, pos);
      pos = skipWs(payload, pos);
    }
  }

  /** The header's {@code "joined":{"<array>":[elements...]}} (after its START_OBJECT), element by element. */
  private static void readJoined(Cursor hc, DocumentMapper m, boolean complete) throws IOException, RecordException {
    JsonParser p = hc.p;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String array = p.currentName();
      if (p.nextToken() != JsonToken.START_ARRAY) {
        p.skipChildren();
        continue;
      }
      if (!m.joined(array, complete)) {
        p.skipChildren();
        continue;
      }
      hc.mode = Mode.JOINED;
      for (JsonToken t; (t = p.nextToken()) != JsonToken.END_ARRAY; ) {
        if (t == null) throw new IOException("header ends inside joined " + array);
        hc.start = hc.tokenStart();
        hc.ordinal = -1;
        m.element(array, hc);
        if (p.currentToken() == JsonToken.START_OBJECT || p.currentToken() == JsonToken.START_ARRAY) {
          p.skipChildren(); // the mapper left it
        }
      }
      hc.mode = Mode.CONTEXT;
    }
  }

  /** A mapper that wants the element counts of a split document's record arrays (from the header). */
  interface ArrayCounts {
    void elements(String array, long count);
  }

  // ---- helpers ----------------------------------------------------------------------------------------------------

  private static JsonParser parser(byte[] buf, int off, int len) throws ParseException {
    try {
      return Json.utf8Parser(buf, off, len);
    } catch (IOException e) {
      throw new ParseException(RejectReason.PARSER_ERROR, "cannot create JSON parser: " + e.getMessage(), e);
    }
  }

  private static void skipRest(JsonParser p) {
    try {
      while (p.getParsingContext() != null && !p.getParsingContext().inRoot()) {
        if (p.nextToken() == null) return;
      }
    } catch (IOException e) {
      // the outer loop meets the same error
    }
  }

  private void reject(RejectReason reason, String message, int start, int end) {
    out.reject(ctx.rejection(reason, message, start, Math.max(start, end), ordinal));
  }

  /** The start of the first line after {@code from} that begins (column 0) with '{' or '['; else buf.length. */
  private static int nextRootLine(byte[] buf, int from) {
    int i = from;
    while (true) {
      int nl = Bytes.indexOfNewline(buf, i, buf.length);
      if (nl < 0) return buf.length;
      int s = nl + 1;
      if (s < buf.length && (buf[s] == '{' || buf[s] == '[')) return s;
      i = s;
    }
  }

  private static int skipWs(byte[] b, int i) {
    while (i < b.length && (Json.isWs(b[i]) || (b[i] & 0xff) == 0xEF || (b[i] & 0xff) == 0xBB
        || (b[i] & 0xff) == 0xBF)) {
      i++;
    }
    return i;
  }

  private static int trimEnd(byte[] b, int s, int e) {
    while (e > s && Json.isWs(b[e - 1])) e--;
    return e;
  }
}
