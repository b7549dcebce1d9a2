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

  @Override
  public Integer call() throws Exception {
    if ((dir == null) == !source.given()) throw new IllegalArgumentException("give a DIR or --bucket/--sources (one of them)");
    TrailValidation v;
    try {
      DigestPublicKeys keys = DigestPublicKeys.read(publicKeys);
      if (dir != null) {
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
