package dev.strata.ingest.recognize;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.ingest.CollectionReport;
import dev.strata.ingest.CollectorOptions;
import dev.strata.ingest.FileCollector;
import dev.strata.ingest.SkipReason;
import dev.strata.ingest.TestFiles;
import dev.strata.ingest.publish.InMemoryChunkPublisher;
import dev.strata.schema.common.Framing;
import dev.strata.schema.raw.RawArtifactChunk;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * aws_cloudtrail_digest: path, content probe, and the signature from the origin's metadata on every chunk. Digest
 * contents follow AWS's "CloudTrail digest file structure" documentation (field names and key layout); values
 * invented (account 111122223333, bucket and trail names made up).
 */
class AwsCloudTrailDigestRecognizerTest {
  private static final List<ArtifactRecognizer> R = Recognizers.defaults();
  static final String KEY = "AWSLogs/111122223333/CloudTrail-Digest/eu-west-1/2026/11/20/"
      + "111122223333_CloudTrail-Digest_eu-west-1_org-trail_us-east-1_20261120T110131Z.json.gz";
  static final String DIGEST = "{\"awsAccountId\":\"111122223333\",\"digestStartTime\":\"2026-11-20T10:01:31Z\","
      + "\"digestEndTime\":\"2026-11-20T11:01:31Z\",\"digestS3Bucket\":\"example-trail-bucket\","
      + "\"digestS3Object\":\"" + KEY + "\",\"digestPublicKeyFingerprint\":\"31e8b5433410dfb61a9dc45cc65b22ff\","
      + "\"digestSignatureAlgorithm\":\"SHA256withRSA\",\"newestEventTime\":null,\"oldestEventTime\":null,"
      + "\"previousDigestS3Bucket\":null,\"previousDigestS3Object\":null,\"previousDigestHashValue\":null,"
      + "\"previousDigestHashAlgorithm\":null,\"previousDigestSignature\":null,\"logFiles\":[]}";
  static final String SIG = "a1b2c3d4".repeat(64);

  @TempDir Path tmp;

  @Test
  void digestPathGivesAccountAndRegion() {
    var r = new AwsCloudTrailDigestRecognizer();
    var ctx = r.matchPath("bucket/prefix/" + KEY).orElseThrow();
    assertThat(ctx.cloudAccount()).isEqualTo("111122223333");
    assertThat(ctx.cloudRegion()).isEqualTo("eu-west-1");
    assertThat(ctx.cloudProvider()).isEqualTo("aws");
    assertThat(r.matchPath("AWSLogs/o-exampleorg1/111122223333/CloudTrail-Digest/us-east-2/2026/11/20/"
        + "111122223333_CloudTrail-Digest_us-east-2_t_us-east-1_20261120T110131Z_backfill.json.gz")).isPresent();
    assertThat(r.matchPath("AWSLogs/111122223333/CloudTrail/eu-west-1/2026/11/20/x.json.gz")).isEmpty();
    assertThat(new AwsCloudTrailRecognizer().matchPath(KEY)).isEmpty();
  }

  @Test
  void digestContentIsItsOwnFormatNotCloudTrail() {
    Recognition r = Recognizers.recognize(R, KEY, ContentSample.of(DIGEST));
    assertThat(r.sourceType()).isEqualTo("aws_cloudtrail_digest");
    assertThat(r.framing()).isEqualTo(Framing.WHOLE);
    assertThat(r.pathHints().cloudAccount()).isEqualTo("111122223333");
    // pretty-printed, anywhere
    Recognition pretty = Recognizers.recognize(R, "ir/digest.json",
        ContentSample.of(DIGEST.replace(",\"", ",\n  \"")));
    assertThat(pretty.sourceType()).isEqualTo("aws_cloudtrail_digest");
    // a CloudTrail log file is not a digest, a digest is not a log file
    String log = "{\"Records\":[{\"eventVersion\":\"1.09\",\"eventSource\":\"s3.amazonaws.com\",\"eventName\":\"GetObject\"}]}";
    assertThat(new AwsCloudTrailDigestRecognizer().probe(ContentSample.of(log)).strength())
        .isEqualTo(ContentMatch.Strength.NONE);
    assertThat(new AwsCloudTrailRecognizer().probe(ContentSample.of(DIGEST)).strength())
        .isEqualTo(ContentMatch.Strength.NONE);
    assertThat(new AwsCloudTrailDigestRecognizer().probe(ContentSample.of("{\"digestEndTime\":\"x\"}")).strength())
        .isEqualTo(ContentMatch.Strength.NONE);
  }

