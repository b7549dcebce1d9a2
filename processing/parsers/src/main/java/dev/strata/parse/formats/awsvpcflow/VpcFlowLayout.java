package dev.strata.parse.formats.awsvpcflow;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The field list of a VPC (or Transit Gateway) Flow Logs record: the default version 2 format, or a custom format as
 * named by the header line the S3 delivery writes first ({@code version account-id interface-id ...}) or by the
 * flow log's LogFormat ({@code ${version} ${account-id} ...}). Parsed once per distinct header and shared (immutable).
 *
 * <p>Field names of VPC Flow Logs versions 2-8 and Transit Gateway Flow Logs (version 6) are known and mapped by code;
 * any other name (a field AWS adds later) is kept: its values go to unmapped under the name.
 */
final class VpcFlowLayout {

  // ---- field codes (index into NAMES) ----------------------------------------------------------------------------
  static final int UNKNOWN = -1;
  static final int VERSION = 0;
  static final int ACCOUNT_ID = 1;
  static final int INTERFACE_ID = 2;
  static final int SRCADDR = 3;
  static final int DSTADDR = 4;
  static final int SRCPORT = 5;
  static final int DSTPORT = 6;
  static final int PROTOCOL = 7;
  static final int PACKETS = 8;
  static final int BYTES = 9;
  static final int START = 10;
  static final int END = 11;
  static final int ACTION = 12;
  static final int LOG_STATUS = 13;
  // v3
  static final int VPC_ID = 14;
  static final int SUBNET_ID = 15;
  static final int INSTANCE_ID = 16;
  static final int TCP_FLAGS = 17;
  static final int TYPE = 18;
  static final int PKT_SRCADDR = 19;
  static final int PKT_DSTADDR = 20;
  // v4
  static final int REGION = 21;
  static final int AZ_ID = 22;
  static final int SUBLOCATION_TYPE = 23;
  static final int SUBLOCATION_ID = 24;
  // v5
  static final int PKT_SRC_AWS_SERVICE = 25;
  static final int PKT_DST_AWS_SERVICE = 26;
  static final int FLOW_DIRECTION = 27;
  static final int TRAFFIC_PATH = 28;
  // v7
  static final int ECS_CLUSTER_ARN = 29;
  static final int ECS_CLUSTER_NAME = 30;
  static final int ECS_CONTAINER_INSTANCE_ARN = 31;
  static final int ECS_CONTAINER_INSTANCE_ID = 32;
  static final int ECS_CONTAINER_ID = 33;
  static final int ECS_SECOND_CONTAINER_ID = 34;
  static final int ECS_SERVICE_NAME = 35;
  static final int ECS_TASK_DEFINITION_ARN = 36;
  static final int ECS_TASK_ARN = 37;
  static final int ECS_TASK_ID = 38;
  // v8
  static final int REJECT_REASON = 39;
  // Transit Gateway flow logs (v6)
  static final int RESOURCE_TYPE = 40;
  static final int TGW_ID = 41;
  static final int TGW_ATTACHMENT_ID = 42;
  static final int TGW_SRC_VPC_ACCOUNT_ID = 43;
  static final int TGW_DST_VPC_ACCOUNT_ID = 44;
  static final int TGW_SRC_VPC_ID = 45;
  static final int TGW_DST_VPC_ID = 46;
  static final int TGW_SRC_SUBNET_ID = 47;
  static final int TGW_DST_SUBNET_ID = 48;
  static final int TGW_SRC_ENI = 49;
  static final int TGW_DST_ENI = 50;
  static final int TGW_SRC_AZ_ID = 51;
  static final int TGW_DST_AZ_ID = 52;
  static final int TGW_PAIR_ATTACHMENT_ID = 53;
  static final int PACKETS_LOST_NO_ROUTE = 54;
  static final int PACKETS_LOST_BLACKHOLE = 55;
  static final int PACKETS_LOST_MTU_EXCEEDED = 56;
  static final int PACKETS_LOST_TTL_EXPIRED = 57;

