package dev.strata.sink.opensearch;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.connector.base.sink.writer.strategy.BasicRequestInfo;
import org.apache.flink.connector.base.sink.writer.strategy.BasicResultInfo;
import org.junit.jupiter.api.Test;

class BoundedAimdRateLimitingTest {
  @Test
  void startsAtFullConcurrencyBacksOffToOneBatchNeverSmallerBatches() {
    BoundedAimdRateLimiting r = new BoundedAimdRateLimiting(2, 2000);
    BasicRequestInfo batch = new BasicRequestInfo(2000);
    assertThat(r.getMaxBatchSize()).isEqualTo(2000);
    assertThat(r.shouldBlock(batch)).isFalse();
    r.registerInFlightRequest(batch);
    assertThat(r.shouldBlock(batch)).isFalse(); // two in flight allowed from the start
    r.registerInFlightRequest(batch);
    assertThat(r.shouldBlock(batch)).isTrue();

    // failures halve the documents in flight, down to one batch, never below
    for (int i = 0; i < 5; i++) {
      r.registerCompletedRequest(new BasicResultInfo(2000, 2000));
      r.registerInFlightRequest(batch);
    }
    assertThat(r.limitDocs()).isEqualTo(2000);
    assertThat(r.shouldBlock(batch)).isTrue(); // one in flight: the second must wait
    assertThat(r.getMaxBatchSize()).isEqualTo(2000);
    r.registerCompletedRequest(new BasicResultInfo(0, 2000));
    assertThat(r.shouldBlock(batch)).isTrue(); // 2000 in flight + 2000 > 2500 (one clean request later)
    r.registerCompletedRequest(new BasicResultInfo(0, 2000));
    assertThat(r.shouldBlock(batch)).isFalse(); // nothing in flight: always allowed
    // clean requests grow it back by a quarter batch each
    for (int i = 0; i < 4; i++) {
      r.registerInFlightRequest(batch);
      r.registerCompletedRequest(new BasicResultInfo(0, 2000));
    }
    assertThat(r.limitDocs()).isEqualTo(4000);
  }
}
