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
}
