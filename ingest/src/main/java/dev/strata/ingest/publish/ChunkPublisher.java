package dev.strata.ingest.publish;

import dev.strata.schema.raw.ArtifactManifest;
import dev.strata.schema.raw.RawArtifactChunk;
import java.util.function.Consumer;

/**
 * Where a collector sends what it collected. Implementations may send asynchronously; {@link #flush()} waits for
 * everything sent so far and fails if anything was lost. Any failure is a {@link PublishException} (the collection
 * stops: no silent loss).
 */
public interface ChunkPublisher extends AutoCloseable {

  /** Publishes one chunk (the publisher may keep the instance; the collector never reuses it). */
  void publish(RawArtifactChunk chunk);

  /** Publishes the chain-of-custody manifest of an artifact, after all of its chunks. */
  void publishManifest(ArtifactManifest manifest);

  /**
   * Waits until every record published so far is acknowledged.
   *
   * @return the number of records (chunks + manifests) acknowledged since this publisher was created
   * @throws PublishException if any record failed
   */
  long flush();

  @Override
  void close();

  /** A synchronous publisher that hands every chunk and manifest to the given callbacks (e.g. straight to a parser). */
  static ChunkPublisher forEach(Consumer<RawArtifactChunk> chunks, Consumer<ArtifactManifest> manifests) {
    return new ChunkPublisher() {
      private long count;

      @Override
      public void publish(RawArtifactChunk chunk) {
        chunks.accept(chunk);
        count++;
      }

      @Override
      public void publishManifest(ArtifactManifest manifest) {
        manifests.accept(manifest);
        count++;
      }

      @Override
      public long flush() {
        return count;
      }

      @Override
      public void close() {}
    };
  }
}
