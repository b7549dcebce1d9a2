package dev.strata.parse.formats.falcoalert;

import dev.strata.parse.ChunkContext;
import dev.strata.parse.CloudWatchExportLines;
import dev.strata.parse.EmbeddedJsonFormat;
import dev.strata.parse.EmbeddedTextFormat;
import dev.strata.parse.Events;
import dev.strata.parse.EvidenceParser;
import dev.strata.parse.JsonRecordStream.RecordException;
import dev.strata.parse.JsonRecordStream.RecordSpan;
import dev.strata.parse.JsonRecordsParser;
import dev.strata.parse.OcsfClass;
import dev.strata.parse.ParseException;
import dev.strata.parse.ParseOutput;
import dev.strata.parse.Payloads;
import dev.strata.parse.Timestamps;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.raw.RawArtifactChunk;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Set;

/**
 * Falco alerts to OCSF 2004 Detection Finding. JSON shapes: {@code json_output: true} file/stdout output (one alert
 * object per line), the same object as posted by Falco's HTTP output / Falcosidekick (one object, possibly
 * pretty-printed), and a bare JSON array of alerts; the mapping is in {@link FalcoAlertMapper}. Text output
 * ({@code json_output: false}, {@link FalcoTextOutput}): one alert per line, mapped the same way from the fields the
 * line prints; Falco's own log lines in the same file (startup, rule loading) are kept as OCSF Base Events, and a
 * time of day is placed on the date of the nearest earlier Falco log line ("Wed May  1 10:00:00 2024: ..."), else of
 * the collection time (with a warning). Alerts that Falco printed on stdout are read from the Falco container's log
 * too ({@link #CARRIED}, {@link #CARRIED_TEXT}: a DaemonSet's {@code /var/log/pods/..._falco-..._<uid>/falco/0.log}),
 * and from journald entries ({@code journalctl -u falco -o json}, a binary journal's entries split by the collector:
 * {@link JournaldAlerts}).
 */
public final class FalcoAlertParser implements EvidenceParser {

  public static final String FORMAT = "falco_alert";

  private static final class JsonAlerts extends JsonRecordsParser {
    JsonAlerts() {
      super(FORMAT, Set.of(), FalcoAlertMapper::new);
    }
  }

  private final JsonAlerts json = new JsonAlerts();

  @Override
  public String format() {
    return FORMAT;
  }

  @Override
  public void parse(RawArtifactChunk chunk, ParseOutput out) throws ParseException {
    if (Payloads.startsLikeJson(chunk) || CloudWatchExportLines.startsLikeExport(chunk.getPayload())) {
      if (JournaldAlerts.startsLikeJournald(chunk.getPayload())) {
        new JournaldAlerts(ChunkContext.of(chunk), out).run();
        return;
      }
      json.parse(chunk, out);
    } else {
      new TextLines(ChunkContext.of(chunk), out).run();
    }
  }

  /** A chunk of Falco's text output. */
  private static final class TextLines {
    private final ChunkContext ctx;
    private final ParseOutput out;
    private final FalcoAlertMapper mapper;
    private LocalDate logDate;

    TextLines(ChunkContext ctx, ParseOutput out) {
      this.ctx = ctx;
      this.out = out;
      this.mapper = new FalcoAlertMapper(ctx);
    }

    void run() {
      FalcoLines.forEach(ctx, out, this::line);
    }

    private void line(int s, int e, long lineNo, long ord) {
      String text = new String(ctx.payload(), s, e - s, StandardCharsets.UTF_8);
      RecordSpan span = new RecordSpan(s, e, lineNo, ord);
      try {
        FalcoTextOutput.Alert a = FalcoTextOutput.read(text);
        if (a != null) {
          Instant reference = logDate != null ? logDate.atStartOfDay().toInstant(ZoneOffset.UTC) : null;
          out.emit(alert(mapper, a, span, reference, ctx.observedTime()));
          return;
        }
        LocalDate d = FalcoTextOutput.logLineDate(text);
        if (d != null) logDate = d;
        out.emit(logLine(text, span, d != null));
      } catch (RecordException ex) {
        out.reject(ctx.rejection(ex.reason(), ex.getMessage(), s, e, lineNo, ord));
      }
    }

    /** Falco's own output that is not an alert (startup, rules loaded, drop statistics): a Base Event. */
    private EvidenceEvent logLine(String text, RecordSpan span, boolean dated) {
      EvidenceEvent e = ctx.newEvent(OcsfClass.BASE_EVENT, 0, null, span.start(), span.end(), span.line(),
          span.ordinal(), 0);
      e.setMessage(text);
      if (!dated) Events.warn(e, "Falco output line without a time of its own; time = observed_time");
      else {
        String when = FalcoTextOutput.asctimeInstant(text);
        if (when != null) ctx.applyTime(e, when, "time");
      }
      e.setRawData(ctx.rawText(span.start(), span.end()));
      return e;
    }
  }

  /**
   * The event of a text alert. A time of day goes on the day of {@code reference} (the carrier line's time, a Falco
   * log line's date), else of the collection time, read as UTC, with a warning; time_original keeps it as written.
   */
  static EvidenceEvent alert(FalcoAlertMapper mapper, FalcoTextOutput.Alert a, RecordSpan span, Instant reference,
      Instant observed) throws RecordException {
    if (a.timeHasDate()) return mapper.textAlert(span, a.time(), a);
    Instant at = FalcoTextOutput.onNearestDay(a.time(), reference != null ? reference : observed);
    EvidenceEvent e = mapper.textAlert(span, at == null ? null : FalcoTextOutput.rfc3339(at, a.time()), a);
    e.setTimeOriginal(a.time());
    Events.warn(e, reference != null
        ? "Falco time of day without a date: placed on the date of the log that carried it, read as UTC"
        : "Falco time of day without a date: placed on the collection date, read as UTC");
    return e;
  }

  private static final byte[] RULE = "\"rule\"".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] PRIORITY = "\"priority\"".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] OUTPUT = "\"output\"".getBytes(StandardCharsets.US_ASCII);

  /** Falco JSON alerts as another log's messages: a message with {@code rule}, {@code priority} and {@code output}. */
  public static final EmbeddedJsonFormat CARRIED = EmbeddedJsonFormat.of(FORMAT,
      (b, s, e) -> EmbeddedJsonFormat.contains(b, s, e, RULE) && EmbeddedJsonFormat.contains(b, s, e, PRIORITY)
          && EmbeddedJsonFormat.contains(b, s, e, OUTPUT),
      FalcoAlertMapper::new);

  /** Falco text alerts as another log's messages ({@code <time>: <Priority> <output>}). */
  public static final EmbeddedTextFormat CARRIED_TEXT = new EmbeddedTextFormat() {
    @Override
    public String format() {
      return FORMAT;
    }

    @Override
    public boolean looksLike(byte[] b, int s, int e) {
      return FalcoTextOutput.looksLike(b, s, e);
    }

    @Override
    public EvidenceEvent event(ChunkContext ctx, String message, RecordSpan span, String carrierTime) {
      FalcoTextOutput.Alert a = FalcoTextOutput.read(message);
      if (a == null) return null;
      long micros = carrierTime == null ? Timestamps.INVALID : Timestamps.toMicros(carrierTime);
      Instant reference = micros == Timestamps.INVALID ? null : Timestamps.toInstant(micros);
      try {
        return alert(new FalcoAlertMapper(ctx), a, span, reference, ctx.observedTime());
      } catch (RecordException ex) {
        return null;
      }
    }
  };
}
