package dev.strata.ingest.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Journal files written by systemd itself (systemd-journal-remote 252 from a Journal Export stream, see
 * {@code src/test/resources/journal/make-fixtures.py}) read against what {@code journalctl --file F -o json --all}
 * printed for them.
 */
class JournalFileTest {
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  /** The fixture {@code name}.journal.gz unpacked into {@code dir}. */
  static Path fixture(String name, Path dir) throws IOException {
    Path out = dir.resolve(name + ".journal");
    try (InputStream in = new GZIPInputStream(
        JournalFileTest.class.getResourceAsStream("/journal/" + name + ".journal.gz"))) {
      Files.copy(in, out);
    }
    return out;
  }

  static List<JsonNode> expected(String name) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    try (InputStream in = JournalFileTest.class.getResourceAsStream("/journal/" + name + ".expected.jsonl")) {
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        if (!line.isBlank()) out.add(JSON.readTree(line));
      }
    }
    return out;
  }

  record Read(JournalFile.ReadResult result, List<JournalEntry> entries, List<JsonNode> json) {}

  static Read read(Path file) throws IOException {
    List<JournalEntry> entries = new ArrayList<>();
    List<JsonNode> json = new ArrayList<>();
    JournalJson writer = new JournalJson();
    try (JournalFile f = JournalFile.open(file)) {
      JournalFile.ReadResult r = f.read(e -> {
        entries.add(e);
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        writer.write(e, b);
        json.add(JSON.readTree(b.toByteArray()));
      });
      return new Read(r, entries, json);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"node-compact-zstd", "node-regular-zstd", "node-regular-plain"})
  void readsWhatJournalctlPrints(String name) throws IOException {
    Path file = fixture(name, dir);
    Read r = read(file);
    List<JsonNode> expected = expected(name);

    assertThat(r.result().stop()).isEqualTo(JournalFile.Stop.COMPLETE);
    assertThat(r.result().detail()).isNull();
    assertThat(r.result().entries()).isEqualTo(24).isEqualTo(r.result().headerEntries());
    assertThat(r.result().fieldsSkipped()).isZero();
    assertThat(r.json()).hasSize(expected.size());
    for (int i = 0; i < expected.size(); i++) {
      ObjectNode mine = ((ObjectNode) r.json().get(i)).deepCopy();
      // what journalctl 252 does not print: the seqnum fields of 254+ and the entry's position in the file
      assertThat(mine.remove("__SEQNUM").asText()).isEqualTo(Long.toString(i + 1));
      assertThat(mine.remove("__SEQNUM_ID").asText()).isEqualTo(r.entries().get(i).seqnumId());
      assertThat(mine.remove(JournalJson.OFFSET_FIELD).asLong()).isEqualTo(r.entries().get(i).offset());
      assertThat(mine).as("entry %d", i).isEqualTo(expected.get(i));
    }
    // the header's layout flags are what the writer was told
    try (JournalFile f = JournalFile.open(file)) {
      assertThat(f.header().compact()).isEqualTo(name.contains("compact"));
      assertThat(f.header().keyedHash()).isEqualTo(!name.equals("node-regular-zstd"));
      assertThat(f.header().machineId()).hasSize(32); // the writing host's (journal-remote), not the entries'
      // the fixtures leave out the zeros journald pre-allocates: the arena claims more than the file has
      assertThat(f.header().missingBytes()).isPositive();
    }
    // the 1.5 KiB dockerd "form data" message is stored compressed (over systemd's 512-byte threshold)
    assertThat(r.result().compressedFields()).isEqualTo(name.endsWith("zstd") ? 1 : 0);
  }

  @Test
  void entriesInFileOrderWithTimesAndCursor() throws IOException {
    Read r = read(fixture("node-compact-zstd", dir));
    JournalEntry first = r.entries().get(0);
    assertThat(first.realtime()).isEqualTo(1714557600000000L);
    assertThat(first.monotonic()).isEqualTo(5000000L);
    assertThat(first.bootId()).isEqualTo("5a1f0c8e9b2d4e6f8a1b2c3d4e5f6a7b");
    assertThat(first.text("MESSAGE")).isEqualTo("Starting docker.service - Docker Application Container Engine...");
    assertThat(first.cursor()).startsWith("s=" + first.seqnumId() + ";i=1;b=5a1f0c8e9b2d4e6f8a1b2c3d4e5f6a7b;"
        + "m=4c4b40;t=617618cb1e800;x=");
    long previous = 0;
    for (JournalEntry e : r.entries()) {
      assertThat(e.offset()).isGreaterThan(previous);
      assertThat(e.realtime()).isGreaterThan(previous == 0 ? 0 : r.entries().get(0).realtime() - 1);
      previous = e.offset();
    }
    assertThat(r.entries()).extracting(JournalEntry::seqnum).containsExactly(
        1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L, 13L, 14L, 15L, 16L, 17L, 18L, 19L, 20L, 21L, 22L, 23L, 24L);
    // a value with control characters is binary: journalctl prints its bytes
    JsonNode binary = r.json().get(14).get("MESSAGE");
    assertThat(binary.isArray()).isTrue();
    assertThat(binary.get(0).asInt()).isEqualTo(27);
    // a field written twice in one entry is an array of its values
    assertThat(r.json().get(16).get("TAG").toString()).isEqualTo("[\"first\",\"second\"]");
    // the compressed message reads back whole
    assertThat(r.entries().get(6).text("MESSAGE")).contains("\\\"VAR39=value-39\\\"").hasSizeGreaterThan(512);
  }

  @ParameterizedTest
  @org.junit.jupiter.params.provider.CsvSource({"node-compact-zstd,1", "node-compact-zstd,2", "node-regular-plain,1",
      "node-regular-plain,2"})
  void xzAndLz4CompressedFieldsReadTheSame(String name, int objectFlag) throws IOException {
    Path file = fixture(name, dir);
    Read before = read(file);
    // the podman "container start" message, re-stored XZ (1) or LZ4 (2) compressed
    JournalEntry podman = before.entries().get(11);
    assertThat(podman.text("PODMAN_EVENT")).isEqualTo("start");
    Path recompressed = dir.resolve(name + "-" + objectFlag + ".journal");
    Files.write(recompressed, Recompress.recompress(Files.readAllBytes(file), podman.offset(), "MESSAGE", objectFlag));

    Read after = read(recompressed);
    assertThat(after.result().stop()).isEqualTo(JournalFile.Stop.COMPLETE);
    assertThat(after.result().compressedFields()).isEqualTo(before.result().compressedFields() + 1);
    assertThat(after.json()).isEqualTo(before.json());
    assertThat(after.entries().get(11).text("MESSAGE")).startsWith("container start 9c8b7a6f5e4d");
  }

  @Test
  void aTruncatedCopyGivesTheEntriesBeforeTheCut() throws IOException {
    Path whole = fixture("node-regular-plain", dir);
    List<JournalEntry> all = read(whole).entries();
    byte[] bytes = Files.readAllBytes(whole);
    // cut in the middle of the 11th entry object: a copy taken while journald was writing it
    long cut = all.get(10).offset() + 40;
    Path part = dir.resolve("part.journal~");
    Files.write(part, java.util.Arrays.copyOf(bytes, (int) cut));

    Read r = read(part);
    assertThat(r.result().stop()).isEqualTo(JournalFile.Stop.TRUNCATED);
    assertThat(r.result().entries()).isEqualTo(10);
    assertThat(r.result().detail()).contains("entry at offset " + all.get(10).offset()).contains("past the end");
    assertThat(r.entries()).extracting(JournalEntry::offset)
        .containsExactlyElementsOf(all.subList(0, 10).stream().map(JournalEntry::offset).toList());
  }

  @Test
  void aSizeLimitReadsOnlyThePreservedBytes() throws IOException {
    Path file = fixture("node-compact-zstd", dir);
    List<JournalEntry> all = read(file).entries();
    // as if journald appended the 13th entry onward after the collector hashed the file
    long hashed = all.get(12).offset();
    List<Long> seen = new ArrayList<>();
    try (JournalFile f = JournalFile.open(file, JournalFile.DEFAULT_MAX_FIELD_BYTES, hashed)) {
      JournalFile.ReadResult r = f.read(e -> seen.add(e.offset()));
      assertThat(r.stop()).isEqualTo(JournalFile.Stop.TRUNCATED);
      assertThat(f.size()).isEqualTo(hashed);
    }
    assertThat(seen).isNotEmpty().hasSizeLessThanOrEqualTo(12).allSatisfy(o -> assertThat(o).isLessThan(hashed));
    assertThat(seen).containsExactlyElementsOf(all.subList(0, seen.size()).stream().map(JournalEntry::offset).toList());
  }

  @Test
  void aCorruptedEntryStopsTheWalkThere() throws IOException {
    Path file = fixture("node-compact-zstd", dir);
    List<JournalEntry> all = read(file).entries();
    byte[] bytes = Files.readAllBytes(file);
    bytes[(int) all.get(5).offset()] = 7; // the 6th ENTRY now claims to be a TAG object
    Files.write(file, bytes);

    Read r = read(file);
    assertThat(r.result().stop()).isEqualTo(JournalFile.Stop.CORRUPT);
    assertThat(r.result().entries()).isEqualTo(5);
    assertThat(r.result().detail()).isEqualTo("entry at offset " + all.get(5).offset() + " has object type 7, expected 3");
  }

  @Test
  void aCorruptedCompressedFieldIsLeftOutOfItsEntryOnly() throws IOException {
    Path file = fixture("node-compact-zstd", dir);
    List<JournalEntry> all = read(file).entries();
    byte[] bytes = Files.readAllBytes(file);
    // find the compressed DATA object among the 7th entry's items and break its zstd frame magic
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    long entry = all.get(6).offset();
    long size = b.getLong((int) entry + 8);
    long broken = -1;
    for (long at = entry + 64; at < entry + size; at += 4) {
      long d = Integer.toUnsignedLong(b.getInt((int) at));
      if ((bytes[(int) d + 1] & JournalFile.OBJECT_COMPRESSED_ZSTD) != 0) {
        broken = d;
        bytes[(int) d + JournalFile.DATA_PAYLOAD_OFFSET_COMPACT] ^= (byte) 0xff;
      }
    }
    assertThat(broken).isPositive();
    Files.write(file, bytes);

    Read r = read(file);
    assertThat(r.result().stop()).isEqualTo(JournalFile.Stop.COMPLETE);
    assertThat(r.result().entries()).isEqualTo(24);
    assertThat(r.result().fieldsSkipped()).isEqualTo(1);
    assertThat(r.result().firstFieldProblem()).contains("ZSTD data object at offset " + broken);
    assertThat(r.entries().get(6).field("MESSAGE")).isNull();
    assertThat(r.entries().get(6).text("_SYSTEMD_UNIT")).isEqualTo("docker.service");
  }

  @Test
  void anOffsetOutsideTheFileIsNeverFollowed() throws IOException {
    Path file = fixture("node-regular-plain", dir);
    byte[] bytes = Files.readAllBytes(file);
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(176, bytes.length + 4096L); // entry_array_offset
    Files.write(file, bytes);
    Read r = read(file);
    assertThat(r.result().entries()).isZero();
    assertThat(r.result().stop()).isEqualTo(JournalFile.Stop.TRUNCATED);
    assertThat(r.result().detail()).contains("beyond the end of the file");
  }

  @Test
  void notAJournalFile() throws IOException {
    Path f = dir.resolve("x.journal");
    Files.write(f, "LPKSHHRX and more bytes".repeat(20).getBytes(StandardCharsets.US_ASCII));
    assertThatThrownBy(() -> JournalFile.open(f)).isInstanceOf(JournalFormatException.class)
        .hasMessageContaining("signature");
    Path g = dir.resolve("y.journal");
    byte[] head = Files.readAllBytes(fixture("node-regular-plain", dir));
    ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN).putInt(12, 1 << 9);
    Files.write(g, head);
    assertThatThrownBy(() -> JournalFile.open(g)).hasMessageContaining("unknown incompatible flags 0x200");
  }
}
