package dev.strata.sink.opensearch;

import dev.strata.sink.FailureClass;
import dev.strata.sink.SinkException;
import java.io.Serializable;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What to do with a document OpenSearch rejected permanently (a 400-style rejection: the same document would fail
 * the same way again). Called from the sink's I/O threads; must be thread-safe. Serializable: it travels with the
 * Flink sink.
 */
@FunctionalInterface
public interface PermanentFailureHandler extends Serializable {

  /**
   * Returns the documents to write instead (e.g. a dead letter), sent with the next batch; an empty list means the
   * document is dropped. Throw a {@link SinkException} to fail the job.
   */
  List<DocWriteRequest> onPermanentFailure(DocWriteRequest rejected, ItemFailure failure);

  /**
   * The default: write a {@code DeadLetter} (stage SINK, reason {@code sink_rejected}, the rejected document as its
   * original bytes, lineage fields copied from the document) into {@code deadLettersIndex}. A rejected dead letter
   * itself fails the job: nothing is dropped silently.
   */
  static PermanentFailureHandler deadLetterIndex(String deadLettersIndex) {
    return new DeadLetterIndexHandler(deadLettersIndex);
  }

  /** Fail the job on the first rejected document. */
  static PermanentFailureHandler failJob() {
    return (rejected, failure) -> {
      throw new SinkException(FailureClass.PERMANENT,
          "OpenSearch rejected " + rejected.index() + "/" + rejected.id() + ": " + failure);
    };
  }

  /** Log and drop (opt-in; the default keeps a dead letter). */
  static PermanentFailureHandler logAndDrop() {
    return (rejected, failure) -> {
      LoggerFactory.getLogger(PermanentFailureHandler.class)
          .warn("dropping document {}/{} rejected by OpenSearch: {}", rejected.index(), rejected.id(), failure);
      return List.of();
    };
  }

  /** See {@link #deadLetterIndex(String)}. */
  final class DeadLetterIndexHandler implements PermanentFailureHandler {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterIndexHandler.class);
    private final String index;

    DeadLetterIndexHandler(String index) {
      this.index = index;
    }

    @Override
    public List<DocWriteRequest> onPermanentFailure(DocWriteRequest rejected, ItemFailure failure) {
      if (rejected.index().equals(index)) {
        throw new SinkException(FailureClass.FATAL, "OpenSearch rejected dead letter " + rejected.index() + "/"
            + rejected.id() + ": " + failure + " (is the dead-letter index template installed?)");
      }
      var dl = SinkDeadLetters.of(rejected, failure, Instant.now());
      LOG.warn("OpenSearch rejected {}/{} ({}); dead letter {} written to {}", rejected.index(), rejected.id(),
          failure, dl.getDeadLetterId(), index);
      return List.of(new DocWriteRequest(index, dl.getDeadLetterId(), DeadLetterDocuments.toJson(dl)));
    }

    @Override
    public String toString() {
      return "deadLetterIndex(" + index + ")";
    }
  }
}
