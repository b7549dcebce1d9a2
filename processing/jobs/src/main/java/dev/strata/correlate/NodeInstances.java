package dev.strata.correlate;

import dev.strata.schema.correlate.EntityBinding;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A node's instance carried by the statements that name the node (session 16, {@code join-node-instances}): a pod's
 * {@code pod_node}, its {@code ip_pod} and {@code container_pod} naming its node, a node address's {@code ip_node}
 * from a pod's {@code status.hostIP}, ... name the node but not its EC2 instance, which only the node's {@code
 * node_instance} states (the API server's Node object, a node snapshot, the node's files' context, an EC2 launch).
 * The join meets both at the node ({@link #node}: the cluster and the first DNS label of the node's name, as the
 * lookups' node key, {@link LookupKeys#node}) and restates each such statement with the instance ({@link
 * #withInstance}), so an event that found its node through one of them has its instance from the same answer and asks
 * no node key (until session 15 every such event asked it at hop 2 or 3).
 *
 * <p>Which instance: the node's {@code node_instance} start in force at the statement's start (the latest start at or
 * before it), else the earliest start after it (a log that begins after the node registered), as {@link
 * ImdsCredentials#onInstance} does for a fetch. A node's provider id never changes for the node's life; a name reused
 * by a later instance (EKS names a node after its private address) is a later start.
 */
public final class NodeInstances {
  private static final HexFormat HEX = HexFormat.of();
  private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  });

  private NodeInstances() {}

  /** Whether {@code b} states a node's instance (a start or a closing statement of {@code node_instance}). */
  public static boolean isNodeInstance(EntityBinding b) {
    return BindingKind.NODE_INSTANCE.id().equals(b.getKind()) && b.getSubject().getScope().startsWith("k8s:");
  }

  /**
   * Whether {@code b} names a node in a cluster and not its instance: a start (not a closing statement) of a kind the
   * lookups hold, other than {@code node_instance}, whose attributes (or object) name the node and which carries no
   * {@code instance_uid}. An end needs no instance (it answers nothing).
   */
  public static boolean waitsForInstance(EntityBinding b) {
    BindingKind kind = BindingKind.of(b.getKind());
    if (kind == null || !kind.lookup() || kind == BindingKind.NODE_INSTANCE || BindingExtractor.isClosing(b)) return false;
    String instance = b.getAttributes().get(Attr.INSTANCE_UID);
    return (instance == null || instance.isEmpty()) && nodeName(b) != null && cluster(b) != null;
  }

  /**
   * Where the join meets {@code b}: {@code <cluster>|<first DNS label of the node's name, lower case>} for a {@code
   * node_instance} statement or a statement that {@link #waitsForInstance}; null for anything else.
   */
  public static String node(EntityBinding b) {
    if (isNodeInstance(b)) return key(b.getSubject().getScope().substring(4), b.getSubject().getKey());
    if (!waitsForInstance(b)) return null;
    return key(cluster(b), nodeName(b));
  }

  /** The node a statement names: its {@code node_name} attribute, else its object when that is a node. */
  static String nodeName(EntityBinding b) {
    String n = b.getAttributes().get(Attr.NODE_NAME);
    if (n != null && !n.isBlank()) return n;
    if ("node".equals(b.getObject().getType()) && !b.getObject().getKey().isBlank()) return b.getObject().getKey();
    return null;
  }

  /** The cluster of a statement naming a node: its {@code cluster} attribute, else the {@code k8s:} scope it names. */
  static String cluster(EntityBinding b) {
    String c = b.getAttributes().get(Attr.CLUSTER);
    if (c != null && !c.isBlank()) return c;
    if (b.getObject().getScope().startsWith("k8s:")) return b.getObject().getScope().substring(4);
    if (b.getSubject().getScope().startsWith("k8s:")) return b.getSubject().getScope().substring(4);
    return null;
  }

  private static String key(String cluster, String node) {
    String n = node.trim().toLowerCase(Locale.ROOT);
    int dot = n.indexOf('.');
    return cluster + '|' + (dot > 0 ? n.substring(0, dot) : n);
  }

  /**
   * The instance for {@code member}'s interval among the node's {@code node_instance} starts ({@code nodes}; closing
   * statements are skipped): the latest start at or before the member's start, else the earliest after it (ties: the
   * lower instance id, so the choice does not depend on arrival order); null when none is known.
   */
  public static String instanceFor(EntityBinding member, Collection<EntityBinding> nodes) {
    long t = BindingExtractor.micros(member.getValidFrom());
    EntityBinding before = null;
    EntityBinding after = null;
    for (EntityBinding n : nodes) {
      if (!isNodeInstance(n) || BindingExtractor.isClosing(n)) continue;
      long from = BindingExtractor.micros(n.getValidFrom());
      if (from <= t) {
        if (before == null || wins(from, n, BindingExtractor.micros(before.getValidFrom()), before, true)) before = n;
      } else if (after == null || wins(from, n, BindingExtractor.micros(after.getValidFrom()), after, false)) {
        after = n;
      }
    }
    EntityBinding n = before != null ? before : after;
    return n == null ? null : n.getObject().getKey();
  }

  private static boolean wins(long from, EntityBinding n, long heldFrom, EntityBinding held, boolean latest) {
    if (from != heldFrom) return latest ? from > heldFrom : from < heldFrom;
    return n.getObject().getKey().compareTo(held.getObject().getKey()) < 0;
  }

  /**
   * {@code member} restated with {@code instance} ({@code instance_uid}): the same kind, subject, object, interval,
   * confidence, source format and lineage (the event that named the node), its own statement id, SHA-256 of the
   * member's id and the instance (the same whenever and wherever it is derived, so a replay or the other arrival order
   * gives the same statement). The lookups hold it in the member's place ({@link KeyState#add}: a start of the same
   * object and interval that carries the instance where the held one does not replaces it), the bindings outputs list
   * it beside the member (the fact gets the attribute).
   */
  public static EntityBinding withInstance(EntityBinding member, String instance) {
    Map<String, String> attrs = new LinkedHashMap<>(member.getAttributes().size() * 2 + 2);
    attrs.putAll(member.getAttributes());
    attrs.put(Attr.INSTANCE_UID, instance);
    MessageDigest sha = SHA256.get();
    String id = HEX.formatHex(sha.digest(
        (member.getBindingId() + '|' + Attr.INSTANCE_UID + '|' + instance).getBytes(StandardCharsets.UTF_8)));
    // the member's parts as they are: its builder would deep-copy each, per statement
    return new EntityBinding(id, member.getKind(), member.getSubject(), member.getObject(), attrs,
        member.getValidFrom(), member.getValidTo(), member.getEndObserved(), member.getConfidence(),
        member.getSourceFormat(), member.getLineage(), member.getEvidence(), member.getEvidenceCount(),
        member.getRevision(), member.getRetracted());
  }
}
