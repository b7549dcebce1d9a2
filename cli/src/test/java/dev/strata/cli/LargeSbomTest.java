package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.ingest.CollectionReport;
import dev.strata.ingest.CollectorOptions;
import dev.strata.ingest.EvidencePreserver;
import dev.strata.ingest.FileCollector;
import dev.strata.ingest.ProgressListener;
import dev.strata.ingest.publish.InMemoryChunkPublisher;
import dev.strata.parse.ChunkParseResult;
import dev.strata.parse.ChunkParser;
import dev.strata.parse.ParserRegistry;
import dev.strata.parse.Payloads;
import dev.strata.schema.common.Framing;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.raw.ChunkInfo;
import dev.strata.schema.raw.RawArtifactChunk;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SBOMs and scans of big images (20-30 MB, 20k+ packages: the size syft writes for a JDK or node image) through the
 * file collector and the parsers: cut into chunks at element starts of their record arrays, every chunk with the
 * document's context as its format header, every package / component / artifact / match an event bound to the image,
 * nothing dead-lettered, and the same event ids as when the document is parsed whole. The documents are generated
 * here (shapes follow syft 1.x SPDX 2.3 / CycloneDX 1.5 / syft JSON 16 and grype 0.8x JSON output, image context
 * after the arrays where syft and grype write it) into a temporary directory.
 */
class LargeSbomTest {
  static final String IMAGE = "registry.example.com/big/jdk";
  static final String DIGEST = "sha256:" + "ab".repeat(32);
  static final String PAD = "x".repeat(600);

  @TempDir Path dir;

  /** Writes ASCII JSON and records the byte offsets of the elements of the arrays it is told about. */
  static final class Doc {
    final StringBuilder sb = new StringBuilder(32 << 20);
    final TreeSet<Integer> starts = new TreeSet<>();
    final TreeSet<Integer> eventStarts = new TreeSet<>();
    long events;

    Doc w(String s) {
      sb.append(s);
      return this;
    }

    /** An element of a record array; {@code events}: how many events it makes. */
    Doc el(int i, String json, int events) {
      if (i > 0) sb.append(",\n    ");
      starts.add(sb.length());
      if (events > 0) eventStarts.add(sb.length());
      this.events += events;
      sb.append(json);
      return this;
    }

    byte[] bytes() {
      return sb.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
  }

  static Doc spdx(int n) {
    Doc d = new Doc().w("{\n  \"spdxVersion\": \"SPDX-2.3\",\n  \"dataLicense\": \"CC0-1.0\",\n  \"SPDXID\": "
        + "\"SPDXRef-DOCUMENT\",\n  \"name\": \"" + IMAGE + ":21\",\n  \"documentNamespace\": "
        + "\"https://anchore.com/syft/image/big-jdk-1\",\n  \"creationInfo\": {\"created\": \"2026-11-20T10:00:00Z\", "
        + "\"creators\": [\"Tool: syft-1.14.0\"]},\n  \"packages\": [\n    ");
    int image = n / 2;
    for (int i = 0; i <= n; i++) {
      if (i == image) {
        d.el(i, "{\"name\": \"" + IMAGE + "\", \"SPDXID\": \"SPDXRef-DocumentRoot-Image\", \"versionInfo\": \"" + DIGEST
            + "\", \"primaryPackagePurpose\": \"CONTAINER\", \"externalRefs\": [{\"referenceCategory\": "
            + "\"PACKAGE-MANAGER\", \"referenceType\": \"purl\", \"referenceLocator\": \"pkg:oci/jdk@sha256%3A"
            + "ab".repeat(32) + "?repository_url=" + IMAGE + "&tag=21\"}]}", 0);
        continue;
      }
      d.el(i, "{\"name\": \"lib-" + i + "\", \"SPDXID\": \"SPDXRef-Package-" + i + "\", \"versionInfo\": \"1." + i
          + "\", \"supplier\": \"Organization: Example\", \"downloadLocation\": \"NOASSERTION\", \"sourceInfo\": "
          + "\"acquired package info from installed java archive: /opt/java/lib/lib-" + i + ".jar\", "
          + "\"licenseConcluded\": \"NOASSERTION\", \"licenseDeclared\": \"" + (i % 3 == 0 ? "LicenseRef-Custom"
          : "Apache-2.0") + "\", \"description\": \"" + PAD + "\", \"externalRefs\": [{\"referenceCategory\": "
          + "\"SECURITY\", \"referenceType\": \"cpe23Type\", \"referenceLocator\": \"cpe:2.3:a:example:lib-" + i
          + ":1." + i + ":*:*:*:*:*:*:*\"}, {\"referenceCategory\": \"PACKAGE-MANAGER\", \"referenceType\": "
          + "\"purl\", \"referenceLocator\": \"pkg:maven/org.example/lib-" + i + "@1." + i + "\"}]}", 1);
    }
    d.w("\n  ],\n  \"files\": [\n    ");
    for (int i = 0; i < n / 4; i++) {
      d.el(i, "{\"fileName\": \"/opt/java/lib/lib-" + i + ".jar\", \"SPDXID\": \"SPDXRef-File-" + i + "\"}", 0);
    }
    d.w("\n  ],\n  \"hasExtractedLicensingInfos\": [{\"licenseId\": \"LicenseRef-Custom\", \"extractedText\": "
        + "\"Custom-1.0\"}],\n  \"relationships\": [\n    ");
    for (int i = 0; i < n; i++) {
      d.el(i, "{\"spdxElementId\": \"SPDXRef-DocumentRoot-Image\", \"relatedSpdxElement\": \"SPDXRef-Package-" + i
          + "\", \"relationshipType\": \"CONTAINS\"}", 0);
    }
    d.el(n, "{\"spdxElementId\": \"SPDXRef-DOCUMENT\", \"relatedSpdxElement\": \"SPDXRef-DocumentRoot-Image\", "
        + "\"relationshipType\": \"DESCRIBES\"}", 0);
    return d.w("\n  ]\n}\n");
  }

