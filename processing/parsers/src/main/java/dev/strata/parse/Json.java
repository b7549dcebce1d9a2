package dev.strata.parse;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/** The shared (thread-safe, reused) Jackson factory and mapper, and small streaming helpers. */
public final class Json {

  public static final JsonFactory FACTORY = JsonFactory.builder().build();
  public static final ObjectMapper MAPPER = new ObjectMapper(FACTORY);
  /** reads JsonNode values with its root deserializer found once (MAPPER.readTree looks it up on every call) */
  private static final com.fasterxml.jackson.databind.ObjectReader TREE = MAPPER.readerFor(JsonNode.class);

  private Json() {}

  /**
   * A parser over a byte range that is read as UTF-8, or null if Jackson's encoding detection saw UTF-16/32 (NUL
   * bytes or a UTF-16/32 byte order mark at the start): such bytes are not a JSON record of ours, and their
   * positions would not be byte offsets.
   */
  public static JsonParser utf8Parser(byte[] buf, int off, int len) throws IOException {
    JsonParser p = FACTORY.createParser(buf, off, len);
    if (p instanceof com.fasterxml.jackson.core.json.UTF8StreamJsonParser) return p;
    p.close();
    return null;
  }

  /** Text of a scalar value (strings as is, numbers/booleans as written); null for JSON null; objects/arrays: skipped, null. */
  public static String scalarText(JsonParser p) throws IOException {
    JsonToken t = p.currentToken();
    if (t == null) return null;
    switch (t) {
      case VALUE_STRING:
      case VALUE_NUMBER_INT:
      case VALUE_NUMBER_FLOAT:
      case VALUE_TRUE:
      case VALUE_FALSE:
        return p.getText();
      case START_OBJECT:
      case START_ARRAY:
        p.skipChildren();
        return null;
      default:
        return null;
    }
  }

  /** A string value, or null (any other value is consumed). */
  public static String string(JsonParser p) throws IOException {
    JsonToken t = p.currentToken();
    if (t == JsonToken.VALUE_STRING) return p.getText();
    if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) p.skipChildren();
    return null;
  }

  /**
   * The {@link #scalarText} of the member {@code name} of the object {@code p} is at (START_OBJECT), consuming the
   * whole object; null if there is no such member (or it is null, an object or an array).
   */
  public static String memberText(JsonParser p, String name) throws IOException {
    String v = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String f = p.currentName();
      p.nextToken();
      if (name.equals(f)) v = scalarText(p);
      else p.skipChildren();
    }
    return v;
  }

  /**
   * Reads the current value as a tree (as {@code MAPPER.readTree(p)}: a JSON null is a NullNode, no value left:
   * null).
   */
  public static JsonNode tree(JsonParser p) throws IOException {
    if (p.currentToken() == null && p.nextToken() == null) return null;
    JsonNode n = TREE.readValue(p);
    return n == null ? MAPPER.getNodeFactory().nullNode() : n;
  }

  /** Text of a node for unmapped / messages: strings as is, null for missing/null, others as JSON text. */
  public static String text(JsonNode n) {
    if (n == null || n.isNull() || n.isMissingNode()) return null;
    if (n.isValueNode()) return n.asText();
    return n.toString();
  }

  /** A field of an object node as text (see {@link #text(JsonNode)}); null if absent. */
  public static String text(JsonNode obj, String field) {
    return obj == null ? null : text(obj.get(field));
  }

  /**
   * Flattens a node into {@code into} with dotted keys under {@code prefix}: objects recurse, scalars become their
   * text, arrays become JSON text, nulls are left out. Values longer than {@code maxChars} are cut.
   */
  public static void flatten(java.util.Map<String, String> into, String prefix, JsonNode node, int maxChars) {
    if (node == null || node.isNull() || node.isMissingNode()) return;
    if (node.isObject()) {
      var it = node.fields();
      while (it.hasNext()) {
        var e = it.next();
        flatten(into, prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), e.getValue(), maxChars);
      }
      return;
    }
    String v = node.isValueNode() ? node.asText() : node.toString();
    if (v.length() > maxChars) v = v.substring(0, maxChars);
    into.put(prefix, v);
  }

  /** True for JSON whitespace. */
  public static boolean isWs(byte b) {
    return b == ' ' || b == '\n' || b == '\r' || b == '\t';
  }
}
