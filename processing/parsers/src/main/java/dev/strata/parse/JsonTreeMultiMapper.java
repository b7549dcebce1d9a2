package dev.strata.parse;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.parse.JsonRecordStream.RecordException;
import dev.strata.parse.JsonRecordStream.RecordSpan;
import dev.strata.parse.JsonRecordStream.Source;
import dev.strata.schema.event.EvidenceEvent;
import java.io.IOException;
import java.util.List;

/**
 * A {@link JsonRecordStream.MultiEventMapper} for formats whose records are read as one tree and give several events
 * ({@code docker inspect} / {@code podman inspect} output, libpod's state lines): the fields are collected into an
 * {@link ObjectNode} (each value as {@link Json#tree} reads it) and {@link #mapAll} turns it into its events.
 */
public abstract class JsonTreeMultiMapper implements JsonRecordStream.MultiEventMapper {
  private ObjectNode node;

  @Override
  public final void begin() {
    node = Json.MAPPER.createObjectNode();
  }

  @Override
  public final void field(String name, JsonParser p, Source src) throws IOException {
    node.set(name, Json.tree(p));
  }

  @Override
  public final List<EvidenceEvent> endAll(RecordSpan span) throws RecordException {
    return mapAll(node, span);
  }

  /** The record's events in order (possibly none); throw {@link RecordException} to reject it. */
  protected abstract List<EvidenceEvent> mapAll(ObjectNode record, RecordSpan span) throws RecordException;
}
