package dev.strata.job.bench;

import dev.strata.correlate.Attr;
import dev.strata.correlate.BindingKind;
import dev.strata.correlate.EnrichmentMerger;
import dev.strata.correlate.Hit;
import dev.strata.correlate.KeyState;
import dev.strata.schema.event.Enrichment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.rocksdb.CompressionType;
import org.rocksdb.FlushOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The correlation hot path on one core: per event, read the lookup key's state blob (the value {@code LookupFunction}
 * keeps per key), decode it ({@link KeyState}), resolve at the event's time, merge the hit into an {@link
 * Enrichment}. Baseline, same run, same keys: a bare map lookup loop (the blob is fetched and not used).
 *
 * <pre>
 * CorrelateBenchmark [--bindings N[,N...]] [--events M] [--backend heap|rocksdb|both] [--rounds R] [--dir D]
 * </pre>
 *
 * Bindings are ip -> pod (namespace, pod name, uid, node, cluster, service account, account), one key per address;
 * every 8th address was reused (two entries: the first pod's interval closed by the second's start). Events probe
 * uniformly random addresses at random times. Figures: events/s measured vs baseline (ratio), state bytes per
 * binding (serialized blob bytes / bindings, key bytes apart), and for RocksDB the SST bytes per binding after a
 * flush and full compaction (LZ4, as Flink's RocksDB backend default would be configured for large fleets).
 * Heap store: a HashMap of key -> blob (Flink's heap backend keeps the same blob per key plus its own entry).
 */
public final class CorrelateBenchmark {
  static final String ACCOUNT = "111111111111";

  public static void main(String[] args) throws Exception {
    Map<String, String> a = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    String[] sizes = a.getOrDefault("bindings", "100000,10000000").split(",");
    int events = Integer.parseInt(a.getOrDefault("events", "2000000"));
    String backend = a.getOrDefault("backend", "both");
    int rounds = Integer.parseInt(a.getOrDefault("rounds", "3"));
    Path dir = Path.of(a.getOrDefault("dir", System.getProperty("java.io.tmpdir") + "/strata-correlate-bench"));
    for (String s : sizes) {
      int n = Integer.parseInt(s.trim());
      if (backend.equals("heap") || backend.equals("both")) heap(n, events, rounds);
      if (backend.equals("rocksdb") || backend.equals("both")) rocks(n, events, rounds, dir);
    }
  }

  // ------------------------------------------------------------------------------------------------- data

  static String key(int i) {
    return "ip|aws:" + ACCOUNT + ":vpc-0aaa|10." + ((i >>> 16) & 255) + "." + ((i >>> 8) & 255) + "." + (i & 255);
  }

  static final long T0 = 1_795_082_400_000_000L; // 2026-11-20T10:00Z, micros

  /** The state blob of address i: one or two ip -> pod entries. */
  static byte[] blob(int i) {
    KeyState s = new KeyState();
    s.add(entry(i, 0, T0 + (i % 3600) * 1_000_000L));
    if (i % 8 == 0) s.add(entry(i, 1, T0 + 7_200_000_000L));
    return s.encode();
  }

  static KeyState.Entry entry(int i, int gen, long from) {
    String ns = "team-" + (i % 200);
    String pod = "svc-" + (i % 5000) + "-" + Integer.toHexString(0x5f3a1 + i + gen * 7919) + "-x" + gen;
    String[] attrs = new String[Attr.ALL.size()];
    attrs[Attr.code(Attr.CLUSTER)] = "prod-" + (i % 4);
    attrs[Attr.code(Attr.NAMESPACE)] = ns;
    attrs[Attr.code(Attr.POD_NAME)] = pod;
    attrs[Attr.code(Attr.POD_UID)] = String.format("%08x-0000-4000-8000-%012x", i, (long) gen);
    attrs[Attr.code(Attr.NODE_NAME)] = "ip-10-0-" + (i % 250) + "-" + (i % 200) + ".ec2.internal";
    attrs[Attr.code(Attr.SERVICE_ACCOUNT)] = ns + "/sa-" + (i % 50);
    attrs[Attr.code(Attr.ACCOUNT_UID)] = ACCOUNT;
    byte[] id = new byte[32];
    long h = (i * 0x9E3779B97F4A7C15L) ^ gen;
    for (int b = 0; b < 32; b++) id[b] = (byte) (h >>> ((b % 8) * 8) ^ b);
    return new KeyState.Entry(BindingKind.IP_POD, false, from, KeyState.OPEN, id, ns + "/" + pod, attrs);
  }

  static String[] probeKeys;
  static long[] probeTimes;

  static void probes(int n, int m) {
    SplittableRandom r = new SplittableRandom(42);
    probeKeys = new String[m];
    probeTimes = new long[m];
    for (int j = 0; j < m; j++) {
      probeKeys[j] = key(r.nextInt(n));
      probeTimes[j] = T0 + r.nextLong(3 * 3_600_000_000L);
    }
  }

  interface Store {
    byte[] get(String key) throws Exception;
  }

  /** Decode, resolve, merge: what one probe costs in LookupFunction + EnrichFunction (without Flink). */
  static long enrich(Store store) throws Exception {
    long resolved = 0;
    for (int j = 0; j < probeKeys.length; j++) {
      String k = probeKeys[j];
      byte[] b = store.get(k);
      List<Hit> hits = b == null ? List.of() : KeyState.decode(b).resolve(probeTimes[j]);
      Enrichment en = new Enrichment();
      en.setBindingIds(new ArrayList<>(1));
      en.setUnresolved(new ArrayList<>(0));
      en.setIncidentIds(new ArrayList<>(0));
      EnrichmentMerger.merge(en, List.of(k), Map.of(k, hits));
      if (en.getPodName() != null) resolved++;
    }
    return resolved;
  }

  static long baseline(Store store) throws Exception {
    long found = 0;
    for (String k : probeKeys) {
      if (store.get(k) != null) found++;
    }
    return found;
  }

  // ------------------------------------------------------------------------------------------------- heap

  static void heap(int n, int m, int rounds) throws Exception {
    System.out.printf(Locale.ROOT, "%n== heap store, %,d bindings (%,d keys), %,d events%n", n + n / 8, n, m);
    long used0 = usedHeap();
    Map<String, byte[]> map = new HashMap<>(n * 2);
    long blobBytes = 0;
    long keyBytes = 0;
    for (int i = 0; i < n; i++) {
      String k = key(i);
      byte[] b = blob(i);
      map.put(k, b);
      blobBytes += b.length;
      keyBytes += k.length();
    }
    long used1 = usedHeap();
    int bindings = n + (n + 7) / 8;
    System.out.printf(Locale.ROOT, "state: %.1f blob bytes per binding (serialized KeyState), %.1f key bytes per key;"
        + " heap %.0f MB in use for the map (%.0f bytes per binding incl. Java map overhead)%n",
        blobBytes / (double) bindings, keyBytes / (double) n, (used1 - used0) / 1e6, (used1 - used0) / (double) bindings);
    probes(n, m);
    measure(map::get, rounds, m);
  }

  static long usedHeap() {
    for (int i = 0; i < 3; i++) System.gc();
    Runtime r = Runtime.getRuntime();
    return r.totalMemory() - r.freeMemory();
  }

  static void measure(Store store, int rounds, int m) throws Exception {
    for (int round = 1; round <= rounds; round++) {
      long t0 = System.nanoTime();
      long found = baseline(store);
      long t1 = System.nanoTime();
      long resolved = enrich(store);
      long t2 = System.nanoTime();
      double base = m / ((t1 - t0) / 1e9);
      double ours = m / ((t2 - t1) / 1e9);
      System.out.printf(Locale.ROOT, "round %d: enrichment %,.0f events/s (%d resolved); baseline bare lookup %,.0f"
          + " events/s (%d found); ratio %.2f%n", round, ours, resolved, base, found, ours / base);
    }
  }

  // ---------------------------------------------------------------------------------------------- RocksDB

  static void rocks(int n, int m, int rounds, Path root) throws Exception {
    RocksDB.loadLibrary();
    Path dir = root.resolve("rocks-" + n);
    deleteTree(dir);
    Files.createDirectories(dir);
    System.out.printf(Locale.ROOT, "%n== RocksDB store, %,d bindings (%,d keys), %,d events, %s%n", n + n / 8, n, m, dir);
    long blobBytes = 0;
    try (Options o = new Options().setCreateIfMissing(true).setCompressionType(CompressionType.LZ4_COMPRESSION);
        RocksDB db = RocksDB.open(o, dir.toString());
        WriteOptions wo = new WriteOptions().setDisableWAL(true)) {
      long t0 = System.nanoTime();
      WriteBatch batch = new WriteBatch();
      for (int i = 0; i < n; i++) {
        byte[] b = blob(i);
        blobBytes += b.length;
        batch.put(key(i).getBytes(StandardCharsets.UTF_8), b);
        if (batch.count() == 10_000) {
          db.write(wo, batch);
          batch.close();
          batch = new WriteBatch();
        }
      }
      db.write(wo, batch);
      batch.close();
      try (FlushOptions f = new FlushOptions().setWaitForFlush(true)) {
        db.flush(f);
      }
      db.compactRange();
      long t1 = System.nanoTime();
      int bindings = n + (n + 7) / 8;
      long sst = sstBytes(dir);
      System.out.printf(Locale.ROOT, "loaded in %.1f s; state: %.1f blob bytes per binding; SST %.1f MB = %.1f bytes"
          + " per binding (keys included, LZ4)%n", (t1 - t0) / 1e9, blobBytes / (double) bindings, sst / 1e6,
          sst / (double) bindings);
      probes(n, m);
      measure(k -> db.get(k.getBytes(StandardCharsets.UTF_8)), rounds, m);
    }
    deleteTree(dir);
  }

  static long sstBytes(Path dir) throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.toString().endsWith(".sst")).mapToLong(p -> p.toFile().length()).sum();
    }
  }

  static void deleteTree(Path p) throws Exception {
    if (!Files.exists(p)) return;
    try (Stream<Path> s = Files.walk(p)) {
      s.sorted(Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
    }
  }
}
