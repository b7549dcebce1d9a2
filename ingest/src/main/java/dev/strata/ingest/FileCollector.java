package dev.strata.ingest;

import dev.strata.ingest.archive.ArchiveExtractor;
import dev.strata.ingest.archive.ArchiveFormat;
import dev.strata.ingest.chunk.ChunkMismatchException;
import dev.strata.ingest.chunk.ChunkPlan;
import dev.strata.ingest.chunk.Chunker;
import dev.strata.ingest.chunk.ContentReader;
import dev.strata.ingest.chunk.CorruptGzipException;
import dev.strata.ingest.chunk.PlannedChunk;
import dev.strata.ingest.chunk.TooLargeDecompressedException;
import dev.strata.ingest.context.ContextManifest;
import dev.strata.ingest.context.ContextResolver;
import dev.strata.ingest.journal.JournalFile;
import dev.strata.ingest.journal.JournalFormatException;
import dev.strata.ingest.journal.JournalSplit;
import dev.strata.ingest.journal.SyslogSplit;
import dev.strata.ingest.libpod.LibpodState;
import dev.strata.ingest.overlay.OverlayUpperChanges;
import dev.strata.ingest.publish.ChunkPublisher;
import dev.strata.ingest.recognize.ArtifactRecognizer;
import dev.strata.ingest.recognize.AwsVpcFlowRecognizer;
import dev.strata.ingest.recognize.ContentSample;
import dev.strata.ingest.recognize.Recognition;
import dev.strata.ingest.recognize.Recognizers;
import dev.strata.ingest.recognize.LibpodStateRecognizer;
import dev.strata.ingest.recognize.LibpodStateWalRecognizer;
import dev.strata.ingest.recognize.SystemdJournalRecognizer;
import dev.strata.ingest.walk.EvidenceFile;
import dev.strata.ingest.walk.EvidenceWalker;
import dev.strata.schema.common.CollectorInfo;
import dev.strata.schema.common.Compression;
import dev.strata.schema.common.EvidenceContext;
import dev.strata.schema.common.Framing;
import dev.strata.schema.raw.ArtifactManifest;
import dev.strata.schema.raw.ChunkInfo;
import dev.strata.schema.raw.DerivedFrom;
import dev.strata.schema.raw.RawArtifactChunk;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The file collector: walks an evidence directory (a mounted disk image or an evidence bundle) safely, recognizes
 * artifacts, and for each one
 *
 * <ol>
 *   <li>pass 1: streams it once, computing the artifact SHA-256 over the exact bytes (and content SHA-256 and size of
 *       the decompressed stream for gzip) and planning the chunks;
 *   <li>has the original preserved ({@link EvidencePreserver});
 *   <li>pass 2: streams it again and publishes the chunks (each checked against pass 1), then the manifest.
 * </ol>
 * Collectors move, hash and publish bytes; they do not parse. Everything skipped is in the {@link CollectionReport}
 * with a reason code. Re-collecting the same evidence publishes the same artifact ids and chunk payloads (only
 * {@code collected_at} and {@code run_id} differ).
 */
public final class FileCollector {
  public static final String COLLECTOR_ID = "file_collector";
  private static final long PROGRESS_BYTES = 16L * 1024 * 1024;
  /** The derived_from method of an archive member. */
  public static final String ARCHIVE_MEMBER = "archive_member";

  private final List<ArtifactRecognizer> recognizers;

  public FileCollector() {
    this(Recognizers.defaults());
  }

  public FileCollector(List<ArtifactRecognizer> recognizers) {
    this.recognizers = List.copyOf(recognizers);
  }

  /** Collects {@code root} with the default recognizers. See {@link #run}. */
  public static CollectionReport collect(
      Path root,
      CollectorOptions options,
      ChunkPublisher publisher,
      EvidencePreserver preserver,
      ProgressListener progress) {
    return new FileCollector().run(root, options, publisher, preserver, progress);
  }

  /**
   * Collects everything under {@code root} and flushes the publisher (it is not closed).
   *
   * @throws CollectionException if the root is not a readable directory, a context manifest is invalid, or
   *     preserving or publishing fails (the run stops there)
   */
  public CollectionReport run(
      Path root,
      CollectorOptions options,
      ChunkPublisher publisher,
      EvidencePreserver preserver,
      ProgressListener progress) {
    Objects.requireNonNull(root, "root");
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(publisher, "publisher");
    EvidenceWalker walker;
    try {
      walker = new EvidenceWalker(root);
    } catch (IOException e) {
      throw new CollectionException("evidence root " + root + " is not a readable directory: " + e, e);
    }
    Run run = new Run(walker.realRoot().toString(), COLLECTOR_ID, options, publisher,
        preserver == null ? EvidencePreserver.NONE : preserver,
        progress == null ? ProgressListener.NONE : progress);
    try {
      // one name search for the context manifests and the container storage markers of the overlay pre-pass
      Set<String> names = new HashSet<>(ContextManifest.FILE_NAMES);
      names.addAll(OverlayUpperChanges.MARKER_NAMES);
      List<EvidenceFile> found = walker.findByName(names);
      List<EvidenceFile> manifests = new ArrayList<>();
      List<EvidenceFile> storageMarkers = new ArrayList<>();
      for (EvidenceFile f : found) {
        String name = f.path().getFileName().toString();
        if (ContextManifest.FILE_NAMES.contains(name)) manifests.add(f);
        if (OverlayUpperChanges.MARKER_NAMES.contains(name)) storageMarkers.add(f);
      }
      List<ContextManifest.Entry> entries = new ArrayList<>();
      for (EvidenceFile m : manifests) {
        entries.addAll(ContextManifest.read(m.path(), m.relPath()));
        run.report.contextManifest(m.relPath());
        run.manifestPaths.add(m.relPath());
      }
      run.context = new ContextResolver(entries, options.contextDefaults());
      run.overlayUpperChanges(walker.realRoot(), storageMarkers);
      walker.walk(run);
    } catch (IOException e) {
      throw new CollectionException("walking " + root + " failed: " + e, e);
    }
    long acked = publisher.flush();
    run.progress(null, true);
    return run.report.build(Instant.now(), acked);
  }

