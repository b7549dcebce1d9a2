package dev.strata.job.incident;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.detect.sigma.SigmaFixtures;
import dev.strata.schema.correlate.AttackStage;
import dev.strata.schema.correlate.Incident;
import dev.strata.schema.event.EvidenceEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link CredentialClients}: an instance role's credentials used with a client its earlier calls never used (curl
 * after only the SDK: PodmanHostScenarioIT's attacker on the host), and the instance's own public address named by an
 * EC2 inventory. CloudTrail records (eventVersion 1.10, the fields CloudTrail writes for an instance profile's session)
 * and a {@code describe-instances} output written here, read by the real collector, recognizers and parsers.
 */
class CredentialClientsTest {
  @TempDir Path dir;

  static final String ACCT = "444444444444";
  static final String INSTANCE = "i-0a4411aa22bb33cc4";
  static final String SESSION = "arn:aws:sts::" + ACCT + ":assumed-role/orders-host-role/" + INSTANCE;
  static final String SDK = "aws-sdk-java/2.21.29 Linux/5.14.0-427.13.1.el9_4.x86_64 OpenJDK_64-Bit_Server_VM/17.0.10";
  static final String CURL = "curl/7.76.1";
  static final String CLI = "aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/linux#6.5.0 md/arch#x86_64 lang/python#3.11.8";
  static final String EIP = "192.0.2.121";

  static String record(String id, String time, String op, String source, String ua, String principalArn) {
    String service = op.equals("GetCallerIdentity") ? "sts.amazonaws.com" : "s3.amazonaws.com";
    return "{\"eventVersion\":\"1.10\",\"userIdentity\":{\"type\":\"AssumedRole\",\"principalId\":\"AROAPODMAN:"
        + INSTANCE + "\",\"arn\":\"" + principalArn + "\",\"accountId\":\"" + ACCT + "\",\"accessKeyId\":"
        + "\"ASIAPODMANSCENA00001\",\"sessionContext\":{\"sessionIssuer\":{\"type\":\"Role\",\"principalId\":"
        + "\"AROAPODMAN\",\"arn\":\"arn:aws:iam::" + ACCT + ":role/orders-host-role\",\"accountId\":\"" + ACCT
        + "\",\"userName\":\"orders-host-role\"},\"attributes\":{\"creationDate\":\"2026-11-20T06:00:00Z\","
        + "\"mfaAuthenticated\":\"false\"},\"ec2RoleDelivery\":\"2.0\"}},\"eventTime\":\"2026-11-20T" + time + "Z\","
        + "\"eventSource\":\"" + service + "\",\"eventName\":\"" + op + "\",\"awsRegion\":\"us-east-1\","
        + "\"sourceIPAddress\":\"" + source + "\",\"userAgent\":\"" + ua + "\",\"requestParameters\":null,"
        + "\"responseElements\":null,\"requestID\":\"req-" + id + "\",\"eventID\":\"0c0c0c0c-0000-4000-8000-"
        + String.format("%012d", Math.abs(id.hashCode())) + "\",\"readOnly\":true,\"eventType\":\"AwsApiCall\","
        + "\"managementEvent\":true,\"recipientAccountId\":\"" + ACCT + "\"}";
  }

  static String call(String id, String time, String op, String source, String ua) {
    return record(id, time, op, source, ua, SESSION);
  }

  /** {@code aws ec2 describe-instances} naming the instance's elastic IP (PublicIpAddress, Association.PublicIp). */
  static String inventory() {
    return "{\"Reservations\":[{\"OwnerId\":\"" + ACCT + "\",\"ReservationId\":\"r-0a44\",\"Instances\":[{\"InstanceId\":\""
        + INSTANCE + "\",\"LaunchTime\":\"2026-11-19T20:00:00+00:00\",\"PrivateDnsName\":\"ip-10-44-1-21.ec2.internal\","
        + "\"PrivateIpAddress\":\"10.44.1.21\",\"PublicIpAddress\":\"" + EIP + "\",\"State\":{\"Name\":\"running\"},"
        + "\"Placement\":{\"AvailabilityZone\":\"us-east-1a\"},\"VpcId\":\"vpc-0444bbbb0000a0001\",\"NetworkInterfaces\":"
        + "[{\"Attachment\":{\"AttachTime\":\"2026-11-19T20:00:00+00:00\",\"DeviceIndex\":0},\"NetworkInterfaceId\":"
        + "\"eni-0a4411aa22bb30001\",\"OwnerId\":\"" + ACCT + "\",\"PrivateIpAddress\":\"10.44.1.21\","
        + "\"PrivateIpAddresses\":[{\"Primary\":true,\"PrivateIpAddress\":\"10.44.1.21\",\"Association\":{\"PublicIp\":\""
        + EIP + "\"}}],\"InterfaceType\":\"interface\"}]}]}]}";
  }

  private List<EvidenceEvent> parse(String name, List<String> records, boolean withInventory) throws Exception {
    Path root = dir.resolve(name);
    Path trail = root.resolve("AWSLogs/" + ACCT + "/CloudTrail/us-east-1/2026/11/20/" + ACCT
        + "_CloudTrail_us-east-1_20261120T1005Z_Cl1ents0000001.json");
    Files.createDirectories(trail.getParent());
    Files.writeString(trail, "{\"Records\":[" + String.join(",", records) + "]}");
    if (withInventory) Files.writeString(root.resolve("describe-instances.json"), inventory());
    return SigmaFixtures.parse(root);
  }

  /** The podman scenario's calls of the instance role: the app's SDK, the attacker's curl on the host, aws-cli outside. */
  static List<String> podmanCalls() {
    return List.of(
        call("sdk1", "08:30:14", "PutObject", "10.44.1.21", SDK),
        call("sdk2", "09:00:03", "PutObject", "10.44.1.21", SDK),
        call("who", "09:15:31", "GetCallerIdentity", EIP, CURL),
        call("list", "09:16:02", "ListBuckets", "10.44.1.21", CURL),
        call("get", "09:16:40", "GetObject", "10.44.1.21", "[" + CURL + "]"),
        call("sdk3", "09:40:05", "PutObject", "10.44.1.21", SDK),
        call("out", "10:02:10", "GetCallerIdentity", "203.0.113.200", CLI));
  }

  static Member byRequest(InMemoryTenantStore store, String id) {
    for (Member m : store.members()) if (idOf(m).equals(id)) return m;
    throw new AssertionError("no member " + id);
  }

  private static final java.util.Map<String, String> REQUEST_OF_EVENT = new java.util.HashMap<>();

  private static String idOf(Member m) {
    return REQUEST_OF_EVENT.getOrDefault(m.eventId(), "");
  }

  private static void remember(List<EvidenceEvent> events) {
    for (EvidenceEvent e : events) {
      String req = e.getUnmapped() == null ? null : e.getUnmapped().get("requestID");
      if (req == null && e.getApi() != null && e.getApi().getRequestUid() != null) req = e.getApi().getRequestUid();
      if (req != null) REQUEST_OF_EVENT.put(e.getEventId(), req.replace("req-", ""));
    }
  }

  /** An ECR PutImage of {@code repo:tag} = {@code digest} with the CI user's key, from {@code source}. */
  static String push(String id, String time, String tag, String digest, String source, String ua) {
    String repo = "merch/catalog-api";
    return "{\"eventVersion\":\"1.10\",\"userIdentity\":{\"type\":\"IAMUser\",\"principalId\":\"AIDACIPUBLISHER00001\","
        + "\"arn\":\"arn:aws:iam::" + ACCT + ":user/ci-publisher\",\"accountId\":\"" + ACCT + "\",\"accessKeyId\":"
        + "\"AKIACIPUBLISHER00001\",\"userName\":\"ci-publisher\"},\"eventTime\":\"2026-11-20T" + time + "Z\","
        + "\"eventSource\":\"ecr.amazonaws.com\",\"eventName\":\"PutImage\",\"awsRegion\":\"us-east-1\","
        + "\"sourceIPAddress\":\"" + source + "\",\"userAgent\":\"" + ua + "\",\"requestParameters\":{\"repositoryName\":\""
        + repo + "\",\"imageTag\":\"" + tag + "\",\"imageManifest\":\"{}\"},\"responseElements\":{\"image\":{"
        + "\"registryId\":\"" + ACCT + "\",\"repositoryName\":\"" + repo + "\",\"imageId\":{\"imageDigest\":\"" + digest
        + "\",\"imageTag\":\"" + tag + "\"},\"imageManifest\":\"{}\"}},\"requestID\":\"req-" + id + "\",\"eventID\":"
        + "\"0d0d0d0d-0000-4000-8000-" + String.format("%012d", Math.abs(id.hashCode())) + "\",\"readOnly\":false,"
        + "\"eventType\":\"AwsApiCall\",\"managementEvent\":true,\"recipientAccountId\":\"" + ACCT + "\"}";
  }

  /**
   * A release tag pushed by CI, then pushed again with another digest from another address (the leaked key: the
   * supply-chain scenario's entry) is an entry signal whose pivot is the image it wrote; CI's own pushes, a rebuild of
   * a tag from CI's address, the same digest pushed again are not; the same answer in shuffled arrival orders.
   */
  @Test
  void aTagOverwrittenWithAnotherDigestFromAnotherAddressIsAnEntry() throws Exception {
    String good = "sha256:" + "5e11".repeat(16), bad = "sha256:" + "e4c2".repeat(16);
    String docker = "docker/27.3.1 go/go1.22.7 git-commit/41ca978 os/linux arch/amd64";
    String crane = "go-containerregistry/v0.20.2";
    List<EvidenceEvent> events = parse("tags", List.of(
        push("ci", "09:58:52", "v2.3.1", good, "192.0.2.233", docker),
        push("atk", "10:03:30", "v2.3.1", bad, "198.51.100.147", crane),
        push("again", "10:30:00", "v2.3.1", bad, "192.0.2.234", docker),
        push("next1", "10:10:00", "v2.4.0", "sha256:" + "aa01".repeat(16), "192.0.2.233", docker),
        push("next2", "10:20:00", "v2.4.0", "sha256:" + "aa02".repeat(16), "192.0.2.233", docker)), false);
    remember(events);
    assertThat(events).hasSize(5);
    Random r = new Random(5);
    for (int i = 0; i < 10; i++) {
      List<EvidenceEvent> order = new ArrayList<>(events);
      if (i > 0) Collections.shuffle(order, r);
      InMemoryTenantStore store = RuntimeExecAuditTest.judged(order);
      Member atk = byRequest(store, "atk");
      assertThat(atk.signal()).isTrue();
      assertThat(atk.reason()).isEqualTo(CredentialClients.TAG_REASON);
      assertThat(atk.stage()).isEqualTo(AttackStage.ENTRY);
      assertThat(atk.severityId()).isEqualTo(4);
      assertThat(atk.summary()).contains("(tag " + ACCT + ".dkr.ecr.us-east-1.amazonaws.com/merch/catalog-api:v2.3.1"
          + " pointed to " + good + ", pushed from 192.0.2.233 at 2026-11-20T09:58:52Z: overwritten from 198.51.100.147)");
      assertThat(atk.entities()).anySatisfy(x -> {
        assertThat(x.type()).isEqualTo(Entity.IMAGE);
        assertThat(x.key()).isEqualTo(bad);
        assertThat(x.pivot()).isTrue();
      });
      for (String quiet : List.of("ci", "again", "next1", "next2")) {
        assertThat(byRequest(store, quiet).signal()).as(quiet).isFalse();
      }
    }
  }

  @Test
  void userAgentsAreSdksConsolesServicesOrTools() {
    assertThat(CredentialClients.kind(SDK)).isEqualTo("sdk");
    assertThat(CredentialClients.kind("Boto3/1.34.51 md/Botocore#1.34.51 ua/2.0")).isEqualTo("sdk");
    assertThat(CredentialClients.kind("ecr-credential-provider/v1.31.0 aws-sdk-go-v2/1.30.3")).isEqualTo("sdk");
    assertThat(CredentialClients.kind("APN/1.0 HashiCorp/1.0 Terraform/1.9.5 (+https://www.terraform.io)"))
        .isEqualTo("sdk");
    assertThat(CredentialClients.kind(CURL)).isEqualTo("curl");
    assertThat(CredentialClients.kind("[aws-cli/2.17.43 md/awscrt#0.21.2 ua/2.0]")).isEqualTo("aws-cli");
    assertThat(CredentialClients.kind("aws-cli/1.32.0 Python/3.11 Linux/6.1 botocore/1.34.0")).isEqualTo("aws-cli");
    assertThat(CredentialClients.kind("python-requests/2.31.0")).isEqualTo("python-requests");
    assertThat(CredentialClients.kind("signin.amazonaws.com")).isEqualTo("console");
    assertThat(CredentialClients.kind("AWS Internal")).isEqualTo("service");
    assertThat(CredentialClients.kind("ecs-tasks.amazonaws.com")).isEqualTo("service");
    assertThat(CredentialClients.kind("Mozilla/5.0 (X11; Linux x86_64)")).isEqualTo("other");
    assertThat(CredentialClients.kind(null)).isNull();
  }

  /**
   * After two SDK calls, the instance role's curl calls from the host's private address are signals (GetCallerIdentity
   * credential access, ListBuckets and GetObject exfiltration), the SDK's later call is not, the aws-cli calls from
   * outside keep their own signal; the same answer in shuffled arrival orders.
   */
  @Test
  void aToolAfterOnlySdkCallsIsANewClientSignal() throws Exception {
    List<EvidenceEvent> events = parse("podman", podmanCalls(), false);
    remember(events);
    assertThat(events).hasSize(7);
    Random r = new Random(17);
    for (int i = 0; i < 10; i++) {
      List<EvidenceEvent> order = new ArrayList<>(events);
      if (i > 0) Collections.shuffle(order, r);
      InMemoryTenantStore store = RuntimeExecAuditTest.judged(order);
      Member list = byRequest(store, "list");
      assertThat(list.signal()).isTrue();
      assertThat(list.reason()).isEqualTo(CredentialClients.REASON);
      assertThat(list.stage()).isEqualTo(AttackStage.EXFILTRATION);
      assertThat(list.severityId()).isEqualTo(3);
      assertThat(list.summary()).contains("(curl: a client new for " + SESSION + ", whose 2 earlier calls were all made"
          + " by SDKs; first used at 2026-11-20T09:15:31Z)");
      assertThat(byRequest(store, "get").reason()).isEqualTo(CredentialClients.REASON);
      assertThat(byRequest(store, "get").stage()).isEqualTo(AttackStage.EXFILTRATION);
      // from the elastic IP without an inventory: a public address, its signal stands (and says it was a new client)
      Member who = byRequest(store, "who");
      assertThat(who.reason()).isEqualTo("instance_credentials_outside");
      for (String sdk : List.of("sdk1", "sdk2", "sdk3")) assertThat(byRequest(store, sdk).signal()).as(sdk).isFalse();
      assertThat(byRequest(store, "out").reason()).isEqualTo("instance_credentials_outside");
    }
    List<Incident> incs = IncidentEngine.incidentsOf(events, IncidentSettings.defaults());
    assertThat(incs).hasSize(1);
    assertThat(incs.get(0).getTimeline().stream().filter(row -> row.getSignal()).count()).as("who, list, get, out").isEqualTo(4);
  }

  @Test
  void principalsWithAHumanOrAToolBeforeAndToolOnlyPrincipalsStayQuiet() throws Exception {
    // an operator's aws-cli on the host before, then curl: not an SDK-only principal
    List<EvidenceEvent> human = parse("human", List.of(
        call("sdk1", "08:30:14", "PutObject", "10.44.1.21", SDK),
        call("cli", "08:40:00", "ListBuckets", "10.44.1.21", CLI),
        call("list", "09:16:02", "ListBuckets", "10.44.1.21", CURL)), false);
    remember(human);
    InMemoryTenantStore store = RuntimeExecAuditTest.judged(human);
    assertThat(byRequest(store, "cli").signal()).as("the first tool after the SDK is new").isTrue();
    assertThat(byRequest(store, "list").signal()).as("a second tool after a tool").isFalse();
    // tools only (no SDK call before): a role used by people
    List<EvidenceEvent> tools = parse("tools", List.of(
        call("list", "09:16:02", "ListBuckets", "10.44.1.21", CURL),
        call("get", "09:16:40", "GetObject", "10.44.1.21", CURL)), false);
    remember(tools);
    store = RuntimeExecAuditTest.judged(tools);
    for (Member m : store.members()) assertThat(m.signal()).as(m.summary()).isFalse();
    assertThat(IncidentEngine.incidentsOf(tools, IncidentSettings.defaults())).isEmpty();
    // SDK only, and a tool whose first call is more than an hour before: not new any more
    List<EvidenceEvent> late = parse("late", List.of(
        call("sdk1", "06:30:14", "PutObject", "10.44.1.21", SDK),
        call("first", "07:00:00", "ListBuckets", "10.44.1.21", CURL),
        call("list", "08:30:00", "ListBuckets", "10.44.1.21", CURL),
        call("sdk2", "09:00:00", "PutObject", "10.44.1.21", SDK)), false);
    remember(late);
    store = RuntimeExecAuditTest.judged(late);
    assertThat(byRequest(store, "first").signal()).isTrue();
    assertThat(byRequest(store, "list").signal()).as("curl's first call 90 min before").isFalse();
    assertThat(byRequest(store, "sdk2").signal()).isFalse();
  }

  /**
   * With the EC2 inventory naming the instance's elastic IP, the curl call from it is the host's: not a call from
   * outside, but the new client's (credential access), the address no link; an SDK call from it is plain context.
   */
  @Test
  void theInstancesOwnPublicAddressIsTheHostsNotOutside() throws Exception {
    List<String> calls = new ArrayList<>(podmanCalls());
    calls.add(call("sdk-eip", "09:50:00", "PutObject", EIP, SDK));
    List<EvidenceEvent> events = parse("eip", calls, true);
    remember(events);
    assertThat(events.stream().filter(e -> e.getSourceFormat().startsWith("aws_ec2_")).count()).isPositive();
    InMemoryTenantStore store = RuntimeExecAuditTest.judged(events);
    Member who = byRequest(store, "who");
    assertThat(who.signal()).isTrue();
    assertThat(who.reason()).isEqualTo(CredentialClients.REASON);
    assertThat(who.stage()).isEqualTo(AttackStage.CREDENTIAL_ACCESS);
    assertThat(who.summary()).contains("from the instance's own public address " + EIP);
    assertThat(who.entities()).filteredOn(x -> x.type().equals(Entity.IP) && x.key().equals(EIP))
        .allMatch(x -> !x.pivot()).isNotEmpty();
    Member sdk = byRequest(store, "sdk-eip");
    assertThat(sdk.signal()).isFalse();
    assertThat(sdk.summary()).contains("(from the instance's own public address " + EIP + ": not from outside)");
    assertThat(byRequest(store, "out").reason()).isEqualTo("instance_credentials_outside");
    // another instance's credentials from this host's address: still from outside for them
    List<EvidenceEvent> other = parse("other", List.of(record("b", "09:30:00", "GetObject", EIP, SDK,
        "arn:aws:sts::" + ACCT + ":assumed-role/inventory-host-role/i-0b4422bb33cc44dd5")), true);
    remember(other);
    assertThat(byRequest(RuntimeExecAuditTest.judged(other), "b").reason()).isEqualTo("instance_credentials_outside");
  }
}
