package dev.strata.sink.opensearch;

import dev.strata.sink.FailureClass;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.opensearch.client.opensearch.generic.Body;
import org.opensearch.client.opensearch.generic.OpenSearchGenericClient;
import org.opensearch.client.opensearch.generic.Requests;
import org.opensearch.client.opensearch.generic.Response;

/** Sends one {@code _bulk} request and classifies every item. Shared by the Flink sink and {@link BulkLoader}. */
final class BulkClient {
  private final OpenSearchGenericClient generic;

  BulkClient(OpenSearchGenericClient generic) {
    this.generic = generic;
  }

  /** Never completes exceptionally: failures are in the outcome. */
  CompletableFuture<Outcome> execute(List<DocWriteRequest> requests) {
    byte[] body = BulkBody.of(requests);
    CompletableFuture<Response> sent;
    try {
      sent = generic.executeAsync(Requests.create("POST", "/_bulk", List.of(),
          Map.of("filter_path", BulkResponse.FILTER_PATH), Body.from(body, "application/x-ndjson")));
    } catch (RuntimeException e) {
      return CompletableFuture.completedFuture(Outcome.requestFailed(e, requests.size()));
    }
    return sent.handle((response, error) -> {
      if (error != null) {
        return Outcome.requestFailed(error, requests.size());
      }
      try (response) {
        byte[] bytes = response.getBody().map(Body::bodyAsBytes).orElse(new byte[0]);
        if (response.getStatus() != 200) {
          String text = new String(bytes, 0, Math.min(bytes.length, 1000), java.nio.charset.StandardCharsets.UTF_8);
          return Outcome.requestStatus(response.getStatus(), text, requests.size());
        }
        return Outcome.of(requests, BulkResponse.parse(bytes, requests.size()));
      } catch (Exception e) {
        return Outcome.requestFailed(e, requests.size());
      }
    });
  }

  /** A rejected document. */
  record Rejection(DocWriteRequest request, ItemFailure failure, FailureClass failureClass) {}

  /**
   * What happened to one request. Either the whole request failed ({@link #requestFailure} != null, classified
   * in {@link #requestClass}) or each item was indexed, or rejected transiently, permanently or fatally.
   */
  record Outcome(
      int indexed,
      List<Rejection> transientItems,
      List<Rejection> permanentItems,
      List<Rejection> fatalItems,
      String requestFailure,
      FailureClass requestClass,
      Throwable requestCause,
      int size) {

    static Outcome of(List<DocWriteRequest> requests, BulkResponse r) {
      if (!r.errors) {
        return new Outcome(requests.size(), List.of(), List.of(), List.of(), null, null, null, requests.size());
      }
      int ok = 0;
      List<Rejection> t = new ArrayList<>();
      List<Rejection> p = new ArrayList<>();
      List<Rejection> f = new ArrayList<>();
      for (int i = 0; i < requests.size(); i++) {
        ItemFailure failure = r.failures[i];
        if (failure == null || supersededVersion(requests.get(i), failure) || alreadyGone(requests.get(i), failure)) {
          ok++;
          continue;
        }
        FailureClass c = OpenSearchFailureClassifier.classifyItem(failure.status(), failure.type());
        Rejection rej = new Rejection(requests.get(i), failure, c);
        switch (c) {
          case TRANSIENT -> t.add(rej);
          case PERMANENT -> p.add(rej);
          case FATAL -> f.add(rej);
        }
      }
      return new Outcome(ok, t, p, f, null, null, null, requests.size());
    }

    /** A versioned document refused because an equal or newer version is indexed: done, not a failure. */
    static boolean supersededVersion(DocWriteRequest r, ItemFailure f) {
      return r.versioned() && f.status() == 409 && "version_conflict_engine_exception".equals(f.type());
    }

    /** A delete of a document that is not there ({@code not_found}, no error): done. */
    static boolean alreadyGone(DocWriteRequest r, ItemFailure f) {
      return r.delete() && f.status() == 404 && "unknown".equals(f.type());
    }

    static Outcome requestFailed(Throwable e, int size) {
      Throwable c = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
      return new Outcome(0, List.of(), List.of(), List.of(), c.toString(), OpenSearchFailureClassifier.classify(c),
          c, size);
    }

    static Outcome requestStatus(int status, String body, int size) {
      return new Outcome(0, List.of(), List.of(), List.of(), "HTTP " + status + ": " + body,
          OpenSearchFailureClassifier.classifyResponse(status), null, size);
    }

    boolean requestFailed() {
      return requestFailure != null;
    }
  }
}
