package dev.strata.job.incident;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.detect.sigma.SigmaFixtures;
import dev.strata.detect.sigma.SigmaEngine;
import dev.strata.job.incident.SignalRules.Signal;
import dev.strata.schema.correlate.AttackStage;
import dev.strata.schema.event.EvidenceEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An S3 object written into a bucket of an account that is not the organisation's ({@code incident.known_accounts}):
 * KubectlDebugScenarioIT's ledger pod's IRSA session, exchanged in a kubectl debug shell, copied the ledger's exports
 * into the attacker's bucket (another account's: the data event the caller's trail receives names the bucket's owner
 * in {@code resources[]}); the copy was no signal and the attack path had no exfiltration. CloudTrail records parsed
 * by the real collector and parser.
 */
class ForeignBucketWriteTest {
  static final String ACCT = "385726194013";
  static final String SESSION = "{\"type\":\"AssumedRole\",\"principalId\":\"AROAVLEDGERAPIIRSA01:debug\",\"arn\":"
      + "\"arn:aws:sts::" + ACCT + ":assumed-role/ledger-api-irsa/debug\",\"accountId\":\"" + ACCT + "\",\"accessKeyId\":"
      + "\"ASIAVLEDGERDEBUG0001\",\"sessionContext\":{\"sessionIssuer\":{\"type\":\"Role\",\"principalId\":"
      + "\"AROAVLEDGERAPIIRSA01\",\"arn\":\"arn:aws:iam::" + ACCT + ":role/ledger-api-irsa\",\"accountId\":\"" + ACCT
      + "\",\"userName\":\"ledger-api-irsa\"}}}";

  @TempDir Path dir;

  static String write(String id, String op, String bucket, String owner, String errorCode) {
    return "{\"eventVersion\":\"1.10\",\"userIdentity\":" + SESSION + ",\"eventTime\":\"2026-11-23T10:49:4" + id
        + "Z\",\"eventSource\":\"s3.amazonaws.com\",\"eventName\":\"" + op + "\",\"awsRegion\":\"eu-west-1\","
        + "\"sourceIPAddress\":\"10.44.21.57\",\"userAgent\":\"[aws-cli/2.18.0]\",\"requestParameters\":{\"bucketName\":\""
        + bucket + "\",\"key\":\"l/batch-0401.parquet\"},\"responseElements\":null,"
        + (errorCode == null ? "" : "\"errorCode\":\"" + errorCode + "\",\"errorMessage\":\"Access Denied\",")
        + "\"requestID\":\"R" + id + "\",\"eventID\":\"9d3b000" + id + "-1e2f-4a5b-b6c7-000000000001\",\"readOnly\":false,"
        + "\"resources\":[{\"type\":\"AWS::S3::Object\",\"ARN\":\"arn:aws:s3:::" + bucket + "/l/batch-0401.parquet\"},"
        + "{\"accountId\":\"" + owner + "\",\"type\":\"AWS::S3::Bucket\",\"ARN\":\"arn:aws:s3:::" + bucket + "\"}],"
        + "\"eventType\":\"AwsApiCall\",\"managementEvent\":false,\"recipientAccountId\":\"" + ACCT + "\","
        + "\"vpcEndpointId\":\"vpce-0a9c8e7d6b5f4a3c2\",\"vpcEndpointAccountId\":\"" + ACCT + "\",\"eventCategory\":\"Data\"}";
  }

  private List<Signal> classify(SignalRules rules, String... records) throws Exception {
    Path trail = dir.resolve("AWSLogs/" + ACCT + "/CloudTrail/eu-west-1/2026/11/23/" + ACCT
        + "_CloudTrail_eu-west-1_20261123T1055Z_Qp2Wx9Ec4Rv7Tb1N.json");
    Files.createDirectories(trail.getParent());
    Files.writeString(trail, "{\"Records\":[" + String.join(",", records) + "]}");
    List<EvidenceEvent> events = SigmaFixtures.parse(dir);
    assertThat(events).hasSize(records.length);
    events.sort(java.util.Comparator.comparing(e -> e.getTime()));
    List<Signal> out = new ArrayList<>();
    for (EvidenceEvent e : events) out.add(rules.classify(e));
    return out;
  }

  @Test
  void anObjectWrittenIntoAnUnknownAccountsBucketIsExfiltration() throws Exception {
    SignalRules org = IncidentSettings.defaults().withKnownAccounts(List.of(ACCT, "111122223333")).rules();
    String[] records = {
        write("1", "PutObject", "cdn-assets-backup-7731", "914725836047", null),
        write("2", "PutObject", "acme-log-archive-eu-west-1", "111122223333", null), // the organisation's archive
        write("3", "PutObject", "acme-ledger-exports", ACCT, null), // its own account's bucket
        write("4", "CompleteMultipartUpload", "cdn-assets-backup-7731", "914725836047", null),
        write("5", "PutObject", "cdn-assets-backup-7731", "914725836047", "AccessDenied"), // refused: nothing left
        write("6", "GetObject", "cdn-assets-backup-7731", "914725836047", null)}; // a read is no copy out
    List<Signal> s = classify(org, records);
    assertThat(s.get(0).reason()).isEqualTo("s3_write_unknown_account");
    assertThat(s.get(0).stage()).isEqualTo(AttackStage.EXFILTRATION);
    assertThat(s.get(0).severityId()).isEqualTo(4);
    assertThat(s.get(1)).as("the organisation's log archive").isNull();
    assertThat(s.get(2)).as("its own account's bucket").isNull();
    assertThat(s.get(3).reason()).isEqualTo("s3_write_unknown_account");
    assertThat(s.get(4)).as("a refused write").isNull();
    assertThat(s.get(5)).as("a read").isNull();
    // without incident.known_accounts the rule is off: a central archive in another account is routine
    assertThat(classify(SignalRules.defaults(), records).get(0)).isNull();
    assertThat(new SignalRules(List.of(), SigmaEngine.empty(), 3, TetragonSignals.defaults(), SupplyChainSignals.defaults(),
        WorkloadPlacementSignals.defaults(), Set.of(ACCT)).classify(SigmaFixtures.parse(dir).stream()
            .filter(e -> e.getTime().toString().contains("10:49:41")).findFirst().orElseThrow()))
        .as("known accounts set: the unknown owner").isNotNull();
  }
}
