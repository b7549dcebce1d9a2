package dev.strata.parse.formats.awsvpccni;

import com.fasterxml.jackson.core.JsonParser;
import dev.strata.parse.ChunkContext;
import dev.strata.parse.Json;
import dev.strata.parse.JsonRecordStream;
import dev.strata.parse.JsonRecordStream.RecordException;
import dev.strata.parse.JsonRecordStream.RecordSpan;
import dev.strata.parse.JsonRecordStream.Source;
import dev.strata.parse.OcsfClass;
import dev.strata.parse.RejectReason;
import dev.strata.schema.event.Container;
import dev.strata.schema.event.Endpoint;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.event.Kubernetes;
import dev.strata.schema.event.Resource;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One zap JSON line of the VPC CNI's plugin.log / ipamd.log to an OCSF 0 Base Event (activity 99 Other, named by
 * what the line states), from the wordings of amazon-vpc-cni-k8s ({@code cmd/routed-eni-cni-plugin/cni.go},
 * {@code pkg/ipamd/rpc_handler.go}, {@code pkg/ipamd/datastore/data_store.go}, v1.7-v1.19):
 *
 * <pre>
 * plugin.log "Received CNI add request: ContainerID(S) Netns(N) IfName(I) Args(K8S_POD_INFRA_CONTAINER_ID=S;
 *            K8S_POD_UID=U;K8S_POD_NAMESPACE=NS;K8S_POD_NAME=P) ..."           cni_add: container.uid S, the pod
 * plugin.log "Received add network response from ipamd for container S interface I: Success:true IPv4Addr:"A" ..."
 *                                 network_ready: src_endpoint.ip A, the pod of S's add request in the same chunk
 * plugin.log "Received CNI del request: ContainerID(S) ... Args(...)"          cni_del: container.uid S, the pod
 * plugin.log "Received del network response from ipamd for pod P namespace NS sandbox S: Success:true IPv4Addr:"A""
 *                                 removed: the sandbox's network is gone, A with it (ends what S held)
 * ipamd.log  "AssignPodIPv4Address: Assign IP A to sandbox aws-cni/S/eth0" (also assignPodIPAddressUnsafe:, and the
 *            older "to pod (name P, namespace NS container|sandbox S)")       ip_assigned: S, A (and the pod)
 * ipamd.log  "UnassignPodIPAddress: sandbox aws-cni/S/eth0's ipAddr A, ..."     removed: S, A
 * ipamd.log  "Received AddNetwork for NS N, [Pod P, NameSpace NS, Container|]Sandbox S, ifname I" /
 *            "Received DelNetwork for [Pod P, Namespace NS, ]Sandbox S"        add_network / del_network: S
 * ipamd.log  debug "AddNetworkRequest: ClientVersion:"V" K8S_POD_NAME:"P" K8S_POD_NAMESPACE:"NS"
 *            K8S_POD_INFRA_CONTAINER_ID:"S" ContainerID:"S" IfName:"I" ..." / "DelNetworkRequest: ..." (the gRPC
 *            request in protobuf text, rpc_handler.go's log.Debugf; ipamd logs at DEBUG by default)
 *                                                                              add_network / del_network: S, the pod
 *                                                                              (no event when it names no pod)
 * any other warn / error line                                                  log: message only
 * any other info / debug line                                                  no event (the artifact keeps it)
 * </pre>
 *
 * time = {@code ts} (ISO 8601, or zap's epoch seconds); severity from {@code level}; unmapped {@code level},
 * {@code caller}; kubernetes.node_name = the collection context's host when the line names a pod (the CNI runs on the
 * node whose log it is); a sandbox is the pod's container (its infra container's id), as in the runtimes' logs.
 */
final class CniLogMapper implements JsonRecordStream.RecordMapper {

  private static final Pattern ADD_REQUEST = Pattern.compile("^Received CNI (add|del) request: ContainerID\\(([0-9a-f]{12,})\\)");
  private static final Pattern ARGS = Pattern.compile("Args\\(([^)]*)\\)");
  private static final Pattern ADD_RESPONSE =
      Pattern.compile("^Received add network response from ipamd for container ([0-9a-f]{12,}) interface \\S+: (.*)$", Pattern.DOTALL);
  private static final Pattern DEL_RESPONSE = Pattern.compile(
      "^Received del network response from ipamd for pod (\\S+) namespace (\\S+) sandbox ([0-9a-f]{12,}): (.*)$", Pattern.DOTALL);
  private static final Pattern ASSIGN = Pattern.compile(
      "(?:AssignPodIPv4Address|assignPodIPAddressUnsafe|assignPodIPv4AddressUnsafe): Assign IP (\\S+) to (?:sandbox \\S*?/?([0-9a-f]{12,})(?:/\\S+)?"
          + "|pod \\(name (\\S+), namespace (\\S+),? (?:container|sandbox) ([0-9a-f]{12,})\\))");
  private static final Pattern UNASSIGN =
      Pattern.compile("UnassignPodIP(?:v4)?Address: sandbox \\S*?/?([0-9a-f]{12,})(?:/\\S+?)?'s ipAddr (\\S+?),");
  private static final Pattern RPC = Pattern.compile(
      "^Received (Add|Del)Network for (?:NS \\S+, )?(?:(?:IP \\S+, )?Pod (\\S+), Name[sS]pace (\\S+), )?(?:Container|Sandbox) ([0-9a-f]{12,})");
  /** ipamd's debug dump of the CNI plugin's gRPC request (protobuf text of rpc.AddNetworkRequest / DelNetworkRequest). */
  private static final Pattern RPC_REQUEST = Pattern.compile("^(Add|Del)NetworkRequest: (.*)$", Pattern.DOTALL);
  private static final Pattern PROTO_FIELD = Pattern.compile("(\\w+):\\s*\\\\?\"([^\"\\\\]*)\\\\?\"");
  private static final Pattern IPV4 = Pattern.compile("IPv4Addr:\\s*\\\\?\"([0-9.]+)\\\\?\"");
  private static final Pattern IPV6 = Pattern.compile("IPv6Addr:\\s*\\\\?\"([0-9a-fA-F:]+)\\\\?\"");

