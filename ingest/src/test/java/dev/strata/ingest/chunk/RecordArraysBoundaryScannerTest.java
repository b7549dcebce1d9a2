package dev.strata.ingest.chunk;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * {@link RecordArraysBoundaryScanner} through the {@link Chunker}: random one-object documents shaped like an SPDX
 * document (small members, record arrays with context elements, nested keys named like record arrays, strings full
 * of structural characters) are cut exactly at element starts, and the header holds the document's context.
 */
class RecordArraysBoundaryScannerTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final RecordArrays SPEC =
      RecordArrays.of("packages", "relationships").withContext("packages", "\"CONTAINER\"");
  /** The document, the content offsets of every record-array element's first byte, and the expected context. */
  record Doc(byte[] bytes, TreeSet<Integer> starts, JsonNode context, List<long[]> arrays) {}

  private static Doc doc(Random r, int packages, int relationships) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    TreeSet<Integer> starts = new TreeSet<>();
    List<long[]> arrays = new ArrayList<>();
    ObjectNode context = JSON.createObjectNode();
    w(out, "{\n  \"spdxVersion\": \"SPDX-2.3\",\n  \"name\": " + ChunkerTest.randomString(r) + ",\n  \"creationInfo\": {\"packages\": ["
        + ChunkerTest.randomString(r) + "], \"x\": {\"relationships\": [1, 2]}},\n  \"packages\": [");
    context.put("spdxVersion", "SPDX-2.3");
    ArrayNode ctxPackages = JSON.createArrayNode();
    arrays.add(new long[] {out.size() - 1, 0, packages});
    for (int i = 0; i < packages; i++) {
      w(out, i > 0 ? (r.nextBoolean() ? ",\n    " : ",") : (r.nextBoolean() ? "\n    " : ""));
      starts.add(out.size());
      boolean image = i % 97 == 13;
      String el = "{\"SPDXID\": \"SPDXRef-" + i + "\", \"name\": " + ChunkerTest.randomString(r) + ", \"purpose\": \""
          + (image ? "CONTAINER" : "LIBRARY") + "\", \"nested\": {\"packages\": [" + ChunkerTest.randomString(r) + "]}}";
      w(out, el);
      if (image) ctxPackages.add(JSON.readTree(el));
    }
    w(out, "\n  ]");
    arrays.get(0)[1] = out.size();
    w(out, ",\n  \"documentNamespace\": " + ChunkerTest.randomString(r) + ",\n  \"relationships\": [");
    arrays.add(new long[] {out.size() - 1, 0, relationships});
    for (int i = 0; i < relationships; i++) {
      w(out, i > 0 ? ", " : "");
      starts.add(out.size());
      w(out, "{\"spdxElementId\": \"SPDXRef-" + i + "\", \"relationshipType\": \"CONTAINS\", \"c\": " + ChunkerTest.randomString(r) + "}");
    }
    w(out, "]");
    arrays.get(1)[1] = out.size();
    w(out, ",\n  \"big\": \"" + "z".repeat(RecordArraysBoundaryScanner.MAX_MEMBER_BYTES + 10) + "\",\n  \"last\": 1\n}\n");
    byte[] b = out.toByteArray();
    JsonNode whole = JSON.readTree(b);
    ObjectNode expected = ((ObjectNode) whole).deepCopy();
    expected.set("packages", ctxPackages);
    expected.set("relationships", JSON.createArrayNode());
    expected.putNull("big");
    return new Doc(b, starts, expected, arrays);
  }

  private static void w(ByteArrayOutputStream out, String s) {
    out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void cutsAtElementStartsAndKeepsTheDocumentContext() throws IOException {
    for (long seed = 1; seed <= 12; seed++) {
      Random r = new Random(seed);
      Doc doc = doc(r, 300 + r.nextInt(400), 200 + r.nextInt(300));
      int chunkSize = 2048 + r.nextInt(8192);
      Chunker chunker = new Chunker(chunkSize, 256 * 1024);
      ChunkPlan plan = chunker.plan(new ByteArrayInputStream(doc.bytes()), new RecordArraysBoundaryScanner(SPEC));

      ByteArrayOutputStream all = new ByteArrayOutputStream();
      chunker.emit(new ByteArrayInputStream(doc.bytes()), plan, (pc, p) -> all.writeBytes(p));
      assertThat(all.toByteArray()).isEqualTo(doc.bytes());
      assertThat(plan.count()).isGreaterThan(3);
      assertThat(plan.truncations()).isEmpty();
      List<Integer> starts = new ArrayList<>(doc.starts());
      for (PlannedChunk c : plan.chunks()) {
        if (c.index() == 0) {
          assertThat(c.offset()).isZero();
          assertThat(c.firstRecord()).isZero();
          continue;
        }
        assertThat(doc.starts()).as("seed %d chunk %d starts at an element", seed, c.index()).contains((int) c.offset());
        // record 0 is the document head, record k + 1 the k-th element of the record arrays
        assertThat(c.firstRecord()).isEqualTo(starts.indexOf((int) c.offset()) + 1L);
      }

      JsonNode header = JSON.readTree(plan.formatHeader());
      assertThat(header.get("document")).as("seed %d", seed).isEqualTo(doc.context());
      for (int i = 0; i < 2; i++) {
        JsonNode a = header.get("arrays").get(i);
        assertThat(a.get("name").asText()).isEqualTo(i == 0 ? "packages" : "relationships");
        assertThat(a.get("offset").asLong()).isEqualTo(doc.arrays().get(i)[0]);
        assertThat(a.get("end").asLong()).isEqualTo(doc.arrays().get(i)[1]);
        assertThat(a.get("elements").asLong()).isEqualTo(doc.arrays().get(i)[2]);
      }
      // same decisions whatever the read sizes
      assertThat(chunker.plan(ChunkerTest.jittery(doc.bytes(), seed), new RecordArraysBoundaryScanner(SPEC)))
          .isEqualTo(plan);
    }
  }

  @Test
  void notAnObjectOrIncompleteHasNoHeader() throws IOException {
    Chunker chunker = new Chunker(16, 1024);
    byte[] array = "[{\"packages\": [1, 2, 3]}]".getBytes(StandardCharsets.UTF_8);
    ChunkPlan p = chunker.plan(new ByteArrayInputStream(array), new RecordArraysBoundaryScanner(SPEC));
    assertThat(p.count()).isEqualTo(1);
    assertThat(p.formatHeader()).isNull();
    byte[] cut = "{\"packages\": [{\"a\": 1}, {\"a\": 2}, {\"a\": 3}, {\"a\": 4}".getBytes(StandardCharsets.UTF_8);
    p = chunker.plan(new ByteArrayInputStream(cut), new RecordArraysBoundaryScanner(SPEC));
    assertThat(p.count()).isGreaterThan(1);
    assertThat(p.formatHeader()).isNull();
  }

  /**
   * Joins: relationships written after all packages (syft's order) are carried in the header of each chunk holding a
   * package they name (either end), in document order, at most {@code perKey} per package besides context elements;
   * nothing else is carried. Document hand-written after SPDX 2.3 (packages[].SPDXID, relationships[]
   * spdxElementId / relatedSpdxElement / relationshipType).
   */
  @Test
  void joinedElementsFollowThePackagesTheyName() throws IOException {
    RecordArrays spec = RecordArrays.of("packages", "relationships")
        .withContext("relationships", "\"DESCRIBES\"")
        .withJoin(new RecordArrays.Join("relationships", List.of("spdxElementId", "relatedSpdxElement"), "packages",
            "SPDXID", 3));
    StringBuilder sb = new StringBuilder("{\"name\": \"d\", \"packages\": [");
    int n = 60;
    for (int i = 0; i < n; i++) {
      sb.append(i > 0 ? ",\n " : "").append("{\"name\": \"p").append(i).append("\", \"SPDXID\": \"P").append(i)
          .append("\", \"pad\": \"").append("x".repeat(40)).append("\"}");
    }
    sb.append("],\n \"relationships\": [");
    List<String[]> rels = new ArrayList<>(); // from, type, to, in document order
    rels.add(new String[] {"DOC", "DESCRIBES", "P0"});
    for (int i = 0; i < n; i++) rels.add(new String[] {"P" + i, "DEPENDS_ON", "P" + (n - 1 - i)});
    for (int k = 0; k < 5; k++) rels.add(new String[] {"P7", "CONTAINS", "F" + k}); // P7: 6 non-context in all
    rels.add(new String[] {"X", "OTHER", "Y"});
    for (int k = 0; k < rels.size(); k++) {
      String[] r = rels.get(k);
      sb.append(k > 0 ? ", " : "").append("{\"spdxElementId\": \"").append(r[0]).append("\", \"relationshipType\": \"")
          .append(r[1]).append("\", \"relatedSpdxElement\": \"").append(r[2]).append("\"}");
    }
    byte[] doc = sb.append("]}\n").toString().getBytes(StandardCharsets.UTF_8);

    Chunker chunker = new Chunker(300, 64 * 1024);
    ChunkPlan plan = chunker.plan(new ByteArrayInputStream(doc), new RecordArraysBoundaryScanner(spec));
    assertThat(plan.count()).isGreaterThan(10);
    assertThat(plan.chunkHeaders()).hasSize(plan.count());
    int withPackages = 0;
    for (PlannedChunk c : plan.chunks()) {
      JsonNode h = JSON.readTree(plan.formatHeader(c.index()));
      assertThat(JSON.readTree(plan.formatHeader()).get("document")).isEqualTo(h.get("document"));
      assertThat(h.has("joined_complete")).isFalse();
      String text = new String(doc, (int) c.offset(), c.length(), StandardCharsets.UTF_8);
      java.util.Set<String> own = new java.util.HashSet<>();
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"SPDXID\": \"(P\\d+)\"").matcher(text);
      while (m.find()) own.add(m.group(1));
      if (!own.isEmpty()) withPackages++;
      List<String> expected = new ArrayList<>();
      java.util.Map<String, Integer> carried = new java.util.HashMap<>();
      for (String[] r : rels) {
        boolean context = r[1].equals("DESCRIBES");
        boolean take = false;
        for (String end : new String[] {r[0], r[2]}) {
          if (own.contains(end) && (context || carried.getOrDefault(end, 0) < 3)) take = true;
        }
        if (!take) continue;
        for (String end : new String[] {r[0], r[2]}) if (own.contains(end) && !context) carried.merge(end, 1, Integer::sum);
        expected.add(r[0] + " " + r[1] + " " + r[2]);
      }
      List<String> got = new ArrayList<>();
      for (JsonNode r : h.get("joined").get("relationships")) {
        got.add(r.get("spdxElementId").asText() + " " + r.get("relationshipType").asText() + " "
            + r.get("relatedSpdxElement").asText());
      }
      assertThat(got).as("chunk %d (packages %s)", c.index(), own).isEqualTo(expected);
      // P7: two DEPENDS_ON (both ways with P52), then one of its five CONTAINS reach the cap of 3
      if (own.contains("P7")) assertThat(got).contains("P7 CONTAINS F0").doesNotContain("P7 CONTAINS F1");
      if (own.contains("P0")) assertThat(got).startsWith("DOC DESCRIBES P0");
    }
    assertThat(withPackages).isGreaterThan(5);
    // one chunk: no per-chunk headers
    ChunkPlan one = new Chunker(1 << 20, 1 << 20).plan(new ByteArrayInputStream(doc),
        new RecordArraysBoundaryScanner(spec));
    assertThat(one.count()).isEqualTo(1);
    assertThat(one.chunkHeaders()).isNull();
  }
  /**
   * CycloneDX dependencies (the cyclonedx_sbom recognizer's join): a chunk of components carries, in its header, every
   * dependency whose ref, dependsOn[] or provides[] (1.6) names one of its components (nested ones included), in
   * document order, and no other; the chunks of dependencies carry none. Document hand-written after the CycloneDX
   * 1.6 JSON reference (components[].bom-ref, nested components[], dependencies[].ref / dependsOn[] / provides[]).
   */
  @Test
  void cycloneDxDependenciesFollowTheComponentsTheyName() throws IOException {
    RecordArrays spec = RecordArrays.of("components", "services", "dependencies", "vulnerabilities")
        .withJoin(dev.strata.ingest.recognize.CycloneDxSbomRecognizer.AFFECTED_COMPONENTS)
        .withJoin(dev.strata.ingest.recognize.CycloneDxSbomRecognizer.COMPONENT_DEPENDENCIES);
    int n = 40;
    StringBuilder sb = new StringBuilder("{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.6\", \"components\": [");
    for (int i = 0; i < n; i++) {
      sb.append(i > 0 ? ",\n " : "").append("{\"bom-ref\": \"c").append(i).append("\", \"name\": \"lib-").append(i)
          .append("\", \"description\": \"").append("x".repeat(60)).append('"');
      if (i % 5 == 0) sb.append(", \"components\": [{\"bom-ref\": \"c").append(i).append(".n\"}]");
      sb.append('}');
    }
    sb.append("],\n \"dependencies\": [");
    List<List<String>> deps = new ArrayList<>(); // ref, then what it names
    for (int i = 0; i < n; i++) deps.add(List.of("c" + i, "c" + (n - 1 - i)));
    deps.add(List.of("c10", "c5.n"));
    deps.add(List.of("c3")); // names only itself
    deps.add(List.of("ghost", "c20")); // a ref no component has, naming c20
    deps.add(List.of("other", "nobody"));
    for (int k = 0; k < deps.size(); k++) {
      List<String> d = deps.get(k);
      sb.append(k > 0 ? ", " : "").append("{\"ref\": \"").append(d.get(0)).append('"');
      if (d.size() > 1) sb.append(k % 2 == 0 ? ", \"dependsOn\": [\"" : ", \"provides\": [\"").append(d.get(1))
          .append("\"]");
      sb.append('}');
    }
    byte[] doc = sb.append("]}\n").toString().getBytes(StandardCharsets.UTF_8);

    ChunkPlan plan = new Chunker(300, 64 * 1024).plan(new ByteArrayInputStream(doc), new RecordArraysBoundaryScanner(spec));
    assertThat(plan.count()).isGreaterThan(10);
    int withComponents = 0;
    for (PlannedChunk c : plan.chunks()) {
      JsonNode h = JSON.readTree(plan.formatHeader(c.index()));
      assertThat(h.has("joined_complete")).isFalse();
      String text = new String(doc, (int) c.offset(), c.length(), StandardCharsets.UTF_8);
      java.util.Set<String> own = new java.util.HashSet<>();
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"bom-ref\": \"(c[0-9.n]+)\"").matcher(text);
      while (m.find()) own.add(m.group(1));
      if (!own.isEmpty()) withComponents++;
      List<String> expected = new ArrayList<>();
      for (List<String> d : deps) if (d.stream().anyMatch(own::contains)) expected.add(String.join(" ", d));
      List<String> got = new ArrayList<>();
      for (JsonNode d : h.get("joined").get("dependencies")) {
        JsonNode named = d.has("dependsOn") ? d.get("dependsOn") : d.get("provides");
        got.add(d.get("ref").asText() + (named == null ? "" : " " + named.get(0).asText()));
      }
      assertThat(got).as("chunk %d (components %s)", c.index(), own).isEqualTo(expected);
      if (own.contains("c5.n")) assertThat(got).contains("c10 c5.n");
    }
    assertThat(withComponents).isGreaterThan(5);
  }

  /**
   * Join paths (RecordArrays.Join): a top-level field, {@code name[]} into an array's elements, {@code name[]*}
   * recursively (the node itself and every element, at any depth); CycloneDX 1.5 shapes (a component's bom-ref and
   * nested components, a vulnerability's affects[].ref, a dependency's dependsOn[]).
   */
  @Test
  void joinPathsReadNestedAndRecursiveValues() {
    byte[] component = ("{\"type\":\"library\",\"bom-ref\":\"a\",\"properties\":[{\"name\":\"x\",\"value\":\"y\"}],"
        + "\"components\":[{\"bom-ref\":\"a.1\",\"components\":[{\"bom-ref\":\"a.1.1\"}]},{\"name\":\"no-ref\"},"
        + "{\"bom-ref\":\"a.2\"}]}").getBytes(StandardCharsets.UTF_8);
    assertThat(RecordArraysBoundaryScanner.strings(component, 0, component.length, List.of("components[]*.bom-ref")))
        .containsExactly("a", "a.1", "a.1.1", "a.2");
    assertThat(RecordArraysBoundaryScanner.strings(component, 0, component.length, List.of("bom-ref")))
        .containsExactly("a");
    byte[] vulnerability = ("{\"id\":\"CVE-1\",\"affects\":[{\"ref\":\"a\",\"versions\":[{\"version\":\"1\"}]},"
        + "{\"ref\":\"a.1.1\"},{\"ref\":7}],\"ratings\":[{\"ref\":\"not-this\"}]}").getBytes(StandardCharsets.UTF_8);
    assertThat(RecordArraysBoundaryScanner.strings(vulnerability, 0, vulnerability.length, List.of("affects[].ref")))
        .containsExactly("a", "a.1.1");
    byte[] dependency = "{\"ref\":\"a\",\"dependsOn\":[\"b\",\"c\"],\"provides\":[\"d\"]}"
        .getBytes(StandardCharsets.UTF_8);
    assertThat(RecordArraysBoundaryScanner.strings(dependency, 0, dependency.length, List.of("ref", "dependsOn[]")))
        .containsExactly("a", "b", "c");
    assertThat(RecordArraysBoundaryScanner.strings(dependency, 0, dependency.length, List.of("ref", "dependsOn[]",
        "provides[]"))).containsExactly("a", "b", "c", "d");
    byte[] cut = "{\"affects\":[{\"ref\":\"a\"},{\"ref\":\"b".getBytes(StandardCharsets.UTF_8);
    assertThat(RecordArraysBoundaryScanner.strings(cut, 0, cut.length, List.of("affects[].ref")))
        .as("an element cut short: what was read").containsExactly("a");
  }
}
