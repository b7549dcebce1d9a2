package dev.strata.sink.opensearch;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * One document to index (or delete): the sink's buffered request entry (kept in Flink checkpoints, see
 * {@link DocWriteRequestSerializer}). Written with the bulk op {@code index} and the given id, so a retry or a replay
 * overwrites the same document instead of adding one; a {@link #delete} request is the bulk op {@code delete} (empty
 * source), and a document already gone counts as deleted.
 *
 * @param source the document, compact JSON (UTF-8, no raw newline: the {@code _bulk} body is newline-delimited)
 * @param attempt 1 for the first try; incremented on each transient-failure retry
 * @param version external version ({@code version_type=external_gte}: the document is written only if no higher
 *     version is indexed, so a newer revision replaces an older one and never the reverse), or {@link #NO_VERSION}
 * @param delete delete the document (at {@code version}, when versioned) instead of indexing it
 */
public record DocWriteRequest(String index, String id, byte[] source, int attempt, long version, boolean delete)
    implements Serializable {
  private static final long serialVersionUID = 1L;
  /** Bytes of the action line around index and id: {@code {"index":{"_index":"","_id":""}}\n} plus a newline. */
  static final int ACTION_OVERHEAD = 32;
  /** No external version: plain {@code index} (last write wins). */
  public static final long NO_VERSION = -1;

  public DocWriteRequest {
    Objects.requireNonNull(index, "index");
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(source, "source");
    if (index.isEmpty() || id.isEmpty()) {
      throw new IllegalArgumentException("index and id must not be empty");
    }
    if (attempt < 1) {
      throw new IllegalArgumentException("attempt must be >= 1");
    }
    if (version < NO_VERSION) {
      throw new IllegalArgumentException("version must be >= 0 (or NO_VERSION)");
    }
    if (delete && source.length != 0) {
      throw new IllegalArgumentException("a delete has no source");
    }
  }

  public DocWriteRequest(String index, String id, byte[] source, int attempt, long version) {
    this(index, id, source, attempt, version, false);
  }

  /** Deletes document {@code id} ({@code version}: external version of the delete, or {@link #NO_VERSION}). */
  public static DocWriteRequest deletion(String index, String id, long version) {
    return new DocWriteRequest(index, id, new byte[0], 1, version, true);
  }

  public DocWriteRequest(String index, String id, byte[] source, int attempt) {
    this(index, id, source, attempt, NO_VERSION);
  }

  public DocWriteRequest(String index, String id, byte[] source) {
    this(index, id, source, 1, NO_VERSION);
  }

  /** Whether the document carries an external version. */
  public boolean versioned() {
    return version != NO_VERSION;
  }

  /** The same document, for its next attempt. */
  public DocWriteRequest nextAttempt() {
    return new DocWriteRequest(index, id, source, attempt + 1, version, delete);
  }

  /** Approximate bytes this document adds to a {@code _bulk} body. */
  public long sizeInBytes() {
    return source.length + index.length() + id.length() + ACTION_OVERHEAD;
  }

  public String sourceAsString() {
    return new String(source, StandardCharsets.UTF_8);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DocWriteRequest r && r.attempt == attempt && r.version == version && r.delete == delete
        && r.index.equals(index) && r.id.equals(id) && Arrays.equals(r.source, source);
  }

  @Override
  public int hashCode() {
    return Objects.hash(index, id, attempt, version, delete) * 31 + Arrays.hashCode(source);
  }

  @Override
  public String toString() {
    return "DocWriteRequest[" + (delete ? "delete " : "") + index + "/" + id + ", " + source.length + " bytes, attempt "
        + attempt
        + (versioned() ? ", version " + version : "") + "]";
  }
}