  /**
   * Collects one file named by the user (e.g. {@code strata parse FILE}). Its origin is its full real path, so path-based
   * recognition and context (container id, {@code AWSLogs/<account>/.../<region>/}) still apply; context manifests are
   * not searched. A symlink named on the command line is followed: the user chose it.
   */
  public static CollectionReport collectFile(
      Path file,
      CollectorOptions options,
      ChunkPublisher publisher,
      EvidencePreserver preserver,
      ProgressListener progress) {
    return new FileCollector().runFile(file, options, publisher, preserver, progress);
  }

  /** See {@link #collectFile}. */
  public CollectionReport runFile(
      Path file,
      CollectorOptions options,
      ChunkPublisher publisher,
      EvidencePreserver preserver,
      ProgressListener progress) {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(publisher, "publisher");
    Path real;
    java.nio.file.attribute.BasicFileAttributes attrs;
    try {
      real = file.toRealPath();
      attrs = java.nio.file.Files.readAttributes(real, java.nio.file.attribute.BasicFileAttributes.class);
    } catch (IOException e) {
      throw new CollectionException("evidence file " + file + " is not readable: " + e, e);
    }
    if (!attrs.isRegularFile()) {
      throw new CollectionException("evidence file " + file + " is not a regular file");
    }
    Path fsRoot = real.getRoot();
    Run run = new Run(fsRoot.toString(), COLLECTOR_ID, options, publisher,
        preserver == null ? EvidencePreserver.NONE : preserver,
        progress == null ? ProgressListener.NONE : progress);
    run.context = new ContextResolver(List.of(), options.contextDefaults());
    String rel = fsRoot.relativize(real).toString().replace(java.io.File.separatorChar, '/');
    run.file(new EvidenceFile(real, rel, attrs.size(), attrs.lastModifiedTime().toInstant()));
    long acked = publisher.flush();
    run.progress(null, true);
    return run.report.build(Instant.now(), acked);
  }

  /**
   * One object fetched from a remote store and spooled to a local file (the S3 puller spools each object): its origin
   * (e.g. {@code s3://bucket/key}: path rules such as {@code AWSLogs/<account>/CloudTrail/<region>/} apply to it), its
   * evidence root (e.g. {@code s3://bucket}), modification time and collector id; the object's metadata that does not
   * travel in its bytes (S3 user metadata, keys without {@code x-amz-meta-}: a recognizer that {@link
   * ArtifactRecognizer#usesOriginMetadata() uses it} puts what its format needs into the chunks' format_header, e.g. a
   * CloudTrail digest's signature); and the entries of context manifests that may cover it (their prefixes in the
   * terms of {@code origin}, e.g. {@code s3://bucket/exports/cluster-a}: a bucket holds no directory to walk, so the S3
   * puller reads the manifests a responder put beside their exports and hands them here; an export task's objects name
   * no cluster or account, see {@code S3Puller}).
   */
  public record RemoteObject(Path spoolFile, String origin, Map<String, String> metadata, String evidenceRoot,
      Instant mtime, String collectorId, List<ContextManifest.Entry> contextEntries) {
    public RemoteObject {
      Objects.requireNonNull(spoolFile, "spoolFile");
      Objects.requireNonNull(origin, "origin");
      metadata = Map.copyOf(metadata == null ? Map.of() : metadata);
      contextEntries = List.copyOf(contextEntries == null ? List.of() : contextEntries);
    }

    /** An object without metadata or context manifests. */
    public static RemoteObject of(Path spoolFile, String origin, String evidenceRoot, Instant mtime,
        String collectorId) {
      return new RemoteObject(spoolFile, origin, Map.of(), evidenceRoot, mtime, collectorId, List.of());
    }

    public RemoteObject withMetadata(Map<String, String> m) {
      return new RemoteObject(spoolFile, origin, m, evidenceRoot, mtime, collectorId, contextEntries);
    }

    public RemoteObject withContext(List<ContextManifest.Entry> entries) {
      return new RemoteObject(spoolFile, origin, metadata, evidenceRoot, mtime, collectorId, entries);
    }
  }

  /**
   * Collects one object fetched from a remote store: recognized, hashed, preserved and chunked exactly like a
   * collected file, under the object's origin, evidence root and collector id. Context manifests are not searched:
   * the object carries the entries that cover it.
   */
  public CollectionReport runObject(RemoteObject object, CollectorOptions options, ChunkPublisher publisher,
      EvidencePreserver preserver, ProgressListener progress) {
    Path spoolFile = object.spoolFile();
    String origin = object.origin();
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(publisher, "publisher");
    long size;
    try {
      size = Files.size(spoolFile);
    } catch (IOException e) {
      throw new CollectionException("spooled object " + origin + " is not readable: " + e, e);
    }
    Run run = new Run(object.evidenceRoot(), object.collectorId(), options, publisher,
        preserver == null ? EvidencePreserver.NONE : preserver,
        progress == null ? ProgressListener.NONE : progress);
    run.context = new ContextResolver(object.contextEntries(), options.contextDefaults());
    run.originMetadata = object.metadata();
    run.file(new EvidenceFile(spoolFile, origin, size, object.mtime()));
    long acked = publisher.flush();
    run.progress(null, true);
    return run.report.build(Instant.now(), acked);
  }

