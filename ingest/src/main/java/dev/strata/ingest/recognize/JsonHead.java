package dev.strata.ingest.recognize;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The head of a JSON document in a content sample, for document formats (SBOMs, scan reports) whose telling fields
 * may sit inside nested objects: the root object's fields as trees, where an array keeps only its first element and
 * a value cut by the end of the sample is left out. Not a parser of the artifact: bounded by the 64 KiB sample.
 *
 * @param fields top-level fields seen in full (arrays: only their first element, when complete)
 * @param complete the whole document ended inside the sample
 * @param valid a JSON object that had no syntax error before the sample ended
 */
record JsonHead(Map<String, JsonNode> fields, boolean complete, boolean valid) {
  private static final ObjectMapper M = new ObjectMapper();
  static final JsonHead NONE = new JsonHead(Map.of(), false, false);

  JsonNode get(String name) {
    JsonNode n = fields.get(name);
    return n == null ? MissingNode.getInstance() : n;
  }

  boolean has(String name) {
    return fields.containsKey(name);
  }

  /** The first element of a top-level array field (missing if absent or cut). */
  JsonNode first(String name) {
    return get(name).path(0);
  }

  static JsonHead of(ContentSample sample) {
    int start = sample.firstSignificant();
    if (start < 0 || sample.bytes()[start] != '{') return NONE;
    byte[] b = sample.bytes();
    Map<String, JsonNode> fields = new LinkedHashMap<>();
    try (JsonParser p = JsonSniff.parser(b, start, b.length - start)) {
      p.nextToken();
      JsonToken t;
      while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken v = p.nextToken();
        if (v == null) return new JsonHead(fields, false, true);
        if (v == JsonToken.START_ARRAY) {
          var arr = M.createArrayNode();
          fields.put(name, arr);
          JsonToken e = p.nextToken();
          if (e == null) return new JsonHead(fields, false, true);
          if (e != JsonToken.END_ARRAY) {
            arr.add((JsonNode) M.readTree(p));
            p.skipChildren(); // no-op for scalars
            while ((e = p.nextToken()) != JsonToken.END_ARRAY) {
              if (e == null) return new JsonHead(fields, false, true);
              p.skipChildren();
            }
          }
        } else {
          fields.put(name, (JsonNode) M.readTree(p));
        }
      }
      return new JsonHead(fields, t == JsonToken.END_OBJECT, t == JsonToken.END_OBJECT);
    } catch (IOException e) {
      // the sample ended inside a value (or the JSON is broken there): what was read so far is the head
      return new JsonHead(fields, false, !fields.isEmpty());
    }
  }
}