  /** Known field names, by code. */
  static final String[] NAMES = {
    "version", "account-id", "interface-id", "srcaddr", "dstaddr", "srcport", "dstport", "protocol", "packets",
    "bytes", "start", "end", "action", "log-status",
    "vpc-id", "subnet-id", "instance-id", "tcp-flags", "type", "pkt-srcaddr", "pkt-dstaddr",
    "region", "az-id", "sublocation-type", "sublocation-id",
    "pkt-src-aws-service", "pkt-dst-aws-service", "flow-direction", "traffic-path",
    "ecs-cluster-arn", "ecs-cluster-name", "ecs-container-instance-arn", "ecs-container-instance-id",
    "ecs-container-id", "ecs-second-container-id", "ecs-service-name", "ecs-task-definition-arn", "ecs-task-arn",
    "ecs-task-id",
    "reject-reason",
    "resource-type", "tgw-id", "tgw-attachment-id", "tgw-src-vpc-account-id", "tgw-dst-vpc-account-id",
    "tgw-src-vpc-id", "tgw-dst-vpc-id", "tgw-src-subnet-id", "tgw-dst-subnet-id", "tgw-src-eni", "tgw-dst-eni",
    "tgw-src-az-id", "tgw-dst-az-id", "tgw-pair-attachment-id", "packets-lost-no-route", "packets-lost-blackhole",
    "packets-lost-mtu-exceeded", "packets-lost-ttl-expired"
  };

  private static final Map<String, Integer> CODES = new HashMap<>();

  static {
    for (int i = 0; i < NAMES.length; i++) CODES.put(NAMES[i], i);
  }

  /** The default format (version 2), which has no header when delivered to CloudWatch Logs. */
  static final String DEFAULT_HEADER =
      "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action "
          + "log-status";

  static final VpcFlowLayout DEFAULT = parse(DEFAULT_HEADER);

  private static final int CACHE_MAX = 1024;
  private static final Map<String, VpcFlowLayout> CACHE = new ConcurrentHashMap<>();

  /** Header text as normalized (names separated by one space). */
  final String header;
  /** Field names, in record order. */
  final String[] names;
  /** Field codes, in record order ({@link #UNKNOWN} for a name this parser does not know). */
  final int[] codes;

  private VpcFlowLayout(String header, String[] names, int[] codes) {
    this.header = header;
    this.names = names;
    this.codes = codes;
  }

  int size() {
    return codes.length;
  }

  static int code(String name) {
    Integer c = CODES.get(name);
    return c == null ? UNKNOWN : c;
  }

  /**
   * The layout of a header (a field list, plain or in LogFormat {@code ${name}} syntax, separated by blanks), from
   * a shared cache; null if the text names no field.
   */
  static VpcFlowLayout of(String header) {
    if (header == null) return null;
    VpcFlowLayout l = CACHE.get(header);
    if (l != null) return l;
    l = parse(header);
    if (l == null) return null;
    if (CACHE.size() >= CACHE_MAX) CACHE.clear();
    CACHE.put(header, l);
    return l;
  }

  private static VpcFlowLayout parse(String header) {
    List<String> names = new ArrayList<>();
    for (String t : header.trim().split("[\\s]+")) {
      String n = t;
      if (n.startsWith("${") && n.endsWith("}")) n = n.substring(2, n.length() - 1);
      n = n.toLowerCase(Locale.ROOT);
      if (!n.isEmpty()) names.add(n);
    }
    if (names.isEmpty()) return null;
    String[] arr = names.toArray(new String[0]);
    int[] codes = new int[arr.length];
    for (int i = 0; i < arr.length; i++) codes[i] = code(arr[i]);
    return new VpcFlowLayout(String.join(" ", arr), arr, codes);
  }

