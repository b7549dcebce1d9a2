package dev.strata.parse.formats.awscloudtrail;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.parse.ChunkContext;
import dev.strata.parse.Json;
import dev.strata.parse.JsonRecordStream;
import dev.strata.parse.JsonRecordStream.RecordException;
import dev.strata.parse.JsonRecordStream.RecordSpan;
import dev.strata.parse.JsonRecordStream.Source;
import dev.strata.parse.OcsfClass;
import dev.strata.parse.RejectReason;
import dev.strata.schema.event.Actor;
import dev.strata.schema.event.Api;
import dev.strata.schema.event.Cloud;
import dev.strata.schema.event.Endpoint;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.event.HttpRequest;
import dev.strata.schema.event.Resource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One CloudTrail record (eventVersion 1.0 to 1.11; any 1.x is read, another major is unsupported_version) to OCSF
 * 6003 API Activity.
 *
 * <pre>
 * userIdentity  -> actor: user_name = userName, else sessionContext.sessionIssuer.userName, else the last segment
 *                  of the ARN, else invokedBy; user_uid = arn, else principalId; user_type = type; account_uid =
 *                  accountId; credential_uid = accessKeyId; session_issuer = sessionIssuer.arn; invoked_by.
 *                  Every userIdentity field (sessionContext.attributes.*, webIdFederationData, sourceIdentity,
 *                  ec2RoleDelivery, assumedRoot, identityProvider, onBehalfOf, credentialId, ...) also goes to
 *                  unmapped as userIdentity.* (dotted keys).
 * eventSource, eventName, apiVersion, requestID (else eventID), errorCode, errorMessage
 *               -> api.service, operation, version, request_uid, response_error, response_message
 * eventName     -> activity (first match; the prefix must be followed by an upper-case letter or end the name):
 *                  2 Read   BatchGet Get List Describe Head Lookup Search Scan Query Select
 *                  1 Create Create Run Put Add Attach Start Import Register Allocate Associate Copy Upload Authorize
 *                           Launch Issue Generate Restore Subscribe Tag BatchPut BatchCreate
 *                  3 Update Update Modify Set Change Enable Disable Replace Reset Edit Rotate Apply
 *                  4 Delete Delete Remove Detach Terminate Stop Revoke Disassociate Deregister Release Cancel
 *                           Untag Purge Unsubscribe BatchDelete
 *                  readOnly=true otherwise -> 2 Read; else 99 Other (activity_name = eventName)
 * errorCode     -> status Failure (status_code = errorCode, status_detail = errorMessage); ConsoleLogin with
 *                  responseElements.ConsoleLogin = "Failure" -> Failure; else Success
 * recipientAccountId (else userIdentity.accountId, else evidence context), awsRegion (else context)
 *               -> cloud {provider aws, account_uid, region}; an EC2 instance id ending the principalId or ARN
 *                  (role session of an instance profile) -> cloud.instance_uid
 * sourceIPAddress -> src_endpoint.ip if an IP literal, else src_endpoint.domain (e.g. ec2.amazonaws.com,
 *                  "AWS Internal"); vpcEndpointId -> src_endpoint.interface_uid (and unmapped)
 * userAgent     -> http_request.user_agent
 * resources[]   -> resources (type, uid = ARN); plus notable requestParameters: bucketName (+key), instanceId,
 *                  instanceIds, instancesSet.items[].instanceId, roleName, userName, policyArn, functionName,
 *                  secretId, snapshotId, imageId, groupId, dBSnapshotIdentifier, keyId, trail name
 * eventTime     -> time (UTC)
 * unmapped      -> eventVersion, eventID, eventType, eventCategory, managementEvent, readOnly, sharedEventID,
 *                  recipientAccountId, vpcEndpointId, vpcEndpointAccountId, sessionCredentialFromConsole,
 *                  requestParameters / responseElements / additionalEventData / serviceEventDetails /
 *                  edgeDeviceDetails / insightDetails / resources (original JSON text, bounded), addendum.*,
 *                  tlsDetails.*, any other field as is; wrapper fields as lookup.*, eventbridge.*, lake.*
 * </pre>
 *
 * The evidence host is not the device of a cloud API call: it goes to unmapped["strata.evidence_host"].
 */
final class CloudTrailMapper implements JsonRecordStream.RecordMapper {