  /** One collection run: walk visitor and counters. */
  private final class Run implements EvidenceWalker.Visitor {
    /** The collector's recognizers, configured by the run's options (custom VPC flow log formats). */
    final List<ArtifactRecognizer> recognizers;
    final String realRoot;
    final CollectorOptions options;
    final ChunkPublisher publisher;
    final EvidencePreserver preserver;
    final ProgressListener listener;
    final CollectionReport.Builder report;
    final CollectorInfo collector;
    final Chunker chunker;
    final ContentReader.GzipLimits limits;
    final Set<String> manifestPaths = new HashSet<>();
    ContextResolver context;
    /** The origin's metadata given by the caller (an S3 object's); null: read the sidecars of each file. */
    Map<String, String> originMetadata;
    /** The evidence archive whose members are being collected (their derived_from), or null. */
    DerivedFrom memberOf;
    /** How many archives enclose the files being collected. */
    int archiveDepth;
    /** The current artifact's format header (copied onto each of its chunks), or null. */
    String formatHeader;
    long bytesHashed;
    long bytesPublished;
    long chunksPublished;

    Run(String realRoot, String collectorId, CollectorOptions options, ChunkPublisher publisher,
        EvidencePreserver preserver, ProgressListener listener) {
      this.realRoot = realRoot;
      this.recognizers = AwsVpcFlowRecognizer.withLogFormats(FileCollector.this.recognizers,
          options.vpcFlowLogFormats());
      this.options = options;
      this.publisher = publisher;
      this.preserver = preserver;
      this.listener = listener;
      String runId = options.runId() != null ? options.runId() : UUID.randomUUID().toString();
      this.report = new CollectionReport.Builder(realRoot, runId, Instant.now());
      this.collector = CollectorInfo.newBuilder()
          .setId(collectorId)
          .setVersion(version())
          .setHostname(options.collectorHostname() != null ? options.collectorHostname() : hostname())
          .setRunId(runId)
          .setOperator(options.operator() != null ? options.operator() : System.getProperty("user.name"))
          .build();
      this.chunker = new Chunker(options.chunkSize(), options.maxRecordBytes());
      this.limits = new ContentReader.GzipLimits(
          options.maxContentBytes(), options.maxGzipRatio(), options.gzipRatioGraceBytes());
    }

    void progress(String current, boolean finished) {
      listener.onProgress(new ProgressListener.Progress(report.filesSeen(), report.artifactCount(),
          report.skippedTotal(), bytesHashed, bytesPublished, chunksPublished, current, finished));
    }

    @Override
    public void skipped(SkipReason reason, String relPath, String detail) {
      report.fileSeen();
      report.skip(reason, relPath, detail);
    }

    @Override
    public void alias(String linkRel, String targetRel, boolean clamped) {
      report.fileSeen();
      report.alias(linkRel, targetRel);
      if (clamped) {
        report.warn("symlink_clamped", linkRel,
            "symlink target climbs above the evidence root; resolved inside the root as /" + targetRel);
      }
    }

    @Override
    public void file(EvidenceFile f) {
      report.fileSeen();
      if (manifestPaths.contains(f.relPath())) {
        return; // a context manifest: metadata from the user, not evidence
      }
      String rel = f.relPath();
      progress(rel, false);
      if (f.size() == 0) {
        report.skip(SkipReason.EMPTY, rel, null);
        return;
      }
      ArchiveFormat archive;
      try {
        archive = ArchiveFormat.detect(f.path());
      } catch (IOException e) {
        report.skip(SkipReason.UNREADABLE, rel, e.toString());
        return;
      }
      if (archive != null) {
        archive(f, archive);
        return;
      }
      boolean gzip;
      ContentSample sample;
      try {
        gzip = ContentReader.isGzip(f.path());
        sample = sample(f.path(), gzip);
      } catch (TooLargeDecompressedException e) {
        report.skip(SkipReason.TOO_LARGE_DECOMPRESSED, rel, e.getMessage());
        return;
      } catch (CorruptGzipException e) {
        report.skip(SkipReason.CORRUPT_GZIP, rel, e.getMessage());
        return;
      } catch (IOException e) {
        report.skip(SkipReason.UNREADABLE, rel, e.toString());
        return;
      }
      if (sample.bytes().length == 0) {
        report.skip(SkipReason.EMPTY, rel, gzip ? "gzip with empty content" : null);
        return;
      }
      Recognition rec = Recognizers.recognize(recognizers, rel, sample);
      if (!rec.recognized()) {
        report.skip(SkipReason.NOT_RECOGNIZED, rel, rec.detail());
        return;
      }
      for (String w : rec.warnings()) {
        report.warn("misleading_path", rel, w);
      }
      ContextResolver.Resolved ctx = context.resolve(rel, rec.pathHints());
      for (String w : ctx.warnings()) {
        report.warn("context_conflict", rel, w);
      }
      // the origin's metadata, looked up only for a format that uses it, is preserved with the artifact's sighting
      AtomicReference<Map<String, String>> used = new AtomicReference<>(Map.of());
      formatHeader = Recognizers.formatHeader(recognizers, rec.sourceType(), rel, sample, () -> {
        used.set(originMetadata != null ? originMetadata : OriginMetadata.sidecars(f.path()));
        return used.get();
      });
      if (SystemdJournalRecognizer.SOURCE_TYPE.equals(rec.sourceType())) {
        journal(f, gzip, rec, ctx.context().toAvro());
        return;
      }
      if (LibpodStateRecognizer.SOURCE_TYPE.equals(rec.sourceType())) {
        libpodState(f, gzip, rec, ctx.context().toAvro());
        return;
      }
      if (LibpodStateWalRecognizer.SOURCE_TYPE.equals(rec.sourceType())) {
        // preserved as found; read with its database (libpodState), no parser reads it alone
        collectArtifact(f, gzip, rec, ctx.context().toAvro(), Map.of(), null, false);
        return;
      }
      ArtifactManifest collected = collectArtifact(f, gzip, rec, ctx.context().toAvro(), used.get(), null, true);
      if (collected != null && rec.framing() == Framing.LINES && SyslogSplit.SPLIT_FORMATS.contains(rec.sourceType())) {
        syslogPrograms(f, gzip, rec, ctx.context().toAvro(), collected);
      }
    }

