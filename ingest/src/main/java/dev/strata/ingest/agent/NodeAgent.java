package dev.strata.ingest.agent;

import dev.strata.ingest.checkpoint.CheckpointFencedException;
import dev.strata.ingest.checkpoint.Position;
import dev.strata.ingest.context.ContextResolver;
import dev.strata.ingest.publish.PublishException;
import dev.strata.ingest.recognize.ArtifactRecognizer;
import dev.strata.ingest.recognize.ContentSample;
import dev.strata.ingest.recognize.Recognition;
import dev.strata.ingest.recognize.Recognizers;
import dev.strata.schema.common.CollectorInfo;
import dev.strata.schema.common.Compression;
import dev.strata.schema.common.Framing;
import dev.strata.schema.raw.ChunkInfo;
import dev.strata.schema.raw.RawArtifactChunk;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tails a node's container, audit and runtime-security logs like a log shipper, exactly once into Kafka.
 *
 * <p>Every poll: expand the watched globs (every scan interval), read the bytes appended to each file up to its last
 * complete line, and publish them, together with the new file positions, in one transaction through a {@link
 * SegmentSink} (a {@link dev.strata.ingest.checkpoint.CheckpointedPublisher}). A restart resumes from the positions
 * committed in Kafka: nothing is lost, nothing is published twice.
 *
 * <p><b>What is published.</b> Each segment (a run of complete lines read from one file in one poll, about {@code
 * max_segment_bytes}) is its own artifact: {@code artifact_sha256 = content_sha256 = chunk.sha256 = SHA-256(segment)},
 * one chunk ({@code index 0, count 1}), {@code framing LINES}, {@code origin} = the file's real path relative to the
 * node root (links resolved, so /var/log/containers/x.log is published as var/log/pods/...), {@code evidence_root} =
 * the node root. {@code chunk.offset} and {@code chunk.first_line} are the segment's byte offset and 1-based line
 * number <em>in the file</em> (not 0/1 in the segment), so parsed events' lineage (byte_offset, line_number) points
 * at the file position, and two identical segments at different offsets get different event ids. Segments end
 * at a record end ({@link RecordEnds}: after a CRI {@code F} line, after a Docker line whose message ends with a
 * newline), so a message split into pieces is joined by the parser, unless it is longer than a segment or stays
 * open for {@code close_inactive}. {@code
 * chunk.first_record} = first_line - 1 (a line is a record). {@code storage_uri} is null: segments are not copied to
 * the evidence store (the payload in Kafka is the preserved copy). Segments of one file can land in different
 * partitions (key = artifact_sha256); order them by {@code chunk.offset}.
 *
 * <p><b>Files</b> are identified by device + inode and a SHA-256 fingerprint of their first 1 KiB (checkpoint source
 * key {@code inode:<dev>:<ino>}). Rotation (rename + new file): the renamed file keeps its open channel and is read
 * to its end, then closed after {@code close_inactive} without growth (its checkpoint is then deleted); the new file
 * is tailed from 0. After a restart, a checkpointed file no longer at a watched path is looked for by inode in its
 * old directory (x.log.1, 0.log.&lt;timestamp&gt;). Truncation (copytruncate): size &lt; position, or a changed
 * fingerprint, restarts the file at 0 with a log line; lines appended between the last read and the truncation are
 * only in the copy (copytruncate's own race). A line longer than {@code max_line_bytes} is published as its first
 * bytes with {@code truncated_record = true}; the rest of it is skipped. Files whose content no recognizer accepts,
 * or whose framing is not LINES, are not tailed (logged once).
 */
public final class NodeAgent implements Runnable {
  public static final String COLLECTOR_TYPE = "node_agent";
  private static final Logger LOG = LoggerFactory.getLogger(NodeAgent.class);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

  private final AgentOptions options;
  private final SegmentSink sink;
  private final List<ArtifactRecognizer> recognizers;
  private final NodePaths paths;
  private final ContextResolver contexts;
  private final CollectorInfo collector;
  private final Map<FileId, Tail> tails = new LinkedHashMap<>();
  private final Set<FileId> ignoredLogged = new java.util.HashSet<>();
  private final Object sleeper = new Object();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile boolean stopRequested;
  private Map<String, Position> restored = Map.of();

  // the open batch
  private final List<SegmentSink.Segment> segments = new ArrayList<>();
  private final Set<String> forgotten = new LinkedHashSet<>();
  private long batchBytes;
  private long batchStartNanos = -1;

  private final Stats stats = new Stats();

  /** Counters, readable from any thread. */
  public static final class Stats {
    public volatile long transactions;
    public volatile long segments;
    public volatile long bytes;
    public volatile long truncations;
    public volatile long rotations;
    public volatile long truncatedLines;
    public volatile long skippedBytes;
    public volatile long failedCommits;
    public volatile int files;
    public volatile int ignoredFiles;
    public volatile long lagBytes;
  }

  public NodeAgent(AgentOptions options, SegmentSink sink) {
    this(options, sink, Recognizers.defaults());
  }

  public NodeAgent(AgentOptions options, SegmentSink sink, List<ArtifactRecognizer> recognizers) {
    this.options = Objects.requireNonNull(options, "options");
    this.sink = Objects.requireNonNull(sink, "sink");
    this.recognizers = List.copyOf(recognizers);
    this.paths = new NodePaths(options.nodeRoot());
    this.contexts = new ContextResolver(List.of(), options.context());
    this.collector = CollectorInfo.newBuilder()
        .setId(COLLECTOR_TYPE)
        .setVersion(version())
        .setHostname(hostname())
        .setRunId(options.runId() != null ? options.runId() : options.collectorId() + "-" + UUID.randomUUID())
        .setOperator(null)
        .build();
  }

  public Stats stats() {
    return stats;
  }

  /** Asks the loop to stop after committing what it read; returns at once. */
  public void stop() {
    stopRequested = true;
    synchronized (sleeper) {
      sleeper.notifyAll();
    }
  }

  /** Waits until {@link #run()} has returned. */
  public boolean awaitStopped(Duration timeout) throws InterruptedException {
    return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Restores the positions, then tails until {@link #stop()}; the batch read when the stop came is committed before
   * returning. The sink is not closed.
   *
   * @throws CheckpointFencedException when another agent with the same collector id took over
   * @throws PublishException when the sink is broken (the producer cannot be used any more)
   */
  @Override
  public void run() {
    try {
      restore();
      long lastProgress = System.nanoTime();
      while (true) {
        boolean stopping = stopRequested;
        long cycle = System.nanoTime();
        boolean full;
        try {
          full = cycle(stopping);
          failures = 0;
        } catch (CheckpointFencedException e) {
          throw e;
        } catch (PublishException e) {
          failures++;
          long backoff = Math.min(MAX_BACKOFF.toMillis(), options.pollInterval().toMillis() << Math.min(failures, 10));
          LOG.warn("agent {}: commit failed ({}); nothing of the batch is visible, re-reading in {} ms",
              options.collectorId(), e.getMessage(), backoff);
          if (stopping || !sink.usable()) {
            throw e;
          }
          sleep(backoff);
          continue;
        }
        if (options.progressEvery().toNanos() > 0
            && System.nanoTime() - lastProgress >= options.progressEvery().toNanos()) {
          LOG.info(progressLine());
          lastProgress = System.nanoTime();
        }
        if (stopping) {
          break;
        }
        if (!full) {
          long left = options.pollInterval().toNanos() - (System.nanoTime() - cycle);
          if (left > 0) {
            sleep(TimeUnit.NANOSECONDS.toMillis(left) + 1);
          }
        }
      }
      LOG.info("agent {}: stopped; {}", options.collectorId(), progressLine());
    } finally {
      for (Tail t : tails.values()) {
        t.close();
      }
      stopped.countDown();
    }
  }

  private int failures;
  private boolean scanned;
  private long lastScan;

  /** Reads the committed positions from the sink; the first {@link #cycle} uses them. */
  void restore() {
    restored = new HashMap<>(sink.restore());
    LOG.info("agent {}: node root {}, {} globs, {} checkpointed files", options.collectorId(), options.nodeRoot(),
        options.globs().size(), restored.size());
  }

  /**
   * One poll: scan when due, read, commit when due ({@code force}: commit whatever was read). On a failed commit
   * the read positions are rolled back and the exception thrown.
   *
   * @return true when the batch filled up (more data is waiting)
   */
  boolean cycle(boolean force) {
    long now = System.nanoTime();
    if (!scanned || now - lastScan >= options.scanInterval().toNanos()) {
      scan(!scanned);
      scanned = true;
      lastScan = now;
    }
    boolean full = readAll();
    closeIdle();
    boolean due = full || force || options.linger().isZero() || !forgotten.isEmpty() || batchStartNanos < 0
        || System.nanoTime() - batchStartNanos >= options.linger().toNanos();
    if (due && hasPending()) {
      try {
        commit();
      } catch (PublishException e) {
        stats.failedCommits++;
        rollback();
        throw e;
      }
    }
    return full;
  }

  private void sleep(long millis) {
    synchronized (sleeper) {
      if (stopRequested) {
        return;
      }
      try {
        sleeper.wait(Math.max(1, millis));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        stopRequested = true;
      }
    }
  }

  /** One line: files, throughput and lag. */
  public String progressLine() {
    return String.format(java.util.Locale.ROOT,
        "agent %s: %d files (%d not tailed), %d transactions, %d segments, %d bytes, lag %d bytes, %d rotations, "
            + "%d truncations, %d lines cut at max_line_bytes, %d failed commits",
        options.collectorId(), stats.files, stats.ignoredFiles, stats.transactions, stats.segments, stats.bytes,
        stats.lagBytes, stats.rotations, stats.truncations, stats.truncatedLines, stats.failedCommits);
  }

  // ---- discovery -------------------------------------------------------------------------------------------

  private void scan(boolean first) {
    Map<FileId, Path> found = new LinkedHashMap<>();
    for (String glob : options.globs()) {
      for (Path p : paths.expand(glob)) {
        try {
          found.putIfAbsent(FileId.of(p), p);
        } catch (IOException | UnsupportedOperationException e) {
          // vanished since the listing
        }
      }
    }
    for (Map.Entry<FileId, Path> e : found.entrySet()) {
      Tail t = tails.get(e.getKey());
      if (t == null) {
        open(e.getKey(), e.getValue(), null);
      } else {
        if (t.detached) {
          LOG.info("agent {}: {} is back at a watched path ({})", options.collectorId(), t.origin, paths.rel(e.getValue()));
          t.detached = false;
        }
        t.path = e.getValue();
      }
    }
    for (Tail t : tails.values()) {
      if (!t.detached && !found.containsKey(t.id)) {
        t.detached = true;
        stats.rotations++;
        LOG.info("agent {}: {} ({}) left its watched path (rotated or deleted); reading it to its end",
            options.collectorId(), t.origin, t.id.key());
      }
    }
    if (first) {
      // checkpointed files not at a watched path any more: rotated while the agent was down?
      for (Map.Entry<String, Position> e : new ArrayList<>(restored.entrySet())) {
        Position pos = e.getValue();
        FileId id = new FileId(pos.getLong("dev", -1), pos.getLong("ino", -1));
        Path old = options.nodeRoot().resolve(pos.getString("path") == null ? "" : pos.getString("path"));
        Path renamed = findByInode(old.getParent(), id);
        if (renamed != null && open(id, renamed, pos.getString("path")) != null) {
          Tail t = tails.get(id);
          t.detached = true;
          LOG.info("agent {}: {} was rotated while the agent was down; finishing it as {}", options.collectorId(),
              pos.getString("path"), paths.rel(renamed));
        } else {
          restored.remove(e.getKey());
          forgotten.add(e.getKey());
          LOG.info("agent {}: {} ({}) is gone since the last run (was read to byte {}); forgetting it",
              options.collectorId(), pos.getString("path"), e.getKey(), pos.getLong("offset", 0));
        }
      }
    }
    stats.files = tails.size();
  }

  private static Path findByInode(Path dir, FileId id) {
    if (dir == null || !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return null;
    }
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) {
        try {
          if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) && FileId.of(p).equals(id)) {
            return p;
          }
        } catch (IOException e) {
          // vanished
        }
      }
    } catch (IOException e) {
      return null;
    }
    return null;
  }

  /** Opens a file and resumes it from its checkpoint when the checkpoint still describes it. */
  private Tail open(FileId id, Path path, String originOverride) {
    FileChannel ch;
    try {
      ch = FileChannel.open(path, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
      if (!FileId.of(path).equals(id)) {
        ch.close();
        return null; // replaced between listing and opening: next scan
      }
    } catch (IOException | UnsupportedOperationException e) {
      LOG.debug("agent {}: cannot open {}: {}", options.collectorId(), path, e.toString());
      return null;
    }
    Tail t = new Tail(id, originOverride != null ? originOverride : paths.rel(path), path, ch);
    Position pos = restored.remove(id.key());
    if (pos != null) {
      long offset = pos.getLong("offset", 0);
      long fpLen = pos.getLong("fingerprint_length", 0);
      String fp = pos.getString("fingerprint");
      try {
        String now = t.fingerprintOf(fpLen);
        if (t.size() >= offset && now != null && now.equals(fp)) {
          t.resume(offset, pos.getLong("line", 1), pos.getBoolean("discarding", false), fp, fpLen);
          LOG.info("agent {}: resuming {} at byte {} (line {})", options.collectorId(), t.origin, offset, t.line);
        } else {
          LOG.info("agent {}: {} ({}) no longer matches its checkpoint (size {} < {} or other first bytes: inode "
              + "reused or truncated); reading it from the start", options.collectorId(), t.origin, id.key(),
              t.size(), offset);
          t.changed = true;
        }
      } catch (IOException e) {
        t.changed = true;
      }
    }
    tails.put(id, t);
    return t;
  }

  // ---- reading ---------------------------------------------------------------------------------------------

  private boolean hasPending() {
    if (!segments.isEmpty() || !forgotten.isEmpty()) {
      return true;
    }
    for (Tail t : tails.values()) {
      if (t.changed || t.closing) {
        return true;
      }
    }
    return false;
  }

  /** Reads every file once (round robin from a moving start); true when the batch filled up. */
  private boolean readAll() {
    long lag = 0;
    int ignored = 0;
    List<Tail> order = new ArrayList<>(tails.values());
    if (!order.isEmpty()) {
      java.util.Collections.rotate(order, -(int) (stats.transactions % order.size()));
    }
    boolean full = false;
    for (Tail t : order) {
      if (t.closing) {
        continue;
      }
      try {
        if (!full) {
          full = readFile(t);
        }
        if (t.ignored != null) {
          ignored++;
        } else {
          lag += Math.max(0, t.size() - t.offset);
        }
      } catch (IOException e) {
        LOG.warn("agent {}: reading {} failed: {}", options.collectorId(), t.origin, e.toString());
      }
    }
    stats.lagBytes = lag;
    stats.ignoredFiles = ignored;
    return full;
  }

  /** Reads what {@code t} has; true when the batch is full. */
  private boolean readFile(Tail t) throws IOException {
    long size = t.size();
    if (size != t.lastSize) {
      t.lastGrowthNanos = System.nanoTime();
    }
    if (t.ignored != null) {
      t.lastSize = size;
      return false;
    }
    if (size < t.readOffset) {
      stats.truncations++;
      LOG.info("agent {}: {} was truncated (size {} < position {}; copytruncate?): reading it again from byte 0",
          options.collectorId(), t.origin, size, t.readOffset);
      t.restart();
    } else if (size != t.lastSize && t.fingerprintLength > 0 && t.readOffset > 0) {
      String now = t.fingerprintOf(t.fingerprintLength);
      if (!t.fingerprint.equals(now)) {
        stats.truncations++;
        LOG.info("agent {}: {} has other first bytes than when it was read (truncated and rewritten): reading it "
            + "again from byte 0", options.collectorId(), t.origin);
        t.restart();
      }
    }
    t.lastSize = size;
    if (t.sourceType == null && !recognize(t, size)) {
      return false;
    }
    while (t.readOffset < size) {
      long budget = options.maxBatchBytes() - batchBytes;
      long avail = size - t.readOffset;
      if (t.readDiscarding) {
        byte[] b = t.read(t.readOffset, (int) Math.min(avail, options.maxSegmentBytes()));
        int nl = indexOf(b, 0);
        int n = nl < 0 ? b.length : nl + 1;
        t.readOffset += n;
        stats.skippedBytes += nl < 0 ? n : n - 1;
        if (nl >= 0) {
          t.readLine++;
          t.readDiscarding = false;
        }
        t.changed = true;
        continue;
      }
      int win = (int) Math.min(avail, options.maxSegmentBytes());
      if (win > budget) {
        return true;
      }
      byte[] b = t.read(t.readOffset, win);
      int last = lastIndexOf(b);
      boolean truncated = false;
      int len;
      if (last >= 0) {
        int end = RecordEnds.lastRecordEnd(t.sourceType, b, last);
        if (end >= 0) {
          len = end + 1;
        } else if (win == options.maxSegmentBytes() || idle(t)) {
          len = last + 1; // a record longer than a segment, or one left open: cut at a line (the parser flags the piece)
        } else {
          break; // the record's last piece (CRI F line, Docker line ending in \n) is not written yet
        }
      } else if (avail > win) {
        int win2 = (int) Math.min(avail, options.maxLineBytes());
        if (win2 > budget) {
          return true;
        }
        b = t.read(t.readOffset, win2);
        int nl = indexOf(b, win);
        if (nl >= 0) {
          len = nl + 1;
        } else if (win2 == options.maxLineBytes()) {
          len = win2;
          truncated = true;
        } else {
          break; // a long line still being written
        }
      } else if (t.detached && idle(t)) {
        len = b.length; // last line of a rotated or deleted file, never ended by a newline
      } else {
        break; // a partial line: wait for its newline
      }
      byte[] seg = len == b.length ? b : Arrays.copyOf(b, len);
      addSegment(t, seg, truncated);
      t.readOffset += len;
      if (truncated) {
        t.readDiscarding = true;
        stats.truncatedLines++;
        LOG.warn("agent {}: {} has a line longer than {} bytes at byte {}: published its first {} bytes "
                + "(truncated_record), skipping the rest", options.collectorId(), t.origin, options.maxLineBytes(),
            t.readOffset - len, len);
      } else {
        t.readLine += count(seg);
      }
      t.changed = true;
    }
    return false;
  }

  private boolean idle(Tail t) {
    return System.nanoTime() - t.lastGrowthNanos >= options.closeInactive().toNanos();
  }

  /** Recognizes the file from its first lines; false while it cannot be decided yet or when it is not tailed. */
  private boolean recognize(Tail t, long size) throws IOException {
    if (size == 0 || size == t.probedSize) {
      return false;
    }
    t.probedSize = size;
    byte[] b = t.read(0, (int) Math.min(size, ContentSample.SIZE));
    int last = lastIndexOf(b);
    boolean whole = b.length == size;
    if (last < 0 && b.length < ContentSample.SIZE && !(t.detached && idle(t))) {
      return false; // not even one complete line yet
    }
    byte[] sample = last >= 0 && !(whole && t.detached) ? Arrays.copyOf(b, last + 1) : b;
    Recognition rec = Recognizers.recognize(recognizers, t.origin, new ContentSample(sample, whole && sample.length == size, false));
    if (!rec.recognized()) {
      if (b.length >= ContentSample.SIZE || t.detached) {
        ignore(t, rec.detail());
      }
      return false;
    }
    if (rec.framing() != Framing.LINES) {
      ignore(t, rec.sourceType() + " with " + rec.framing() + " framing cannot be tailed line by line");
      return false;
    }
    t.sourceType = rec.sourceType();
    t.context = contexts.resolve(t.origin, rec.pathHints()).context().toAvro();
    LOG.info("agent {}: tailing {} as {} from byte {}", options.collectorId(), t.origin, t.sourceType, t.readOffset);
    return true;
  }

  private void ignore(Tail t, String why) {
    t.ignored = why;
    if (ignoredLogged.add(t.id)) {
      LOG.info("agent {}: not tailing {}: {}", options.collectorId(), t.origin, why);
    }
  }

  private void addSegment(Tail t, byte[] seg, boolean truncated) {
    String sha = Tail.sha256(seg);
    Instant mtime = null;
    try {
      mtime = Files.getLastModifiedTime(t.path, LinkOption.NOFOLLOW_LINKS).toInstant().truncatedTo(ChronoUnit.MICROS);
    } catch (IOException e) {
      // rotated away or deleted: unknown
    }
    RawArtifactChunk c = RawArtifactChunk.newBuilder()
        .setArtifactSha256(sha)
        .setArtifactSize(seg.length)
        .setContentSha256(sha)
        .setContentSize(seg.length)
        .setCompression(Compression.NONE)
        .setSourceType(t.sourceType)
        .setOrigin(t.origin)
        .setEvidenceRoot(options.nodeRoot().toString())
        .setOriginMtime(mtime)
        .setContext(t.context)
        .setCollector(collector)
        .setCollectedAt(Instant.now().truncatedTo(ChronoUnit.MICROS))
        .setFraming(Framing.LINES)
        .setChunk(ChunkInfo.newBuilder()
            .setIndex(0)
            .setCount(1)
            .setOffset(t.readOffset)
            .setLength(seg.length)
            .setFirstLine(t.readLine)
            .setFirstRecord(t.readLine - 1)
            .setSha256(sha)
            .setTruncatedRecord(truncated)
            .build())
        .setStorageUri(null)
        .setPayload(ByteBuffer.wrap(seg))
        .build();
    segments.add(new SegmentSink.Segment(c, t.id.key()));
    batchBytes += seg.length;
    if (batchStartNanos < 0) {
      batchStartNanos = System.nanoTime();
    }
  }

  /** Detached files idle at their end: publish a last unterminated line if any, then close and forget them. */
  private void closeIdle() {
    for (Tail t : tails.values()) {
      if (!t.detached || t.closing || !idle(t)) {
        continue;
      }
      try {
        if (t.ignored == null && t.readOffset < t.size()) {
          continue; // still data to read (readFile flushes an unterminated last line once idle)
        }
      } catch (IOException e) {
        // unreadable: close it
      }
      t.closing = true;
      forgotten.add(t.id.key());
    }
  }

  private void commit() {
    Map<String, Position> advanced = new LinkedHashMap<>();
    Map<Tail, String[]> fps = new HashMap<>();
    for (Tail t : tails.values()) {
      if (!t.changed || t.closing) {
        continue;
      }
      long fpLen = Math.min(t.readOffset, Tail.FINGERPRINT_BYTES);
      String fp;
      try {
        fp = fpLen == t.fingerprintLength ? t.fingerprint : t.fingerprintOf(fpLen);
      } catch (IOException e) {
        fp = null;
      }
      if (fp == null) {
        fp = "";
        fpLen = 0;
      }
      fps.put(t, new String[] {fp, Long.toString(fpLen)});
      advanced.put(t.id.key(), t.pendingPosition(fp, fpLen));
    }
    sink.publish(List.copyOf(segments), advanced, List.copyOf(forgotten));
    stats.transactions++;
    stats.segments += segments.size();
    stats.bytes += batchBytes;
    for (Map.Entry<Tail, String[]> e : fps.entrySet()) {
      e.getKey().committed(e.getValue()[0], Long.parseLong(e.getValue()[1]));
    }
    List<FileId> closed = new ArrayList<>();
    for (Tail t : tails.values()) {
      if (t.closing) {
        t.committed(t.fingerprint, t.fingerprintLength);
        t.close();
        closed.add(t.id);
        LOG.info("agent {}: finished {} ({}) at byte {}; closed", options.collectorId(), t.origin, t.id.key(), t.offset);
      }
    }
    closed.forEach(tails::remove);
    stats.files = tails.size();
    segments.clear();
    forgotten.clear();
    batchBytes = 0;
    batchStartNanos = -1;
  }

  private void rollback() {
    for (Tail t : tails.values()) {
      if (t.closing) {
        forgotten.remove(t.id.key()); // closed again when idle again
      }
      t.rollback();
    }
    segments.clear();
    batchBytes = 0;
    batchStartNanos = -1;
    // forgotten keys stay: forgetting is safe to retry
  }

  private static int lastIndexOf(byte[] b) {
    for (int i = b.length - 1; i >= 0; i--) {
      if (b[i] == '\n') {
        return i;
      }
    }
    return -1;
  }

  private static int indexOf(byte[] b, int from) {
    for (int i = from; i < b.length; i++) {
      if (b[i] == '\n') {
        return i;
      }
    }
    return -1;
  }

  private static long count(byte[] b) {
    long n = 0;
    for (byte x : b) {
      if (x == '\n') {
        n++;
      }
    }
    return n;
  }

  static String version() {
    String v = NodeAgent.class.getPackage().getImplementationVersion();
    return v != null ? v : "dev";
  }

  static String hostname() {
    String env = System.getenv("NODE_NAME");
    if (env == null || env.isBlank()) {
      env = System.getenv("HOSTNAME");
    }
    if (env != null && !env.isBlank()) {
      return env;
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }
}
