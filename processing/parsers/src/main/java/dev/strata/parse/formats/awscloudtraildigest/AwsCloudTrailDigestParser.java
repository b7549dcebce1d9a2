package dev.strata.parse.formats.awscloudtraildigest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.parse.ChunkContext;
import dev.strata.parse.Events;
import dev.strata.parse.Json;
import dev.strata.parse.JsonFormatParser;
import dev.strata.parse.OcsfClass;
import dev.strata.parse.ParseException;
import dev.strata.parse.ParseOutput;
import dev.strata.parse.RejectReason;
import dev.strata.parse.Timestamps;
import dev.strata.parse.WholeJsonDocument;
import dev.strata.schema.event.Cloud;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.event.File;
import dev.strata.schema.raw.RawArtifactChunk;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * AWS CloudTrail digest files (log file integrity validation) to OCSF 0 Base Event: what CloudTrail attested for one
 * hour of a trail. Fields as AWS documents them ("CloudTrail digest file structure"): {@code awsAccountId},
 * {@code digestStartTime}/{@code digestEndTime}, {@code digestS3Bucket}/{@code digestS3Object},
 * {@code digestPublicKeyFingerprint}, {@code digestSignatureAlgorithm}, {@code newestEventTime}/{@code
 * oldestEventTime}, {@code previousDigest{S3Bucket,S3Object,HashValue,HashAlgorithm,Signature}} and {@code logFiles[]}
 * ({@code s3Bucket}, {@code s3Object}, {@code hashValue}, {@code hashAlgorithm}, {@code newestEventTime}, {@code
 * oldestEventTime}).
 *
 * <p>Events (99 Other, severity 1): one {@code digest} event (sub-index 0) for the digest itself, then one {@code
 * log_file_digested} event per listed log file (sub-index 1..n). Both have time = {@code digestEndTime} (when
 * CloudTrail signed the statement; time_original as written), cloud.account_uid = {@code awsAccountId}, and the
 * digest's facts in unmapped {@code digest.*}: {@code s3_bucket}, {@code s3_object}, {@code start_time}, {@code
 * end_time}, {@code public_key_fingerprint}, {@code signature_algorithm}, {@code previous_s3_bucket}, {@code
 * previous_s3_object}, {@code previous_hash_value}, {@code previous_hash_algorithm}, {@code previous_signature}, and
 * {@code signature}: the digest's own signature, which is not in its bytes but in the S3 object metadata
 * {@code x-amz-meta-signature}; the collector carries it in the chunk's format_header when it had it (S3 puller,
 * sidecar of an offline copy). The digest event: start_time/end_time = the digest window, file = the digest object
 * ({@code s3://bucket/key}, sha256 = the SHA-256 of its uncompressed content, the value CloudTrail signs),
 * unmapped {@code digest.log_file_count}, {@code digest.newest_event_time}, {@code digest.oldest_event_time}. A log
 * file event: file.path = {@code s3://<s3Bucket>/<s3Object>}, file.name, file.sha256 = {@code hashValue} (SHA-256 of the
 * log file's uncompressed content), start_time/end_time = the log's oldest/newest event time, unmapped
 * {@code file.hash_algorithm}.
 *
 * <p>Rejections: not JSON, or several documents: malformed_json; an object without {@code digestEndTime} nor {@code
 * logFiles}: missing_field; a digest larger than one chunk: record_too_large. A {@code logFiles} entry without
 * {@code s3Object} is skipped with a warning on the digest event.
 */
public final class AwsCloudTrailDigestParser extends JsonFormatParser {

  public static final String FORMAT = "aws_cloudtrail_digest";

  static final int ACTIVITY_OTHER = 99;

  /** The format_header line prefix of the digest's own signature (S3 metadata). */
  static final String SIGNATURE_HEADER = "x-amz-meta-signature";

  static final String SIGNATURE_ALGORITHM_HEADER = "x-amz-meta-signature-algorithm";

  public AwsCloudTrailDigestParser() {
    super(FORMAT);
  }

  @Override
  public void parse(RawArtifactChunk chunk, ParseOutput out) throws ParseException {
    ChunkContext ctx = ChunkContext.of(chunk);
    WholeJsonDocument doc = WholeJsonDocument.read(ctx, out, "CloudTrail digest");
    if (doc.root == null) return;
    JsonNode d = doc.root;
    if (!d.isObject() || (!d.has("digestEndTime") && !d.has("logFiles"))) {
      out.reject(ctx.rejection(RejectReason.MISSING_FIELD,
          "not a CloudTrail digest: no digestEndTime nor logFiles", doc.start, doc.end, 0));
      return;
    }
    Map<String, String> meta = metadata(chunk.getFormatHeader());
    Map<String, String> common = common(d, meta);
    String account = Json.text(d, "awsAccountId");
    String endText = Json.text(d, "digestEndTime");
    JsonNode logs = d.path("logFiles");

    EvidenceEvent digest = event(ctx, doc, "digest", 0, common, account, endText);
    String bucket = Json.text(d, "digestS3Bucket");
    String key = Json.text(d, "digestS3Object");
    digest.setStartTime(instant(Json.text(d, "digestStartTime")));
    digest.setEndTime(instant(endText));
    File df = file(bucket, key);
    if (ctx.chunkCount() == 1 && chunk.getContentSha256() != null) {
      if (df == null) df = new File();
      df.setSha256(chunk.getContentSha256());
    }
    digest.setFile(df);
    Map<String, String> u = digest.getUnmapped();
    u.put("digest.log_file_count", Integer.toString(logs.size()));
    put(u, "digest.newest_event_time", Json.text(d, "newestEventTime"));
    put(u, "digest.oldest_event_time", Json.text(d, "oldestEventTime"));
    digest.setMessage("CloudTrail digest of " + logs.size() + " log file" + (logs.size() == 1 ? "" : "s")
        + " delivered from " + Json.text(d, "digestStartTime") + " to " + endText);
    digest.setRawData(ctx.rawText(doc.start, doc.end));
    String signedWith = Json.text(d, "digestSignatureAlgorithm");
    String deliveredWith = meta.get(SIGNATURE_ALGORITHM_HEADER);
    if (signedWith != null && deliveredWith != null && !signedWith.equalsIgnoreCase(deliveredWith)) {
      u.put("digest.metadata_signature_algorithm", deliveredWith);
      Events.warn(digest, "signature algorithm mismatch: digestSignatureAlgorithm " + signedWith
          + ", S3 metadata x-amz-meta-signature-algorithm " + deliveredWith + " (the digest or its metadata was changed)");
    }

    java.util.List<EvidenceEvent> listed = new java.util.ArrayList<>(logs.size());
    int sub = 1;
    for (int i = 0; i < logs.size(); i++) {
      JsonNode lf = logs.get(i);
      String logKey = Json.text(lf, "s3Object");
      if (!lf.isObject() || logKey == null) {
        Events.warn(digest, "logFiles[" + i + "] has no s3Object; skipped");
        continue;
      }
      EvidenceEvent ev = event(ctx, doc, "log_file_digested", sub++, common, account, endText);
      File f = file(Json.text(lf, "s3Bucket"), logKey);
      String hash = Json.text(lf, "hashValue");
      if (hash != null) f.setSha256(hash.toLowerCase(Locale.ROOT));
      ev.setFile(f);
      put(ev.getUnmapped(), "file.hash_algorithm", Json.text(lf, "hashAlgorithm"));
      ev.setStartTime(instant(Json.text(lf, "oldestEventTime")));
      ev.setEndTime(instant(Json.text(lf, "newestEventTime")));
      ev.setMessage("log file " + logKey + " digested with SHA-256 " + hash);
      listed.add(ev);
    }
    out.emit(digest);
    listed.forEach(out::emit);
  }

  private static EvidenceEvent event(ChunkContext ctx, WholeJsonDocument doc, String activity, int sub,
      Map<String, String> common, String account, String endText) {
    EvidenceEvent e = ctx.newEvent(OcsfClass.BASE_EVENT, ACTIVITY_OTHER, activity, doc.start, doc.end, 1, 0, sub,
        new LinkedHashMap<>(common));
    e.setSeverityId(1);
    e.setSeverity("Informational");
    ctx.applyTime(e, endText, "digestEndTime");
    Cloud c = e.getCloud();
    if (c == null) {
      c = new Cloud();
      e.setCloud(c);
    }
    c.setProvider("aws");
    if (account != null) c.setAccountUid(account);
    return e;
  }

  /** The digest's facts every event of it carries. */
  private static Map<String, String> common(JsonNode d, Map<String, String> meta) {
    Map<String, String> u = new LinkedHashMap<>();
    put(u, "digest.s3_bucket", Json.text(d, "digestS3Bucket"));
    put(u, "digest.s3_object", Json.text(d, "digestS3Object"));
    put(u, "digest.start_time", Json.text(d, "digestStartTime"));
    put(u, "digest.end_time", Json.text(d, "digestEndTime"));
    put(u, "digest.public_key_fingerprint", Json.text(d, "digestPublicKeyFingerprint"));
    String algorithm = Json.text(d, "digestSignatureAlgorithm");
    put(u, "digest.signature_algorithm", algorithm != null ? algorithm : meta.get(SIGNATURE_ALGORITHM_HEADER));
    put(u, "digest.signature", lower(meta.get(SIGNATURE_HEADER)));
    put(u, "digest.previous_s3_bucket", Json.text(d, "previousDigestS3Bucket"));
    put(u, "digest.previous_s3_object", Json.text(d, "previousDigestS3Object"));
    put(u, "digest.previous_hash_value", lower(Json.text(d, "previousDigestHashValue")));
    put(u, "digest.previous_hash_algorithm", Json.text(d, "previousDigestHashAlgorithm"));
    put(u, "digest.previous_signature", lower(Json.text(d, "previousDigestSignature")));
    return u;
  }

  /** {@code name: value} lines of the chunk's format_header (the S3 metadata the collector carried), lower-case names. */
  static Map<String, String> metadata(String header) {
    Map<String, String> m = new LinkedHashMap<>();
    if (header == null) return m;
    for (String line : header.split("\n")) {
      int colon = line.indexOf(':');
      if (colon <= 0) continue;
      String v = line.substring(colon + 1).strip();
      if (!v.isEmpty()) m.putIfAbsent(line.substring(0, colon).strip().toLowerCase(Locale.ROOT), v);
    }
    return m;
  }

  private static File file(String bucket, String key) {
    if (key == null) return null;
    File f = new File();
    f.setPath(bucket == null ? key : "s3://" + bucket + "/" + key);
    int slash = key.lastIndexOf('/');
    f.setName(slash < 0 ? key : key.substring(slash + 1));
    return f;
  }

  private static java.time.Instant instant(String text) {
    if (text == null) return null;
    long micros = Timestamps.toMicros(text);
    return micros == Timestamps.INVALID ? null : Timestamps.toInstant(micros);
  }

  private static String lower(String s) {
    return s == null ? null : s.toLowerCase(Locale.ROOT);
  }

  private static void put(Map<String, String> u, String key, String value) {
    if (value != null) u.put(key, value);
  }
}