    /**
     * A runtime daemon's or the kubelet's log that may be a syslog text file of every unit ({@code /var/log/messages}
     * of an Amazon Linux 2 node: rsyslog writes the kubelet's, containerd's and dockerd's lines into one file): the
     * file is collected as the format it was recognized as (its parser reads its program's lines, skips the others),
     * and the lines of the other programs a format reads ({@link SyslogSplit}) are each collected as a derived
     * artifact, like a binary journal's entries: own SHA-256, preserved, LINES chunks, origin {@code
     * <path>#<format>}, {@code derived_from} = the file's SHA-256, origin and source type. Only the bytes that were
     * hashed are read (a live node's syslog may still grow). A file of one program derives nothing.
     */
    void syslogPrograms(EvidenceFile f, boolean gzip, Recognition rec, EvidenceContext ctx, ArtifactManifest original) {
      String rel = f.relPath();
      try (ContentReader r = ContentReader.open(f.path(), gzip, limits, null);
          java.io.InputStream hashed = gzip ? r : new BoundedInput(r, original.getSize());
          SyslogSplit split = SyslogSplit.split(hashed, rec.sourceType(), null)) {
        if (split.files().isEmpty()) return;
        DerivedFrom from = DerivedFrom.newBuilder()
            .setArtifactSha256(original.getArtifactSha256())
            .setOrigin(rel)
            .setSourceType(rec.sourceType())
            .setMethod(SyslogSplit.METHOD)
            .build();
        for (Map.Entry<String, Path> d : split.files().entrySet()) {
          Recognition derived = new Recognition(d.getKey(), Framing.LINES,
              dev.strata.ingest.context.ContextValues.EMPTY, "lines of " + d.getKey() + "'s program in syslog file "
                  + rel, List.of());
          collectArtifact(new EvidenceFile(d.getValue(), rel + "#" + d.getKey(), Files.size(d.getValue()),
              f.mtime()), false, derived, ctx, Map.of(), from, true);
        }
      } catch (IOException | RuntimeException e) {
        report.warn("syslog_split_failed", rel, "the other programs' lines were not split out: " + e);
      }
    }

    /** At most {@code limit} bytes of {@code in}. */
    private static final class BoundedInput extends FilterInputStream {
      private long left;

      BoundedInput(java.io.InputStream in, long limit) {
        super(in);
        this.left = limit;
      }

      @Override
      public int read() throws IOException {
        if (left <= 0) return -1;
        int b = super.read();
        if (b >= 0) left--;
        return b;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        if (left <= 0) return -1;
        int n = super.read(b, off, (int) Math.min(len, left));
        if (n > 0) left -= n;
        return n;
      }
    }

