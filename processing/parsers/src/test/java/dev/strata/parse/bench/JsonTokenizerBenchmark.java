package dev.strata.parse.bench;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.parse.Json;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The tokenizer alone (issue 4's gate for a tokenizer under the JSON parsers): a full token walk of JSON Lines
 * taking every member name and string value as a String (numbers and literals as their token only) by the
 * experimental {@link Utf8JsonParser} and by Jackson's {@code UTF8StreamJsonParser} ({@code currentName} /
 * {@code getText}), next to Jackson's {@code readTree} of the same bytes (the ParserBenchmark baseline) and a
 * "floor": no tokenizer, only the least any walk must do (find the quoted strings 8 bytes at a time and make a String
 * of each value). Before timing, both parsers' token streams over every line are compared (token, name, text,
 * number type and value, token and read positions). The four readers take turns line block by line block (256 KiB,
 * the first reader of a block rotating, since it pulls the block into the cache), timed in thread CPU time; the
 * figures are medians of the rounds and of the per-round ratios.
 *
 * <pre>
 * usage: JsonTokenizerBenchmark FILE [--max-mb N] [--rounds N] [--warmup N]
 *   -Dtake=names  take names but not string values; -Dtake=none  tokens only
 * e.g. python3 bench/gen_supply_chain.py /tmp/strata-bench
 *      taskset -c 1 java -Xmx2g -XX:+UseParallelGC -XX:ParallelGCThreads=1 -cp ... \
 *        dev.strata.parse.bench.JsonTokenizerBenchmark /tmp/strata-bench/spdx.jsonl --max-mb 15 --rounds 7
 * </pre>
 */
public final class JsonTokenizerBenchmark {

  /** -Dtake=names (no string values) or -Dtake=none (tokens only) to see the parts; default: both */
  private static final String TAKE = System.getProperty("take", "all");
  private static final boolean TAKE_NAMES = !TAKE.equals("none");
  private static final boolean TAKE_STRINGS = TAKE.equals("all");

