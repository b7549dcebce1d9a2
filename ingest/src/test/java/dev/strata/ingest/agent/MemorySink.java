package dev.strata.ingest.agent;

import dev.strata.ingest.checkpoint.Position;
import dev.strata.ingest.publish.PublishException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** A transactional sink in memory: committed segments and positions, and a switch to fail the next publish. */
final class MemorySink implements SegmentSink {
  final List<Segment> committed = new ArrayList<>();
  final Map<String, Position> positions = new TreeMap<>();
  int transactions;
  boolean failNext;

  @Override
  public synchronized Map<String, Position> restore() {
    return Map.copyOf(positions);
  }

  @Override
  public synchronized void publish(List<Segment> segments, Map<String, Position> advanced, Collection<String> forgotten) {
    if (failNext) {
      failNext = false;
      throw new PublishException("broker down (test)", null);
    }
    committed.addAll(segments);
    positions.putAll(advanced);
    forgotten.forEach(positions::remove);
    transactions++;
  }

  @Override
  public void close() {}
}
