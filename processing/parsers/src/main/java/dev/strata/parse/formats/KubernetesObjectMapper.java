package dev.strata.parse.formats;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.parse.Json;
import dev.strata.parse.JsonRecordStream;
import dev.strata.parse.JsonRecordStream.RecordException;
import dev.strata.parse.JsonRecordStream.Source;
import dev.strata.parse.RejectReason;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the mappers of a {@code kubectl get <kind> -o json} snapshot's objects share (one item of the List per record):
 * the object's top-level parts ({@code metadata}, {@code spec}, {@code status}) kept as their JSON text (the
 * correlation job reads them as an audit record's object), its scalars ({@code kind}, {@code apiVersion}), and reading
 * a part back as a tree. A subclass maps one kind ({@code k8spod}, {@code k8snode}).
 */
public abstract class KubernetesObjectMapper implements JsonRecordStream.RecordMapper {
  /** A part larger than this is cut, and the record rejected as cut (a node's status lists every image it holds). */
  public static final int MAX_VALUE_BYTES = 512 * 1024;

  /** Reads the parts back; builds the trees a subclass writes. */
  protected static final ObjectMapper JSON = new ObjectMapper();

  /** The object's parts (objects and arrays) as JSON text, by field name, in the record's order. */
  protected final Map<String, String> parts = new LinkedHashMap<>();
  /** The object's scalar fields as text. */
  protected final Map<String, String> scalars = new LinkedHashMap<>();

  @Override
  public void begin() {
    parts.clear();
    scalars.clear();
  }

  @Override
  public void field(String name, JsonParser p, Source src) throws IOException {
    JsonToken t = p.currentToken();
    if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
      String v = src.valueText(p, MAX_VALUE_BYTES);
      if (v != null) parts.put(name, v);
    } else {
      String v = Json.scalarText(p);
      if (v != null) scalars.put(name, v);
    }
  }

  /** Rejects an item of another kind (a List may mix them); an item without {@code kind} is taken as {@code kind}. */
  protected final void requireKind(String kind) throws RecordException {
    String k = scalars.get("kind");
    if (k != null && !k.equals(kind)) {
      throw new RecordException(RejectReason.MISSING_FIELD, "not a " + kind + ": kind " + k);
    }
  }

  /** The part as a tree (a missing node when absent). */
  protected final JsonNode tree(String part) throws RecordException {
    String v = parts.get(part);
    if (v == null) return JSON.missingNode();
    try {
      return JSON.readTree(v);
    } catch (IOException ex) {
      throw new RecordException(RejectReason.MALFORMED_RECORD, part + " is cut or not JSON (over " + MAX_VALUE_BYTES + " bytes?)");
    }
  }

  /** A non-empty text field of {@code n}, else null. */
  protected static String text(JsonNode n, String field) {
    JsonNode v = n.path(field);
    return v.isTextual() && !v.asText().isEmpty() ? v.asText() : null;
  }
}
