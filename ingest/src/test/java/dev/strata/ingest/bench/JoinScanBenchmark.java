package dev.strata.ingest.bench;

import dev.strata.ingest.chunk.Chunker;
import dev.strata.ingest.chunk.RecordArrays;
import dev.strata.ingest.chunk.RecordArraysBoundaryScanner;
import dev.strata.ingest.recognize.CycloneDxSbomRecognizer;
import java.io.ByteArrayInputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * What joining CycloneDX findings and dependencies to their components costs the collector: pass 1 (boundaries,
 * context, per-chunk headers) over one generated CycloneDX BOM (syft-like components with properties, nested ones,
 * then with {@code --dependencies} a dependency per component naming two others, then vulnerabilities affecting
 * them), with the recognizer's record arrays with its joins (affected components, and with {@code --dependencies}
 * component dependencies too) and the same arrays without them, alternating in one JVM; thread CPU time per round,
 * median MB/s and the ratio with/without.
 *
 * <pre>
 * mvn -o -q -pl ingest test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/ingest.cp
 * taskset -c 1 java -cp ingest/target/test-classes:ingest/target/classes:$(cat /tmp/ingest.cp) \
 *      dev.strata.ingest.bench.JoinScanBenchmark [components] [rounds] [--dependencies]
 * </pre>
 */
public final class JoinScanBenchmark {
  private JoinScanBenchmark() {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 7;
    boolean dependencies = Arrays.asList(args).contains("--dependencies");
    byte[] bom = bom(n, dependencies);
    RecordArrays plain = RecordArrays.of("components", "services", "dependencies", "vulnerabilities");
    RecordArrays joined = plain.withJoin(CycloneDxSbomRecognizer.AFFECTED_COMPONENTS);
    if (dependencies) joined = joined.withJoin(CycloneDxSbomRecognizer.COMPONENT_DEPENDENCIES);
    Chunker chunker = new Chunker(4 << 20, 4 << 20);
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    double[] without = new double[rounds];
    double[] with = new double[rounds];
    for (int r = -2; r < rounds; r++) { // two warm-up rounds
      for (int k = 0; k < 2; k++) {
        boolean join = (r + k) % 2 == 0;
        long t0 = cpu.getCurrentThreadCpuTime();
        var plan = chunker.plan(new ByteArrayInputStream(bom), new RecordArraysBoundaryScanner(join ? joined : plain));
        double s = (cpu.getCurrentThreadCpuTime() - t0) / 1e9;
        if (plan.count() < 2) throw new IllegalStateException("not split");
        if (r >= 0) (join ? with : without)[r] = bom.length / 1e6 / s;
      }
    }
    Arrays.sort(without);
    Arrays.sort(with);
    double a = without[rounds / 2];
    double b = with[rounds / 2];
    System.out.printf("CycloneDX BOM %.1f MB, %d components%s: without join %.1f MB/s, with join %.1f MB/s (median of "
        + "%d, thread CPU), ratio %.2f%n", bom.length / 1e6, n, dependencies ? " and dependencies" : "", a, b, rounds,
        b / a);
  }

  /**
   * n components (every 10th with a nested one), then (if asked) a dependency per component naming two others, then
   * n/2 vulnerabilities each affecting a component.
   */
  static byte[] bom(int n, boolean dependencies) {
    StringBuilder sb = new StringBuilder(n * 700);
    sb.append("{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.5\",\"metadata\":{\"component\":{\"bom-ref\":\"img\","
        + "\"type\":\"container\",\"name\":\"registry.example/app\"}},\"components\":[");
    for (int i = 0; i < n; i++) {
      if (i > 0) sb.append(',');
      sb.append("{\"bom-ref\":\"").append(ref(i)).append("\",\"type\":\"library\",\"name\":\"lib-").append(i)
          .append("\",\"version\":\"1.").append(i).append("\",\"licenses\":[{\"license\":{\"id\":\"MIT\"}}],"
              + "\"purl\":\"pkg:npm/lib-").append(i).append("@1.").append(i).append("\",\"properties\":["
              + "{\"name\":\"syft:package:foundBy\",\"value\":\"javascript-package-cataloger\"},"
              + "{\"name\":\"syft:package:type\",\"value\":\"npm\"},{\"name\":\"syft:location:0:path\",\"value\":"
              + "\"/app/node_modules/lib-").append(i).append("/package.json\"}]");
      if (i % 10 == 0) {
        sb.append(",\"components\":[{\"bom-ref\":\"nested-").append(i).append("\",\"name\":\"n\",\"version\":\"1\"}]");
      }
      sb.append('}');
    }
    sb.append(']');
    if (dependencies) {
      sb.append(",\"dependencies\":[");
      for (int i = 0; i < n; i++) {
        if (i > 0) sb.append(',');
        sb.append("{\"ref\":\"").append(ref(i)).append("\",\"dependsOn\":[\"").append(ref((i * 7 + 1) % n))
            .append("\",\"").append(ref((i * 13 + 3) % n)).append("\"]}");
      }
      sb.append(']');
    }
    sb.append(",\"vulnerabilities\":[");
    for (int v = 0; v < n / 2; v++) {
      int c = (v * 31) % n;
      if (v > 0) sb.append(',');
      sb.append("{\"bom-ref\":\"v").append(v).append("\",\"id\":\"CVE-2026-").append(10000 + v).append("\","
          + "\"source\":{\"name\":\"NVD\"},\"ratings\":[{\"score\":7.5,\"severity\":\"high\",\"method\":\"CVSSv31\"}],"
          + "\"affects\":[{\"ref\":\"").append(ref(c)).append("\"}]}");
    }
    return sb.append("]}").toString().getBytes(StandardCharsets.UTF_8);
  }

  private static String ref(int i) {
    return "pkg:npm/lib-" + i + "@1." + i + "?package-id=" + Integer.toHexString(i * 7919);
  }
}
