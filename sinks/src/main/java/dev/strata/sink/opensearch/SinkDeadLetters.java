package dev.strata.sink.opensearch;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.schema.deadletter.DeadLetter;
import dev.strata.schema.deadletter.Stage;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;

/** Dead letters for documents the sink could not write (stage SINK). */
public final class SinkDeadLetters {
  /** The reason code of every sink dead letter. */
  public static final String REASON = "sink_rejected";

  private SinkDeadLetters() {}

  /**
   * The dead letter for a rejected document. Its id is the SHA-256 of (stage, index, document id, reason),
   * NUL-separated, so a replay overwrites it instead of adding one. {@code artifact_sha256}, {@code origin},
   * {@code source_type}, {@code chunk_index}, {@code byte_offset}, {@code line_number} and {@code record_index} are
   * copied from the document's {@code lineage} (or top level) when it has them.
   */
  public static DeadLetter of(DocWriteRequest rejected, ItemFailure failure, Instant now) {
    JsonNode doc = null;
    try {
      doc = Json.MAPPER.readTree(rejected.source());
    } catch (Exception e) {
      // not JSON at all: keep the bytes, no lineage
    }
    JsonNode lineage = doc == null ? null : doc.has("lineage") ? doc.get("lineage") : doc;
    String id = sha256("SINK\0" + rejected.index() + "\0" + rejected.id() + "\0" + REASON);
    return DeadLetter.newBuilder()
        .setDeadLetterId(id)
        .setStage(Stage.SINK)
        .setSourceType(text(lineage, "source_type", text(doc, "source_format", null)))
        .setArtifactSha256(text(lineage, "artifact_sha256", null))
        .setOrigin(text(lineage, "origin", null))
        .setChunkIndex(lineage != null && lineage.path("chunk_index").canConvertToInt()
            && lineage.path("chunk_index").isNumber() ? lineage.get("chunk_index").intValue() : null)
        .setByteOffset(number(lineage, "byte_offset"))
        .setLineNumber(number(lineage, "line_number"))
        .setRecordIndex(number(lineage, "record_index"))
        .setReason(REASON)
        .setMessage("OpenSearch rejected document " + rejected.index() + "/" + rejected.id() + ": " + failure)
        .setExceptionClass(failure.type())
        .setOriginal(ByteBuffer.wrap(rejected.source()))
        .setOriginalSha256(sha256(rejected.source()))
        .setOriginalTruncated(false)
        .setTime(now.truncatedTo(ChronoUnit.MICROS))
        .build();
  }

  private static String text(JsonNode n, String field, String fallback) {
    if (n == null) {
      return fallback;
    }
    JsonNode v = n.get(field);
    return v != null && v.isTextual() ? v.textValue() : fallback;
  }

  private static Long number(JsonNode n, String field) {
    if (n == null) {
      return null;
    }
    JsonNode v = n.get(field);
    return v != null && v.isIntegralNumber() ? v.longValue() : null;
  }

  static String sha256(String s) {
    return sha256(s.getBytes(StandardCharsets.UTF_8));
  }

  static String sha256(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
