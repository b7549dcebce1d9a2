package dev.strata.parse;

import dev.strata.schema.deadletter.DeadLetter;
import dev.strata.schema.deadletter.Stage;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.raw.ChunkInfo;
import dev.strata.schema.raw.RawArtifactChunk;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Parses one chunk with the parser registered for its source_type and turns everything that goes wrong into Avro
 * {@link DeadLetter}s (stage PARSE): each {@link Rejection}, a {@link ParseException}, and any RuntimeException
 * thrown by a parser (a parser bug never escapes). A chunk whose source_type has no parser, or whose bytes the
 * parser's probe refuses, becomes one dead letter {@code not_recognized} carrying the payload.
 *
 * <p>Events are passed on as the parser emits them; if a parser fails half-way, the events emitted before stay
 * emitted (their ids are deterministic, so a replay does not duplicate them) and the dead letter carries the whole
 * payload. Exceptions thrown by the {@link ChunkOutput} itself are not dead-lettered: they propagate.
 *
 * <p>Thread-safe if the registry's parsers are (the defaults are). Create it once (e.g. in a Flink {@code open()}).
 */
public final class ChunkParser {

  /** A dead letter carries at most this many original bytes (original_truncated says when it was cut). */
  public static final int MAX_DEAD_LETTER_ORIGINAL_BYTES = 1 << 20;

  private final ParserRegistry registry;
  private final Clock clock;

  public ChunkParser(ParserRegistry registry) {
    this(registry, Clock.systemUTC());
  }

  /** @param clock gives dead letters their {@code time} (when they were produced) */
  public ChunkParser(ParserRegistry registry, Clock clock) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  public ParserRegistry registry() {
    return registry;
  }

  /** Parses the chunk and collects everything it produced. */
  public ChunkParseResult parse(RawArtifactChunk chunk) {
    List<EvidenceEvent> events = new ArrayList<>();
    List<DeadLetter> dead = new ArrayList<>();
    parse(
        chunk,
        new ChunkOutput() {
          @Override
          public void event(EvidenceEvent event) {
            events.add(event);
          }

          @Override
          public void deadLetter(DeadLetter deadLetter) {
            dead.add(deadLetter);
          }
        });
    return new ChunkParseResult(events, dead);
  }

  /** Parses the chunk, passing events and dead letters to {@code out} as they are produced. */
  public void parse(RawArtifactChunk chunk, ChunkOutput out) {
    Objects.requireNonNull(chunk, "chunk");
    Objects.requireNonNull(out, "out");
    EvidenceParser parser = registry.forSourceType(chunk.getSourceType()).orElse(null);
    if (parser == null) {
      out.deadLetter(
          chunkDeadLetter(
              chunk,
              RejectReason.NOT_RECOGNIZED,
              "no parser for source_type '" + chunk.getSourceType() + "' (known: " + registry.formats() + ")",
              null));
      return;
    }
    Counting counting = new Counting(chunk, out);
    try {
      if (!parser.accepts(chunk)) {
        out.deadLetter(
            chunkDeadLetter(
                chunk,
                RejectReason.NOT_RECOGNIZED,
                "parser '" + parser.format() + "' does not recognize the chunk's bytes",
                null));
        return;
      }
      parser.parse(chunk, counting);
    } catch (DownstreamException e) {
      throw e.unwrap();
    } catch (ParseException e) {
      out.deadLetter(chunkDeadLetter(chunk, e.reason(), messageOf(e, counting), e.getClass().getName()));
    } catch (RuntimeException | StackOverflowError e) {
      out.deadLetter(
          chunkDeadLetter(chunk, RejectReason.PARSER_ERROR, messageOf(e, counting), e.getClass().getName()));
    }
  }

  /** The dead letter for one rejected record of {@code chunk}. */
  public DeadLetter toDeadLetter(RawArtifactChunk chunk, Rejection r) {
    byte[] orig = r.original();
    return deadLetter(
        chunk,
        r.reason().code(),
        r.message(),
        null,
        r.byteOffset(),
        r.lineNumber(),
        r.recordIndex(),
        orig,
        0,
        orig.length,
        r.originalTruncated());
  }

