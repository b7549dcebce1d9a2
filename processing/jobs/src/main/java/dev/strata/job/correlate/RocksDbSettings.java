package dev.strata.job.correlate;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.state.rocksdb.RocksDBOptionsFactory;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.DataBlockIndexType;
import org.rocksdb.TableFormatConfig;

/**
 * The RocksDB state backend of the correlation job ({@code correlate.state_backend=rocksdb}), set up for what the job
 * does with it: one random point read per probe (the lookup key's {@code KeyState} blob), keys spread uniformly over
 * the whole fleet, so the working set is every live binding. What makes such reads fast is that they never leave
 * memory: a block cache that holds the data blocks (Flink's managed memory, shared by the slot's RocksDB instances),
 * index and filter blocks cached with high priority and pinned for L0, full-key bloom filters so a probe of a key that
 * has no state (most events ask a second, less specific scope that nobody bound) costs no block read, a hash index
 * inside each block, and LZ4 for what does go to disk.
 *
 * <p>The other half of what the job does with RocksDB is writing per-event state that is read back only for late
 * evidence (the final join's event bytes, the lookups' probe registrations: ~2 KB per event, keyed by random event
 * ids). With random keys every L0 -> L1 compaction rewrites the whole of L1, so its cost grows with L1 (session 12:
 * compaction was 28 % of the process's CPU over a million events). Two settings cut that: 16 KB blocks (LZ4 finds
 * more to share in a block of several events: fewer bytes flushed, read and rewritten; a point read still finds its
 * key through the block's hash index) and an L0 compaction trigger of {@link PointLookupOptions#L0_COMPACTION_TRIGGER}
 * files (RocksDB's default is 4: each rewrite of L1 then takes in 2.5x as much new data). Point reads pay for the
 * deeper L0 with a bloom filter check per L0 file (pinned in the cache), and the bindings are rarely in L0.
 *
 * <pre>
 * correlate.rocksdb.memory               1g    managed memory per slot (block cache + write buffers); the local
 *                                              runner sets taskmanager.memory.managed.size = this x parallelism, a
 *                                              cluster needs taskmanager.memory.managed.size = this x slots per TM
 * correlate.rocksdb.bloom_bits_per_key   10    full-key bloom filter bits per key (0 = no filter)
 * correlate.rocksdb.block_size           16kb  data block size (uncompressed; 4kb until session 12)
 * correlate.bindings.cache.bytes         32mb  heap cache of each lookup instance (3 hops x slots) in front of its
 *                                              bindings' state ({@link BindingCache}); 0 = off. Task heap, not
 *                                              managed memory: budget 3 x this x slots per TaskManager
 * correlate.bindings.cache.write_through.bytes  0  hop 1's cache instead, write-through: every binding written
 *                                              fills it, so a fleet that fits is read from the heap (0 = off: hop
 *                                              1 reads through like the others). Task heap, x slots per TaskManager;
 *                                              take it from correlate.rocksdb.memory (docs/correlation.md)
 * </pre>
 *
 * {@link #flinkProperties} is the one place these become Flink settings (the job's environment and the benchmark
 * both read it, so the benchmark's raw RocksDB is the job's); explicit {@code flink.*} settings win over them.
 *
 * @param memoryPerSlot managed memory of one slot: Flink sizes the slot's shared block cache and write buffer
 *     manager from it (cache = (3 - write-buffer-ratio) / 3 of it, memtables charged to the cache)
 * @param bloomBitsPerKey bloom filter bits per key, 0 for none
 * @param blockSize data block size
 * @param bindingsCache the bindings cache of each lookup instance, on the heap (0: none)
 * @param writeThroughCache hop 1's bindings cache, write-through, in place of {@code bindingsCache} there (0: none)
 */
