package dev.strata.job.testing;

import dev.strata.parse.EventIds;
import dev.strata.schema.common.CollectorInfo;
import dev.strata.schema.common.Compression;
import dev.strata.schema.common.EvidenceContext;
import dev.strata.schema.common.Framing;
import dev.strata.schema.raw.ChunkInfo;
import dev.strata.schema.raw.RawArtifactChunk;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/** Builds raw chunks the way the collector does (one chunk per artifact unless told). */
public final class TestChunks {
  private TestChunks() {}

  /** The whole artifact {@code content} as one chunk. */
  public static RawArtifactChunk whole(String sourceType, String origin, String content) {
    byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
    String sha = EventIds.sha256Hex(bytes);
    return chunk(sourceType, origin, sha, bytes.length, bytes, 0, 1, 0L, 1L, 0L, framingOf(sourceType));
  }

  /** One chunk of an artifact: {@code payload} at {@code offset} of content whose hash is {@code artifactSha}. */
  public static RawArtifactChunk chunk(
      String sourceType,
      String origin,
      String artifactSha,
      long contentSize,
      byte[] payload,
      int index,
      int count,
      long offset,
      long firstLine,
      long firstRecord,
      Framing framing) {
    return RawArtifactChunk.newBuilder()
        .setArtifactSha256(artifactSha)
        .setArtifactSize(contentSize)
        .setContentSha256(artifactSha)
        .setContentSize(contentSize)
        .setCompression(Compression.NONE)
        .setSourceType(sourceType)
        .setOrigin(origin)
        .setEvidenceRoot("/evidence")
        .setOriginMtime(null)
        .setContext(EvidenceContext.newBuilder().setHost("node-1").setCluster("prod").build())
        .setCollector(
            CollectorInfo.newBuilder()
                .setId("file_collector")
                .setVersion("test")
                .setHostname("test-host")
                .setRunId("run-1")
                .setOperator(null)
                .build())
        .setCollectedAt(Instant.parse("2026-01-02T03:04:05.123456Z"))
        .setFraming(framing)
        .setChunk(
            ChunkInfo.newBuilder()
                .setIndex(index)
                .setCount(count)
                .setOffset(offset)
                .setLength(payload.length)
                .setFirstLine(firstLine)
                .setFirstRecord(firstRecord)
                .setSha256(EventIds.sha256Hex(payload))
                .setTruncatedRecord(false)
                .build())
        .setStorageUri("s3://evidence/artifacts/sha256/" + artifactSha)
        .setPayload(ByteBuffer.wrap(payload))
        .build();
  }

  /**
   * The artifact {@code content} cut after a newline into chunks of at most {@code maxChunkBytes} (a longer line
   * becomes a chunk of its own), with offsets and first lines as the collector sets them.
   */
  public static java.util.List<RawArtifactChunk> lines(
      String sourceType, String origin, byte[] content, int maxChunkBytes) {
    String sha = EventIds.sha256Hex(content);
    java.util.List<int[]> ranges = new java.util.ArrayList<>();
    int start = 0;
    while (start < content.length) {
      int end = Math.min(content.length, start + maxChunkBytes);
      if (end < content.length) {
        int cut = end;
        while (cut > start && content[cut - 1] != '\n') {
          cut--;
        }
        if (cut == start) { // one line longer than the chunk size: up to its newline
          cut = end;
          while (cut < content.length && content[cut - 1] != '\n') {
            cut++;
          }
        }
        end = cut;
      }
      ranges.add(new int[] {start, end});
      start = end;
    }
    java.util.List<RawArtifactChunk> out = new java.util.ArrayList<>();
    long line = 1;
    for (int i = 0; i < ranges.size(); i++) {
      int[] r = ranges.get(i);
      byte[] payload = java.util.Arrays.copyOfRange(content, r[0], r[1]);
      // like the collector: first_record = records (lines) before the chunk
      out.add(chunk(sourceType, origin, sha, content.length, payload, i, ranges.size(), r[0], line, line - 1,
          Framing.LINES));
      for (byte b : payload) {
        if (b == '\n') {
          line++;
        }
      }
    }
    return out;
  }

  static Framing framingOf(String sourceType) {
    return "aws_cloudtrail".equals(sourceType) ? Framing.JSON_RECORDS : Framing.LINES;
  }
}
