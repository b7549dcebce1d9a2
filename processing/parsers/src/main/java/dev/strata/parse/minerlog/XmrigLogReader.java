package dev.strata.parse.minerlog;

import dev.strata.parse.IpLiterals;
import dev.strata.parse.LogMessageReader;
import dev.strata.parse.OcsfClass;
import dev.strata.schema.event.Endpoint;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.event.Network;
import java.util.Map;

/**
 * XMRig's (and its many renamed copies') pool connection line, the miner payload of most container compromises: when
 * a pool connection becomes active, xmrig {@code src/net/Network.cpp} {@code onActive} logs
 * {@code <net tag> use <mode> <host>:<port> <TLS version or empty> <address>}, after its log prefix
 * {@code [yyyy-mm-dd hh:mm:ss.mmm] } (base/io/log), e.g. {@code [2026-11-23 11:45:10.120]  net      use pool
 * pool.example:443 TLSv1.3 198.51.100.23}; colours (ANSI escapes, on unless {@code --no-color}) are skipped. Read
 * into the log line's event as OCSF 4001 Network Activity, 1 Open, direction Outbound: dst_endpoint domain (the pool
 * host as configured, when a name), ip (the address it resolved to) and port; unmapped {@code xmrig.mode} (pool,
 * daemon, self-select, ...), {@code xmrig.tls}, {@code xmrig.time} (the prefix's local time as written).
 */
public final class XmrigLogReader implements LogMessageReader {

  public static final XmrigLogReader INSTANCE = new XmrigLogReader();

  private XmrigLogReader() {}

  @Override
  public boolean read(String message, EvidenceEvent ev) {
    if (message.length() > 400) return false;
    int use = message.indexOf("use ");
    if (use < 0 || use > 200) return false;
    String m = message.indexOf('\u001b') >= 0 ? message.replaceAll("\u001b\\[[0-9;]*m", "") : message;
    String time = null;
    int p = 0;
    if (m.startsWith("[")) {
      int close = m.indexOf(']');
      if (close < 0 || close > 40) return false;
      time = m.substring(1, close);
      p = close + 1;
    }
    String[] t = m.substring(p).trim().split(" +");
    // net use <mode> <host>:<port> [<tls>] [<address>]
    if (t.length < 4 || t.length > 6 || !t[0].equals("net") || !t[1].equals("use")) return false;
    String mode = t[2];
    int colon = t[3].lastIndexOf(':');
    if (colon <= 0 || !mode.chars().allMatch(c -> (c >= 'a' && c <= 'z') || c == '-')) return false;
    String host = t[3].substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
    int port;
    try {
      port = Integer.parseInt(t[3].substring(colon + 1));
    } catch (NumberFormatException e) {
      return false;
    }
    if (port <= 0 || port > 65535) return false;
    String tls = null;
    String address = null;
    for (int i = 4; i < t.length; i++) {
      if (t[i].startsWith("TLS")) {
        tls = t[i];
      } else if (IpLiterals.isIp(t[i]) && i == t.length - 1) {
        address = t[i];
      } else {
        return false;
      }
    }
    boolean hostIsIp = IpLiterals.isIp(host);
    if (!hostIsIp && !name(host)) return false;
    Endpoint dst = new Endpoint();
    dst.setPort(port);
    if (hostIsIp) {
      dst.setIp(host);
    } else {
      dst.setDomain(host);
      dst.setIp(address);
    }
    ev.setClassUid(OcsfClass.NETWORK_ACTIVITY.uid);
    ev.setClassName(OcsfClass.NETWORK_ACTIVITY.className);
    ev.setCategoryUid(OcsfClass.NETWORK_ACTIVITY.categoryUid);
    ev.setCategoryName(OcsfClass.NETWORK_ACTIVITY.categoryName);
    ev.setActivityId(1);
    ev.setActivityName("Open");
    ev.setTypeUid(OcsfClass.NETWORK_ACTIVITY.typeUid(1));
    ev.setDstEndpoint(dst);
    Network n = new Network();
    n.setDirection("Outbound");
    ev.setNetwork(n);
    Map<String, String> u = ev.getUnmapped();
    u.put("xmrig.mode", mode);
    if (tls != null) u.put("xmrig.tls", tls);
    if (time != null) u.put("xmrig.time", time);
    return true;
  }

  private static boolean name(String h) {
    if (h.isEmpty() || h.length() > 253 || h.indexOf('.') < 0) return false;
    for (int i = 0; i < h.length(); i++) {
      char c = h.charAt(i);
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
          || c == '_')) {
        return false;
      }
    }
    return true;
  }
}
