package dev.strata.ingest.agent;

import dev.strata.ingest.checkpoint.CheckpointedPublisher;
import java.time.Duration;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link NodeAgent} as a process does: opens the checkpointed publisher (fencing an older instance of the same
 * collector id), tails until SIGTERM/SIGINT (a JVM shutdown hook asks the agent to stop, waits until the in-flight
 * transaction is committed and the producer closed), then returns.
 */
public final class NodeAgentService {
  private static final Logger LOG = LoggerFactory.getLogger(NodeAgentService.class);
  private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(25);

  private NodeAgentService() {}

  /**
   * Blocks until the agent stops (signal) or fails.
   *
   * @return 0 after a clean stop
   * @throws RuntimeException when the agent failed (fenced by another instance, Kafka unusable, ...)
   */
  public static int run(AgentOptions options, String bootstrapServers, Map<String, ?> kafkaPassThrough) {
    CheckpointedPublisher.Options po = CheckpointedPublisher.Options.defaults();
    if (options.checkpointFile() != null) {
      po = po.withCacheFile(options.checkpointFile());
    }
    CheckpointedPublisher publisher =
        CheckpointedPublisher.open(bootstrapServers, kafkaPassThrough, options.collectorId(), po);
    SegmentSink sink = SegmentSink.of(publisher);
    NodeAgent agent = new NodeAgent(options, sink);
    java.util.concurrent.CountDownLatch closed = new java.util.concurrent.CountDownLatch(1);
    Thread hook = new Thread(() -> {
      LOG.info("agent {}: stop signal; committing the in-flight batch", options.collectorId());
      agent.stop();
      try {
        if (!agent.awaitStopped(SHUTDOWN_WAIT)) {
          LOG.warn("agent {}: did not stop within {}; exiting (the open transaction is aborted by the broker)",
              options.collectorId(), SHUTDOWN_WAIT);
        }
        closed.await(SHUTDOWN_WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS); // producer closed
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "strata-agent-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      agent.run();
      return 0;
    } finally {
      sink.close();
      closed.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // shutting down: the hook is running
      }
    }
  }
}
