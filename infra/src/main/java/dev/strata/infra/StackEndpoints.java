package dev.strata.infra;

import java.net.URI;
import java.nio.file.Path;

/**
 * Where the running stack answers, and how to authenticate. A component that was not started has {@code null}
 * endpoint fields ({@code kafkaBootstrap}, {@code openSearchUrl}, {@code s3Endpoint}).
 *
 * @param kafkaBootstrap Kafka {@code bootstrap.servers}, e.g. {@code 127.0.0.1:40123}
 * @param openSearchUrl OpenSearch base URL without trailing slash, e.g. {@code http://127.0.0.1:40124}
 * @param s3Endpoint S3 endpoint for path-style access
 * @param s3Region S3 signing region
 * @param s3AccessKey S3 access key id (development credentials)
 * @param s3SecretKey S3 secret access key (development credentials)
 * @param evidenceBucket the bucket of the evidence store, created at start
 * @param dataDir the directory holding the stack's data ({@code null} for container stacks)
 */
public record StackEndpoints(
    String kafkaBootstrap,
    String openSearchUrl,
    URI s3Endpoint,
    String s3Region,
    String s3AccessKey,
    String s3SecretKey,
    String evidenceBucket,
    Path dataDir) {

  /** Region used by the embedded S3 and the containers. */
  public static final String DEFAULT_S3_REGION = "us-east-1";
  /** Bucket of the evidence store. */
  public static final String EVIDENCE_BUCKET = "strata-evidence";

  /** Never prints the secret key. */
  @Override
  public String toString() {
    return "StackEndpoints[kafkaBootstrap="
        + kafkaBootstrap
        + ", openSearchUrl="
        + openSearchUrl
        + ", s3Endpoint="
        + s3Endpoint
        + ", s3Region="
        + s3Region
        + ", s3AccessKey="
        + s3AccessKey
        + ", s3SecretKey=***, evidenceBucket="
        + evidenceBucket
        + ", dataDir="
        + dataDir
        + "]";
  }
}
