package dev.strata.sink.s3;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.schema.raw.ArtifactManifest;
import dev.strata.sink.AvroJson;
import dev.strata.sink.FailureClass;
import dev.strata.sink.SinkException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectLockMode;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * The evidence store: each raw artifact is stored once, under its SHA-256, plus one small JSON manifest per
 * sighting (origin + collector run).
 *
 * <pre>
 * &lt;prefix&gt;artifacts/sha256/&lt;hex&gt;                              the original bytes (once)
 * &lt;prefix&gt;manifests/sha256/&lt;hex&gt;/&lt;sha256(origin NUL run_id)&gt;.json   one per sighting
 * &lt;prefix&gt;origin-metadata/sha256/&lt;hex&gt;/&lt;same name&gt;.json       the sighting's origin metadata, when its
 *                                                                   format needs it (a CloudTrail digest's signature)
 * </pre>
 *
 * <p>Integrity: before an upload the file is hashed (single PUT) or hashed while its parts are sent (multipart),
 * and the upload fails with {@link EvidenceIntegrityException} if the hash differs from the manifest's
 * {@code artifact_sha256}. The SHA-256 is sent as {@code x-amz-checksum-sha256} (the server rejects bytes that do
 * not match it) and kept as {@code x-amz-meta-sha256}; since S3-compatible servers may not store that checksum,
 * reads are verified here: {@link #openVerified} and {@link #verify} hash what they read.
 *
 * <p>Thread-safe. Errors from S3 are thrown as {@link SinkException} carrying the {@link FailureClass} from
 * {@link S3FailureClassifier}; transient ones were already retried by the SDK ({@code s3.max_attempts}, exponential
 * backoff with jitter).
 */
public final class S3EvidenceStore implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(S3EvidenceStore.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonFactory JSON_FACTORY = JSON.getFactory();
  static final String META_SHA256 = "sha256";
  static final String META_SIZE = "size";
  static final String META_SOURCE_TYPE = "source-type";
  private static final int MAX_PARTS = 10_000;

  private final S3EvidenceStoreConfig config;
  private final S3Client s3;
  private final boolean ownsClient;
  private final ReentrantLock[] stripes = new ReentrantLock[64];

  private S3EvidenceStore(S3EvidenceStoreConfig config, S3Client s3, boolean ownsClient) {
    this.config = config;
    this.s3 = s3;
    this.ownsClient = ownsClient;
    for (int i = 0; i < stripes.length; i++) {
      stripes[i] = new ReentrantLock();
    }
  }

  /** A store with its own S3 client (closed by {@link #close()}). */
  public static S3EvidenceStore create(S3EvidenceStoreConfig config) {
    return new S3EvidenceStore(config, newClient(config), true);
  }

  /** A store on a client the caller owns (not closed by {@link #close()}). */
  public static S3EvidenceStore withClient(S3EvidenceStoreConfig config, S3Client client) {
    return new S3EvidenceStore(config, client, false);
  }

  /** The S3 client as this store configures it (URL-connection HTTP, checksums sent only where we compute them). */
  public static S3Client newClient(S3EvidenceStoreConfig config) {
    AwsCredentialsProvider credentials = config.accessKey() == null
        ? DefaultCredentialsProvider.builder().build()
        : StaticCredentialsProvider.create(
            AwsBasicCredentials.create(config.accessKey().reveal(), config.secretKey().reveal()));
    S3ClientBuilder b = S3Client.builder()
        .httpClientBuilder(UrlConnectionHttpClient.builder()
            .connectionTimeout(Duration.ofSeconds(10))
            .socketTimeout(Duration.ofSeconds(120)))
        .region(Region.of(config.region()))
        .credentialsProvider(credentials)
        .forcePathStyle(config.pathStyle())
        // we compute SHA-256 ourselves and send it where it matters; no extra CRC32 pass over GBs of evidence
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
        .overrideConfiguration(o -> o.retryStrategy(
            AwsRetryStrategy.standardRetryStrategy().toBuilder().maxAttempts(config.maxAttempts()).build()));
    if (config.endpoint() != null) {
      b.endpointOverride(config.endpoint());
    }
    return b.build();
  }

  public S3EvidenceStoreConfig config() {
    return config;
  }

  /** The underlying client (e.g. for tests). */
  public S3Client client() {
    return s3;
  }

  /**
   * Creates the bucket if it does not exist (with Object Lock enabled when {@code s3.object_lock_days} is set).
   * Fails fast ({@link FailureClass#FATAL}) on 401/403.
   */
  public void ensureBucket() {
    try {
      s3.headBucket(r -> r.bucket(config.bucket()));
      return;
    } catch (S3Exception e) {
      if (e.statusCode() != 404) {
        throw failure("s3.bucket " + config.bucket() + ": cannot access bucket", e);
      }
    } catch (RuntimeException e) {
      throw failure("s3.bucket " + config.bucket() + ": cannot access bucket", e);
    }
    try {
      s3.createBucket(r -> {
        r.bucket(config.bucket());
        if (config.objectLockDays() != null) {
          r.objectLockEnabledForBucket(true);
        }
        if (!config.region().equals("us-east-1")) {
          r.createBucketConfiguration(c -> c.locationConstraint(config.region()));
        }
      });
      LOG.info("created bucket {}", config.bucket());
    } catch (S3Exception e) {
      String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
      if (!"BucketAlreadyOwnedByYou".equals(code) && !"BucketAlreadyExists".equals(code)) {
        throw failure("s3.bucket " + config.bucket() + ": cannot create bucket", e);
      }
    }
  }

  /** Key of the artifact's bytes. */
  public String artifactKey(String sha256) {
    requireSha(sha256);
    return artifactsPrefix() + sha256;
  }

  /** Key prefix under which every artifact is stored (followed by its SHA-256). */
  public String artifactsPrefix() {
    return config.keyPrefix() + "artifacts/sha256/";
  }

  /** The stored artifacts (key, size, ...), in key order. */
  public java.util.List<software.amazon.awssdk.services.s3.model.S3Object> listArtifacts() {
    java.util.List<software.amazon.awssdk.services.s3.model.S3Object> out = new java.util.ArrayList<>();
    s3.listObjectsV2Paginator(software.amazon.awssdk.services.s3.model.ListObjectsV2Request.builder()
            .bucket(config.bucket()).prefix(artifactsPrefix()).build())
        .contents().forEach(out::add);
    return out;
  }

  /** {@code s3://<bucket>/<artifactKey>}. */
  public String storageUri(String sha256) {
    return "s3://" + config.bucket() + "/" + artifactKey(sha256);
  }

  /** Key prefix of the manifests of an artifact. */
  public String manifestPrefix(String sha256) {
    requireSha(sha256);
    return config.keyPrefix() + "manifests/sha256/" + sha256 + "/";
  }

  /** Key of the manifest of one sighting: SHA-256 of origin, a NUL byte, and the collector run id. */
  public String manifestKey(ArtifactManifest m) {
    return manifestPrefix(m.getArtifactSha256()) + sightingName(m);
  }

  private static String sightingName(ArtifactManifest m) {
    return Sha256.hex(m.getOrigin() + "\0" + m.getCollector().getRunId()) + ".json";
  }

  /** True if the artifact's bytes are in the store. */
  public boolean exists(String sha256) {
    return head(artifactKey(sha256)).isPresent();
  }

  /**
   * Preserves {@code file} (whose SHA-256 and size the manifest states) and records the sighting. Uploads the
   * bytes only if the store does not hold them yet (HEAD first); always writes the manifest (idempotent: the same
   * origin in the same run overwrites the same key). When the object exists the file is not re-read: its size is
   * compared with the stored object's, and the hash is the collector's (the stored bytes were verified against
   * the same hash when they were uploaded; {@link #verify} re-checks them).
   *
   * @throws EvidenceIntegrityException the file's size or SHA-256 differs from the manifest, or the stored object
   *     of that hash has a different size
   * @throws SinkException an S3 failure (see {@link SinkException#failureClass()})
   */
  public StoredArtifact store(ArtifactManifest manifest, Path file) throws IOException {
    String sha = manifest.getArtifactSha256();
    requireSha(sha);
    long size = Files.size(file);
    if (size != manifest.getSize()) {
      throw new EvidenceIntegrityException(file + ": size is " + size + ", the manifest says " + manifest.getSize(),
          sha, null);
    }
    String key = artifactKey(sha);
    boolean uploaded;
    ReentrantLock lock = stripes[Math.floorMod(sha.hashCode(), stripes.length)];
    lock.lock();
    try {
      Optional<HeadObjectResponse> existing = head(key);
      if (existing.isPresent()) {
        long stored = existing.get().contentLength();
        if (stored != size) {
          throw new EvidenceIntegrityException(key + ": the stored object has " + stored + " bytes, the artifact "
              + size + " (store corrupted or tampered?)", sha, null);
        }
        uploaded = false;
      } else {
        if (size > config.multipartThresholdBytes()) {
          uploadMultipart(key, sha, size, manifest.getSourceType(), file);
        } else {
          uploadSingle(key, sha, size, manifest.getSourceType(), file);
        }
        uploaded = true;
      }
    } finally {
      lock.unlock();
    }
    String uri = storageUri(sha);
    String manifestKey = writeManifest(ArtifactManifest.newBuilder(manifest).setStorageUri(uri).build());
    if (uploaded) {
      LOG.info("stored artifact sha256={} size={} source_type={}", sha, size, manifest.getSourceType());
    } else {
      LOG.debug("artifact sha256={} already stored, recorded sighting {}", sha, manifestKey);
    }
    return new StoredArtifact(sha, uri, size, uploaded, manifestKey);
  }

  /**
   * As {@link #store(ArtifactManifest, Path)}, and keeps the origin's metadata that does not travel in the bytes
   * ({@code originMetadata}: S3 user metadata keys without {@code x-amz-meta-}, e.g. a CloudTrail digest's {@code
   * signature}) with the sighting as an {@link OriginMetadataRecord} (nothing written when it is empty). The
   * artifact's bytes are stored unchanged.
   */
  public StoredArtifact store(ArtifactManifest manifest, Path file, Map<String, String> originMetadata)
      throws IOException {
    StoredArtifact stored = store(manifest, file);
    if (originMetadata != null && !originMetadata.isEmpty()) {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("artifact_sha256", manifest.getArtifactSha256());
      json.put("origin", manifest.getOrigin());
      json.put("run_id", manifest.getCollector().getRunId());
      json.put("collected_at", manifest.getCollectedAt().toString());
      json.put("metadata", new TreeMap<>(originMetadata));
      String key = originMetadataPrefix(manifest.getArtifactSha256()) + sightingName(manifest);
      putJson(key, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(json), "put origin metadata ");
    }
    return stored;
  }

  /** Key prefix of the origin metadata records of an artifact. */
  public String originMetadataPrefix(String sha256) {
    requireSha(sha256);
    return config.keyPrefix() + "origin-metadata/sha256/" + sha256 + "/";
  }

  /**
   * The origin metadata recorded with the sightings of an artifact ({@link #store(ArtifactManifest, Path, Map)}),
   * oldest first; empty when none was recorded. A record that names another artifact is not returned.
   */
  public List<OriginMetadataRecord> originMetadata(String sha256) throws IOException {
    List<OriginMetadataRecord> out = new ArrayList<>();
    for (Map.Entry<String, byte[]> o : jsonObjects(originMetadataPrefix(sha256), "origin metadata").entrySet()) {
      JsonNode n = JSON.readTree(o.getValue());
      if (n == null || !sha256.equals(n.path("artifact_sha256").asText())) {
        LOG.warn("origin metadata {} does not name artifact {}: ignored", o.getKey(), sha256);
        continue;
      }
      Map<String, String> meta = new TreeMap<>();
      n.path("metadata").fields().forEachRemaining(e -> meta.put(e.getKey(), e.getValue().asText()));
      String at = n.path("collected_at").asText(null);
      out.add(new OriginMetadataRecord(sha256, n.path("origin").asText(null), n.path("run_id").asText(null),
          at == null ? Instant.EPOCH : Instant.parse(at), meta));
    }
    out.sort(Comparator.comparing(OriginMetadataRecord::collectedAt));
    return out;
  }

  private void uploadSingle(String key, String sha, long size, String sourceType, Path file) throws IOException {
    byte[] digest = Sha256.ofFile(file);
    String actual = Sha256.hex(digest);
    if (!actual.equals(sha)) {
      throw new EvidenceIntegrityException(file + ": sha256 is " + actual + ", the manifest says " + sha, sha,
          actual);
    }
    PutObjectRequest.Builder put = PutObjectRequest.builder()
        .bucket(config.bucket())
        .key(key)
        .contentLength(size)
        .contentType("application/octet-stream")
        .checksumSHA256(Base64.getEncoder().encodeToString(digest))
        .metadata(metadata(sha, size, sourceType));
    applyLock(put);
    try {
      s3.putObject(put.build(), RequestBody.fromFile(file));
    } catch (S3Exception e) {
      if (isDigestMismatch(e)) { // the file changed between hashing and upload
        throw new EvidenceIntegrityException(file + ": changed while it was uploaded (" + e.getMessage() + ")", sha,
            null);
      }
      throw failure("put " + key, e);
    } catch (RuntimeException e) {
      throw failure("put " + key, e);
    }
  }

  private void uploadMultipart(String key, String sha, long size, String sourceType, Path file) throws IOException {
    long partSize = Math.max(config.partSizeBytes(), (size + MAX_PARTS - 1) / MAX_PARTS);
    String uploadId;
    try {
      var create = software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest.builder()
          .bucket(config.bucket())
          .key(key)
          .contentType("application/octet-stream")
          .checksumAlgorithm(ChecksumAlgorithm.SHA256)
          .metadata(metadata(sha, size, sourceType));
      if (config.objectLockDays() != null) {
        create.objectLockMode(ObjectLockMode.fromValue(config.objectLockMode()))
            .objectLockRetainUntilDate(retainUntil());
      }
      uploadId = s3.createMultipartUpload(create.build()).uploadId();
    } catch (RuntimeException e) {
      throw failure("create multipart upload " + key, e);
    }
    boolean done = false;
    try {
      MessageDigest whole = Sha256.newDigest();
      List<CompletedPart> parts = new ArrayList<>();
      byte[] buf = new byte[(int) partSize];
      try (InputStream in = Files.newInputStream(file)) {
        long sent = 0;
        for (int partNumber = 1; sent < size; partNumber++) {
          int n = in.readNBytes(buf, 0, (int) Math.min(partSize, size - sent));
          if (n <= 0) {
            throw new EvidenceIntegrityException(file + ": shrank while it was uploaded", sha, null);
          }
          whole.update(buf, 0, n);
          MessageDigest partDigest = Sha256.newDigest();
          partDigest.update(buf, 0, n);
          String partChecksum = Base64.getEncoder().encodeToString(partDigest.digest());
          final int len = n;
          final int pn = partNumber;
          UploadPartResponse r;
          try {
            r = s3.uploadPart(p -> p.bucket(config.bucket()).key(key).uploadId(uploadId).partNumber(pn)
                    .contentLength((long) len).checksumSHA256(partChecksum),
                RequestBody.fromContentProvider(() -> new ByteArrayInputStream(buf, 0, len), len,
                    "application/octet-stream"));
          } catch (RuntimeException e) {
            throw failure("upload part " + pn + " of " + key, e);
          }
          parts.add(CompletedPart.builder().partNumber(pn).eTag(r.eTag()).checksumSHA256(partChecksum).build());
          sent += n;
        }
        if (in.read() >= 0) {
          throw new EvidenceIntegrityException(file + ": grew while it was uploaded", sha, null);
        }
      }
      String actual = Sha256.hex(whole.digest());
      if (!actual.equals(sha)) {
        throw new EvidenceIntegrityException(file + ": sha256 is " + actual + ", the manifest says " + sha, sha,
            actual);
      }
      try {
        s3.completeMultipartUpload(c -> c.bucket(config.bucket()).key(key).uploadId(uploadId)
            .multipartUpload(m -> m.parts(parts)));
      } catch (RuntimeException e) {
        throw failure("complete multipart upload " + key, e);
      }
      done = true;
    } finally {
      if (!done) {
        try {
          s3.abortMultipartUpload(a -> a.bucket(config.bucket()).key(key).uploadId(uploadId));
        } catch (RuntimeException e) {
          LOG.warn("could not abort multipart upload of {}: {}", key, e.toString());
        }
      }
    }
  }

  private String writeManifest(ArtifactManifest m) {
    String key = manifestKey(m);
    putJson(key, manifestJson(m), "put manifest ");
    return key;
  }

  /** A small JSON object of the store (manifest, origin metadata), with its SHA-256 checked by the server. */
  private void putJson(String key, byte[] json, String what) {
    MessageDigest d = Sha256.newDigest();
    PutObjectRequest.Builder put = PutObjectRequest.builder()
        .bucket(config.bucket())
        .key(key)
        .contentType("application/json")
        .contentLength((long) json.length)
        .checksumSHA256(Base64.getEncoder().encodeToString(d.digest(json)));
    applyLock(put);
    try {
      s3.putObject(put.build(), RequestBody.fromBytes(json));
    } catch (RuntimeException e) {
      throw failure(what + key, e);
    }
  }

  /** The manifest as stored: {@link AvroJson} of the Avro record (snake_case fields, ISO-8601 times). */
  public static byte[] manifestJson(ArtifactManifest m) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
    try (JsonGenerator g = JSON_FACTORY.createGenerator(out)) {
      g.useDefaultPrettyPrinter();
      AvroJson.write(g, m);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** Parses {@link #manifestJson}. */
  public static ArtifactManifest parseManifest(byte[] json) throws IOException {
    return AvroJson.read(JSON.readTree(json), ArtifactManifest.class);
  }

  /**
   * Streams the artifact back. The stream throws {@link EvidenceIntegrityException} at end of stream if the
   * SHA-256 of what was read (or its size, when recorded) differs. Callers must read to the end to get the check.
   *
   * @throws NoSuchFileException no object of that hash
   */
  public InputStream openVerified(String sha256) throws IOException {
    String key = artifactKey(sha256);
    ResponseInputStream<GetObjectResponse> in = get(key);
    long expectedSize = expectedSize(in.response().metadata(), sha256);
    return new VerifyingInputStream(in, key, sha256, expectedSize);
  }

  /** Reads the whole artifact and reports whether its SHA-256 and size match. */
  public VerificationResult verify(String sha256) throws IOException {
    String key = artifactKey(sha256);
    MessageDigest d = Sha256.newDigest();
    long n = 0;
    long expectedSize;
    try (ResponseInputStream<GetObjectResponse> in = get(key)) {
      expectedSize = expectedSize(in.response().metadata(), sha256);
      byte[] buf = new byte[1 << 16];
      for (int r; (r = in.read(buf)) > 0; ) {
        d.update(buf, 0, r);
        n += r;
      }
    }
    return new VerificationResult(key, sha256, HexFormat.of().formatHex(d.digest()), expectedSize, n);
  }

  /** All recorded sightings of an artifact, oldest first. */
  public List<ArtifactManifest> manifests(String sha256) throws IOException {
    List<ArtifactManifest> out = new ArrayList<>();
    for (byte[] json : jsonObjects(manifestPrefix(sha256), "manifests").values()) {
      out.add(parseManifest(json));
    }
    out.sort(Comparator.comparing(ArtifactManifest::getCollectedAt));
    return out;
  }

  /** The {@code .json} objects under {@code prefix}, by key; {@code what} names them in errors. */
  private Map<String, byte[]> jsonObjects(String prefix, String what) {
    Map<String, byte[]> out = new TreeMap<>();
    try {
      for (S3Object o : s3.listObjectsV2Paginator(
          ListObjectsV2Request.builder().bucket(config.bucket()).prefix(prefix).build()).contents()) {
        if (o.key().endsWith(".json")) {
          out.put(o.key(), s3.getObjectAsBytes(r -> r.bucket(config.bucket()).key(o.key())).asByteArray());
        }
      }
    } catch (RuntimeException e) {
      throw failure("list " + what + " " + prefix, e);
    }
    return out;
  }

  private long expectedSize(Map<String, String> meta, String sha256) throws IOException {
    String recorded = meta.get(META_SIZE);
    if (recorded != null) {
      try {
        return Long.parseLong(recorded);
      } catch (NumberFormatException e) {
        return -1;
      }
    }
    // metadata lost (object replaced behind our back): fall back to what a manifest recorded
    List<ArtifactManifest> ms = manifests(sha256);
    return ms.isEmpty() ? -1 : ms.get(0).getSize();
  }

  private ResponseInputStream<GetObjectResponse> get(String key) throws IOException {
    try {
      return s3.getObject(r -> r.bucket(config.bucket()).key(key));
    } catch (NoSuchKeyException e) {
      throw new NoSuchFileException("s3://" + config.bucket() + "/" + key);
    } catch (RuntimeException e) {
      throw failure("get " + key, e);
    }
  }

  private Optional<HeadObjectResponse> head(String key) {
    try {
      return Optional.of(s3.headObject(r -> r.bucket(config.bucket()).key(key)));
    } catch (NoSuchKeyException e) {
      return Optional.empty();
    } catch (S3Exception e) {
      if (e.statusCode() == 404 && !"NoSuchBucket".equals(errorCode(e))) {
        return Optional.empty(); // HEAD has no body: a 404 carries no error code
      }
      throw failure("head " + key, e);
    } catch (RuntimeException e) {
      throw failure("head " + key, e);
    }
  }

  private Map<String, String> metadata(String sha, long size, String sourceType) {
    Map<String, String> meta = new HashMap<>();
    meta.put(META_SHA256, sha);
    meta.put(META_SIZE, Long.toString(size));
    if (sourceType != null) {
      meta.put(META_SOURCE_TYPE, sourceType);
    }
    return meta;
  }

  private void applyLock(PutObjectRequest.Builder put) {
    if (config.objectLockDays() != null) {
      put.objectLockMode(ObjectLockMode.fromValue(config.objectLockMode())).objectLockRetainUntilDate(retainUntil());
    }
  }

  private Instant retainUntil() {
    return Instant.now().plus(Duration.ofDays(config.objectLockDays()));
  }

  private static boolean isDigestMismatch(S3Exception e) {
    String code = errorCode(e);
    return "BadDigest".equals(code) || "XAmzContentChecksumMismatch".equals(code)
        || "XAmzContentSHA256Mismatch".equals(code);
  }

  private static String errorCode(S3Exception e) {
    return e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
  }

  private static SinkException failure(String what, RuntimeException e) {
    if (e instanceof SinkException s) {
      return s;
    }
    return new SinkException(S3FailureClassifier.classify(e), what + ": " + e.getMessage(), e);
  }

  private static void requireSha(String sha256) {
    if (!Sha256.isHex(sha256)) {
      throw new IllegalArgumentException("not a lowercase hex SHA-256: " + sha256);
    }
  }

  @Override
  public void close() {
    if (ownsClient) {
      s3.close();
    }
  }
}
