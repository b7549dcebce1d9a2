package dev.strata.ingest.s3;

import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.auth.StsAssumeRoleCredentialsProvider;

/**
 * The S3 client of a {@link S3Source}: static credentials when given, else the AWS default chain; with
 * {@code role_arn}, those credentials call STS AssumeRole (session {@code strata-s3-puller}, refreshed before expiry)
 * and the client uses the role's. An {@code endpoint} switches to path-style addressing (S3-compatible servers).
 */
public final class S3Clients {
  private S3Clients() {}

  public static S3Client create(S3Source source) {
    AwsCredentialsProvider base = source.accessKey() != null
        ? StaticCredentialsProvider.create(AwsBasicCredentials.create(source.accessKey(), source.secretKey().value()))
        : DefaultCredentialsProvider.builder().build();
    AwsCredentialsProvider credentials = base;
    if (source.roleArn() != null) {
      StsClient sts = StsClient.builder()
          .region(Region.of(source.region()))
          .credentialsProvider(base)
          .httpClientBuilder(UrlConnectionHttpClient.builder())
          .build();
      credentials = StsAssumeRoleCredentialsProvider.builder()
          .stsClient(sts)
          .refreshRequest(r -> {
            r.roleArn(source.roleArn()).roleSessionName("strata-s3-puller");
            if (source.externalId() != null) {
              r.externalId(source.externalId());
            }
          })
          .build();
    }
    S3ClientBuilder b = S3Client.builder()
        .httpClientBuilder(UrlConnectionHttpClient.builder()
            .connectionTimeout(Duration.ofSeconds(10))
            .socketTimeout(Duration.ofSeconds(120)))
        .region(Region.of(source.region()))
        .credentialsProvider(credentials)
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
        .overrideConfiguration(o -> o.retryStrategy(
            AwsRetryStrategy.standardRetryStrategy().toBuilder().maxAttempts(5).build()));
    if (source.endpoint() != null) {
      b.endpointOverride(source.endpoint()).forcePathStyle(true);
    }
    return b.build();
  }
}
