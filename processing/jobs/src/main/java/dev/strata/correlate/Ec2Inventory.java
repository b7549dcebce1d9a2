package dev.strata.correlate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.parse.Timestamps;
import dev.strata.schema.correlate.EntityBinding;
import dev.strata.schema.event.EvidenceEvent;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The statements of an EC2 inventory ({@code aws_ec2_instances}: {@code aws ec2 describe-instances}; {@code
 * aws_ec2_network_interfaces}: {@code describe-network-interfaces}), read from the event's {@code ec2.object} (the
 * parser's summary of the instance or interface). An inventory says what held at its collection; what the EC2 API
 * documents as fixed for a resource's life is stated from that resource's start, the rest from the collection:
 *
 * <ul>
 *   <li>{@code node_instance} {@code k8s:<cluster>} / the private DNS name -> the instance when a tag names its cluster
 *       ({@code kubernetes.io/cluster/<name>}, {@code eks:cluster-name}, {@code aws:eks:cluster-name}): EKS names a
 *       node by its private DNS name, which does not change for the instance's life. From the launch, open, 0.8 (a
 *       naming convention, as CloudTrail's RunInstances); also for a terminated instance (its earlier events);
 *   <li>{@code instance_cluster}: the instance -> the ECS cluster of its {@code aws:ecs:clusterName} tag, from the
 *       launch, open;
 *   <li>{@code eni_instance}: an attached interface -> its instance, from the launch (device index 0: the primary
 *       interface is created with the instance and never detached) or the attachment's {@code AttachTime}, open;
 *   <li>{@code ip_instance}: an attached interface's addresses -> its instance; the primary private address of an
 *       interface does not change for the interface's life (from the launch or the attachment), a secondary one is
 *       assigned and unassigned at any time (the VPC CNI's pod addresses, WARM_IP_TARGET): from the collection
 *       ({@code observed_time}), open. So the inventory never says a secondary address was the instance's before it
 *       was seen there (an address reused across nodes is not misattributed), at the price of attributing nothing
 *       before the collection through it;
 *   <li>{@code ip_eni}: the addresses of an interface that is no instance's to attribute (a pod's branch interface, an
 *       ECS {@code awsvpc} task's interface, requester-managed interfaces, not attached ones) -> the interface: the
 *       primary address from the attachment when there is one, else from the collection, secondary ones from the
 *       collection. An ECS task's interface is not its container instance's ({@code eni_instance} is not stated for
 *       it: a task's flows would share a pivot with every other task of the host, docs/correlation.md "ECS context").
 * </ul>
 *
 * A terminated instance states no interface or address (they were released). Addresses are scoped {@code
 * aws:<account>:<vpc>} (else {@code aws:<account>}); only private ones are stated (a public address is looked up by
 * nobody). Not read: IPv6 global addresses, public addresses (kept in the event), the instance profile (its role is
 * not named).
 */
final class Ec2Inventory {
  static final Set<String> FORMATS = Set.of("aws_ec2_instances", "aws_ec2_network_interfaces");
  private static final ObjectMapper JSON = new ObjectMapper();

  private Ec2Inventory() {}

  static void extract(BindingExtractor x, EvidenceEvent e, List<EntityBinding> out) {
    String text = e.getUnmapped() == null ? null : e.getUnmapped().get("ec2.object");
    if (text == null) return;
    JsonNode obj;
    try {
      obj = JSON.readTree(text);
    } catch (Exception ex) {
      return;
    }
    String account = e.getCloud() == null ? null : e.getCloud().getAccountUid();
    String vpc = obj.path("vpc_id").asText(null);
    long observed = BindingExtractor.micros(e.getObservedTime() != null ? e.getObservedTime() : e.getTime());
    String instance = obj.path("instance_id").asText(null);
    Long launch = micros(obj.path("launch_time").asText(null));
    String cluster = obj.path("cluster").asText(null);
    String dns = obj.path("private_dns_name").asText(null);
    String node = dns == null || dns.isBlank() ? null : dns.toLowerCase(Locale.ROOT);
    if (instance != null && launch != null) {
      if (cluster != null && node != null) {
        Map<String, String> a = attrs(account, null, cluster, node, instance, null);
        out.add(x.binding(BindingKind.NODE_INSTANCE, "k8s:" + cluster, node, "", instance, a, launch, null, false,
            BindingExtractor.LAUNCH_NODE_CONFIDENCE, e));
      }
      String ecs = obj.path("ecs_cluster").asText(null);
      if (ecs != null) {
        Map<String, String> a = attrs(account, null, null, null, instance, null);
        a.put(Attr.ECS_CLUSTER, ecs);
        out.add(x.binding(BindingKind.INSTANCE_CLUSTER, "", instance, "ecs:" + (account == null ? "" : account), ecs, a,
            launch, null, false, 1.0f, e));
      }
    }
    if ("terminated".equals(obj.path("state").asText(null)) || "shutting-down".equals(obj.path("state").asText(null))) {
      // its interfaces and addresses were released: InstanceEnds closes what earlier evidence bound to it
      if (instance != null) {
        Long at = transitionTime(obj.path("state_reason").asText(null));
        Map<String, String> a = attrs(account, null, null, null, instance, null);
        out.add(x.binding(BindingKind.INSTANCE_STATE, "", instance, "", InstanceEnds.TERMINATED, a,
            at != null ? at : observed, null, false, 1.0f, e));
      }
      return;
    }
    listing(x, e, obj, instance, account, observed, out);
    for (JsonNode ni : obj.path("interfaces")) {
      String eni = ni.path("id").asText(null);
      String owner = ni.path("instance_id").asText(instance);
      boolean own = owner != null && !ni.has("ecs_attachment") && !"branch".equals(ni.path("type").asText(""));
      Long attached = ni.path("device_index").asInt(-1) == 0 && launch != null ? launch
          : micros(ni.path("attach_time").asText(null));
      if (own && eni != null) {
        out.add(x.binding(BindingKind.ENI_INSTANCE, "", eni, "", owner,
            attrs(account, vpc, null, null, owner, eni), attached != null ? attached : observed, null, false, 1.0f, e));
      }
      // the instance's cluster and node name on its addresses: a flow of an address no pod is known for still names
      // the node it was on (only for an instance tagged as a cluster's node)
      boolean nodeOwn = own && owner.equals(instance);
      for (JsonNode a : ni.path("private_ips")) {
        String ip = a.path("ip").asText(null);
        if (!LookupKeys.isPrivateIp(ip)) continue;
        long from = a.path("primary").asBoolean(false) && attached != null ? attached : observed;
        String scope = account == null ? null : vpc != null ? "aws:" + account + ":" + vpc : "aws:" + account;
        if (scope == null) continue;
        if (own) {
          out.add(x.binding(BindingKind.IP_INSTANCE, scope, ip, "", owner, attrs(account, vpc,
              nodeOwn ? cluster : null, nodeOwn && cluster != null ? node : null, owner, eni), from, null, false, 1.0f, e));
        } else if (eni != null) {
          out.add(x.binding(BindingKind.IP_ENI, scope, ip, "", eni, attrs(account, vpc, null, null, null, eni), from,
              null, false, 1.0f, e));
        }
      }
      for (JsonNode v6 : ni.path("ipv6")) {
        String ip = v6.asText(null);
        if (!LookupKeys.isPrivateIp(ip) || account == null) continue;
        String scope = vpc != null ? "aws:" + account + ":" + vpc : "aws:" + account;
        if (own) {
          out.add(x.binding(BindingKind.IP_INSTANCE, scope, ip, "", owner, attrs(account, vpc, null, null, owner, eni),
              observed, null, false, 1.0f, e));
        } else if (eni != null) {
          out.add(x.binding(BindingKind.IP_ENI, scope, ip, "", eni, attrs(account, vpc, null, null, null, eni), observed,
              null, false, 1.0f, e));
        }
      }
    }
  }

  /** Attribute of {@code instance_listing}: the interfaces' ids and private addresses the record lists, comma-joined. */
  static final String LISTED = "ec2_listed";

  /**
   * {@code instance_listing}: what a {@code describe-instances} record lists as the instance's own at the collection
   * ({@link InstanceEnds} closes what an earlier inventory bound to the instance and this one no longer lists). Only a
   * record that lists its {@code NetworkInterfaces} (every interface with its id): one listed without them (a {@code
   * --query} projection, an older output: the mapper then keeps its primary address alone) says nothing of the others.
   */
  private static void listing(BindingExtractor x, EvidenceEvent e, JsonNode obj, String instance, String account,
      long observed, List<EntityBinding> out) {
    if (instance == null || !"aws_ec2_instances".equals(e.getSourceFormat())) return;
    JsonNode interfaces = obj.path("interfaces");
    if (!interfaces.isArray() || interfaces.isEmpty()) return;
    StringBuilder listed = new StringBuilder();
    for (JsonNode ni : interfaces) {
      String eni = ni.path("id").asText(null);
      if (eni == null) return;
      listed.append(listed.length() == 0 ? "" : ",").append(eni);
      for (JsonNode a : ni.path("private_ips")) {
        String ip = a.path("ip").asText(null);
        if (ip != null) listed.append(',').append(ip);
      }
      for (JsonNode v6 : ni.path("ipv6")) {
        if (v6.asText(null) != null) listed.append(',').append(v6.asText());
      }
    }
    Map<String, String> a = attrs(account, null, null, null, instance, null);
    a.put(LISTED, listed.toString());
    out.add(x.binding(BindingKind.INSTANCE_LISTING, "", instance, "", "listed", a, observed, null, false, 1.0f, e));
  }

  private static Map<String, String> attrs(String account, String vpc, String cluster, String node, String instance,
      String eni) {
    Map<String, String> a = new LinkedHashMap<>();
    if (cluster != null) a.put(Attr.CLUSTER, cluster);
    if (node != null) a.put(Attr.NODE_NAME, node);
    if (instance != null) a.put(Attr.INSTANCE_UID, instance);
    if (eni != null) a.put(Attr.ENI_UID, eni);
    if (account != null) a.put(Attr.ACCOUNT_UID, account);
    if (vpc != null) a.put(Attr.VPC_UID, vpc);
    return a;
  }

  private static final java.util.regex.Pattern TRANSITION =
      java.util.regex.Pattern.compile("\\((\\d{4}-\\d{2}-\\d{2}) (\\d{2}:\\d{2}:\\d{2}) GMT\\)");

  /** The time in EC2's {@code StateTransitionReason} ({@code User initiated (2026-11-20 11:00:00 GMT)}), or null. */
  static Long transitionTime(String reason) {
    if (reason == null) return null;
    java.util.regex.Matcher m = TRANSITION.matcher(reason);
    return m.find() ? micros(m.group(1) + "T" + m.group(2) + "Z") : null;
  }

  private static Long micros(String text) {
    if (text == null) return null;
    long m = Timestamps.toMicros(text);
    return m == Timestamps.INVALID ? null : m;
  }
}