  /** SPDX 3.0.1 JSON-LD: every element in @graph (the document, its creation info and the image's package among them). */
  static Doc spdx3(int n) {
    String b = "https://example.com/spdx/big-jdk-1#";
    Doc d = new Doc().w("{\n  \"@context\": \"https://spdx.org/rdf/3.0.1/spdx-context.jsonld\",\n  \"@graph\": [\n    ");
    d.el(0, "{\"type\": \"CreationInfo\", \"@id\": \"_:creationinfo\", \"specVersion\": \"3.0.1\", \"created\": "
        + "\"2026-11-20T10:00:00Z\", \"createdBy\": [\"https://example.com/tool/sbomgen\"]}", 0);
    d.el(1, "{\"type\": \"SpdxDocument\", \"spdxId\": \"" + b + "doc\", \"creationInfo\": \"_:creationinfo\", "
        + "\"name\": \"" + IMAGE + ":21\", \"rootElement\": [\"" + b + "image\"]}", 0);
    int image = n / 2;
    for (int i = 0; i <= n; i++) {
      if (i == image) {
        d.el(2 + i, "{\"type\": \"software_Package\", \"spdxId\": \"" + b + "image\", \"creationInfo\": "
            + "\"_:creationinfo\", \"name\": \"" + IMAGE + "\", \"software_packageVersion\": \"" + DIGEST + "\", "
            + "\"software_primaryPurpose\": \"container\", \"software_packageUrl\": \"pkg:oci/jdk@sha256%3A"
            + "ab".repeat(32) + "?repository_url=" + IMAGE + "&tag=21\"}", 0);
        continue;
      }
      d.el(2 + i, "{\"type\": \"software_Package\", \"spdxId\": \"" + b + "pkg-" + i + "\", \"creationInfo\": "
          + "\"_:creationinfo\", \"name\": \"lib-" + i + "\", \"software_packageVersion\": \"1." + i + "\", "
          + "\"software_primaryPurpose\": \"library\", \"description\": \"" + PAD + "\", \"externalIdentifier\": [{"
          + "\"type\": \"ExternalIdentifier\", \"externalIdentifierType\": \"packageUrl\", \"identifier\": "
          + "\"pkg:maven/org.example/lib-" + i + "@1." + i + "\"}]}", 1);
    }
    d.el(n + 3, "{\"type\": \"Relationship\", \"spdxId\": \"" + b + "rel-0\", \"creationInfo\": \"_:creationinfo\", "
        + "\"from\": \"" + b + "image\", \"relationshipType\": \"contains\", \"to\": [\"" + b + "pkg-0\"]}", 0);
    return d.w("\n  ]\n}\n");
  }

