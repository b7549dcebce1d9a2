package dev.strata.parse.formats.supplychain;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.parse.ChunkContext;
import dev.strata.parse.Json;
import dev.strata.parse.OcsfClass;
import dev.strata.parse.OcsfSeverity;
import dev.strata.schema.event.Container;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.event.Finding;
import dev.strata.schema.event.Vulnerability;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What the SBOM, scan and signature formats share: the image a document is about, package and finding events, purl
 * reading, severities.
 *
 * <p>Events: a package of an SBOM is one OCSF 5001 Device Inventory Info event (category 5 Discovery, activity 1 Log:
 * the inventory as a tool logged it), with {@code package.*}; a vulnerability matched to a package is one OCSF 2002
 * Vulnerability Finding (category 2 Findings, activity 1 Create) with {@code package.*} and {@code vulnerability.*};
 * both carry the image the document describes in {@code container} (image_name, image_uid = image/config id,
 * image_digest = manifest digest) and the document time (SBOM creation / scan time; missing or unreadable: observed
 * time with a warning).
 */
final class SupplyChain {

  static final int MAX_TEXT = 4 * 1024;

  private SupplyChain() {}

  /** The container image a document is about (any part may be null). */
  record ImageRef(String name, String uid, String digest) {
    static final ImageRef NONE = new ImageRef(null, null, null);

    boolean isEmpty() {
      return name == null && uid == null && digest == null;
    }

    Container container() {
      if (isEmpty()) return null;
      Container c = new Container();
      c.setImageName(name);
      c.setImageUid(uid);
      c.setImageDigest(digest);
      return c;
    }

    ImageRef orElse(ImageRef o) {
      return new ImageRef(name != null ? name : o.name, uid != null ? uid : o.uid, digest != null ? digest : o.digest);
    }
  }

  /** A package read from a document. */
  static final class Pkg {
    String name;
    String version;
    String type;
    String purl;
    final List<String> cpes = new ArrayList<>(2);
    final List<String> licenses = new ArrayList<>(2);
    String path;
    String uid;

    dev.strata.schema.event.Package toAvro() {
      dev.strata.schema.event.Package p = new dev.strata.schema.event.Package();
      p.setName(name);
      p.setVersion(version);
      p.setType(type);
      p.setPurl(purl);
      p.setCpes(cpes);
      p.setLicenses(licenses);
      p.setPath(path);
      p.setUid(uid);
      return p;
    }

    void addLicense(String l) {
      if (l == null || l.isBlank() || l.equals("NOASSERTION") || l.equals("NONE") || licenses.contains(l)) return;
      licenses.add(l);
    }

    void addCpe(String c) {
      if (c != null && !c.isBlank() && !cpes.contains(c)) cpes.add(c);
    }

    String label() {
      return (name == null ? "?" : name) + (version == null ? "" : " " + version);
    }
  }

  /**
   * The relationships of one element as {@code package.relationships} text ("TYPE target" / "TYPE_OF source", ", "
   * between; SPDX relationships, CycloneDX dependencies), {@link #MAX_RELATIONSHIPS} at most, written as they come
   * (no string per relationship).
   */
  static final class Relationships {
    static final int MAX_RELATIONSHIPS = 64;
    private final StringBuilder text = new StringBuilder(64);
    private int count;

    void add(String type, String suffix, String other) {
      if (count == MAX_RELATIONSHIPS) return;
      if (count++ > 0) text.append(", ");
      text.append(type).append(suffix).append(' ').append(other);
    }

    String text() {
      return text.toString();
    }
  }

  /** The unmapped keys prefix + name of one prefix, each made once per document (one String for 200 packages). */
  static final class Keys {
    private final String prefix;
    private final Map<String, String> made = new HashMap<>();

    Keys(String prefix) {
      this.prefix = prefix;
    }

    String of(String name) {
      String k = made.get(name);
      if (k == null) {
        k = prefix + name;
        made.put(name, k);
      }
      return k;
    }
  }

