package dev.strata.sink.s3;

import dev.strata.sink.Config;
import dev.strata.sink.Secret;
import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Configuration of the S3 evidence store (keys under {@code s3.}). Validated in the constructor; errors name the key.
 *
 * @param endpoint {@code s3.endpoint}: URL of an S3-compatible server (S3Proxy, MinIO); null = AWS S3
 * @param region {@code s3.region}: signing region (default {@code us-east-1})
 * @param bucket {@code s3.bucket}: evidence bucket (default {@code strata-evidence})
 * @param accessKey {@code s3.access_key}: null = the SDK's default credential chain (then {@code secretKey} null too)
 * @param secretKey {@code s3.secret_key}
 * @param pathStyle {@code s3.path_style}: path-style addressing (needed by most S3-compatible servers)
 * @param keyPrefix {@code s3.key_prefix}: prefix of every key, "" or ending in {@code /} (a missing slash is added)
 * @param objectLockDays {@code s3.object_lock_days}: null = off. When set, the bucket is created with Object Lock
 *     and every artifact and manifest gets a retention of that many days in {@code objectLockMode}. Needs real S3 or
 *     MinIO: S3Proxy answers 501 (Not Implemented) to Object Lock requests.
 * @param objectLockMode {@code s3.object_lock_mode}: {@code COMPLIANCE} (default) or {@code GOVERNANCE}
 * @param multipartThresholdBytes {@code s3.multipart_threshold_bytes}: files larger than this are uploaded in parts
 *     (default 64 MiB)
 * @param partSizeBytes {@code s3.part_size_bytes}: part size (default 16 MiB, min 5 MiB; grown automatically so a
 *     file never needs more than 10,000 parts). One part is held in memory at a time.
 * @param maxAttempts {@code s3.max_attempts}: attempts per request for transient failures (429, 5xx, I/O), with the
 *     SDK's exponential backoff and jitter (default 5)
 */
