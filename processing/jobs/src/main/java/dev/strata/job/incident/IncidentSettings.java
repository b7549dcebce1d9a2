package dev.strata.job.incident;

import dev.strata.correlate.KnownCidrs;
import dev.strata.detect.sigma.SigmaEngine;
import dev.strata.detect.sigma.SigmaRule;
import dev.strata.detect.sigma.SigmaRuleSet;
import java.io.Serializable;
import java.time.Duration;
import java.util.List;

/**
 * Grouping settings (keys under {@code incident.}).
 *
 * @param window {@code incident.window}: signals sharing an entity join one incident when they are at most this far
 *     apart (chained); context events join when they share an entity with an incident and fall within this bound of
 *     its first/last signal (default 2 h)
 * @param timelineCap {@code incident.timeline_cap}: rows kept in the incident record (default 500; signals first,
 *     then the earliest context rows; the rest counted in timeline_omitted)
 * @param secretBurstCount {@code incident.secret_burst_count}: GetSecretValue calls by one principal that make a
 *     burst (default 5)
 * @param secretBurstWindow {@code incident.secret_burst_window}: within this time (default 5 min)
 * @param knownCidrs {@code incident.known_cidrs}: the account's own public ranges (comma-separated CIDRs); when set,
 *     any credential used from a public IP outside them is a signal, and an address inside them links nothing (it is
 *     kept as an entity; {@link EntityKeys#extract(dev.strata.schema.event.EvidenceEvent, java.util.function.Predicate)})
 * @param retention {@code incident.retention}: members older than the watermark minus this are dropped from state
 *     (default 3 x window)
 * @param maxMembersPerTenant {@code incident.max_members_per_tenant}: state bound per tenant (default 200000); beyond
 *     it the oldest context members are dropped first
 * @param sigmaRules {@code incident.sigma_rules}: Sigma rules (files or directories, read recursively when the job is
 *     configured; default none), evaluated on each event's original record ({@link SignalRules})
 * @param sigmaMinLevel {@code incident.sigma_min_level}: the lowest Sigma level whose matches are signals (default
 *     medium; informational and low matches are context: they annotate the timeline row, they open nothing)
 * @param tetragonSignals which Tetragon events are signals ({@link TetragonSignals}: enforcement actions, sensitive
 *     targets, dropped binaries' execs; default {@link TetragonSignals#defaults()})
 * @param supplyChainSignals the supply-chain entry rules ({@link SupplyChainSignals}: malicious-package advisories,
 *     miner and offensive-tool components, baked-in secrets, install-time scripts; default {@link
 *     SupplyChainSignals#defaults()})
 * @param deployerNamespaces {@code incident.deployer_namespaces}: the namespaces whose service accounts create workloads
 *     in other namespaces by design, not judged by {@code service_account_workload_other_namespace} (default {@link
 *     WorkloadPlacementSignals#DEFAULT_DEPLOYER_NAMESPACES}; {@link #deployerNamespaces(java.util.Collection)} reads
 *     the setting's list, where the item {@code defaults} stands for the default list: {@code [defaults, platform]}
 *     adds, {@code [kube-system, platform]} replaces)
 * @param execAuditBound {@code incident.exec_audit_bound}: a runtime exec and the API server's {@code pods/exec}
 *     record of it are at most this far apart, and the audit log covers the exec when it holds records at least this
 *     far before and after it ({@link RuntimeExecAudit}; default 15 s; 1 s .. 10 min)
 * @param execAuditCoverage {@code incident.exec_audit_coverage}: how far from the exec those covering records may be
 *     (the nearest record before {@code t - bound} and after {@code t + bound} at most this far away: a log with a gap
 *     longer than this around the exec does not cover it); default none (any record before and after covers)
 * @param entryFlowBound {@code incident.entry_flow_bound}: an accepted flow from a public address to a pod at most this
 *     long before the pod's first execution / credential access signal is the incident's entry row ({@link
 *     EntryFlows}; default 10 min; 1 s .. 24 h, used up to the window)
 * @param exfilBytes {@code incident.exfil_bytes}: the bytes a workload of an open incident sends to one public address
 *     (outside {@code known_cidrs}) within {@code exfil_window} that make an exfiltration signal ({@link ExfilVolume};
 *     default 50,000,000; 0 or less: {@link #DEFAULT_EXFIL_BYTES})
 * @param exfilWindow {@code incident.exfil_window}: the window those bytes are summed in (flow records by their start;
 *     default 10 min; 1 min .. 24 h)
 * @param knownAccounts {@code incident.known_accounts}: the organisation's AWS accounts (12-digit ids); when set, an S3
 *     object written into a bucket of another account (CloudTrail's data event names the bucket's owner) is an
 *     exfiltration signal ({@code s3_write_unknown_account}); default none (the rule is off)
 */
