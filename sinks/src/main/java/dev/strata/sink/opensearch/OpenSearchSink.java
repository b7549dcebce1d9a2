package dev.strata.sink.opensearch;

import dev.strata.schema.correlate.EntityBinding;
import dev.strata.schema.deadletter.DeadLetter;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.raw.ArtifactManifest;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.base.sink.AsyncSinkBase;
import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.connector.base.sink.writer.ElementConverter;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * Flink sink (Sink V2, on {@link AsyncSinkBase}) that writes records to OpenSearch with {@code _bulk} requests.
 *
 * <ul>
 *   <li>Each record becomes one {@link DocWriteRequest} through a {@link DocumentMapper}; the bulk op is
 *       {@code index} with the mapper's deterministic id, so retries and replays (after a restart from a
 *       checkpoint) overwrite the same document and never duplicate. ({@code create} + "409 = success" would also
 *       be idempotent, but would keep stale documents when a fixed parser re-processes evidence.)
 *   <li>Buffered documents are part of the checkpoint; a checkpoint waits for in-flight requests (at-least-once,
 *       effectively exactly-once in the index thanks to the ids).
 *   <li>Items are classified by {@link OpenSearchFailureClassifier}: transient ones are retried with exponential
 *       backoff and full jitter, at most {@code opensearch.retry.max_attempts} times, then the job fails;
 *       permanent ones go to the {@link PermanentFailureHandler} (default: a dead letter in the dead-letter
 *       index); fatal ones fail the job.
 *   <li>Back-pressure: at most {@code max_in_flight_requests} requests per subtask and {@code
 *       max_buffered_requests} buffered documents.
 *   <li>Metrics (per subtask): {@code indexed}, {@code retried}, {@code permanentFailures}, {@code deadLetters}.
 * </ul>
 *
 * <p>Install the index templates first ({@link IndexTemplates#install}); the sink does not create mappings.
 */
public final class OpenSearchSink<T> extends AsyncSinkBase<T, DocWriteRequest> {
  private static final long serialVersionUID = 1L;

  private final OpenSearchSinkConfig config;
  private final PermanentFailureHandler failureHandler;

  private OpenSearchSink(DocumentMapper<T> mapper, OpenSearchSinkConfig config, PermanentFailureHandler handler) {
    super(new DocumentConverter<>(mapper, config.maxRecordBytes(), config.deadLettersIndex()), config.maxBatchSize(), config.maxInFlightRequests(),
        config.maxBufferedRequests(), config.maxBatchBytes(), config.maxTimeInBuffer().toMillis(),
        config.maxRecordBytes(), config.requestTimeout().toMillis(), false);
    this.config = config;
    this.failureHandler = handler;
  }

  /** Events into {@code config.eventsIndex()}, dead letters into {@code config.deadLettersIndex()}. */
  public static OpenSearchSink<EvidenceEvent> forEvents(OpenSearchSinkConfig config) {
    return OpenSearchSink.<EvidenceEvent>builder().config(config)
        .mapper(new EventDocuments(config.eventsIndex())).build();
  }

  /**
   * Enriched events of correlation run {@code generation} ({@link Generations}) into {@code config.eventsIndex()},
   * externally versioned by generation and enrichment revision (see {@link EventDocuments#version(long, long)}).
   */
  public static OpenSearchSink<EvidenceEvent> forEnrichedEvents(OpenSearchSinkConfig config, long generation) {
    return OpenSearchSink.<EvidenceEvent>builder().config(config)
        .mapper(new EventDocuments(config.eventsIndex(), true, generation)).build();
  }

  /** Entity bindings of correlation run {@code generation} into {@code index}, by binding_id. */
  public static OpenSearchSink<EntityBinding> forBindings(OpenSearchSinkConfig config, String index, long generation) {
    return OpenSearchSink.<EntityBinding>builder().config(config).mapper(new BindingDocuments(index, generation))
        .build();
  }

  /** Dead letters (from any stage) into {@code config.deadLettersIndex()}. */
  public static OpenSearchSink<DeadLetter> forDeadLetters(OpenSearchSinkConfig config) {
    return OpenSearchSink.<DeadLetter>builder().config(config)
        .mapper(new DeadLetterDocuments(config.deadLettersIndex())).build();
  }

  /** Artifact manifests into {@code config.artifactsIndex()}. */
  public static OpenSearchSink<ArtifactManifest> forArtifacts(OpenSearchSinkConfig config) {
    return OpenSearchSink.<ArtifactManifest>builder().config(config)
        .mapper(new ArtifactDocuments(config.artifactsIndex())).build();
  }

  public static <T> Builder<T> builder() {
    return new Builder<>();
  }

  public OpenSearchSinkConfig config() {
    return config;
  }

  @Override
  public SinkWriter<T> createWriter(WriterInitContext context) {
    return new OpenSearchSinkWriter<>(getElementConverter(), context, config, failureHandler, List.of());
  }

  @Override
  public StatefulSinkWriter<T, BufferedRequestState<DocWriteRequest>> restoreWriter(
      WriterInitContext context, Collection<BufferedRequestState<DocWriteRequest>> recoveredState) {
    return new OpenSearchSinkWriter<>(getElementConverter(), context, config, failureHandler, recoveredState);
  }

  @Override
  public SimpleVersionedSerializer<BufferedRequestState<DocWriteRequest>> getWriterStateSerializer() {
    return new DocWriteRequestSerializer();
  }

  /**
   * Record to request entry, through the mapper. A document larger than {@code max_record_bytes} becomes a dead
   * letter (reason {@code record_too_large}) instead: the base writer would otherwise fail the job on it, and a
   * restart would meet it again.
   */
  static final class DocumentConverter<T> implements ElementConverter<T, DocWriteRequest> {
    private static final long serialVersionUID = 1L;
    private final DocumentMapper<T> mapper;
    private final long maxRecordBytes;
    private final String deadLettersIndex;

    DocumentConverter(DocumentMapper<T> mapper, long maxRecordBytes, String deadLettersIndex) {
      this.mapper = mapper;
      this.maxRecordBytes = maxRecordBytes;
      this.deadLettersIndex = deadLettersIndex;
    }

    @Override
    public DocWriteRequest apply(T element, SinkWriter.Context context) {
      return SinkDeadLetters.guardSize(mapper.toRequest(element), maxRecordBytes, deadLettersIndex);
    }
  }

  /** Builder; {@link #build()} validates. */
  public static final class Builder<T> {
    private OpenSearchSinkConfig config;
    private DocumentMapper<T> mapper;
    private PermanentFailureHandler failureHandler;

    private Builder() {}

    public Builder<T> config(OpenSearchSinkConfig v) {
      config = Objects.requireNonNull(v, "config");
      return this;
    }

    public Builder<T> mapper(DocumentMapper<T> v) {
      mapper = Objects.requireNonNull(v, "mapper");
      return this;
    }

    /** Default: {@link PermanentFailureHandler#deadLetterIndex} of {@code config.deadLettersIndex()}. */
    public Builder<T> permanentFailureHandler(PermanentFailureHandler v) {
      failureHandler = Objects.requireNonNull(v, "permanentFailureHandler");
      return this;
    }

    public OpenSearchSink<T> build() {
      if (config == null) {
        throw new IllegalArgumentException("OpenSearchSink: config is required");
      }
      if (mapper == null) {
        throw new IllegalArgumentException("OpenSearchSink: mapper is required");
      }
      PermanentFailureHandler h = failureHandler != null ? failureHandler
          : PermanentFailureHandler.deadLetterIndex(config.deadLettersIndex());
      return new OpenSearchSink<>(mapper, config, h);
    }
  }
}
