package dev.strata.parse.formats.dockerinspect;

import dev.strata.parse.JsonRecordsParser;
import java.util.Set;

/**
 * {@code docker inspect <container...>} and {@code docker image inspect <image...>} output: a JSON array of container
 * (or image) objects, as one WHOLE chunk or JSON_RECORDS chunks; also one object per line. The mapping is in
 * {@link DockerInspectMapper}.
 */
public final class DockerInspectParser extends JsonRecordsParser {

  public static final String FORMAT = "docker_inspect";

  public DockerInspectParser() {
    super(FORMAT, Set.of(), DockerInspectMapper::new);
  }
}
