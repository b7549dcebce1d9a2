package dev.strata.job;

import dev.strata.correlate.BindingFacts;
import dev.strata.correlate.LatenessBounds;
import dev.strata.correlate.LookupKeys;
import dev.strata.job.correlate.BindingArchiveSink;
import dev.strata.job.correlate.CloseContainerBindings;
import dev.strata.job.correlate.JoinSandboxPods;
import dev.strata.job.correlate.JoinDockerSocketClients;
import dev.strata.job.correlate.JoinImdsFetches;
import dev.strata.job.correlate.JoinNodeInstances;
import dev.strata.job.correlate.JoinSessionPods;
import dev.strata.job.correlate.JoinCreatedKeys;
import dev.strata.job.correlate.JoinStatementsKeptOnce;
import dev.strata.job.correlate.JoinSessionChains;
import dev.strata.job.correlate.JoinNodeClusters;
import dev.strata.job.correlate.JoinContainerSandboxes;
import dev.strata.job.correlate.EnrichRequest;
import dev.strata.job.correlate.EnrichedEvent;
import dev.strata.job.correlate.GatherFunction;
import dev.strata.job.correlate.InFlight;
import dev.strata.job.correlate.EmitEnriched;
import dev.strata.job.correlate.Reemission;
import dev.strata.job.correlate.ExtractBindings;
import dev.strata.job.correlate.KeyedBinding;
import dev.strata.job.correlate.LookupFunction;
import dev.strata.job.correlate.MergeBindings;
import dev.strata.job.correlate.NormalizedEvents;
import dev.strata.job.correlate.Probe;
import dev.strata.job.correlate.ProbeKeys;
import dev.strata.job.correlate.Resolution;
import dev.strata.job.correlate.RouteBindings;
import dev.strata.job.correlate.SourcedEvent;
import dev.strata.job.serde.AvroCodecTypeInfo;
import dev.strata.job.serde.EntityBindingSerializationSchema;
import dev.strata.job.serde.EnrichedEventSerializationSchema;
import dev.strata.job.serde.StrataTypes;
import dev.strata.schema.correlate.EntityBinding;
import dev.strata.sink.s3.S3EvidenceStore;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.sink.opensearch.Generations;
import dev.strata.sink.opensearch.IndexTemplates;
import dev.strata.sink.opensearch.OpenSearchConnection;
import dev.strata.sink.opensearch.OpenSearchSink;
import dev.strata.sink.opensearch.OpenSearchSinkConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The correlation job: normalized events -> entity bindings -> events enriched, at their own time, with the entities
 * they belong to.
 *
 * <pre>
 * evidence.normalized.v1 -> event-time -+-> extract-bindings --route (per hop)----------------------+
 *                                       |                                                          v
 *                                       +-> requests -> probes-1 --keyBy(state key)--> resolve-1 (bindings + probes)
 *                                       |     | one state key: the probe carries the request; resolve-1 answers it
 *                                       |     | several: the request, keyBy(event id) -> gather-1 <- answers
 *                                       |     | no key: skip
 *                                       |     +-> each of those request streams -> probes-2 (chained) ... hop 3
 *                                       |     +-> each stream of finished requests -> emit-enriched (chained): the
 *                                       |         first result -> the enriched event; later ones --keyBy(event id)--> reemit
 *                  emit-enriched, reemit (wire bytes) -> evidence.enriched.v1; -> decode-enriched -> strata-events-v1
 *                       extract-bindings -> keyBy(kind|subject) -> merge-bindings (statements -> facts)
 *                                                   -> evidence.bindings.v1, strata-bindings-v1
 * </pre>
 *
 * <p>Bindings reach the lookups as the statement they store ({@link KeyedBinding}: converted once by {@code
 * route-bindings-N}, not the binding record).
 *
 * <p>State keys ({@link LookupKeys#stateKey}): the scopes of one address (account:VPC, account, cluster, host) share
 * one state key, each binding held there with the scopes it was stated for and each scope's intervals independent
 * (the same for a service account in its cluster and account scopes), so an event asks an address once and a hop
 * whose keys are one address needs no gather.
 *
 * <p>Three hops ({@link LookupKeys#probes}): 1 = the event's own ids (container, private IPs scoped by account/VPC
 * and cluster, ENI, instance, access key, role session); 2 = what hop 1 found (pod -> node and service account,
 * container found through an IP -> pod, instance -> node, image -> SBOM); 3 = service account -> IAM role. Bindings
 * denormalize what their evidence knows (an ip -> pod binding from the API server carries namespace, uid, node and
 * service account), so most events resolve fully at hop 1 or 2, and a pod or service account key whose bindings could
 * fill nothing that is not known yet is not asked ({@link LookupKeys#fillable}): a flow record whose address binding
 * came from the API server skips hop 2 (no shuffle, no state), a role known from an STS session skips hop 3.
 *
 * <p>Late evidence: a binding that changes the answer for an event already emitted makes the lookup re-answer it and
 * {@code reemit} ({@link Reemission}) emit it again with {@code enrichment.revision} + 1 (same event_id; Kafka
 * consumers keep the highest revision, OpenSearch writes with external version = this run's generation and revision
 * + 1, {@code external_gte}: {@link Generations}, so a later run's answers replace an earlier run's). How long events
 * and closed intervals are kept: {@link LatenessBounds} (bounded mode: the whole run). The hops carry {@link
 * EnrichRequest}s, which carry the event as wire bytes (without its enrichment: the normalized record's own bytes when
 * they are, {@link SourcedEvent#value}, else encoded once by {@code requests}) to wherever the request's path ends:
 * there {@link EmitEnriched} appends the first result's enrichment to those bytes and emits the enriched event's wire
 * bytes ({@link EnrichedEvent}; no shuffle, no per-event state): the Kafka sink writes them as they are; only the
 * OpenSearch index decodes them ({@code decode-enriched}). State keeps, of an event read from the normalized topic,
 * only its partition and offset there (the probe registrations, complete gathers), and {@code reemit} reads the event
 * back from the topic for the rare re-emission ({@link NormalizedEvents}: the topic's retention must cover the lateness
 * retention; events of other sources keep their bytes). The gathers keep an event's state on the heap while it is in
 * flight and write it to keyed state once complete or before a checkpoint barrier ({@link InFlight}), complete state
 * (and the lookups' probe registrations) in batches, in the state's key order. Stateful operators have fixed uids
 * ({@code resolve-N}, {@code gather-N}, {@code reemit}); checkpointing is on; {@code correlate.state_backend=rocksdb}
 * for large fleets.
 */
public final class CorrelateJob {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(CorrelateJob.class);
  public static final String JOB_NAME = "strata-correlate";
  public static final int HOPS = LookupKeys.HOPS;

  public static final String UID_SOURCE = "source-normalized";
  public static final String UID_EVENT_TIME = "event-time";
  public static final String UID_EXTRACT = "extract-bindings";
  public static final String UID_MERGE_BINDINGS = "merge-bindings";
  public static final String UID_REQUESTS = "requests";
  public static final String UID_EMIT_ENRICHED = "emit-enriched";
  public static final String UID_REEMIT = "reemit";
  public static final String UID_EVENTS = "events";
  public static final String UID_DECODE_ENRICHED = "decode-enriched";
  public static final String UID_SINK_ENRICHED = "sink-enriched";
  public static final String UID_SINK_BINDINGS = "sink-bindings";
  public static final String UID_SINK_EVENT_INDEX = "sink-enriched-index";
  public static final String UID_SINK_BINDING_INDEX = "sink-binding-index";
  public static final String UID_SINK_BINDING_ARCHIVE = "sink-binding-archive";

  /** Statements kept per binding subject by {@link MergeBindings} (beyond it, pure restatements are dropped). */
  public static final int MAX_STATEMENTS_PER_SUBJECT = 256;

  public static final TypeInformation<EntityBinding> BINDING = new AvroCodecTypeInfo<>(EntityBinding.class);

  private CorrelateJob() {}

  /**
   * The job's two outputs: the enriched events as the wire bytes of the enriched topic ({@link EnrichedEvent}), and
   * the bindings.
   */
  public record Outputs(DataStream<EnrichedEvent> enrichedWire, DataStream<EntityBinding> bindings) {
    /** The enriched events decoded ({@code decode-enriched}: a new operator per call, so call it once). */
    public DataStream<EvidenceEvent> enriched() {
      return enrichedWire.map(new EnrichedEvent.Decode(), StrataTypes.EVIDENCE_EVENT).name("decode-enriched")
          .uid(UID_DECODE_ENRICHED);
    }
  }

  /**
   * Correlation state settings, and the organisation's own public ranges ({@code incident.known_cidrs}: calls from
   * there are inside for the joins that ask "from outside", {@link JoinImdsFetches}).
   *
   * @param bindingsCacheBytes the bytes of the cache in front of each lookup instance's bindings ({@code
   *     correlate.bindings.cache.bytes}, {@link dev.strata.job.correlate.BindingCache}); 0: none
   * @param writeThroughCacheBytes the bytes of hop 1's write-through cache in its place there ({@code
   *     correlate.bindings.cache.write_through.bytes}); 0: none (hop 1 reads through like the other hops)
   */
  public record StateSettings(LatenessBounds lateness, Duration closedTtl, int maxBindingsPerKey,
      dev.strata.correlate.KnownCidrs knownCidrs, long bindingsCacheBytes, long writeThroughCacheBytes) {
    public StateSettings {
      if (knownCidrs == null) knownCidrs = dev.strata.correlate.KnownCidrs.NONE;
    }

    public StateSettings(LatenessBounds lateness, Duration closedTtl, int maxBindingsPerKey,
        dev.strata.correlate.KnownCidrs knownCidrs, long bindingsCacheBytes) {
      this(lateness, closedTtl, maxBindingsPerKey, knownCidrs, bindingsCacheBytes, 0);
    }

    public StateSettings(LatenessBounds lateness, Duration closedTtl, int maxBindingsPerKey,
        dev.strata.correlate.KnownCidrs knownCidrs) {
      this(lateness, closedTtl, maxBindingsPerKey, knownCidrs, LookupFunction.DEFAULT_CACHE_BYTES);
    }

    public StateSettings(LatenessBounds lateness, Duration closedTtl, int maxBindingsPerKey) {
      this(lateness, closedTtl, maxBindingsPerKey, dev.strata.correlate.KnownCidrs.NONE);
    }

    public static StateSettings of(CorrelateJobConfig cfg) {
      return new StateSettings(cfg.latenessBounds(), cfg.closedTtl(), cfg.maxBindingsPerKey(), cfg.knownCidrs(),
          cfg.rocksDb().bindingsCache().getBytes(), cfg.rocksDb().writeThroughCache().getBytes());
    }

    /** The same with the organisation's own ranges. */
    public StateSettings withKnownCidrs(dev.strata.correlate.KnownCidrs known) {
      return new StateSettings(lateness, closedTtl, maxBindingsPerKey, known, bindingsCacheBytes,
          writeThroughCacheBytes);
    }

    /** The same with a bindings cache of {@code bytes} per lookup instance (0: none). */
    public StateSettings withBindingsCache(long bytes) {
      return new StateSettings(lateness, closedTtl, maxBindingsPerKey, knownCidrs, bytes, writeThroughCacheBytes);
    }

    /** The same with hop 1's cache write-through, of {@code bytes} per instance (0: read-through as the others). */
    public StateSettings withWriteThroughCache(long bytes) {
      return new StateSettings(lateness, closedTtl, maxBindingsPerKey, knownCidrs, bindingsCacheBytes, bytes);
    }

    /** Bounded runs (tests, offline bundles): keep everything until the input ends. */
    public static StateSettings bounded() {
      return new StateSettings(LatenessBounds.unbounded(), Duration.ofHours(1), 64);
    }
  }

  // ------------------------------------------------------------------------------------------------------- graph

  /**
   * Builds the correlation on {@code events}, which carry event-time timestamps and watermarks (the hops keep the
   * bytes of the events they registered, for a re-emission).
   */
  public static Outputs build(DataStream<EvidenceEvent> events, StateSettings s) {
    return build(events, events.map(new EnrichRequest.Of(), EnrichRequest.TYPE).name("requests").uid(UID_REQUESTS),
        s, null);
  }

  /**
   * Builds the correlation on events read from the normalized topic with their coordinates there ({@code sourced},
   * with event-time timestamps and watermarks): the hops keep, of an event they registered, only its coordinates, and
   * {@code reemit} reads it back from {@code topic} for a re-emission ({@link Reemission}).
   */
  public static Outputs build(DataStream<SourcedEvent> sourced, StateSettings s, NormalizedEvents.Factory topic) {
    DataStream<EvidenceEvent> events =
        sourced.map(SourcedEvent::event, StrataTypes.EVIDENCE_EVENT).name("events").uid(UID_EVENTS);
    return build(events, requestsOf(sourced, topic), s, topic);
  }

  private static Outputs build(DataStream<EvidenceEvent> events, DataStream<EnrichRequest> requests, StateSettings s,
      NormalizedEvents.Factory topic) {
    long retention = s.lateness().retentionMillis();
    long ttl = s.closedTtl().toMillis();
    DataStream<EntityBinding> extracted =
        events.flatMap(new ExtractBindings(s.knownCidrs()), BINDING).name("extract-bindings").uid(UID_EXTRACT);
    // the binding joins, each reading what the ones before it added (sandbox pods -> container ends -> sessions ->
    // the keys they created -> IMDS fetches -> Docker socket clients -> nodes' instances): the statements the evidence
    // implies beyond what each event states
    // a sandbox's pod through one of its app containers (the audit's containerStatuses + containerd's CreateContainer)
    extracted = JoinContainerSandboxes.attach(extracted, BINDING, retention, ttl);
    DataStream<EntityBinding> stated = JoinSandboxPods.attach(events, extracted, BINDING, retention, ttl);
    stated = CloseContainerBindings.attach(events, stated, BINDING, retention, ttl);
    stated = JoinSessionPods.attach(stated, BINDING, retention, ttl);
    stated = JoinSessionChains.attach(stated, BINDING, retention, ttl); // role chaining: the chained session's pod
    stated = JoinCreatedKeys.attach(stated, BINDING, retention, ttl);
    // a created key's deletion / deactivation; a terminated instance's interfaces, addresses
    stated = JoinStatementsKeptOnce.attach(JoinStatementsKeptOnce.Rule.KEY_STATUS, stated, BINDING, retention, ttl);
    stated = JoinStatementsKeptOnce.attach(JoinStatementsKeptOnce.Rule.INSTANCE_ENDS, stated, BINDING, retention, ttl);
    stated = JoinImdsFetches.attach(stated, BINDING, retention, ttl, s.knownCidrs());
    stated = JoinDockerSocketClients.attach(stated, BINDING, retention, ttl);
    stated = JoinNodeClusters.attach(stated, BINDING, retention, ttl); // a clusterless node's cluster from EC2 tags
    JoinNodeInstances.Joined nodes = JoinNodeInstances.attach(stated, BINDING, retention, ttl);
    DataStream<EnrichedEvent> enriched = enrichRequests(requests, nodes.lookups(), s, topic).events();
    DataStream<EntityBinding> facts =
        nodes.facts().keyBy(BindingFacts::subjectKey, Types.STRING)
            .process(new MergeBindings(retention, ttl, MAX_STATEMENTS_PER_SUBJECT), BINDING)
            .name("merge-bindings")
            .uid(UID_MERGE_BINDINGS);
    return new Outputs(enriched, facts);
  }

  /**
   * The enrichment: {@code events} -> requests (id, time, what the event names itself, its hop-1 keys, and the event's
   * wire bytes) -> hops 1..3 ({@link #hop}) -> at the end of each request's path, the enriched event ({@link
   * EmitEnriched}: its first result, no shuffle, no per-event state); results of late evidence -> keyBy(event id) ->
   * {@code reemit} ({@link Reemission}) -> the event again at the next revision.
   */
  public static Enriched enrich(
      DataStream<EvidenceEvent> events, DataStream<EntityBinding> stated, StateSettings s) {
    return enrichRequests(events.map(new EnrichRequest.Of(), EnrichRequest.TYPE).name("requests").uid(UID_REQUESTS),
        withNodeInstances(stated, s), s, null);
  }

  /**
   * {@code stated} (statements as the extractor gives them) with the pods' and addresses' statements restated with
   * their nodes' instances ({@link JoinNodeInstances}), as {@link #build} gives the lookups: what the lookups need so
   * that an event that found its node through a statement asks no node key.
   */
  private static DataStream<EntityBinding> withNodeInstances(DataStream<EntityBinding> stated, StateSettings s) {
    return JoinNodeInstances.attach(stated, BINDING, s.lateness().retentionMillis(), s.closedTtl().toMillis())
        .lookups();
  }

  /**
   * {@link #enrich(DataStream, DataStream, StateSettings)} of events read with their coordinates in the normalized
   * topic: the hops keep those instead of an event's bytes for a re-resolution, and {@code reemit} reads the event
   * back from {@code topic} (null: the bytes are kept).
   */
  public static Enriched enrich(DataStream<SourcedEvent> sourced, DataStream<EntityBinding> stated, StateSettings s,
      NormalizedEvents.Factory topic) {
    return enrichRequests(requestsOf(sourced, topic), withNodeInstances(stated, s), s, topic);
  }

  /** The requests of events with their coordinates, which they keep only if there is a {@code topic} to read. */
  private static DataStream<EnrichRequest> requestsOf(DataStream<SourcedEvent> sourced, NormalizedEvents.Factory topic) {
    return sourced.map(new EnrichRequest.OfSourced(topic != null), EnrichRequest.TYPE).name("requests")
        .uid(UID_REQUESTS);
  }

  private static Enriched enrichRequests(DataStream<EnrichRequest> entering, DataStream<EntityBinding> stated,
      StateSettings s, NormalizedEvents.Factory topic) {
    List<DataStream<EnrichRequest>> requests = List.of(entering);
    DataStream<String> accepted = null;
    for (int hop = 1; hop <= HOPS; hop++) {
      Hop h = hop(hop, requests, stated, s, topic);
      requests = h.requests();
      accepted = accepted == null ? h.accepted() : accepted.union(h.accepted());
    }
    // the first result of each event is emitted where its path ends (chained: no shuffle, no state); the results of
    // late evidence go to reemit, keyed by event id, which numbers their revisions
    List<DataStream<EnrichedEvent>> emitted = new ArrayList<>();
    List<DataStream<EnrichRequest>> later = new ArrayList<>();
    for (int i = 0; i < requests.size(); i++) {
      String uid = UID_EMIT_ENRICHED + (i == 0 ? "" : "-" + i);
      SingleOutputStreamOperator<EnrichedEvent> first =
          requests.get(i).process(new EmitEnriched(), EnrichedEvent.TYPE).name(uid).uid(uid);
      emitted.add(first);
      later.add(first.getSideOutput(EmitEnriched.REEMIT));
    }
    emitted.add(union(later).keyBy(EnrichRequest::eventId, Types.STRING)
        .process(new Reemission(s.lateness().retentionMillis(), topic), EnrichedEvent.TYPE)
        .name(UID_REEMIT)
        .uid(UID_REEMIT));
    return new Enriched(union(emitted), accepted);
  }

  /**
   * The enriched events, and the state key of the primary lookup key of each binding the lookups accepted (each
   * binding once: what the benchmark counts to know the state is loaded; the job's bindings outputs are
   * merge-bindings' facts).
   */
  public record Enriched(DataStream<EnrichedEvent> events, DataStream<String> accepted) {}

  /**
   * What one hop yields: the streams of requests with what it found (its gather's, and those of each input it
   * skipped: kept apart, so the next hop's {@link ProbeKeys} chains to each of them instead of reading a union across
   * a task boundary), the primary keys of the bindings its lookup accepted.
   */
  public record Hop(List<DataStream<EnrichRequest>> requests, DataStream<String> accepted) {}

  /**
   * Hop {@code hop}: each request stream -> probes-N (chained to it; requests without a key at this hop pass straight
   * on) -> keyBy(state key) -> resolve-N (holding the {@code stated} bindings this hop looks up) -> the requests
   * whose keys at this hop have one state key, answered by resolve-N itself; the answers to requests with several
   * state keys -> keyBy(event id) -> gather-N -> those requests with what this hop found.
   */
  public static Hop hop(
      int hop, List<DataStream<EnrichRequest>> requests, DataStream<EntityBinding> stated, StateSettings s) {
    return hop(hop, requests, stated, s, null);
  }

  /**
   * {@link #hop(int, List, DataStream, StateSettings)} whose lookup reads an event back from {@code topic} (null:
   * none) when a late binding may change the answer of an event that hop 1 registered by its coordinates only
   * ({@link LookupFunction}).
   */
  public static Hop hop(int hop, List<DataStream<EnrichRequest>> requests, DataStream<EntityBinding> stated,
      StateSettings s, NormalizedEvents.Factory topic) {
    long retention = s.lateness().retentionMillis();
    DataStream<KeyedBinding> routed =
        stated.flatMap(new RouteBindings(hop), KeyedBinding.TYPE).name("route-bindings-" + hop)
            .uid("route-bindings-" + hop);
    List<DataStream<Probe>> probes = new ArrayList<>();
    List<DataStream<EnrichRequest>> waiting = new ArrayList<>();
    List<DataStream<EnrichRequest>> next = new ArrayList<>();
    for (int i = 0; i < requests.size(); i++) {
      String uid = "probes-" + hop + (i == 0 ? "" : "-" + i);
      SingleOutputStreamOperator<Probe> p =
          requests.get(i).process(new ProbeKeys(hop), Probe.TYPE).name(uid).uid(uid);
      probes.add(p);
      waiting.add(p.getSideOutput(ProbeKeys.WAITING));
      next.add(p.getSideOutput(ProbeKeys.SKIPPED));
    }
    SingleOutputStreamOperator<Resolution> answers =
        union(probes).keyBy(Probe::key, Types.STRING)
            .connect(routed.keyBy(KeyedBinding::key, Types.STRING))
            .transform("resolve-" + hop, Resolution.TYPE, new InFlight.Operator<>(
                hop == 1 && s.writeThroughCacheBytes() > 0
                    ? new LookupFunction(hop, retention, s.closedTtl().toMillis(), s.maxBindingsPerKey(), topic,
                        s.writeThroughCacheBytes(), true)
                    : new LookupFunction(hop, retention, s.closedTtl().toMillis(), s.maxBindingsPerKey(), topic,
                        s.bindingsCacheBytes())))
            .name("resolve-" + hop)
            .uid("resolve-" + hop);
    DataStream<EnrichRequest> gathered =
        union(waiting).keyBy(EnrichRequest::eventId, Types.STRING)
            .connect(answers.keyBy(Resolution::eventId, Types.STRING))
            .transform("gather-" + hop, EnrichRequest.TYPE, new InFlight.Operator<>(new GatherFunction(hop, retention)))
            .name("gather-" + hop)
            .uid("gather-" + hop);
    next.add(0, gathered);
    next.add(1, answers.getSideOutput(LookupFunction.ANSWERED));
    return new Hop(next, answers.getSideOutput(LookupFunction.ACCEPTED));
  }

  /** One stream of {@code streams} (a union is free in front of a keyBy: the shuffle reads every input anyway). */
  @SuppressWarnings("unchecked")
  private static <T> DataStream<T> union(List<DataStream<T>> streams) {
    DataStream<T> first = streams.get(0);
    return streams.size() == 1 ? first : first.union(streams.subList(1, streams.size()).toArray(new DataStream[0]));
  }

  /**
   * Reads {@code source} (the normalized topic: events with their coordinates, which the hops keep instead of
   * an emitted event's bytes, reading it back from {@code topic} for a re-emission), assigns event time, builds the
   * correlation and attaches the sinks.
   */
  public static Outputs build(
      StreamExecutionEnvironment env,
      org.apache.flink.api.connector.source.Source<SourcedEvent, ?, ?> source,
      NormalizedEvents.Factory topic,
      WatermarkStrategy<EvidenceEvent> watermarks,
      StateSettings settings,
      Sink<EnrichedEvent> enrichedSink,
      Sink<EntityBinding> bindingsSink,
      Optional<Sink<EvidenceEvent>> eventIndexSink,
      Optional<Sink<EntityBinding>> bindingIndexSink) {
    Objects.requireNonNull(enrichedSink, "enrichedSink");
    Objects.requireNonNull(bindingsSink, "bindingsSink");
    DataStream<SourcedEvent> events =
        env.fromSource(source, WatermarkStrategy.noWatermarks(), "normalized", SourcedEvent.TYPE)
            .uid(UID_SOURCE)
            .assignTimestampsAndWatermarks(SourcedEvent.watermarks(watermarks))
            .name("event-time")
            .uid(UID_EVENT_TIME);
    Outputs o = build(events, settings, topic);
    o.enrichedWire().sinkTo(enrichedSink).name("enriched").uid(UID_SINK_ENRICHED);
    o.bindings().sinkTo(bindingsSink).name("bindings").uid(UID_SINK_BINDINGS);
    eventIndexSink.ifPresent(s -> o.enriched().sinkTo(s).name("enriched-index").uid(UID_SINK_EVENT_INDEX));
    bindingIndexSink.ifPresent(s -> o.bindings().sinkTo(s).name("binding-index").uid(UID_SINK_BINDING_INDEX));
    return o;
  }

  // ------------------------------------------------------------------------------------------- sources and sinks

  /**
   * Reads the normalized topic (read_committed), each event with its partition and offset; bounded at start-up's
   * latest offsets if asked.
   */
  public static KafkaSource<SourcedEvent> kafkaSource(CorrelateJobConfig cfg) {
    ParseJobConfig c = cfg.common();
    return KafkaSources.readCommitted(c.kafkaBootstrap(), c.normalizedTopic(), c.groupId(), c.startingOffsets(),
        c.bounded(), c.consumerProperties(), new SourcedEvent.Deserializer());
  }

  /**
   * The normalized topic as {@code reemit} reads events back for a re-emission (the source's consumer
   * properties; its retention must cover the lateness retention: docs/correlation.md).
   */
  public static NormalizedEvents.Factory normalizedEvents(CorrelateJobConfig cfg) {
    ParseJobConfig c = cfg.common();
    return NormalizedEvents.kafka(c.kafkaBootstrap(), c.normalizedTopic(), c.consumerProperties(),
        c.groupId() + "-reemit");
  }

  /** The enriched topic: the enriched events' wire bytes as {@code emit-enriched} and {@code reemit} assembled them. */
  public static KafkaSink<EnrichedEvent> enrichedKafkaSink(CorrelateJobConfig cfg) {
    return ParseJob.kafkaSink(cfg.common(), "enriched", new EnrichedEventSerializationSchema(cfg.enrichedTopic()));
  }

  public static KafkaSink<EntityBinding> bindingsKafkaSink(CorrelateJobConfig cfg) {
    return ParseJob.kafkaSink(cfg.common(), "bindings", new EntityBindingSerializationSchema(cfg.bindingsTopic()));
  }

  /** Installs the index templates and creates the events and bindings indices (idempotent), if OpenSearch is on. */
  public static void prepareOpenSearch(CorrelateJobConfig cfg) throws IOException {
    Optional<OpenSearchSinkConfig> os = cfg.common().openSearchConfig();
    if (os.isEmpty()) return;
    try (OpenSearchConnection c = OpenSearchConnection.open(os.get())) {
      IndexTemplates t = IndexTemplates.of(os.get());
      t.install(c.generic());
      t.createIndices(c.generic(), os.get().eventsIndex(), os.get().deadLettersIndex(), cfg.bindingsIndex());
    }
  }

  // --------------------------------------------------------------------------------------------------- running

  /** Builds the job on {@code env} from the config (Kafka source, Kafka + OpenSearch sinks, checkpointing on). */
  public static void buildFromConfig(StreamExecutionEnvironment env, CorrelateJobConfig cfg) {
    ParseJobConfig c = cfg.common();
    env.setParallelism(c.parallelism());
    env.enableCheckpointing(c.checkpointInterval().toMillis(), CheckpointingMode.EXACTLY_ONCE);
    enableObjectReuse(env);
    Optional<OpenSearchSinkConfig> os = c.openSearchConfig();
    long generation = Generations.next(); // this run's documents replace every earlier run's (see Generations)
    Outputs o = build(
        env,
        kafkaSource(cfg),
        normalizedEvents(cfg),
        ParseJob.watermarks(c),
        StateSettings.of(cfg),
        enrichedKafkaSink(cfg),
        bindingsKafkaSink(cfg),
        os.map(o1 -> OpenSearchSink.forEnrichedEvents(o1, generation)),
        os.map(o2 -> OpenSearchSink.forBindings(o2, cfg.bindingsIndex(), generation)));
    cfg.archiveConfig().ifPresent(s3 ->
        o.bindings().sinkTo(new BindingArchiveSink(s3)).name("binding-archive").uid(UID_SINK_BINDING_ARCHIVE));
  }

  /** Runs the job until it ends (bounded) or is cancelled: local MiniCluster, or flink.rest.address. */
  public static JobExecutionResult run(CorrelateJobConfig cfg) throws Exception {
    prepareOpenSearch(cfg);
    if (cfg.archiveConfig().isPresent()) {
      try (S3EvidenceStore store = S3EvidenceStore.create(cfg.archiveConfig().get())) {
        store.ensureBucket();
      }
    }
    warnIfNormalizedRetentionIsShort(cfg);
    StreamExecutionEnvironment env = environment(cfg);
    buildFromConfig(env, cfg);
    return env.execute(JOB_NAME);
  }

  /**
   * {@code reemit} reads an event back from the normalized topic for a re-emission ({@link NormalizedEvents}): a
   * warning at start when the topic's retention does not cover the lateness retention (the job still runs: most
   * events are never re-emitted, and one that cannot be is counted and logged).
   */
  static void warnIfNormalizedRetentionIsShort(CorrelateJobConfig cfg) {
    ParseJobConfig c = cfg.common();
    try {
      NormalizedEvents.retentionProblem(c.kafkaBootstrap(), c.normalizedTopic(), c.consumerProperties(),
          cfg.latenessBounds().retentionMillis()).ifPresent(p -> LOG.warn("{}", p));
    } catch (Exception e) {
      LOG.warn("could not check the retention of {} (re-emissions read events back from it): {}", c.normalizedTopic(),
          e.toString());
    }
  }

  /**
   * Records pass between chained operators without a copy (a copy of an event is an Avro deep copy): no operator
   * of this job modifies a record it received or emitted ({@link EmitEnriched} and {@link Reemission} emit new wire
   * bytes; {@link Reemission} sets the revision only of an enrichment it received through its keyed exchange, {@link
   * EmitEnriched} copies one whose revision is not 0 already; the gathers and lookups copy the enrichment they merge
   * into).
   */
  static void enableObjectReuse(StreamExecutionEnvironment env) {
    env.getConfig().enableObjectReuse();
  }

  /** The environment: {@link ParseJob#environment} with the state backend of the config. */
  public static StreamExecutionEnvironment environment(CorrelateJobConfig cfg) {
    ParseJobConfig.Builder b = cfg.common().toBuilder();
    Map<String, String> flink = new LinkedHashMap<>(cfg.common().flinkProperties());
    if (cfg.stateBackend() == CorrelateJobConfig.StateBackend.ROCKSDB) {
      cfg.rocksDb().flinkProperties().forEach(flink::putIfAbsent);
      if (cfg.common().flinkRestAddress().isEmpty()) {
        // the local MiniCluster: one slot per parallel instance, each with the configured managed memory
        flink.putIfAbsent("taskmanager.memory.managed.size", cfg.rocksDb().managedMemory(cfg.common().parallelism()));
      }
    } else {
      flink.putIfAbsent("state.backend.type", "hashmap");
    }
    if (cfg.common().flinkRestAddress().isEmpty()) {
      // the local MiniCluster: the graph's keyed exchanges (the binding joins, the hops) need more network buffers
      // than the parse job's 32m (1,024 buffers ran out at parallelism 2 with session 17's joins: the job could not
      // deploy and restarted forever)
      flink.putIfAbsent("taskmanager.memory.network.min", "64m");
      flink.putIfAbsent("taskmanager.memory.network.max", "64m");
    }
    StreamExecutionEnvironment env = ParseJob.environment(b.flinkProperties(flink).build());
    enableObjectReuse(env);
    return env;
  }

  /** Entry point: settings as {@code key=value} arguments over the environment (see {@link CorrelateJobConfig}). */
  public static void main(String[] args) throws Exception {
    Map<String, String> overrides = new LinkedHashMap<>();
    for (String a : args) {
      String s = a.startsWith("--") ? a.substring(2) : a;
      int eq = s.indexOf('=');
      if (eq <= 0) throw new IllegalArgumentException("expected key=value: " + a);
      overrides.put(s.substring(0, eq), s.substring(eq + 1));
    }
    JobExecutionResult r = run(CorrelateJobConfig.fromEnv(System.getenv(), overrides));
    System.out.println(JOB_NAME + " finished: job " + r.getJobID() + " in " + r.getNetRuntime() + " ms");
  }
}