  /**
   * True if bytes [s, e) are a header line: blank-separated tokens that all look like field names (lower case
   * letters, digits, '-', optionally in {@code ${...}}), the first a known field, and at least half of them known.
   * Record values never look like that (numbers, addresses, ids, upper-case ACCEPT/OK/IPv4, '-').
   */
  static boolean isHeader(byte[] b, int s, int e) {
    int f = s;
    while (f < e && (b[f] == ' ' || b[f] == '\t')) f++;
    if (f >= e || !((b[f] >= 'a' && b[f] <= 'z') || b[f] == '$')) return false; // records start with a value
    int tokens = 0;
    int known = 0;
    int i = s;
    while (i < e) {
      while (i < e && (b[i] == ' ' || b[i] == '\t')) i++;
      if (i >= e) break;
      int ts = i;
      while (i < e && b[i] != ' ' && b[i] != '\t') i++;
      int a = ts;
      int z = i;
      if (z - a > 3 && b[a] == '$' && b[a + 1] == '{' && b[z - 1] == '}') {
        a += 2;
        z--;
      }
      if (z - a > 40 || z <= a) return false;
      byte c0 = b[a];
      if (c0 < 'a' || c0 > 'z') return false;
      for (int k = a; k < z; k++) {
        byte c = b[k];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
      }
      boolean isKnown = CODES.containsKey(new String(b, a, z - a, java.nio.charset.StandardCharsets.US_ASCII));
      if (tokens == 0 && !isKnown) return false;
      tokens++;
      if (isKnown) known++;
    }
    return tokens > 0 && known * 2 >= tokens;
  }

  // ---- protocol names ----------------------------------------------------------------------------------------

  /** IANA Assigned Internet Protocol Numbers keywords, lower case, by number (null: unassigned / "any ..."). */
  private static final String[] PROTOCOLS = new String[256];

  /** Decimal text of 0..255, shared. */
  private static final String[] NUMBERS = new String[256];

  static {
    String[] p = {
      "hopopt", "icmp", "igmp", "ggp", "ipv4", "st", "tcp", "cbt", "egp", "igp", "bbn-rcc-mon", "nvp-ii", "pup",
      "argus", "emcon", "xnet", "chaos", "udp", "mux", "dcn-meas", "hmp", "prm", "xns-idp", "trunk-1", "trunk-2",
      "leaf-1", "leaf-2", "rdp", "irtp", "iso-tp4", "netblt", "mfe-nsp", "merit-inp", "dccp", "3pc", "idpr", "xtp",
      "ddp", "idpr-cmtp", "tp++", "il", "ipv6", "sdrp", "ipv6-route", "ipv6-frag", "idrp", "rsvp", "gre", "dsr",
      "bna", "esp", "ah", "i-nlsp", "swipe", "narp", "min-ipv4", "tlsp", "skip", "ipv6-icmp", "ipv6-nonxt",
      "ipv6-opts", null, "cftp", null, "sat-expak", "kryptolan", "rvd", "ippc", null, "sat-mon", "visa", "ipcv",
      "cpnx", "cphb", "wsn", "pvp", "br-sat-mon", "sun-nd", "wb-mon", "wb-expak", "iso-ip", "vmtp", "secure-vmtp",
      "vines", "iptm", "nsfnet-igp", "dgp", "tcf", "eigrp", "ospfigp", "sprite-rpc", "larp", "mtp", "ax.25",
      "ipip", "micp", "scc-sp", "etherip", "encap", null, "gmtp", "ifmp", "pnni", "pim", "aris", "scps", "qnx",
      "a/n", "ipcomp", "snp", "compaq-peer", "ipx-in-ip", "vrrp", "pgm", null, "l2tp", "ddx", "iatp", "stp", "srp",
      "uti", "smp", "sm", "ptp", "isis", "fire", "crtp", "crudp", "sscopmce", "iplt", "sps", "pipe", "sctp", "fc",
      "rsvp-e2e-ignore", "mobility-header", "udplite", "mpls-in-ip", "manet", "hip", "shim6", "wesp", "rohc",
      "ethernet", "aggfrag", "nsh"
    };
    System.arraycopy(p, 0, PROTOCOLS, 0, p.length);
    for (int i = 0; i < 256; i++) NUMBERS[i] = Integer.toString(i).intern();
  }

  /** IANA keyword of a protocol number, or null. */
  static String protocolName(int number) {
    return number >= 0 && number < 256 ? PROTOCOLS[number] : null;
  }

  static String number(int n) {
    return n >= 0 && n < 256 ? NUMBERS[n] : Integer.toString(n);
  }
}
