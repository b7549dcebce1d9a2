package dev.strata.ingest.cloudtrail;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** What {@link TrailValidator} found: one result per log file and per digest file. */
public record TrailValidation(String source, List<LogFile> logFiles, List<Digest> digests) {

  /** A log file's state. */
  public enum LogStatus {
    /** Its uncompressed SHA-256 equals the hash listed by a digest whose signature verified. */
    VALID,
    /** Its uncompressed SHA-256 differs from the listed hash (or it is not readable gzip). */
    ALTERED,
    /** Listed by a digest, not present. */
    MISSING,
    /** No digest lists it, or the digest that lists it could not be verified (no key, no signature, invalid). */
    UNVERIFIABLE
  }

  /** A digest signature's state. */
  public enum SignatureStatus {
    VALID,
    /** The signature does not verify with the key that has the digest's fingerprint, or the digest is unreadable. */
    INVALID,
    /** No signature (S3 metadata / sidecar), or no supplied key can verify it. */
    UNVERIFIABLE
  }

  /** A digest's link to its predecessor. */
  public enum ChainStatus {
    /** The previous digest is present, its hash and signature are the ones this digest records. */
    LINKED,
    /** {@code previousDigestSignature} is null: the first digest of the trail. */
    START,
    /**
     * {@code previousDigestSignature} is null although earlier digests of this trail are present: logging or log
     * file validation was off for a while (no digests for that time).
     */
    GAP,
    /** The previous digest is missing although earlier digests of this trail are present, or it was altered. */
    BROKEN,
    /** The previous digest lies before the collected window (earliest digest of its trail here). */
    UNVERIFIABLE
  }

  public record LogFile(String s3Object, String location, LogStatus status, String expectedSha256,
      String actualSha256, String digest, String detail) {}

  public record Digest(String s3Object, String location, String account, String region, String digestEndTime,
      SignatureStatus signature, String signatureDetail, ChainStatus chain, String chainDetail, int logFileCount) {}

  public Map<LogStatus, Integer> logCounts() {
    Map<LogStatus, Integer> m = new EnumMap<>(LogStatus.class);
    for (LogStatus s : LogStatus.values()) {
      m.put(s, 0);
    }
    logFiles.forEach(l -> m.merge(l.status(), 1, Integer::sum));
    return m;
  }

  public Map<SignatureStatus, Integer> signatureCounts() {
    Map<SignatureStatus, Integer> m = new EnumMap<>(SignatureStatus.class);
    for (SignatureStatus s : SignatureStatus.values()) {
      m.put(s, 0);
    }
    digests.forEach(d -> m.merge(d.signature(), 1, Integer::sum));
    return m;
  }

  public long chainBreaks() {
    return digests.stream().filter(d -> d.chain() == ChainStatus.BROKEN).count();
  }

  /** True when evidence of tampering or deletion was found (altered/missing logs, invalid digests, broken chain). */
  public boolean tampered() {
    return logFiles.stream().anyMatch(l -> l.status() == LogStatus.ALTERED || l.status() == LogStatus.MISSING)
        || digests.stream().anyMatch(d -> d.signature() == SignatureStatus.INVALID)
        || chainBreaks() > 0;
  }

  /** True when every log file and digest verified. */
  public boolean allValid() {
    return !tampered()
        && logFiles.stream().allMatch(l -> l.status() == LogStatus.VALID)
        && digests.stream().allMatch(d -> d.signature() == SignatureStatus.VALID);
  }

  /** One line, e.g. for the demo summary. */
  public String summary() {
    Map<LogStatus, Integer> l = logCounts();
    Map<SignatureStatus, Integer> s = signatureCounts();
    return String.format(
        "CloudTrail integrity: %d log files (%d valid, %d altered, %d missing, %d unverifiable); "
            + "%d digests (%d valid, %d invalid, %d unverifiable signatures; %d chain breaks)",
        logFiles.size(), l.get(LogStatus.VALID), l.get(LogStatus.ALTERED), l.get(LogStatus.MISSING),
        l.get(LogStatus.UNVERIFIABLE), digests.size(), s.get(SignatureStatus.VALID), s.get(SignatureStatus.INVALID),
        s.get(SignatureStatus.UNVERIFIABLE), chainBreaks());
  }

  /** A readable report: digests, then log files, then the summary line. */
  public String table() {
    StringBuilder b = new StringBuilder();
    b.append("Digest files (").append(source).append(")\n");
    b.append(String.format("  %-12s %-12s %-20s %s%n", "SIGNATURE", "CHAIN", "END", "DIGEST"));
    for (Digest d : digests) {
      b.append(String.format("  %-12s %-12s %-20s %s%n", d.signature(), d.chain(),
          d.digestEndTime() == null ? "-" : d.digestEndTime(), d.location()));
      if (d.signature() != SignatureStatus.VALID && d.signatureDetail() != null) {
        b.append("      signature: ").append(d.signatureDetail()).append('\n');
      }
      if (d.chain() != ChainStatus.LINKED && d.chain() != ChainStatus.START && d.chainDetail() != null) {
        b.append("      chain: ").append(d.chainDetail()).append('\n');
      }
    }
    b.append("Log files\n");
    b.append(String.format("  %-12s %s%n", "STATUS", "LOG FILE"));
    for (LogFile l : logFiles) {
      b.append(String.format("  %-12s %s%n", l.status(), l.location() != null ? l.location() : l.s3Object()));
      if (l.status() != LogStatus.VALID && l.detail() != null) {
        b.append("      ").append(l.detail()).append('\n');
      }
    }
    b.append(summary()).append('\n');
    return b.toString();
  }

  public String toJson() {
    ObjectMapper m = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode root = m.createObjectNode();
    root.put("source", source);
    root.put("tampered", tampered());
    root.put("all_valid", allValid());
    ObjectNode counts = root.putObject("log_files_by_status");
    logCounts().forEach((k, v) -> counts.put(k.name(), v));
    ObjectNode sig = root.putObject("digest_signatures_by_status");
    signatureCounts().forEach((k, v) -> sig.put(k.name(), v));
    root.put("chain_breaks", chainBreaks());
    ArrayNode ds = root.putArray("digests");
    for (Digest d : digests) {
      ObjectNode o = ds.addObject();
      o.put("s3_object", d.s3Object());
      o.put("location", d.location());
      o.put("account", d.account());
      o.put("region", d.region());
      o.put("digest_end_time", d.digestEndTime());
      o.put("signature", d.signature().name());
      o.put("signature_detail", d.signatureDetail());
      o.put("chain", d.chain().name());
      o.put("chain_detail", d.chainDetail());
      o.put("log_files", d.logFileCount());
    }
    ArrayNode ls = root.putArray("log_files");
    for (LogFile l : logFiles) {
      ObjectNode o = ls.addObject();
      o.put("s3_object", l.s3Object());
      o.put("location", l.location());
      o.put("status", l.status().name());
      o.put("expected_sha256", l.expectedSha256());
      o.put("actual_sha256", l.actualSha256());
      o.put("digest", l.digest());
      o.put("detail", l.detail());
    }
    try {
      return m.writeValueAsString(root);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
