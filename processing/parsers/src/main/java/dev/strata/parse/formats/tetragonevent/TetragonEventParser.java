package dev.strata.parse.formats.tetragonevent;

import dev.strata.parse.JsonRecordsParser;
import java.util.Set;

/**
 * Cilium Tetragon JSON events ({@code tetra getevents -o json}, the JSON export file: one {@code GetEventsResponse}
 * object per line; a single pretty-printed event is read too) to OCSF 1007 Process Activity. The mapping is in
 * {@link TetragonEventMapper}.
 */
public final class TetragonEventParser extends JsonRecordsParser {

  public static final String FORMAT = "tetragon_event";

  public TetragonEventParser() {
    super(FORMAT, Set.of(), TetragonEventMapper::new);
  }
}
