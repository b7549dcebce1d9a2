package dev.strata.infra.opensearch;

import java.nio.file.Path;
import java.util.List;

/**
 * The settings of the embedded single-node OpenSearch: command-line {@code -E} settings and the
 * {@code jvm.options} file written into its private config directory.
 *
 * @param httpPort REST port on 127.0.0.1
 * @param transportPort transport port on 127.0.0.1
 * @param dataPath {@code path.data}
 * @param logsPath {@code path.logs}
 * @param heap heap size for both {@code -Xms} and {@code -Xmx}, e.g. {@code 512m}
 * @param jit {@link Jit#C1}: C1 only, the quickest start (tests); {@link Jit#TIERED}: C1 then C2, what a long
 *     indexing run wants
 */
public record OpenSearchNodeConfig(
    int httpPort, int transportPort, Path dataPath, Path logsPath, String heap, Jit jit) {

  /** Which JIT compilers the node's JVM uses. */
  public enum Jit {
    /** {@code -XX:TieredStopAtLevel=1}: least compile work at start, slower code. */
    C1,
    /** The JVM's default tiered compilation (C1, then C2 for hot code). */
    TIERED
  }

  public OpenSearchNodeConfig(int httpPort, int transportPort, Path dataPath, Path logsPath, String heap) {
    this(httpPort, transportPort, dataPath, logsPath, heap, Jit.C1);
  }

  /** The base URL of the REST API. */
  public String url() {
    return "http://127.0.0.1:" + httpPort;
  }

  /** The {@code -E} settings passed to {@code bin/opensearch}. */
  public List<String> settingsArguments() {
    return List.of(
        "-Ecluster.name=strata-embedded",
        "-Enode.name=strata-node-1",
        "-Ediscovery.type=single-node",
        "-Enetwork.host=127.0.0.1",
        "-Ehttp.port=" + httpPort,
        "-Etransport.port=" + transportPort,
        "-Epath.data=" + dataPath.toAbsolutePath(),
        "-Epath.logs=" + logsPath.toAbsolutePath(),
        "-Ebootstrap.memory_lock=false",
        "-Ecluster.routing.allocation.disk.threshold_enabled=false");
  }

  /**
   * The {@code jvm.options} file: small heap, serial GC, C1 only unless {@link Jit#TIERED}, no heap pre-touch.
   *
   * @param disableJna add the options that keep JNA from loading, which also skips OpenSearch's refusal to run as
   *     root (no mlockall, no seccomp system-call filter)
   */
  public String jvmOptions(boolean disableJna) {
    StringBuilder out =
        new StringBuilder(
            """
            # written by strata EmbeddedOpenSearch; rewritten at every start
            -Xms%1$s
            -Xmx%1$s
            -XX:+UseSerialGC
            %3$s-XX:-AlwaysPreTouch
            -Djava.io.tmpdir=${OPENSEARCH_TMPDIR}
            -XX:ErrorFile=%2$s/hs_err_pid%%p.log
            18-:-Djava.security.manager=allow
            20-:--add-modules=jdk.incubator.vector
            -Djava.util.concurrent.ForkJoinPool.common.threadFactory=org.opensearch.secure_sm.SecuredForkJoinWorkerThreadFactory
            """
                .formatted(heap, logsPath.toAbsolutePath(), jit == Jit.TIERED ? "" : "-XX:TieredStopAtLevel=1\n"));
    if (disableJna) {
      out.append("# root without a usable unprivileged user: keep JNA from loading (skips the root check)\n")
          .append("-Djna.nosys=true\n")
          .append("-Djna.nounpack=true\n")
          .append("-Djna.boot.library.path=/nonexistent\n");
    }
    return out.toString();
  }
}
