package dev.strata.sink.s3;

import java.time.Instant;
import java.util.Map;

/**
 * The metadata of an artifact's origin that does not travel in its bytes, as the evidence store keeps it for one
 * sighting (object {@code <prefix>origin-metadata/sha256/<artifact hex>/<sha256(origin NUL run_id)>.json}, named like
 * the sighting's manifest): S3 user metadata keys without {@code x-amz-meta-}, e.g. a CloudTrail digest's {@code
 * signature} and {@code signature-algorithm}. The artifact's bytes stay byte-identical; this record points to them by
 * their SHA-256.
 *
 * @param artifactSha256 the artifact the metadata belongs to (lowercase hex)
 * @param origin where it was seen (bundle path or {@code s3://bucket/key}), as in the manifest
 * @param runId the collector run of the sighting
 * @param collectedAt when the sighting was collected
 * @param metadata the origin's metadata, keys lower case
 */
public record OriginMetadataRecord(
    String artifactSha256, String origin, String runId, Instant collectedAt, Map<String, String> metadata) {
  public OriginMetadataRecord {
    metadata = Map.copyOf(metadata);
  }
}
