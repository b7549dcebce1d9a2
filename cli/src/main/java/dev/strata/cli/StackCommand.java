package dev.strata.cli;

import dev.strata.infra.EmbeddedStack;
import dev.strata.infra.StackEndpoints;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code strata stack}: the embedded services, until Ctrl-C. */
@Command(
    name = "stack",
    mixinStandardHelpOptions = true,
    description = {
      "Start the embedded Kafka, OpenSearch and S3 services and keep them running.",
      "Kafka 4 KRaft broker, OpenSearch node and S3-compatible server on 127.0.0.1; prints the environment",
      "to point other strata commands at them. Ctrl-C stops everything."
    })
final class StackCommand implements Callable<Integer> {
  @Option(names = "--data-dir", paramLabel = "DIR", description = "Where the services keep their data (default: $STRATA_DATA_DIR or .strata/stack). Reused across runs; delete it to reset.")
  Path dataDir;

  @Override
  public Integer call() throws InterruptedException {
    EmbeddedStack.Builder b = EmbeddedStack.builder().progress(m -> System.err.println("  " + m));
    if (dataDir != null) b.dataDir(dataDir);
    try (EmbeddedStack stack = b.start()) {
      printEnvironment(stack.endpoints());
      System.err.println("stack is up (" + stack.startupTimes() + "); Ctrl-C to stop");
      new CountDownLatch(1).await();
    }
    return 0;
  }

  static void printEnvironment(StackEndpoints e) {
    System.out.println("export STRATA_KAFKA_BOOTSTRAP=" + e.kafkaBootstrap());
    System.out.println("export STRATA_OPENSEARCH_URL=" + e.openSearchUrl());
    System.out.println("export STRATA_S3_ENDPOINT=" + e.s3Endpoint());
    System.out.println("export STRATA_S3_REGION=" + e.s3Region());
    System.out.println("export STRATA_S3_BUCKET=" + e.evidenceBucket());
    System.out.println("export STRATA_S3_ACCESS_KEY=" + e.s3AccessKey());
    System.out.println("export STRATA_S3_SECRET_KEY=" + e.s3SecretKey() + "   # development credentials of the embedded S3");
  }
}
