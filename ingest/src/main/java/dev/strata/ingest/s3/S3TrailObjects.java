package dev.strata.ingest.s3;

import dev.strata.ingest.cloudtrail.TrailObjects;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A trail in place in its S3 bucket: ids are the keys under the given prefixes, and a digest's signature and its algorithm
 * are its object metadata {@code x-amz-meta-signature} / {@code x-amz-meta-signature-algorithm} (HeadObject), as
 * CloudTrail delivers them.
 */
public final class S3TrailObjects implements TrailObjects {
  private final S3Client s3;
  private final String bucket;
  private final List<String> prefixes;

  public S3TrailObjects(S3Client s3, String bucket, List<String> prefixes) {
    this.s3 = s3;
    this.bucket = bucket;
    this.prefixes = List.copyOf(prefixes);
  }

  /** The CloudTrail and CloudTrail-Digest prefixes of a source (its VPC Flow Log and extra prefixes left out). */
  public static S3TrailObjects of(S3Client s3, S3Source source) {
    return new S3TrailObjects(s3, source.bucket(),
        source.prefixes().stream().filter(p -> p.endsWith("/CloudTrail/") || p.endsWith("/CloudTrail-Digest/")).toList());
  }

  @Override
  public List<String> ids() throws IOException {
    List<String> out = new ArrayList<>();
    try {
      for (String prefix : prefixes) {
        String token = null;
        do {
          ListObjectsV2Request.Builder rb = ListObjectsV2Request.builder().bucket(bucket).prefix(prefix);
          if (token != null) {
            rb.continuationToken(token);
          }
          ListObjectsV2Response r = s3.listObjectsV2(rb.build());
          for (S3Object o : r.contents()) {
            out.add(o.key());
          }
          token = Boolean.TRUE.equals(r.isTruncated()) ? r.nextContinuationToken() : null;
        } while (token != null);
      }
    } catch (S3Exception e) {
      throw new IOException("listing s3://" + bucket + "/" + prefixes + " failed: " + e.getMessage(), e);
    }
    return out;
  }

  @Override
  public InputStream open(String id) throws IOException {
    try {
      return s3.getObject(b -> b.bucket(bucket).key(id));
    } catch (S3Exception e) {
      throw new IOException("s3://" + bucket + "/" + id + ": " + e.getMessage(), e);
    }
  }

  @Override
  public Map<String, String> originMetadata(String id) throws IOException {
    try {
      Map<String, String> out = new TreeMap<>();
      s3.headObject(b -> b.bucket(bucket).key(id)).metadata()
          .forEach((k, v) -> out.put(k.toLowerCase(Locale.ROOT), v.strip()));
      return out;
    } catch (NoSuchKeyException e) {
      return Map.of();
    } catch (S3Exception e) {
      throw new IOException("s3://" + bucket + "/" + id + ": " + e.getMessage(), e);
    }
  }

  @Override
  public String describe(String id) {
    return "s3://" + bucket + "/" + id;
  }
}
