package dev.strata.parse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.parse.testing.Chunks;
import dev.strata.schema.common.Framing;
import dev.strata.schema.deadletter.DeadLetter;
import dev.strata.schema.deadletter.Stage;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.raw.RawArtifactChunk;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChunkParserTest {

  private static final Clock CLOCK = Clock.fixed(Instant.parse("2030-01-01T00:00:00Z"), ZoneOffset.UTC);

  /** A parser that does whatever the test wants. */
  private record Fake(String format, Behaviour b) implements EvidenceParser {
    interface Behaviour {
      void run(RawArtifactChunk c, ParseOutput out) throws ParseException;
    }

    @Override
    public boolean accepts(RawArtifactChunk chunk) {
      return !new String(chunk.getPayload().array(), StandardCharsets.UTF_8).startsWith("REFUSE");
    }

    @Override
    public void parse(RawArtifactChunk chunk, ParseOutput out) throws ParseException {
      b.run(chunk, out);
    }
  }

  private static ChunkParser with(Fake.Behaviour b) {
    return new ChunkParser(ParserRegistry.of(List.of(new Fake("fake", b))), CLOCK);
  }

  private static RawArtifactChunk chunk(String payload) {
    return Chunks.single(payload, "fake", Framing.LINES, "logs/a.log");
  }

  @Test
  void unknownSourceTypeIsOneNotRecognizedDeadLetterWithThePayload() {
    var r = new ChunkParser(ParserRegistry.defaults(), CLOCK)
        .parse(Chunks.single("hello", "no_such_format", Framing.LINES, "x/y"));
    assertThat(r.events()).isEmpty();
    DeadLetter d = r.deadLetters().get(0);
    assertThat(r.deadLetters()).hasSize(1);
    assertThat(d.getReason()).isEqualTo("not_recognized");
    assertThat(d.getStage()).isEqualTo(Stage.PARSE);
    assertThat(new String(d.getOriginal().array(), StandardCharsets.UTF_8)).isEqualTo("hello");
    assertThat(d.getOriginalSha256()).isEqualTo(EventIds.sha256Hex("hello".getBytes(StandardCharsets.UTF_8)));
    assertThat(d.getSourceType()).isEqualTo("no_such_format");
    assertThat(d.getTime()).isEqualTo(CLOCK.instant());
    assertThat(d.getMessage()).contains("no_such_format");
  }

  @Test
  void refusedByProbeIsNotRecognized() {
    var r = with((c, out) -> {}).parse(chunk("REFUSE me"));
    assertThat(r.deadLetters()).singleElement().satisfies(d -> assertThat(d.getReason()).isEqualTo("not_recognized"));
  }

  @Test
  void parserBugBecomesADeadLetterAndEarlierEventsStay() {
    ChunkParser cp = with((c, out) -> {
      out.emit(event(ChunkContext.of(c)));
      throw new IllegalStateException("boom");
    });
    var r = cp.parse(chunk("payload"));
    assertThat(r.events()).hasSize(1);
    DeadLetter d = r.deadLetters().get(0);
    assertThat(d.getReason()).isEqualTo("parser_error");
    assertThat(d.getExceptionClass()).isEqualTo(IllegalStateException.class.getName());
    assertThat(d.getMessage()).contains("boom").contains("after 1 events");
    assertThat(new String(d.getOriginal().array(), StandardCharsets.UTF_8)).isEqualTo("payload");
    assertThat(d.getByteOffset()).isEqualTo(0L);
    assertThat(d.getLineNumber()).isEqualTo(1L);
  }

  @Test
  void stackOverflowIsAParserBugToo() {
    var r = with((c, out) -> {
      throw new StackOverflowError();
    }).parse(chunk("x"));
    assertThat(r.deadLetters()).singleElement().satisfies(d -> assertThat(d.getReason()).isEqualTo("parser_error"));
  }

  @Test
  void parseExceptionKeepsItsReason() {
    var r = with((c, out) -> {
      throw new ParseException(RejectReason.UNSUPPORTED_VERSION, "v9");
    }).parse(chunk("x"));
    DeadLetter d = r.deadLetters().get(0);
    assertThat(d.getReason()).isEqualTo("unsupported_version");
    assertThat(d.getExceptionClass()).isEqualTo(ParseException.class.getName());
  }

  @Test
  void rejectionsBecomeDeadLettersWithLineage() {
    byte[] orig = "bad record".getBytes(StandardCharsets.UTF_8);
    var r = with((c, out) -> out.reject(new Rejection(RejectReason.MISSING_FIELD, "no x", 1234, 7L, 3L, orig)))
        .parse(chunk("whatever"));
    DeadLetter d = r.deadLetters().get(0);
    assertThat(d.getReason()).isEqualTo("missing_field");
    assertThat(d.getByteOffset()).isEqualTo(1234L);
    assertThat(d.getLineNumber()).isEqualTo(7L);
    assertThat(d.getRecordIndex()).isEqualTo(3L);
    assertThat(d.getChunkIndex()).isEqualTo(0);
    assertThat(d.getOrigin()).isEqualTo("logs/a.log");
    assertThat(d.getExceptionClass()).isNull();
    assertThat(d.getOriginalTruncated()).isFalse();
    assertThat(d.getDeadLetterId())
        .isEqualTo(EventIds.deadLetterId(d.getArtifactSha256(), 0, 1234L, 3L, Stage.PARSE, "missing_field"))
        .matches("[0-9a-f]{64}");
  }

  @Test
  void originalIsBoundedTo1MiB() {
    byte[] big = new byte[ChunkParser.MAX_DEAD_LETTER_ORIGINAL_BYTES + 10];
    java.util.Arrays.fill(big, (byte) 'z');
    var r = with((c, out) -> out.reject(new Rejection(RejectReason.MALFORMED_JSON, "m", 0, 1L, 0L, big)))
        .parse(chunk("x"));
    DeadLetter d = r.deadLetters().get(0);
    assertThat(d.getOriginal().remaining()).isEqualTo(ChunkParser.MAX_DEAD_LETTER_ORIGINAL_BYTES);
    assertThat(d.getOriginalTruncated()).isTrue();
    assertThat(d.getOriginalSha256()).isEqualTo(EventIds.sha256Hex(big));
  }

  @Test
  void exceptionsOfTheCallersOutputPropagate() {
    ChunkParser cp = with((c, out) -> out.emit(event(ChunkContext.of(c))));
    assertThatThrownBy(
            () ->
                cp.parse(
                    chunk("x"),
                    new ChunkOutput() {
                      @Override
                      public void event(EvidenceEvent event) {
                        throw new IllegalArgumentException("sink closed");
                      }

                      @Override
                      public void deadLetter(DeadLetter deadLetter) {}
                    }))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("sink closed");
  }

  @Test
  void realParsersNeverLetAnExceptionOut() {
    ChunkParser cp = new ChunkParser(ParserRegistry.defaults());
    for (String f : ParserRegistry.defaults().formats()) {
      var r = cp.parse(Chunks.single("{\"a\":[1,2,{\"b\":null}]}\n\u0000", f, Framing.WHOLE, "x"));
      assertThat(r.deadLetters()).isNotEmpty();
    }
  }

  private static EvidenceEvent event(ChunkContext ctx) {
    return ctx.newEvent(OcsfClass.BASE_EVENT, 0, null, 0, 1, 1, 0, 0);
  }
}
