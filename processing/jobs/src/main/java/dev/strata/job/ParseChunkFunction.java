package dev.strata.job;

import dev.strata.job.serde.StrataTypes;
import dev.strata.parse.ChunkOutput;
import dev.strata.parse.ChunkParser;
import dev.strata.parse.ParserRegistry;
import dev.strata.schema.deadletter.DeadLetter;
import dev.strata.schema.event.EvidenceEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.apache.flink.util.function.SerializableSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Parses raw chunks into evidence events (main output) and dead letters ({@link #DEAD_LETTERS} side output).
 *
 * <p>Never fails the job on input: undecodable records become {@code undecodable_record} dead letters; parser
 * rejections and parser exceptions are dead letters made by {@link ChunkParser}; and if parsing a chunk throws
 * anyway (an Error such as a LinkageError or AssertionError, or a bug in ChunkParser), this function is the last
 * resort: the chunk's output so far is dropped and the whole chunk becomes one {@code parser_error} dead letter.
 * A chunk's output is buffered and emitted when the chunk is done, so that last resort never leaves a chunk both
 * partly emitted and dead-lettered. A bug therefore never puts the job into a restart loop.
 *
 * <p>Metrics (operator group): {@code chunksIn}, {@code undecodableIn}, {@code eventsOut}, {@code deadLettersOut},
 * and {@code deadLetters.<reason>}. The same counts are kept as accumulators for {@link ParseJobResult}.
 */
public final class ParseChunkFunction extends ProcessFunction<RawInput, EvidenceEvent> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(ParseChunkFunction.class);

  /** Side output of dead letters. */
  public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("dead-letters", StrataTypes.DEAD_LETTER);

  public static final String ACC_RECORDS_IN = "strata.parse.records_in";
  public static final String ACC_CHUNKS_IN = "strata.parse.chunks_in";
  public static final String ACC_EVENTS_OUT = "strata.parse.events_out";
  public static final String ACC_DEAD_LETTERS_PREFIX = "strata.parse.dead_letters.";

  /** Reason codes are a bounded set; past this many distinct codes, counts go to "other". */
  private static final int MAX_REASON_COUNTERS = 64;

  private final SerializableSupplier<ParserRegistry> registry;

  private transient ChunkParser parser;
  private transient Buffer buffer;
  private transient LongCounter accRecords;
  private transient LongCounter accChunks;
  private transient LongCounter accEvents;
  private transient Counter chunksIn;
  private transient Counter undecodableIn;
  private transient Counter eventsOut;
  private transient Counter deadLettersOut;
  private transient MetricGroup reasonGroup;
  private transient Map<String, ReasonCount> byReason;

  /** With {@link ParserRegistry#defaults()}. */
  public ParseChunkFunction() {
    this(ParserRegistry::defaults);
  }

  /** With the registry {@code registry} makes in {@link #open} (one per parallel instance). */
  public ParseChunkFunction(SerializableSupplier<ParserRegistry> registry) {
    this.registry = Objects.requireNonNull(registry, "registry");
  }

  @Override
  public void open(OpenContext openContext) {
    parser = new ChunkParser(registry.get());
    buffer = new Buffer();
    accRecords = counter(ACC_RECORDS_IN);
    accChunks = counter(ACC_CHUNKS_IN);
    accEvents = counter(ACC_EVENTS_OUT);
    MetricGroup metrics = getRuntimeContext().getMetricGroup();
    chunksIn = metrics.counter("chunksIn");
    undecodableIn = metrics.counter("undecodableIn");
    eventsOut = metrics.counter("eventsOut");
    deadLettersOut = metrics.counter("deadLettersOut");
    reasonGroup = metrics.addGroup("deadLetters");
    byReason = new HashMap<>();
  }

  private LongCounter counter(String name) {
    // created on first use and registered with the job; merged over parallel instances at the end
    return getRuntimeContext().getLongCounter(name);
  }

  @Override
  public void processElement(RawInput in, Context ctx, Collector<EvidenceEvent> out) {
    accRecords.add(1L);
    if (!in.isChunk()) {
      undecodableIn.inc();
      LOG.warn("undecodable record {}-{}@{} ({} bytes)", in.topic(), in.partition(), in.offset(), in.original().length);
      deadLetter(JobDeadLetters.undecodable(in), ctx);
      return;
    }
    accChunks.add(1L);
    chunksIn.inc();
    buffer.clear();
    try {
      parser.parse(in.chunk(), buffer);
    } catch (RuntimeException | LinkageError | AssertionError | StackOverflowError e) {
      LOG.error(
          "parsing chunk {} of artifact {} threw; dead-lettering the whole chunk",
          in.chunk().getChunk().getIndex(),
          in.chunk().getArtifactSha256(),
          e);
      buffer.clear();
      deadLetter(JobDeadLetters.parserError(in.chunk(), e), ctx);
      return;
    }
    for (EvidenceEvent e : buffer.events) {
      out.collect(e);
    }
    accEvents.add(buffer.events.size());
    eventsOut.inc(buffer.events.size());
    for (DeadLetter dl : buffer.deadLetters) {
      deadLetter(dl, ctx);
    }
    buffer.clear();
  }

  private void deadLetter(DeadLetter dl, Context ctx) {
    ctx.output(DEAD_LETTERS, dl);
    deadLettersOut.inc();
    String reason = dl.getReason() == null ? "unknown" : dl.getReason();
    ReasonCount c = byReason.get(reason);
    if (c == null) {
      String name = byReason.size() < MAX_REASON_COUNTERS ? reason : "other";
      c = byReason.computeIfAbsent(name, n -> new ReasonCount(reasonGroup.counter(n), counter(ACC_DEAD_LETTERS_PREFIX + n)));
    }
    c.metric.inc();
    c.acc.add(1L);
  }

  private record ReasonCount(Counter metric, LongCounter acc) {}

  /** Collects one chunk's output. */
  private static final class Buffer implements ChunkOutput {
    final List<EvidenceEvent> events = new ArrayList<>();
    final List<DeadLetter> deadLetters = new ArrayList<>();

    @Override
    public void event(EvidenceEvent event) {
      events.add(Objects.requireNonNull(event, "ChunkParser emitted a null event"));
    }

    @Override
    public void deadLetter(DeadLetter deadLetter) {
      deadLetters.add(Objects.requireNonNull(deadLetter, "ChunkParser emitted a null dead letter"));
    }

    void clear() {
      events.clear();
      deadLetters.clear();
    }
  }
}
