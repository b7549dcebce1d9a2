package dev.strata.parse.formats.tetragonevent;

import dev.strata.parse.EmbeddedJsonFormat;
import dev.strata.parse.JsonRecordsParser;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * Cilium Tetragon JSON events ({@code tetra getevents -o json}, the JSON export file: one {@code GetEventsResponse}
 * object per line; a single pretty-printed event is read too) to OCSF 1007 Process Activity. The mapping is in
 * {@link TetragonEventMapper}. The same events printed by Tetragon's {@code export-stdout} container are read from
 * that container's log ({@link #CARRIED}).
 */
public final class TetragonEventParser extends JsonRecordsParser {

  public static final String FORMAT = "tetragon_event";

  public TetragonEventParser() {
    super(FORMAT, Set.of(), TetragonEventMapper::new);
  }

  private static final byte[] PROCESS_EVENT = "\"process_".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] RATE_LIMIT_INFO = "\"rate_limit_info\"".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] NODE_NAME = "\"node_name\"".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] TIME = "\"time\"".getBytes(StandardCharsets.US_ASCII);

  /**
   * Tetragon events as another log's messages (the Tetragon DaemonSet's {@code export-stdout} container prints the
   * export file): a message naming a {@code process_*} (or {@code rate_limit_info}) event and {@code node_name} or
   * {@code time}.
   */
  public static final EmbeddedJsonFormat CARRIED = EmbeddedJsonFormat.of(FORMAT,
      (b, s, e) -> (EmbeddedJsonFormat.contains(b, s, e, PROCESS_EVENT)
              || EmbeddedJsonFormat.contains(b, s, e, RATE_LIMIT_INFO))
          && (EmbeddedJsonFormat.contains(b, s, e, NODE_NAME) || EmbeddedJsonFormat.contains(b, s, e, TIME)),
      TetragonEventMapper::new);

}
