package dev.strata.parse.bench;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.parse.Bytes;
import dev.strata.parse.ChunkOutput;
import dev.strata.parse.ChunkParser;
import dev.strata.parse.Payloads;
import dev.strata.parse.ParserRegistry;
import dev.strata.parse.testing.Chunks;
import dev.strata.schema.deadletter.DeadLetter;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.raw.RawArtifactChunk;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Throughput of a parser next to a bare Jackson read of the same bytes, in the same run, on one thread.
 *
 * <pre>
 * usage: ParserBenchmark FORMAT FILE [--max-mb N] [--rounds N] [--chunk-kib N]
 *   FORMAT  docker_json_log | k8s_audit | aws_cloudtrail (the file is JSON Lines, fed as LINES chunks)
 *           | cri_log (a CRI text log, fed as LINES chunks)
 * e.g. python3 /work/shared/bench/gen_container_logs.py /tmp/strata-bench
 *      java -cp ... dev.strata.parse.bench.ParserBenchmark docker_json_log /tmp/strata-bench/docker.log
 *      java -cp ... dev.strata.parse.bench.ParserBenchmark cri_log /tmp/strata-bench/cri.log --max-mb 450
 * </pre>
 *
 * Baselines, per non-blank line: "tree" = ObjectMapper.readTree (a JsonNode per record); "skip" = a streaming
 * parser that reads the root token and skipChildren(). Baselines and parser run interleaved chunk by chunk and are
 * timed in thread CPU time (the machine is shared and noisy: CPU time and the ratio are the figures that hold);
 * medians over the rounds are reported, and the parser's wall-clock rate next to them.
 *
 * <p>For {@code cri_log} (text, not JSON) the baselines are "split" = a bare tail: each line cut into its four
 * fields (timestamp, stream, tag, content) and P pieces joined into records by counting (no strings made), and
 * "lines" = a newline scan; records = F lines + P pieces still open at the end of a chunk (the P/F-joined count the
 * Fluent Bit anchor uses). "ratio vs tree" then means vs split.
 */