  static Doc cyclonedx(int n) {
    Doc d = new Doc().w("{\n  \"bomFormat\": \"CycloneDX\",\n  \"specVersion\": \"1.5\",\n  \"serialNumber\": "
        + "\"urn:uuid:1b671687-3a4c-4e4f-8a3b-000000000001\",\n  \"version\": 1,\n  \"metadata\": {\"timestamp\": "
        + "\"2026-11-20T10:00:00Z\", \"tools\": {\"components\": [{\"type\": \"application\", \"name\": \"syft\", "
        + "\"version\": \"1.14.0\"}]}, \"component\": {\"bom-ref\": \"img\", \"type\": \"container\", \"name\": \""
        + IMAGE + ":21\", \"version\": \"" + DIGEST + "\"}},\n  \"components\": [\n    ");
    for (int i = 0; i < n; i++) {
      String nested = i % 10 == 0 ? ", \"components\": [{\"bom-ref\": \"c" + i + "-shaded\", \"type\": \"library\", "
          + "\"name\": \"shaded-" + i + "\", \"version\": \"1\"}]" : "";
      d.el(i, "{\"bom-ref\": \"c" + i + "\", \"type\": \"library\", \"name\": \"lib-" + i + "\", \"version\": \"1." + i
          + "\", \"description\": \"" + PAD + "\", \"licenses\": [{\"license\": {\"id\": \"Apache-2.0\"}}], \"purl\": "
          + "\"pkg:maven/org.example/lib-" + i + "@1." + i + "\", \"properties\": [{\"name\": \"syft:package:type\", "
          + "\"value\": \"java-archive\"}, {\"name\": \"syft:location:0:path\", \"value\": \"/opt/java/lib/lib-" + i
          + ".jar\"}]" + nested + "}", i % 10 == 0 ? 2 : 1);
    }
    d.w("\n  ],\n  \"dependencies\": [\n    ");
    for (int i = 0; i < n; i++) d.el(i, "{\"ref\": \"c" + i + "\", \"dependsOn\": [\"c" + (i + 1) % n + "\"]}", 0);
    return d.w("\n  ]\n}\n");
  }

  static String source() {
    return "\"source\": {\"id\": \"s1\", \"name\": \"" + IMAGE + "\", \"version\": \"21\", \"type\": \"image\", "
        + "\"metadata\": {\"userInput\": \"" + IMAGE + ":21\", \"imageID\": \"sha256:" + "cd".repeat(32)
        + "\", \"manifestDigest\": \"" + DIGEST + "\", \"tags\": [\"" + IMAGE + ":21\"], \"repoDigests\": []}}";
  }

  static String artifact(int i) {
    return "{\"id\": \"a" + i + "\", \"name\": \"lib-" + i + "\", \"version\": \"1." + i + "\", \"type\": "
        + "\"java-archive\", \"foundBy\": \"java-archive-cataloger\", \"locations\": [{\"path\": \"/opt/java/lib/lib-" + i
        + ".jar\", \"layerID\": \"sha256:" + "ef".repeat(32) + "\"}], \"licenses\": [{\"value\": \"Apache-2.0\", "
        + "\"spdxExpression\": \"Apache-2.0\", \"type\": \"declared\"}], \"language\": \"java\", \"cpes\": [{\"cpe\": "
        + "\"cpe:2.3:a:example:lib-" + i + ":1." + i + ":*:*:*:*:*:*:*\", \"source\": \"syft-generated\"}], \"purl\": "
        + "\"pkg:maven/org.example/lib-" + i + "@1." + i + "\", \"metadataType\": \"java-archive\", \"metadata\": "
        + "{\"virtualPath\": \"/opt/java/lib/lib-" + i + ".jar\", \"manifest\": {\"main\": [{\"key\": \"Note\", "
        + "\"value\": \"" + PAD + "\"}]}}}";
  }

  static Doc syft(int n) {
    Doc d = new Doc().w("{\n  \"artifacts\": [\n    ");
    for (int i = 0; i < n; i++) d.el(i, artifact(i), 1);
    d.w("\n  ],\n  \"artifactRelationships\": [\n    ");
    for (int i = 0; i < n; i++) {
      d.el(i, "{\"parent\": \"a" + i + "\", \"child\": \"f" + i + "\", \"type\": \"evident-by\"}", 0);
    }
    d.w("\n  ],\n  \"files\": [\n    ");
    for (int i = 0; i < n / 2; i++) d.el(i, "{\"id\": \"f" + i + "\", \"location\": {\"path\": \"/f/" + i + "\"}}", 0);
    return d.w("\n  ],\n  " + source() + ",\n  \"distro\": {\"prettyName\": \"Ubuntu 22.04\", \"name\": \"ubuntu\"},"
        + "\n  \"descriptor\": {\"name\": \"syft\", \"version\": \"1.14.0\"},\n  \"schema\": {\"version\": \"16.0.18\"}\n}\n");
  }