  public static void main(String[] args) throws Exception {
    Path file = Path.of(args[0]);
    long maxMb = 32;
    int rounds = 7;
    int warmup = 3;
    for (int i = 1; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--max-mb" -> maxMb = Long.parseLong(args[i + 1]);
        case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
        case "--warmup" -> warmup = Integer.parseInt(args[i + 1]);
        default -> throw new IllegalArgumentException(args[i]);
      }
    }
    byte[] content;
    try (var in = Files.newInputStream(file)) {
      content = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 16, maxMb << 20));
    }
    int end = content.length;
    while (end > 0 && content[end - 1] != '\n') end--;
    int[] lines = lineStarts(content, end);
    System.out.printf(
        Locale.ROOT, "file=%s bytes=%,d lines=%,d rounds=%d warmup=%d java=%s%n",
        file, end, lines.length - 1, rounds, warmup, System.getProperty("java.version"));
    checkSameTokens(content, lines);
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    double[] ours = new double[rounds], jackson = new double[rounds], tree = new double[rounds];
    double[] floor = new double[rounds];
    long sink = 0;
    for (int r = -warmup; r < rounds; r++) {
      long cOurs = 0, cJackson = 0, cTree = 0, cFloor = 0;
      int li = 0, block = 0;
      while (li < lines.length - 1) {
        int lj = li;
        while (lj < lines.length - 1 && lines[lj] - lines[li] < (256 << 10)) lj++;
        // the reader that goes first pulls the block into the cache: rotate who goes first
        long[] cpu = new long[4];
        for (int i = 0; i < 4; i++) {
          int who = (block + i) % 4;
          long t0 = mx.getCurrentThreadCpuTime();
          sink += read(who, content, lines, li, lj);
          cpu[who] += mx.getCurrentThreadCpuTime() - t0;
        }
        block++;
        cOurs += cpu[0];
        cJackson += cpu[1];
        cTree += cpu[2];
        cFloor += cpu[3];
        li = lj;
      }
      if (r < 0) continue;
      double mb = end / 1e6;
      ours[r] = mb / (cOurs / 1e9);
      jackson[r] = mb / (cJackson / 1e9);
      tree[r] = mb / (cTree / 1e9);
      floor[r] = mb / (cFloor / 1e9);
      System.out.printf(
          Locale.ROOT, "round %d (MB/s cpu): utf8 walk %.1f, jackson getText walk %.1f, readTree %.1f, floor %.1f;"
              + " utf8/jackson %.2f, utf8/readTree %.2f, jackson/readTree %.2f%n",
          r, ours[r], jackson[r], tree[r], floor[r], ours[r] / jackson[r], ours[r] / tree[r], jackson[r] / tree[r]);
    }
    double[] vsJackson = new double[rounds], vsTree = new double[rounds], jVsTree = new double[rounds];
    double[] floorVsJackson = new double[rounds];
    for (int r = 0; r < rounds; r++) {
      vsJackson[r] = ours[r] / jackson[r];
      vsTree[r] = ours[r] / tree[r];
      jVsTree[r] = jackson[r] / tree[r];
      floorVsJackson[r] = floor[r] / jackson[r];
    }
    System.out.printf(
        Locale.ROOT, "medians: utf8 walk %.1f MB/s, jackson walk %.1f MB/s, readTree %.1f MB/s, floor %.1f MB/s%n",
        median(ours), median(jackson), median(tree), median(floor));
    System.out.printf(
        Locale.ROOT, "median per-round ratios: utf8/jackson walk %.2f, utf8/readTree %.2f, jackson walk/readTree %.2f,"
            + " floor/jackson walk %.2f (sink %d)%n",
        median(vsJackson), median(vsTree), median(jVsTree), median(floorVsJackson), sink & 1);
  }

  /**
   * Lines [li, lj) read by 0 = the UTF-8 walk, 1 = Jackson's walk, 2 = Jackson's readTree, 3 = the floor: no
   * tokenizer, only what any walk must do at least (find the quoted strings 8 bytes at a time, make a String of
   * each that is not a member name; no escapes in the benchmark files, no validation, no tokens, no context).
   */
  private static long read(int who, byte[] content, int[] lines, int li, int lj) throws java.io.IOException {
    long sink = 0;
    for (int k = li; k < lj; k++) {
      int off = lines[k], len = lines[k + 1] - 1 - lines[k];
      if (who == 0) {
        sink += walk(ours(content, off, len));
      } else if (who == 1) {
        sink += walk(Json.FACTORY.createParser(content, off, len));
      } else if (who == 3) {
        sink += floor(content, off, off + len);
      } else {
        try (JsonParser p = Json.FACTORY.createParser(content, off, len)) {
          JsonNode n = Json.MAPPER.readTree(p);
          if (n != null) sink++;
        }
      }
    }
    return sink;
  }

  private static final java.lang.invoke.VarHandle LONGS =
      java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);

  private static long floor(byte[] b, int from, int to) {
    long sink = 0;
    int p = from;
    while (true) {
      p = quote(b, p, to);
      if (p >= to) return sink;
      int e = quote(b, p + 1, to);
      if (e >= to) return sink;
      if (e + 1 < to && b[e + 1] == ':') sink++;
      else sink += new String(b, p + 1, e - p - 1, java.nio.charset.StandardCharsets.ISO_8859_1).length();
      p = e + 1;
    }
  }

  /** The index of the next quote at or after p, or to. */
  private static int quote(byte[] b, int p, int to) {
    for (; p + 8 <= to; p += 8) {
      long q = (long) LONGS.get(b, p) ^ 0x2222222222222222L;
      long m = (q - 0x0101010101010101L) & ~q & 0x8080808080808080L;
      if (m != 0) return p + (Long.numberOfTrailingZeros(m) >>> 3);
    }
    while (p < to && b[p] != '"') p++;
    return p;
  }

  private static JsonParser ours(byte[] b, int off, int len) {
    return new Utf8JsonParser(
        b, off, len, Json.FACTORY.getParserFeatures(), Json.FACTORY.streamReadConstraints(), Json.FACTORY.getCodec());
  }

  /**
   * Both parsers' token streams over every line, compared before anything is timed: token, name, text, number
   * type and value, token start and read position (byte offset, line, column).
   */
  private static void checkSameTokens(byte[] content, int[] lines) throws java.io.IOException {
    long tokens = 0;
    for (int k = 0; k + 1 < lines.length; k++) {
      int off = lines[k], len = lines[k + 1] - 1 - lines[k];
      try (JsonParser a = ours(content, off, len);
          JsonParser b = Json.FACTORY.createParser(content, off, len)) {
        while (true) {
          JsonToken t = a.nextToken();
          String sa = describe(a, t), sb = describe(b, b.nextToken());
          if (!sa.equals(sb)) {
            throw new IllegalStateException("line " + (k + 1) + " token " + tokens + ": " + sa + " vs Jackson " + sb);
          }
          tokens++;
          if (t == null) break;
        }
      }
    }
    System.out.printf(Locale.ROOT, "same tokens as Jackson: %,d tokens%n", tokens);
  }

  private static String describe(JsonParser p, JsonToken t) throws java.io.IOException {
    StringBuilder sb = new StringBuilder().append(t).append(' ').append(p.currentName());
    if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
      sb.append(' ').append(p.getNumberType()).append(' ').append(p.getNumberValue());
    }
    var at = p.currentTokenLocation();
    sb.append(" @").append(at.getByteOffset()).append(':').append(at.getLineNr()).append(':').append(at.getColumnNr());
    if (t != null) sb.append(' ').append(p.getText());
    var now = p.currentLocation();
    return sb.append(" now ").append(now.getByteOffset()).append(':').append(now.getColumnNr()).toString();
  }

  /** Every token; names and string values taken as Strings. */
  private static long walk(JsonParser p) throws java.io.IOException {
    long n = 0;
    try (p) {
      JsonToken t;
      while ((t = p.nextToken()) != null) {
        if (t == JsonToken.FIELD_NAME) n += TAKE_NAMES ? p.currentName().length() : 1;
        else if (t == JsonToken.VALUE_STRING) n += TAKE_STRINGS ? p.getText().length() : 1;
        else n++;
      }
    }
    return n;
  }

  private static int[] lineStarts(byte[] b, int end) {
    int n = 0;
    for (int i = 0; i < end; i++) if (b[i] == '\n') n++;
    int[] starts = new int[n + 1];
    int k = 0;
    starts[k++] = 0;
    for (int i = 0; i < end; i++) if (b[i] == '\n') starts[k++] = i + 1;
    return starts;
  }

  private static double median(double[] v) {
    double[] c = v.clone();
    java.util.Arrays.sort(c);
    return c.length % 2 == 1 ? c[c.length / 2] : (c[c.length / 2 - 1] + c[c.length / 2]) / 2;
  }
}
