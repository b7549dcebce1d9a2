package dev.strata.parse.formats;

import dev.strata.parse.LogMessageReader;
import dev.strata.parse.accesslog.AccessLogReader;
import dev.strata.parse.minerlog.XmrigLogReader;
import dev.strata.parse.pkgscript.PackageScriptLines;
import dev.strata.schema.event.EvidenceEvent;
import java.util.List;

/**
 * The application formats the container log parsers (CRI and Podman k8s-file, Docker json-file, Docker local) read in
 * their messages, in the order they are asked; the first that recognizes a message fills the log line's event
 * ({@link LogMessageReader}). Add a reader here to have its lines read in every container's log.
 */
public final class LogMessageReaders {
  public static final List<LogMessageReader> ALL = List.of(AccessLogReader.INSTANCE, XmrigLogReader.INSTANCE);

  private LogMessageReaders() {}

  /**
   * The readers for one log stream (a chunk of one container's log), with the package-manager script reader
   * ({@link PackageScriptLines}: npm prints a lifecycle script's banner and its command on two lines, so it remembers
   * the banner) before the stateless ones ({@link #ALL}).
   */
  public static Session session() {
    return new Session();
  }

  /** See {@link #session()}: one per chunk of one container's log, messages offered in the log's order. */
  public static final class Session {
    private final PackageScriptLines scripts = new PackageScriptLines();

    private Session() {}

    /** Offers a complete message; true when a reader read it into {@code ev}. */
    public boolean read(String message, EvidenceEvent ev) {
      return scripts.read(message, ev) || LogMessageReaders.read(message, ev);
    }
  }

  /** Offers a complete message to the readers; true when one of them read it into {@code ev}. */
  public static boolean read(String message, EvidenceEvent ev) {
    for (LogMessageReader r : ALL) {
      if (r.read(message, ev)) return true;
    }
    return false;
  }
}
