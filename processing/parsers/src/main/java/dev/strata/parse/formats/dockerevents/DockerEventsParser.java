package dev.strata.parse.formats.dockerevents;

import dev.strata.parse.JsonRecordsParser;
import java.util.Set;

/**
 * The Docker daemon's event stream as {@code docker events --format '{{json .}}'} writes it (one JSON message per
 * line; also a JSON array of messages, as {@code GET /events} clients often save them). Every object type and action
 * of the Engine API's {@code EventMessage}; the mapping is in {@link DockerEventsMapper}.
 */
public final class DockerEventsParser extends JsonRecordsParser {

  public static final String FORMAT = "docker_events";

  public DockerEventsParser() {
    super(FORMAT, Set.of(), DockerEventsMapper::new);
  }
}
