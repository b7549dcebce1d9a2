package dev.strata.correlate;

import dev.strata.schema.event.Cloud;
import dev.strata.schema.event.Container;
import dev.strata.schema.event.Ecs;
import dev.strata.schema.event.Enrichment;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.event.Kubernetes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Builds an event's {@code enrichment}: first what the event states itself ({@link #base}), then, hop by hop, what
 * the bindings covering its lookup keys at its time add ({@link #merge}).
 *
 * <p>Rules: keys are taken in priority order ({@link LookupKeys#probes}: the event's container first, then packet
 * source, source, packet destination, destination addresses, most specific scope first; then ENI, task, credentials).
 * A binding fills only fields still empty, and a binding that names another identity than one already known
 * (another pod, container, task, instance, role or service account) is not used at all: a flow record between two
 * pods is attributed to its source pod, and the destination pod does not leak its namespace into it. Every binding
 * used is listed in {@code binding_ids}; every key no binding covered at the event's time in {@code unresolved}.
 */
public final class EnrichmentMerger {
  private static final List<String> IDENTITIES =
      List.of(Attr.POD_UID, Attr.POD_NAME, Attr.CONTAINER_UID, Attr.TASK_UID, Attr.INSTANCE_UID, Attr.IAM_ROLE,
          Attr.SERVICE_ACCOUNT, Attr.NAMESPACE, Attr.CLUSTER);

  private EnrichmentMerger() {}

  /** The entities an event names itself. */
  public static Enrichment base(EvidenceEvent e) {
    Enrichment r = new Enrichment();
    r.setBindingIds(new ArrayList<>());
    r.setUnresolved(new ArrayList<>());
    r.setIncidentIds(new ArrayList<>());
    Kubernetes k = e.getKubernetes();
    if (k != null) {
      r.setCluster(k.getCluster());
      r.setNamespace(k.getNamespace());
      r.setPodName(k.getPodName());
      r.setPodUid(k.getPodUid());
      r.setNodeName(k.getNodeName());
      r.setContainerName(k.getContainerName());
    }
    Container c = e.getContainer();
    if (c != null) {
      r.setContainerUid(LookupKeys.containerId(c.getUid()));
      if (r.getContainerName() == null) r.setContainerName(c.getName());
      r.setImageUid(c.getImageUid());
      r.setImageDigest(c.getImageDigest());
    }
    Cloud cl = e.getCloud();
    if (cl != null) {
      r.setAccountUid(cl.getAccountUid());
      r.setVpcUid(cl.getVpcUid());
      r.setEniUid(cl.getEniUid());
      r.setTaskUid(cl.getTaskUid());
      r.setInstanceUid(cl.getInstanceUid());
    }
    Ecs ecs = e.getEcs();
    if (ecs != null) {
      r.setEcsCluster(ecs.getClusterName());
      r.setEcsService(ecs.getService());
      r.setEcsTaskDefinition(ecs.getTaskDefinition());
      r.setEcsLaunchType(ecs.getLaunchType());
      r.setEcsTaskRole(ecs.getTaskRoleArn());
      r.setEcsExecutionRole(ecs.getExecutionRoleArn());
    }
    if (r.getVpcUid() == null && e.getSrcEndpoint() != null) r.setVpcUid(e.getSrcEndpoint().getVpcUid());
    if (r.getInstanceUid() == null && e.getDevice() != null) r.setInstanceUid(e.getDevice().getInstanceUid());
    // the service account behind a cloud identity (IRSA / Pod Identity); in an audit record it is the requester's
    if (e.getActor() != null && e.getActor().getServiceAccount() != null && !"k8s_audit".equals(e.getSourceFormat())) {
      r.setServiceAccount(e.getActor().getServiceAccount());
    }
    return r;
  }

  /**
   * Adds the hits of one hop to {@code into} (modified in place).
   *
   * @param keys the hop's lookup keys in priority order
   * @param hits the hits per key (a key with no entry, or an empty list, is unresolved)
   */
  public static void merge(Enrichment into, List<String> keys, Map<String, List<Hit>> hits) {
    for (String key : keys) {
      List<Hit> hs = hits.get(key);
      if (hs == null || hs.isEmpty()) {
        if (!into.getUnresolved().contains(key)) into.getUnresolved().add(key);
        continue;
      }
      for (Hit h : hs) {
        if (conflicts(into, h.attrs())) continue;
        for (Map.Entry<String, String> a : h.attrs().entrySet()) {
          String have = Attr.get(into, a.getKey());
          if (have == null || (a.getKey().equals(Attr.CONTAINER_UID) && a.getValue().length() > have.length())) {
            Attr.set(into, a.getKey(), a.getValue()); // a short container id gets its full form
          }
        }
        if (!into.getBindingIds().contains(h.bindingId())) into.getBindingIds().add(h.bindingId());
      }
    }
  }

  private static boolean conflicts(Enrichment e, Map<String, String> attrs) {
    for (String id : IDENTITIES) {
      String have = Attr.get(e, id);
      String got = attrs.get(id);
      if (have == null || got == null || have.equals(got)) continue;
      if (id.equals(Attr.CONTAINER_UID) && (have.startsWith(got) || got.startsWith(have))) continue; // 12 vs 64
      return true;
    }
    return false;
  }
}
