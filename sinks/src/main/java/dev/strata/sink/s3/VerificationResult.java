package dev.strata.sink.s3;

/**
 * Result of {@link S3EvidenceStore#verify}: the object was read in full and hashed.
 *
 * @param expectedSize the size recorded at upload (object metadata), or -1 if unknown
 * @param actualSize bytes read
 */
public record VerificationResult(
    String key, String expectedSha256, String actualSha256, long expectedSize, long actualSize) {

  /** True if the hash (and, when known, the size) of what was read matches. */
  public boolean ok() {
    return expectedSha256.equals(actualSha256) && (expectedSize < 0 || expectedSize == actualSize);
  }

  @Override
  public String toString() {
    return (ok() ? "OK " : "MISMATCH ") + key + " expected sha256=" + expectedSha256 + " size=" + expectedSize
        + ", actual sha256=" + actualSha256 + " size=" + actualSize;
  }
}
