package dev.strata.ingest.s3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.infra.StackEndpoints;
import dev.strata.infra.testing.SharedStack;
import dev.strata.ingest.cloudtrail.SignedTrailAccess;
import dev.strata.ingest.cloudtrail.TrailValidation;
import dev.strata.ingest.cloudtrail.TrailValidation.LogStatus;
import dev.strata.ingest.cloudtrail.TrailValidation.SignatureStatus;
import dev.strata.ingest.cloudtrail.TrailValidator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * CloudTrail validation in place in S3 (signature from the object metadata {@code x-amz-meta-signature}, as CloudTrail
 * delivers it), against the embedded S3 server.
 */
@ExtendWith(SharedStack.class)
class S3TrailObjectsIT {
  @TempDir Path dir;

  @Test
  void validatesATrailInItsBucketWithTheMetadataSignature(StackEndpoints e) throws Exception {
    SignedTrailAccess trail = SignedTrailAccess.write(dir, 3, 2);
    String bucket = "trail-" + UUID.randomUUID().toString().substring(0, 8);
    S3Source source = new S3Source(bucket, List.of(SignedTrailAccess.ACCOUNT), null, null, null, e.s3Region(), null,
        null, e.s3Endpoint(), e.s3AccessKey(), new S3Source.Secret(e.s3SecretKey()));
    try (S3Client s3 = S3Clients.create(source); Stream<Path> files = Files.walk(dir)) {
      s3.createBucket(b -> b.bucket(bucket));
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        String key = dir.relativize(f).toString();
        if (key.endsWith(".sig")) {
          continue;
        }
        Path sig = f.resolveSibling(f.getFileName() + ".sig");
        Map<String, String> meta = Files.exists(sig)
            ? Map.of("signature", Files.readString(sig).strip(), "signature-algorithm", "SHA256withRSA") : Map.of();
        s3.putObject(b -> b.bucket(bucket).key(key).metadata(meta), RequestBody.fromFile(f));
      }
      TrailValidation ok = new TrailValidator(S3TrailObjects.of(s3, source), trail.publicKeys()).run("s3://" + bucket);
      assertThat(ok.allValid()).as(ok.table()).isTrue();
      assertThat(ok.logFiles()).hasSize(6);
      assertThat(ok.digests()).hasSize(3);
      assertThat(ok.logFiles().get(0).location()).startsWith("s3://" + bucket + "/AWSLogs/");

      // an object replaced in the bucket (same key, other content) is ALTERED; a deleted one MISSING
      String altered = trail.logKey(1, 0);
      s3.putObject(b -> b.bucket(bucket).key(altered), RequestBody.fromBytes(SignedTrailAccess.gzip("{\"Records\":[]}")));
      String deleted = trail.logKey(2, 1);
      s3.deleteObject(b -> b.bucket(bucket).key(deleted));
      TrailValidation bad = new TrailValidator(S3TrailObjects.of(s3, source), trail.publicKeys()).run("s3://" + bucket);
      assertThat(bad.logFiles()).filteredOn(l -> l.s3Object().equals(altered)).extracting(TrailValidation.LogFile::status)
          .containsExactly(LogStatus.ALTERED);
      assertThat(bad.logFiles()).filteredOn(l -> l.s3Object().equals(deleted)).extracting(TrailValidation.LogFile::status)
          .containsExactly(LogStatus.MISSING);
      assertThat(bad.logCounts().get(LogStatus.VALID)).isEqualTo(4);
      assertThat(bad.digests()).allMatch(d -> d.signature() == SignatureStatus.VALID);
    }
  }
}
