package dev.strata.ingest.agent;

import dev.strata.ingest.checkpoint.CheckpointedPublisher;
import dev.strata.ingest.checkpoint.Position;
import dev.strata.schema.raw.RawArtifactChunk;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Where the agent's segments and positions go, atomically: {@link CheckpointedPublisher} in production, an
 * in-memory sink in tests.
 */
public interface SegmentSink extends AutoCloseable {
  /** The positions committed by earlier runs (authoritative). */
  Map<String, Position> restore();

  /** A segment and the source (checkpoint key) it was read from. */
  record Segment(RawArtifactChunk chunk, String sourceKey) {}

  /** Publishes the segments and the position changes in one transaction, or nothing (then throws). */
  void publish(List<Segment> segments, Map<String, Position> advanced, Collection<String> forgotten);

  /** False when the sink cannot be used any more (the agent must stop; a restart reopens it). */
  default boolean usable() {
    return true;
  }

  @Override
  void close();

  static SegmentSink of(CheckpointedPublisher p) {
    return new SegmentSink() {
      @Override
      public Map<String, Position> restore() {
        return p.restore();
      }

      @Override
      public void publish(List<Segment> segments, Map<String, Position> advanced, Collection<String> forgotten) {
        try (CheckpointedPublisher.Batch b = p.begin()) {
          segments.forEach(s -> b.add(s.chunk(), s.sourceKey()));
          advanced.forEach(b::advance);
          forgotten.forEach(b::forget);
          b.commit();
        }
      }

      @Override
      public boolean usable() {
        return p.usable();
      }

      @Override
      public void close() {
        p.close();
      }
    };
  }
}
