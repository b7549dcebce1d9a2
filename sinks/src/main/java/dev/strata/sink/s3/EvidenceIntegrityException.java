package dev.strata.sink.s3;

import java.io.IOException;

/**
 * The bytes do not match their recorded SHA-256 (or size): the evidence was altered, truncated, or the local file
 * changed while it was being preserved. Permanent: a retry cannot fix it.
 */
public class EvidenceIntegrityException extends IOException {
  private static final long serialVersionUID = 1L;
  private final String expectedSha256;
  private final String actualSha256;

  public EvidenceIntegrityException(String message, String expectedSha256, String actualSha256) {
    super(message);
    this.expectedSha256 = expectedSha256;
    this.actualSha256 = actualSha256;
  }

  public String expectedSha256() {
    return expectedSha256;
  }

  /** May be null when only the size was checked. */
  public String actualSha256() {
    return actualSha256;
  }
}
