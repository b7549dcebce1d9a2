package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StrataSettingsTest {
  @TempDir Path dir;

  Path yaml(String text) throws Exception {
    Path p = dir.resolve("strata.yaml");
    Files.writeString(p, text);
    return p;
  }

  @Test
  void optionsOverrideEnvironmentWhichOverridesTheFile() throws Exception {
    Path file = yaml("kafka:\n  bootstrap_servers: file:9092\nopensearch:\n  url: http://file:9200\ns3:\n  bucket: from-file\n  secret_key: ${SECRET}\n");
    Map<String, String> env = Map.of("STRATA_OPENSEARCH_URL", "http://env:9200", "SECRET", "s3cr3t");
    Map<String, String> cli = new HashMap<>();
    cli.put("kafka.bootstrap_servers", "cli:9092");
    StrataSettings s = StrataSettings.resolve(file, cli, env::get);
    assertThat(s.kafkaBootstrap()).isEqualTo("cli:9092");
    assertThat(s.openSearchUrl()).isEqualTo("http://env:9200");
    assertThat(s.s3Bucket()).isEqualTo("from-file");
    assertThat(s.s3SecretKey().value()).isEqualTo("s3cr3t");
    assertThat(s.toString()).doesNotContain("s3cr3t");
    assertThat(s.s3Region()).isEqualTo("us-east-1");
  }

  /** One setting for both jobs: the file's list, else the environment's; a wrong block fails naming the key. */
  @Test
  void knownCidrsComeFromTheEnvironmentOrTheFileForTheIncidentAndTheCorrelationJobs() throws Exception {
    Path file = yaml("incident:\n  known_cidrs: [203.0.113.0/24, \"2001:db8::/32\"]\n");
    StrataSettings fromFile = StrataSettings.resolve(file, new HashMap<>(), k -> null);
    assertThat(fromFile.knownCidrs()).containsExactly("203.0.113.0/24", "2001:db8::/32");
    assertThat(dev.strata.job.incident.IncidentSettings.defaults().withKnownCidrs(fromFile.knownCidrs()).knownCidrs())
        .containsExactly("203.0.113.0/24", "2001:db8::/32");
    var correlate = dev.strata.job.CorrelateJobConfig.fromMap(Map.of("kafka.bootstrap.servers", "k:9092"))
        .withKnownCidrs(dev.strata.correlate.KnownCidrs.parse(fromFile.knownCidrs()));
    assertThat(correlate.knownCidrs().contains("203.0.113.9")).isTrue();
    assertThat(dev.strata.job.CorrelateJob.StateSettings.of(correlate).knownCidrs().contains("2001:db8::1")).isTrue();
    StrataSettings fromEnv = StrataSettings.resolve(file, new HashMap<>(),
        Map.of("STRATA_INCIDENT_KNOWN_CIDRS", "198.51.100.0/24")::get);
    assertThat(fromEnv.knownCidrs()).containsExactly("198.51.100.0/24");
    assertThat(StrataSettings.resolve(null, new HashMap<>(), k -> null).knownCidrs()).isEmpty();
    StrataSettings wrong = StrataSettings.resolve(null, new HashMap<>(),
        Map.of("STRATA_INCIDENT_KNOWN_CIDRS", "corp.example.com")::get);
    assertThatThrownBy(wrong::knownCidrs).hasMessageContaining("incident.known_cidrs");
  }

  /** The incident job's deployer namespaces and exec audit bound: file, else environment; wrong values name the key. */
  @Test
  void deployerNamespacesAndTheExecAuditBoundComeFromTheFileOrTheEnvironment() throws Exception {
    var defaults = dev.strata.job.incident.IncidentSettings.defaults();
    var none = StrataSettings.resolve(null, new HashMap<>(), k -> null).applyIncident(defaults);
    assertThat(none.deployerNamespaces()).isEqualTo(dev.strata.job.incident.WorkloadPlacementSignals.DEFAULT_DEPLOYER_NAMESPACES);
    assertThat(none.execAuditBound()).isEqualTo(java.time.Duration.ofSeconds(15));
    assertThat(none.execAuditCoverage()).isNull();
    Path file = yaml("incident:\n  deployer_namespaces: [defaults, platform-deploy]\n  exec_audit_bound: 30s\n"
        + "  exec_audit_coverage: 1h\n  entry_flow_bound: 20m\n  exfil_bytes: 200000000\n  exfil_window: 30m\n"
        + "  known_accounts: [\"111122223333\", \"385726194013\"]\n");
    var fromFile = StrataSettings.resolve(file, new HashMap<>(), k -> null).applyIncident(defaults);
    assertThat(fromFile.deployerNamespaces()).contains("platform-deploy", "argocd", "kube-system");
    assertThat(fromFile.execAuditBound()).isEqualTo(java.time.Duration.ofSeconds(30));
    assertThat(fromFile.execAuditCoverage()).isEqualTo(java.time.Duration.ofHours(1));
    assertThat(fromFile.entryFlowBound()).isEqualTo(java.time.Duration.ofMinutes(20));
    assertThat(none.entryFlowBound()).isEqualTo(java.time.Duration.ofMinutes(10));
    assertThat(fromFile.exfilBytes()).isEqualTo(200_000_000L);
    assertThat(fromFile.exfilWindow()).isEqualTo(java.time.Duration.ofMinutes(30));
    assertThat(none.exfilBytes()).isEqualTo(50_000_000L);
    assertThat(none.exfilWindow()).isEqualTo(java.time.Duration.ofMinutes(10));
    assertThat(fromFile.knownAccounts()).containsExactlyInAnyOrder("111122223333", "385726194013");
    assertThat(none.knownAccounts()).isEmpty();
    assertThatThrownBy(() -> StrataSettings.resolve(null, new HashMap<>(),
        Map.of("STRATA_INCIDENT_KNOWN_ACCOUNTS", "111122223333,prod")::get).applyIncident(defaults))
        .hasMessageContaining("incident.known_accounts");
    assertThatThrownBy(() -> StrataSettings.resolve(null, new HashMap<>(),
        Map.of("STRATA_INCIDENT_EXFIL_BYTES", "lots")::get).applyIncident(defaults))
        .hasMessageContaining("incident.exfil_bytes");
    var fromEnv = StrataSettings.resolve(file, new HashMap<>(), Map.of("STRATA_INCIDENT_DEPLOYER_NAMESPACES",
        "kube-system,platform-deploy", "STRATA_INCIDENT_EXEC_AUDIT_BOUND", "PT20S")::get).applyIncident(defaults);
    assertThat(fromEnv.deployerNamespaces()).containsExactlyInAnyOrder("kube-system", "platform-deploy");
    assertThat(fromEnv.execAuditBound()).isEqualTo(java.time.Duration.ofSeconds(20));
    assertThat(fromEnv.execAuditCoverage()).as("the file's, env unset").isEqualTo(java.time.Duration.ofHours(1));
    assertThatThrownBy(() -> StrataSettings.resolve(null, new HashMap<>(),
            Map.of("STRATA_INCIDENT_EXEC_AUDIT_BOUND", "soon")::get).applyIncident(defaults))
        .hasMessageContaining("incident.exec_audit_bound");
    assertThatThrownBy(() -> StrataSettings.resolve(null, new HashMap<>(),
            Map.of("STRATA_INCIDENT_EXEC_AUDIT_BOUND", "1h")::get).applyIncident(defaults))
        .hasMessageContaining("incident.exec_audit_bound");
  }

  @Test
  void sigmaRulesComeFromTheOptionTheEnvironmentOrTheFileAndLoadAtStart() throws Exception {
    Path rules = Files.createDirectories(dir.resolve("rules/aws"));
    // a rule written for this test in the Sigma specification's format
    Files.writeString(rules.resolve("stop_logging.yml"), "title: Trail stopped\nid: 11111111-2222-3333-4444-555555555555\n"
        + "author: strata tests\nlevel: high\nlogsource:\n  product: aws\n  service: cloudtrail\n"
        + "detection:\n  sel:\n    eventName: StopLogging\n  condition: sel\n");
    Files.writeString(rules.resolve("count.yml"), "title: Many calls\nlogsource:\n  product: aws\n  service: cloudtrail\n"
        + "detection:\n  sel:\n    eventName: ListBuckets\n  condition: sel | count() > 10\n");
    Path file = yaml("incident:\n  sigma_rules: [" + dir.resolve("rules") + "]\n  sigma_min_level: high\n");
    StrataSettings fromFile = StrataSettings.resolve(file, new HashMap<>(), k -> null);
    assertThat(fromFile.component("incident.sigma_rules")).isEqualTo(dir.resolve("rules").toString());
    var out = new java.io.ByteArrayOutputStream();
    var settings = SigmaRulesOptions.apply(dev.strata.job.incident.IncidentSettings.defaults(), fromFile,
        new java.io.PrintStream(out, true));
    assertThat(settings.sigmaRules().rules()).hasSize(1);
    assertThat(settings.sigmaMinLevel()).isEqualTo("high");
    assertThat(out.toString()).contains("2 Sigma rules: 1 loaded, 1 unsupported (aggregation 1)");
    StrataSettings fromEnv = StrataSettings.resolve(file, new HashMap<>(), Map.of("STRATA_INCIDENT_SIGMA_RULES", "/env/rules")::get);
    assertThat(fromEnv.component("incident.sigma_rules")).isEqualTo("/env/rules");
    SigmaRulesOptions option = new SigmaRulesOptions();
    option.paths = java.util.List.of(Path.of("/cli/a"), Path.of("/cli/b"));
    StrataSettings fromCli = StrataSettings.resolve(file, option.overrides(), Map.of("STRATA_INCIDENT_SIGMA_RULES", "/env/rules")::get);
    assertThat(fromCli.component("incident.sigma_rules")).isEqualTo("/cli/a,/cli/b");
    assertThatThrownBy(() -> SigmaRulesOptions.apply(dev.strata.job.incident.IncidentSettings.defaults(), fromCli,
        new java.io.PrintStream(out, true))).hasMessageContaining("incident.sigma_rules").hasMessageContaining("/cli/a");
    // none configured: the defaults, no rules
    StrataSettings none = StrataSettings.resolve(null, new HashMap<>(), k -> null);
    assertThat(SigmaRulesOptions.apply(dev.strata.job.incident.IncidentSettings.defaults(), none, System.err).sigmaRules().rules()).isEmpty();
  }

  @Test
  void unknownKeysFailWithTheirPath() throws Exception {
    Path file = yaml("s3:\n  buckett: x\n");
    assertThatThrownBy(() -> StrataSettings.resolve(file, Map.of(), k -> null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("s3.buckett");
  }

  @Test
  void unsetEnvironmentReferenceIsAnError() throws Exception {
    Path file = yaml("kafka:\n  bootstrap_servers: ${NOPE}\n");
    assertThatThrownBy(() -> StrataSettings.resolve(file, Map.of(), k -> null))
        .hasMessageContaining("${NOPE}").hasMessageContaining("kafka.bootstrap_servers");
  }

  @Test
  void missingKafkaNamesEveryWayToSetIt() {
    StrataSettings s = StrataSettings.resolve(null, Map.of(), k -> null);
    assertThatThrownBy(s::requireKafka).hasMessageContaining("--kafka").hasMessageContaining("STRATA_KAFKA_BOOTSTRAP");
  }
}
