package dev.strata.job.serde;

import java.util.AbstractMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * A map of strings read by {@link CompiledAvroReader} with lazy string maps: its Avro bytes until the first use of
 * any method, then the {@code HashMap} the eager read would have made (same entries, same iteration order), which
 * every method, reads and writes alike, goes to from then on. Equal to (and hashes as) any map with the same entries.
 * Not thread-safe, as the record holding it.
 */
final class LazyStringMap extends AbstractMap<String, String> {
  private byte[] bytes;
  private HashMap<String, String> map;

  LazyStringMap(byte[] bytes) {
    this.bytes = bytes;
  }

  private Map<String, String> map() {
    if (map == null) {
      map = CompiledAvroReader.decodeStringMap(bytes);
      bytes = null;
    }
    return map;
  }

  /** Whether the entries were decoded (for tests). */
  boolean decoded() {
    return map != null;
  }

  @Override
  public Set<Entry<String, String>> entrySet() {
    return map().entrySet();
  }

  @Override
  public int size() {
    return map().size();
  }

  @Override
  public boolean isEmpty() {
    return map().isEmpty();
  }

  @Override
  public boolean containsKey(Object key) {
    return map().containsKey(key);
  }

  @Override
  public boolean containsValue(Object value) {
    return map().containsValue(value);
  }

  @Override
  public String get(Object key) {
    return map().get(key);
  }

  @Override
  public String put(String key, String value) {
    return map().put(key, value);
  }

  @Override
  public String remove(Object key) {
    return map().remove(key);
  }

  @Override
  public void putAll(Map<? extends String, ? extends String> m) {
    map().putAll(m);
  }

  @Override
  public void clear() {
    map().clear();
  }

  @Override
  public Set<String> keySet() {
    return map().keySet();
  }

  @Override
  public java.util.Collection<String> values() {
    return map().values();
  }

  @Override
  public boolean equals(Object o) {
    return map().equals(o);
  }

  @Override
  public int hashCode() {
    return map().hashCode();
  }

  @Override
  public String toString() {
    return map().toString();
  }
}
