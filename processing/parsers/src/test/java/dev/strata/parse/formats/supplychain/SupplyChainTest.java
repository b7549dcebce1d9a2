package dev.strata.parse.formats.supplychain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.parse.ChunkParser;
import dev.strata.parse.ParserRegistry;
import dev.strata.parse.formats.supplychain.SupplyChain.ImageRef;
import dev.strata.parse.testing.Chunks;
import dev.strata.schema.common.Framing;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SupplyChainTest {

  private static final String D = "sha256:" + "a".repeat(64);

  @Test
  void ociAndDockerPurls() {
    assertThat(SupplyChain.imageFromPurl("pkg:oci/api@sha256%3A" + "a".repeat(64)
        + "?arch=amd64&repository_url=registry.example.com%2Fshop%2Fapi&tag=1.0"))
        .isEqualTo(new ImageRef("registry.example.com/shop/api:1.0", null, D));
    assertThat(SupplyChain.imageFromPurl("pkg:oci/user-image-input@sha256%3A" + "a".repeat(64) + "?arch="))
        .isEqualTo(new ImageRef("user-image-input", null, D));
    assertThat(SupplyChain.imageFromPurl("pkg:docker/library/alpine@3.19"))
        .isEqualTo(new ImageRef("library/alpine:3.19", null, null));
    assertThat(SupplyChain.imageFromPurl("pkg:npm/express@4.18.2")).isNull();
    assertThat(SupplyChain.purlType("pkg:deb/debian/zlib@1")).isEqualTo("deb");
    assertThat(SupplyChain.purlType("a-purl-1")).isNull();
  }

  @Test
  void imageReferencesAndSeverities() {
    assertThat(SupplyChain.looksLikeImageRef("alpine:3.10")).isTrue();
    assertThat(SupplyChain.looksLikeImageRef("registry.example.com:5000/a/b@" + D)).isTrue();
    assertThat(SupplyChain.looksLikeImageRef("alpine-3.10")).isFalse();
    assertThat(SupplyChain.looksLikeImageRef("https://example.com/x:1")).isFalse();
    assertThat(SupplyChain.severityId("Negligible")).isEqualTo(1);
    assertThat(SupplyChain.severityId("critical")).isEqualTo(5);
    assertThat(SupplyChain.severityId("Unknown")).isZero();
    assertThat(SpdxSbomParser.pathOf("acquired package info from APK DB: /lib/apk/db/installed"))
        .isEqualTo("/lib/apk/db/installed");
  }

  /**
   * Element lines come from the JSON parser's own row count (JsonDocuments.Cursor#markElement, cosign's payloads): for pretty-printed
   * documents, several per chunk, LF and CRLF line ends, blank lines before them and a chunk that starts at line 7,
   * every event's line_number is still chunk.first_line + the newlines before its byte_offset (the fixtures, as
   * written by syft / grype, see fixtures/README).
   */
  @Test
  void elementLinesAreTheNewlinesBeforeThem() throws Exception {
    String[][] fixtures = {
      {SpdxSbomParser.FORMAT, "spdx_sbom/syft_image.input"},
      {CycloneDxSbomParser.FORMAT, "cyclonedx_sbom/syft_image.input"},
      {SyftSbomParser.FORMAT, "syft_sbom/image.input"},
      {GrypeScanParser.FORMAT, "grype_scan/image.input"},
      {GrypeScanParser.FORMAT, "grype_scan/cyclonedx.input"},
      {CosignVerifyParser.FORMAT, "cosign_verify/json_and_text.input"},
      {CosignVerifyParser.FORMAT, "cosign_verify/json_and_text.input", "pretty"}
    };
    for (String[] f : fixtures) {
      String doc = new String(getClass().getResourceAsStream("/fixtures/" + f[1]).readAllBytes(), StandardCharsets.UTF_8)
          .strip();
      if (f.length > 2) { // its JSON lines pretty-printed: payloads over several lines
        var m = new com.fasterxml.jackson.databind.ObjectMapper();
        StringBuilder sb = new StringBuilder();
        for (String l : doc.split("\n")) {
          sb.append(l.startsWith("[") ? m.writerWithDefaultPrettyPrinter().writeValueAsString(m.readTree(l)) : l)
              .append('\n');
        }
        doc = sb.toString().strip();
      }
      for (boolean crlf : new boolean[] {false, true}) {
        String text = "\n\n" + doc + "\n  \n" + doc + "\n";
        if (crlf) text = text.replace("\n", "\r\n");
        byte[] content = text.getBytes(StandardCharsets.UTF_8);
        var c = Chunks.chunk(content, "e".repeat(64), f[0], Framing.WHOLE, "x.json", 0, 1, 0, 7, 0, false, content);
        var r = new ChunkParser(ParserRegistry.defaults()).parse(c);
        assertThat(r.deadLetters()).as(f[1]).isEmpty();
        assertThat(r.events()).as(f[1]).hasSizeGreaterThan(3);
        for (var e : r.events()) {
          int off = (int) (long) e.getLineage().getByteOffset();
          long newlines = 0;
          for (int i = 0; i < off; i++) if (content[i] == '\n') newlines++;
          assertThat(e.getLineage().getLineNumber()).as("%s crlf=%s offset %d", f[1], crlf, off)
              .isEqualTo(7 + newlines);
        }
      }
    }
  }

  @Test
  void documentCutByTheCollectorIsRecordTooLarge() {
    byte[] doc = "{\"spdxVersion\":\"SPDX-2.3\",\"packages\":[{\"name\":\"a\"},{\"na".getBytes(StandardCharsets.UTF_8);
    var c = Chunks.chunk(doc, "e".repeat(64), SpdxSbomParser.FORMAT, Framing.WHOLE, "x.spdx.json", 0, 1, 0, 1, 0,
        true, doc);
    var r = new ChunkParser(ParserRegistry.defaults()).parse(c);
    assertThat(r.events()).isEmpty();
    assertThat(r.deadLetters()).singleElement().satisfies(d -> {
      assertThat(d.getReason()).isEqualTo("record_too_large");
      assertThat(d.getByteOffset()).isZero();
    });
  }

  @Test
  void grypeJsonWithoutMatchesGivesNothing() {
    String empty = "{\"matches\":[],\"source\":{\"type\":\"unknown\",\"target\":\"unknown\"},"
        + "\"descriptor\":{\"name\":\"grype\",\"version\":\"x\",\"timestamp\":\"\"}}";
    var r = new ChunkParser(ParserRegistry.defaults()).parse(Chunks.single(empty, GrypeScanParser.FORMAT,
        Framing.WHOLE, "x.json"));
    assertThat(r.events()).isEmpty();
    assertThat(r.deadLetters()).isEmpty();
  }
}