  private DeadLetter chunkDeadLetter(
      RawArtifactChunk chunk, RejectReason reason, String message, String exceptionClass) {
    ChunkInfo ci = chunk.getChunk();
    ByteBuffer b = chunk.getPayload() == null ? ByteBuffer.allocate(0) : chunk.getPayload().duplicate();
    byte[] payload;
    int off;
    int len = b.remaining();
    if (b.hasArray()) {
      payload = b.array();
      off = b.arrayOffset() + b.position();
    } else {
      payload = new byte[len];
      b.get(payload);
      off = 0;
    }
    return deadLetter(
        chunk,
        reason.code(),
        message,
        exceptionClass,
        ci == null ? null : ci.getOffset(),
        ci == null ? null : ci.getFirstLine(),
        null,
        payload,
        off,
        len,
        ci != null && ci.getTruncatedRecord());
  }

  private DeadLetter deadLetter(
      RawArtifactChunk chunk,
      String reason,
      String message,
      String exceptionClass,
      Long byteOffset,
      Long line,
      Long recordIndex,
      byte[] bytes,
      int off,
      int len,
      boolean alreadyTruncated) {
    ChunkInfo ci = chunk.getChunk();
    Integer chunkIndex = ci == null ? null : ci.getIndex();
    int kept = Math.min(len, MAX_DEAD_LETTER_ORIGINAL_BYTES);
    byte[] original = Arrays.copyOfRange(bytes, off, off + kept);
    DeadLetter d = new DeadLetter();
    d.setDeadLetterId(
        EventIds.deadLetterId(chunk.getArtifactSha256(), chunkIndex, byteOffset, recordIndex, Stage.PARSE, reason));
    d.setStage(Stage.PARSE);
    d.setSourceType(chunk.getSourceType());
    d.setArtifactSha256(chunk.getArtifactSha256());
    d.setOrigin(chunk.getOrigin());
    d.setChunkIndex(chunkIndex);
    d.setByteOffset(byteOffset);
    d.setLineNumber(line);
    d.setRecordIndex(recordIndex);
    d.setReason(reason);
    d.setMessage(message);
    d.setExceptionClass(exceptionClass);
    d.setOriginal(ByteBuffer.wrap(original));
    // hash of every original byte we had, so the record can be checked against the evidence store even when cut
    d.setOriginalSha256(EventIds.sha256Hex(bytes, off, len));
    d.setOriginalTruncated(alreadyTruncated || kept < len);
    d.setTime(clock.instant());
    return d;
  }

  private static String messageOf(Throwable e, Counting c) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    if (m.length() > 2000) m = m.substring(0, 2000) + "...";
    if (c.events > 0 || c.rejections > 0) {
      m += " (after " + c.events + " events and " + c.rejections + " rejections from this chunk)";
    }
    return m;
  }

  /** Forwards to the caller's output, counting, and marks the caller's own exceptions so they are not eaten. */
  private final class Counting implements ParseOutput {
    private final RawArtifactChunk chunk;
    private final ChunkOutput out;
    long events;
    long rejections;

    Counting(RawArtifactChunk chunk, ChunkOutput out) {
      this.chunk = chunk;
      this.out = out;
    }

    @Override
    public void emit(EvidenceEvent event) {
      Objects.requireNonNull(event, "event");
      events++;
      try {
        out.event(event);
      } catch (RuntimeException e) {
        throw new DownstreamException(e);
      }
    }

    @Override
    public void reject(Rejection rejection) {
      Objects.requireNonNull(rejection, "rejection");
      rejections++;
      DeadLetter d = toDeadLetter(chunk, rejection);
      try {
        out.deadLetter(d);
      } catch (RuntimeException e) {
        throw new DownstreamException(e);
      }
    }
  }

  private static final class DownstreamException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    DownstreamException(RuntimeException cause) {
      super(cause);
    }

    RuntimeException unwrap() {
      return (RuntimeException) getCause();
    }
  }
}
