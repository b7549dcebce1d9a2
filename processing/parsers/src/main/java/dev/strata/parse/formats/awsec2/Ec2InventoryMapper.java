package dev.strata.parse.formats.awsec2;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.parse.ChunkContext;
import dev.strata.parse.Json;
import dev.strata.parse.JsonRecordStream;
import dev.strata.parse.JsonRecordStream.RecordException;
import dev.strata.parse.JsonRecordStream.RecordSpan;
import dev.strata.parse.OcsfClass;
import dev.strata.parse.RejectReason;
import dev.strata.parse.Timestamps;
import dev.strata.schema.event.Cloud;
import dev.strata.schema.event.Device;
import dev.strata.schema.event.Ecs;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.event.Kubernetes;
import dev.strata.schema.event.Resource;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One record of an EC2 inventory to OCSF 5001 Device Inventory Info events, activity 2 Collect: what the EC2 API said
 * of an instance or a network interface when the responder listed it. Field meanings as the EC2 API reference gives
 * them ({@code Instance}, {@code InstanceNetworkInterface}, {@code NetworkInterface}; the CLI prints the API's
 * member names). A record is one of:
 *
 * <ul>
 *   <li>a reservation ({@code Reservations[]} of {@code describe-instances}: {@code ReservationId}, {@code OwnerId},
 *       {@code RequesterId}, {@code Instances[]}): one event per instance;
 *   <li>an instance ({@code InstanceId}: {@code --query 'Reservations[].Instances[]'}, JSON lines of instances);
 *   <li>a network interface ({@code NetworkInterfaceId}: {@code NetworkInterfaces[]} of {@code
 *       describe-network-interfaces}, or JSON lines of them).
 * </ul>
 *
 * <pre>
 * instance:
 * time                  -> LaunchTime (start_time too): the instance's name, primary interface and primary address
 *                          hold from its launch; the snapshot's own time is not in the output (observed_time)
 * InstanceId            -> cloud.instance_uid, resources[0] (AWS::EC2::Instance, name = the Name tag)
 * PrivateDnsName        -> device.hostname (EKS names its node so: kubernetes.node_name when a tag names a cluster)
 * PrivateIpAddress      -> device.ip
 * OwnerId               -> cloud.account_uid (the reservation's, else the primary interface's, else the context's)
 * Placement.AvailabilityZone -> cloud.availability_zone, cloud.region (the zone without its letter)
 * VpcId / SubnetId      -> cloud.vpc_uid / subnet_uid; the primary interface (DeviceIndex 0) -> cloud.eni_uid
 * Tags kubernetes.io/cluster/NAME, eks:cluster-name, aws:eks:cluster-name -> kubernetes.cluster (else none: the
 *                          context's cluster is not the instance's unless a tag says so)
 * Tags aws:ecs:clusterName -> ecs.cluster_name
 * State.Name, InstanceType, ImageId, IamInstanceProfile.Arn, ReservationId, RequesterId, Tags -> unmapped ec2.*
 * network interface:
 * time                  -> Attachment.AttachTime (the interface is the instance's from then), else observed_time
 * NetworkInterfaceId    -> cloud.eni_uid, resources[0] (AWS::EC2::NetworkInterface); Attachment.InstanceId ->
 *                          cloud.instance_uid; OwnerId -> cloud.account_uid; InterfaceType, Description,
 *                          RequesterId, RequesterManaged, Status, TagSet -> unmapped ec2.*; an ECS task's interface
 *                          (Description arn:aws:ecs:...:attachment/ID) -> unmapped ec2.ecs_attachment
 * both:
 * unmapped ec2.object   -> JSON the correlation job reads (BindingExtractor.ec2Inventory): the instance id, private
 *                          DNS name, launch time, state, VPC, clusters, and per interface its id, type, device index,
 *                          attach time, whether an ECS task's or a branch interface, private addresses (primary
 *                          flag), IPv6 addresses and public addresses
 * </pre>
 */
final class Ec2InventoryMapper implements JsonRecordStream.MultiEventMapper {
  /** A field larger than this is cut, and the record rejected (an instance is a few KiB). */
  static final int MAX_VALUE_BYTES = 1024 * 1024;

  static final String CLUSTER_TAG = "kubernetes.io/cluster/";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ChunkContext ctx;
  private final ObjectNode record = JSON.createObjectNode();

  Ec2InventoryMapper(ChunkContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void begin() {
    record.removeAll();
  }

  @Override
  public void field(String name, JsonParser p, JsonRecordStream.Source src) throws IOException {
    JsonToken t = p.currentToken();
    if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
      String v = src.valueText(p, MAX_VALUE_BYTES);
      if (v == null) {
        record.put("\u0000cut", name);
        return;
      }
      record.set(name, JSON.readTree(v));
    } else {
      String v = Json.scalarText(p);
      if (v != null) record.put(name, v);
    }
  }

  @Override
  public List<EvidenceEvent> endAll(RecordSpan span) throws RecordException {
    if (record.has("\u0000cut")) {
      throw new RecordException(RejectReason.MALFORMED_RECORD,
          record.path("\u0000cut").asText() + " is cut (over " + MAX_VALUE_BYTES + " bytes)");
    }
    List<EvidenceEvent> out = new ArrayList<>(1);
    if (record.path("Instances").isArray()) {
      int sub = 0;
      for (JsonNode i : record.path("Instances")) {
        if (i.isObject() && text(i, "InstanceId") != null) out.add(instance(i, record, span, sub++));
      }
      return out;
    }
    if (text(record, "InstanceId") != null) return List.of(instance(record, null, span, 0));
    if (text(record, "NetworkInterfaceId") != null) return List.of(networkInterface(record, span));
    throw new RecordException(RejectReason.MISSING_FIELD,
        "not an EC2 reservation, instance or network interface: no Instances, InstanceId or NetworkInterfaceId");
  }

  // ------------------------------------------------------------------------------------------------- instance

  private EvidenceEvent instance(JsonNode i, JsonNode reservation, RecordSpan span, int sub) {
    String id = text(i, "InstanceId");
    EvidenceEvent e = ctx.newEvent(OcsfClass.DEVICE_INVENTORY_INFO, 2, "Collect", span.start(), span.end(), span.line(),
        span.ordinal(), sub, new HashMap<>(16));
    Map<String, String> u = e.getUnmapped();
    String launch = text(i, "LaunchTime");
    ctx.applyTime(e, launch, "LaunchTime");
    if (launch != null && Timestamps.toMicros(launch) != Timestamps.INVALID) e.setStartTime(e.getTime());
    Map<String, String> tags = tags(i.path("Tags"));
    String dns = text(i, "PrivateDnsName");
    String zone = text(i.path("Placement"), "AvailabilityZone");
    JsonNode primary = null;
    for (JsonNode ni : i.path("NetworkInterfaces")) {
      if (ni.path("Attachment").path("DeviceIndex").asInt(-1) == 0) primary = ni;
    }
    String account = reservation != null ? text(reservation, "OwnerId") : null;
    if (account == null && primary != null) account = text(primary, "OwnerId");
    Cloud c = cloud(e, account, zone);
    c.setInstanceUid(id);
    c.setVpcUid(text(i, "VpcId"));
    c.setSubnetUid(text(i, "SubnetId"));
    if (primary != null) c.setEniUid(text(primary, "NetworkInterfaceId"));
    e.setCloud(c);
    e.setDevice(new Device(dns, text(i, "PrivateIpAddress"), id));
    String cluster = cluster(tags);
    e.setKubernetes(null);
    if (cluster != null) {
      Kubernetes k = new Kubernetes();
      k.setCluster(cluster);
      if (dns != null) k.setNodeName(dns);
      e.setKubernetes(k);
    }
    String ecsCluster = tags.get("aws:ecs:clusterName");
    if (ecsCluster != null) {
      Ecs ecs = new Ecs();
      ecs.setClusterName(ecsCluster);
      e.setEcs(ecs);
    }
    e.getResources().add(new Resource("AWS::EC2::Instance", tags.get("Name"), id, null, null, null));
    String state = text(i.path("State"), "Name");
    put(u, "ec2.state", state);
    put(u, "ec2.instance_type", text(i, "InstanceType"));
    put(u, "ec2.image_id", text(i, "ImageId"));
    put(u, "ec2.iam_instance_profile", text(i.path("IamInstanceProfile"), "Arn"));
    put(u, "ec2.public_ip", text(i, "PublicIpAddress"));
    if (reservation != null) {
      put(u, "ec2.reservation_id", text(reservation, "ReservationId"));
      put(u, "ec2.owner_id", text(reservation, "OwnerId"));
      put(u, "ec2.requester_id", text(reservation, "RequesterId"));
    }
    for (Map.Entry<String, String> t : tags.entrySet()) u.put("ec2.tags." + t.getKey(), t.getValue());
    ObjectNode obj = JSON.createObjectNode();
    obj.put("instance_id", id);
    if (dns != null) obj.put("private_dns_name", dns);
    if (launch != null) obj.put("launch_time", launch);
    if (state != null) obj.put("state", state);
    // EC2's "User initiated (2026-11-20 11:00:00 GMT)": when a stopped / terminated instance changed state
    String reason = text(i, "StateTransitionReason");
    if (reason != null) {
      obj.put("state_reason", reason);
      put(u, "ec2.state_reason", reason);
    }
    if (c.getVpcUid() != null) obj.put("vpc_id", c.getVpcUid());
    if (cluster != null) obj.put("cluster", cluster);
    if (ecsCluster != null) obj.put("ecs_cluster", ecsCluster);
    ArrayNode nis = obj.putArray("interfaces");
    StringBuilder addresses = new StringBuilder();
    for (JsonNode ni : i.path("NetworkInterfaces")) {
      ObjectNode n = iface(ni, id);
      if (n == null) continue;
      nis.add(n);
      for (JsonNode a : n.path("private_ips")) {
        addresses.append(addresses.length() == 0 ? "" : ", ").append(a.path("ip").asText());
      }
    }
    if (nis.isEmpty() && text(i, "PrivateIpAddress") != null) {
      // an instance listed without its interfaces (an older or filtered output): its primary address only
      ObjectNode n = nis.addObject();
      n.put("device_index", 0);
      n.putArray("private_ips").addObject().put("ip", text(i, "PrivateIpAddress")).put("primary", true);
      addresses.append(text(i, "PrivateIpAddress"));
    }
    u.put("ec2.object", obj.toString());
    e.setMessage("EC2 instance " + id + (dns == null ? "" : " " + dns) + (state == null ? "" : " (" + state + ")")
        + (cluster == null ? "" : " of cluster " + cluster) + (ecsCluster == null ? "" : " of ECS cluster " + ecsCluster)
        + (addresses.length() == 0 ? "" : " at " + addresses));
    e.setRawData(ctx.rawText(span.start(), span.end()));
    return e;
  }

  // ---------------------------------------------------------------------------------------- network interface

  private EvidenceEvent networkInterface(JsonNode ni, RecordSpan span) {
    String id = text(ni, "NetworkInterfaceId");
    EvidenceEvent e = ctx.newEvent(OcsfClass.DEVICE_INVENTORY_INFO, 2, "Collect", span.start(), span.end(), span.line(),
        span.ordinal(), 0, new HashMap<>(16));
    Map<String, String> u = e.getUnmapped();
    JsonNode att = ni.path("Attachment");
    String attached = text(att, "AttachTime");
    if (attached != null) {
      ctx.applyTime(e, attached, "Attachment.AttachTime");
      if (Timestamps.toMicros(attached) != Timestamps.INVALID) e.setStartTime(e.getTime());
    } else {
      u.put("ec2.time_basis", "observed_time"); // not attached: held at collection, nothing says since when
    }
    Cloud c = cloud(e, text(ni, "OwnerId"), text(ni, "AvailabilityZone"));
    c.setEniUid(id);
    c.setVpcUid(text(ni, "VpcId"));
    c.setSubnetUid(text(ni, "SubnetId"));
    c.setInstanceUid(text(att, "InstanceId"));
    e.setCloud(c);
    e.setKubernetes(null);
    e.setDevice(null);
    Map<String, String> tags = tags(ni.has("TagSet") ? ni.path("TagSet") : ni.path("Tags"));
    String cluster = cluster(tags);
    if (cluster == null) cluster = tags.get("vpcresources.k8s.aws/cluster-name"); // a branch interface's cluster
    if (cluster != null) {
      Kubernetes k = new Kubernetes();
      k.setCluster(cluster);
      e.setKubernetes(k);
    }
    e.getResources().add(new Resource("AWS::EC2::NetworkInterface", tags.get("Name"), id, null, null, null));
    put(u, "ec2.interface_type", text(ni, "InterfaceType"));
    put(u, "ec2.description", text(ni, "Description"));
    put(u, "ec2.requester_id", text(ni, "RequesterId"));
    put(u, "ec2.requester_managed", text(ni, "RequesterManaged"));
    put(u, "ec2.status", text(ni, "Status"));
    put(u, "ec2.attachment_status", text(att, "Status"));
    put(u, "ec2.instance_owner_id", text(att, "InstanceOwnerId"));
    put(u, "ec2.public_ip", text(ni.path("Association"), "PublicIp"));
    for (Map.Entry<String, String> t : tags.entrySet()) u.put("ec2.tags." + t.getKey(), t.getValue());
    ObjectNode n = iface(ni, text(att, "InstanceId"));
    String ecs = n.path("ecs_attachment").asText(null);
    put(u, "ec2.ecs_attachment", ecs);
    ObjectNode obj = JSON.createObjectNode();
    if (c.getVpcUid() != null) obj.put("vpc_id", c.getVpcUid());
    if (cluster != null) obj.put("cluster", cluster);
    obj.putArray("interfaces").add(n);
    u.put("ec2.object", obj.toString());
    StringBuilder addresses = new StringBuilder();
    for (JsonNode a : n.path("private_ips")) {
      addresses.append(addresses.length() == 0 ? "" : ", ").append(a.path("ip").asText());
    }
    String type = text(ni, "InterfaceType");
    e.setMessage("EC2 network interface " + id + (type == null ? "" : " (" + type + ")")
        + (c.getInstanceUid() == null ? "" : " attached to " + c.getInstanceUid())
        + (ecs == null ? "" : " of ECS attachment " + ecs) + (addresses.length() == 0 ? "" : " at " + addresses));
    e.setRawData(ctx.rawText(span.start(), span.end()));
    return e;
  }

  /**
   * An interface's part of {@code ec2.object}: id, type, device index, attach time, its instance, whether it is an ECS
   * task's (Description {@code arn:aws:ecs:...:attachment/...}) or a pod's branch interface, its private addresses
   * ({@code PrivateIpAddresses[]}, primary flagged), IPv6 addresses and public addresses. Null without an id.
   */
  private static ObjectNode iface(JsonNode ni, String instance) {
    String id = text(ni, "NetworkInterfaceId");
    if (id == null) return null;
    ObjectNode n = JSON.createObjectNode();
    n.put("id", id);
    JsonNode att = ni.path("Attachment");
    if (att.path("DeviceIndex").isNumber()) n.put("device_index", att.path("DeviceIndex").asInt());
    if (text(att, "AttachTime") != null) n.put("attach_time", text(att, "AttachTime"));
    if (text(att, "Status") != null) n.put("attachment_status", text(att, "Status"));
    if (instance != null) n.put("instance_id", instance);
    String type = text(ni, "InterfaceType");
    if (type != null) n.put("type", type);
    String description = text(ni, "Description");
    if (description != null && description.startsWith("arn:aws") && description.contains(":ecs:")
        && description.contains(":attachment/")) {
      n.put("ecs_attachment", description);
    }
    ArrayNode ips = n.putArray("private_ips");
    boolean primarySeen = false;
    for (JsonNode a : ni.path("PrivateIpAddresses")) {
      String ip = text(a, "PrivateIpAddress");
      if (ip == null) continue;
      boolean primary = a.path("Primary").asBoolean(false);
      primarySeen |= primary;
      ips.addObject().put("ip", ip).put("primary", primary);
      String pub = text(a.path("Association"), "PublicIp");
      if (pub != null) n.withArray("public_ips").add(pub);
    }
    if (!primarySeen && text(ni, "PrivateIpAddress") != null) {
      ips.insertObject(0).put("ip", text(ni, "PrivateIpAddress")).put("primary", true);
    }
    for (JsonNode a : ni.path("Ipv6Addresses")) {
      String ip = text(a, "Ipv6Address");
      if (ip != null) n.withArray("ipv6").add(ip);
    }
    String pub = text(ni.path("Association"), "PublicIp");
    if (pub != null && !n.path("public_ips").toString().contains("\"" + pub + "\"")) n.withArray("public_ips").add(pub);
    return n;
  }

  // ---------------------------------------------------------------------------------------------------- shared

  /** cloud: aws, the account (else the context's), the zone and its region (else the context's region). */
  private Cloud cloud(EvidenceEvent e, String account, String zone) {
    Cloud ctxCloud = e.getCloud();
    Cloud c = new Cloud();
    c.setProvider("aws");
    c.setAccountUid(account != null ? account : ctxCloud == null ? null : ctxCloud.getAccountUid());
    c.setAvailabilityZone(zone);
    String region = zone != null && zone.length() > 1 && Character.isLetter(zone.charAt(zone.length() - 1))
        ? zone.substring(0, zone.length() - 1) : null;
    c.setRegion(region != null ? region : ctxCloud == null ? null : ctxCloud.getRegion());
    return c;
  }

  /** The Kubernetes cluster the tags name: {@code kubernetes.io/cluster/<name>}, {@code eks:cluster-name}, {@code aws:eks:cluster-name}. */
  static String cluster(Map<String, String> tags) {
    for (String k : List.of("eks:cluster-name", "aws:eks:cluster-name")) {
      String v = tags.get(k);
      if (v != null && !v.isEmpty()) return v;
    }
    for (String k : tags.keySet()) {
      if (k.startsWith(CLUSTER_TAG) && k.length() > CLUSTER_TAG.length()) return k.substring(CLUSTER_TAG.length());
    }
    return null;
  }

  /** {@code [{"Key":..,"Value":..}]} as a map, in order. */
  private static Map<String, String> tags(JsonNode tags) {
    Map<String, String> out = new LinkedHashMap<>();
    for (JsonNode t : tags) {
      String k = text(t, "Key");
      if (k != null) out.put(k, t.path("Value").asText(""));
    }
    return out;
  }

  private static void put(Map<String, String> u, String k, String v) {
    if (v != null && !v.isEmpty()) u.put(k, v);
  }

  /** A non-empty scalar field of {@code n} as text (numbers and booleans too), else null. */
  static String text(JsonNode n, String field) {
    JsonNode v = n.path(field);
    if (!v.isValueNode() || v.isNull()) return null;
    String s = v.asText();
    return s.isEmpty() ? null : s;
  }
}
