package dev.strata.parse.formats.supplychain;

import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.parse.ChunkContext;
import dev.strata.parse.JsonFormatParser;
import dev.strata.parse.JsonRecordStream.RecordException;
import dev.strata.parse.ParseException;
import dev.strata.parse.ParseOutput;
import dev.strata.parse.RejectReason;
import dev.strata.parse.formats.supplychain.JsonDocuments.Cursor;
import dev.strata.parse.formats.supplychain.JsonDocuments.Mode;
import dev.strata.parse.formats.supplychain.SupplyChain.ImageRef;
import dev.strata.parse.formats.supplychain.SupplyChain.Pkg;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.raw.RawArtifactChunk;
import java.io.IOException;
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

  /** The arrays the collector cuts a syft document at (ingest SyftSbomRecognizer): counted as records. */
  static final Set<String> RECORD_ARRAYS = Set.of("artifacts", "artifactRelationships", "files");

  public SyftSbomParser() {
    super(FORMAT);
  }

  @Override
  public void parse(RawArtifactChunk chunk, ParseOutput out) throws ParseException {
    ChunkContext ctx = ChunkContext.of(chunk).unhashedEventIds().sharedContext();
    new JsonDocuments(ctx, RECORD_ARRAYS, () -> new Syft(ctx), out).run();
  }

  /** One syft document. */
  private static final class Syft extends SupplyChain.Document {
    Syft(ChunkContext ctx) {
      super(ctx);
    }

    @Override
    public void element(String array, Cursor c) throws IOException {
      if (!array.equals("artifacts") || c.mode == Mode.CONTEXT || c.p.currentToken() != JsonToken.START_OBJECT) {
        c.skip();
        return;
      }
      Pkg pkg = new Pkg();
      OverlayMap u = SupplyChain.unmapped();
      artifact(c, pkg, u);
      inventory(c, 0, pkg, u);
    }

    @Override
    public void end(List<EvidenceEvent> out) throws RecordException {
      if (!has("artifacts") || !(has("source") || has("descriptor") || has("artifactRelationships"))) {
        throw new RecordException(RejectReason.MISSING_FIELD,
            "not a syft JSON document: no artifacts with source/descriptor");
      }
      Map<String, String> docFields = new HashMap<>();
      ImageRef image = image(get("source"), docFields);
      JsonNode d = get("descriptor");
      String tool = SupplyChain.text(d, "name");
      if (tool != null) SupplyChain.put(docFields, "sbom.tool", tool + " " + d.path("version").asText(""));
      SupplyChain.put(docFields, "sbom.schema_version", SupplyChain.text(get("schema"), "version"));
      JsonNode distro = get("distro");
      String distroName = SupplyChain.text(distro, "prettyName");
      if (distroName == null) {
        String n = SupplyChain.text(distro, "name");
        if (n != null) distroName = n + " " + distro.path("version").asText("");
      }
      SupplyChain.put(docFields, "sbom.distro", distroName);
      String about = image.name() != null ? image.name() : docFields.get("sbom.subject");
      finish(image, null, "descriptor (syft JSON has no creation time)", docFields, about, out);
    }
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

  /** Streams a syft / grype artifact object (the cursor at its START_OBJECT) into pkg (+ unmapped package.*). */
  static void artifact(Cursor c, Pkg pkg, Map<String, String> u) throws IOException {
    for (String f; (f = c.nextField()) != null; ) {
      switch (f) {
        case "name" -> pkg.name = c.uniqueString();
        case "version" -> pkg.version = c.uniqueString();
        case "type" -> pkg.type = c.string();
        case "purl" -> pkg.purl = c.uniqueString();
        case "id" -> pkg.uid = c.uniqueString();
        case "cpes" -> {
          if (!c.isArray()) {
            c.skip();
            break;
          }
          for (JsonToken t; (t = c.nextElement()) != null; ) {
            if (t == JsonToken.START_OBJECT) {
              for (String g; (g = c.nextField()) != null; ) {
                if (g.equals("cpe")) pkg.addCpe(c.uniqueString());
                else c.skip();
              }
            } else {
              pkg.addCpe(c.uniqueString());
            }
          }
        }
        case "licenses" -> {
          if (!c.isArray()) {
            c.skip();
            break;
          }
          for (JsonToken t; (t = c.nextElement()) != null; ) {
            if (t == JsonToken.START_OBJECT) {
              String value = null;
              String expression = null;
              for (String g; (g = c.nextField()) != null; ) {
                if (g.equals("spdxExpression")) expression = c.string();
                else if (g.equals("value")) value = c.string();
                else c.skip();
              }
              pkg.addLicense(expression != null ? expression : value);
            } else {
              pkg.addLicense(c.string());
            }
          }
        }
        case "locations" -> locations(c, pkg, u);
        case "foundBy" -> SupplyChain.put(u, "package.found_by", c.string());
        case "language" -> SupplyChain.put(u, "package.language", c.string());
        case "metadataType" -> SupplyChain.put(u, "package.metadata_type", c.string());
        case "metadata" -> {
          if (c.p.currentToken() == JsonToken.START_OBJECT) SupplyChain.put(u, "package.metadata", c.text(SupplyChain.MAX_TEXT));
          else c.skip();
        }
        case "upstreams" -> {
          if (c.isArray()) SupplyChain.put(u, "package.upstreams", c.text(SupplyChain.MAX_TEXT));
          else c.skip();
        }
        default -> c.skip();
      }
    }
  }

  /** locations[0].path -> path, its layerID -> package.layer_id; several: package.locations (source JSON). */
  private static void locations(Cursor c, Pkg pkg, Map<String, String> u) throws IOException {
    if (!c.isArray()) {
      c.skip();
      return;
    }
    int mark = c.mark();
    int n = 0;
    for (JsonToken t; (t = c.nextElement()) != null; ) {
      if (n++ == 0 && t == JsonToken.START_OBJECT) {
        for (String g; (g = c.nextField()) != null; ) {
          if (g.equals("path")) pkg.path = c.uniqueString();
          else if (g.equals("layerID")) SupplyChain.put(u, "package.layer_id", c.uniqueString());
          else c.skip();
        }
      } else {
        c.skip();
      }
    }
    if (n > 1) SupplyChain.put(u, "package.locations", c.textFrom(mark, SupplyChain.MAX_TEXT));
  }
}