  static Doc grype(int n) {
    Doc d = new Doc().w("{\n  \"matches\": [\n    ");
    for (int i = 0; i < n; i++) {
      d.el(i, "{\"vulnerability\": {\"id\": \"CVE-2026-" + (10000 + i) + "\", \"dataSource\": "
          + "\"https://nvd.nist.gov/vuln/detail/CVE-2026-" + (10000 + i) + "\", \"namespace\": \"nvd:cpe\", \"severity\": "
          + "\"High\", \"cvss\": [{\"version\": \"3.1\", \"vector\": \"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\", "
          + "\"metrics\": {\"baseScore\": 9.8}}], \"fix\": {\"versions\": [\"2." + i + "\"], \"state\": \"fixed\"}}, "
          + "\"relatedVulnerabilities\": [], \"matchDetails\": [{\"type\": \"cpe-match\", \"matcher\": "
          + "\"java-matcher\", \"searchedBy\": {\"cpes\": [\"cpe:2.3:a:example:lib-" + i + "\"]}, \"found\": "
          + "{\"versionConstraint\": \"< 2." + i + "\"}}], \"artifact\": " + artifact(i) + "}", 1);
    }
    d.w("\n  ],\n  \"ignoredMatches\": [\n    ");
    for (int i = 0; i < 7; i++) d.el(i, "{\"vulnerability\": {\"id\": \"CVE-2020-" + i + "\"}}", 0);
    return d.w("\n  ],\n  " + source() + ",\n  \"distro\": {\"name\": \"ubuntu\", \"version\": \"22.04\"},\n  "
        + "\"descriptor\": {\"name\": \"grype\", \"version\": \"0.80.0\", \"timestamp\": \"2026-11-20T10:00:00Z\"}\n}\n");
  }

  @Test
  void spdxOf25MbFlowsInChunks() throws Exception {
    check("big.spdx.json", spdx(26_000), "spdx_sbom");
  }

  @Test
  void spdx3JsonLdOf25MbFlowsInChunks() throws Exception {
    check("big3.spdx.json", spdx3(26_000), "spdx_sbom");
  }

  @Test
  void cycloneDxOf25MbFlowsInChunks() throws Exception {
    check("big.cdx.json", cyclonedx(28_000), "cyclonedx_sbom");
  }

  @Test
  void syftOf25MbFlowsInChunksAndStrataParseReadsIt() throws Exception {
    Path file = check("big.syft.json", syft(21_000), "syft_sbom");
    ParseCommandTest.Run r = ParseCommandTest.run("parse", "--dead-letters", file.toString());
    assertThat(r.lines()).hasSize(21_000);
    assertThat(r.lines()).allSatisfy(n -> assertThat(n.path("container").path("image_name").asText())
        .isEqualTo(IMAGE + ":21"));
    assertThat(r.exit()).isZero();
  }

  @Test
  void grypeOf25MbFlowsInChunks() throws Exception {
    check("big.grype.json", grype(16_000), "grype_scan");
  }

  /**
   * The shared corpus SBOMs and scans (real syft / grype / vendor output), cut into 256-byte chunks: the same events
   * (ids, packages, image) as each document read whole, nothing dead-lettered.
   */
  @Test
  void corpusDocumentsCutSmallGiveTheSameEventsAsWhole() throws Exception {
    Path corpus = Path.of(System.getProperty("strata.shared.dir", "../../shared"), "corpus", "sbom");
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(corpus), "no shared corpus");
    List<Path> files;
    try (var s = Files.walk(corpus)) {
      files = s.filter(Files::isRegularFile).filter(p -> p.toString().endsWith(".json")).sorted().toList();
    }
    ChunkParser parser = new ChunkParser(ParserRegistry.defaults());
    CollectorOptions small = CollectorOptions.builder().chunkSize(256).build();
    int split = 0;
    for (Path f : files) {
      InMemoryChunkPublisher pub = new InMemoryChunkPublisher();
      FileCollector.collectFile(f, small, pub, EvidencePreserver.NONE, ProgressListener.NONE);
      InMemoryChunkPublisher wholePub = new InMemoryChunkPublisher();
      FileCollector.collectFile(f, CollectorOptions.defaults(), wholePub, EvidencePreserver.NONE, ProgressListener.NONE);
      assertThat(wholePub.chunks()).as(f.toString()).hasSize(1);
      List<String> cut = new ArrayList<>();
      for (RawArtifactChunk c : pub.chunks()) {
        ChunkParseResult r = parser.parse(c);
        assertThat(r.deadLetters()).as("%s chunk %d", f, c.getChunk().getIndex()).isEmpty();
        for (EvidenceEvent e : r.events()) cut.add(summary(e));
      }
      List<String> whole = new ArrayList<>();
      ChunkParseResult w = parser.parse(wholePub.chunks().get(0));
      for (EvidenceEvent e : w.events()) whole.add(summary(e));
      assertThat(cut).as(f.toString()).containsExactlyInAnyOrderElementsOf(whole);
      if (pub.chunks().size() > 1) split++;
    }
    assertThat(split).as("documents cut into several chunks").isGreaterThanOrEqualTo(6);
  }

