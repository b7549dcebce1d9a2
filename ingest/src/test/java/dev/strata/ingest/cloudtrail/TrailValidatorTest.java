package dev.strata.ingest.cloudtrail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.ingest.cloudtrail.TrailValidation.ChainStatus;
import dev.strata.ingest.cloudtrail.TrailValidation.LogStatus;
import dev.strata.ingest.cloudtrail.TrailValidation.SignatureStatus;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrailValidatorTest {
  private static KeyPair keys;
  private static KeyPair otherKeys;

  @TempDir Path dir;

  @BeforeAll
  static void keys() throws Exception {
    keys = SignedTrail.newKeyPair();
    otherKeys = SignedTrail.newKeyPair();
  }

  private SignedTrail trail() throws Exception {
    return new SignedTrail(dir, "", "AWSLogs/", keys).write(3, 2);
  }

  private static Map<String, LogStatus> logStatus(TrailValidation v) {
    return v.logFiles().stream().collect(Collectors.toMap(TrailValidation.LogFile::s3Object, TrailValidation.LogFile::status));
  }

  private static Map<String, TrailValidation.Digest> digests(TrailValidation v) {
    return v.digests().stream().collect(Collectors.toMap(TrailValidation.Digest::s3Object, Function.identity()));
  }

  @Test
  void untouchedTrailIsValidAndChained() throws Exception {
    SignedTrail t = trail();
    TrailValidation v = TrailValidator.validate(dir, t.publicKeys());
    assertEquals(6, v.logFiles().size());
    assertTrue(v.logFiles().stream().allMatch(l -> l.status() == LogStatus.VALID), v.table());
    assertEquals(3, v.digests().size());
    assertTrue(v.digests().stream().allMatch(d -> d.signature() == SignatureStatus.VALID), v.table());
    assertEquals(List.of(ChainStatus.START, ChainStatus.LINKED, ChainStatus.LINKED),
        v.digests().stream().map(TrailValidation.Digest::chain).toList());
    assertTrue(v.allValid());
    assertFalse(v.tampered());
    assertTrue(v.summary().contains("6 log files (6 valid, 0 altered, 0 missing, 0 unverifiable)"), v.summary());
  }

  @Test
  void oneAlteredLogAndOneAlteredDigestAreExactlyTheOnesReported() throws Exception {
    SignedTrail t = trail();
    String alteredLog = t.logKeys.get(0).get(1);
    t.alterContent(alteredLog, 40); // inside the first record: still valid gzip, another SHA-256
    String alteredDigest = t.digestKeys.get(2);
    t.alterContent(alteredDigest, 20);
    TrailValidation v = TrailValidator.validate(dir, t.publicKeys());

    Map<String, LogStatus> logs = logStatus(v);
    assertEquals(LogStatus.ALTERED, logs.get(alteredLog));
    // the hashes listed by an altered digest cannot be trusted: its log files are unverifiable, not valid
    for (String k : t.logKeys.get(2)) {
      assertEquals(LogStatus.UNVERIFIABLE, logs.get(k), k);
    }
    assertEquals(LogStatus.VALID, logs.get(t.logKeys.get(0).get(0)));
    assertEquals(LogStatus.VALID, logs.get(t.logKeys.get(1).get(0)));
    assertEquals(LogStatus.VALID, logs.get(t.logKeys.get(1).get(1)));
    assertEquals(6, logs.size());

    Map<String, TrailValidation.Digest> d = digests(v);
    assertEquals(SignatureStatus.INVALID, d.get(alteredDigest).signature());
    assertEquals(SignatureStatus.VALID, d.get(t.digestKeys.get(0)).signature());
    assertEquals(SignatureStatus.VALID, d.get(t.digestKeys.get(1)).signature());
    assertTrue(v.tampered());
    assertTrue(v.toJson().contains("\"ALTERED\" : 1"), v.toJson());
  }

  @Test
  void alteredDigestInTheMiddleBreaksTheChainAtTheNextDigest() throws Exception {
    SignedTrail t = trail();
    t.alterContent(t.digestKeys.get(1), 20);
    TrailValidation v = TrailValidator.validate(dir, t.publicKeys());
    Map<String, TrailValidation.Digest> d = digests(v);
    assertEquals(SignatureStatus.INVALID, d.get(t.digestKeys.get(1)).signature());
    assertEquals(SignatureStatus.VALID, d.get(t.digestKeys.get(2)).signature());
    assertEquals(ChainStatus.BROKEN, d.get(t.digestKeys.get(2)).chain());
    assertTrue(d.get(t.digestKeys.get(2)).chainDetail().contains("was altered"), d.get(t.digestKeys.get(2)).chainDetail());
    assertEquals(1, v.chainBreaks());
  }

  @Test
  void rawByteFlipInACompressedLogIsAltered() throws Exception {
    SignedTrail t = trail();
    Path f = t.file(t.logKeys.get(1).get(0));
    byte[] b = Files.readAllBytes(f);
    b[b.length / 2] ^= 0x01;
    Files.write(f, b);
    TrailValidation v = TrailValidator.validate(dir, t.publicKeys());
    Map<String, LogStatus> logs = logStatus(v);
    assertEquals(LogStatus.ALTERED, logs.get(t.logKeys.get(1).get(0)));
    assertEquals(5, logs.values().stream().filter(s -> s == LogStatus.VALID).count());
  }

  @Test
  void deletedLogIsMissing() throws Exception {
    SignedTrail t = trail();
    Files.delete(t.file(t.logKeys.get(2).get(0)));
    TrailValidation v = TrailValidator.validate(dir, t.publicKeys());
    Map<String, LogStatus> logs = logStatus(v);
    assertEquals(LogStatus.MISSING, logs.get(t.logKeys.get(2).get(0)));
    assertEquals(5, logs.values().stream().filter(s -> s == LogStatus.VALID).count());
    assertTrue(v.tampered());
  }

  @Test
  void deletedDigestBreaksTheChainAndLeavesItsLogsUncovered() throws Exception {
    SignedTrail t = trail();
    Files.delete(t.file(t.digestKeys.get(1)));
    TrailValidation v = TrailValidator.validate(dir, t.publicKeys());
    Map<String, TrailValidation.Digest> d = digests(v);
    assertEquals(2, d.size());
    assertEquals(ChainStatus.BROKEN, d.get(t.digestKeys.get(2)).chain());
    Map<String, LogStatus> logs = logStatus(v);
    for (String k : t.logKeys.get(1)) {
      assertEquals(LogStatus.UNVERIFIABLE, logs.get(k));
    }
  }

  @Test
  void wrongKeyMakesEverythingUnverifiable() throws Exception {
    trail();
    DigestPublicKeys wrong = DigestPublicKeys.of(
        List.of(DigestPublicKeys.key((RSAPublicKey) otherKeys.getPublic(), "other")));
    TrailValidation v = TrailValidator.validate(dir, wrong);
    assertTrue(v.digests().stream().allMatch(d -> d.signature() == SignatureStatus.UNVERIFIABLE), v.table());
    assertTrue(v.logFiles().stream().allMatch(l -> l.status() == LogStatus.UNVERIFIABLE), v.table());
    assertFalse(v.tampered());
    assertFalse(v.allValid());
    TrailValidation none = TrailValidator.validate(dir, DigestPublicKeys.none());
    assertTrue(none.digests().stream().allMatch(d -> d.signature() == SignatureStatus.UNVERIFIABLE));
  }

  @Test
  void missingSidecarIsCoveredByTheNextDigestButNotForTheNewest() throws Exception {
    SignedTrail t = trail();
    Files.delete(t.file(t.digestKeys.get(1) + ".sig"));
    Files.delete(t.file(t.digestKeys.get(2) + ".sig"));
    TrailValidation v = TrailValidator.validate(dir, t.publicKeys());
    Map<String, TrailValidation.Digest> d = digests(v);
    assertEquals(SignatureStatus.VALID, d.get(t.digestKeys.get(1)).signature());
    assertTrue(d.get(t.digestKeys.get(1)).signatureDetail().contains("next digest"));
    assertEquals(SignatureStatus.UNVERIFIABLE, d.get(t.digestKeys.get(2)).signature());
    Map<String, LogStatus> logs = logStatus(v);
    assertEquals(LogStatus.VALID, logs.get(t.logKeys.get(1).get(0)));
    assertEquals(LogStatus.UNVERIFIABLE, logs.get(t.logKeys.get(2).get(0)));
  }

  @Test
  void headObjectJsonSidecarOrgTrailAndBucketDirectory() throws Exception {
    SignedTrail t = new SignedTrail(dir, "ct-bucket/", "ops/AWSLogs/o-abc123def4/", keys).write(2, 1);
    Path sig = t.file(t.digestKeys.get(1) + ".sig");
    String hex = Files.readString(sig).strip();
    Files.delete(sig);
    Files.writeString(t.file(t.digestKeys.get(1) + ".metadata.json"),
        "{\"AcceptRanges\":\"bytes\",\"ContentType\":\"application/x-gzip\",\"Metadata\":{\"signature-algorithm\":"
            + "\"SHA256withRSA\",\"signature\":\"" + hex + "\"}}");
    Files.writeString(dir.resolve("notes.txt"), "unrelated");
    TrailValidation v = TrailValidator.validate(dir, t.publicKeys());
    assertTrue(v.allValid(), v.table());
    assertEquals(2, v.logFiles().size());
    assertEquals("111122223333", v.digests().get(0).account());
  }

  /**
   * CloudTrail "digest file structure" / "custom implementations of log file integrity validation": the digest
   * object's S3 metadata carries {@code signature} and {@code signature-algorithm}, the digest itself
   * {@code digestSignatureAlgorithm}; the two algorithms must agree.
   */
  @Test
  void aSignatureAlgorithmInTheS3MetadataThatDiffersFromTheDigestsMakesItInvalid() throws Exception {
    SignedTrail t = trail();
    String tampered = t.digestKeys.get(1);
    Path sig = t.file(tampered + ".sig");
    String hex = Files.readString(sig).strip();
    Files.delete(sig);
    Files.writeString(t.file(tampered + ".metadata.json"), "{\"Metadata\":{\"signature-algorithm\":"
        + "\"SHA1withRSA\",\"signature\":\"" + hex + "\"}}");
    // an agreeing algorithm (another case) on the first digest stays valid
    Path sig0 = t.file(t.digestKeys.get(0) + ".sig");
    String hex0 = Files.readString(sig0).strip();
    Files.delete(sig0);
    Files.writeString(t.file(t.digestKeys.get(0) + ".metadata.json"), "{\"Metadata\":{\"signature-algorithm\":"
        + "\"sha256withrsa\",\"signature\":\"" + hex0 + "\"}}");

    TrailValidation v = TrailValidator.validate(dir, t.publicKeys());
    Map<String, TrailValidation.Digest> d = digests(v);
    assertEquals(SignatureStatus.INVALID, d.get(tampered).signature(), v.table());
    assertTrue(d.get(tampered).signatureDetail().contains("digestSignatureAlgorithm is SHA256withRSA")
        && d.get(tampered).signatureDetail().contains("x-amz-meta-signature-algorithm it was delivered with is "
        + "SHA1withRSA"), d.get(tampered).signatureDetail());
    assertEquals(SignatureStatus.VALID, d.get(t.digestKeys.get(0)).signature(), v.table());
    assertEquals(SignatureStatus.VALID, d.get(t.digestKeys.get(2)).signature(), v.table());
    Map<String, LogStatus> logs = logStatus(v);
    for (String k : t.logKeys.get(1)) {
      assertEquals(LogStatus.UNVERIFIABLE, logs.get(k), k);
    }
    assertEquals(LogStatus.VALID, logs.get(t.logKeys.get(0).get(0)));
    assertFalse(v.allValid());
  }

  /**
   * CloudTrail "custom implementations of log file integrity validation", step 2: verify that the digest was retrieved
   * from its original location (its digestS3Object).
   */
  @Test
  void aDigestMovedFromItsOriginalLocationIsInvalid() throws Exception {
    SignedTrail t = trail();
    String original = t.digestKeys.get(1);
    String moved = original.replace("_20261120T", "_20261121T").replace("/2026/11/20/", "/2026/11/21/");
    org.junit.jupiter.api.Assertions.assertNotEquals(original, moved);
    Files.createDirectories(t.file(moved).getParent());
    Files.move(t.file(original), t.file(moved));
    Files.move(t.file(original + ".sig"), t.file(moved + ".sig"));
    TrailValidation v = TrailValidator.validate(dir, t.publicKeys());
    TrailValidation.Digest d = v.digests().stream().filter(x -> x.location().endsWith(moved)).findFirst().orElseThrow();
    assertEquals(SignatureStatus.INVALID, d.signature(), v.table());
    assertTrue(d.signatureDetail().contains("moved from its original location"), d.signatureDetail());
    assertEquals(SignatureStatus.VALID, digests(v).get(t.digestKeys.get(0)).signature());
    assertFalse(v.allValid());
  }

  /** CloudTrail "digest file structure": a _backfill digest lists log files an hourly digest missed. */
  @Test
  void aBackfillDigestVerifiesAndCoversItsLateLogFileOutsideTheHourlyChain() throws Exception {
    SignedTrail t = trail();
    String late = t.backfill();
    TrailValidation v = TrailValidator.validate(dir, t.publicKeys());
    assertEquals(4, v.digests().size(), v.table());
    TrailValidation.Digest backfill = v.digests().stream().filter(d -> d.s3Object().endsWith("_backfill.json.gz"))
        .findFirst().orElseThrow();
    assertEquals(SignatureStatus.VALID, backfill.signature(), v.table());
    assertEquals(ChainStatus.START, backfill.chain());
    assertTrue(backfill.chainDetail().contains("backfill"), backfill.chainDetail());
    assertEquals(LogStatus.VALID, logStatus(v).get(late), v.table());
    assertEquals(List.of(ChainStatus.START, ChainStatus.LINKED, ChainStatus.LINKED), v.digests().stream()
        .filter(d -> d != backfill).map(TrailValidation.Digest::chain).toList(), "the hourly chain is unchanged");
    assertTrue(v.allValid(), v.table());

    t.alterContent(late, 20);
    assertEquals(LogStatus.ALTERED, logStatus(TrailValidator.validate(dir, t.publicKeys())).get(late));
  }

  @Test
  void logNotListedByAnyDigestIsUnverifiable() throws Exception {
    SignedTrail t = trail();
    Path extra = t.file("AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/20/111122223333_CloudTrail_us-east-1_20261120T1555Z_zzz.json.gz");
    Files.write(extra, SignedTrail.gzip("{\"Records\":[]}".getBytes(StandardCharsets.UTF_8)));
    TrailValidation v = TrailValidator.validate(dir, t.publicKeys());
    assertEquals(7, v.logFiles().size());
    assertEquals(1, v.logCounts().get(LogStatus.UNVERIFIABLE));
    assertEquals(6, v.logCounts().get(LogStatus.VALID));
  }

  @Test
  void publicKeyFormatsAndTheAwsFingerprint(@TempDir Path keysDir) throws Exception {
    // the example of `aws cloudtrail list-public-keys` in the AWS CLI documentation: Value and its Fingerprint
    String awsValue = "MIIBCgKCAQEAlSS3cl92HDycr/MTj0moOhas8habjrraXw+KzlWF0axSI2tcF+3iJ9BKQAVSKxGwxwu3m0wG3J+kUl1xboEc"
        + "EPHYoIYMbgfSw7KGnuDKwkLzsQWhUJ0cIbOHASox1vv/5fNXkrHhGbDCHeVXm804c83nvHUEFYThr1PfyP/8HwrCtR3FX5OANtQCP61C1nJtSSkC8J"
        + "SQUOrIP4CuwJjc+4WGDk+BGH5m9iuiAKkipEHWmUl8/P7XpfpWQuk4h8g3pXZOrNXr08lbh4d39svj7UqdhvOXoBISp9t/EXYuePGEtBdrKD9Dz+V"
        + "HwyUPtBQvYr9BnkF88qBnaPNhS44rzwIDAQAB";
    Path json = keysDir.resolve("keys.json");
    Files.writeString(json, "{\"PublicKeyList\":[{\"ValidityStartTime\":1453076702.0,\"ValidityEndTime\":1455668702.0,"
        + "\"Value\":\"" + awsValue + "\",\"Fingerprint\":\"7f3f401420072e50a65a141430817ab3\"}]}");
    assertEquals("7f3f401420072e50a65a141430817ab3", DigestPublicKeys.read(List.of(json)).keys().get(0).fingerprint());

    RSAPublicKey pub = (RSAPublicKey) keys.getPublic();
    Path spki = keysDir.resolve("spki.pem");
    Files.writeString(spki, "-----BEGIN PUBLIC KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(pub.getEncoded()) + "\n-----END PUBLIC KEY-----\n");
    Path pkcs1 = keysDir.resolve("pkcs1.pem");
    Files.writeString(pkcs1, "-----BEGIN RSA PUBLIC KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(DigestPublicKeys.pkcs1(pub)) + "\n-----END RSA PUBLIC KEY-----\n");
    DigestPublicKeys read = DigestPublicKeys.read(List.of(spki, pkcs1));
    String fp = DigestPublicKeys.fingerprint(pub);
    assertEquals(List.of(fp, fp), read.keys().stream().map(DigestPublicKeys.Key::fingerprint).toList());
    assertEquals(pub.getModulus(), read.keys().get(1).publicKey().getModulus());
    assertTrue(java.util.Arrays.equals(pub.getEncoded(), DigestPublicKeys.spki(DigestPublicKeys.pkcs1(pub))));

    new SignedTrail(dir, "", "AWSLogs/", keys).write(2, 1);
    assertTrue(TrailValidator.validate(dir, DigestPublicKeys.read(List.of(json, spki))).allValid());
  }
}
