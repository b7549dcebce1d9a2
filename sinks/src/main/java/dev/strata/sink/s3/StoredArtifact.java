package dev.strata.sink.s3;

/**
 * Result of {@link S3EvidenceStore#store}.
 *
 * @param sha256 the artifact's SHA-256 (lowercase hex)
 * @param storageUri {@code s3://<bucket>/<prefix>artifacts/sha256/<hex>}
 * @param size bytes
 * @param newlyStored true if this call uploaded the bytes, false if they were already in the store
 * @param manifestKey key of the manifest (sighting) record written by this call
 */
public record StoredArtifact(String sha256, String storageUri, long size, boolean newlyStored, String manifestKey) {}
