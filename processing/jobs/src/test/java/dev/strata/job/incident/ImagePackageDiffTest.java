package dev.strata.job.incident;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.detect.sigma.SigmaFixtures;
import dev.strata.schema.correlate.AttackStage;
import dev.strata.schema.correlate.Incident;
import dev.strata.schema.event.EvidenceEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ImagePackageDiff}: a tag re-pushed with an image whose SBOM lists packages the previous image's SBOM does not.
 * ECR PutImage records (CloudTrail, as {@link CredentialClientsTest} writes them) and SPDX 2.3 documents as syft
 * writes them for an image (the CONTAINER root package names the repository, the tag and the digest), read by the real
 * collector, recognizers and parsers; judged in shuffled arrival orders, at the input's end and streaming (a flush
 * after every event at its time).
 */
class ImagePackageDiffTest {
  @TempDir Path dir;

  static final String ACCT = CredentialClientsTest.ACCT;
  static final String REPO = ACCT + ".dkr.ecr.us-east-1.amazonaws.com/merch/catalog-api";
  static final String GOOD = "sha256:" + "5e11".repeat(16);
  static final String BAD = "sha256:" + "e4c2".repeat(16);
  static final String DOCKER = "docker/27.3.1 go/go1.22.7 git-commit/41ca978 os/linux arch/amd64";
  static final String CI = "192.0.2.233";

  /** An SPDX 2.3 document of {@code REPO:tag@digest} made at {@code created}, listing {@code packages} (name@version). */
  static String spdx(String tag, String digest, String created, String... packages) {
    String hex = digest.substring("sha256:".length());
    String root = "SPDXRef-DocumentRoot-Image-merch-catalog-api";
    StringBuilder pk = new StringBuilder();
    StringBuilder rel = new StringBuilder();
    int i = 0;
    for (String p : packages) {
      String[] nv = p.split("@", 2);
      String id = "SPDXRef-Package-npm-" + nv[0] + "-" + (i++);
      pk.append("{\"name\":\"").append(nv[0]).append("\",\"SPDXID\":\"").append(id).append("\",\"versionInfo\":\"")
          .append(nv[1]).append("\",\"downloadLocation\":\"NOASSERTION\",\"filesAnalyzed\":false,\"externalRefs\":[{")
          .append("\"referenceCategory\":\"PACKAGE-MANAGER\",\"referenceType\":\"purl\",\"referenceLocator\":\"pkg:npm/")
          .append(nv[0]).append("@").append(nv[1]).append("\"}]},");
      rel.append("{\"spdxElementId\":\"").append(root).append("\",\"relatedSpdxElement\":\"").append(id)
          .append("\",\"relationshipType\":\"CONTAINS\"},");
    }
    return "{\"spdxVersion\":\"SPDX-2.3\",\"dataLicense\":\"CC0-1.0\",\"SPDXID\":\"SPDXRef-DOCUMENT\",\"name\":\"" + REPO
        + ":" + tag + "@" + digest + "\",\"documentNamespace\":\"https://anchore.com/syft/image/catalog-api-" + hex
        + "\",\"creationInfo\":{\"creators\":[\"Organization: Anchore, Inc\",\"Tool: syft-1.18.1\"],\"created\":\""
        + created + "\"},\"packages\":[" + pk + "{\"name\":\"" + REPO + "\",\"SPDXID\":\"" + root + "\",\"versionInfo\":\""
        + digest + "\",\"downloadLocation\":\"NOASSERTION\",\"filesAnalyzed\":false,\"checksums\":[{\"algorithm\":"
        + "\"SHA256\",\"checksumValue\":\"" + hex + "\"}],\"externalRefs\":[{\"referenceCategory\":\"PACKAGE-MANAGER\","
        + "\"referenceType\":\"purl\",\"referenceLocator\":\"pkg:oci/catalog-api@sha256%3A" + hex + "?arch=amd64"
        + "&repository_url=" + REPO.replace("/", "%2F") + "&tag=" + tag + "\"}],\"primaryPackagePurpose\":\"CONTAINER\"}],"
        + "\"relationships\":[" + rel + "{\"spdxElementId\":\"SPDXRef-DOCUMENT\",\"relatedSpdxElement\":\"" + root
        + "\",\"relationshipType\":\"DESCRIBES\"}]}";
  }

