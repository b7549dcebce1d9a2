package dev.strata.correlate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.schema.AvroCodec;
import dev.strata.schema.correlate.BindingEvidence;
import dev.strata.schema.correlate.BindingLineage;
import dev.strata.schema.correlate.EntityBinding;
import dev.strata.schema.correlate.EntityRef;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

/**
 * The compact form the node join holds its waiting statements in ({@link CompactStatements}) gives back every
 * statement exactly (the extractor's, on the correlation scenario's evidence; odd ones: no hex ids, unknown attribute
 * and kind names, an end, a stated end, a fact), at about two thirds of the Avro bytes, and knows every field of the schema.
 */
class CompactStatementsTest {
  static final CorrelationScenario S = new CorrelationScenario();
  final CompactStatements compact = new CompactStatements();
  final AvroCodec<EntityBinding> avro = AvroCodec.of(EntityBinding.class);

  @Test
  void theExtractorsStatementsRoundTripAtAboutTwoThirdsOfTheirAvroBytes() {
    BindingExtractor x = new BindingExtractor();
    List<EntityBinding> all = new ArrayList<>();
    for (var events : List.of(S.prodAudit, S.falco)) events.forEach(e -> all.addAll(x.extract(e)));
    assertThat(all).hasSizeGreaterThan(10);
    long avroBytes = 0;
    long compactBytes = 0;
    for (EntityBinding b : all) {
      // as the join gets them: through the Avro form (the shuffle's), so times are microseconds
      EntityBinding in = avro.decode(avro.encode(b));
      byte[] c = compact.encode(in);
      assertThat(compact.decode(c)).as(in.getKind()).isEqualTo(in);
      assertThat(compact.decode(c).getAttributes().keySet()).as("the attributes' order")
          .containsExactlyElementsOf(in.getAttributes().keySet());
      avroBytes += avro.encode(in).length;
      compactBytes += c.length;
    }
    assertThat(compactBytes).as("compact vs Avro bytes").isLessThan(avroBytes * 7 / 10);
    // the node join's waiting statements among them
    assertThat(all).anyMatch(NodeInstances::waitsForInstance);
  }

  @Test
  void oddStatementsRoundTripToo() {
    Map<String, String> attrs = new LinkedHashMap<>();
    attrs.put("someday_attribute", "x");
    attrs.put(Attr.NODE_NAME, "ip-10-0-1-10.ec2.internal");
    attrs.put(Attr.NAMESPACE, "ns");
    attrs.put(Attr.POD_NAME, "p");
    attrs.put(Attr.POD_UID, "ünïcode-ü");
    EntityBinding b = EntityBinding.newBuilder().setBindingId("not-hex").setKind("someday_kind")
        .setSubject(new EntityRef("ip", "10.0.0.1", "")).setObject(new EntityRef("pod", "other/key", "k8s:c"))
        .setAttributes(attrs).setValidFrom(Instant.parse("1969-12-31T23:59:59.999999Z"))
        .setValidTo(Instant.parse("2026-01-01T00:00:00Z")).setEndObserved(true).setConfidence(0.55f)
        .setSourceFormat("").setLineage(new BindingLineage("E".repeat(64), "", -1L, 7L, 0L)).build();
    assertThat(compact.decode(compact.encode(b))).isEqualTo(b);
    // the object's key omitted as the attributes' namespace/pod_name
    EntityBinding pod = EntityBinding.newBuilder(b).setObject(new EntityRef("pod", "ns/p", "k8s:c"))
        .setBindingId("ab".repeat(32)).setLineage(new BindingLineage("ab".repeat(32), "cd".repeat(32), 0L, null, null))
        .build();
    assertThat(compact.decode(compact.encode(pod))).isEqualTo(pod);
    // a fact (evidence, counts): its Avro bytes behind a tag
    EntityBinding fact = EntityBinding.newBuilder(b).setEvidence(List.of(BindingEvidence.newBuilder()
        .setBindingId("x").setSourceFormat("k8s_audit").setValidFrom(Instant.EPOCH).setConfidence(1f).setLineage(new BindingLineage("x", "y", 0L, null, null)).build()))
        .setEvidenceCount(1).setRevision(3).setRetracted(true).build();
    assertThat(compact.decode(compact.encode(fact))).isEqualTo(fact);
  }

  @Test
  void itKnowsEveryFieldOfTheSchema() {
    // a field added to EntityBinding must be added to CompactStatements (written, or known to be a fact's only)
    assertThat(EntityBinding.getClassSchema().getFields()).extracting(Schema.Field::name)
        .containsExactlyElementsOf(CompactStatements.FIELDS);
    assertThat(EntityRef.getClassSchema().getFields()).extracting(Schema.Field::name)
        .containsExactly("type", "key", "scope");
    assertThat(BindingLineage.getClassSchema().getFields()).extracting(Schema.Field::name)
        .containsExactly("event_id", "artifact_sha256", "byte_offset", "line_number", "record_index");
  }
}
