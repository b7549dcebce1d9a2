package dev.strata.job;

import dev.strata.schema.raw.RawArtifactChunk;
import java.util.Objects;

/**
 * One record read from the raw topic: either a decoded {@link RawArtifactChunk} or the bytes of a record that could
 * not be decoded (kept, with where they were read from, so they become a dead letter instead of failing the job).
 */
public final class RawInput {
  private final RawArtifactChunk chunk;
  private final byte[] original;
  private final String error;
  private final String topic;
  private final int partition;
  private final long offset;

  private RawInput(
      RawArtifactChunk chunk, byte[] original, String error, String topic, int partition, long offset) {
    this.chunk = chunk;
    this.original = original;
    this.error = error;
    this.topic = topic;
    this.partition = partition;
    this.offset = offset;
  }

  /** A decoded chunk read from {@code topic}/{@code partition} at {@code offset} (-1 when not read from Kafka). */
  public static RawInput chunk(RawArtifactChunk chunk, String topic, int partition, long offset) {
    return new RawInput(Objects.requireNonNull(chunk, "chunk"), null, null, topic, partition, offset);
  }

  /** A chunk that did not come from Kafka (tests, replays). */
  public static RawInput chunk(RawArtifactChunk chunk) {
    return chunk(chunk, null, -1, -1L);
  }

  /** Bytes that are not a RawArtifactChunk of any known schema version; {@code original} may be empty, never null. */
  public static RawInput undecodable(byte[] original, String topic, int partition, long offset, String error) {
    return new RawInput(null, original == null ? new byte[0] : original, error, topic, partition, offset);
  }

  public boolean isChunk() {
    return chunk != null;
  }

  /** The chunk, or null for an undecodable record. */
  public RawArtifactChunk chunk() {
    return chunk;
  }

  /** The undecodable bytes, or null for a chunk. Not copied: do not modify. */
  public byte[] original() {
    return original;
  }

  /** Why decoding failed, or null. */
  public String error() {
    return error;
  }

  public String topic() {
    return topic;
  }

  public int partition() {
    return partition;
  }

  public long offset() {
    return offset;
  }

  @Override
  public String toString() {
    String where = topic + "-" + partition + "@" + offset;
    return isChunk()
        ? "RawInput[chunk " + chunk.getArtifactSha256() + "#" + chunk.getChunk().getIndex() + " from " + where + "]"
        : "RawInput[undecodable " + original.length + " bytes from " + where + ": " + error + "]";
  }
}
