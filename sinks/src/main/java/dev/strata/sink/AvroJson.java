package dev.strata.sink;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericEnumSymbol;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.specific.SpecificData;

/**
 * Plain JSON for Avro records, for humans and for OpenSearch (not Avro's own JSON encoding, whose unions are
 * wrapped in type objects): field names exactly as in the schema (snake_case), nulls omitted, empty arrays and maps
 * omitted, {@code timestamp-micros}/{@code timestamp-millis} as ISO-8601 UTC strings with six fraction digits
 * ({@link Times#isoMicros}), enums as their symbol, bytes as base64, maps as JSON objects, arrays as JSON arrays.
 *
 * <p>{@link #read} turns such JSON back into a specific record (missing fields take their schema default), so a
 * record survives {@code write -> read} unchanged.
 */
public final class AvroJson {
  private AvroJson() {}

  /** Writes {@code record} as a JSON object. */
  public static void write(JsonGenerator g, IndexedRecord record) throws IOException {
    write(g, record, name -> true);
  }

  /** Writes the fields of {@code record} accepted by {@code include} as a JSON object. */
  public static void write(JsonGenerator g, IndexedRecord record, Predicate<String> include) throws IOException {
    g.writeStartObject();
    writeFields(g, record, include);
    g.writeEndObject();
  }

  /** Writes the fields (no braces) accepted by {@code include}, so a caller can add fields of its own. */
  public static void writeFields(JsonGenerator g, IndexedRecord record, Predicate<String> include)
      throws IOException {
    List<Schema.Field> fields = record.getSchema().getFields();
    for (int i = 0, n = fields.size(); i < n; i++) {
      Schema.Field f = fields.get(i);
      Object v = record.get(i);
      if (isEmpty(v) || !include.test(f.name())) {
        continue;
      }
      g.writeFieldName(f.name());
      writeValue(g, f.schema(), v);
    }
  }

  private static boolean isEmpty(Object v) {
    return v == null
        || (v instanceof Collection<?> c && c.isEmpty())
        || (v instanceof Map<?, ?> m && m.isEmpty());
  }