  private List<EvidenceEvent> parse(String name, List<String> pushes, Map<String, String> sboms) throws Exception {
    Path root = dir.resolve(name);
    Path trail = root.resolve("AWSLogs/" + ACCT + "/CloudTrail/us-east-1/2026/11/20/" + ACCT
        + "_CloudTrail_us-east-1_20261120T1005Z_Pkgs000000001.json");
    Files.createDirectories(trail.getParent());
    Files.writeString(trail, "{\"Records\":[" + String.join(",", pushes) + "]}");
    for (Map.Entry<String, String> s : sboms.entrySet()) {
      Path f = root.resolve("scans/" + s.getKey() + ".spdx.json");
      Files.createDirectories(f.getParent());
      Files.writeString(f, s.getValue());
    }
    // the responder's context: the scans are the account's (one tenant with its CloudTrail, as in the scenario)
    Files.writeString(root.resolve("strata-context.yaml"), "- path: \"\"\n  cloud_provider: aws\n  cloud_account: \""
        + ACCT + "\"\n  cloud_region: us-east-1\n");
    List<EvidenceEvent> events = SigmaFixtures.parse(root);
    for (EvidenceEvent e : events) assertThat(EntityKeys.tenant(e)).as("tenant").isEqualTo("aws:" + ACCT);
    for (EvidenceEvent e : events) {
      String req = e.getUnmapped() == null ? null : e.getUnmapped().get("requestID");
      if (req == null && e.getApi() != null && e.getApi().getRequestUid() != null) req = e.getApi().getRequestUid();
      if (req != null) REQUEST.put(e.getEventId(), req.replace("req-", ""));
    }
    return events;
  }

  private static final Map<String, String> REQUEST = new HashMap<>();

  static List<EvidenceEvent> copies(List<EvidenceEvent> events) {
    List<EvidenceEvent> out = new ArrayList<>(events.size());
    for (EvidenceEvent e : events) out.add(EvidenceEvent.newBuilder(e).build());
    return out;
  }

  static Member push(InMemoryTenantStore store, String id) {
    for (Member m : store.members()) if (id.equals(REQUEST.get(m.eventId()))) return m;
    throw new AssertionError("no push " + id);
  }

  /**
   * A flush after every event, the watermark just before that event's time (events of the same time may follow: an
   * SBOM's packages share its creation time; an SBOM made later arrives later).
   */
  static InMemoryTenantStore streamed(List<EvidenceEvent> events) throws Exception {
    IncidentEngine engine = new IncidentEngine(IncidentSettings.defaults());
    InMemoryTenantStore store = new InMemoryTenantStore();
    String tenant = EntityKeys.tenant(events.get(0));
    for (EvidenceEvent e : events) {
      engine.accept(store, e);
      Instant t = e.getTime();
      engine.flush(store, tenant, t.getEpochSecond() * 1_000_000L + t.getNano() / 1000 - 1);
    }
    engine.flush(store, tenant, Long.MAX_VALUE);
    return store;
  }

