package dev.strata.job.bench;

import dev.strata.correlate.Attr;
import dev.strata.correlate.BindingExtractor;
import dev.strata.correlate.BindingKind;
import dev.strata.correlate.CorrelationScenario;
import dev.strata.correlate.EnrichmentMerger;
import dev.strata.correlate.Hit;
import dev.strata.correlate.KeyState;
import dev.strata.correlate.LookupKeys;
import dev.strata.correlate.Statements;
import dev.strata.job.correlate.KeyedBinding;
import dev.strata.job.correlate.RocksDbSettings;
import dev.strata.job.correlate.RouteBindings;
import dev.strata.job.serde.EvidenceEventDeserializationSchema;
import dev.strata.schema.AvroCodec;
import dev.strata.schema.correlate.BindingLineage;
import dev.strata.schema.correlate.EntityBinding;
import dev.strata.schema.correlate.EntityRef;
import dev.strata.schema.event.Enrichment;
import dev.strata.schema.event.EvidenceEvent;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.flink.api.common.functions.util.ListCollector;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.api.common.typeutils.base.array.BytePrimitiveArraySerializer;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.runtime.memory.OpaqueMemoryResource;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.state.rocksdb.PredefinedOptions;
import org.apache.flink.state.rocksdb.RocksDBMemoryConfiguration;
import org.apache.flink.state.rocksdb.RocksDBMemoryControllerUtils;
import org.apache.flink.state.rocksdb.RocksDBResourceContainer;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The correlation hot path on one core, for the target "≥ 60k events/s per core with 10M live bindings".
 *
 * <pre>
 * CorrelateBenchmark [--bindings N[,N...]] [--events M] [--backend heap|rocksdb|both] [--mode raw|flink]
 *                    [--rounds R] [--dir D] [--rocksdb-memory 3g] [--bloom-bits 10] [--block-size 4kb]
 *                    [--raw true|false] [--node-instances true|false] [--bindings-cache 512m]
 *                    [--bindings-cache-write-through 3g]
 *                    [--draw uniform|zipf] [--zipf-s 1.1]
 * </pre>
 *
 * <p>Data: N private addresses, each bound to a pod ({@code ip_pod}: namespace, pod name, uid, node, cluster, service
 * account, account, as an audit pod record states it); every 8th address was reused (a second binding 2 h later,
 * whose start closes the first), so 1.125 N bindings. As in the job, each binding is held under each of its lookup
 * keys ({@link LookupKeys#of}: the VPC-scoped address and, since it names a cluster, the cluster-scoped address).
 * The pods run on {@link #NODES} nodes (address i's on node i % 1000), and with {@code --node-instances true} (the
 * default, what an EKS fleet states: the API server's Node objects) each node's {@code node_instance} statement comes
 * first, before the pods' ({@link #nodeInstance}); {@code --node-instances false} states none (the worst case of
 * session 15: every event knows its node and no instance).
 * Events are VPC Flow records from a uniformly random bound address ({@code --draw zipf}: Zipf-distributed over the
 * addresses, {@link AddressDraw}) at a random time; each asks its hop-1 keys
 * ({@link LookupKeys#probes}: the VPC-scoped address, which is bound, and the account-scoped one, which nobody bound).
 *
 * <p>{@code --mode raw}: per event, what {@code resolve-1} + {@code enrich-1} do with the state, without Flink: read
 * each probe key's {@link KeyState} blob, decode, resolve at the event's time, merge ({@link EnrichmentMerger}).
 * Baseline, same run, same keys: the bare store reads alone. Stores: a HashMap of key -> blob (heap), or RocksDB
 * opened with exactly the options Flink's backend builds for the job ({@link RocksDbSettings#flinkProperties} through
 * Flink's own {@link RocksDBResourceContainer}, the block cache allocated as Flink allocates it from managed memory),
 * keys and values serialized as Flink lays them out (key group, key, namespace; length-prefixed value). Also printed: blob bytes per binding, SST bytes per
 * binding after a full compaction, block cache capacity and usage.
 *
 * <p>{@code --mode flink}: the raw run first (its figures are the baseline), then the real hop-1 operators on a
 * MiniCluster ({@link CorrelateFlinkRun}); {@code --raw false} skips the raw run (half of a 10M run's time: for
 * comparing settings of the Flink run alone).
 */
public final class CorrelateBenchmark {
  static final String ACCOUNT = "111111111111";
  static final String VPC = "vpc-0aaa";
  static final long T0 = 1_795_082_400_000_000L; // 2026-11-20T10:00Z, micros
  static final long SPAN = 3 * 3_600_000_000L; // events fall in [T0, T0 + 3 h)
  static final int MAX_PARALLELISM = 128; // Flink's default for parallelism 1: key groups are one byte
  private static final HexFormat HEX = HexFormat.of();

  public static void main(String[] args) throws Exception {
    Map<String, String> a = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    String[] sizes = a.getOrDefault("bindings", "100000,10000000").split(",");
    int events = Integer.parseInt(a.getOrDefault("events", "1000000"));
    String backend = a.getOrDefault("backend", "both");
    String mode = a.getOrDefault("mode", "raw");
    boolean rawRun = !mode.equals("flink") || Boolean.parseBoolean(a.getOrDefault("raw", "true"));
    boolean nodes = Boolean.parseBoolean(a.getOrDefault("node-instances", "true"));
    int rounds = Integer.parseInt(a.getOrDefault("rounds", "3"));
    Path dir = Path.of(a.getOrDefault("dir", System.getProperty("java.io.tmpdir") + "/strata-correlate-bench"));
    RocksDbSettings rocks = new RocksDbSettings(
        MemorySize.parse(a.getOrDefault("rocksdb-memory", RocksDbSettings.DEFAULTS.memoryPerSlot().toString())),
        Integer.parseInt(a.getOrDefault("bloom-bits", "" + RocksDbSettings.DEFAULTS.bloomBitsPerKey())),
        MemorySize.parse(a.getOrDefault("block-size", RocksDbSettings.DEFAULTS.blockSize().toString())));
    // the lookups' bindings cache per instance (correlate.bindings.cache.bytes; 0 = off); not given: the build's
    // default (none before the cache)
    CorrelateFlinkRun.bindingsCache = a.get("bindings-cache");
    // hop 1's cache, write-through (correlate.bindings.cache.write_through.bytes); not given: the build's default
    CorrelateFlinkRun.writeThroughCache = a.get("bindings-cache-write-through");
    AddressDraw.set(a.getOrDefault("draw", "uniform"), Double.parseDouble(a.getOrDefault("zipf-s", "1.1")));
    for (String s : sizes) {
      int n = Integer.parseInt(s.trim());
      Workload w = new Workload(n, events);
      System.out.println(repeats(n, events));
      if (backend.equals("heap") || backend.equals("both")) {
        Figures raw = heap(w, rounds);
        if (mode.equals("flink")) CorrelateFlinkRun.run(w, null, raw, nodes);
      }
      if (backend.equals("rocksdb") || backend.equals("both")) {
        Figures raw = rawRun ? rocks(w, rounds, dir, rocks) : null;
        if (mode.equals("flink")) CorrelateFlinkRun.run(w, rocks, raw, nodes);
      }
    }
  }

  /**
   * How often the measured half's events (the second half) come from an address an earlier event came from: the
   * share of hop 1's reads that a cache of every key read could answer, whatever its size.
   */
  static String repeats(int n, int events) {
    java.util.BitSet seen = new java.util.BitSet(n);
    long again = 0;
    for (int j = 0; j < events; j++) {
      int address = AddressDraw.address(mix(j), n);
      if (j >= events / 2 && seen.get(address)) again++;
      seen.set(address);
    }
    return String.format(Locale.ROOT, "draw: %s; %.1f %% of the measured half's events come from an address read"
        + " before (%,d distinct addresses over the %,d events)", AddressDraw.describe(),
        100.0 * again / (events - events / 2), seen.cardinality(), events);
  }

  // ------------------------------------------------------------------------------------------------- data

  static String ip(int i) {
    return "10." + ((i >>> 16) & 255) + "." + ((i >>> 8) & 255) + "." + (i & 255);
  }

  /** Bindings stated for address i: one, or two when the address was reused. */
  static int bindingsOf(int i) {
    return i % 8 == 0 ? 2 : 1;
  }

  static long bindingCount(int n) {
    return n + (n + 7) / 8;
  }

  /** The nodes the pods run on: address i's pod on node i % NODES (the node's cluster is the pod's: 4 divides it). */
  static final int NODES = 1000;

  /** How many nodes state their instance ({@code --node-instances}): those the addresses' pods run on, or none. */
  static int nodeCount(int n, boolean nodeInstances) {
    return nodeInstances ? Math.min(n, NODES) : 0;
  }

  /** The node address i's pod runs on (its private DNS name, as EKS names it). */
  static String nodeName(int i) {
    return "ip-10-0-" + (i % 250) + "-" + (i % 200) + ".ec2.internal";
  }

  /**
   * Node j's instance, as the extractor states it from the API server's Node object ({@code spec.providerID}: cluster,
   * node, instance, account), from a day before the pods (the node registered before they were scheduled).
   */
  static EntityBinding nodeInstance(int j) {
    String cluster = "prod-" + (j % 4);
    String node = nodeName(j);
    String instance = String.format(Locale.ROOT, "i-0%016x", 0x5eedL * 1_000_003L + j);
    Map<String, String> attrs = new HashMap<>();
    attrs.put(Attr.CLUSTER, cluster);
    attrs.put(Attr.NODE_NAME, node);
    attrs.put(Attr.INSTANCE_UID, instance);
    attrs.put(Attr.ACCOUNT_UID, ACCOUNT);
    byte[] id = new byte[32];
    long h = (j * 0xC2B2AE3D27D4EB4FL) ^ 0x6e6f6465L;
    for (int b = 0; b < 32; b++) id[b] = (byte) (h >>> ((b % 8) * 8) ^ (b + 101));
    return new EntityBinding(HEX.formatHex(id), BindingKind.NODE_INSTANCE.id(), new EntityRef("node", node, "k8s:" + cluster),
        new EntityRef("instance", instance, ""), attrs, Instant.ofEpochSecond(0, (T0 - 86_400_000_000L) * 1000), null,
        false, 1f, "k8s_audit", new BindingLineage(HEX.formatHex(id), "b".repeat(64), (long) j * 512, null, (long) j),
        List.of(), 0, 0, false);
  }

  /**
   * {@code -Dstrata.bench.extractor-shape=true}: each binding's id is the extractor's (SHA-256 of its kind, subject,
   * object, start and its event's id, {@code BindingExtractor.bindingId}), its lineage's event id its event's own (32
   * random-looking bytes), and the pod's uid a random-looking UUID, as the API server assigns one; false (the default,
   * the shape of sessions up to 17): the id is the event's id, the uid mostly zeros.
   */
  static final boolean EXTRACTOR_SHAPE = Boolean.getBoolean("strata.bench.extractor-shape");

  /** Binding {@code gen} (0, or 1 for a reused address) of address i, as the extractor writes one for an audit pod. */
  static EntityBinding binding(int i, int gen) {
    String cluster = "prod-" + (i % 4);
    String ns = "team-" + (i % 200);
    String pod = "svc-" + (i % 5000) + "-" + Integer.toHexString(0x5f3a1 + i + gen * 7919) + "-x" + gen;
    Map<String, String> attrs = new HashMap<>();
    attrs.put(Attr.CLUSTER, cluster);
    attrs.put(Attr.NAMESPACE, ns);
    attrs.put(Attr.POD_NAME, pod);
    long u = mix(mix(i * 2L + gen) ^ 0x706f64L);
    attrs.put(Attr.POD_UID, EXTRACTOR_SHAPE
        ? String.format(Locale.ROOT, "%08x-%04x-4%03x-%04x-%012x", u >>> 32, (u >>> 16) & 0xffff, u & 0xfff,
            0x8000 | (mix(u) & 0x3fff), mix(u + 1) >>> 16)
        : String.format(Locale.ROOT, "%08x-0000-4000-8000-%012x", i, (long) gen));
    attrs.put(Attr.NODE_NAME, nodeName(i));
    attrs.put(Attr.SERVICE_ACCOUNT, ns + "/sa-" + (i % 50));
    attrs.put(Attr.ACCOUNT_UID, ACCOUNT);
    byte[] id = new byte[32];
    long h = (i * 0x9E3779B97F4A7C15L) ^ gen;
    for (int b = 0; b < 32; b++) id[b] = (byte) (h >>> ((b % 8) * 8) ^ b);
    long from = gen == 0 ? T0 + (i % 3600) * 1_000_000L : T0 + 7_200_000_000L;
    EntityRef subject = new EntityRef("ip", ip(i), "aws:" + ACCOUNT + ":" + VPC);
    EntityRef object = new EntityRef("pod", ns + "/" + pod, "k8s:" + cluster);
    String eventId = HEX.formatHex(id);
    String bindingId = eventId;
    if (EXTRACTOR_SHAPE) {
      for (int b = 0; b < 32; b++) id[b] = (byte) (mix(h + b) >>> 24);
      eventId = HEX.formatHex(id);
      bindingId = extractorId(BindingKind.IP_POD.id(), subject, object, from, eventId);
    }
    return new EntityBinding(bindingId, BindingKind.IP_POD.id(), subject, object,
        attrs, Instant.ofEpochSecond(0, from * 1000), null, false, 1f, "k8s_audit",
        new BindingLineage(eventId, "a".repeat(64), (long) i * 512, null, (long) i),
        List.of(), 0, 0, false);
  }

  /** The extractor's id of a start ({@code BindingExtractor.bindingId}, which is not public). */
  static String extractorId(String kind, EntityRef s, EntityRef o, long fromMicros, String eventId) {
    try {
      return HEX.formatHex(java.security.MessageDigest.getInstance("SHA-256").digest((kind + '|' + s.getScope() + '|'
          + s.getKey() + '|' + o.getScope() + '|' + o.getKey() + '|' + fromMicros + '|' + eventId)
          .getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Address i's lookup keys (those of its bindings) and the state blob each holds, as LookupFunction leaves it. */
  record AddressState(List<String> keys, byte[] blob) {}

  static AddressState state(int i) {
    KeyState s = new KeyState();
    List<String> keys = null;
    for (int g = 0; g < bindingsOf(i); g++) {
      EntityBinding b = binding(i, g);
      if (keys == null) keys = LookupKeys.of(b);
      s.add(Statements.entry(b));
    }
    return new AddressState(keys, s.encode());
  }

  /** Event j: a VPC Flow record from a random bound address at a random time (same for every mode and run). */
  static EvidenceEvent event(int j, int n) {
    long h = mix(j);
    int address = AddressDraw.address(h, n);
    long t = T0 + Math.floorMod(mix(h), SPAN);
    return CorrelationScenario.flow("bench-" + j, ACCOUNT, VPC, null, null, ip(address), "203.0.113.9",
        Instant.ofEpochSecond(0, t * 1000).toString());
  }

  /**
   * Event 0 in the Avro wire format, with what a VPC Flow record carries besides its fields (the original line as
   * raw_data, the unmapped columns): about 1 KB, as the normalized topic holds it.
   */
  static byte[] eventTemplate() {
    EvidenceEvent e = event(0, 1);
    e.setRawData("2 " + ACCOUNT + " eni-0a1b2c3d4e5f60718 10.0.0.0 203.0.113.9 43512 443 6 12 5120 1795082400"
        + " 1795082460 ACCEPT OK " + VPC + " subnet-0a1b2c3d4e5f60718 i-0a1b2c3d4e5f60718 3 IPv4 10.0.0.0"
        + " 203.0.113.9 us-east-1 use1-az1 - - - - egress 1");
    Map<String, String> unmapped = new java.util.LinkedHashMap<>();
    for (String k : List.of("version", "account-id", "interface-id", "subnet-id", "instance-id", "tcp-flags", "type",
        "region", "az-id", "sublocation-type", "sublocation-id", "pkt-src-aws-service", "pkt-dst-aws-service",
        "flow-direction", "traffic-path")) {
      unmapped.put("vpc_flow." + k, "\"value-of-" + k + "\"");
    }
    e.setUnmapped(unmapped);
    return AvroCodec.of(EvidenceEvent.class).encode(e);
  }

  /**
   * The job's Kafka source's decoding, called as its source calls it (so a build's own decoder is what is measured:
   * before session 12 Avro's message decoder, since then {@code AvroWireDecoder}).
   */
  private static final ThreadLocal<EvidenceEventDeserializationSchema> SOURCE =
      ThreadLocal.withInitial(EvidenceEventDeserializationSchema::new);

  /** Event j as the job's Kafka source hands it over: the template decoded, with event j's id, address and time. */
  static EvidenceEvent eventFromWire(byte[] template, int j, int n) {
    long h = mix(j);
    int address = AddressDraw.address(h, n);
    long t = T0 + Math.floorMod(mix(h), SPAN);
    EvidenceEvent[] decoded = new EvidenceEvent[1];
    SOURCE.get().deserialize(new ConsumerRecord<>("evidence.normalized.v1", 0, j, null, template),
        new Collector<>() {
          @Override
          public void collect(EvidenceEvent event) {
            decoded[0] = event;
          }

          @Override
          public void close() {}
        });
    EvidenceEvent e = decoded[0];
    String id = Long.toHexString(h | Long.MIN_VALUE);
    e.setEventId(id + id + id + id);
    e.getSrcEndpoint().setIp(ip(address));
    Instant at = Instant.ofEpochSecond(0, t * 1000);
    e.setTime(at);
    e.setStartTime(at);
    e.setEndTime(at.plusSeconds(60));
    return e;
  }

  /**
   * Event j's record value as the normalized topic holds it: the bytes of {@link #eventFromWire}'s event without
   * decoding or encoding it (the template's wire bytes with event j's id, source address and times written over
   * marker values), so that a source handing the job records (the job's own deserializer, {@code
   * SourcedEvent.Deserializer}) costs the benchmark a copy, not an encode. Checked against the encoder at start.
   */
  static final class WireEvents {
    private static final String ID_MARKER = "E".repeat(64);
    private static final String IP_MARKER = "I-MARKER-IP";
    private final byte[] template;
    private final int id; // offset of the id's 64 characters
    private final int ip; // offset of the address's length byte
    private final int ipEnd; // offset after the marker address
    private final int time;
    private final int start;
    private final int end;
    private final int timeBytes;

    WireEvents() {
      EvidenceEvent e = new EvidenceEventDeserializationSchema().decode(eventTemplate());
      e.setEventId(ID_MARKER);
      e.getSrcEndpoint().setIp(IP_MARKER);
      e.setTime(Instant.ofEpochSecond(0, T0 * 1000));
      e.setStartTime(Instant.ofEpochSecond(0, (T0 + 1) * 1000));
      e.setEndTime(Instant.ofEpochSecond(0, (T0 + 2) * 1000));
      template = AvroCodec.of(EvidenceEvent.class).encode(e);
      id = find(ID_MARKER.getBytes(StandardCharsets.US_ASCII));
      ip = find(IP_MARKER.getBytes(StandardCharsets.US_ASCII)) - 1;
      ipEnd = ip + 1 + IP_MARKER.length();
      timeBytes = varint(T0).length;
      if (varint(T0 + SPAN + 60_000_000L).length != timeBytes) throw new IllegalStateException("time width");
      time = find(varint(T0));
      start = find(varint(T0 + 1));
      end = find(varint(T0 + 2));
    }

    /** Event j's wire bytes (n addresses). */
    byte[] wire(int j, int n) {
      long h = mix(j);
      int address = AddressDraw.address(h, n);
      long t = T0 + Math.floorMod(mix(h), SPAN);
      String id16 = Long.toHexString(h | Long.MIN_VALUE);
      byte[] addr = ip(address).getBytes(StandardCharsets.US_ASCII);
      byte[] out = new byte[template.length - IP_MARKER.length() + addr.length];
      System.arraycopy(template, 0, out, 0, ip);
      out[ip] = (byte) (addr.length << 1); // zigzag length, one byte below 64
      System.arraycopy(addr, 0, out, ip + 1, addr.length);
      System.arraycopy(template, ipEnd, out, ip + 1 + addr.length, template.length - ipEnd);
      int shift = addr.length - IP_MARKER.length();
      for (int r = 0; r < 4; r++) {
        for (int c = 0; c < 16; c++) out[shifted(id, shift) + r * 16 + c] = (byte) id16.charAt(c);
      }
      put(out, shifted(time, shift), t);
      put(out, shifted(start, shift), t);
      put(out, shifted(end, shift), t + 60_000_000L);
      return out;
    }

    private int shifted(int offset, int shift) {
      return offset > ip ? offset + shift : offset;
    }

    private void put(byte[] out, int at, long micros) {
      byte[] v = varint(micros);
      System.arraycopy(v, 0, out, at, timeBytes);
    }

    private int find(byte[] what) {
      int found = -1;
      for (int i = 0; i + what.length <= template.length; i++) {
        if (java.util.Arrays.equals(template, i, i + what.length, what, 0, what.length)) {
          if (found >= 0) throw new IllegalStateException("marker twice in the template");
          found = i;
        }
      }
      if (found < 0) throw new IllegalStateException("marker not in the template");
      return found;
    }

    private static byte[] varint(long v) {
      long z = (v << 1) ^ (v >> 63);
      byte[] b = new byte[10];
      int n = 0;
      while ((z & ~0x7FL) != 0) {
        b[n++] = (byte) ((z & 0x7F) | 0x80);
        z >>>= 7;
      }
      b[n++] = (byte) z;
      return java.util.Arrays.copyOf(b, n);
    }
  }

  static long mix(long x) {
    x = (x ^ (x >>> 33)) * 0xff51afd7ed558ccdL;
    x = (x ^ (x >>> 33)) * 0xc4ceb34fe63b9a53L;
    return x ^ (x >>> 33);
  }

  /** The probes of the events, computed once: keys per event, and the event times. */
  static final class Workload {
    final int n;
    final int events;
    final String[][] keys;
    final long[] times;

    Workload(int n, int events) {
      this.n = n;
      this.events = events;
      keys = new String[events][];
      times = new long[events];
      for (int j = 0; j < events; j++) {
        EvidenceEvent e = event(j, n);
        keys[j] = LookupKeys.probes(1, e, EnrichmentMerger.base(e)).toArray(new String[0]);
        times[j] = BindingExtractor.micros(e.getTime());
      }
    }

    long probes() {
      long p = 0;
      for (String[] k : keys) p += k.length;
      return p;
    }
  }

  interface Store {
    byte[] get(String key) throws Exception;
  }

  /** Decode, resolve, merge: what one event costs in LookupFunction + EnrichFunction (without Flink). */
  static long enrich(Store store, Workload w) throws Exception {
    long resolved = 0;
    for (int j = 0; j < w.events; j++) {
      String[] keys = w.keys[j];
      Map<String, List<Hit>> hits = new HashMap<>(4);
      for (String k : keys) {
        byte[] b = store.get(k);
        hits.put(k, b == null ? List.of() : KeyState.decode(b).resolve(w.times[j]));
      }
      Enrichment en = new Enrichment();
      en.setBindingIds(new ArrayList<>(1));
      en.setUnresolved(new ArrayList<>(0));
      en.setIncidentIds(new ArrayList<>(0));
      EnrichmentMerger.merge(en, List.of(keys), hits);
      if (en.getPodName() != null) resolved++;
    }
    return resolved;
  }

  static long baseline(Store store, Workload w) throws Exception {
    long found = 0;
    for (String[] keys : w.keys) {
      for (String k : keys) {
        if (store.get(k) != null) found++;
      }
    }
    return found;
  }

  /** The best round of a raw run: events/s of the enrichment loop and of the bare lookups, per CPU second. */
  record Figures(double enrichPerSec, double baselinePerSec) {}

  static Figures measure(Store store, Workload w, int rounds) throws Exception {
    double bestOurs = 0;
    double bestBase = 0;
    for (int round = 1; round <= rounds; round++) {
      long c0 = cpuNanos();
      long found = baseline(store, w);
      long c1 = cpuNanos();
      long resolved = enrich(store, w);
      long c2 = cpuNanos();
      double base = w.events / ((c1 - c0) / 1e9);
      double ours = w.events / ((c2 - c1) / 1e9);
      bestOurs = Math.max(bestOurs, ours);
      bestBase = Math.max(bestBase, base);
      System.out.printf(Locale.ROOT, "round %d: enrichment %,.0f events/s (%,.0f probes/s, %d resolved); baseline"
          + " bare lookup %,.0f events/s (%d keys found); ratio %.2f   [per CPU second of this thread]%n", round,
          ours, ours * w.probes() / w.events, resolved, base, found, ours / base);
    }
    return new Figures(bestOurs, bestBase);
  }

  static long cpuNanos() {
    return ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
  }

  // ------------------------------------------------------------------------------------------------- heap

  static Figures heap(Workload w, int rounds) throws Exception {
    int n = w.n;
    System.out.printf(Locale.ROOT, "%n== heap store, %,d bindings (%,d addresses, 2 keys each), %,d events%n",
        bindingCount(n), n, w.events);
    long used0 = usedHeap();
    Map<String, byte[]> map = new HashMap<>(n * 4);
    long blobBytes = 0;
    for (int i = 0; i < n; i++) {
      AddressState a = state(i);
      for (String k : a.keys()) {
        map.put(k, a.blob());
        blobBytes += a.blob().length;
      }
    }
    long used1 = usedHeap();
    long bindings = bindingCount(n);
    System.out.printf(Locale.ROOT, "state: %.1f blob bytes per binding and key (serialized KeyState), %.1f over its"
        + " 2 keys; heap %.0f MB in use for the map (%.0f bytes per binding incl. keys and Java map overhead)%n",
        blobBytes / 2.0 / bindings, blobBytes / (double) bindings, (used1 - used0) / 1e6,
        (used1 - used0) / (double) bindings);
    return measure(map::get, w, rounds);
  }

  static long usedHeap() {
    for (int i = 0; i < 3; i++) System.gc();
    Runtime r = Runtime.getRuntime();
    return r.totalMemory() - r.freeMemory();
  }

  // ---------------------------------------------------------------------------------------------- RocksDB

  /** Flink's RocksDB key of a String-keyed value state: key-group byte, the key (StringSerializer), the namespace. */
  static byte[] rocksKey(String key) throws Exception {
    DataOutputSerializer out = new DataOutputSerializer(64);
    out.writeByte(KeyGroupRangeAssignment.assignToKeyGroup(key, MAX_PARALLELISM));
    StringSerializer.INSTANCE.serialize(key, out);
    VoidNamespaceSerializer.INSTANCE.serialize(VoidNamespace.INSTANCE, out);
    return out.getCopyOfBuffer();
  }

  /** Flink's RocksDB value of a byte[] value state: length, then the bytes. */
  static byte[] rocksValue(byte[] blob) throws Exception {
    DataOutputSerializer out = new DataOutputSerializer(blob.length + 4);
    BytePrimitiveArraySerializer.INSTANCE.serialize(blob, out);
    return out.getCopyOfBuffer();
  }

  static byte[] fromRocksValue(byte[] v) throws Exception {
    return v == null ? null : BytePrimitiveArraySerializer.INSTANCE.deserialize(new DataInputDeserializer(v));
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  static Figures rocks(Workload w, int rounds, Path root, RocksDbSettings settings) throws Exception {
    RocksDB.loadLibrary();
    int n = w.n;
    Path dir = root.resolve("rocks-" + n);
    deleteTree(dir);
    Files.createDirectories(dir);
    System.out.printf(Locale.ROOT, "%n== RocksDB store, %,d bindings (%,d addresses, 2 keys each), %,d events, %s%n",
        bindingCount(n), n, w.events, dir);
    // the job's options, built by Flink's own code from the job's settings; the cache as Flink sizes it for a slot
    Configuration conf = Configuration.fromMap(settings.flinkProperties());
    RocksDBMemoryConfiguration mem = RocksDBMemoryConfiguration.fromConfiguration(conf);
    long slotMemory = settings.memoryPerSlot().getBytes();
    Object shared = RocksDBMemoryControllerUtils.allocateRocksDBSharedResources(slotMemory,
        mem.getWriteBufferRatio(), mem.getHighPriorityPoolRatio(), Boolean.TRUE.equals(mem.isUsingPartitionedIndexFilters()),
        RocksDBMemoryControllerUtils.RocksDBMemoryFactory.DEFAULT);
    OpaqueMemoryResource resource = new OpaqueMemoryResource(shared, slotMemory, () -> ((AutoCloseable) shared).close());
    System.out.printf(Locale.ROOT, "options: %s; managed memory %s -> block cache capacity %.0f MB%n",
        settings, settings.memoryPerSlot(),
        RocksDBMemoryControllerUtils.calculateActualCacheCapacity(slotMemory, mem.getWriteBufferRatio()) / 1e6);
    long blobBytes = 0;
    List<ColumnFamilyHandle> handles = new ArrayList<>();
    try (RocksDBResourceContainer container = new RocksDBResourceContainer(conf, PredefinedOptions.DEFAULT,
            new RocksDbSettings.PointLookupOptions(), resource, dir.toFile(), false)) {
      DBOptions dbo = container.getDbOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true);
      ColumnFamilyOptions cfo = container.getColumnOptions();
      List<ColumnFamilyDescriptor> cfs = List.of(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, cfo),
          new ColumnFamilyDescriptor("bindings".getBytes(StandardCharsets.UTF_8), cfo),
          new ColumnFamilyDescriptor("job-layout".getBytes(StandardCharsets.UTF_8), cfo));
      try (RocksDB db = RocksDB.open(dbo, dir.toString(), cfs, handles)) {
        ColumnFamilyHandle cf = handles.get(1);
        WriteOptions wo = container.getWriteOptions();
        ReadOptions ro = container.getReadOptions();
        long t0 = System.nanoTime();
        blobBytes = load(db, cf, wo, n, i -> {
          AddressState a = state(i);
          Map<String, byte[]> blobs = new java.util.LinkedHashMap<>();
          for (String k : a.keys()) blobs.put(k, a.blob());
          return blobs;
        })[1];
        long t1 = System.nanoTime();
        long bindings = bindingCount(n);
        long sst = sstBytes(dir);
        System.out.printf(Locale.ROOT, "loaded in %.1f s; state: %.1f blob bytes per binding and key, %.1f over its 2"
            + " keys; SST %.1f MB = %.1f bytes per binding (both keys, keys included, LZ4)%n", (t1 - t0) / 1e9,
            blobBytes / 2.0 / bindings, blobBytes / (double) bindings, sst / 1e6, sst / (double) bindings);
        System.out.println("tables: " + tableFigures(db.getProperty(cf, "rocksdb.aggregated-table-properties")));
        jobLayout(n, db, handles.get(2), wo);
        // read every entry once: the block cache then holds the whole working set, if it can
        long c0 = cpuNanos();
        long entries = 0;
        try (RocksIterator it = db.newIterator(cf, ro)) {
          for (it.seekToFirst(); it.isValid(); it.next()) entries++;
        }
        System.out.printf(Locale.ROOT, "warm-up: read all %,d entries in %.1f s CPU; block cache in use %.0f MB of"
            + " %.0f MB%n", entries, (cpuNanos() - c0) / 1e9, prop(db, cf, "rocksdb.block-cache-usage") / 1e6,
            prop(db, cf, "rocksdb.block-cache-capacity") / 1e6);
        Figures f = measure(k -> fromRocksValue(db.get(cf, ro, rocksKey(k))), w, rounds);
        if (MULTIGET > 0) multiGetGate(db, cf, ro, w, rounds, MULTIGET);
        System.out.printf(Locale.ROOT, "block cache: capacity %.0f MB, in use %.0f MB (pinned %.0f MB); table readers"
            + " outside the cache %.0f MB; memtables %.0f MB%n",
            prop(db, cf, "rocksdb.block-cache-capacity") / 1e6, prop(db, cf, "rocksdb.block-cache-usage") / 1e6,
            prop(db, cf, "rocksdb.block-cache-pinned-usage") / 1e6,
            prop(db, cf, "rocksdb.estimate-table-readers-mem") / 1e6,
            prop(db, cf, "rocksdb.cur-size-all-mem-tables") / 1e6);
        return f;
      } finally {
        handles.forEach(ColumnFamilyHandle::close);
        resource.close();
        deleteTree(dir);
      }
    }
  }

  /** {@code -Dstrata.bench.multiget=B}: also read the probes' keys with {@code multiGet} in batches of B (0: not). */
  static final int MULTIGET = Integer.getInteger("strata.bench.multiget", 0);

  /**
   * Would a batched read pay for resolve-1's bindings read? The events' probe keys (their Flink key bytes, built
   * before the clock starts) read one {@code get} each, then {@code multiGetAsList} over batches of {@code batch}
   * keys in event order, then the same batches sorted (key group, key: the state's order); thread CPU time, the best
   * of {@code rounds}, same keys, same run. Only the reads: no decode, no resolve.
   */
  static void multiGetGate(RocksDB db, ColumnFamilyHandle cf, ReadOptions ro, Workload w, int rounds, int batch)
      throws Exception {
    List<byte[]> keys = new ArrayList<>();
    for (String[] ks : w.keys) for (String k : ks) keys.add(rocksKey(k));
    List<ColumnFamilyHandle> cfs = java.util.Collections.nCopies(batch, cf);
    double bestGet = Double.MAX_VALUE;
    double bestMulti = Double.MAX_VALUE;
    double bestSorted = Double.MAX_VALUE;
    long sink = 0;
    for (int round = 1; round <= rounds; round++) {
      long c0 = cpuNanos();
      for (byte[] k : keys) {
        byte[] v = db.get(cf, ro, k);
        if (v != null) sink += v.length;
      }
      long c1 = cpuNanos();
      for (int from = 0; from < keys.size(); from += batch) {
        List<byte[]> part = keys.subList(from, Math.min(keys.size(), from + batch));
        for (byte[] v : db.multiGetAsList(ro, cfs.subList(0, part.size()), part)) if (v != null) sink += v.length;
      }
      long c2 = cpuNanos();
      for (int from = 0; from < keys.size(); from += batch) {
        List<byte[]> part = new ArrayList<>(keys.subList(from, Math.min(keys.size(), from + batch)));
        part.sort(java.util.Arrays::compareUnsigned);
        for (byte[] v : db.multiGetAsList(ro, cfs.subList(0, part.size()), part)) if (v != null) sink += v.length;
      }
      long c3 = cpuNanos();
      double n = keys.size();
      bestGet = Math.min(bestGet, (c1 - c0) / n);
      bestMulti = Math.min(bestMulti, (c2 - c1) / n);
      bestSorted = Math.min(bestSorted, (c3 - c2) / n);
      System.out.printf(Locale.ROOT, "multiGet gate round %d: get %.0f ns per key; multiGet of %d %.0f ns (%.2fx);"
          + " sorted multiGet %.0f ns (%.2fx)   [thread CPU, %,d keys]%n", round, (c1 - c0) / n, batch, (c2 - c1) / n,
          (c1 - c0) / (double) (c2 - c1), (c3 - c2) / n, (c1 - c0) / (double) (c3 - c2), keys.size());
    }
    System.out.printf(Locale.ROOT, "multiGet gate, best rounds: get %.0f ns per key, multiGet of %d %.0f ns (%.2fx),"
        + " sorted %.0f ns (%.2fx) (%d)%n", bestGet, batch, bestMulti, bestGet / bestMulti, bestSorted,
        bestGet / bestSorted, sink % 10);
  }

  /**
   * The state of resolve-1 as the job lays it out ({@link RouteBindings}: the keys each binding is stored under, and
   * what it stores there, the statements of one key merged as {@link KeyState#add} merges them), written to {@code
   * cf}, flushed and compacted: its keys, blob bytes and SST bytes per binding (the raw loops use the store above).
   */
  static void jobLayout(int n, RocksDB db, ColumnFamilyHandle cf, WriteOptions wo) throws Exception {
    RouteBindings route = new RouteBindings(1);
    long[] loaded = load(db, cf, wo, n, i -> {
      Map<String, KeyState> byKey = new java.util.LinkedHashMap<>();
      for (int g = 0; g < bindingsOf(i); g++) {
        List<KeyedBinding> routed = new ArrayList<>();
        route.flatMap(binding(i, g), new ListCollector<>(routed));
        for (KeyedBinding kb : routed) byKey.computeIfAbsent(kb.key(), k -> new KeyState()).add(
            KeyState.firstEntry(kb.entry()));
      }
      Map<String, byte[]> blobs = new java.util.LinkedHashMap<>();
      byKey.forEach((k, state) -> blobs.put(k, state.encode()));
      return blobs;
    });
    long keys = loaded[0];
    long blobBytes = loaded[1];
    long bindings = bindingCount(n);
    long sst = prop(db, cf, "rocksdb.total-sst-files-size");
    System.out.printf(Locale.ROOT, "the job's layout of resolve-1 (RouteBindings): %,d keys (%.2f per binding), %.1f"
        + " blob bytes per binding; SST %.1f MB = %.1f bytes per binding (keys included, LZ4)%n", keys,
        keys / (double) bindings, blobBytes / (double) bindings, sst / 1e6, sst / (double) bindings);
  }

  /** The keys of address i and the blob each holds, in one layout. */
  interface Layout {
    Map<String, byte[]> of(int address) throws Exception;
  }

  /** Writes the keys and blobs of every address into {@code cf}, flushes and compacts it: {keys, blob bytes}. */
  static long[] load(RocksDB db, ColumnFamilyHandle cf, WriteOptions wo, int n, Layout layout) throws Exception {
    long keys = 0;
    long blobBytes = 0;
    WriteBatch batch = new WriteBatch();
    for (int i = 0; i < n; i++) {
      for (Map.Entry<String, byte[]> e : layout.of(i).entrySet()) {
        batch.put(cf, rocksKey(e.getKey()), rocksValue(e.getValue()));
        keys++;
        blobBytes += e.getValue().length;
      }
      if (batch.count() >= 10_000) {
        db.write(wo, batch);
        batch.close();
        batch = new WriteBatch();
      }
    }
    db.write(wo, batch);
    batch.close();
    try (FlushOptions f = new FlushOptions().setWaitForFlush(true)) {
      db.flush(f, cf);
    }
    db.compactRange(cf);
    return new long[] {keys, blobBytes};
  }

  /** Entries, raw (uncompressed) key and value bytes, and block bytes on disk, from RocksDB's table properties. */
  static String tableFigures(String props) {
    StringBuilder out = new StringBuilder();
    for (String name : List.of("# entries", "raw key size", "raw value size", "data block size", "index block size",
        "filter block size")) {
      Matcher m = Pattern.compile(Pattern.quote(name) + "[^=;]*=\\s*(\\d+)").matcher(props);
      if (m.find()) {
        long v = Long.parseLong(m.group(1));
        out.append(out.length() == 0 ? "" : ", ").append(name).append(' ')
            .append(name.startsWith("#") ? String.format(Locale.ROOT, "%,d", v) : String.format(Locale.ROOT, "%.1f MB", v / 1e6));
      }
    }
    return out.toString();
  }

  static long prop(RocksDB db, ColumnFamilyHandle cf, String name) throws Exception {
    String v = db.getProperty(cf, name);
    return v == null || v.isBlank() ? -1 : Long.parseLong(v.trim());
  }

  static long sstBytes(Path dir) throws Exception {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(p -> p.toString().endsWith(".sst")).mapToLong(p -> p.toFile().length()).sum();
    }
  }

  static void deleteTree(Path p) throws Exception {
    if (!Files.exists(p)) return;
    try (Stream<Path> s = Files.walk(p)) {
      s.sorted(Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
    }
  }
}
