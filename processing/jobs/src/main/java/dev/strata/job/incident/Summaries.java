package dev.strata.job.incident;

import dev.strata.schema.event.Actor;
import dev.strata.schema.event.Api;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.event.Resource;
import java.util.Map;

/**
 * One line per event for timelines. Built from the event's fields, which are evidence (hostile): the line is cut to
 * {@value #MAX} characters and control characters are replaced; renderers still escape it.
 */
public final class Summaries {
  public static final int MAX = 300;

  private Summaries() {}

  public static String of(EvidenceEvent e) {
    String f = e.getSourceFormat() == null ? "" : e.getSourceFormat();
    String s;
    if ("k8s_audit".equals(f)) {
      s = audit(e);
    } else if ("aws_cloudtrail".equals(f) || (e.getApi() != null && e.getCloud() != null && e.getClassUid() == 6003)) {
      s = cloud(e);
    } else if (e.getFinding() != null) {
      s = "[" + nz(e.getFinding().getPriority(), e.getSeverity()) + "] " + nz(e.getFinding().getTitle(), e.getFinding().getRule())
          + (e.getMessage() == null ? "" : ": " + e.getMessage());
    } else if (e.getProcess() != null && e.getProcess().getCmdLine() != null) {
      s = nz(e.getActivityName(), e.getClassName()) + " " + e.getProcess().getCmdLine();
    } else if (e.getUnmapped() != null && e.getUnmapped().containsKey("pkg_script.command")) {
      // a dependency's install-time script (the command line npm prints after the script's banner): say whose
      Map<String, String> u = e.getUnmapped();
      s = u.get("pkg_script.manager") + " " + u.get("pkg_script.script") + " of " + u.get("pkg_script.package")
          + (u.containsKey("pkg_script.version") ? "@" + u.get("pkg_script.version") : "") + ": "
          + u.get("pkg_script.command");
    } else if (e.getMessage() != null) {
      s = e.getMessage() + dockerClient(e);
    } else if (e.getClassUid() == 4001 && e.getSrcEndpoint() != null && e.getDstEndpoint() != null) {
      s = flow(e);
    } else {
      s = e.getClassName() + (e.getActivityName() == null ? "" : " " + e.getActivityName());
    }
    return clean(s);
  }

  /**
   * A Docker API request's client, when the correlation job found it (the container that connected to the host's
   * Docker socket just before: enrichment.container_uid of a request that names no container of its own).
   */
  private static String dockerClient(EvidenceEvent e) {
    if (!dev.strata.correlate.LookupKeys.dockerCreateRequest(e) || e.getEnrichment() == null
        || e.getEnrichment().getContainerUid() == null) {
      return "";
    }
    String id = e.getEnrichment().getContainerUid();
    String name = e.getEnrichment().getContainerName();
    return " -- by container " + (id.length() > 12 ? id.substring(0, 12) : id) + (name == null ? "" : " " + name)
        + " (its docker.sock client)";
  }

  /**
   * A flow record (VPC Flow Logs): "198.51.100.23:51240 -> 10.72.14.203:10250 tcp Inbound Allowed, 22 packets, 6311
   * bytes", the packet's own source when it differs (behind a NAT or load balancer). It was "Network Activity Traffic":
   * the kubelet scenario's entry row said nothing of the connection.
   */
  private static String flow(EvidenceEvent e) {
    StringBuilder b = new StringBuilder();
    var n = e.getNetwork();
    b.append(endpoint(e.getSrcEndpoint().getIp(), e.getSrcEndpoint().getPort())).append(" -> ")
        .append(endpoint(e.getDstEndpoint().getIp(), e.getDstEndpoint().getPort()));
    if (n != null) {
      if (n.getProtocol() != null) b.append(' ').append(n.getProtocol());
      if (n.getDirection() != null) b.append(' ').append(n.getDirection());
      if (n.getAction() != null) b.append(' ').append(n.getAction());
      if (n.getPktSrcIp() != null && !n.getPktSrcIp().equals(e.getSrcEndpoint().getIp())) {
        b.append(" (packets from ").append(n.getPktSrcIp()).append(')');
      }
      if (n.getPackets() != null) b.append(", ").append(n.getPackets()).append(" packets");
      if (n.getBytes() != null) b.append(", ").append(n.getBytes()).append(" bytes");
    }
    return b.toString();
  }

  private static String endpoint(String ip, Integer port) {
    String host = ip == null ? "?" : ip.contains(":") ? "[" + ip + "]" : ip;
    return port == null ? host : host + ":" + port;
  }