  /**
   * CI pushes v2.3.1, then from CI's own address (a poisoned build step) another digest whose SBOM adds a package:
   * Medium, the row names the package and both digests; the same package list with a version bump, a moving tag, the
   * tag's first push and a push without the new digest's SBOM stay quiet. Any arrival order, SBOMs before or after
   * the pushes, at the input's end and streaming.
   */
  @Test
  void aRepushFromTheSameAddressWhoseImageAddsAPackageIsMedium() throws Exception {
    String v240a = "sha256:" + "aa01".repeat(16), v240b = "sha256:" + "aa02".repeat(16);
    String lat1 = "sha256:" + "bb01".repeat(16), lat2 = "sha256:" + "bb02".repeat(16);
    String n1 = "sha256:" + "cc01".repeat(16), n2 = "sha256:" + "cc02".repeat(16);
    List<String> pushes = List.of(
        CredentialClientsTest.push("ci", "09:58:52", "v2.3.1", GOOD, CI, DOCKER),
        CredentialClientsTest.push("poisoned", "10:03:30", "v2.3.1", BAD, CI, DOCKER),
        CredentialClientsTest.push("bump1", "10:10:00", "v2.4.0", v240a, CI, DOCKER),
        CredentialClientsTest.push("bump2", "10:20:00", "v2.4.0", v240b, CI, DOCKER),
        CredentialClientsTest.push("latest1", "10:11:00", "latest", lat1, CI, DOCKER),
        CredentialClientsTest.push("latest2", "10:21:00", "latest", lat2, CI, DOCKER),
        CredentialClientsTest.push("nosbom1", "10:12:00", "v3.0.0", n1, CI, DOCKER),
        CredentialClientsTest.push("nosbom2", "10:22:00", "v3.0.0", n2, CI, DOCKER));
    Map<String, String> sboms = new java.util.LinkedHashMap<>();
    // CI's SBOM at build time (before its push), the responder's of the poisoned digest an hour later
    sboms.put("good", spdx("v2.3.1", GOOD, "2026-11-20T09:58:40Z", "openssl@3.0.15", "express@4.21.1"));
    sboms.put("bad", spdx("v2.3.1", BAD, "2026-11-20T11:20:00Z", "openssl@3.0.15", "express@4.21.1",
        "kube-metrics-agent@0.4.2"));
    sboms.put("v240a", spdx("v2.4.0", v240a, "2026-11-20T10:09:50Z", "openssl@3.0.15", "express@4.21.1"));
    sboms.put("v240b", spdx("v2.4.0", v240b, "2026-11-20T10:19:50Z", "openssl@3.0.16", "express@4.21.2"));
    sboms.put("lat1", spdx("latest", lat1, "2026-11-20T10:10:50Z", "openssl@3.0.15"));
    sboms.put("lat2", spdx("latest", lat2, "2026-11-20T10:20:50Z", "openssl@3.0.15", "left-pad@1.3.0"));
    sboms.put("n1", spdx("v3.0.0", n1, "2026-11-20T10:11:50Z", "openssl@3.0.15"));
    List<EvidenceEvent> events = parse("same", pushes, sboms);
    assertThat(events).hasSize(8 + 2 + 3 + 2 + 2 + 1 + 2 + 1);
    Random r = new Random(11);
    for (int i = 0; i < 12; i++) {
      List<EvidenceEvent> order = copies(events); // the engine's runs share no event object (a run may annotate one)
      if (i > 0) Collections.shuffle(order, r);
      InMemoryTenantStore store = judgedOrStreamed(order, i);
      Member poisoned = push(store, "poisoned");
      assertThat(poisoned.signal()).as("order " + i).isTrue();
      assertThat(poisoned.reason()).isEqualTo(ImagePackageDiff.REASON);
      assertThat(poisoned.stage()).isEqualTo(AttackStage.ENTRY);
      assertThat(poisoned.severityId()).isEqualTo(3);
      assertThat(poisoned.summary()).contains("(packages in " + BAD + " that " + GOOD + ", the tag's previous image,"
          + " does not list: kube-metrics-agent; SBOM events ");
      assertThat(poisoned.entities()).anySatisfy(x -> {
        assertThat(x.type()).isEqualTo(Entity.IMAGE);
        assertThat(x.key()).isEqualTo(BAD);
        assertThat(x.pivot()).isTrue();
      });
      for (String quiet : List.of("ci", "bump1", "bump2", "latest1", "latest2", "nosbom1", "nosbom2")) {
        assertThat(push(store, quiet).signal()).as(quiet + " in order " + i).isFalse();
      }
    }
  }

