package dev.strata.parse.formats.awsecstaskmetadata;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.parse.ChunkContext;
import dev.strata.parse.EcsNames;
import dev.strata.parse.Events;
import dev.strata.parse.Json;
import dev.strata.parse.OcsfClass;
import dev.strata.parse.Timestamps;
import dev.strata.schema.event.Cloud;
import dev.strata.schema.event.Container;
import dev.strata.schema.event.Ecs;
import dev.strata.schema.event.Endpoint;
import dev.strata.schema.event.EvidenceEvent;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * ECS task metadata / describe-tasks documents to binding events (OCSF 0 Base Event, activity 99 Other):
 *
 * <pre>
 * task event (activity_name "task", sub-index 0 of its record)
 *   cloud.task_uid       TaskARN | taskArn            cloud.cluster_uid  Cluster | clusterArn
 *   cloud.account_uid/region  from the task ARN       cloud.availability_zone  AvailabilityZone | availabilityZone
 *   cloud.eni_uid        attachments[ElasticNetworkInterface].details networkInterfaceId (describe-tasks)
 *   cloud.subnet_uid     details subnetId
 *   src_endpoint.ip      the task's private IPv4 (details privateIPv4Address; else the first container network
 *                        IPv4Addresses[0]); src_endpoint.hostname = PrivateDNSName / privateDnsName
 *   start_time = time    startedAt | earliest container StartedAt, else createdAt | earliest CreatedAt | PullStartedAt
 *   end_time             stoppedAt | ExecutionStoppedAt
 *   status_detail        stoppedReason; unmapped: family, revision, launch_type, desired/known/last status, ...
 * container event (activity_name "container", sub-index 1..n)
 *   container.uid = DockerId | runtimeId, name = Name | name, image_name = Image | image, image_uid = ImageID,
 *   image_digest = imageDigest; cloud.task_uid/cluster_uid as the task (per-container document: from its Labels);
 *   src_endpoint.ip = the container's IPv4 (Networks[0].IPv4Addresses[0] | networkInterfaces[0].privateIpv4Address);
 *   time = start_time = StartedAt | CreatedAt (else the task's), end_time = FinishedAt; status_code = ExitCode |
 *   exitCode; unmapped: labels.*, docker_name, container_arn, type, statuses, network.*, limits.*, ...
 * </pre>
 *
 * Docker's zero time (0001-01-01...) counts as absent. Not thread-safe: one per chunk.
 */
final class EcsMapper {

  static final int ACTIVITY_OTHER = 99;
  private static final int MAX_VALUE = 4096;
  private static final String LABEL_TASK_ARN = "com.amazonaws.ecs.task-arn";
  private static final String LABEL_CLUSTER = "com.amazonaws.ecs.cluster";
  private static final String LABEL_FAMILY = "com.amazonaws.ecs.task-definition-family";
  private static final String LABEL_REVISION = "com.amazonaws.ecs.task-definition-version";

  private final ChunkContext ctx;
  private String error;
  private long ordinal;

  EcsMapper(ChunkContext ctx) {
    this.ctx = ctx;
  }

  String error() {
    return error;
  }

  long nextOrdinal() {
    return ordinal;
  }

  /** The events of one root value, or null (error set) if it is no ECS document. Advances the ordinal. */
  List<EvidenceEvent> map(JsonNode root, int start, int end, long line, long firstOrdinal) {
    ordinal = firstOrdinal;
    List<EvidenceEvent> out = new ArrayList<>();
    if (root.isArray()) {
      for (JsonNode t : root) {
        if (!one(t, start, end, line, out)) return null;
      }
      if (out.isEmpty() && root.size() > 0) return null;
      return out;
    }
    JsonNode tasks = root.get("tasks");
    if (tasks != null && tasks.isArray()) {
      for (JsonNode t : tasks) {
        if (!t.isObject() || !t.has("taskArn")) {
          error = "describe-tasks element without taskArn";
          return null;
        }
        describedTask(t, start, end, line, out);
      }
      JsonNode failures = root.get("failures");
      if (out.isEmpty() && (failures == null || failures.size() == 0)) {
        error = "describe-tasks output without tasks";
        return null;
      }
      if (failures != null && failures.size() > 0 && !out.isEmpty()) {
        Events.unmapped(out.get(0), "failures", Events.excerpt(failures.toString(), MAX_VALUE));
      }
      return out;
    }
    JsonNode definition = root.get("taskDefinition");
    if (definition != null && definition.isObject() && definition.has("taskDefinitionArn")) {
      taskDefinition(definition, start, end, line, out);
      return out;
    }
    return one(root, start, end, line, out) ? out : null;
  }

  private boolean one(JsonNode o, int start, int end, long line, List<EvidenceEvent> out) {
    if (!o.isObject()) {
      error = "not an ECS task or container object";
      return false;
    }
    if (o.has("detail-type") && o.path("detail").has("taskArn")) {
      int first = out.size();
      describedTask(o.get("detail"), start, end, line, out);
      for (EvidenceEvent e : out.subList(first, out.size())) eventBridge(o, e.getUnmapped());
    } else if (o.has("TaskARN")) {
      metadataTask(o, start, end, line, out);
    } else if (o.has("taskArn")) {
      describedTask(o, start, end, line, out);
    } else if (o.has("DockerId")) {
      long ord = ordinal++;
      out.add(metadataContainer(o, null, null, null, start, end, line, ord, 0));
    } else {
      error = "neither ECS task metadata (TaskARN), a container metadata document (DockerId) nor describe-tasks "
          + "output (tasks[] / taskArn), nor an EventBridge ECS Task State Change event (detail.taskArn)";
      return false;
    }
    return true;
  }

  /**
   * The envelope of an EventBridge "ECS Task State Change" event (its {@code detail} is the task as DescribeTasks
   * returns it; {@code detail.version} is the task's resource version): kept in unmapped {@code eventbridge.*}.
   */
  private static void eventBridge(JsonNode envelope, Map<String, String> u) {
    for (String f : new String[] {"id", "detail-type", "source", "account", "time", "region"}) {
      put(u, "eventbridge." + f.replace('-', '_'), text(envelope, f));
    }
  }

  // ---- task metadata endpoint (v2/v3/v4) ------------------------------------------------------------------------

  private void metadataTask(JsonNode t, int start, int end, long line, List<EvidenceEvent> out) {
    long ord = ordinal++;
    String taskArn = text(t, "TaskARN");
    String cluster = text(t, "Cluster");
    EvidenceEvent task = newEvent("task", start, end, line, ord, 0);
    Cloud cloud = cloud(task, taskArn, cluster, text(t, "AvailabilityZone"));
    JsonNode containers = t.path("Containers");
    String ip = null;
    String host = null;
    Instant started = null;
    String startedText = null;
    Instant created = null;
    String createdText = null;
    for (JsonNode c : containers) {
      JsonNode net = c.path("Networks").path(0);
      if (ip == null) ip = text(net.path("IPv4Addresses"), 0);
      if (host == null) host = text(net, "PrivateDNSName");
      String st = time(c, "StartedAt");
      if (st != null && (started == null || instant(st).isBefore(started))) {
        started = instant(st);
        startedText = st;
      }
      String cr = time(c, "CreatedAt");
      if (cr != null && (created == null || instant(cr).isBefore(created))) {
        created = instant(cr);
        createdText = cr;
      }
    }
    String startText = startedText != null ? startedText : createdText != null ? createdText
        : time(t, "PullStartedAt");
    interval(task, startText, time(t, "ExecutionStoppedAt"), startedText != null ? "containers' StartedAt"
        : createdText != null ? "containers' CreatedAt" : "PullStartedAt");
    if (ip != null || host != null) {
      Endpoint src = new Endpoint();
      src.setIp(ip);
      src.setHostname(host);
      task.setSrcEndpoint(src);
    }
    String family = text(t, "Family");
    String revision = text(t, "Revision");
    task.setEcs(EcsNames.ecs(cluster, taskArn, family != null && revision != null ? family + ":" + revision : family,
        text(t, "ServiceName"), text(t, "LaunchType")));
    Map<String, String> u = task.getUnmapped();
    for (String f : new String[] {"Family", "Revision", "DesiredStatus", "KnownStatus", "LaunchType",
        "PullStartedAt", "PullStoppedAt", "ExecutionStoppedAt", "ServiceName", "VPCID"}) {
      put(u, snake(f), text(t, f));
    }
    if (t.hasNonNull("VPCID")) cloud.setVpcUid(text(t, "VPCID"));
    flatten(u, "limits", t.get("Limits"));
    flatten(u, "task_tags", t.get("TaskTags"));
    flatten(u, "clock_drift", t.get("ClockDrift"));
    flatten(u, "ephemeral_storage_metrics", t.get("EphemeralStorageMetrics"));
    u.put("containers", Integer.toString(containers.size()));
    task.setMessage("ECS task " + taskArn + (ip != null ? " at " + ip : ""));
    out.add(task);
    int sub = 1;
    for (JsonNode c : containers) {
      if (!c.isObject()) continue;
      out.add(metadataContainer(c, taskArn, cluster, task, start, end, line, ord, sub++));
    }
  }

  private EvidenceEvent metadataContainer(JsonNode c, String taskArn, String cluster, EvidenceEvent task, int start,
      int end, long line, long ord, int sub) {
    JsonNode labels = c.path("Labels");
    if (taskArn == null) taskArn = text(labels, LABEL_TASK_ARN);
    if (cluster == null) cluster = text(labels, LABEL_CLUSTER);
    EvidenceEvent e = newEvent("container", start, end, line, ord, sub);
    Cloud cloud = cloud(e, taskArn, cluster, task == null ? null : task.getCloud().getAvailabilityZone());
    if (task != null) cloud.setVpcUid(task.getCloud().getVpcUid());
    if (task != null) {
      e.setEcs(task.getEcs());
    } else {
      String family = text(labels, LABEL_FAMILY);
      String revision = text(labels, LABEL_REVISION);
      e.setEcs(EcsNames.ecs(cluster, taskArn, family != null && revision != null ? family + ":" + revision : family,
          null, null));
    }
    Container k = new Container();
    k.setUid(text(c, "DockerId"));
    k.setName(text(c, "Name"));
    k.setImageName(text(c, "Image"));
    k.setImageUid(text(c, "ImageID"));
    k.setRuntime("docker");
    e.setContainer(k);
    JsonNode net = c.path("Networks").path(0);
    String ip = text(net.path("IPv4Addresses"), 0);
    String host = text(net, "PrivateDNSName");
    if (ip != null || host != null) {
      Endpoint src = new Endpoint();
      src.setIp(ip);
      src.setHostname(host);
      e.setSrcEndpoint(src);
    }
    String st = time(c, "StartedAt");
    String cr = time(c, "CreatedAt");
    String fromTask = task == null || task.getTimeOriginal() == null ? null : task.getTimeOriginal();
    interval(e, st != null ? st : cr != null ? cr : fromTask, time(c, "FinishedAt"),
        st != null ? "StartedAt" : cr != null ? "CreatedAt" : "the task's start");
    String exit = text(c, "ExitCode");
    if (exit != null) {
      e.setStatusCode(exit);
      e.setStatus("0".equals(exit) ? "Success" : "Failure");
    }
    Map<String, String> u = e.getUnmapped();
    for (String f : new String[] {"DockerName", "ContainerARN", "Type", "DesiredStatus", "KnownStatus", "CreatedAt",
        "StartedAt", "FinishedAt", "LogDriver", "Snapshotter", "RestartCount"}) {
      put(u, snake(f), text(c, f));
    }
    flatten(u, "labels", c.get("Labels"));
    flatten(u, "limits", c.get("Limits"));
    flatten(u, "health", c.get("Health"));
    flatten(u, "log_options", c.get("LogOptions"));
    if (c.has("Ports")) put(u, "ports", c.get("Ports").toString());
    if (c.has("Volumes")) put(u, "volumes", c.get("Volumes").toString());
    for (String f : new String[] {"NetworkMode", "MACAddress", "IPv4SubnetCIDRBlock", "SubnetGatewayIpv4Address",
        "AttachmentIndex", "IPv6Addresses", "DomainNameServers", "PrivateDNSName"}) {
      put(u, "network." + snake(f), text(net, f));
    }
    e.setMessage("ECS container " + k.getName() + " (" + k.getUid() + ") of task " + taskArn
        + (ip != null ? " at " + ip : ""));
    return e;
  }

  // ---- aws ecs describe-tasks ------------------------------------------------------------------------------------

  private void describedTask(JsonNode t, int start, int end, long line, List<EvidenceEvent> out) {
    long ord = ordinal++;
    String taskArn = text(t, "taskArn");
    String cluster = text(t, "clusterArn");
    EvidenceEvent task = newEvent("task", start, end, line, ord, 0);
    Cloud cloud = cloud(task, taskArn, cluster, text(t, "availabilityZone"));
    String eni = null;
    String ip = null;
    String subnet = null;
    String mac = null;
    String host = null;
    for (JsonNode a : t.path("attachments")) {
      String type = text(a, "type");
      // DescribeTasks says ElasticNetworkInterface; EventBridge task state change events may say eni
      if (!"ElasticNetworkInterface".equals(type) && !"eni".equalsIgnoreCase(type)) continue;
      for (JsonNode d : a.path("details")) {
        String name = text(d, "name");
        String value = text(d, "value");
        if (name == null || value == null) continue;
        switch (name) {
          case "networkInterfaceId" -> eni = eni == null ? value : eni;
          case "privateIPv4Address" -> ip = ip == null ? value : ip;
          case "subnetId" -> subnet = subnet == null ? value : subnet;
          case "macAddress" -> mac = mac == null ? value : mac;
          case "privateDnsName" -> host = host == null ? value : host;
          default -> { }
        }
      }
      put(task.getUnmapped(), "attachment.id", text(a, "id"));
      put(task.getUnmapped(), "attachment.status", text(a, "status"));
    }
    if (ip == null) ip = text(t.path("containers").path(0).path("networkInterfaces").path(0), "privateIpv4Address");
    cloud.setEniUid(eni);
    cloud.setSubnetUid(subnet);
    if (ip != null || host != null) {
      Endpoint src = new Endpoint();
      src.setIp(ip);
      src.setHostname(host);
      src.setInterfaceUid(eni);
      task.setSrcEndpoint(src);
    }
    String st = time(t, "startedAt");
    String cr = time(t, "createdAt");
    interval(task, st != null ? st : cr, time(t, "stoppedAt"), st != null ? "startedAt" : "createdAt");
    task.setStatusDetail(text(t, "stoppedReason"));
    Ecs ecs = EcsNames.ecs(cluster, taskArn, text(t, "taskDefinitionArn"), EcsNames.serviceOfGroup(text(t, "group")),
        text(t, "launchType"));
    ecs.setContainerInstanceArn(text(t, "containerInstanceArn"));
    // a run's overrides name the roles it ran with (the task definition's otherwise: describe-task-definition)
    ecs.setTaskRoleArn(text(t.path("overrides"), "taskRoleArn"));
    ecs.setExecutionRoleArn(text(t.path("overrides"), "executionRoleArn"));
    task.setEcs(ecs);
    Map<String, String> u = task.getUnmapped();
    put(u, "network.mac_address", mac);
    for (String f : new String[] {"taskDefinitionArn", "group", "launchType", "platformVersion", "platformFamily",
        "lastStatus", "desiredStatus", "healthStatus", "connectivity", "connectivityAt", "pullStartedAt",
        "pullStoppedAt", "executionStoppedAt", "stoppingAt", "stopCode", "startedBy", "cpu", "memory", "version",
        "containerInstanceArn", "capacityProviderName", "enableExecuteCommand", "createdAt", "startedAt",
        "stoppedAt"}) {
      put(u, snake(f), text(t, f));
    }
    flatten(u, "tags", tagsObject(t.get("tags")));
    flatten(u, "overrides", t.get("overrides"));
    JsonNode containers = t.path("containers");
    u.put("containers", Integer.toString(containers.size()));
    task.setMessage("ECS task " + taskArn + (ip != null ? " at " + ip : "") + (eni != null ? " on " + eni : ""));
    out.add(task);
    int sub = 1;
    for (JsonNode c : containers) {
      if (!c.isObject()) continue;
      out.add(describedContainer(c, taskArn, cluster, task, ip, start, end, line, ord, sub++));
    }
  }

  private EvidenceEvent describedContainer(JsonNode c, String taskArn, String cluster, EvidenceEvent task,
      String taskIp, int start, int end, long line, long ord, int sub) {
    EvidenceEvent e = newEvent("container", start, end, line, ord, sub);
    String arn = text(c, "taskArn");
    cloud(e, arn != null ? arn : taskArn, cluster, task.getCloud().getAvailabilityZone());
    e.setEcs(task.getEcs());
    e.getCloud().setEniUid(task.getCloud().getEniUid());
    e.getCloud().setSubnetUid(task.getCloud().getSubnetUid());
    Container k = new Container();
    k.setUid(text(c, "runtimeId"));
    k.setName(text(c, "name"));
    k.setImageName(text(c, "image"));
    k.setImageDigest(text(c, "imageDigest"));
    e.setContainer(k);
    JsonNode ni = c.path("networkInterfaces").path(0);
    String ip = text(ni, "privateIpv4Address");
    if (ip == null) ip = taskIp;
    if (ip != null) {
      Endpoint src = new Endpoint();
      src.setIp(ip);
      src.setInterfaceUid(task.getCloud().getEniUid());
      e.setSrcEndpoint(src);
    }
    interval(e, task.getTimeOriginal(), task.getEndTime() == null ? null : time(task), "the task's start");
    String exit = text(c, "exitCode");
    if (exit != null) {
      e.setStatusCode(exit);
      e.setStatus("0".equals(exit) ? "Success" : "Failure");
    }
    e.setStatusDetail(text(c, "reason"));
    Map<String, String> u = e.getUnmapped();
    for (String f : new String[] {"containerArn", "lastStatus", "healthStatus", "cpu", "memory",
        "memoryReservation"}) {
      put(u, snake(f), text(c, f));
    }
    put(u, "network.attachment_id", text(ni, "attachmentId"));
    put(u, "network.ipv6_address", text(ni, "ipv6Address"));
    if (c.has("networkBindings")) put(u, "network_bindings", c.get("networkBindings").toString());
    if (c.has("managedAgents")) put(u, "managed_agents", c.get("managedAgents").toString());
    e.setMessage("ECS container " + k.getName() + " (" + k.getUid() + ") of task " + taskArn
        + (ip != null ? " at " + ip : ""));
    return e;
  }

  private String time(EvidenceEvent task) {
    return task.getUnmapped().get("stopped_at");
  }

  // ---- aws ecs describe-task-definition ---------------------------------------------------------------------------

  /**
   * {@code aws ecs describe-task-definition} output ({@code {"taskDefinition": {...}}}, DescribeTaskDefinition
   * response): one {@code task_definition} event naming the definition's task role (the workload's credentials) and
   * execution role (the ECS agent's: image pulls, log streams, secrets), at {@code registeredAt}.
   */
  private void taskDefinition(JsonNode d, int start, int end, long line, List<EvidenceEvent> out) {
    long ord = ordinal++;
    String arn = text(d, "taskDefinitionArn");
    EvidenceEvent e = newEvent("task_definition", start, end, line, ord, 0);
    Cloud cloud = cloud(e, arn, null, null);
    cloud.setTaskUid(null);
    cloud.setClusterUid(null);
    Ecs ecs = EcsNames.ecs(null, null, arn, null, null);
    ecs.setTaskRoleArn(text(d, "taskRoleArn"));
    ecs.setExecutionRoleArn(text(d, "executionRoleArn"));
    e.setEcs(ecs);
    interval(e, time(d, "registeredAt"), time(d, "deregisteredAt"), "registeredAt");
    Map<String, String> u = e.getUnmapped();
    for (String f : new String[] {"taskDefinitionArn", "family", "revision", "networkMode", "status", "cpu", "memory",
        "registeredAt", "registeredBy", "deregisteredAt"}) {
      put(u, snake(f), text(d, f));
    }
    JsonNode compat = d.get("requiresCompatibilities");
    if (compat != null && compat.isArray()) put(u, "requires_compatibilities", compat.toString());
    List<String> names = new ArrayList<>();
    for (JsonNode c : d.path("containerDefinitions")) {
      String n = text(c, "name");
      if (n != null) names.add(n);
    }
    u.put("containers", String.join(",", names));
    e.setMessage("ECS task definition " + ecs.getTaskDefinition() + " (task role " + nz(ecs.getTaskRoleArn())
        + ", execution role " + nz(ecs.getExecutionRoleArn()) + ")");
    out.add(e);
  }

  private static String nz(String s) {
    return s == null ? "none" : s;
  }

  // ---- helpers --------------------------------------------------------------------------------------------------

  private EvidenceEvent newEvent(String activity, int start, int end, long line, long ord, int sub) {
    EvidenceEvent e = ctx.newEvent(OcsfClass.BASE_EVENT, ACTIVITY_OTHER, activity, start, end, line, ord, sub);
    e.setSeverityId(1);
    e.setSeverity("Informational");
    return e;
  }

  /** cloud from the ARN ({@code arn:aws:ecs:<region>:<account>:task/...}), falling back on the evidence context. */
  private static Cloud cloud(EvidenceEvent e, String taskArn, String cluster, String az) {
    Cloud c = e.getCloud();
    if (c == null) {
      c = new Cloud();
      e.setCloud(c);
    }
    c.setProvider("aws");
    if (taskArn != null && taskArn.startsWith("arn:")) {
      String[] p = taskArn.split(":", 6);
      if (p.length == 6) {
        if (!p[3].isEmpty()) c.setRegion(p[3]);
        if (!p[4].isEmpty()) c.setAccountUid(p[4]);
      }
    }
    c.setTaskUid(taskArn);
    c.setClusterUid(cluster);
    c.setAvailabilityZone(az);
    return c;
  }

  /** time/time_original/start_time from {@code startText}, end_time from {@code endText}. */
  private void interval(EvidenceEvent e, String startText, String endText, String what) {
    if (startText == null) {
      Events.warn(e, "no start time (" + what + "); time = observed_time");
    } else {
      Instant s = instant(startText);
      if (Timestamps.toMicros(startText) != Timestamps.INVALID || s == null) {
        ctx.applyTime(e, startText, what);
      } else { // epoch seconds (AWS CLI v1)
        e.setTime(s);
        e.setTimeOriginal(startText);
      }
      if (s != null) e.setStartTime(s);
    }
    Instant en = instant(endText);
    if (en != null) e.setEndTime(en);
  }

  /** A time field as text (ISO-8601, or epoch seconds as the AWS CLI v1 wrote them), null for absent/zero. */
  private static String time(JsonNode o, String field) {
    JsonNode n = o.get(field);
    if (n == null || n.isNull()) return null;
    String t = n.isNumber() ? n.decimalValue().stripTrailingZeros().toPlainString() : n.isTextual() ? n.textValue() : null;
    if (t == null || t.isEmpty() || t.startsWith("0001-01-01")) return null;
    return t;
  }

  /** Instant of an ISO-8601 or epoch-seconds text, or null. */
  static Instant instant(String t) {
    if (t == null) return null;
    long micros = Timestamps.toMicros(t);
    if (micros != Timestamps.INVALID) return Timestamps.toInstant(micros);
    try {
      BigDecimal secs = new BigDecimal(t);
      if (secs.signum() <= 0 || secs.compareTo(BigDecimal.valueOf(1L << 40)) > 0) return null;
      return Timestamps.toInstant(secs.movePointRight(6).longValue());
    } catch (NumberFormatException ex) {
      return null;
    }
  }

  private static JsonNode tagsObject(JsonNode tags) {
    if (tags == null || !tags.isArray()) return tags;
    com.fasterxml.jackson.databind.node.ObjectNode o = Json.MAPPER.createObjectNode();
    for (JsonNode t : tags) {
      String k = text(t, "key");
      if (k != null) o.set(k, t.path("value"));
    }
    return o;
  }

  private static String text(JsonNode o, String field) {
    if (o == null) return null;
    String v = Json.text(o.get(field));
    return v == null || v.isEmpty() ? null : v;
  }

  private static String text(JsonNode arr, int i) {
    if (arr == null || !arr.isArray() || arr.size() <= i) return null;
    String v = Json.text(arr.get(i));
    return v == null || v.isEmpty() ? null : v;
  }

  private static void put(Map<String, String> u, String k, String v) {
    if (v != null) u.put(k, v.length() > MAX_VALUE ? v.substring(0, MAX_VALUE) : v);
  }

  private static void flatten(Map<String, String> u, String prefix, JsonNode n) {
    if (n != null && !n.isNull()) Json.flatten(u, prefix, n, MAX_VALUE);
  }

  /** TaskARN -> task_arn, IPv4SubnetCIDRBlock -> ipv4_subnet_cidr_block, macAddress -> mac_address. */
  static String snake(String name) {
    if (name.equals("VPCID")) return "vpc_id";
    String n = name.replace("IPv4", "Ipv4").replace("IPv6", "Ipv6");
    StringBuilder sb = new StringBuilder(n.length() + 6);
    for (int i = 0; i < n.length(); i++) {
      char c = n.charAt(i);
      if (c >= 'A' && c <= 'Z') {
        if (i > 0) {
          char prev = n.charAt(i - 1);
          boolean prevUpper = prev >= 'A' && prev <= 'Z';
          boolean nextLower = i + 1 < n.length() && n.charAt(i + 1) >= 'a' && n.charAt(i + 1) <= 'z';
          if (!prevUpper || nextLower) sb.append('_');
        }
        sb.append((char) (c + 32));
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }
}
