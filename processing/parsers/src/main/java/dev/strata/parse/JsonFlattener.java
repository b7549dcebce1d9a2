package dev.strata.parse;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.strata.parse.JsonRecordStream.Source;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Flattens JSON values into dotted unmapped entries while they stream by, with the keys and values
 * {@link Json#flatten} gives for a tree of the same JSON, without building the tree: objects recurse
 * ({@code "a.b.c"}), scalars become their text (numbers as the tree prints them), arrays their compact JSON text,
 * nulls are left out; values longer than {@code maxChars} are cut. Array (and object) text is cut out of the source
 * bytes with white space outside strings dropped; only text the tree would print differently (escapes inside
 * strings, floating-point numbers, {@code -0}) is read as a tree and printed. Objects with a repeated key keep every
 * occurrence (a tree keeps the last).
 *
 * <p>Keys come from {@link Source#key}. One instance per mapper (per chunk); not thread-safe.
 */
public final class JsonFlattener {

  private final int maxChars;
  private byte[] scratch = new byte[256];

  public JsonFlattener(int maxChars) {
    this.maxChars = maxChars;
  }

  /** Flattens the value {@code p} is at (its first token) under {@code key} into {@code into}. */
  public void value(JsonParser p, Source src, String key, Map<String, String> into) throws IOException {
    JsonToken t = p.currentToken();
    if (t == JsonToken.START_OBJECT) {
      fields(p, src, key, into);
    } else if (t == JsonToken.START_ARRAY) {
      into.put(key, cut(containerText(p, src)));
    } else if (t != JsonToken.VALUE_NULL) {
      into.put(key, cut(scalarText(p)));
    }
  }

  /** Flattens the fields of the object {@code p} is at (START_OBJECT) under {@code prefix}, to its END_OBJECT. */
  public void fields(JsonParser p, Source src, String prefix, Map<String, String> into) throws IOException {
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String key = src.key(prefix, p.currentName());
      p.nextToken();
      value(p, src, key, into);
    }
  }

  /**
   * The value {@code p} is at as {@link Json#text(com.fasterxml.jackson.databind.JsonNode)} gives it for a tree:
   * scalars as text, objects and arrays as compact JSON, null for JSON null. Consumes the value.
   */
  public String text(JsonParser p, Source src) throws IOException {
    JsonToken t = p.currentToken();
    if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) return containerText(p, src);
    return scalarText(p);
  }

  /**
   * Like {@link #text}, and an object's fields are also flattened under {@code key} into {@code into} (as
   * {@link #value} would); scalars and arrays are not put. For a mapped field whose key is left out of unmapped:
   * only an object's fields, which are not the mapped value, still belong there.
   */
  public String mappedText(JsonParser p, Source src, String key, Map<String, String> into) throws IOException {
    if (p.currentToken() != JsonToken.START_OBJECT) return text(p, src);
    int start = src.index(p.currentTokenLocation().getByteOffset());
    fields(p, src, key, into);
    return compact(p, src, start);
  }

  /**
   * Like {@link #text}, and the value is also flattened under {@code key} into {@code into} (as {@link #value}
   * would): for a mapped field that stays in unmapped too.
   */
  public String keptText(JsonParser p, Source src, String key, Map<String, String> into) throws IOException {
    boolean object = p.currentToken() == JsonToken.START_OBJECT;
    String v = mappedText(p, src, key, into);
    if (v != null && !object) into.put(key, cut(v));
    return v;
  }

  /**
   * {@link #number}, and an object's fields are flattened under {@code key} into {@code into}, as
   * {@link #mappedText} does.
   */
  public Long mappedNumber(JsonParser p, Source src, String key, Map<String, String> into) throws IOException {
    if (p.currentToken() == JsonToken.START_OBJECT) {
      fields(p, src, key, into);
      return null;
    }
    return number(p);
  }

  /**
   * The value {@code p} is at as a whole number, as a tree's {@code asLong()} reads an integral or a textual value:
   * integers (wider ones wrap as {@code BigInteger.longValue()} does) and decimal text; null for anything else.
   * Consumes the value.
   */
  public static Long number(JsonParser p) throws IOException {
    JsonToken t = p.currentToken();
    if (t == JsonToken.VALUE_NUMBER_INT) {
      return p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
          ? p.getBigIntegerValue().longValue()
          : p.getLongValue();
    }
    if (t == JsonToken.VALUE_STRING) {
      try {
        return Long.parseLong(p.getText());
      } catch (NumberFormatException e) {
        return null;
      }
    }
    p.skipChildren();
    return null;
  }

  /**
   * For an object or array read element by element: its compact JSON text (see {@link #text}) from buffer index
   * {@code start} (its first byte) to where the parser is (its last token), cut as {@link #value} cuts.
   */
  public String textSince(JsonParser p, Source src, int start) throws IOException {
    return cut(compact(p, src, start));
  }

  /** Text of a scalar as a tree prints it: strings as is, numbers in the tree's form; null for JSON null. */
  static String scalarText(JsonParser p) throws IOException {
    switch (p.currentToken()) {
      case VALUE_STRING:
      case VALUE_TRUE:
      case VALUE_FALSE:
        return p.getText();
      case VALUE_NUMBER_INT: {
        String s = p.getText();
        return s.length() == 2 && s.charAt(0) == '-' && s.charAt(1) == '0' ? "0" : s;
      }
      case VALUE_NUMBER_FLOAT:
        return Json.tree(p).asText();
      default:
        return null;
    }
  }

  private String containerText(JsonParser p, Source src) throws IOException {
    int start = src.index(p.currentTokenLocation().getByteOffset());
    p.skipChildren();
    return compact(p, src, start);
  }

  /** Compact JSON text of the value from {@code start} to where the parser is (just after its last byte). */
  private String compact(JsonParser p, Source src, int start) throws IOException {
    byte[] b = src.buffer();
    int end = src.index(p.currentLocation().getByteOffset());
    String s = compactAsWritten(b, start, end);
    if (s != null) return s;
    try (JsonParser q = Json.FACTORY.createParser(b, start, end - start)) {
      q.nextToken();
      return Json.tree(q).toString();
    }
  }

  /**
   * The JSON text in [start, end) without white space outside strings, or null if a tree would print it otherwise
   * (a backslash escape in a string, a floating-point number, {@code -0}).
   */
  String compactAsWritten(byte[] b, int start, int end) {
    int n = 0; // bytes copied into scratch, once white space was seen
    boolean copying = false;
    int i = start;
    while (i < end) {
      byte c = b[i];
      if (c == '"') {
        int close = i + 1;
        while (true) {
          close = Bytes.indexOfStringSpecial(b, close, end);
          if (close >= end) return null;
          byte x = b[close];
          if (x == '"') break;
          if (x == '\\') return null;
          close++; // a non-ASCII (or control) byte: part of the string
        }
        if (copying) n = copy(b, i, close + 1, n);
        i = close + 1;
        continue;
      }
      if (Json.isWs(c)) {
        if (!copying) {
          copying = true;
          n = copy(b, start, i, 0);
        }
        i++;
        continue;
      }
      if (c == '.' || ((c == 'e' || c == 'E') && i > start && b[i - 1] >= '0' && b[i - 1] <= '9')
          || (c == '-' && i + 1 < end && b[i + 1] == '0' && (i + 2 >= end || b[i + 2] < '0' || b[i + 2] > '9'))) {
        return null;
      }
      if (copying) {
        if (n == scratch.length) scratch = java.util.Arrays.copyOf(scratch, n * 2);
        scratch[n++] = c;
      }
      i++;
    }
    return copying
        ? new String(scratch, 0, n, StandardCharsets.UTF_8)
        : new String(b, start, end - start, StandardCharsets.UTF_8);
  }

  private int copy(byte[] b, int from, int to, int n) {
    int len = to - from;
    if (n + len > scratch.length) scratch = java.util.Arrays.copyOf(scratch, Math.max(scratch.length * 2, n + len));
    System.arraycopy(b, from, scratch, n, len);
    return n + len;
  }

  private String cut(String v) {
    return v.length() > maxChars ? v.substring(0, maxChars) : v;
  }
}