  private final ChunkContext ctx;
  /** The pod of each sandbox whose CNI request this chunk read: namespace, name, uid (a response names only S). */
  private final Map<String, String[]> podOfSandbox = new HashMap<>();
  private String level;
  private String ts;
  private String caller;
  private String msg;

  CniLogMapper(ChunkContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void begin() {
    level = ts = caller = msg = null;
  }

  @Override
  public void field(String name, JsonParser p, Source src) throws IOException {
    switch (name) {
      case "level" -> level = Json.scalarText(p);
      case "ts" -> ts = Json.scalarText(p);
      case "caller" -> caller = Json.scalarText(p);
      case "msg" -> msg = Json.scalarText(p);
      default -> p.skipChildren();
    }
  }

  @Override
  public EvidenceEvent end(RecordSpan span) throws RecordException {
    if (msg == null || ts == null) {
      throw new RecordException(RejectReason.MISSING_FIELD, "not a VPC CNI log line: no msg or ts");
    }
    String verb = "log";
    String sandbox = null;
    String ip = null;
    String[] pod = null;
    Boolean success = null;
    Matcher m;
    if ((m = ADD_REQUEST.matcher(msg)).find()) {
      verb = "cni_" + m.group(1);
      sandbox = m.group(2);
      Matcher a = ARGS.matcher(msg);
      if (a.find()) pod = podFromArgs(a.group(1));
      if (pod != null) podOfSandbox.put(sandbox, pod);
    } else if ((m = ADD_RESPONSE.matcher(msg)).find()) {
      verb = "network_ready";
      sandbox = m.group(1);
      success = m.group(2).contains("Success:true");
      ip = address(m.group(2));
      pod = podOfSandbox.get(sandbox);
      if (!success) verb = "network_failed";
    } else if ((m = DEL_RESPONSE.matcher(msg)).find()) {
      verb = "removed";
      sandbox = m.group(3);
      pod = new String[] {m.group(2), m.group(1), null};
      String[] known = podOfSandbox.get(sandbox);
      if (known != null && known[1].equals(m.group(1))) pod = known;
      success = m.group(4).contains("Success:true");
      ip = address(m.group(4));
    } else if ((m = ASSIGN.matcher(msg)).find()) {
      verb = "ip_assigned";
      ip = m.group(1);
      sandbox = m.group(2) != null ? m.group(2) : m.group(5);
      if (m.group(3) != null) pod = new String[] {m.group(4), m.group(3), null};
      else if (sandbox != null) pod = podOfSandbox.get(sandbox); // ipamd's debug request earlier in the chunk
    } else if ((m = UNASSIGN.matcher(msg)).find()) {
      verb = "removed";
      sandbox = m.group(1);
      ip = m.group(2);
    } else if ((m = RPC_REQUEST.matcher(msg)).find()) {
      // ipamd alone (plugin.log not collected, or its ADD rotated out): the request names the sandbox's pod
      verb = m.group(1).equals("Add") ? "add_network" : "del_network";
      Map<String, String> f = new HashMap<>();
      Matcher fm = PROTO_FIELD.matcher(m.group(2));
      while (fm.find()) f.putIfAbsent(fm.group(1), fm.group(2));
      sandbox = f.get("ContainerID");
      if (sandbox == null || !sandbox.matches("[0-9a-f]{12,}")) sandbox = f.get("K8S_POD_INFRA_CONTAINER_ID");
      if (sandbox != null && !sandbox.matches("[0-9a-f]{12,}")) sandbox = null;
      String ns = f.get("K8S_POD_NAMESPACE");
      String name = f.get("K8S_POD_NAME");
      if (ns != null && !ns.isEmpty() && name != null && !name.isEmpty()) pod = new String[] {ns, name, null};
      if (sandbox != null && pod != null && verb.equals("add_network")) podOfSandbox.putIfAbsent(sandbox, pod);
      // a dump naming no pod adds nothing to the info line "Received AddNetwork ... Sandbox S" before it: no event
      if (pod == null || sandbox == null) {
        verb = "log";
        sandbox = null;
        pod = null;
      }
    } else if ((m = RPC.matcher(msg)).find()) {
      verb = m.group(1).equals("Add") ? "add_network" : "del_network";
      sandbox = m.group(4);
      if (m.group(2) != null) pod = new String[] {m.group(3), m.group(2), null};
    }
    if (verb.equals("log") && !isWarning()) {
      // the CNI's chatter (logger set up, MTU, routes, pool stats, debug dumps): no event; the artifact keeps it.
      // Each such line was a context row of the node's incident (firehose scenario: 40 rows, none about the attack)
      return null;
    }
    EvidenceEvent e = ctx.newEvent(OcsfClass.BASE_EVENT, OcsfClass.ACTIVITY_OTHER, verb, span.start(), span.end(),
        span.line(), span.ordinal(), 0, new HashMap<>(8));
    time(e);
    severity(e);
    Map<String, String> u = e.getUnmapped();
    if (level != null) u.put("level", level);
    if (caller != null) u.put("caller", caller);
    if (success != null) e.setStatus(success ? "Success" : "Failure");
    if (sandbox != null) {
      Container c = new Container();
      c.setUid(sandbox);
      e.setContainer(c);
      u.put("pod_sandbox_id", sandbox);
      e.getResources().add(new Resource("pod_sandbox", pod == null ? null : pod[1], sandbox, pod == null ? null : pod[0],
          null, null));
    }
    if (pod != null) {
      Kubernetes k = e.getKubernetes() != null ? e.getKubernetes() : new Kubernetes(); // the context's cluster kept
      k.setNamespace(pod[0]);
      k.setPodName(pod[1]);
      if (pod[2] != null) k.setPodUid(pod[2]);
      if (ctx.host() != null && !ctx.host().isBlank()) k.setNodeName(ctx.host());
      e.setKubernetes(k);
    }
    // a failed add assigned nothing
    if (ip != null && !Boolean.FALSE.equals(success)) e.setSrcEndpoint(new Endpoint(ip, null, null, null, null, null));
    e.setMessage(summary(verb, sandbox, pod, ip, msg));
    e.setRawData(ctx.rawText(span.start(), span.end()));
    return e;
  }

  /** The CNI args' pod: namespace, name, uid (null when they name no pod). */
  static String[] podFromArgs(String args) {
    String ns = null, name = null, uid = null;
    for (String kv : args.split(";")) {
      int eq = kv.indexOf('=');
      if (eq < 0) continue;
      String k = kv.substring(0, eq).strip();
      String v = kv.substring(eq + 1).strip();
      if (v.isEmpty()) continue;
      switch (k) {
        case "K8S_POD_NAMESPACE" -> ns = v;
        case "K8S_POD_NAME" -> name = v;
        case "K8S_POD_UID" -> uid = v;
        default -> {}
      }
    }
    return ns == null || name == null ? null : new String[] {ns, name, uid};
  }

  private static String address(String reply) {
    Matcher m = IPV4.matcher(reply);
    if (m.find()) return m.group(1);
    m = IPV6.matcher(reply);
    return m.find() ? m.group(1) : null;
  }

  private void time(EvidenceEvent e) {
    // zap's production encoder writes epoch seconds as a number; the VPC CNI's logger writes ISO 8601
    if (ts.matches("\\d{9,10}(?:\\.\\d+)?")) {
      BigDecimal s = new BigDecimal(ts);
      Instant t = Instant.ofEpochSecond(s.longValue(), s.remainder(BigDecimal.ONE).movePointRight(9).longValue());
      ctx.applyTime(e, t.toString(), "ts");
      e.setTimeOriginal(ts);
    } else {
      ctx.applyTime(e, ts, "ts");
    }
  }

  private boolean isWarning() {
    String l = level == null ? "" : level.toLowerCase(java.util.Locale.ROOT);
    return !l.equals("info") && !l.equals("debug");
  }

  private void severity(EvidenceEvent e) {
    String l = level == null ? "" : level.toLowerCase(java.util.Locale.ROOT);
    int id = switch (l) {
      case "warn", "warning" -> 2;
      case "error" -> 3;
      case "dpanic", "panic", "fatal" -> 4;
      default -> 1;
    };
    e.setSeverityId(id);
    e.setSeverity(switch (id) {
      case 2 -> "Low";
      case 3 -> "Medium";
      case 4 -> "High";
      default -> "Informational";
    });
  }

  private static String summary(String verb, String sandbox, String[] pod, String ip, String msg) {
    if (verb.equals("log")) return msg.length() > 512 ? msg.substring(0, 512) : msg;
    StringBuilder b = new StringBuilder("VPC CNI ").append(verb);
    if (pod != null) b.append(' ').append(pod[0]).append('/').append(pod[1]);
    if (sandbox != null) b.append(" sandbox ").append(sandbox, 0, Math.min(12, sandbox.length()));
    if (ip != null) b.append(' ').append(ip);
    return b.toString();
  }
}
