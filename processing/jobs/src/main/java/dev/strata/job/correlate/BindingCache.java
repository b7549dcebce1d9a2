package dev.strata.job.correlate;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.LongSupplier;

/**
 * A bounded, read-through cache of a lookup's bindings state ({@code KeyState} blobs by state key) in front of the
 * keyed state, as Kafka Streams puts a record cache in front of its RocksDB stores: a hit answers without the state
 * backend's {@code get} (with RocksDB: JNI, the key's serialization, bloom checks over the levels, an index seek, a
 * block scan, the value's copy). One per operator instance, never snapshotted (state stays the truth: after a restore
 * or a rescale it starts empty), keyed by the state key itself (the string the keyed state serializes: the same key,
 * hence the same key group).
 *
 * <p><b>Consistency</b> is the caller's contract, which {@link LookupFunction} keeps: every write of the state also
 * goes through {@link #update} (or {@link #invalidate}) in the same call, so an entry is either absent or what the
 * state holds. {@link #fill} (a read-through miss) caches what the state answered, including "nothing" ({@link
 * #ABSENT}: most keys an event asks at hops 2 and 3 nobody bound). With a state TTL ({@code ttlMs}, the descriptor's,
 * time to live after the last write, as Flink's {@code OnCreateAndWrite}), an entry answers only until its write time
 * + TTL; an entry filled from a read does not know when the state was written, so with a TTL reads do not fill and writes
 * do (with their time).
 *
 * <p><b>Write-through</b> (since session 20, hop 1's cache when {@code correlate.bindings.cache.write_through.bytes}
 * is set): {@link #update} also caches a key it does not hold, so every key written since the cache was made is
 * answered without a read of the state, not only the keys read before; sized for the keys an instance holds (a
 * fleet's addresses), the hop's reads never reach RocksDB (at 10M addresses drawn uniformly a read-through cache
 * answers ~1 % of them). Keys written before it was made (a restore) fill on their first read, as in read-through;
 * when the keys outgrow it, the newest writes and the entries read since their write stay (the same CLOCK), and a
 * key evicted is read from the state again.
 *
 * <p><b>Memory</b>, bounded by bytes and without one Java object per entry (a million cached keys would otherwise be
 * millions of old-generation objects for the collector to trace): entries are appended to one of 4 to 32 byte-array
 * segments of 4 MB or more, found through an open-addressing index of longs (linear probing, backward-shift deletion:
 * every slot points at a live entry). The segments and the index are allocated once, at their full size, when the
 * cache is made (the operator's open), and never replaced: allocated as the cache filled (before session 19), each
 * new segment and each doubled index was copied by the collector into the old generation while the job ran, and
 * ParallelGC's full collections, which that growth triggered, moved them again (session 18: the GC's share of the
 * CPU 2.1 -> 4.6 % at 10M with a 640 MB cache); allocated first, they sit at the old generation's bottom, which a full
 * collection does not move (and with G1, Flink's default, arrays this large are humongous objects: never copied). When the segment being written is full, the oldest
 * segment is reclaimed, CLOCK-like: its entries read since they were written (a "referenced" bit, set by a hit) are
 * moved to its start (second chance, at most half of the segment), the others evicted. Bytes in use = the segments
 * allocated + the index; an entry costs its key, its value, a {@value #HEADER}-byte header rounded up to 8, and 8-16
 * bytes of index.
 *
 * <p>Not thread-safe: one operator instance's thread.
 */
public final class BindingCache {
  /** What {@link #get} returns for a key cached as holding no state. */
  public static final byte[] ABSENT = new byte[0];

  /** Entry header: key hash (4), key length (2), flags (1), spare (1), value length (4), write time (8). */
  static final int HEADER = 20;

  private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final byte REFERENCED = 1;
  private static final byte NONE = 2;
  private static final long UNKNOWN_TIME = Long.MIN_VALUE;
  private static final int MAX_SEGMENTS = 32;
  private static final int OFFSET_BITS = 26; // offsets in 8-byte units: segments up to 512 MB
  private static final int MIN_SLOTS = 1024;

  private final long capacityBytes;
  private final long ttlMs;
  /** Every write caches its key, cached or not ({@link #update}): the cache holds what was written, not only read. */
  private final boolean writeThrough;
  private final LongSupplier clock;
  private final byte[][] segments;
  private final int[] used;
  private final int segmentSize;
  private final int maxSlots;
  private long[] index;
  private int mask;
  private int count;
  private int head;
  private long liveBytes;
  private long hits;
  private long misses;
  private long evicted;

