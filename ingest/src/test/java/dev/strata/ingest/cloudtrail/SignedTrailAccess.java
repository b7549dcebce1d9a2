package dev.strata.ingest.cloudtrail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** {@link SignedTrail} for tests in other packages. */
public final class SignedTrailAccess {
  public static final String ACCOUNT = SignedTrail.ACCOUNT;
  private final SignedTrail trail;

  private SignedTrailAccess(SignedTrail trail) {
    this.trail = trail;
  }

  /** A trail at {@code dir}/AWSLogs/..., signatures as .sig sidecars. */
  public static SignedTrailAccess write(Path dir, int digests, int logsPerDigest) throws Exception {
    return new SignedTrailAccess(new SignedTrail(dir, "", "AWSLogs/", SignedTrail.newKeyPair()).write(digests, logsPerDigest));
  }

  public DigestPublicKeys publicKeys() {
    return trail.publicKeys();
  }

  public String logKey(int digest, int log) {
    return trail.logKeys.get(digest).get(log);
  }

  public static byte[] gzip(String s) throws IOException {
    return SignedTrail.gzip(s.getBytes(StandardCharsets.UTF_8));
  }
}