public record RocksDbSettings(MemorySize memoryPerSlot, int bloomBitsPerKey, MemorySize blockSize,
    MemorySize bindingsCache, MemorySize writeThroughCache) {
  public static final RocksDbSettings DEFAULTS =
      new RocksDbSettings(MemorySize.parse("1g"), 10, MemorySize.parse("16kb"));

  public RocksDbSettings(MemorySize memoryPerSlot, int bloomBitsPerKey, MemorySize blockSize) {
    this(memoryPerSlot, bloomBitsPerKey, blockSize, new MemorySize(LookupFunction.DEFAULT_CACHE_BYTES));
  }

  public RocksDbSettings(MemorySize memoryPerSlot, int bloomBitsPerKey, MemorySize blockSize,
      MemorySize bindingsCache) {
    this(memoryPerSlot, bloomBitsPerKey, blockSize, bindingsCache, MemorySize.ZERO);
  }

  public RocksDbSettings {
    require(memoryPerSlot != null && memoryPerSlot.getBytes() >= 16L << 20, "correlate.rocksdb.memory",
        "must be at least 16m");
    require(bloomBitsPerKey >= 0 && bloomBitsPerKey <= 32, "correlate.rocksdb.bloom_bits_per_key",
        "must be 0..32");
    require(blockSize != null && blockSize.getBytes() >= 1024 && blockSize.getBytes() <= 1L << 20,
        "correlate.rocksdb.block_size", "must be 1kb..1mb");
    require(bindingsCache != null && (bindingsCache.getBytes() == 0 || bindingsCache.getBytes() >= 64 << 10),
        "correlate.bindings.cache.bytes", "must be 0 (off) or at least 64kb");
    require(writeThroughCache != null
            && (writeThroughCache.getBytes() == 0 || writeThroughCache.getBytes() >= 64 << 10),
        "correlate.bindings.cache.write_through.bytes", "must be 0 (off) or at least 64kb");
  }

  private static void require(boolean ok, String key, String message) {
    if (!ok) throw new IllegalArgumentException(key + ": " + message);
  }

  /** The Flink settings of the state backend (job-level settings: they apply on a cluster too). */
  public Map<String, String> flinkProperties() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("state.backend.type", "rocksdb");
    m.put("execution.checkpointing.incremental", "true");
    m.put("state.backend.rocksdb.memory.managed", "true");
    m.put("state.backend.rocksdb.use-bloom-filter", Boolean.toString(bloomBitsPerKey > 0));
    if (bloomBitsPerKey > 0) {
      m.put("state.backend.rocksdb.bloom-filter.bits-per-key", Integer.toString(bloomBitsPerKey));
      m.put("state.backend.rocksdb.bloom-filter.block-based-mode", "false");
    }
    m.put("state.backend.rocksdb.block.blocksize", blockSize.getBytes() + "b");
    m.put("state.backend.rocksdb.compression.per.level", "LZ4_COMPRESSION");
    m.put("state.backend.rocksdb.options-factory", PointLookupOptions.class.getName());
    return m;
  }

  /** Managed memory of a local MiniCluster with {@code slots} slots (cluster deployments configure their TMs). */
  public String managedMemory(int slots) {
    return memoryPerSlot.getBytes() * Math.max(1, slots) + "b";
  }

  /**
   * What Flink's options cannot say: a hash index inside each data block (a point read finds its key in the cached
   * block without a binary search) and a bloom filter on each memtable. Flink applies its own settings first (block
   * size, bloom filter, compression) and the shared block cache with cached, high-priority, L0-pinned index and
   * filter blocks after this factory.
   */
  public static final class PointLookupOptions implements RocksDBOptionsFactory {
    private static final long serialVersionUID = 1L;
    /** Memtable bloom filter size, as a fraction of the write buffer size (RocksDB's suggested 0.02..0.1). */
    static final double MEMTABLE_BLOOM_RATIO = 0.05;
    /**
     * L0 files that start an L0 -> L1 compaction (RocksDB's default: 4); writes slow down and stop at 3x and 5x as
     * many (RocksDB's defaults, 20 and 36, are below them).
     */
    static final int L0_COMPACTION_TRIGGER = 10;

    @Override
    public DBOptions createDBOptions(DBOptions current, Collection<AutoCloseable> handlesToClose) {
      return current;
    }

    @Override
    public ColumnFamilyOptions createColumnOptions(
        ColumnFamilyOptions current, Collection<AutoCloseable> handlesToClose) {
      TableFormatConfig t = current.tableFormatConfig();
      BlockBasedTableConfig table = t instanceof BlockBasedTableConfig b ? b : new BlockBasedTableConfig();
      table.setDataBlockIndexType(DataBlockIndexType.kDataBlockBinaryAndHash);
      table.setDataBlockHashTableUtilRatio(0.75);
      // a whole-key bloom filter on each memtable: a read of a key that has no state (a new key's first binding, a
      // probe of a scope nobody bound) skips the memtable skiplists instead of searching each of them
      current.setMemtableWholeKeyFiltering(true);
      current.setMemtablePrefixBloomSizeRatio(MEMTABLE_BLOOM_RATIO);
      // per-event state is written at random keys: fewer, larger L0 -> L1 compactions rewrite L1 less often
      current.setLevel0FileNumCompactionTrigger(L0_COMPACTION_TRIGGER);
      current.setLevel0SlowdownWritesTrigger(3 * L0_COMPACTION_TRIGGER);
      current.setLevel0StopWritesTrigger(5 * L0_COMPACTION_TRIGGER);
      return current.setTableFormatConfig(table);
    }
  }
}