  /**
   * @param capacityBytes the bytes the cache may use (segments + index); 0 or less: no cache ({@link #of})
   * @param ttlMs the state's time to live after a write; {@link Long#MAX_VALUE}: none
   * @param clock the state's clock (processing time, milliseconds)
   */
  public BindingCache(long capacityBytes, long ttlMs, LongSupplier clock) {
    this(capacityBytes, ttlMs, clock, false);
  }

  /**
   * @param writeThrough every write of the state caches its key ({@link #update}), so that a cache as large as the
   *     keys written answers every read from the heap (a read-through cache answers only keys read before)
   */
  public BindingCache(long capacityBytes, long ttlMs, LongSupplier clock, boolean writeThrough) {
    if (capacityBytes < 64 << 10) {
      throw new IllegalArgumentException("a bindings cache needs at least 64 KB, got " + capacityBytes + " bytes");
    }
    this.capacityBytes = capacityBytes;
    this.ttlMs = ttlMs;
    this.clock = clock;
    this.writeThrough = writeThrough;
    // the index may take up to an eighth of the budget (8 bytes per slot, half full at ~128-byte entries)
    long slots = Long.highestOneBit(Math.max(MIN_SLOTS, capacityBytes / 64));
    this.maxSlots = (int) Math.min(1 << 30, slots);
    long slab = capacityBytes - (long) maxSlots * 8;
    int n = (int) Math.max(4, Math.min(MAX_SEGMENTS, slab / (4 << 20))); // 4 MB+ segments, 4..32 of them
    long size = Math.min(slab / n, (1L << OFFSET_BITS) * 8);
    if (size > Integer.MAX_VALUE - 16) size = Integer.MAX_VALUE - 16;
    this.segmentSize = (int) (size & ~7L);
    this.segments = new byte[n][];
    for (int i = 0; i < n; i++) segments[i] = new byte[segmentSize];
    this.used = new int[n];
    this.index = new long[maxSlots];
    this.mask = maxSlots - 1;
  }

  /** A cache of {@code capacityBytes}, or null when that is 0 (off). */
  public static BindingCache of(long capacityBytes, long ttlMs, LongSupplier clock) {
    return of(capacityBytes, ttlMs, clock, false);
  }

  /** A cache of {@code capacityBytes}, write-through or not, or null when that is 0 (off). */
  public static BindingCache of(long capacityBytes, long ttlMs, LongSupplier clock, boolean writeThrough) {
    return capacityBytes <= 0 ? null : new BindingCache(capacityBytes, ttlMs, clock, writeThrough);
  }

  // ------------------------------------------------------------------------------------------------------ access

  /**
   * What the state holds for {@code key} as cached: its blob (a copy), {@link #ABSENT} for a key cached as holding
   * nothing, or null when not cached (or expired): read the state, then {@link #fill}.
   */
  public byte[] get(String key) {
    int h = hash(key);
    int slot = find(key, h); // a miss (most reads of a large uniform key space) encodes no key bytes
    if (slot < 0) {
      misses++;
      return null;
    }
    int loc = location(index[slot]);
    byte[] seg = segments[loc >>> OFFSET_BITS];
    int at = (loc & ((1 << OFFSET_BITS) - 1)) << 3;
    if (ttlMs != Long.MAX_VALUE) {
      long written = (long) LONG.get(seg, at + 12);
      if (written == UNKNOWN_TIME || clock.getAsLong() - written >= ttlMs) {
        remove(slot, at, seg);
        misses++;
        return null;
      }
    }
    hits++;
    seg[at + 6] |= REFERENCED;
    if ((seg[at + 6] & NONE) != 0) return ABSENT;
    int valueLen = (int) INT.get(seg, at + 8);
    int from = at + HEADER + ((seg[at + 4] & 0xFF) | (seg[at + 5] & 0xFF) << 8);
    return Arrays.copyOfRange(seg, from, from + valueLen);
  }

  /** Caches {@code blob} (null: no state) as what a read of the state answered for {@code key} (after a miss). */
  public void fill(String key, byte[] blob) {
    if (ttlMs != Long.MAX_VALUE) return; // when the state was written is not known: it may expire any moment
    put(key, blob, UNKNOWN_TIME, false);
  }

