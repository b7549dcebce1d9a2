package dev.strata.job.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.detect.sigma.SigmaEngine;
import dev.strata.detect.sigma.SigmaFixtures;
import dev.strata.detect.sigma.SigmaRecord;
import dev.strata.detect.sigma.SigmaRule;
import dev.strata.detect.sigma.SigmaRuleLoader;
import dev.strata.detect.sigma.SigmaRuleSet;
import dev.strata.detect.sigma.LogSources;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.LongSupplier;

/**
 * Sigma rules on a synthetic mix of original records, one core, thread CPU time, best round:
 *
 * <ul>
 *   <li>{@code parse only} (baseline, same records): reading each record's JSON into a tree, which any evaluation
 *       on raw_data pays;
 *   <li>{@code every rule}: parse, then every rule of the record's format evaluated (no index);
 *   <li>{@code indexed}: {@link SigmaEngine#match} (parse, the rules keyed by the record's value of the index field,
 *       plus the unkeyed ones) -- what the incident job runs per event.
 * </ul>
 *
 * Figures: events per CPU second, and rules x events per CPU second (events per second times the rules of the
 * event's format: the pairs answered). Records: half CloudTrail (30 common event names of a busy account, user
 * agents of the CLI / SDKs / console, 1 in 200 a call a corpus rule names), half Kubernetes audit (get/list/watch of
 * pods, configmaps, leases, events..., 1 in 200 exec / secrets / rolebindings), about 1 KB each.
 *
 * <pre>
 * SigmaBenchmark [--rules DIR] [--events N] [--rounds R]     (default: the shared SigmaHQ corpus, 200000, 5)
 * SigmaBenchmark --linux [--rules DIR] [--generated N] [--events N] [--rounds R]
 * </pre>
 *
 * {@code --linux}: rules of the generic Linux log sources (process_creation, network_connection, file_event) on
 * container runtime telemetry through the taxonomy views ({@link dev.strata.detect.sigma.SigmaFieldMapping}): the
 * rules of DIR (default our test rules, sigma/linux) plus N generated in the SigmaHQ linux style (default 150: 100
 * process_creation, a fifth of them on ParentImage, which Tetragon answers from the original record; 25
 * network_connection; 25 file_event); records: 90% Tetragon (60% process_exec, 15% tcp_connect kprobes, 10% file
 * permission kprobes, half of them writes, 5% process_exit), 10% Falco alerts (execve, connect, openat), 1 in 200
 * a record a rule names. The records are chunked by the file collector once; the baseline is the real parsers
 * turning those chunks into events (what the pipeline pays before any rule), then every rule of the categories an
 * event answers evaluated on its view (no index), then {@link SigmaEngine#match(dev.strata.schema.event.EvidenceEvent)}.
 */
public final class SigmaBenchmark {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

  static final String[] CT_COMMON = {"GetObject", "PutObject", "AssumeRole", "DescribeInstances", "GetCallerIdentity",
      "ListBuckets", "Decrypt", "GenerateDataKey", "DescribeVolumes", "GetBucketAcl", "HeadObject", "ListObjects",
      "DescribeSecurityGroups", "CreateLogStream", "PutLogEvents", "GetParameter", "DescribeTasks", "RunTask",
      "UpdateService", "DescribeClusters", "ListRoles", "GetRole", "ConsoleLogin", "GetSessionToken", "CreateTags",
      "DescribeSubnets", "GetMetricData", "Invoke", "SendMessage", "ReceiveMessage"};
  static final String[] CT_RARE = {"StopLogging", "DeleteTrail", "DeleteFlowLogs", "UpdateLoginProfile",
      "CreateAccessKey", "PutBucketPolicy", "DeleteBucket", "AuthorizeSecurityGroupIngress", "CreateUser",
      "DeleteDetector", "ImportKeyPair", "ModifyInstanceAttribute"};
  static final String[] SOURCES = {"s3", "sts", "ec2", "kms", "iam", "logs", "ssm", "ecs", "cloudtrail", "lambda"};
  static final String[] AGENTS = {"aws-cli/2.15.30 Python/3.11.8 Linux/6.1", "aws-sdk-go-v2/1.25.0 os/linux",
      "Boto3/1.34.0 md/Botocore#1.34.0", "console.amazonaws.com", "AWS Internal"};
  static final String[] K8S_RES = {"pods", "configmaps", "leases", "events", "nodes", "endpoints", "services",
      "deployments", "replicasets", "serviceaccounts"};
  static final String[] K8S_VERBS = {"get", "list", "watch", "update", "patch"};

