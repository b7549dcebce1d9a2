package dev.strata.job;

import dev.strata.job.serde.DeadLetterSerializationSchema;
import dev.strata.job.serde.EvidenceEventSerializationSchema;
import dev.strata.job.serde.RawInputDeserializationSchema;
import dev.strata.job.serde.StrataTypes;
import dev.strata.schema.deadletter.DeadLetter;
import dev.strata.sink.opensearch.BulkLoad;
import dev.strata.sink.opensearch.IndexTemplates;
import dev.strata.sink.opensearch.OpenSearchSink;
import dev.strata.schema.event.EvidenceEvent;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.NettyShuffleEnvironmentOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.lineage.KafkaDatasetFacetProvider;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.sink.KafkaSinkBuilder;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.LocalStreamEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The parse job: raw evidence chunks from Kafka -> parsers -> normalized events (Kafka, optionally OpenSearch) and
 * dead letters (Kafka, optionally OpenSearch).
 *
 * <pre>
 * source (evidence.raw.v1, RawInput) -> parse -> event-time --> normalized (evidence.normalized.v1, exactly-once)
 *                                          |                 \-> event index (OpenSearch strata-events-v1)
 *                                          \-- dead letters --> deadletter (evidence.deadletter.v1, exactly-once)
 *                                                           \-> dead-letter index (OpenSearch strata-deadletters-v1)
 * </pre>
 *
 * The graph is built by {@link #build}, which takes its source and sinks, so tests swap them. {@link #run} runs it on
 * a local MiniCluster, or on a remote cluster when {@code flink.rest.address} is set; {@link #main} is the entry
 * point for {@code flink run}.
 */
public final class ParseJob {
  public static final String JOB_NAME = "strata-parse";

  public static final String UID_SOURCE = "source-raw";
  public static final String UID_PARSE = "parse";
  public static final String UID_EVENT_TIME = "event-time";
  public static final String UID_SINK_NORMALIZED = "sink-normalized";
  public static final String UID_SINK_DEADLETTER = "sink-deadletter";
  public static final String UID_SINK_EVENT_INDEX = "sink-event-index";
  public static final String UID_SINK_DEADLETTER_INDEX = "sink-deadletter-index";

  /** Producer max.request.size: topics take records up to 8 MiB (a dead letter can carry a whole chunk). */
  public static final int MAX_REQUEST_BYTES = 8 * 1024 * 1024;

  private ParseJob() {}

  /** The parsed streams, for callers that attach more (tests, later correlation stages). */
  public record Pipeline(DataStream<EvidenceEvent> events, DataStream<DeadLetter> deadLetters) {}

  /** The Kafka sinks of the job. */
  public record KafkaSinks(KafkaSink<EvidenceEvent> normalized, KafkaSink<DeadLetter> deadLetters) {}

  /** The OpenSearch sinks of the job. */
  public record IndexSinks(Sink<EvidenceEvent> events, Sink<DeadLetter> deadLetters) {}

  // ------------------------------------------------------------------------------------------------------- graph

  /** Builds the graph reading {@code source}. */
  public static Pipeline build(
      StreamExecutionEnvironment env,
      Source<RawInput, ?, ?> source,
      WatermarkStrategy<EvidenceEvent> watermarks,
      Sink<EvidenceEvent> normalizedSink,
      Sink<DeadLetter> deadLetterSink,
      Optional<Sink<EvidenceEvent>> eventIndexSink,
      Optional<Sink<DeadLetter>> deadLetterIndexSink) {
    DataStream<RawInput> input =
        env.fromSource(source, WatermarkStrategy.noWatermarks(), "raw", StrataTypes.RAW_INPUT).uid(UID_SOURCE);
    return build(input, watermarks, normalizedSink, deadLetterSink, eventIndexSink, deadLetterIndexSink);
  }

  /** Builds the graph on {@code input} (e.g. {@code env.fromData(StrataTypes.RAW_INPUT, ...)} in tests). */
  public static Pipeline build(
      DataStream<RawInput> input,
      WatermarkStrategy<EvidenceEvent> watermarks,
      Sink<EvidenceEvent> normalizedSink,
      Sink<DeadLetter> deadLetterSink,
      Optional<Sink<EvidenceEvent>> eventIndexSink,
      Optional<Sink<DeadLetter>> deadLetterIndexSink) {
    return build(
        input,
        new ParseChunkFunction(),
        watermarks,
        normalizedSink,
        deadLetterSink,
        eventIndexSink,
        deadLetterIndexSink);
  }

  /** As above with the parse function given (e.g. with another parser registry). */
  public static Pipeline build(
      DataStream<RawInput> input,
      ParseChunkFunction parse,
      WatermarkStrategy<EvidenceEvent> watermarks,
      Sink<EvidenceEvent> normalizedSink,
      Sink<DeadLetter> deadLetterSink,
      Optional<Sink<EvidenceEvent>> eventIndexSink,
      Optional<Sink<DeadLetter>> deadLetterIndexSink) {
    Objects.requireNonNull(normalizedSink, "normalizedSink");
    Objects.requireNonNull(deadLetterSink, "deadLetterSink");
    SingleOutputStreamOperator<EvidenceEvent> parsed =
        input.process(parse, StrataTypes.EVIDENCE_EVENT).name("parse").uid(UID_PARSE);
    DataStream<DeadLetter> deadLetters = parsed.getSideOutput(ParseChunkFunction.DEAD_LETTERS);
    DataStream<EvidenceEvent> events =
        parsed.assignTimestampsAndWatermarks(watermarks).name("event-time").uid(UID_EVENT_TIME);

    events.sinkTo(normalizedSink).name("normalized").uid(UID_SINK_NORMALIZED);
    deadLetters.sinkTo(deadLetterSink).name("deadletter").uid(UID_SINK_DEADLETTER);
    eventIndexSink.ifPresent(s -> events.sinkTo(s).name("event-index").uid(UID_SINK_EVENT_INDEX));
    deadLetterIndexSink.ifPresent(
        s -> deadLetters.sinkTo(s).name("deadletter-index").uid(UID_SINK_DEADLETTER_INDEX));
    return new Pipeline(events, deadLetters);
  }

  /**
   * Event time = the event's {@code time} (micros, truncated to ms), bounded out-of-orderness, idle partitions do
   * not hold the watermark back.
   */
  public static WatermarkStrategy<EvidenceEvent> watermarks(Duration maxOutOfOrderness, Duration idleness) {
    return WatermarkStrategy.<EvidenceEvent>forBoundedOutOfOrderness(maxOutOfOrderness)
        .withTimestampAssigner((event, previous) -> eventTimeMillis(event, previous))
        .withIdleness(idleness);
  }

  public static WatermarkStrategy<EvidenceEvent> watermarks(ParseJobConfig cfg) {
    return watermarks(cfg.maxOutOfOrderness(), cfg.idleness());
  }

  static long eventTimeMillis(EvidenceEvent event, long previous) {
    Instant t = event.getTime();
    return t == null ? previous : t.toEpochMilli();
  }

  // ------------------------------------------------------------------------------------------- sources and sinks

  /** Reads the raw topic with {@link RawInputDeserializationSchema}; bounded at start-up's latest offsets if asked. */
  public static KafkaSource<RawInput> kafkaSource(ParseJobConfig cfg) {
    return KafkaSources.readCommitted(cfg.kafkaBootstrap(), cfg.rawTopic(), cfg.groupId(), cfg.startingOffsets(),
        cfg.bounded(), cfg.consumerProperties(), new RawInputDeserializationSchema());
  }

  /**
   * The normalized and dead-letter sinks. Exactly-once: Kafka transactions committed on checkpoints (prefixes
   * {@code <sink.transactional_id_prefix>-normalized} / {@code -deadletter}, transaction.timeout.ms from the
   * config); consumers must read with {@code isolation.level=read_committed}.
   */
  public static KafkaSinks kafkaSinks(ParseJobConfig cfg) {
    return new KafkaSinks(
        kafkaSink(cfg, "normalized", new EvidenceEventSerializationSchema(cfg.normalizedTopic())),
        kafkaSink(cfg, "deadletter", new DeadLetterSerializationSchema(cfg.deadLetterTopic())));
  }

  static <T, S extends KafkaRecordSerializationSchema<T> & KafkaDatasetFacetProvider> KafkaSink<T> kafkaSink(
      ParseJobConfig cfg,
      String name,
      S serializer) {
    Map<String, String> props = new LinkedHashMap<>();
    props.put("max.request.size", Integer.toString(MAX_REQUEST_BYTES));
    props.put("transaction.timeout.ms", Long.toString(cfg.transactionTimeout().toMillis()));
    props.put("batch.size", Integer.toString(256 * 1024));
    props.put("linger.ms", "20");
    // events are ~1 KB of mostly text (4x the raw line): compressing them keeps the broker from being the bottleneck
    props.put("compression.type", "lz4");
    props.put("client.id", cfg.transactionalIdPrefix() + "-" + name);
    props.putAll(cfg.producerProperties());
    KafkaSinkBuilder<T> b =
        KafkaSink.<T>builder()
            .setBootstrapServers(cfg.kafkaBootstrap())
            .setRecordSerializer(serializer)
            .setDeliveryGuarantee(cfg.deliveryGuarantee());
    if (cfg.deliveryGuarantee() == DeliveryGuarantee.EXACTLY_ONCE) {
      b.setTransactionalIdPrefix(cfg.transactionalIdPrefix() + "-" + name);
    }
    props.forEach(b::setProperty);
    return b.build();
  }

  /**
   * The OpenSearch sinks, if OpenSearch is on: events by event_id into {@code opensearch.index.events}, dead letters
   * by dead_letter_id into {@code opensearch.index.dead_letters} (documents rejected by OpenSearch become sink dead
   * letters in that index). Ids are deterministic, so replays overwrite instead of duplicating.
   */
  public static Optional<IndexSinks> openSearchSinks(ParseJobConfig cfg) {
    return cfg.openSearchConfig()
        .map(os -> new IndexSinks(OpenSearchSink.forEvents(os), OpenSearchSink.forDeadLetters(os)));
  }

  /** Installs the strata index templates and creates the indices (idempotent), if OpenSearch is on. */
  public static void prepareOpenSearch(ParseJobConfig cfg) throws IOException {
    if (cfg.openSearchEnabled()) {
      IndexTemplates.installAndCreate(cfg.openSearchConfig().orElseThrow());
    }
  }

  // --------------------------------------------------------------------------------------------------- running

  /** Builds the job on {@code env} with the Kafka source and the configured sinks (checkpointing on). */
  public static void buildFromConfig(StreamExecutionEnvironment env, ParseJobConfig cfg) {
    env.setParallelism(cfg.parallelism());
    env.enableCheckpointing(cfg.checkpointInterval().toMillis(), CheckpointingMode.EXACTLY_ONCE);
    // No operator keeps references to its input, so records pass between chained operators without a copy.
    env.getConfig().enableObjectReuse();
    KafkaSinks kafka = kafkaSinks(cfg);
    Optional<IndexSinks> index = openSearchSinks(cfg);
    build(
        env,
        kafkaSource(cfg),
        watermarks(cfg),
        kafka.normalized(),
        kafka.deadLetters(),
        index.map(IndexSinks::events),
        index.map(IndexSinks::deadLetters));
  }

  /**
   * Runs the job and waits for it to end: on a local MiniCluster (small memory settings, fits a 1 GB heap), or on
   * the remote cluster named by {@code flink.rest.address}. Unbounded jobs run until cancelled.
   */
  public static ParseJobResult run(ParseJobConfig cfg) throws Exception {
    return run(environment(cfg), cfg);
  }

  /** Runs the job on {@code env} (e.g. the context environment of {@code flink run}). */
  public static ParseJobResult run(StreamExecutionEnvironment env, ParseJobConfig cfg) throws Exception {
    prepareOpenSearch(cfg);
    buildFromConfig(env, cfg);
    try (AutoCloseable load = bulkLoad(cfg)) {
      JobExecutionResult result = env.execute(JOB_NAME);
      return ParseJobResult.from(result);
    }
  }

  /**
   * A bounded run with OpenSearch on is a bulk load ({@link BulkLoad}): the event and dead-letter indices refresh at
   * {@code opensearch.bulk_refresh_interval} while it runs and are refreshed when it ends. Unbounded runs keep
   * {@code opensearch.refresh_interval}.
   */
  static AutoCloseable bulkLoad(ParseJobConfig cfg) throws IOException {
    if (!cfg.bounded() || cfg.openSearchConfig().isEmpty()) {
      return () -> {};
    }
    return BulkLoad.start(cfg.openSearchConfig().get());
  }

  /** The environment {@link #run(ParseJobConfig)} uses. */
  public static StreamExecutionEnvironment environment(ParseJobConfig cfg) {
    Configuration conf = Configuration.fromMap(cfg.flinkProperties());
    Optional<String> rest = cfg.flinkRestAddress();
    if (rest.isPresent()) {
      String host = rest.get();
      int port = conf.get(RestOptions.PORT);
      int colon = host.lastIndexOf(':');
      if (colon > 0 && host.indexOf(']') < colon) {
        port = Integer.parseInt(host.substring(colon + 1));
        host = host.substring(0, colon);
      }
      String[] jars =
          conf.getOptional(PipelineOptions.JARS).isPresent() ? new String[0] : new String[] {jobJar()};
      return StreamExecutionEnvironment.createRemoteEnvironment(host, port, conf, jars);
    }
    localMemoryDefaults(conf);
    return StreamExecutionEnvironment.createLocalEnvironment(cfg.parallelism(), conf);
  }

  /**
   * Defaults of the in-process MiniCluster: small memory (no managed-memory operators, everything chained), and a
   * patient partition request: a task asks its upstream task's partition and retries with a growing backoff until
   * {@code taskmanager.network.request-backoff.max}; Flink's 10 s gives up (PartitionNotFoundException, the job
   * restarts or a bounded run fails) when the machine is so loaded that the upstream task takes longer to deploy, as
   * seen once in a test run at load 100 on two cores.
   */
  public static void localMemoryDefaults(Configuration conf) {
    setIfAbsent(conf, TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.parse("16m"));
    setIfAbsent(conf, TaskManagerOptions.NETWORK_MEMORY_MIN, MemorySize.parse("32m"));
    setIfAbsent(conf, TaskManagerOptions.NETWORK_MEMORY_MAX, MemorySize.parse("32m"));
    setIfAbsent(conf, NettyShuffleEnvironmentOptions.NETWORK_REQUEST_BACKOFF_MAX, LOCAL_PARTITION_REQUEST_BACKOFF_MAX_MS);
  }

  /** {@code taskmanager.network.request-backoff.max} of the local MiniCluster (ms; Flink's default is 10,000). */
  public static final int LOCAL_PARTITION_REQUEST_BACKOFF_MAX_MS = 120_000;

  private static <T> void setIfAbsent(
      Configuration conf, org.apache.flink.configuration.ConfigOption<T> option, T value) {
    if (!conf.contains(option)) {
      conf.set(option, value);
    }
  }

  /** The jar this class was loaded from: the job jar to ship to a remote cluster. */
  static String jobJar() {
    try {
      Path p = Path.of(ParseJob.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      if (Files.isRegularFile(p) && p.toString().endsWith(".jar")) {
        return p.toString();
      }
      throw new IllegalArgumentException(
          "flink.rest.address: the job classes are not in a jar ("
              + p
              + "); build strata-jobs-*-job.jar and set flink.pipeline.jars to it");
    } catch (URISyntaxException | SecurityException e) {
      throw new IllegalStateException("cannot locate the job jar", e);
    }
  }

  /**
   * Entry point for {@code flink run} and {@code java -cp}: settings as {@code key=value} (or {@code --key=value},
   * {@code --key value}) over the environment variables of {@link ParseJobConfig#ENV_KEYS}.
   */
  public static void main(String[] args) throws Exception {
    ParseJobConfig cfg = ParseJobConfig.fromEnv(System.getenv(), parseArgs(args));
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    ParseJobResult result =
        env instanceof LocalStreamEnvironment && cfg.flinkRestAddress().isEmpty()
            ? run(cfg) // plain java: our local settings
            : run(env instanceof LocalStreamEnvironment ? environment(cfg) : env, cfg);
    System.out.println(result.summary());
  }

  static Map<String, String> parseArgs(String[] args) {
    Map<String, String> m = new LinkedHashMap<>();
    List<String> list = List.of(args);
    for (int i = 0; i < list.size(); i++) {
      String a = list.get(i);
      String s = a.startsWith("--") ? a.substring(2) : a;
      int eq = s.indexOf('=');
      if (eq > 0) {
        m.put(s.substring(0, eq), s.substring(eq + 1));
      } else if (a.startsWith("--") && i + 1 < list.size()) {
        m.put(s, list.get(++i));
      } else {
        throw new IllegalArgumentException("argument '" + a + "': expected key=value");
      }
    }
    return m;
  }

}
