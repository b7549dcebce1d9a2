package dev.strata.sink.opensearch;

import dev.strata.schema.correlate.EntityBinding;
import dev.strata.sink.AvroJson;

/**
 * {@link EntityBinding} to OpenSearch document (same conventions as {@link EventDocuments}; {@code attributes} as a
 * JSON object, mapped as {@code flat_object}). Document id = {@code binding_id} (the correlation job writes one
 * document per fact: kind, subject, object, interval), external version = {@code revision} ({@code external_gte}: a
 * newer revision of the fact replaces an older one, a replay rewrites the same content); a {@code retracted} fact is
 * deleted at its revision.
 */
public final class BindingDocuments implements DocumentMapper<EntityBinding> {
  private static final long serialVersionUID = 1L;
  private final String index;

  /** Into {@value IndexTemplates#BINDINGS_INDEX} unless told otherwise. */
  public BindingDocuments(String index) {
    this.index = index == null ? IndexTemplates.BINDINGS_INDEX : index;
  }

  public static byte[] toJson(EntityBinding b) {
    return Json.bytes(512, g -> AvroJson.write(g, b));
  }

  @Override
  public String index(EntityBinding b) {
    return index;
  }

  @Override
  public String id(EntityBinding b) {
    return b.getBindingId();
  }

  @Override
  public long version(EntityBinding b) {
    return b.getRevision();
  }

  @Override
  public boolean deletes(EntityBinding b) {
    return b.getRetracted();
  }

  @Override
  public byte[] source(EntityBinding b) {
    return toJson(b);
  }
}
