package dev.strata.sink.opensearch;

import dev.strata.sink.Backoff;
import dev.strata.sink.FailureClass;
import dev.strata.sink.SinkException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.opensearch.client.opensearch.generic.Requests;
import org.opensearch.client.opensearch.generic.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bulk-indexes documents directly with the client, no Flink: for small jobs (the CLI) and as the benchmark
 * baseline. Same {@code _bulk} body, batching limits ({@code max_batch_size}, {@code max_batch_bytes}), retry policy
 * and {@link PermanentFailureHandler} as {@link OpenSearchSink}; {@code max_in_flight_requests} batches are sent
 * concurrently (1 = strictly sequential).
 */
public final class BulkLoader implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(BulkLoader.class);

  private final OpenSearchSinkConfig config;
  private final OpenSearchConnection connection;
  private final boolean ownsConnection;
  private final BulkClient bulk;
  private final PermanentFailureHandler failureHandler;

  /** Own connection; permanent failures become dead letters in {@code config.deadLettersIndex()}. */
  public BulkLoader(OpenSearchSinkConfig config) {
    this(config, PermanentFailureHandler.deadLetterIndex(config.deadLettersIndex()));
  }

  public BulkLoader(OpenSearchSinkConfig config, PermanentFailureHandler failureHandler) {
    this(config, OpenSearchConnection.open(config), true, failureHandler);
  }

  /** On a connection the caller owns (not closed by {@link #close()}). */
  public BulkLoader(OpenSearchSinkConfig config, OpenSearchConnection connection,
      PermanentFailureHandler failureHandler) {
    this(config, connection, false, failureHandler);
  }

  private BulkLoader(OpenSearchSinkConfig config, OpenSearchConnection connection, boolean owns,
      PermanentFailureHandler failureHandler) {
    this.config = config;
    this.connection = connection;
    this.ownsConnection = owns;
    this.bulk = new BulkClient(connection.generic());
    this.failureHandler = failureHandler;
  }

  /**
   * What a load did.
   *
   * @param indexed documents indexed (dead letters included)
   * @param retried documents retried after a transient failure
   * @param permanentFailures documents rejected permanently (handed to the {@link PermanentFailureHandler})
   * @param requests {@code _bulk} requests sent
   */
  public record Result(long indexed, long retried, long permanentFailures, long requests, Duration took) {
    public double docsPerSecond() {
      return took.isZero() ? 0 : indexed * 1e9 / took.toNanos();
    }
  }

  /** Maps and indexes all records. Blocks until done. */
  public <T> Result load(Iterable<? extends T> records, DocumentMapper<T> mapper) throws IOException {
    Iterator<? extends T> it = records.iterator();
    return loadRequests(() -> new Iterator<>() {
      @Override
      public boolean hasNext() {
        return it.hasNext();
      }

      @Override
      public DocWriteRequest next() {
        return mapper.toRequest(it.next());
      }
    });
  }

  /**
   * Indexes all requests. Blocks until done.
   *
   * @throws SinkException a fatal failure, or a transient one that outlasted the retries
   */
  public Result loadRequests(Iterable<DocWriteRequest> requests) throws IOException {
    long start = System.nanoTime();
    int concurrency = config.maxInFlightRequests();
    ExecutorService pool = Executors.newFixedThreadPool(concurrency, r -> {
      Thread t = new Thread(r, "bulk-loader");
      t.setDaemon(true);
      return t;
    });
    Semaphore permits = new Semaphore(concurrency);
    AtomicLong indexed = new AtomicLong();
    AtomicLong retried = new AtomicLong();
    AtomicLong permanent = new AtomicLong();
    AtomicLong sent = new AtomicLong();
    AtomicReference<RuntimeException> failure = new AtomicReference<>();
    List<Future<?>> futures = new ArrayList<>();
    try {
      List<DocWriteRequest> batch = new ArrayList<>();
      long bytes = 0;
      Iterator<DocWriteRequest> it = requests.iterator();
      while (it.hasNext() && failure.get() == null) {
        DocWriteRequest r = SinkDeadLetters.guardSize(it.next(), config.maxRecordBytes(), config.deadLettersIndex());
        if (!batch.isEmpty() && (batch.size() >= config.maxBatchSize()
            || bytes + r.sizeInBytes() > config.maxBatchBytes())) {
          futures.add(submit(pool, permits, batch, indexed, retried, permanent, sent, failure));
          batch = new ArrayList<>();
          bytes = 0;
        }
        batch.add(r);
        bytes += r.sizeInBytes();
      }
      if (!batch.isEmpty() && failure.get() == null) {
        futures.add(submit(pool, permits, batch, indexed, retried, permanent, sent, failure));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    } finally {
      pool.shutdownNow();
    }
    if (failure.get() != null) {
      throw failure.get();
    }
    return new Result(indexed.get(), retried.get(), permanent.get(), sent.get(),
        Duration.ofNanos(System.nanoTime() - start));
  }

  private Future<?> submit(ExecutorService pool, Semaphore permits, List<DocWriteRequest> batch, AtomicLong indexed,
      AtomicLong retried, AtomicLong permanent, AtomicLong sent, AtomicReference<RuntimeException> failure)
      throws InterruptedException {
    permits.acquire();
    return pool.submit(() -> {
      try {
        send(batch, indexed, retried, permanent, sent);
      } catch (RuntimeException e) {
        failure.compareAndSet(null, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        failure.compareAndSet(null, new SinkException(FailureClass.TRANSIENT, "interrupted", e));
      } finally {
        permits.release();
      }
    });
  }

  /** Sends one batch until every document is indexed or handed to the failure handler. */
  private void send(List<DocWriteRequest> batch, AtomicLong indexed, AtomicLong retried, AtomicLong permanent,
      AtomicLong sent) throws InterruptedException {
    Backoff backoff = config.retry();
    List<DocWriteRequest> pending = batch;
    while (!pending.isEmpty()) {
      sent.incrementAndGet();
      BulkClient.Outcome o;
      try {
        o = bulk.execute(pending).get();
      } catch (ExecutionException e) {
        o = BulkClient.Outcome.requestFailed(e.getCause(), pending.size());
      }
      List<DocWriteRequest> failed = new ArrayList<>();
      List<DocWriteRequest> fresh = new ArrayList<>();
      String reason;
      if (o.requestFailed()) {
        if (o.requestClass() != FailureClass.TRANSIENT) {
          throw new SinkException(o.requestClass(), "OpenSearch _bulk request failed: " + o.requestFailure(),
              o.requestCause());
        }
        failed.addAll(pending);
        reason = o.requestFailure();
      } else {
        indexed.addAndGet(o.indexed());
        if (!o.fatalItems().isEmpty()) {
          BulkClient.Rejection r = o.fatalItems().get(0);
          throw new SinkException(FailureClass.FATAL, "OpenSearch rejected " + r.request().index() + "/"
              + r.request().id() + ": " + r.failure());
        }
        for (BulkClient.Rejection r : o.permanentItems()) {
          permanent.incrementAndGet();
          fresh.addAll(failureHandler.onPermanentFailure(r.request(), r.failure()));
        }
        reason = null;
        for (BulkClient.Rejection r : o.transientItems()) {
          failed.add(r.request());
          reason = r.failure().toString();
        }
      }
      List<DocWriteRequest> next = new ArrayList<>(fresh);
      int attempt = 0;
      for (DocWriteRequest r : failed) {
        if (!backoff.canRetry(r.attempt())) {
          throw new SinkException(FailureClass.TRANSIENT, "OpenSearch: giving up on " + r.index() + "/" + r.id()
              + " after " + r.attempt() + " attempts; last failure: " + reason);
        }
        next.add(r.nextAttempt());
        attempt = Math.max(attempt, r.attempt());
      }
      if (!failed.isEmpty()) {
        retried.addAndGet(failed.size());
        long delay = backoff.delayMillis(attempt);
        LOG.info("retrying {} documents in {} ms (attempt {} of {}): {}", failed.size(), delay, attempt + 1,
            backoff.maxAttempts(), reason);
        Thread.sleep(delay);
      }
      pending = next;
    }
  }

  /** {@code POST <indices>/_refresh}, so what was loaded is searchable. */
  public void refresh(String... indices) throws IOException {
    String path = "/" + String.join(",", indices) + "/_refresh";
    try (Response r = connection.generic().execute(Requests.create("POST", path, List.of(), Map.of(), null))) {
      if (r.getStatus() >= 300) {
        throw new SinkException(OpenSearchFailureClassifier.classifyResponse(r.getStatus()),
            "refresh " + String.join(",", indices) + ": HTTP " + r.getStatus());
      }
    }
  }

  /** Number of documents in an index ({@code _count}). */
  public long count(String index) throws IOException {
    try (Response r = connection.generic().execute(
        Requests.create("GET", "/" + index + "/_count", List.of(), Map.of(), null))) {
      String body = r.getBody().map(b -> new String(b.bodyAsBytes(), StandardCharsets.UTF_8)).orElse("");
      if (r.getStatus() != 200) {
        throw new SinkException(OpenSearchFailureClassifier.classifyResponse(r.getStatus()),
            "count " + index + ": HTTP " + r.getStatus() + ": " + body);
      }
      return Json.MAPPER.readTree(body).path("count").asLong();
    }
  }

  public OpenSearchConnection connection() {
    return connection;
  }

  @Override
  public void close() {
    if (ownsConnection) {
      connection.close();
    }
  }
}
