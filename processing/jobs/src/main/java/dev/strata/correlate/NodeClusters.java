package dev.strata.correlate;

import dev.strata.schema.correlate.EntityBinding;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A node's cluster (and account, instance) from its EC2 instance's tags, for evidence that names no cluster: an audit
 * log exported to CloudWatch Logs or collected without a context manifest states its pods' addresses and nodes in the
 * unknown cluster's scope ({@code k8s:}, and no {@code aws:<account>} scope, since nothing names the account), so a flow
 * (which asks its own account's scopes) never meets them and the pods' own records name no cluster. An EC2 inventory
 * ({@code aws_ec2_instances}, {@link Ec2Inventory}) states each tagged instance's {@code node_instance} in its cluster
 * ({@code kubernetes.io/cluster/<name>}, {@code eks:cluster-name}, {@code aws:eks:cluster-name}; the private DNS name is
 * the EKS node's name), with its account.
 *
 * <p>{@link #join}: a clusterless {@code ip_pod}, {@code ip_node} or {@code pod_node} naming node N (the first DNS label
 * of its name, {@link #node}) meets the inventories' {@code node_instance} of N: when the inventories' instances of N in
 * force at the statement's start (each account's latest start at or before it, else the earliest after it) are one
 * cluster in one account, the statement is restated in that cluster's and account's scopes ({@link #rescope}: an
 * address in {@code aws:<account>} and {@code k8s:<cluster>}, a pod in {@code k8s:<cluster>}) with the cluster,
 * account and instance, confidence min(its own, the inventory's 0.8), attribute {@link #BY}; and the node's
 * {@code node_instance} is restated in the unknown cluster's scope ({@code node|k8s:|N}: what an event that names its
 * node and no cluster asks, {@link LookupKeys#probes}) with the cluster. Two accounts' (or clusters') instances of the
 * same name (the same private range in two VPCs) restate nothing: ambiguous. The clusterless statements stay as they
 * are (what names them in the unknown scope still finds them); the restatements are new statements beside them, each
 * with its own id.
 *
 * <p>Not restated: a container's {@code container_pod} / {@code pod_container} (held under the container's key, which
 * has no scope: the clusterless pod and the restated one would be two holders of one key at one time), so an event that
 * names only its container gets the clusterless pod and no cluster.
 */
public final class NodeClusters {
  /** Attribute of a restatement: how its cluster was found. */
  public static final String BY = "node_cluster_by";
  static final String BY_TAGS = "ec2_instance_tags";
  private static final Set<String> RESCOPED =
      Set.of(BindingKind.IP_POD.id(), BindingKind.IP_NODE.id(), BindingKind.POD_NODE.id());

  private NodeClusters() {}

  /** The node (first DNS label, lower case) at which {@code b} joins, or null (see the class doc). */
  public static String node(EntityBinding b) {
    if (isInventoryNode(b)) return label(b.getSubject().getKey());
    if (!waitsForCluster(b)) return null;
    return label(nodeName(b));
  }

  /** Whether {@code b} is an EC2 inventory's {@code node_instance} in a named cluster (see {@link #node}). */
  public static boolean isInventory(EntityBinding b) {
    return isInventoryNode(b);
  }

  /** An EC2 inventory's {@code node_instance} in a named cluster (not a closing statement). */
  static boolean isInventoryNode(EntityBinding b) {
    if (!BindingKind.NODE_INSTANCE.id().equals(b.getKind()) || BindingExtractor.isClosing(b)) return false;
    String cluster = b.getAttributes().get(Attr.CLUSTER);
    return Ec2Inventory.FORMATS.contains(b.getSourceFormat()) && cluster != null && !cluster.isEmpty()
        && b.getSubject().getScope().equals("k8s:" + cluster);
  }

  /** A statement of an address or a pod in the unknown cluster's scope ({@code k8s:}) that names its node. */
  static boolean waitsForCluster(EntityBinding b) {
    if (!RESCOPED.contains(b.getKind())) return false;
    String cluster = b.getAttributes().get(Attr.CLUSTER);
    if (cluster != null && !cluster.isEmpty()) return false;
    if (b.getAttributes().containsKey(BY)) return false;
    String scope = BindingKind.POD_NODE.id().equals(b.getKind()) ? b.getSubject().getScope() : b.getObject().getScope();
    if (!"k8s:".equals(scope)) return false;
    String node = nodeName(b);
    return node != null && !node.isEmpty();
  }

  private static String nodeName(EntityBinding b) {
    if (BindingKind.POD_NODE.id().equals(b.getKind()) || BindingKind.IP_NODE.id().equals(b.getKind())) {
      return b.getObject().getKey();
    }
    return b.getAttributes().get(Attr.NODE_NAME);
  }

  static String label(String name) {
    if (name == null || name.isBlank()) return null;
    String n = name.trim().toLowerCase(Locale.ROOT);
    int dot = n.indexOf('.');
    return dot > 0 ? n.substring(0, dot) : n;
  }

  /**
   * The inventory's {@code node_instance} that names the cluster of a statement starting at {@code atMicros}, or null
   * when none or when the instances of the name in force then are in more than one cluster or account.
   */
  static EntityBinding clusterAt(long atMicros, Collection<EntityBinding> inventories) {
    Map<String, EntityBinding> inForce = new LinkedHashMap<>(); // per account: the latest start at or before
    Map<String, EntityBinding> after = new LinkedHashMap<>(); // per account: the earliest start after
    for (EntityBinding n : inventories) {
      if (!isInventoryNode(n)) continue;
      String account = String.valueOf(n.getAttributes().get(Attr.ACCOUNT_UID));
      long from = BindingExtractor.micros(n.getValidFrom());
      if (from <= atMicros) {
        EntityBinding held = inForce.get(account);
        if (held == null || BindingExtractor.micros(held.getValidFrom()) < from) inForce.put(account, n);
      } else {
        EntityBinding held = after.get(account);
        if (held == null || BindingExtractor.micros(held.getValidFrom()) > from) after.put(account, n);
      }
    }
    Collection<EntityBinding> candidates = !inForce.isEmpty() ? inForce.values() : after.values();
    EntityBinding one = null;
    for (EntityBinding c : candidates) {
      if (one != null && !one.getAttributes().get(Attr.CLUSTER).equals(c.getAttributes().get(Attr.CLUSTER))) return null;
      if (one != null) return null; // two accounts
      one = c;
    }
    return one;
  }

  /** {@code b} restated in the cluster and account {@code node} names, or null when {@code node} is null. */
  public static EntityBinding rescope(BindingExtractor x, EntityBinding b, EntityBinding node) {
    if (node == null) return null;
    String cluster = node.getAttributes().get(Attr.CLUSTER);
    String account = node.getAttributes().get(Attr.ACCOUNT_UID);
    Map<String, String> a = new LinkedHashMap<>(b.getAttributes());
    a.put(Attr.CLUSTER, cluster);
    if (account != null) a.putIfAbsent(Attr.ACCOUNT_UID, account);
    String instance = node.getObject().getKey();
    if (instance != null && !instance.isEmpty()) a.putIfAbsent(Attr.INSTANCE_UID, instance);
    a.put(BY, BY_TAGS);
    float confidence = Math.min(b.getConfidence(), node.getConfidence());
    String k8s = "k8s:" + cluster;
    if (BindingKind.POD_NODE.id().equals(b.getKind())) return x.rescoped(b, k8s, k8s, a, confidence);
    // an address: its account's scope (a flow asks it), its cluster's through the cluster attribute (LookupKeys.of)
    return x.rescoped(b, account != null ? "aws:" + account : k8s, k8s, a, confidence);
  }

  /**
   * The inventory's {@code node_instance} restated in the unknown cluster's scope ({@code node|k8s:|<node>}), with
   * its cluster: what an event naming its node and no cluster asks.
   */
  public static EntityBinding unknownClusterNode(BindingExtractor x, EntityBinding node) {
    Map<String, String> a = new LinkedHashMap<>(node.getAttributes());
    a.put(BY, BY_TAGS);
    return x.rescoped(node, "k8s:", node.getObject().getScope(), a, node.getConfidence());
  }

  /**
   * The restatements of the clusterless statements {@code waiting} given the inventories' node statements {@code
   * inventories} of the same node (see the class doc); with, for each inventory node statement that named one, its
   * {@link #unknownClusterNode}.
   */
  public static List<EntityBinding> decide(BindingExtractor x, Collection<EntityBinding> waiting,
      Collection<EntityBinding> inventories) {
    List<EntityBinding> out = new ArrayList<>();
    Map<String, EntityBinding> nodes = new LinkedHashMap<>();
    for (EntityBinding b : waiting) {
      EntityBinding node = clusterAt(BindingExtractor.micros(b.getValidFrom()), inventories);
      EntityBinding r = rescope(x, b, node);
      if (r == null) continue;
      out.add(r);
      nodes.putIfAbsent(node.getBindingId(), node);
    }
    for (EntityBinding n : nodes.values()) out.add(unknownClusterNode(x, n));
    return out;
  }
}
