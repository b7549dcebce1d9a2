package dev.strata.job.incident;

import dev.strata.job.KafkaSources;
import dev.strata.job.ParseJob;
import dev.strata.job.serde.AvroCodecTypeInfo;
import dev.strata.job.serde.EvidenceEventDeserializationSchema;
import dev.strata.job.serde.StrataTypes;
import dev.strata.schema.correlate.Incident;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.sink.opensearch.DocWriteRequest;
import dev.strata.sink.opensearch.DocumentMapper;
import dev.strata.sink.opensearch.IncidentDocuments;
import dev.strata.sink.opensearch.IndexTemplates;
import dev.strata.sink.opensearch.OpenSearchConnection;
import dev.strata.sink.opensearch.OpenSearchSink;
import dev.strata.sink.opensearch.OpenSearchSinkConfig;
import dev.strata.sink.s3.S3EvidenceStore;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.sink.KafkaSinkBuilder;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The incident job: evidence events -> incidents.
 *
 * <pre>
 * source (evidence.normalized.v1 or evidence.enriched.v1) -> event-time -> keyBy(tenant) -> group (IncidentFunction)
 *   -> link across tenants (LinkIncidents: shared sessions, access keys, IAM principals)
 *   -> evidence.incidents.v1 (Incident, key incident_id, exactly-once)
 *   -> OpenSearch strata-incidents-v1 (doc id incident_id: the newest revision)
 *   -> keyBy(incident id) -> timeline rows (TimelineRows: rows, deletions of rows whose members left)
 *      -> OpenSearch strata-timeline-v1 (doc id incident_id:event_id)
 *   -> S3 incidents/&lt;id&gt;/&lt;revision&gt;.json
 * </pre>
 *
 * Signals, grouping and stages: {@link SignalRules}, {@link IncidentGrouper}, {@link EntityKeys}. The graph is built
 * by {@link #build}, which takes its source and sinks, so tests swap them.
 */
public final class IncidentJob {
  public static final String JOB_NAME = "strata-incident";
  public static final String UID_SOURCE = "incident-source";
  public static final String UID_EVENT_TIME = "incident-event-time";
  public static final String UID_GROUP = "incident-group";
  public static final String UID_LINK = "incident-link";
  public static final String UID_SINK_KAFKA = "incident-sink-kafka";
  public static final String UID_SINK_INDEX = "incident-sink-index";
  public static final String UID_TIMELINE_ROWS = "incident-timeline-rows";
  public static final String UID_SINK_TIMELINE = "incident-sink-timeline";
  public static final String UID_SINK_ARCHIVE = "incident-sink-archive";

  public static final TypeInformation<Incident> INCIDENT = new AvroCodecTypeInfo<>(Incident.class);

  private IncidentJob() {}

  /** Optional sinks besides the Kafka topic. */
  public record Outputs(
      Optional<Sink<Incident>> incidentIndex, Optional<Sink<DocWriteRequest>> timelineIndex,
      Optional<Sink<Incident>> archive, String timelineIndexName) {
    public static Outputs none() {
      return new Outputs(Optional.empty(), Optional.empty(), Optional.empty(), IndexTemplates.TIMELINE_INDEX);
    }
  }

  /** Builds the graph on {@code events}; returns the incident stream. */
  public static DataStream<Incident> build(
      DataStream<EvidenceEvent> events,
      WatermarkStrategy<EvidenceEvent> watermarks,
      IncidentSettings settings,
      java.time.Duration flushInterval,
      Sink<Incident> incidentSink,
      Outputs outputs) {
    return build(events, watermarks, settings, flushInterval, incidentSink, outputs, null);
  }

  /**
   * Builds the graph on {@code events}; {@code laneClocks} non-null: incidents are sealed by event time per tenant and
   * collection run ({@link LaneClocks}) instead of the operator's watermark (which still drives the linker).
   */
  public static DataStream<Incident> build(
      DataStream<EvidenceEvent> events,
      WatermarkStrategy<EvidenceEvent> watermarks,
      IncidentSettings settings,
      java.time.Duration flushInterval,
      Sink<Incident> incidentSink,
      Outputs outputs,
      LaneClocks laneClocks) {
    Objects.requireNonNull(incidentSink, "incidentSink");
    SingleOutputStreamOperator<Incident> incidents =
        events.assignTimestampsAndWatermarks(watermarks).name("event-time").uid(UID_EVENT_TIME)
            .keyBy(EntityKeys::tenant, TypeInformation.of(String.class))
            .process(new IncidentFunction(settings, flushInterval, laneClocks), INCIDENT)
            .name("group-incidents").uid(UID_GROUP)
            .keyBy(i -> LinkIncidents.KEY, TypeInformation.of(String.class))
            .process(new LinkIncidents(settings, laneClocks), INCIDENT)
            .name("link-incidents").uid(UID_LINK);
    incidents.sinkTo(incidentSink).name("incidents").uid(UID_SINK_KAFKA);
    outputs.incidentIndex().ifPresent(s -> incidents.sinkTo(s).name("incident-index").uid(UID_SINK_INDEX));
    outputs.timelineIndex().ifPresent(s -> {
      String index = outputs.timelineIndexName();
      incidents
          .keyBy(Incident::getIncidentId, TypeInformation.of(String.class))
          .process(new TimelineRows(index, settings), TypeInformation.of(DocWriteRequest.class))
          .name("timeline-rows").uid(UID_TIMELINE_ROWS)
          .sinkTo(s).name("timeline-index").uid(UID_SINK_TIMELINE);
    });
    outputs.archive().ifPresent(s -> incidents.sinkTo(s).name("incident-archive").uid(UID_SINK_ARCHIVE));
    return incidents;
  }

  public static KafkaSource<EvidenceEvent> kafkaSource(IncidentJobConfig cfg) {
    return KafkaSources.readCommitted(cfg.kafkaBootstrap(), cfg.inputTopic(), cfg.groupId(), cfg.startingOffsets(),
        cfg.bounded(), props(cfg, "consumer."), new EvidenceEventDeserializationSchema());
  }

  public static KafkaSink<Incident> kafkaSink(IncidentJobConfig cfg) {
    Map<String, String> props = new LinkedHashMap<>();
    props.put("max.request.size", Integer.toString(ParseJob.MAX_REQUEST_BYTES));
    props.put("transaction.timeout.ms", Long.toString(cfg.transactionTimeout().toMillis()));
    props.put("compression.type", "lz4");
    props.put("client.id", cfg.transactionalIdPrefix());
    props.putAll(props(cfg, "producer."));
    KafkaSinkBuilder<Incident> b = KafkaSink.<Incident>builder()
        .setBootstrapServers(cfg.kafkaBootstrap())
        .setRecordSerializer(new IncidentSerializationSchema(cfg.incidentsTopic()))
        .setDeliveryGuarantee(cfg.deliveryGuarantee());
    if (cfg.deliveryGuarantee() == DeliveryGuarantee.EXACTLY_ONCE) b.setTransactionalIdPrefix(cfg.transactionalIdPrefix());
    props.forEach(b::setProperty);
    return b.build();
  }

  private static Map<String, String> props(IncidentJobConfig cfg, String only) {
    Map<String, String> out = new LinkedHashMap<>();
    cfg.kafkaProperties().forEach((k, v) -> {
      if (k.startsWith(only)) out.put(k.substring(only.length()), v);
      else if (!k.startsWith("consumer.") && !k.startsWith("producer.")) out.put(k, v);
    });
    return out;
  }

  /** The index and archive sinks the config turns on. */
  public static Outputs outputs(IncidentJobConfig cfg) {
    Optional<OpenSearchSinkConfig> os = cfg.openSearchConfig();
    return new Outputs(
        os.map(c -> OpenSearchSink.<Incident>builder().config(c).mapper(new IncidentDocuments(cfg.incidentsIndex())).build()),
        os.map(c -> OpenSearchSink.<DocWriteRequest>builder().config(c).mapper(DocumentMapper.passThrough()).build()),
        cfg.s3Config().map(IncidentArchiveSink::new),
        cfg.timelineIndex());
  }

  /** Installs the templates and creates the incident and timeline indices; creates the bucket (idempotent). */
  public static void prepare(IncidentJobConfig cfg) throws IOException {
    if (cfg.openSearch() != null) {
      try (OpenSearchConnection c = OpenSearchConnection.open(cfg.openSearch())) {
        IndexTemplates t = IndexTemplates.of(cfg.openSearch());
        t.install(c.generic());
        t.createIndices(c.generic(), cfg.incidentsIndex(), cfg.timelineIndex());
      }
    }
    if (cfg.s3() != null) {
      try (S3EvidenceStore store = S3EvidenceStore.create(cfg.s3())) {
        store.ensureBucket();
      }
    }
  }

  public static void buildFromConfig(StreamExecutionEnvironment env, IncidentJobConfig cfg) {
    if (!cfg.settings().sigmaRules().rules().isEmpty() || !cfg.settings().sigmaRules().unsupported().isEmpty()) {
      org.slf4j.LoggerFactory.getLogger(IncidentJob.class).info("incident.sigma_rules: {}", cfg.settings().sigmaRules().summary());
    }
    env.setParallelism(cfg.parallelism());
    env.enableCheckpointing(cfg.checkpointInterval().toMillis(), CheckpointingMode.EXACTLY_ONCE);
    Source<EvidenceEvent, ?, ?> source = kafkaSource(cfg);
    DataStream<EvidenceEvent> events =
        env.fromSource(source, WatermarkStrategy.noWatermarks(), "events", StrataTypes.EVIDENCE_EVENT).uid(UID_SOURCE);
    build(events, watermarks(cfg), cfg.settings(), cfg.flushInterval(), kafkaSink(cfg), outputs(cfg), laneClocks(cfg));
  }

  /**
   * Streaming runs seal incidents by event time per tenant and collection run ({@link LaneClocks}): one run's old
   * evidence (a replay of last week's bundle) neither seals nor keeps open another run's incidents. Bounded runs: none
   * (nothing is sealed before the input ends).
   */
  static LaneClocks laneClocks(IncidentJobConfig cfg) {
    return cfg.bounded() ? null
        : LaneClocks.of(cfg.maxOutOfOrderness(), cfg.maxAheadOfClock(), cfg.idleness(), cfg.settings().retention());
  }

  /**
   * Event time of the grouping: none in a bounded run, which then seals and drops nothing before its input ends (the
   * end of a bounded input is the MAX watermark: the final flush). An offline bundle's evidence has any age and any
   * order, and one event stamped later than the rest -- a file's modification time (the collection day's, or a
   * timestomped one), a clock-skewed node -- would move the watermark past every incident of the bundle, sealing each
   * right after its first signal: the demo's one incident came out as eight (IncidentEngineWatermarkTest). Streaming
   * runs keep {@code watermark.max_out_of_orderness}, and an event more than {@code watermark.max_ahead_of_clock}
   * after the wall clock does not move the watermark ({@link ClockBoundedWatermarks}).
   */
  static WatermarkStrategy<EvidenceEvent> watermarks(IncidentJobConfig cfg) {
    return cfg.bounded() ? WatermarkStrategy.noWatermarks()
        : ClockBoundedWatermarks.of(cfg.maxOutOfOrderness(), cfg.maxAheadOfClock(), cfg.idleness());
  }

  /** Runs on a local MiniCluster and waits (bounded jobs end; unbounded ones run until cancelled). */
  public static JobExecutionResult run(IncidentJobConfig cfg) throws Exception {
    prepare(cfg);
    Configuration conf = Configuration.fromMap(cfg.flinkProperties());
    dev.strata.job.ParseJob.localMemoryDefaults(conf);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(cfg.parallelism(), conf);
    buildFromConfig(env, cfg);
    return env.execute(JOB_NAME);
  }
}