    /**
     * A binary systemd journal file: the file itself is hashed and preserved and its manifest published, without
     * chunks (no parser reads the binary format); its entries are read ({@link JournalFile}) and split by program
     * ({@link JournalSplit}) into one {@code journalctl -o json} artifact per format that reads them, each collected
     * like any artifact (own SHA-256, preserved, LINES chunks) with origin {@code <journal path>#<format>} and
     * {@code derived_from} = the journal file's SHA-256, origin and source type. A gzip-compressed copy is read from a
     * temporary copy of its content. Only the bytes that were hashed are read (a live node's journald may still be
     * appending): every derived line points into the preserved copy. What was read, why the read stopped and what
     * was skipped go to the report.
     */
    void journal(EvidenceFile f, boolean gzip, Recognition rec, EvidenceContext ctx) {
      String rel = f.relPath();
      ArtifactManifest original = collectArtifact(f, gzip, rec, ctx, Map.of(), null, false);
      if (original == null) {
        return; // skipped (unreadable, changed): the report says why
      }
      Path spool = null;
      try {
        Path readable = f.path();
        if (gzip) {
          spool = Files.createTempFile("strata-journal-", ".journal");
          try (ContentReader r = ContentReader.open(f.path(), true, limits, null);
              java.io.OutputStream o = Files.newOutputStream(spool)) {
            r.transferTo(o);
          }
          readable = spool;
        }
        // only the bytes that were hashed and preserved: journald may still append to a live node's file
        long limit = gzip ? Long.MAX_VALUE : original.getSize();
        try (JournalFile jf = JournalFile.open(readable, JournalFile.DEFAULT_MAX_FIELD_BYTES, limit);
            JournalSplit split = JournalSplit.split(jf, null)) {
          JournalFile.ReadResult r = split.read();
          report.journal(new CollectionReport.Journal(rel, original.getArtifactSha256(), jf.header().stateName(),
              jf.header().compact(), r.entries(), r.headerEntries(), r.stop().name().toLowerCase(java.util.Locale.ROOT),
              r.detail(), r.fieldsSkipped(), split.routed(), split.skipped()));
          if (r.stop() != JournalFile.Stop.COMPLETE) {
            report.warn("journal_" + r.stop().name().toLowerCase(java.util.Locale.ROOT), rel,
                r.entries() + " entries read, then: " + r.detail());
          }
          if (r.fieldsSkipped() > 0) {
            report.warn("journal_fields_skipped", rel, r.fieldsSkipped() + " fields left out; first: "
                + r.firstFieldProblem());
          }
          DerivedFrom from = DerivedFrom.newBuilder()
              .setArtifactSha256(original.getArtifactSha256())
              .setOrigin(rel)
              .setSourceType(rec.sourceType())
              .setMethod(JournalSplit.METHOD)
              .build();
          for (Map.Entry<String, Path> d : split.files().entrySet()) {
            Recognition derived = new Recognition(d.getKey(), Framing.LINES,
                dev.strata.ingest.context.ContextValues.EMPTY, "entries of systemd journal " + rel, List.of());
            collectArtifact(new EvidenceFile(d.getValue(), rel + "#" + d.getKey(), Files.size(d.getValue()),
                f.mtime()), false, derived, ctx, Map.of(), from, true);
          }
        }
      } catch (JournalFormatException e) {
        report.warn("journal_unreadable", rel, e.getMessage());
      } catch (IOException e) {
        report.warn("journal_unreadable", rel, e.toString());
      } finally {
        if (spool != null) {
          try {
            Files.deleteIfExists(spool);
          } catch (IOException ignored) {
            // a temporary copy
          }
        }
      }
    }

    /**
     * Podman's state database ({@code db.sql}, {@code bolt_state.db}): the file itself is hashed and preserved and its
     * manifest published without chunks (no parser reads the binary form); the bytes that were hashed (a gzip copy:
     * its content) are read ({@link LibpodState}) into one {@code libpod_state} artifact, a JSON line per container,
     * pod and exit code, collected like any artifact with origin {@code <db path>#libpod_state} and {@code
     * derived_from} = the database's SHA-256, origin and source type. A database that cannot be read (wholly or from
     * some page on) still gives that artifact, ending with an error line the parser dead-letters, and a report
     * warning {@code libpod_state_unreadable}; the original stays preserved.
     */
    void libpodState(EvidenceFile f, boolean gzip, Recognition rec, EvidenceContext ctx) {
      String rel = f.relPath();
      ArtifactManifest original = collectArtifact(f, gzip, rec, ctx, Map.of(), null, false);
      if (original == null) {
        return; // skipped (unreadable, changed): the report says why
      }
      Path tmp = null;
      try {
        byte[] db;
        try (ContentReader r = ContentReader.open(f.path(), gzip, limits, null)) {
          // only the bytes that were hashed and preserved (a live host's podman may still write the file), read whole:
          // libpod's databases are a few MiB; a larger file is reported, not read
          long want = gzip ? LibpodState.MAX_BYTES + 1 : original.getSize();
          if (want > LibpodState.MAX_BYTES + (gzip ? 1 : 0)) {
            throw new IOException("larger than " + LibpodState.MAX_BYTES + " bytes: not read");
          }
          db = r.readNBytes((int) want);
          if (db.length > LibpodState.MAX_BYTES) {
            throw new IOException("content larger than " + LibpodState.MAX_BYTES + " bytes: not read");
          }
        }
        // an SQLite database's write-ahead log beside it (libpod runs db.sql in WAL mode): its latest commits
        byte[] wal = null;
        String walSha = null;
        Path walPath = gzip ? null : f.path().resolveSibling(f.path().getFileName() + "-wal");
        if (walPath != null && dev.strata.ingest.libpod.SqliteFile.hasMagic(db) && Files.isRegularFile(walPath,
            java.nio.file.LinkOption.NOFOLLOW_LINKS) && Files.size(walPath) <= LibpodState.MAX_BYTES) {
          wal = Files.readAllBytes(walPath);
          walSha = java.util.HexFormat.of().formatHex(sha256().digest(wal));
        }
        tmp = Files.createTempFile("strata-libpod-", ".jsonl");
        LibpodState.Result result;
        try (java.io.OutputStream o = new java.io.BufferedOutputStream(Files.newOutputStream(tmp))) {
          result = LibpodState.derive(db, wal, walSha, o);
        }
        if (result.error() != null && result.error().startsWith(LibpodState.NOT_LIBPOD)) {
          report.warn("libpod_state_not_libpod", rel, result.engine() + ": " + result.error());
        } else if (result.error() != null) {
          report.warn("libpod_state_unreadable", rel, result.engine() + ": " + result.containers() + " containers, "
              + result.pods() + " pods read, then: " + result.error());
        }
        if (Files.size(tmp) == 0) {
          return; // another program's database: preserved, nothing derived (the report says so)
        }
        DerivedFrom from = DerivedFrom.newBuilder()
            .setArtifactSha256(original.getArtifactSha256())
            .setOrigin(rel)
            .setSourceType(rec.sourceType())
            .setMethod(LibpodState.METHOD)
            .build();
        Recognition derived = new Recognition(LibpodState.FORMAT, Framing.LINES,
            dev.strata.ingest.context.ContextValues.EMPTY, "objects of libpod state database " + rel, List.of());
        collectArtifact(new EvidenceFile(tmp, rel + "#" + LibpodState.FORMAT, Files.size(tmp), f.mtime()), false,
            derived, ctx, Map.of(), from, true);
      } catch (IOException e) {
        report.warn("libpod_state_unreadable", rel, e.toString());
      } finally {
        if (tmp != null) {
          try {
            Files.deleteIfExists(tmp);
          } catch (IOException ignored) {
            // a temporary file
          }
        }
      }
    }

