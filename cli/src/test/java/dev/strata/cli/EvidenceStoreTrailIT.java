package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.infra.StackEndpoints;
import dev.strata.infra.testing.SharedStack;
import dev.strata.ingest.CollectionReport;
import dev.strata.ingest.CollectorOptions;
import dev.strata.ingest.FileCollector;
import dev.strata.ingest.ProgressListener;
import dev.strata.ingest.cloudtrail.DigestPublicKeys;
import dev.strata.ingest.cloudtrail.TrailValidation;
import dev.strata.ingest.cloudtrail.TrailValidation.ChainStatus;
import dev.strata.ingest.cloudtrail.TrailValidation.LogStatus;
import dev.strata.ingest.cloudtrail.TrailValidation.SignatureStatus;
import dev.strata.ingest.publish.ChunkPublisher;
import dev.strata.sink.s3.OriginMetadataRecord;
import dev.strata.sink.s3.S3EvidenceStore;
import dev.strata.sink.s3.S3EvidenceStoreConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code strata verify-trail --evidence-store}: a digest's own signature (its S3 metadata, here the {@code .sig}
 * sidecars of the demo bundle's trail, made by {@code examples/demo_trail_digest.py} as the AWS "CloudTrail digest
 * file structure" page describes) is kept by the evidence store next to the digest's unchanged bytes, so every
 * digest of the chain, the newest included, verifies with the user's PEM key.
 */
@ExtendWith(SharedStack.class)
class EvidenceStoreTrailIT {
  private static final Path BUNDLE = Path.of(System.getProperty("strata.home", "..")).resolve("examples/demo-bundle")
      .toAbsolutePath().normalize();
  private static final Path PUBLIC_KEY = BUNDLE.resolve("../demo-keys/cloudtrail-demo-public-key.pem").normalize();
  private static final String NEWEST = "20261120T112100Z.json.gz";
  private static final String FIRST = "20261120T102100Z.json.gz";

  @TempDir Path dir;

  @Test
  void everyDigestVerifiesWithTheSignatureKeptNextToItsBytes(StackEndpoints e) throws Exception {
    Path trail = copyTrail(dir.resolve("bundle"));
    // the newest digest's metadata as 'aws s3api head-object' prints it (signature and its algorithm)
    String newestSignature = headObjectSidecar(findDigest(trail, NEWEST), "SHA256withRSA");
    try (S3EvidenceStore store = store(e)) {
      CollectionReport report = collect(trail, store);

      TrailValidation v = VerifyTrailCommand.validate(store.config(), DigestPublicKeys.read(List.of(PUBLIC_KEY)));
      Map<String, TrailValidation.Digest> digests = byStamp(v);
      assertThat(digests).containsOnlyKeys(FIRST, NEWEST);
      for (TrailValidation.Digest d : digests.values()) {
        assertThat(d.signature()).as("%s", d).isEqualTo(SignatureStatus.VALID);
        assertThat(d.signatureDetail()).as("verified with its own signature").contains("signature: own");
      }
      assertThat(digests.get(NEWEST).chain()).isEqualTo(ChainStatus.LINKED);
      assertThat(v.logFiles()).extracting(TrailValidation.LogFile::status).containsOnly(LogStatus.VALID);
      assertThat(v.allValid()).as(v.table()).isTrue();

      // the evidence stays byte-identical; the signature and its algorithm are a record pointing to its SHA-256
      CollectionReport.Artifact newest = report.artifacts().stream().filter(a -> a.origin().endsWith(NEWEST))
          .findFirst().orElseThrow();
      Path newestFile = trail.resolve(newest.origin());
      assertThat(newest.artifactSha256()).isEqualTo(sha256(Files.readAllBytes(newestFile)));
      assertThat(store.verify(newest.artifactSha256()).ok()).isTrue();
      List<OriginMetadataRecord> meta = store.originMetadata(newest.artifactSha256());
      assertThat(meta).hasSize(1);
      assertThat(meta.get(0).origin()).isEqualTo(newest.origin());
      assertThat(meta.get(0).metadata()).containsEntry("signature", newestSignature);
      assertThat(meta.get(0).metadata()).containsEntry("signature-algorithm", "SHA256withRSA");
      // only formats that need their origin's metadata get a record
      CollectionReport.Artifact log = report.artifacts().stream()
          .filter(a -> a.sourceType().equals("aws_cloudtrail")).findFirst().orElseThrow();
      assertThat(store.originMetadata(log.artifactSha256())).isEmpty();
    }
  }

  @Test
  void aForgedSignatureIsInvalidAndAnotherKeyUnverifiable(StackEndpoints e) throws Exception {
    Path trail = copyTrail(dir.resolve("bundle"));
    Path sig = findDigest(trail, NEWEST).resolveSibling(findDigest(trail, NEWEST).getFileName() + ".sig");
    String hex = Files.readString(sig).strip();
    Files.writeString(sig, (hex.charAt(0) == '0' ? '1' : '0') + hex.substring(1)); // one nibble changed
    try (S3EvidenceStore store = store(e)) {
      collect(trail, store);

      TrailValidation v = VerifyTrailCommand.validate(store.config(), DigestPublicKeys.read(List.of(PUBLIC_KEY)));
      assertThat(byStamp(v).get(NEWEST).signature()).isEqualTo(SignatureStatus.INVALID);
      assertThat(byStamp(v).get(FIRST).signature()).isEqualTo(SignatureStatus.VALID);
      assertThat(v.tampered()).isTrue();

      Path otherKey = dir.resolve("other.pem");
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(2048);
      Files.writeString(otherKey, "-----BEGIN PUBLIC KEY-----\n"
          + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(g.generateKeyPair().getPublic().getEncoded())
          + "\n-----END PUBLIC KEY-----\n");
      TrailValidation wrongKey =
          VerifyTrailCommand.validate(store.config(), DigestPublicKeys.read(List.of(otherKey)));
      assertThat(byStamp(wrongKey).get(FIRST).signature()).isEqualTo(SignatureStatus.UNVERIFIABLE);
    }
  }

