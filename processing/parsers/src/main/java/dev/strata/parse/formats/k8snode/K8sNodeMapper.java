package dev.strata.parse.formats.k8snode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.parse.ChunkContext;
import dev.strata.parse.formats.KubernetesObjectMapper;
import dev.strata.parse.JsonRecordStream.RecordException;
import dev.strata.parse.JsonRecordStream.RecordSpan;
import dev.strata.parse.OcsfClass;
import dev.strata.parse.RejectReason;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.event.Kubernetes;
import dev.strata.schema.event.Resource;
import java.util.HashMap;
import java.util.Map;

/**
 * One v1 Node of a snapshot to an OCSF 5001 Device Inventory Info event, activity 2 Collect (what the cluster said of
 * the node when the responder listed it). Field meanings as the Kubernetes API reference gives them for Node v1:
 * {@code spec.providerID} "ID of the node assigned by the cloud provider in the format
 * {@code <ProviderName>://<ProviderSpecificNodeID>}" (AWS: {@code aws:///<zone>/<instance id>}), {@code
 * status.addresses} the node's {@code NodeAddress}es ({@code type} Hostname, InternalIP, ExternalIP, InternalDNS,
 * ExternalDNS; {@code address}).
 *
 * <pre>
 * time                 -> metadata.creationTimestamp: the node registered then, with its provider id (which does not
 *                         change for the node's life); the snapshot's own time is not in the output
 * metadata.name / uid  -> kubernetes.node_name; resources[0] (Node)
 * the Node's metadata (name, uid, creationTimestamp), spec.providerID and status.addresses -> unmapped k8s.object
 *                         (JSON text; the correlation job's node_instance and ip_node, as from an audit record's
 *                         Node); the rest of status (images, conditions) is left out: a node lists every image it holds
 * spec.providerID      -> unmapped provider_id; status.nodeInfo.kubeletVersion -> unmapped kubelet_version
 * </pre>
 */
final class K8sNodeMapper extends KubernetesObjectMapper {


  private final ChunkContext ctx;

  K8sNodeMapper(ChunkContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public EvidenceEvent end(RecordSpan span) throws RecordException {
    requireKind("Node");
    JsonNode meta = tree("metadata");
    JsonNode spec = tree("spec");
    JsonNode status = tree("status");
    String name = text(meta, "name");
    if (name == null) throw new RecordException(RejectReason.MISSING_FIELD, "not a Node: no metadata.name");
    if (text(meta, "namespace") != null) {
      throw new RecordException(RejectReason.MISSING_FIELD, "not a Node: a namespaced object");
    }
    EvidenceEvent e = ctx.newEvent(OcsfClass.DEVICE_INVENTORY_INFO, 2, "Collect", span.start(), span.end(), span.line(),
        span.ordinal(), 0, new HashMap<>(8));
    String created = text(meta, "creationTimestamp");
    ctx.applyTime(e, created, "metadata.creationTimestamp");
    Kubernetes k = e.getKubernetes() != null ? e.getKubernetes() : new Kubernetes(); // the context's cluster kept
    k.setNodeName(name);
    e.setKubernetes(k);
    e.getResources().add(new Resource("Node", name, text(meta, "uid"), null, null, null));
    Map<String, String> u = e.getUnmapped();
    String provider = text(spec, "providerID");
    if (provider != null) u.put("provider_id", provider);
    String kubelet = text(status.path("nodeInfo"), "kubeletVersion");
    if (kubelet != null) u.put("kubelet_version", kubelet);
    if (created != null) u.put("metadata.creationTimestamp", created);
    ObjectNode node = JSON.createObjectNode();
    node.put("kind", "Node");
    ObjectNode m = node.putObject("metadata");
    m.put("name", name);
    if (text(meta, "uid") != null) m.put("uid", text(meta, "uid"));
    if (created != null) m.put("creationTimestamp", created);
    if (provider != null) node.putObject("spec").put("providerID", provider);
    StringBuilder internal = new StringBuilder();
    if (status.path("addresses").isArray()) {
      node.putObject("status").set("addresses", status.path("addresses"));
      for (JsonNode a : status.path("addresses")) {
        if ("InternalIP".equals(text(a, "type")) && text(a, "address") != null) {
          internal.append(internal.length() == 0 ? " at " : ", ").append(text(a, "address"));
        }
      }
    }
    u.put("k8s.object", node.toString());
    e.setMessage("Node " + name + (provider == null ? "" : " (" + provider + ")") + internal);
    e.setRawData(ctx.rawText(span.start(), span.end()));
    return e;
  }
}
