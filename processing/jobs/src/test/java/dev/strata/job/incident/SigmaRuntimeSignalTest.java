package dev.strata.job.incident;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.detect.sigma.SigmaFixtures;
import dev.strata.detect.sigma.SigmaRuleLoader;
import dev.strata.schema.correlate.AttackStage;
import dev.strata.schema.correlate.Incident;
import dev.strata.schema.correlate.RuleMatch;
import dev.strata.schema.correlate.TimelineRow;
import dev.strata.schema.event.Enrichment;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.event.Kubernetes;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Sigma matches on container runtime telemetry are signals like the CloudTrail / audit ones: our own rules of the
 * generic Linux log sources (sigma/linux) on our own Tetragon / Falco / overlay fixtures (fixtures/sigma_runtime),
 * through the incident engine, joined to the pod the event names.
 */
class SigmaRuntimeSignalTest {
  static final String REVERSE_SHELL = "5c1f0a52-3a8e-4d51-9d0e-1b1f2a000001";
  static final String JAVA_SHELL = "5c1f0a52-3a8e-4d51-9d0e-1b1f2a000004";
  static final String CRON = "5c1f0a52-3a8e-4d51-9d0e-1b1f2a000006";
  static final String POD = "pod:shop/web-7d9c6b5f4-x2x9q";
  static IncidentSettings withSigma;
  static List<EvidenceEvent> events;

  @BeforeAll
  static void load() throws Exception {
    withSigma = IncidentSettings.defaults().withSigmaRules(SigmaRuleLoader.load(List.of(SigmaFixtures.linuxRules())), null);
    events = SigmaFixtures.parse(SigmaFixtures.runtimeFixtures());
  }

  static List<EvidenceEvent> tetragon(String eventType) {
    return events.stream().filter(e -> "tetragon_event".equals(e.getSourceFormat())
        && eventType.equals(e.getUnmapped().get("event_type"))).toList();
  }

  @Test
  void aTetragonExecMatchedByASigmaRuleOpensThePodsIncidentWithTheAttribution() throws Exception {
    // the execs alone: the hand-written rules make the miner's from /tmp (TetragonSignals: a dropped binary's exec) and
    // the reverse shell (bash's /dev/tcp redirection, since CrioKubeadmScenarioIT) signals
    List<EvidenceEvent> execs = tetragon("process_exec");
    assertThat(execs).hasSize(4);
    List<Incident> plain = IncidentEngine.incidentsOf(execs, IncidentSettings.defaults());
    assertThat(plain).hasSize(1);
    assertThat(plain.get(0).getSignals()).isEqualTo(2);
    assertThat(plain.get(0).getTimeline()).filteredOn(TimelineRow::getSignal).extracting(TimelineRow::getSummary)
        .anySatisfy(x -> assertThat(x).contains("/tmp/.cache/xmrig")).anySatisfy(x -> assertThat(x).contains("/dev/tcp/"));

    List<Incident> incidents = IncidentEngine.incidentsOf(execs, withSigma);
    assertThat(incidents).hasSize(1);
    Incident inc = incidents.get(0);
    assertThat(inc.getEntities()).extracting(x -> x.getType() + ":" + x.getKey()).contains(POD);
    assertThat(inc.getSignals()).isEqualTo(3); // reverse shell, download to /tmp, miner; ls is context
    assertThat(inc.getSeverity()).isEqualTo("High");
    TimelineRow shell = inc.getTimeline().stream().filter(r -> r.getSummary().contains("/dev/tcp/")).findFirst().orElseThrow();
    assertThat(shell.getSignal()).isTrue();
    assertThat(shell.getSeverityId()).isEqualTo(4);
    // the hand-written rule's stage (tetragon_reverse_shell: execution) is the row's; the Sigma rules add their
    // matches (in load order, file names: the Java one first) and severity
    assertThat(shell.getAttackStage()).isEqualTo(AttackStage.EXECUTION);
    assertThat(shell.getDetections()).extracting(RuleMatch::getRuleId).containsExactly(JAVA_SHELL, REVERSE_SHELL);
    RuleMatch m = shell.getDetections().get(1);
    assertThat(m.getEngine()).isEqualTo("sigma");
    assertThat(m.getTitle()).isEqualTo("Interactive Shell Redirected To A /dev/tcp Socket");
    assertThat(m.getAuthor()).isEqualTo("strata tests");
    assertThat(m.getLevel()).isEqualTo("high");
    assertThat(m.getCredit()).isEqualTo("Sigma rule by strata tests, strata test rule");
    TimelineRow ls = inc.getTimeline().stream().filter(r -> r.getSummary().contains("/bin/ls")).findFirst().orElseThrow();
    assertThat(ls.getSignal()).isFalse();
    assertThat(ls.getDetections()).isEmpty();
  }

