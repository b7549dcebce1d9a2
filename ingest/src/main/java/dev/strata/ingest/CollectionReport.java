package dev.strata.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a collection run did: per source type how many artifacts, chunks and bytes; every skipped path with a reason
 * code; warnings; symlink aliases; truncated records. Immutable. {@link #summary(boolean)} is a human table,
 * {@link #toJson()} the machine form.
 */
public final class CollectionReport {
  /** At most this many paths are listed per skip reason (all are counted). */
  public static final int MAX_LISTED_PER_REASON = 100_000;

  /** Totals of one source type. */
  public record SourceTypeStats(
      String sourceType, long artifacts, long chunks, long artifactBytes, long contentBytes, long truncatedRecords) {}

  /** One collected artifact. */
  public record Artifact(
      String origin,
      String artifactSha256,
      String sourceType,
      String framing,
      String compression,
      long artifactSize,
      long contentSize,
      int chunks,
      String storageUri) {}

  /** A path that was not published and why. */
  public record Skipped(String reason, String path, String detail) {}

  /** Something the operator should know; the artifact was still collected. {@code code} is lower_snake_case. */
  public record Warning(String code, String path, String message) {}

  /** A symlink whose target (resolved inside the evidence root) is a collected file. */
  public record Alias(String link, String target) {}

  /**
   * A record larger than max_record_bytes: chunk {@code chunkIndex} holds its first bytes, {@code skippedBytes} were
   * not published (they are in the preserved original).
   */
  /**
   * A binary systemd journal file read: its state ({@code offline}, {@code online}: being written, {@code archived}),
   * layout, entries read (and the header's count), why the read stopped ({@code complete}, {@code truncated}, {@code
   * corrupt}) and the failed check, fields left out, entries per derived format and entries skipped per program.
   */
  public record Journal(String origin, String artifactSha256, String state, boolean compact, long entries,
      long headerEntries, String stop, String detail, long fieldsSkipped, Map<String, Long> derived,
      Map<String, Long> skippedPrograms) {
    public Journal {
      derived = Map.copyOf(derived);
      skippedPrograms = java.util.Collections.unmodifiableMap(new TreeMap<>(skippedPrograms));
    }
  }

  /**
   * An evidence archive expanded: its format, members seen (directories not counted), members expanded, artifacts
   * collected from them (derived ones of a journal or a nested archive included), members and files skipped per reason
   * code, and how the expansion ended ({@code complete}, {@code corrupt}, {@code limit}) with where it stopped.
   */
  public record Archive(String origin, String artifactSha256, String format, int depth, long members, long expanded,
      long collected, Map<String, Long> skipped, String stop, String detail) {
    public Archive {
      skipped = java.util.Collections.unmodifiableMap(new TreeMap<>(skipped));
    }
  }

  public record Truncation(
      String origin, String artifactSha256, int chunkIndex, long recordOffset, long recordLength, long skippedBytes) {}

  private final String evidenceRoot;
  private final String runId;
  private final Instant startedAt;
  private final Instant finishedAt;
  private final long filesSeen;
  private final long recordsAcknowledged;
  private final Map<String, SourceTypeStats> sourceTypes;
  private final List<Artifact> artifacts;
  private final Map<SkipReason, Long> skipCounts;
  private final List<Skipped> skipped;
  private final List<Warning> warnings;
  private final List<Alias> aliases;
  private final List<Truncation> truncations;
  private final List<String> contextManifests;
  private final List<Journal> journals;
  private final List<Archive> archives;

  private CollectionReport(Builder b, Instant finishedAt, long recordsAcknowledged) {
    this.evidenceRoot = b.evidenceRoot;
    this.runId = b.runId;
    this.startedAt = b.startedAt;
    this.finishedAt = finishedAt;
    this.filesSeen = b.filesSeen;
    this.recordsAcknowledged = recordsAcknowledged;
    Map<String, SourceTypeStats> st = new TreeMap<>();
    b.stats.forEach((k, v) -> st.put(k, new SourceTypeStats(k, v[0], v[1], v[2], v[3], v[4])));
    this.sourceTypes = java.util.Collections.unmodifiableMap(st);
    this.artifacts = List.copyOf(b.artifacts);
    this.skipCounts = java.util.Collections.unmodifiableMap(new EnumMap<>(b.skipCounts));
    this.skipped = List.copyOf(b.skipped);
    this.warnings = List.copyOf(b.warnings);
    this.aliases = List.copyOf(b.aliases);
    this.truncations = List.copyOf(b.truncations);
    this.contextManifests = List.copyOf(b.contextManifests);
    this.journals = List.copyOf(b.journals);
    this.archives = List.copyOf(b.archives);
  }

  /** The evidence archives expanded, in the order their expansion finished (a nested archive before its parent). */
  public List<Archive> archives() {
    return archives;
  }

  /** The binary journal files read, in collection order. */
  public List<Journal> journals() {
    return journals;
  }

  public String evidenceRoot() {
    return evidenceRoot;
  }

  public String runId() {
    return runId;
  }

  public Instant startedAt() {
    return startedAt;
  }

  public Instant finishedAt() {
    return finishedAt;
  }

  /** Directory entries looked at (files, symlinks, special files; not directories). */
  public long filesSeen() {
    return filesSeen;
  }

  /** Records (chunks + manifests) the publisher acknowledged at the final flush. */
  public long recordsAcknowledged() {
    return recordsAcknowledged;
  }

  /** Per source type, sorted by name. */
  public Map<String, SourceTypeStats> sourceTypes() {
    return sourceTypes;
  }

  public List<Artifact> artifacts() {
    return artifacts;
  }

  public long artifactCount() {
    return artifacts.size();
  }

  public long chunkCount() {
    return sourceTypes.values().stream().mapToLong(SourceTypeStats::chunks).sum();
  }

  /** Listed skips (at most {@link #MAX_LISTED_PER_REASON} per reason), in walk order. */
  public List<Skipped> skipped() {
    return skipped;
  }

  public List<Skipped> skipped(SkipReason reason) {
    return skipped.stream().filter(s -> s.reason().equals(reason.code())).toList();
  }

  /** Count per reason (including paths beyond the listing cap). */
  public Map<SkipReason, Long> skipCounts() {
    return skipCounts;
  }

  public long skippedCount(SkipReason reason) {
    return skipCounts.getOrDefault(reason, 0L);
  }

  public long skippedTotal() {
    return skipCounts.values().stream().mapToLong(Long::longValue).sum();
  }

  public List<Warning> warnings() {
    return warnings;
  }

  public List<Alias> aliases() {
    return aliases;
  }

  public List<Truncation> truncations() {
    return truncations;
  }

  /** Context manifests (strata-context.yaml/.json) found, relative to the root. */
  public List<String> contextManifests() {
    return contextManifests;
  }

  /** True when an artifact changed while it was collected (its publication is incomplete). */
  public boolean hasErrors() {
    return skippedCount(SkipReason.CHANGED_DURING_COLLECTION) > 0;
  }

  @Override
  public String toString() {
    return summary(false);
  }

  /**
   * Human summary: a table per source type, skip counts per reason, warnings, truncations and (all skipped paths
   * except not_recognized, which only {@code verbose} lists).
   */
  public String summary(boolean verbose) {
    StringBuilder sb = new StringBuilder();
    Duration took = Duration.between(startedAt, finishedAt);
    sb.append(String.format(Locale.ROOT, "Collected %s (run %s) in %.1f s: %d files seen, %d artifacts, %d chunks,"
            + " %d records acknowledged%n",
        evidenceRoot, runId, took.toMillis() / 1000.0, filesSeen, artifactCount(), chunkCount(),
        recordsAcknowledged));
    sb.append(String.format(Locale.ROOT, "%-20s %10s %10s %14s %14s %10s%n",
        "source_type", "artifacts", "chunks", "bytes", "content_bytes", "truncated"));
    for (SourceTypeStats s : sourceTypes.values()) {
      sb.append(String.format(Locale.ROOT, "%-20s %10d %10d %14d %14d %10d%n", s.sourceType(), s.artifacts(),
          s.chunks(), s.artifactBytes(), s.contentBytes(), s.truncatedRecords()));
    }
    if (!skipCounts.isEmpty()) {
      sb.append("skipped:");
      skipCounts.forEach((r, n) -> sb.append(' ').append(r.code()).append('=').append(n));
      sb.append(System.lineSeparator());
      for (Skipped s : skipped) {
        if (verbose || !s.reason().equals(SkipReason.NOT_RECOGNIZED.code())) {
          sb.append("  ").append(s.reason()).append("  ").append(s.path());
          if (s.detail() != null) {
            sb.append("  (").append(s.detail()).append(')');
          }
          sb.append(System.lineSeparator());
        }
      }
      if (!verbose && skippedCount(SkipReason.NOT_RECOGNIZED) > 0) {
        sb.append("  (").append(skippedCount(SkipReason.NOT_RECOGNIZED))
            .append(" not_recognized paths: list them with --verbose)").append(System.lineSeparator());
      }
    }
    for (Truncation t : truncations) {
      sb.append("truncated record: ").append(t.origin()).append(" chunk ").append(t.chunkIndex())
          .append(" at offset ").append(t.recordOffset()).append(", ").append(t.skippedBytes())
          .append(" bytes not published").append(System.lineSeparator());
    }
    for (Journal j : journals) {
      sb.append("journal ").append(j.origin()).append(": ").append(j.entries()).append(" entries (").append(j.stop())
          .append(", ").append(j.state()).append(j.compact() ? ", compact" : "").append(')');
      j.derived().entrySet().stream().sorted(Map.Entry.comparingByKey())
          .forEach(d -> sb.append(' ').append(d.getKey()).append('=').append(d.getValue()));
      if (!j.skippedPrograms().isEmpty()) {
        sb.append("; skipped");
        j.skippedPrograms().forEach((p, n) -> sb.append(' ').append(p).append('=').append(n));
      }
      sb.append(System.lineSeparator());
    }
    for (Archive a : archives) {
      sb.append("archive ").append(a.origin()).append(" (").append(a.format()).append("): ").append(a.members())
          .append(" members, ").append(a.expanded()).append(" expanded, ").append(a.collected())
          .append(" artifacts collected");
      if (!a.skipped().isEmpty()) {
        sb.append("; skipped");
        a.skipped().forEach((r, n) -> sb.append(' ').append(r).append('=').append(n));
      }
      if (a.detail() != null) {
        sb.append("; ").append(a.stop()).append(": ").append(a.detail());
      }
      sb.append(System.lineSeparator());
    }
    for (Warning w : warnings) {
      sb.append("warning ").append(w.code()).append(": ").append(w.path() == null ? "" : w.path() + ": ")
          .append(w.message()).append(System.lineSeparator());
    }
    return sb.toString();
  }

  /** The whole report as JSON (snake_case keys). */
  public String toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("evidence_root", evidenceRoot);
    m.put("run_id", runId);
    m.put("started_at", startedAt.toString());
    m.put("finished_at", finishedAt.toString());
    m.put("files_seen", filesSeen);
    m.put("artifacts_total", artifactCount());
    m.put("chunks_total", chunkCount());
    m.put("records_acknowledged", recordsAcknowledged);
    List<Object> st = new ArrayList<>();
    for (SourceTypeStats s : sourceTypes.values()) {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("source_type", s.sourceType());
      e.put("artifacts", s.artifacts());
      e.put("chunks", s.chunks());
      e.put("bytes", s.artifactBytes());
      e.put("content_bytes", s.contentBytes());
      e.put("truncated_records", s.truncatedRecords());
      st.add(e);
    }
    m.put("source_types", st);
    Map<String, Long> counts = new LinkedHashMap<>();
    skipCounts.forEach((r, n) -> counts.put(r.code(), n));
    m.put("skip_counts", counts);
    m.put("skipped", skipped);
    m.put("warnings", warnings);
    m.put("truncations", truncations);
    m.put("aliases", aliases);
    m.put("context_manifests", contextManifests);
    m.put("journals", journals);
    m.put("archives", archives);
    m.put("artifacts", artifacts);
    try {
      return MAPPER.writeValueAsString(m);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot render report", e);
    }
  }

  private static final ObjectMapper MAPPER =
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .setPropertyNamingStrategy(com.fasterxml.jackson.databind.PropertyNamingStrategies.SNAKE_CASE);

  /** Accumulates a report while collecting (used by the collector). Not thread-safe. */
  public static final class Builder {
    private final String evidenceRoot;
    private final String runId;
    private final Instant startedAt;
    private long filesSeen;
    private final Map<String, long[]> stats = new TreeMap<>();
    private final List<Artifact> artifacts = new ArrayList<>();
    private final Map<SkipReason, Long> skipCounts = new EnumMap<>(SkipReason.class);
    private final List<Skipped> skipped = new ArrayList<>();
    private final List<Warning> warnings = new ArrayList<>();
    private final List<Alias> aliases = new ArrayList<>();
    private final List<Truncation> truncations = new ArrayList<>();
    private final List<String> contextManifests = new ArrayList<>();
    private final List<Journal> journals = new ArrayList<>();
    private final List<Archive> archives = new ArrayList<>();

    public Builder(String evidenceRoot, String runId, Instant startedAt) {
      this.evidenceRoot = evidenceRoot;
      this.runId = runId;
      this.startedAt = startedAt;
    }

    public void fileSeen() {
      filesSeen++;
    }

    public void journal(Journal j) {
      journals.add(j);
    }

    public void archive(Archive a) {
      archives.add(a);
    }

    /** A copy of the skip counts so far (per-archive counts are differences of two copies). */
    public Map<SkipReason, Long> skipCountsNow() {
      return new EnumMap<>(skipCounts);
    }

    public long filesSeen() {
      return filesSeen;
    }

    public void skip(SkipReason reason, String path, String detail) {
      long n = skipCounts.merge(reason, 1L, Long::sum);
      if (n <= MAX_LISTED_PER_REASON) {
        skipped.add(new Skipped(reason.code(), path, detail));
      }
    }

    public long skippedTotal() {
      return skipCounts.values().stream().mapToLong(Long::longValue).sum();
    }

    public void warn(String code, String path, String message) {
      warnings.add(new Warning(code, path, message));
    }

    public void alias(String link, String target) {
      aliases.add(new Alias(link, target));
    }

    public void truncation(Truncation t) {
      truncations.add(t);
    }

    public void contextManifest(String path) {
      contextManifests.add(path);
    }

    public void artifact(Artifact a, long truncatedRecords) {
      artifacts.add(a);
      long[] s = stats.computeIfAbsent(a.sourceType(), k -> new long[5]);
      s[0]++;
      s[1] += a.chunks();
      s[2] += a.artifactSize();
      s[3] += a.contentSize();
      s[4] += truncatedRecords;
    }

    public long artifactCount() {
      return artifacts.size();
    }

    public CollectionReport build(Instant finishedAt, long recordsAcknowledged) {
      return new CollectionReport(this, finishedAt, recordsAcknowledged);
    }
  }
}
