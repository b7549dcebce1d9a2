package dev.strata.ingest;

import dev.strata.ingest.context.ContextValues;
import dev.strata.ingest.recognize.VpcFlowLogFormats;
import java.util.Objects;

/**
 * Options of one collection run; validated in the constructor (errors name the option by its snake_case key).
 *
 * @param chunkSize target payload size of a chunk in bytes ({@code chunk_size}, default 512 KiB); chunks are cut at
 *     the last record boundary before this size
 * @param maxRecordBytes largest single record published whole ({@code max_record_bytes}, default 4 MiB); a larger
 *     record is cut to this size ({@code truncated_record = true}) and its rest is skipped
 * @param maxContentBytes largest decompressed content of a gzip artifact ({@code max_content_bytes}, default 8 GiB)
 * @param maxGzipRatio largest content/compressed ratio once more than {@code gzip_ratio_grace_bytes} of content were
 *     produced ({@code max_gzip_ratio}, default 1000)
 * @param gzipRatioGraceBytes content bytes produced before the ratio is enforced ({@code gzip_ratio_grace_bytes},
 *     default 10 MiB)
 * @param contextDefaults command-line context (lowest precedence: path layout > context manifest > these)
 * @param runId id of this run ({@code run_id}); null = a random UUID per run
 * @param operator who runs the collection ({@code operator}); null = system property {@code user.name}
 * @param collectorHostname machine the collector runs on; null = this machine's hostname
 * @param vpcFlowLogFormats custom VPC flow log formats for exports without a header line, by path / S3 key prefix or
 *     CloudWatch Logs group ({@code vpc_flow.log_formats}); none by default
 * @param archiveMaxBytes largest total of member bytes one evidence archive (tar, compressed tar, zip) may expand to
 *     ({@code archive_max_bytes}, default 64 GiB): the working copy's disk use
 * @param archiveMaxRatio largest ratio of an archive's expanded bytes to its size, once more than
 *     {@code gzip_ratio_grace_bytes} were expanded ({@code archive_max_ratio}, default 1000: zip bombs)
 * @param archiveMaxDepth archives inside archives are expanded down to this depth ({@code archive_max_depth},
 *     default 2: an archive and the archives it holds); 0 = archives are neither expanded nor preserved
 */
