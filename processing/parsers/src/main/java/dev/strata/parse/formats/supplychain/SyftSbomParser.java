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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * syft's native JSON ({@code syft -o json}, schema 1.x to 16.x) to one OCSF 5001 Device Inventory Info event per
 * artifact (see {@link SupplyChain}).
 *
 * <pre>
 * source (image)   schema >= 3: source.metadata, older: source.target {userInput, imageID, manifestDigest, tags,
 *                  repoDigests} -> container.image_uid = imageID, image_digest = manifestDigest, image_name = the
 *                  first tag, else the repository of the first repoDigest, else userInput; source.name/version
 *                  (new schemas) fill gaps; a non-image source (directory, file) -> unmapped sbom.subject
 * artifacts[]      -> package: name, version, type, purl, cpes (strings or {cpe}), licenses (strings or
 *                  {value / spdxExpression}), locations[0].path -> path, id -> uid; unmapped package.found_by,
 *                  package.language, package.layer_id, package.metadata_type, package.locations (when several),
 *                  package.metadata (JSON, bounded)
 * distro, descriptor, schema -> unmapped sbom.distro, sbom.tool, sbom.schema_version
 * time             syft JSON has no creation time: observed time, with a warning
 * </pre>
 */
public final class SyftSbomParser extends JsonFormatParser {

  public static final String FORMAT = "syft_sbom";

  public SyftSbomParser() {
    super(FORMAT);
  }

  @Override
  public void parse(RawArtifactChunk chunk, ParseOutput out) throws ParseException {
    ChunkContext ctx = ChunkContext.of(chunk);
    new JsonDocuments(ctx, Set.of("artifacts"), (doc, events) -> map(ctx, doc, events), out).run();
  }

  /** The image of a syft / grype {@code source} object (null parts when absent). */
  static ImageRef image(JsonNode source, Map<String, String> u) {
    if (!source.isObject()) {
      SupplyChain.put(u, "sbom.subject", source.asText(null));
      return ImageRef.NONE;
    }
    String type = source.path("type").asText("");
    JsonNode m = source.has("metadata") ? source.path("metadata") : source.path("target");
    if (!type.equals("image") && !type.equals("stereoscope")) {
      String s = m.isObject() ? SupplyChain.text(m, "path") : m.asText(null);
      if (s == null) s = SupplyChain.text(source, "name");
      SupplyChain.put(u, "sbom.subject", s);
      SupplyChain.put(u, "sbom.subject_type", SupplyChain.blankToNull(type));
      return ImageRef.NONE;
    }
    String name = null;
    JsonNode tags = m.path("tags");
    if (tags.isArray() && !tags.isEmpty()) name = SupplyChain.blankToNull(tags.get(0).asText());
    JsonNode repoDigests = m.path("repoDigests");
    if (name == null && repoDigests.isArray() && !repoDigests.isEmpty()) {
      String rd = repoDigests.get(0).asText("");
      int at = rd.indexOf('@');
      name = SupplyChain.blankToNull(at > 0 ? rd.substring(0, at) : rd);
    }
    if (name == null) name = SupplyChain.text(m, "userInput");
    if (name == null) name = SupplyChain.text(source, "name");
    String digest = SupplyChain.digest(SupplyChain.text(m, "manifestDigest"));
    if (digest == null) digest = SupplyChain.digest(SupplyChain.text(source, "version"));
    SupplyChain.put(u, "sbom.user_input", SupplyChain.text(m, "userInput"));
    if (repoDigests.isArray() && !repoDigests.isEmpty()) u.put("sbom.repo_digests", repoDigests.toString());
    if (tags.isArray() && tags.size() > 1) u.put("sbom.tags", tags.toString());
    return new ImageRef(name, SupplyChain.digest(SupplyChain.text(m, "imageID")), digest);
  }

  static void map(ChunkContext ctx, Doc doc, List<EvidenceEvent> out) throws RecordException {
    if (!doc.has("artifacts") || !(doc.has("source") || doc.has("descriptor") || doc.has("artifactRelationships"))) {
      throw new RecordException(RejectReason.MISSING_FIELD,
          "not a syft JSON document: no artifacts with source/descriptor");
    }
    Map<String, String> docFields = new HashMap<>();
    ImageRef image = image(doc.get("source"), docFields);
    JsonNode d = doc.get("descriptor");
    String tool = SupplyChain.text(d, "name");
    if (tool != null) SupplyChain.put(docFields, "sbom.tool", tool + " " + d.path("version").asText(""));
    SupplyChain.put(docFields, "sbom.schema_version", SupplyChain.text(doc.get("schema"), "version"));
    JsonNode distro = doc.get("distro");
    String distroName = SupplyChain.text(distro, "prettyName");
    if (distroName == null) {
      String n = SupplyChain.text(distro, "name");
      if (n != null) distroName = n + " " + distro.path("version").asText("");
    }
    SupplyChain.put(docFields, "sbom.distro", distroName);
    String about = image.name() != null ? image.name() : docFields.get("sbom.subject");
    for (Element el : doc.elements("artifacts")) {
      JsonNode a = el.node();
      Pkg pkg = new Pkg();
      Map<String, String> u = SupplyChain.unmapped();
      u.putAll(docFields);
      artifact(a, pkg, u);
      out.add(SupplyChain.inventory(ctx, el, doc.ordinalBase + el.index(), 0, pkg, image, null,
          "descriptor (syft JSON has no creation time)", u, about));
    }
  }

  /** A syft / grype artifact object into pkg (+ unmapped package.*). */
  static void artifact(JsonNode a, Pkg pkg, Map<String, String> u) {
    pkg.name = SupplyChain.text(a, "name");
    pkg.version = SupplyChain.text(a, "version");
    pkg.type = SupplyChain.text(a, "type");
    pkg.purl = SupplyChain.text(a, "purl");
    pkg.uid = SupplyChain.text(a, "id");
    for (JsonNode c : a.path("cpes")) pkg.addCpe(c.isTextual() ? c.asText() : SupplyChain.text(c, "cpe"));
    for (JsonNode l : a.path("licenses")) {
      if (l.isTextual()) {
        pkg.addLicense(l.asText());
      } else {
        String s = SupplyChain.text(l, "spdxExpression");
        pkg.addLicense(s != null ? s : SupplyChain.text(l, "value"));
      }
    }
    JsonNode locs = a.path("locations");
    if (locs.isArray() && !locs.isEmpty()) {
      pkg.path = SupplyChain.text(locs.get(0), "path");
      SupplyChain.put(u, "package.layer_id", SupplyChain.text(locs.get(0), "layerID"));
      if (locs.size() > 1) SupplyChain.put(u, "package.locations", locs.toString());
    }
    SupplyChain.put(u, "package.found_by", SupplyChain.text(a, "foundBy"));
    SupplyChain.put(u, "package.language", SupplyChain.text(a, "language"));
    SupplyChain.put(u, "package.metadata_type", SupplyChain.text(a, "metadataType"));
    JsonNode md = a.path("metadata");
    if (md.isObject() && !md.isEmpty()) SupplyChain.put(u, "package.metadata", md.toString());
    JsonNode up = a.path("upstreams");
    if (up.isArray() && !up.isEmpty()) SupplyChain.put(u, "package.upstreams", up.toString());
  }
}