  /**
   * What must not depend on the cut: id, class, image, time as written (a missing one is the collection time), an
   * inventory event's or a finding's package (a CycloneDX finding's component is joined across chunks by the
   * collector), an SPDX package's relationships.
   */
  private static String summary(EvidenceEvent e) {
    return e.getEventId() + " " + e.getClassUid() + " " + (e.getPackage$() == null ? "-"
        : e.getPackage$().getName() + "@" + e.getPackage$().getVersion()) + " " + (e.getContainer() == null ? "-"
        : e.getContainer().getImageName() + "|" + e.getContainer().getImageDigest()) + " " + e.getTimeOriginal()
        + (e.getVulnerability() == null ? "" : " " + e.getVulnerability().getUid())
        + " " + e.getUnmapped().get("package.relationships");
  }

  private Path check(String name, Doc doc, String format) throws Exception {
    byte[] bytes = doc.bytes();
    assertThat(bytes.length).as("generated size").isBetween(20 << 20, 60 << 20);
    Path file = dir.resolve(name);
    Files.write(file, bytes);

    InMemoryChunkPublisher pub = new InMemoryChunkPublisher();
    CollectionReport report = FileCollector.collectFile(file, CollectorOptions.defaults(), pub, EvidencePreserver.NONE,
        ProgressListener.NONE);
    assertThat(report.artifactCount()).isEqualTo(1);
    assertThat(report.truncations()).isEmpty();
    List<RawArtifactChunk> chunks = pub.chunks();
    assertThat(chunks.size()).as("chunks").isGreaterThan(bytes.length / CollectorOptions.DEFAULT_CHUNK_SIZE - 1);

    // exact boundaries: the payloads are the document, each later chunk starts at an element's first byte
    ByteArrayOutputStream all = new ByteArrayOutputStream(bytes.length);
    String header = sharedContext(chunks.get(0).getFormatHeader());
    assertThat(header).isNotNull().hasSizeLessThan(16 * 1024);
    for (RawArtifactChunk c : chunks) {
      assertThat(c.getSourceType()).isEqualTo(format);
      assertThat(c.getFraming()).isEqualTo(Framing.JSON_RECORDS);
      assertThat(sharedContext(c.getFormatHeader())).isEqualTo(header);
      assertThat(c.getFormatHeader()).as("chunk header with joined elements").hasSizeLessThan(1 << 20);
      if (c.getChunk().getIndex() > 0) {
        assertThat(doc.starts.contains((int) c.getChunk().getOffset()))
            .as("chunk %d at %d starts at an element", c.getChunk().getIndex(), c.getChunk().getOffset()).isTrue();
      }
      all.writeBytes(Payloads.bytes(c));
    }
    assertThat(all.toByteArray()).isEqualTo(bytes);

    // every chunk parses on its own: one event per package, bound to the image, nothing dead-lettered
    ChunkParser parser = new ChunkParser(ParserRegistry.defaults());
    List<EvidenceEvent> events = new ArrayList<>();
    for (RawArtifactChunk c : chunks) {
      ChunkParseResult r = parser.parse(c);
      assertThat(r.deadLetters()).as("chunk %d", c.getChunk().getIndex()).isEmpty();
      events.addAll(r.events());
    }
    assertThat((long) events.size()).isEqualTo(doc.events);
    Set<String> ids = new HashSet<>();
    for (EvidenceEvent e : events) {
      assertThat(e.getContainer()).as("image of %s", e.getMessage()).isNotNull();
      assertThat(e.getContainer().getImageName()).startsWith(IMAGE);
      assertThat(e.getContainer().getImageDigest()).isEqualTo(DIGEST);
      assertThat(doc.eventStarts.contains((int) e.getLineage().getByteOffset())).as("event at an element").isTrue();
      ids.add(e.getEventId());
    }
    assertThat(ids).hasSize(events.size());

    // the same document parsed whole (as one chunk) gives the same event ids
    RawArtifactChunk c0 = chunks.get(0);
    RawArtifactChunk whole = RawArtifactChunk.newBuilder(c0)
        .setPayload(ByteBuffer.wrap(bytes))
        .setFormatHeader(null)
        .setChunk(ChunkInfo.newBuilder(c0.getChunk()).setCount(1).setLength(bytes.length).build())
        .build();
    ChunkParseResult w = parser.parse(whole);
    assertThat(w.deadLetters()).isEmpty();
    Set<String> wholeIds = new HashSet<>();
    for (EvidenceEvent e : w.events()) wholeIds.add(e.getEventId());
    assertThat(wholeIds).isEqualTo(ids);
    // ... and the same package facts, relationships included (joined across chunks by the collector)
    List<String> cut = new ArrayList<>();
    for (EvidenceEvent e : events) cut.add(summary(e));
    List<String> wholeFacts = new ArrayList<>();
    for (EvidenceEvent e : w.events()) wholeFacts.add(summary(e));
    assertThat(cut).containsExactlyInAnyOrderElementsOf(wholeFacts);
    return file;
  }

