package dev.strata.parse.formats;

import dev.strata.parse.EmbeddedJsonFormat;
import dev.strata.parse.EmbeddedTextFormat;
import dev.strata.parse.formats.falcoalert.FalcoAlertParser;
import dev.strata.parse.formats.tetragonevent.TetragonEventParser;
import java.util.List;

/**
 * The formats whose records the container log parsers (CRI, Docker json-file) recognize inside log messages, in the
 * order they are asked: sensors that run as containers and print their findings on stdout. Add a format here to have
 * its records read from its own container's log.
 */
public final class CarriedFormats {
  public static final List<EmbeddedJsonFormat> JSON =
      List.of(FalcoAlertParser.CARRIED, TetragonEventParser.CARRIED);
  public static final List<EmbeddedTextFormat> TEXT = List.of(FalcoAlertParser.CARRIED_TEXT);

  private CarriedFormats() {}
}