  @Test
  void aMatchOnAnEventWithoutPodMetadataJoinsThePodItIsEnrichedWith() throws Exception {
    // the reverse shell as a host-level Tetragon reports it: no pod, no container; the correlate job enriched it
    EvidenceEvent shell = tetragon("process_exec").get(0);
    assertThat(shell.getProcess().getCmdLine()).contains("/dev/tcp/");
    EvidenceEvent bare = EvidenceEvent.newBuilder(shell).setContainer(null)
        .setKubernetes(Kubernetes.newBuilder().setCluster("prod-eks").setNodeName("ip-10-0-1-23.ec2.internal").build())
        .build();
    List<Incident> unenriched = IncidentEngine.incidentsOf(List.of(bare), withSigma);
    assertThat(unenriched).hasSize(1);
    assertThat(unenriched.get(0).getEntities()).extracting(x -> x.getType() + ":" + x.getKey()).doesNotContain(POD);

    EvidenceEvent enriched = EvidenceEvent.newBuilder(bare)
        .setEnrichment(Enrichment.newBuilder().setCluster("prod-eks").setNamespace("shop").setPodName("web-7d9c6b5f4-x2x9q")
            .setContainerUid(shell.getContainer().getUid()).build())
        .build();
    List<Incident> incidents = IncidentEngine.incidentsOf(List.of(enriched), withSigma);
    assertThat(incidents).hasSize(1);
    assertThat(incidents.get(0).getEntities()).extracting(x -> x.getType() + ":" + x.getKey()).contains(POD);
    assertThat(incidents.get(0).getTimeline().get(0).getDetections()).extracting(RuleMatch::getRuleId)
        .containsExactly(JAVA_SHELL, REVERSE_SHELL);
  }

  @Test
  void theTetragonStoryIsOneIncidentOfThePodAndTheSigmaMatchesAddSignals() throws Exception {
    List<EvidenceEvent> story = events.stream().filter(e -> "tetragon_event".equals(e.getSourceFormat())).toList();
    List<Incident> before = IncidentEngine.incidentsOf(story, IncidentSettings.defaults());
    List<Incident> after = IncidentEngine.incidentsOf(story, withSigma);
    // the cron.d write (persistence), the miner's exec from /tmp and the reverse shell are signals (TetragonSignals);
    // the two connects, the read of the cron file and the other execs are context
    assertThat(before).hasSize(1);
    assertThat(before.get(0).getSignals()).isEqualTo(3);
    assertThat(after).hasSize(1);
    assertThat(after.get(0).getEntities()).extracting(x -> x.getType() + ":" + x.getKey()).contains(POD);
    // + the download (exec) and the miner's pool connection (a connect the miner-port rule matches)
    assertThat(after.get(0).getSignals()).isEqualTo(3 + 2);
    assertThat(after.get(0).getEventCount()).isEqualTo(9); // ls and the exit join as context
  }

  @Test
  void aFalcoAlertBelowTheSignalSeverityBecomesOneThroughASigmaRule() throws Exception {
    List<EvidenceEvent> alerts = events.stream().filter(e -> "falco_alert".equals(e.getSourceFormat())).toList();
    assertThat(IncidentEngine.incidentsOf(alerts, IncidentSettings.defaults()).get(0).getSignals()).isEqualTo(3);
    List<Incident> after = IncidentEngine.incidentsOf(alerts, withSigma);
    assertThat(after).hasSize(1);
    assertThat(after.get(0).getSignals()).isEqualTo(4); // + Schedule Cron Jobs (Notice) matched by the cron.d rule
    List<TimelineRow> cron = after.get(0).getTimeline().stream()
        .filter(r -> r.getDetections().stream().anyMatch(d -> d.getRuleId().equals(CRON))).toList();
    assertThat(cron).hasSize(1);
    assertThat(cron.get(0).getSummary()).contains("Schedule Cron Jobs");
    assertThat(cron.get(0).getSignal()).isTrue();
    assertThat(cron.get(0).getAttackStage()).isEqualTo(AttackStage.PERSISTENCE);
    assertThat(after.get(0).getEntities()).extracting(x -> x.getType() + ":" + x.getKey()).contains(POD);
  }
}
