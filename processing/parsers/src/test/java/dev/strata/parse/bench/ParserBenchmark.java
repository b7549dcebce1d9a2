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
 * usage: ParserBenchmark FORMAT FILE [--max-mb N] [--rounds N] [--warmup N] [--chunk-kib N]
 *   --warmup N  untimed rounds first (default 1); small inputs need more for the JIT to finish
 *   FORMAT  docker_json_log | k8s_audit | aws_cloudtrail (the file is JSON Lines, fed as LINES chunks)
 *           | spdx_sbom | cyclonedx_sbom | syft_sbom | grype_scan | cosign_verify (JSON Lines of whole documents,
 *             one record = one document, many events each; data: bench/gen_supply_chain.py)
 *           | cri_log (a CRI text log, fed as LINES chunks)
 *           | docker_events, docker_inspect (JSON lines: Jackson baselines)
 *           | docker_daemon_log, containerd_daemon_log, crio_daemon_log, docker_diff (text lines: "split" =
 *             non-blank lines found, "lines" = newline scan; daemon logs: bench/gen_runtime_daemon_logs.py)
 *           | docker_local_log (binary frames fed as LENGTH_PREFIXED chunks cut after whole frames: "frames" = a walk
 *             over the frame lengths checking each trailer, "bytes" = a plain sum over the bytes)
 *           | aws_vpc_flow (a VPC flow log with its header line; FILE "gen:N" generates N default-format records;
 *             every chunk carries the header as format_header, as the collector sends them)
 *           | podman_events, overlay_upper_changes (JSON Lines; inputs from PodmanBenchData)
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
 *
 * <p>For {@code aws_vpc_flow} "split" = a plain line split of the same bytes (every line cut at its spaces into
 * fields, no strings made), "lines" = a newline scan; records = lines that are not the header.
 */