    /**
     * An evidence archive (tar, compressed tar, zip): the archive itself is hashed and preserved and its manifest
     * published without chunks (source_type {@code evidence_archive}); it is expanded ({@link ArchiveExtractor}) into a
     * private temporary directory, a working copy deleted afterwards, which is collected like an evidence directory:
     * its context manifests apply to its members, path rules see the member paths, and each member becomes an
     * artifact with origin {@code <archive origin>!/<member path>} and {@code derived_from} = the archive's SHA-256,
     * origin and source type. An archive among the members is expanded in turn, down to archive_max_depth (a deeper one
     * is reported, and stays inside its preserved parent; with archive_max_depth 0 no archive is preserved). Members
     * not expanded, and where a damaged archive or a limit stopped the expansion, go to the report.
     */
    void archive(EvidenceFile f, ArchiveFormat format) {
      String rel = f.relPath();
      if (archiveDepth >= options.archiveMaxDepth()) {
        report.skip(SkipReason.ARCHIVE_TOO_DEEP, rel, format.code() + " archive nested " + (archiveDepth + 1)
            + " deep, archive_max_depth=" + options.archiveMaxDepth() + " (raise it with --archive-max-depth);"
            + (archiveDepth > 0 ? " kept inside its preserved parent," : "") + " not expanded");
        return;
      }
      Recognition rec = new Recognition(ArchiveFormat.SOURCE_TYPE, Framing.WHOLE,
          dev.strata.ingest.context.ContextValues.EMPTY, format.code() + " evidence archive", List.of());
      ArtifactManifest original = collectArtifact(f, false, rec, context.resolve(rel, null).context().toAvro(),
          Map.of(), null, false);
      if (original == null) {
        return; // skipped (unreadable, changed): the report says why
      }
      String prefix = rel + "!/";
      Map<SkipReason, Long> skipsBefore = report.skipCountsNow();
      long artifactsBefore = report.artifactCount();
      Path work = null;
      ContextResolver outerContext = context;
      DerivedFrom outerMemberOf = memberOf;
      int outerDepth = archiveDepth;
      try {
        work = Files.createTempDirectory("strata-archive-");
        ArchiveExtractor.Result r = ArchiveExtractor.extract(f.path(), format, work,
            new ArchiveExtractor.Limits(options.archiveMaxBytes(), options.archiveMaxRatio(),
                options.gzipRatioGraceBytes()),
            (member, reason, detail) -> skipped(reason, prefix + member, detail));
        EvidenceWalker walker = new EvidenceWalker(work);
        List<ContextManifest.Entry> entries = new ArrayList<>(outerContext.entries());
        for (EvidenceFile m : walker.findByName(ContextManifest.FILE_NAMES)) {
          entries.addAll(ContextManifest.read(m.path(), prefix + m.relPath()));
          report.contextManifest(prefix + m.relPath());
          manifestPaths.add(prefix + m.relPath());
        }
        context = new ContextResolver(entries, options.contextDefaults());
        memberOf = DerivedFrom.newBuilder()
            .setArtifactSha256(original.getArtifactSha256())
            .setOrigin(rel)
            .setSourceType(ArchiveFormat.SOURCE_TYPE)
            .setMethod(ARCHIVE_MEMBER)
            .build();
        archiveDepth = outerDepth + 1;
        walker.walk(new EvidenceWalker.Visitor() {
          @Override
          public void file(EvidenceFile m) {
            Run.this.file(new EvidenceFile(m.path(), prefix + m.relPath(), m.size(), m.mtime()));
          }

          @Override
          public void skipped(SkipReason reason, String relPath, String detail) {
            Run.this.skipped(reason, prefix + relPath, detail);
          }

          @Override
          public void alias(String linkRel, String targetRel, boolean clamped) {
            Run.this.alias(prefix + linkRel, prefix + targetRel, clamped); // never: links are not expanded
          }
        });
        Map<String, Long> skips = new java.util.TreeMap<>();
        report.skipCountsNow().forEach((reason, n) -> {
          long d = n - skipsBefore.getOrDefault(reason, 0L);
          if (d > 0) {
            skips.put(reason.code(), d);
          }
        });
        String stop = r.stop().name().toLowerCase(java.util.Locale.ROOT);
        report.archive(new CollectionReport.Archive(rel, original.getArtifactSha256(), format.code(), archiveDepth,
            r.members(), r.expanded(), report.artifactCount() - artifactsBefore, skips, stop, r.detail()));
        if (r.stop() != ArchiveExtractor.Stop.COMPLETE) {
          report.warn("archive_" + stop, rel, r.expanded() + " of " + r.members() + " members expanded, then: "
              + r.detail());
        }
      } catch (IOException e) {
        report.warn("archive_unreadable", rel, e.toString());
      } finally {
        context = outerContext;
        memberOf = outerMemberOf;
        archiveDepth = outerDepth;
        deleteWorkingCopy(work, rel);
      }
    }

