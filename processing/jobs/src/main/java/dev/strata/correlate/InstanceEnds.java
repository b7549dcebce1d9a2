package dev.strata.correlate;

import dev.strata.schema.correlate.EntityBinding;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * A terminated EC2 instance's end closes what bound things to it. An EC2 inventory ({@link Ec2Inventory}) states an
 * instance's interfaces and addresses open ({@code eni_instance}, {@code ip_instance}: it says what held at its
 * collection); a later inventory listing the instance {@code terminated} (or {@code shutting-down}) lists no
 * interface (released with it), so it cannot name what to close: it states {@code instance_state} (the instance ->
 * {@code terminated}, at its {@code StateTransitionReason}'s time), and each pair (a statement H naming the instance,
 * started at or before the end; the end) yields H's closing statement at the end ({@link #join}), with the end's
 * lineage (the inventory's statements only: see {@link #instance}). A pure function of the pair: the same in any arrival order.
 * Since detect-gaps-5 the termination closes the node's name too ({@code node_instance}): EKS names a node after its
 * instance's private DNS name, which derives from the primary address, so the next instance given that address in the
 * subnet carries the same name; events of the node before the end keep the instance (the interval ends there, it is not
 * withdrawn). Closed: the inventory's, {@code RunInstances}' and a {@code kubectl get nodes} snapshot's statements and
 * the collection context's (each a handful per node); not the audit log's (a Node's status patches restate it, many per
 * node; the Node's delete, which the node lifecycle controller makes for a terminated instance, closes those). Not
 * closed by a listing (it says which interfaces and addresses the instance still has, not whether the name is its)
 * nor by an instance's absence from a later inventory (nothing says whether that inventory was filtered). Not closed:
 * {@code instance_cluster}; a stopped instance (EC2 keeps its interfaces and private addresses while it is stopped).
 */
public final class InstanceEnds {
  public static final String TERMINATED = "terminated";

  private InstanceEnds() {}

  /** The confidence of a closing by absence: the end is only known to be no later than the later collection. */
  public static final float ABSENT_CONFIDENCE = 0.5f;
  /** Attribute of a closing statement: why it ends there ({@link #ABSENT}: not listed by a later inventory). */
  public static final String END_BASIS = "end_basis";
  public static final String ABSENT = "absent_from_later_inventory";

  /**
   * The instance at which {@code b} joins, or null: an end ({@code instance_state}), a later record's listing ({@code
   * instance_listing}), an interface or address of it.
   */
  public static String instance(EntityBinding b) {
    if (BindingExtractor.isClosing(b)) return null;
    if (BindingKind.INSTANCE_STATE.id().equals(b.getKind()) || isListing(b)) return b.getSubject().getKey();
    // an inventory's (a flow record restates its interface's instance per record: not held here, and an interface id
    // is never reused, so a flow's statement left open misleads nobody; an address is reused)
    if ((BindingKind.ENI_INSTANCE.id().equals(b.getKind()) || BindingKind.IP_INSTANCE.id().equals(b.getKind()))
        && Ec2Inventory.FORMATS.contains(b.getSourceFormat())) {
      return b.getObject().getKey();
    }
    if (nodeName(b)) return b.getObject().getKey();
    return null;
  }

  /** A node's name held by the instance, from any source but the audit log (see the class doc). */
  static boolean nodeName(EntityBinding b) {
    return BindingKind.NODE_INSTANCE.id().equals(b.getKind()) && !"k8s_audit".equals(b.getSourceFormat())
        && b.getObject().getKey().startsWith("i-");
  }

  public static boolean isEnd(EntityBinding b) {
    return BindingKind.INSTANCE_STATE.id().equals(b.getKind());
  }

  static boolean isListing(EntityBinding b) {
    return BindingKind.INSTANCE_LISTING.id().equals(b.getKind());
  }

  /** An end or a listing: what may close the instance's statements. */
  private static boolean closes(EntityBinding b) {
    return isEnd(b) || isListing(b);
  }

  /** The closings {@code arriving} takes part in, with the instance's other statements {@code others}. */
  public static List<EntityBinding> join(BindingExtractor x, EntityBinding arriving, Collection<EntityBinding> others) {
    String instance = instance(arriving);
    if (instance == null) return List.of();
    List<EntityBinding> out = new ArrayList<>();
    for (EntityBinding o : others) {
      if (!instance.equals(instance(o)) || closes(o) == closes(arriving)) continue;
      EntityBinding end = closes(arriving) ? arriving : o;
      EntityBinding held = end == arriving ? o : arriving;
      long at = BindingExtractor.micros(end.getValidFrom());
      if (isListing(end)) {
        if (nodeName(held)) continue; // a listing names interfaces and addresses: the instance still runs
        // a later record that lists the instance's interfaces without this one or this address: it ended no later
        // than that collection (an upper bound; a stopped instance keeps them listed)
        if (at <= BindingExtractor.micros(held.getValidFrom()) || listed(end).contains(held.getSubject().getKey())) {
          continue;
        }
        java.util.Map<String, String> a = new java.util.LinkedHashMap<>();
        a.put(END_BASIS, ABSENT);
        out.add(x.closing(held, at, end, ABSENT_CONFIDENCE, a));
        continue;
      }
      if (at < BindingExtractor.micros(held.getValidFrom())) continue;
      out.add(x.closing(held, at, end.getLineage().getEventId(), end.getLineage(), end.getSourceFormat()));
    }
    return out;
  }

  private static java.util.Set<String> listed(EntityBinding listing) {
    String l = listing.getAttributes().get(Ec2Inventory.LISTED);
    return l == null ? java.util.Set.of() : new java.util.HashSet<>(java.util.Arrays.asList(l.split(",")));
  }
}