public record CollectorOptions(
    int chunkSize,
    int maxRecordBytes,
    long maxContentBytes,
    double maxGzipRatio,
    long gzipRatioGraceBytes,
    ContextValues contextDefaults,
    String runId,
    String operator,
    String collectorHostname,
    VpcFlowLogFormats vpcFlowLogFormats,
    long archiveMaxBytes,
    double archiveMaxRatio,
    int archiveMaxDepth) {

  public static final int DEFAULT_CHUNK_SIZE = 512 * 1024;
  public static final int DEFAULT_MAX_RECORD_BYTES = 4 * 1024 * 1024;
  public static final long DEFAULT_MAX_CONTENT_BYTES = 8L * 1024 * 1024 * 1024;
  public static final double DEFAULT_MAX_GZIP_RATIO = 1000;
  public static final long DEFAULT_GZIP_RATIO_GRACE_BYTES = 10L * 1024 * 1024;
  public static final long DEFAULT_ARCHIVE_MAX_BYTES = 64L * 1024 * 1024 * 1024;
  public static final double DEFAULT_ARCHIVE_MAX_RATIO = 1000;
  public static final int DEFAULT_ARCHIVE_MAX_DEPTH = 2;
  /** A chunk must fit a Kafka record of 8 MiB (topic max.message.bytes) with its envelope. */
  public static final int MAX_MAX_RECORD_BYTES = 7 * 1024 * 1024;

  public CollectorOptions {
    if (chunkSize <= 0) {
      throw invalid("chunk_size", "must be > 0, got " + chunkSize);
    }
    if (maxRecordBytes <= 0) {
      throw invalid("max_record_bytes", "must be > 0, got " + maxRecordBytes);
    }
    if (maxRecordBytes > MAX_MAX_RECORD_BYTES) {
      throw invalid(
          "max_record_bytes",
          "must be <= " + MAX_MAX_RECORD_BYTES + " (a chunk must fit an 8 MiB Kafka record), got " + maxRecordBytes);
    }
    if (chunkSize > maxRecordBytes) {
      throw invalid(
          "chunk_size", "must be <= max_record_bytes (" + maxRecordBytes + "), got " + chunkSize);
    }
    if (maxContentBytes <= 0) {
      throw invalid("max_content_bytes", "must be > 0, got " + maxContentBytes);
    }
    if (!(maxGzipRatio >= 1) || Double.isInfinite(maxGzipRatio)) {
      throw invalid("max_gzip_ratio", "must be a finite number >= 1, got " + maxGzipRatio);
    }
    if (gzipRatioGraceBytes < 0) {
      throw invalid("gzip_ratio_grace_bytes", "must be >= 0, got " + gzipRatioGraceBytes);
    }
    if (archiveMaxBytes <= 0) {
      throw invalid("archive_max_bytes", "must be > 0, got " + archiveMaxBytes);
    }
    if (!(archiveMaxRatio >= 1) || Double.isInfinite(archiveMaxRatio)) {
      throw invalid("archive_max_ratio", "must be a finite number >= 1, got " + archiveMaxRatio);
    }
    if (archiveMaxDepth < 0) {
      throw invalid("archive_max_depth", "must be >= 0, got " + archiveMaxDepth);
    }
    contextDefaults = contextDefaults == null ? ContextValues.EMPTY : contextDefaults;
    vpcFlowLogFormats = vpcFlowLogFormats == null ? VpcFlowLogFormats.NONE : vpcFlowLogFormats;
    if (runId != null && runId.isBlank()) {
      throw invalid("run_id", "must not be blank (omit it for a random UUID)");
    }
  }

  public static CollectorOptions defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    return new Builder()
        .chunkSize(chunkSize)
        .maxRecordBytes(maxRecordBytes)
        .maxContentBytes(maxContentBytes)
        .maxGzipRatio(maxGzipRatio)
        .gzipRatioGraceBytes(gzipRatioGraceBytes)
        .contextDefaults(contextDefaults)
        .runId(runId)
        .operator(operator)
        .collectorHostname(collectorHostname)
        .vpcFlowLogFormats(vpcFlowLogFormats)
        .archiveMaxBytes(archiveMaxBytes)
        .archiveMaxRatio(archiveMaxRatio)
        .archiveMaxDepth(archiveMaxDepth);
  }

  private static IllegalArgumentException invalid(String key, String message) {
    return new IllegalArgumentException("collector option " + key + ": " + message);
  }

  /** Builder with the defaults above. */
  public static final class Builder {
    private int chunkSize = DEFAULT_CHUNK_SIZE;
    private int maxRecordBytes = DEFAULT_MAX_RECORD_BYTES;
    private long maxContentBytes = DEFAULT_MAX_CONTENT_BYTES;
    private double maxGzipRatio = DEFAULT_MAX_GZIP_RATIO;
    private long gzipRatioGraceBytes = DEFAULT_GZIP_RATIO_GRACE_BYTES;
    private ContextValues contextDefaults = ContextValues.EMPTY;
    private String runId;
    private String operator;
    private String collectorHostname;
    private VpcFlowLogFormats vpcFlowLogFormats = VpcFlowLogFormats.NONE;
    private long archiveMaxBytes = DEFAULT_ARCHIVE_MAX_BYTES;
    private double archiveMaxRatio = DEFAULT_ARCHIVE_MAX_RATIO;
    private int archiveMaxDepth = DEFAULT_ARCHIVE_MAX_DEPTH;

    private Builder() {}

    public Builder chunkSize(int v) {
      chunkSize = v;
      return this;
    }

    public Builder maxRecordBytes(int v) {
      maxRecordBytes = v;
      return this;
    }

    public Builder maxContentBytes(long v) {
      maxContentBytes = v;
      return this;
    }

    public Builder maxGzipRatio(double v) {
      maxGzipRatio = v;
      return this;
    }

    public Builder gzipRatioGraceBytes(long v) {
      gzipRatioGraceBytes = v;
      return this;
    }

    public Builder contextDefaults(ContextValues v) {
      contextDefaults = Objects.requireNonNullElse(v, ContextValues.EMPTY);
      return this;
    }

    public Builder host(String v) {
      ContextValues cd = contextDefaults;
      contextDefaults = new ContextValues(v, cd.cluster(), cd.cloudProvider(), cd.cloudAccount(), cd.cloudRegion(), cd.cloudInstance());
      return this;
    }

    public Builder cluster(String v) {
      ContextValues cd = contextDefaults;
      contextDefaults = new ContextValues(cd.host(), v, cd.cloudProvider(), cd.cloudAccount(), cd.cloudRegion(), cd.cloudInstance());
      return this;
    }

    public Builder cloudProvider(String v) {
      ContextValues cd = contextDefaults;
      contextDefaults = new ContextValues(cd.host(), cd.cluster(), v, cd.cloudAccount(), cd.cloudRegion(), cd.cloudInstance());
      return this;
    }

    public Builder cloudAccount(String v) {
      ContextValues cd = contextDefaults;
      contextDefaults = new ContextValues(cd.host(), cd.cluster(), cd.cloudProvider(), v, cd.cloudRegion(), cd.cloudInstance());
      return this;
    }

    public Builder cloudRegion(String v) {
      ContextValues cd = contextDefaults;
      contextDefaults = new ContextValues(cd.host(), cd.cluster(), cd.cloudProvider(), cd.cloudAccount(), v, cd.cloudInstance());
      return this;
    }

    /** The cloud instance id of the host the evidence was taken from (EC2 {@code i-...}). */
    public Builder cloudInstance(String v) {
      ContextValues cd = contextDefaults;
      contextDefaults = new ContextValues(cd.host(), cd.cluster(), cd.cloudProvider(), cd.cloudAccount(), cd.cloudRegion(), v);
      return this;
    }

    public Builder runId(String v) {
      runId = v;
      return this;
    }

    public Builder operator(String v) {
      operator = v;
      return this;
    }

    public Builder collectorHostname(String v) {
      collectorHostname = v;
      return this;
    }

    public Builder vpcFlowLogFormats(VpcFlowLogFormats v) {
      vpcFlowLogFormats = v;
      return this;
    }

    public Builder archiveMaxBytes(long v) {
      archiveMaxBytes = v;
      return this;
    }

    public Builder archiveMaxRatio(double v) {
      archiveMaxRatio = v;
      return this;
    }

    public Builder archiveMaxDepth(int v) {
      archiveMaxDepth = v;
      return this;
    }

    public CollectorOptions build() {
      return new CollectorOptions(
          chunkSize, maxRecordBytes, maxContentBytes, maxGzipRatio, gzipRatioGraceBytes,
          contextDefaults, runId, operator, collectorHostname, vpcFlowLogFormats, archiveMaxBytes, archiveMaxRatio,
          archiveMaxDepth);
    }
  }
}
