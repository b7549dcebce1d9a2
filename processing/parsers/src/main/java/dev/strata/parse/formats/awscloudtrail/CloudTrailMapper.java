package dev.strata.parse.formats.awscloudtrail;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.strata.parse.ChunkContext;
import dev.strata.parse.Json;
import dev.strata.parse.IpLiterals;
import dev.strata.parse.JsonRecordStream;
import dev.strata.parse.JsonRecordStream.RecordException;
import dev.strata.parse.JsonRecordStream.RecordSpan;
import dev.strata.parse.JsonRecordStream.Source;
import dev.strata.parse.OcsfClass;
import dev.strata.parse.RejectReason;
import dev.strata.schema.event.Actor;
import dev.strata.schema.event.Api;
import dev.strata.schema.event.Cloud;
import dev.strata.schema.event.Container;
import dev.strata.schema.event.Endpoint;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.event.HttpRequest;
import dev.strata.schema.event.Resource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One CloudTrail record (eventVersion 1.0 to 1.11; any 1.x is read, another major is unsupported_version) to OCSF
 * 3002 Authentication, 3001 Account Change or 6003 API Activity (the split of the OCSF CloudTrail mappings).
 *
 * <pre>
 * class         3002 Authentication: ConsoleLogin, SwitchRole, ExternalIdPDirectoryLogin and the sign-in /
 *                  Identity Center events of signin / sso / sso-directory (UserAuthentication, CredentialChallenge,
 *                  CredentialVerification, Authenticate, Federate, CheckMfa) -> 1 Logon; AssumeRole,
 *                  AssumeRoleWithSAML, AssumeRoleWithWebIdentity, AssumeRoot, AssumeRoleForPodIdentity (EKS Pod
 *                  Identity), GetRoleCredentials (Identity Center) -> 4 Service Ticket Request (credentials for
 *                  another principal); GetSessionToken, GetFederationToken, GetSigninToken -> 3 Authentication
 *                  Ticket (credentials for the caller)
 *               3001 Account Change (iam.amazonaws.com only): Create{User,Role,AccessKey,LoginProfile,Group,Policy,
 *                  ServiceLinkedRole} 1 Create; UpdateAccessKey Active 2 Enable / Inactive 5 Disable; ChangePassword
 *                  3 Password Change; UpdateLoginProfile 4 Password Reset; Delete{User,Role,AccessKey,LoginProfile,
 *                  Group,Policy,ServiceLinkedRole} 6 Delete; Attach*Policy, Put*Policy, Put*PermissionsBoundary,
 *                  UpdateAssumeRolePolicy 7 Attach Policy; Detach*Policy, Delete*Policy (inline),
 *                  Delete*PermissionsBoundary 8 Detach Policy; EnableMFADevice, CreateVirtualMFADevice,
 *                  ResyncMFADevice 10 MFA Factor Enable; DeactivateMFADevice, DeleteVirtualMFADevice 11 MFA Factor
 *                  Disable; other identity changes (group membership, policy versions, SSH keys, service-specific
 *                  credentials, signing certificates, user/role tags and updates) 99 Other (activity_name = eventName)
 *               6003 API Activity: everything else (activity below)
 * userIdentity  -> actor: user_name = userName, else sessionContext.sessionIssuer.userName, else the last segment
 *                  of the ARN, else invokedBy, else principalId; user_uid = arn, else principalId; user_type = type;
 *                  account_uid = accountId; credential_uid = accessKeyId; session_issuer = sessionIssuer.arn;
 *                  session_name = the session of an assumed-role ARN; invoked_by. By type: FederatedUser ->
 *                  user_name = session_name = the federated name (the issuer is the IAM user that asked);
 *                  IdentityCenterUser -> user_name / user_uid = onBehalfOf.userId, credential_uid = credentialId,
 *                  session_issuer = onBehalfOf.identityStoreArn; WebIdentityUser / SAMLUser -> session_issuer =
 *                  identityProvider (else webIdFederationData.federatedProvider); service_account = "ns/name" of a
 *                  "system:serviceaccount:ns:name" user name (EKS IRSA).
 *                  Every userIdentity field also goes to unmapped as userIdentity.* (dotted keys).
 * credential issue (the Authentication events): requestParameters roleArn / roleSessionName / tags (EKS Pod
 *                  Identity session tags kubernetes-namespace, kubernetes-service-account, kubernetes-pod-name,
 *                  kubernetes-pod-uid, eks-cluster-arn) / clusterName and responseElements credentials.accessKeyId,
 *                  expiration, assumedRoleUser.arn (federatedUser.arn), subjectFromWebIdentityToken,
 *                  subject.namespace/serviceAccount, podIdentityAssociation.associationArn -> unmapped
 *                  strata.issued.credential_uid (the NEW access key: binds key -> session -> service account for
 *                  the correlation job), strata.issued.expiration, strata.issued.session_arn,
 *                  strata.issued.session_name, strata.issued.role_arn, strata.issued.service_account (ns/name),
 *                  strata.issued.pod_identity_association; actor.service_account = the service account the
 *                  credentials are issued to (IRSA: the caller itself; Pod Identity: on whose behalf the agent or
 *                  pods.eks.amazonaws.com asked) when the actor has none; actor.session_name = the issued session
 *                  when the actor has no session of its own; Pod Identity -> kubernetes.cluster / namespace /
 *                  pod_name / pod_uid
 * eventName     -> API Activity activity (first match; the prefix must be followed by an upper-case letter or end
 *                  the name):
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
 *                  instanceIds, instancesSet.items[].instanceId, roleArn (+ roleName), userName, policyArn, functionName,
 *                  secretId, snapshotId, imageId, groupId, dBSnapshotIdentifier, keyId, trail name
 * eventTime     -> time (UTC)
 * unmapped      -> eventVersion, eventID, eventType, eventCategory, managementEvent, readOnly, sharedEventID,
 *                  recipientAccountId, vpcEndpointId, vpcEndpointAccountId, sessionCredentialFromConsole,
 *                  requestParameters / responseElements / additionalEventData / serviceEventDetails /
 *                  edgeDeviceDetails / insightDetails / resources (original JSON text, bounded), addendum.*,
 *                  tlsDetails.*, any other field as is; wrapper fields as lookup.*, eventbridge.*, lake.*,
 *                  cloudwatch.* (CloudWatch Logs log event: timestamp, logStreamName, id / eventId, ingestionTime)
 * </pre>
 *
 * The evidence host is not the device of a cloud API call: it goes to unmapped["strata.evidence_host"].
 */
