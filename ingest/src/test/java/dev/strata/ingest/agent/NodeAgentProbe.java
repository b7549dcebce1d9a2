package dev.strata.ingest.agent;

/** Test access to {@link NodeAgent}'s cycles (benchmarks). */
public final class NodeAgentProbe {
  private NodeAgentProbe() {}

  /** Runs cycles until the sink has received {@code bytes} of segments' worth of positions; returns the cycles run. */
  public static long drain(AgentOptions options, SegmentSink sink, long bytes) {
    NodeAgent agent = new NodeAgent(options, sink);
    agent.restore();
    long cycles = 0;
    while (agent.stats().bytes < bytes) {
      agent.cycle(false);
      cycles++;
    }
    return agent.stats().transactions;
  }
}