  static final int MAX_JSON_BYTES = 64 * 1024;
  private static final int MAX_FLAT = 8 * 1024;

  private static final Pattern INSTANCE_ID = Pattern.compile("(?:^|[:/])(i-[0-9a-fA-F]{8}(?:[0-9a-fA-F]{9})?)$");

  private static final String[] READ = {
    "BatchGet", "Get", "List", "Describe", "Head", "Lookup", "Search", "Scan", "Query", "Select"
  };
  private static final String[] DELETE = {
    "BatchDelete", "Delete", "Remove", "Detach", "Terminate", "Stop", "Revoke", "Disassociate", "Deregister",
    "Release", "Cancel", "Untag", "Purge", "Unsubscribe"
  };
  private static final String[] CREATE = {
    "BatchPut", "BatchCreate", "Create", "Run", "Put", "Add", "Attach", "Start", "Import", "Register", "Allocate",
    "Associate", "Copy", "Upload", "Authorize", "Launch", "Issue", "Generate", "Restore", "Subscribe", "Tag"
  };
  private static final String[] UPDATE = {
    "Update", "Modify", "Set", "Change", "Enable", "Disable", "Replace", "Reset", "Edit", "Rotate", "Apply"
  };

  private final ChunkContext ctx;

  private String eventVersion;
  private String eventTime;
  private String eventSource;
  private String eventName;
  private String awsRegion;
  private String sourceIp;
  private String userAgent;
  private String errorCode;
  private String errorMessage;
  private String requestId;
  private String eventId;
  private String apiVersion;
  private String readOnly;
  private String recipientAccountId;
  private String vpcEndpointId;
  private JsonNode userIdentity;
  private JsonNode requestParameters;
  private JsonNode tlsDetails;
  private JsonNode addendum;
  private final List<JsonNode> resources = new ArrayList<>(2);
  private final Map<String, String> other = new LinkedHashMap<>();
  private final Map<String, String> top = new LinkedHashMap<>();
  private String embedded; // lookup-events CloudTrailEvent / Lake eventData as a string
  private String wrapperKind; // null, "lookup", "eventbridge", "lake"
  private boolean inner;