final class CloudTrailMapper implements JsonRecordStream.RecordMapper {

  static final int MAX_JSON_BYTES = 64 * 1024;
  private static final int MAX_FLAT = 8 * 1024;

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
  private boolean userIdentitySeen;
  private final String[] rp = new String[Param.values().length]; // kept requestParameters, by Param ordinal
  private boolean rpAny;
  private final List<String> rpInstances = new ArrayList<>(2);
  private final List<String> resources = new ArrayList<>(6); // (type, uid, name) triples of resources[]
  private final IssuedCredentials issued = new IssuedCredentials();
  private Map<String, String> other = new HashMap<>(); // becomes the event's unmapped
  private final Map<String, String> top = new LinkedHashMap<>(); // unknown top-level fields (wrapper fields)
  private String embedded; // lookup-events CloudTrailEvent / Lake eventData as a string
  /** The text of a CloudWatch Logs subscription's control message's log event. */
  static final String CONTROL_MESSAGE = "CWL CONTROL MESSAGE";
  private String wrapperKind; // null, "lookup", "eventbridge", "lake", "cloudwatch"
  private boolean inner;
  private Cloud sharedCloud; // see cloud()
  /** actor.groups: CloudTrail names none; one empty list for the chunk. */
  private final List<String> noGroups = List.of();

