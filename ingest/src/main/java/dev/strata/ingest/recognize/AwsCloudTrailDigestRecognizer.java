package dev.strata.ingest.recognize;

import dev.strata.ingest.context.ContextValues;
import dev.strata.schema.common.Framing;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code aws_cloudtrail_digest}: CloudTrail digest files (log file integrity validation), evidence in their own right:
 * which log files CloudTrail delivered in an hour, their SHA-256, and the signed chain of digests.
 *
 * <p>Path: {@code **}{@code /AWSLogs/[<o-id>/]<account>/CloudTrail-Digest/<region>/YYYY/MM/DD/<account>_CloudTrail-Digest_
 * <region>_<trail>_<home region>_<yyyyMMddTHHmmssZ>[_backfill].json[.gz]}; the layout gives cloud_provider=aws,
 * cloud_account and cloud_region. Content (STRONG, framing WHOLE: a digest is one small JSON object): an object with
 * {@code digestEndTime} and {@code digestS3Object} or {@code digestPublicKeyFingerprint}, or with {@code
 * digestStartTime} and {@code logFiles}.
 *
 * <p>The digest's own signature is not in its bytes: CloudTrail stores it in the S3 object metadata
 * {@code x-amz-meta-signature} (and {@code x-amz-meta-signature-algorithm}). When the collector knows the origin's
 * metadata (the S3 puller's GetObject response, or a {@code <file>.sig} / {@code <file>.metadata.json} sidecar next
 * to an offline copy), {@link #formatHeader(ContentSample, Map)} carries it on every chunk as
 * {@code format_header} lines {@code x-amz-meta-signature: <hex>}.
 */
public final class AwsCloudTrailDigestRecognizer implements ArtifactRecognizer {
  public static final String SOURCE_TYPE = "aws_cloudtrail_digest";
  /** The S3 metadata key (without {@code x-amz-meta-}) of the digest's hex signature. */
  public static final String SIGNATURE_KEY = "signature";
  public static final String SIGNATURE_ALGORITHM_KEY = "signature-algorithm";
  /** The prefix of S3 user metadata headers, as in the format header lines. */
  public static final String META_PREFIX = "x-amz-meta-";

  private static final Pattern PATH = Pattern.compile(
      "(?:^|.*/)AWSLogs/(?:o-[a-z0-9]{4,32}/)?(\\d{12})/CloudTrail-Digest/([a-z0-9-]+)/\\d{4}/\\d{2}/\\d{2}/"
          + "\\d{12}_CloudTrail-Digest_[^/]+_\\d{8}T\\d{6}Z(?:_backfill)?\\.json(?:\\.gz)?");

  @Override
  public String sourceType() {
    return SOURCE_TYPE;
  }

  @Override
  public Optional<ContextValues> matchPath(String relPath) {
    Matcher m = PATH.matcher(relPath);
    if (!m.matches()) {
      return Optional.empty();
    }
    return Optional.of(new ContextValues(null, null, "aws", m.group(1), m.group(2)));
  }

  @Override
  public ContentMatch probe(ContentSample sample) {
    JsonSniff.Leading lead = JsonSniff.leadingObject(sample);
    if (lead.none() != null) {
      return lead.none();
    }
    JsonSniff.Obj o = lead.obj();
    boolean end = o.has("digestEndTime");
    if ((end && (o.has("digestS3Object") || o.has("digestPublicKeyFingerprint")))
        || (o.has("digestStartTime") && o.has("logFiles"))) {
      return o.complete()
          ? ContentMatch.strong(Framing.WHOLE, "CloudTrail digest file")
          : ContentMatch.weak(Framing.WHOLE, "CloudTrail digest file longer than the sample");
    }
    return ContentMatch.none("no digestEndTime/digestS3Object/logFiles");
  }

  @Override
  public boolean usesOriginMetadata() {
    return true;
  }

  /** The digest's signature from the origin's S3 metadata, as {@code x-amz-meta-<key>: <value>} lines. */
  @Override
  public Optional<String> formatHeader(ContentSample sample, Map<String, String> originMetadata) {
    String signature = originMetadata.get(SIGNATURE_KEY);
    if (signature == null || signature.isBlank()) {
      return Optional.empty();
    }
    StringBuilder b = new StringBuilder(META_PREFIX).append(SIGNATURE_KEY).append(": ").append(signature.strip());
    String algorithm = originMetadata.get(SIGNATURE_ALGORITHM_KEY);
    if (algorithm != null && !algorithm.isBlank()) {
      b.append('\n').append(META_PREFIX).append(SIGNATURE_ALGORITHM_KEY).append(": ").append(algorithm.strip());
    }
    return Optional.of(b.toString());
  }
}
