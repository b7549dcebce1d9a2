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

  @Mixin FlowLogFormatOptions flowLogFormats = new FlowLogFormatOptions();

  CollectorOptions.Builder apply(CollectorOptions.Builder b) {
    return apply(b, null);
  }

  /** With the custom VPC flow log formats of the options and of {@code settings} (env, config file; may be null). */
  CollectorOptions.Builder apply(CollectorOptions.Builder b, StrataSettings settings) {
    return b.host(host).cluster(cluster).cloudProvider(cloudProvider).cloudAccount(account).cloudRegion(region)
        .cloudInstance(instance).chunkSize(chunkSize).maxRecordBytes(maxRecordBytes).vpcFlowLogFormats(flowLogFormats.resolve(settings));
  }
}
