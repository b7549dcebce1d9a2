package dev.strata.parse.formats.dockerjsonlog;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The fast path accepts only what Jackson accepts, and reads the same values. */
class DockerLineReaderTest {

  private static final ObjectMapper M = new ObjectMapper();

  @Test
  void typicalLinesTakeTheFastPath() {
    for (String line :
        new String[] {
          "{\"log\":\"GET / 200\\n\",\"stream\":\"stdout\",\"time\":\"2024-05-01T12:00:00.123456789Z\"}",
          "{\"log\":\"a \\\"q\\\" \\\\ \\u00e9 \\t\\n\",\"stream\":\"stderr\",\"time\":\"t\",\"attrs\":{\"k\":\"v\"}}",
          "{ \"log\" : \"piece without newline\" , \"stream\" : \"stdout\" , \"time\" : \"t\" }",
          "{\"log\":\"\",\"stream\":\"stdout\",\"time\":\"t\",\"attrs\":{}}"
        }) {
      assertThat(new DockerLineReader().read(bytes(line), 0, bytes(line).length, new DockerLine())).as(line).isTrue();
      compare(line);
    }
  }

  @Test
  void unusualLinesFallBack() {
    for (String line :
        new String[] {
          "{\"log\":\"caf\u00e9\\n\",\"stream\":\"stdout\",\"time\":\"t\"}", // non-ASCII bytes
          "{\"log\":\"a\\x\",\"stream\":\"stdout\"}", // bad escape
          "{\"log\":\"a\\u12G4\"}",
          "{\"log\":1}",
          "{\"log\":\"a\",\"extra\":\"b\"}",
          "{\"log\":\"a\",\"attrs\":{\"n\":1}}",
          "{\"log\":\"a\"} x",
          "{\"log\":\"a\",\"log\":\"b\"}",
          "{\"stream\":\"stdout\"}",
          "{\"log\":\"tab\tinside\"}",
          "{\"log\":\"a\",}",
          "[\"log\"]",
          "{\"log\":\"unterminated"
        }) {
      assertThat(new DockerLineReader().read(bytes(line), 0, bytes(line).length, new DockerLine())).as(line).isFalse();
    }
  }

  @Test
  void randomLinesAgreeWithJackson() {
    Random r = new Random(11);
    String[] atoms = {"a", " ", "\\n", "\\\"", "\\\\", "\\/", "\\t", "\\r", "\\b", "\\f", "\\u0041", "\\u00e9",
        "\\ud83d\\ude00", "\\ud800", "\\u0000", "x", "\"", "\\", "\\q", "\t", "\u00e9", "{", "}", ":", ","};
    int fast = 0;
    for (int n = 0; n < 20_000; n++) {
      StringBuilder log = new StringBuilder();
      for (int k = r.nextInt(8); k > 0; k--) log.append(atoms[r.nextInt(r.nextInt(4) == 0 ? atoms.length : 16)]);
      if (r.nextBoolean()) log.append("\\n");
      StringBuilder line = new StringBuilder("{");
      String ws = r.nextInt(5) == 0 ? " " : "";
      line.append(ws).append("\"log\"").append(ws).append(':').append(ws).append('"').append(log).append('"');
      if (r.nextBoolean()) line.append(",\"stream\":\"").append(r.nextBoolean() ? "stdout" : "std\\u006fut").append('"');
      if (r.nextBoolean()) line.append(",\"time\":\"2024-05-01T12:00:00Z\"");
      if (r.nextInt(4) == 0) line.append(",\"attrs\":{\"k").append(r.nextInt(3)).append("\":\"").append(log).append("\"}");
      line.append(ws).append('}');
      if (compare(line.toString())) fast++;
    }
    assertThat(fast).isGreaterThan(5_000);
  }

  /** Returns whether the fast path took the line; asserts it agrees with Jackson when it did. */
  private static boolean compare(String line) {
    byte[] b = bytes(line);
    DockerLine d = new DockerLine();
    if (!new DockerLineReader().read(b, 0, b.length, d)) return false;
    JsonNode n;
    try {
      n = M.readTree(b);
    } catch (Exception e) {
      throw new AssertionError("fast path accepted a line Jackson rejects: " + line, e);
    }
    assertThat(n.isObject()).isTrue();
    String log = n.get("log").asText();
    assertThat(d.complete).as(line).isEqualTo(log.endsWith("\n"));
    assertThat(d.body + (d.complete ? "\n" : "")).as(line).isEqualTo(log);
    assertThat(d.stream).as(line).isEqualTo(n.has("stream") ? n.get("stream").asText() : null);
    assertThat(d.time).as(line).isEqualTo(n.has("time") ? n.get("time").asText() : null);
    if (n.has("attrs")) {
      Map<String, String> a = new HashMap<>();
      n.get("attrs").fields().forEachRemaining(e -> a.put(e.getKey(), e.getValue().asText()));
      assertThat(d.attrs).as(line).isEqualTo(a);
    }
    assertThat(d.ascii).isTrue();
    return true;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
