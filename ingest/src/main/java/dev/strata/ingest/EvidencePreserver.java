package dev.strata.ingest;

import dev.strata.schema.raw.ArtifactManifest;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Preserves the original bytes of an artifact (compressed or not) before any chunk of it is published. Implemented
 * outside ingest (the S3 evidence store in sinks/s3) and wired by the CLI.
 *
 * <p>Called once per artifact, after pass 1 (hashes and chunk count are known; {@code storage_uri} is still null) and
 * before pass 2 publishes chunks. {@code file} is the real file inside the evidence root (never a symlink); the
 * implementation must open it read-only and should verify {@code manifest.getArtifactSha256()} over what it stored.
 * An exception fails the collection: nothing is published for an artifact that was not preserved.
 */
@FunctionalInterface
public interface EvidencePreserver {

  /** Preserves nothing; {@code storage_uri} stays null (used by {@code strata parse} and tests). */
  EvidencePreserver NONE = (manifest, file) -> null;

  /**
   * @return the storage URI of the preserved bytes (e.g. {@code s3://bucket/artifacts/sha256/<hex>}), or null when
   *     nothing was stored
   */
  String preserve(ArtifactManifest manifest, Path file) throws IOException;

  /**
   * As above, with the origin's metadata that does not travel in the artifact's bytes and that its format needs
   * (S3 user metadata keys without {@code x-amz-meta-}, e.g. a CloudTrail digest's {@code signature} and {@code
   * signature-algorithm}; empty for most formats). An implementation that preserves evidence should keep it with the
   * sighting, next to the bytes (which stay byte-identical): without it a digest's own signature is lost. The default
   * ignores it.
   */
  default String preserve(ArtifactManifest manifest, Path file, Map<String, String> originMetadata)
      throws IOException {
    return preserve(manifest, file);
  }
}
