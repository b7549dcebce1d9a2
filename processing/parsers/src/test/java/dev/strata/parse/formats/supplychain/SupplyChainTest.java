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
