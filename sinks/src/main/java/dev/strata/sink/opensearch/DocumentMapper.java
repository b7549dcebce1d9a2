package dev.strata.sink.opensearch;

import java.io.Serializable;

/**
 * Turns one record into one OpenSearch document. Serializable: it travels with the Flink sink. Implementations must
 * be deterministic (same record, same id and source) so that retries and replays never duplicate.
 */
public interface DocumentMapper<T> extends Serializable {
  /** Target index. */
  String index(T record);

  /** Document id (deterministic, e.g. the event id). */
  String id(T record);

  /** Document source: compact UTF-8 JSON. */
  byte[] source(T record);

  /** External version of the document ({@code external_gte}), or {@link DocWriteRequest#NO_VERSION} (default). */
  default long version(T record) {
    return DocWriteRequest.NO_VERSION;
  }

  /** Whether the record asks to delete its document (then {@link #source} is not called). */
  default boolean deletes(T record) {
    return false;
  }

  default DocWriteRequest toRequest(T record) {
    if (deletes(record)) {
      return DocWriteRequest.deletion(index(record), id(record), version(record));
    }
    return new DocWriteRequest(index(record), id(record), source(record), 1, version(record));
  }

  /** For streams that already carry {@link DocWriteRequest}s. */
  static DocumentMapper<DocWriteRequest> passThrough() {
    return PassThrough.INSTANCE;
  }

  /** See {@link #passThrough()}. */
  enum PassThrough implements DocumentMapper<DocWriteRequest> {
    INSTANCE;

    @Override
    public String index(DocWriteRequest r) {
      return r.index();
    }

    @Override
    public String id(DocWriteRequest r) {
      return r.id();
    }

    @Override
    public byte[] source(DocWriteRequest r) {
      return r.source();
    }

    @Override
    public DocWriteRequest toRequest(DocWriteRequest r) {
      return r;
    }
  }
}
