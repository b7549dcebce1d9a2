package dev.strata.parse.formats.supplychain;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.parse.ChunkContext;
import dev.strata.parse.JsonFormatParser;
import dev.strata.parse.JsonRecordStream.RecordException;
import dev.strata.parse.ParseException;
import dev.strata.parse.ParseOutput;
import dev.strata.parse.RejectReason;
import dev.strata.parse.formats.supplychain.JsonDocuments.Doc;
import dev.strata.parse.formats.supplychain.JsonDocuments.Element;
import dev.strata.parse.formats.supplychain.SupplyChain.ImageRef;
import dev.strata.parse.formats.supplychain.SupplyChain.Pkg;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.raw.RawArtifactChunk;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
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
 *               primaryPackagePurpose, ...), package.relationships ("TYPE target" of the package, bounded),
 *               sbom.document_name, sbom.namespace, sbom.spdx_version, sbom.creators, sbom.subject
 * time          creationInfo.created
 * </pre>
 */
public final class SpdxSbomParser extends JsonFormatParser {

  public static final String FORMAT = "spdx_sbom";

  private static final Set<String> MAPPED =
      Set.of("name", "SPDXID", "versionInfo", "externalRefs", "licenseConcluded", "licenseDeclared", "copyrightText",
          "hasFiles");

  public SpdxSbomParser() {
    super(FORMAT);
  }

  @Override
  public void parse(RawArtifactChunk chunk, ParseOutput out) throws ParseException {
    ChunkContext ctx = ChunkContext.of(chunk);
    new JsonDocuments(ctx, Set.of("packages"), (doc, events) -> map(ctx, doc, events), out).run();
  }

  static void map(ChunkContext ctx, Doc doc, List<EvidenceEvent> out) throws RecordException {
    String version = doc.get("spdxVersion").asText(null);
    if (version == null || !version.startsWith("SPDX-")) {
      if (!doc.has("packages") || !"SPDXRef-DOCUMENT".equals(doc.get("SPDXID").asText(null))) {
        throw new RecordException(RejectReason.MISSING_FIELD, "not an SPDX JSON document: no spdxVersion");
      }
    } else if (!version.startsWith("SPDX-2.")) {
      throw new RecordException(RejectReason.UNSUPPORTED_VERSION, "unsupported SPDX version " + version);
    }
    String docName = doc.get("name").asText(null);
    String namespace = doc.get("documentNamespace").asText(null);
    String created = doc.get("creationInfo").path("created").asText(null);

    // subjects
    Set<String> subjects = new LinkedHashSet<>();
    for (JsonNode d : doc.get("documentDescribes")) subjects.add(d.asText());
    Map<String, List<String>> rels = new HashMap<>();
    for (JsonNode r : doc.get("relationships")) {
      String from = r.path("spdxElementId").asText(null);
      String to = r.path("relatedSpdxElement").asText(null);
      String type = r.path("relationshipType").asText("");
      if (from == null || to == null) continue;
      if (type.equals("DESCRIBES") && from.equals("SPDXRef-DOCUMENT")) subjects.add(to);
      else if (type.equals("DESCRIBED_BY") && to.equals("SPDXRef-DOCUMENT")) subjects.add(from);
      else {
        List<String> l = rels.computeIfAbsent(from, k -> new ArrayList<>(2));
        if (l.size() < 64) l.add(type + " " + to);
        List<String> back = rels.computeIfAbsent(to, k -> new ArrayList<>(2));
        if (back.size() < 64) back.add(type + "_OF " + from);
      }
    }
    Map<String, String> extracted = new HashMap<>();
    for (JsonNode x : doc.get("hasExtractedLicensingInfos")) {
      String id = x.path("licenseId").asText(null);
      String text = x.path("extractedText").asText(null);
      if (id != null && text != null && text.length() <= 64 && !text.contains("\n")) extracted.put(id, text);
    }

    ImageRef image = ImageRef.NONE;
    Set<String> imagePackages = new HashSet<>();
    for (Element el : doc.elements("packages")) {
      JsonNode p = el.node();
      String id = p.path("SPDXID").asText(null);
      if (id == null || !subjects.contains(id)) continue;
      String purl = purl(p);
      ImageRef fromPurl = SupplyChain.imageFromPurl(purl);
      boolean container = "CONTAINER".equals(p.path("primaryPackagePurpose").asText(null)) || fromPurl != null;
      if (!container) continue;
      imagePackages.add(id);
      String digest = SupplyChain.digest(p.path("versionInfo").asText(null));
      for (JsonNode c : p.path("checksums")) {
        if (digest == null && "SHA256".equals(c.path("algorithm").asText())) {
          digest = "sha256:" + c.path("checksumValue").asText();
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
    JsonNode creators = doc.get("creationInfo").path("creators");
    if (creators.isArray() && !creators.isEmpty()) SupplyChain.put(docFields, "sbom.creators", join(creators));
    if (!subjects.isEmpty()) SupplyChain.put(docFields, "sbom.subject", String.join(",", subjects));
    String about = image.name() != null ? image.name() : docName;

    for (Element el : doc.elements("packages")) {
      JsonNode p = el.node();
      String id = p.path("SPDXID").asText(null);
      if (id != null && imagePackages.contains(id)) continue;
      Pkg pkg = new Pkg();
      pkg.name = SupplyChain.text(p, "name");
      pkg.version = SupplyChain.text(p, "versionInfo");
      pkg.uid = id;
      for (JsonNode r : p.path("externalRefs")) {
        String type = r.path("referenceType").asText("");
        String loc = r.path("referenceLocator").asText(null);
        if (type.equals("purl") && pkg.purl == null) pkg.purl = loc;
        else if (type.equals("cpe23Type") || type.equals("cpe22Type")) pkg.addCpe(loc);
      }
      pkg.type = SupplyChain.purlType(pkg.purl);
      pkg.addLicense(license(p.path("licenseDeclared").asText(null), extracted));
      pkg.addLicense(license(p.path("licenseConcluded").asText(null), extracted));
      pkg.path = pathOf(p.path("sourceInfo").asText(null));
      Map<String, String> u = SupplyChain.unmapped();
      u.putAll(docFields);
      SupplyChain.rest(u, "package.", p, MAPPED);
      List<String> r = id == null ? null : rels.get(id);
      if (r != null) SupplyChain.put(u, "package.relationships", String.join(", ", r));
      out.add(SupplyChain.inventory(ctx, el, doc.ordinalBase + el.index(), 0, pkg, image, created,
          "creationInfo.created", u, about));
    }
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
    String rest = sourceInfo.substring(i + 2);
    int comma = rest.indexOf(", ");
    return comma > 0 ? rest.substring(0, comma) : rest;
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