public final class ParserBenchmark {

  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println(
          "usage: ParserBenchmark FORMAT FILE [--max-mb N] [--rounds N] [--warmup N] [--chunk-kib N]");
      System.exit(2);
    }
    String format = args[0];
    Path file = Path.of(args[1]);
    long maxMb = 256;
    int rounds = 5;
    int warmup = 1;
    int chunkKib = 512;
    for (int i = 2; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--max-mb" -> maxMb = Long.parseLong(args[i + 1]);
        case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
        case "--warmup" -> warmup = Integer.parseInt(args[i + 1]);
        case "--chunk-kib" -> chunkKib = Integer.parseInt(args[i + 1]);
        default -> throw new IllegalArgumentException(args[i]);
      }
    }
    boolean vpc = format.equals("aws_vpc_flow");
    boolean frames = format.equals("docker_local_log");
    boolean dtext = format.endsWith("_daemon_log") || format.equals("docker_diff");
    byte[] content = args[1].startsWith("gen:") ? generateVpcFlow(Integer.parseInt(args[1].substring(4)))
        : frames ? readFramesUpTo(file, maxMb << 20) : readUpTo(file, maxMb << 20);
    List<RawArtifactChunk> chunks =
        frames
            ? frameChunks(content, format, "bench/" + file.getFileName(), chunkKib << 10)
            : Chunks.lines(content, format, "bench/" + file.getFileName(), chunkKib << 10);
    if (vpc) {
      int nl = Bytes.indexOfNewline(content, 0, content.length);
      String header = new String(content, 0, nl, java.nio.charset.StandardCharsets.US_ASCII);
      chunks = chunks.stream().map(c -> RawArtifactChunk.newBuilder(c).setFormatHeader(header).build()).toList();
    }
    System.out.printf(
        Locale.ROOT,
        "format=%s file=%s bytes=%,d chunks=%d (LINES, %d KiB) rounds=%d warmup=%d java=%s%n",
        format, file, content.length, chunks.size(), chunkKib, rounds, warmup, System.getProperty("java.version"));

    ObjectMapper mapper = new ObjectMapper();
    ChunkParser parser = new ChunkParser(ParserRegistry.defaults());
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    boolean cri = format.equals("cri_log");
    boolean text = cri || vpc || dtext;
    String nameA = frames ? "frames" : text ? "split" : "tree", nameB = frames ? "bytes" : text ? "lines" : "skip";
    double[] tree = new double[rounds], skip = new double[rounds], ours = new double[rounds];
    double[] oursWall = new double[rounds];
    long records = 0, events = 0, dead = 0;
    for (int r = -warmup; r < rounds; r++) { // rounds below 0 = warm-up
      long cTree = 0, cSkip = 0, cOurs = 0, wOurs = 0, n = 0;
      Counter out = new Counter();
      // interleaved chunk by chunk, timed in thread CPU time: load from other processes hits all three alike
      for (RawArtifactChunk c : chunks) {
        byte[] b = Payloads.bytes(c);
        long t0 = mx.getCurrentThreadCpuTime();
        n += frames ? baselineFrames(b) : dtext ? baselineTextSplit(b) : vpc ? baselineVpcSplit(b)
            : cri ? baselineCriSplit(b) : baselineTree(mapper, b);
        long t1 = mx.getCurrentThreadCpuTime();
        if (frames) {
          out.sink += baselineBytes(b);
        } else if (text) {
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
        Locale.ROOT, "baseline %-17s: %,10.0f records/s %7.1f MB/s%n",
        frames ? "frame walk" : dtext ? "line split" : vpc ? "plain line split" : cri ? "line split+join"
            : "jackson readTree",
        mTree, mTree * mbPerRec);
    System.out.printf(
        Locale.ROOT, "baseline %-17s: %,10.0f records/s %7.1f MB/s%n",
        frames ? "byte sum" : text ? "newline scan" : "jackson skip",
        mSkip, mSkip * mbPerRec);
    System.out.printf(
        Locale.ROOT, "strata %-18s : %,10.0f records/s %7.1f MB/s (wall clock %,.0f records/s)%n", format, mOurs,
        mOurs * mbPerRec, mWall);
    System.out.printf(
        Locale.ROOT, "strata %-18s : %,10.0f events/s (%.2f events per record)%n", format, mOurs * events / records,
        (double) events / records);
    System.out.printf(
        Locale.ROOT, "ratio vs %s %.2f (median of per-round ratios %.2f), vs %s %.2f%n",
        frames ? "frames" : text ? "split" : "readTree",
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

  /** VPC flow baseline: every line cut at its spaces (fields found, nothing made); returns the non-header lines. */
  private static long baselineVpcSplit(byte[] b) {
    long n = 0;
    int i = 0;
    int[] fields = new int[64];
    while (i < b.length) {
      int nl = Bytes.indexOfNewline(b, i, b.length);
      int end = nl < 0 ? b.length : nl;
      int f = 0;
      int s = i;
      while (s < end) {
        int sp = Bytes.indexOf(b, (byte) ' ', s, end);
        int e = sp < 0 ? end : sp;
        fields[f++ & 63] = e;
        s = e + 1;
      }
      if (f > 1 && b[i] != 'v') n++;
      if (nl < 0) break;
      i = nl + 1;
    }
    return n + (fields[0] & 0);
  }

  /** n default-format (version 2) records after the header, addresses/ports/accounts varied like a busy VPC. */
  static byte[] generateVpcFlow(int n) {
    StringBuilder sb = new StringBuilder(n * 110 + 200);
    sb.append("version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end "
        + "action log-status\n");
    java.util.Random r = new java.util.Random(42);
    long t = 1732300000L;
    for (int i = 0; i < n; i++) {
      int eni = r.nextInt(64);
      if (i % 97 == 0) {
        sb.append("2 111122223333 eni-0a1b2c3d4e5f6").append(String.format(Locale.ROOT, "%04x", eni))
            .append(" - - - - - - - ").append(t).append(' ').append(t + 60).append(" - NODATA\n");
        continue;
      }
      boolean in = r.nextBoolean();
      String local = "10.0." + r.nextInt(16) + "." + (1 + r.nextInt(250));
      String remote = r.nextInt(4) == 0 ? "10.1." + r.nextInt(256) + "." + r.nextInt(256)
          : (52 + r.nextInt(100)) + "." + r.nextInt(256) + "." + r.nextInt(256) + "." + r.nextInt(256);
      int eph = 32768 + r.nextInt(28000);
      int svc = new int[] {443, 80, 22, 53, 5432, 6379, 8080}[r.nextInt(7)];
      int proto = svc == 53 ? 17 : r.nextInt(50) == 0 ? 1 : 6;
      long pk = 1 + r.nextInt(500);
      sb.append("2 ").append(r.nextInt(8) == 0 ? "444455556666" : "111122223333").append(" eni-0a1b2c3d4e5f6")
          .append(String.format(Locale.ROOT, "%04x", eni)).append(' ')
          .append(in ? remote : local).append(' ').append(in ? local : remote).append(' ')
          .append(in ? eph : eph).append(' ').append(svc).append(' ').append(proto).append(' ').append(pk).append(' ')
          .append(pk * (40 + r.nextInt(1400))).append(' ').append(t).append(' ').append(t + 1 + r.nextInt(60))
          .append(r.nextInt(10) == 0 ? " REJECT OK\n" : " ACCEPT OK\n");
      if (i % 1000 == 0) t += 60;
    }
    return sb.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  }

  /** Text baseline: the non-blank lines of a chunk, found by a newline scan (no strings made). */
  private static long baselineTextSplit(byte[] b) {
    long n = 0;
    int i = 0;
    while (i < b.length) {
      int nl = Bytes.indexOfNewline(b, i, b.length);
      int end = nl < 0 ? b.length : nl;
      if (end > i && !(end == i + 1 && b[i] == '\r')) n++;
      if (nl < 0) break;
      i = nl + 1;
    }
    return n;
  }

  /** Frame baseline: walk [length][body][length] frames, checking each trailer; returns frames. */
  private static long baselineFrames(byte[] b) {
    long n = 0;
    int i = 0;
    while (i + 8 <= b.length) {
      int len = u32(b, i);
      if (len < 0 || i + 8L + len > b.length || u32(b, i + 4 + len) != len) break;
      i += 8 + len;
      n++;
    }
    return n;
  }

  private static long baselineBytes(byte[] b) {
    long s = 0;
    for (byte x : b) s += x;
    return s;
  }

  private static int u32(byte[] b, int at) {
    return ((b[at] & 0xff) << 24) | ((b[at + 1] & 0xff) << 16) | ((b[at + 2] & 0xff) << 8) | (b[at + 3] & 0xff);
  }

  /** Up to max bytes of whole frames. */
  private static byte[] readFramesUpTo(Path file, long max) throws Exception {
    byte[] all;
    try (var in = Files.newInputStream(file)) {
      all = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 16, max));
    }
    int i = 0;
    while (i + 8 <= all.length) {
      int len = u32(all, i);
      if (len < 0 || i + 8L + len > all.length) break;
      i += 8 + len;
    }
    return i == all.length ? all : java.util.Arrays.copyOf(all, i);
  }

  /** LENGTH_PREFIXED chunks of at most maxBytes, cut after whole frames, as the collector would. */
  private static List<RawArtifactChunk> frameChunks(byte[] content, String format, String origin, int maxBytes) {
    String sha = dev.strata.parse.EventIds.sha256Hex(content);
    List<int[]> cuts = new java.util.ArrayList<>();
    int start = 0;
    int i = 0;
    long records = 0;
    List<Long> firsts = new java.util.ArrayList<>();
    long first = 0;
    while (i < content.length) {
      int next = i + 8 + u32(content, i);
      if (next - start > maxBytes && i > start) {
        cuts.add(new int[] {start, i});
        firsts.add(first);
        start = i;
        first = records;
      }
      i = next;
      records++;
    }
    cuts.add(new int[] {start, content.length});
    firsts.add(first);
    List<RawArtifactChunk> out = new java.util.ArrayList<>();
    for (int k = 0; k < cuts.size(); k++) {
      byte[] payload = java.util.Arrays.copyOfRange(content, cuts.get(k)[0], cuts.get(k)[1]);
      out.add(Chunks.chunk(payload, sha, format, dev.strata.schema.common.Framing.LENGTH_PREFIXED, origin, k,
          cuts.size(), cuts.get(k)[0], 1, firsts.get(k), false, content));
    }
    return out;
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
