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
  /** The reason code of a document OpenSearch rejected. */
  public static final String REASON = "sink_rejected";
  /** The reason code of a document larger than {@code opensearch.max_record_bytes} (never sent). */
  public static final String REASON_TOO_LARGE = "record_too_large";
  /** A dead letter keeps at most this many bytes of the document (the SHA-256 is over all of it). */
  public static final int MAX_ORIGINAL_BYTES = 1 << 20;

  private SinkDeadLetters() {}

  /**
   * The dead letter for a rejected document. Its id is the SHA-256 of (stage, index, document id, reason),
   * NUL-separated, so a replay overwrites it instead of adding one. Reason {@value #REASON}, or
   * {@value #REASON_TOO_LARGE} when {@code failure.type()} is that. The document is kept as the original bytes, cut
   * at {@value #MAX_ORIGINAL_BYTES} bytes ({@code original_truncated}); {@code original_sha256} covers all of it. {@code artifact_sha256}, {@code origin},
   * {@code source_type}, {@code chunk_index}, {@code byte_offset}, {@code line_number} and {@code record_index} are
   * copied from the document's {@code lineage} (or top level) when it has them.
   */
  public static DeadLetter of(DocWriteRequest rejected, ItemFailure failure, Instant now) {
    return of(rejected, failure, now, MAX_ORIGINAL_BYTES);
  }

  static DeadLetter of(DocWriteRequest rejected, ItemFailure failure, Instant now, int maxOriginalBytes) {
    byte[] source = rejected.source();
    boolean truncated = source.length > maxOriginalBytes;
    String reason = REASON_TOO_LARGE.equals(failure.type()) ? REASON_TOO_LARGE : REASON;
    JsonNode doc = null;
    try {
      doc = truncated ? null : Json.MAPPER.readTree(source);
    } catch (Exception e) {
      // not JSON at all: keep the bytes, no lineage
    }
    JsonNode lineage = doc == null ? null : doc.has("lineage") ? doc.get("lineage") : doc;
    String id = sha256("SINK\0" + rejected.index() + "\0" + rejected.id() + "\0" + reason);
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
        .setReason(reason)
        .setMessage("OpenSearch rejected document " + rejected.index() + "/" + rejected.id() + ": " + failure)
        .setExceptionClass(failure.type())
        .setOriginal(ByteBuffer.wrap(source, 0, Math.min(source.length, maxOriginalBytes)).slice())
        .setOriginalSha256(sha256(source))
        .setOriginalTruncated(truncated)
        .setTime(now.truncatedTo(ChronoUnit.MICROS))
        .build();
  }

  /**
   * The request itself if it fits in {@code maxRecordBytes}, else a dead letter (reason {@value #REASON_TOO_LARGE})
   * for it in {@code deadLettersIndex}: an oversize document must neither fail the job (a restart would meet it
   * again) nor vanish.
   */
  public static DocWriteRequest guardSize(DocWriteRequest request, long maxRecordBytes, String deadLettersIndex) {
    if (request.sizeInBytes() <= maxRecordBytes) {
      return request;
    }
    ItemFailure f = new ItemFailure(413, REASON_TOO_LARGE, "document of " + request.sizeInBytes()
        + " bytes exceeds opensearch.max_record_bytes (" + maxRecordBytes + ")");
    // keep the dead letter well under the limit: base64 (4/3) + a 4 KiB text preview + the other fields
    DeadLetter dl = of(request, f, Instant.now(), (int) Math.min(MAX_ORIGINAL_BYTES, maxRecordBytes / 4));
    org.slf4j.LoggerFactory.getLogger(SinkDeadLetters.class).warn("{}/{}: {}; dead letter {} written to {}",
        request.index(), request.id(), f.reason(), dl.getDeadLetterId(), deadLettersIndex);
    return new DocWriteRequest(deadLettersIndex, dl.getDeadLetterId(), DeadLetterDocuments.toJson(dl));
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