  /**
   * An element read, made into its event when the document's context is known (see {@link Document}): the event is
   * built in one go at the document's end, so no object of it is made early and touched again there (a document of
   * 200 packages makes ≈ 600 KB of objects between its first element and its end).
   */
  static final class Pending {
    /** the element's place: payload positions, content line, record ordinal in the chunk, sub-index */
    private final int start;
    private final int end;
    private final long line;
    private final long ordinal;
    private final int sub;
    final Pkg pkg;
    final OverlayMap unmapped;
    /** a finding's vulnerability and title (null: an inventory event) */
    private final Vulnerability vulnerability;
    final String title;

    Pending(JsonDocuments.Cursor c, int sub, Pkg pkg, OverlayMap unmapped, Vulnerability vulnerability, String title) {
      this.start = c.start;
      this.end = c.end();
      this.line = c.line;
      this.ordinal = c.ordinal;
      this.sub = sub;
      this.pkg = pkg;
      this.unmapped = unmapped;
      this.vulnerability = vulnerability;
      this.title = title;
    }

    boolean isFinding() {
      return vulnerability != null;
    }

    /** The event with everything its element gives: id, class, lineage, severity, vulnerability, raw_data. */
    EvidenceEvent event(ChunkContext ctx) {
      EvidenceEvent e;
      if (vulnerability == null) {
        e = ctx.newEvent(OcsfClass.DEVICE_INVENTORY_INFO, 1, "Log", start, end, line, ordinal, sub, unmapped);
        e.setSeverityId(1);
        e.setSeverity("Informational");
      } else {
        e = ctx.newEvent(OcsfClass.VULNERABILITY_FINDING, 1, "Create", start, end, line, ordinal, sub, unmapped);
        int sev = severityId(vulnerability.getSeverity());
        e.setSeverityId(sev);
        e.setSeverity(OcsfSeverity.name(sev));
        e.setVulnerability(vulnerability);
      }
      e.setRawData(ctx.rawText(start, end));
      return e;
    }
  }

  /**
   * What every supply-chain document mapper shares: top-level fields kept as trees (they are small; the record arrays
   * stream by), the record arrays seen, and the events made from elements, finished at the document's end with the
   * image, time and document fields (which syft and grype write after their arrays).
   */
  abstract static class Document implements JsonDocuments.DocumentMapper {
    final ChunkContext ctx;
    final Map<String, JsonNode> fields = new HashMap<>();
    final java.util.Set<String> arrays = new java.util.HashSet<>();
    final List<Pending> pending = new ArrayList<>();
    /** unmapped package.* keys */
    final Keys packageKeys = new Keys("package.");

    Document(ChunkContext ctx) {
      this.ctx = ctx;
    }

    @Override
    public void field(String name, JsonDocuments.Cursor c) throws java.io.IOException {
      fields.put(name, c.tree());
    }

    @Override
    public void array(String name) {
      arrays.add(name);
    }

    JsonNode get(String name) {
      JsonNode n = fields.get(name);
      return n == null ? com.fasterxml.jackson.databind.node.MissingNode.getInstance() : n;
    }

    boolean has(String name) {
      return fields.containsKey(name) || arrays.contains(name);
    }

    /** Puts the current value as unmapped {@code keys.of(name)} (scalars as text, containers as source JSON). */
    void rest(Map<String, String> u, Keys keys, String name, JsonDocuments.Cursor c) throws java.io.IOException {
      String v = c.text(MAX_TEXT);
      if (v != null) u.put(keys.of(name), v);
    }

    /** An inventory event for the element the cursor just consumed (sub-index {@code sub}), made by finish. */
    void inventory(JsonDocuments.Cursor c, int sub, Pkg pkg, OverlayMap unmapped) {
      pending.add(new Pending(c, sub, pkg, unmapped, null, null));
    }

    /** A vulnerability finding for the element the cursor just consumed, made by finish. */
    void finding(JsonDocuments.Cursor c, int sub, Pkg pkg, Vulnerability v, OverlayMap unmapped) {
      pending.add(new Pending(c, sub, pkg, unmapped, v, v.getUid() + (pkg == null ? "" : " in " + pkg.label())));
    }

