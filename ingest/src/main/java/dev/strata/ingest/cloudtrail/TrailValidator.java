package dev.strata.ingest.cloudtrail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.ingest.cloudtrail.TrailValidation.ChainStatus;
import dev.strata.ingest.cloudtrail.TrailValidation.LogStatus;
import dev.strata.ingest.cloudtrail.TrailValidation.SignatureStatus;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.Signature;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * CloudTrail log file integrity validation, as AWS documents it for custom implementations
 * ("Custom implementations of CloudTrail log file integrity validation"):
 *
 * <ol>
 *   <li>each digest file ({@code AWSLogs/[<o-id>/]<account>/CloudTrail-Digest/<region>/YYYY/MM/DD/
 *       <account>_CloudTrail-Digest_<region>_<trail>_<home region>_<yyyyMMddTHHmmssZ>.json.gz}) is verified with
 *       SHA256withRSA over the string {@code digestEndTime + "\n" + digestS3Bucket + "/" + digestS3Object + "\n" +
 *       hex(SHA-256(uncompressed digest)) + "\n" + previousDigestSignature} ({@code "null"} for the first digest), the
 *       signature being the hex S3 metadata {@code x-amz-meta-signature}, the key the supplied public key whose
 *       fingerprint (hex MD5 of its DER PKCS #1 form) is {@code digestPublicKeyFingerprint}; the algorithm is the
 *       digest's {@code digestSignatureAlgorithm}, which must equal the S3 metadata {@code
 *       x-amz-meta-signature-algorithm} the digest was delivered with when that was kept (a mismatch makes the digest
 *       INVALID: the signed content and its metadata disagree);
 *   <li>a digest found at another key than its {@code digestS3Object} (compared from {@code AWSLogs/} on, so a copy
 *       below any directory or without the trail's key prefix still matches) was moved from its original location:
 *       INVALID;
 *   <li>each {@code logFiles[]} entry's {@code hashValue} is compared with the hex SHA-256 of the log file's
 *       <em>uncompressed</em> content;
 *   <li>the chain: {@code previousDigestHashValue} must be the SHA-256 of the previous digest's uncompressed content
 *       and {@code previousDigestSignature} its signature.
 * </ol>
 *
 * A digest without its own signature (an offline copy without sidecar) is verified with the signature that the next
 * digest records for it ({@code previousDigestSignature}): only the key decides whether a signature is genuine. When
 * no supplied key has the digest's fingerprint, every supplied key is tried; if none verifies, the digest is
 * UNVERIFIABLE (it may be a wrong key as well as a forged digest).
 */
public final class TrailValidator {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long MAX_DIGEST_BYTES = 64L * 1024 * 1024;
  /** S3 user metadata keys (without {@code x-amz-meta-}) CloudTrail sets on a digest object. */
  static final String SIGNATURE_KEY = "signature";
  static final String SIGNATURE_ALGORITHM_KEY = "signature-algorithm";

  /**
   * A digest file; groups: 1 account, 2 region, 3 file name stem without the timestamp (the trail), 4 timestamp, 5
   * {@code _backfill} for a backfill digest (delivered when CloudTrail lists log files an hourly digest missed).
   */
  public static final Pattern DIGEST_PATH = Pattern.compile(
      "(?:^|.*/)AWSLogs/(?:o-[a-z0-9]{4,32}/)?(\\d{12})/CloudTrail-Digest/([a-z0-9-]+)/\\d{4}/\\d{2}/\\d{2}/"
          + "(\\d{12}_CloudTrail-Digest_.+)_(\\d{8}T\\d{6}Z)(_backfill)?\\.json(?:\\.gz)?");
  /** A log file (same layout as the {@code aws_cloudtrail} recognizer's). */
  public static final Pattern LOG_PATH = Pattern.compile(
      "(?:^|.*/)AWSLogs/(?:o-[a-z0-9]{4,32}/)?(\\d{12})/CloudTrail/([a-z0-9-]+)/\\d{4}/\\d{2}/\\d{2}/[^/]+\\.json(?:\\.gz)?");

  private final TrailObjects objects;
  private final DigestPublicKeys keys;

  public TrailValidator(TrailObjects objects, DigestPublicKeys keys) {
    this.objects = objects;
    this.keys = keys == null ? DigestPublicKeys.none() : keys;
  }

  /** Validates a trail copied to {@code dir} (sidecar signatures, see {@link DirectoryTrailObjects}). */
  public static TrailValidation validate(Path dir, DigestPublicKeys keys) throws IOException {
    return new TrailValidator(new DirectoryTrailObjects(dir), keys).run(dir.toString());
  }

  private static final class Parsed {
    final String id;
    final Matcher path;
    JsonNode json;
    String sha256;
    String ownSignature;
    String metadataAlgorithm; // S3 metadata signature-algorithm kept with the digest
    String signature; // own, or the next digest's previousDigestSignature
    String signatureOrigin;
    SignatureStatus status;
    String detail;
    ChainStatus chain;
    String chainDetail;

    Parsed(String id, Matcher path) {
      this.id = id;
      this.path = path;
    }

    /** The chain the digest belongs to; backfill digests are kept apart from the hourly chain. */
    String trail() {
      int at = id.indexOf("CloudTrail-Digest/");
      return id.substring(0, at) + path.group(2) + "/" + path.group(3) + (backfill() ? " (backfill)" : "");
    }

    boolean backfill() {
      return path.group(5) != null;
    }

    String stamp() {
      return path.group(4);
    }

    String text(String field) {
      JsonNode n = json == null ? null : json.get(field);
      return n == null || n.isNull() ? null : n.asText();
    }
  }

  /** Runs the validation; {@code source} names the evidence in the report. */
  public TrailValidation run(String source) throws IOException {
    List<String> ids = objects.ids();
    Map<String, List<String>> byTail = new HashMap<>();
    List<Parsed> digests = new ArrayList<>();
    List<String> logs = new ArrayList<>();
    for (String id : ids) {
      if (DirectoryTrailObjects.SIDECAR_SUFFIXES.stream().anyMatch(id::endsWith)) {
        continue;
      }
      int at = id.indexOf("AWSLogs/");
      if (at >= 0) {
        byTail.computeIfAbsent(id.substring(at), k -> new ArrayList<>()).add(id);
      }
      Matcher d = DIGEST_PATH.matcher(id);
      if (d.matches()) {
        digests.add(new Parsed(id, d));
      } else if (LOG_PATH.matcher(id).matches()) {
        logs.add(id);
      }
    }
    digests.sort(Comparator.comparing(Parsed::trail).thenComparing(Parsed::stamp));
    Map<String, Parsed> digestById = new HashMap<>();
    for (Parsed p : digests) {
      digestById.put(p.id, p);
      read(p);
    }
    // signatures recorded by the next digest, for digests whose own signature is not available
    Map<String, String> recordedByNext = new HashMap<>();
    for (Parsed p : digests) {
      String prev = p.text("previousDigestS3Object");
      String prevSig = p.text("previousDigestSignature");
      if (prev != null && prevSig != null) {
        resolve(byTail, p.text("previousDigestS3Bucket"), prev).ifPresent(id -> recordedByNext.put(id, prevSig));
      }
    }
    for (Parsed p : digests) {
      if (p.json == null) {
        continue;
      }
      p.signature = p.ownSignature;
      p.signatureOrigin = "own";
      if (p.signature == null && recordedByNext.containsKey(p.id)) {
        p.signature = recordedByNext.get(p.id);
        p.signatureOrigin = "next digest's previousDigestSignature";
      }
      verifySignature(p);
    }
    for (Parsed p : digests) {
      chain(p, digests, digestById, byTail);
    }

    Map<String, TrailValidation.LogFile> logResults = new LinkedHashMap<>();
    List<TrailValidation.LogFile> missing = new ArrayList<>();
    for (Parsed p : digests) {
      if (p.json == null) {
        continue;
      }
      for (JsonNode lf : p.json.path("logFiles")) {
        String key = lf.path("s3Object").asText(null);
        if (key == null) {
          continue;
        }
        String expected = lf.path("hashValue").asText("").toLowerCase(Locale.ROOT);
        Optional<String> found = resolve(byTail, lf.path("s3Bucket").asText(null), key);
        TrailValidation.LogFile r;
        if (found.isEmpty()) {
          r = p.status == SignatureStatus.INVALID
              ? new TrailValidation.LogFile(key, null, LogStatus.UNVERIFIABLE, expected, null, p.id,
                  "not present; listed only by a digest whose signature is INVALID")
              : new TrailValidation.LogFile(key, null, LogStatus.MISSING, expected, null, p.id,
                  "listed by digest " + p.id + (p.status == SignatureStatus.VALID ? "" : " (digest signature "
                      + p.status + ")") + ", not present");
          missing.add(r);
          continue;
        }
        String id = found.get();
        TrailValidation.LogFile prior = logResults.get(id);
        if (prior != null && prior.status() == LogStatus.VALID) {
          continue;
        }
        r = checkLog(id, key, expected, p);
        if (prior == null || rank(r.status()) < rank(prior.status())) {
          logResults.put(id, r);
        }
      }
    }
    for (String id : logs) {
      if (!logResults.containsKey(id)) {
        logResults.put(id, new TrailValidation.LogFile(tail(id), objects.describe(id), LogStatus.UNVERIFIABLE, null,
            null, null, "no digest in the evidence lists this log file"));
      }
    }
    List<TrailValidation.LogFile> logOut = new ArrayList<>(logResults.values());
    logOut.addAll(missing);
    logOut.sort(Comparator.comparing(TrailValidation.LogFile::s3Object));
    List<TrailValidation.Digest> digestOut = new ArrayList<>();
    for (Parsed p : digests) {
      digestOut.add(new TrailValidation.Digest(p.text("digestS3Object") != null ? p.text("digestS3Object") : tail(p.id),
          objects.describe(p.id), p.path.group(1), p.path.group(2), p.text("digestEndTime"), p.status, p.detail,
          p.chain, p.chainDetail, p.json == null ? 0 : p.json.path("logFiles").size()));
    }
    return new TrailValidation(source, List.copyOf(logOut), List.copyOf(digestOut));
  }

  private static int rank(LogStatus s) {
    return switch (s) {
      case VALID -> 0;
      case ALTERED -> 1;
      case MISSING -> 2;
      case UNVERIFIABLE -> 3;
    };
  }

  private static String tail(String id) {
    int at = id.indexOf("AWSLogs/");
    return at >= 0 ? id.substring(at) : id;
  }

  /** The id of {@code key} (in {@code bucket}): the id equal to the key or ending with it, preferring {@code bucket/key}. */
  static Optional<String> resolve(Map<String, List<String>> byTail, String bucket, String key) {
    List<String> candidates = byTail.get(tail(key));
    if (candidates == null) {
      return Optional.empty();
    }
    String best = null;
    for (String id : candidates) {
      if (id.equals(key) || id.endsWith("/" + key)) {
        if (bucket != null && (id.equals(bucket + "/" + key) || id.endsWith("/" + bucket + "/" + key))) {
          return Optional.of(id);
        }
        if (best == null) {
          best = id;
        }
      }
    }
    return Optional.ofNullable(best);
  }

  private void read(Parsed p) {
    try {
      byte[] content;
      try (InputStream in = objects.open(p.id)) {
        content = uncompressed(in, MAX_DIGEST_BYTES);
      }
      p.sha256 = hex(sha256().digest(content));
      p.json = JSON.readTree(content);
      if (p.json == null || !p.json.isObject()) {
        throw new IOException("not a JSON object");
      }
      for (String f : List.of("digestEndTime", "digestS3Bucket", "digestS3Object", "digestPublicKeyFingerprint")) {
        if (p.text(f) == null) {
          throw new IOException("required field " + f + " is missing");
        }
      }
      if (!p.json.has("previousDigestSignature")) {
        throw new IOException("required field previousDigestSignature is missing");
      }
      Map<String, String> metadata = objects.originMetadata(p.id);
      p.ownSignature = nonBlank(metadata.get(SIGNATURE_KEY));
      if (p.ownSignature != null) p.ownSignature = p.ownSignature.toLowerCase(Locale.ROOT);
      p.metadataAlgorithm = nonBlank(metadata.get(SIGNATURE_ALGORITHM_KEY));
    } catch (IOException | RuntimeException e) {
      p.json = null;
      p.status = SignatureStatus.INVALID;
      p.detail = "unreadable digest: " + e.getMessage();
      p.chain = ChainStatus.UNVERIFIABLE;
      p.chainDetail = "digest unreadable";
    }
  }

  private static String nonBlank(String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }

  private void verifySignature(Parsed p) {
    String algorithm = p.text("digestSignatureAlgorithm");
    if (algorithm != null && p.metadataAlgorithm != null && !algorithm.equalsIgnoreCase(p.metadataAlgorithm)) {
      p.status = SignatureStatus.INVALID;
      p.detail = "signature algorithm mismatch: the digest's digestSignatureAlgorithm is " + algorithm
          + " but the S3 metadata x-amz-meta-signature-algorithm it was delivered with is " + p.metadataAlgorithm
          + ": the digest or its metadata was changed";
      return;
    }
    String key = p.text("digestS3Object");
    if (!tail(p.id).equals(tail(key))) {
      p.status = SignatureStatus.INVALID;
      p.detail = "moved from its original location: found at " + tail(p.id) + ", its digestS3Object is " + key;
      return;
    }
    if (algorithm == null) {
      algorithm = p.metadataAlgorithm;
    }
    if (p.signature == null) {
      p.status = SignatureStatus.UNVERIFIABLE;
      p.detail = "no signature: S3 metadata x-amz-meta-signature not available (offline copy: put it in "
          + "<digest>.sig or <digest>.metadata.json), and no next digest records it";
      return;
    }
    if (algorithm != null && !algorithm.equalsIgnoreCase("SHA256withRSA")) {
      p.status = SignatureStatus.UNVERIFIABLE;
      p.detail = "unsupported signature algorithm " + algorithm;
      return;
    }
    if (keys.isEmpty()) {
      p.status = SignatureStatus.UNVERIFIABLE;
      p.detail = "no public key supplied (fingerprint " + p.text("digestPublicKeyFingerprint") + ")";
      return;
    }
    byte[] sig;
    try {
      sig = HexFormat.of().parseHex(p.signature);
    } catch (IllegalArgumentException e) {
      p.status = SignatureStatus.INVALID;
      p.detail = "signature (" + p.signatureOrigin + ") is not hex";
      return;
    }
    String prevSig = p.text("previousDigestSignature");
    String toSign = p.text("digestEndTime") + "\n" + p.text("digestS3Bucket") + "/" + p.text("digestS3Object") + "\n"
        + p.sha256 + "\n" + (prevSig == null ? "null" : prevSig);
    byte[] data = toSign.getBytes(StandardCharsets.UTF_8);
    String fp = p.text("digestPublicKeyFingerprint");
    List<DigestPublicKeys.Key> matching = keys.byFingerprint(fp);
    if (!matching.isEmpty()) {
      for (DigestPublicKeys.Key k : matching) {
        if (verifies(k, data, sig)) {
          p.status = SignatureStatus.VALID;
          p.detail = "verified with " + k.source() + " (signature: " + p.signatureOrigin + ")";
          return;
        }
      }
      p.status = SignatureStatus.INVALID;
      p.detail = "signature (" + p.signatureOrigin + ") does not verify with the key of fingerprint " + fp
          + ": the digest or its signature was changed";
      return;
    }
    for (DigestPublicKeys.Key k : keys.keys()) {
      if (verifies(k, data, sig)) {
        p.status = SignatureStatus.VALID;
        p.detail = "verified with " + k.source() + " (its fingerprint " + k.fingerprint() + " differs from "
            + fp + "; signature: " + p.signatureOrigin + ")";
        return;
      }
    }
    p.status = SignatureStatus.UNVERIFIABLE;
    p.detail = "no supplied public key has fingerprint " + fp + " (supplied: "
        + String.join(", ", keys.keys().stream().map(DigestPublicKeys.Key::fingerprint).toList())
        + ") and none verifies the signature";
  }

  private static boolean verifies(DigestPublicKeys.Key k, byte[] data, byte[] sig) {
    try {
      Signature s = Signature.getInstance("SHA256withRSA");
      s.initVerify(k.publicKey());
      s.update(data);
      return s.verify(sig);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private static void chain(Parsed p, List<Parsed> all, Map<String, Parsed> byId, Map<String, List<String>> byTail) {
    if (p.json == null) {
      return;
    }
    String trail = p.trail();
    boolean earlierPresent = all.stream()
        .anyMatch(o -> o != p && o.trail().equals(trail) && o.stamp().compareTo(p.stamp()) < 0);
    String prevSig = p.text("previousDigestSignature");
    String prevKey = p.text("previousDigestS3Object");
    if ((prevSig == null || prevKey == null) && p.backfill()) {
      p.chain = ChainStatus.START;
      p.chainDetail = "backfill digest (log files an hourly digest missed): outside the hourly chain";
      return;
    }
    if (prevSig == null || prevKey == null) {
      p.chain = earlierPresent ? ChainStatus.GAP : ChainStatus.START;
      p.chainDetail = earlierPresent
          ? "chain restarts although earlier digests of this trail are present: logging or validation was off"
          : "first digest of the trail";
      return;
    }
    Optional<String> prevId = resolve(byTail, p.text("previousDigestS3Bucket"), prevKey);
    Parsed prev = prevId.map(byId::get).orElse(null);
    if (prev == null) {
      p.chain = earlierPresent ? ChainStatus.BROKEN : ChainStatus.UNVERIFIABLE;
      p.chainDetail = earlierPresent
          ? "previous digest " + prevKey + " is missing"
          : "previous digest " + prevKey + " is not in the evidence (before the collected window)";
      return;
    }
    if (prev.json == null) {
      p.chain = ChainStatus.BROKEN;
      p.chainDetail = "previous digest " + prevKey + " is unreadable";
      return;
    }
    String wantHash = p.text("previousDigestHashValue");
    if (wantHash != null && !wantHash.equalsIgnoreCase(prev.sha256)) {
      p.chain = ChainStatus.BROKEN;
      p.chainDetail = "previous digest " + prevKey + " was altered: SHA-256 " + prev.sha256 + ", this digest records "
          + wantHash.toLowerCase(Locale.ROOT);
      return;
    }
    if (prev.ownSignature != null && !prev.ownSignature.equalsIgnoreCase(prevSig)) {
      p.chain = ChainStatus.BROKEN;
      p.chainDetail = "previous digest " + prevKey + " carries another signature than the one this digest records";
      return;
    }
    p.chain = ChainStatus.LINKED;
    p.chainDetail = "previous digest " + prevKey;
  }

  private TrailValidation.LogFile checkLog(String id, String key, String expected, Parsed digest) {
    String actual;
    try (InputStream in = objects.open(id)) {
      actual = contentSha256(in);
    } catch (IOException e) {
      String why = "content not readable (" + e.getMessage() + ")";
      if (digest.status == SignatureStatus.INVALID) {
        return new TrailValidation.LogFile(key, objects.describe(id), LogStatus.UNVERIFIABLE, expected, null,
            digest.id, why + "; listed by a digest whose signature is INVALID");
      }
      return new TrailValidation.LogFile(key, objects.describe(id), LogStatus.ALTERED, expected, null, digest.id, why);
    }
    boolean match = actual.equals(expected);
    return switch (digest.status) {
      case VALID -> new TrailValidation.LogFile(key, objects.describe(id), match ? LogStatus.VALID : LogStatus.ALTERED,
          expected, actual, digest.id, match ? null : "SHA-256 of the uncompressed content differs from the digest's");
      case UNVERIFIABLE -> new TrailValidation.LogFile(key, objects.describe(id),
          match ? LogStatus.UNVERIFIABLE : LogStatus.ALTERED, expected, actual, digest.id,
          (match ? "hash matches the digest" : "SHA-256 differs from the digest's")
              + ", but the digest's signature is unverifiable: " + digest.detail);
      case INVALID -> new TrailValidation.LogFile(key, objects.describe(id), LogStatus.UNVERIFIABLE, expected, actual,
          digest.id, "listed by a digest whose signature is INVALID");
    };
  }

  /** Hex SHA-256 of the uncompressed content (gzip detected by its magic; concatenated members included). */
  static String contentSha256(InputStream raw) throws IOException {
    MessageDigest md = sha256();
    try (InputStream in = content(raw)) {
      byte[] buf = new byte[64 * 1024];
      int n;
      while ((n = in.read(buf)) > 0) {
        md.update(buf, 0, n);
      }
    }
    return hex(md.digest());
  }

  private static InputStream content(InputStream raw) throws IOException {
    BufferedInputStream b = new BufferedInputStream(raw, 64 * 1024);
    b.mark(2);
    int m1 = b.read();
    int m2 = b.read();
    b.reset();
    return m1 == 0x1f && m2 == 0x8b ? new GZIPInputStream(b, 64 * 1024) : b;
  }

  private static byte[] uncompressed(InputStream raw, long max) throws IOException {
    try (InputStream in = content(raw)) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buf = new byte[64 * 1024];
      int n;
      while ((n = in.read(buf)) > 0) {
        out.write(buf, 0, n);
        if (out.size() > max) {
          throw new IOException("larger than " + max + " bytes uncompressed");
        }
      }
      return out.toByteArray();
    }
  }

  static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** For tests and tools: the string CloudTrail signs for a digest. */
  public static String stringToSign(String digestEndTime, String bucket, String key, String uncompressedSha256,
      String previousSignature) {
    return digestEndTime + "\n" + bucket + "/" + key + "\n" + uncompressedSha256 + "\n"
        + (previousSignature == null ? "null" : previousSignature);
  }
}
