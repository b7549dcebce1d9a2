package dev.strata.sink.s3;

import dev.strata.sink.FailureClass;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.util.Set;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * Decides, in one place, what an S3 failure means (see {@link FailureClass}).
 *
 * <table>
 *   <tr><th>failure</th><th>class</th></tr>
 *   <tr><td>429, 500, 502, 503 (SlowDown), 504, 400 RequestTimeout, 409 OperationAborted, timeouts, I/O</td>
 *       <td>TRANSIENT</td></tr>
 *   <tr><td>401, 403, NoSuchBucket, 301/307 (wrong region or endpoint), 501 (feature not implemented, e.g. Object
 *       Lock on S3Proxy), no credentials</td><td>FATAL</td></tr>
 *   <tr><td>other 4xx (BadDigest: the bytes did not match their checksum, NoSuchKey, ...), integrity failures, a
 *       missing or unreadable local file</td><td>PERMANENT</td></tr>
 * </table>
 */
public final class S3FailureClassifier {
  private static final Set<String> TRANSIENT_CODES =
      Set.of("RequestTimeout", "SlowDown", "OperationAborted", "InternalError", "ServiceUnavailable",
          "RequestTimeTooSkewed", "Throttling", "ThrottlingException");
  private static final Set<String> FATAL_CODES =
      Set.of("NoSuchBucket", "AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "AllAccessDisabled",
          "AccountProblem", "NotImplemented", "PermanentRedirect", "AuthorizationHeaderMalformed",
          "InvalidBucketState", "ObjectLockConfigurationNotFoundError");

  private S3FailureClassifier() {}

  public static FailureClass classify(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof EvidenceIntegrityException) {
        return FailureClass.PERMANENT;
      }
      if (c instanceof AwsServiceException e) {
        return classify(e.statusCode(), e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode());
      }
      if (c instanceof ApiCallTimeoutException || c instanceof ApiCallAttemptTimeoutException) {
        return FailureClass.TRANSIENT;
      }
      if (c instanceof NoSuchFileException || c instanceof AccessDeniedException) {
        return FailureClass.PERMANENT; // the local file
      }
      if (c instanceof IOException || c instanceof UncheckedIOException) {
        return FailureClass.TRANSIENT;
      }
      if (c instanceof SdkClientException && c.getCause() == null) {
        return FailureClass.FATAL; // e.g. "Unable to load credentials", bad configuration
      }
    }
    return FailureClass.FATAL;
  }

  /** Classifies an S3 error response. */
  public static FailureClass classify(int status, String errorCode) {
    if (errorCode != null) {
      if (TRANSIENT_CODES.contains(errorCode)) {
        return FailureClass.TRANSIENT;
      }
      if (FATAL_CODES.contains(errorCode)) {
        return FailureClass.FATAL;
      }
    }
    if (status == 401 || status == 403 || status == 501 || status == 301 || status == 307) {
      return FailureClass.FATAL;
    }
    if (status == 429 || status == 408 || status >= 500) {
      return FailureClass.TRANSIENT;
    }
    if (status >= 400) {
      return FailureClass.PERMANENT;
    }
    return FailureClass.TRANSIENT;
  }
}
