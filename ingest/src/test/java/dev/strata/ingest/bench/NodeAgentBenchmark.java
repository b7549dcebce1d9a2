package dev.strata.ingest.bench;

import dev.strata.ingest.agent.AgentOptions;
import dev.strata.ingest.agent.NodeAgentProbe;
import dev.strata.ingest.agent.SegmentSink;
import dev.strata.ingest.checkpoint.Position;
import dev.strata.schema.AvroCodec;
import dev.strata.schema.raw.RawArtifactChunk;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Tail throughput of the node agent (read appended bytes, cut at lines, SHA-256 per segment, build and Avro-encode
 * the RawArtifactChunk records: everything but the Kafka round trip) next to a baseline on the same bytes in the same
 * run: {@code Files.newInputStream} + SHA-256.
 *
 * <pre>
 * python3 /work/shared/bench/gen_container_logs.py /tmp/bench      # docker.log 532.9 MB, cri.log 440.6 MB
 * mvn -o -q -pl ingest test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/ingest.cp
 * java -Xmx512m -cp ingest/target/test-classes:ingest/target/classes:$(cat /tmp/ingest.cp) \
 *      dev.strata.ingest.bench.NodeAgentBenchmark /tmp/bench/cri.log [rounds]
 * </pre>
 * The file is hard-linked into a temporary node root as a CRI pod log ({@code cri.log}) or a Docker json-file log.
 */
public final class NodeAgentBenchmark {
  private NodeAgentBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path file = Path.of(args.length > 0 ? args[0] : "/tmp/bench/cri.log");
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    long size = Files.size(file);
    boolean cri = file.getFileName().toString().contains("cri");
    String rel = cri ? "var/log/pods/default_bench_0b5c6d7e-1111-2222-3333-444455556666/app/0.log"
        : "var/lib/docker/containers/" + "ab".repeat(32) + "/" + "ab".repeat(32) + "-json.log";
    Path root = Files.createTempDirectory(file.toAbsolutePath().getParent(), "agent-bench-");
    Path link = root.resolve(rel);
    Files.createDirectories(link.getParent());
    try {
      Files.createLink(link, file);
    } catch (IOException | UnsupportedOperationException e) {
      Files.copy(file, link);
    }
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    try {
      for (int r = 0; r <= rounds; r++) {
        long c0 = cpu.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        String sha = baseline(file);
        double baseWall = (System.nanoTime() - t0) / 1e9;
        double baseCpu = (cpu.getCurrentThreadCpuTime() - c0) / 1e9;

        long[] counted = new long[2];
        AvroCodec<RawArtifactChunk> codec = AvroCodec.of(RawArtifactChunk.class);
        SegmentSink sink = new SegmentSink() {
          @Override public Map<String, Position> restore() { return Map.of(); }
          @Override public void publish(List<Segment> segments, Map<String, Position> advanced, Collection<String> f) {
            for (Segment s : segments) {
              counted[0] += codec.encode(s.chunk()).length;
              counted[1]++;
            }
          }
          @Override public void close() {}
        };
        AgentOptions options = AgentOptions.builder("bench").nodeRoot(root).globs(List.of(rel))
            .progressEvery(Duration.ZERO).pollInterval(Duration.ofMillis(1)).scanInterval(Duration.ofHours(1)).build();
        c0 = cpu.getCurrentThreadCpuTime();
        t0 = System.nanoTime();
        long batches = NodeAgentProbe.drain(options, sink, size);
        double wall = (System.nanoTime() - t0) / 1e9;
        double cpuS = (cpu.getCurrentThreadCpuTime() - c0) / 1e9;
        if (r == 0) {
          continue; // warm-up
        }
        System.out.printf(Locale.ROOT,
            "round %d: agent %.0f MB/s wall, %.0f MB/s per CPU-s (%d segments, %d transactions, %.0f MB encoded) | "
                + "baseline read+sha256 %.0f MB/s wall, %.0f MB/s per CPU-s | ratio wall %.2f, cpu %.2f (sha %s…)%n",
            r, size / 1e6 / wall, size / 1e6 / cpuS, counted[1], batches, counted[0] / 1e6,
            size / 1e6 / baseWall, size / 1e6 / baseCpu, baseWall / wall, baseCpu / cpuS, sha.substring(0, 8));
      }
    } finally {
      Files.deleteIfExists(link);
    }
  }

  private static String baseline(Path file) throws Exception {
    MessageDigest d = MessageDigest.getInstance("SHA-256");
    byte[] buf = new byte[1 << 20];
    try (InputStream in = Files.newInputStream(file)) {
      int n;
      while ((n = in.read(buf)) > 0) {
        d.update(buf, 0, n);
      }
    }
    return java.util.HexFormat.of().formatHex(d.digest());
  }
}
