package dev.strata.parse;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.parse.JsonRecordStream.RecordException;
import dev.strata.parse.JsonRecordStream.RecordSpan;
import dev.strata.parse.JsonRecordStream.Source;
import dev.strata.schema.event.EvidenceEvent;
import java.io.IOException;

/**
 * A {@link JsonRecordStream.RecordMapper} for formats whose records are small enough to be read as one tree: the
 * fields are collected into an {@link ObjectNode} and {@link #map} turns it into an event (or null: nothing).
 */
public abstract class JsonTreeMapper implements JsonRecordStream.RecordMapper {

  private ObjectNode node;

  @Override
  public final void begin() {
    node = JsonNodeFactory.instance.objectNode();
  }

  @Override
  public final void field(String name, JsonParser p, Source src) throws IOException {
    // scalars directly (a readTree per field costs a deserialization context each); containers as trees
    switch (p.currentToken()) {
      case VALUE_STRING -> node.put(name, p.getText());
      case VALUE_NUMBER_INT -> {
        if (p.getNumberType() == JsonParser.NumberType.INT) node.put(name, p.getIntValue());
        else if (p.getNumberType() == JsonParser.NumberType.LONG) node.put(name, p.getLongValue());
        else node.put(name, p.getBigIntegerValue());
      }
      case VALUE_NUMBER_FLOAT -> node.put(name, p.getDecimalValue());
      case VALUE_TRUE -> node.put(name, true);
      case VALUE_FALSE -> node.put(name, false);
      case VALUE_NULL -> node.putNull(name);
      default -> node.set(name, Json.tree(p));
    }
  }

  @Override
  public final EvidenceEvent end(RecordSpan span) throws RecordException {
    return map(node, span);
  }

  /** The record's event, or null to emit nothing; throw {@link RecordException} to reject it. */
  protected abstract EvidenceEvent map(ObjectNode record, RecordSpan span) throws RecordException;
}
