package dev.strata.ingest.recognize;

import dev.strata.schema.common.Framing;
import java.util.regex.Pattern;

/**
 * {@code systemd_journal}: a binary systemd journal file ({@code system.journal}, archived {@code
 * system@<seqnum id>-<head seqnum>-<head realtime>.journal}, {@code user-<uid>.journal}, a dirty {@code *.journal~}),
 * persistent under {@code /var/log/journal/<machine id>/} or volatile under {@code /run/log/journal/<machine id>/}.
 *
 * <p>Content decides: the file starts with the journal signature {@code LPKSHHRH}: STRONG, wherever it lies. Path:
 * {@code **}{@code /log/journal/**}{@code /*.journal[~]}. The collector preserves the file itself (its manifest,
 * no chunks: no parser reads the binary format) and derives from its entries one {@code journalctl -o json}
 * artifact per format that reads them ({@code dev.strata.ingest.journal.JournalSplit}).
 */
public final class SystemdJournalRecognizer extends PathPatternRecognizer {
  public static final String SOURCE_TYPE = "systemd_journal";

  private static final Pattern PATH = Pattern.compile("(?:^|.*/)log/journal/(?:[^/]+/)*[^/]+\\.journal~?");

  public SystemdJournalRecognizer() {
    super(SOURCE_TYPE, PATH);
  }

  @Override
  public ContentMatch probe(ContentSample sample) {
    if (dev.strata.ingest.journal.JournalFile.hasSignature(sample.bytes())) {
      return ContentMatch.strong(Framing.WHOLE, "systemd journal file (LPKSHHRH)");
    }
    return ContentMatch.none("no journal file signature (LPKSHHRH)");
  }
}
