package dev.strata.ingest.bench;

import dev.strata.ingest.journal.JournalFile;
import dev.strata.ingest.journal.JournalJson;
import dev.strata.ingest.journal.JournalSplit;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * Speed of the journal file reader next to a baseline measured in the same run on the same file: a plain sequential
 * read + SHA-256 (what the collector must at least do to preserve the file). Cases: the reader walking every entry
 * and decoding every field; the same plus each entry written as its {@code journalctl -o json} line (in memory); and
 * {@link JournalSplit} (by program into temporary files, as the collector runs it).
 *
 * <pre>
 * # a real journal file written by systemd (systemd-journal-remote 252, see the fixtures' make-fixtures.py):
 * python3 ingest/src/test/resources/journal/make-fixtures.py --bench 300000 /tmp/bench/bench.journal \
 *     $ROOT/lib/systemd/systemd-journal-remote      # rotates at ~48 MiB: use one of the archived bench@....journal
 * mvn -o -q -pl ingest test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/ingest.cp
 * java -Xmx1g -cp ingest/target/test-classes:ingest/target/classes:$(cat /tmp/ingest.cp) \
 *      dev.strata.ingest.bench.JournalReaderBenchmark /tmp/bench/bench@...journal [rounds]
 * </pre>
 *
 * The first round is discarded (page cache, JIT); rounds interleave the cases. Printed per case: best and median
 * wall-clock MB/s, MB and entries per CPU-second of the calling thread (median; the least sensitive to other processes
 * on a shared machine), and the ratios to the baseline.
 */
public final class JournalReaderBenchmark {
  private JournalReaderBenchmark() {}

  interface Case {
    long run(Path file) throws Exception;
  }

  public static void main(String[] args) throws Exception {
    Path file = Path.of(args[0]);
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    long size = Files.size(file);
    long entries;
    try (JournalFile f = JournalFile.open(file)) {
      entries = f.read(e -> { }).entries();
      System.out.printf(Locale.ROOT, "file %s, %.1f MB, %d entries (%s, %s), %d rounds, JVM %s, %d cpus%n", file,
          size / 1e6, entries, f.header().compact() ? "compact" : "regular", f.header().stateName(), rounds,
          System.getProperty("java.version"), Runtime.getRuntime().availableProcessors());
    }
    String[] names = {"baseline: sequential read + SHA-256", "reader: every entry and field",
        "reader + journalctl -o json lines", "JournalSplit (by program, temp files)"};
    Case[] cases = {JournalReaderBenchmark::sha256, JournalReaderBenchmark::read, JournalReaderBenchmark::json,
        JournalReaderBenchmark::split};
    List<List<Double>> walls = new ArrayList<>();
    List<List<Double>> cpus = new ArrayList<>();
    for (int k = 0; k < cases.length; k++) {
      walls.add(new ArrayList<>());
      cpus.add(new ArrayList<>());
    }
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    for (int r = 0; r <= rounds; r++) {
      for (int k = 0; k < cases.length; k++) {
        long c0 = threads.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        cases[k].run(file);
        double wall = (System.nanoTime() - t0) / 1e9;
        double cpu = (threads.getCurrentThreadCpuTime() - c0) / 1e9;
        if (r > 0) {
          walls.get(k).add(wall);
          cpus.get(k).add(cpu);
        }
      }
    }
    System.out.printf(Locale.ROOT, "%-40s %10s %10s %11s %14s   %s%n", "", "best", "median", "CPU", "entries/CPU-s",
        "x baseline (best/median/CPU)");
    double[] base = null;
    for (int k = 0; k < cases.length; k++) {
      double best = size / 1e6 / Collections.min(walls.get(k));
      double median = size / 1e6 / median(walls.get(k));
      double cpu = size / 1e6 / median(cpus.get(k));
      if (k == 0) base = new double[] {best, median, cpu};
      System.out.printf(Locale.ROOT, "%-40s %5.0f MB/s %5.0f MB/s %6.0f MB/s %14.0f   %.2f / %.2f / %.2f%n",
          names[k], best, median, cpu, entries / median(cpus.get(k)), best / base[0], median / base[1],
          cpu / base[2]);
    }
  }

  static double median(List<Double> v) {
    List<Double> s = new ArrayList<>(v);
    Collections.sort(s);
    return s.get(s.size() / 2);
  }

  static long sha256(Path file) throws Exception {
    MessageDigest d = MessageDigest.getInstance("SHA-256");
    byte[] buf = new byte[1 << 20];
    long n = 0;
    try (InputStream in = Files.newInputStream(file)) {
      for (int k; (k = in.read(buf)) > 0; ) {
        d.update(buf, 0, k);
        n += k;
      }
    }
    d.digest();
    return n;
  }

  static long read(Path file) throws Exception {
    long[] fields = {0};
    try (JournalFile f = JournalFile.open(file)) {
      f.read(e -> fields[0] += e.fields().size());
    }
    return fields[0];
  }

  static long json(Path file) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 16);
    JournalJson writer = new JournalJson();
    long[] bytes = {0};
    try (JournalFile f = JournalFile.open(file)) {
      f.read(e -> {
        out.reset();
        writer.write(e, out);
        bytes[0] += out.size();
      });
    }
    return bytes[0];
  }

  static long split(Path file) throws Exception {
    try (JournalFile f = JournalFile.open(file); JournalSplit s = JournalSplit.split(f, null)) {
      return s.routed().values().stream().mapToLong(Long::longValue).sum();
    }
  }
}
