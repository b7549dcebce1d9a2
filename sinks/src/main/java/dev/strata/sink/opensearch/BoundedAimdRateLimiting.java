package dev.strata.sink.opensearch;

import org.apache.flink.connector.base.sink.writer.strategy.RateLimitingStrategy;
import org.apache.flink.connector.base.sink.writer.strategy.RequestInfo;
import org.apache.flink.connector.base.sink.writer.strategy.ResultInfo;

/**
 * The sink's rate limiter: at most {@code maxInFlightRequests} requests; the documents in flight scale AIMD
 * between one full batch and {@code maxInFlightRequests} batches (halved when a request had failures, grown by a
 * quarter batch per clean one). Unlike Flink's default ({@code CongestionControlRateLimitingStrategy}, which starts
 * at one batch, grows by 10 documents per request and shrinks the batch size itself on failures, down to a few
 * documents per request) batches stay full size: an overloaded node (429) gets fewer concurrent requests and the
 * retry backoff, not a storm of tiny ones.
 */
final class BoundedAimdRateLimiting implements RateLimitingStrategy {
  private final int maxInFlightRequests;
  private final int batchSize;
  private final int maxDocs;
  private final int increase;
  private int limitDocs;
  private int inFlightRequests;
  private int inFlightDocs;

  BoundedAimdRateLimiting(int maxInFlightRequests, int batchSize) {
    this.maxInFlightRequests = maxInFlightRequests;
    this.batchSize = batchSize;
    this.maxDocs = (int) Math.min(Integer.MAX_VALUE, (long) batchSize * maxInFlightRequests);
    this.increase = Math.max(1, batchSize / 4);
    this.limitDocs = maxDocs;
  }

  @Override
  public void registerInFlightRequest(RequestInfo request) {
    inFlightRequests++;
    inFlightDocs += request.getBatchSize();
  }

  @Override
  public void registerCompletedRequest(ResultInfo result) {
    inFlightRequests--;
    inFlightDocs -= result.getBatchSize();
    if (result.getFailedMessages() > 0) {
      limitDocs = Math.max(batchSize, limitDocs / 2);
    } else {
      limitDocs = (int) Math.min(maxDocs, (long) limitDocs + increase);
    }
  }

  @Override
  public boolean shouldBlock(RequestInfo request) {
    return inFlightRequests >= maxInFlightRequests
        || (inFlightRequests > 0 && inFlightDocs + request.getBatchSize() > limitDocs);
  }

  @Override
  public int getMaxBatchSize() {
    return batchSize;
  }

  int limitDocs() {
    return limitDocs;
  }
}
