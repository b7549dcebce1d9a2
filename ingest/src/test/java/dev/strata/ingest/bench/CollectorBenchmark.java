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
 * cache is warm after the first (discarded) round; figures are the median of the measured rounds.
 */
public final class CollectorBenchmark {
  private CollectorBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path file = Path.of(args.length > 0 ? args[0] : "/tmp/bench/docker.log");
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
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
      System.out.printf(Locale.ROOT, "file %s, %.1f MB, %d rounds (median), JVM %s, %d cpus%n", file, size / 1e6,
          rounds, Runtime.version(), Runtime.getRuntime().availableProcessors());

      List<Case> cases = List.of(
          new Case("baseline: Files.newInputStream + SHA-256", () -> baseline(link)),
          new Case("pass 1 only: hash + plan chunks (LINES)", () -> pass1(link)),
          new Case("collector -> no-op publisher", () -> collect(root, false)),
          new Case("collector -> Avro-encoding publisher", () -> collect(root, true)));
      double base = 0;
      for (Case c : cases) {
        c.run.run(); // warm-up (and page cache)
        List<Double> secs = new ArrayList<>();
        for (int i = 0; i < rounds; i++) {
          long t0 = System.nanoTime();
          c.run.run();
          secs.add((System.nanoTime() - t0) / 1e9);
        }
        Collections.sort(secs);
        double s = secs.get(secs.size() / 2);
        double mbs = size / 1e6 / s;
        if (base == 0) {
          base = mbs;
        }
        System.out.printf(Locale.ROOT, "%-45s %8.1f MB/s  %6.2f s  %5.2fx baseline%n", c.name, mbs, s, mbs / base);
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
