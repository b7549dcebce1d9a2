package dev.strata.parse;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.strata.parse.JsonRecordStream.Source;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The streaming flatten gives what {@link Json#flatten} gives for a tree of the same JSON. */
class JsonFlattenerTest {

  private static final List<String> DOCS =
      List.of(
          "{\"a\":1,\"b\":\"x y\",\"c\":{\"d\":true,\"e\":null,\"f\":{}},\"g\":[1, 2 ,{\"h\" : \"i\"}]}",
          "{\n  \"args\": [\n    {\"file_arg\": {\"path\": \"/etc/shadow\"}},\n    {\"int_arg\": -0}\n  ]\n}",
          "{\"esc\":[\"a\\u00e9\\\"b\\/c\"],\"utf8\":[\"caf\u00e9 \u6f22\"],\"s\":\"q\\\"uote\"}",
          "{\"floats\":[1.50, 2.5e3, -0.0, 1E2],\"f\":1.50,\"e\":2.5e3,\"z\":-0,\"big\":123456789012345678901234567890}",
          "{\"n\":{\"m\":{\"o\":[]}},\"t\":[true,false,null],\"empty\":\"\"}");

  @Test
  void flattensAsTheTreeFlattenDoes() throws Exception {
    for (String doc : DOCS) {
      Map<String, String> expected = new HashMap<>();
      Json.flatten(expected, "", Json.MAPPER.readTree(doc), 64);
      Map<String, String> actual = new HashMap<>();
      byte[] b = doc.getBytes(StandardCharsets.UTF_8);
      try (JsonParser p = Json.FACTORY.createParser(b)) {
        p.nextToken();
        new JsonFlattener(64).fields(p, new Source(b, 0), "", actual);
        assertThat(p.currentToken()).isEqualTo(JsonToken.END_OBJECT);
      }
      assertThat(actual).as(doc).isEqualTo(expected);
    }
  }

  @Test
  void textOfEachValueIsTheTreeText() throws Exception {
    for (String doc : DOCS) {
      var tree = Json.MAPPER.readTree(doc);
      byte[] b = doc.getBytes(StandardCharsets.UTF_8);
      try (JsonParser p = Json.FACTORY.createParser(b)) {
        p.nextToken();
        JsonFlattener f = new JsonFlattener(1 << 16);
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          p.nextToken();
          assertThat(f.text(p, new Source(b, 0))).as(doc + " " + name).isEqualTo(Json.text(tree, name));
        }
      }
    }
  }

  @Test
  void longValuesAreCut() throws Exception {
    String doc = "{\"s\":\"" + "x".repeat(100) + "\",\"a\":[\"" + "y".repeat(100) + "\"]}";
    Map<String, String> actual = new HashMap<>();
    byte[] b = doc.getBytes(StandardCharsets.UTF_8);
    try (JsonParser p = Json.FACTORY.createParser(b)) {
      p.nextToken();
      new JsonFlattener(10).fields(p, new Source(b, 0), "r", actual);
    }
    assertThat(actual).containsEntry("r.s", "x".repeat(10)).containsEntry("r.a", "[\"yyyyyyyy");
  }
}
