package dev.strata.ingest.publish;

import dev.strata.schema.raw.ArtifactManifest;
import dev.strata.schema.raw.RawArtifactChunk;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Keeps everything in memory, in publishing order (for {@code strata parse} on small inputs, and tests). Thread-safe.
 */
public final class InMemoryChunkPublisher implements ChunkPublisher {
  private final List<RawArtifactChunk> chunks = new ArrayList<>();
  private final List<ArtifactManifest> manifests = new ArrayList<>();

  @Override
  public synchronized void publish(RawArtifactChunk chunk) {
    chunks.add(chunk);
  }

  @Override
  public synchronized void publishManifest(ArtifactManifest manifest) {
    manifests.add(manifest);
  }

  @Override
  public synchronized long flush() {
    return chunks.size() + manifests.size();
  }

  @Override
  public void close() {}

  public synchronized List<RawArtifactChunk> chunks() {
    return Collections.unmodifiableList(new ArrayList<>(chunks));
  }

  public synchronized List<ArtifactManifest> manifests() {
    return Collections.unmodifiableList(new ArrayList<>(manifests));
  }

  /** Artifact ids in publishing order. */
  public synchronized Set<String> artifactIds() {
    Set<String> ids = new LinkedHashSet<>();
    chunks.forEach(c -> ids.add(c.getArtifactSha256()));
    return ids;
  }

  /** The chunks of one artifact, by index. */
  public synchronized List<RawArtifactChunk> chunksOf(String artifactSha256) {
    return chunks.stream()
        .filter(c -> c.getArtifactSha256().equals(artifactSha256))
        .sorted(Comparator.comparingInt(c -> c.getChunk().getIndex()))
        .toList();
  }

  /** The chunks of the artifact whose origin is {@code origin}, by index. */
  public synchronized List<RawArtifactChunk> chunksOfOrigin(String origin) {
    return chunks.stream()
        .filter(c -> c.getOrigin().equals(origin))
        .sorted(Comparator.comparingInt(c -> c.getChunk().getIndex()))
        .toList();
  }

  /** Concatenation of the payloads of chunks 0..count-1 of an artifact. */
  public byte[] reassemble(String artifactSha256) {
    return concat(chunksOf(artifactSha256));
  }

  /** Concatenation of the payloads of the given chunks, in the given order. */
  public static byte[] concat(List<RawArtifactChunk> chunks) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (RawArtifactChunk c : chunks) {
      ByteBuffer b = c.getPayload().duplicate();
      byte[] a = new byte[b.remaining()];
      b.get(a);
      out.writeBytes(a);
    }
    return out.toByteArray();
  }

  public synchronized void clear() {
    chunks.clear();
    manifests.clear();
  }
}