  /**
   * The state of {@code key} was written with {@code blob} (null: cleared): replaces its cached entry, if any; a key
   * not cached stays so (the cache holds what is read), but with a TTL, where reads do not fill, it is cached with
   * its write time, and a write-through cache caches it in any case (a cleared key as holding nothing). Call it with
   * every write of the state, in the same call.
   */
  public void update(String key, byte[] blob) {
    if (ttlMs != Long.MAX_VALUE) {
      put(key, blob, clock.getAsLong(), false);
      return;
    }
    if (writeThrough) {
      put(key, blob, UNKNOWN_TIME, false); // a replaced entry keeps its referenced bit (put)
      return;
    }
    byte[] k = key.getBytes(StandardCharsets.UTF_8);
    int slot = find(k, hash(key));
    if (slot < 0) return;
    put(key, blob, UNKNOWN_TIME, true); // replaces the entry found
  }

  /** Forgets {@code key}. */
  public void invalidate(String key) {
    byte[] k = key.getBytes(StandardCharsets.UTF_8);
    int slot = find(k, hash(key));
    if (slot < 0) return;
    int loc = location(index[slot]);
    remove(slot, (loc & ((1 << OFFSET_BITS) - 1)) << 3, segments[loc >>> OFFSET_BITS]);
  }

  private void put(String key, byte[] blob, long writtenAt, boolean referenced) {
    byte[] k = key.getBytes(StandardCharsets.UTF_8);
    int valueLen = blob == null ? 0 : blob.length;
    int size = entrySize(k.length, valueLen);
    int h = hash(key);
    int old = find(k, h);
    if (old >= 0) { // the entry it replaces (removed first: a value too large to cache must not leave it behind)
      int loc = location(index[old]);
      byte[] oldSeg = segments[loc >>> OFFSET_BITS];
      int oldAt = (loc & ((1 << OFFSET_BITS) - 1)) << 3;
      referenced |= (oldSeg[oldAt + 6] & REFERENCED) != 0; // read since its write: so is the key
      remove(old, oldAt, oldSeg);
    }
    if (k.length > 0xFFFF || size > segmentSize / 4) return; // too large to cache: read through
    if (used[head] + size > segmentSize) advance();
    while (count + 1 > maxSlots * 3L / 4) advance(); // many small entries: the index is the bound
    byte[] seg = segments[head];
    int at = used[head];
    INT.set(seg, at, h);
    seg[at + 4] = (byte) k.length;
    seg[at + 5] = (byte) (k.length >>> 8);
    seg[at + 6] = (byte) ((blob == null ? NONE : 0) | (referenced ? REFERENCED : 0));
    seg[at + 7] = 0;
    INT.set(seg, at + 8, valueLen);
    LONG.set(seg, at + 12, writtenAt);
    System.arraycopy(k, 0, seg, at + HEADER, k.length);
    if (blob != null) System.arraycopy(blob, 0, seg, at + HEADER + k.length, valueLen);
    used[head] = at + size;
    liveBytes += size;
    insert(h, head << OFFSET_BITS | at >>> 3);
  }

  // --------------------------------------------------------------------------------------------------- eviction

  /**
   * Makes the oldest segment the one written next: its entries read since they were written move to its start (at
   * most half of it, their referenced bit cleared), the others are evicted.
   */
  private void advance() {
    int next = (head + 1) % segments.length;
    byte[] seg = segments[next];
    int w = 0;
    int r = 0;
    int end = used[next];
    while (r < end) {
      int h = (int) INT.get(seg, r);
      int keyLen = (seg[r + 4] & 0xFF) | (seg[r + 5] & 0xFF) << 8;
      int size = entrySize(keyLen, (int) INT.get(seg, r + 8));
      int slot = slotOf(h, next << OFFSET_BITS | r >>> 3);
      if (slot >= 0) { // else overwritten or removed since: dead bytes
        if ((seg[r + 6] & REFERENCED) != 0 && w + size <= segmentSize / 2) {
          if (w != r) System.arraycopy(seg, r, seg, w, size);
          seg[w + 6] &= ~REFERENCED;
          index[slot] = (long) h << 32 | ((next << OFFSET_BITS | w >>> 3) + 1L);
          w += size;
        } else {
          removeSlot(slot);
          liveBytes -= size;
          evicted++;
        }
      }
      r += size;
    }
    used[next] = w;
    head = next;
  }

