package dev.strata.parse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.parse.testing.Chunks;
import dev.strata.parse.testing.CollectingOutput;
import dev.strata.parse.testing.Golden;
import dev.strata.schema.common.Framing;
import dev.strata.schema.deadletter.DeadLetter;
import dev.strata.schema.raw.RawArtifactChunk;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * What every parser must do. A format's test extends this and names its parser; its fixtures live in
 * src/test/resources/fixtures/&lt;format&gt;/ as {@code <case>.input} + {@code <case>.expected.json}.
 *
 * <p>expected.json: {@code framing} (LINES, WHOLE), {@code origin}, {@code events} (count), {@code dead_letters}
 * (list of partial dead letters, e.g. reason and line_number; its length is the dead letter count), {@code golden}
 * (list of partial events compared with the events in order; see {@link Golden}).
 */
public abstract class ParserContractTest {

  protected static final ObjectMapper JSON = new ObjectMapper();

  protected abstract EvidenceParser parser();

  protected String format() {
    return parser().format();
  }

  private static final dev.strata.schema.AvroCodec<dev.strata.schema.event.EvidenceEvent> EVENTS =
      dev.strata.schema.AvroCodec.of(dev.strata.schema.event.EvidenceEvent.class);

  /** The parser's output for {@code chunk}; every event must encode on the wire (Avro) and decode equal. */
  protected CollectingOutput parse(RawArtifactChunk chunk) throws ParseException {
    CollectingOutput out = new CollectingOutput();
    parser().parse(chunk, out);
    for (var e : out.events) {
      try {
        org.assertj.core.api.Assertions.assertThat(EVENTS.decode(EVENTS.encode(e))).as("Avro round trip").isEqualTo(e);
      } catch (RuntimeException x) {
        throw new AssertionError("event does not encode: " + x, x);
      }
    }
    return out;
  }

  protected CollectingOutput parse(String content, Framing framing, String origin) throws ParseException {
    return parse(Chunks.single(content, format(), framing, origin));
  }

  /** The events of {@code content} read as lines, which must reject nothing. */
  protected List<dev.strata.schema.event.EvidenceEvent> lineEvents(String content, String origin)
      throws ParseException {
    CollectingOutput out = parse(content, Framing.LINES, origin);
    org.assertj.core.api.Assertions.assertThat(out.rejections).as("rejections").isEmpty();
    return out.events;
  }

  protected List<DeadLetter> deadLetters(String content, Framing framing) {
    return new ChunkParser(ParserRegistry.defaults())
        .parse(Chunks.single(content, format(), framing, "x/" + format()))
        .deadLetters();
  }

  @Test
  void formatIdIsLowerSnakeCase() {
    assertThat(parser().format()).matches("[a-z][a-z0-9_]*");
  }

  @Test
  void emptyPayloadGivesNothing() throws Exception {
    for (String blank : new String[] {"", "\n", "  \n\n\t\r\n"}) {
      for (Framing f : Framing.values()) {
        CollectingOutput out = parse(blank, f, "x/empty");
        assertThat(out.events).as("events for %s", f).isEmpty();
        assertThat(out.rejections).as("rejections for %s", f).isEmpty();
      }
    }
  }

  @Test
  void acceptsItsOwnSourceTypeOnly() {
    assertThat(parser().accepts(Chunks.single("{}", format(), Framing.WHOLE, "x"))).isTrue();
    assertThat(parser().accepts(Chunks.single("{}", "some_other_format", Framing.WHOLE, "x"))).isFalse();
  }