  /** AWS "CloudTrail digest file structure": x-amz-meta-signature-algorithm and digestSignatureAlgorithm agree. */
  @Test
  void aKeptSignatureAlgorithmThatDiffersFromTheDigestsIsInvalid(StackEndpoints e) throws Exception {
    Path trail = copyTrail(dir.resolve("bundle"));
    headObjectSidecar(findDigest(trail, NEWEST), "SHA512withRSA");
    try (S3EvidenceStore store = store(e)) {
      collect(trail, store);
      TrailValidation v = VerifyTrailCommand.validate(store.config(), DigestPublicKeys.read(List.of(PUBLIC_KEY)));
      assertThat(byStamp(v).get(NEWEST).signature()).isEqualTo(SignatureStatus.INVALID);
      assertThat(byStamp(v).get(NEWEST).signatureDetail())
          .contains("signature algorithm mismatch", "SHA256withRSA", "SHA512withRSA");
      assertThat(byStamp(v).get(FIRST).signature()).isEqualTo(SignatureStatus.VALID);
      assertThat(v.allValid()).isFalse();
    }
  }

  @Test
  void aDigestCollectedWithoutItsMetadataFallsBackToItsSuccessorsRecord(StackEndpoints e) throws Exception {
    Path trail = copyTrail(dir.resolve("bundle"));
    try (Stream<Path> files = Files.walk(trail)) {
      for (Path p : files.filter(p -> p.toString().endsWith(".sig")).toList()) {
        Files.delete(p);
      }
    }
    try (S3EvidenceStore store = store(e)) {
      collect(trail, store);
      TrailValidation v = VerifyTrailCommand.validate(store.config(), DigestPublicKeys.read(List.of(PUBLIC_KEY)));
      assertThat(byStamp(v).get(FIRST).signature()).isEqualTo(SignatureStatus.VALID);
      assertThat(byStamp(v).get(FIRST).signatureDetail()).contains("next digest's previousDigestSignature");
      assertThat(byStamp(v).get(NEWEST).signature()).isEqualTo(SignatureStatus.UNVERIFIABLE);
    }
  }

  private static S3EvidenceStore store(StackEndpoints e) {
    S3EvidenceStore store = S3EvidenceStore.create(S3EvidenceStoreConfig.builder()
        .endpoint(e.s3Endpoint())
        .region(e.s3Region())
        .bucket(e.evidenceBucket())
        .credentials(e.s3AccessKey(), e.s3SecretKey())
        .pathStyle(true)
        .keyPrefix("trail-it-" + UUID.randomUUID())
        .build());
    store.ensureBucket();
    return store;
  }

  private static CollectionReport collect(Path root, S3EvidenceStore store) {
    try (ChunkPublisher publisher = ChunkPublisher.forEach(c -> {}, m -> {})) {
      CollectionReport r = FileCollector.collect(root, CollectorOptions.defaults(), publisher,
          EvidencePipeline.preserver(store), ProgressListener.NONE);
      assertThat(r.artifacts()).extracting(CollectionReport.Artifact::sourceType)
          .containsOnly("aws_cloudtrail", "aws_cloudtrail_digest");
      return r;
    }
  }

  private static Path copyTrail(Path target) throws Exception {
    Path from = BUNDLE.resolve("AWSLogs");
    try (Stream<Path> files = Files.walk(from)) {
      for (Path p : files.filter(Files::isRegularFile).toList()) {
        Path to = target.resolve("AWSLogs").resolve(from.relativize(p).toString());
        Files.createDirectories(to.getParent());
        Files.copy(p, to);
      }
    }
    return target;
  }

  /**
   * Replaces the digest's {@code .sig} sidecar by the {@code .metadata.json} that {@code aws s3api head-object} prints
   * (its signature, and {@code algorithm} as its signature-algorithm); returns the signature.
   */
  private static String headObjectSidecar(Path digest, String algorithm) throws Exception {
    Path sig = digest.resolveSibling(digest.getFileName() + ".sig");
    String signature = Files.readString(sig).strip();
    Files.writeString(digest.resolveSibling(digest.getFileName() + ".metadata.json"),
        "{\"ContentType\": \"application/json\", \"Metadata\": {\"signature\": \"" + signature
            + "\", \"signature-algorithm\": \"" + algorithm + "\"}}");
    Files.delete(sig);
    return signature;
  }

  private static Path findDigest(Path root, String suffix) throws Exception {
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(p -> p.toString().endsWith(suffix)).findFirst().orElseThrow();
    }
  }

  private static Map<String, TrailValidation.Digest> byStamp(TrailValidation v) {
    return v.digests().stream().collect(Collectors.toMap(
        d -> d.s3Object().substring(d.s3Object().lastIndexOf('_') + 1), d -> d, (a, b) -> a));
  }

  private static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }
}
