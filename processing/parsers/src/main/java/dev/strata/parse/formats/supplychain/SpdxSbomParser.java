package dev.strata.parse.formats.supplychain;

import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.parse.ChunkContext;
import dev.strata.parse.Events;
import dev.strata.parse.JsonFormatParser;
import dev.strata.parse.JsonRecordStream.RecordException;
import dev.strata.parse.ParseException;
import dev.strata.parse.ParseOutput;
import dev.strata.parse.RejectReason;
import dev.strata.parse.formats.supplychain.JsonDocuments.Cursor;
import dev.strata.parse.formats.supplychain.JsonDocuments.Mode;
import dev.strata.parse.formats.supplychain.SupplyChain.ImageRef;
import dev.strata.parse.formats.supplychain.SupplyChain.Pending;
import dev.strata.parse.formats.supplychain.SupplyChain.Pkg;
import dev.strata.parse.formats.supplychain.SupplyChain.Relationships;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.raw.RawArtifactChunk;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * SPDX 2.2 / 2.3 JSON documents (as syft, trivy, docker sbom and vendors write them) to one OCSF 5001 Device
 * Inventory Info event per package (see {@link SupplyChain}).
 *
 * <pre>
 * subject       the packages the document DESCRIBES (documentDescribes[], relationships SPDXRef-DOCUMENT DESCRIBES x,
 *               x DESCRIBED_BY SPDXRef-DOCUMENT); a subject that is the image (primaryPackagePurpose CONTAINER, or a
 *               pkg:oci / pkg:docker purl) gives container.image_name (purl repository_url[:tag], else the package
 *               name), image_digest (purl digest, else versionInfo / SHA256 checksum "sha256:..") and is not itself
 *               an event; with no such package, a document name that reads as an image reference (alpine:3.10) or a
 *               syft image namespace (https://anchore.com/syft/image/..) gives image_name = document name
 * packages[]    -> package: name, versionInfo -> version, SPDXID -> uid, externalRefs purl -> purl (its type ->
 *               type), cpe23Type / cpe22Type -> cpes, licenseDeclared + licenseConcluded (not NOASSERTION/NONE;
 *               LicenseRef-x resolved through hasExtractedLicensingInfos) -> licenses, sourceInfo "...: /path" -> path
 * unmapped      package.* (supplier, originator, downloadLocation, filesAnalyzed, sourceInfo, checksums, description,
 *               primaryPackagePurpose, ...), package.relationships ("TYPE target" / "TYPE_OF source" of the
 *               package, 64 at most; in a split document from the relationships the collector joined to the chunk's
 *               packages in its header, the same as whole; warned if the collector had to leave some out),
 *               sbom.document_name, sbom.namespace, sbom.spdx_version, sbom.creators, sbom.subject
 * time          creationInfo.created
 * </pre>
 */
public final class SpdxSbomParser extends JsonFormatParser {

  public static final String FORMAT = "spdx_sbom";

  /** The arrays the collector cuts an SPDX document at (ingest SpdxSbomRecognizer): counted as records. */
  static final Set<String> RECORD_ARRAYS = Set.of("packages", "files", "snippets", "relationships", "@graph");

  public SpdxSbomParser() {
    super(FORMAT);
  }

  @Override
  public void parse(RawArtifactChunk chunk, ParseOutput out) throws ParseException {
    ChunkContext ctx = ChunkContext.of(chunk).unhashedEventIds().sharedContext();
    new JsonDocuments(ctx, RECORD_ARRAYS, () -> new Spdx(ctx), out).run();
  }

  /** A package that may be the image the document describes (container purpose or an image purl). */
  private record Candidate(String id, JsonNode node) {}

  /** A package event's SPDX id and declared / concluded license (resolved at the document's end). */
  private record PackageInfo(SpdxIds.Id id, String declared, String concluded) {}

  /** One SPDX document. */
  private static final class Spdx extends SupplyChain.Document {
    final Set<String> subjects = new LinkedHashSet<>();
    /** the document's element ids, with their relationships */
    final SpdxIds ids = new SpdxIds();
    /**
     * a split document's chunk: its packages' relationships are those the collector joined to them in its header
     * ({@link SpdxIds.Id#joined}), not those of its own payload
     */
    boolean joinedRelationships;
    boolean joinedComplete = true;
    /** the ends of the previous relationship (the next one's are expected to be the same source, the next target) */
    private SpdxIds.Id lastFrom;
    private SpdxIds.Id lastTo;
    final List<Candidate> candidates = new ArrayList<>();
    /** per pending event: the package's SPDXID and its declared / concluded license (resolved at the end) */
    final List<PackageInfo> packageInfo = new ArrayList<>();

    Spdx(ChunkContext ctx) {
      super(ctx);
    }

    /** SPDX 3.0 JSON-LD: the document's creation, its root elements and name, the described elements. */
    String created3;
    String specVersion3;
    String docName3;
    final Set<String> roots3 = new LinkedHashSet<>();

    @Override
    public void element(String array, Cursor c) throws IOException {
      if (array.equals("@graph")) {
        graphElement(c);
        return;
      }
      if (array.equals("packages")) {
        if (c.mode == Mode.CONTEXT) {
          JsonNode n = c.tree();
          candidates.add(new Candidate(n.path("SPDXID").asText(null), n));
        } else {
          pkg(c);
        }
      } else if (array.equals("relationships") && c.mode == Mode.JOINED) {
        relationship(c, true, null);
      } else if (array.equals("relationships") && c.mode != Mode.CHUNK) {
        relationship(c, false, subjects);
      } else {
        c.skip();
      }
    }

    @Override
    public boolean joined(String array, boolean complete) {
      if (!array.equals("relationships")) return false;
      joinedRelationships = true;
      joinedComplete &= complete;
      return true;
    }

    /**
     * Adds a relationship to both ends' relationships (those joined to a split document's chunk if {@code joined}),
     * or, for DESCRIBES / DESCRIBED_BY of the document, its subject to {@code subjectsInto} (null: not at all).
     */
    private void relationship(Cursor c, boolean joined, Set<String> subjectsInto) throws IOException {
      if (c.p.currentToken() != JsonToken.START_OBJECT) {
        c.skip();
        return;
      }
      SpdxIds.Id from = null;
      SpdxIds.Id to = null;
      String type = "";
      for (String f; (f = c.nextField()) != null; ) {
        switch (f) {
          case "spdxElementId" -> from = ids.read(c, lastFrom);
          case "relatedSpdxElement" -> to = ids.read(c, lastTo == null ? null : lastTo.after);
          case "relationshipType" -> {
            String t = c.string();
            type = t == null ? "" : t;
          }
          default -> c.skip();
        }
      }
      if (from == null || to == null) return;
      lastFrom = from;
      lastTo = to;
      if (type.equals("DESCRIBES") && from.text.equals("SPDXRef-DOCUMENT")) {
        if (subjectsInto != null) subjectsInto.add(to.text);
      } else if (type.equals("DESCRIBED_BY") && to.text.equals("SPDXRef-DOCUMENT")) {
        if (subjectsInto != null) subjectsInto.add(from.text);
      } else {
        from.rels(joined).add(type, "", to.text);
        to.rels(joined).add(type, "_OF", from.text);
      }
    }

    /**
     * One element of an SPDX 3.0 JSON-LD document's {@code @graph} (spdx-context.jsonld's compact names): a {@code
     * software_Package} is a package (name, software_packageVersion, spdxId, software_packageUrl or an
     * externalIdentifier of type packageUrl, cpe23 identifiers, software_primaryPurpose, a sha256 hash in
     * verifiedUsing); the {@code SpdxDocument} names the root elements, a {@code describes} relationship the
     * described ones, the {@code CreationInfo} the time and spec version. Other elements (files, licenses, agents,
     * tools) make no event.
     */
    private void graphElement(Cursor c) throws IOException {
      if (c.p.currentToken() != JsonToken.START_OBJECT) {
        c.skip();
        return;
      }
      JsonNode n = c.tree();
      String type = n.path("type").asText(n.path("@type").asText(""));
      switch (type) {
        case "CreationInfo" -> {
          if (created3 == null) created3 = SupplyChain.text(n, "created");
          if (specVersion3 == null) specVersion3 = SupplyChain.text(n, "specVersion");
        }
        case "SpdxDocument" -> {
          for (JsonNode r : n.path("rootElement")) roots3.add(r.asText());
          if (docName3 == null) docName3 = SupplyChain.text(n, "name");
          JsonNode ci = n.path("creationInfo");
          if (ci.isObject()) {
            if (created3 == null) created3 = SupplyChain.text(ci, "created");
            if (specVersion3 == null) specVersion3 = SupplyChain.text(ci, "specVersion");
          }
        }
        case "Relationship" -> {
          if ("describes".equalsIgnoreCase(n.path("relationshipType").asText())) {
            for (JsonNode t : n.path("to")) subjects.add(t.asText());
          }
        }
        case "software_Package", "Package", "software:Package" -> {
          if (c.mode == Mode.CONTEXT) {
            candidates.add(new Candidate(SupplyChain.text(n, "spdxId"), n));
          } else {
            pkg3(c, n);
          }
        }
        default -> { }
      }
    }

    private void pkg3(Cursor c, JsonNode n) {
      Pkg pkg = new Pkg();
      OverlayMap u = SupplyChain.unmapped();
      pkg.name = SupplyChain.text(n, "name");
      pkg.version = SupplyChain.text(n, "software_packageVersion");
      pkg.uid = SupplyChain.text(n, "spdxId");
      pkg.purl = purl3(n);
      for (JsonNode x : n.path("externalIdentifier")) {
        String t = x.path("externalIdentifierType").asText("");
        if (t.startsWith("cpe")) pkg.addCpe(SupplyChain.text(x, "identifier"));
      }
      pkg.type = SupplyChain.purlType(pkg.purl);
      pkg.addLicense(SupplyChain.text(n, "simplelicensing_licenseExpression"));
      String purpose = SupplyChain.text(n, "software_primaryPurpose");
      SupplyChain.put(u, "package.primary_purpose", purpose);
      SupplyChain.put(u, "package.download_location", SupplyChain.text(n, "software_downloadLocation"));
      SupplyChain.put(u, "package.supplied_by", n.path("suppliedBy").isMissingNode() ? null : n.path("suppliedBy").toString());
      SupplyChain.put(u, "package.description", SupplyChain.text(n, "description"));
      if (c.mode == Mode.WHOLE && ("container".equalsIgnoreCase(purpose) || SupplyChain.isImagePurl(pkg.purl))) {
        candidates.add(new Candidate(pkg.uid, n));
      }
      inventory(c, 0, pkg, u);
      packageInfo.add(new PackageInfo(pkg.uid == null ? null : ids.get(pkg.uid), null, null));
    }

    private void pkg(Cursor c) throws IOException {
      if (c.p.currentToken() != JsonToken.START_OBJECT) {
        c.skip();
        return;
      }
      Pkg pkg = new Pkg();
      OverlayMap u = SupplyChain.unmapped();
      SpdxIds.Id id = null;
      String declared = null;
      String concluded = null;
      String purpose = null;
      for (String f; (f = c.nextField()) != null; ) {
        switch (f) {
          case "name" -> pkg.name = c.uniqueString();
          case "versionInfo" -> pkg.version = c.uniqueString();
          case "SPDXID" -> {
            id = ids.read(c, null);
            pkg.uid = id == null ? null : id.text;
          }
          case "externalRefs" -> externalRefs(c, pkg);
          case "licenseDeclared" -> declared = c.string();
          case "licenseConcluded" -> concluded = c.string();
          case "copyrightText", "hasFiles" -> c.skip();
          default -> {
            String v = c.text(SupplyChain.MAX_TEXT);
            if (v == null) break;
            u.put(packageKeys.of(f), v);
            if (f.equals("sourceInfo")) pkg.path = pathOf(v);
            else if (f.equals("primaryPackagePurpose")) purpose = v;
          }
        }
      }
      pkg.type = SupplyChain.purlType(pkg.purl);
      if (c.mode == Mode.WHOLE && ("CONTAINER".equals(purpose) || SupplyChain.isImagePurl(pkg.purl))) {
        candidates.add(new Candidate(pkg.uid, c.treeOf(c.start, c.end())));
      }
      inventory(c, 0, pkg, u);
      packageInfo.add(new PackageInfo(id, declared, concluded));
    }

    private static void externalRefs(Cursor c, Pkg pkg) throws IOException {
      if (!c.array()) return;
      while (c.nextObject()) {
        String type = "";
        String loc = null;
        for (String f; (f = c.nextField()) != null; ) {
          if (f.equals("referenceType")) {
            String s = c.string();
            type = s == null ? "" : s;
          } else if (f.equals("referenceLocator")) {
            loc = c.uniqueString();
          } else {
            c.skip();
          }
        }
        if (type.equals("purl")) {
          if (pkg.purl == null) pkg.purl = loc;
        } else if (type.equals("cpe23Type") || type.equals("cpe22Type")) {
          pkg.addCpe(loc);
        }
      }
    }

    /** An SPDX 3.0 JSON-LD document (its {@code @context} names SPDX 3's, its elements are in {@code @graph}). */
    private boolean spdx3() {
      return !has("spdxVersion") && has("@graph") && get("@context").toString().contains("spdx.org/rdf/3");
    }

    private void end3(List<EvidenceEvent> out) {
      Set<String> subjectSet = new LinkedHashSet<>(roots3);
      subjectSet.addAll(subjects);
      ImageRef image = ImageRef.NONE;
      for (Candidate cand : candidates) {
        JsonNode p = cand.node();
        if (cand.id() == null || !subjectSet.contains(cand.id())) continue;
        String purl = purl3(p);
        ImageRef fromPurl = SupplyChain.imageFromPurl(purl);
        if (!"container".equalsIgnoreCase(p.path("software_primaryPurpose").asText("")) && fromPurl == null) continue;
        ids.get(cand.id()).image = true;
        String digest = SupplyChain.digest(p.path("software_packageVersion").asText(null));
        for (JsonNode h : p.path("verifiedUsing")) {
          if (digest == null && "sha256".equalsIgnoreCase(h.path("algorithm").asText())) {
            digest = SupplyChain.digest("sha256:" + h.path("hashValue").asText());
          }
        }
        ImageRef ref = new ImageRef(p.path("name").asText(null), null, digest);
        if (fromPurl != null) ref = fromPurl.orElse(ref);
        image = image.isEmpty() ? ref : image;
      }
      if (image.isEmpty() && docName3 != null && SupplyChain.looksLikeImageRef(docName3)) {
        image = new ImageRef(docName3, null, null);
      }
      Map<String, String> docFields = new HashMap<>();
      SupplyChain.put(docFields, "sbom.document_name", docName3);
      SupplyChain.put(docFields, "sbom.spdx_version", specVersion3 == null ? "SPDX-3" : "SPDX-" + specVersion3);
      if (!subjectSet.isEmpty()) SupplyChain.put(docFields, "sbom.subject", String.join(",", subjectSet));
      List<Pending> kept = new ArrayList<>(pending.size());
      for (int i = 0; i < pending.size(); i++) {
        PackageInfo info = packageInfo.get(i);
        if (info.id() != null && info.id().image) continue; // the image itself is not a package event
        kept.add(pending.get(i));
      }
      pending.clear();
      pending.addAll(kept);
      finish(image, created3, "CreationInfo.created", docFields, image.name() != null ? image.name() : docName3, out);
    }

    @Override
    public void end(List<EvidenceEvent> out) throws RecordException {
      if (spdx3()) {
        end3(out);
        return;
      }
      String version = get("spdxVersion").asText(null);
      if (version == null || !version.startsWith("SPDX-")) {
        if (!has("packages") || !"SPDXRef-DOCUMENT".equals(get("SPDXID").asText(null))) {
          throw new RecordException(RejectReason.MISSING_FIELD, "not an SPDX JSON document: no spdxVersion");
        }
      } else if (!version.startsWith("SPDX-2.")) {
        throw new RecordException(RejectReason.UNSUPPORTED_VERSION, "unsupported SPDX version " + version);
      }
      String docName = get("name").asText(null);
      String namespace = get("documentNamespace").asText(null);
      String created = get("creationInfo").path("created").asText(null);
      Set<String> subjectSet = new LinkedHashSet<>();
      for (JsonNode d : get("documentDescribes")) subjectSet.add(d.asText());
      subjectSet.addAll(subjects);
      Map<String, String> extracted = new HashMap<>();
      for (JsonNode x : get("hasExtractedLicensingInfos")) {
        String id = x.path("licenseId").asText(null);
        String text = x.path("extractedText").asText(null);
        if (id != null && text != null && text.length() <= 64 && !text.contains("\n")) extracted.put(id, text);
      }

      ImageRef image = ImageRef.NONE;
      for (Candidate cand : candidates) {
        JsonNode p = cand.node();
        if (cand.id() == null || !subjectSet.contains(cand.id())) continue;
        String purl = purl(p);
        ImageRef fromPurl = SupplyChain.imageFromPurl(purl);
        boolean container = "CONTAINER".equals(p.path("primaryPackagePurpose").asText(null)) || fromPurl != null;
        if (!container) continue;
        ids.get(cand.id()).image = true;
        String digest = SupplyChain.digest(p.path("versionInfo").asText(null));
        for (JsonNode ck : p.path("checksums")) {
          if (digest == null && "SHA256".equals(ck.path("algorithm").asText())) {
            digest = "sha256:" + ck.path("checksumValue").asText();
          }
        }
        ImageRef ref = new ImageRef(p.path("name").asText(null), null, digest);
        if (fromPurl != null) ref = fromPurl.orElse(ref);
        image = image.isEmpty() ? ref : image;
      }
      if (image.isEmpty() && docName != null
          && (SupplyChain.looksLikeImageRef(docName) || (namespace != null && namespace.contains("/syft/image/")))) {
        image = new ImageRef(docName, null, null);
      }

      Map<String, String> docFields = new HashMap<>();
      SupplyChain.put(docFields, "sbom.document_name", docName);
      SupplyChain.put(docFields, "sbom.namespace", namespace);
      SupplyChain.put(docFields, "sbom.spdx_version", version);
      JsonNode creators = get("creationInfo").path("creators");
      if (creators.isArray() && !creators.isEmpty()) SupplyChain.put(docFields, "sbom.creators", join(creators));
      if (!subjectSet.isEmpty()) SupplyChain.put(docFields, "sbom.subject", String.join(",", subjectSet));
      String about = image.name() != null ? image.name() : docName;

      List<Pending> kept = new ArrayList<>(pending.size());
      for (int i = 0; i < pending.size(); i++) {
        PackageInfo info = packageInfo.get(i);
        Pending pd = pending.get(i);
        if (info.id() != null && info.id().image) continue; // the image itself is not a package event
        kept.add(pd);
        pd.pkg.addLicense(license(info.declared(), extracted));
        pd.pkg.addLicense(license(info.concluded(), extracted));
        // a chunk of a split document: its packages' relationships are those the collector joined to them
        Relationships r = info.id() == null ? null : joinedRelationships ? info.id().joined : info.id().rels;
        if (r != null) SupplyChain.put(pd.unmapped, "package.relationships", r.text());
      }
      pending.clear();
      pending.addAll(kept);
      int first = out.size();
      finish(image, created, "creationInfo.created", docFields, about, out);
      if (!joinedComplete) {
        for (int i = first; i < out.size(); i++) {
          Events.warn(out.get(i), "the collector carried only part of the relationships of this split document; "
              + "package.relationships may be incomplete");
        }
      }
    }
  }

  /** An SPDX 3 package's purl: software_packageUrl, else an externalIdentifier of type packageUrl. */
  static String purl3(JsonNode p) {
    String purl = SupplyChain.text(p, "software_packageUrl");
    if (purl != null) return purl;
    for (JsonNode x : p.path("externalIdentifier")) {
      if ("packageUrl".equals(x.path("externalIdentifierType").asText())) return SupplyChain.text(x, "identifier");
    }
    return null;
  }

  static String purl(JsonNode p) {
    for (JsonNode r : p.path("externalRefs")) {
      if ("purl".equals(r.path("referenceType").asText())) return r.path("referenceLocator").asText(null);
    }
    return null;
  }

  private static String license(String l, Map<String, String> extracted) {
    if (l == null) return null;
    String x = extracted.get(l);
    return x != null ? x : l;
  }

  /** syft's sourceInfo "acquired package info from APK DB: /lib/apk/db/installed" -> the path. */
  static String pathOf(String sourceInfo) {
    if (sourceInfo == null) return null;
    int i = sourceInfo.indexOf(": /");
    if (i < 0) return null;
    int comma = sourceInfo.indexOf(", ", i + 2);
    return sourceInfo.substring(i + 2, comma > i + 2 ? comma : sourceInfo.length());
  }

  private static String join(JsonNode arr) {
    StringBuilder sb = new StringBuilder();
    for (JsonNode n : arr) {
      if (sb.length() > 0) sb.append("; ");
      sb.append(n.asText());
    }
    return sb.toString();
  }
}
