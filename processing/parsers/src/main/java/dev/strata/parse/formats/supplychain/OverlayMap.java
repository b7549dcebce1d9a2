package dev.strata.parse.formats.supplychain;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * An event's {@code unmapped}: the entries read from its own element over the entries its whole document shares
 * (sbom.document_name, sbom.tool, ...), which every event of the document holds as one map instead of a copy each
 * (a document of 200 packages copied its 4-6 fields 200 times).
 *
 * <p>Reads as one {@link Map} with the semantics of a {@link java.util.HashMap} holding the document's entries put after the
 * element's (the element's keys never are document keys: those are {@code sbom.*}). Later puts go to the event's own
 * entries and win over a shared one of the same key; a removal (or clear) first copies the shared entries in. The
 * shared map is never changed through an event. Iteration: the own entries, then the shared ones not overridden.
 */
final class OverlayMap extends AbstractMap<String, String> {

  private final Map<String, String> own;
  /** the document's entries, null once copied into {@link #own} */
  private Map<String, String> shared;
  /** shared keys that {@link #own} overrides */
  private int overridden;

  /** {@code own} (owned by this map from now on) over {@code shared} (not changed; no key in both). */
  OverlayMap(Map<String, String> own, Map<String, String> shared) {
    this.own = own;
    this.shared = shared.isEmpty() ? null : shared;
    assert this.shared == null || disjoint(own, shared) : "an element key is a document key";
  }

  private static boolean disjoint(Map<String, String> a, Map<String, String> b) {
    for (String k : b.keySet()) if (a.containsKey(k)) return false;
    return true;
  }

  @Override
  public int size() {
    return shared == null ? own.size() : own.size() + shared.size() - overridden;
  }

  @Override
  public boolean isEmpty() {
    return size() == 0;
  }

  @Override
  public String get(Object key) {
    String v = own.get(key);
    return v != null || shared == null ? v : shared.get(key);
  }

  @Override
  public boolean containsKey(Object key) {
    return own.containsKey(key) || shared != null && shared.containsKey(key);
  }

  @Override
  public String put(String key, String value) {
    if (shared == null) return own.put(key, value);
    String before = own.put(key, value);
    if (before != null) return before;
    String sharedValue = shared.get(key);
    if (sharedValue != null) overridden++;
    return sharedValue;
  }

  @Override
  public String remove(Object key) {
    materialize();
    return own.remove(key);
  }

  @Override
  public void clear() {
    shared = null;
    overridden = 0;
    own.clear();
  }

  /** Copies the shared entries not overridden into the own ones: from now on a plain map. */
  private void materialize() {
    if (shared == null) return;
    for (Map.Entry<String, String> e : shared.entrySet()) own.putIfAbsent(e.getKey(), e.getValue());
    shared = null;
    overridden = 0;
  }

  @Override
  public Set<Entry<String, String>> entrySet() {
    if (shared == null) return own.entrySet();
    return new AbstractSet<>() {
      @Override
      public int size() {
        return OverlayMap.this.size();
      }

      @Override
      public Iterator<Entry<String, String>> iterator() {
        return new Overlaid(own.entrySet().iterator(), shared.entrySet().iterator());
      }
    };
  }

  /** The own entries, then the shared ones whose key the own ones do not hold (read-only). */
  private final class Overlaid implements Iterator<Entry<String, String>> {
    private final Iterator<Entry<String, String>> first;
    private final Iterator<Entry<String, String>> second;
    private Entry<String, String> next;

    Overlaid(Iterator<Entry<String, String>> first, Iterator<Entry<String, String>> second) {
      this.first = first;
      this.second = second;
      advance();
    }

    private void advance() {
      next = null;
      if (first.hasNext()) {
        next = first.next();
        return;
      }
      while (second.hasNext()) {
        Entry<String, String> e = second.next();
        if (overridden == 0 || !own.containsKey(e.getKey())) {
          next = Map.entry(e.getKey(), e.getValue());
          return;
        }
      }
    }

    @Override
    public boolean hasNext() {
      return next != null;
    }

    @Override
    public Entry<String, String> next() {
      if (next == null) throw new NoSuchElementException();
      Entry<String, String> e = next;
      advance();
      return e;
    }
  }
}