  private static void writeValue(JsonGenerator g, Schema s, Object v) throws IOException {
    if (s.getType() == Schema.Type.UNION) {
      s = branch(s, v);
    }
    switch (s.getType()) {
      case RECORD -> write(g, (IndexedRecord) v);
      case STRING -> g.writeString(v.toString());
      case INT -> g.writeNumber(((Number) v).intValue());
      case LONG -> {
        if (v instanceof Instant t) {
          g.writeString(Times.isoMicros(t));
        } else {
          g.writeNumber(((Number) v).longValue());
        }
      }
      case BOOLEAN -> g.writeBoolean((Boolean) v);
      case DOUBLE -> g.writeNumber(((Number) v).doubleValue());
      case FLOAT -> g.writeNumber(((Number) v).floatValue());
      case ENUM -> g.writeString(v.toString());
      case BYTES, FIXED -> g.writeString(base64(v));
      case ARRAY -> {
        g.writeStartArray();
        for (Object e : (Collection<?>) v) {
          if (e == null) {
            g.writeNull();
          } else {
            writeValue(g, s.getElementType(), e);
          }
        }
        g.writeEndArray();
      }
      case MAP -> {
        g.writeStartObject();
        for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
          if (e.getValue() == null) {
            continue;
          }
          g.writeFieldName(e.getKey().toString());
          writeValue(g, s.getValueType(), e.getValue());
        }
        g.writeEndObject();
      }
      case NULL -> g.writeNull();
      default -> throw new IllegalArgumentException("unsupported Avro type " + s.getType());
    }
  }

  private static Schema branch(Schema union, Object v) {
    List<Schema> types = union.getTypes();
    if (types.size() == 2) { // the common ["null", T]
      return types.get(0).getType() == Schema.Type.NULL ? types.get(1) : types.get(0);
    }
    return types.get(GenericDataHolder.DATA.resolveUnion(union, v));
  }

  private static String base64(Object v) {
    if (v instanceof ByteBuffer b) {
      ByteBuffer d = b.duplicate();
      byte[] bytes = new byte[d.remaining()];
      d.get(bytes);
      return Base64.getEncoder().encodeToString(bytes);
    }
    if (v instanceof org.apache.avro.generic.GenericFixed f) {
      return Base64.getEncoder().encodeToString(f.bytes());
    }
    return Base64.getEncoder().encodeToString((byte[]) v);
  }

  /** Reads JSON written by {@link #write} into a new instance of the specific record class of {@code type}. */
  @SuppressWarnings("unchecked")
  public static <T extends IndexedRecord> T read(JsonNode node, Class<T> type) {
    SpecificData data = SpecificData.getForClass(type);
    return (T) readRecord(node, data.getSchema(type), data);
  }

  private static IndexedRecord readRecord(JsonNode node, Schema schema, SpecificData data) {
    if (!node.isObject()) {
      throw new IllegalArgumentException(schema.getName() + ": expected a JSON object");
    }
    IndexedRecord r = (IndexedRecord) data.newRecord(null, schema);
    for (Schema.Field f : schema.getFields()) {
      JsonNode v = node.get(f.name());
      r.put(f.pos(), v == null || v.isNull() ? defaultValue(f, data) : readValue(v, f.schema(), data, f.name()));
    }
    return r;
  }

  private static Object defaultValue(Schema.Field f, SpecificData data) {
    Schema s = f.schema();
    if (s.getType() == Schema.Type.UNION && s.getTypes().get(0).getType() == Schema.Type.NULL) {
      return null;
    }
    if (s.getType() == Schema.Type.ARRAY) {
      return new ArrayList<>();
    }
    if (s.getType() == Schema.Type.MAP) {
      return new HashMap<>();
    }
    if (!f.hasDefaultValue()) {
      throw new IllegalArgumentException("missing field " + f.name());
    }
    Object d = data.getDefaultValue(f);
    if (s.getType() == Schema.Type.ENUM && d instanceof GenericEnumSymbol<?> sym) {
      return data.createEnum(sym.toString(), s);
    }
    return d;
  }

  private static Object readValue(JsonNode v, Schema s, SpecificData data, String name) {
    if (s.getType() == Schema.Type.UNION) {
      Schema chosen = null;
      for (Schema t : s.getTypes()) {
        if (t.getType() != Schema.Type.NULL) {
          chosen = t;
          break;
        }
      }
      s = chosen;
    }
    LogicalType lt = s.getLogicalType();
    switch (s.getType()) {
      case RECORD:
        return readRecord(v, s, data);
      case STRING:
        return v.isTextual() ? v.textValue() : v.toString();
      case INT:
        return v.asInt();
      case LONG:
        if (lt instanceof LogicalTypes.TimestampMicros || lt instanceof LogicalTypes.TimestampMillis) {
          return v.isNumber() ? fromNumber(v.asLong(), lt) : Times.parse(v.asText());
        }
        return v.asLong();
      case BOOLEAN:
        return v.asBoolean();
      case DOUBLE:
        return v.asDouble();
      case FLOAT:
        return (float) v.asDouble();
      case ENUM:
        return data.createEnum(v.asText(), s);
      case BYTES:
        return ByteBuffer.wrap(Base64.getDecoder().decode(v.asText()));
      case ARRAY: {
        List<Object> out = new ArrayList<>();
        for (JsonNode e : v) {
          out.add(e.isNull() ? null : readValue(e, s.getElementType(), data, name));
        }
        return out;
      }
      case MAP: {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          out.put(e.getKey(), readValue(e.getValue(), s.getValueType(), data, name));
        }
        return out;
      }
      default:
        throw new IllegalArgumentException(name + ": unsupported Avro type " + s.getType());
    }
  }

  private static Instant fromNumber(long n, LogicalType lt) {
    if (lt instanceof LogicalTypes.TimestampMillis) {
      return Instant.ofEpochMilli(n);
    }
    return Instant.ofEpochSecond(Math.floorDiv(n, 1_000_000L), Math.floorMod(n, 1_000_000L) * 1000L);
  }

  private static final class GenericDataHolder {
    static final SpecificData DATA = SpecificData.get();
  }
}
