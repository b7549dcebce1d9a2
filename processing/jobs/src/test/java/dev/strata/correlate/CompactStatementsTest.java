package dev.strata.correlate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.schema.AvroCodec;
import dev.strata.schema.correlate.BindingEvidence;
import dev.strata.schema.correlate.BindingLineage;
import dev.strata.schema.correlate.EntityBinding;
import dev.strata.schema.correlate.EntityRef;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
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

  /** An ip_pod statement as an audit pod record states it (cluster, namespace, pod, uid, node, account). */
  static EntityBinding podAddress(String id, String eventId) {
    Map<String, String> attrs = new LinkedHashMap<>();
    attrs.put(Attr.CLUSTER, "prod");
    attrs.put(Attr.NAMESPACE, "shop");
    attrs.put(Attr.POD_NAME, "cart-7d9f");
    attrs.put(Attr.POD_UID, "3f2a6c1e-9b7d-4e21-8c55-0a1b2c3d4e5f");
    attrs.put(Attr.NODE_NAME, "ip-10-0-1-23.ec2.internal");
    attrs.put(Attr.ACCOUNT_UID, "111111111111");
    return new EntityBinding(id, "ip_pod", new EntityRef("ip", "10.0.4.7", "aws:111111111111:vpc-0aaa"),
        new EntityRef("pod", "shop/cart-7d9f", "k8s:prod"), attrs, Instant.parse("2026-11-20T10:00:00.123456Z"), null,
        false, 1f, "k8s_audit", new BindingLineage(eventId, "ef".repeat(32), 4096L, null, 12L), new ArrayList<>(), 0, 0,
        false);
  }

  @Test
  void theFormSavepointsOfSession17HoldStillDecodes() {
    // podAddress("ab" x 32, "cd" x 32) as session 17's build (b177d3c) encoded it: tag 1, one flags byte, values as strings
    byte[] session17 = HexFormat.of().parseHex("015000" + "ab".repeat(32) + "0769705f706f640369700931302e302e342e37"
        + "1a6177733a3131313131313131313131313a7670632d3061616104706f64096b38733a70726f6406010570726f64020573686f70030a63"
        + "6172742d37643966042533663261366331652d396237642d346532312d386335352d306131623263336434653566051a69702d31302d30"
        + "2d312d32332e6563322e696e7465726e616c0f0d31313131313131313131313180a9a5eac9acb0060a6b38735f617564697400"
        + "cd".repeat(32) + "00" + "ef".repeat(32) + "804018");
    EntityBinding b = podAddress("ab".repeat(32), "cd".repeat(32));
    assertThat(compact.decode(session17)).isEqualTo(b);
    // the same as 01c1f11 (session 18's first form, on main 03:16-...) encoded it: tag 3, cluster, account, uid coded
    byte[] form3 = HexFormat.of().parseHex("035000" + "ab".repeat(32) + "0769705f706f640369700931302e302e342e371a6177"
        + "733a3131313131313131313131313a7670632d3061616104706f64096b38733a70726f6406010001020573686f70030a636172742d3764"
        + "39660400053f2a6c1e9b7d4e218c550a1b2c3d4e5f051a69702d31302d302d312d32332e6563322e696e7465726e616c0f000380a9a5ea"
        + "c9acb0060a6b38735f617564697400" + "cd".repeat(32) + "00" + "ef".repeat(32) + "804018");
    assertThat(compact.decode(form3)).isEqualTo(b);
    // as 9337448 (session 18's form 4, main until session 19) encoded it: tag 4, what a node's list shares first
    byte[] form4 = HexFormat.of().parseHex("04500769705f706f640369701a6177733a3131313131313131313131313a7670632d3061"
        + "616104706f64096b38733a70726f640a6b38735f617564697400" + "ef".repeat(32) + "060300010406080b1a69702d31302d302d"
        + "312d32332e6563322e696e7465726e616c1f00030931302e302e342e370573686f700a636172742d3764396600053f2a6c1e9b7d4e218c"
        + "550a1b2c3d4e5f80a9a5eac9acb00680401800" + "cd".repeat(32) + "00" + "ab".repeat(32));
    assertThat(compact.decode(form4)).isEqualTo(b);
    // form 5 states the cluster and account by the scopes that say them (3 + 11 bytes less), the uid as 16 bytes (19
    // less; since form 5 without the marker: 2 more), the address as 4 bytes (3 less), with a second flags byte (1 more)
    assertThat(compact.encode(b).length).isEqualTo(session17.length - 37);
    assertThat(compact.encode(b)[0]).isEqualTo((byte) 5);
    assertThat(compact.decode(compact.encode(b))).isEqualTo(b);
  }

  @Test
  void aWaitingStatementIsHeldWithoutTheIdTheExtractorDerivesAndGetsItBack() {
    BindingExtractor x = new BindingExtractor();
    List<EntityBinding> waiting = new ArrayList<>();
    for (var events : List.of(S.prodAudit, S.falco)) {
      events.forEach(e -> x.extract(e).stream().filter(NodeInstances::waitsForInstance).forEach(waiting::add));
    }
    assertThat(waiting).isNotEmpty();
    for (EntityBinding b : waiting) {
      EntityBinding in = avro.decode(avro.encode(b));
      byte[] c = compact.encode(in);
      byte[] held = compact.withoutDerivableId(c, in);
      assertThat(held.length).as(in.getKind()).isEqualTo(c.length - 33);
      assertThat(compact.decode(held)).as(in.getKind()).isEqualTo(in);
    }
    // an id the formula does not give (a join's restatement, a test's): kept; so is the lineage's event id
    EntityBinding other = podAddress("ab".repeat(32), "cd".repeat(32));
    byte[] c = compact.encode(other);
    assertThat(compact.withoutDerivableId(c, other)).isSameAs(c);
    // an id that is the formula's for other fields is not taken for this statement's
    EntityBinding derived = avro.decode(avro.encode(waiting.get(0)));
    EntityBinding moved = EntityBinding.newBuilder(derived).setValidFrom(derived.getValidFrom().plusSeconds(1)).build();
    byte[] m = compact.encode(moved);
    assertThat(compact.withoutDerivableId(m, moved)).isSameAs(m);
    assertThat(compact.decode(compact.withoutDerivableId(m, moved))).isEqualTo(moved);
  }

  @Test
  void attributeValuesNotSaidByTheScopesAreWrittenAsTheyAre() {
    EntityBinding b = podAddress("ab".repeat(32), "cd".repeat(32));
    Map<String, String> attrs = new LinkedHashMap<>(b.getAttributes());
    attrs.put(Attr.CLUSTER, "other"); // not the object's k8s:prod
    attrs.put(Attr.ACCOUNT_UID, "222222222222"); // not the subject's account
    attrs.put(Attr.POD_UID, "3F2A6C1E-9B7D-4E21-8C55-0A1B2C3D4E5F"); // upper case: not written as 16 bytes
    attrs.put("someday_attribute", "aws"); // shorter than any scope's part
    attrs.put("someday_account", "111111111111:vpc-0aaa"); // more than the subject's account
    attrs.put("someday_cluster", "pro"); // a prefix of the object's cluster
    attrs.put(Attr.CONTAINER_UID, "");
    EntityBinding odd = EntityBinding.newBuilder(b).setAttributes(attrs)
        .setSubject(new EntityRef("ip", "10.0.4.7", "aws:")).setObject(new EntityRef("pod", "shop/cart-7d9f", "k8s:"))
        .build();
    assertThat(compact.decode(compact.encode(odd))).isEqualTo(odd);
    EntityBinding scoped = EntityBinding.newBuilder(odd).setAttributes(attrs)
        .setSubject(new EntityRef("ip", "10.0.4.7", "aws:111111111111:vpc-0aaa"))
        .setObject(new EntityRef("pod", "shop/cart-7d9f", "k8s:prod")).build();
    assertThat(compact.decode(compact.encode(scoped))).isEqualTo(scoped);
    assertThat(compact.decode(compact.encode(odd)).getAttributes().keySet())
        .containsExactlyElementsOf(attrs.keySet());
  }

  /**
   * Form 5: an address's 4 bytes only for a dotted quad that reads back the same, a service account's name only under
   * the statement's own namespace, whole seconds in seconds: anything else as written, every way round trips.
   */
  @Test
  void addressesServiceAccountsAndWholeSecondsAreShorterAndOddOnesRoundTrip() {
    EntityBinding b = podAddress("ab".repeat(32), "cd".repeat(32));
    Map<String, String> attrs = new LinkedHashMap<>();
    attrs.put(Attr.SERVICE_ACCOUNT, "shop/cart-sa"); // before the namespace: filled once the namespace is read
    attrs.putAll(b.getAttributes());
    attrs.put("someday_uid", "00000000-0000-4000-8000-00000000000a"); // a second UUID, an unknown name
    EntityBinding sa = EntityBinding.newBuilder(b).setAttributes(attrs)
        .setValidFrom(Instant.parse("2026-11-20T10:00:00Z")).setValidTo(Instant.parse("2026-11-20T11:00:00Z")).build();
    byte[] c = compact.encode(sa);
    assertThat(compact.decode(c)).isEqualTo(sa);
    assertThat(compact.decode(c).getAttributes().keySet()).containsExactlyElementsOf(attrs.keySet());
    Map<String, String> whole = new LinkedHashMap<>(attrs);
    whole.put(Attr.SERVICE_ACCOUNT, "other/cart-sa");
    EntityBinding other = EntityBinding.newBuilder(sa).setAttributes(whole).build();
    // another namespace's account: written whole ("other/cart-sa", 14 bytes, for a code and "cart-sa", 10)
    assertThat(compact.encode(other).length).isEqualTo(c.length + 4);
    assertThat(compact.decode(compact.encode(other))).isEqualTo(other);
    for (String odd : List.of("shop/", "shop", "shopx/a", "/a", "")) {
      whole.put(Attr.SERVICE_ACCOUNT, odd);
      EntityBinding o = EntityBinding.newBuilder(sa).setAttributes(whole).build();
      assertThat(compact.decode(compact.encode(o))).as(odd).isEqualTo(o);
    }
    for (String ip : List.of("10.0.4.7", "0.0.0.0", "255.255.255.255", "010.0.4.7", "10.0.4", "10.0.4.7.1", "10.0.4.",
        ".10.0.4", "256.0.0.1", "10..0.4", "10.0.4.1000", "fd00::1", "10.0.4.7%eth0", "")) {
      EntityBinding o = EntityBinding.newBuilder(sa).setSubject(new EntityRef("ip", ip, "aws:111111111111:vpc-0aaa"))
          .build();
      assertThat(compact.decode(compact.encode(o))).as(ip).isEqualTo(o);
    }
    EntityBinding notIp = EntityBinding.newBuilder(sa).setSubject(new EntityRef("host", "10.0.4.7", "")).build();
    assertThat(compact.decode(compact.encode(notIp))).isEqualTo(notIp);
    for (String t : List.of("2026-11-20T11:00:00.000001Z", "2026-11-20T10:59:59.999999Z", "1969-12-31T23:59:59Z")) {
      EntityBinding o = EntityBinding.newBuilder(sa).setValidTo(Instant.parse(t)).build();
      assertThat(compact.decode(compact.encode(o))).as(t).isEqualTo(o);
      EntityBinding f = EntityBinding.newBuilder(sa).setValidFrom(Instant.parse(t)).setValidTo(null).build();
      assertThat(compact.decode(compact.encode(f))).as(t).isEqualTo(f);
    }
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