  @Test
  void garbageBecomesRejectionsNotExceptions() {
    List<byte[]> inputs = new ArrayList<>();
    for (String s :
        new String[] {
          "not json at all\n",
          "{\n",
          "[1,2\n",
          "}\n",
          "{\"a\":}\n",
          "null\n",
          "42\n",
          "\"str\"\n",
          "{}\n",
          "{\"Records\":[1,2,{\"x\":\"y\"}]}\n",
          "{\"log\":1,\"time\":[]}\n",
          "[".repeat(5000) + "\n",
          "{\"a\":\"\\ud800\"}\n",
          "\u0000\u0001\u0002\n"
        }) {
      inputs.add(s.getBytes(StandardCharsets.UTF_8));
    }
    Random r = new Random(7);
    for (int i = 0; i < 50; i++) {
      byte[] b = new byte[1 + r.nextInt(300)];
      r.nextBytes(b);
      inputs.add(b);
    }
    for (byte[] in : inputs) {
      for (Framing f : Framing.values()) {
        RawArtifactChunk chunk = Chunks.single(in, format(), f, "x/garbage");
        assertThatCode(
                () -> {
                  try {
                    parse(chunk);
                  } catch (ParseException ok) {
                    // the only exception a parser may throw
                  }
                })
            .as("parsing %s", new String(in, StandardCharsets.UTF_8))
            .doesNotThrowAnyException();
        var res = new ChunkParser(ParserRegistry.defaults()).parse(chunk);
        boolean blank = new String(in, StandardCharsets.UTF_8).isBlank();
        if (!blank && res.events().isEmpty()) {
          assertThat(res.deadLetters()).as("garbage must leave a dead letter: %s", printable(in)).isNotEmpty();
        }
        for (DeadLetter d : res.deadLetters()) {
          assertThat(d.getReason()).isIn(codes());
          assertThat(d.getOriginal().remaining()).isPositive();
        }
      }
    }
  }

  @TestFactory
  Stream<DynamicTest> fixtures() throws IOException {
    Path dir = fixtureDir(format());
    List<Path> cases;
    try (Stream<Path> s = Files.list(dir)) {
      cases = s.filter(p -> p.getFileName().toString().endsWith(".expected.json")).sorted().toList();
    }
    assertThat(cases).as("fixtures in %s", dir).isNotEmpty();
    return cases.stream()
        .map(
            exp ->
                DynamicTest.dynamicTest(
                    exp.getFileName().toString().replace(".expected.json", ""), () -> runFixture(exp)));
  }

  private void runFixture(Path expectedFile) throws Exception {
    JsonNode exp = JSON.readTree(expectedFile.toFile());
    String name = expectedFile.getFileName().toString().replace(".expected.json", "");
    Path input = expectedFile.resolveSibling(name + ".input");
    byte[] content = Files.readAllBytes(input);
    Framing framing = Framing.valueOf(exp.path("framing").asText("LINES"));
    String origin = exp.path("origin").asText("fixtures/" + format() + "/" + name);
    var res = new ChunkParser(ParserRegistry.defaults()).parse(Chunks.single(content, format(), framing, origin));

    // counts first
    assertThat(res.events()).as("event count").hasSize(exp.path("events").asInt());
    JsonNode dls = exp.path("dead_letters");
    assertThat(res.deadLetters()).as("dead letter count: %s", res.deadLetters()).hasSize(dls.size());
    // then golden fields
    for (int i = 0; i < dls.size(); i++) {
      Golden.assertMatches("dead_letters[" + i + "]", dls.get(i), Golden.json(res.deadLetters().get(i)));
    }
    JsonNode golden = exp.path("golden");
    for (int i = 0; i < golden.size(); i++) {
      Golden.assertMatches("events[" + i + "]", golden.get(i), Golden.json(res.events().get(i)));
    }
  }

  public static Path fixtureDir(String format) {
    Path p = Path.of("src/test/resources/fixtures", format);
    if (Files.isDirectory(p)) return p;
    try (InputStream in = ParserContractTest.class.getResourceAsStream("/fixtures/" + format)) {
      if (in == null) throw new AssertionError("no fixture folder for " + format);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    return Path.of("target/test-classes/fixtures", format);
  }

  static List<String> codes() {
    return Stream.of(RejectReason.values()).map(RejectReason::code).toList();
  }

  private static String printable(byte[] b) {
    String s = new String(b, StandardCharsets.UTF_8);
    return s.length() > 80 ? s.substring(0, 80) + "..." : s;
  }
}