public record S3EvidenceStoreConfig(
    URI endpoint,
    String region,
    String bucket,
    Secret accessKey,
    Secret secretKey,
    boolean pathStyle,
    String keyPrefix,
    Integer objectLockDays,
    String objectLockMode,
    long multipartThresholdBytes,
    long partSizeBytes,
    int maxAttempts) {

  public static final String DEFAULT_REGION = "us-east-1";
  public static final String DEFAULT_BUCKET = "strata-evidence";
  public static final long DEFAULT_MULTIPART_THRESHOLD = 64L << 20;
  public static final long DEFAULT_PART_SIZE = 16L << 20;
  public static final long MIN_PART_SIZE = 5L << 20;
  public static final int DEFAULT_MAX_ATTEMPTS = 5;

  private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
  private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9!_.*'()/-]*");

  public S3EvidenceStoreConfig {
    if (endpoint != null) {
      Config.require(endpoint.getScheme() != null && endpoint.getHost() != null
              && (endpoint.getScheme().equals("http") || endpoint.getScheme().equals("https")),
          "s3.endpoint", "must be an absolute http(s) URL, was " + endpoint);
    }
    region = region == null || region.isBlank() ? DEFAULT_REGION : region.trim();
    Config.require(region.matches("[a-z0-9-]+"), "s3.region", "not a region name: " + region);
    Config.requireText(bucket, "s3.bucket");
    Config.require(BUCKET.matcher(bucket).matches() && !bucket.contains(".."),
        "s3.bucket", "not a valid bucket name (3-63 of a-z 0-9 . -): " + bucket);
    Config.require((accessKey == null) == (secretKey == null),
        "s3.access_key", "s3.access_key and s3.secret_key must be set together");
    Config.require(accessKey == null || !accessKey.isEmpty(), "s3.access_key", "must not be empty");
    keyPrefix = keyPrefix == null ? "" : keyPrefix.trim();
    Config.require(!keyPrefix.startsWith("/") && PREFIX.matcher(keyPrefix).matches(),
        "s3.key_prefix", "must not start with / and use only A-Z a-z 0-9 ! _ . * ' ( ) / -: " + keyPrefix);
    if (!keyPrefix.isEmpty() && !keyPrefix.endsWith("/")) {
      keyPrefix = keyPrefix + "/";
    }
    Config.require(objectLockDays == null || objectLockDays >= 1,
        "s3.object_lock_days", "must be >= 1 when set, was " + objectLockDays);
    objectLockMode = objectLockMode == null || objectLockMode.isBlank()
        ? "COMPLIANCE" : objectLockMode.trim().toUpperCase(Locale.ROOT);
    Config.require(objectLockMode.equals("COMPLIANCE") || objectLockMode.equals("GOVERNANCE"),
        "s3.object_lock_mode", "must be COMPLIANCE or GOVERNANCE, was " + objectLockMode);
    Config.require(partSizeBytes >= MIN_PART_SIZE && partSizeBytes <= (512L << 20),
        "s3.part_size_bytes", "must be between 5 MiB and 512 MiB, was " + partSizeBytes);
    Config.require(multipartThresholdBytes >= partSizeBytes && multipartThresholdBytes <= (5L << 30),
        "s3.multipart_threshold_bytes", "must be >= s3.part_size_bytes and <= 5 GiB, was " + multipartThresholdBytes);
    Config.require(maxAttempts >= 1 && maxAttempts <= 20, "s3.max_attempts", "must be 1..20, was " + maxAttempts);
  }

  /** An S3-compatible server (path-style, static credentials), other settings default. */
  public static S3EvidenceStoreConfig of(URI endpoint, String region, String bucket, String accessKey,
      String secretKey) {
    return builder().endpoint(endpoint).region(region).bucket(bucket)
        .credentials(accessKey, secretKey).pathStyle(true).build();
  }

  /** From {@code STRATA_S3_*} environment variables. */
  public static S3EvidenceStoreConfig fromEnv() {
    return fromEnv(System.getenv());
  }

  /**
   * {@code STRATA_S3_ENDPOINT}, {@code STRATA_S3_REGION} (us-east-1), {@code STRATA_S3_BUCKET} (strata-evidence),
   * {@code STRATA_S3_ACCESS_KEY}, {@code STRATA_S3_SECRET_KEY}, {@code STRATA_S3_PATH_STYLE} (true when an endpoint
   * is set), {@code STRATA_S3_KEY_PREFIX}, {@code STRATA_S3_OBJECT_LOCK_DAYS}, {@code STRATA_S3_OBJECT_LOCK_MODE}.
   */
  public static S3EvidenceStoreConfig fromEnv(Map<String, String> env) {
    String endpoint = Config.env(env, "STRATA_S3_ENDPOINT", null);
    Builder b = builder()
        .endpoint(endpoint == null ? null : Config.uri(endpoint, "s3.endpoint"))
        .region(Config.env(env, "STRATA_S3_REGION", DEFAULT_REGION))
        .bucket(Config.env(env, "STRATA_S3_BUCKET", DEFAULT_BUCKET))
        .keyPrefix(Config.env(env, "STRATA_S3_KEY_PREFIX", ""))
        .objectLockMode(Config.env(env, "STRATA_S3_OBJECT_LOCK_MODE", null));
    b.accessKey = Secret.ofNullable(env.get("STRATA_S3_ACCESS_KEY"));
    b.secretKey = Secret.ofNullable(env.get("STRATA_S3_SECRET_KEY"));
    String pathStyle = Config.env(env, "STRATA_S3_PATH_STYLE", null);
    b.pathStyle(pathStyle == null ? endpoint != null : Boolean.parseBoolean(pathStyle));
    int lock = Config.envInt(env, "STRATA_S3_OBJECT_LOCK_DAYS", "s3.object_lock_days", 0);
    b.objectLockDays(lock == 0 ? null : lock);
    return b.build();
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.endpoint = endpoint;
    b.region = region;
    b.bucket = bucket;
    b.accessKey = accessKey;
    b.secretKey = secretKey;
    b.pathStyle = pathStyle;
    b.keyPrefix = keyPrefix;
    b.objectLockDays = objectLockDays;
    b.objectLockMode = objectLockMode;
    b.multipartThresholdBytes = multipartThresholdBytes;
    b.partSizeBytes = partSizeBytes;
    b.maxAttempts = maxAttempts;
    return b;
  }

  @Override
  public String toString() {
    return "S3EvidenceStoreConfig[endpoint=" + endpoint + ", region=" + region + ", bucket=" + bucket
        + ", accessKey=" + accessKey + ", secretKey=" + secretKey + ", pathStyle=" + pathStyle
        + ", keyPrefix=" + keyPrefix + ", objectLockDays=" + objectLockDays + ", objectLockMode=" + objectLockMode
        + ", multipartThresholdBytes=" + multipartThresholdBytes + ", partSizeBytes=" + partSizeBytes
        + ", maxAttempts=" + maxAttempts + "]";
  }

  /** Builder with the defaults above. */
  public static final class Builder {
    private URI endpoint;
    private String region = DEFAULT_REGION;
    private String bucket = DEFAULT_BUCKET;
    private Secret accessKey;
    private Secret secretKey;
    private boolean pathStyle;
    private String keyPrefix = "";
    private Integer objectLockDays;
    private String objectLockMode;
    private long multipartThresholdBytes = DEFAULT_MULTIPART_THRESHOLD;
    private long partSizeBytes = DEFAULT_PART_SIZE;
    private int maxAttempts = DEFAULT_MAX_ATTEMPTS;

    private Builder() {}

    public Builder endpoint(URI v) {
      endpoint = v;
      return this;
    }

    public Builder region(String v) {
      region = v;
      return this;
    }

    public Builder bucket(String v) {
      bucket = v;
      return this;
    }

    public Builder credentials(String accessKey, String secretKey) {
      this.accessKey = accessKey == null ? null : Secret.of(accessKey);
      this.secretKey = secretKey == null ? null : Secret.of(secretKey);
      return this;
    }

    public Builder pathStyle(boolean v) {
      pathStyle = v;
      return this;
    }

    public Builder keyPrefix(String v) {
      keyPrefix = v;
      return this;
    }

    public Builder objectLockDays(Integer v) {
      objectLockDays = v;
      return this;
    }

    public Builder objectLockMode(String v) {
      objectLockMode = v;
      return this;
    }

    public Builder multipartThresholdBytes(long v) {
      multipartThresholdBytes = v;
      return this;
    }

    public Builder partSizeBytes(long v) {
      partSizeBytes = v;
      return this;
    }

    public Builder maxAttempts(int v) {
      maxAttempts = v;
      return this;
    }

    public S3EvidenceStoreConfig build() {
      return new S3EvidenceStoreConfig(endpoint, region, bucket, accessKey, secretKey, pathStyle, keyPrefix,
          objectLockDays, objectLockMode, multipartThresholdBytes, partSizeBytes, maxAttempts);
    }
  }
}