  private static String audit(EvidenceEvent e) {
    StringBuilder b = new StringBuilder();
    Actor a = e.getActor();
    b.append(a == null || a.getUserName() == null ? "?" : a.getUserName());
    if (a != null && a.getImpersonatedUser() != null) {
      // Impersonate-User: the request was authorized as this identity, not as the requester (KubectlDebugScenarioIT:
      // a row read "fleet-operator list secrets" where the operator acted as system:admin in system:masters)
      b.append(" as ").append(a.getImpersonatedUser());
      String groups = e.getUnmapped() == null ? null : e.getUnmapped().get("impersonatedUser.groups");
      if (groups != null && groups.contains("system:masters")) b.append(" (system:masters)");
    }
    Api api = e.getApi();
    b.append(' ').append(api == null || api.getOperation() == null ? "?" : api.getOperation());
    if (e.getResources() != null && !e.getResources().isEmpty()) {
      Resource r = e.getResources().get(0);
      b.append(' ').append(nz(r.getType(), "?"));
      if (r.getSubresource() != null) b.append('/').append(r.getSubresource());
      if (r.getName() != null || r.getNamespace() != null) {
        b.append(' ');
        if (r.getNamespace() != null) b.append(r.getNamespace()).append('/');
        if (r.getName() != null) b.append(r.getName());
      }
    }
    if (e.getProcess() != null && e.getProcess().getCmdLine() != null) {
      b.append(" command=").append(e.getProcess().getCmdLine());
    }
    if (api != null && api.getResponseCode() != null) b.append(" -> ").append(api.getResponseCode());
    return b.toString();
  }

  private static String cloud(EvidenceEvent e) {
    StringBuilder b = new StringBuilder();
    Actor a = e.getActor();
    String who = a == null ? null : a.getUserUid() != null ? a.getUserUid() : a.getUserName();
    if (who != null && who.startsWith("arn:")) {
      int slash = who.indexOf(':', 4);
      int res = who.lastIndexOf(':');
      who = res > slash ? who.substring(res + 1) : who;
    }
    b.append(who == null ? "?" : who);
    Api api = e.getApi();
    if (api != null) {
      String svc = api.getService() == null ? "" : api.getService().replace(".amazonaws.com", "") + ":";
      b.append(' ').append(svc).append(nz(api.getOperation(), "?"));
    }
    if (e.getResources() != null) {
      for (Resource r : e.getResources()) {
        String id = r.getUid() != null ? r.getUid() : r.getName();
        if (id != null) {
          b.append(' ').append(id);
          break;
        }
      }
    }
    if (e.getSrcEndpoint() != null && e.getSrcEndpoint().getIp() != null) {
      b.append(" from ").append(e.getSrcEndpoint().getIp());
    }
    if (api != null && api.getResponseError() != null) b.append(" -> ").append(api.getResponseError());
    b.append(imdsFetcher(e));
    return b.toString();
  }

  /**
   * The pod that fetched an instance role's credentials from IMDS before this call of the role's session from
   * outside (the correlation job's session_imds_pod: the only way an instance session's call gets a pod).
   */
  private static String imdsFetcher(EvidenceEvent e) {
    Actor a = e.getActor();
    String uid = a == null ? null : a.getUserUid();
    if (uid == null || !uid.contains(":assumed-role/") || !uid.substring(uid.lastIndexOf('/') + 1).startsWith("i-")
        || e.getEnrichment() == null) {
      return "";
    }
    var en = e.getEnrichment();
    if (en.getPodName() != null) {
      return " -- credentials fetched from IMDS by pod " + (en.getNamespace() == null ? "" : en.getNamespace() + "/")
          + en.getPodName();
    }
    if (en.getContainerUid() == null) return "";
    String id = en.getContainerUid();
    return " -- credentials fetched from IMDS by container " + (id.length() > 12 ? id.substring(0, 12) : id)
        + (en.getContainerName() == null ? "" : " " + en.getContainerName());
  }

  private static String nz(String a, String b) {
    return a != null ? a : b == null ? "" : b;
  }

  /** Control characters to spaces, trimmed, cut to {@link #MAX}. */
  public static String clean(String s) {
    if (s == null) return "";
    StringBuilder b = new StringBuilder(Math.min(s.length(), MAX));
    for (int i = 0; i < s.length() && b.length() < MAX; i++) {
      char c = s.charAt(i);
      b.append(Character.isISOControl(c) || c == '\u2028' || c == '\u2029' ? ' ' : c);
    }
    String t = b.toString().trim();
    return s.length() > MAX ? t + "…" : t;
  }
}
