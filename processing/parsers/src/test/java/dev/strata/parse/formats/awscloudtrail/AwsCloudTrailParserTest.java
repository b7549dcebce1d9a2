package dev.strata.parse.formats.awscloudtrail;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.parse.ChunkParser;
import dev.strata.parse.EventIds;
import dev.strata.parse.EvidenceParser;
import dev.strata.parse.OcsfClass;
import dev.strata.parse.ParserContractTest;
import dev.strata.parse.ParserRegistry;
import dev.strata.parse.testing.Chunks;
import dev.strata.parse.testing.CollectingOutput;
import dev.strata.schema.common.Framing;
import dev.strata.schema.deadletter.DeadLetter;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.raw.RawArtifactChunk;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AwsCloudTrailParserTest extends ParserContractTest {

  private static final ObjectMapper M = new ObjectMapper();

  @Override
  protected EvidenceParser parser() {
    return new AwsCloudTrailParser();
  }

  private static Map<String, Object> record(int i) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("eventVersion", "1.09");
    r.put("userIdentity", Map.of("type", "IAMUser", "arn", "arn:aws:iam::111122223333:user/u" + i, "userName", "u" + i));
    r.put("eventTime", String.format("2024-07-01T10:%02d:%02dZ", (i / 60) % 60, i % 60));
    r.put("eventSource", "s3.amazonaws.com");
    r.put("eventName", i % 3 == 0 ? "PutObject" : "GetObject");
    r.put("awsRegion", "eu-west-1");
    r.put("sourceIPAddress", "192.0.2." + (i % 250));
    r.put("requestParameters", Map.of("bucketName", "b", "key", "k/" + i, "pad", "é".repeat(i % 7)));
    r.put("eventID", "id-" + i);
    return r;
  }

  /** A CloudTrail file as AWS writes it; pretty = with newlines and indentation. */
  private static byte[] document(int n, boolean pretty) throws Exception {
    List<Map<String, Object>> recs = new ArrayList<>();
    for (int i = 0; i < n; i++) recs.add(record(i));
    Object doc = Map.of("Records", recs);
    String s = pretty ? M.writerWithDefaultPrettyPrinter().writeValueAsString(doc) : M.writeValueAsString(doc);
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Element start offsets and the cut points (just after the ',' following each element) of the Records array. */
  private static int[][] elements(byte[] content) throws Exception {
    List<int[]> out = new ArrayList<>();
    try (JsonParser p = M.getFactory().createParser(content)) {
      p.nextToken(); // {
      p.nextToken(); // Records
      p.nextToken(); // [
      JsonToken t;
      while ((t = p.nextToken()) == JsonToken.START_OBJECT) {
        int start = (int) p.currentTokenLocation().getByteOffset();
        p.skipChildren();
        int end = (int) p.currentLocation().getByteOffset();
        int i = end;
        while (content[i] != ',' && content[i] != ']') i++;
        out.add(new int[] {start, content[i] == ',' ? i + 1 : -1});
      }
    }
    return out.toArray(new int[0][]);
  }

  /** Cuts the document into JSON_RECORDS chunks the way the collector does, about {@code perChunk} records each. */
  private static List<RawArtifactChunk> cut(byte[] content, int[][] el, Random rnd) {
    String sha = EventIds.sha256Hex(content);
    List<int[]> spans = new ArrayList<>(); // [start, end, firstRecord]
    int start = 0;
    int first = 0;
    int i = 0;
    while (i < el.length) {
      int take = 1 + rnd.nextInt(3);
      int last = Math.min(el.length - 1, i + take - 1);
      int end = el[last][1] < 0 ? content.length : el[last][1];
      if (last == el.length - 1) end = content.length;
      spans.add(new int[] {start, end, first});
      first = last + 1;
      start = end;
      i = last + 1;
    }
    List<RawArtifactChunk> chunks = new ArrayList<>();
    long line = 1;
    for (int c = 0; c < spans.size(); c++) {
      int[] s = spans.get(c);
      byte[] payload = Arrays.copyOfRange(content, s[0], s[1]);
      chunks.add(
          Chunks.chunk(payload, sha, AwsCloudTrailParser.FORMAT, Framing.JSON_RECORDS, "AWSLogs/x.json.gz", c,
              spans.size(), s[0], line, s[2], false, content));
      for (byte b : payload) if (b == '\n') line++;
    }
    return chunks;
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void chunkedDocumentParsesEveryRecordOnce(boolean pretty) throws Exception {
    byte[] content = document(40, pretty);
    int[][] el = elements(content);
    assertThat(el.length).isEqualTo(40);
    List<RawArtifactChunk> chunks = cut(content, el, new Random(pretty ? 1 : 2));
    assertThat(chunks.size()).isGreaterThan(10);
    // the chunks restore the content bit for bit
    var all = new java.io.ByteArrayOutputStream();
    for (RawArtifactChunk c : chunks) all.write(c.getPayload().array());
    assertThat(all.toByteArray()).isEqualTo(content);
    assertThat(new String(chunks.get(0).getPayload().array(), StandardCharsets.UTF_8)).startsWith("{");
    assertThat(new String(chunks.get(chunks.size() - 1).getPayload().array(), StandardCharsets.UTF_8).replaceAll("\\s", ""))
        .endsWith("]}");

    ChunkParser cp = new ChunkParser(ParserRegistry.defaults());
    List<EvidenceEvent> events = new ArrayList<>();
    for (RawArtifactChunk c : chunks) {
      var r = cp.parse(c);
      assertThat(r.deadLetters()).as("chunk %d", c.getChunk().getIndex()).isEmpty();
      events.addAll(r.events());
    }
    assertThat(events).hasSize(40);
    byte[] b = content;
    for (int i = 0; i < 40; i++) {
      EvidenceEvent e = events.get(i);
      assertThat(e.getLineage().getRecordIndex()).isEqualTo((long) i);
      int off = (int) (long) e.getLineage().getByteOffset();
      assertThat(off).isEqualTo(el[i][0]);
      String tail = new String(b, off, b.length - off, StandardCharsets.UTF_8);
      assertThat(tail).startsWith("{");
      assertThat(e.getApi().getRequestUid()).isEqualTo("id-" + i);
      assertThat(e.getLineage().getByteLength()).isPositive();
      String rec = new String(b, off, (int) (long) e.getLineage().getByteLength(), StandardCharsets.UTF_8);
      assertThat(M.readTree(rec).get("eventID").asText()).isEqualTo("id-" + i);
      long line = 1;
      for (int k = 0; k < off; k++) if (b[k] == '\n') line++;
      assertThat(e.getLineage().getLineNumber()).isEqualTo(line);
    }
    assertThat(events.stream().map(EvidenceEvent::getEventId).distinct()).hasSize(40);
    // unhashed positional ids (EventIds, docs/schema.md): artifact hash prefix + hex offset + record + sub-index
    String sha = chunks.get(0).getArtifactSha256();
    for (int i = 0; i < 40; i++) {
      assertThat(events.get(i).getEventId())
          .isEqualTo(sha.substring(0, 32) + String.format("%012x%012x%08x", el[i][0], i, 0));
    }
  }

  /**
   * CloudTrail's log group subscribed to Firehose, as Firehose writes it to S3: subscription messages back to back, a
   * CONTROL_MESSAGE first, which gives nothing (firehose scenario: it would be a dead letter per object).
   */
  @Test
  void firehosesSubscriptionMessagesGiveTheirRecordsAndTheControlMessageNothing() throws Exception {
    String rec = "{\"eventVersion\":\"1.10\",\"eventName\":\"GetObject\",\"eventSource\":\"s3.amazonaws.com\","
        + "\"eventTime\":\"2026-11-24T09:44:12Z\",\"awsRegion\":\"us-west-2\",\"recipientAccountId\":\"111122223333\"}";
    String quoted = "\"" + rec.replace("\"", "\\\"") + "\"";
    String control = "{\"messageType\":\"CONTROL_MESSAGE\",\"owner\":\"CloudwatchLogs\",\"logGroup\":\"\",\"logStream\":\"\","
        + "\"subscriptionFilters\":[],\"logEvents\":[{\"id\":\"\",\"timestamp\":1,"
        + "\"message\":\"CWL CONTROL MESSAGE: Checking health of destination Firehose.\"}]}";
    String data = "{\"messageType\":\"DATA_MESSAGE\",\"owner\":\"111122223333\",\"logGroup\":\"aws-cloudtrail-logs\","
        + "\"logStream\":\"111122223333_CloudTrail_us-west-2\",\"subscriptionFilters\":[\"f\"],\"logEvents\":["
        + "{\"id\":\"1\",\"timestamp\":1,\"message\":" + quoted + "},{\"id\":\"2\",\"timestamp\":2,\"message\":" + quoted + "}]}";
    CollectingOutput out = parse(control + data, Framing.LINES, "firehose/trail/2026/11/24/09/trail-1-2026-11-24-09-55-12-4f1c");
    assertThat(out.rejections).isEmpty();
    assertThat(out.events).hasSize(2);
    assertThat(out.events.get(0).getApi().getOperation()).isEqualTo("GetObject");
  }

  /**
   * A chunk's events share one cloud object while account and region stay the same; a record with another account,
   * region or an instance id gets its own (own synthetic records, field names as in the CloudTrail record contents).
   */
  @Test
  void cloudFollowsEachRecordsAccountAndRegion() throws Exception {
    String a = "{\"eventName\":\"GetObject\",\"eventSource\":\"s3.amazonaws.com\",\"awsRegion\":\"eu-west-1\","
        + "\"recipientAccountId\":\"111122223333\"}";
    String b = a.replace("111122223333", "444455556666");
    String c = a.replace("eu-west-1", "us-east-1");
    String i = a.replace("}", ",\"userIdentity\":{\"type\":\"AssumedRole\","
        + "\"arn\":\"arn:aws:sts::111122223333:assumed-role/r/i-0123456789abcdef0\"}}");
    List<EvidenceEvent> events =
        parse(String.join("\n", a, a, b, a, c, i, a) + "\n", Framing.LINES, "cloud.jsonl").events;
    assertThat(events).extracting(e -> e.getCloud().getAccountUid() + " " + e.getCloud().getRegion() + " "
            + e.getCloud().getInstanceUid())
        .containsExactly(
            "111122223333 eu-west-1 null", "111122223333 eu-west-1 null", "444455556666 eu-west-1 null",
            "111122223333 eu-west-1 null", "111122223333 us-east-1 null",
            "111122223333 eu-west-1 i-0123456789abcdef0", "111122223333 eu-west-1 null");
    assertThat(events).allSatisfy(e -> assertThat(e.getCloud().getProvider()).isEqualTo("aws"));
    assertThat(events.get(1).getCloud()).isSameAs(events.get(0).getCloud());
  }

  @Test
  void chunkedBareArray() throws Exception {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < 5; i++) sb.append(i == 0 ? "" : ",\n").append(M.writeValueAsString(record(i)));
    sb.append("]\n");
    byte[] content = sb.toString().getBytes(StandardCharsets.UTF_8);
    String sha = EventIds.sha256Hex(content);
    // cut after the ',' following records 1 and 3
    String s = new String(content, StandardCharsets.ISO_8859_1); // one char per byte: indexes are byte offsets
    int c1 = nthIndexOf(s, ",\n{", 2) + 1;
    int c2 = nthIndexOf(s, ",\n{", 4) + 1;
    int[][] spans = {{0, c1, 0}, {c1, c2, 2}, {c2, content.length, 4}};
    List<EvidenceEvent> events = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      byte[] p = Arrays.copyOfRange(content, spans[i][0], spans[i][1]);
      long line = 1 + s.substring(0, spans[i][0]).chars().filter(ch -> ch == '\n').count();
      var r = new ChunkParser(ParserRegistry.defaults()).parse(
          Chunks.chunk(p, sha, AwsCloudTrailParser.FORMAT, Framing.JSON_RECORDS, "x.json", i, 3, spans[i][0], line,
              spans[i][2], false, content));
      assertThat(r.deadLetters()).isEmpty();
      events.addAll(r.events());
    }
    assertThat(events).extracting(e -> e.getLineage().getRecordIndex()).containsExactly(0L, 1L, 2L, 3L, 4L);
    for (EvidenceEvent e : events) {
      assertThat(s.substring((int) (long) e.getLineage().getByteOffset())).startsWith("{\"eventVersion\"");
      assertThat(e.getLineage().getLineNumber()).isEqualTo(e.getLineage().getRecordIndex() + 1);
    }
  }

  @Test
  void truncatedRecordInAChunkIsRecordTooLarge() throws Exception {
    String rec = M.writeValueAsString(record(1));
    byte[] payload = (rec + "," + rec.substring(0, 50)).getBytes(StandardCharsets.UTF_8);
    int recBytes = rec.getBytes(StandardCharsets.UTF_8).length;
    RawArtifactChunk c = Chunks.chunk(payload, "d".repeat(64), AwsCloudTrailParser.FORMAT, Framing.JSON_RECORDS,
        "x.json", 1, 3, 100, 1, 7, true, new byte[0]);
    var r = new ChunkParser(ParserRegistry.defaults()).parse(c);
    assertThat(r.events()).hasSize(1);
    assertThat(r.events().get(0).getLineage().getRecordIndex()).isEqualTo(7L);
    assertThat(r.events().get(0).getLineage().getByteOffset()).isEqualTo(100L);
    DeadLetter d = r.deadLetters().get(0);
    assertThat(r.deadLetters()).hasSize(1);
    assertThat(d.getReason()).isEqualTo("record_too_large");
    assertThat(d.getByteOffset()).isEqualTo(100L + recBytes + 1);
    assertThat(d.getRecordIndex()).isEqualTo(8L);
    assertThat(d.getOriginalTruncated()).isTrue();
  }

  /**
   * An Insights log file as AWS delivers it (AWS CloudTrail User Guide, "CloudTrail Insights events record contents":
   * eventType AwsCloudTrailInsight, eventCategory Insight, the API in insightDetails; no top-level eventName).
   */
  @Test
  void insightsEventNamesTheApiFromInsightDetails() throws Exception {
    String start = "{\"Records\":[{\"eventVersion\":\"1.08\",\"eventTime\":\"2024-07-01T10:00:00Z\","
        + "\"awsRegion\":\"us-east-1\",\"eventID\":\"ins-1\",\"eventType\":\"AwsCloudTrailInsight\","
        + "\"recipientAccountId\":\"111122223333\",\"sharedEventID\":\"s-1\",\"insightDetails\":{"
        + "\"state\":\"Start\",\"eventSource\":\"ec2.amazonaws.com\",\"eventName\":\"RunInstances\","
        + "\"insightType\":\"ApiCallRateInsight\",\"insightContext\":{\"statistics\":{\"baseline\":"
        + "{\"average\":0.01},\"insight\":{\"average\":12.5}}}},\"eventCategory\":\"Insight\"}]}";
    CollectingOutput out = parse(start, Framing.WHOLE, "AWSLogs/111122223333/CloudTrail-Insight/us-east-1/x.json.gz");
    assertThat(out.rejections).isEmpty();
    assertThat(out.events).hasSize(1);
    EvidenceEvent e = out.events.get(0);
    assertThat(e.getApi().getOperation()).isEqualTo("RunInstances");
    assertThat(e.getApi().getService()).isEqualTo("ec2.amazonaws.com");
    assertThat(e.getMessage()).isEqualTo("CloudTrail Insight ApiCallRateInsight Start: RunInstances ec2.amazonaws.com");
    assertThat(e.getUnmapped()).containsEntry("insightDetails.insightType", "ApiCallRateInsight")
        .containsEntry("insightDetails.state", "Start").containsKey("insightDetails");
    assertThat(e.getCloud().getAccountUid()).isEqualTo("111122223333");
  }

  /**
   * The record shapes of the CloudTrail record contents reference beyond API calls: a network activity event
   * (eventCategory NetworkActivity, eventType AwsVpceEvent, denied by the VPC endpoint policy), a data event with
   * tlsDetails and sessionCredentialFromConsole, an AWS service event (userIdentity AWSService, serviceEventDetails)
   * and an edge device call (edgeDeviceDetails).
   */
  @Test
  void networkActivityDataServiceAndEdgeDeviceRecords() throws Exception {
    String doc = "{\"Records\":[{\"eventVersion\":\"1.11\",\"userIdentity\":{\"type\":\"AWSAccount\",\"principalId\":\"\","
        + "\"accountId\":\"444455556666\"},\"eventTime\":\"2025-01-10T08:00:00Z\",\"eventSource\":\"kms.amazonaws.com\","
        + "\"eventName\":\"Decrypt\",\"awsRegion\":\"eu-west-1\",\"sourceIPAddress\":\"10.20.1.37\",\"userAgent\":\"aws-cli/2\","
        + "\"errorCode\":\"VpceAccessDenied\",\"errorMessage\":\"The request was denied due to a VPC endpoint policy\","
        + "\"requestID\":\"r-1\",\"eventID\":\"e-1\",\"readOnly\":true,\"eventType\":\"AwsVpceEvent\",\"managementEvent\":false,"
        + "\"recipientAccountId\":\"111122223333\",\"sharedEventID\":\"s-1\",\"vpcEndpointId\":\"vpce-0a1b2c3d4e5f60718\","
        + "\"vpcEndpointAccountId\":\"111122223333\",\"eventCategory\":\"NetworkActivity\"},"
        + "{\"eventVersion\":\"1.10\",\"userIdentity\":{\"type\":\"AssumedRole\",\"arn\":"
        + "\"arn:aws:sts::111122223333:assumed-role/Admin/alice\",\"accountId\":\"111122223333\",\"accessKeyId\":\"ASIAEXAMPLE\"},"
        + "\"eventTime\":\"2025-01-10T08:01:00Z\",\"eventSource\":\"s3.amazonaws.com\",\"eventName\":\"GetObject\","
        + "\"awsRegion\":\"eu-west-1\",\"sourceIPAddress\":\"198.51.100.23\",\"requestParameters\":{\"bucketName\":\"b\","
        + "\"key\":\"k\"},\"eventID\":\"e-2\",\"readOnly\":true,\"eventType\":\"AwsApiCall\",\"managementEvent\":false,"
        + "\"eventCategory\":\"Data\",\"sessionCredentialFromConsole\":\"true\",\"tlsDetails\":{\"tlsVersion\":\"TLSv1.3\","
        + "\"cipherSuite\":\"TLS_AES_128_GCM_SHA256\",\"clientProvidedHostHeader\":\"b.s3.eu-west-1.amazonaws.com\"}},"
        + "{\"eventVersion\":\"1.08\",\"userIdentity\":{\"accountId\":\"111122223333\",\"invokedBy\":\"AWS Internal\"},"
        + "\"eventTime\":\"2025-01-10T08:02:00Z\",\"eventSource\":\"kms.amazonaws.com\",\"eventName\":\"RotateKey\","
        + "\"awsRegion\":\"eu-west-1\",\"sourceIPAddress\":\"AWS Internal\",\"eventID\":\"e-3\",\"readOnly\":false,"
        + "\"eventType\":\"AwsServiceEvent\",\"managementEvent\":true,\"eventCategory\":\"Management\","
        + "\"serviceEventDetails\":{\"keyId\":\"k-1\"}},"
        + "{\"eventVersion\":\"1.09\",\"userIdentity\":{\"type\":\"IAMUser\",\"userName\":\"ops\",\"accountId\":\"111122223333\"},"
        + "\"eventTime\":\"2025-01-10T08:03:00Z\",\"eventSource\":\"snowballedge.amazonaws.com\",\"eventName\":\"ListAccessKeys\","
        + "\"awsRegion\":\"eu-west-1\",\"sourceIPAddress\":\"192.0.2.10\",\"eventID\":\"e-4\",\"eventType\":\"AwsApiCall\","
        + "\"eventCategory\":\"Management\",\"edgeDeviceDetails\":{\"type\":\"Snowball Edge\",\"deviceID\":\"JID-1\"}}]}";
    CollectingOutput out = parse(doc, Framing.WHOLE, "AWSLogs/111122223333/CloudTrail/eu-west-1/x.json.gz");
    assertThat(out.rejections).isEmpty();
    assertThat(out.events).hasSize(4);
    EvidenceEvent vpce = out.events.get(0);
    assertThat(vpce.getStatus()).isEqualTo("Failure");
    assertThat(vpce.getStatusCode()).isEqualTo("VpceAccessDenied");
    assertThat(vpce.getSrcEndpoint().getIp()).isEqualTo("10.20.1.37");
    assertThat(vpce.getSrcEndpoint().getInterfaceUid()).isEqualTo("vpce-0a1b2c3d4e5f60718");
    assertThat(vpce.getCloud().getAccountUid()).isEqualTo("111122223333");
    assertThat(vpce.getUnmapped()).containsEntry("eventCategory", "NetworkActivity")
        .containsEntry("eventType", "AwsVpceEvent").containsEntry("vpcEndpointAccountId", "111122223333");
    EvidenceEvent data = out.events.get(1);
    assertThat(data.getUnmapped()).containsEntry("eventCategory", "Data")
        .containsEntry("sessionCredentialFromConsole", "true")
        .containsEntry("tlsDetails.clientProvidedHostHeader", "b.s3.eu-west-1.amazonaws.com");
    assertThat(data.getActor().getCredentialUid()).isEqualTo("ASIAEXAMPLE");
    EvidenceEvent service = out.events.get(2);
    assertThat(service.getSrcEndpoint().getDomain()).isEqualTo("AWS Internal");
    assertThat(service.getUnmapped()).containsEntry("eventType", "AwsServiceEvent").containsKey("serviceEventDetails");
    assertThat(out.events.get(3).getUnmapped()).containsKey("edgeDeviceDetails");
  }

  @Test
  void emptyRecordsFileGivesNothing() throws Exception {
    CollectingOutput out = parse("{\"Records\":[]}", Framing.WHOLE, "x");
    assertThat(out.events).isEmpty();
    assertThat(out.rejections).isEmpty();
  }

  @Test
  void digestFileIsNotRecognized() throws Exception {
    CollectingOutput out = parse(
        "{\"awsAccountId\":\"1\",\"digestStartTime\":\"2024-01-01T00:00:00Z\",\"logFiles\":[]}", Framing.WHOLE, "x");
    assertThat(out.events).isEmpty();
    assertThat(out.rejections).singleElement().satisfies(r -> assertThat(r.reason().code()).isEqualTo("not_recognized"));
  }

  @Test
  void activityTable() {
    assertThat(CloudTrailMapper.activityOf("RunInstances", false)).isEqualTo(OcsfClass.ACTIVITY_CREATE);
    assertThat(CloudTrailMapper.activityOf("AttachRolePolicy", false)).isEqualTo(OcsfClass.ACTIVITY_CREATE);
    assertThat(CloudTrailMapper.activityOf("StartLogging", false)).isEqualTo(OcsfClass.ACTIVITY_CREATE);
    assertThat(CloudTrailMapper.activityOf("DescribeInstances", false)).isEqualTo(OcsfClass.ACTIVITY_READ);
    assertThat(CloudTrailMapper.activityOf("BatchGetSecretValue", false)).isEqualTo(OcsfClass.ACTIVITY_READ);
    assertThat(CloudTrailMapper.activityOf("ModifySnapshotAttribute", false)).isEqualTo(OcsfClass.ACTIVITY_UPDATE);
    assertThat(CloudTrailMapper.activityOf("PutEventSelectors", false)).isEqualTo(OcsfClass.ACTIVITY_CREATE);
    assertThat(CloudTrailMapper.activityOf("DisableKey", false)).isEqualTo(OcsfClass.ACTIVITY_UPDATE);
    assertThat(CloudTrailMapper.activityOf("DisassociateAddress", false)).isEqualTo(OcsfClass.ACTIVITY_DELETE);
    assertThat(CloudTrailMapper.activityOf("DeleteTrail", false)).isEqualTo(OcsfClass.ACTIVITY_DELETE);
    assertThat(CloudTrailMapper.activityOf("StopLogging", false)).isEqualTo(OcsfClass.ACTIVITY_DELETE);
    assertThat(CloudTrailMapper.activityOf("TerminateInstances", false)).isEqualTo(OcsfClass.ACTIVITY_DELETE);
    assertThat(CloudTrailMapper.activityOf("ConsoleLogin", false)).isEqualTo(OcsfClass.ACTIVITY_OTHER);
    assertThat(CloudTrailMapper.activityOf("Settle", false)).isEqualTo(OcsfClass.ACTIVITY_OTHER);
    assertThat(CloudTrailMapper.activityOf("Decrypt", true)).isEqualTo(OcsfClass.ACTIVITY_READ);
  }

  /** The first-word lookup agrees with trying each prefix in order (the table's definition) on tricky names. */
  @Test
  void activityLookupAgreesWithThePrefixRule() {
    String[][] lists = { // in priority order, as the mapper's class comment lists them
      {"BatchGet", "Get", "List", "Describe", "Head", "Lookup", "Search", "Scan", "Query", "Select"},
      {"BatchDelete", "Delete", "Remove", "Detach", "Terminate", "Stop", "Revoke", "Disassociate", "Deregister",
          "Release", "Cancel", "Untag", "Purge", "Unsubscribe"},
      {"BatchPut", "BatchCreate", "Create", "Run", "Put", "Add", "Attach", "Start", "Import", "Register",
          "Allocate", "Associate", "Copy", "Upload", "Authorize", "Launch", "Issue", "Generate", "Restore",
          "Subscribe", "Tag"},
      {"Update", "Modify", "Set", "Change", "Enable", "Disable", "Replace", "Reset", "Edit", "Rotate", "Apply"}};
    int[] activities = {
      OcsfClass.ACTIVITY_READ, OcsfClass.ACTIVITY_DELETE, OcsfClass.ACTIVITY_CREATE, OcsfClass.ACTIVITY_UPDATE};
    List<String> names = new ArrayList<>(List.of("", "B", "Batch", "BatchWriteItem", "BatchGet", "Getter", "GetX",
        "Get2Object", "getObject", "GETObject", "Untagged", "UntagResource", "Tag", "Tagging", "ListObjectsV2",
        "Describe", "DescribeX", "Settle", "S", "ÉtatGet"));
    for (String[] l : lists) {
      for (String p : l) {
        names.add(p);
        names.add(p + "Object");
        names.add(p + "object");
        names.add(p + "S3");
      }
    }
    for (String n : names) {
      for (boolean readOnly : new boolean[] {false, true}) {
        int expected = readOnly ? OcsfClass.ACTIVITY_READ : OcsfClass.ACTIVITY_OTHER;
        search:
        for (int k = 0; k < lists.length; k++) {
          for (String p : lists[k]) {
            if (n.startsWith(p) && (n.length() == p.length() || Character.isUpperCase(n.charAt(p.length())))) {
              expected = activities[k];
              break search;
            }
          }
        }
        assertThat(CloudTrailMapper.activityOf(n, readOnly)).as(n + " readOnly=" + readOnly).isEqualTo(expected);
      }
    }
  }

  @Test
  void instanceIdsAndIps() {
    assertThat(CloudTrailMapper.instanceId("AROAX:i-0abc1234def567890", null)).isEqualTo("i-0abc1234def567890");
    assertThat(CloudTrailMapper.instanceId(null, "arn:aws:sts::1:assumed-role/r/i-12345678")).isEqualTo("i-12345678");
    assertThat(CloudTrailMapper.instanceId("AROAX:alice", "arn:aws:sts::1:assumed-role/r/alice")).isNull();
    assertThat(CloudTrailMapper.instanceId("i-0abc1234def567890", null)).isEqualTo("i-0abc1234def567890");
    assertThat(CloudTrailMapper.instanceId("AROAX:xi-12345678", null)).isNull(); // not after ':' or '/'
    assertThat(CloudTrailMapper.instanceId("AROAX:i-1234567", null)).isNull(); // 7 digits
    assertThat(CloudTrailMapper.instanceId("AROAX:i-123456789", null)).isNull(); // 9 digits
    assertThat(CloudTrailMapper.instanceId("AROAX:i-1234567g", null)).isNull();
    assertThat(CloudTrailMapper.instanceId("a/i-12345678:x", "r/i-0abc1234def56789a")).isEqualTo("i-0abc1234def56789a");
    assertThat(CloudTrailMapper.isIp("10.0.0.1")).isTrue();
    assertThat(CloudTrailMapper.isIp("2001:db8::1")).isTrue();
    assertThat(CloudTrailMapper.isIp("ec2.amazonaws.com")).isFalse();
    assertThat(CloudTrailMapper.isIp("AWS Internal")).isFalse();
    assertThat(CloudTrailMapper.isIp("300.1.1.1")).isFalse();
    assertThat(CloudTrailMapper.isIp("255.255.255.255")).isTrue();
    assertThat(CloudTrailMapper.isIp("0.0.0.0")).isTrue();
    assertThat(CloudTrailMapper.isIp("010.1.1.1")).isTrue(); // 1-3 digits each, as written
    for (String bad : new String[] {"1.2.3", "1.2.3.4.5", "1..2.3", ".1.2.3", "1.2.3.", "1.2.3.256", "1.2.3.1000",
        "1.2.3.a", "1.2.3.4 ", "١.٢.٣.٤"}) {
      assertThat(CloudTrailMapper.isIp(bad)).as(bad).isFalse();
    }
  }

  private static int nthIndexOf(String s, String x, int n) {
    int i = -1;
    for (int k = 0; k < n; k++) i = s.indexOf(x, i + 1);
    return i;
  }

  @Test
  void sessionNameOfAnAssumedRoleArn() {
    assertThat(CloudTrailMapper.sessionName("arn:aws:sts::111122223333:assumed-role/eks-node-role/i-0abc123"))
        .isEqualTo("i-0abc123");
    assertThat(CloudTrailMapper.sessionName("arn:aws:iam::111122223333:user/alice")).isNull();
    assertThat(CloudTrailMapper.sessionName("arn:aws:sts::111122223333:assumed-role/r/")).isNull();
    assertThat(CloudTrailMapper.sessionName(null)).isNull();
  }

  /**
   * requestParameters bucketName / key name the S3 bucket and object once: not again when resources[] already has
   * their ARN with the same type; added when it is missing, or there under another type (own synthetic records,
   * resources[] shaped as in the CloudTrail user guide's S3 data events).
   */
  @Test
  void s3BucketAndObjectFromRequestParametersAreNotDuplicated() throws Exception {
    String rp = "\"requestParameters\":{\"bucketName\":\"b1\",\"key\":\"d/o.json\"}";
    String base = "{\"eventName\":\"GetObject\",\"eventSource\":\"s3.amazonaws.com\"," + rp;
    String named = base + ",\"resources\":[{\"type\":\"AWS::S3::Object\",\"ARN\":\"arn:aws:s3:::b1/d/o.json\"},"
        + "{\"type\":\"AWS::S3::Bucket\",\"ARN\":\"arn:aws:s3:::b1\"}]}";
    String none = base + "}";
    String otherType = base + ",\"resources\":[{\"type\":\"X\",\"ARN\":\"arn:aws:s3:::b1\"},"
        + "{\"type\":\"AWS::S3::Object\",\"ARN\":\"arn:aws:s3:::b1/d/o.jsonx\"}]}";
    List<EvidenceEvent> events =
        parse(named + "\n" + none + "\n" + otherType + "\n", Framing.LINES, "s3.jsonl").events;
    assertThat(events).hasSize(3);
    assertThat(resources(events.get(0)))
        .containsExactly("AWS::S3::Object arn:aws:s3:::b1/d/o.json null", "AWS::S3::Bucket arn:aws:s3:::b1 null");
    assertThat(resources(events.get(1)))
        .containsExactly("AWS::S3::Bucket arn:aws:s3:::b1 b1", "AWS::S3::Object arn:aws:s3:::b1/d/o.json d/o.json");
    assertThat(resources(events.get(2)))
        .containsExactly(
            "X arn:aws:s3:::b1 null",
            "AWS::S3::Object arn:aws:s3:::b1/d/o.jsonx null",
            "AWS::S3::Bucket arn:aws:s3:::b1 b1",
            "AWS::S3::Object arn:aws:s3:::b1/d/o.json d/o.json");
  }

  /**
   * ECR PutImage: the response names the digest the push wrote under the tag (the request has only the manifest), so
   * the event carries the image as container.image_digest / image_name: a tag overwritten by a leaked CI key is found
   * by the digest the pods ran (SupplyChainRolloutScenarioIT). BatchGetImage by tag answers nothing CloudTrail logs:
   * no image.
   */
  @Test
  void ecrPutImageNamesThePushedDigestAndReference() throws Exception {
    String digest = "sha256:" + "e4c2".repeat(16);
    String put = "{\"eventTime\":\"2026-11-25T10:03:30Z\",\"eventSource\":\"ecr.amazonaws.com\",\"eventName\":\"PutImage\","
        + "\"awsRegion\":\"eu-central-1\",\"recipientAccountId\":\"173205080756\",\"userIdentity\":{\"type\":\"IAMUser\","
        + "\"arn\":\"arn:aws:iam::173205080756:user/ci\",\"accessKeyId\":\"AKIAEXAMPLE000000001\",\"userName\":\"ci\"},"
        + "\"requestParameters\":{\"repositoryName\":\"merch/catalog-api\",\"imageTag\":\"v2.3.1\",\"imageManifest\":\"{}\"},"
        + "\"responseElements\":{\"image\":{\"registryId\":\"173205080756\",\"repositoryName\":\"merch/catalog-api\","
        + "\"imageId\":{\"imageDigest\":\"" + digest + "\",\"imageTag\":\"v2.3.1\"},\"imageManifest\":\"{}\"}}}";
    String byDigest = put.replace(",\"imageTag\":\"v2.3.1\"}", "}");
    String get = "{\"eventTime\":\"2026-11-25T10:04:11Z\",\"eventSource\":\"ecr.amazonaws.com\",\"eventName\":\"BatchGetImage\","
        + "\"awsRegion\":\"eu-central-1\",\"requestParameters\":{\"repositoryName\":\"merch/catalog-api\",\"imageIds\":"
        + "[{\"imageTag\":\"v2.3.1\"}]},\"responseElements\":null}";
    List<EvidenceEvent> events = parse(put + "\n" + byDigest + "\n" + get + "\n", Framing.LINES, "ecr.jsonl").events;
    assertThat(events).hasSize(3);
    String repo = "173205080756.dkr.ecr.eu-central-1.amazonaws.com/merch/catalog-api";
    assertThat(events.get(0).getContainer().getImageDigest()).isEqualTo(digest);
    assertThat(events.get(0).getContainer().getImageName()).isEqualTo(repo + ":v2.3.1");
    assertThat(events.get(0).getContainer().getUid()).isNull();
    assertThat(events.get(1).getContainer().getImageName()).isEqualTo(repo + "@" + digest);
    assertThat(events.get(2).getContainer()).isNull();
  }

  private static List<String> resources(EvidenceEvent e) {
    return e.getResources().stream().map(r -> r.getType() + " " + r.getUid() + " " + r.getName()).toList();
  }
}
