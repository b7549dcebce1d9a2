package dev.strata.job.incident;

import dev.strata.schema.correlate.AttackStage;
import dev.strata.schema.event.EvidenceEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A registry tag re-pushed with an image that carries packages the image it replaced did not ({@code
 * image_packages_added}, entry). A tag overwritten from another address is {@code image_tag_overwritten} already
 * ({@link CredentialClients}); from the <b>same</b> address (an attacker inside CI's runner, a poisoned build step) the
 * push alone looks like any rebuild. What tells them apart is what the two images hold: the SBOMs of the two digests
 * (SPDX 2.3 / 3, CycloneDX, syft JSON; one package event per package, each naming its image digest). New malware is
 * in no advisory database (SupplyChainRolloutScenarioIT: the attacker's image adds {@code kube-metrics-agent 0.4.2},
 * which no scan flags), but a package that the tag's previous image did not list at all is what an implant baked into
 * an image looks like; a version bump of a listed package is a normal rebuild and is not counted (packages are
 * compared by name, in lower case, not by version).
 *
 * <p>Judged at a flush (like the tag rule, whose pushes it reads: an ECR {@code PutImage} whose response names the tag
 * and the digest it wrote, {@link CredentialClients.Ledger#push}), for each push of a tag whose previous push in the
 * state wrote another digest, once the SBOM package events of <b>both</b> digests are in the state and the watermark
 * has passed their time (an SBOM is one document: its packages arrive together; bounded runs: at the input's end). An
 * SBOM is made when someone scans the image (CI at build time, a responder afterwards): it may arrive before the push
 * or long after it, so a push waits (it stays undecided, never rejected, while an SBOM of either digest is missing,
 * until it leaves the state).
 *
 * <table>
 *   <tr><th>the push</th><th>row</th><th>severity</th></tr>
 *   <tr><td>also {@code image_tag_overwritten} (another address)</td><td>the tag rule's row, its reasons joined
 *       ({@code image_tag_overwritten; image_packages_added}): one story, one row</td><td>High</td></tr>
 *   <tr><td>from the same address (no other signal)</td><td>{@code image_packages_added}: a legitimate rebuild that
 *       adds a dependency has the same shape</td><td>Medium</td></tr>
 * </table>
 *
 * The row names the added packages (up to {@link #MAX_NAMED}), both digests and the SBOM events of the added packages
 * (their lineage: event ids); like the tag rule's, its image becomes its pivot, so it joins the incidents of the
 * containers that ran the new digest. Not judged from the same address: moving tags re-pushed on every build by
 * convention ({@link #MOVING_TAGS}: {@code latest}, {@code main}, {@code nightly}, ...), where a new dependency is
 * every other day's news. Not read: scans (grype, Trivy) list only vulnerable packages, not an inventory; a diff of
 * two digests no push relates (two SBOMs alone do not say which replaced which).
 */
final class ImagePackageDiff {
  private ImagePackageDiff() {}

  static final String REASON = "image_packages_added";

  /** The SBOM formats that list an image's packages (scans list only the vulnerable ones). */
  static final Set<String> INVENTORY_FORMATS = Set.of("spdx_sbom", "cyclonedx_sbom", "syft_sbom");

  /** Tags that builds re-push by convention: a new dependency under them is no news from the pusher's own address. */
  static final Set<String> MOVING_TAGS = Set.of("latest", "main", "master", "develop", "dev", "edge", "nightly",
      "stable", "staging", "snapshot", "canary", "head", "trunk");

  /** How many added packages and SBOM events a row names. */
  static final int MAX_NAMED = 10;

  /** {@code sbom|<digest>|<package name, lower case>} for an SBOM's package event naming its image digest, else null. */
  static String sbomKey(EvidenceEvent e) {
    if (e.getSourceFormat() == null || !INVENTORY_FORMATS.contains(e.getSourceFormat())) return null;
    if (e.getPackage$() == null || e.getPackage$().getName() == null || e.getContainer() == null) return null;
    String digest = e.getContainer().getImageDigest();
    String name = e.getPackage$().getName().trim().toLowerCase(Locale.ROOT);
    if (digest == null || digest.isBlank() || name.isEmpty() || digest.contains("|") || name.contains("|")
        || name.contains(",")) {
      return null;
    }
    return "sbom|" + digest + "|" + name;
  }

  /**
   * The push's member with {@code decision} ({@code call-pkg|<previous digest>|<digest>|<added names>|<SBOM event
   * ids>|<previous push's time>|<the push's key before>}): the tag rule's decision applied first when it is the key
   * before and the member does not carry it yet (a copy arriving after both decisions).
   */
  static Member apply(Member m, String decision) {
    String[] p = decision.split("\\|", 7);
    String inner = p[6];
    if (inner.startsWith("call-tag|") && (m.execKey() == null || !m.execKey().startsWith("call-tag|"))) {
      m = CredentialClients.apply(m, inner);
    }
    boolean tag = inner.startsWith("call-tag|");
    String summary = m.summary() + " (packages in " + p[2] + " that " + p[1] + ", the tag's previous image, does not"
        + " list: " + p[3].replace(",", ", ") + "; SBOM events " + p[4].replace(",", ", ") + ")";
    String reason = m.signal() && m.reason() != null
        ? (tag ? m.reason() + "; " + REASON : REASON + "; " + m.reason())
        : REASON;
    int severity = tag ? Math.max(4, m.severityId()) : Math.max(3, m.signal() ? m.severityId() : 0);
    List<Entity> out = new ArrayList<>(m.entities().size());
    for (Entity x : m.entities()) {
      // the image it wrote is what the incident is about: the pivot that joins the containers that ran it
      out.add(Entity.IMAGE.equals(x.type()) ? new Entity(x.type(), x.key(), x.scope(), Entity.TARGET, true) : x);
    }
    return new Member(m.eventId(), m.timeMicros(), m.layer(), m.className(), m.sourceFormat(), summary, true, severity,
        AttackStage.ENTRY, reason, m.artifactSha256(), m.origin(), m.byteOffset(), m.lineNumber(), m.recordIndex(),
        List.copyOf(out), m.indicators(), m.burstKey(), m.detections(), m.lane(), decision);
  }

  /** The tag of a reference ({@code <registry>/<repo>:<tag>}), or null. */
  static String tagOf(String ref) {
    int slash = ref.lastIndexOf('/');
    int colon = ref.indexOf(':', slash + 1);
    return colon < 0 ? null : ref.substring(colon + 1);
  }

  /** The pushes of tags and the SBOMs' packages per digest of one tenant's members: derived state. */
  static final class Ledger {
    /** tag reference -> time -> event id -> digest. */
    private final Map<String, TreeMap<Long, TreeMap<String, String>>> pushes = new HashMap<>();
    /** Undecided pushes: event id -> {reference, time, digest, key}. */
    private final Map<String, Object[]> pending = new LinkedHashMap<>();
    /** digest -> package name -> SBOM package event ids. */
    private final Map<String, TreeMap<String, TreeSet<String>>> packages = new HashMap<>();
    /** digest -> time -> SBOM package events at that time (count). */
    private final Map<String, TreeMap<Long, Integer>> sbomTimes = new HashMap<>();
    /** Pushes found nothing (derived: judged again after a rebuild, with the same answer). */
    private final Set<String> rejected = new HashSet<>();
    /** event id -> {"p", reference, time} or {"s", digest, name, time} of what was added. */
    private final Map<String, Object[]> added = new HashMap<>();

    void add(Member m) {
      String k = m.execKey();
      if (k == null || added.containsKey(m.eventId())) return;
      long t = m.timeMicros();
      if (k.startsWith("sbom|")) {
        String[] p = k.split("\\|", 3);
        packages.computeIfAbsent(p[1], x -> new TreeMap<>()).computeIfAbsent(p[2], x -> new TreeSet<>())
            .add(m.eventId());
        sbomTimes.computeIfAbsent(p[1], x -> new TreeMap<>()).merge(t, 1, Integer::sum);
        added.put(m.eventId(), new Object[] {"s", p[1], p[2], t});
        return;
      }
      if (!k.startsWith("call")) return;
      String[] push = CredentialClients.Ledger.push(m);
      if (push == null) return;
      pushes.computeIfAbsent(push[0], x -> new TreeMap<>()).computeIfAbsent(t, x -> new TreeMap<>())
          .put(m.eventId(), push[1]);
      added.put(m.eventId(), new Object[] {"p", push[0], t});
      if (!k.startsWith("call-pkg|")) pending.put(m.eventId(), new Object[] {push[0], t, push[1], k});
    }

    void remove(String eventId) {
      Object[] a = added.remove(eventId);
      pending.remove(eventId);
      rejected.remove(eventId);
      if (a == null) return;
      if ("s".equals(a[0])) {
        String digest = (String) a[1];
        TreeMap<String, TreeSet<String>> names = packages.get(digest);
        TreeSet<String> ids = names == null ? null : names.get((String) a[2]);
        if (ids != null && ids.remove(eventId) && ids.isEmpty()) names.remove((String) a[2]);
        if (names != null && names.isEmpty()) packages.remove(digest);
        TreeMap<Long, Integer> times = sbomTimes.get(digest);
        if (times != null) {
          times.computeIfPresent((Long) a[3], (x, c) -> c == 1 ? null : c - 1);
          if (times.isEmpty()) sbomTimes.remove(digest);
        }
        return;
      }
      TreeMap<Long, TreeMap<String, String>> byTime = pushes.get((String) a[1]);
      TreeMap<String, String> at = byTime == null ? null : byTime.get((Long) a[2]);
      if (at == null) return;
      at.remove(eventId);
      if (at.isEmpty()) byTime.remove((Long) a[2]);
      if (byTime.isEmpty()) pushes.remove((String) a[1]);
    }

    /**
     * The pushes decided at {@code watermarkMicros} (MAX: all; MIN: none): event id -> decision. A push is due once
     * the watermark passed it; it is decided when the SBOMs of both digests are in and the watermark passed them too.
     */
    Map<String, String> decide(long watermarkMicros) {
      Map<String, String> out = new LinkedHashMap<>();
      if (watermarkMicros == Long.MIN_VALUE) return out;
      for (Map.Entry<String, Object[]> e : pending.entrySet()) {
        String id = e.getKey();
        if (rejected.contains(id)) continue;
        String ref = (String) e.getValue()[0];
        long t = (Long) e.getValue()[1];
        String digest = (String) e.getValue()[2];
        String key = (String) e.getValue()[3];
        if (watermarkMicros != Long.MAX_VALUE && t > watermarkMicros) continue;
        TreeMap<Long, TreeMap<String, String>> byTime = pushes.get(ref);
        Map.Entry<Long, TreeMap<String, String>> before = byTime == null ? null : byTime.lowerEntry(t);
        if (before == null) continue; // the tag's first push in the state: an earlier one may still arrive
        String previous = before.getValue().lastEntry().getValue();
        if (previous.equals(digest)) {
          rejected.add(id); // the same image again
          continue;
        }
        TreeMap<String, TreeSet<String>> now = packages.get(digest);
        TreeMap<String, TreeSet<String>> then = packages.get(previous);
        if (now == null || then == null) continue; // an SBOM still to come
        if (watermarkMicros != Long.MAX_VALUE
            && (sbomTimes.get(digest).lastKey() > watermarkMicros || sbomTimes.get(previous).lastKey() > watermarkMicros)) {
          continue; // the SBOMs' documents may not be whole yet
        }
        boolean tag = key.startsWith("call-tag|");
        String tagName = tagOf(ref);
        if (!tag && tagName != null && MOVING_TAGS.contains(tagName.toLowerCase(Locale.ROOT))) {
          rejected.add(id);
          continue;
        }
        List<String> names = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        int count = 0;
        for (Map.Entry<String, TreeSet<String>> pkg : now.entrySet()) {
          if (then.containsKey(pkg.getKey())) continue;
          count++;
          if (names.size() < MAX_NAMED) {
            names.add(pkg.getKey());
            ids.add(pkg.getValue().first());
          }
        }
        if (count == 0) {
          rejected.add(id); // the same packages (versions may differ): a rebuild
          continue;
        }
        if (count > names.size()) names.add("and " + (count - names.size()) + " more");
        out.put(id, "call-pkg|" + previous + "|" + digest + "|" + String.join(",", names) + "|" + String.join(",", ids)
            + "|" + before.getKey() + "|" + key);
      }
      for (String id : out.keySet()) pending.remove(id);
      return out;
    }
  }
}
