package dev.strata.job.bench;

import dev.strata.job.correlate.RocksDbSettings;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.flink.state.rocksdb.RocksDBOptionsFactory;
import org.rocksdb.AbstractEventListener;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompactionJobInfo;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushJobInfo;
import org.rocksdb.LiveFileMetaData;
import org.rocksdb.RocksDB;
import org.rocksdb.Statistics;
import org.rocksdb.StatsLevel;
import org.rocksdb.TickerType;

/**
 * The benchmark's view into the job's RocksDB instances: the job's own options ({@link
 * RocksDbSettings.PointLookupOptions}, whatever the build on the class path makes of them) plus RocksDB statistics
 * (tickers: block-cache hits and misses by block kind, bloom filter checks, where gets were answered) and an event
 * listener that keeps each instance's {@link RocksDB} handle from its first flush or compaction, so the benchmark can
 * list its SST files per column family and level. Set as the backend's options factory by {@link CorrelateFlinkRun}
 * ({@code -Dstrata.bench.rocksdb.stats=false}: the job's factory alone). Statistics cost a few atomic increments and
 * clock reads per get (RocksDB's default level, {@code kExceptDetailedTimers}); runs that compare builds use it in
 * every run.
 */
public final class RocksDbStats implements RocksDBOptionsFactory {
  private static final long serialVersionUID = 1L;

  /** One RocksDB instance (one stateful operator's keyed backend), in the order Flink opened them. */
  static final class Instance {
    final int number;
    final Statistics statistics;
    volatile RocksDB db;
    /**
     * Set when Flink disposes the instance (a task that finished before the others: since session 16 the job's {@code
     * join-node-instances}, fed by the bindings alone, ends when the generator does): its statistics and handle are
     * freed then, and reading them crashed the JVM (SIGSEGV in {@code Statistics.getTickerCount}).
     */
    volatile boolean closed;
    /** The tickers read last (what a closed instance reports). */
    volatile long[] last;

    Instance(int number, Statistics statistics) {
      this.number = number;
      this.statistics = statistics;
    }
  }

  static final List<Instance> INSTANCES = new CopyOnWriteArrayList<>();

  static final TickerType[] TICKERS = {TickerType.NUMBER_KEYS_READ, TickerType.MEMTABLE_HIT, TickerType.GET_HIT_L0,
      TickerType.GET_HIT_L1, TickerType.GET_HIT_L2_AND_UP, TickerType.BLOOM_FILTER_USEFUL,
      TickerType.BLOOM_FILTER_FULL_POSITIVE, TickerType.BLOOM_FILTER_FULL_TRUE_POSITIVE,
      TickerType.BLOCK_CACHE_DATA_HIT, TickerType.BLOCK_CACHE_DATA_MISS, TickerType.BLOCK_CACHE_INDEX_HIT,
      TickerType.BLOCK_CACHE_INDEX_MISS, TickerType.BLOCK_CACHE_FILTER_HIT, TickerType.BLOCK_CACHE_FILTER_MISS,
      TickerType.ROW_CACHE_HIT, TickerType.ROW_CACHE_MISS, TickerType.NUMBER_DB_SEEK};

  private final RocksDbSettings.PointLookupOptions job = new RocksDbSettings.PointLookupOptions();

  @Override
  public DBOptions createDBOptions(DBOptions current, Collection<AutoCloseable> handlesToClose) {
    DBOptions options = job.createDBOptions(current, handlesToClose);
    Statistics statistics = new Statistics();
    statistics.setStatsLevel(StatsLevel.EXCEPT_DETAILED_TIMERS);
    Instance instance = new Instance(INSTANCES.size() + 1, statistics);
    handlesToClose.add(() -> instance.closed = true); // before the statistics and the listener: closed in order
    AbstractEventListener listener = new AbstractEventListener(
        AbstractEventListener.EnabledEventCallback.ON_FLUSH_COMPLETED,
        AbstractEventListener.EnabledEventCallback.ON_COMPACTION_COMPLETED) {
      @Override
      public void onFlushCompleted(RocksDB db, FlushJobInfo info) {
        instance.db = db;
      }

      @Override
      public void onCompactionCompleted(RocksDB db, CompactionJobInfo info) {
        instance.db = db;
      }
    };
    handlesToClose.add(statistics);
    handlesToClose.add(listener);
    INSTANCES.add(instance);
    // experiment: a row cache per instance (outside the managed memory), -Dstrata.bench.rocksdb.row_cache=256mb
    String rowCache = System.getProperty("strata.bench.rocksdb.row_cache");
    if (rowCache != null) {
      org.rocksdb.LRUCache cache = new org.rocksdb.LRUCache(
          org.apache.flink.configuration.MemorySize.parse(rowCache).getBytes(), 4);
      handlesToClose.add(cache);
      options.setRowCache(cache);
    }
    return options.setStatistics(statistics).setListeners(List.of(listener));
  }

