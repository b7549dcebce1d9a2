package dev.strata.ingest.bench;

import dev.strata.ingest.CollectionReport;
import dev.strata.ingest.CollectorOptions;
import dev.strata.ingest.EvidencePreserver;
import dev.strata.ingest.FileCollector;
import dev.strata.ingest.ProgressListener;
import dev.strata.ingest.chunk.ChunkPlan;
import dev.strata.ingest.chunk.Chunker;
import dev.strata.ingest.chunk.ContentReader;
import dev.strata.ingest.publish.ChunkPublisher;
import dev.strata.schema.AvroCodec;
import dev.strata.schema.common.Framing;
import dev.strata.schema.raw.RawArtifactChunk;
import java.io.IOException;
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
 * Throughput of the file collector next to a baseline measured in the same run on the same bytes: plain
 * {@code Files.newInputStream} + SHA-256 (what any "hash the evidence" tool must at least do).
 *
 * <pre>
 * python3 /work/shared/bench/gen_container_logs.py /tmp/bench      # docker.log, 532.9 MB
 * mvn -o -q -pl ingest test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/ingest.cp
 * java -cp ingest/target/test-classes:ingest/target/classes:$(cat /tmp/ingest.cp) \
 *      dev.strata.ingest.bench.CollectorBenchmark /tmp/bench/docker.log [iterations]
 * </pre>
 *
 * The file is hard-linked into a temporary evidence directory next to it (never copied into the repository). Page
 * cache is warm after the first (discarded) round; rounds interleave the cases. Printed: best and median wall-clock
 * throughput, and throughput per CPU-second of the calling thread (median; the least sensitive to other processes on
 * a shared machine), each also as a ratio to the baseline.
 */
public final class CollectorBenchmark {
  private CollectorBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path file = Path.of(args.length > 0 ? args[0] : "/tmp/bench/docker.log");
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    if (!Files.isRegularFile(file)) {
      System.err.println("no " + file + ": run python3 /work/shared/bench/gen_container_logs.py /tmp/bench");
      System.exit(2);
    }
    long size = Files.size(file);
    Path root = Files.createTempDirectory(file.toAbsolutePath().getParent(), "collector-bench-");
    Path link = root.resolve(file.getFileName());
    try {
      try {
        Files.createLink(link, file);
      } catch (IOException | UnsupportedOperationException e) {
        Files.copy(file, link);
      }
      System.out.printf(Locale.ROOT, "file %s, %.1f MB, %d rounds, JVM %s, %d cpus%n", file, size / 1e6,
          rounds, Runtime.version(), Runtime.getRuntime().availableProcessors());

      List<Case> cases = List.of(
          new Case("baseline: Files.newInputStream + SHA-256", () -> baseline(link)),
          new Case("pass 1 only: hash + plan chunks (LINES)", () -> pass1(link)),
          new Case("collector -> no-op publisher", () -> collect(root, false)),
          new Case("collector -> Avro-encoding publisher", () -> collect(root, true)));
      for (Case c : cases) {
        c.run.run(); // warm-up (and page cache)
      }
      // rounds interleave the cases, so that load from other processes hits all of them alike
      List<List<Double>> secs = new ArrayList<>();
      List<List<Double>> cpus = new ArrayList<>();
      cases.forEach(c -> {
        secs.add(new ArrayList<>());
        cpus.add(new ArrayList<>());
      });
      ThreadMXBean threads = ManagementFactory.getThreadMXBean();
      for (int i = 0; i < rounds; i++) {
        for (int k = 0; k < cases.size(); k++) {
          long c0 = threads.getCurrentThreadCpuTime();
          long t0 = System.nanoTime();
          cases.get(k).run.run();
          secs.get(k).add((System.nanoTime() - t0) / 1e9);
          cpus.get(k).add((threads.getCurrentThreadCpuTime() - c0) / 1e9);
        }
      }
      double[] base = new double[3];
      System.out.printf(Locale.ROOT, "%-42s %10s %10s %10s   %s%n", "", "best", "median", "CPU", "x baseline (best/median/CPU)");
      for (int k = 0; k < cases.size(); k++) {
        List<Double> s = secs.get(k);
        List<Double> c = cpus.get(k);
        Collections.sort(s);
        Collections.sort(c);
        double[] mbs = {size / 1e6 / s.get(0), size / 1e6 / s.get(s.size() / 2), size / 1e6 / c.get(c.size() / 2)};
        if (k == 0) {
          base = mbs;
        }
        System.out.printf(Locale.ROOT, "%-42s %6.0f MB/s %6.0f MB/s %6.0f MB/s   %.2f / %.2f / %.2f%n",
            cases.get(k).name, mbs[0], mbs[1], mbs[2], mbs[0] / base[0], mbs[1] / base[1], mbs[2] / base[2]);
      }
    } finally {
      Files.deleteIfExists(link);
      Files.deleteIfExists(root);
    }
  }

  private record Case(String name, Task run) {}

  @FunctionalInterface
  private interface Task {
    void run() throws Exception;
  }

  static volatile Object sink;

  private static void baseline(Path file) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    byte[] buf = new byte[64 * 1024];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n; (n = in.read(buf)) >= 0; ) {
        md.update(buf, 0, n);
      }
    }
    sink = md.digest();
  }

  private static void pass1(Path file) throws Exception {
    try (ContentReader r = ContentReader.open(file, false, ContentReader.GzipLimits.NONE, null)) {
      ChunkPlan plan = new Chunker(CollectorOptions.DEFAULT_CHUNK_SIZE, CollectorOptions.DEFAULT_MAX_RECORD_BYTES)
          .plan(r, Framing.LINES);
      sink = plan;
    }
  }

  private static void collect(Path root, boolean encode) {
    AvroCodec<RawArtifactChunk> codec = AvroCodec.of(RawArtifactChunk.class);
    long[] bytes = {0};
    ChunkPublisher publisher = ChunkPublisher.forEach(c -> {
      bytes[0] += encode ? codec.encode(c).length : c.getPayload().remaining();
    }, m -> {});
    CollectionReport r = FileCollector.collect(root, CollectorOptions.defaults(), publisher, EvidencePreserver.NONE,
        ProgressListener.NONE);
    if (r.artifactCount() != 1) {
      throw new IllegalStateException("expected one artifact:\n" + r.summary(true));
    }
    sink = bytes[0];
  }
}
