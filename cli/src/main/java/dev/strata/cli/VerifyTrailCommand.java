package dev.strata.cli;

import dev.strata.ingest.cloudtrail.DigestPublicKeys;
import dev.strata.ingest.cloudtrail.TrailValidation;
import dev.strata.ingest.cloudtrail.TrailValidator;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import dev.strata.ingest.s3.S3Clients;
import dev.strata.ingest.s3.S3Source;
import dev.strata.ingest.s3.S3TrailObjects;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import software.amazon.awssdk.services.s3.S3Client;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code strata verify-trail DIR --public-key KEY}: CloudTrail log file integrity validation on a copied trail. */
@Command(
    name = "verify-trail",
    mixinStandardHelpOptions = true,
    description = {
      "Validate CloudTrail log file integrity (digest files) in an evidence directory, as AWS documents it:",
      "each digest's SHA256withRSA signature (hex: S3 metadata x-amz-meta-signature with --bucket; in a directory",
      "<digest>.json.gz.sig or <digest>.json.gz.metadata.json = the output of 'aws s3api head-object', as",
      "'pull-s3 --mirror' writes it), each listed log file's SHA-256 of its uncompressed content, and the",
      "chain of digests. Log files: VALID, ALTERED, MISSING, UNVERIFIABLE; digests: signature VALID, INVALID,",
      "UNVERIFIABLE and chain LINKED, START, GAP, BROKEN, UNVERIFIABLE.",
      "Exit code 0 when everything is valid, 1 when tampering or deletion was found, 3 when nothing was tampered",
      "but something could not be verified."
    })
final class VerifyTrailCommand implements Callable<Integer> {
  @Parameters(index = "0", arity = "0..1", paramLabel = "DIR",
      description = "Directory holding the trail (AWSLogs/... at any depth); or validate in S3 with --bucket.")
  Path dir;

  @Mixin S3SourceOptions source;

  @Option(names = "--public-key", paramLabel = "FILE", description = {
      "CloudTrail public key(s): PEM (BEGIN PUBLIC KEY / BEGIN RSA PUBLIC KEY), base64 DER, or the JSON of",
      "'aws cloudtrail list-public-keys'. Repeatable; a digest is checked with the key of its fingerprint."})
  List<Path> publicKeys = new ArrayList<>();

  @Option(names = "--json", description = "Print the result as JSON on stdout instead of the table.")
  boolean json;

  @Option(names = "--evidence-store", description = {
      "Validate the CloudTrail log and digest files collected into the S3 evidence store (STRATA_S3_* / s3.*),",
      "read back verified by SHA-256. Each digest is verified with the signature it was collected with (S3",
      "metadata, kept by the store next to its bytes); one collected without it, with the signature its",
      "successor records."})
  boolean evidenceStore;

  @Override
  public Integer call() throws Exception {
    if ((dir != null ? 1 : 0) + (source.given() ? 1 : 0) + (evidenceStore ? 1 : 0) != 1) {
      throw new IllegalArgumentException("give a DIR, --bucket/--sources or --evidence-store (one of them)");
    }
    TrailValidation v;
    try {
      DigestPublicKeys keys = DigestPublicKeys.read(publicKeys);
      if (evidenceStore) {
        StrataSettings settings = StrataSettings.fromEnvironment(null, Map.of());
        if (settings.s3Endpoint() == null && settings.s3AccessKey() == null) {
          throw new IllegalArgumentException("--evidence-store: no S3 evidence store configured (STRATA_S3_ENDPOINT)");
        }
        v = validate(EvidencePipeline.Services.s3Config(settings), keys);
      } else if (dir != null) {
        v = TrailValidator.validate(dir, keys);
      } else {
        List<S3Source> sources = source.sources(StrataSettings.fromEnvironment(null, Map.of()));
        if (sources.size() != 1) throw new IllegalArgumentException("verify-trail validates one source at a time");
        S3Source s = sources.get(0);
        try (S3Client s3 = S3Clients.create(s)) {
          v = new TrailValidator(S3TrailObjects.of(s3, s), keys).run("s3://" + s.bucket());
        }
      }
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    return report(v);
  }

  /** Validates the trail files collected into the evidence store of {@code config}. */
  static TrailValidation validate(dev.strata.sink.s3.S3EvidenceStoreConfig config, DigestPublicKeys keys)
      throws java.io.IOException {
    try (dev.strata.sink.s3.S3EvidenceStore store = dev.strata.sink.s3.S3EvidenceStore.create(config)) {
      return new TrailValidator(new EvidenceStoreTrailObjects(store), keys)
          .run("s3://" + config.bucket() + "/" + store.artifactsPrefix() + " (evidence store)");
    }
  }

  private int report(TrailValidation v) {
    if (json) {
      System.out.println(v.toJson());
      System.err.println(v.summary());
    } else {
      System.out.print(v.table());
    }
    if (v.tampered()) return 1;
    return v.allValid() ? 0 : 3;
  }
}
