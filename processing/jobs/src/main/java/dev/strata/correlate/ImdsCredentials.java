package dev.strata.correlate;

import dev.strata.schema.correlate.EntityBinding;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Who used an EC2 instance role's credentials from outside: the pod that fetched them from the instance metadata
 * service (IMDS). An instance role's session is named after its instance id ({@code assumed-role/<role>/i-...}), so
 * CloudTrail ties its calls to the node ({@code session_instance}); but on a node any pod without IRSA / Pod Identity
 * and with IMDS reachable (a host-network pod, or a hop limit of 2) can read {@code
 * http://169.254.169.254/latest/meta-data/iam/security-credentials/<role>} (IMDSv1, or IMDSv2 after a token {@code
 * PUT /latest/api/token}) and take the node's identity anywhere. The instance's role credentials are rotated and
 * valid up to about 6 hours (EC2 user guide, "Retrieve security credentials from instance metadata": new
 * credentials are made available at least five minutes before the old ones expire), so a fetch puts them in the pod's
 * hands for {@link #VALIDITY} ({@code imds_fetch}, stated by the extractor from the fetching process's command line or
 * log line, {@link #fetch}).
 *
 * <p>{@link #decide}: a call of the instance's role session from a public address (not through a VPC endpoint, not an
 * AWS service) that is not the node's own is the fetching pod's when exactly one pod's fetch is in force at the call's
 * time: a {@code session_imds_pod} statement under {@code session|from:<address>|<session ARN>} (only calls from that
 * address ask it, {@link LookupKeys}), valid for the interval in which that pod alone held fetched credentials,
 * confidence {@link #ONE_POD}, basis in {@link #BASIS}. The node's own addresses: private addresses and VPC endpoint
 * calls (never asked), and a public address the instance's sessions used while no pod's fetch was in force (the
 * node's NAT gateway or public IP, seen in its routine calls: the kubelet's ECR login, the VPC CNI). Several pods in
 * force: one statement per candidate under {@code session|ambiguous:<address>:<ns/pod>|<session ARN>}, which no call asks
 * ({@link #SEVERAL_PODS}, every candidate in {@link #CANDIDATES}): the fact says so, no pod wins.
 */
public final class ImdsCredentials {
  /** How long fetched instance role credentials may be used: up to about 6 hours (see the class doc). */
  public static final Duration VALIDITY = Duration.ofHours(6);

  public static final long VALIDITY_MICROS = VALIDITY.toNanos() / 1000;

  public static final float ONE_POD = 0.6f;
  public static final float SEVERAL_PODS = 0.3f;
  /**
   * The same when the candidates' fetches are connections only ({@link #BY_CONNECTION}): a connection to IMDS is not
   * proof of a credentials read (an SDK also asks IMDS for its region, instance id, a token).
   */
  public static final float ONE_POD_CONNECTED = 0.4f;
  public static final float SEVERAL_PODS_CONNECTED = 0.2f;
  /** The {@code imds_fetch} statement of a connection to IMDS (no path seen): below a read's 0.9. */
  public static final float CONNECTION = 0.5f;
  /** {@link #FETCH_BASIS} of a connection to IMDS seen without the path (an SDK's read, a bare socket). */
  public static final String BY_CONNECTION = "connection";
  /** The IMDS endpoint's addresses: IPv4 link-local and the Nitro IPv6 one. */
  public static final java.util.Set<String> IMDS_ADDRESSES = java.util.Set.of("169.254.169.254", "fd00:ec2::254");

  /** Attributes of the statements (not enrichment fields: on the fact, for a responder). */
  public static final String ROLE_NAME = "imds_role";
  /** How the fetch was seen: {@code process} (a sensor's process), {@code container_log}. */
  public static final String FETCH_BASIS = "imds_fetch_by";
  /** {@code v1}, {@code v2} (a token header or token request on the command line), or absent when not said. */
  public static final String IMDS_VERSION = "imds_version";
  /** The call's address (session_instance: the call's {@code sourceIPAddress}; session_imds_pod: the outside one). */
  public static final String SOURCE_IP = "source_ip";
  public static final String VPC_ENDPOINT = "vpc_endpoint";
  /** session_imds_pod: {@code one_pod_fetched} or {@code several_pods_fetched}. */
  public static final String BASIS = "imds_basis";
  /** session_imds_pod: every pod whose fetch was in force ({@code ns/name}, space separated). */
  public static final String CANDIDATES = "imds_candidates";
  /** session_imds_pod: the fetch statement's event id (the fetching process or line). */
  public static final String FETCH_EVENT = "imds_fetch_event";

  private static final Pattern CREDENTIALS_PATH =
      Pattern.compile("/meta-data/iam/security-credentials(?:/([A-Za-z0-9+=,.@_-]*))?");
  private static final Pattern IMDSV2 =
      Pattern.compile("(?i)x-aws-ec2-metadata-token|/latest/api/token");

  private ImdsCredentials() {}

  /** What a command line or log line says of a credentials fetch: the role (may be null), the IMDS version. */
  public record Fetch(String role, String version) {}

  /**
   * The IMDS role-credentials fetch {@code text} shows, or null: the path {@code /meta-data/iam/security-credentials}
   * (under {@code /latest/} or a version date, on 169.254.169.254, {@code [fd00:ec2::254]} or a name for it), the role
   * when the next path element names one (a listing {@code .../security-credentials/} or {@code $ROLE} names none).
   */
  public static Fetch fetch(String text) {
    if (text == null || !text.contains("/meta-data/iam/security-credentials")) return null;
    Matcher m = CREDENTIALS_PATH.matcher(text);
    String role = null;
    while (m.find()) {
      String r = m.group(1);
      if (r != null && !r.isEmpty()) role = r;
    }
    String version = IMDSV2.matcher(text).find() ? "v2" : "v1";
    return new Fetch(role, version);
  }

  /**
   * The subject scope of a fetch: {@code pod:<pod scope>/<ns/pod>} on its instance (key the instance id), {@code
   * node:<pod scope>/<ns/pod>} when only its node is known (key the node's name). The pod is in the subject so that
   * every pod's fetch stays a fact of its own (a subject's facts hold one answer at a time, {@code BindingFacts}):
   * two pods fetching at once are both candidates.
   */
  public static String fetchScope(boolean onInstance, String objectType, String objectScope, String objectKey) {
    return (onInstance ? "" : NODE_SCOPE) + objectType + ":" + objectScope + "/" + objectKey;
  }

  private static final String NODE_SCOPE = "node:";

  /** Whether {@code b} is a fetch that names its node, not its instance ({@link #nodeScope}). */
  public static boolean fetchOnNode(EntityBinding b) {
    BindingKind kind = BindingKind.of(b.getKind());
    return kind != null && kind.imdsFetch() && b.getSubject().getScope().startsWith(NODE_SCOPE);
  }

  /**
   * The node at which a fetch without its instance meets the node's {@code node_instance} statements: {@code
   * <cluster>|<first DNS label, lower case>} (Tetragon names the Kubernetes node, Falco its host name, either full or
   * short; the cluster keeps two clusters' nodes of one private range apart); null for anything else.
   */
  public static String node(EntityBinding b) {
    if (fetchOnNode(b)) {
      String cluster = b.getAttributes().get(Attr.CLUSTER); // the evidence's cluster (a plain container's too)
      return nodeKey(cluster == null ? "" : cluster, b.getSubject().getKey());
    }
    if (BindingKind.NODE_INSTANCE.id().equals(b.getKind()) && !BindingExtractor.isClosing(b)
        && b.getSubject().getScope().startsWith("k8s:")) {
      return nodeKey(b.getSubject().getScope().substring(4), b.getSubject().getKey());
    }
    return null;
  }

  private static String nodeKey(String cluster, String node) {
    String n = node.trim().toLowerCase(java.util.Locale.ROOT);
    int dot = n.indexOf('.');
    return cluster + "|" + (dot > 0 ? n.substring(0, dot) : n);
  }

  /**
   * The fetch {@code onNode} (a fetch naming its node, {@link #fetchOnNode}) restated on the node's instance, given
   * the node's {@code node_instance} statements: the instance the node had at the fetch (the latest statement from
   * before it; else the earliest after it: an audit log that starts after the node registered), or null when none is
   * known. Same interval, lineage and attributes (plus the instance), so it joins the instance's calls.
   */
  public static EntityBinding onInstance(BindingExtractor x, EntityBinding onNode, Collection<EntityBinding> nodes) {
    if (!fetchOnNode(onNode)) return null;
    long t = BindingExtractor.micros(onNode.getValidFrom());
    EntityBinding before = null;
    EntityBinding after = null;
    for (EntityBinding n : nodes) {
      if (!BindingKind.NODE_INSTANCE.id().equals(n.getKind()) || BindingExtractor.isClosing(n)) continue;
      long from = BindingExtractor.micros(n.getValidFrom());
      if (from <= t) {
        if (before == null || from > BindingExtractor.micros(before.getValidFrom())
            || (from == BindingExtractor.micros(before.getValidFrom())
                && n.getObject().getKey().compareTo(before.getObject().getKey()) < 0)) {
          before = n;
        }
      } else if (after == null || from < BindingExtractor.micros(after.getValidFrom())
          || (from == BindingExtractor.micros(after.getValidFrom())
              && n.getObject().getKey().compareTo(after.getObject().getKey()) < 0)) {
        after = n;
      }
    }
    EntityBinding n = before != null ? before : after;
    if (n == null) return null;
    String instance = n.getObject().getKey();
    Map<String, String> a = new LinkedHashMap<>(onNode.getAttributes());
    a.put(Attr.INSTANCE_UID, instance);
    BindingKind kind = BindingKind.of(onNode.getKind());
    return x.derived(kind, fetchScope(true, kind.objectType(), onNode.getObject().getScope(), onNode.getObject().getKey()),
        instance, onNode.getObject().getScope(), onNode.getObject().getKey(), a,
        t, onNode.getValidTo() == null ? null : BindingExtractor.micros(onNode.getValidTo()), onNode.getConfidence(),
        onNode);
  }

  /** The instance at which {@code b} joins: a fetch's instance, an instance role session's instance; else null. */
  public static String instance(EntityBinding b) {
    BindingKind kind = BindingKind.of(b.getKind());
    if (kind != null && kind.imdsFetch()) return fetchOnNode(b) ? null : b.getSubject().getKey();
    if (kind == BindingKind.SESSION_INSTANCE && !BindingExtractor.isClosing(b)) return b.getObject().getKey();
    return null;
  }

  /** Whether {@code call} (a {@code session_instance} statement) came from outside: a public address, no endpoint. */
  public static boolean fromOutside(EntityBinding call) {
    return fromOutside(call, KnownCidrs.NONE);
  }

  /**
   * {@link #fromOutside(EntityBinding)}, and the address is not in the organisation's own ranges ({@code
   * incident.known_cidrs}: its NAT, its VPN; a call from there is inside, whoever made it).
   */
  public static boolean fromOutside(EntityBinding call, KnownCidrs known) {
    String ip = call.getAttributes().get(SOURCE_IP);
    return ip != null && LookupKeys.isIpLiteral(ip) && !LookupKeys.isPrivateIp(ip) && call.getAttributes().get(VPC_ENDPOINT) == null
        && !known.contains(ip);
  }

  /**
   * Whether an IMDS address ({@link #IMDS_ADDRESSES}; IPv6 in any spelling, brackets or not) is {@code ip}, or the
   * server end of a connection as Falco prints {@code %fd.name} ({@code client:port->server:port}).
   */
  public static boolean imdsAddress(String ip) {
    if (ip == null || ip.isEmpty()) return false;
    String s = ip.trim();
    int arrow = s.indexOf("->");
    if (arrow >= 0) {
      s = s.substring(arrow + 2);
      // strip the port: IPv4 a.b.c.d:80, IPv6 [x::y]:80
      if (s.startsWith("[")) {
        int close = s.indexOf(']');
        s = close < 0 ? s : s.substring(1, close);
      } else {
        int colon = s.lastIndexOf(':');
        if (colon > 0 && s.indexOf(':') == colon) s = s.substring(0, colon);
      }
    }
    if (s.startsWith("[") && s.endsWith("]")) s = s.substring(1, s.length() - 1);
    if (IMDS_ADDRESSES.contains(s)) return true;
    if (s.indexOf(':') < 0 || !LookupKeys.isIpLiteral(s)) return false;
    try {
      return java.net.InetAddress.getByName(s).equals(java.net.InetAddress.getByName("fd00:ec2::254"));
    } catch (Exception e) {
      return false;
    }
  }

  /** The key the calls of {@code sessionArn} from {@code ip} ask: {@code session|from:<ip>|<session ARN>}. */
  public static String outsideKey(String sessionArn, String ip) {
    return LookupKeys.key("session", "from:" + ip, sessionArn);
  }

  /** A pod's union of fetch windows and its statements. */
  private static final class Pod {
    final String scope;
    final String key;
    final List<EntityBinding> fetches = new ArrayList<>();

    Pod(String scope, String key) {
      this.scope = scope;
      this.key = key;
    }

    /** The latest fetch in force at {@code t}, or null. */
    EntityBinding inForce(long t) {
      return inForce(t, false);
    }

    /** The latest fetch in force at {@code t} (only reads, not connections, when {@code readsOnly}), or null. */
    EntityBinding inForce(long t, boolean readsOnly) {
      EntityBinding best = null;
      for (EntityBinding f : fetches) {
        if (readsOnly && byConnection(f)) continue;
        long from = BindingExtractor.micros(f.getValidFrom());
        if (from <= t && t < end(f) && (best == null || from > BindingExtractor.micros(best.getValidFrom()))) best = f;
      }
      return best;
    }
  }

  /** Whether a fetch statement is a connection to IMDS only ({@link #BY_CONNECTION}), not a read seen. */
  public static boolean byConnection(EntityBinding f) {
    return BY_CONNECTION.equals(f.getAttributes().get(FETCH_BASIS));
  }

  /**
   * The candidates at {@code t}: the pods whose read was in force, or, when no pod's read was, the pods whose
   * connection to IMDS was: a read seen (a command line, a log line naming the credentials path) outweighs a bare
   * connection, so a DaemonSet's routine IMDS traffic does not make a shell's read ambiguous.
   */
  private static List<Pod> candidates(Map<String, Pod> pods, long t) {
    List<Pod> reads = new ArrayList<>();
    List<Pod> any = new ArrayList<>();
    for (Pod p : pods.values()) {
      if (p.inForce(t, true) != null) reads.add(p);
      if (p.inForce(t, false) != null) any.add(p);
    }
    return reads.isEmpty() ? any : reads;
  }

  private static long end(EntityBinding f) {
    return f.getValidTo() == null ? Long.MAX_VALUE : BindingExtractor.micros(f.getValidTo());
  }

  /**
   * The {@code session_imds_pod} statements a call ({@code session_instance} with its address) gets, given the
   * instance's fetches and its role sessions' other calls ({@code members}); empty when the call is not from outside,
   * its address is the node's own, or no pod's fetch was in force (see the class doc).
   */
  public static List<EntityBinding> decide(BindingExtractor x, EntityBinding call, Collection<EntityBinding> members) {
    return decide(x, call, members, KnownCidrs.NONE);
  }

  /**
   * {@link #decide(BindingExtractor, EntityBinding, Collection)}; a call from the organisation's own ranges ({@code
   * known}: {@code incident.known_cidrs}) is inside and gets nothing.
   */
  public static List<EntityBinding> decide(BindingExtractor x, EntityBinding call, Collection<EntityBinding> members,
      KnownCidrs known) {
    if (BindingKind.of(call.getKind()) != BindingKind.SESSION_INSTANCE || !fromOutside(call, known)) return List.of();
    String session = call.getSubject().getKey();
    String instance = call.getObject().getKey();
    String ip = call.getAttributes().get(SOURCE_IP);
    String role = roleName(session);
    long t = BindingExtractor.micros(call.getValidFrom());
    Map<String, Pod> pods = new TreeMap<>();
    List<EntityBinding> calls = new ArrayList<>();
    for (EntityBinding b : members) {
      if (!instance.equals(instance(b))) continue;
      if (BindingKind.of(b.getKind()) == BindingKind.SESSION_INSTANCE) {
        calls.add(b);
        continue;
      }
      String fetchedRole = b.getAttributes().get(ROLE_NAME);
      if (fetchedRole != null && role != null && !fetchedRole.equals(role)) continue; // another role's credentials
      pods.computeIfAbsent(b.getKind() + "|" + b.getObject().getScope() + "|" + b.getObject().getKey(),
          k -> new Pod(b.getObject().getScope(), b.getObject().getKey())).fetches.add(b);
    }
    // the node's own address: used by the instance's sessions while no pod held fetched credentials
    for (EntityBinding c : calls) {
      if (!ip.equals(c.getAttributes().get(SOURCE_IP))) continue;
      long ct = BindingExtractor.micros(c.getValidFrom());
      boolean held = false;
      for (Pod p : pods.values()) held |= p.inForce(ct) != null;
      if (!held) return List.of();
    }
    List<Pod> inForce = candidates(pods, t);
    if (inForce.isEmpty()) return List.of();
    boolean reads = false;
    for (Pod p : inForce) reads |= p.inForce(t, true) != null;
    // the interval around t in which the same pods (and only they) held fetched credentials
    long from = Long.MIN_VALUE;
    long to = Long.MAX_VALUE;
    for (Pod p : pods.values()) {
      for (EntityBinding f : p.fetches) {
        long s = BindingExtractor.micros(f.getValidFrom());
        long e = end(f);
        for (long edge : new long[] {s, e}) {
          if (edge <= t && edge > from) from = edge;
          if (edge > t && edge < to) to = edge;
        }
      }
    }
    // an edge inside the interval that changes nothing (a pod's fetch renewed while it held credentials, a connection
    // while a read outweighs it) is no edge: widen while the candidates are the same just outside
    from = widen(pods, inForce, reads, from, -1);
    to = widen(pods, inForce, reads, to, +1);
    TreeSet<String> names = new TreeSet<>();
    for (Pod p : inForce) names.add(p.key);
    List<EntityBinding> out = new ArrayList<>(inForce.size());
    boolean one = inForce.size() == 1;
    for (Pod p : inForce) {
      EntityBinding basis = p.inForce(t, reads);
      Map<String, String> a = new LinkedHashMap<>();
      for (String k : List.of(Attr.CLUSTER, Attr.NAMESPACE, Attr.POD_NAME, Attr.POD_UID, Attr.NODE_NAME,
          Attr.CONTAINER_UID, Attr.CONTAINER_NAME)) {
        String v = basis.getAttributes().get(k);
        if (v != null) a.put(k, v);
      }
      a.put(SOURCE_IP, ip);
      a.put(BASIS, one ? "one_pod_fetched" : "several_pods_fetched");
      a.put(CANDIDATES, String.join(" ", names)); // pods ns/name, plain containers by id
      a.put(FETCH_EVENT, basis.getLineage().getEventId());
      for (String k : List.of(ROLE_NAME, FETCH_BASIS, IMDS_VERSION)) {
        String v = basis.getAttributes().get(k);
        if (v != null) a.put(k, v);
      }
      // a candidate's subject names it: a subject's facts hold one answer at a time (BindingFacts), every candidate
      // must stay a fact of its own
      BindingKind kind = BindingKind.of(basis.getKind()) == BindingKind.IMDS_FETCH_CONTAINER
          ? BindingKind.SESSION_IMDS_CONTAINER : BindingKind.SESSION_IMDS_POD;
      out.add(x.derived(kind, one ? "from:" + ip : "ambiguous:" + ip + ":" + p.key, session,
          p.scope, p.key, a,
          from, to == Long.MAX_VALUE ? null : to,
          reads ? (one ? ONE_POD : SEVERAL_PODS) : (one ? ONE_POD_CONNECTED : SEVERAL_PODS_CONNECTED), basis));
    }
    return out;
  }

  /** Moves an interval edge past edges at which the candidates stay {@code same} (by a read or not, {@code reads}). */
  private static long widen(Map<String, Pod> pods, List<Pod> same, boolean reads, long edge, int dir) {
    for (int guard = 0; guard < 10_000; guard++) {
      if (edge == Long.MIN_VALUE || edge == Long.MAX_VALUE) return edge;
      long probe = dir < 0 ? edge - 1 : edge;
      List<Pod> there = candidates(pods, probe);
      if (!there.equals(same) || readsOnly(there, probe) != reads) return edge;
      long next = dir < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
      for (Pod p : pods.values()) {
        for (EntityBinding f : p.fetches) {
          for (long e : new long[] {BindingExtractor.micros(f.getValidFrom()), end(f)}) {
            if (dir < 0 ? e < edge && e > next : e > edge && e < next) next = e;
          }
        }
      }
      edge = next;
    }
    return edge;
  }

  /** Whether the candidates {@code ps} hold a read at {@code t} (not connections only). */
  private static boolean readsOnly(List<Pod> ps, long t) {
    for (Pod p : ps) if (p.inForce(t, true) != null) return true;
    return false;
  }

  /** The role name of an assumed-role session ARN ({@code .../assumed-role/<role>/<session>}), or null. */
  static String roleName(String sessionArn) {
    int r = sessionArn.indexOf(":assumed-role/");
    int slash = sessionArn.lastIndexOf('/');
    return r < 0 || slash <= r + 14 ? null : sessionArn.substring(r + 14, slash);
  }

}
