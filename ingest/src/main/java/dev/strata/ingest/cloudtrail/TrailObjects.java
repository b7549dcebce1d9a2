package dev.strata.ingest.cloudtrail;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;

/**
 * Where the trail's log and digest files are: a local copy ({@link DirectoryTrailObjects}) or an S3 bucket. Ids are
 * the relative paths (local) or keys (S3); a digest's {@code s3Object} is matched against them by suffix, so a copy
 * made below any directory (e.g. {@code <bucket>/<prefix>/AWSLogs/...}) still resolves.
 */
public interface TrailObjects {

  /** Every object id, in any order. */
  List<String> ids() throws IOException;

  /** The stored bytes of one object (compressed as stored). */
  InputStream open(String id) throws IOException;

  /**
   * The digest's hex signature (S3 metadata {@code x-amz-meta-signature}, or a sidecar next to an offline copy);
   * empty when none is available.
   */
  Optional<String> signature(String id) throws IOException;

  /** How to show an object to a person (path or s3:// URI). */
  String describe(String id);
}