public final class ParserBenchmark {

  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println("usage: ParserBenchmark FORMAT FILE [--max-mb N] [--rounds N] [--chunk-kib N]");
      System.exit(2);
    }
    String format = args[0];
    Path file = Path.of(args[1]);
    long maxMb = 256;
    int rounds = 5;
    int chunkKib = 512;
    for (int i = 2; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--max-mb" -> maxMb = Long.parseLong(args[i + 1]);
        case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
        case "--chunk-kib" -> chunkKib = Integer.parseInt(args[i + 1]);
        default -> throw new IllegalArgumentException(args[i]);
      }
    }
    byte[] content = readUpTo(file, maxMb << 20);
    List<RawArtifactChunk> chunks =
        Chunks.lines(content, format, "bench/" + file.getFileName(), chunkKib << 10);
    System.out.printf(
        Locale.ROOT,
        "format=%s file=%s bytes=%,d chunks=%d (LINES, %d KiB) rounds=%d java=%s%n",
        format, file, content.length, chunks.size(), chunkKib, rounds, System.getProperty("java.version"));

    ObjectMapper mapper = new ObjectMapper();
    ChunkParser parser = new ChunkParser(ParserRegistry.defaults());
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    boolean cri = format.equals("cri_log");
    String nameA = cri ? "split" : "tree", nameB = cri ? "lines" : "skip";
    double[] tree = new double[rounds], skip = new double[rounds], ours = new double[rounds];
    double[] oursWall = new double[rounds];
    long records = 0, events = 0, dead = 0;
    for (int r = -1; r < rounds; r++) { // round -1 = warm-up
      long cTree = 0, cSkip = 0, cOurs = 0, wOurs = 0, n = 0;
      Counter out = new Counter();
      // interleaved chunk by chunk, timed in thread CPU time: load from other processes hits all three alike
      for (RawArtifactChunk c : chunks) {
        byte[] b = Payloads.bytes(c);
        long t0 = mx.getCurrentThreadCpuTime();
        n += cri ? baselineCriSplit(b) : baselineTree(mapper, b);
        long t1 = mx.getCurrentThreadCpuTime();
        if (cri) {
          out.sink += baselineLines(b);
        } else {
          baselineSkip(mapper, b);
        }
        long t2 = mx.getCurrentThreadCpuTime();
        long w2 = System.nanoTime();
        parser.parse(c, out);
        long w3 = System.nanoTime();
        long t3 = mx.getCurrentThreadCpuTime();
        cTree += t1 - t0;
        cSkip += t2 - t1;
        cOurs += t3 - t2;
        wOurs += w3 - w2;
      }
      records = n;
      events = out.events;
      dead = out.dead;
      if (r < 0) continue;
      tree[r] = n / (cTree / 1e9);
      skip[r] = n / (cSkip / 1e9);
      ours[r] = n / (cOurs / 1e9);
      oursWall[r] = n / (wOurs / 1e9);
      System.out.printf(
          Locale.ROOT,
          "round %d (cpu time): %s %.0f rec/s, %s %.0f rec/s, %s %.0f rec/s (wall %.0f), ratio vs %s %.2f%n",
          r, nameA, tree[r], nameB, skip[r], format, ours[r], oursWall[r], nameA, ours[r] / tree[r]);
    }
    double mbPerRec = content.length / 1e6 / records;
    double mTree = median(tree), mSkip = median(skip), mOurs = median(ours), mWall = median(oursWall);
    double[] ratios = new double[rounds];
    for (int r = 0; r < rounds; r++) ratios[r] = ours[r] / tree[r];
    System.out.printf(Locale.ROOT, "records=%,d events=%,d dead_letters=%,d%n", records, events, dead);
    System.out.printf(Locale.ROOT, "medians of %d rounds, records/s per core (thread CPU time):%n", rounds);
    System.out.printf(
        Locale.ROOT, "baseline %-17s: %,10.0f records/s %7.1f MB/s%n", cri ? "line split+join" : "jackson readTree",
        mTree, mTree * mbPerRec);
    System.out.printf(
        Locale.ROOT, "baseline %-17s: %,10.0f records/s %7.1f MB/s%n", cri ? "newline scan" : "jackson skip",
        mSkip, mSkip * mbPerRec);
    System.out.printf(
        Locale.ROOT, "strata %-18s : %,10.0f records/s %7.1f MB/s (wall clock %,.0f records/s)%n", format, mOurs,
        mOurs * mbPerRec, mWall);
    System.out.printf(
        Locale.ROOT, "ratio vs %s %.2f (median of per-round ratios %.2f), vs %s %.2f%n", cri ? "split" : "readTree",
        mOurs / mTree, median(ratios), nameB, mOurs / mSkip);
  }

  private static double median(double[] v) {
    double[] c = v.clone();
    java.util.Arrays.sort(c);
    return c.length % 2 == 1 ? c[c.length / 2] : (c[c.length / 2 - 1] + c[c.length / 2]) / 2;
  }

  private static byte[] readUpTo(Path file, long max) throws Exception {
    byte[] all;
    try (var in = Files.newInputStream(file)) {
      all = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 16, max));
    }
    int end = all.length;
    while (end > 0 && all[end - 1] != '\n') end--; // whole lines only
    return end == all.length ? all : java.util.Arrays.copyOf(all, end);
  }

  private static long baselineTree(ObjectMapper m, byte[] b) throws Exception {
    long n = 0;
    int i = 0;
    while (i < b.length) {
      int nl = i;
      while (nl < b.length && b[nl] != '\n') nl++;
      if (nl > i) {
        try (JsonParser p = m.getFactory().createParser(b, i, nl - i)) {
          JsonNode node = m.readTree(p);
          if (node != null) n++;
        }
      }
      i = nl + 1;
    }
    return n;
  }

  /** CRI baseline: the four fields of every line found, P/F joined per stream by counting; returns records. */
  private static long baselineCriSplit(byte[] b) {
    long n = 0;
    boolean openOut = false, openErr = false;
    int i = 0;
    while (i < b.length) {
      int nl = Bytes.indexOfNewline(b, i, b.length);
      int end = nl < 0 ? b.length : nl;
      int sp1 = Bytes.indexOf(b, (byte) ' ', i, end);
      int sp2 = sp1 < 0 ? -1 : Bytes.indexOf(b, (byte) ' ', sp1 + 1, end);
      int sp3 = sp2 < 0 ? -1 : Bytes.indexOf(b, (byte) ' ', sp2 + 1, end);
      if (sp3 > 0) {
        boolean err = b[sp1 + 4] == 'e';
        if (b[sp2 + 1] == 'F') {
          n++;
          if (err) openErr = false; else openOut = false;
        } else if (err) {
          openErr = true;
        } else {
          openOut = true;
        }
      }
      if (nl < 0) break;
      i = nl + 1;
    }
    return n + (openOut ? 1 : 0) + (openErr ? 1 : 0);
  }

  private static long baselineLines(byte[] b) {
    return Bytes.countNewlines(b, 0, b.length);
  }

  private static long baselineSkip(ObjectMapper m, byte[] b) throws Exception {
    long n = 0;
    int i = 0;
    while (i < b.length) {
      int nl = i;
      while (nl < b.length && b[nl] != '\n') nl++;
      if (nl > i) {
        try (JsonParser p = m.getFactory().createParser(b, i, nl - i)) {
          if (p.nextToken() == JsonToken.START_OBJECT) {
            p.skipChildren();
            n++;
          }
        }
      }
      i = nl + 1;
    }
    return n;
  }

  private static final class Counter implements ChunkOutput {
    long events;
    long dead;
    long sink;

    @Override
    public void event(EvidenceEvent e) {
      events++;
      sink += e.getEventId().hashCode();
    }

    @Override
    public void deadLetter(DeadLetter d) {
      dead++;
    }
  }
}
