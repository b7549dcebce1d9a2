package dev.strata.job.incident;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.detect.sigma.SigmaFixtures;
import dev.strata.detect.sigma.SigmaRuleLoader;
import dev.strata.schema.correlate.AttackStage;
import dev.strata.schema.correlate.Incident;
import dev.strata.schema.correlate.RuleMatch;
import dev.strata.schema.correlate.TimelineRow;
import dev.strata.schema.event.EvidenceEvent;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Sigma matches as signals: the SigmaHQ rules of the shared corpus (read in place) on our own CloudTrail / audit
 * fixtures (fixtures/sigma, parsed by the real parsers), through the incident engine.
 */
class SigmaSignalTest {
  static final String TRUFFLEHOG = "9b1b8e9b-0a5d-4af1-9d2f-4c4b6e7c2c9d";
  static final String EXEC = "a1b0ca4e-7835-413e-8471-3ff2b8a66be6";
  static final String ENUM_BUCKETS = "f305fd62-beca-47da-ad95-7690a0620084";
  static IncidentSettings withSigma;
  static List<EvidenceEvent> events;

  @BeforeAll
  static void load() throws Exception {
    Assumptions.assumeTrue(Files.isDirectory(SigmaFixtures.CORPUS), "the shared Sigma corpus is not on this machine");
    withSigma = IncidentSettings.defaults().withSigmaRules(SigmaRuleLoader.load(List.of(SigmaFixtures.CORPUS)), null);
    events = SigmaFixtures.parse();
  }

  static List<EvidenceEvent> only(Predicate<EvidenceEvent> p) {
    List<EvidenceEvent> out = events.stream().filter(p).toList();
    assertThat(out).isNotEmpty();
    return out;
  }

  static boolean named(EvidenceEvent e, String operation) {
    return e.getApi() != null && operation.equals(e.getApi().getOperation());
  }

  @Test
  void aSigmaMatchOpensAnIncidentAndItsRowCarriesTheAttribution() throws Exception {
    // GetCallerIdentity by an IAM user with TruffleHog's user agent: no hand-written rule says anything about it
    List<EvidenceEvent> trufflehog = only(e -> named(e, "GetCallerIdentity") && e.getRawData().contains("TruffleHog"));
    assertThat(IncidentEngine.incidentsOf(trufflehog, IncidentSettings.defaults())).isEmpty();

    List<Incident> incidents = IncidentEngine.incidentsOf(trufflehog, withSigma);
    assertThat(incidents).hasSize(1);
    Incident inc = incidents.get(0);
    assertThat(inc.getSignals()).isEqualTo(1);
    assertThat(inc.getSeverity()).isEqualTo("Medium"); // level: medium
    TimelineRow row = inc.getTimeline().get(0);
    assertThat(row.getSignal()).isTrue();
    assertThat(row.getAttackStage()).isEqualTo(AttackStage.EXFILTRATION); // attack.discovery
    assertThat(row.getDetections()).hasSize(1);
    RuleMatch m = row.getDetections().get(0);
    assertThat(m.getEngine()).isEqualTo("sigma");
    assertThat(m.getRuleId()).isEqualTo(TRUFFLEHOG);
    assertThat(m.getTitle()).isEqualTo("AWS STS GetCallerIdentity Enumeration Via TruffleHog");
    assertThat(m.getAuthor()).isEqualTo("Adan Alvarez @adanalvarez");
    assertThat(m.getLevel()).isEqualTo("medium");
    assertThat(m.getCredit()).isEqualTo("Sigma rule by Adan Alvarez @adanalvarez, SigmaHQ, DRL-1.1");
  }

  @Test
  void anEventBothRulesMatchIsOneSignalWithBothReasons() throws Exception {
    List<EvidenceEvent> exec = only(e -> "k8s_audit".equals(e.getSourceFormat()) && e.getResources().get(0).getSubresource() != null);
    EvidenceEvent e = exec.get(0);
    Member hand = Member.of(e, EntityKeys.extract(e), IncidentSettings.defaults().rules());
    Member both = Member.of(e, EntityKeys.extract(e), withSigma.rules());
    assertThat(hand.reason()).isEqualTo("pod_exec");
    assertThat(both.reason()).isEqualTo("pod_exec; sigma:" + EXEC);
    assertThat(both.severityId()).isEqualTo(4); // the hand-written rule's High beats the rule's medium
    assertThat(both.stage()).isEqualTo(AttackStage.EXECUTION);
    List<Incident> incidents = IncidentEngine.incidentsOf(exec, withSigma);
    assertThat(incidents).hasSize(1);
    List<TimelineRow> rows = incidents.get(0).getTimeline();
    assertThat(rows).hasSize(1); // one row, not one per rule
    assertThat(rows.get(0).getDetections()).extracting(RuleMatch::getRuleId).containsExactly(EXEC);
    assertThat(rows.get(0).getDetections().get(0).getTitle()).isEqualTo("Potential Remote Command Execution In Pod Container");
  }

