package dev.strata.sink.opensearch;

import dev.strata.sink.SinkException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.opensearch.client.opensearch.generic.Body;
import org.opensearch.client.opensearch.generic.Requests;
import org.opensearch.client.opensearch.generic.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bulk load into some indices: while it is open their {@code refresh_interval} is the config's
 * {@link OpenSearchSinkConfig#bulkRefreshInterval()}; {@link #close()} sets {@link
 * OpenSearchSinkConfig#refreshInterval()} again and refreshes them, so everything written is searchable when the
 * load ends (sooner than the one-second refresh would make it).
 *
 * <p>Why: each refresh writes the documents indexed since the last one as a new Lucene segment, and small segments
 * are merged again and again. On the embedded single node, a bounded parse run of 474k events (1 s refresh) had
 * spent 580 s of OpenSearch thread time in 382 refreshes and 727 s in 66 merges, against 1,342 s indexing; with the
 * refresh off, Lucene writes a segment when its indexing buffer fills. Only visibility changes, never what is
 * stored: a document acknowledged by {@code _bulk} is in the translog either way. Other writers of the same indices
 * see their documents later while a load runs; a load that ends abnormally (process killed) leaves the bulk interval
 * in place until the next load ends (or {@code PUT <index>/_settings} by hand).
 */
public final class BulkLoad implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(BulkLoad.class);

  private final OpenSearchSinkConfig config;
  private final List<String> indices;
  private boolean closed;

  private BulkLoad(OpenSearchSinkConfig config, List<String> indices) {
    this.config = config;
    this.indices = indices;
  }

  /** Starts a load into the events and dead-letter indices of {@code config}. */
  public static BulkLoad start(OpenSearchSinkConfig config) throws IOException {
    return start(config, List.of(config.eventsIndex(), config.deadLettersIndex()));
  }

  /** Starts a load into {@code indices} (which must exist). */
  public static BulkLoad start(OpenSearchSinkConfig config, List<String> indices) throws IOException {
    BulkLoad load = new BulkLoad(config, List.copyOf(indices));
    if (!config.bulkRefreshInterval().equals(config.refreshInterval())) {
      try (OpenSearchConnection c = OpenSearchConnection.open(config)) {
        setRefreshInterval(c, load.indices, config.bulkRefreshInterval());
      }
    }
    return load;
  }

  /** Sets the configured refresh interval again and refreshes the indices; failures are logged, not thrown. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try (OpenSearchConnection c = OpenSearchConnection.open(config)) {
      if (!config.bulkRefreshInterval().equals(config.refreshInterval())) {
        setRefreshInterval(c, indices, config.refreshInterval());
      }
      try (Response r = c.generic().execute(Requests.create("POST", "/" + String.join(",", indices) + "/_refresh",
          List.of(), Map.of(), null))) {
        if (r.getStatus() >= 300) {
          LOG.warn("refresh of {} after a bulk load: HTTP {}", indices, r.getStatus());
        }
      }
    } catch (IOException | RuntimeException e) {
      LOG.warn("could not restore refresh_interval {} of {} after a bulk load: {}", config.refreshInterval(),
          indices, e.toString());
    }
  }

  /** {@code PUT <indices>/_settings {"index":{"refresh_interval":...}}}. */
  static void setRefreshInterval(OpenSearchConnection c, List<String> indices, String interval) throws IOException {
    byte[] body = ("{\"index\":{\"refresh_interval\":\"" + interval + "\"}}").getBytes(StandardCharsets.UTF_8);
    try (Response r = c.generic().execute(Requests.create("PUT", "/" + String.join(",", indices) + "/_settings",
        List.of(), Map.of(), Body.from(body, "application/json")))) {
      if (r.getStatus() >= 300) {
        String text = r.getBody().map(b -> new String(b.bodyAsBytes(), StandardCharsets.UTF_8)).orElse("");
        throw new SinkException(OpenSearchFailureClassifier.classifyResponse(r.getStatus()),
            "set refresh_interval " + interval + " of " + indices + ": HTTP " + r.getStatus() + ": " + text);
      }
    }
  }
}