  /** A chunk's format header without what is joined to the chunk's own elements (the part all chunks share). */
  private static String sharedContext(String header) throws Exception {
    if (header == null) return null;
    com.fasterxml.jackson.databind.node.ObjectNode h =
        (com.fasterxml.jackson.databind.node.ObjectNode) new com.fasterxml.jackson.databind.ObjectMapper().readTree(header);
    h.remove("joined");
    h.remove("joined_complete");
    return h.toString();
  }

  /**
   * An SPDX document whose relationships all come after its packages (as syft writes them), cut into small chunks:
   * relationships between packages of different chunks, a package with more relationships than the parser keeps
   * (64), relationships naming files and unknown elements, the image's DESCRIBES. Every package event of the split
   * document equals the one of the document parsed whole (all fields but the chunk index), relationships included.
   */
  @Test
  void spdxRelationshipsAfterThePackagesJoinTheirPackagesWhenSplit() throws Exception {
    int n = 300;
    StringBuilder sb = new StringBuilder("{\n  \"spdxVersion\": \"SPDX-2.3\",\n  \"SPDXID\": \"SPDXRef-DOCUMENT\",\n  "
        + "\"name\": \"" + IMAGE + ":21\",\n  \"creationInfo\": {\"created\": \"2026-11-20T10:00:00Z\"},\n  "
        + "\"packages\": [\n    {\"name\": \"" + IMAGE + "\", \"SPDXID\": \"SPDXRef-Image\", \"versionInfo\": \""
        + DIGEST + "\", \"primaryPackagePurpose\": \"CONTAINER\"}");
    for (int i = 0; i < n; i++) {
      sb.append(",\n    {\"name\": \"lib-").append(i).append("\", \"SPDXID\": \"SPDXRef-Package-").append(i)
          .append("\", \"versionInfo\": \"1.").append(i).append("\", \"licenseDeclared\": \"MIT\"}");
    }
    sb.append("\n  ],\n  \"files\": [{\"fileName\": \"/a\", \"SPDXID\": \"SPDXRef-File-a\"}],\n  \"relationships\": [\n    "
        + "{\"spdxElementId\": \"SPDXRef-DOCUMENT\", \"relatedSpdxElement\": \"SPDXRef-Image\", "
        + "\"relationshipType\": \"DESCRIBES\"}");
    for (int i = 0; i < n; i++) {
      rel(sb, "SPDXRef-Image", "CONTAINS", "SPDXRef-Package-" + i);
      rel(sb, "SPDXRef-Package-" + i, "DEPENDS_ON", "SPDXRef-Package-" + (n - 1 - i)); // across the document
      if (i % 7 == 0) rel(sb, "SPDXRef-Package-" + i, "CONTAINS", "SPDXRef-File-a");
      if (i % 11 == 0) rel(sb, "SPDXRef-Unknown-" + i, "GENERATES", "SPDXRef-Package-" + i);
    }
    for (int k = 0; k < 70; k++) rel(sb, "SPDXRef-Package-5", "DEPENDS_ON", "SPDXRef-Package-" + (k + 100));
    sb.append("\n  ]\n}\n");
    Path file = dir.resolve("rels.spdx.json");
    ChunkParseResult w = parseWhole(file, sb);
    assertThat(w.events()).hasSize(n);
    assertThat(w.events().get(5).getUnmapped().get("package.relationships").split(", ")).hasSize(64);
    assertThat(w.events().get(7).getUnmapped().get("package.relationships"))
        .isEqualTo("CONTAINS_OF SPDXRef-Image, DEPENDS_ON SPDXRef-Package-292, CONTAINS SPDXRef-File-a, "
            + "DEPENDS_ON_OF SPDXRef-Package-292");
    assertCutSmallGivesTheWholeFacts(file, w);
  }

  /** Writes {@code text} to {@code file}, collects it as one chunk (read whole) and parses it. */
  private static ChunkParseResult parseWhole(Path file, CharSequence text) throws Exception {
    Files.writeString(file, text);
    InMemoryChunkPublisher wholePub = new InMemoryChunkPublisher();
    FileCollector.collectFile(file, CollectorOptions.defaults(), wholePub, EvidencePreserver.NONE, ProgressListener.NONE);
    assertThat(wholePub.chunks()).hasSize(1);
    return new ChunkParser(ParserRegistry.defaults()).parse(wholePub.chunks().get(0));
  }

