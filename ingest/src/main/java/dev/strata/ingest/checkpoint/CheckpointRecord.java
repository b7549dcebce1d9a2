package dev.strata.ingest.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The wire form of one checkpoint on {@code strata.checkpoints.v1} (compacted): key = {@code <collector id>/<source
 * key>} (UTF-8), value = JSON
 *
 * <pre>{"v":1,"collector_id":"node-a","source_key":"/var/log/x.log","position":{"offset":42,...},"updated_at":"..."}</pre>
 *
 * A null value (tombstone) forgets the source (e.g. a tailed file that was deleted after being read to its end).
 */
public final class CheckpointRecord {
  /** Collector ids: they become part of the transactional.id and of every key. */
  public static final Pattern COLLECTOR_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,199}");

  private static final ObjectMapper JSON = new ObjectMapper();

  private CheckpointRecord() {}

  /** Fails with a message naming the rule when {@code id} is not a valid collector id. */
  public static String requireCollectorId(String id) {
    if (id == null || !COLLECTOR_ID.matcher(id).matches()) {
      throw new IllegalArgumentException(
          "collector id '" + id + "': must match " + COLLECTOR_ID.pattern() + " (it names the Kafka transactional.id)");
    }
    return id;
  }

  public static byte[] key(String collectorId, String sourceKey) {
    return (collectorId + "/" + sourceKey).getBytes(StandardCharsets.UTF_8);
  }

  /** True when {@code key} belongs to {@code collectorId}. */
  public static boolean belongsTo(byte[] key, String collectorId) {
    return key != null && new String(key, StandardCharsets.UTF_8).startsWith(collectorId + "/");
  }

  /** The source key encoded in a record key of {@code collectorId}. */
  public static String sourceKey(byte[] key, String collectorId) {
    return new String(key, StandardCharsets.UTF_8).substring(collectorId.length() + 1);
  }

  public static byte[] encode(String collectorId, String sourceKey, Position position, Instant updatedAt) {
    ObjectNode root = JSON.createObjectNode();
    root.put("v", 1);
    root.put("collector_id", collectorId);
    root.put("source_key", sourceKey);
    root.set("position", toJson(position));
    root.put("updated_at", updatedAt.toString());
    try {
      return JSON.writeValueAsBytes(root);
    } catch (IOException e) {
      throw new IllegalStateException("cannot encode a checkpoint: " + e, e);
    }
  }

  /** The position held by an encoded value. */
  public static Position decode(byte[] value) {
    try {
      JsonNode root = JSON.readTree(value);
      JsonNode p = root == null ? null : root.get("position");
      if (p == null || !p.isObject()) {
        throw new IllegalArgumentException("checkpoint value has no 'position' object");
      }
      return fromJson(p);
    } catch (IOException e) {
      throw new IllegalArgumentException("checkpoint value is not JSON: " + e.getMessage(), e);
    }
  }

  static ObjectNode toJson(Position position) {
    ObjectNode o = JSON.createObjectNode();
    for (Map.Entry<String, Object> e : position.values().entrySet()) {
      Object v = e.getValue();
      if (v instanceof Long l) {
        o.put(e.getKey(), l);
      } else if (v instanceof Boolean b) {
        o.put(e.getKey(), b);
      } else {
        o.put(e.getKey(), v.toString());
      }
    }
    return o;
  }

  static Position fromJson(JsonNode p) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = p.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode v = e.getValue();
      if (v.isIntegralNumber()) {
        m.put(e.getKey(), v.asLong());
      } else if (v.isBoolean()) {
        m.put(e.getKey(), v.asBoolean());
      } else if (v.isTextual()) {
        m.put(e.getKey(), v.asText());
      } else {
        throw new IllegalArgumentException("checkpoint position value '" + e.getKey() + "' is not a string, integer or boolean");
      }
    }
    return Position.of(m);
  }

  static ObjectMapper json() {
    return JSON;
  }
}
