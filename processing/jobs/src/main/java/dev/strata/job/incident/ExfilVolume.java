package dev.strata.job.incident;

import dev.strata.schema.correlate.AttackStage;
import dev.strata.schema.event.EvidenceEvent;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Exfiltration by volume (MITRE ATT&amp;CK T1048 / T1041; GuardDuty's {@code Exfiltration:S3/AnomalousBehavior} and
 * VPC-flow based volume findings are the same idea): the bytes a workload sends to one public address, summed over the
 * flow records of that source / destination pair within {@code incident.exfil_window} (default 10 min), at or above
 * {@code incident.exfil_bytes} (default 50 MB), when the workload has a signal within {@code incident.window} of the
 * record (a workload of an open incident: a backup to S3's public addresses alone opens nothing). The record whose bytes
 * cross the threshold becomes an exfiltration signal (reason {@code exfiltration_volume}, High) whose row names the
 * bytes, the connections, the window and the threshold. FargateFleetScenarioIT: the ledger API pod's {@code pg_dump |
 * curl} to 203.0.113.77, 187,342,112 bytes in one connection, was a context row.
 *
 * <p>What is summed: flow records ({@code aws_vpc_flow*}) accepted (or no action stated) whose packet source (the
 * record's {@code pkt-srcaddr} when it names one, else {@code srcaddr}) is not public and names a workload (the
 * correlation job's pod, else task, container, instance), and whose packet destination ({@code pkt-dstaddr}, else
 * {@code dstaddr}) is public and outside {@code incident.known_cidrs}. A connection (the same source, ports, protocol
 * and destination) counts the bytes of its records on one interface summed (a long transfer spans several capture
 * windows), and once when two interfaces saw it (the node's ENI and the NAT gateway's): the larger interface's total. <b>Time</b>: a flow record states only its capture window ({@code start} .. {@code end}, up to 1 or 10 min);
 * its event time is {@code start} and its bytes are counted whole at that time, so a window holds the records that
 * <i>start</i> in it (a transfer spread over records that start up to {@code exfil_window} apart is summed; the row's
 * time is the crossing record's start, a lower bound of when the bytes crossed).
 *
 * <p>Decided at a flush once the watermark passed the window's start + {@code exfil_window} (bounded runs: at the
 * input's end) and written into the member ({@code xfil+|…}), like the entry flows ({@link EntryFlows}). A window
 * whose crossing record's workload has no signal yet is judged again at later flushes until {@code incident.window}
 * after it.
 */
final class ExfilVolume {
  private ExfilVolume() {}

  static final String REASON = "exfiltration_volume";

  /**
   * {@code xfil|<workload>|<source>|<destination>|<connection>|<interface>|<bytes>} for a candidate record (a context
   * flow from a workload's private address to a public one outside the known ranges, with bytes), else null. {@code
   * workload} is {@code <entity type>:<key>}, {@code connection} the source port, destination port and protocol,
   * {@code interface} the ENI the record was captured on (empty when not known).
   */
  static String key(EvidenceEvent e, EntityKeys.Extraction x, Predicate<String> known) {
    String f = e.getSourceFormat();
    if (f == null || !f.startsWith("aws_vpc_flow") || e.getNetwork() == null) return null;
    var n = e.getNetwork();
    if (n.getAction() != null && !"Allowed".equalsIgnoreCase(n.getAction())) return null;
    Long bytes = n.getBytes();
    if (bytes == null || bytes <= 0) return null;
    String src = n.getPktSrcIp() != null ? n.getPktSrcIp() : e.getSrcEndpoint() == null ? null : e.getSrcEndpoint().getIp();
    String dst = n.getPktDstIp() != null ? n.getPktDstIp() : e.getDstEndpoint() == null ? null : e.getDstEndpoint().getIp();
    if (src == null || dst == null || EntityKeys.isPublicIp(src) || !EntityKeys.isPublicIp(dst) || known.test(dst)) {
      return null;
    }
    String workload = workload(x);
    if (workload == null || workload.contains("|")) return null;
    Integer sp = e.getSrcEndpoint() == null ? null : e.getSrcEndpoint().getPort();
    Integer dp = e.getDstEndpoint() == null ? null : e.getDstEndpoint().getPort();
    String proto = n.getProtocol() == null ? "" : n.getProtocol().replace('|', '_').replace(':', '_');
    String eni = "";
    for (Entity en : x.entities()) {
      if (Entity.ENI.equals(en.type()) && !en.key().contains("|")) eni = en.key();
    }
    return "xfil|" + workload + "|" + src.trim() + "|" + dst.trim() + "|" + (sp == null ? "" : sp) + ":"
        + (dp == null ? "" : dp) + ":" + proto + "|" + eni + "|" + bytes;
  }

  /** The record's workload: its pod, else its ECS task, container, instance ({@code type:key}); null when none. */
  static String workload(EntityKeys.Extraction x) {
    for (String type : new String[] {Entity.POD, Entity.TASK, Entity.CONTAINER, Entity.INSTANCE}) {
      for (Entity en : x.entities()) {
        if (type.equals(en.type())) return type + ":" + en.key();
      }
    }
    return null;
  }

  /** {@code now} with {@code before}'s decision when it is the same record (a copy or a newer revision). */
  static Member carry(Member before, Member now) {
    if (before == null || before.execKey() == null || !before.execKey().startsWith("xfil+|") || now.execKey() == null
        || !now.execKey().startsWith("xfil|") || !before.execKey().endsWith("|" + now.execKey())) {
      return now;
    }
    return apply(now, before.execKey());
  }

  /** A decision taken apart: {sum, connections, window start, crossing time, threshold, window micros, record key}. */
  private static String[] decision(String d) {
    String[] p = d.split("\\|", 8);
    return new String[] {p[1], p[2], p[3], p[4], p[5], p[6], p[7]};
  }

  /** The record's member made an exfiltration signal ({@code xfil+|<sum>|<n>|<start>|<at>|<threshold>|<w>|<key>}). */
  static Member apply(Member m, String decision) {
    String[] d = decision(decision);
    String[] k = d[6].split("\\|", 6);
    long start = Long.parseLong(d[2]);
    long at = Long.parseLong(d[3]);
    long windowMicros = Long.parseLong(d[5]);
    String workload = k[1].substring(k[1].indexOf(':') + 1);
    String summary = m.summary() + " (exfiltration by volume: " + String.format("%,d", Long.parseLong(d[0]))
        + " bytes from " + k[2] + " (" + workload + ") to " + k[3] + " in " + d[1] + " connection"
        + ("1".equals(d[1]) ? "" : "s") + " whose flow records start " + time(start)
        + (at == start ? "" : " to " + time(at)) + ", within " + minutes(windowMicros) + " (incident.exfil_window): over "
        + String.format("%,d", Long.parseLong(d[4])) + " bytes (incident.exfil_bytes); each record counted whole at its"
        + " start)";
    String reason = m.reason() == null ? REASON : REASON + "; " + m.reason();
    return new Member(m.eventId(), m.timeMicros(), m.layer(), m.className(), m.sourceFormat(), summary, true,
        Math.max(4, m.severityId()), AttackStage.EXFILTRATION, reason, m.artifactSha256(), m.origin(), m.byteOffset(),
        m.lineNumber(), m.recordIndex(), m.entities(), m.indicators(), m.burstKey(), m.detections(), m.lane(), decision);
  }

  private static String time(long micros) {
    return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000).toString();
  }

  private static String minutes(long micros) {
    long s = micros / 1_000_000L;
    return s % 60 == 0 ? (s / 60) + " min" : s + " s";
  }

  /** One flow record of a pair: its connection, interface, bytes, decision (null: undecided). */
  private record Rec(String connection, String eni, long bytes, String decision) {}

  /** The candidate records per source / destination pair and the signals per workload: derived state. */
  static final class Ledger {
    private final long threshold;
    private final long span;
    private final long window;
    /** workload|source|destination -> time -> event id -> record. */
    private final Map<String, TreeMap<Long, TreeMap<String, Rec>>> pairs = new HashMap<>();
    /** workload -> time -> signals (count), exfiltration decisions excluded (they prove nothing of themselves). */
    private final Map<String, TreeMap<Long, Integer>> signals = new HashMap<>();
    /** workload -> its pairs. */
    private final Map<String, Set<String>> pairsOf = new HashMap<>();
    /** Pairs to walk at the next flush: a record added, or a crossing waiting for its workload's signal. */
    private final Set<String> dirty = new HashSet<>();
    /** event id -> {pair or workloads, time, kind} of what was added. */
    private final Map<String, Object[]> added = new HashMap<>();

    Ledger(long thresholdBytes, long spanMicros, long windowMicros) {
      this.threshold = thresholdBytes;
      this.span = spanMicros;
      this.window = windowMicros;
    }

    static Ledger of(IncidentSettings s) {
      return new Ledger(s.exfilBytes(), s.exfilWindow().toNanos() / 1000, s.window().toNanos() / 1000);
    }

    void add(Member m) {
      if (added.containsKey(m.eventId())) return;
      String k = m.execKey();
      long t = m.timeMicros();
      if (k != null && (k.startsWith("xfil|") || k.startsWith("xfil+|"))) {
        String decided = k.startsWith("xfil+|") ? k : null;
        String key = decided == null ? k : decision(k)[6];
        String[] p = key.split("\\|", 7);
        String pair = p[1] + "|" + p[2] + "|" + p[3];
        pairs.computeIfAbsent(pair, x -> new TreeMap<>()).computeIfAbsent(t, x -> new TreeMap<>())
            .put(m.eventId(), new Rec(p[4], p[5], Long.parseLong(p[6]), decided));
        dirty.add(pair);
        pairsOf.computeIfAbsent(p[1], x -> new HashSet<>(2)).add(pair);
        added.put(m.eventId(), new Object[] {"r", pair, t});
      } else if (m.signal() && m.stage() != null) {
        Set<String> workloads = new HashSet<>(2);
        for (Entity e : m.entities()) {
          if (Entity.POD.equals(e.type()) || Entity.TASK.equals(e.type()) || Entity.CONTAINER.equals(e.type())
              || Entity.INSTANCE.equals(e.type())) {
            workloads.add(e.type() + ":" + e.key());
          }
        }
        if (workloads.isEmpty()) return;
        for (String w : workloads) signals.computeIfAbsent(w, x -> new TreeMap<>()).merge(t, 1, Integer::sum);
        added.put(m.eventId(), new Object[] {"s", workloads, t});
        // a crossing waiting for this workload's signal may now be decided
        for (String w : workloads) dirty.addAll(pairsOf.getOrDefault(w, Set.of()));
      }
    }

    void remove(String eventId) {
      Object[] a = added.remove(eventId);
      if (a == null) return;
      long t = (Long) a[2];
      if ("r".equals(a[0])) {
        String pair = (String) a[1];
        TreeMap<Long, TreeMap<String, Rec>> byTime = pairs.get(pair);
        if (byTime == null) return;
        TreeMap<String, Rec> at = byTime.get(t);
        if (at != null) {
          at.remove(eventId);
          if (at.isEmpty()) byTime.remove(t);
        }
        if (byTime.isEmpty()) {
          pairs.remove(pair);
          dirty.remove(pair);
          String w = pair.substring(0, pair.indexOf('|'));
          Set<String> of = pairsOf.get(w);
          if (of != null && of.remove(pair) && of.isEmpty()) pairsOf.remove(w);
        }
        return;
      }
      @SuppressWarnings("unchecked")
      Set<String> workloads = (Set<String>) a[1];
      for (String w : workloads) {
        TreeMap<Long, Integer> s = signals.get(w);
        if (s == null) continue;
        s.computeIfPresent(t, (x, c) -> c == 1 ? null : c - 1);
        if (s.isEmpty()) signals.remove(w);
      }
    }

    /**
     * The records decided exfiltration signals at {@code watermarkMicros} (MAX: all; MIN: none): event id -> decision.
     * Each dirty pair's records are walked in time order: a window starts at the first record not in a decided
     * window, holds the records that start within {@code exfil_window} of it (a connection once, its largest count),
     * and is judged once the watermark passed its end; its crossing record is decided when the workload has a signal
     * within {@code incident.window} of it, else the walk goes on from the next record.
     */
    Map<String, String> decide(long watermarkMicros) {
      Map<String, String> out = new LinkedHashMap<>();
      if (watermarkMicros == Long.MIN_VALUE || dirty.isEmpty()) return out;
      Set<String> again = new HashSet<>();
      for (String pair : dirty) {
        TreeMap<Long, TreeMap<String, Rec>> byTime = pairs.get(pair);
        if (byTime == null) continue;
        String workload = pair.substring(0, pair.indexOf('|'));
        TreeMap<Long, Integer> sig = signals.get(workload);
        long covered = Long.MIN_VALUE;
        for (Map.Entry<Long, TreeMap<String, Rec>> at : byTime.entrySet()) {
          for (Rec r : at.getValue().values()) {
            if (r.decision() != null) covered = Math.max(covered, Long.parseLong(decision(r.decision())[2]) + span);
          }
        }
        for (Long t0 : byTime.keySet()) {
          if (t0 <= covered) continue;
          if (watermarkMicros != Long.MAX_VALUE && t0 + span > watermarkMicros) {
            again.add(pair); // its window is not complete yet
            break;
          }
          // per connection: its bytes on each interface summed over its records (a long transfer is several
          // capture windows), the connection's bytes the largest interface's (the node's ENI and the NAT gateway's
          // both saw it)
          Map<String, Map<String, Long>> perEni = new HashMap<>();
          Map<String, Long> conns = new HashMap<>();
          long sum = 0;
          String crossing = null;
          long crossingAt = 0;
          walk:
          for (Map.Entry<Long, TreeMap<String, Rec>> in : byTime.subMap(t0, true, t0 + span, true).entrySet()) {
            for (Map.Entry<String, Rec> r : in.getValue().entrySet()) {
              Rec rec = r.getValue();
              long onEni = perEni.computeIfAbsent(rec.connection(), x -> new HashMap<>())
                  .merge(rec.eni(), rec.bytes(), Long::sum);
              long before = conns.getOrDefault(rec.connection(), 0L);
              if (onEni > before) {
                sum += onEni - before;
                conns.put(rec.connection(), onEni);
              }
              if (sum >= threshold) {
                crossing = r.getKey();
                crossingAt = in.getKey();
                break walk;
              }
            }
          }
          if (crossing == null) continue;
          boolean owned = sig != null && !sig.subMap(crossingAt - window, true, crossingAt + window, true).isEmpty();
          if (owned) {
            Rec r = byTime.get(crossingAt).get(crossing);
            String d = "xfil+|" + sum + "|" + conns.size() + "|" + t0 + "|" + crossingAt + "|" + threshold + "|" + span
                + "|" + recordKey(pair, r);
            out.put(crossing, d);
            byTime.get(crossingAt).put(crossing, new Rec(r.connection(), r.eni(), r.bytes(), d));
            covered = t0 + span;
          } else if (watermarkMicros == Long.MAX_VALUE || crossingAt + window >= watermarkMicros) {
            if (watermarkMicros != Long.MAX_VALUE) again.add(pair); // the workload's signal may still come
          }
        }
      }
      dirty.clear();
      dirty.addAll(again);
      return out;
    }

    private static String recordKey(String pair, Rec r) {
      return "xfil|" + pair + "|" + r.connection() + "|" + r.eni() + "|" + r.bytes();
    }
  }
}