  /**
   * The leaked key's push from another address over CI's (image_tag_overwritten) whose image adds a package: one row
   * with both reasons, High, naming what the tag pointed to and the added package; a moving tag overwritten from
   * another address is judged too. Any arrival order, at the input's end and streaming.
   */
  @Test
  void anOverwriteFromAnotherAddressThatAddsAPackageIsOneHighRow() throws Exception {
    String lat1 = "sha256:" + "bb01".repeat(16), lat2 = "sha256:" + "bb02".repeat(16);
    String crane = "go-containerregistry/v0.20.2";
    List<String> pushes = List.of(
        CredentialClientsTest.push("ci", "09:58:52", "v2.3.1", GOOD, CI, DOCKER),
        CredentialClientsTest.push("atk", "10:03:30", "v2.3.1", BAD, "198.51.100.147", crane),
        CredentialClientsTest.push("latest1", "10:11:00", "latest", lat1, CI, DOCKER),
        CredentialClientsTest.push("latest2", "10:21:00", "latest", lat2, "198.51.100.147", crane));
    Map<String, String> sboms = new java.util.LinkedHashMap<>();
    sboms.put("good", spdx("v2.3.1", GOOD, "2026-11-20T11:20:00Z", "openssl@3.0.15", "express@4.21.1"));
    sboms.put("bad", spdx("v2.3.1", BAD, "2026-11-20T11:20:00Z", "openssl@3.0.15", "express@4.21.1",
        "kube-metrics-agent@0.4.2"));
    sboms.put("lat1", spdx("latest", lat1, "2026-11-20T10:10:50Z", "openssl@3.0.15"));
    sboms.put("lat2", spdx("latest", lat2, "2026-11-20T11:20:00Z", "openssl@3.0.15", "xmr-helper@1.0.0"));
    List<EvidenceEvent> events = parse("other", pushes, sboms);
    Random r = new Random(23);
    for (int i = 0; i < 12; i++) {
      List<EvidenceEvent> order = copies(events); // the engine's runs share no event object (a run may annotate one)
      if (i > 0) Collections.shuffle(order, r);
      InMemoryTenantStore store = judgedOrStreamed(order, i);
      Member atk = push(store, "atk");
      assertThat(atk.reason()).as("order " + i).isEqualTo(CredentialClients.TAG_REASON + "; " + ImagePackageDiff.REASON);
      assertThat(atk.severityId()).isEqualTo(4);
      assertThat(atk.stage()).isEqualTo(AttackStage.ENTRY);
      assertThat(atk.summary()).contains("pointed to " + GOOD + ", pushed from " + CI).contains("overwritten from 198.51.100.147")
          .contains("does not list: kube-metrics-agent;");
      Member latest = push(store, "latest2");
      assertThat(latest.reason()).isEqualTo(CredentialClients.TAG_REASON + "; " + ImagePackageDiff.REASON);
      assertThat(latest.summary()).contains("does not list: xmr-helper;");
      assertThat(push(store, "ci").signal()).isFalse();
    }
    // the row is the incident's entry, and the decision holds in the reference regrouping too
    List<Incident> incs = IncidentEngine.incidentsOf(events, IncidentSettings.defaults());
    assertThat(incs).isNotEmpty();
    assertThat(incs.stream().flatMap(x -> x.getTimeline().stream()).filter(row -> row.getSignal()
        && row.getSummary().contains("kube-metrics-agent")).count()).isEqualTo(1);
  }

