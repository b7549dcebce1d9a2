package dev.strata.job.incident;

import dev.strata.job.incident.SignalRules.Signal;
import dev.strata.schema.correlate.AttackStage;
import dev.strata.schema.event.EvidenceEvent;
import java.io.Serializable;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How an attacker's code got into a workload through its supply chain: the entry stage of an incident. Two kinds of
 * evidence, both stage {@code entry}:
 *
 * <table>
 *   <tr><th>evidence</th><th>signal</th><th>reason</th><th>severity</th><th>ATT&amp;CK</th></tr>
 *   <tr><td>a scan finding (grype, Trivy, a CycloneDX / SPDX document's vulnerabilities) whose advisory is a
 *       malicious package: an OSV malicious-packages id ({@code MAL-}, {@link #maliciousIdPrefixes}) as its id or an
 *       alias, CWE-506 Embedded Malicious Code ({@link #maliciousCwes}), or an advisory summary that says so ("Malicious
 *       code in ...", GitHub's malware advisories; {@link #maliciousTitlePrefixes}, compared at the start of the title
 *       only: a CVE's description often says "allows attackers to execute malicious code")</td>
 *       <td>{@code malicious_package}</td><td>Critical: a curated database says the package is malware</td>
 *       <td>T1195.002</td></tr>
 *   <tr><td>an SBOM or scan component (any package of an inventory or finding event) named as a cryptominer
 *       ({@link #minerComponents}: xmrig, ...)</td><td>{@code miner_component}</td><td>High</td><td>T1525,
 *       T1204.003</td></tr>
 *   <tr><td>... named as an offensive tool ({@link #offensiveComponents}: mimikatz, linpeas, ...)</td>
 *       <td>{@code offensive_tool_component}</td><td>Medium: pentest and CTF images carry them by design</td>
 *       <td>T1525</td></tr>
 *   <tr><td>a Trivy secret finding (a credential baked into the image) of Trivy severity CRITICAL (cloud keys, forge
 *       and registry tokens); HIGH and lower (private keys: every dependency's test fixtures have some) are
 *       context</td><td>{@code image_secret}</td><td>Medium: exposure, not an attacker's act</td><td>T1552.001 (as
 *       the way in: whoever pulls the image holds the credential)</td></tr>
 *   <tr><td>a package manager running a dependency's install-time script in a container's log ({@code
 *       pkg_script.*}, {@code dev.strata.parse.pkgscript.PackageScriptLines}: npm's {@code > pkg@ver postinstall} and
 *       the command after it, pnpm's {@code postinstall$ command}) whose command fetches code and runs it ({@code curl
 *       | sh}, {@code sh -c "$(wget ...)"}, ...) or names a credential or metadata endpoint ({@link
 *       #credentialMarkers}: the pod's service account token, IMDS, ~/.aws, ~/.npmrc, ...)</td>
 *       <td>{@code install_script_remote_code}, {@code install_script_credentials}</td><td>High</td>
 *       <td>T1195.002</td></tr>
 *   <tr><td>... whose command contacts a literal public address ({@code http://198.51.100.7/x})</td>
 *       <td>{@code install_script_public_address}</td><td>Medium</td><td>T1195.002</td></tr>
 * </table>
 *
 * Everything else is context: a CVE, however severe, says the image can be attacked, not that it was (a CVE-laden
 * but benign image is no entry); a lifecycle script whose command shows nothing of the above ({@code node
 * install.js}, {@code node-gyp rebuild}) and the scripts that show no command (pip's setup.py, a gem's native
 * extension) are context rows of their container: they join the incident the container's own signals open, before
 * them in time. The command is judged by what it visibly does, not by what the same container does next: that needs
 * no other event (and works in every grouping), at the price of missing a script that hides its payload in a file
 * ({@code node index.js}) -- the token read it then makes is a signal of its own and the script's banner its
 * container's earlier context row.
 *
 * <p>An image finding names the image only (no container, pod or node): its image is then its pivot, and a
 * container's evidence expands to the image it runs ({@link EntityKeys}), so the finding joins the incident of every
 * container that ran the image within the window, as a node-level signal joins its pods' ({@link IncidentGrouper}).
 * Every list is a setting ({@link IncidentSettings#withSupplyChainSignals}); names are compared in lower case, whole
 * (a package named {@code xmrig} or {@code xmrig-cuda}: the lists hold both).
 */
public record SupplyChainSignals(
    List<String> maliciousIdPrefixes,
    List<String> maliciousTitlePrefixes,
    Set<String> maliciousCwes,
    Set<String> minerComponents,
    Set<String> offensiveComponents,
    List<String> credentialMarkers)
    implements Serializable {

  /** The formats that describe images (SBOMs and scans): no activity, their findings are about the image. */
  public static final Set<String> IMAGE_FORMATS =
      Set.of("cyclonedx_sbom", "spdx_sbom", "syft_sbom", "grype_scan", "trivy_scan");

  public SupplyChainSignals {
    maliciousIdPrefixes = maliciousIdPrefixes.stream().map(x -> x.toUpperCase(Locale.ROOT)).toList();
    maliciousTitlePrefixes = maliciousTitlePrefixes.stream().map(x -> x.toLowerCase(Locale.ROOT)).toList();
    maliciousCwes = Set.copyOf(maliciousCwes.stream().map(x -> x.toUpperCase(Locale.ROOT)).toList());
    minerComponents = Set.copyOf(minerComponents.stream().map(x -> x.toLowerCase(Locale.ROOT)).toList());
    offensiveComponents = Set.copyOf(offensiveComponents.stream().map(x -> x.toLowerCase(Locale.ROOT)).toList());
    credentialMarkers = credentialMarkers.stream().map(x -> x.toLowerCase(Locale.ROOT)).toList();
  }

  /** The defaults of the table above. */
  public static SupplyChainSignals defaults() {
    return new SupplyChainSignals(
        List.of("MAL-"),
        List.of("malicious code in ", "malicious package in ", "malicious package ", "embedded malicious code in ",
            "malware in ", "malicious version of ", "malicious versions of "),
        Set.of("CWE-506"),
        // XMRig and its forks, the CPU/GPU miners cryptojacking kits drop (Aqua / Sysdig / Unit 42 reports)
        Set.of("xmrig", "xmrig-cuda", "xmrig-opencl", "xmrig-proxy", "xmr-stak", "xmr-stak-cpu", "xmr-stak-rx",
            "cpuminer", "cpuminer-opt", "cpuminer-multi", "minerd", "ccminer", "cgminer", "bfgminer", "sgminer",
            "ethminer", "nbminer", "lolminer", "teamredminer", "srbminer", "srbminer-multi", "phoenixminer",
            "nanominer", "nheqminer", "kawpowminer", "bzminer", "onezerominer", "hellminer"),
        // post-exploitation and container-escape tools an attacker ships, not a workload (names a library of a
        // language ecosystem could also have, like "sliver" or "pspy", are left out: only the tools' own names)
        Set.of("mimikatz", "linpeas", "winpeas", "pspy32", "pspy64", "peirates", "deepce", "botb", "sliver-server",
            "sliver-client", "metasploit-framework", "meterpreter", "cobaltstrike", "kinsing", "kdevtmpfsi", "xorddos"),
        List.of("/var/run/secrets/kubernetes.io/serviceaccount", "/run/secrets/kubernetes.io/serviceaccount",
            "/var/run/secrets/eks.amazonaws.com", "169.254.169.254", "169.254.170.2", "169.254.170.23",
            "fd00:ec2::254", "metadata.google.internal", "/.aws/credentials", "/.aws/config", "/.ssh/id_", "/.npmrc",
            "/.pypirc", "/.gem/credentials", "/.docker/config.json", "/.kube/config", "/.git-credentials",
            "/proc/self/environ", "aws_secret_access_key", "npm_token", "github_token", "ci_job_token"));
  }

  /** The signal an event is under these rules, or null (context, or not a supply-chain event). */
  public Signal classify(EvidenceEvent e) {
    String f = e.getSourceFormat() == null ? "" : e.getSourceFormat();
    if (IMAGE_FORMATS.contains(f)) return imageFinding(e, f);
    Map<String, String> u = e.getUnmapped();
    if (u != null && u.containsKey("pkg_script.command")) return installScript(u.get("pkg_script.command"));
    return null;
  }

  private Signal imageFinding(EvidenceEvent e, String format) {
    Signal best = null;
    if (e.getVulnerability() != null && maliciousAdvisory(e)) {
      return new Signal(AttackStage.ENTRY, 5, "malicious_package");
    }
    String pkg = e.getPackage$() == null ? null : e.getPackage$().getName();
    if (pkg != null) {
      String name = componentName(pkg);
      if (minerComponents.contains(name)) return new Signal(AttackStage.ENTRY, 4, "miner_component");
      if (offensiveComponents.contains(name)) best = new Signal(AttackStage.ENTRY, 3, "offensive_tool_component");
    }
    if ("trivy_scan".equals(format) && e.getClassUid() == 2004) { // Trivy's secret findings
      String sev = e.getFinding() == null || e.getFinding().getPriority() == null ? ""
          : e.getFinding().getPriority().toUpperCase(Locale.ROOT);
      // exposure, not an attacker's act: Medium at most, and only Trivy's CRITICAL rules (cloud and forge tokens);
      // HIGH ones (private keys) are everywhere in test fixtures of dependencies
      if (sev.equals("CRITICAL") && best == null) best = new Signal(AttackStage.ENTRY, 3, "image_secret");
    }
    return best;
  }

  /** A component's name as listed: lower case, without a Go module's or a path's leading directories. */
  static String componentName(String name) {
    String n = name.trim().toLowerCase(Locale.ROOT);
    int slash = n.lastIndexOf('/');
    return slash >= 0 && slash < n.length() - 1 ? n.substring(slash + 1) : n;
  }

  /** A vulnerability record that says the package is malware (its id, an alias, its CWE, its summary). */
  boolean maliciousAdvisory(EvidenceEvent e) {
    var v = e.getVulnerability();
    if (maliciousId(v.getUid())) return true;
    if (v.getRelated() != null) {
      for (String r : v.getRelated()) if (maliciousId(r)) return true;
    }
    Map<String, String> u = e.getUnmapped() == null ? Map.of() : e.getUnmapped();
    // Trivy's CweIDs ("CWE-506"), CycloneDX's cwes (numbers: [506])
    for (String field : new String[] {"vulnerability.cwe_ids", "vulnerability.cwes"}) {
      String cwes = u.get(field);
      if (cwes == null) continue;
      Matcher m = CWE.matcher(cwes);
      while (m.find()) if (maliciousCwes.contains("CWE-" + m.group(1))) return true;
    }
    for (String title : new String[] {u.get("vulnerability.title"), u.get("vulnerability.description"),
        u.get("vulnerability.summary")}) {
      if (title == null) continue;
      String t = title.strip().toLowerCase(Locale.ROOT);
      for (String p : maliciousTitlePrefixes) if (t.startsWith(p)) return true;
    }
    return false;
  }

  private static final Pattern CWE = Pattern.compile("(?:CWE-)?([0-9]{1,5})", Pattern.CASE_INSENSITIVE);

  private boolean maliciousId(String id) {
    if (id == null) return false;
    String s = id.trim().toUpperCase(Locale.ROOT);
    for (String p : maliciousIdPrefixes) if (s.startsWith(p)) return true;
    return false;
  }

  /** Fetch then run: a download piped to an interpreter, or an interpreter running a download's output. */
  private static final Pattern FETCH_AND_RUN = Pattern.compile(
      "(?:\\b(?:curl|wget|fetch|iwr|invoke-webrequest|invoke-restmethod)\\b[^|;&]*\\|\\s*(?:sudo\\s+)?"
          + "(?:/\\S*/)?(?:sh|bash|zsh|dash|ash|ksh|python[0-9.]*|node|perl|ruby|iex)\\b)"
          + "|(?:\\b(?:sh|bash|zsh|python[0-9.]*|node|perl)\\b\\s+(?:-c\\s+)?[\"']?\\$\\(\\s*(?:curl|wget)\\b)"
          + "|(?:\\b(?:bash|sh|zsh)\\s+<\\(\\s*(?:curl|wget)\\b)"
          + "|(?:\\beval\\b[^;]*\\$\\(\\s*(?:curl|wget)\\b)");
  private static final Pattern URL_HOST = Pattern.compile("\\b(?:https?|ftp)://\\[?([0-9a-fA-F:.]+)\\]?(?::[0-9]+)?(?:/|\\s|$)");

  /** The signal of a package's install-time script command, or null (context). */
  Signal installScript(String command) {
    String c = command.toLowerCase(Locale.ROOT);
    if (FETCH_AND_RUN.matcher(c).find()) return new Signal(AttackStage.ENTRY, 4, "install_script_remote_code");
    for (String m : credentialMarkers) {
      if (c.contains(m)) return new Signal(AttackStage.ENTRY, 4, "install_script_credentials");
    }
    Matcher u = URL_HOST.matcher(command);
    while (u.find()) {
      if (EntityKeys.isPublicIp(u.group(1))) return new Signal(AttackStage.ENTRY, 3, "install_script_public_address");
    }
    return null;
  }
}
