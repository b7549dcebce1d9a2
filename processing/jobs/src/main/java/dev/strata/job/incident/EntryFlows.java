package dev.strata.job.incident;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.schema.correlate.AttackStage;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.event.Resource;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The entry of an exposed application (FirehoseVpcCniScenarioIT: an RCE in an internet-facing renderer): a flow record
 * of a connection <b>accepted from a public address</b> (not private, not {@code incident.known_cidrs}: only such an
 * address is an {@link Entity#IP} entity) <b>to a pod's own address</b> and listening port (the destination port below
 * the source's: a client's port is ephemeral; a reply of the pod's own connection out is not one) (the correlation job's enrichment names the
 * pod; the source is public, so the pod is the destination's), within {@code incident.entry_flow_bound} (default 10
 * min) <b>before the pod's first execution or credential access signal</b>, the <b>nearest</b> such flow before it.
 * Every inbound connection of an exposed app is such a flow, so it is no signal by itself (it opens no incident): it
 * becomes the incident's entry row (stage {@code entry}, reason {@code inbound_flow_entry}, Medium) only once that
 * signal is there, decided at a flush as the runtime exec judgement is ({@link RuntimeExecAudit}): when the watermark
 * passed the flow's time + the bound (bounded runs: at the input's end), and written into the member ({@code
 * flow-entry|…}) so it holds after a restore.
 *
 * <p>Not an entry: a flow with an execution / credential signal of the pod at or before it (within the window: the
 * pod was already taken), with another candidate flow between it and the signal (that one is nearer), or when an
 * entry was already decided for the pod within the bound before the same signal (a late flow does not move it).
 *
 * <p>A flow to a <b>node's address on a NodePort</b> (30000-32767, the default range; the correlation job names the
 * node of the destination, no pod: CrioKubeadmScenarioIT's 203.0.113.88 -> the node's 30888) leads to a Service's pod
 * that no record here names (a Metadata-level audit log has no Service bodies, and no services snapshot is read): it
 * is the entry of the pod on that node whose first execution / credential access signal comes first after it, within
 * the bound, said as weaker in the row ({@code flow-entry|<pod>|<time>|<signal>|<node>}: "entry, weaker: …"), and only
 * when no direct flow to that pod is a candidate before the same signal. The kubelet's ports are {@code
 * kubelet_port_public}, not judged here.
 */
final class EntryFlows {
  private EntryFlows() {}

  static final String REASON = "inbound_flow_entry";

  /** Kubernetes' default NodePort range ({@code --service-node-port-range}). */
  static final int NODE_PORT_MIN = 30000;

  static final int NODE_PORT_MAX = 32767;

  /**
   * {@code flow|<namespace/pod>|<source>|<port>} for a candidate (an accepted inbound flow from a public address to a
   * pod, a context event), else null.
   */
  static String key(EvidenceEvent e, EntityKeys.Extraction x) {
    return key(e, x, ip -> false);
  }

  /** {@link #key(EvidenceEvent, EntityKeys.Extraction)}, {@code known}: {@code incident.known_cidrs}. */
  static String key(EvidenceEvent e, EntityKeys.Extraction x, java.util.function.Predicate<String> known) {
    String f = e.getSourceFormat();
    // libpod_state: Podman's own record of the published ports (its state database), read as Docker's host config
    if ("docker_container_config".equals(f) || "docker_inspect".equals(f) || "libpod_state".equals(f)) {
      return published(e, x);
    }
    if ("tetragon_event".equals(f) || "falco_alert".equals(f)) return sensorAccept(e, x, known);
    if ("k8s_service".equals(f) || "k8s_pod".equals(f) || "k8s_audit".equals(f)) return objectKey(e);
    if (f == null || !f.startsWith("aws_vpc_flow") || e.getDstEndpoint() == null) return null;
    var n = e.getNetwork();
    if (n != null && n.getAction() != null && !"Allowed".equalsIgnoreCase(n.getAction())) return null;
    if (n != null && n.getDirection() != null && "Outbound".equalsIgnoreCase(n.getDirection())) return null;
    String src = n != null && n.getPktSrcIp() != null ? n.getPktSrcIp()
        : e.getSrcEndpoint() == null ? null : e.getSrcEndpoint().getIp();
    if (src == null || !EntityKeys.isPublicIp(src)) return null;
    String pod = null;
    String node = null;
    String instance = null;
    boolean outside = false;
    for (Entity en : x.entities()) {
      if (Entity.POD.equals(en.type()) && pod == null) pod = en.key(); // namespace/name: no '|'
      if (Entity.NODE.equals(en.type()) && node == null) node = en.key(); // a DNS label: no '|'
      if (Entity.INSTANCE.equals(en.type()) && instance == null) instance = en.key();
      // a public address outside incident.known_cidrs is a pivot; one of the organisation's ranges is kept, linking nothing
      if (Entity.IP.equals(en.type()) && en.pivot() && src.equals(en.key())) outside = true;
    }
    if ((pod == null && node == null && instance == null) || !outside) return null;
    Integer port = e.getDstEndpoint().getPort();
    Integer srcPort = e.getSrcEndpoint() == null ? null : e.getSrcEndpoint().getPort();
    // a connection to the pod's listening port, not the reply of the pod's own connection out (a flow log records
    // both directions: 198.51.100.143:80 -> the pod's ephemeral port is the answer to the pod's download,
    // CiRunnerEscapeScenarioIT): the client's port is the higher one
    if (port == null || (srcPort != null && srcPort <= port)) return null;
    if (pod != null) return "flow|" + pod + "|" + src + "|" + port;
    // the node's own address (the correlation job names the node of the destination: a node's address names no pod):
    // a NodePort leads to a Service's pod, which no record here names
    if (node != null && port >= NODE_PORT_MIN && port <= NODE_PORT_MAX) return "nflow|" + node + "|" + src + "|" + port;
    // a host's address (a Docker / Podman host: the flow names its instance): a port a container publishes there
    // (docker run -p; hostconfig.json PortBindings) leads to that container
    return instance == null || instance.contains("|") ? null : "hflow|" + instance + "|" + src + "|" + port;
  }