    /** Makes the pending events with the document's context and adds them to {@code out}. */
    void finish(ImageRef img, String time, String timeField, Map<String, String> docFields, String about,
        List<EvidenceEvent> out) {
      String t = blankToNull(time);
      EvidenceEvent timed = null; // the document time is read once; later events copy it
      String timeWarning = null;
      // one container object for the document's events: an immutable value (nothing changes an event after parsing)
      Container container = img.container();
      String aboutSuffix = about == null ? "" : " in " + about;
      for (Pending pd : pending) {
        EvidenceEvent e = pd.event(ctx);
        Pkg pkg = pd.pkg;
        if (timed == null) {
          ctx.applyTime(e, t, timeField);
          timed = e;
          timeWarning = e.getUnmapped().get(dev.strata.parse.Events.WARNING_KEY);
        } else {
          e.setTime(timed.getTime());
          e.setTimeOriginal(timed.getTimeOriginal());
          if (timeWarning != null) dev.strata.parse.Events.warn(e, timeWarning);
        }
        pd.unmapped.share(docFields); // the document's fields: one map for all
        e.setContainer(container);
        if (pkg != null) e.setPackage$(pkg.toAvro());
        if (!pd.isFinding()) {
          e.setMessage(packageMessage(pkg, aboutSuffix));
        } else {
          Vulnerability v = e.getVulnerability();
          Finding f = new Finding();
          f.setRule(v.getUid());
          f.setTitle(pd.title);
          f.setPriority(v.getSeverity());
          f.setTags(new ArrayList<>(1));
          String matchType = e.getUnmapped().get("match.type");
          if (matchType != null) f.getTags().add(matchType);
          e.setFinding(f);
          e.setMessage(pd.title + (about == null ? "" : " (" + about + ")"));
        }
        out.add(e);
      }
    }
  }

  /**
   * "package NAME VERSION (TYPE)" + aboutSuffix, by string concatenation: the result's bytes are sized and written
   * once (a builder writes them twice).
   */
  private static String packageMessage(Pkg pkg, String aboutSuffix) {
    String name = pkg.name == null ? "?" : pkg.name;
    if (pkg.version == null) {
      return pkg.type == null ? "package " + name + aboutSuffix : "package " + name + " (" + pkg.type + ")" + aboutSuffix;
    }
    return pkg.type == null ? "package " + name + " " + pkg.version + aboutSuffix
        : "package " + name + " " + pkg.version + " (" + pkg.type + ")" + aboutSuffix;
  }

  static Vulnerability vulnerability(String id) {
    Vulnerability v = new Vulnerability();
    v.setUid(id);
    v.setRelated(new ArrayList<>(0));
    return v;
  }

  /** OCSF severity_id of a scanner severity (Negligible/Low/Medium/High/Critical, any case). */
  static int severityId(String s) {
    if (s == null) return 0;
    for (int i = 0; i < SEVERITY_WORDS.length; i++) {
      if (s.equalsIgnoreCase(SEVERITY_WORDS[i])) return SEVERITY_IDS[i];
    }
    return 0;
  }

  private static final String[] SEVERITY_WORDS = {
    "negligible", "info", "informational", "none", "low", "medium", "moderate", "high", "important", "critical"
  };
  private static final int[] SEVERITY_IDS = {1, 1, 1, 1, 2, 3, 3, 4, 4, 5};


  // ---- purl and image references ------------------------------------------------------------------------------

  /** The type of a package URL ({@code pkg:<type>/...}), or null. */
  static String purlType(String purl) {
    if (purl == null || !purl.startsWith("pkg:")) return null;
    int s = purl.indexOf('/', 4);
    if (s <= 4) return null;
    for (String known : PURL_TYPES) { // the usual ones without a new string
      if (known.length() == s - 4 && purl.regionMatches(true, 4, known, 0, known.length())) return known;
    }
    return purl.substring(4, s).toLowerCase(Locale.ROOT);
  }

  private static final String[] PURL_TYPES = {
    "apk", "deb", "rpm", "npm", "maven", "pypi", "golang", "gem", "cargo", "nuget", "composer", "generic", "oci",
    "docker", "alpm", "conan", "hex", "pub", "swift", "cocoapods", "github", "bitnami"
  };