  @Test
  void lowLevelMatchesAreContextThatStillNamesTheRule() throws Exception {
    // ListBuckets by an IAM user: aws_enum_buckets is level low
    List<EvidenceEvent> list = only(e -> named(e, "ListBuckets") && e.getRawData().contains("\"IAMUser\""));
    Member m = Member.of(list.get(0), EntityKeys.extract(list.get(0)), withSigma.rules());
    assertThat(m.signal()).isFalse();
    assertThat(m.detections()).extracting(RuleMatch::getRuleId).containsExactly(ENUM_BUCKETS);
    assertThat(IncidentEngine.incidentsOf(list, withSigma)).isEmpty();
    // ... unless the threshold is lowered
    assertThat(IncidentEngine.incidentsOf(list, withSigma.withSigmaRules(withSigma.sigmaRules(), "low"))).hasSize(1);
  }

  @Test
  void theWholeFixtureSetKeepsItsHandWrittenSignalsAndGainsTheSigmaOnes() throws Exception {
    List<Incident> before = IncidentEngine.incidentsOf(events, IncidentSettings.defaults());
    List<Incident> after = IncidentEngine.incidentsOf(events, withSigma);
    int signalsBefore = before.stream().mapToInt(Incident::getSignals).sum();
    int signalsAfter = after.stream().mapToInt(Incident::getSignals).sum();
    assertThat(signalsAfter).isEqualTo(signalsBefore + 1); // + the TruffleHog call; the rest were signals already
    assertThat(after.stream().flatMap(i -> i.getTimeline().stream()).flatMap(r -> r.getDetections().stream())
            .map(RuleMatch::getRuleId).distinct())
        .contains(TRUFFLEHOG, EXEC, ENUM_BUCKETS, "4db60cc0-36fb-42b7-9b58-a5b53019fb74");
  }

  @Test
  void theDemoStoryNamesTheRulesItsRowsMatchAndKeepsItsSignals() throws Exception {
    List<EvidenceEvent> demo = DemoEvents.parse();
    List<Incident> incidents = IncidentEngine.incidentsOf(demo, withSigma);
    assertThat(incidents).hasSize(1);
    Incident inc = incidents.get(0);
    assertThat(inc.getSignals()).isEqualTo(6); // as without Sigma: its medium matches are rows that signal already
    List<TimelineRow> exec = inc.getTimeline().stream().filter(r -> r.getSummary().contains("create pods/exec")).toList();
    assertThat(exec).hasSize(1);
    assertThat(exec.get(0).getDetections()).extracting(RuleMatch::getRuleId).containsExactly(EXEC);
    List<TimelineRow> key = inc.getTimeline().stream().filter(r -> r.getSummary().contains("CreateAccessKey")).toList();
    assertThat(key.get(0).getDetections()).extracting(RuleMatch::getTitle)
        .containsExactly("AWS IAM Backdoor Users Keys", "AWS STS AssumeRole Misuse"); // medium, low
    assertThat(key.get(0).getSeverityId()).isEqualTo(4); // the hand-written rule (node credentials used outside AWS): High
  }

  @Test
  void membersKeepTheirDetectionsInStateAndOldStateStillReads() throws Exception {
    EvidenceEvent e = only(x -> named(x, "GetCallerIdentity") && x.getRawData().contains("TruffleHog")).get(0);
    Member m = Member.of(e, EntityKeys.extract(e), withSigma.rules());
    assertThat(Member.decode(m.encode())).isEqualTo(m);
    // version 2 state (before per-run event time): the same bytes without the trailing lane, read as no lane;
    // version 1 (before Sigma): nor the detection count
    Member judged = Member.of(e, EntityKeys.extract(e), IncidentSettings.defaults().rules());
    assertThat(Member.decode(judged.encode())).isEqualTo(judged);
    // without the judgement key (version 4's last field; a CloudTrail call has one since session 17: CredentialClients),
    // so that cutting the trailing fields gives the older layouts
    Member plain = new Member(judged.eventId(), judged.timeMicros(), judged.layer(), judged.className(),
        judged.sourceFormat(), judged.summary(), judged.signal(), judged.severityId(), judged.stage(), judged.reason(),
        judged.artifactSha256(), judged.origin(), judged.byteOffset(), judged.lineNumber(), judged.recordIndex(),
        judged.entities(), judged.indicators(), judged.burstKey(), judged.detections(), judged.lane(), null);
    assertThat(plain.lane()).isNotNull();
    byte[] v3 = plain.encode();
    byte[] v2 = Arrays.copyOf(v3, v3.length - 1 - 2 - plain.lane().length());
    v2[0] = 2;
    assertThat(Member.decode(v2)).usingRecursiveComparison().ignoringFields("lane").isEqualTo(plain);
    assertThat(Member.decode(v2).lane()).isNull();
    byte[] v1 = Arrays.copyOf(v2, v2.length - 4);
    v1[0] = 1;
    assertThat(Member.decode(v1)).usingRecursiveComparison().ignoringFields("lane").isEqualTo(plain);
  }
}