  private void remove(int slot, int at, byte[] seg) {
    int keyLen = (seg[at + 4] & 0xFF) | (seg[at + 5] & 0xFF) << 8;
    liveBytes -= entrySize(keyLen, (int) INT.get(seg, at + 8));
    removeSlot(slot);
  }

  // ------------------------------------------------------------------------------------------------------ index

  private static int hash(String key) {
    int h = key.hashCode() * 0x9E3779B9;
    return h ^ (h >>> 16);
  }

  private static int entrySize(int keyLen, int valueLen) {
    return (HEADER + keyLen + valueLen + 7) & ~7;
  }

  private static int location(long v) {
    return (int) (v & 0xFFFFFFFFL) - 1;
  }

  private int ideal(int h) {
    return (h * 0x85EBCA6B ^ h >>> 13) & mask;
  }

  /** The index slot of {@code key} (hash {@code h}), or -1; its bytes encoded only if an entry of its hash is met. */
  private int find(String key, int h) {
    for (int i = ideal(h); ; i = (i + 1) & mask) {
      long v = index[i];
      if (v == 0) return -1;
      if ((int) (v >>> 32) == h) return find(key.getBytes(StandardCharsets.UTF_8), h, i);
    }
  }

  /** The index slot of {@code key} (hash {@code h}), or -1, looking from slot {@code from} of its probe sequence. */
  private int find(byte[] key, int h) {
    return find(key, h, ideal(h));
  }

  private int find(byte[] key, int h, int from) {
    for (int i = from; ; i = (i + 1) & mask) {
      long v = index[i];
      if (v == 0) return -1;
      if ((int) (v >>> 32) != h) continue;
      int loc = location(v);
      byte[] seg = segments[loc >>> OFFSET_BITS];
      int at = (loc & ((1 << OFFSET_BITS) - 1)) << 3;
      int keyLen = (seg[at + 4] & 0xFF) | (seg[at + 5] & 0xFF) << 8;
      if (keyLen == key.length
          && Arrays.equals(seg, at + HEADER, at + HEADER + keyLen, key, 0, key.length)) {
        return i;
      }
    }
  }

  /** The index slot pointing at location {@code loc} (hash {@code h}), or -1 (the entry there is dead). */
  private int slotOf(int h, int loc) {
    long want = (long) h << 32 | (loc + 1L);
    for (int i = ideal(h); ; i = (i + 1) & mask) {
      long v = index[i];
      if (v == 0) return -1;
      if (v == want) return i;
    }
  }

  private void insert(int h, int loc) {
    long v = (long) h << 32 | (loc + 1L);
    int i = ideal(h);
    while (index[i] != 0) i = (i + 1) & mask;
    index[i] = v;
    count++;
  }

  /** Empties slot {@code i}, shifting back the entries after it that would no longer be found (linear probing). */
  private void removeSlot(int i) {
    count--;
    for (int j = i; ; ) {
      j = (j + 1) & mask;
      long v = index[j];
      if (v == 0) break;
      int k = ideal((int) (v >>> 32));
      // v stays if its ideal slot lies cyclically in (i, j]
      if (i <= j ? (i < k && k <= j) : (i < k || k <= j)) continue;
      index[i] = v;
      i = j;
    }
    index[i] = 0;
  }

  // ------------------------------------------------------------------------------------------------------ figures

  /** Keys cached. */
  public int entries() {
    return count;
  }

  /** Bytes of the live entries (headers, keys, values). */
  public long liveBytes() {
    return liveBytes;
  }

  /** Bytes held: the segments and the index (all allocated when the cache is made). */
  public long heldBytes() {
    return (long) index.length * 8 + (long) segments.length * segmentSize;
  }

  /** The bound: at most this many bytes are ever held ({@link #heldBytes}). */
  public long capacityBytes() {
    return capacityBytes;
  }

  public long hits() {
    return hits;
  }

  public long misses() {
    return misses;
  }

  public long evicted() {
    return evicted;
  }

  @Override
  public String toString() {
    return String.format(java.util.Locale.ROOT, "BindingCache[%,d entries, %,d live bytes, %,d held of %,d, hits %,d,"
        + " misses %,d, evicted %,d]", count, liveBytes, heldBytes(), capacityBytes, hits, misses, evicted);
  }
}
