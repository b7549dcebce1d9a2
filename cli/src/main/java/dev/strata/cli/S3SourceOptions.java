package dev.strata.cli;

import dev.strata.ingest.s3.S3Source;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Which S3 bucket(s) hold the AWS logs, and how to read them ({@code pull-s3}, {@code verify-trail --bucket}). */
final class S3SourceOptions {
  @Option(names = "--bucket", paramLabel = "NAME", description = "Source bucket (or --sources).")
  String bucket;

  @Option(names = "--account", paramLabel = "ID", description = "Account whose standard prefixes to read (repeatable).")
  List<String> accounts = new ArrayList<>();

  @Option(names = "--org-id", paramLabel = "O-ID", description = "Organization trail layout AWSLogs/<o-id>/<account>/.")
  String orgId;

  @Option(names = "--key-prefix", paramLabel = "PREFIX", description = "The trail's S3 key prefix before AWSLogs/.")
  String keyPrefix;

  @Option(names = "--prefix", paramLabel = "PREFIX", description = "Extra prefix (repeatable).")
  List<String> prefixes = new ArrayList<>();

  @Option(names = "--region", paramLabel = "REGION", description = "The source bucket's region (default us-east-1).")
  String region;

  @Option(names = "--role-arn", paramLabel = "ARN", description = "Role to assume (STS) for reading the source bucket.")
  String roleArn;

  @Option(names = "--external-id", paramLabel = "ID", description = "External id for --role-arn.")
  String externalId;

  @Option(names = "--source-endpoint", paramLabel = "URL", description = "S3-compatible endpoint of the source bucket.")
  URI sourceEndpoint;

  @Option(names = "--source-access-key", paramLabel = "KEY",
      description = "Access key for the source bucket (env STRATA_SOURCE_S3_ACCESS_KEY; secret in STRATA_SOURCE_S3_SECRET_KEY).")
  String sourceAccessKey;

  @Option(names = "--sources", paramLabel = "FILE", description = "YAML list of sources (bucket, accounts, role_arn, ...; see ingest/README.md).")
  Path sourcesFile;

  boolean given() {
    return bucket != null || sourcesFile != null;
  }

  /**
   * The sources. Credentials: --source-access-key + $STRATA_SOURCE_S3_SECRET_KEY, else with --source-endpoint the
   * evidence store's keys from {@code settings} (same S3-compatible server), else the AWS default chain.
   */
  List<S3Source> sources(StrataSettings settings) throws IOException {
    if (sourcesFile != null) {
      if (bucket != null) throw new IllegalArgumentException("give --bucket or --sources, not both");
      return S3Source.read(sourcesFile, System::getenv);
    }
    if (bucket == null) throw new IllegalArgumentException("give --bucket (with --account or --prefix) or --sources FILE");
    String access = sourceAccessKey != null ? sourceAccessKey : System.getenv("STRATA_SOURCE_S3_ACCESS_KEY");
    String secret = System.getenv("STRATA_SOURCE_S3_SECRET_KEY");
    if (access == null && sourceEndpoint != null && settings != null && settings.s3AccessKey() != null) {
      access = settings.s3AccessKey();
      secret = settings.s3SecretKey() == null ? null : settings.s3SecretKey().value();
    }
    if (access != null && secret == null) {
      throw new IllegalArgumentException("source access key given without STRATA_SOURCE_S3_SECRET_KEY");
    }
    return List.of(new S3Source(bucket, accounts, orgId, keyPrefix, prefixes, region, roleArn, externalId, sourceEndpoint,
        access, access == null ? null : new S3Source.Secret(secret)));
  }
}
