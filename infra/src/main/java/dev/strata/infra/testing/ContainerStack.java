package dev.strata.infra.testing;

import dev.strata.infra.StackEndpoints;
import dev.strata.infra.s3.EmbeddedS3;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.MinIOContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.lifecycle.Startable;
import org.testcontainers.lifecycle.Startables;
import org.testcontainers.utility.DockerImageName;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;

/**
 * The stack on Testcontainers, for machines with Docker: Kafka ({@code apache/kafka}, KRaft), OpenSearch (security
 * plugin disabled, single node) and MinIO, with the same settings and credentials as the embedded stack. Images can
 * be overridden with system properties {@code strata.image.kafka}, {@code strata.image.opensearch},
 * {@code strata.image.minio}.
 */
final class ContainerStack implements AutoCloseable {
  static final String KAFKA_IMAGE = System.getProperty("strata.image.kafka", "apache/kafka:4.4.0");
  static final String OPENSEARCH_IMAGE =
      System.getProperty("strata.image.opensearch", "opensearchproject/opensearch:2.19.6");
  static final String MINIO_IMAGE =
      System.getProperty("strata.image.minio", "minio/minio:RELEASE.2025-04-22T22-12-26Z");
  private static final int OPENSEARCH_PORT = 9200;
  private static final Duration START_TIMEOUT = Duration.ofMinutes(3);

  private final List<GenericContainer<?>> containers;
  private final StackEndpoints endpoints;

  private ContainerStack(List<GenericContainer<?>> containers, StackEndpoints endpoints) {
    this.containers = containers;
    this.endpoints = endpoints;
  }

  /** Starts the three containers in parallel and creates the evidence bucket. */
  static ContainerStack start() {
    KafkaContainer kafka =
        new KafkaContainer(DockerImageName.parse(KAFKA_IMAGE))
            .withEnv("KAFKA_MESSAGE_MAX_BYTES", "8388608")
            .withEnv("KAFKA_REPLICA_FETCH_MAX_BYTES", "8388608")
            .withEnv("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false")
            .withEnv("KAFKA_MIN_INSYNC_REPLICAS", "1")
            .withEnv("KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR", "1")
            .withEnv("KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR", "1")
            .withEnv("KAFKA_TRANSACTION_MAX_TIMEOUT_MS", "900000")
            .withStartupTimeout(START_TIMEOUT);
    GenericContainer<?> openSearch =
        new GenericContainer<>(DockerImageName.parse(OPENSEARCH_IMAGE))
            .withEnv("discovery.type", "single-node")
            .withEnv("DISABLE_SECURITY_PLUGIN", "true")
            .withEnv("DISABLE_INSTALL_DEMO_CONFIG", "true")
            .withEnv("OPENSEARCH_JAVA_OPTS", "-Xms512m -Xmx512m")
            .withEnv("cluster.routing.allocation.disk.threshold_enabled", "false")
            .withExposedPorts(OPENSEARCH_PORT)
            .waitingFor(
                Wait.forHttp("/_cluster/health?wait_for_status=yellow")
                    .forPort(OPENSEARCH_PORT)
                    .forStatusCode(200)
                    .withStartupTimeout(START_TIMEOUT));
    MinIOContainer minio =
        new MinIOContainer(DockerImageName.parse(MINIO_IMAGE).asCompatibleSubstituteFor("minio/minio"))
            .withUserName(EmbeddedS3.ACCESS_KEY)
            .withPassword(EmbeddedS3.SECRET_KEY)
            .withStartupTimeout(START_TIMEOUT);
    List<GenericContainer<?>> containers = List.of(kafka, openSearch, minio);
    try {
      Startables.deepStart(containers.stream().map(c -> (Startable) c)).join();
      URI s3 = URI.create(minio.getS3URL());
      createBucket(s3, StackEndpoints.EVIDENCE_BUCKET);
      StackEndpoints endpoints =
          new StackEndpoints(
              kafka.getBootstrapServers(),
              "http://" + openSearch.getHost() + ":" + openSearch.getMappedPort(OPENSEARCH_PORT),
              s3,
              StackEndpoints.DEFAULT_S3_REGION,
              EmbeddedS3.ACCESS_KEY,
              EmbeddedS3.SECRET_KEY,
              StackEndpoints.EVIDENCE_BUCKET,
              null);
      return new ContainerStack(containers, endpoints);
    } catch (RuntimeException e) {
      containers.forEach(GenericContainer::stop);
      throw e;
    }
  }

  StackEndpoints endpoints() {
    return endpoints;
  }

  /** Stops the containers. */
  @Override
  public void close() {
    containers.forEach(GenericContainer::stop);
  }

  private static void createBucket(URI endpoint, String bucket) {
    try (S3Client s3 =
        S3Client.builder()
            .endpointOverride(endpoint)
            .region(Region.of(StackEndpoints.DEFAULT_S3_REGION))
            .forcePathStyle(true)
            .httpClient(UrlConnectionHttpClient.create())
            .credentialsProvider(
                StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(EmbeddedS3.ACCESS_KEY, EmbeddedS3.SECRET_KEY)))
            .build()) {
      s3.createBucket(b -> b.bucket(bucket));
    } catch (BucketAlreadyOwnedByYouException alreadyThere) {
      // created by an earlier run
    }
  }
}
