package dev.strata.cli;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** Where the services are: options override environment variables, which override the config file. */
final class ServiceOptions {
  @Option(names = "--config", paramLabel = "FILE", description = "YAML config file (default: $STRATA_CONFIG). See cli/README.md.")
  Path config;

  @Option(names = "--kafka", paramLabel = "HOST:PORT", description = "Kafka bootstrap servers (env STRATA_KAFKA_BOOTSTRAP).")
  String kafka;

  @Option(names = "--opensearch", paramLabel = "URL", description = "OpenSearch URL (env STRATA_OPENSEARCH_URL).")
  String openSearch;

  @Option(names = "--s3-endpoint", paramLabel = "URL", description = "S3-compatible endpoint; omit for AWS S3 (env STRATA_S3_ENDPOINT).")
  String s3Endpoint;

  @Option(names = "--s3-bucket", paramLabel = "NAME", description = "Evidence bucket (env STRATA_S3_BUCKET, default strata-evidence).")
  String s3Bucket;

  StrataSettings settings() {
    return settings(Map.of());
  }

  /** With component settings from a command's options ({@code agent.collector_id} ...; null values = unset). */
  StrataSettings settings(Map<String, String> componentOptions) {
    Map<String, String> o = new HashMap<>(componentOptions);
    o.put("kafka.bootstrap_servers", kafka);
    o.put("opensearch.url", openSearch);
    o.put("s3.endpoint", s3Endpoint);
    o.put("s3.bucket", s3Bucket);
    return StrataSettings.fromEnvironment(config, o);
  }
}