    private void deleteWorkingCopy(Path work, String rel) {
      if (work == null) {
        return;
      }
      try (java.util.stream.Stream<Path> paths = Files.walk(work)) {
        for (Path p : (Iterable<Path>) paths.sorted(java.util.Comparator.reverseOrder())::iterator) {
          Files.deleteIfExists(p);
        }
      } catch (IOException | java.io.UncheckedIOException e) {
        report.warn("archive_working_copy", rel, "could not delete the working copy " + work + ": " + e);
      }
    }

    /**
     * Pre-pass: the offline {@code docker diff}. For each container writable layer found in the root, the listing
     * of its upper dir ({@link OverlayUpperChanges}) is written to a temporary file and collected like any artifact
     * (its own SHA-256, preserved, chunked as LINES) with source_type {@code overlay_upper_changes} and origin
     * {@code <upper dir>/} (the directory it describes); the temporary file is deleted afterwards. The normal walk
     * is not changed: files inside upper dirs are still collected when they are evidence of a known format.
     */
    void overlayUpperChanges(Path root, List<EvidenceFile> markers) throws IOException {
      if (markers.isEmpty()) {
        return;
      }
      OverlayUpperChanges scanner = new OverlayUpperChanges(root, OverlayUpperChanges.DEFAULT_MAX_HASH_BYTES,
          OverlayUpperChanges.DEFAULT_MAX_ENTRIES, (path, msg) -> report.warn("overlay_upper_changes", path, msg));
      for (OverlayUpperChanges.Upper u : scanner.locate(markers)) {
        Path tmp = Files.createTempFile("strata-overlay-upper-", ".jsonl");
        try {
          long entries;
          try (java.io.OutputStream o = new java.io.BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
            entries = scanner.write(u, o);
          }
          if (entries == 0) {
            continue; // an empty upper dir: the container changed nothing
          }
          String origin = u.upperRel() + "/";
          Instant mtime = Files.getLastModifiedTime(root.resolve(u.upperRel()),
              java.nio.file.LinkOption.NOFOLLOW_LINKS).toInstant();
          Recognition rec = new Recognition(OverlayUpperChanges.SOURCE_TYPE, Framing.LINES,
              dev.strata.ingest.context.ContextValues.EMPTY,
              "synthesized listing of a container writable layer (" + u.runtime() + ")", List.of());
          ContextResolver.Resolved ctx = context.resolve(u.upperRel(), rec.pathHints());
          collectArtifact(new EvidenceFile(tmp, origin, Files.size(tmp), mtime), false, rec, ctx.context().toAvro(),
              Map.of(), null, true);
        } finally {
          Files.deleteIfExists(tmp);
        }
      }
    }

    private ContentSample sample(Path file, boolean gzip) throws IOException {
      try (ContentReader r = ContentReader.open(file, gzip, limits, null)) {
        byte[] b = new byte[ContentSample.SIZE];
        int n = 0;
        while (n < b.length) {
          int k = r.read(b, n, b.length - n);
          if (k < 0) {
            return new ContentSample(java.util.Arrays.copyOf(b, n), true, gzip);
          }
          n += k;
        }
        return new ContentSample(b, r.read() < 0, gzip);
      }
    }