  /**
   * The document of {@code file} cut at 512 B, 1 KiB and 4 KiB (more than 10 chunks each) gives, chunk by chunk, the
   * same facts ({@link #facts}) as the whole document's parse {@code whole}, nothing dead-lettered.
   */
  private static void assertCutSmallGivesTheWholeFacts(Path file, ChunkParseResult whole) {
    ChunkParser parser = new ChunkParser(ParserRegistry.defaults());
    List<String> wholeFacts = new ArrayList<>();
    for (EvidenceEvent e : whole.events()) wholeFacts.add(facts(e));
    for (int chunkSize : new int[] {512, 1024, 4096}) {
      InMemoryChunkPublisher pub = new InMemoryChunkPublisher();
      FileCollector.collectFile(file, CollectorOptions.builder().chunkSize(chunkSize).build(), pub,
          EvidencePreserver.NONE, ProgressListener.NONE);
      assertThat(pub.chunks().size()).as("%s: chunks at %d", file.getFileName(), chunkSize).isGreaterThan(10);
      List<String> cut = new ArrayList<>();
      for (RawArtifactChunk c : pub.chunks()) {
        ChunkParseResult r = parser.parse(c);
        assertThat(r.deadLetters()).as("chunk %d", c.getChunk().getIndex()).isEmpty();
        for (EvidenceEvent e : r.events()) cut.add(facts(e));
      }
      assertThat(cut).as("%s cut at %d", file.getFileName(), chunkSize).containsExactlyInAnyOrderElementsOf(wholeFacts);
    }
  }

  /**
   * A CycloneDX 1.5 BOM whose vulnerabilities (after the components, as syft / grype / trivy write them) affect
   * components anywhere in the document (CycloneDX "vulnerabilities[].affects[].ref" = a component's bom-ref): nested
   * components, several affects per vulnerability, a ref no component has. Cut into small chunks, every event equals
   * the one of the document parsed whole (all fields but the chunk index), the findings' packages included; the same
   * for grype's CycloneDX output (findings only).
   */
  @Test
  void cycloneDxFindingsJoinTheirComponentsWhenSplit() throws Exception {
    int n = 200;
    for (String tool : List.of("syft", "grype")) {
      StringBuilder sb = new StringBuilder("{\n  \"bomFormat\": \"CycloneDX\",\n  \"specVersion\": \"1.5\",\n  "
          + "\"metadata\": {\"timestamp\": \"2026-11-20T10:00:00Z\", \"tools\": {\"components\": [{\"name\": \""
          + tool + "\", \"version\": \"1\"}]}, \"component\": {\"bom-ref\": \"img\", \"type\": \"container\", "
          + "\"name\": \"" + IMAGE + ":21\", \"version\": \"" + DIGEST + "\"}},\n  \"components\": [");
      for (int i = 0; i < n; i++) {
        sb.append(i == 0 ? "\n    " : ",\n    ").append("{\"bom-ref\": \"pkg:npm/lib-").append(i).append("@1.").append(i)
            .append("\", \"type\": \"library\", \"name\": \"lib-").append(i).append("\", \"version\": \"1.").append(i)
            .append("\", \"purl\": \"pkg:npm/lib-").append(i).append("@1.").append(i).append("\"");
        if (i % 10 == 0) {
          sb.append(", \"components\": [{\"bom-ref\": \"shaded-").append(i).append("\", \"type\": \"library\", "
              + "\"name\": \"shaded-").append(i).append("\", \"version\": \"2\"}]");
        }
        sb.append('}');
      }
      sb.append("\n  ],\n  \"dependencies\": [{\"ref\": \"img\", \"dependsOn\": [\"pkg:npm/lib-0@1.0\"]}],\n  "
          + "\"vulnerabilities\": [");
      for (int i = 0; i < n; i++) {
        int other = n - 1 - i;
        sb.append(i == 0 ? "\n    " : ",\n    ").append("{\"bom-ref\": \"v").append(i).append("\", \"id\": \"CVE-2026-")
            .append(20000 + i).append("\", \"source\": {\"name\": \"NVD\"}, \"ratings\": [{\"score\": 7.5, "
                + "\"severity\": \"high\", \"method\": \"CVSSv31\"}], \"affects\": [{\"ref\": \"pkg:npm/lib-")
            .append(other).append("@1.").append(other).append("\"}");
        if (i % 10 == 0) sb.append(", {\"ref\": \"shaded-").append(i).append("\"}");
        if (i % 13 == 0) sb.append(", {\"ref\": \"not-in-this-bom-").append(i).append("\"}");
        sb.append("]}");
      }
      sb.append("\n  ]\n}\n");
      Path file = dir.resolve("vulns-" + tool + (tool.equals("grype") ? ".grype.json" : ".cdx.json"));
      ChunkParseResult w = parseWhole(file, sb);
      List<EvidenceEvent> findings = w.events().stream().filter(e -> e.getVulnerability() != null).toList();
      assertThat(findings).as(tool).hasSize(n + n / 10 + (n + 12) / 13);
      assertThat(w.events()).as(tool).hasSize(findings.size() + (tool.equals("syft") ? n + n / 10 : 0));
      EvidenceEvent first = findings.get(0);
      assertThat(first.getPackage$().getName()).isEqualTo("lib-" + (n - 1));
      assertThat(findings.get(1).getPackage$().getName()).isEqualTo("shaded-0");
      assertThat(findings.get(2).getPackage$()).isNull();
      assertThat(findings.get(2).getUnmapped()).containsEntry("vulnerability.affects_ref", "not-in-this-bom-0");
      assertCutSmallGivesTheWholeFacts(file, w);
    }
  }