  /** Falco's {@code %fd.name} of a connection: {@code client:port->server:port} (IPv6 bare or in brackets). */
  private static final java.util.regex.Pattern FD_CONNECTION =
      java.util.regex.Pattern.compile("^\\[?([0-9A-Fa-f:.]+)\\]?:(\\d{1,5})->\\[?([0-9A-Fa-f:.]+)\\]?:(\\d{1,5})$");

  /** Falco's syscalls of an accepted connection (the {@code inbound} macro's TCP half). */
  static final Set<String> FALCO_ACCEPTS = Set.of("accept", "accept4");

  /**
   * {@code flow|<namespace/pod>|<client>|<port>} for a connection a runtime sensor saw a pod accept from a public
   * address (no flow log needed: a node without VPC Flow Logs, a flow log not collected, an overlay network whose
   * flows show only the nodes): Tetragon's accept hooks ({@code strata.connection} accepted: inet_csk_accept's or
   * tcp_create_openreq_child's returned socket, tcp_set_state SYN_RECV -> ESTABLISHED; the parser names the client as
   * the source) and a Falco alert of an {@code accept} / {@code accept4} ({@code evt.type}; the client from {@code
   * fd.cip} or the connection {@code fd.name}: the stock rules "Unexpected inbound connection source", "Inbound SSH
   * Connection" print it). Judged as an accepted flow is (the same key, the same ledger): the client public and not
   * {@code incident.known_cidrs}, the pod's port below the client's. Else null.
   */
  static String sensorAccept(EvidenceEvent e, EntityKeys.Extraction x, java.util.function.Predicate<String> known) {
    Map<String, String> u = e.getUnmapped();
    if (u == null) return null;
    String src = null;
    Integer srcPort = null;
    Integer port = null;
    if ("tetragon_event".equals(e.getSourceFormat())) {
      if (!"accepted".equals(u.get("strata.connection")) || e.getSrcEndpoint() == null || e.getDstEndpoint() == null) {
        return null;
      }
      src = e.getSrcEndpoint().getIp();
      srcPort = e.getSrcEndpoint().getPort();
      port = e.getDstEndpoint().getPort();
    } else {
      if (!FALCO_ACCEPTS.contains(u.getOrDefault("output_fields.evt.type", ""))) return null;
      if (e.getSrcEndpoint() != null && e.getSrcEndpoint().getIp() != null && e.getDstEndpoint() != null) {
        src = e.getSrcEndpoint().getIp();
        srcPort = e.getSrcEndpoint().getPort();
        port = e.getDstEndpoint().getPort();
      } else {
        java.util.regex.Matcher c = FD_CONNECTION.matcher(u.getOrDefault("output_fields.fd.name", ""));
        if (!c.matches()) return null;
        src = c.group(1);
        srcPort = Integer.valueOf(c.group(2));
        port = Integer.valueOf(c.group(4));
      }
    }
    if (src == null || !EntityKeys.isPublicIp(src) || known.test(src) || src.contains("|")) return null;
    if (port == null || (srcPort != null && srcPort <= port)) return null;
    String pod = null;
    for (Entity en : x.entities()) {
      if (Entity.POD.equals(en.type()) && pod == null) pod = en.key();
      // an address of incident.known_cidrs is kept as an entity linking nothing
      if (Entity.IP.equals(en.type()) && src.equals(en.key()) && !en.pivot()) return null;
    }
    return pod == null ? null : "flow|" + pod + "|" + src + "|" + port;
  }

  /** Whether a candidate's member is a runtime sensor's record of the connection (not a flow log's). */
  static boolean sensor(Member m) {
    return "tetragon_event".equals(m.sourceFormat()) || "falco_alert".equals(m.sourceFormat());
  }

  /** The sensor's name for a row. */
  private static String sensorName(String format) {
    return "tetragon_event".equals(format) ? "Tetragon's accept hook" : "Falco's accept alert";
  }

  /**
   * {@code pub|<instance>|<host ports, comma-separated>|<container>} for a Docker container's host config naming its
   * published ports ({@code hostconfig.port_bindings}: {@code 0.0.0.0:8080->80/tcp}) on an instance the collection
   * names, else null.
   */
  static String published(EvidenceEvent e, EntityKeys.Extraction x) {
    String bindings = e.getUnmapped() == null ? null : e.getUnmapped().get("hostconfig.port_bindings");
    if (bindings == null) return null;
    String instance = null;
    String container = null;
    for (Entity en : x.entities()) {
      if (Entity.INSTANCE.equals(en.type()) && instance == null) instance = en.key();
      if (Entity.CONTAINER.equals(en.type()) && container == null) container = en.key();
    }
    if (instance == null || container == null || instance.contains("|") || container.contains("|")) return null;
    java.util.TreeSet<String> ports = new java.util.TreeSet<>();
    for (String b : bindings.split(",")) {
      int colon = b.lastIndexOf(':', b.indexOf("->") < 0 ? b.length() : b.indexOf("->"));
      int arrow = b.indexOf("->");
      if (colon < 0 || arrow < colon) continue;
      String port = b.substring(colon + 1, arrow).trim();
      if (port.matches("\\d{1,5}")) ports.add(port);
    }
    return ports.isEmpty() ? null : "pub|" + instance + "|" + String.join(",", ports) + "|" + container;
  }

