package dev.strata.ingest.cloudtrail;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Writes a small CloudTrail trail the way CloudTrail delivers it (log files + a chain of digests signed with
 * SHA256withRSA over the documented signing string, signatures as {@code <digest>.sig} sidecars), built from the AWS
 * "CloudTrail digest file structure" and "custom validation" documentation. Test code, not AWS output.
 */
final class SignedTrail {
  static final String ACCOUNT = "111122223333";
  static final String REGION = "us-east-1";
  static final String TRAIL = "management-events";
  static final String BUCKET = "ct-bucket";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter YMD = DateTimeFormatter.ofPattern("yyyy/MM/dd").withZone(ZoneOffset.UTC);

  final Path root;
  final String keyPrefix; // "" or "prefix/AWSLogs/o-xxx/" style path before the account
  final KeyPair keys;
  final List<String> digestKeys = new ArrayList<>();
  final List<List<String>> logKeys = new ArrayList<>();

  static KeyPair newKeyPair() throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    return g.generateKeyPair();
  }

  /**
   * @param under directory below {@code root} the bucket content goes (e.g. "" or "ct-bucket/")
   * @param awsLogsPrefix key prefix up to and including "AWSLogs/" plus the org id if any, e.g. "AWSLogs/"
   */
  SignedTrail(Path root, String under, String awsLogsPrefix, KeyPair keys) {
    this.root = root.resolve(under);
    this.keyPrefix = awsLogsPrefix;
    this.keys = keys;
  }

  /** Writes {@code digests} hourly digests, each listing {@code logsPerDigest} log files. */
  SignedTrail write(int digests, int logsPerDigest) throws Exception {
    Instant start = Instant.parse("2026-11-20T10:00:00Z");
    String prevSig = null;
    String prevKey = null;
    String prevHash = null;
    for (int d = 0; d < digests; d++) {
      Instant dStart = start.plusSeconds(3600L * d);
      Instant dEnd = dStart.plusSeconds(3600);
      List<String> logs = new ArrayList<>();
      ArrayNode logFiles = JSON.createArrayNode();
      for (int i = 0; i < logsPerDigest; i++) {
        Instant t = dStart.plusSeconds(300L * (i + 1));
        String key = keyPrefix + ACCOUNT + "/CloudTrail/" + REGION + "/" + YMD.format(t) + "/" + ACCOUNT + "_CloudTrail_"
            + REGION + "_" + STAMP.format(t).substring(0, 13) + "Z_" + "abcd" + d + i + ".json.gz";
        byte[] content = ("{\"Records\":[{\"eventVersion\":\"1.09\",\"eventSource\":\"iam.amazonaws.com\","
            + "\"eventName\":\"GetUser\",\"eventTime\":\"" + t + "\",\"awsRegion\":\"" + REGION
            + "\",\"recipientAccountId\":\"" + ACCOUNT + "\",\"eventID\":\"e-" + d + "-" + i + "\"}]}")
            .getBytes(StandardCharsets.UTF_8);
        write(key, gzip(content));
        logs.add(key);
        ObjectNode lf = logFiles.addObject();
        lf.put("s3Bucket", BUCKET);
        lf.put("s3Object", key);
        lf.put("hashValue", sha256(content));
        lf.put("hashAlgorithm", "SHA-256");
        lf.put("newestEventTime", t.toString());
        lf.put("oldestEventTime", t.toString());
      }
      String[] written = writeDigest(dStart, dEnd, logFiles, prevKey, prevHash, prevSig, "");
      String dKey = written[0];
      String hash = written[1];
      String sig = written[2];
      digestKeys.add(dKey);
      logKeys.add(logs);
      prevSig = sig;
      prevKey = dKey;
      prevHash = hash;
    }
    return this;
  }

  /**
   * Writes one signed digest (its signature as a {@code .sig} sidecar) listing {@code logFiles}; {@code suffix} is ""
   * or "_backfill". Returns its key, the SHA-256 of its content and its signature.
   */
  private String[] writeDigest(Instant dStart, Instant dEnd, ArrayNode logFiles, String prevKey, String prevHash,
      String prevSig, String suffix) throws Exception {
    String dKey = keyPrefix + ACCOUNT + "/CloudTrail-Digest/" + REGION + "/" + YMD.format(dEnd) + "/" + ACCOUNT
        + "_CloudTrail-Digest_" + REGION + "_" + TRAIL + "_" + REGION + "_" + STAMP.format(dEnd) + suffix + ".json.gz";
    ObjectNode digest = JSON.createObjectNode();
    digest.put("awsAccountId", ACCOUNT);
    digest.put("digestStartTime", dStart.toString().replace(".000", ""));
    digest.put("digestEndTime", dEnd.toString());
    digest.put("digestS3Bucket", BUCKET);
    digest.put("digestS3Object", dKey);
    digest.put("digestPublicKeyFingerprint", DigestPublicKeys.fingerprint((RSAPublicKey) keys.getPublic()));
    digest.put("digestSignatureAlgorithm", "SHA256withRSA");
    digest.put("newestEventTime", dEnd.minusSeconds(60).toString());
    digest.put("oldestEventTime", dStart.plusSeconds(60).toString());
    if (prevKey == null) {
      digest.putNull("previousDigestS3Bucket");
      digest.putNull("previousDigestS3Object");
      digest.putNull("previousDigestHashValue");
      digest.putNull("previousDigestHashAlgorithm");
      digest.putNull("previousDigestSignature");
    } else {
      digest.put("previousDigestS3Bucket", BUCKET);
      digest.put("previousDigestS3Object", prevKey);
      digest.put("previousDigestHashValue", prevHash);
      digest.put("previousDigestHashAlgorithm", "SHA-256");
      digest.put("previousDigestSignature", prevSig);
    }
    digest.set("logFiles", logFiles);
    byte[] content = JSON.writeValueAsBytes(digest);
    String hash = sha256(content);
    String sig = sign(TrailValidator.stringToSign(dEnd.toString(), BUCKET, dKey, hash, prevSig));
    write(dKey, gzip(content));
    Files.writeString(file(dKey + ".sig"), sig + "\n");
    return new String[] {dKey, hash, sig};
  }

  /**
   * A backfill digest ({@code ..._<end>_backfill.json.gz}, CloudTrail "digest file structure": log files an hourly
   * digest missed because of a processing delay) listing one late log file of the first hour; written with no
   * previous-digest fields (outside the hourly chain). Returns the late log file's key.
   */
  String backfill() throws Exception {
    Instant dStart = Instant.parse("2026-11-20T10:00:00Z");
    Instant t = dStart.plusSeconds(3000);
    String key = keyPrefix + ACCOUNT + "/CloudTrail/" + REGION + "/" + YMD.format(t) + "/" + ACCOUNT + "_CloudTrail_"
        + REGION + "_" + STAMP.format(t).substring(0, 13) + "Z_late.json.gz";
    byte[] content = ("{\"Records\":[{\"eventVersion\":\"1.09\",\"eventSource\":\"iam.amazonaws.com\","
        + "\"eventName\":\"GetUser\",\"eventTime\":\"" + t + "\",\"eventID\":\"late\"}]}").getBytes(StandardCharsets.UTF_8);
    write(key, gzip(content));
    ArrayNode logFiles = JSON.createArrayNode();
    ObjectNode lf = logFiles.addObject();
    lf.put("s3Bucket", BUCKET);
    lf.put("s3Object", key);
    lf.put("hashValue", sha256(content));
    lf.put("hashAlgorithm", "SHA-256");
    String[] d = writeDigest(dStart, dStart.plusSeconds(3600), logFiles, null, null, null, "_backfill");
    digestKeys.add(d[0]);
    return key;
  }

  Path file(String key) {
    return root.resolve(key);
  }

  String sign(String toSign) throws GeneralSecurityException {
    Signature s = Signature.getInstance("SHA256withRSA");
    s.initSign(keys.getPrivate());
    s.update(toSign.getBytes(StandardCharsets.UTF_8));
    return HexFormat.of().formatHex(s.sign());
  }

  DigestPublicKeys publicKeys() {
    return DigestPublicKeys.of(List.of(DigestPublicKeys.key((RSAPublicKey) keys.getPublic(), "test-key")));
  }

  /** Rewrites a gzip object with one content byte changed (still valid gzip). */
  void alterContent(String key, int offset) throws IOException {
    byte[] c = gunzip(Files.readAllBytes(file(key)));
    c[offset] = (byte) (c[offset] == 'x' ? 'y' : 'x');
    Files.write(file(key), gzip(c));
  }

  private void write(String key, byte[] bytes) throws IOException {
    Path p = file(key);
    Files.createDirectories(p.getParent());
    Files.write(p, bytes);
  }

  static byte[] gzip(byte[] b) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(out)) {
      z.write(b);
    }
    return out.toByteArray();
  }

  static byte[] gunzip(byte[] b) throws IOException {
    try (GZIPInputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(b))) {
      return in.readAllBytes();
    }
  }

  static String sha256(byte[] b) throws GeneralSecurityException {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }
}
