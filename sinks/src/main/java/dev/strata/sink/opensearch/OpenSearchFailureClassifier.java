package dev.strata.sink.opensearch;

import dev.strata.sink.FailureClass;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.TimeoutException;
import org.opensearch.client.opensearch.generic.OpenSearchClientException;
import org.opensearch.client.transport.httpclient5.ResponseException;

/**
 * Decides, in one place, what an OpenSearch failure means (see {@link FailureClass}).
 *
 * <table>
 *   <tr><th>failure</th><th>class</th><th>sink action</th></tr>
 *   <tr><td>item or request 429 (rejected execution, flood-stage block), 5xx; connection errors, timeouts</td>
 *       <td>TRANSIENT</td><td>retry with backoff + jitter, bounded; then fail the job</td></tr>
 *   <tr><td>item 400 (mapper_parsing_exception, strict_dynamic_mapping_exception, illegal_argument_exception ...),
 *       409, 413 and other 4xx</td><td>PERMANENT</td><td>{@link PermanentFailureHandler} (default: dead letter)</td></tr>
 *   <tr><td>401, 403 (auth, read-only index), 404 (index missing and auto-create off); whole-request 400/413 (a
 *       malformed body or a batch larger than http.max_content_length)</td><td>FATAL</td><td>fail the job</td></tr>
 * </table>
 */
public final class OpenSearchFailureClassifier {
  private OpenSearchFailureClassifier() {}

  /** One item of a {@code _bulk} response with status >= 300. */
  public static FailureClass classifyItem(int status, String errorType) {
    if (status == 429 || "es_rejected_execution_exception".equals(errorType)
        || "opensearch_rejected_execution_exception".equals(errorType)) {
      return FailureClass.TRANSIENT;
    }
    if (status >= 500) {
      return FailureClass.TRANSIENT;
    }
    if (status == 401 || status == 403 || status == 404 || "index_not_found_exception".equals(errorType)
        || "security_exception".equals(errorType)) {
      return FailureClass.FATAL;
    }
    return FailureClass.PERMANENT;
  }

  /** A whole response with a non-2xx status. */
  public static FailureClass classifyResponse(int status) {
    if (status == 429 || status == 408 || status >= 500) {
      return FailureClass.TRANSIENT;
    }
    return FailureClass.FATAL;
  }

  /** An exception instead of a response. */
  public static FailureClass classify(Throwable t) {
    // a status anywhere in the chain decides (the transport wraps a 401 in a TransportException, an IOException)
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof OpenSearchClientException e) {
        return classifyResponse(e.status());
      }
      if (c instanceof ResponseException e) {
        return classifyResponse(e.status());
      }
    }
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof IOException || c instanceof UncheckedIOException || c instanceof TimeoutException) {
        return FailureClass.TRANSIENT;
      }
    }
    return FailureClass.FATAL;
  }
}