  CloudTrailMapper(ChunkContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void begin() {
    eventVersion = eventTime = eventSource = eventName = awsRegion = sourceIp = userAgent = null;
    errorCode = errorMessage = requestId = eventId = apiVersion = readOnly = recipientAccountId = null;
    vpcEndpointId = null;
    userIdentity = requestParameters = tlsDetails = addendum = null;
    resources.clear();
    other.clear();
    top.clear();
    embedded = wrapperKind = null;
    inner = false;
  }

  @Override
  public void field(String name, JsonParser p, Source src) throws IOException {
    JsonToken t = p.currentToken();
    switch (name) {
      case "eventVersion" -> eventVersion = Json.scalarText(p);
      case "eventTime" -> eventTime = Json.scalarText(p);
      case "eventSource" -> eventSource = Json.scalarText(p);
      case "eventName" -> eventName = Json.scalarText(p);
      case "awsRegion" -> awsRegion = Json.scalarText(p);
      case "sourceIPAddress" -> sourceIp = Json.scalarText(p);
      case "userAgent" -> userAgent = Json.scalarText(p);
      case "errorCode" -> errorCode = Json.scalarText(p);
      case "errorMessage" -> errorMessage = Json.scalarText(p);
      case "requestID" -> requestId = Json.scalarText(p);
      case "eventID" -> eventId = Json.scalarText(p);
      case "apiVersion" -> apiVersion = Json.scalarText(p);
      case "readOnly" -> readOnly = keep(name, Json.scalarText(p));
      case "recipientAccountId" -> recipientAccountId = keep(name, Json.scalarText(p));
      case "vpcEndpointId" -> vpcEndpointId = keep(name, Json.scalarText(p));
      case "userIdentity" -> userIdentity = Json.tree(p);
      case "tlsDetails" -> tlsDetails = Json.tree(p);
      case "addendum" -> addendum = Json.tree(p);
      case "requestParameters" -> {
        if (t == JsonToken.START_OBJECT) {
          long s = p.currentTokenLocation().getByteOffset();
          requestParameters = Json.tree(p);
          other.put(name, src.text(s, p.currentLocation().getByteOffset(), MAX_JSON_BYTES));
        } else {
          keep(name, Json.scalarText(p));
        }
      }
      case "resources" -> {
        if (t == JsonToken.START_ARRAY) {
          long s = p.currentTokenLocation().getByteOffset();
          JsonNode r = Json.tree(p);
          resources.add(r);
          (inner ? other : top).put(name, src.text(s, p.currentLocation().getByteOffset(), MAX_JSON_BYTES));
        } else {
          keep(name, src.valueText(p, MAX_JSON_BYTES));
        }
      }
      case "CloudTrailEvent", "eventData" -> {
        if (!inner && t == JsonToken.VALUE_STRING) {
          embedded = p.getText();
          wrapperKind = name.equals("eventData") ? "lake" : "lookup";
        } else if (!inner && t == JsonToken.START_OBJECT) {
          wrapperKind = "lake";
          streamInner(p, src);
        } else {
          keep(name, src.valueText(p, MAX_JSON_BYTES));
        }
      }
      case "detail" -> {
        if (!inner && t == JsonToken.START_OBJECT) {
          wrapperKind = "eventbridge";
          streamInner(p, src);
        } else {
          keep(name, src.valueText(p, MAX_JSON_BYTES));
        }
      }
      default -> {
        String v = src.valueText(p, MAX_JSON_BYTES);
        if (v != null) (inner ? other : top).put(name, v);
      }
    }
  }

  private void streamInner(JsonParser p, Source src) throws IOException {
    inner = true;
    try {
      JsonRecordStream.readFields(p, this, src);
    } finally {
      inner = false;
    }
  }

  /** A field that also goes to unmapped as is. */
  private String keep(String name, String v) {
    if (v != null) other.put(name, v);
    return v;
  }

  @Override
  public EvidenceEvent end(RecordSpan span) throws RecordException {
    if (!isRecord() && embedded != null) {
      String json = embedded;
      embedded = null;
      inner = true;
      JsonRecordStream.readObject(json.getBytes(StandardCharsets.UTF_8), this);
      inner = false;
    }
    if (!isRecord()) {
      if (top.containsKey("digestStartTime") || top.containsKey("logFiles")) {
        throw new RecordException(
            RejectReason.NOT_RECOGNIZED, "CloudTrail digest file (log integrity data), not a log record");
      }
      throw new RecordException(
          RejectReason.MISSING_FIELD, "not a CloudTrail record: no eventName, eventSource or eventID");
    }
    if (eventVersion != null && !eventVersion.isEmpty() && !eventVersion.startsWith("1.")
        && !eventVersion.equals("1")) {
      throw new RecordException(
          RejectReason.UNSUPPORTED_VERSION, "unsupported CloudTrail eventVersion " + eventVersion);
    }
    return map(span);
  }

  private boolean isRecord() {
    return eventName != null || eventSource != null || eventId != null;
  }

  private EvidenceEvent map(RecordSpan span) {
    int activity = activityOf(eventName, "true".equalsIgnoreCase(readOnly));
    String activityName =
        activity == OcsfClass.ACTIVITY_OTHER && eventName != null ? eventName : OcsfClass.apiActivityName(activity);
    EvidenceEvent e =
        ctx.newEvent(
            OcsfClass.API_ACTIVITY, activity, activityName, span.start(), span.end(), span.line(),
            span.ordinal(), 0);
    e.setSeverityId(1);
    e.setSeverity("Informational");
    e.setDevice(null);
    e.setKubernetes(null);
    Map<String, String> u = e.getUnmapped();
    if (ctx.host() != null) u.put("strata.evidence_host", ctx.host());
    ctx.applyTime(e, eventTime, "eventTime");

    // actor
    JsonNode issuer = at(userIdentity, "sessionContext", "sessionIssuer");
    String arn = Json.text(userIdentity, "arn");
    String principalId = Json.text(userIdentity, "principalId");
    String invokedBy = Json.text(userIdentity, "invokedBy");
    String accountId = Json.text(userIdentity, "accountId");
    String userName = Json.text(userIdentity, "userName");
    if (userName == null) userName = Json.text(issuer, "userName");
    if (userName == null && arn != null) userName = lastSegment(arn);
    if (userName == null) userName = invokedBy;
    if (userIdentity != null) {
      e.setActor(
          new Actor(
              userName,
              arn != null ? arn : principalId,
              Json.text(userIdentity, "type"),
              accountId,
              new ArrayList<>(0),
              Json.text(userIdentity, "accessKeyId"),
              Json.text(issuer, "arn"),
              invokedBy,
              null));
      Json.flatten(u, "userIdentity", userIdentity, MAX_FLAT);
    }

    // api + status
    e.setApi(
        new Api(
            eventSource,
            eventName,
            apiVersion,
            requestId != null ? requestId : eventId,
            null,
            errorCode,
            errorMessage));
    boolean consoleFailure =
        "ConsoleLogin".equals(eventName)
            && String.valueOf(other.getOrDefault("responseElements", top.get("responseElements")))
                .replace(" ", "")
                .contains("\"ConsoleLogin\":\"Failure\"");
    if (errorCode != null || consoleFailure) {
      e.setStatus("Failure");
      e.setStatusCode(errorCode);
      e.setStatusDetail(errorMessage);
    } else {
      e.setStatus("Success");
    }

    // cloud
    String account = recipientAccountId != null ? recipientAccountId : accountId;
    if (account == null) account = ctx.cloudAccount();
    String region = awsRegion != null ? awsRegion : ctx.cloudRegion();
    e.setCloud(new Cloud("aws", account, region, null, instanceId(principalId, arn), null));

    // source
    if (sourceIp != null || vpcEndpointId != null) {
      boolean ip = sourceIp != null && isIp(sourceIp);
      e.setSrcEndpoint(
          new Endpoint(ip ? sourceIp : null, null, null, ip ? null : sourceIp, null, vpcEndpointId));
    }
    if (userAgent != null) e.setHttpRequest(new HttpRequest(null, null, userAgent));

    // resources
    List<Resource> res = e.getResources();
    for (JsonNode arr : resources) {
      for (JsonNode r : arr) {
        if (r.isTextual()) {
          add(res, null, r.asText(), null); // EventBridge: ARNs
        } else if (r.isObject()) {
          String rarn = Json.text(r, "ARN");
          if (rarn == null) rarn = Json.text(r, "arn");
          String type = Json.text(r, "type");
          if (type == null) type = Json.text(r, "ResourceType");
          add(res, type, rarn, Json.text(r, "ResourceName"));
        }
      }
    }
    if (requestParameters != null) fromRequestParameters(res, requestParameters);

    // unmapped
    if (eventVersion != null) u.put("eventVersion", eventVersion);
    if (eventId != null) u.put("eventID", eventId);
    if (tlsDetails != null) Json.flatten(u, "tlsDetails", tlsDetails, MAX_FLAT);
    if (addendum != null) Json.flatten(u, "addendum", addendum, MAX_FLAT);
    u.putAll(other);
    String prefix = wrapperKind == null ? "" : wrapperKind + ".";
    for (Map.Entry<String, String> x : top.entrySet()) u.put(prefix + x.getKey(), x.getValue());

    StringBuilder msg = new StringBuilder(96);
    msg.append(userName == null ? "?" : userName).append(' ').append(eventName == null ? "?" : eventName);
    if (eventSource != null) msg.append(' ').append(eventSource);
    if (errorCode != null) msg.append(" failed: ").append(errorCode);
    else if (consoleFailure) msg.append(" failed");
    e.setMessage(msg.toString());
    e.setRawData(ctx.rawText(span.start(), span.end()));
    return e;
  }

  private void fromRequestParameters(List<Resource> res, JsonNode rp) {
    String bucket = Json.text(rp, "bucketName");
    if (bucket != null) {
      add(res, "AWS::S3::Bucket", "arn:aws:s3:::" + bucket, bucket);
      String key = Json.text(rp, "key");
      if (key != null) add(res, "AWS::S3::Object", "arn:aws:s3:::" + bucket + "/" + key, key);
    }
    String inst = Json.text(rp, "instanceId");
    if (inst != null) add(res, "AWS::EC2::Instance", null, inst);
    JsonNode ids = rp.get("instanceIds");
    if (ids != null && ids.isArray()) ids.forEach(x -> add(res, "AWS::EC2::Instance", null, x.asText()));
    JsonNode items = at(rp, "instancesSet", "items");
    if (items != null && items.isArray()) {
      for (JsonNode it : items) {
        String id = Json.text(it, "instanceId");
        if (id != null) add(res, "AWS::EC2::Instance", null, id);
      }
    }
    named(res, rp, "roleName", "AWS::IAM::Role");
    named(res, rp, "userName", "AWS::IAM::User");
    String policyArn = Json.text(rp, "policyArn");
    if (policyArn != null) add(res, "AWS::IAM::Policy", policyArn, null);
    named(res, rp, "functionName", "AWS::Lambda::Function");
    named(res, rp, "secretId", "AWS::SecretsManager::Secret");
    named(res, rp, "snapshotId", "AWS::EC2::Snapshot");
    named(res, rp, "imageId", "AWS::EC2::Image");
    named(res, rp, "groupId", "AWS::EC2::SecurityGroup");
    named(res, rp, "dBSnapshotIdentifier", "AWS::RDS::DBSnapshot");
    named(res, rp, "keyId", "AWS::KMS::Key");
    if ("cloudtrail.amazonaws.com".equals(eventSource)) {
      named(res, rp, "name", "AWS::CloudTrail::Trail");
      named(res, rp, "trailName", "AWS::CloudTrail::Trail");
    }
  }

  private static void named(List<Resource> res, JsonNode rp, String field, String type) {
    JsonNode v = rp.get(field);
    if (v == null || !v.isValueNode() || v.isNull()) return;
    String s = v.asText();
    if (s.startsWith("arn:")) add(res, type, s, null);
    else add(res, type, null, s);
  }

  private static void add(List<Resource> res, String type, String uid, String name) {
    if (uid == null && name == null) return;
    for (Resource r : res) {
      if (eq(r.getType(), type) && eq(r.getUid(), uid) && eq(r.getName(), name)) return;
      if (uid != null && uid.equals(r.getUid()) && (type == null || eq(type, r.getType()))) return;
    }
    res.add(new Resource(type, name, uid, null, null, null));
  }

  private static boolean eq(String a, String b) {
    return a == null ? b == null : a.equals(b);
  }

  static int activityOf(String eventName, boolean readOnly) {
    if (eventName != null) {
      if (matches(eventName, READ)) return OcsfClass.ACTIVITY_READ;
      if (matches(eventName, DELETE)) return OcsfClass.ACTIVITY_DELETE;
      if (matches(eventName, CREATE)) return OcsfClass.ACTIVITY_CREATE;
      if (matches(eventName, UPDATE)) return OcsfClass.ACTIVITY_UPDATE;
    }
    return readOnly ? OcsfClass.ACTIVITY_READ : OcsfClass.ACTIVITY_OTHER;
  }

  private static boolean matches(String name, String[] prefixes) {
    for (String p : prefixes) {
      if (name.startsWith(p)
          && (name.length() == p.length() || Character.isUpperCase(name.charAt(p.length())))) {
        return true;
      }
    }
    return false;
  }

  static String instanceId(String principalId, String arn) {
    for (String s : new String[] {principalId, arn}) {
      if (s == null) continue;
      Matcher m = INSTANCE_ID.matcher(s);
      if (m.find()) return m.group(1);
    }
    return null;
  }

  static String lastSegment(String arn) {
    int i = Math.max(arn.lastIndexOf('/'), arn.lastIndexOf(':'));
    String s = i < 0 ? arn : arn.substring(i + 1);
    return s.isEmpty() ? null : s;
  }

  private static JsonNode at(JsonNode n, String... path) {
    for (String p : path) {
      if (n == null) return null;
      n = n.get(p);
    }
    return n == null || n.isNull() || n.isMissingNode() ? null : n;
  }

  /** An IPv4 or IPv6 literal (no name lookups). */
  static boolean isIp(String s) {
    if (s.isEmpty() || s.length() > 45) return false;
    if (s.indexOf(':') >= 0) {
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        boolean ok = c == ':' || c == '.' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
        if (!ok) return false;
      }
      return true;
    }
    String[] parts = s.split("\\.", -1);
    if (parts.length != 4) return false;
    for (String p : parts) {
      if (p.isEmpty() || p.length() > 3) return false;
      for (int i = 0; i < p.length(); i++) if (p.charAt(i) < '0' || p.charAt(i) > '9') return false;
      if (Integer.parseInt(p) > 255) return false;
    }
    return true;
  }

}