  /**
   * Decided (docs/incidents.md, "A re-pushed tag whose image adds packages"): a release tag overwritten from CI's own
   * address with another digest whose SBOM lists no package the previous image's does not (a rebuild: new base image
   * layers, version bumps) is what CI does every day, so it is context: no signal and in no incident, in any arrival
   * order, streaming and in the reference regrouping. The same overwrite from another address without any package diff
   * is still the tag rule's entry, High, alone (the supply-chain scenario's leaked key: its SBOM diff only adds to it).
   */
  @Test
  void anOverwriteFromCisOwnAddressWithoutAPackageDiffIsContextOfNoIncident() throws Exception {
    String rebuilt = "sha256:" + "5e12".repeat(16);
    String rel = "sha256:" + "dd01".repeat(16), relAtk = "sha256:" + "dd02".repeat(16);
    String crane = "go-containerregistry/v0.20.2";
    List<String> pushes = List.of(
        CredentialClientsTest.push("ci", "09:58:52", "v2.3.1", GOOD, CI, DOCKER),
        CredentialClientsTest.push("rebuild", "10:03:30", "v2.3.1", rebuilt, CI, DOCKER),
        CredentialClientsTest.push("rel", "10:10:00", "v2.5.0", rel, CI, DOCKER),
        CredentialClientsTest.push("relatk", "10:14:00", "v2.5.0", relAtk, "198.51.100.147", crane));
    Map<String, String> sboms = new java.util.LinkedHashMap<>();
    sboms.put("good", spdx("v2.3.1", GOOD, "2026-11-20T09:58:40Z", "openssl@3.0.15", "express@4.21.1"));
    sboms.put("rebuilt", spdx("v2.3.1", rebuilt, "2026-11-20T10:03:20Z", "openssl@3.0.16", "express@4.21.1"));
    sboms.put("rel", spdx("v2.5.0", rel, "2026-11-20T10:09:50Z", "openssl@3.0.16", "express@4.21.2"));
    sboms.put("relatk", spdx("v2.5.0", relAtk, "2026-11-20T11:20:00Z", "openssl@3.0.16", "express@4.21.2"));
    List<EvidenceEvent> events = parse("rebuild", pushes, sboms);
    Random r = new Random(31);
    for (int i = 0; i < 12; i++) {
      List<EvidenceEvent> order = copies(events);
      if (i > 0) Collections.shuffle(order, r);
      InMemoryTenantStore store = judgedOrStreamed(order, i);
      Member rebuild = push(store, "rebuild");
      assertThat(rebuild.signal()).as("CI's rebuild, order " + i).isFalse();
      assertThat(rebuild.reason()).as("CI's rebuild, order " + i).isNull();
      Member atk = push(store, "relatk");
      assertThat(atk.reason()).as("order " + i).isEqualTo(CredentialClients.TAG_REASON);
      assertThat(atk.severityId()).isEqualTo(4);
      assertThat(atk.stage()).isEqualTo(AttackStage.ENTRY);
    }
    String rebuildId = null, atkId = null;
    for (EvidenceEvent e : events) {
      if ("rebuild".equals(REQUEST.get(e.getEventId()))) rebuildId = e.getEventId();
      if ("relatk".equals(REQUEST.get(e.getEventId()))) atkId = e.getEventId();
    }
    String atk = atkId;
    assertThat(IncidentEngine.incidentsOf(events.stream().filter(e -> !e.getEventId().equals(atk)).toList(),
        IncidentSettings.defaults())).as("CI's pushes and SBOMs alone: no incident").isEmpty();
    List<Incident> incs = IncidentEngine.incidentsOf(events, IncidentSettings.defaults());
    assertThat(incs).as("the overwrite from another address only").hasSize(1);
    String id = rebuildId;
    // the leaked key is CI's own user: its earlier pushes are the incident's lead-up context, never a signal
    assertThat(incs.get(0).getTimeline()).as("CI's rebuild is no signal")
        .noneMatch(row -> row.getEventId().equals(id) && row.getSignal());
    assertThat(incs.get(0).getSignals()).isEqualTo(1);
    assertThat(incs.get(0).getSeverityId()).isEqualTo(4);
  }

