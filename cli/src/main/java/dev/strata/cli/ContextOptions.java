package dev.strata.cli;

import dev.strata.ingest.CollectorOptions;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Context the evidence does not carry itself; the lowest-precedence source (path layout and manifest win). */
final class ContextOptions {
  @Option(names = "--host", paramLabel = "NAME", description = "Host/node the evidence was taken from.")
  String host;

  @Option(names = "--cluster", paramLabel = "NAME", description = "Kubernetes cluster name.")
  String cluster;

  @Option(names = "--cloud-provider", paramLabel = "NAME", description = "Cloud provider (aws, gcp, azure).")
  String cloudProvider;

  @Option(names = "--account", paramLabel = "ID", description = "Cloud account id.")
  String account;

  @Option(names = "--region", paramLabel = "REGION", description = "Cloud region.")
  String region;

  @Option(names = "--instance", paramLabel = "ID",
      description = "Cloud instance id of the host (EC2 i-...): ties its evidence to the instance's calls and flows.")
  String instance;

  @Option(names = "--chunk-size", paramLabel = "BYTES", description = "Target chunk size on Kafka (default: ${DEFAULT-VALUE}).")
  int chunkSize = CollectorOptions.DEFAULT_CHUNK_SIZE;

  @Option(names = "--max-record-bytes", paramLabel = "BYTES", description = "Largest single record; longer ones are cut and reported (default: ${DEFAULT-VALUE}).")
  int maxRecordBytes = CollectorOptions.DEFAULT_MAX_RECORD_BYTES;

  @Option(names = "--archive-max-bytes", paramLabel = "BYTES",
      description = "Largest total one evidence archive (tar, tar.gz/xz/zst/bz2, zip) may expand to in its temporary"
          + " working copy (default: ${DEFAULT-VALUE}).")
  long archiveMaxBytes = CollectorOptions.DEFAULT_ARCHIVE_MAX_BYTES;

  @Option(names = "--archive-max-ratio", paramLabel = "N",
      description = "Largest ratio of an archive's expanded bytes to its size: zip bombs (default: ${DEFAULT-VALUE}).")
  double archiveMaxRatio = CollectorOptions.DEFAULT_ARCHIVE_MAX_RATIO;

  @Option(names = "--archive-max-depth", paramLabel = "N",
      description = "Archives inside archives are expanded down to this depth; 0: archives are neither expanded nor preserved"
          + " (default: ${DEFAULT-VALUE}).")
  int archiveMaxDepth = CollectorOptions.DEFAULT_ARCHIVE_MAX_DEPTH;

  @Mixin FlowLogFormatOptions flowLogFormats = new FlowLogFormatOptions();

  CollectorOptions.Builder apply(CollectorOptions.Builder b) {
    return apply(b, null);
  }

  /** With the custom VPC flow log formats of the options and of {@code settings} (env, config file; may be null). */
  CollectorOptions.Builder apply(CollectorOptions.Builder b, StrataSettings settings) {
    return b.host(host).cluster(cluster).cloudProvider(cloudProvider).cloudAccount(account).cloudRegion(region)
        .cloudInstance(instance).chunkSize(chunkSize).maxRecordBytes(maxRecordBytes).vpcFlowLogFormats(flowLogFormats.resolve(settings))
        .archiveMaxBytes(archiveMaxBytes).archiveMaxRatio(archiveMaxRatio).archiveMaxDepth(archiveMaxDepth);
  }
}
