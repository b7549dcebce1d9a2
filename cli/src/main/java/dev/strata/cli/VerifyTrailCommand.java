package dev.strata.cli;

import dev.strata.ingest.cloudtrail.DigestPublicKeys;
import dev.strata.ingest.cloudtrail.TrailValidation;
import dev.strata.ingest.cloudtrail.TrailValidator;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code strata verify-trail DIR --public-key KEY}: CloudTrail log file integrity validation on a copied trail. */
@Command(
    name = "verify-trail",
    mixinStandardHelpOptions = true,
    description = {
      "Validate CloudTrail log file integrity (digest files) in an evidence directory, as AWS documents it:",
      "each digest's SHA256withRSA signature (hex, from <digest>.json.gz.sig or <digest>.json.gz.metadata.json =",
      "the output of 'aws s3api head-object'), each listed log file's SHA-256 of its uncompressed content, and the",
      "chain of digests. Log files: VALID, ALTERED, MISSING, UNVERIFIABLE; digests: signature VALID, INVALID,",
      "UNVERIFIABLE and chain LINKED, START, GAP, BROKEN, UNVERIFIABLE.",
      "Exit code 0 when everything is valid, 1 when tampering or deletion was found, 3 when nothing was tampered",
      "but something could not be verified."
    })
final class VerifyTrailCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "DIR", description = "Directory holding the trail (AWSLogs/... at any depth).")
  Path dir;

  @Option(names = "--public-key", paramLabel = "FILE", description = {
      "CloudTrail public key(s): PEM (BEGIN PUBLIC KEY / BEGIN RSA PUBLIC KEY), base64 DER, or the JSON of",
      "'aws cloudtrail list-public-keys'. Repeatable; a digest is checked with the key of its fingerprint."})
  List<Path> publicKeys = new ArrayList<>();

  @Option(names = "--json", description = "Print the result as JSON on stdout instead of the table.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    TrailValidation v;
    try {
      v = TrailValidator.validate(dir, DigestPublicKeys.read(publicKeys));
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