  CloudTrailMapper(ChunkContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void begin() {
    eventVersion = eventTime = eventSource = eventName = awsRegion = sourceIp = userAgent = null;
    errorCode = errorMessage = requestId = eventId = apiVersion = readOnly = recipientAccountId = null;
    vpcEndpointId = null;
    java.util.Arrays.fill(rp, null);
    rpAny = false;
    rpInstances.clear();
    userIdentitySeen = false;
    resources.clear();
    issued.clear();
    other = new HashMap<>(64);
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
      case "userIdentity" -> {
        if (t == JsonToken.START_OBJECT) {
          userIdentitySeen = true;
          src.flatten(p, "userIdentity", other, MAX_FLAT); // keys userIdentity.*
        } else {
          keep(name, src.valueText(p, MAX_JSON_BYTES));
        }
      }
      case "tlsDetails", "addendum" -> {
        if (t == JsonToken.START_OBJECT) src.flatten(p, name, other, MAX_FLAT);
        else keep(name, src.valueText(p, MAX_JSON_BYTES));
      }
      case "requestParameters" -> {
        if (t == JsonToken.START_OBJECT) {
          long s = p.currentTokenLocation().getByteOffset();
          requestParameters(p);
          other.put(name, src.text(s, p.currentLocation().getByteOffset(), MAX_JSON_BYTES));
        } else {
          keep(name, Json.scalarText(p));
        }
      }
      case "resources" -> {
        if (t == JsonToken.START_ARRAY) {
          long s = p.currentTokenLocation().getByteOffset();
          resources(p);
          (inner ? other : top).put(name, src.text(s, p.currentLocation().getByteOffset(), MAX_JSON_BYTES));
        } else {
          keep(name, src.valueText(p, MAX_JSON_BYTES));
        }
      }
      case "responseElements" -> {
        if (t == JsonToken.START_OBJECT) {
          long s = p.currentTokenLocation().getByteOffset();
          issued.responseElements(p);
          other.put(name, src.text(s, p.currentLocation().getByteOffset(), MAX_JSON_BYTES));
        } else {
          keep(name, src.valueText(p, MAX_JSON_BYTES));
        }
      }
      case "additionalEventData", "serviceEventDetails", "edgeDeviceDetails", "insightDetails",
          "eventType", "managementEvent", "eventCategory", "sharedEventID", "sessionCredentialFromConsole",
          "vpcEndpointAccountId" -> keep(name, src.valueText(p, MAX_JSON_BYTES));
      case "CloudTrailEvent", "eventData", "eventJson", "message" -> {
        if (!inner && t == JsonToken.VALUE_STRING) {
          embedded = p.getText();
          wrapperKind = switch (name) {
            case "eventData", "eventJson" -> "lake";
            case "message" -> "cloudwatch";
            default -> "lookup";
          };
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
        if (v == null) return;
        if (name.startsWith("userIdentity.")) { // CloudTrail Lake query columns: userIdentity.arn, ...
          userIdentitySeen = true;
          other.put(name, v);
        } else {
          (inner ? other : top).put(name, v);
        }
      }
    }
  }

  /**
   * The requestParameters fields kept (scalars): those that name a resource, UpdateAccessKey's status, and those that
   * describe issued credentials (see the class comment). Named as in the JSON.
   */
  private enum Param {
    bucketName, key, instanceId, roleName, userName, policyArn, functionName, secretId, snapshotId, imageId, groupId,
    dBSnapshotIdentifier, keyId, name, trailName, roleArn, status, roleSessionName, clusterName;

    static final Map<String, Param> BY_NAME = new HashMap<>();

    static {
      for (Param x : values()) BY_NAME.put(x.name(), x);
    }
  }

  /**
   * Streams a resources array (at START_ARRAY) into {@link #resources}: a string element is an ARN (EventBridge),
   * an object gives ARN (else arn), type (else ResourceType) and ResourceName.
   */
  private void resources(JsonParser p) throws IOException {
    JsonToken t;
    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
      if (t == JsonToken.VALUE_STRING) {
        resources.add(null);
        resources.add(p.getText());
        resources.add(null);
      } else if (t == JsonToken.START_OBJECT) {
        String arn = null, arnLower = null, type = null, resourceType = null, resourceName = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String f = p.currentName();
          p.nextToken();
          switch (f) {
            case "ARN" -> arn = Json.scalarText(p);
            case "arn" -> arnLower = Json.scalarText(p);
            case "type" -> type = Json.scalarText(p);
            case "ResourceType" -> resourceType = Json.scalarText(p);
            case "ResourceName" -> resourceName = Json.scalarText(p);
            default -> p.skipChildren();
          }
        }
        resources.add(type != null ? type : resourceType);
        resources.add(arn != null ? arn : arnLower);
        resources.add(resourceName);
      } else {
        p.skipChildren();
      }
    }
  }

  /**
   * Streams requestParameters (at START_OBJECT) keeping only the fields that name resources or describe issued
   * credentials (roleSessionName, clusterName, tags / sessionTags).
   */
  private void requestParameters(JsonParser p) throws IOException {
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String f = p.currentName();
      JsonToken t = p.nextToken();
      if (t.isScalarValue()) {
        Param kept = Param.BY_NAME.get(f);
        if (kept != null && t != JsonToken.VALUE_NULL) {
          rp[kept.ordinal()] = p.getText();
          rpAny = true;
        } else if ("tags".equals(f)) {
          issued.tagsField();
        }
      } else if ("tags".equals(f) || "sessionTags".equals(f)) {
        issued.tags(p, f.equals("tags"));
      } else if ("instanceIds".equals(f) && t == JsonToken.START_ARRAY) {
        while (p.nextToken() != JsonToken.END_ARRAY) {
          String id = Json.scalarText(p);
          if (id != null) rpInstances.add(id);
        }
      } else if ("instancesSet".equals(f) && t == JsonToken.START_OBJECT) {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String g = p.currentName();
          JsonToken u = p.nextToken();
          if ("items".equals(g) && u == JsonToken.START_ARRAY) {
            while (p.nextToken() == JsonToken.START_OBJECT) {
              while (p.nextToken() == JsonToken.FIELD_NAME) {
                String h = p.currentName();
                JsonToken v = p.nextToken();
                if ("instanceId".equals(h) && v == JsonToken.VALUE_STRING) rpInstances.add(p.getText());
                else p.skipChildren();
              }
            }
          } else {
            p.skipChildren();
          }
        }
      } else {
        p.skipChildren();
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
    if (!isRecord() && "cloudwatch".equals(wrapperKind) && embedded != null
        && embedded.startsWith(CONTROL_MESSAGE)) {
      embedded = null;
      return null; // a CloudWatch Logs subscription's control message (Firehose's first record): no CloudTrail record
    }
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
    Insight insight = eventName == null && eventSource == null ? Insight.of(other.get("insightDetails")) : null;
    if (insight != null) {
      eventName = insight.eventName();
      eventSource = insight.eventSource();
    }
    Klass k = classify(eventSource, eventName, rp(Param.status), "true".equalsIgnoreCase(readOnly));
    EvidenceEvent e =
        ctx.newEvent(
            k.cls(), k.activity(), k.activityName(), span.start(), span.end(), span.line(), span.ordinal(), 0, other);
    e.setSeverityId(1);
    e.setSeverity("Informational");
    e.setDevice(null);
    e.setKubernetes(null);
    Map<String, String> u = e.getUnmapped();
    if (ctx.host() != null) u.put("strata.evidence_host", ctx.host());
    ctx.applyTime(e, eventTime, "eventTime");

    // actor
    String arn = other.get("userIdentity.arn");
    String principalId = other.get("userIdentity.principalId");
    String invokedBy = other.get("userIdentity.invokedBy");
    String accountId = other.get("userIdentity.accountId");
    String idType = other.get("userIdentity.type");
    String userName = other.get("userIdentity.userName");
    String userUid = arn != null ? arn : principalId;
    String credential = other.get("userIdentity.accessKeyId");
    String issuer = other.get("userIdentity.sessionContext.sessionIssuer.arn");
    String session = sessionName(arn);
    if ("FederatedUser".equals(idType) && arn != null) {
      userName = lastSegment(arn); // arn:aws:sts::<acct>:federated-user/<name>; the issuer is the calling IAM user
      session = userName;
    } else if ("IdentityCenterUser".equals(idType)) {
      String onBehalf = other.get("userIdentity.onBehalfOf.userId");
      if (userName == null) userName = onBehalf;
      if (userUid == null) userUid = onBehalf;
      if (credential == null) credential = other.get("userIdentity.credentialId");
      if (issuer == null) issuer = other.get("userIdentity.onBehalfOf.identityStoreArn");
    } else if ("WebIdentityUser".equals(idType) || "SAMLUser".equals(idType)) {
      if (issuer == null) issuer = other.get("userIdentity.identityProvider");
    }
    if (userName == null) userName = other.get("userIdentity.sessionContext.sessionIssuer.userName");
    if (userName == null && arn != null) userName = lastSegment(arn);
    if (userName == null) userName = invokedBy;
    if (userName == null) userName = principalId;
    if (issuer == null) issuer = other.get("userIdentity.sessionContext.webIdFederationData.federatedProvider");
    Actor actor = null;
    if (userIdentitySeen) {
      actor = new Actor();
      actor.setUserName(userName);
      actor.setUserUid(userUid);
      actor.setUserType(idType);
      actor.setAccountUid(accountId);
      actor.setGroups(noGroups);
      actor.setCredentialUid(credential);
      actor.setSessionIssuer(issuer);
      actor.setInvokedBy(invokedBy);
      actor.setSessionName(session);
      actor.setServiceAccount(serviceAccount(userName));
      e.setActor(actor);
    }
    if (k.cls() == OcsfClass.AUTHENTICATION && k.activity() != 1) credentialIssue(e, actor, idType);

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
            && String.valueOf(other.get("responseElements"))
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
    e.setCloud(cloud(account, region, instanceId(principalId, arn)));

    // the image an ECR call wrote (PutImage's response): its digest and reference, so the push is found by the digest
    // the workloads ran (strata scope, incidents' image entity) and not only by its repository's ARN
    if (issued.imageDigest != null && issued.imageDigest.startsWith("sha256:")) {
      String registry = issued.imageRegistryId != null ? issued.imageRegistryId : account;
      String repo = issued.imageRepository == null ? null
          : registry == null || region == null ? issued.imageRepository
          : registry + ".dkr.ecr." + region + ".amazonaws.com/" + issued.imageRepository;
      String ref = repo == null ? null : issued.imageTag == null ? repo + "@" + issued.imageDigest : repo + ":" + issued.imageTag;
      e.setContainer(new Container(null, null, ref, null, null, issued.imageDigest));
    }

    // source
    if (sourceIp != null || vpcEndpointId != null) {
      boolean ip = sourceIp != null && isIp(sourceIp);
      e.setSrcEndpoint(
          new Endpoint(ip ? sourceIp : null, null, null, ip ? null : sourceIp, null, vpcEndpointId));
    }
    if (userAgent != null) e.setHttpRequest(new HttpRequest(null, null, userAgent));

    // resources
    List<Resource> res = e.getResources();
    for (int i = 0; i + 2 < resources.size(); i += 3) {
      add(res, resources.get(i), resources.get(i + 1), resources.get(i + 2));
    }
    fromRequestParameters(res);

    // unmapped
    if (eventVersion != null) u.put("eventVersion", eventVersion);
    if (eventId != null) u.put("eventID", eventId);
    String prefix = wrapperKind == null ? "" : wrapperKind + ".";
    for (Map.Entry<String, String> x : top.entrySet()) {
      u.put(prefix.isEmpty() ? x.getKey() : prefix + x.getKey(), x.getValue());
    }

    StringBuilder msg = new StringBuilder(96);
    msg.append(userName == null ? "?" : userName).append(' ').append(eventName == null ? "?" : eventName);
    if (eventSource != null) msg.append(' ').append(eventSource);
    if (errorCode != null) msg.append(" failed: ").append(errorCode);
    else if (consoleFailure) msg.append(" failed");
    if (insight != null) {
      msg.setLength(0);
      msg.append("CloudTrail Insight ").append(insight.type() == null ? "?" : insight.type());
      if (insight.state() != null) msg.append(' ').append(insight.state());
      msg.append(": ").append(eventName == null ? "?" : eventName);
      if (eventSource != null) msg.append(' ').append(eventSource);
      if (insight.type() != null) u.put("insightDetails.insightType", insight.type());
      if (insight.state() != null) u.put("insightDetails.state", insight.state());
    }
    e.setMessage(msg.toString());
    e.setRawData(ctx.rawText(span.start(), span.end()));
    return e;
  }

  /**
   * The event's cloud object. Without an instance id it is shared by the events of the chunk that have the same
   * account and region (a log file is one account and region): one object less per event. Events are not changed
   * after parsing, so sharing an immutable value is safe.
   */
  private Cloud cloud(String account, String region, String instance) {
    if (instance != null) return new Cloud("aws", account, region, null, instance, null, null, null, null, null);
    Cloud c = sharedCloud;
    if (c == null || !eq(c.getAccountUid(), account) || !eq(c.getRegion(), region)) {
      c = sharedCloud = new Cloud("aws", account, region, null, null, null, null, null, null, null);
    }
    return c;
  }

  private void fromRequestParameters(List<Resource> res) {
    if (!rpAny && rpInstances.isEmpty()) return;
    String bucket = rp(Param.bucketName);
    if (bucket != null) {
      addS3(res, "AWS::S3::Bucket", bucket, null, bucket);
      String key = rp(Param.key);
      if (key != null) addS3(res, "AWS::S3::Object", bucket, key, key);
    }
    named(res, Param.instanceId, "AWS::EC2::Instance");
    for (String id : rpInstances) add(res, "AWS::EC2::Instance", null, id);
    String roleArn = rp(Param.roleArn);
    if (roleArn != null && roleArn.startsWith("arn:")) {
      String rn = rp(Param.roleName);
      add(res, "AWS::IAM::Role", roleArn, rn != null ? rn : lastSegment(roleArn));
    } else {
      named(res, Param.roleName, "AWS::IAM::Role");
    }
    named(res, Param.userName, "AWS::IAM::User");
    named(res, Param.policyArn, "AWS::IAM::Policy");
    named(res, Param.functionName, "AWS::Lambda::Function");
    named(res, Param.secretId, "AWS::SecretsManager::Secret");
    named(res, Param.snapshotId, "AWS::EC2::Snapshot");
    named(res, Param.imageId, "AWS::EC2::Image");
    named(res, Param.groupId, "AWS::EC2::SecurityGroup");
    named(res, Param.dBSnapshotIdentifier, "AWS::RDS::DBSnapshot");
    named(res, Param.keyId, "AWS::KMS::Key");
    if ("cloudtrail.amazonaws.com".equals(eventSource)) {
      named(res, Param.name, "AWS::CloudTrail::Trail");
      named(res, Param.trailName, "AWS::CloudTrail::Trail");
    }
  }

  private String rp(Param field) {
    return rp[field.ordinal()];
  }

  private void named(List<Resource> res, Param field, String type) {
    String s = rp(field);
    if (s == null) return;
    if (s.startsWith("arn:")) add(res, type, s, null);
    else add(res, type, null, s);
  }

  /**
   * Adds a resource unless one with the same uid is there with the same type and name, or (uid not null) with the
   * same type or this one has none.
   */
  private static void add(List<Resource> res, String type, String uid, String name) {
    if (uid == null && name == null) return;
    for (Resource r : res) {
      if (!eq(r.getUid(), uid)) continue;
      if (uid != null && (type == null || eq(type, r.getType()))) return;
      if (eq(r.getType(), type) && eq(r.getName(), name)) return;
    }
    res.add(new Resource(type, name, uid, null, null, null));
  }

  /**
   * {@link #add} of an S3 resource (type not null) whose ARN is {@code arn:aws:s3:::bucket} or
   * {@code arn:aws:s3:::bucket/key}: the ARN is only made when the resource is added (resources[] usually names it
   * already).
   */
  private static void addS3(List<Resource> res, String type, String bucket, String key, String name) {
    for (Resource r : res) {
      if (type.equals(r.getType()) && isS3Arn(r.getUid(), bucket, key)) return;
    }
    String arn = key == null ? S3_ARN + bucket : S3_ARN + bucket + "/" + key;
    res.add(new Resource(type, name, arn, null, null, null));
  }

  private static final String S3_ARN = "arn:aws:s3:::";

  /** {@code uid} is {@code arn:aws:s3:::bucket} (key null) or {@code arn:aws:s3:::bucket/key}. */
  private static boolean isS3Arn(String uid, String bucket, String key) {
    int b = S3_ARN.length();
    int e = b + bucket.length();
    if (uid == null || uid.length() != (key == null ? e : e + 1 + key.length())) return false;
    return uid.startsWith(S3_ARN) && uid.startsWith(bucket, b)
        && (key == null || (uid.charAt(e) == '/' && uid.startsWith(key, e + 1)));
  }

  private static boolean eq(String a, String b) {
    return a == null ? b == null : a.equals(b);
  }

  /** API Activity activity of each verb prefix (READ before DELETE before CREATE before UPDATE, see above). */
  private static final Map<String, Integer> ACTIVITY_BY_PREFIX = new HashMap<>();

  static {
    for (String[] prefixes : new String[][] {UPDATE, CREATE, DELETE, READ}) { // later puts win: READ first
      int activity =
          prefixes == READ ? OcsfClass.ACTIVITY_READ
              : prefixes == DELETE ? OcsfClass.ACTIVITY_DELETE
                  : prefixes == CREATE ? OcsfClass.ACTIVITY_CREATE : OcsfClass.ACTIVITY_UPDATE;
      for (String p : prefixes) ACTIVITY_BY_PREFIX.put(p, activity);
    }
  }

  /**
   * The activity of the first prefix that the name starts with and that is followed by an upper-case letter or the
   * end of the name. Every prefix is one capitalized word, or two after "Batch": so the name's first word (its
   * first two after "Batch") is looked up instead of trying each prefix.
   */
  static int activityOf(String eventName, boolean readOnly) {
    if (eventName != null) {
      int end = wordEnd(eventName, 0);
      Integer a = null;
      if (end == 5 && eventName.startsWith("Batch")) a = ACTIVITY_BY_PREFIX.get(eventName.substring(0, wordEnd(eventName, 5)));
      else if (end > 0) a = ACTIVITY_BY_PREFIX.get(eventName.substring(0, end));
      if (a != null) return a;
    }
    return readOnly ? OcsfClass.ACTIVITY_READ : OcsfClass.ACTIVITY_OTHER;
  }

  /** The index of the first upper-case letter after {@code from}, or the name's length. */
  private static int wordEnd(String name, int from) {
    int i = from + 1;
    while (i < name.length() && !Character.isUpperCase(name.charAt(i))) i++;
    return Math.min(i, name.length());
  }

  /** The OCSF class and activity of a record. */
  record Klass(OcsfClass cls, int activity, String activityName) {}

  /** Sign-in events (OCSF Authentication, 1 Logon), by event source. */
  private static final Set<String> SIGNIN_SOURCES =
      Set.of("signin.amazonaws.com", "sso.amazonaws.com", "sso-directory.amazonaws.com", "identitystore.amazonaws.com");

  private static final Set<String> LOGON_ANY_SOURCE = Set.of("ConsoleLogin", "SwitchRole", "ExternalIdPDirectoryLogin");
  private static final Set<String> LOGON_SIGNIN =
      Set.of("UserAuthentication", "CredentialChallenge", "CredentialVerification", "Authenticate", "Federate",
          "CheckMfa");
  /** STS-style credential issue for another principal: Authentication, 4 Service Ticket Request. */
  private static final Set<String> SERVICE_TICKET =
      Set.of("AssumeRole", "AssumeRoleWithSAML", "AssumeRoleWithWebIdentity", "AssumeRoot", "AssumeRoleForPodIdentity",
          "GetRoleCredentials");
  /** Session credentials for the caller itself: Authentication, 3 Authentication Ticket. */
  private static final Set<String> AUTH_TICKET = Set.of("GetSessionToken", "GetFederationToken", "GetSigninToken");

  private static final Klass LOGON = new Klass(OcsfClass.AUTHENTICATION, 1, "Logon");

  /** LOGON_ANY_SOURCE -> Logon, SERVICE_TICKET -> Service Ticket Request, AUTH_TICKET -> Authentication Ticket. */
  private static final Map<String, Klass> AUTHENTICATION_BY_NAME = new HashMap<>();

  static {
    for (String n : LOGON_ANY_SOURCE) AUTHENTICATION_BY_NAME.put(n, LOGON);
    Klass service = new Klass(OcsfClass.AUTHENTICATION, 4, "Service Ticket Request");
    for (String n : SERVICE_TICKET) AUTHENTICATION_BY_NAME.put(n, service);
    Klass ticket = new Klass(OcsfClass.AUTHENTICATION, 3, "Authentication Ticket");
    for (String n : AUTH_TICKET) AUTHENTICATION_BY_NAME.put(n, ticket);
  }

  private static final Map<String, Integer> ACCOUNT_CHANGE = new HashMap<>();
  private static final String[] ACCOUNT_CHANGE_NAMES = {
    "", "Create", "Enable", "Password Change", "Password Reset", "Disable", "Delete", "Attach Policy",
    "Detach Policy", "Lock", "MFA Factor Enable", "MFA Factor Disable"
  };

  static {
    for (String n : new String[] {"CreateUser", "CreateRole", "CreateAccessKey", "CreateLoginProfile",
        "CreateServiceLinkedRole", "CreateGroup", "CreatePolicy"}) ACCOUNT_CHANGE.put(n, 1);
    ACCOUNT_CHANGE.put("ChangePassword", 3);
    ACCOUNT_CHANGE.put("UpdateLoginProfile", 4);
    for (String n : new String[] {"DeleteUser", "DeleteRole", "DeleteAccessKey", "DeleteLoginProfile",
        "DeleteServiceLinkedRole", "DeleteGroup", "DeletePolicy"}) ACCOUNT_CHANGE.put(n, 6);
    for (String n : new String[] {"AttachUserPolicy", "AttachRolePolicy", "AttachGroupPolicy", "PutUserPolicy",
        "PutRolePolicy", "PutGroupPolicy", "PutUserPermissionsBoundary", "PutRolePermissionsBoundary",
        "UpdateAssumeRolePolicy"}) ACCOUNT_CHANGE.put(n, 7);
    for (String n : new String[] {"DetachUserPolicy", "DetachRolePolicy", "DetachGroupPolicy", "DeleteUserPolicy",
        "DeleteRolePolicy", "DeleteGroupPolicy", "DeleteUserPermissionsBoundary", "DeleteRolePermissionsBoundary"}) {
      ACCOUNT_CHANGE.put(n, 8);
    }
    for (String n : new String[] {"EnableMFADevice", "CreateVirtualMFADevice", "ResyncMFADevice"}) {
      ACCOUNT_CHANGE.put(n, 10);
    }
    for (String n : new String[] {"DeactivateMFADevice", "DeleteVirtualMFADevice"}) ACCOUNT_CHANGE.put(n, 11);
    for (String n : new String[] {"UpdateAccessKey", "AddUserToGroup", "RemoveUserFromGroup", "UpdateUser",
        "UpdateRole", "UpdateRoleDescription", "CreatePolicyVersion", "DeletePolicyVersion", "SetDefaultPolicyVersion",
        "UploadSSHPublicKey", "UpdateSSHPublicKey", "DeleteSSHPublicKey", "CreateServiceSpecificCredential",
        "UpdateServiceSpecificCredential", "DeleteServiceSpecificCredential", "ResetServiceSpecificCredential",
        "UploadSigningCertificate", "UpdateSigningCertificate", "DeleteSigningCertificate", "TagUser", "UntagUser",
        "TagRole", "UntagRole", "AddRoleToInstanceProfile", "RemoveRoleFromInstanceProfile"}) {
      ACCOUNT_CHANGE.put(n, 99);
    }
  }

  /**
   * OCSF class of a record (see the class comment): sign-ins and credential issue -> 3002 Authentication, IAM
   * identity / policy / key / MFA changes -> 3001 Account Change, everything else -> 6003 API Activity.
   */
  static Klass classify(String source, String name, String status, boolean readOnly) {
    if (name != null) {
      Klass credentials = AUTHENTICATION_BY_NAME.get(name); // one probe for the source-independent names
      if (credentials != null) return credentials;
      if (source != null && SIGNIN_SOURCES.contains(source) && LOGON_SIGNIN.contains(name)) return LOGON;
      if ("iam.amazonaws.com".equals(source)) {
        Integer a = ACCOUNT_CHANGE.get(name);
        if (a != null) {
          int id = a;
          if (name.equals("UpdateAccessKey")) {
            if ("Active".equalsIgnoreCase(status)) id = 2;
            else if ("Inactive".equalsIgnoreCase(status)) id = 5;
          }
          return new Klass(OcsfClass.ACCOUNT_CHANGE, id, id == 99 ? name : ACCOUNT_CHANGE_NAMES[id]);
        }
      }
    }
    int activity = activityOf(name, readOnly);
    String activityName =
        activity == OcsfClass.ACTIVITY_OTHER && name != null ? name : OcsfClass.apiActivityName(activity);
    return new Klass(OcsfClass.API_ACTIVITY, activity, activityName);
  }

  /** "system:serviceaccount:<ns>:<name>" -> "<ns>/<name>", else null. */
  static String serviceAccount(String subject) {
    if (subject == null || !subject.startsWith("system:serviceaccount:")) return null;
    String rest = subject.substring("system:serviceaccount:".length());
    int c = rest.indexOf(':');
    return c <= 0 || c == rest.length() - 1 ? null : rest.substring(0, c) + "/" + rest.substring(c + 1);
  }

  /**
   * Sign-in / credential issue: what was issued, to whom. From requestParameters (roleArn, roleSessionName, tags /
   * sessionTags of EKS Pod Identity, clusterName) and responseElements (credentials.accessKeyId, expiration,
   * assumedRoleUser.arn, federatedUser.arn, subjectFromWebIdentityToken, subject.namespace/serviceAccount,
   * podIdentityAssociation) -> unmapped strata.issued.* and actor.service_account / session_name (see the class
   * comment); Pod Identity tags also give kubernetes.cluster/namespace/pod_name/pod_uid.
   */
  private void credentialIssue(EvidenceEvent e, Actor actor, String type) {
    Map<String, String> u = e.getUnmapped();
    String roleArn = rp(Param.roleArn);
    String sessionName = rp(Param.roleSessionName);
    String key = issued.accessKeyId;
    String sessionArn = issued.assumedRoleArn;
    if (sessionArn == null) sessionArn = issued.federatedUserArn;
    if (sessionName == null && sessionArn != null) sessionName = sessionName(sessionArn);
    if (sessionName == null && "GetFederationToken".equals(eventName)) sessionName = rp(Param.name);
    String sa = serviceAccount(issued.subjectFromWebIdentityToken);
    String ns = issued.subjectNamespace;
    String saName = issued.subjectServiceAccount;
    String pod = null;
    String podUid = null;
    String cluster = rp(Param.clusterName);
    String clusterArn = null;
    List<String> tags = issued.tags();
    for (int i = 0; i + 1 < tags.size(); i += 2) {
      String tk = tags.get(i);
      String tv = tags.get(i + 1);
      switch (tk) {
        case "kubernetes-namespace" -> ns = ns == null ? tv : ns;
        case "kubernetes-service-account" -> saName = saName == null ? tv : saName;
        case "kubernetes-pod-name" -> pod = tv;
        case "kubernetes-pod-uid" -> podUid = tv;
        // the cluster's name (what audit logs and the collector's context call it), else the ARN's last part
        case "eks-cluster-name" -> cluster = tv;
        case "eks-cluster-arn" -> clusterArn = tv;
        default -> {}
      }
    }
    if (cluster == null && clusterArn != null) cluster = clusterArn.substring(clusterArn.lastIndexOf('/') + 1);
    if (sa == null && ns != null && saName != null) sa = ns + "/" + saName;
    if (sa == null && "WebIdentityUser".equals(type) && actor != null) sa = actor.getServiceAccount();
    put(u, "strata.issued.credential_uid", key);
    put(u, "strata.issued.expiration", issued.expiration);
    put(u, "strata.issued.session_arn", sessionArn);
    put(u, "strata.issued.session_name", sessionName);
    put(u, "strata.issued.role_arn", roleArn);
    put(u, "strata.issued.service_account", sa);
    put(u, "strata.issued.pod_identity_association", issued.podIdentityAssociation);
    if (actor != null) {
      if (actor.getServiceAccount() == null) actor.setServiceAccount(sa);
      if (actor.getSessionName() == null) actor.setSessionName(sessionName);
    }
    if (pod != null || (ns != null && saName != null && "AssumeRoleForPodIdentity".equals(eventName))) {
      dev.strata.schema.event.Kubernetes k = new dev.strata.schema.event.Kubernetes();
      k.setCluster(cluster);
      k.setNamespace(ns);
      k.setPodName(pod);
      k.setPodUid(podUid);
      e.setKubernetes(k);
    }
  }

  private static void put(Map<String, String> u, String k, String v) {
    if (v != null && !v.isEmpty()) u.put(k, v);
  }

  static String instanceId(String principalId, String arn) {
    String id = instanceIdAtEnd(principalId);
    return id != null ? id : instanceIdAtEnd(arn);
  }

  /** "i-" + 8 or 17 hex digits after the last ':' or '/' (a role session named after an EC2 instance). */
  private static String instanceIdAtEnd(String s) {
    if (s == null) return null;
    String id = instanceIdEnding(s, 10);
    return id != null ? id : instanceIdEnding(s, 19);
  }

  /** The last {@code len} characters of s if they are "i-" + hex digits right after a ':', a '/' or the start. */
  private static String instanceIdEnding(String s, int len) {
    int start = s.length() - len;
    if (start < 0 || s.charAt(start) != 'i' || s.charAt(start + 1) != '-') return null;
    if (start > 0 && s.charAt(start - 1) != ':' && s.charAt(start - 1) != '/') return null;
    for (int i = start + 2; i < s.length(); i++) {
      if (Character.digit(s.charAt(i), 16) < 0) return null;
    }
    return s.substring(start);
  }

  static String lastSegment(String arn) {
    int i = Math.max(arn.lastIndexOf('/'), arn.lastIndexOf(':'));
    String s = i < 0 ? arn : arn.substring(i + 1);
    return s.isEmpty() ? null : s;
  }


  /** An IPv4 or IPv6 literal (no name lookups). */
  static boolean isIp(String s) {
    return IpLiterals.isIp(s);
  }


  /** The role session name of an assumed-role ARN ({@code arn:aws:sts::<acct>:assumed-role/<role>/<session>}). */
  static String sessionName(String arn) {
    if (arn == null) return null;
    int p = arn.indexOf(":assumed-role/");
    if (p < 0) return null;
    int slash = arn.indexOf('/', p + ":assumed-role/".length());
    return slash < 0 || slash == arn.length() - 1 ? null : arn.substring(slash + 1);
  }

  /**
   * A CloudTrail Insights event (eventType AwsCloudTrailInsight, delivered under the trail's CloudTrail-Insight/
   * prefix) has no top-level eventSource / eventName: the API whose call or error rate was unusual is in {@code
   * insightDetails} (eventSource, eventName, insightType ApiCallRateInsight | ApiErrorRateInsight, state Start |
   * End), which is also kept whole in unmapped. Read only for records without eventName and eventSource (rare).
   */
  record Insight(String eventSource, String eventName, String type, String state) {
    static Insight of(String insightDetails) {
      if (insightDetails == null || insightDetails.isEmpty() || insightDetails.charAt(0) != '{') return null;
      String source = null;
      String name = null;
      String type = null;
      String state = null;
      try (JsonParser p = Json.FACTORY.createParser(insightDetails)) {
        p.nextToken();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String f = p.currentName();
          JsonToken t = p.nextToken();
          if (t.isScalarValue()) {
            switch (f) {
              case "eventSource" -> source = p.getText();
              case "eventName" -> name = p.getText();
              case "insightType" -> type = p.getText();
              case "state" -> state = p.getText();
              default -> { }
            }
          } else {
            p.skipChildren();
          }
        }
      } catch (IOException truncatedOrMalformed) {
        // kept whole in unmapped; what was read before the damage still names the API
      }
      return source == null && name == null && type == null ? null : new Insight(source, name, type, state);
    }
  }
}
