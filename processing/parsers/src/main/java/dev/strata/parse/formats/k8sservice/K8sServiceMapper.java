package dev.strata.parse.formats.k8sservice;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.parse.ChunkContext;
import dev.strata.parse.JsonRecordStream.RecordException;
import dev.strata.parse.JsonRecordStream.RecordSpan;
import dev.strata.parse.OcsfClass;
import dev.strata.parse.RejectReason;
import dev.strata.parse.formats.KubernetesObjectMapper;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.event.Kubernetes;
import dev.strata.schema.event.Resource;
import java.util.HashMap;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;

/**
 * One v1 Service of a snapshot to an OCSF 5001 Device Inventory Info event, activity 2 Collect (what the cluster said
 * of the Service when the responder listed it).
 *
 * <pre>
 * time                 -> metadata.creationTimestamp (the Service was what the record says from then on; the
 *                         snapshot's own time is not in the output)
 * metadata.namespace / name / uid -> kubernetes.namespace; resources[0] (Service, name, uid, namespace)
 * spec.type            -> unmapped k8s.service.type (ClusterIP, NodePort, LoadBalancer, ExternalName)
 * spec.ports[]         -> unmapped k8s.service.node_ports: "nodePort/PROTOCOL->targetPort" of each port with a
 *                         nodePort, comma-separated (a LoadBalancer's ports have one too)
 * spec.selector        -> unmapped k8s.service.selector: "key=value" sorted by key, comma-separated (none: a Service
 *                         whose endpoints are managed by hand selects no pod)
 * spec.clusterIP       -> unmapped k8s.service.cluster_ip
 * </pre>
 */
final class K8sServiceMapper extends KubernetesObjectMapper {
  private final ChunkContext ctx;

  K8sServiceMapper(ChunkContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public EvidenceEvent end(RecordSpan span) throws RecordException {
    requireKind("Service");
    JsonNode meta = tree("metadata");
    JsonNode spec = tree("spec");
    String ns = text(meta, "namespace");
    String name = text(meta, "name");
    if (name == null || ns == null) {
      throw new RecordException(RejectReason.MISSING_FIELD, "not a Service: no metadata.namespace / metadata.name");
    }
    EvidenceEvent e = ctx.newEvent(OcsfClass.DEVICE_INVENTORY_INFO, 2, "Collect", span.start(), span.end(), span.line(),
        span.ordinal(), 0, new HashMap<>(8));
    ctx.applyTime(e, text(meta, "creationTimestamp"), "metadata.creationTimestamp");
    Kubernetes k = e.getKubernetes() != null ? e.getKubernetes() : new Kubernetes(); // the context's cluster kept
    k.setNamespace(ns);
    e.setKubernetes(k);
    e.getResources().add(new Resource("Service", name, text(meta, "uid"), ns, null, null));
    Map<String, String> u = e.getUnmapped();
    String type = text(spec, "type");
    if (type != null) u.put("k8s.service.type", type);
    String clusterIp = text(spec, "clusterIP");
    if (clusterIp != null) u.put("k8s.service.cluster_ip", clusterIp);
    String nodePorts = nodePorts(spec);
    if (nodePorts != null) u.put("k8s.service.node_ports", nodePorts);
    String selector = selector(spec);
    if (selector != null) u.put("k8s.service.selector", selector);
    e.setMessage("Service " + ns + "/" + name + (type == null ? "" : " " + type)
        + (nodePorts == null ? "" : " node ports " + nodePorts) + (selector == null ? "" : " selecting " + selector));
    e.setRawData(ctx.rawText(span.start(), span.end()));
    return e;
  }

  /** {@code nodePort/PROTOCOL->targetPort} of each port with a nodePort, comma-separated; null when none. */
  static String nodePorts(JsonNode spec) {
    JsonNode ports = spec == null ? null : spec.path("ports");
    if (ports == null || !ports.isArray()) return null;
    StringJoiner out = new StringJoiner(",");
    for (JsonNode p : ports) {
      JsonNode np = p.path("nodePort");
      if (!np.canConvertToInt() || np.asInt() <= 0) continue;
      String proto = p.path("protocol").asText("TCP");
      JsonNode target = p.path("targetPort");
      String t = target.isMissingNode() || target.isNull() ? p.path("port").asText("") : target.asText("");
      out.add(np.asInt() + "/" + proto + "->" + t.replace(",", "_"));
    }
    return out.length() == 0 ? null : out.toString();
  }

  /** {@code key=value} of {@code spec.selector} sorted by key, comma-separated; null when none. */
  static String selector(JsonNode spec) {
    JsonNode sel = spec == null ? null : spec.path("selector");
    if (sel == null || !sel.isObject() || sel.isEmpty()) return null;
    TreeMap<String, String> sorted = new TreeMap<>();
    sel.fields().forEachRemaining(f -> sorted.put(f.getKey(), f.getValue().asText("")));
    StringJoiner out = new StringJoiner(",");
    sorted.forEach((key, v) -> out.add(key + "=" + v));
    return out.toString();
  }
}