  public static void main(String[] args) throws Exception {
    Path rulesDir = null;
    int events = 0;
    int rounds = 5;
    int generated = 150;
    boolean linux = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--rules" -> rulesDir = Path.of(args[++i]);
        case "--events" -> events = Integer.parseInt(args[++i]);
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--linux" -> linux = true;
        case "--generated" -> generated = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    if (linux) {
      SigmaRuntimeWorkload.run(rulesDir != null ? rulesDir : SigmaFixtures.linuxRules(), generated,
          events > 0 ? events : 100_000, rounds);
      return;
    }
    if (rulesDir == null) rulesDir = Path.of("/work/shared/corpus/sigma");
    if (events == 0) events = 200_000;
    SigmaRuleSet rules = SigmaRuleLoader.load(List.of(rulesDir));
    SigmaEngine engine = new SigmaEngine(rules);
    System.out.println(rules.summary() + "; index fields: aws_cloudtrail " + engine.indexField("aws_cloudtrail")
        + " (" + engine.unkeyedRules("aws_cloudtrail") + " rules unkeyed), k8s_audit " + engine.indexField("k8s_audit")
        + " (" + engine.unkeyedRules("k8s_audit") + " unkeyed)");
    List<String> formats = new ArrayList<>(events);
    List<String> records = generate(events, formats);
    long bytes = records.stream().mapToLong(String::length).sum();
    double rulesPerEvent = 0;
    for (String f : formats) rulesPerEvent += rules.rules().stream().filter(r -> r.logSource().equals(f)).count();
    rulesPerEvent /= events;
    System.out.printf(Locale.ROOT, "%,d records (%.0f bytes each), %.1f rules of the record's format per record%n",
        events, (double) bytes / events, rulesPerEvent);

    measure(events, rounds, rulesPerEvent, "parse only", () -> {
      long sink = 0;
      for (int i = 0; i < records.size(); i++) {
        sink += SigmaRecord.parse(records.get(i), LogSources.ofFormat(formats.get(i)).orElseThrow()).root().size();
      }
      return sink;
    }, () -> {
      long all = 0;
      for (int i = 0; i < records.size(); i++) {
        String f = formats.get(i);
        SigmaRecord rec = SigmaRecord.parse(records.get(i), LogSources.ofFormat(f).orElseThrow());
        for (SigmaRule rule : rules.rules()) {
          if (rule.logSource().equals(f) && rule.detection().eval(rec)) all++;
        }
      }
      return all;
    }, () -> {
      long indexed = 0;
      for (int i = 0; i < records.size(); i++) indexed += engine.match(formats.get(i), records.get(i)).size();
      return indexed;
    });
  }

  /**
   * Best of {@code rounds} thread CPU times of the baseline, every rule without the index and the engine (both
   * return the matches, which must agree), printed as events and rules x events per CPU second and as a ratio to
   * the baseline.
   */
  static void measure(int events, int rounds, double rulesPerEvent, String baseline, LongSupplier base,
      LongSupplier everyRule, LongSupplier indexed) {
    double bestBase = Double.MAX_VALUE, bestAll = Double.MAX_VALUE, bestIndexed = Double.MAX_VALUE;
    long matched = 0;
    for (int r = 0; r < rounds; r++) {
      long t0 = CPU.getCurrentThreadCpuTime();
      long sink = base.getAsLong();
      long t1 = CPU.getCurrentThreadCpuTime();
      long all = everyRule.getAsLong();
      long t2 = CPU.getCurrentThreadCpuTime();
      long viaIndex = indexed.getAsLong();
      long t3 = CPU.getCurrentThreadCpuTime();
      if (all != viaIndex) throw new AssertionError("the index changed the answers: " + all + " vs " + viaIndex);
      matched = viaIndex;
      bestBase = Math.min(bestBase, (t1 - t0) / 1e9);
      bestAll = Math.min(bestAll, (t2 - t1) / 1e9);
      bestIndexed = Math.min(bestIndexed, (t3 - t2) / 1e9);
      System.out.printf(Locale.ROOT, "round %d: %s %.3f s, every rule %.3f s, indexed %.3f s (%d)%n", r + 1, baseline,
          (t1 - t0) / 1e9, (t2 - t1) / 1e9, (t3 - t2) / 1e9, sink % 7);
    }
    System.out.printf(Locale.ROOT, "matches: %,d (%.2f%% of records)%n", matched, 100.0 * matched / events);
    line(baseline + " (baseline)", events, bestBase, 0, bestBase);
    line("every rule", events, bestAll, rulesPerEvent, bestBase);
    line("indexed (SigmaEngine.match)", events, bestIndexed, rulesPerEvent, bestBase);
  }

  static void line(String what, int events, double seconds, double rulesPerEvent, double baseline) {
    double eps = events / seconds;
    System.out.printf(Locale.ROOT, "%-28s %,12.0f events/CPU s  %,14.0f rules x events/CPU s  %.2fx the parse time%n",
        what, eps, eps * rulesPerEvent, seconds / baseline);
  }

