package dev.strata.job;

import dev.strata.parse.EventIds;
import dev.strata.parse.RejectReason;
import dev.strata.schema.deadletter.DeadLetter;
import dev.strata.schema.deadletter.Stage;
import dev.strata.schema.raw.RawArtifactChunk;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** Dead letters made by the job itself (not by a parser): undecodable records and the last-resort catch. */
public final class JobDeadLetters {
  /** The raw record is not a RawArtifactChunk of any known schema version. */
  public static final String UNDECODABLE_RECORD = "undecodable_record";

  /** Same code as {@link RejectReason#PARSER_ERROR}. */
  public static final String PARSER_ERROR = RejectReason.PARSER_ERROR.code();

  private static final int MAX_MESSAGE = 2000;

  private JobDeadLetters() {}

  /**
   * For bytes read from {@code topic}/{@code partition}@{@code offset} that do not decode. The artifact is unknown,
   * so the id is over the Kafka coordinates: re-reading the same record gives the same id.
   */
  public static DeadLetter undecodable(RawInput in) {
    String id =
        EventIds.sha256Hex(
            ("dl|kafka|" + in.topic() + "|" + in.partition() + "|" + in.offset() + "|PARSE|" + UNDECODABLE_RECORD)
                .getBytes(StandardCharsets.UTF_8));
    byte[] original = in.original();
    return DeadLetter.newBuilder()
        .setDeadLetterId(id)
        .setStage(Stage.PARSE)
        .setReason(UNDECODABLE_RECORD)
        .setMessage(
            bound("record " + in.topic() + "-" + in.partition() + "@" + in.offset() + " does not decode: " + in.error()))
        .setExceptionClass(null)
        .setOriginal(ByteBuffer.wrap(original))
        .setOriginalSha256(EventIds.sha256Hex(original))
        .setOriginalTruncated(false)
        .setTime(now())
        .build();
  }

  /** Last resort: the whole chunk, when parsing it threw (a bug; the events of that chunk are not emitted). */
  public static DeadLetter parserError(RawArtifactChunk chunk, Throwable error) {
    byte[] payload = bytes(chunk.getPayload());
    long offset = chunk.getChunk().getOffset();
    int index = chunk.getChunk().getIndex();
    return DeadLetter.newBuilder()
        .setDeadLetterId(
            EventIds.deadLetterId(chunk.getArtifactSha256(), index, offset, null, Stage.PARSE, PARSER_ERROR))
        .setStage(Stage.PARSE)
        .setSourceType(chunk.getSourceType())
        .setArtifactSha256(chunk.getArtifactSha256())
        .setOrigin(chunk.getOrigin())
        .setChunkIndex(index)
        .setByteOffset(offset)
        .setLineNumber(chunk.getChunk().getFirstLine())
        .setRecordIndex(null)
        .setReason(PARSER_ERROR)
        .setMessage(bound("parsing the chunk failed: " + error))
        .setExceptionClass(error.getClass().getName())
        .setOriginal(ByteBuffer.wrap(payload))
        .setOriginalSha256(EventIds.sha256Hex(payload))
        .setOriginalTruncated(chunk.getChunk().getTruncatedRecord())
        .setTime(now())
        .build();
  }

  static byte[] bytes(ByteBuffer buf) {
    ByteBuffer b = buf.duplicate();
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }

  private static String bound(String s) {
    return s.length() <= MAX_MESSAGE ? s : s.substring(0, MAX_MESSAGE) + "...";
  }

  private static Instant now() {
    return Instant.now().truncatedTo(ChronoUnit.MICROS);
  }
}
