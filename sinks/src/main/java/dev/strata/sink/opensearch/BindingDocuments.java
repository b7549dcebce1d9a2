package dev.strata.sink.opensearch;

import dev.strata.schema.correlate.EntityBinding;
import dev.strata.sink.AvroJson;

/**
 * {@link EntityBinding} to OpenSearch document (same conventions as {@link EventDocuments}; {@code attributes} as a
 * JSON object, mapped as {@code flat_object}). Document id = {@code binding_id} (the correlation job writes one
 * document per fact: kind, subject, object, interval), external version = {@link Generations#version}({@code
 * generation}, {@code revision}) ({@code external_gte}: a newer revision of the fact replaces an older one, a later
 * correlation run's fact any revision of an earlier run's, a replay rewrites the same content); a {@code retracted}
 * fact is deleted at that version.
 */
public final class BindingDocuments implements DocumentMapper<EntityBinding> {
  private static final long serialVersionUID = 1L;
  private final String index;
  private final long generation;

  /** Into {@value IndexTemplates#BINDINGS_INDEX} unless told otherwise, at generation 0. */
  public BindingDocuments(String index) {
    this(index, 0);
  }

  /**
   * Into {@code index} ({@value IndexTemplates#BINDINGS_INDEX} when null), written by correlation run {@code
   * generation} ({@link Generations}).
   */
  public BindingDocuments(String index, long generation) {
    this.index = index == null ? IndexTemplates.BINDINGS_INDEX : index;
    this.generation = generation;
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
    return Generations.version(generation, b.getRevision());
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
