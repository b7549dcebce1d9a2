package dev.strata.parse.formats.supplychain;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;

/**
 * An event's {@code unmapped}: the entries read from its own element over the entries its whole document shares
 * (sbom.document_name, sbom.tool, ...), which every event of the document holds as one map instead of a copy each
 * (a document of 200 packages copied its 4-6 fields 200 times).
 *
 * <p>Reads as one {@link Map} with the semantics of a {@link java.util.HashMap} holding the document's entries put after the
 * element's (the element's keys never are document keys: those are {@code sbom.*}). Later puts go to the event's own
 * entries and win over a shared one of the same key; a removal (or clear) first copies the shared entries in. The
 * shared map is never changed through an event. Iteration: the own entries (in the order first put), then the shared
 * ones not overridden.
 *
 * <p>The own entries (5-20 per package or finding) are kept as keys and values side by side in one array, found by a
 * scan that compares instances and cached hashes (the keys are constants or per-document key strings): one array per
 * event instead of a HashMap with its table and a node per entry.
 */
final class OverlayMap extends AbstractMap<String, String> {

  /** own entries: key at 2i, value at 2i + 1, i < {@link #n} */
  private String[] kv;
  private int n;
  /** the document's entries, null until shared (or once copied into the own entries) */
  private Map<String, String> shared;
  /** shared keys that the own entries override */
  private int overridden;

  /** An element's own entries, empty; the document's are {@link #share shared} when the document ends. */
  OverlayMap() {
    kv = new String[16];
  }

  /** {@code own}'s entries (copied) over {@code shared} (not changed; no key in both). */
  OverlayMap(Map<String, String> own, Map<String, String> shared) {
    kv = new String[Math.max(8, own.size() * 2 + 8)];
    for (Map.Entry<String, String> e : own.entrySet()) put(e.getKey(), e.getValue());
    share(shared);
  }

  /** Puts the document's entries under the own ones (no key in both; {@code shared} is never changed). */
  void share(Map<String, String> shared) {
    this.shared = shared.isEmpty() ? null : shared;
    assert this.shared == null || disjoint(shared) : "an element key is a document key";
  }

  private boolean disjoint(Map<String, String> b) {
    for (int i = 0; i < n; i++) if (b.containsKey(kv[2 * i])) return false;
    return true;
  }

  /** Index of the own entry of {@code key}, or -1. */
  private int indexOf(Object key) {
    if (!(key instanceof String)) return -1;
    int h = key.hashCode(); // cached in the String (the keys are a document's constants)
    String[] a = kv;
    for (int i = 0; i < n; i++) {
      String k = a[2 * i];
      if (k == key || k.hashCode() == h && k.equals(key)) return i;
    }
    return -1;
  }

  @Override
  public int size() {
    return shared == null ? n : n + shared.size() - overridden;
  }

  @Override
  public boolean isEmpty() {
    return size() == 0;
  }

  @Override
  public String get(Object key) {
    int i = indexOf(key);
    if (i >= 0) return kv[2 * i + 1];
    return shared == null ? null : shared.get(key);
  }

  @Override
  public boolean containsKey(Object key) {
    return indexOf(key) >= 0 || shared != null && shared.containsKey(key);
  }

  @Override
  public String put(String key, String value) {
    Objects.requireNonNull(key, "key");
    int i = indexOf(key);
    if (i >= 0) {
      String before = kv[2 * i + 1];
      kv[2 * i + 1] = value;
      return before;
    }
    if (2 * n == kv.length) kv = Arrays.copyOf(kv, kv.length * 2);
    kv[2 * n] = key;
    kv[2 * n + 1] = value;
    n++;
    if (shared == null) return null;
    String sharedValue = shared.get(key);
    if (sharedValue != null) overridden++;
    return sharedValue;
  }

  @Override
  public String remove(Object key) {
    materialize();
    int i = indexOf(key);
    if (i < 0) return null;
    String before = kv[2 * i + 1];
    System.arraycopy(kv, 2 * i + 2, kv, 2 * i, 2 * (n - i - 1));
    n--;
    kv[2 * n] = null;
    kv[2 * n + 1] = null;
    return before;
  }

  @Override
  public void clear() {
    shared = null;
    overridden = 0;
    Arrays.fill(kv, 0, 2 * n, null);
    n = 0;
  }

  /** Copies the shared entries not overridden into the own ones: from now on a plain map. */
  private void materialize() {
    if (shared == null) return;
    Map<String, String> s = shared;
    shared = null;
    overridden = 0;
    for (Map.Entry<String, String> e : s.entrySet()) {
      if (indexOf(e.getKey()) < 0) put(e.getKey(), e.getValue());
    }
  }

  @Override
  public Set<Entry<String, String>> entrySet() {
    return new AbstractSet<>() {
      @Override
      public int size() {
        return OverlayMap.this.size();
      }

      @Override
      public Iterator<Entry<String, String>> iterator() {
        return new Entries();
      }
    };
  }

  /** The own entries, then the shared ones whose key the own ones do not hold (read-only). */
  private final class Entries implements Iterator<Entry<String, String>> {
    private int i;
    private final Iterator<Entry<String, String>> second = shared == null ? null : shared.entrySet().iterator();
    private Entry<String, String> next;

    Entries() {
      advance();
    }

    private void advance() {
      next = null;
      if (i < n) {
        next = new SimpleImmutableEntry<>(kv[2 * i], kv[2 * i + 1]);
        i++;
        return;
      }
      while (second != null && second.hasNext()) {
        Entry<String, String> e = second.next();
        if (overridden == 0 || indexOf(e.getKey()) < 0) {
          next = new SimpleImmutableEntry<>(e.getKey(), e.getValue());
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
