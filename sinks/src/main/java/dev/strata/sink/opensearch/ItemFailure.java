package dev.strata.sink.opensearch;

import java.io.Serializable;

/**
 * Why OpenSearch did not index one document of a {@code _bulk} request.
 *
 * @param status the item's HTTP status (e.g. 400, 429)
 * @param type OpenSearch error type, e.g. {@code mapper_parsing_exception}
 * @param reason the error's reason, with its {@code caused_by} type and reason appended when present
 */
public record ItemFailure(int status, String type, String reason) implements Serializable {
  private static final long serialVersionUID = 1L;

  @Override
  public String toString() {
    return status + " " + type + ": " + reason;
  }
}
