package dev.strata.sink.opensearch;

import static dev.strata.sink.FailureClass.FATAL;
import static dev.strata.sink.FailureClass.PERMANENT;
import static dev.strata.sink.FailureClass.TRANSIENT;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class OpenSearchFailureClassifierTest {
  @Test
  void items() {
    assertThat(OpenSearchFailureClassifier.classifyItem(429, "es_rejected_execution_exception")).isEqualTo(TRANSIENT);
    assertThat(OpenSearchFailureClassifier.classifyItem(429, "cluster_block_exception")).isEqualTo(TRANSIENT);
    assertThat(OpenSearchFailureClassifier.classifyItem(503, "unavailable_shards_exception")).isEqualTo(TRANSIENT);
    assertThat(OpenSearchFailureClassifier.classifyItem(500, "exception")).isEqualTo(TRANSIENT);
    assertThat(OpenSearchFailureClassifier.classifyItem(400, "mapper_parsing_exception")).isEqualTo(PERMANENT);
    assertThat(OpenSearchFailureClassifier.classifyItem(400, "strict_dynamic_mapping_exception"))
        .isEqualTo(PERMANENT);
    assertThat(OpenSearchFailureClassifier.classifyItem(400, "illegal_argument_exception")).isEqualTo(PERMANENT);
    assertThat(OpenSearchFailureClassifier.classifyItem(409, "version_conflict_engine_exception"))
        .isEqualTo(PERMANENT);
    assertThat(OpenSearchFailureClassifier.classifyItem(404, "index_not_found_exception")).isEqualTo(FATAL);
    assertThat(OpenSearchFailureClassifier.classifyItem(403, "cluster_block_exception")).isEqualTo(FATAL);
    assertThat(OpenSearchFailureClassifier.classifyItem(401, "security_exception")).isEqualTo(FATAL);
  }

  @Test
  void wholeRequests() {
    assertThat(OpenSearchFailureClassifier.classifyResponse(429)).isEqualTo(TRANSIENT);
    assertThat(OpenSearchFailureClassifier.classifyResponse(502)).isEqualTo(TRANSIENT);
    assertThat(OpenSearchFailureClassifier.classifyResponse(503)).isEqualTo(TRANSIENT);
    assertThat(OpenSearchFailureClassifier.classifyResponse(401)).isEqualTo(FATAL);
    assertThat(OpenSearchFailureClassifier.classifyResponse(403)).isEqualTo(FATAL);
    assertThat(OpenSearchFailureClassifier.classifyResponse(413)).isEqualTo(FATAL);
    assertThat(OpenSearchFailureClassifier.classifyResponse(400)).isEqualTo(FATAL);
  }

  @Test
  void exceptions() {
    assertThat(OpenSearchFailureClassifier.classify(new ConnectException("refused"))).isEqualTo(TRANSIENT);
    assertThat(OpenSearchFailureClassifier.classify(new CompletionException(new SocketTimeoutException())))
        .isEqualTo(TRANSIENT);
    assertThat(OpenSearchFailureClassifier.classify(new IOException("reset"))).isEqualTo(TRANSIENT);
    assertThat(OpenSearchFailureClassifier.classify(new IllegalStateException("bug"))).isEqualTo(FATAL);
  }
}
