package dev.strata.ingest.chunk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.ingest.TestFiles;
import dev.strata.schema.common.Framing;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class ChunkerTest {
  /** A JSON value with nesting and strings full of structural characters. */
  private static String randomValue(Random r, int depth) {
    int k = depth > 3 ? r.nextInt(3) : r.nextInt(6);
    return switch (k) {
      case 0 -> Integer.toString(r.nextInt(1_000_000));
      case 1 -> r.nextBoolean() ? "true" : "null";
      case 2 -> randomString(r);
      case 3 -> {
        StringBuilder sb = new StringBuilder("[");
        int n = r.nextInt(4);
        for (int i = 0; i < n; i++) {
          sb.append(i > 0 ? "," : "").append(randomValue(r, depth + 1));
        }
        yield sb.append("]").toString();
      }
      default -> {
        StringBuilder sb = new StringBuilder("{");
        int n = r.nextInt(5);
        for (int i = 0; i < n; i++) {
          sb.append(i > 0 ? ", " : "").append(randomString(r)).append(":").append(randomValue(r, depth + 1));
        }
        yield sb.append("}").toString();
      }
    };
  }

  private static final String[] TRICKY = {",", "]", "}", "{", "[", "\\\"", "\\\\", "\u00e9", "\\n", "\\u0022"};

  static String randomString(Random r) {
    StringBuilder sb = new StringBuilder("\"");
    int n = r.nextInt(60);
    for (int i = 0; i < n; i++) {
      sb.append(r.nextInt(10) < 3 ? TRICKY[r.nextInt(TRICKY.length)] : String.valueOf((char) ('a' + r.nextInt(26))));
    }
    return sb.append('"').toString();
  }

  /** A document plus the content offsets right after each top-level element's comma. */
  record Doc(byte[] bytes, TreeSet<Integer> boundaries, String prefix, String suffix) {}

  private static Doc jsonDoc(Random r, int records, boolean cloudTrail, int bigEvery) {
    String prefix = cloudTrail ? "{\"Records\": [" : "[";
    String suffix = cloudTrail ? "]}\n" : "]";
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(prefix.getBytes(StandardCharsets.UTF_8));
    TreeSet<Integer> bounds = new TreeSet<>();
    for (int i = 0; i < records; i++) {
      if (i > 0) {
        out.write(',');
        bounds.add(out.size());
        out.writeBytes((r.nextBoolean() ? "\n  " : " ").getBytes(StandardCharsets.UTF_8));
      }
      StringBuilder rec = new StringBuilder("{\"eventVersion\":\"1.08\",\"i\":" + i + ",\"v\":" + randomValue(r, 0));
      if (bigEvery > 0 && i % bigEvery == bigEvery - 1) {
        rec.append(",\"big\":\"").append("y".repeat(3000 + r.nextInt(3000))).append('"');
      }
      out.writeBytes(rec.append('}').toString().getBytes(StandardCharsets.UTF_8));
    }
    out.writeBytes(suffix.getBytes(StandardCharsets.UTF_8));
    return new Doc(out.toByteArray(), bounds, prefix, suffix);
  }

  /** Reads in random small pieces: decisions must not depend on read sizes. */
  static InputStream jittery(byte[] b, long seed) {
    Random r = new Random(seed);
    return new ByteArrayInputStream(b) {
      @Override
      public synchronized int read(byte[] buf, int off, int len) {
        return super.read(buf, off, Math.max(1, Math.min(len, 1 + r.nextInt(5000))));
      }
    };
  }

  private static List<byte[]> emit(Chunker c, byte[] content, ChunkPlan plan) throws IOException {
    List<byte[]> payloads = new ArrayList<>();
    c.emit(new ByteArrayInputStream(content), plan, (pc, p) -> payloads.add(p));
    return payloads;
  }

  private static byte[] concat(List<byte[]> parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    parts.forEach(out::writeBytes);
    return out.toByteArray();
  }

  private static long count(byte[] b, int to, byte c) {
    long n = 0;
    for (int i = 0; i < to; i++) {
      if (b[i] == c) {
        n++;
      }
    }
    return n;
  }

  @Test
  void jsonRecordsAreCutRightAfterTheCommaOfACompleteElement() throws IOException {
    for (long seed = 1; seed <= 30; seed++) {
      Random r = new Random(seed);
      boolean cloudTrail = seed % 2 == 0;
      Doc doc = jsonDoc(r, 200 + r.nextInt(300), cloudTrail, seed % 3 == 0 ? 7 : 0);
      int chunkSize = 512 + r.nextInt(4096);
      int maxRecord = 8192;
      Chunker chunker = new Chunker(chunkSize, maxRecord);

      ChunkPlan plan = chunker.plan(new ByteArrayInputStream(doc.bytes()), Framing.JSON_RECORDS);
      List<byte[]> payloads = emit(chunker, doc.bytes(), plan);

      assertThat(plan.contentSha256()).isEqualTo(TestFiles.sha256(doc.bytes()));
      assertThat(TestFiles.sha256(concat(payloads))).as("seed %d", seed).isEqualTo(plan.contentSha256());
      assertThat(plan.count()).isGreaterThan(1);
      assertThat(plan.truncations()).isEmpty();
      assertThat(new String(payloads.get(0), StandardCharsets.UTF_8)).startsWith(doc.prefix());
      assertThat(new String(payloads.get(payloads.size() - 1), StandardCharsets.UTF_8)).endsWith(doc.suffix());
      List<Integer> bounds = new ArrayList<>(doc.boundaries());
      for (PlannedChunk c : plan.chunks()) {
        long end = c.offset() + c.length();
        if (c.index() < plan.count() - 1) {
          assertThat(doc.boundaries()).as("seed %d chunk %d ends after a top-level comma", seed, c.index())
              .contains((int) end);
        }
        assertThat(c.firstRecord()).isEqualTo(c.offset() == 0 ? 0 : bounds.indexOf((int) c.offset()) + 1);
        assertThat(c.firstLine()).isEqualTo(1 + count(doc.bytes(), (int) c.offset(), (byte) '\n'));
        assertThat(c.sha256()).isEqualTo(TestFiles.sha256(payloads.get(c.index())));
        if (c.length() > chunkSize) {
          // a chunk over the target holds a single record
          assertThat(doc.boundaries().subSet((int) c.offset() + 1, (int) end)).isEmpty();
          assertThat(c.length()).isLessThanOrEqualTo(maxRecord);
        }
      }
      // same decisions whatever the read sizes
      assertThat(chunker.plan(jittery(doc.bytes(), seed), Framing.JSON_RECORDS)).isEqualTo(plan);
    }
  }

  @Test
  void linesAreCutAfterANewline() throws IOException {
    for (long seed = 1; seed <= 20; seed++) {
      Random r = new Random(seed);
      StringBuilder sb = new StringBuilder();
      int lines = 500 + r.nextInt(2000);
      for (int i = 0; i < lines; i++) {
        sb.append("line ").append(i).append(' ').append("z".repeat(r.nextInt(r.nextInt(20) == 0 ? 3000 : 200)));
        if (i < lines - 1 || seed % 2 == 0) {
          sb.append('\n');
        }
      }
      byte[] content = sb.toString().getBytes(StandardCharsets.UTF_8);
      Chunker chunker = new Chunker(1024 + r.nextInt(2048), 4096);

      ChunkPlan plan = chunker.plan(jittery(content, seed), Framing.LINES);
      List<byte[]> payloads = emit(chunker, content, plan);

      assertThat(TestFiles.sha256(concat(payloads))).isEqualTo(TestFiles.sha256(content));
      long offset = 0;
      for (PlannedChunk c : plan.chunks()) {
        assertThat(c.offset()).isEqualTo(offset);
        offset += c.length();
        if (c.index() < plan.count() - 1) {
          assertThat(content[(int) (c.offset() + c.length() - 1)]).isEqualTo((byte) '\n');
        }
        long before = count(content, (int) c.offset(), (byte) '\n');
        assertThat(c.firstLine()).isEqualTo(before + 1);
        assertThat(c.firstRecord()).isEqualTo(before);
        assertThat(c.length()).isLessThanOrEqualTo(4096);
      }
    }
  }

  @Test
  void aRecordLongerThanMaxRecordIsTruncatedAndTheRestSkipped() throws IOException {
    String head = "short 1\nshort 2\n";
    String endless = "E".repeat(100_000) + "\n";
    String tail = "after 1\nafter 2\n";
    byte[] content = (head + endless + tail).getBytes(StandardCharsets.UTF_8);
    Chunker chunker = new Chunker(256, 1024);

    ChunkPlan plan = chunker.plan(jittery(content, 7), Framing.LINES);
    List<byte[]> payloads = emit(chunker, content, plan);

    assertThat(plan.chunks()).extracting(PlannedChunk::truncatedRecord).containsExactly(false, true, false);
    PlannedChunk t = plan.chunks().get(1);
    assertThat(t.offset()).isEqualTo(head.length());
    assertThat(t.length()).isEqualTo(1024);
    assertThat(t.firstLine()).isEqualTo(3);
    assertThat(new String(payloads.get(1), StandardCharsets.UTF_8)).isEqualTo("E".repeat(1024));
    PlannedChunk after = plan.chunks().get(2);
    assertThat(after.offset()).isEqualTo(head.length() + endless.length());
    assertThat(after.firstLine()).isEqualTo(4);
    assertThat(after.firstRecord()).isEqualTo(3);
    assertThat(new String(payloads.get(2), StandardCharsets.UTF_8)).isEqualTo(tail);
    assertThat(plan.truncations()).containsExactly(
        new ChunkPlan.Truncation(1, head.length(), endless.length(), endless.length() - 1024));
  }

  @Test
  void anEndlessLineStaysBoundedInMemory() throws IOException {
    long size = 300L * 1024 * 1024; // far more than the test heap could hold twice
    InputStream endless = new InputStream() {
      long left = size;

      @Override
      public int read() {
        return left-- > 0 ? 'x' : -1;
      }

      @Override
      public int read(byte[] b, int off, int len) {
        if (left <= 0) {
          return -1;
        }
        int n = (int) Math.min(len, left);
        java.util.Arrays.fill(b, off, off + n, (byte) 'x');
        left -= n;
        return n;
      }
    };
    Chunker chunker = new Chunker(64 * 1024, 1024 * 1024);

    ChunkPlan plan = chunker.plan(endless, Framing.LINES);

    assertThat(plan.contentSize()).isEqualTo(size);
    assertThat(plan.chunks()).singleElement().satisfies(c -> {
      assertThat(c.truncatedRecord()).isTrue();
      assertThat(c.length()).isEqualTo(1024 * 1024);
    });
    assertThat(plan.truncations()).containsExactly(new ChunkPlan.Truncation(0, 0, size, size - 1024 * 1024));
  }

  @Test
  void aLongJsonRecordIsTruncatedAndTheNextRecordStartsAfterItsComma() throws IOException {
    String doc = "{\"Records\":[{\"a\":1},{\"big\":\"" + "b".repeat(50_000) + "\"},{\"c\":3}]}";
    byte[] content = doc.getBytes(StandardCharsets.UTF_8);
    Chunker chunker = new Chunker(100, 2000);

    ChunkPlan plan = chunker.plan(new ByteArrayInputStream(content), Framing.JSON_RECORDS);
    List<byte[]> payloads = emit(chunker, content, plan);

    assertThat(payloads).extracting(p -> new String(p, StandardCharsets.UTF_8).substring(0, Math.min(20, p.length)))
        .containsExactly("{\"Records\":[{\"a\":1},", "{\"big\":\"bbbbbbbbbbbb", "{\"c\":3}]}");
    assertThat(plan.chunks().get(1).truncatedRecord()).isTrue();
    assertThat(plan.chunks().get(1).firstRecord()).isEqualTo(1);
    assertThat(plan.chunks().get(2).firstRecord()).isEqualTo(2);
  }

  @Test
  void wholeFramingIsOneChunkUpToMaxRecord() throws IOException {
    byte[] content = "{\n \"eventVersion\": \"1.0\"\n}\n".getBytes(StandardCharsets.UTF_8);
    Chunker chunker = new Chunker(4, 1024);
    ChunkPlan plan = chunker.plan(new ByteArrayInputStream(content), Framing.WHOLE);
    assertThat(plan.chunks()).singleElement().satisfies(c -> assertThat(c.length()).isEqualTo(content.length));
  }

  @Test
  void passTwoRefusesChangedContent() throws IOException {
    byte[] content = "one\ntwo\nthree\n".repeat(100).getBytes(StandardCharsets.UTF_8);
    Chunker chunker = new Chunker(64, 128);
    ChunkPlan plan = chunker.plan(new ByteArrayInputStream(content), Framing.LINES);
    byte[] changed = content.clone();
    changed[300] = 'X';
    List<Integer> handed = new ArrayList<>();

    assertThatThrownBy(() -> chunker.emit(new ByteArrayInputStream(changed), plan, (pc, p) -> handed.add(pc.index())))
        .isInstanceOf(ChunkMismatchException.class)
        .hasMessageContaining("pass 1");
    assertThat(handed).allMatch(i -> plan.chunks().get(i).offset() + plan.chunks().get(i).length() <= 300);
    byte[] shorter = java.util.Arrays.copyOf(content, 200);
    assertThatThrownBy(() -> chunker.emit(new ByteArrayInputStream(shorter), plan, (pc, p) -> {}))
        .isInstanceOf(ChunkMismatchException.class);
  }

  @Test
  void emptyContentHasNoChunks() throws IOException {
    ChunkPlan plan = new Chunker(10, 10).plan(new ByteArrayInputStream(new byte[0]), Framing.LINES);
    assertThat(plan.count()).isZero();
    assertThat(plan.contentSha256()).isEqualTo(TestFiles.sha256(new byte[0]));
  }
}
