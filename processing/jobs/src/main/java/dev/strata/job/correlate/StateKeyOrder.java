package dev.strata.job.correlate;

import java.util.Arrays;
import java.util.Collection;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;

/**
 * The order in which Flink's RocksDB backend lays out String-keyed state: by key group first (its prefix), then by
 * the key's serialized form (Flink's {@code StringSerializer}: the length, then the characters; for ASCII keys of a
 * length below 127 exactly the order of (length, {@link String#compareTo})). Writes made in this order go into
 * RocksDB's memtable next to each other: its skip list reuses the position of the previous insert ("splice") instead
 * of searching from the top, which for random keys into a large memtable is a chain of cache misses (the async
 * profile of session 11: three fifths of a registration's or an event's write, a third of the process, went to that
 * search). Any other order is still correct, only slower.
 */
final class StateKeyOrder {
  private final int maxParallelism;

  StateKeyOrder(int maxParallelism) {
    this.maxParallelism = maxParallelism;
  }

  /** {@code keys} in this order (an array: sorted once, with each key's group computed once). */
  String[] sorted(Collection<String> keys) {
    int n = keys.size();
    long[] order = new long[n]; // key group << 32 | index, then ties broken by the key's serialized order
    String[] byIndex = keys.toArray(new String[0]);
    for (int i = 0; i < n; i++) order[i] = ((long) keyGroup(byIndex[i]) << 32) | i;
    Arrays.sort(order);
    String[] out = new String[n];
    int from = 0;
    for (int i = 0; i < n; i++) out[i] = byIndex[(int) order[i]];
    for (int i = 1; i <= n; i++) { // within a key group, the serialized order
      if (i == n || (order[i] >>> 32) != (order[from] >>> 32)) {
        if (i - from > 1) Arrays.sort(out, from, i, StateKeyOrder::serialized);
        from = i;
      }
    }
    return out;
  }

  private int keyGroup(String key) {
    return KeyGroupRangeAssignment.assignToKeyGroup(key, maxParallelism);
  }

  /** The order of two keys' serialized forms within a key group (and of a map state's user keys within a key). */
  static int serialized(String a, String b) {
    int c = Integer.compare(a.length(), b.length());
    return c != 0 ? c : a.compareTo(b);
  }
}