  /**
   * A CycloneDX 1.6 BOM whose dependencies (after the components, as syft writes them; CycloneDX
   * "dependencies[].ref / dependsOn[] / provides[]" = bom-refs) name components anywhere in the document: nested
   * components, a component depended on by more than the 64 relationships the parser keeps, provides, refs no
   * component has, the image's own dependency. Cut into small chunks, every package event equals the one of the
   * document parsed whole (all fields but the chunk index), package.relationships included.
   */
  @Test
  void cycloneDxDependenciesJoinTheirComponentsWhenSplit() throws Exception {
    int n = 300;
    StringBuilder sb = new StringBuilder("{\n  \"bomFormat\": \"CycloneDX\",\n  \"specVersion\": \"1.6\",\n  "
        + "\"metadata\": {\"timestamp\": \"2026-11-20T10:00:00Z\", \"component\": {\"bom-ref\": \"img\", \"type\": "
        + "\"container\", \"name\": \"" + IMAGE + ":21\", \"version\": \"" + DIGEST + "\"}},\n  \"components\": [");
    for (int i = 0; i < n; i++) {
      sb.append(i == 0 ? "\n    " : ",\n    ").append("{\"bom-ref\": \"pkg:npm/lib-").append(i).append("@1\", \"type\": "
          + "\"library\", \"name\": \"lib-").append(i).append("\", \"version\": \"1\"");
      if (i % 10 == 0) {
        sb.append(", \"components\": [{\"bom-ref\": \"shaded-").append(i).append("\", \"type\": \"library\", "
            + "\"name\": \"shaded-").append(i).append("\", \"version\": \"1\"}]");
      }
      sb.append('}');
    }
    sb.append("\n  ],\n  \"dependencies\": [\n    {\"ref\": \"img\", \"dependsOn\": [\"pkg:npm/lib-0@1\"]}");
    for (int i = 0; i < n; i++) {
      sb.append(",\n    {\"ref\": \"pkg:npm/lib-").append(i).append("@1\", \"dependsOn\": [\"pkg:npm/lib-")
          .append(n - 1 - i).append("@1\", \"pkg:npm/lib-5@1\"");
      if (i % 10 == 0) sb.append(", \"shaded-").append(i).append('"');
      if (i % 13 == 0) sb.append(", \"not-in-this-bom-").append(i).append('"');
      sb.append(']');
      if (i % 7 == 0) sb.append(", \"provides\": [\"shaded-").append((i / 10) * 10).append("\"]");
      sb.append('}');
    }
    sb.append("\n  ]\n}\n");
    Path file = dir.resolve("deps.cdx.json");
    ChunkParseResult w = parseWhole(file, sb);
    assertThat(w.events()).hasSize(n + n / 10);
    EvidenceEvent lib5 = w.events().stream().filter(e -> e.getPackage$().getName().equals("lib-5")).findFirst()
        .orElseThrow();
    assertThat(lib5.getUnmapped().get("package.relationships").split(", ")).hasSize(64);
    EvidenceEvent lib7 = w.events().stream().filter(e -> e.getPackage$().getName().equals("lib-7")).findFirst()
        .orElseThrow();
    assertThat(lib7.getUnmapped().get("package.relationships")).isEqualTo("DEPENDS_ON pkg:npm/lib-292@1, "
        + "DEPENDS_ON pkg:npm/lib-5@1, PROVIDES shaded-0, DEPENDS_ON_OF pkg:npm/lib-292@1");
    assertCutSmallGivesTheWholeFacts(file, w);
  }

  private static void rel(StringBuilder sb, String from, String type, String to) {
    sb.append(",\n    {\"spdxElementId\": \"").append(from).append("\", \"relatedSpdxElement\": \"").append(to)
        .append("\", \"relationshipType\": \"").append(type).append("\"}");
  }

  /** Everything an event says but the chunk it came from and the collection (time, run). */
  private static String facts(EvidenceEvent e) {
    EvidenceEvent c = EvidenceEvent.newBuilder(e).build();
    c.setUnmapped(new java.util.TreeMap<>(c.getUnmapped()));
    c.getLineage().setChunkIndex(0);
    c.getLineage().setCollectorRunId("run");
    c.setObservedTime(java.time.Instant.EPOCH);
    return c.toString();
  }
}
