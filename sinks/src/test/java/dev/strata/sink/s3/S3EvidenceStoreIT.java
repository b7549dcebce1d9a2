package dev.strata.sink.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.infra.StackEndpoints;
import dev.strata.infra.testing.SharedStack;
import dev.strata.schema.raw.ArtifactManifest;
import dev.strata.sink.FailureClass;
import dev.strata.sink.SinkException;
import dev.strata.sink.testing.SampleEvents;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

/** Against the shared stack's S3 (S3Proxy when embedded). Each test uses its own key prefix. */
@ExtendWith(SharedStack.class)
class S3EvidenceStoreIT {
  @TempDir Path dir;
  private S3EvidenceStore store;
  private S3EvidenceStoreConfig config;

  @BeforeEach
  void open(StackEndpoints stack) {
    config = S3EvidenceStoreConfig.builder()
        .endpoint(stack.s3Endpoint())
        .region(stack.s3Region())
        .bucket(stack.evidenceBucket())
        .credentials(stack.s3AccessKey(), stack.s3SecretKey())
        .pathStyle(true)
        .keyPrefix("it-" + UUID.randomUUID())
        .build();
    store = S3EvidenceStore.create(config);
    store.ensureBucket();
  }

  @AfterEach
  void close() {
    store.close();
  }

  private Path file(String name, byte[] content) throws Exception {
    Path p = dir.resolve(name);
    Files.write(p, content);
    return p;
  }

  @Test
  void storesOnceAndRecordsEverySighting() throws Exception {
    byte[] content = "{\"log\":\"hello\\n\",\"stream\":\"stdout\"}\n".repeat(1000).getBytes(StandardCharsets.UTF_8);
    String sha = SampleEvents.sha256(content);
    Path a = file("a.log", content);
    Path b = file("b.log", content);

    StoredArtifact first = store.store(SampleEvents.manifest(sha, content.length, "node-1/a.log", "run-1"), a);
    assertThat(first.newlyStored()).isTrue();
    assertThat(first.storageUri()).isEqualTo("s3://" + config.bucket() + "/" + config.keyPrefix()
        + "artifacts/sha256/" + sha);
    HeadObjectResponse before = store.client().headObject(r -> r.bucket(config.bucket()).key(store.artifactKey(sha)));
    assertThat(before.metadata()).containsEntry("sha256", sha).containsEntry("size", "" + content.length)
        .containsEntry("source-type", "docker_json_log");

    // re-run of the same sighting: no upload, same manifest key
    StoredArtifact again = store.store(SampleEvents.manifest(sha, content.length, "node-1/a.log", "run-1"), a);
    assertThat(again.newlyStored()).isFalse();
    assertThat(again.manifestKey()).isEqualTo(first.manifestKey());
    // another origin with the same bytes: one object, a second manifest
    StoredArtifact other = store.store(SampleEvents.manifest(sha, content.length, "node-2/b.log", "run-1"), b);
    assertThat(other.newlyStored()).isFalse();
    assertThat(other.manifestKey()).isNotEqualTo(first.manifestKey());

    HeadObjectResponse after = store.client().headObject(r -> r.bucket(config.bucket()).key(store.artifactKey(sha)));
    assertThat(after.eTag()).isEqualTo(before.eTag());
    assertThat(after.lastModified()).isEqualTo(before.lastModified());
    var artifacts = store.client().listObjectsV2(r -> r.bucket(config.bucket()).prefix(config.keyPrefix()
        + "artifacts/")).contents();
    assertThat(artifacts).hasSize(1);

    List<ArtifactManifest> sightings = store.manifests(sha);
    assertThat(sightings).extracting(ArtifactManifest::getOrigin)
        .containsExactlyInAnyOrder("node-1/a.log", "node-2/b.log");
    assertThat(sightings).allSatisfy(m -> {
      assertThat(m.getStorageUri()).isEqualTo(first.storageUri());
      assertThat(m.getCollector().getRunId()).isEqualTo("run-1");
      assertThat(m.getSize()).isEqualTo(content.length);
    });
  }

  @Test
  void readBackIsVerified() throws Exception {
    byte[] content = new byte[300_000];
    new Random(1).nextBytes(content);
    String sha = SampleEvents.sha256(content);
    store.store(SampleEvents.manifest(sha, content.length, "img/layer.tar", "run-2"), file("layer.tar", content));
    try (InputStream in = store.openVerified(sha)) {
      assertThat(in.readAllBytes()).isEqualTo(content);
    }
    VerificationResult v = store.verify(sha);
    assertThat(v.ok()).as(v.toString()).isTrue();
    assertThat(v.actualSize()).isEqualTo(content.length);
    assertThat(store.exists(sha)).isTrue();
    assertThatThrownBy(() -> store.openVerified(SampleEvents.sha256("absent")))
        .isInstanceOf(NoSuchFileException.class);
  }