  /**
   * What a Kubernetes object record says that leads a NodePort to pods: {@code svc|<ns/name>|<node ports>|<selector>}
   * for a Service with node ports and a selector ({@code k8s_service} snapshot; an audit record's create / update /
   * patch of {@code services} with a body, the response's object first), {@code podl|<ns/name>|<labels>} for a Pod's
   * labels ({@code k8s_pod} snapshot's object; an audit record's pod create / update / patch with a body); else null.
   * Selector and labels as sorted {@code key=value} lists, comma-separated.
   */
  static String objectKey(EvidenceEvent e) {
    String f = e.getSourceFormat();
    Map<String, String> u = e.getUnmapped();
    if (u == null) return null;
    Resource r = e.getResources() == null || e.getResources().isEmpty() ? null : e.getResources().get(0);
    if ("k8s_service".equals(f)) {
      String ports = u.get("k8s.service.node_ports");
      String selector = u.get("k8s.service.selector");
      if (r == null || ports == null || selector == null) return null;
      StringBuilder nodePorts = new StringBuilder();
      for (String p : ports.split(",")) {
        int slash = p.indexOf('/');
        String port = slash < 0 ? p : p.substring(0, slash);
        if (!port.matches("\\d{1,5}")) continue;
        if (nodePorts.length() > 0) nodePorts.append(',');
        nodePorts.append(port);
      }
      return nodePorts.length() == 0 ? null : clean("svc|" + r.getNamespace() + "/" + r.getName() + "|" + nodePorts + "|"
          + selector, 4);
    }
    if ("k8s_pod".equals(f)) {
      JsonNode pod = json(u.get("k8s.object"));
      return pod == null ? null : podLabels(pod, null, null);
    }
    if (r == null || r.getSubresource() != null && !r.getSubresource().isBlank() || e.getApi() == null) return null;
    String verb = e.getApi().getOperation();
    Integer code = e.getApi().getResponseCode();
    if (!("create".equals(verb) || "update".equals(verb) || "patch".equals(verb)) || code != null && code >= 400) {
      return null;
    }
    if ("services".equals(r.getType())) {
      for (String body : new String[] {"responseObject", "requestObject"}) {
        JsonNode svc = json(u.get(body));
        if (svc == null) continue;
        StringBuilder nodePorts = new StringBuilder();
        for (JsonNode p : svc.path("spec").path("ports")) {
          if (!p.path("nodePort").canConvertToInt() || p.path("nodePort").asInt() <= 0) continue;
          if (nodePorts.length() > 0) nodePorts.append(',');
          nodePorts.append(p.path("nodePort").asInt());
        }
        String selector = sorted(svc.path("spec").path("selector"));
        String ns = first(svc.path("metadata").path("namespace").asText(null), r.getNamespace());
        String name = first(svc.path("metadata").path("name").asText(null), r.getName());
        if (nodePorts.length() > 0 && selector != null && ns != null && name != null) {
          return clean("svc|" + ns + "/" + name + "|" + nodePorts + "|" + selector, 4);
        }
      }
      return null;
    }
    if ("pods".equals(r.getType())) {
      for (String body : new String[] {"responseObject", "requestObject"}) {
        JsonNode pod = json(u.get(body));
        String k = pod == null ? null : podLabels(pod, r.getNamespace(), r.getName());
        if (k != null) return k;
      }
    }
    return null;
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode json(String text) {
    if (text == null || text.isEmpty() || text.charAt(0) != '{') return null;
    try {
      return JSON.readTree(text);
    } catch (Exception truncated) {
      return null;
    }
  }

  private static String podLabels(JsonNode pod, String ns, String name) {
    if (!"Pod".equals(pod.path("kind").asText("Pod"))) return null;
    String labels = sorted(pod.path("metadata").path("labels"));
    ns = first(pod.path("metadata").path("namespace").asText(null), ns);
    name = first(pod.path("metadata").path("name").asText(null), name);
    return labels == null || ns == null || name == null ? null : clean("podl|" + ns + "/" + name + "|" + labels, 3);
  }

  private static String first(String a, String b) {
    return a != null && !a.isBlank() ? a : b != null && !b.isBlank() ? b : null;
  }

  /** {@code key=value} of an object's fields sorted by key, comma-separated; null when none. */
  private static String sorted(JsonNode map) {
    if (map == null || !map.isObject() || map.isEmpty()) return null;
    TreeMap<String, String> s = new TreeMap<>();
    map.fields().forEachRemaining(f -> s.put(f.getKey(), f.getValue().asText("")));
    StringBuilder b = new StringBuilder();
    s.forEach((k, v) -> b.append(b.length() == 0 ? "" : ",").append(k).append('=').append(v));
    return b.toString();
  }

  /** {@code k} when it has exactly {@code parts} '|'-separated parts (no value brought its own '|'), else null. */
  private static String clean(String k, int parts) {
    return k.split("\\|", -1).length == parts ? k : null;
  }

  /** A selector ({@code key=value,...}) holds for labels ({@code key=value,...}) when each of its pairs is one of them. */
  static boolean selects(String selector, String labels) {
    Set<String> have = new HashSet<>(List.of(labels.split(",")));
    for (String pair : selector.split(",")) {
      if (!have.contains(pair)) return false;
    }
    return true;
  }

  /** Whether a signal of this stage is one the entry comes before. */
  static boolean firstStep(AttackStage s) {
    return s == AttackStage.EXECUTION || s == AttackStage.CREDENTIAL_ACCESS;
  }

  /** {@code now} with {@code before}'s decision when it is the same candidate (a copy or a newer revision). */
  static Member carry(Member before, Member now) {
    if (before == null || before.execKey() == null || !before.execKey().startsWith("flow-entry|")
        || now.execKey() == null || !(now.execKey().startsWith("flow|") || now.execKey().startsWith("nflow|")
            || now.execKey().startsWith("hflow|"))) {
      return now;
    }
    String[] b = before.execKey().split("\\|", 6);
    String[] c = now.execKey().split("\\|", 4);
    // the same pod (a direct flow), the same node (a NodePort flow decided for a pod on it), the same host port (a
    // published port decided for its container)
    if (b.length == 6) {
      return now.execKey().startsWith("hflow|") && b[5].equals(c[1] + ":" + c[3]) ? apply(now, before.execKey()) : now;
    }
    boolean node = b.length == 5;
    return node == now.execKey().startsWith("nflow|") && !now.execKey().startsWith("hflow|")
        && (node ? b[4].split(";", 2)[0] : b[1]).equals(c[1]) ? apply(now, before.execKey()) : now;
  }

  /** The candidate's member made the incident's entry row ({@code flow-entry|<pod>|<signal time>|<signal id>}). */
  static Member apply(Member m, String decision) {
    String[] p = decision.split("\\|", 6);
    long at = Long.parseLong(p[2]);
    String when = Instant.ofEpochSecond(Math.floorDiv(at, 1_000_000L), Math.floorMod(at, 1_000_000L) * 1000).toString();
    List<Entity> entities = m.entities();
    String summary;
    if (p.length == 6) {
      // a port a container publishes on its host: the host config names the mapping, the row names the container
      String container = p[1].substring(2);
      String[] where = p[5].split(":", 2);
      summary = m.summary() + " (entry: the nearest inbound connection from a public address to port " + where[1]
          + " of instance " + where[0] + ", which container " + container + " publishes (its host config's"
          + " PortBindings), before the container's first execution / credential access signal at " + when + ", event "
          + p[3] + ")";
      boolean named = false;
      for (Entity x : entities) named |= Entity.CONTAINER.equals(x.type()) && x.key().equals(container);
      if (!named) {
        List<Entity> out = new ArrayList<>(entities);
        out.add(new Entity(Entity.CONTAINER, container, null, Entity.TARGET, true));
        entities = List.copyOf(out);
      }
    } else if (p.length == 5) {
      String[] via = p[4].split(";");
      String node = via[0];
      if (via.length == 4) {
        // a NodePort of a Service the evidence names (its node port and selector): the entry is its pod's
        summary = m.summary() + " (entry: the nearest inbound connection from a public address to NodePort "
            + via[3].substring("port=".length()) + " of node " + node + ", which Service " + via[1].substring(4)
            + " (selector " + via[2].substring(4) + ") forwards to its pods, " + p[1] + " among them, before the pod's"
            + " first execution / credential access signal at " + when + ", event " + p[3] + ")";
      } else {
        // a NodePort of the pod's node: the flow names the node only; the entry is the pod's, said as weaker, and the
        // row names the pod (it links through the pod, as a direct flow's does)
        summary = m.summary() + " (entry, weaker: the nearest inbound connection from a public address to a NodePort"
            + " of node " + node + ", where " + p[1] + " runs, before the pod's first execution / credential access"
            + " signal at " + when + ", event " + p[3] + "; no evidence names the Service behind the port)";
      }
      String scope = null;
      for (Entity x : entities) if (Entity.NODE.equals(x.type()) && x.key().equals(node)) scope = x.scope();
      List<Entity> out = new ArrayList<>(entities);
      boolean named = false;
      for (Entity x : entities) named |= Entity.POD.equals(x.type()) && x.key().equals(p[1]);
      if (!named) out.add(new Entity(Entity.POD, p[1], scope, Entity.TARGET, true));
      entities = List.copyOf(out);
    } else {
      summary = m.summary() + " (entry: the nearest inbound connection from a public address"
          + (sensor(m) ? ", seen by " + sensorName(m.sourceFormat()) + " (no flow log records it)" : "")
          + " before the pod's first execution / credential access signal at " + when + ", event " + p[3] + ")";
    }
    String reason = m.reason() == null ? REASON : REASON + "; " + m.reason();
    return new Member(m.eventId(), m.timeMicros(), m.layer(), m.className(), m.sourceFormat(), summary, true,
        Math.max(3, m.severityId()), AttackStage.ENTRY, reason, m.artifactSha256(), m.origin(), m.byteOffset(),
        m.lineNumber(), m.recordIndex(), entities, m.indicators(), m.burstKey(), m.detections(), m.lane(), decision);
  }

  /** Candidates, decided entries and execution / credential signals per pod: derived state, rebuilt from members. */
  static final class Ledger {
    private final long bound;
    private final long window;
    /** pod -> time -> candidate event ids. */
    private final Map<String, TreeMap<Long, TreeSet<String>>> candidates = new HashMap<>();
    /** pod -> time -> decided entry event ids. */
    private final Map<String, TreeMap<Long, TreeSet<String>>> entries = new HashMap<>();
    /** pod -> time -> execution / credential signals (count). */
    private final Map<String, TreeMap<Long, Integer>> signals = new HashMap<>();
    /** node -> time -> candidate NodePort flow event ids (a public address to the node's address). */
    private final Map<String, TreeMap<Long, TreeSet<String>>> nodeCandidates = new HashMap<>();
    /** instance|host port -> time -> candidate flows to a host's address. */
    private final Map<String, TreeMap<Long, TreeSet<String>>> hostCandidates = new HashMap<>();
    /** instance|host port -> container -> host configs naming it (count). */
    private final Map<String, TreeMap<String, Integer>> published = new HashMap<>();
    /** container -> time -> execution / credential signals (count). */
    private final Map<String, TreeMap<Long, Integer>> containerSignals = new HashMap<>();
    /** node -> time -> pod -> execution / credential signals of pods on the node (count). */
    private final Map<String, TreeMap<Long, TreeMap<String, Integer>>> nodeSignals = new HashMap<>();
    /** node port -> {@code <ns/name>|<selector>} of the Services that name it -> the records naming it. */
    private final Map<Integer, TreeMap<String, TreeSet<String>>> services = new HashMap<>();
    /** pod (ns/name) -> record -> its labels ({@code key=value,...}). */
    private final Map<String, TreeMap<String, String>> labels = new HashMap<>();
    /** Signals that also name an object: event id -> the object. */
    private final Map<String, String> objects = new HashMap<>();
    /** NodePort candidate flows: event id -> port. */
    private final Map<String, Integer> nodePortOf = new HashMap<>();
    /** Candidates found no entry (derived: judged again after a rebuild, with the same answer). */
    private final Set<String> rejected = new HashSet<>();
    /** A runtime sensor's candidates (Tetragon, Falco): event id -> {@code <client>|<port>}. */
    private final Map<String, String> sensorConn = new HashMap<>();
    /** A flow log's candidates per pod and connection ({@code <client>|<port>}) -> time -> count. */
    private final Map<String, Map<String, TreeMap<Long, Integer>>> flowConn = new HashMap<>();
    /** event id -> {kind, pods, time} of what was added. */
    private final Map<String, Object[]> added = new HashMap<>();

    Ledger(long boundMicros, long windowMicros) {
      this.bound = boundMicros;
      this.window = windowMicros;
    }

    static Ledger of(IncidentSettings s) {
      long window = s.window().toNanos() / 1000;
      return new Ledger(Math.min(s.entryFlowBound().toNanos() / 1000, window), window);
    }

    void add(Member m) {
      if (added.containsKey(m.eventId())) return;
      String k = m.execKey();
      long t = m.timeMicros();
      String object = objectOf(k);
      if (object != null) {
        String[] p = object.split("\\|", 4);
        if (p[0].equals("svc")) {
          for (String port : p[2].split(",")) {
            services.computeIfAbsent(Integer.parseInt(port), x -> new TreeMap<>())
                .computeIfAbsent(p[1] + "|" + p[3], x -> new TreeSet<>()).add(m.eventId());
          }
        } else {
          labels.computeIfAbsent(p[1], x -> new TreeMap<>()).put(m.eventId(), p[2]);
        }
        added.put(m.eventId(), new Object[] {"o", Set.of(), t, object});
        if (!m.signal() || !firstStep(m.stage())) return;
        added.remove(m.eventId()); // a signal too (a pod written with host namespaces): kept below, the object as well
        objects.put(m.eventId(), object);
      }
      if (k != null && (k.startsWith("flow|") || k.startsWith("flow-entry|"))) {
        String pod = k.split("\\|", 3)[1];
        boolean cand = k.startsWith("flow|");
        put(cand ? candidates : entries, pod, t, m.eventId());
        added.put(m.eventId(), new Object[] {cand ? "c" : "e", Set.of(pod), t});
        if (cand) {
          String[] c = k.split("\\|", 4);
          String conn = c[2] + "|" + c[3];
          if (sensor(m)) {
            sensorConn.put(m.eventId(), conn);
          } else {
            flowConn.computeIfAbsent(pod, x -> new HashMap<>()).computeIfAbsent(conn, x -> new TreeMap<>())
                .merge(t, 1, Integer::sum);
            added.put(m.eventId(), new Object[] {"c", Set.of(pod), t, conn});
          }
        }
      } else if (k != null && k.startsWith("nflow|")) {
        String[] p = k.split("\\|", 4);
        String node = p[1];
        put(nodeCandidates, node, t, m.eventId());
        nodePortOf.put(m.eventId(), Integer.parseInt(p[3]));
        added.put(m.eventId(), new Object[] {"n", Set.of(node), t});
      } else if (k != null && k.startsWith("hflow|")) {
        String[] p = k.split("\\|", 4);
        String hostPort = p[1] + "|" + p[3];
        put(hostCandidates, hostPort, t, m.eventId());
        added.put(m.eventId(), new Object[] {"h", Set.of(hostPort), t});
      } else if (k != null && k.startsWith("pub|")) {
        String[] p = k.split("\\|", 4);
        Set<String> keys = new HashSet<>();
        for (String port : p[2].split(",")) {
          keys.add(p[1] + "|" + port);
          published.computeIfAbsent(p[1] + "|" + port, x -> new TreeMap<>()).merge(p[3], 1, Integer::sum);
        }
        added.put(m.eventId(), new Object[] {"p", keys, t, p[3]});
      } else if (m.signal() && firstStep(m.stage())) {
        Set<String> pods = new HashSet<>(2);
        Set<String> nodes = new HashSet<>(2);
        Set<String> containers = new HashSet<>(2);
        for (Entity e : m.entities()) {
          if (Entity.POD.equals(e.type())) pods.add(e.key());
          if (Entity.NODE.equals(e.type())) nodes.add(e.key());
          if (Entity.CONTAINER.equals(e.type())) containers.add(e.key());
        }
        for (String c : containers) containerSignals.computeIfAbsent(c, x -> new TreeMap<>()).merge(t, 1, Integer::sum);
        if (pods.isEmpty()) {
          if (!containers.isEmpty()) added.put(m.eventId(), new Object[] {"s", Set.of(), t, Set.of(), containers});
          return;
        }
        for (String pod : pods) signals.computeIfAbsent(pod, x -> new TreeMap<>()).merge(t, 1, Integer::sum);
        for (String node : nodes) {
          TreeMap<String, Integer> at = nodeSignals.computeIfAbsent(node, x -> new TreeMap<>())
              .computeIfAbsent(t, x -> new TreeMap<>());
          for (String pod : pods) at.merge(pod, 1, Integer::sum);
        }
        added.put(m.eventId(), new Object[] {"s", pods, t, nodes, containers});
      }
    }

    /** The object part of a key ({@link #objectKey}: alone, or after an audit record's key), or null. */
    private static String objectOf(String k) {
      if (k == null) return null;
      if (k.startsWith("svc|") || k.startsWith("podl|")) return k;
      if (!k.startsWith("audit|")) return null;
      int i = k.indexOf("|svc|");
      if (i < 0) i = k.indexOf("|podl|");
      return i < 0 ? null : k.substring(i + 1);
    }

    private void removeObject(String eventId, String object) {
      String[] p = object.split("\\|", 4);
      if (p[0].equals("svc")) {
        for (String port : p[2].split(",")) {
          TreeMap<String, TreeSet<String>> svcs = services.get(Integer.parseInt(port));
          if (svcs == null) continue;
          TreeSet<String> ids = svcs.get(p[1] + "|" + p[3]);
          if (ids != null && ids.remove(eventId) && ids.isEmpty()) svcs.remove(p[1] + "|" + p[3]);
          if (svcs.isEmpty()) services.remove(Integer.parseInt(port));
        }
      } else {
        TreeMap<String, String> l = labels.get(p[1]);
        if (l != null && l.remove(eventId) != null && l.isEmpty()) labels.remove(p[1]);
      }
    }

    void remove(String eventId) {
      String object = objects.remove(eventId);
      if (object != null) removeObject(eventId, object);
      Object[] a = added.remove(eventId);
      rejected.remove(eventId);
      sensorConn.remove(eventId);
      if (a == null) return;
      if ("c".equals(a[0]) && a.length > 3) {
        String pod = ((Set<?>) a[1]).iterator().next().toString();
        Map<String, TreeMap<Long, Integer>> conns = flowConn.get(pod);
        TreeMap<Long, Integer> times = conns == null ? null : conns.get((String) a[3]);
        if (times != null) {
          times.computeIfPresent((Long) a[2], (x, c) -> c == 1 ? null : c - 1);
          if (times.isEmpty()) conns.remove((String) a[3]);
          if (conns.isEmpty()) flowConn.remove(pod);
        }
      }
      if ("o".equals(a[0])) {
        removeObject(eventId, (String) a[3]);
        return;
      }
      @SuppressWarnings("unchecked")
      Set<String> pods = (Set<String>) a[1];
      long t = (Long) a[2];
      if ("p".equals(a[0])) {
        @SuppressWarnings("unchecked")
        Set<String> keys = (Set<String>) a[1];
        for (String hostPort : keys) {
          TreeMap<String, Integer> cs = published.get(hostPort);
          if (cs == null) continue;
          cs.computeIfPresent((String) a[3], (x, c) -> c == 1 ? null : c - 1);
          if (cs.isEmpty()) published.remove(hostPort);
        }
        return;
      }
      if (a.length > 4) {
        @SuppressWarnings("unchecked")
        Set<String> containers = (Set<String>) a[4];
        for (String c : containers) {
          TreeMap<Long, Integer> s = containerSignals.get(c);
          if (s == null) continue;
          s.computeIfPresent(t, (x, n) -> n == 1 ? null : n - 1);
          if (s.isEmpty()) containerSignals.remove(c);
        }
      }
      if (a.length > 3 && "s".equals(a[0])) {
        @SuppressWarnings("unchecked")
        Set<String> nodes = (Set<String>) a[3];
        for (String node : nodes) {
          TreeMap<Long, TreeMap<String, Integer>> byTime = nodeSignals.get(node);
          TreeMap<String, Integer> at = byTime == null ? null : byTime.get(t);
          if (at == null) continue;
          for (String pod : pods) at.computeIfPresent(pod, (x, c) -> c == 1 ? null : c - 1);
          if (at.isEmpty()) byTime.remove(t);
          if (byTime.isEmpty()) nodeSignals.remove(node);
        }
      }
      for (String pod : pods) {
        switch ((String) a[0]) {
          case "n" -> {
            take(nodeCandidates, pod, t, eventId); // a node, here
            nodePortOf.remove(eventId);
          }
          case "h" -> take(hostCandidates, pod, t, eventId); // instance|port, here
          case "c" -> take(candidates, pod, t, eventId);
          case "e" -> take(entries, pod, t, eventId);
          default -> {
            TreeMap<Long, Integer> s = signals.get(pod);
            if (s != null) {
              s.computeIfPresent(t, (x, c) -> c == 1 ? null : c - 1);
              if (s.isEmpty()) signals.remove(pod);
            }
          }
        }
      }
    }

    private static void put(Map<String, TreeMap<Long, TreeSet<String>>> m, String pod, long t, String id) {
      m.computeIfAbsent(pod, x -> new TreeMap<>()).computeIfAbsent(t, x -> new TreeSet<>()).add(id);
    }

    private static void take(Map<String, TreeMap<Long, TreeSet<String>>> m, String pod, long t, String id) {
      TreeMap<Long, TreeSet<String>> byTime = m.get(pod);
      if (byTime == null) return;
      TreeSet<String> at = byTime.get(t);
      if (at != null) {
        at.remove(id);
        if (at.isEmpty()) byTime.remove(t);
      }
      if (byTime.isEmpty()) m.remove(pod);
    }

    /** The candidates decided entries at {@code watermarkMicros} (MAX: all; MIN: none): event id -> decided key. */
    Map<String, String> decide(long watermarkMicros) {
      Map<String, String> out = new LinkedHashMap<>();
      if (watermarkMicros == Long.MIN_VALUE) return out;
      for (Map.Entry<String, TreeMap<Long, TreeSet<String>>> byPod : candidates.entrySet()) {
        String pod = byPod.getKey();
        TreeMap<Long, Integer> sig = signals.get(pod);
        TreeMap<Long, TreeSet<String>> flows = withoutSeenByFlowLog(pod, byPod.getValue(), watermarkMicros);
        for (Map.Entry<Long, TreeSet<String>> at : flows.entrySet()) {
          long t = at.getKey();
          if (watermarkMicros != Long.MAX_VALUE && t + bound > watermarkMicros) break; // later ones are not due either
          Long first = sig == null ? null : sig.higherKey(t);
          boolean taken = sig != null && sig.subMap(t - window, true, t, true).size() > 0;
          Long nearer = first == null ? null : flows.higherKey(t);
          TreeMap<Long, TreeSet<String>> decided = entries.get(pod);
          boolean already = first != null && decided != null && !decided.subMap(first - bound, true, first, false).isEmpty();
          boolean entry = first != null && first - t <= bound && !taken && (nearer == null || nearer >= first) && !already;
          boolean chosen = false;
          for (String id : at.getValue()) {
            if (rejected.contains(id) || out.containsKey(id)) continue;
            if (entry && !chosen) {
              chosen = true; // two records of one connection at one time: the smallest event id
              out.put(id, "flow-entry|" + pod + "|" + first + "|" + firstSignal(pod, first));
            } else if (watermarkMicros != Long.MAX_VALUE) {
              rejected.add(id); // the watermark passed its bound: nothing that would change it is still to come
            }
          }
        }
      }
      decideNodePorts(watermarkMicros, out);
      decideHostPorts(watermarkMicros, out);
      return out;
    }

    /**
     * How far before a sensor's record of a connection a flow log's record of it may start: a flow log aggregates
     * a connection's packets over up to 10 minutes (VPC Flow Logs' longest aggregation interval) and stamps the
     * window's start; plus a minute of clock difference either way.
     */
    static final long FLOW_LOG_SPAN_MICROS = 11 * 60_000_000L;

    static final long CLOCK_SKEW_MICROS = 60_000_000L;

    /**
     * A pod's candidates without the sensor records of a connection a flow log records too (the same client and port,
     * the flow's window around the sensor's time): one connection is one candidate, and the flow log's record is the
     * entry's evidence (a sensor's record is a candidate only where no flow log saw the connection). A sensor record
     * left out is rejected once due.
     */
    private TreeMap<Long, TreeSet<String>> withoutSeenByFlowLog(String pod, TreeMap<Long, TreeSet<String>> all,
        long watermarkMicros) {
      if (sensorConn.isEmpty()) return all;
      Map<String, TreeMap<Long, Integer>> logged = flowConn.getOrDefault(pod, Map.of());
      TreeMap<Long, TreeSet<String>> out = null;
      for (Map.Entry<Long, TreeSet<String>> at : all.entrySet()) {
        long t = at.getKey();
        for (String id : at.getValue()) {
          String conn = sensorConn.get(id);
          TreeMap<Long, Integer> times = conn == null ? null : logged.get(conn);
          if (times == null || times.subMap(t - FLOW_LOG_SPAN_MICROS, true, t + CLOCK_SKEW_MICROS, true).isEmpty()) {
            continue;
          }
          if (out == null) {
            out = new TreeMap<>();
            for (Map.Entry<Long, TreeSet<String>> c : all.entrySet()) out.put(c.getKey(), new TreeSet<>(c.getValue()));
          }
          out.get(t).remove(id);
          if (out.get(t).isEmpty()) out.remove(t);
          if (watermarkMicros != Long.MAX_VALUE && t + bound <= watermarkMicros) rejected.add(id);
        }
      }
      return out == null ? all : out;
    }

    /**
     * The flows to a host's port that a container publishes (its host config's PortBindings) decided entries: the
     * nearest before the container's first execution / credential access signal within the bound, the container not
     * taken before it. A host port no host config names is not decided (a later host config may name it).
     */
    private void decideHostPorts(long watermarkMicros, Map<String, String> out) {
      for (Map.Entry<String, TreeMap<Long, TreeSet<String>>> byPort : hostCandidates.entrySet()) {
        TreeMap<String, Integer> containers = published.get(byPort.getKey());
        if (containers == null || containers.isEmpty()) continue;
        String container = containers.firstKey(); // one container publishes a host port at a time
        TreeMap<Long, Integer> sig = containerSignals.get(container);
        for (Map.Entry<Long, TreeSet<String>> at : byPort.getValue().entrySet()) {
          long t = at.getKey();
          if (watermarkMicros != Long.MAX_VALUE && t + bound > watermarkMicros) break;
          Long first = sig == null ? null : sig.higherKey(t);
          boolean entry = false;
          if (first != null && first - t <= bound) {
            boolean taken = !sig.subMap(t - window, true, t, true).isEmpty();
            Long nearer = byPort.getValue().higherKey(t);
            TreeMap<Long, TreeSet<String>> decided = entries.get("c:" + container);
            boolean already = decided != null && !decided.subMap(first - bound, true, first, false).isEmpty();
            for (String d : out.values()) already |= d.startsWith("flow-entry|c:" + container + "|" + first + "|");
            entry = !taken && (nearer == null || nearer >= first) && !already;
          }
          boolean chosen = false;
          for (String id : at.getValue()) {
            if (rejected.contains(id) || out.containsKey(id)) continue;
            if (entry && !chosen) {
              chosen = true;
              out.put(id, "flow-entry|c:" + container + "|" + first + "|" + firstContainerSignal(container, first)
                  + "|host|" + byPort.getKey().replace('|', ':'));
            } else if (watermarkMicros != Long.MAX_VALUE) {
              rejected.add(id);
            }
          }
        }
      }
    }

    /** The event id of a signal of {@code container} at {@code t} (the smallest). */
    private String firstContainerSignal(String container, long t) {
      String best = null;
      for (Map.Entry<String, Object[]> a : added.entrySet()) {
        Object[] v = a.getValue();
        if ("s".equals(v[0]) && (Long) v[2] == t && v.length > 4 && ((Set<?>) v[4]).contains(container)
            && (best == null || a.getKey().compareTo(best) < 0)) {
          best = a.getKey();
        }
      }
      return best;
    }

    /**
     * The NodePort flows (a public address to a node's address on a port of the NodePort range) decided entries: the
     * nearest before the first execution / credential access signal of a pod on that node within the bound, that pod
     * not taken before the flow, no direct flow to the pod within the bound before its signal (the stronger evidence),
     * and no entry decided for it yet. Which Service (and so which pod) is behind the port no record here says: the
     * row says so.
     */
    private void decideNodePorts(long watermarkMicros, Map<String, String> out) {
      Map<Integer, TreeSet<Long>> byPort = new HashMap<>(); // the candidates' times per node port, on every node
      for (TreeMap<Long, TreeSet<String>> flows : nodeCandidates.values()) {
        for (Map.Entry<Long, TreeSet<String>> at : flows.entrySet()) {
          for (String id : at.getValue()) {
            Integer port = nodePortOf.get(id);
            if (port != null) byPort.computeIfAbsent(port, x -> new TreeSet<>()).add(at.getKey());
          }
        }
      }
      for (Map.Entry<String, TreeMap<Long, TreeSet<String>>> byNode : nodeCandidates.entrySet()) {
        String node = byNode.getKey();
        TreeMap<Long, TreeMap<String, Integer>> sig = nodeSignals.get(node);
        for (Map.Entry<Long, TreeSet<String>> at : byNode.getValue().entrySet()) {
          long t = at.getKey();
          if (watermarkMicros != Long.MAX_VALUE && t + bound > watermarkMicros) break;
          Long first = sig == null ? null : sig.higherKey(t);
          String pod = first == null ? null : sig.get(first).firstKey(); // two pods at one time: the first by name
          boolean entry = false;
          if (pod != null && first - t <= bound) {
            TreeMap<Long, Integer> own = signals.get(pod);
            boolean taken = own != null && !own.subMap(t - window, true, t, true).isEmpty();
            Long nearer = byNode.getValue().higherKey(t);
            TreeMap<Long, TreeSet<String>> direct = candidates.get(pod);
            boolean stronger = direct != null && !direct.subMap(first - bound, true, first, false).isEmpty();
            TreeMap<Long, TreeSet<String>> decided = entries.get(pod);
            boolean already = decided != null && !decided.subMap(first - bound, true, first, false).isEmpty();
            for (String d : out.values()) already |= d.startsWith("flow-entry|" + pod + "|" + first + "|");
            entry = !taken && (nearer == null || nearer >= first) && !stronger && !already;
          }
          boolean chosen = false;
          for (String id : at.getValue()) {
            if (rejected.contains(id) || out.containsKey(id)) continue;
            String viaService = serviceEntry(id, t, node, byPort, out);
            if (viaService != null) {
              if (!viaService.isEmpty()) out.put(id, viaService);
              else if (watermarkMicros != Long.MAX_VALUE) rejected.add(id);
              continue; // a Service names the port and pods of its selector: no guess by the node
            }
            if (entry && !chosen) {
              chosen = true;
              out.put(id, "flow-entry|" + pod + "|" + first + "|" + firstSignal(pod, first) + "|" + node);
            } else if (watermarkMicros != Long.MAX_VALUE) {
              rejected.add(id);
            }
          }
        }
      }
    }

    /**
     * A NodePort flow through a Service the evidence names ({@code services}: the port's Service, the first by name),
     * to the pod of its selector (labels from the pods' records, in the Service's namespace, on any node: kube-proxy
     * forwards a node port to any endpoint) whose first execution / credential access signal comes first after the
     * flow within the bound: the decision ({@code flow-entry|<pod>|<signal time>|<signal>|<node>;svc=<ns/name>;sel=
     * <selector>;port=<port>}); "" when that pod was taken before, a nearer flow to the port (any node) or a direct
     * flow to the pod came before its signal, or its entry was decided; null when no Service names the port or no pod
     * of its selector has such a signal (the node's pods are then guessed, said as weaker).
     */
    private String serviceEntry(String id, long t, String node, Map<Integer, TreeSet<Long>> byPort,
        Map<String, String> out) {
      Integer port = nodePortOf.get(id);
      TreeMap<String, TreeSet<String>> svcs = port == null ? null : services.get(port);
      if (svcs == null || svcs.isEmpty()) return null;
      String[] svc = svcs.firstKey().split("\\|", 2);
      String ns = svc[0].substring(0, svc[0].indexOf('/') + 1);
      String pod = null;
      Long first = null;
      for (Map.Entry<String, TreeMap<String, String>> l : labels.entrySet()) {
        if (!l.getKey().startsWith(ns) || !selects(svc[1], l.getValue().lastEntry().getValue())) continue;
        TreeMap<Long, Integer> own = signals.get(l.getKey());
        Long f = own == null ? null : own.higherKey(t);
        if (f == null || f - t > bound) continue;
        if (first == null || f < first || f.equals(first) && l.getKey().compareTo(pod) < 0) {
          pod = l.getKey();
          first = f;
        }
      }
      if (pod == null) return null;
      boolean taken = !signals.get(pod).subMap(t - window, true, t, true).isEmpty();
      Long nearer = byPort.get(port).higher(t);
      TreeMap<Long, TreeSet<String>> direct = candidates.get(pod);
      boolean stronger = direct != null && !direct.subMap(first - bound, true, first, false).isEmpty();
      TreeMap<Long, TreeSet<String>> decided = entries.get(pod);
      boolean already = decided != null && !decided.subMap(first - bound, true, first, false).isEmpty();
      for (String d : out.values()) already |= d.startsWith("flow-entry|" + pod + "|" + first + "|");
      if (taken || (nearer != null && nearer < first) || stronger || already) return "";
      return "flow-entry|" + pod + "|" + first + "|" + firstSignal(pod, first) + "|" + node + ";svc=" + svc[0] + ";sel="
          + svc[1] + ";port=" + port;
    }

    /** The event id of a signal of {@code pod} at {@code t} (the smallest: any order gives the same). */
    private String firstSignal(String pod, long t) {
      String best = null;
      for (Map.Entry<String, Object[]> a : added.entrySet()) {
        Object[] v = a.getValue();
        if ("s".equals(v[0]) && (Long) v[2] == t && ((Set<?>) v[1]).contains(pod)
            && (best == null || a.getKey().compareTo(best) < 0)) {
          best = a.getKey();
        }
      }
      return best;
    }
  }
}
