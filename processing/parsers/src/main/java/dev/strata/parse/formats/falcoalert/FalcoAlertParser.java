package dev.strata.parse.formats.falcoalert;

import dev.strata.parse.JsonRecordsParser;
import java.util.Set;

/**
 * Falco JSON alerts to OCSF 2004 Detection Finding. Shapes: {@code json_output: true} file/stdout output (one alert
 * object per line), the same object as posted by Falco's HTTP output / Falcosidekick (one object, possibly
 * pretty-printed), and a bare JSON array of alerts. The text output form is not supported. The mapping is in
 * {@link FalcoAlertMapper}.
 */
public final class FalcoAlertParser extends JsonRecordsParser {

  public static final String FORMAT = "falco_alert";

  public FalcoAlertParser() {
    super(FORMAT, Set.of(), FalcoAlertMapper::new);
  }
}
