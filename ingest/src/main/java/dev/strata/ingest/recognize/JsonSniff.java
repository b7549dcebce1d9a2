package dev.strata.ingest.recognize;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Cheap look at the top-level fields of JSON objects in a content sample (not a parser of the artifact): tolerant of
 * a sample that ends in the middle of a value.
 */
final class JsonSniff {
  private static final JsonFactory FACTORY =
      JsonFactory.builder()
          .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(200).build())
          .build();

  /** Marker value of a field whose value is an object or array. */
  static final String NESTED = "\u0000nested";

  /**
   * Top-level fields of one JSON object: scalar values as text, nested values as {@link #NESTED}.
   *
   * @param fields in document order
   * @param complete the object ended inside the sample
   * @param valid no syntax error was met (a sample ending early is not an error)
   * @param endOffset byte offset (in the sample) just after the object, -1 when incomplete
   */
  record Obj(Map<String, String> fields, boolean complete, boolean valid, long endOffset) {
    static final Obj INVALID = new Obj(Map.of(), false, false, -1);

    boolean has(String k) {
      return fields.containsKey(k);
    }

    String get(String k) {
      String v = fields.get(k);
      return v == null || v.equals(NESTED) ? null : v;
    }
  }

  /** A line of the sample: {@code complete} when followed by a newline or the end of the content. */
  record Line(int offset, int length, boolean complete) {}

  private JsonSniff() {}

  /** Up to {@code max} non-blank lines of the sample. */
  static List<Line> lines(ContentSample s, int max) {
    List<Line> out = new ArrayList<>();
    byte[] b = s.bytes();
    int start = 0;
    while (start < b.length && out.size() < max) {
      int nl = start;
      while (nl < b.length && b[nl] != '\n') {
        nl++;
      }
      boolean complete = nl < b.length || s.complete();
      if (!isBlank(b, start, nl)) {
        out.add(new Line(start, nl - start, complete));
      }
      start = nl + 1;
    }
    return out;
  }

  /** The object at the start of {@code b[off, off+len)} (after whitespace). */
  static Obj object(byte[] b, int off, int len) {
    try (JsonParser p = FACTORY.createParser(b, off, len)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return Obj.INVALID;
      }
      return readObject(p, off);
    } catch (IOException e) {
      return Obj.INVALID;
    }
  }

  static Obj object(String json) {
    byte[] b = json.getBytes(StandardCharsets.UTF_8);
    return object(b, 0, b.length);
  }

  /**
   * The JSON object a sample starts with (after whitespace and a BOM), for the probes of one-object documents.
   *
   * @param start its offset in the sample, -1 when the sample has no content
   * @param obj its top-level fields ({@link Obj#INVALID} when the sample does not start with a valid object)
   * @param none the standard NONE match ("no content", "not a JSON object") when there is no valid object, else null
   */
  record Leading(int start, Obj obj, ContentMatch none) {}

  /** The object at the sample's first significant byte, or why there is none (see {@link Leading#none()}). */
  static Leading leadingObject(ContentSample s) {
    int start = s.firstSignificant();
    if (start < 0) {
      return new Leading(-1, Obj.INVALID, ContentMatch.none("no content"));
    }
    byte[] b = s.bytes();
    if (b[start] != '{') {
      return new Leading(start, Obj.INVALID, ContentMatch.none("not a JSON object"));
    }
    Obj o = object(b, start, b.length - start);
    return new Leading(start, o, o.valid() ? null : ContentMatch.none("not a JSON object"));
  }

  /**
   * The object on a sample's first non-blank line, for the probes of JSON-lines formats.
   *
   * @param line that line, null when the sample has no content
   * @param obj its top-level fields ({@link Obj#INVALID} when the line is not a valid JSON object)
   * @param none the standard NONE match ("no content", "first line is not a JSON object") when there is no valid
   *     object, else null
   */
  record FirstLine(Line line, Obj obj, ContentMatch none) {}

  /** The object on the sample's first non-blank line, or why there is none (see {@link FirstLine#none()}). */
  static FirstLine firstLineObject(ContentSample s) {
    List<Line> lines = lines(s, 1);
    if (lines.isEmpty()) {
      return new FirstLine(null, Obj.INVALID, ContentMatch.none("no content"));
    }
    Line l = lines.get(0);
    Obj o = object(s.bytes(), l.offset(), l.length());
    return new FirstLine(l, o, o.valid() ? null : ContentMatch.none("first line is not a JSON object"));
  }

  /**
   * The first line as a CloudWatch Logs export to S3 writes it ({@code <timestamp> <JSON message>}, the timestamp
   * ISO-8601 UTC or 13-digit epoch millis): the message object, or a {@link FirstLine} whose {@code none} says why
   * not. Same rules as {@code dev.strata.parse.CloudWatchExportLines}, which reads such objects.
   */
  static FirstLine firstExportLineObject(ContentSample s) {
    List<Line> lines = lines(s, 1);
    if (lines.isEmpty()) {
      return new FirstLine(null, Obj.INVALID, ContentMatch.none("no content"));
    }
    Line l = lines.get(0);
    byte[] b = s.bytes();
    int end = l.offset() + l.length();
    int t = l.offset();
    while (t < end && b[t] != ' ' && b[t] != '\t') {
      t++;
    }
    if (t >= end || !isExportTimestamp(b, l.offset(), t)) {
      return new FirstLine(l, Obj.INVALID, ContentMatch.none("first line has no CloudWatch export timestamp"));
    }
    while (t < end && (b[t] == ' ' || b[t] == '\t')) {
      t++;
    }
    Obj o = object(b, t, end - t);
    return new FirstLine(l, o, o.valid() ? null : ContentMatch.none("export message is not a JSON object"));
  }

  private static boolean isExportTimestamp(byte[] b, int s, int e) {
    int n = e - s;
    if (n >= 20 && digit(b[s]) && digit(b[s + 3]) && b[s + 4] == '-' && b[s + 7] == '-' && b[s + 10] == 'T'
        && b[s + 13] == ':' && (b[e - 1] == 'Z' || digit(b[e - 1]))) {
      return true;
    }
    if (n != 13) {
      return false;
    }
    for (int k = s; k < e; k++) {
      if (!digit(b[k])) {
        return false;
      }
    }
    return true;
  }

  private static boolean digit(byte c) {
    return c >= '0' && c <= '9';
  }

  /** Reads the fields of the object whose START_OBJECT was just read. */
  static Obj readObject(JsonParser p, long baseOffset) throws IOException {
    Map<String, String> fields = new LinkedHashMap<>();
    try {
      while (true) {
        JsonToken t = p.nextToken();
        if (t == null) {
          return new Obj(fields, false, true, -1);
        }
        if (t == JsonToken.END_OBJECT) {
          return new Obj(fields, true, true, baseOffset + p.currentLocation().getByteOffset());
        }
        String name = p.currentName();
        JsonToken v = p.nextToken();
        if (v == null) {
          return new Obj(fields, false, true, -1);
        }
        if (v == JsonToken.START_OBJECT || v == JsonToken.START_ARRAY) {
          fields.put(name, NESTED);
          p.skipChildren();
        } else if (v == JsonToken.VALUE_STRING) {
          fields.put(name, p.getText());
        } else {
          fields.put(name, p.getText());
        }
      }
    } catch (JsonEOFException e) {
      return new Obj(Collections.unmodifiableMap(fields), false, true, -1);
    } catch (StreamReadException e) {
      return new Obj(Collections.unmodifiableMap(fields), false, isEofLike(e), -1);
    }
  }

  private static boolean isEofLike(StreamReadException e) {
    String m = String.valueOf(e.getOriginalMessage());
    return m.contains("end-of-input") || m.contains("Unexpected end");
  }

  private static boolean isBlank(byte[] b, int from, int to) {
    for (int i = from; i < to; i++) {
      byte c = b[i];
      if (!(c == ' ' || c == '\r' || c == '\t')) {
        return false;
      }
    }
    return true;
  }

  static JsonParser parser(byte[] b, int off, int len) throws IOException {
    return FACTORY.createParser(b, off, len);
  }
  /**
   * The first element of a JSON document's top-level {@code items} array (a Kubernetes {@code List} as {@code kubectl
   * get <kind> -o json} prints it), read as far as the sample goes: {@code first} null with the reason when the sample
   * is no such document.
   */
  record ListHead(Obj first, String notFound) {}

  static ListHead listHead(ContentSample sample) {
    return arrayHead(sample, "items");
  }

  /** The first element of a JSON document's top-level array {@code field}, as {@link #listHead} reads {@code items}. */
  static ListHead arrayHead(ContentSample sample, String field) {
    int start = sample.firstSignificant();
    if (start < 0) return new ListHead(null, "no content");
    byte[] b = sample.bytes();
    if (b[start] != '{') return new ListHead(null, "not a JSON object");
    try (JsonParser p = parser(b, start, b.length - start)) {
      p.nextToken(); // {
      JsonToken t = p.nextToken();
      while (t == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken v = p.nextToken();
        if (v == null) break;
        if (name.equals(field) && v == JsonToken.START_ARRAY) {
          if (p.nextToken() != JsonToken.START_OBJECT) return new ListHead(null, field + " is not an array of objects");
          return new ListHead(readObject(p, start), null);
        }
        if (v == JsonToken.START_OBJECT || v == JsonToken.START_ARRAY) p.skipChildren();
        t = p.nextToken();
      }
    } catch (IOException e) {
      return new ListHead(null, "not a JSON List document");
    }
    return new ListHead(null, "no " + field);
  }
}