    /**
     * Hashes, preserves and (when {@code publishChunks}) publishes one artifact, then its manifest.
     *
     * @param derivedFrom the evidence a derived artifact was made from, or null
     * @param publishChunks false: the manifest only, chunk_count 0 (content no parser reads, e.g. a binary journal)
     * @return the published manifest, or null when the artifact was skipped (the report says why)
     */
    private ArtifactManifest collectArtifact(EvidenceFile f, boolean gzip, Recognition rec, EvidenceContext ctx,
        Map<String, String> originMetadata, DerivedFrom derivedFrom, boolean publishChunks) {
      String rel = f.relPath();
      Instant collectedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
      MessageDigest rawDigest = gzip ? sha256() : null;
      ChunkPlan plan;
      long artifactSize;
      long hashedBefore = bytesHashed;
      try (ContentReader r = ContentReader.open(f.path(), gzip, limits, rawDigest)) {
        plan = chunker.plan(new ProgressStream(r, rel), Recognizers.boundaryScanner(recognizers, rec, f.path(), gzip, limits));
        if (gzip) {
          r.drainRaw();
        }
        artifactSize = r.rawBytes();
        bytesHashed = hashedBefore + artifactSize;
      } catch (TooLargeDecompressedException e) {
        report.skip(SkipReason.TOO_LARGE_DECOMPRESSED, rel, e.getMessage());
        return null;
      } catch (CorruptGzipException e) {
        report.skip(SkipReason.CORRUPT_GZIP, rel, e.getMessage());
        return null;
      } catch (IOException e) {
        report.skip(SkipReason.UNREADABLE, rel, e.toString());
        return null;
      }
      if (plan.contentSize() == 0) {
        report.skip(SkipReason.EMPTY, rel, gzip ? "gzip with empty content" : null);
        return null;
      }
      if (artifactSize != f.size()) {
        report.warn("size_changed", rel, "size was " + f.size() + " when listed, " + artifactSize + " when read");
      }
      String artifactSha = gzip ? Chunker.hex(rawDigest.digest()) : plan.contentSha256();
      Instant mtime = f.mtime().truncatedTo(ChronoUnit.MICROS);
      ArtifactManifest manifest = ArtifactManifest.newBuilder()
          .setArtifactSha256(artifactSha)
          .setSize(artifactSize)
          .setCompression(gzip ? Compression.GZIP : Compression.NONE)
          .setContentSha256(plan.contentSha256())
          .setContentSize(plan.contentSize())
          .setSourceType(rec.sourceType())
          .setOrigin(rel)
          .setEvidenceRoot(realRoot)
          .setOriginMtime(mtime)
          .setContext(ctx)
          .setCollector(collector)
          .setCollectedAt(collectedAt)
          .setChunkCount(publishChunks ? plan.count() : 0)
          .setStorageUri(null)
          .setDerivedFrom(derivedFrom != null ? derivedFrom : memberOf)
          .build();
      String storageUri;
      try {
        storageUri = preserver.preserve(ArtifactManifest.newBuilder(manifest).build(), f.path(), originMetadata);
      } catch (IOException | RuntimeException e) {
        throw new CollectionException("preserving " + rel + " (sha256 " + artifactSha + ") failed: " + e, e);
      }
      manifest.setStorageUri(storageUri);

      if (!publishChunks) {
        publisher.publishManifest(manifest);
        report.artifact(new CollectionReport.Artifact(rel, artifactSha, rec.sourceType(), rec.framing().name(),
            manifest.getCompression().name(), artifactSize, plan.contentSize(), 0, storageUri), 0);
        progress(rel, false);
        return manifest;
      }
      // a document cut into several chunks carries its context (derived by the scanner) on every chunk
      boolean scannerHeader = plan.count() > 1 && plan.formatHeader() != null;
      int[] published = {0};
      try (ContentReader r = ContentReader.open(f.path(), gzip, limits, null)) {
        chunker.emit(r, plan, (pc, payload) -> {
          String header = scannerHeader ? plan.formatHeader(pc.index()) : formatHeader;
          publisher.publish(chunk(manifest, rec.framing(), plan, pc, payload, header));
          published[0]++;
          chunksPublished++;
          bytesPublished += payload.length;
          progress(rel, false);
        });
      } catch (ChunkMismatchException | TooLargeDecompressedException | CorruptGzipException e) {
        report.skip(SkipReason.CHANGED_DURING_COLLECTION, rel,
            e.getMessage() + "; " + published[0] + " of " + plan.count() + " chunks were published, no manifest");
        return null;
      } catch (IOException e) {
        report.skip(SkipReason.UNREADABLE, rel,
            "pass 2: " + e + "; " + published[0] + " of " + plan.count() + " chunks were published, no manifest");
        return null;
      }
      publisher.publishManifest(manifest);

      for (ChunkPlan.Truncation t : plan.truncations()) {
        report.truncation(new CollectionReport.Truncation(
            rel, artifactSha, t.chunkIndex(), t.recordOffset(), t.recordLength(), t.skippedBytes()));
      }
      report.artifact(new CollectionReport.Artifact(rel, artifactSha, rec.sourceType(), rec.framing().name(),
          manifest.getCompression().name(), artifactSize, plan.contentSize(), plan.count(), storageUri),
          plan.truncations().size());
      progress(rel, false);
      return manifest;
    }

    private RawArtifactChunk chunk(
        ArtifactManifest m, Framing framing, ChunkPlan plan, PlannedChunk pc, byte[] payload, String header) {
      return RawArtifactChunk.newBuilder()
          .setArtifactSha256(m.getArtifactSha256())
          .setArtifactSize(m.getSize())
          .setContentSha256(m.getContentSha256())
          .setContentSize(m.getContentSize())
          .setCompression(m.getCompression())
          .setSourceType(m.getSourceType())
          .setOrigin(m.getOrigin())
          .setEvidenceRoot(m.getEvidenceRoot())
          .setOriginMtime(m.getOriginMtime())
          .setContext(m.getContext())
          .setCollector(m.getCollector())
          .setCollectedAt(m.getCollectedAt())
          .setFraming(framing)
          .setChunk(ChunkInfo.newBuilder()
              .setIndex(pc.index())
              .setCount(plan.count())
              .setOffset(pc.offset())
              .setLength(pc.length())
              .setFirstLine(pc.firstLine())
              .setFirstRecord(pc.firstRecord())
              .setSha256(pc.sha256())
              .setTruncatedRecord(pc.truncatedRecord())
              .build())
          .setStorageUri(m.getStorageUri())
          .setPayload(ByteBuffer.wrap(payload))
          .setFormatHeader(header)
          .build();
    }

    /** Reports hashing progress every 16 MiB of a large file. */
    private final class ProgressStream extends FilterInputStream {
      private final String rel;
      private final ContentReader reader;
      private final long base = bytesHashed;
      private long nextReport = PROGRESS_BYTES;

      ProgressStream(ContentReader in, String rel) {
        super(in);
        this.reader = in;
        this.rel = rel;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        int n = in.read(b, off, len);
        long raw = reader.rawBytes();
        if (raw >= nextReport) {
          bytesHashed = base + raw;
          nextReport = raw + PROGRESS_BYTES;
          progress(rel, false);
        }
        return n;
      }
    }
  }

  static String version() {
    String v = FileCollector.class.getPackage().getImplementationVersion();
    return v != null ? v : "dev";
  }

  static String hostname() {
    String env = System.getenv("HOSTNAME");
    if (env != null && !env.isBlank()) {
      return env;
    }
    try {
      Path etc = Path.of("/etc/hostname");
      if (Files.isReadable(etc)) {
        String s = Files.readString(etc).strip();
        if (!s.isEmpty()) {
          return s;
        }
      }
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
