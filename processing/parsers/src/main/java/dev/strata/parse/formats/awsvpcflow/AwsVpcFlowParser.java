package dev.strata.parse.formats.awsvpcflow;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.parse.ByteStrings;
import dev.strata.parse.Bytes;
import dev.strata.parse.ChunkContext;
import dev.strata.parse.EcsNames;
import dev.strata.parse.EvidenceParser;
import dev.strata.parse.Events;
import dev.strata.parse.Json;
import dev.strata.parse.OcsfClass;
import dev.strata.parse.ParseException;
import dev.strata.parse.ParseOutput;
import dev.strata.parse.RejectReason;
import dev.strata.schema.event.Cloud;
import dev.strata.schema.event.Container;
import dev.strata.schema.event.Ecs;
import dev.strata.schema.event.Endpoint;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.event.Network;
import dev.strata.schema.raw.RawArtifactChunk;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * AWS VPC Flow Logs (versions 2-8) and Transit Gateway Flow Logs, plain text as AWS delivers them, to OCSF 4001
 * Network Activity (activity 6 Traffic).
 *
 * <p>Forms:
 *
 * <ul>
 *   <li>S3 delivery ({@code AWSLogs/<account>/vpcflowlogs/<region>/...log[.gz]}): a header line naming the fields
 *       (default or custom format), then one record per line, fields separated by a space, {@code -} for a value that
 *       does not apply. The field layout is the chunk's {@code format_header} (the collector copies the header line
 *       onto every chunk of the artifact) when present, else the default version 2 format; a header line met in the
 *       payload switches the layout from there on (and is not a record).
 *   <li>CloudWatch Logs export to S3: {@code <ISO-8601 timestamp> <record>} lines (a 13-digit epoch-millis
 *       timestamp before the record is recognized too when the field count says so); the timestamp goes to
 *       unmapped {@code cloudwatch.timestamp}.
 *   <li>CloudWatch Logs JSON: a log event per line ({@code {"timestamp":..,"message":"<record>",...}}),
 *       {@code aws logs get-log-events / filter-log-events} output ({@code {"events":[...]}}), and subscription
 *       filter payloads ({@code {"messageType":"DATA_MESSAGE","logGroup":..,"logEvents":[...]}}; CONTROL_MESSAGE
 *       gives nothing). The record is the {@code message}; wrapper fields go to unmapped {@code cloudwatch.*}.
 * </ul>
 *
 * <p>Mapping: time = start_time = {@code start} (epoch seconds; time_original keeps the text), end_time = {@code end};
 * src/dst endpoint ip/port; src_endpoint.interface_uid = cloud.eni_uid = {@code interface-id}, src_endpoint.vpc_uid =
 * cloud.vpc_uid = {@code vpc-id}; cloud.account_uid, region, availability_zone ({@code az-id}), subnet_uid,
 * instance_uid; network.protocol = IANA keyword of {@code protocol} (the number in unmapped {@code protocol}),
 * direction ({@code flow-direction} ingress/egress: Inbound/Outbound), action (ACCEPT/REJECT: Allowed/Denied;
 * v8's {@code reject-reason}, e.g. BPA, also as status_detail),
 * bytes, packets, tcp_flags, traffic_path, log_status, pkt_src_ip/pkt_dst_ip; ECS: cloud.task_uid =
 * {@code ecs-task-arn}, cloud.cluster_uid = {@code ecs-cluster-arn} (else {@code ecs-cluster-name}), container.uid =
 * {@code ecs-container-id} when the task has one container (no {@code ecs-second-container-id}: AWS then names the
 * task's first two containers, which share the task's interface, so the flow is the task's, not one container's;
 * both ids stay in unmapped); Transit Gateway: endpoints' vpc_uid and interface_uid from {@code tgw-src/dst-vpc-id}
 * and {@code tgw-src/dst-eni}. Every other field (and any field this parser does not know) is kept in unmapped
 * under its AWS name. NODATA / SKIPDATA records are events (log_status, no addresses), not dead letters.
 *
 * <p>Rejections: a record whose field count differs from the layout's, or without start: malformed_record; a
 * record cut by the collector: record_too_large; JSON that is not a CloudWatch log event: malformed_json /
 * missing_field. A bad number in another field is kept as text in unmapped, with a warning.
 *
 * <p>The text path is a byte scanner (no regex, no split): tokens are found in one pass, repeated values (ids,
 * addresses, statuses) are decoded once per chunk through a small cache.
 */
public final class AwsVpcFlowParser implements EvidenceParser {

  public static final String FORMAT = "aws_vpc_flow";
  private static final String FIRST_CONTAINER = "ecs-container-id";
  private static final String SECOND_CONTAINER = "ecs-second-container-id";

  static final int ACTIVITY_TRAFFIC = 6;

  @Override
  public String format() {
    return FORMAT;
  }

  @Override
  public void parse(RawArtifactChunk chunk, ParseOutput out) throws ParseException {
    ChunkContext ctx = ChunkContext.of(chunk);
    VpcFlowLayout layout = VpcFlowLayout.of(chunk.getFormatHeader());
    new Run(ctx, out, layout == null ? VpcFlowLayout.DEFAULT : layout).run();
  }

  /** Per thread, kept across chunks: flow records of one artifact and the next repeat the same ids. */
  private static final ThreadLocal<ByteStrings> STRINGS = ThreadLocal.withInitial(() -> new ByteStrings(1024));

  /** One chunk's parse. Not thread-safe. */
  static final class Run {
    private static final int MAX_TOKENS = 256;

    private final ChunkContext ctx;
    private final ParseOutput out;
    private final byte[] buf;
    private VpcFlowLayout layout;
    /** Repeated values (account, interface, VPC, subnet, status, window start) decoded once. */
    private final ByteStrings strings = STRINGS.get();
    /** Instants of recent epoch seconds (start and end repeat across records), by second modulo the size. */
    private final Instant[] seconds = new Instant[64];
    /** Token starts and ends of the record being read (the first MAX_TOKENS + 1), and how many there were. */
    private final int[] ts = new int[MAX_TOKENS + 1];
    private final int[] te = new int[MAX_TOKENS + 1];
    private int tokens;
    private long ordinal;
    private String error;

    Run(ChunkContext ctx, ParseOutput out, VpcFlowLayout layout) {
      this.ctx = ctx;
      this.out = out;
      this.buf = ctx.payload();
      this.layout = layout;
    }

    void run() {
      int n = buf.length;
      int first = 0;
      while (first < n && (Json.isWs(buf[first]) || (buf[first] & 0xff) == 0xEF || (buf[first] & 0xff) == 0xBB
          || (buf[first] & 0xff) == 0xBF)) {
        first++;
      }
      if (first >= n) return;
      if (buf[first] == '{' || buf[first] == '[') {
        json(first);
      } else {
        lines();
      }
    }

    // ---- plain text ------------------------------------------------------------------------------------------

    private void lines() {
      int n = buf.length;
      int lastContent = ctx.truncatedRecord() ? Bytes.lastContentLineStart(buf) : -1;
      long newlines = 0;
      int i = 0;
      while (i < n) {
        int s = i;
        if (s == 0 && n >= 3 && (buf[0] & 0xff) == 0xEF && (buf[1] & 0xff) == 0xBB && (buf[2] & 0xff) == 0xBF) {
          s = 3;
        }
        int nl = scan(buf, s, n, true); // the line's tokens, in the same pass that finds its end
        int e = nl;
        if (e > i && buf[e - 1] == '\r') e--;
        if (tokens > 0 && !(buf[ts[0]] == '\r' && Bytes.isBlankLine(buf, s, e))) {
          long lineNo = ctx.lineFromCount(newlines);
          ordinal = newlines; // record_index = chunk.first_record (lines before the chunk) + line index
          if (i == lastContent) {
            out.reject(ctx.rejection(RejectReason.RECORD_TOO_LARGE,
                "line cut by the collector at its max record size (full bytes in the evidence store)", i, n, lineNo,
                ordinal++));
            break;
          }
          if (VpcFlowLayout.isHeader(buf, s, e)) {
            VpcFlowLayout l = VpcFlowLayout.of(new String(buf, s, e - s, StandardCharsets.US_ASCII));
            if (l != null) layout = l;
          } else {
            record(buf, i, e, lineNo, null);
          }
        }
        if (nl >= n) break;
        newlines++;
        i = nl + 1;
      }
    }

    /**
     * One flow record in {@code b[s, e)}; its lineage is the payload range [recStart, recEnd). {@code cloudWatch}:
     * wrapper fields of a CloudWatch log event (JSON forms), or null.
     */
    private void record(byte[] b, int recStart, int recEnd, long lineNo, Map<String, String> cloudWatch) {
      long ord = ordinal++;
      int count = tokens;
      int first = 0;
      String cwTimestamp = null;
      int want = layout.size();
      if (count > 0 && count == want + 1 && isCloudWatchTimestamp(b, ts[0], te[0])) {
        cwTimestamp = new String(b, ts[0], te[0] - ts[0], StandardCharsets.US_ASCII);
        first = 1;
        count--;
      } else if (count > 0 && isIsoTimestamp(b, ts[0], te[0])) {
        cwTimestamp = new String(b, ts[0], te[0] - ts[0], StandardCharsets.US_ASCII);
        first = 1;
        count--;
      }
      if (count != want || count > MAX_TOKENS) {
        String msg = count > MAX_TOKENS
            ? "more than " + MAX_TOKENS + " fields; the layout has " + want
            : count + " fields where the layout has " + want + " (" + Events.excerpt(layout.header, 160) + ")";
        out.reject(ctx.rejection(RejectReason.MALFORMED_RECORD, msg, recStart, recEnd, lineNo, ord));
        return;
      }
      EvidenceEvent ev;
      try {
        ev = event(b, first, recStart, recEnd, lineNo, ord, cwTimestamp, cloudWatch);
      } catch (RuntimeException ex) {
        out.reject(ctx.rejection(RejectReason.PARSER_ERROR, "parser bug on this record: " + ex, recStart, recEnd,
            lineNo, ord));
        return;
      }
      if (ev == null) {
        out.reject(ctx.rejection(RejectReason.MALFORMED_RECORD, error, recStart, recEnd, lineNo, ord));
        return;
      }
      out.emit(ev);
    }

    /**
     * The narrow entry for records that are not lines of the payload (the Parquet parser's rows): {@code line} holds
     * the field values in the layout's order, blank-separated, '-' for absent; the event's lineage is the payload
     * range [recStart, recEnd), its record index chunk.first_record + {@code ordinalInChunk}, and its raw_data the
     * line. Mapped exactly like a text line.
     */
    void textRecord(byte[] line, int recStart, int recEnd, long lineNo, long ordinalInChunk) {
      ordinal = ordinalInChunk;
      scan(line, 0, line.length, false);
      record(line, recStart, recEnd, lineNo, null);
    }

    /**
     * Finds the blank-separated (space, tab) tokens of {@code b} from {@code s} into ts/te and their count into
     * {@link #tokens} (counting past the MAX_TOKENS + 1 stored), eight bytes at a time. In {@code line} mode it
     * stops at the end of the line: a '\n', or a '\r' just before one or at {@code limit}; returns the index of that
     * '\n' ({@code limit} if none). Otherwise it reads to {@code limit}, where '\r' and '\n' are token bytes like
     * any other control byte.
     */
    private int scan(byte[] b, int s, int limit, boolean line) {
      int n = 0;
      int tok = s; // where the current token starts, if the next byte is not a blank
      for (int i = s; i < limit; i += 8) {
        long m = i + 8 <= limit ? Bytes.spaceOrControlMask(b, i) : Bytes.spaceOrControlMask(b, i, limit);
        for (; m != 0; m &= m - 1) {
          int p = i + (Long.numberOfTrailingZeros(m) >>> 3);
          byte c = b[p];
          if (c == ' ' || c == '\t') {
            if (p > tok) n = token(n, tok, p);
            tok = p + 1;
          } else if (line && (c == '\n' || (c == '\r' && (p + 1 == limit || b[p + 1] == '\n')))) {
            if (p > tok) n = token(n, tok, p);
            tokens = n;
            return c == '\n' ? p : p + 1;
          }
        }
      }
      if (limit > tok) n = token(n, tok, limit);
      tokens = n;
      return limit;
    }

    private int token(int n, int s, int e) {
      if (n <= MAX_TOKENS) {
        ts[n] = s;
        te[n] = e;
      }
      return n + 1;
    }

    private static boolean isIsoTimestamp(byte[] b, int s, int e) {
      return e - s >= 19 && isDigit(b[s]) && isDigit(b[s + 3]) && b[s + 4] == '-' && b[s + 7] == '-'
          && (b[s + 10] == 'T' || b[s + 10] == 't') && b[s + 13] == ':';
    }

    private static boolean isCloudWatchTimestamp(byte[] b, int s, int e) {
      if (isIsoTimestamp(b, s, e)) return true;
      if (e - s != 13) return false;
      for (int k = s; k < e; k++) if (!isDigit(b[k])) return false;
      return true;
    }

    private static boolean isDigit(byte c) {
      return c >= '0' && c <= '9';
    }

    // ---- the event -------------------------------------------------------------------------------------------

    private EvidenceEvent event(byte[] b, int first, int recStart, int recEnd, long lineNo, long ord,
        String cwTimestamp, Map<String, String> cloudWatch) {
      Map<String, String> u = new HashMap<>(8);
      EvidenceEvent ev = ctx.newEvent(OcsfClass.NETWORK_ACTIVITY, ACTIVITY_TRAFFIC, "Traffic", recStart, recEnd,
          lineNo, ord, 0, u);
      ev.setSeverityId(1);
      ev.setSeverity("Informational");
      Cloud cloud = ev.getCloud();
      if (cloud == null) {
        cloud = new Cloud();
        ev.setCloud(cloud);
      }
      cloud.setProvider("aws");
      Network net = new Network();
      Endpoint src = null;
      Endpoint dst = null;
      String startText = null;
      long startSec = Long.MIN_VALUE;
      long endSec = Long.MIN_VALUE;
      String clusterName = null;
      String ecsContainer = null;
      Ecs ecs = null;
      String warnings = null;
      int[] codes = layout.codes;
      for (int f = 0; f < codes.length; f++) {
        int s = ts[first + f];
        int e = te[first + f];
        if (e - s == 1 && b[s] == '-') continue; // absent
        int code = codes[f];
        switch (code) {
          case VpcFlowLayout.ACCOUNT_ID -> cloud.setAccountUid(str(b, s, e));
          case VpcFlowLayout.INTERFACE_ID -> {
            String eni = str(b, s, e);
            cloud.setEniUid(eni);
            if (src == null) src = new Endpoint();
            src.setInterfaceUid(eni);
          }
          case VpcFlowLayout.SRCADDR -> {
            if (src == null) src = new Endpoint();
            src.setIp(addr(b, s, e));
          }
          case VpcFlowLayout.DSTADDR -> {
            if (dst == null) dst = new Endpoint();
            dst.setIp(addr(b, s, e));
          }
          case VpcFlowLayout.SRCPORT, VpcFlowLayout.DSTPORT -> {
            long p = num(b, s, e);
            if (p < 0 || p > 65535) {
              warnings = bad(u, warnings, f, b, s, e);
            } else if (code == VpcFlowLayout.SRCPORT) {
              if (src == null) src = new Endpoint();
              src.setPort((int) p);
            } else {
              if (dst == null) dst = new Endpoint();
              dst.setPort((int) p);
            }
          }
          case VpcFlowLayout.PROTOCOL -> {
            long p = num(b, s, e);
            if (p < 0 || p > 255) {
              warnings = bad(u, warnings, f, b, s, e);
            } else {
              net.setProtocol(VpcFlowLayout.protocolName((int) p));
              u.put("protocol", VpcFlowLayout.number((int) p));
            }
          }
          case VpcFlowLayout.PACKETS, VpcFlowLayout.BYTES -> {
            long v = num(b, s, e);
            if (v < 0) {
              warnings = bad(u, warnings, f, b, s, e);
            } else if (code == VpcFlowLayout.PACKETS) {
              net.setPackets(v);
            } else {
              net.setBytes(v);
            }
          }
          case VpcFlowLayout.START -> {
            startSec = num(b, s, e);
            startText = str(b, s, e);
          }
          case VpcFlowLayout.END -> {
            endSec = num(b, s, e);
            if (endSec < 0) warnings = bad(u, warnings, f, b, s, e);
          }
          case VpcFlowLayout.ACTION -> net.setAction(action(b, s, e));
          case VpcFlowLayout.LOG_STATUS -> net.setLogStatus(str(b, s, e));
          case VpcFlowLayout.VPC_ID -> {
            String vpc = str(b, s, e);
            cloud.setVpcUid(vpc);
            if (src == null) src = new Endpoint();
            src.setVpcUid(vpc);
          }
          case VpcFlowLayout.SUBNET_ID -> cloud.setSubnetUid(str(b, s, e));
          case VpcFlowLayout.INSTANCE_ID -> cloud.setInstanceUid(str(b, s, e));
          case VpcFlowLayout.TCP_FLAGS, VpcFlowLayout.TRAFFIC_PATH -> {
            long v = num(b, s, e);
            if (v < 0 || v > Integer.MAX_VALUE) {
              warnings = bad(u, warnings, f, b, s, e);
            } else if (code == VpcFlowLayout.TCP_FLAGS) {
              net.setTcpFlags((int) v);
            } else {
              net.setTrafficPath((int) v);
            }
          }
          case VpcFlowLayout.PKT_SRCADDR -> net.setPktSrcIp(addr(b, s, e));
          case VpcFlowLayout.PKT_DSTADDR -> net.setPktDstIp(addr(b, s, e));
          case VpcFlowLayout.REGION -> cloud.setRegion(str(b, s, e));
          case VpcFlowLayout.AZ_ID -> cloud.setAvailabilityZone(str(b, s, e));
          case VpcFlowLayout.FLOW_DIRECTION -> net.setDirection(direction(b, s, e));
          case VpcFlowLayout.ECS_CLUSTER_ARN -> cloud.setClusterUid(str(b, s, e));
          case VpcFlowLayout.ECS_CLUSTER_NAME -> {
            clusterName = str(b, s, e);
            u.put(layout.names[f], clusterName);
          }
          case VpcFlowLayout.ECS_SERVICE_NAME, VpcFlowLayout.ECS_TASK_DEFINITION_ARN,
              VpcFlowLayout.ECS_CONTAINER_INSTANCE_ARN -> {
            String v = str(b, s, e);
            u.put(layout.names[f], v);
            if (ecs == null) ecs = new Ecs();
            if (code == VpcFlowLayout.ECS_SERVICE_NAME) ecs.setService(v);
            else if (code == VpcFlowLayout.ECS_TASK_DEFINITION_ARN) ecs.setTaskDefinition(EcsNames.taskDefinition(v));
            else ecs.setContainerInstanceArn(v);
          }
          case VpcFlowLayout.ECS_TASK_ARN -> cloud.setTaskUid(str(b, s, e));
          case VpcFlowLayout.REJECT_REASON -> {
            // v8: why a REJECT was rejected (BPA: the VPC's Block Public Access), as the event's status detail
            String v = str(b, s, e);
            u.put(layout.names[f], v);
            ev.setStatusDetail(v);
          }
          case VpcFlowLayout.ECS_CONTAINER_ID -> ecsContainer = str(b, s, e);
          case VpcFlowLayout.TGW_SRC_VPC_ID -> {
            if (src == null) src = new Endpoint();
            src.setVpcUid(str(b, s, e));
          }
          case VpcFlowLayout.TGW_DST_VPC_ID -> {
            if (dst == null) dst = new Endpoint();
            dst.setVpcUid(str(b, s, e));
          }
          case VpcFlowLayout.TGW_SRC_ENI -> {
            if (src == null) src = new Endpoint();
            src.setInterfaceUid(str(b, s, e));
          }
          case VpcFlowLayout.TGW_DST_ENI -> {
            if (dst == null) dst = new Endpoint();
            dst.setInterfaceUid(str(b, s, e));
          }
          default -> u.put(layout.names[f], str(b, s, e)); // version, type, sublocation, services, ECS, TGW, unknown
        }
      }
      if (startText == null) {
        error = "no start time (field 'start' absent from the layout or '-')";
        return null;
      }
      if (startSec < 0) {
        error = "start is not epoch seconds: '" + Events.excerpt(startText, 32) + "'";
        return null;
      }
      Instant start = instant(startSec);
      ev.setTime(start);
      ev.setTimeOriginal(startText);
      ev.setStartTime(start);
      if (endSec >= 0) ev.setEndTime(instant(endSec));
      if (cloud.getClusterUid() == null && clusterName != null) cloud.setClusterUid(clusterName);
      if (cloud.getTaskUid() != null || cloud.getClusterUid() != null || ecs != null) {
        // v7: the task's ECS context (the cluster name is not a Kubernetes cluster)
        if (ecs == null) ecs = new Ecs();
        String clusterArn = cloud.getClusterUid();
        ecs.setClusterArn(clusterArn != null && clusterArn.startsWith("arn:") ? clusterArn : null);
        ecs.setClusterName(EcsNames.clusterName(clusterName != null ? clusterName : clusterArn, cloud.getTaskUid()));
        ecs.setTaskArn(cloud.getTaskUid());
        ev.setEcs(ecs);
      }
      if (ecsContainer != null && u.containsKey(SECOND_CONTAINER)) {
        u.put(FIRST_CONTAINER, ecsContainer); // a task's containers share its interface: the flow is the task's
      } else if (ecsContainer != null) {
        Container c = new Container();
        c.setUid(ecsContainer);
        ev.setContainer(c);
      }
      ev.setNetwork(net);
      ev.setSrcEndpoint(src);
      ev.setDstEndpoint(dst);
      if (cwTimestamp != null) u.put("cloudwatch.timestamp", cwTimestamp);
      if (cloudWatch != null) u.putAll(cloudWatch);
      if (warnings != null) Events.warn(ev, warnings);
      ev.setRawData(b == buf ? ctx.rawText(recStart, recEnd) : ChunkContext.text(b, 0, b.length,
          ChunkContext.MAX_RAW_DATA_BYTES));
      return ev;
    }

    private String bad(Map<String, String> u, String warnings, int f, byte[] b, int s, int e) {
      String name = layout.names[f];
      u.put(name, ChunkContext.text(b, s, e, 256));
      String w = "bad number in '" + name + "': '" + Events.excerpt(ChunkContext.text(b, s, e, 64), 32) + "'";
      return warnings == null ? w : warnings + "; " + w;
    }

    private String str(byte[] b, int s, int e) {
      return strings.get(b, s, e);
    }

    private Instant instant(long epochSecond) {
      int slot = (int) epochSecond & (seconds.length - 1);
      Instant t = seconds[slot];
      if (t == null || t.getEpochSecond() != epochSecond) {
        t = Instant.ofEpochSecond(epochSecond);
        seconds[slot] = t;
      }
      return t;
    }

    /** An address: too many distinct values to cache; ASCII by grammar (other bytes are kept one char each). */
    private static String addr(byte[] b, int s, int e) {
      return new String(b, s, e - s, StandardCharsets.ISO_8859_1);
    }

    /** Non-negative decimal number, or -1. */
    private static long num(byte[] b, int s, int e) {
      if (e - s > 18 || e <= s) return -1;
      long v = 0;
      for (int k = s; k < e; k++) {
        int d = b[k] - '0';
        if (d < 0 || d > 9) return -1;
        v = v * 10 + d;
      }
      return v;
    }

    private String action(byte[] b, int s, int e) {
      if (e - s == 6 && b[s] == 'A' && b[s + 1] == 'C' && b[s + 2] == 'C' && b[s + 5] == 'T') return "Allowed";
      if (e - s == 6 && b[s] == 'R' && b[s + 1] == 'E' && b[s + 2] == 'J' && b[s + 5] == 'T') return "Denied";
      return str(b, s, e);
    }

    private String direction(byte[] b, int s, int e) {
      if (e - s == 7 && b[s] == 'i' && b[s + 1] == 'n' && b[s + 6] == 's') return "Inbound";
      if (e - s == 6 && b[s] == 'e' && b[s + 1] == 'g' && b[s + 5] == 's') return "Outbound";
      return str(b, s, e);
    }

    // ---- CloudWatch Logs JSON --------------------------------------------------------------------------------

    /** A CloudWatch log event found in the JSON: its payload range, ordinal and fields. */
    private record LogEvent(int start, int end, JsonNode node, Map<String, String> wrapper) {}

    private void json(int from) {
      int n = buf.length;
      int pos = from;
      while (pos < n) {
        while (pos < n && Json.isWs(buf[pos])) pos++;
        if (pos >= n) return;
        int resume = pos;
        try (JsonParser p = Json.FACTORY.createParser(buf, pos, n - pos)) {
          JsonToken t;
          while ((t = p.nextToken()) != null) {
            int start = pos + (int) p.currentTokenLocation().getByteOffset();
            resume = start;
            List<LogEvent> found = new ArrayList<>();
            if (t == JsonToken.START_OBJECT) {
              rootObject(p, pos, start, found);
            } else if (t == JsonToken.START_ARRAY) {
              array(p, pos, Map.of(), found);
            } else {
              int end = pos + (int) p.currentLocation().getByteOffset();
              out.reject(ctx.rejection(RejectReason.MALFORMED_JSON, "a JSON " + t + " is not a CloudWatch log event",
                  start, end, ordinal++));
              continue;
            }
            int end = pos + (int) p.currentLocation().getByteOffset();
            resume = end;
            if (found.isEmpty() && !control) {
              out.reject(ctx.rejection(RejectReason.MISSING_FIELD,
                  "no CloudWatch log event with a 'message' string (timestamp/message, events[], logEvents[])",
                  start, end, ordinal++));
            }
            control = false;
            for (LogEvent le : found) {
              JsonNode msg = le.node.get("message");
              long line = ctx.lineAt(le.start);
              if (msg == null || !msg.isTextual()) {
                out.reject(ctx.rejection(RejectReason.MISSING_FIELD, "log event without a 'message' string",
                    le.start, le.end, line, ordinal++));
                continue;
              }
              Map<String, String> cw = new LinkedHashMap<>(le.wrapper);
              le.node.fields().forEachRemaining(f -> {
                if (!f.getKey().equals("message")) {
                  String v = Json.text(f.getValue());
                  if (v != null) cw.put("cloudwatch." + cwName(f.getKey()), v);
                }
              });
              byte[] m = msg.textValue().getBytes(StandardCharsets.UTF_8);
              int me = m.length;
              while (me > 0 && (m[me - 1] == '\n' || m[me - 1] == '\r')) me--;
              scan(m, 0, me, false);
              record(m, le.start, le.end, line, cw);
            }
          }
          return;
        } catch (JsonProcessingException ex) {
          // reject the rest of the line where the broken value starts, go on on the next line
          int nl = Bytes.indexOfNewline(buf, resume, n);
          int end = nl < 0 ? n : nl;
          out.reject(ctx.rejection(RejectReason.MALFORMED_JSON, "malformed JSON: " + ex.getOriginalMessage(),
              resume, end, ordinal++));
          pos = end + 1;
        } catch (IOException ex) {
          int nl = Bytes.indexOfNewline(buf, resume, n);
          int end = nl < 0 ? n : nl;
          out.reject(ctx.rejection(RejectReason.MALFORMED_JSON, "unreadable JSON: " + ex.getMessage(), resume, end,
              ordinal++));
          pos = end + 1;
        }
      }
    }

    private boolean control;

    /** A root object: a log event itself, or a wrapper with events[] / logEvents[]. */
    private void rootObject(JsonParser p, int base, int start, List<LogEvent> found) throws IOException {
      Map<String, String> wrapper = new LinkedHashMap<>();
      Map<String, JsonNode> self = new LinkedHashMap<>();
      List<LogEvent> inner = new ArrayList<>();
      boolean container = false;
      JsonToken t;
      while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken v = p.nextToken();
        if ((name.equals("events") || name.equals("logEvents")) && v == JsonToken.START_ARRAY) {
          container = true;
          array(p, base, wrapper, inner);
        } else if (v == JsonToken.START_OBJECT || v == JsonToken.START_ARRAY) {
          JsonNode node = Json.tree(p);
          self.put(name, node);
          if (!name.equals("subscriptionFilters")) wrapper.put("cloudwatch." + cwName(name), node.toString());
        } else {
          JsonNode node = Json.tree(p);
          self.put(name, node);
          String text = Json.text(node);
          if (text != null && !name.equals("message")) wrapper.put("cloudwatch." + cwName(name), text);
        }
      }
      if (container) {
        if ("CONTROL_MESSAGE".equals(wrapper.get("cloudwatch.message_type"))) {
          control = true; // a subscription's health check: no flow records
        } else {
          found.addAll(inner);
        }
        return;
      }
      if (self.containsKey("message")) {
        int end = base + (int) p.currentLocation().getByteOffset();
        com.fasterxml.jackson.databind.node.ObjectNode o = Json.MAPPER.createObjectNode();
        o.set("message", self.get("message"));
        found.add(new LogEvent(start, end, o, wrapper));
      }
    }

    /** The objects of an array (the parser is at START_ARRAY): each a log event. */
    private void array(JsonParser p, int base, Map<String, String> wrapper, List<LogEvent> into) throws IOException {
      JsonToken t;
      while ((t = p.nextToken()) != JsonToken.END_ARRAY && t != null) {
        int s = base + (int) p.currentTokenLocation().getByteOffset();
        JsonNode node = Json.tree(p);
        int e = base + (int) p.currentLocation().getByteOffset();
        if (node != null && node.isObject()) into.add(new LogEvent(s, e, node, wrapper));
      }
    }

    /** CloudWatch field name to a snake_case unmapped key part: logStreamName -> log_stream_name. */
    private static String cwName(String name) {
      StringBuilder sb = new StringBuilder(name.length() + 4);
      for (int i = 0; i < name.length(); i++) {
        char c = name.charAt(i);
        if (c >= 'A' && c <= 'Z') {
          if (i > 0) sb.append('_');
          sb.append((char) (c + 32));
        } else {
          sb.append(c);
        }
      }
      return sb.toString();
    }
  }

}