  static List<String> generate(int n, List<String> formats) {
    SplittableRandom rnd = new SplittableRandom(42);
    List<String> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      boolean rare = rnd.nextInt(200) == 0;
      if (i % 2 == 0) {
        out.add(cloudTrail(i, rnd, rare).toString());
        formats.add("aws_cloudtrail");
      } else {
        out.add(audit(i, rnd, rare).toString());
        formats.add("k8s_audit");
      }
    }
    return out;
  }

  static ObjectNode cloudTrail(int i, SplittableRandom rnd, boolean rare) {
    String name = rare ? CT_RARE[rnd.nextInt(CT_RARE.length)] : CT_COMMON[rnd.nextInt(CT_COMMON.length)];
    ObjectNode r = JSON.createObjectNode();
    r.put("eventVersion", "1.09");
    ObjectNode u = r.putObject("userIdentity");
    boolean role = rnd.nextInt(3) > 0;
    u.put("type", role ? "AssumedRole" : "IAMUser");
    u.put("principalId", "AROAEXAMPLE" + rnd.nextInt(1000));
    u.put("arn", role ? "arn:aws:sts::111122223333:assumed-role/app-" + rnd.nextInt(50) + "/session-" + rnd.nextInt(1000)
        : "arn:aws:iam::111122223333:user/user-" + rnd.nextInt(100));
    u.put("accountId", "111122223333");
    u.put("accessKeyId", (role ? "ASIA" : "AKIA") + "EXAMPLE" + String.format("%09d", rnd.nextInt(1_000_000_000)));
    r.put("eventTime", "2026-11-20T10:" + String.format("%02d:%02d", (i / 60) % 60, i % 60) + "Z");
    r.put("eventSource", SOURCES[rnd.nextInt(SOURCES.length)] + ".amazonaws.com");
    r.put("eventName", name);
    r.put("awsRegion", "us-east-1");
    r.put("sourceIPAddress", "10.0." + rnd.nextInt(256) + "." + rnd.nextInt(256));
    r.put("userAgent", AGENTS[rnd.nextInt(AGENTS.length)]);
    ObjectNode p = r.putObject("requestParameters");
    p.put("bucketName", "bucket-" + rnd.nextInt(100));
    p.put("key", "data/" + rnd.nextInt(1_000_000) + ".json");
    p.put("maxResults", 100);
    r.putNull("responseElements");
    r.put("requestID", Long.toHexString(rnd.nextLong()));
    r.put("eventID", Long.toHexString(rnd.nextLong()) + Long.toHexString(rnd.nextLong()));
    r.put("readOnly", name.startsWith("Get") || name.startsWith("List") || name.startsWith("Describe"));
    r.put("eventType", "AwsApiCall");
    r.put("managementEvent", true);
    r.put("recipientAccountId", "111122223333");
    r.put("eventCategory", "Management");
    r.putObject("tlsDetails").put("tlsVersion", "TLSv1.3").put("cipherSuite", "TLS_AES_128_GCM_SHA256")
        .put("clientProvidedHostHeader", "s3.us-east-1.amazonaws.com");
    return r;
  }

  static ObjectNode audit(int i, SplittableRandom rnd, boolean rare) {
    String verb = K8S_VERBS[rnd.nextInt(K8S_VERBS.length)];
    String resource = K8S_RES[rnd.nextInt(K8S_RES.length)];
    String sub = null;
    if (rare) {
      switch (rnd.nextInt(3)) {
        case 0 -> { verb = "create"; resource = "pods"; sub = "exec"; }
        case 1 -> { verb = "list"; resource = "secrets"; }
        default -> { verb = "create"; resource = "rolebindings"; }
      }
    }
    ObjectNode r = JSON.createObjectNode();
    r.put("kind", "Event");
    r.put("apiVersion", "audit.k8s.io/v1");
    r.put("level", "Metadata");
    r.put("auditID", Long.toHexString(rnd.nextLong()) + Long.toHexString(rnd.nextLong()));
    r.put("stage", "ResponseComplete");
    r.put("requestURI", "/api/v1/namespaces/ns-" + rnd.nextInt(20) + "/" + resource);
    r.put("verb", verb);
    ObjectNode u = r.putObject("user");
    u.put("username", rnd.nextInt(4) == 0 ? "alice@example.com" : "system:serviceaccount:kube-system:ctrl-" + rnd.nextInt(30));
    u.putArray("groups").add("system:authenticated").add("system:serviceaccounts");
    r.putArray("sourceIPs").add("10.0." + rnd.nextInt(256) + "." + rnd.nextInt(256));
    r.put("userAgent", "kube-controller-manager/v1.30.2 (linux/amd64) kubernetes/3c1f2a0");
    ObjectNode o = r.putObject("objectRef");
    o.put("resource", resource);
    o.put("namespace", "ns-" + rnd.nextInt(20));
    o.put("name", resource + "-" + rnd.nextInt(1000));
    o.put("apiVersion", "v1");
    if (sub != null) o.put("subresource", sub);
    r.putObject("responseStatus").put("code", 200);
    r.put("requestReceivedTimestamp", "2026-11-20T10:00:00.000000Z");
    r.put("stageTimestamp", "2026-11-20T10:00:00.010000Z");
    r.putObject("annotations").put("authorization.k8s.io/decision", "allow")
        .put("authorization.k8s.io/reason", "RBAC: allowed by ClusterRoleBinding \"system:controller\"");
    return r;
  }
}
