package dev.strata.sink.opensearch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.schema.deadletter.DeadLetter;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.raw.ArtifactManifest;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

/** The explicit mappings must follow the Avro schemas: every field mapped, nothing mapped that does not exist. */
class IndexTemplatesTest {
  private final IndexTemplates templates = IndexTemplates.defaults();

  @Test
  void eventMappingCoversExactlyTheAvroFields() {
    assertThat(mappedPaths(templates.mappings("strata-events")))
        .isEqualTo(avroPaths(EvidenceEvent.getClassSchema(), Set.of("unmapped", "log.attrs")));
  }

  @Test
  void deadLetterMappingCoversTheAvroFieldsWithOriginalSplit() {
    Set<String> expected = avroPaths(DeadLetter.getClassSchema(), Set.of());
    expected.remove("original");
    expected.add("original_b64");
    expected.add("original_text");
    assertThat(mappedPaths(templates.mappings("strata-deadletters"))).isEqualTo(expected);
  }

  @Test
  void artifactMappingCoversExactlyTheAvroFields() {
    assertThat(mappedPaths(templates.mappings("strata-artifacts")))
        .isEqualTo(avroPaths(ArtifactManifest.getClassSchema(), Set.of()));
  }

  @Test
  void mappingDecisions() {
    JsonNode p = templates.mappings("strata-events").path("properties");
    assertThat(templates.mappings("strata-events").path("dynamic").asText()).isEqualTo("strict");
    assertThat(p.at("/time/type").asText()).isEqualTo("date_nanos");
    assertThat(p.at("/event_id/type").asText()).isEqualTo("keyword");
    assertThat(p.at("/src_endpoint/properties/ip/type").asText()).isEqualTo("ip");
    assertThat(p.at("/src_endpoint/properties/ip/ignore_malformed").asBoolean()).isTrue();
    assertThat(p.at("/device/properties/ip/ignore_malformed").asBoolean()).isTrue();
    assertThat(p.at("/unmapped/type").asText()).isEqualTo("flat_object");
    assertThat(p.at("/process/properties/cmd_line/type").asText()).isEqualTo("text");
    assertThat(p.at("/process/properties/cmd_line/fields/keyword/type").asText()).isEqualTo("keyword");
    for (String f : new String[] {"/message", "/raw_data"}) {
      // searchable by words and phrases; no positions, frequencies nor keyword copy (EventIndexingBenchmark)
      assertThat(p.at(f + "/type").asText()).as(f).isEqualTo("match_only_text");
      assertThat(p.at(f + "/fields").isMissingNode()).as(f).isTrue();
    }
    assertThat(templates.mappings("strata-deadletters").path("dynamic").asBoolean(true)).isFalse();
    assertThat(templates.mappings("strata-deadletters").at("/properties/original_b64/type").asText())
        .isEqualTo("binary");
  }

  @Test
  void settingsComeFromTheConfig() {
    JsonNode s = new IndexTemplates(3, 1, "5s").template("strata-events").at("/template/settings/index");
    assertThat(s.get("number_of_shards").asInt()).isEqualTo(3);
    assertThat(s.get("number_of_replicas").asInt()).isEqualTo(1);
    assertThat(s.get("refresh_interval").asText()).isEqualTo("5s");
    JsonNode d = templates.template("strata-deadletters").at("/template/settings/index");
    assertThat(d.get("number_of_shards").asInt()).isEqualTo(1);
    assertThat(d.get("number_of_replicas").asInt()).isEqualTo(0);
    assertThat(d.get("refresh_interval").asText()).isEqualTo("1s");
  }

  @Test
  void patternsMatchTheIndexConstants() {
    assertThat(IndexTemplates.templateFor(IndexTemplates.EVENTS_INDEX)).isEqualTo("strata-events");
    assertThat(IndexTemplates.templateFor(IndexTemplates.DEAD_LETTERS_INDEX)).isEqualTo("strata-deadletters");
    assertThat(IndexTemplates.templateFor(IndexTemplates.ARTIFACTS_INDEX)).isEqualTo("strata-artifacts");
    for (String t : IndexTemplates.TEMPLATES) {
      assertThat(templates.template(t).at("/index_patterns/0").asText()).isEqualTo(t + "-*");
    }
    assertThatThrownBy(() -> IndexTemplates.templateFor("other")).isInstanceOf(IllegalArgumentException.class);
  }

  static Set<String> mappedPaths(JsonNode mappings) {
    Set<String> out = new TreeSet<>();
    collect(mappings.path("properties"), "", out);
    return out;
  }

  private static void collect(JsonNode props, String prefix, Set<String> out) {
    for (var it = props.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String path = prefix + e.getKey();
      if (e.getValue().has("properties")) {
        collect(e.getValue().get("properties"), path + ".", out);
      } else {
        out.add(path);
      }
    }
  }

  static Set<String> avroPaths(Schema schema, Set<String> leaves) {
    Set<String> out = new TreeSet<>();
    avro(schema, "", leaves, out);
    return out;
  }

  private static void avro(Schema s, String prefix, Set<String> leaves, Set<String> out) {
    for (Schema.Field f : s.getFields()) {
      String path = prefix + f.name();
      Schema t = unwrap(f.schema());
      if (t.getType() == Schema.Type.ARRAY) {
        t = unwrap(t.getElementType());
      }
      if (t.getType() == Schema.Type.RECORD && !leaves.contains(path)) {
        avro(t, path + ".", leaves, out);
      } else {
        out.add(path);
      }
    }
  }

  private static Schema unwrap(Schema s) {
    if (s.getType() == Schema.Type.UNION) {
      for (Schema t : s.getTypes()) {
        if (t.getType() != Schema.Type.NULL) {
          return t;
        }
      }
    }
    return s;
  }

  @Test
  void anIndexOfAnOlderBuildGetsOnlyTheFieldsItLacks() throws Exception {
    var m = new com.fasterxml.jackson.databind.ObjectMapper();
    JsonNode wanted = m.readTree("{\"message\":{\"type\":\"match_only_text\"},\"ecs\":{\"properties\":"
        + "{\"task_arn\":{\"type\":\"keyword\"}}},\"cloud\":{\"dynamic\":\"strict\",\"properties\":"
        + "{\"region\":{\"type\":\"keyword\"},\"vpc_uid\":{\"type\":\"keyword\"}}}}");
    JsonNode current = m.readTree("{\"message\":{\"type\":\"text\",\"fields\":{\"keyword\":{\"type\":"
        + "\"keyword\"}}},\"cloud\":{\"properties\":{\"region\":{\"type\":\"keyword\"}}}}");
    assertThat(IndexTemplates.missingProperties(wanted, current)).isEqualTo(m.readTree("{\"ecs\":{\"properties\":"
        + "{\"task_arn\":{\"type\":\"keyword\"}}},\"cloud\":{\"dynamic\":\"strict\",\"properties\":"
        + "{\"vpc_uid\":{\"type\":\"keyword\"}}}}"));
  }
}
