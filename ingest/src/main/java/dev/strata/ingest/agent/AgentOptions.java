package dev.strata.ingest.agent;

import dev.strata.ingest.checkpoint.CheckpointRecord;
import dev.strata.ingest.context.ContextValues;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Settings of a {@link NodeAgent}; validated here, errors name the setting ({@code agent.<key>}).
 *
 * @param collectorId names the agent's transactional id and checkpoints (one per node, stable across restarts)
 * @param nodeRoot where the node's filesystem is (/ on the node, e.g. /host in a container); links are resolved
 *     inside it
 * @param globs files to tail, relative to the node root ({@code *}, {@code ?}, {@code [..]}, {@code {a,b}} per
 *     path segment)
 * @param pollInterval how often files are read (default 250 ms)
 * @param scanInterval how often the globs are expanded again (new, rotated, deleted files; default 1 s)
 * @param linger how long read data may wait for more before its transaction is committed (default 0: every poll
 *     that read something commits)
 * @param maxBatchBytes payload bytes per transaction (default 4 MiB)
 * @param maxSegmentBytes target payload of one segment (default 512 KiB; a longer line makes a longer segment)
 * @param maxLineBytes longest line kept whole (default 4 MiB); a longer one is published as its first maxLineBytes
 *     with {@code truncated_record = true}, the rest up to its newline is skipped
 * @param closeInactive a file no longer at a watched path (rotated away or deleted) is closed after being idle at its
 *     end this long (default 5 s)
 * @param progressEvery period of the progress line (default 10 s; zero = never)
 * @param context host, cluster, cloud values stamped on every segment (path layout hints win, as in the collector)
 * @param checkpointFile local copy of the positions (cache / offline inspection), or null
 * @param runId chain-of-custody run id (default: a new UUID per start)
 */
public record AgentOptions(
    String collectorId,
    Path nodeRoot,
    List<String> globs,
    Duration pollInterval,
    Duration scanInterval,
    Duration linger,
    int maxBatchBytes,
    int maxSegmentBytes,
    int maxLineBytes,
    Duration closeInactive,
    Duration progressEvery,
    ContextValues context,
    Path checkpointFile,
    String runId) {

  /** The files a node agent tails unless told otherwise. */
  public static final List<String> DEFAULT_GLOBS =
      List.of(
          "var/log/pods/*/*/*.log",
          "var/log/containers/*.log",
          "var/lib/docker/containers/*/*-json.log",
          "var/log/audit/kube-apiserver*.log",
          "var/log/kubernetes/audit.log",
          "var/log/kubernetes/audit/*.log",
          "var/log/kube-apiserver/audit.log",
          "var/log/falco/*.json",
          "var/log/falco/*.log",
          "var/log/falco_events.json",
          "var/log/tetragon/*.log",
          "var/run/cilium/tetragon/*.log");

  public AgentOptions {
    try {
      CheckpointRecord.requireCollectorId(collectorId);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("agent.collector_id: " + e.getMessage());
    }
    Objects.requireNonNull(nodeRoot, "agent.node_root");
    nodeRoot = nodeRoot.toAbsolutePath().normalize();
    if (globs == null || globs.isEmpty()) {
      throw new IllegalArgumentException("agent.globs: at least one glob is needed");
    }
    globs = globs.stream().map(g -> g.startsWith("/") ? g.substring(1) : g).toList();
    for (String g : globs) {
      if (g.isBlank() || g.contains("..")) {
        throw new IllegalArgumentException("agent.globs: '" + g + "' must be a non-empty path without '..'");
      }
    }
    pollInterval = positive(pollInterval, "agent.poll_interval");
    scanInterval = positive(scanInterval, "agent.scan_interval");
    linger = nonNegative(linger, "agent.linger");
    closeInactive = nonNegative(closeInactive, "agent.close_inactive");
    progressEvery = nonNegative(progressEvery, "agent.progress_every");
    if (maxSegmentBytes < 1024) {
      throw new IllegalArgumentException("agent.max_segment_bytes: at least 1024, got " + maxSegmentBytes);
    }
    if (maxLineBytes < maxSegmentBytes) {
      throw new IllegalArgumentException("agent.max_line_bytes (" + maxLineBytes
          + ") must be at least agent.max_segment_bytes (" + maxSegmentBytes + ")");
    }
    if (maxBatchBytes < maxLineBytes) {
      throw new IllegalArgumentException("agent.max_batch_bytes (" + maxBatchBytes
          + ") must be at least agent.max_line_bytes (" + maxLineBytes + ")");
    }
    if (maxBatchBytes > 64 * 1024 * 1024) {
      throw new IllegalArgumentException("agent.max_batch_bytes: at most 64 MiB, got " + maxBatchBytes);
    }
    context = context == null ? ContextValues.EMPTY : context;
  }

  private static Duration positive(Duration d, String key) {
    Objects.requireNonNull(d, key);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(key + ": must be positive, got " + d);
    }
    return d;
  }

  private static Duration nonNegative(Duration d, String key) {
    Objects.requireNonNull(d, key);
    if (d.isNegative()) {
      throw new IllegalArgumentException(key + ": must not be negative, got " + d);
    }
    return d;
  }

  public static Builder builder(String collectorId) {
    return new Builder(collectorId);
  }

  /** Builder with the defaults documented on the record. */
  public static final class Builder {
    private final String collectorId;
    private Path nodeRoot = Path.of("/");
    private List<String> globs = DEFAULT_GLOBS;
    private Duration pollInterval = Duration.ofMillis(250);
    private Duration scanInterval = Duration.ofSeconds(1);
    private Duration linger = Duration.ZERO;
    private int maxBatchBytes = 4 * 1024 * 1024;
    private int maxSegmentBytes = 512 * 1024;
    private int maxLineBytes = 4 * 1024 * 1024;
    private Duration closeInactive = Duration.ofSeconds(5);
    private Duration progressEvery = Duration.ofSeconds(10);
    private ContextValues context = ContextValues.EMPTY;
    private Path checkpointFile;
    private String runId;

    private Builder(String collectorId) {
      this.collectorId = collectorId;
    }

    public Builder nodeRoot(Path v) { nodeRoot = v; return this; }
    public Builder globs(List<String> v) { globs = List.copyOf(v); return this; }
    public Builder pollInterval(Duration v) { pollInterval = v; return this; }
    public Builder scanInterval(Duration v) { scanInterval = v; return this; }
    public Builder linger(Duration v) { linger = v; return this; }
    public Builder maxBatchBytes(int v) { maxBatchBytes = v; return this; }
    public Builder maxSegmentBytes(int v) { maxSegmentBytes = v; return this; }
    public Builder maxLineBytes(int v) { maxLineBytes = v; return this; }
    public Builder closeInactive(Duration v) { closeInactive = v; return this; }
    public Builder progressEvery(Duration v) { progressEvery = v; return this; }
    public Builder context(ContextValues v) { context = v; return this; }
    public Builder checkpointFile(Path v) { checkpointFile = v; return this; }
    public Builder runId(String v) { runId = v; return this; }

    public AgentOptions build() {
      return new AgentOptions(collectorId, nodeRoot, globs, pollInterval, scanInterval, linger, maxBatchBytes,
          maxSegmentBytes, maxLineBytes, closeInactive, progressEvery, context, checkpointFile, runId);
    }
  }
}
