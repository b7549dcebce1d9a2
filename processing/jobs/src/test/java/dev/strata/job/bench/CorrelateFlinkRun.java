package dev.strata.job.bench;

import dev.strata.job.CorrelateJob;
import dev.strata.job.CorrelateJobConfig;
import dev.strata.job.bench.CorrelateBenchmark.Figures;
import dev.strata.job.bench.CorrelateBenchmark.Workload;
import dev.strata.job.correlate.RocksDbSettings;
import dev.strata.job.serde.StrataTypes;
import dev.strata.schema.correlate.EntityBinding;
import dev.strata.schema.event.EvidenceEvent;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.functions.FilterFunction;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Enrichment through Flink's own keyed state: the job's whole enrichment ({@link CorrelateJob#enrich}: requests ->
 * for each of the 3 hops probes-N -> resolve-N ({@code LookupFunction}; a request with one key at the hop is answered
 * there) -> gather-N ({@code GatherFunction}, requests with several keys), hops without a key skipped -> the final
 * emission of the event at the end of its path, {@code EmitEnriched} / {@code Reemission}; the bindings routed as the job
 * routes them) on a local MiniCluster at parallelism 1, in the environment the job builds for itself ({@link CorrelateJob#environment}:
 * the state backend and, for RocksDB, {@link RocksDbSettings}). A sequence source generates the N addresses' bindings
 * first and waits until the lookups have accepted all of them, then M events, each decoded from the Avro wire
 * format (as the Kafka source does) with its id, address and time set; a discarding sink counts
 * the enriched events. Figures: events/s over the second half of the events (the first half warms up), per wall second and per CPU second of the whole
 * process (every Flink thread, GC, RocksDB compactions: on one pinned core the two agree when nobody else uses it),
 * next to the raw loops of the same run, and the process RSS. Checkpointing is off (the job's is on: incremental
 * RocksDB checkpoints upload new SST files in the background).
 */
final class CorrelateFlinkRun {
  static final OutputTag<EntityBinding> BINDINGS = new OutputTag<>("bindings", CorrelateJob.BINDING);

  // the MiniCluster runs in this JVM and its user code loader delegates to ours: plain statics are shared
  static final AtomicLong ACCEPTED = new AtomicLong();
  static final AtomicLong ENRICHED = new AtomicLong();
  static final AtomicLong RESOLVED = new AtomicLong();
  static volatile long loadStartNanos;
  static volatile long loadStartCpu;
  static volatile long loadEndNanos;
  static volatile long loadEndCpu;
  static volatile long probeStartNanos;
  static volatile long probeStartCpu;
  static volatile long probeEndNanos;
  static volatile long probeEndCpu;
  static volatile Map<String, Long> loadStartThreads;
  static volatile String loadedState = "";
  static volatile Map<String, Long> loadEndThreads;
  static volatile Map<String, Long> probeStartThreads;
  static volatile Map<String, Long> probeEndThreads;
  static volatile Map<Integer, long[]> probeStartTickers;
  static volatile Map<Integer, long[]> probeEndTickers;
  static volatile long probeStartGcMs;
  static volatile long probeEndGcMs;
  static volatile long probeStartGcs;
  static volatile long probeEndGcs;
  static volatile Map<String, Map<String, Long>> probeStartCache;
  static volatile Map<String, Map<String, Long>> probeEndCache;
  /**
   * {@code --bindings-cache SIZE}: the lookups' bindings cache ({@code correlate.bindings.cache.bytes}, 0 = off);
   * null: the build's default (a build before the cache has none: the setting is then not given, which it would
   * refuse).
   */
  static volatile String bindingsCache;
  /** {@code --bindings-cache-write-through SIZE}: hop 1's write-through cache (its setting); null: the build's. */
  static volatile String writeThroughCache;
  /** Process CPU, wall time and the data-block cache tickers at each tenth of the enriched events. */
  record Window(long count, long cpu, long wall, long dataHit, long dataMiss) {
    static Window now(long count) {
      long hit = 0;
      long miss = 0;
      for (long[] t : RocksDbStats.tickers().values()) {
        hit += t[8];
        miss += t[9];
      }
      return new Window(count, processCpuNanos(), System.nanoTime(), hit, miss);
    }
  }

  static final java.util.List<Window> WINDOWS = new java.util.concurrent.CopyOnWriteArrayList<>();

  private CorrelateFlinkRun() {}

  static void run(Workload w, RocksDbSettings rocks, Figures raw, boolean nodeInstances) throws Exception {
    int n = w.n;
    int m = w.events;
    int nodes = CorrelateBenchmark.nodeCount(n, nodeInstances);
    long bindings = CorrelateBenchmark.bindingCount(n) + nodes;
    ACCEPTED.set(0);
    ENRICHED.set(0);
    RESOLVED.set(0);
    probeEndNanos = 0;
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("kafka.bootstrap.servers", "127.0.0.1:9"); // not used: this graph has its own source and sink
    settings.put("parallelism", "1");
    settings.put("correlate.state_backend", rocks == null ? "hashmap" : "rocksdb");
    settings.put("flink.heartbeat.timeout", "10 min"); // a starved process on a shared core must not lose its TM
    RocksDbStats.INSTANCES.clear();
    WINDOWS.clear();
    if (rocks != null && Boolean.parseBoolean(System.getProperty("strata.bench.rocksdb.stats", "true"))) {
      // the job's options plus RocksDB statistics and the instances' handles (RocksDbStats)
      settings.put("flink.state.backend.rocksdb.options-factory", RocksDbStats.class.getName());
    }
    if (bindingsCache != null) settings.put("correlate.bindings.cache.bytes", bindingsCache);
    if (writeThroughCache != null) settings.put("correlate.bindings.cache.write_through.bytes", writeThroughCache);
    // the lookups' bindings cache gauges, read at the start and end of the measured half (CacheMetrics)
    settings.put("flink.metrics.reporter.bench.factory.class", CacheMetrics.class.getName());
    CacheMetrics.GAUGES.clear();
    probeStartCache = null;
    probeEndCache = null;
    if (rocks != null) {
      settings.put("correlate.rocksdb.memory", rocks.memoryPerSlot().getBytes() + "b");
      settings.put("correlate.rocksdb.bloom_bits_per_key", Integer.toString(rocks.bloomBitsPerKey()));
      settings.put("correlate.rocksdb.block_size", rocks.blockSize().getBytes() + "b");
    }
    // experiments: -Dstrata.bench.flink.<key>=<value> sets the Flink setting <key> (over the job's own)
    System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith("strata.bench.flink."))
        .forEach(k -> settings.put(k.substring("strata.bench.".length()), System.getProperty(k)));
    CorrelateJobConfig cfg = CorrelateJobConfig.fromMap(settings);
    StreamExecutionEnvironment env = CorrelateJob.environment(cfg);
    env.setParallelism(1);
    System.out.printf(Locale.ROOT, "%n== Flink job, the whole enrichment (requests -> 3 x (probes-N -> resolve-N"
        + " [-> gather-N when several keys]) -> the event emitted where its path ends; late results -> reemit), %s state backend, %,d bindings (%,d of them nodes' instances), %,d events, parallelism 1%n",
        rocks == null ? "hashmap" : "RocksDB", bindings, nodes, m);

    boolean offsets = offsetsAvailable() && Boolean.parseBoolean(System.getProperty("strata.bench.offsets", "true"));
    System.out.println(offsets
        ? "events are records of the normalized topic (partition 0, offset = event number), read by the job's own"
            + " Kafka deserializer (SourcedEvent.Deserializer) from their wire bytes: the hops keep their coordinates,"
            + " not the event's bytes (-Dstrata.bench.offsets=false: events decoded, the bytes kept)"
        : "events without coordinates in the normalized topic: the hops keep the event's bytes");
    CorrelateJob.Enriched enriched;
    if (offsets) {
      Offsets.check(n);
      SingleOutputStreamOperator<dev.strata.job.correlate.SourcedEvent> records =
          env.fromSequence(0, (long) n + m - 1).name("generate")
              .process(new Generate<>(n, bindings, nodes, new Offsets.Records()),
                  dev.strata.job.correlate.SourcedEvent.TYPE)
              .name("bindings-then-records");
      enriched = Offsets.enrich(records, records.getSideOutput(BINDINGS), CorrelateJob.StateSettings.of(cfg));
    } else {
      SingleOutputStreamOperator<EvidenceEvent> events =
          env.fromSequence(0, (long) n + m - 1).name("generate")
              .process(new Generate<>(n, bindings, nodes, new Decoded()), StrataTypes.EVIDENCE_EVENT)
              .name("bindings-then-events");
      enriched = CorrelateJob.enrich(events, events.getSideOutput(BINDINGS), CorrelateJob.StateSettings.of(cfg));
    }
    countEnriched(enriched.events(), m);
    enriched.accepted().filter(new CountAccepted()).name("count-accepted").sinkTo(new DiscardingSink<>());

    JobClient job = env.executeAsync("correlate-benchmark");
    while (probeEndNanos == 0 && !job.getJobStatus().get().isTerminalState()) Thread.sleep(200);
    long rss = rssBytes();
    // read the instances (their files) while they are open: cancelling the job closes them
    String rocksReport = RocksDbStats.INSTANCES.isEmpty() || probeEndNanos == 0 ? ""
        : RocksDbStats.report(probeStartTickers, probeEndTickers, m - m / 2);
    if (!job.getJobStatus().get().isTerminalState()) job.cancel().get();
    if (probeEndNanos == 0) throw new IllegalStateException("the job ended before all events were enriched");

    double loadSec = (loadEndNanos - loadStartNanos) / 1e9;
    double loadCpuSec = (loadEndCpu - loadStartCpu) / 1e9;
    long measured = m - m / 2;
    double wallSec = (probeEndNanos - probeStartNanos) / 1e9;
    double cpuSec = (probeEndCpu - probeStartCpu) / 1e9;
    double perCpu = measured / cpuSec;
    System.out.printf(Locale.ROOT, "loaded %,d bindings through route-bindings -> resolve-1 in %.1f s wall, %.1f s"
        + " process CPU (%,.0f bindings per wall second, %,.0f per process CPU second), from the first binding"
        + " generated to the last accepted%n", ACCEPTED.get(), loadSec, loadCpuSec, ACCEPTED.get() / loadSec,
        ACCEPTED.get() / loadCpuSec);
    System.out.println("CPU by thread while loading:" + cpuByThread(loadStartThreads, loadEndThreads));
    System.out.println(loadedState);
    System.out.printf(Locale.ROOT, "enrichment through Flink: %,.0f events/s per process CPU second (%,.0f per wall"
        + " second, %.2f CPU/wall) over the second half of %,d events; %d resolved; process RSS %.0f MB%n", perCpu,
        measured / wallSec,
        cpuSec / wallSec, ENRICHED.get(), RESOLVED.get(), rss / 1e6);
    System.out.println("CPU by thread over the measured half:" + cpuByThread(probeStartThreads, probeEndThreads));
    // the collectors' time is their pauses' wall time (a descheduled pause counts whole): their CPU is the "GC
    // Thread" line of the threads above
    System.out.printf(Locale.ROOT, "GC over the measured half: %,d collections, %.2f s of pauses (wall, %.1f %% of the"
        + " measured half's wall time); heap max %,d MB (-Xmx)%n", probeEndGcs - probeStartGcs,
        (probeEndGcMs - probeStartGcMs) / 1e3, 100.0 * (probeEndGcMs - probeStartGcMs) / 1e3 / wallSec,
        Runtime.getRuntime().maxMemory() >> 20);
    System.out.println("bindings cache over the measured half (per lookup operator):"
        + CacheMetrics.report(probeStartCache, probeEndCache));
    if (!RocksDbStats.INSTANCES.isEmpty()) {
      System.out.println("RocksDB over the measured half, per instance that read:"
          + rocksReport);
      double cold = RocksDbStats.coldShare(probeStartTickers, probeEndTickers);
      System.out.printf(Locale.ROOT, "the bindings' reads (the instance with the most gets) over the measured half: %.2f"
          + " %% of their data blocks read from outside the block cache%s%n", 100 * cold, cold > 0.01
          ? ": NOT WARM, the figure includes the cache's warm-up (run more events: the first half must touch every"
              + " data block of the bindings a few times, ~2M events at 10M bindings)" : "");
      System.out.println("by tenth of the events (events per process CPU second in the tenth; the shared block"
          + " cache's data-block hit ratio over all instances in it):");
      for (int i = 1; i < WINDOWS.size(); i++) {
        Window a = WINDOWS.get(i - 1);
        Window b = WINDOWS.get(i);
        long hit = b.dataHit - a.dataHit;
        long miss = b.dataMiss - a.dataMiss;
        System.out.printf(Locale.ROOT, "  events %,d-%,d: %,.0f events/CPU s, %.2f CPU/wall; data blocks %,d hit"
            + " %,d miss (%.1f %% hit)%n", a.count, b.count, (b.count - a.count) / ((b.cpu - a.cpu) / 1e9),
            (b.cpu - a.cpu) / (double) (b.wall - a.wall), hit, miss, 100.0 * hit / Math.max(1, hit + miss));
      }
    }
    if (raw != null) {
      System.out.printf(Locale.ROOT, "vs the raw loops of this run: %.2f x the raw enrichment loop (%,.0f events/s),"
          + " %.2f x the bare store lookups (%,.0f events/s)%n", perCpu / raw.enrichPerSec(), raw.enrichPerSec(),
          perCpu / raw.baselinePerSec(), raw.baselinePerSec());
    }
  }

  /**
   * Records of the normalized topic, as the job's Kafka source reads them (builds since session 13; a class of its
   * own, never loaded on an older build): each event's wire bytes ({@link CorrelateBenchmark.WireEvents}) at
   * partition 0, the event's number as its offset, through the build's own {@code SourcedEvent.Deserializer} (so a
   * build's source cost is what the benchmark counts: its decode, and whatever it keeps of the bytes). The benchmark
   * has no late evidence, so nothing is ever read back (the reader fails if asked).
   */
  static final class Offsets {

    static CorrelateJob.Enriched enrich(
        org.apache.flink.streaming.api.datastream.DataStream<dev.strata.job.correlate.SourcedEvent> records,
        org.apache.flink.streaming.api.datastream.DataStream<EntityBinding> bindings, CorrelateJob.StateSettings s) {
      return CorrelateJob.enrich(records, bindings, s,
          subtask -> new dev.strata.job.correlate.NormalizedEvents() {
            @Override
            public byte[] read(int partition, long offset) {
              throw new IllegalStateException("the benchmark re-emits nothing");
            }

            @Override
            public void close() {}
          });
    }

    /** The records' bytes decode to the events the decoding mode generates. */
    static void check(int n) {
      byte[] template = CorrelateBenchmark.eventTemplate();
      CorrelateBenchmark.WireEvents wire = new CorrelateBenchmark.WireEvents();
      dev.strata.job.serde.EvidenceEventDeserializationSchema d =
          new dev.strata.job.serde.EvidenceEventDeserializationSchema();
      for (int j : new int[] {0, 1, 2, 7, 1000, 99_999, 123_457}) {
        EvidenceEvent expected = CorrelateBenchmark.eventFromWire(template, j, n);
        if (!d.decode(wire.wire(j, n)).equals(expected)) {
          throw new IllegalStateException("record " + j + " is not the event the benchmark generates");
        }
      }
    }

    /** Event j as a record of the normalized topic, read by the job's deserializer. */
    static final class Records implements Events<dev.strata.job.correlate.SourcedEvent> {
      private static final long serialVersionUID = 1L;
      private transient CorrelateBenchmark.WireEvents wire;
      private transient dev.strata.job.correlate.SourcedEvent.Deserializer source;

      @Override
      public void emit(int j, int n, Collector<dev.strata.job.correlate.SourcedEvent> out) throws Exception {
        if (wire == null) {
          wire = new CorrelateBenchmark.WireEvents();
          source = new dev.strata.job.correlate.SourcedEvent.Deserializer();
          source.open(null);
        }
        source.deserialize(
            new org.apache.kafka.clients.consumer.ConsumerRecord<>("evidence.normalized.v1", 0, j, null,
                wire.wire(j, n)), out);
      }
    }
  }

  /** How the generator emits event j of n addresses. */
  interface Events<T> extends java.io.Serializable {
    void emit(int j, int n, Collector<T> out) throws Exception;
  }

  /** Event j decoded from the template's wire bytes, as the Kafka source did before it gave coordinates. */
  static final class Decoded implements Events<EvidenceEvent> {
    private static final long serialVersionUID = 1L;
    private final byte[] template = CorrelateBenchmark.eventTemplate();

    @Override
    public void emit(int j, int n, Collector<EvidenceEvent> out) {
      out.collect(CorrelateBenchmark.eventFromWire(template, j, n));
    }
  }

  /** Whether the build has {@link Offsets} (asked outside that class, whose loading needs them). */
  static boolean offsetsAvailable() {
    try {
      Class.forName("dev.strata.job.correlate.SourcedEvent");
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  /**
   * Numbers below n: the bindings of address i (side output; before address 0's, the nodes' instances); from n: event
   * i - n, once every binding is in.
   */
  static final class Generate<T> extends ProcessFunction<Long, T> {
    private static final long serialVersionUID = 1L;
    private final int n;
    private final long bindings;
    private final int nodes;
    private final Events<T> events;

    Generate(int n, long bindings, int nodes, Events<T> events) {
      this.n = n;
      this.bindings = bindings;
      this.nodes = nodes;
      this.events = events;
    }

    @Override
    public void processElement(Long v, Context ctx, Collector<T> out) throws Exception {
      long i = v;
      if (i < n) {
        if (i == 0) { // the job is running: loading starts
          loadStartThreads = threadTicks();
          loadStartCpu = processCpuNanos();
          loadStartNanos = System.nanoTime();
          for (int j = 0; j < nodes; j++) ctx.output(BINDINGS, CorrelateBenchmark.nodeInstance(j));
        }
        for (int g = 0; g < CorrelateBenchmark.bindingsOf((int) i); g++) {
          ctx.output(BINDINGS, CorrelateBenchmark.binding((int) i, g));
        }
        return;
      }
      if (i == n) {
        while (ACCEPTED.get() < bindings) Thread.sleep(20); // resolve-1 holds every binding: probes start now
        // a build whose lookups replace a statement by its restatement (the node's instance) reports both: settled
        for (long seen = -1; seen != ACCEPTED.get(); ) {
          seen = ACCEPTED.get();
          Thread.sleep(300);
        }
        loadEndNanos = System.nanoTime();
        loadEndCpu = processCpuNanos();
        loadEndThreads = threadTicks();
        loadedState = RocksDbStats.stateSize(bindings);
      }
      events.emit((int) (i - n), n, out);
    }
  }

  /**
   * Counts the enriched events, whatever the build emits them as (the decoded event before session 10, the enriched
   * wire bytes after: one benchmark for both, so before/after runs share it).
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private static void countEnriched(org.apache.flink.streaming.api.datastream.DataStream<?> enriched, long m) {
    ((org.apache.flink.streaming.api.datastream.DataStream) enriched).filter(new CountEnriched(m))
        .name("count-enriched").sinkTo(new DiscardingSink<>());
  }

  static final class CountAccepted implements FilterFunction<String> {
    private static final long serialVersionUID = 1L;

    @Override
    public boolean filter(String primaryKey) {
      ACCEPTED.incrementAndGet();
      return false;
    }
  }

  static final class CountEnriched implements FilterFunction<Object> {
    private static final long serialVersionUID = 1L;
    private final long events;

    CountEnriched(long events) {
      this.events = events;
    }

    @Override
    public boolean filter(Object e) {
      if (e instanceof EvidenceEvent event ? resolved(event.getEnrichment()) : WireOutput.resolved(e)) {
        RESOLVED.incrementAndGet();
      }
      long count = ENRICHED.incrementAndGet();
      if (count % Math.max(1, events / 10) == 0 || count == 1) WINDOWS.add(Window.now(count));
      if (count == events / 2) { // the first half warms up (JIT, caches, pipeline fill): not measured
        Profiler.start();
        probeStartTickers = RocksDbStats.tickers();
        probeStartThreads = threadTicks();
        probeStartCache = CacheMetrics.read();
        probeStartGcMs = gcMillis();
        probeStartGcs = gcCount();
        probeStartCpu = processCpuNanos();
        probeStartNanos = System.nanoTime();
      } else if (count == events) {
        probeEndCpu = processCpuNanos();
        probeEndGcMs = gcMillis();
        probeEndGcs = gcCount();
        probeEndCache = CacheMetrics.read();
        probeEndThreads = threadTicks();
        probeEndTickers = RocksDbStats.tickers();
        probeEndNanos = System.nanoTime();
        Profiler.stop();
      }
      return false;
    }
  }

  static boolean resolved(dev.strata.schema.event.Enrichment en) {
    return en != null && en.getPodName() != null;
  }

  /** The enriched wire output (a class of its own: never loaded when running on a build that emits events). */
  static final class WireOutput {
    static boolean resolved(Object e) {
      return CorrelateFlinkRun.resolved(((dev.strata.job.correlate.EnrichedEvent) e).enrichment());
    }
  }

  /**
   * async-profiler over the measured half, if asked: {@code -Dstrata.bench.profiler=<libasyncProfiler.so>} (from the
   * {@code tools.profiler:async-profiler} jar, whose {@code one.profiler} classes must be on the class path), {@code
   * -Dstrata.bench.profiler.args=<start options>} (default {@code event=cpu,interval=5ms,threads}: Java and native
   * frames of every thread, RocksDB's included), {@code -Dstrata.bench.profiler.file=<output>} (default {@code
   * profile.collapsed}: collapsed stacks; {@code .html} for a flame graph). Reflection: not a dependency.
   */
  static final class Profiler {
    private static Object profiler;

    static void start() {
      String lib = System.getProperty("strata.bench.profiler");
      if (lib == null) return;
      try {
        Class<?> c = Class.forName("one.profiler.AsyncProfiler");
        profiler = c.getMethod("getInstance", String.class).invoke(null, lib);
        execute("start," + System.getProperty("strata.bench.profiler.args", "event=cpu,interval=5ms,threads"));
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException("async-profiler: " + e, e);
      }
    }

    static void stop() {
      if (profiler == null) return;
      String file = System.getProperty("strata.bench.profiler.file", "profile.collapsed");
      execute("stop,file=" + file + (file.endsWith(".html") ? "" : ",collapsed"));
      System.out.println("profile of the measured half: " + file);
    }

    private static void execute(String command) {
      try {
        profiler.getClass().getMethod("execute", String.class).invoke(profiler, command);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException("async-profiler " + command + ": " + e, e);
      }
    }
  }

  /**
   * CPU ticks (user + system) per thread name (digits folded) from /proc: every thread, Java or native (RocksDB's
   * flush and compaction threads are invisible to a Java profiler).
   */
  static Map<String, Long> threadTicks() {
    Map<String, Long> m = new java.util.TreeMap<>();
    try (java.util.stream.Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
      for (Path t : (Iterable<Path>) tasks::iterator) {
        try {
          String stat = Files.readString(t.resolve("stat"));
          String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replaceAll("[0-9]+", "N");
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          m.merge(name, Long.parseLong(f[11]) + Long.parseLong(f[12]), Long::sum);
        } catch (Exception gone) {
          // the thread ended
        }
      }
    } catch (Exception e) {
      return m;
    }
    return m;
  }

  /** The measured half's CPU by thread name, largest first (threads that ended in between are missed). */
  static String cpuByThread(Map<String, Long> start, Map<String, Long> end) {
    long total = 0;
    Map<String, Long> d = new LinkedHashMap<>();
    for (Map.Entry<String, Long> e : end.entrySet()) {
      long v = e.getValue() - start.getOrDefault(e.getKey(), 0L);
      if (v > 0) d.put(e.getKey(), v);
      total += Math.max(v, 0);
    }
    StringBuilder out = new StringBuilder();
    long all = total;
    d.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue(), a.getValue())).limit(10).forEach(e ->
        out.append(String.format(Locale.ROOT, "%n  %5.1f %% %s", 100.0 * e.getValue() / all, e.getKey())));
    return out.toString();
  }

  /** Milliseconds the JVM's collectors ran, all of them. */
  static long gcMillis() {
    long ms = 0;
    for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) ms += Math.max(0, gc.getCollectionTime());
    return ms;
  }

  static long gcCount() {
    long n = 0;
    for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) n += Math.max(0, gc.getCollectionCount());
    return n;
  }

  static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  static long rssBytes() throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
    }
    return -1;
  }
}
