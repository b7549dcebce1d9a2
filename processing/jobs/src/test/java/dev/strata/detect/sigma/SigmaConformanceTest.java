package dev.strata.detect.sigma;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.schema.event.EvidenceEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The SigmaHQ rules of the shared corpus (../shared/corpus/sigma: Kubernetes audit and AWS CloudTrail rules, DRL-1.1,
 * read in place, never copied): every rule is loaded or listed as unsupported with a reason, and several of them match
 * (and do not match) our own CloudTrail / audit fixtures (src/test/resources/fixtures/sigma, see its README) parsed by
 * the real parsers, evaluated on each event's raw_data. Skipped when the corpus is absent.
 */
class SigmaConformanceTest {
  static final Path CORPUS = SigmaFixtures.CORPUS;
  static final Set<String> REASONS = Set.of(SigmaRuleSet.AGGREGATION, SigmaRuleSet.CORRELATION,
      SigmaRuleSet.UNSUPPORTED_MODIFIER, SigmaRuleSet.PLACEHOLDER, SigmaRuleSet.UNMAPPED_LOGSOURCE, SigmaRuleSet.INVALID);

  static SigmaRuleSet rules;
  static SigmaEngine engine;
  /** Rule ids matched per record: CloudTrail by eventID, audit by auditID. */
  static Map<String, List<String>> matchedByRecord = new TreeMap<>();

  static Path corpus() {
    Assumptions.assumeTrue(Files.isDirectory(CORPUS), "the shared Sigma corpus is not on this machine");
    return CORPUS;
  }

  @BeforeAll
  static void load() throws Exception {
    if (!Files.isDirectory(CORPUS)) return;
    rules = SigmaRuleLoader.load(List.of(CORPUS));
    engine = new SigmaEngine(rules);
    for (EvidenceEvent e : SigmaFixtures.parse()) {
      String key = e.getUnmapped().get("eventID"); // CloudTrail
      if (key == null && e.getApi() != null) key = e.getApi().getRequestUid(); // audit: auditID
      List<String> ids = engine.match(e.getSourceFormat(), e.getRawData()).stream().map(SigmaRule.Info::id).toList();
      matchedByRecord.put(e.getSourceFormat() + " " + key, ids);
    }
  }

  @Test
  void everyCorpusRuleIsLoadedOrUnsupportedWithAReason() throws Exception {
    long files;
    try (Stream<Path> s = Files.walk(corpus())) {
      files = s.filter(p -> p.toString().endsWith(".yml") || p.toString().endsWith(".yaml")).count();
    }
    assertThat(rules.rules().size() + rules.unsupported().size()).isEqualTo(files).isEqualTo(73); // 73 rule files (+ the licence text)
    for (SigmaRuleSet.Unsupported u : rules.unsupported()) {
      assertThat(u.reason()).as(u.source()).isIn(REASONS);
      assertThat(u.detail()).as(u.source()).isNotBlank();
    }
    // every rule of the corpus can be evaluated: fieldref, re, contains|all, 1 of filter_* ... included
    assertThat(rules.unsupported()).as(rules.summary()).isEmpty();
    for (SigmaRule r : rules.rules()) {
      assertThat(r.info().id()).as(r.info().source()).matches("[0-9a-f-]{36}");
      assertThat(r.info().title()).isNotBlank();
      assertThat(r.info().author()).as(r.info().source()).isNotBlank();
      assertThat(r.info().severityId()).isBetween(1, 5);
      assertThat(r.logSource()).isIn("aws_cloudtrail", "k8s_audit");
    }
    assertThat(rules.rules().stream().filter(r -> r.logSource().equals("k8s_audit")).count()).isEqualTo(16);
    assertThat(engine.indexField("aws_cloudtrail")).isEqualTo("eventName");
    assertThat(engine.indexField("k8s_audit")).isEqualTo("objectRef.resource");
    // a rule reached twice (a directory and a file in it) is loaded once, the second sighting listed
    SigmaRuleSet twice = SigmaRuleLoader.load(List.of(CORPUS.resolve("application"),
        CORPUS.resolve("application/kubernetes/audit/kubernetes_audit_exec_into_container.yml")));
    assertThat(twice.rules()).hasSize(16);
    assertThat(twice.unsupported()).extracting(SigmaRuleSet.Unsupported::reason).containsExactly(SigmaRuleSet.INVALID);
  }

  static final String EXEC = "a1b0ca4e-7835-413e-8471-3ff2b8a66be6"; // kubernetes_audit_exec_into_container
  static final String SECRETS_ENUM = "eeb3e9e1-b685-44e4-9232-6bb701f925b5"; // kubernetes_audit_secrets_enumeration
  static final String DISABLE_LOGGING = "4db60cc0-36fb-42b7-9b58-a5b53019fb74"; // aws_cloudtrail_disable_logging
  static final String ENUM_BUCKETS = "f305fd62-beca-47da-ad95-7690a0620084"; // aws_enum_buckets
  static final String TRUFFLEHOG = "9b1b8e9b-0a5d-4af1-9d2f-4c4b6e7c2c9d"; // aws_sts_getcalleridentity_trufflehog

  static List<String> matched(String format, String recordId) {
    List<String> ids = matchedByRecord.get(format + " " + recordId);
    assertThat(ids).as("record " + recordId + " parsed (records: " + matchedByRecord.keySet() + ")").isNotNull();
    return ids;
  }

  static String ct(int i) {
    return String.format("00000000-0000-4000-8000-%012d", i);
  }

  static String audit(int i) {
    return String.format("5a4c3f1e-0000-4000-8000-%012d", i);
  }

  @Test
  void cloudTrailRulesMatchTheirRecordsAndNotTheOthers() {
    corpus();
    assertThat(matched("aws_cloudtrail", ct(1))).contains(DISABLE_LOGGING); // StopLogging
    assertThat(matched("aws_cloudtrail", ct(2))).doesNotContain(DISABLE_LOGGING); // CreateTrail
    assertThat(matched("aws_cloudtrail", ct(3))).contains(ENUM_BUCKETS); // ListBuckets by an IAM user
    assertThat(matched("aws_cloudtrail", ct(4))).doesNotContain(ENUM_BUCKETS); // by an assumed role: filtered out
    assertThat(matched("aws_cloudtrail", ct(5))).contains(TRUFFLEHOG); // GetCallerIdentity, TruffleHog user agent
    assertThat(matched("aws_cloudtrail", ct(6))).doesNotContain(TRUFFLEHOG); // the same call from the aws cli
  }

  @Test
  void kubernetesAuditRulesMatchTheirRecordsAndNotTheOthers() {
    corpus();
    assertThat(matched("k8s_audit", audit(11))).contains(EXEC); // create pods/exec
    assertThat(matched("k8s_audit", audit(12))).doesNotContain(EXEC); // get pods
    assertThat(matched("k8s_audit", audit(13))).contains(SECRETS_ENUM); // list secrets
    assertThat(matched("k8s_audit", audit(14))).doesNotContain(SECRETS_ENUM); // get one secret
    // no CloudTrail rule ever sees an audit record and vice versa
    matchedByRecord.forEach((k, ids) -> {
      for (String id : ids) {
        SigmaRule r = rules.rules().stream().filter(x -> x.info().id().equals(id)).findFirst().orElseThrow();
        assertThat(k).startsWith(r.logSource() + " ");
      }
    });
  }
}
