package dev.strata.parse.bench;

import dev.strata.parse.testing.Chunks;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.raw.RawArtifactChunk;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Two builds of the parsers in one JVM, on the same chunks, interleaved chunk by chunk and timed in thread CPU time:
 * a before/after speedup that holds on a loaded machine, where the ratio of {@link ParserBenchmark} to its
 * same-run Jackson baseline moves by ±0.05 from run to run (the figure the targets name stays that ratio).
 *
 * <pre>
 * usage: ParserAbBenchmark FORMAT FILE BEFORE_DIR [--rounds N] [--warmup N] [--max-mb N]
 *   BEFORE_DIR  the older build's processing/parsers/target (its classes/ and test-classes/ are read), e.g. from
 *               git worktree add /tmp/old COMMIT; cd /tmp/old; ./mvnw -o -q -pl processing/parsers -am test-compile
 *   "after" is the build on this classpath. FILE is JSON Lines (or a text log), fed as 512 KiB LINES chunks.
 * </pre>
 *
 * Prints per round the CPU time of each build and before/after; the median of those is the speedup.
 */
public final class ParserAbBenchmark {

  public static void main(String[] args) throws Exception {
    if (args.length < 3) {
      System.err.println("usage: ParserAbBenchmark FORMAT FILE BEFORE_DIR [--rounds N] [--warmup N] [--max-mb N]");
      System.exit(2);
    }
    String format = args[0];
    Path file = Path.of(args[1]);
    Path before = Path.of(args[2]);
    int rounds = 7;
    int warmup = 3;
    long maxMb = 40;
    for (int i = 3; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
        case "--warmup" -> warmup = Integer.parseInt(args[i + 1]);
        case "--max-mb" -> maxMb = Long.parseLong(args[i + 1]);
        default -> throw new IllegalArgumentException(args[i]);
      }
    }
    byte[] content = Files.readAllBytes(file);
    if (content.length > maxMb << 20) {
      int end = (int) (maxMb << 20);
      while (end > 0 && content[end - 1] != '\n') end--;
      content = Arrays.copyOf(content, end);
    }
    List<RawArtifactChunk> chunks = Chunks.lines(content, format, "bench/" + file.getFileName(), 512 << 10);
    ClassLoader app = ParserAbBenchmark.class.getClassLoader();
    Build[] builds = {
      new Build(new ParsersFirst(new URL[] {
        before.resolve("classes").toUri().toURL(), before.resolve("test-classes").toUri().toURL()}, app)),
      new Build(app)
    };
    System.out.printf(
        Locale.ROOT, "format=%s file=%s bytes=%,d chunks=%d rounds=%d warmup=%d before=%s%n",
        format, file, content.length, chunks.size(), rounds, warmup, before);
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    double[] speedups = new double[rounds];
    for (int r = -warmup; r < rounds; r++) {
      long[] cpu = new long[2];
      for (RawArtifactChunk c : chunks) {
        for (int j = 0; j < 2; j++) {
          int k = j ^ (r & 1); // alternate which build goes first
          long t0 = mx.getCurrentThreadCpuTime();
          builds[k].parse(c);
          cpu[k] += mx.getCurrentThreadCpuTime() - t0;
        }
      }
      if (r < 0) continue;
      speedups[r] = (double) cpu[0] / cpu[1];
      System.out.printf(
          Locale.ROOT, "round %d (cpu time): before %.0f ms, after %.0f ms, before/after %.3f%n",
          r, cpu[0] / 1e6, cpu[1] / 1e6, speedups[r]);
    }
    if (builds[0].sink != builds[1].sink || builds[0].events != builds[1].events) {
      System.out.printf(Locale.ROOT, "WARNING: the builds gave different event ids (%d vs %d events)%n",
          builds[0].events, builds[1].events);
    }
    double[] s = speedups.clone();
    Arrays.sort(s);
    System.out.printf(
        Locale.ROOT, "%s speedup (before/after CPU time) median %.3f, min %.3f, max %.3f; %,d events per round%n",
        format, s[rounds / 2], s[0], s[rounds - 1], builds[1].events / (rounds + warmup));
  }

  /** One build: a ChunkParser with the default registry, driven by reflection; counts events and hashes ids. */
  private static final class Build {
    private final Object parser;
    private final Method parse;
    private final Object out;
    long events;
    long sink;

    Build(ClassLoader loader) throws Exception {
      Class<?> registry = loader.loadClass("dev.strata.parse.ParserRegistry");
      Class<?> chunkParser = loader.loadClass("dev.strata.parse.ChunkParser");
      Class<?> output = loader.loadClass("dev.strata.parse.ChunkOutput");
      parser = chunkParser.getConstructor(registry).newInstance(registry.getMethod("defaults").invoke(null));
      parse = chunkParser.getMethod("parse", RawArtifactChunk.class, output);
      out = Proxy.newProxyInstance(loader, new Class<?>[] {output}, (proxy, m, a) -> {
        if (m.getName().equals("event")) {
          events++;
          sink += ((EvidenceEvent) a[0]).getEventId().hashCode(); // what ParserBenchmark's output does
        }
        return null;
      });
    }

    void parse(RawArtifactChunk c) throws Exception {
      parse.invoke(parser, c, out);
    }
  }

  /** Loads dev.strata.parse.* from its own URLs first (the older build); everything else (schemas, Jackson) shared. */
  private static final class ParsersFirst extends URLClassLoader {
    ParsersFirst(URL[] urls, ClassLoader parent) {
      super(urls, parent);
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      if (!name.startsWith("dev.strata.parse.")) return super.loadClass(name, resolve);
      synchronized (getClassLoadingLock(name)) {
        Class<?> c = findLoadedClass(name);
        if (c == null) {
          try {
            c = findClass(name);
          } catch (ClassNotFoundException e) {
            c = super.loadClass(name, false);
          }
        }
        if (resolve) resolveClass(c);
        return c;
      }
    }
  }
}
