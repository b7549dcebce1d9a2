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
import dev.strata.schema.event.EvidenceEvent;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads whole JSON documents (an SBOM, a scan report) out of a chunk: every root value of the payload is one document
 * (usually the payload is one document, framing WHOLE; JSON Lines of documents also work). The document's top-level
 * fields are read as trees, except the arrays named by the format (packages, components, artifacts, matches): their
 * elements are read one by one with their byte span, so each package event points at its own bytes.
 *
 * <p>A document that is not valid JSON is rejected (malformed_json) from its first byte to the next line that starts
 * a new root value at column 0 (or to the end): one bad document costs one dead letter. A document cut by the
 * collector at its max record size is rejected as record_too_large. A {@link RecordException} from the mapper
 * rejects that document; a RuntimeException rejects it as parser_error.
 */
final class JsonDocuments {

  /** One element of a record array, with its payload span. */
  record Element(JsonNode node, int start, int end, int index) {}

  /** One document: top-level fields (trees), record arrays (elements with spans), and its own span. */
  static final class Doc {
    final Map<String, JsonNode> fields = new HashMap<>();
    final Map<String, List<Element>> arrays = new HashMap<>();
    JsonNode rootArray; // the root value was an array (elements in arrays.get(""))
    int start;
    int end;
    long ordinalBase;

    JsonNode get(String name) {
      JsonNode n = fields.get(name);
      return n == null ? com.fasterxml.jackson.databind.node.MissingNode.getInstance() : n;
    }

    List<Element> elements(String name) {
      List<Element> l = arrays.get(name);
      return l == null ? List.of() : l;
    }

    boolean has(String name) {
      return fields.containsKey(name) || arrays.containsKey(name);
    }
  }

  /** Maps one document to events. */
  interface DocumentMapper {
    /** Emits the document's events through {@code out}; throws RecordException if it is not a document of ours. */
    void map(Doc doc, List<EvidenceEvent> out) throws RecordException;
  }

  private final ChunkContext ctx;
  private final Set<String> recordArrays;
  private final DocumentMapper mapper;
  private final ParseOutput out;
  private long ordinal;

  JsonDocuments(ChunkContext ctx, Set<String> recordArrays, DocumentMapper mapper, ParseOutput out) {
    this.ctx = ctx;
    this.recordArrays = recordArrays;
    this.mapper = mapper;
    this.out = out;
  }

  void run() throws ParseException {
    byte[] buf = ctx.payload();
    int pos = skipWs(buf, 0);
    while (pos < buf.length) {
      pos = readFrom(buf, pos);
      pos = skipWs(buf, pos);
    }
  }

  /** Reads root values from pos; returns where to go on (buf.length when done). */
  private int readFrom(byte[] buf, int pos) throws ParseException {
    JsonParser p;
    try {
      p = Json.utf8Parser(buf, pos, buf.length - pos);
    } catch (IOException e) {
      throw new ParseException(RejectReason.PARSER_ERROR, "cannot create JSON parser: " + e.getMessage(), e);
    }
    if (p == null) {
      reject(RejectReason.MALFORMED_JSON, "not UTF-8 JSON (NUL bytes or a UTF-16/32 byte order mark)", pos,
          buf.length);
      return buf.length;
    }
    int docStart = pos;
    try (p) {
      while (true) {
        docStart = skipWs(buf, pos + (int) p.currentLocation().getByteOffset());
        if (docStart >= buf.length) return buf.length;
        JsonToken t = p.nextToken();
        if (t == null) return buf.length;
        docStart = pos + (int) p.currentTokenLocation().getByteOffset();
        Doc doc = new Doc();
        doc.start = docStart;
        doc.ordinalBase = ordinal;
        if (t == JsonToken.START_OBJECT) {
          while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            if (v == JsonToken.START_ARRAY && recordArrays.contains(name) && !doc.arrays.containsKey(name)) {
              doc.arrays.put(name, elements(p, pos));
            } else {
              doc.fields.put(name, Json.tree(p));
            }
          }
        } else if (t == JsonToken.START_ARRAY) {
          doc.arrays.put("", elements(p, pos));
          doc.rootArray = com.fasterxml.jackson.databind.node.NullNode.getInstance();
        } else {
          Json.scalarText(p);
          int end = pos + (int) p.currentLocation().getByteOffset();
          reject(RejectReason.MALFORMED_JSON, "root value is not a JSON object or array: " + t, docStart, end);
          continue;
        }
        doc.end = pos + (int) p.currentLocation().getByteOffset();
        mapDocument(doc);
      }
    } catch (JsonProcessingException e) {
      int err = e.getLocation() == null ? buf.length : pos + (int) e.getLocation().getByteOffset();
      if (err >= buf.length && ctx.truncatedRecord()) {
        reject(RejectReason.RECORD_TOO_LARGE,
            "document cut by the collector at its max record size (full bytes in the evidence store)", docStart,
            buf.length);
        return buf.length;
      }
      int next = nextRootLine(buf, Math.max(err, docStart + 1));
      reject(RejectReason.MALFORMED_JSON, "invalid JSON: " + e.getOriginalMessage(), docStart, trimEnd(buf, docStart,
          next));
      return next;
    } catch (IOException e) {
      throw new ParseException(RejectReason.PARSER_ERROR, "I/O error on an in-memory buffer: " + e, e);
    }
  }

  private List<Element> elements(JsonParser p, int base) throws IOException {
    List<Element> list = new ArrayList<>();
    JsonToken t;
    while ((t = p.nextToken()) != JsonToken.END_ARRAY && t != null) {
      int s = base + (int) p.currentTokenLocation().getByteOffset();
      JsonNode n = Json.tree(p);
      int e = base + (int) p.currentLocation().getByteOffset();
      list.add(new Element(n, s, e, list.size()));
    }
    return list;
  }

  private void mapDocument(Doc doc) {
    List<EvidenceEvent> events = new ArrayList<>();
    long docOrdinal = ordinal;
    try {
      mapper.map(doc, events);
    } catch (RecordException ex) {
      out.reject(ctx.rejection(ex.reason(), ex.getMessage(), doc.start, doc.end, docOrdinal));
      ordinal++;
      return;
    } catch (RuntimeException | StackOverflowError ex) {
      out.reject(ctx.rejection(RejectReason.PARSER_ERROR, "parser bug on this document: " + ex, doc.start, doc.end,
          docOrdinal));
      ordinal++;
      return;
    }
    for (EvidenceEvent e : events) out.emit(e);
    ordinal += Math.max(1, countElements(doc));
  }

  private static int countElements(Doc doc) {
    int n = 0;
    for (List<Element> l : doc.arrays.values()) n += l.size();
    return n;
  }

  private void reject(RejectReason reason, String message, int start, int end) {
    out.reject(ctx.rejection(reason, message, start, Math.max(start, end), ordinal++));
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
