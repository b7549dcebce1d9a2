package dev.strata.sink.s3;

import static dev.strata.sink.FailureClass.FATAL;
import static dev.strata.sink.FailureClass.PERMANENT;
import static dev.strata.sink.FailureClass.TRANSIENT;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.model.S3Exception;

class S3FailureClassifierTest {
  private static S3Exception s3(int status, String code) {
    return (S3Exception) S3Exception.builder().statusCode(status)
        .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).build()).build();
  }

  @Test
  void responses() {
    assertThat(S3FailureClassifier.classify(s3(503, "SlowDown"))).isEqualTo(TRANSIENT);
    assertThat(S3FailureClassifier.classify(s3(500, "InternalError"))).isEqualTo(TRANSIENT);
    assertThat(S3FailureClassifier.classify(s3(429, null))).isEqualTo(TRANSIENT);
    assertThat(S3FailureClassifier.classify(s3(400, "RequestTimeout"))).isEqualTo(TRANSIENT);
    assertThat(S3FailureClassifier.classify(s3(403, "AccessDenied"))).isEqualTo(FATAL);
    assertThat(S3FailureClassifier.classify(s3(403, "SignatureDoesNotMatch"))).isEqualTo(FATAL);
    assertThat(S3FailureClassifier.classify(s3(401, null))).isEqualTo(FATAL);
    assertThat(S3FailureClassifier.classify(s3(404, "NoSuchBucket"))).isEqualTo(FATAL);
    assertThat(S3FailureClassifier.classify(s3(501, "NotImplemented"))).isEqualTo(FATAL);
    assertThat(S3FailureClassifier.classify(s3(400, "BadDigest"))).isEqualTo(PERMANENT);
    assertThat(S3FailureClassifier.classify(s3(404, "NoSuchKey"))).isEqualTo(PERMANENT);
  }

  @Test
  void exceptions() {
    assertThat(S3FailureClassifier.classify(SdkClientException.create("io", new IOException("reset"))))
        .isEqualTo(TRANSIENT);
    assertThat(S3FailureClassifier.classify(ApiCallTimeoutException.create(1000))).isEqualTo(TRANSIENT);
    assertThat(S3FailureClassifier.classify(SdkClientException.create("Unable to load credentials")))
        .isEqualTo(FATAL);
    assertThat(S3FailureClassifier.classify(new EvidenceIntegrityException("x", "a", "b"))).isEqualTo(PERMANENT);
    assertThat(S3FailureClassifier.classify(new NoSuchFileException("/evidence/x"))).isEqualTo(PERMANENT);
  }
}