public record IncidentSettings(
    Duration window,
    int timelineCap,
    int secretBurstCount,
    Duration secretBurstWindow,
    List<String> knownCidrs,
    Duration retention,
    int maxMembersPerTenant,
    SigmaRuleSet sigmaRules,
    String sigmaMinLevel,
    TetragonSignals tetragonSignals,
    SupplyChainSignals supplyChainSignals,
    java.util.Set<String> deployerNamespaces,
    Duration execAuditBound,
    Duration execAuditCoverage,
    Duration entryFlowBound,
    long exfilBytes,
    Duration exfilWindow,
    java.util.Set<String> knownAccounts)
    implements Serializable {
  /** {@code incident.exfil_bytes}'s default: 50 MB to one public address (a database dump, a source tree). */
  public static final long DEFAULT_EXFIL_BYTES = 50_000_000L;
  /** {@code incident.exfil_window}'s default. */
  public static final Duration DEFAULT_EXFIL_WINDOW = Duration.ofMinutes(10);

  /** {@code incident.entry_flow_bound}'s default: an exploit's first command within minutes of its request. */
  public static final Duration DEFAULT_ENTRY_FLOW_BOUND = Duration.ofMinutes(10);
  /** {@code incident.exec_audit_bound}'s default: clock skew between node and API server plus the kubelet's latency. */
  public static final Duration DEFAULT_EXEC_AUDIT_BOUND = Duration.ofSeconds(15);
  public static final int MAX_ENTITIES = 200;
  public static final int MAX_INDICATORS = 200;
  public static final int MAX_STEP_EVENTS = 50;

  public IncidentSettings {
    require(window != null && !window.isNegative() && !window.isZero(), "incident.window", "must be > 0");
    require(timelineCap >= 1 && timelineCap <= 100_000, "incident.timeline_cap", "must be 1..100000");
    require(secretBurstCount >= 2, "incident.secret_burst_count", "must be >= 2");
    require(secretBurstWindow != null && !secretBurstWindow.isNegative() && !secretBurstWindow.isZero(),
        "incident.secret_burst_window", "must be > 0");
    knownCidrs = knownCidrs == null ? List.of() : List.copyOf(knownCidrs);
    KnownCidrs.parse(knownCidrs); // fails naming the setting
    retention = retention == null ? window.multipliedBy(3) : retention;
    require(retention.compareTo(window) >= 0, "incident.retention", "must be >= incident.window");
    require(maxMembersPerTenant >= 10, "incident.max_members_per_tenant", "must be >= 10");
    sigmaRules = sigmaRules == null ? SigmaRuleSet.empty() : sigmaRules;
    sigmaMinLevel = sigmaMinLevel == null ? "medium" : sigmaMinLevel.trim().toLowerCase(java.util.Locale.ROOT);
    require(SigmaRule.severityOf(sigmaMinLevel) > 0, "incident.sigma_min_level",
        "must be informational, low, medium, high or critical, was " + sigmaMinLevel);
    tetragonSignals = tetragonSignals == null ? TetragonSignals.defaults() : tetragonSignals;
    supplyChainSignals = supplyChainSignals == null ? SupplyChainSignals.defaults() : supplyChainSignals;
    deployerNamespaces = deployerNamespaces == null ? WorkloadPlacementSignals.DEFAULT_DEPLOYER_NAMESPACES
        : java.util.Set.copyOf(deployerNamespaces);
    for (String ns : deployerNamespaces) {
      require(ns.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?") && ns.length() <= 63, "incident.deployer_namespaces",
          "not a namespace name: '" + ns + "'");
    }
    execAuditBound = execAuditBound == null ? DEFAULT_EXEC_AUDIT_BOUND : execAuditBound;
    require(execAuditBound.compareTo(Duration.ofSeconds(1)) >= 0 && execAuditBound.compareTo(Duration.ofMinutes(10)) <= 0,
        "incident.exec_audit_bound", "must be 1s..10m, was " + execAuditBound);
    require(execAuditCoverage == null || (!execAuditCoverage.isNegative() && !execAuditCoverage.isZero()),
        "incident.exec_audit_coverage", "must be > 0 (unset: any record before and after covers)");
    entryFlowBound = entryFlowBound == null ? DEFAULT_ENTRY_FLOW_BOUND : entryFlowBound;
    require(entryFlowBound.compareTo(Duration.ofSeconds(1)) >= 0 && entryFlowBound.compareTo(Duration.ofHours(24)) <= 0,
        "incident.entry_flow_bound", "must be 1s..24h, was " + entryFlowBound);
    exfilBytes = exfilBytes <= 0 ? DEFAULT_EXFIL_BYTES : exfilBytes;
    exfilWindow = exfilWindow == null ? DEFAULT_EXFIL_WINDOW : exfilWindow;
    require(exfilWindow.compareTo(Duration.ofMinutes(1)) >= 0 && exfilWindow.compareTo(Duration.ofHours(24)) <= 0,
        "incident.exfil_window", "must be 1m..24h, was " + exfilWindow);
    knownAccounts = knownAccounts == null ? java.util.Set.of() : java.util.Set.copyOf(knownAccounts);
    for (String a : knownAccounts) {
      require(a.matches("\\d{12}"), "incident.known_accounts", "not an AWS account id (12 digits): '" + a + "'");
    }
  }

  /** Before {@code incident.known_accounts}: none known (the rule that reads it is off). */
  public IncidentSettings(Duration window, int timelineCap, int secretBurstCount, Duration secretBurstWindow,
      List<String> knownCidrs, Duration retention, int maxMembersPerTenant, SigmaRuleSet sigmaRules,
      String sigmaMinLevel, TetragonSignals tetragonSignals, SupplyChainSignals supplyChainSignals,
      java.util.Set<String> deployerNamespaces, Duration execAuditBound, Duration execAuditCoverage,
      Duration entryFlowBound, long exfilBytes, Duration exfilWindow) {
    this(window, timelineCap, secretBurstCount, secretBurstWindow, knownCidrs, retention, maxMembersPerTenant, sigmaRules,
        sigmaMinLevel, tetragonSignals, supplyChainSignals, deployerNamespaces, execAuditBound, execAuditCoverage,
        entryFlowBound, exfilBytes, exfilWindow, null);
  }

  /** Before {@code incident.exfil_bytes} / {@code exfil_window}: their defaults. */
  public IncidentSettings(Duration window, int timelineCap, int secretBurstCount, Duration secretBurstWindow,
      List<String> knownCidrs, Duration retention, int maxMembersPerTenant, SigmaRuleSet sigmaRules,
      String sigmaMinLevel, TetragonSignals tetragonSignals, SupplyChainSignals supplyChainSignals,
      java.util.Set<String> deployerNamespaces, Duration execAuditBound, Duration execAuditCoverage,
      Duration entryFlowBound) {
    this(window, timelineCap, secretBurstCount, secretBurstWindow, knownCidrs, retention, maxMembersPerTenant, sigmaRules,
        sigmaMinLevel, tetragonSignals, supplyChainSignals, deployerNamespaces, execAuditBound, execAuditCoverage,
        entryFlowBound, 0, null);
  }

  public IncidentSettings(Duration window, int timelineCap, int secretBurstCount, Duration secretBurstWindow,
      List<String> knownCidrs, Duration retention, int maxMembersPerTenant, SigmaRuleSet sigmaRules,
      String sigmaMinLevel, TetragonSignals tetragonSignals, SupplyChainSignals supplyChainSignals) {
    this(window, timelineCap, secretBurstCount, secretBurstWindow, knownCidrs, retention, maxMembersPerTenant, sigmaRules,
        sigmaMinLevel, tetragonSignals, supplyChainSignals, null, null, null, null);
  }

  public IncidentSettings(Duration window, int timelineCap, int secretBurstCount, Duration secretBurstWindow,
      List<String> knownCidrs, Duration retention, int maxMembersPerTenant, SigmaRuleSet sigmaRules,
      String sigmaMinLevel, TetragonSignals tetragonSignals) {
    this(window, timelineCap, secretBurstCount, secretBurstWindow, knownCidrs, retention, maxMembersPerTenant, sigmaRules,
        sigmaMinLevel, tetragonSignals, null);
  }

  public IncidentSettings(Duration window, int timelineCap, int secretBurstCount, Duration secretBurstWindow,
      List<String> knownCidrs, Duration retention, int maxMembersPerTenant, SigmaRuleSet sigmaRules,
      String sigmaMinLevel) {
    this(window, timelineCap, secretBurstCount, secretBurstWindow, knownCidrs, retention, maxMembersPerTenant, sigmaRules,
        sigmaMinLevel, null, null);
  }

  public IncidentSettings(Duration window, int timelineCap, int secretBurstCount, Duration secretBurstWindow,
      List<String> knownCidrs, Duration retention, int maxMembersPerTenant) {
    this(window, timelineCap, secretBurstCount, secretBurstWindow, knownCidrs, retention, maxMembersPerTenant, null, null);
  }

  public static IncidentSettings defaults() {
    return new IncidentSettings(Duration.ofHours(2), 500, 5, Duration.ofMinutes(5), List.of(), null, 200_000);
  }

  public IncidentSettings withWindow(Duration w) {
    return new IncidentSettings(w, timelineCap, secretBurstCount, secretBurstWindow, knownCidrs, null, maxMembersPerTenant,
        sigmaRules, sigmaMinLevel, tetragonSignals, supplyChainSignals, deployerNamespaces, execAuditBound,
        execAuditCoverage, entryFlowBound, exfilBytes, exfilWindow, knownAccounts);
  }

  public IncidentSettings withTimelineCap(int cap) {
    return new IncidentSettings(window, cap, secretBurstCount, secretBurstWindow, knownCidrs, retention, maxMembersPerTenant,
        sigmaRules, sigmaMinLevel, tetragonSignals, supplyChainSignals, deployerNamespaces, execAuditBound,
        execAuditCoverage, entryFlowBound, exfilBytes, exfilWindow, knownAccounts);
  }

  /** With Sigma rules (loaded by {@link dev.strata.detect.sigma.SigmaRuleLoader}) and the lowest level that signals. */
  public IncidentSettings withSigmaRules(SigmaRuleSet rules, String minLevel) {
    return new IncidentSettings(window, timelineCap, secretBurstCount, secretBurstWindow, knownCidrs, retention,
        maxMembersPerTenant, rules, minLevel, tetragonSignals, supplyChainSignals, deployerNamespaces, execAuditBound,
        execAuditCoverage, entryFlowBound, exfilBytes, exfilWindow, knownAccounts);
  }

  /**
   * With the organisation's own public ranges ({@code incident.known_cidrs}; the correlation job reads the same
   * setting, {@code CorrelateJobConfig#withKnownCidrs}).
   */
  public IncidentSettings withKnownCidrs(List<String> cidrs) {
    return new IncidentSettings(window, timelineCap, secretBurstCount, secretBurstWindow, cidrs, retention,
        maxMembersPerTenant, sigmaRules, sigmaMinLevel, tetragonSignals, supplyChainSignals, deployerNamespaces, execAuditBound,
        execAuditCoverage, entryFlowBound, exfilBytes, exfilWindow, knownAccounts);
  }

  /**
   * With the organisation's AWS accounts ({@code incident.known_accounts}): an S3 object written into a bucket of any
   * other account is an exfiltration signal ({@link SignalRules}, {@code s3_write_unknown_account}); unset, that rule
   * is off (writes into another account's bucket are routine where a central log archive or data lake is).
   */
  public IncidentSettings withKnownAccounts(java.util.Collection<String> accounts) {
    return new IncidentSettings(window, timelineCap, secretBurstCount, secretBurstWindow, knownCidrs, retention,
        maxMembersPerTenant, sigmaRules, sigmaMinLevel, tetragonSignals, supplyChainSignals, deployerNamespaces,
        execAuditBound, execAuditCoverage, entryFlowBound, exfilBytes, exfilWindow,
        accounts == null ? null : java.util.Set.copyOf(accounts));
  }

  /** With other Tetragon signal rules. */
  public IncidentSettings withTetragonSignals(TetragonSignals t) {
    return new IncidentSettings(window, timelineCap, secretBurstCount, secretBurstWindow, knownCidrs, retention,
        maxMembersPerTenant, sigmaRules, sigmaMinLevel, t, supplyChainSignals, deployerNamespaces, execAuditBound,
        execAuditCoverage, entryFlowBound, exfilBytes, exfilWindow, knownAccounts);
  }

  /** With other supply-chain entry rules. */
  public IncidentSettings withSupplyChainSignals(SupplyChainSignals c) {
    return new IncidentSettings(window, timelineCap, secretBurstCount, secretBurstWindow, knownCidrs, retention,
        maxMembersPerTenant, sigmaRules, sigmaMinLevel, tetragonSignals, c, deployerNamespaces, execAuditBound,
        execAuditCoverage, entryFlowBound, exfilBytes, exfilWindow, knownAccounts);
  }

  /** With other deployer namespaces ({@code incident.deployer_namespaces}: {@link #deployerNamespaces(java.util.Collection)}). */
  public IncidentSettings withDeployerNamespaces(java.util.Set<String> namespaces) {
    return new IncidentSettings(window, timelineCap, secretBurstCount, secretBurstWindow, knownCidrs, retention,
        maxMembersPerTenant, sigmaRules, sigmaMinLevel, tetragonSignals, supplyChainSignals, namespaces, execAuditBound,
        execAuditCoverage, entryFlowBound, exfilBytes, exfilWindow, knownAccounts);
  }

  /** With another runtime exec bound and audit coverage ({@code incident.exec_audit_bound}, {@code exec_audit_coverage}). */
  public IncidentSettings withExecAudit(Duration bound, Duration coverage) {
    return new IncidentSettings(window, timelineCap, secretBurstCount, secretBurstWindow, knownCidrs, retention,
        maxMembersPerTenant, sigmaRules, sigmaMinLevel, tetragonSignals, supplyChainSignals, deployerNamespaces, bound,
        coverage, entryFlowBound, exfilBytes, exfilWindow, knownAccounts);
  }

  /** With another entry flow bound ({@code incident.entry_flow_bound}, {@link EntryFlows}). */
  public IncidentSettings withEntryFlowBound(Duration bound) {
    return new IncidentSettings(window, timelineCap, secretBurstCount, secretBurstWindow, knownCidrs, retention,
        maxMembersPerTenant, sigmaRules, sigmaMinLevel, tetragonSignals, supplyChainSignals, deployerNamespaces,
        execAuditBound, execAuditCoverage, bound, exfilBytes, exfilWindow, knownAccounts);
  }

  /** With another exfiltration threshold and window ({@code incident.exfil_bytes}, {@code exfil_window}). */
  public IncidentSettings withExfil(long bytes, Duration window) {
    return new IncidentSettings(this.window, timelineCap, secretBurstCount, secretBurstWindow, knownCidrs, retention,
        maxMembersPerTenant, sigmaRules, sigmaMinLevel, tetragonSignals, supplyChainSignals, deployerNamespaces,
        execAuditBound, execAuditCoverage, entryFlowBound, bytes, window, knownAccounts);
  }

  /** The item of {@code incident.deployer_namespaces} that stands for the default list. */
  public static final String DEFAULTS_ITEM = "defaults";

  /**
   * {@code incident.deployer_namespaces} as configured: the items, with {@code defaults} replaced by the default list
   * ({@code [defaults, platform-deploy]} adds a namespace, a list without {@code defaults} replaces them). Empty or
   * null: the defaults.
   */
  public static java.util.Set<String> deployerNamespaces(java.util.Collection<String> items) {
    if (items == null || items.isEmpty()) return WorkloadPlacementSignals.DEFAULT_DEPLOYER_NAMESPACES;
    java.util.Set<String> out = new java.util.TreeSet<>();
    for (String i : items) {
      String ns = i.trim();
      if (ns.isEmpty()) continue;
      if (ns.equals(DEFAULTS_ITEM)) out.addAll(WorkloadPlacementSignals.DEFAULT_DEPLOYER_NAMESPACES);
      else out.add(ns);
    }
    return out;
  }

  public SignalRules rules() {
    return new SignalRules(knownCidrs, new SigmaEngine(sigmaRules), SigmaRule.severityOf(sigmaMinLevel), tetragonSignals,
        supplyChainSignals, new WorkloadPlacementSignals(deployerNamespaces), knownAccounts);
  }

  private static void require(boolean ok, String key, String problem) {
    if (!ok) throw new IllegalArgumentException(key + ": " + problem);
  }
}