  @Test
  void signatureFromOriginMetadataBecomesTheFormatHeader() {
    var r = new AwsCloudTrailDigestRecognizer();
    assertThat(r.formatHeader(ContentSample.of(DIGEST), Map.of())).isEmpty();
    assertThat(r.formatHeader(ContentSample.of(DIGEST), Map.of("signature", SIG, "signature-algorithm", "SHA256withRSA")))
        .contains("x-amz-meta-signature: " + SIG + "\nx-amz-meta-signature-algorithm: SHA256withRSA");
    assertThat(Recognizers.formatHeader(R, "aws_cloudtrail_digest", ContentSample.of(DIGEST),
        () -> Map.of("signature", SIG))).isEqualTo("x-amz-meta-signature: " + SIG);
    // other formats never ask for the metadata
    assertThat(Recognizers.formatHeader(R, "aws_cloudtrail", ContentSample.of("{}"), () -> {
      throw new AssertionError("asked");
    })).isNull();
  }

  /** Offline: the digest is collected (not skipped) and its .sig sidecar's signature is on its chunk. */
  @Test
  void collectorPreservesDigestsWithTheirSidecarSignature() {
    Path root = tmp.resolve("evidence");
    TestFiles.write(root, KEY, TestFiles.gzip(DIGEST.getBytes(StandardCharsets.UTF_8)));
    TestFiles.write(root, KEY + ".sig", SIG + "\n");
    String other = KEY.replace("110131Z", "120131Z");
    TestFiles.write(root, other, TestFiles.gzip(DIGEST.replace("11:01:31Z", "12:01:31Z").getBytes(StandardCharsets.UTF_8)));
    TestFiles.write(root, other + ".metadata.json",
        "{\"ContentType\":\"application/json\",\"Metadata\":{\"signature\":\"" + SIG.toUpperCase() + "\","
            + "\"signature-algorithm\":\"SHA256withRSA\"}}");
    InMemoryChunkPublisher out = new InMemoryChunkPublisher();
    CollectionReport report = FileCollector.collect(root, CollectorOptions.defaults(), out, null, null);
    assertThat(report.artifacts()).extracting(CollectionReport.Artifact::sourceType)
        .containsOnly("aws_cloudtrail_digest");
    RawArtifactChunk c = out.chunksOfOrigin(KEY).get(0);
    assertThat(c.getSourceType()).isEqualTo("aws_cloudtrail_digest");
    assertThat(c.getFormatHeader()).isEqualTo("x-amz-meta-signature: " + SIG);
    assertThat(c.getContext().getCloudAccount()).isEqualTo("111122223333");
    assertThat(new String(out.reassemble(c.getArtifactSha256()), StandardCharsets.UTF_8)).isEqualTo(DIGEST);
    assertThat(out.chunksOfOrigin(other).get(0).getFormatHeader())
        .isEqualTo("x-amz-meta-signature: " + SIG.toUpperCase() + "\nx-amz-meta-signature-algorithm: SHA256withRSA");
    // the sidecars are metadata, reported as not recognized (never lost silently)
    assertThat(report.skipped()).extracting(CollectionReport.Skipped::reason)
        .containsOnly(SkipReason.NOT_RECOGNIZED.code());
  }

  /** The S3 puller's path: the object's metadata is given, sidecars are not looked for. */
  @Test
  void runObjectCarriesTheGivenMetadata() throws Exception {
    Path spool = tmp.resolve("object.spool");
    Files.write(spool, TestFiles.gzip(DIGEST.getBytes(StandardCharsets.UTF_8)));
    Files.writeString(tmp.resolve("object.spool.sig"), "ffff");
    InMemoryChunkPublisher out = new InMemoryChunkPublisher();
    String origin = "s3://example-trail-bucket/" + KEY;
    new FileCollector().runObject(FileCollector.RemoteObject.of(spool, origin, "s3://example-trail-bucket",
        Instant.parse("2026-11-20T11:05:00Z"), "s3_puller").withMetadata(Map.of("signature", SIG)),
        CollectorOptions.defaults(), out, null, null);
    assertThat(out.chunksOfOrigin(origin)).singleElement()
        .satisfies(c -> assertThat(c.getFormatHeader()).isEqualTo("x-amz-meta-signature: " + SIG));
    InMemoryChunkPublisher none = new InMemoryChunkPublisher();
    new FileCollector().runObject(
        FileCollector.RemoteObject.of(spool, origin, "s3://example-trail-bucket", Instant.EPOCH, "s3_puller"),
        CollectorOptions.defaults(), none, null, null);
    assertThat(none.chunksOfOrigin(origin).get(0).getFormatHeader()).isNull();
  }
}
