package dev.strata.parse.formats.k8spod;

import com.fasterxml.jackson.databind.JsonNode;
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
 * One v1 Pod of a snapshot to an OCSF 5001 Device Inventory Info event, activity 2 Collect (what the cluster said of
 * the pod when the responder listed it).
 *
 * <pre>
 * time                 -> status.startTime (the kubelet acknowledged it), else metadata.creationTimestamp: the pod
 *                         was what the record says from then on (the snapshot's own time is not in the output)
 * metadata.namespace / name / uid -> kubernetes.namespace, pod_name, pod_uid; resources[0] (Pod)
 * spec.nodeName        -> kubernetes.node_name
 * status.podIP         -> src_endpoint.ip is not set (a host-network pod's is its node's): the correlation job reads
 *                         the pod from unmapped k8s.object
 * the Pod (kind, metadata, spec, status) -> unmapped k8s.object (JSON text; the correlation job's pod bindings: node,
 *                         service account, addresses, containers and images, as from an audit record's Pod)
 * status.phase         -> unmapped phase; spec.serviceAccountName -> unmapped service_account (namespace/name)
 * </pre>
 */
final class K8sPodMapper extends KubernetesObjectMapper {


  private final ChunkContext ctx;

  K8sPodMapper(ChunkContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public EvidenceEvent end(RecordSpan span) throws RecordException {
    requireKind("Pod");
    JsonNode meta = tree("metadata");
    JsonNode spec = tree("spec");
    JsonNode status = tree("status");
    String ns = text(meta, "namespace");
    String name = text(meta, "name");
    if (name == null || ns == null) {
      throw new RecordException(RejectReason.MISSING_FIELD, "not a Pod: no metadata.namespace / metadata.name");
    }
    EvidenceEvent e = ctx.newEvent(OcsfClass.DEVICE_INVENTORY_INFO, 2, "Collect", span.start(), span.end(), span.line(),
        span.ordinal(), 0, new HashMap<>(16));
    String started = text(status, "startTime");
    String created = text(meta, "creationTimestamp");
    if (started != null) {
      ctx.applyTime(e, started, "status.startTime");
    } else {
      ctx.applyTime(e, created, "metadata.creationTimestamp");
    }
    Kubernetes k = e.getKubernetes() != null ? e.getKubernetes() : new Kubernetes(); // the context's cluster kept
    k.setNamespace(ns);
    k.setPodName(name);
    k.setPodUid(text(meta, "uid"));
    k.setNodeName(text(spec, "nodeName"));
    e.setKubernetes(k);
    e.getResources().add(new Resource("Pod", name, text(meta, "uid"), ns, null, null));
    Map<String, String> u = e.getUnmapped();
    String sa = text(spec, "serviceAccountName");
    if (sa != null) u.put("service_account", ns + "/" + sa);
    String phase = text(status, "phase");
    if (phase != null) u.put("phase", phase);
    if (created != null) u.put("metadata.creationTimestamp", created);
    StringBuilder pod = new StringBuilder("{\"kind\":\"Pod\"");
    for (String part : new String[] {"metadata", "spec", "status"}) {
      if (parts.containsKey(part)) pod.append(",\"").append(part).append("\":").append(parts.get(part));
    }
    u.put("k8s.object", pod.append('}').toString());
    e.setMessage("Pod " + ns + "/" + name + (k.getNodeName() == null ? "" : " on " + k.getNodeName())
        + (text(status, "podIP") == null ? "" : " at " + text(status, "podIP")) + (phase == null ? "" : " (" + phase + ")"));
    e.setRawData(ctx.rawText(span.start(), span.end()));
    return e;
  }
}
