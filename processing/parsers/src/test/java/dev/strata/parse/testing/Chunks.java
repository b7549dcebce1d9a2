package dev.strata.parse.testing;

import dev.strata.parse.EventIds;
import dev.strata.schema.common.CollectorInfo;
import dev.strata.schema.common.Compression;
import dev.strata.schema.common.EvidenceContext;
import dev.strata.schema.common.Framing;
import dev.strata.schema.raw.ChunkInfo;
import dev.strata.schema.raw.RawArtifactChunk;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Test helper: makes RawArtifactChunks from files or bytes the way the collector would. */
public final class Chunks {

  public static final Instant COLLECTED_AT = Instant.parse("2026-01-02T03:04:05Z");

  private Chunks() {}

  /** One chunk holding the whole file (framing WHOLE or LINES). */
  public static RawArtifactChunk fromFile(Path file, String sourceType, Framing framing, String origin) {
    try {
      return single(Files.readAllBytes(file), sourceType, framing, origin);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static RawArtifactChunk single(String content, String sourceType, Framing framing, String origin) {
    return single(content.getBytes(StandardCharsets.UTF_8), sourceType, framing, origin);
  }

  public static RawArtifactChunk single(byte[] content, String sourceType, Framing framing, String origin) {
    String sha = EventIds.sha256Hex(content);
    return chunk(content, sha, sourceType, framing, origin, 0, 1, 0, 1, 0, false, content);
  }

  /** Cuts content into LINES chunks of at most maxBytes, each ending after a newline (a longer line: alone). */
  public static List<RawArtifactChunk> lines(byte[] content, String sourceType, String origin, int maxBytes) {
    String sha = EventIds.sha256Hex(content);
    List<int[]> cuts = new ArrayList<>();
    int start = 0;
    while (start < content.length) {
      int end = Math.min(content.length, start + maxBytes);
      if (end < content.length) {
        int nl = end - 1;
        while (nl >= start && content[nl] != '\n') nl--;
        if (nl >= start) {
          end = nl + 1;
        } else {
          int f = start + maxBytes;
          while (f < content.length && content[f] != '\n') f++;
          end = Math.min(content.length, f + 1);
        }
      }
      cuts.add(new int[] {start, end});
      start = end;
    }
    List<RawArtifactChunk> out = new ArrayList<>();
    long line = 1;
    for (int i = 0; i < cuts.size(); i++) {
      int[] c = cuts.get(i);
      byte[] payload = Arrays.copyOfRange(content, c[0], c[1]);
      out.add(chunk(payload, sha, sourceType, Framing.LINES, origin, i, cuts.size(), c[0], line, 0, false, content));
      for (byte b : payload) if (b == '\n') line++;
    }
    return out;
  }

  /** A chunk with every position given explicitly. */
  public static RawArtifactChunk chunk(
      byte[] payload,
      String artifactSha,
      String sourceType,
      Framing framing,
      String origin,
      int index,
      int count,
      long offset,
      long firstLine,
      long firstRecord,
      boolean truncated,
      byte[] content) {
    return RawArtifactChunk.newBuilder()
        .setArtifactSha256(artifactSha)
        .setArtifactSize(content.length)
        .setContentSha256(artifactSha)
        .setContentSize(content.length)
        .setCompression(Compression.NONE)
        .setSourceType(sourceType)
        .setOrigin(origin)
        .setContext(EvidenceContext.newBuilder().setHost("node-1").setCluster("test-cluster").build())
        .setCollector(
            CollectorInfo.newBuilder()
                .setId("file_collector")
                .setVersion("test")
                .setRunId("run-1")
                .build())
        .setCollectedAt(COLLECTED_AT)
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
                .setTruncatedRecord(truncated)
                .build())
        .setStorageUri("s3://evidence/artifacts/sha256/" + artifactSha)
        .setPayload(ByteBuffer.wrap(payload))
        .build();
  }
}