  @Override
  public ColumnFamilyOptions createColumnOptions(ColumnFamilyOptions current,
      Collection<AutoCloseable> handlesToClose) {
    ColumnFamilyOptions options = job.createColumnOptions(current, handlesToClose);
    if (Boolean.getBoolean("strata.bench.rocksdb.optimize_filters_for_hits")) options.setOptimizeFiltersForHits(true);
    // experiment: restart points every N keys in a data block (RocksDB's default 16: the block's hash index finds the
    // restart interval, then the read parses up to N entries), -Dstrata.bench.rocksdb.restart_interval=4
    Integer restarts = Integer.getInteger("strata.bench.rocksdb.restart_interval");
    if (restarts != null && options.tableFormatConfig() instanceof org.rocksdb.BlockBasedTableConfig t) {
      t.setBlockRestartInterval(restarts); // Flink sets this Java config on the column family again after the factory
    }
    // experiment: another L0 compaction trigger (slowdown and stop at 3x and 5x), -Dstrata.bench.rocksdb.l0_trigger=4
    Integer l0 = Integer.getInteger("strata.bench.rocksdb.l0_trigger");
    if (l0 != null) {
      options.setLevel0FileNumCompactionTrigger(l0);
      options.setLevel0SlowdownWritesTrigger(Math.max(20, 3 * l0));
      options.setLevel0StopWritesTrigger(Math.max(36, 5 * l0));
    }
    // experiment: index and filter blocks held by the table readers instead of the shared cache (Flink sets
    // cache_index_and_filter_blocks=true after every factory when memory is managed: a config that refuses it)
    if (Boolean.getBoolean("strata.bench.rocksdb.metadata_in_table_readers")
        && options.tableFormatConfig() instanceof org.rocksdb.BlockBasedTableConfig t) {
      options.setTableFormatConfig(MetadataOutsideCache.copyOf(t));
    }
    return options;
  }

  /** A table config whose index and filter blocks stay out of the block cache, whatever is set afterwards. */
  static final class MetadataOutsideCache extends org.rocksdb.BlockBasedTableConfig {
    static MetadataOutsideCache copyOf(org.rocksdb.BlockBasedTableConfig t) {
      MetadataOutsideCache c = new MetadataOutsideCache();
      try {
        for (java.lang.reflect.Field f : org.rocksdb.BlockBasedTableConfig.class.getDeclaredFields()) {
          if (java.lang.reflect.Modifier.isStatic(f.getModifiers())) continue;
          f.setAccessible(true);
          f.set(c, f.get(t));
        }
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(e);
      }
      return c.setCacheIndexAndFilterBlocks(false);
    }

    @Override
    public MetadataOutsideCache setCacheIndexAndFilterBlocks(boolean ignored) {
      super.setCacheIndexAndFilterBlocks(false);
      return this;
    }

    @Override
    public MetadataOutsideCache setPinL0FilterAndIndexBlocksInCache(boolean ignored) {
      super.setPinL0FilterAndIndexBlocksInCache(false);
      return this;
    }
  }

  /** The tickers of every instance now: instance number -> values in {@link #TICKERS} order. */
  static Map<Integer, long[]> tickers() {
    Map<Integer, long[]> m = new TreeMap<>();
    for (Instance i : INSTANCES) {
      // an instance whose backend was disposed (its task finished) has closed its statistics: reading them crashed
      // the JVM (SIGSEGV in Statistics.getTickerCount, session 16): its last tickers stand
      long[] v = i.last;
      if (!i.closed && i.statistics.isOwningHandle()) {
        v = new long[TICKERS.length];
        for (int t = 0; t < TICKERS.length; t++) v[t] = i.statistics.getTickerCount(TICKERS[t]);
        i.last = v;
      }
      if (v != null) m.put(i.number, v);
    }
    return m;
  }

  /** The tickers between two snapshots, per instance that read anything, with its files per column family and level. */
  static String report(Map<Integer, long[]> start, Map<Integer, long[]> end, long events) {
    StringBuilder out = new StringBuilder();
    for (Map.Entry<Integer, long[]> e : end.entrySet()) {
      long[] a = start.getOrDefault(e.getKey(), new long[TICKERS.length]);
      long[] b = e.getValue();
      long[] d = new long[TICKERS.length];
      for (int t = 0; t < d.length; t++) d[t] = b[t] - a[t];
      if (d[0] == 0 && d[TICKERS.length - 1] == 0) continue; // no get, no seek: nothing read
      long dataHit = d[8];
      long dataMiss = d[9];
      out.append(String.format(Locale.ROOT, "%n  instance %d: %,d gets (%.2f per event), %,d seeks; answered by"
          + " memtable %,d, L0 %,d, L1 %,d, L2+ %,d; bloom useful %,d, positive %,d (true %,d); block cache data"
          + " hit %,d miss %,d (%.1f %% hit), index hit %,d miss %,d, filter hit %,d miss %,d; per get: %.2f cache"
          + " lookups; row cache hit %,d miss %,d", e.getKey(), d[0], d[0] / (double) events, d[16], d[1], d[2], d[3],
          d[4], d[5], d[6], d[7], dataHit, dataMiss, 100.0 * dataHit / Math.max(1, dataHit + dataMiss), d[10], d[11],
          d[12], d[13], (d[8] + d[9] + d[10] + d[11] + d[12] + d[13]) / (double) Math.max(1, d[0]), d[14], d[15]));
      out.append(files(INSTANCES.get(e.getKey() - 1)));
    }
    return out.toString();
  }