  /** A CycloneDX 1.6 document as syft writes it for an image (metadata.component: the container, its digest). */
  static String cyclonedx(String digest, String created, String... packages) {
    StringBuilder c = new StringBuilder();
    for (String p : packages) {
      String[] nv = p.split("@", 2);
      if (c.length() > 0) c.append(',');
      c.append("{\"bom-ref\":\"pkg:npm/").append(nv[0]).append('@').append(nv[1]).append("\",\"type\":\"library\",")
          .append("\"name\":\"").append(nv[0]).append("\",\"version\":\"").append(nv[1]).append("\",\"purl\":\"pkg:npm/")
          .append(nv[0]).append('@').append(nv[1]).append("\"}");
    }
    return "{\"$schema\":\"http://cyclonedx.org/schema/bom-1.6.schema.json\",\"bomFormat\":\"CycloneDX\",\"specVersion\":"
        + "\"1.6\",\"serialNumber\":\"urn:uuid:6f0c3d1e-0000-4000-8000-" + digest.substring(7, 19) + "\",\"version\":1,"
        + "\"metadata\":{\"timestamp\":\"" + created + "\",\"tools\":{\"components\":[{\"type\":\"application\","
        + "\"author\":\"anchore\",\"name\":\"syft\",\"version\":\"1.18.1\"}]},\"component\":{\"bom-ref\":\"img\","
        + "\"type\":\"container\",\"name\":\"" + REPO + "\",\"version\":\"" + digest + "\"}},\"components\":[" + c + "]}";
  }

  /**
   * CI's build-time SBOM in CycloneDX (before its push), the responder's of the new digest in SPDX (after): the diff
   * reads both formats' package events by their image digest.
   */
  @Test
  void theTwoDigestsSbomsMayBeOfDifferentFormats() throws Exception {
    List<String> pushes = List.of(
        CredentialClientsTest.push("ci", "09:58:52", "v2.3.1", GOOD, CI, DOCKER),
        CredentialClientsTest.push("poisoned", "10:03:30", "v2.3.1", BAD, CI, DOCKER));
    Path root = dir.resolve("mixed");
    Files.createDirectories(root.resolve("scans"));
    Files.writeString(root.resolve("scans/ci-build.cdx.json"),
        cyclonedx(GOOD, "2026-11-20T09:58:40Z", "openssl@3.0.15", "express@4.21.1"));
    Map<String, String> sboms = Map.of("bad", spdx("v2.3.1", BAD, "2026-11-20T11:20:00Z", "openssl@3.0.15",
        "express@4.21.1", "kube-metrics-agent@0.4.2"));
    List<EvidenceEvent> events = parse("mixed", pushes, sboms);
    assertThat(events.stream().map(EvidenceEvent::getSourceFormat).distinct())
        .containsExactlyInAnyOrder("aws_cloudtrail", "cyclonedx_sbom", "spdx_sbom");
    for (int i = 0; i < 4; i++) {
      List<EvidenceEvent> order = copies(events);
      Collections.shuffle(order, new Random(i));
      Member poisoned = push(RuntimeExecAuditTest.judged(order), "poisoned");
      assertThat(poisoned.reason()).isEqualTo(ImagePackageDiff.REASON);
      assertThat(poisoned.summary()).contains("does not list: kube-metrics-agent;");
    }
  }

  /**
   * Order {@code i}'s run: even orders judged as one batch, odd ones streamed in time order (the SBOM after the push),
   * so half the shuffled orders exercise each way the engine meets the evidence.
   */
  static InMemoryTenantStore judgedOrStreamed(List<EvidenceEvent> order, int i) throws Exception {
    if (i % 2 == 0) return RuntimeExecAuditTest.judged(order);
    order.sort(Comparator.comparing(EvidenceEvent::getTime));
    return streamed(order);
  }
}