  @Test
  void tamperingIsDetected() throws Exception {
    byte[] content = "original evidence\n".repeat(500).getBytes(StandardCharsets.UTF_8);
    String sha = SampleEvents.sha256(content);
    store.store(SampleEvents.manifest(sha, content.length, "var/log/auth.log", "run-3"), file("auth.log", content));
    // overwrite behind the store's back with the raw SDK (same size, one byte changed; metadata dropped)
    byte[] tampered = content.clone();
    tampered[7] = 'X';
    store.client().putObject(r -> r.bucket(config.bucket()).key(store.artifactKey(sha)),
        RequestBody.fromBytes(tampered));

    try (InputStream in = store.openVerified(sha)) {
      assertThatThrownBy(in::readAllBytes).isInstanceOfSatisfying(EvidenceIntegrityException.class, e -> {
        assertThat(e.expectedSha256()).isEqualTo(sha);
        assertThat(e.actualSha256()).isEqualTo(SampleEvents.sha256(tampered));
      });
    }
    VerificationResult v = store.verify(sha);
    assertThat(v.ok()).isFalse();
    assertThat(v.actualSha256()).isEqualTo(SampleEvents.sha256(tampered));
    assertThat(v.expectedSize()).isEqualTo(content.length); // from the manifest: the object metadata is gone

    // truncation is detected by size too
    store.client().putObject(r -> r.bucket(config.bucket()).key(store.artifactKey(sha)),
        RequestBody.fromBytes(new byte[10]));
    assertThat(store.verify(sha).ok()).isFalse();
  }

  @Test
  void aFileThatDoesNotMatchItsManifestIsRefused() throws Exception {
    byte[] content = "real bytes".getBytes(StandardCharsets.UTF_8);
    String wrong = SampleEvents.sha256("other bytes");
    Path f = file("x.log", content);
    assertThatThrownBy(() -> store.store(SampleEvents.manifest(wrong, content.length, "x.log", "run-4"), f))
        .isInstanceOf(EvidenceIntegrityException.class);
    assertThat(store.exists(wrong)).isFalse();
    assertThatThrownBy(() -> store.store(SampleEvents.manifest(SampleEvents.sha256(content), 3, "x.log", "run-4"), f))
        .isInstanceOf(EvidenceIntegrityException.class).hasMessageContaining("size");
  }

  @Test
  void largeFilesGoUpInPartsAndVerify() throws Exception {
    S3EvidenceStoreConfig small = config.toBuilder()
        .multipartThresholdBytes(S3EvidenceStoreConfig.MIN_PART_SIZE)
        .partSizeBytes(S3EvidenceStoreConfig.MIN_PART_SIZE)
        .build();
    byte[] content = new byte[(int) (2.5 * S3EvidenceStoreConfig.MIN_PART_SIZE)];
    new Random(2).nextBytes(content);
    String sha = SampleEvents.sha256(content);
    Path f = file("big.bin", content);
    try (S3EvidenceStore s = S3EvidenceStore.create(small)) {
      StoredArtifact st = s.store(SampleEvents.manifest(sha, content.length, "big.bin", "run-5"), f);
      assertThat(st.newlyStored()).isTrue();
      assertThat(s.verify(sha).ok()).isTrue();
      try (InputStream in = s.openVerified(sha)) {
        assertThat(in.readAllBytes()).isEqualTo(content);
      }
      // a wrong manifest hash is caught while streaming the parts: nothing is left behind
      String wrong = SampleEvents.sha256("not it");
      assertThatThrownBy(() -> s.store(SampleEvents.manifest(wrong, content.length, "big.bin", "run-5"), f))
          .isInstanceOf(EvidenceIntegrityException.class);
      assertThat(s.exists(wrong)).isFalse();
    }
  }

  @Test
  void objectLockNeedsRealS3(StackEndpoints stack) throws Exception {
    // S3Proxy answers 501 to Object Lock: with object_lock_days set the store fails fast instead of storing
    // evidence without the retention it was asked for. (With MinIO/real S3 the same call sets the retention.)
    S3EvidenceStoreConfig locked = config.toBuilder().objectLockDays(1).build();
    byte[] content = "locked".getBytes(StandardCharsets.UTF_8);
    String sha = SampleEvents.sha256(content);
    Path f = file("locked.log", content);
    try (S3EvidenceStore s = S3EvidenceStore.create(locked)) {
      try {
        s.store(SampleEvents.manifest(sha, content.length, "locked.log", "run-6"), f);
        var retention = s.client().getObjectRetention(r -> r.bucket(locked.bucket()).key(s.artifactKey(sha)));
        assertThat(retention.retention().retainUntilDate()).isNotNull();
        System.out.println("object lock: retention set until " + retention.retention().retainUntilDate());
      } catch (SinkException e) {
        System.out.println("object lock: refused as expected without real S3: " + e.getMessage());
        assertThat(e.failureClass()).as(e.getMessage()).isEqualTo(FailureClass.FATAL);
      }
    }
  }
}
