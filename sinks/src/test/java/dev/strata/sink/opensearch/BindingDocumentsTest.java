package dev.strata.sink.opensearch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.schema.correlate.BindingEvidence;
import dev.strata.schema.correlate.BindingLineage;
import dev.strata.schema.correlate.EntityBinding;
import dev.strata.schema.correlate.EntityRef;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A binding document: id = binding_id, and every field it has is declared by the strict bindings template. */
class BindingDocumentsTest {
  static EntityBinding binding() {
    return EntityBinding.newBuilder()
        .setBindingId("ab".repeat(32))
        .setKind("ip_pod")
        .setSubject(new EntityRef("ip", "10.0.1.57", "aws:111111111111"))
        .setObject(new EntityRef("pod", "payments/api-7d9f", "k8s:prod"))
        .setAttributes(Map.of("namespace", "payments", "pod_name", "api-7d9f"))
        .setValidFrom(Instant.parse("2026-11-20T10:00:00.123456Z"))
        .setValidTo(Instant.parse("2026-11-20T10:10:00Z"))
        .setEndObserved(true)
        .setConfidence(0.9f)
        .setSourceFormat("k8s_audit")
        .setLineage(new BindingLineage("cd".repeat(32), "ef".repeat(32), 123L, 4L, null))
        .setEvidence(List.of(new BindingEvidence("12".repeat(32), "k8s_audit",
            Instant.parse("2026-11-20T10:00:00.123456Z"), null, false, 1.0f,
            new BindingLineage("cd".repeat(32), "ef".repeat(32), 123L, 4L, null))))
        .setEvidenceCount(1)
        .setRevision(3)
        .build();
  }

  @Test
  void everyFieldIsMappedStrictly() throws Exception {
    BindingDocuments m = new BindingDocuments(null);
    EntityBinding b = binding();
    assertThat(m.index(b)).isEqualTo(IndexTemplates.BINDINGS_INDEX);
    assertThat(m.id(b)).isEqualTo(b.getBindingId());
    assertThat(m.toRequest(b).version()).as("the fact's revision, external_gte").isEqualTo(3);
    assertThat(m.toRequest(b).delete()).isFalse();
    JsonNode doc = Json.MAPPER.readTree(m.source(b));
    assertThat(doc.path("valid_from").asText()).isEqualTo("2026-11-20T10:00:00.123456Z");
    assertThat(doc.path("attributes").path("pod_name").asText()).isEqualTo("api-7d9f");
    ObjectNode mappings = IndexTemplates.defaults().mappings(IndexTemplates.BINDINGS_TEMPLATE);
    assertThat(mappings.path("dynamic").asText()).isEqualTo("strict");
    assertMapped(doc, mappings.path("properties"), "");
    assertThat(doc.path("evidence").get(0).path("lineage").path("byte_offset").asLong()).isEqualTo(123L);
    assertThat(IndexTemplates.templateFor("strata-bindings-v1")).isEqualTo(IndexTemplates.BINDINGS_TEMPLATE);
  }

  @Test
  void aRetractedFactDeletesItsDocumentAtItsRevision() {
    EntityBinding b = EntityBinding.newBuilder(binding()).setRetracted(true).setRevision(7).build();
    DocWriteRequest r = new BindingDocuments(null).toRequest(b);
    assertThat(r.delete()).isTrue();
    assertThat(r.id()).isEqualTo(b.getBindingId());
    assertThat(r.version()).isEqualTo(7);
    assertThat(r.source()).isEmpty();
  }

  static void assertMapped(JsonNode doc, JsonNode props, String path) {
    for (Iterator<Map.Entry<String, JsonNode>> it = doc.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> f = it.next();
      JsonNode p = props.path(f.getKey());
      assertThat(p.isMissingNode()).as(path + f.getKey() + " is mapped").isFalse();
      if (f.getValue().isObject() && p.has("properties")) {
        assertMapped(f.getValue(), p.path("properties"), path + f.getKey() + ".");
      }
      if (f.getValue().isArray() && p.has("properties")) {
        for (JsonNode item : f.getValue()) assertMapped(item, p.path("properties"), path + f.getKey() + "[].");
      }
    }
  }
}
