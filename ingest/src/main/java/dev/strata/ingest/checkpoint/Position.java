package dev.strata.ingest.checkpoint;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Where a collector is in one source: a small, flat, immutable map of named values (strings, longs, booleans), kept
 * as a JSON object on the checkpoint topic. Each collector defines its own keys, e.g. a tailed file
 * {@code {dev, ino, fingerprint, offset, line}}, an S3 prefix {@code {start_after}}.
 */
public final class Position {
  private final Map<String, Object> values;

  private Position(Map<String, Object> values) {
    this.values = Collections.unmodifiableMap(values);
  }

  /** A position from alternating keys and values ({@code "offset", 42L, "ino", 7L}). */
  public static Position of(Object... keysAndValues) {
    if (keysAndValues.length % 2 != 0) {
      throw new IllegalArgumentException("Position.of needs key/value pairs, got " + keysAndValues.length + " items");
    }
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      m.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return of(m);
  }

  /** A position from a map; values must be String, Long/Integer (stored as long) or Boolean, never null. */
  public static Position of(Map<String, ?> values) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (Map.Entry<String, ?> e : values.entrySet()) {
      String k = Objects.requireNonNull(e.getKey(), "position key");
      Object v = e.getValue();
      if (v instanceof Integer i) {
        v = i.longValue();
      }
      if (!(v instanceof String || v instanceof Long || v instanceof Boolean)) {
        throw new IllegalArgumentException(
            "position value '" + k + "' must be a string, long or boolean, got " + (v == null ? "null" : v.getClass().getSimpleName()));
      }
      m.put(k, v);
    }
    return new Position(m);
  }

  public Map<String, Object> values() {
    return values;
  }

  public boolean has(String key) {
    return values.containsKey(key);
  }

  /** The long value of {@code key}, or {@code fallback} when absent. */
  public long getLong(String key, long fallback) {
    Object v = values.get(key);
    return v instanceof Long l ? l : fallback;
  }

  /** The string value of {@code key}, or null. */
  public String getString(String key) {
    Object v = values.get(key);
    return v == null ? null : v.toString();
  }

  public boolean getBoolean(String key, boolean fallback) {
    Object v = values.get(key);
    return v instanceof Boolean b ? b : fallback;
  }

  /** A copy with {@code key} set to {@code value}. */
  public Position with(String key, Object value) {
    Map<String, Object> m = new LinkedHashMap<>(values);
    m.put(key, value);
    return of(m);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Position p && p.values.equals(values);
  }

  @Override
  public int hashCode() {
    return values.hashCode();
  }

  @Override
  public String toString() {
    return values.toString();
  }
}
