package dev.strata.ingest.cloudtrail;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;

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
   * The object's S3 user metadata (keys without {@code x-amz-meta-}, lower case), from S3 itself or from what was
   * kept with a copy (sidecar, evidence store): for a digest {@code signature} (hex) and {@code signature-algorithm};
   * empty when none is available.
   */
  Map<String, String> originMetadata(String id) throws IOException;

  /** How to show an object to a person (path or s3:// URI). */
  String describe(String id);
}