  /** True for a pkg:oci / pkg:docker purl (one that names an image). */
  static boolean isImagePurl(String purl) {
    if (purl == null || purl.length() < 8) return false;
    char t = (char) (purl.charAt(4) | 0x20); // most purls are not oci / docker: one character tells
    if (t != 'o' && t != 'd') return false;
    return purl.regionMatches(true, 0, "pkg:oci/", 0, 8) || purl.regionMatches(true, 0, "pkg:docker/", 0, 11);
  }

  /**
   * The image of a {@code pkg:oci/<name>@sha256%3A<hex>?repository_url=<repo>&tag=<t>} or
   * {@code pkg:docker/<ns>/<name>@<version>} purl, or null.
   */
  static ImageRef imageFromPurl(String purl) {
    String type = purlType(purl);
    if (!"oci".equals(type) && !"docker".equals(type)) return null;
    String rest = purl.substring(purl.indexOf('/') + 1);
    String query = null;
    int q = rest.indexOf('?');
    if (q >= 0) {
      query = rest.substring(q + 1);
      rest = rest.substring(0, q);
    }
    int h = rest.indexOf('#');
    if (h >= 0) rest = rest.substring(0, h);
    String version = null;
    int at = rest.lastIndexOf('@');
    if (at >= 0) {
      version = decode(rest.substring(at + 1));
      rest = rest.substring(0, at);
    }
    String name = decode(rest);
    String repo = null;
    String tag = null;
    if (query != null) {
      for (String kv : query.split("&")) {
        int eq = kv.indexOf('=');
        if (eq <= 0) continue;
        String k = kv.substring(0, eq);
        String v = decode(kv.substring(eq + 1));
        if (v.isEmpty()) continue;
        if (k.equals("repository_url")) repo = v;
        else if (k.equals("tag")) tag = v;
      }
    }
    String digest = version != null && version.startsWith("sha256:") ? version : null;
    if (tag == null && digest == null && version != null) tag = version; // pkg:docker/name@tag
    String image = repo != null ? repo : name;
    if (tag != null && image != null) image = image + ":" + tag;
    return new ImageRef(image, null, digest);
  }

  private static final Pattern IMAGE_REF =
      Pattern.compile("[a-z0-9][a-z0-9._/:-]*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[0-9a-f]{64})?");

  /** True for text that reads as an image reference with a tag or digest ({@code alpine:3.10}, {@code r/x@sha256:..}). */
  static boolean looksLikeImageRef(String s) {
    return s != null && (s.indexOf(':') > 0 || s.indexOf('@') > 0) && !s.contains("://") && IMAGE_REF.matcher(s)
        .matches();
  }

  /** "sha256:..." digests only. */
  static String digest(String s) {
    return s != null && s.startsWith("sha256:") && s.length() > 7 ? s : null;
  }

  private static String decode(String s) {
    try {
      return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return s;
    }
  }

  // ---- JSON helpers -----------------------------------------------------------------------------------------

  static String text(JsonNode n, String field) {
    String s = Json.text(n, field);
    return blankToNull(s);
  }

  static String blankToNull(String s) {
    return dev.strata.parse.Values.isBlank(s) ? null : s;
  }

  /** Puts the fields of {@code n} not in {@code skip} into unmapped as prefix.field (scalars as text, else JSON). */
  static void rest(Map<String, String> into, String prefix, JsonNode n, java.util.Set<String> skip) {
    if (n == null || !n.isObject()) return;
    var it = n.fields();
    while (it.hasNext()) {
      var f = it.next();
      if (skip.contains(f.getKey())) continue;
      JsonNode v = f.getValue();
      if (v.isNull() || (v.isContainerNode() && v.isEmpty())) continue;
      String s = v.isValueNode() ? v.asText() : v.toString();
      if (s.isEmpty()) continue;
      into.put(prefix + f.getKey(), s.length() > MAX_TEXT ? s.substring(0, MAX_TEXT) : s);
    }
  }

  /** An element's unmapped fields, the document's shared in when it ends ({@link OverlayMap#share}). */
  static OverlayMap unmapped() {
    return new OverlayMap();
  }

  static void put(Map<String, String> u, String k, String v) {
    if (v != null && !v.isEmpty()) u.put(k, v.length() > MAX_TEXT ? v.substring(0, MAX_TEXT) : v);
  }
}