  /**
   * The share of the data blocks that the instance with the most gets (resolve-1, the bindings) read from outside the
   * block cache between two snapshots: above ~1 % the window measured a cache still warming up (flush and compaction
   * do not fill the cache, so after loading it holds few of the bindings' blocks).
   */
  static double coldShare(Map<Integer, long[]> start, Map<Integer, long[]> end) {
    long bestGets = 0;
    double share = 0;
    for (Map.Entry<Integer, long[]> e : end.entrySet()) {
      long[] a = start.getOrDefault(e.getKey(), new long[TICKERS.length]);
      long gets = e.getValue()[0] - a[0];
      if (gets <= bestGets) continue;
      bestGets = gets;
      long hit = e.getValue()[8] - a[8];
      long miss = e.getValue()[9] - a[9];
      share = miss / (double) Math.max(1, hit + miss);
    }
    return share;
  }

  /** Files per column family and level ("cf: L0 3 files 12 MB, L1 ..."), block cache usage of the shared cache. */
  static String files(Instance i) {
    RocksDB db = i.db;
    if (db == null || i.closed) return i.closed ? " (closed: its task finished)" : "";
    Map<String, Map<Integer, long[]>> byCf = new TreeMap<>();
    for (LiveFileMetaData f : db.getLiveFilesMetaData()) {
      long[] c = byCf.computeIfAbsent(new String(f.columnFamilyName(), StandardCharsets.UTF_8), k -> new TreeMap<>())
          .computeIfAbsent(f.level(), k -> new long[3]);
      c[0]++;
      c[1] += f.size();
      c[2] += f.numEntries();
    }
    StringBuilder out = new StringBuilder();
    byCf.forEach((cf, levels) -> {
      List<String> parts = new ArrayList<>();
      levels.forEach((level, c) -> parts.add(String.format(Locale.ROOT, "L%d %d files %.0f MB %,d entries", level,
          c[0], c[1] / 1e6, c[2])));
      out.append(String.format(Locale.ROOT, "%n    %s: %s", cf, String.join(", ", parts)));
    });
    try {
      out.append(String.format(Locale.ROOT, "%n    shared block cache: %.0f MB in use (pinned %.0f MB) of %.0f MB;"
          + " this instance's memtables %.0f MB, table readers outside the cache %.0f MB",
          prop(db, "rocksdb.block-cache-usage") / 1e6, prop(db, "rocksdb.block-cache-pinned-usage") / 1e6,
          prop(db, "rocksdb.block-cache-capacity") / 1e6,
          db.getAggregatedLongProperty("rocksdb.cur-size-all-mem-tables") / 1e6,
          db.getAggregatedLongProperty("rocksdb.estimate-table-readers-mem") / 1e6));
    } catch (Exception e) {
      out.append(" (properties: ").append(e).append(')');
    }
    return out.toString();
  }

  /**
   * The state the instances hold (those flushed once: the listener has their handle; an instance that never flushed
   * holds less than a memtable), SST files and memtables, per instance and per binding.
   */
  static String stateSize(long bindings) {
    String loaded = stateSize(bindings, "state after loading");
    if (!Boolean.getBoolean("strata.bench.rocksdb.flush")) return loaded;
    // -Dstrata.bench.rocksdb.flush=true: every instance's memtables flushed (GetLiveFiles(flush_memtable) flushes
    // every column family and waits), so the SST bytes are all the state, compressed as it stays
    for (Instance i : INSTANCES) {
      if (i.db == null || i.closed) continue;
      try {
        i.db.getLiveFiles(true);
      } catch (Exception e) {
        loaded += " (flush of #" + i.number + ": " + e + ")";
      }
    }
    return loaded + "\n" + stateSize(bindings, "state after loading, every memtable flushed");
  }

  private static String stateSize(long bindings, String what) {
    long sst = 0;
    long mem = 0;
    int flushed = 0;
    StringBuilder per = new StringBuilder();
    for (Instance i : INSTANCES) {
      RocksDB db = i.db;
      if (db == null || i.closed) continue;
      try {
        long s = db.getAggregatedLongProperty("rocksdb.total-sst-files-size");
        long m = db.getAggregatedLongProperty("rocksdb.cur-size-all-mem-tables");
        sst += s;
        mem += m;
        flushed++;
        per.append(String.format(Locale.ROOT, "; #%d SST %.1f MB, memtables %.1f MB", i.number, s / 1e6, m / 1e6));
      } catch (Exception e) {
        per.append("; #").append(i.number).append(' ').append(e);
      }
    }
    return String.format(Locale.ROOT, "%s: %d of %d RocksDB instances flushed: SST %.1f MB + memtables"
        + " %.1f MB = %.1f bytes per binding (SST alone %.1f)%s", what, flushed, INSTANCES.size(), sst / 1e6, mem / 1e6,
        (sst + mem) / (double) bindings, sst / (double) bindings, per);
  }

  private static long prop(RocksDB db, String name) throws Exception {
    return db.getLongProperty(name);
  }
}
