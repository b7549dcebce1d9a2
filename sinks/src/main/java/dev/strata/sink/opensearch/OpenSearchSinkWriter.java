package dev.strata.sink.opensearch;

import dev.strata.sink.Backoff;
import dev.strata.sink.FailureClass;
import dev.strata.sink.SinkException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.base.sink.writer.AsyncSinkWriter;
import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.connector.base.sink.writer.DequeRequestBuffer;
import org.apache.flink.connector.base.sink.writer.ElementConverter;
import org.apache.flink.connector.base.sink.writer.ResultHandler;
import org.apache.flink.connector.base.sink.writer.SimpleBatchCreator;
import org.apache.flink.connector.base.sink.writer.config.AsyncSinkWriterConfiguration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.ThreadSafeSimpleCounter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The writer of {@link OpenSearchSink}: one per subtask. */
final class OpenSearchSinkWriter<T> extends AsyncSinkWriter<T, DocWriteRequest> {
  private static final Logger LOG = LoggerFactory.getLogger(OpenSearchSinkWriter.class);

  private final OpenSearchConnection connection;
  private final BulkClient bulk;
  private final Backoff backoff;
  private final PermanentFailureHandler failureHandler;
  private final ScheduledExecutorService retryTimer;
  private final Counter indexed;
  private final Counter retried;
  private final Counter permanentFailures;
  private final Counter deadLetters;

  OpenSearchSinkWriter(ElementConverter<T, DocWriteRequest> converter, WriterInitContext context,
      OpenSearchSinkConfig config, PermanentFailureHandler failureHandler,
      Collection<BufferedRequestState<DocWriteRequest>> states) {
    super(converter, context, writerConfiguration(config), states,
        new SimpleBatchCreator<>(config.maxBatchBytes()), new DequeRequestBuffer<>());
    this.connection = OpenSearchConnection.open(config);
    this.bulk = new BulkClient(connection.generic());
    this.backoff = config.retry();
    this.failureHandler = failureHandler;
    this.retryTimer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "opensearch-sink-retry");
      t.setDaemon(true);
      return t;
    });
    MetricGroup metrics = context.metricGroup();
    this.indexed = metrics.counter("indexed", new ThreadSafeSimpleCounter());
    this.retried = metrics.counter("retried", new ThreadSafeSimpleCounter());
    this.permanentFailures = metrics.counter("permanentFailures", new ThreadSafeSimpleCounter());
    this.deadLetters = metrics.counter("deadLetters", new ThreadSafeSimpleCounter());
  }

  /** Flink's writer settings from the sink config, with {@link BoundedAimdRateLimiting}. */
  static AsyncSinkWriterConfiguration writerConfiguration(OpenSearchSinkConfig c) {
    return AsyncSinkWriterConfiguration.builder()
        .setMaxBatchSize(c.maxBatchSize())
        .setMaxBatchSizeInBytes(c.maxBatchBytes())
        .setMaxInFlightRequests(c.maxInFlightRequests())
        .setMaxBufferedRequests(c.maxBufferedRequests())
        .setMaxTimeInBufferMS(c.maxTimeInBuffer().toMillis())
        .setMaxRecordSizeInBytes(c.maxRecordBytes())
        .setRequestTimeoutMS(c.requestTimeout().toMillis())
        .setFailOnTimeout(false)
        .setRateLimitingStrategy(new BoundedAimdRateLimiting(c.maxInFlightRequests(), c.maxBatchSize()))
        .build();
  }

  @Override
  protected void submitRequestEntries(List<DocWriteRequest> entries, ResultHandler<DocWriteRequest> result) {
    bulk.execute(entries).whenComplete((outcome, error) -> {
      try {
        if (error != null) {
          outcome = BulkClient.Outcome.requestFailed(error, entries.size());
        }
        handle(entries, outcome, result);
      } catch (Throwable t) {
        result.completeExceptionally(t instanceof Exception e ? e : new RuntimeException(t));
      }
    });
  }

  private void handle(List<DocWriteRequest> entries, BulkClient.Outcome o, ResultHandler<DocWriteRequest> result) {
    if (o.requestFailed()) {
      if (o.requestClass() == FailureClass.TRANSIENT) {
        retryLater(entries, List.of(), o.requestFailure(), result);
      } else {
        result.completeExceptionally(new SinkException(o.requestClass(),
            "OpenSearch _bulk request failed: " + o.requestFailure(), o.requestCause()));
      }
      return;
    }
    indexed.inc(o.indexed());
    if (!o.fatalItems().isEmpty()) {
      BulkClient.Rejection r = o.fatalItems().get(0);
      result.completeExceptionally(new SinkException(FailureClass.FATAL, "OpenSearch rejected "
          + r.request().index() + "/" + r.request().id() + ": " + r.failure() + " ("
          + o.fatalItems().size() + " such items in this request)"));
      return;
    }
    List<DocWriteRequest> replacements = new ArrayList<>();
    for (BulkClient.Rejection r : o.permanentItems()) {
      permanentFailures.inc();
      List<DocWriteRequest> instead = failureHandler.onPermanentFailure(r.request(), r.failure());
      deadLetters.inc(instead.size());
      replacements.addAll(instead);
    }
    List<DocWriteRequest> again = new ArrayList<>(o.transientItems().size());
    String reason = null;
    for (BulkClient.Rejection r : o.transientItems()) {
      again.add(r.request());
      reason = r.failure().toString();
    }
    retryLater(again, replacements, reason, result);
  }

  /** Requeues {@code failed} (next attempt, after a backoff) and {@code fresh} (now), or completes. */
  private void retryLater(List<DocWriteRequest> failed, List<DocWriteRequest> fresh, String reason,
      ResultHandler<DocWriteRequest> result) {
    if (failed.isEmpty() && fresh.isEmpty()) {
      result.complete();
      return;
    }
    List<DocWriteRequest> requeue = new ArrayList<>(failed.size() + fresh.size());
    int attempt = 0;
    for (DocWriteRequest r : failed) {
      if (!backoff.canRetry(r.attempt())) {
        result.completeExceptionally(new SinkException(FailureClass.TRANSIENT, "OpenSearch: giving up on "
            + r.index() + "/" + r.id() + " after " + r.attempt() + " attempts (opensearch.retry.max_attempts); last"
            + " failure: " + reason + ". The job restarts from its last checkpoint."));
        return;
      }
      requeue.add(r.nextAttempt());
      attempt = Math.max(attempt, r.attempt());
    }
    requeue.addAll(fresh);
    retried.inc(failed.size());
    if (failed.isEmpty()) {
      result.retryForEntries(requeue);
      return;
    }
    long delay = backoff.delayMillis(attempt);
    LOG.info("retrying {} documents in {} ms (attempt {} of {}): {}", failed.size(), delay, attempt + 1,
        backoff.maxAttempts(), reason);
    try {
      retryTimer.schedule(() -> result.retryForEntries(requeue), delay, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) { // closing
      result.retryForEntries(requeue);
    }
  }

  @Override
  protected long getSizeInBytes(DocWriteRequest entry) {
    return entry.sizeInBytes();
  }

  @Override
  public void close() {
    LOG.info("OpenSearch sink writer closing: indexed={} retried={} permanentFailures={} deadLetters={}",
        indexed.getCount(), retried.getCount(), permanentFailures.getCount(), deadLetters.getCount());
    retryTimer.shutdownNow();
    try {
      connection.close();
    } catch (RuntimeException e) {
      LOG.warn("closing the OpenSearch client: {}", e.toString());
    }
    super.close();
  }
}
