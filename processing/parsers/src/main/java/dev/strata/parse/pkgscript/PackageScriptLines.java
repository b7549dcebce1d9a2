package dev.strata.parse.pkgscript;

import dev.strata.schema.event.EvidenceEvent;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A package manager running a package's install-time code, as its output shows it in a build container's log: the
 * code a dependency brings runs with the container's rights (its service account token, its network) the moment it is
 * installed, which makes it the usual way in of a poisoned dependency (MITRE T1195.002). Read into the log line's own
 * event (it stays a log line, class 0) as unmapped {@code pkg_script.manager}, {@code .package}, {@code .version},
 * {@code .script} and, when the output shows it, {@code .command}:
 *
 * <ul>
 *   <li>npm 7-10 (lib/run-script / @npmcli/run-script's banner): {@code > <name>@<version> <script>} on one line, the
 *       command as {@code > <command>} on the next; npm 6 adds the package's directory after the script name. The
 *       command line is read as the command of the banner just before it (same log, next message), so the banner
 *       alone is context and the command carries the package;</li>
 *   <li>npm 7-10 at log level info or lower ({@code --loglevel info|verbose|silly}, @npmcli/arborist's rebuild: {@code
 *       log.info('run', pkg._id, event, location, script)}): {@code npm info run <name>@<version> <script>
 *       node_modules/<name> <command>} on one line, also when the script's own output is hidden (npm 7+ runs
 *       dependencies' scripts in the background unless {@code --foreground-scripts}: no banner then); its result line
 *       ({@code ... { code: 0, signal: null }}) is not read;</li>
 *   <li>pnpm: {@code <dir>/node_modules/<name> <script>$ <command>} (the package from its directory, no version);</li>
 *   <li>pip: {@code Running setup.py install for <name>}, {@code Running setup.py develop for <name>}, {@code Building
 *       wheel for <name> (setup.py)} / {@code (pyproject.toml)}: the package's build code runs; no command shown;</li>
 *   <li>Bundler / RubyGems: {@code Installing <name> <version> with native extensions}: the gem's extconf.rb runs; no
 *       command shown.</li>
 * </ul>
 *
 * Only the lifecycle scripts that run at install time are read ({@code preinstall}, {@code install}, {@code
 * postinstall}, {@code prepare}, {@code preprepare}, {@code postprepare}, {@code prepublish}): {@code > app@1.0.0
 * test} is the project's own script, not a dependency's. One instance per log stream (a chunk of one container's
 * log): it remembers the banner it just read; a banner in one chunk and its command at the start of the next are not
 * joined (the banner is read, the command line is not).
 */
public final class PackageScriptLines {
  public static final String MANAGER = "pkg_script.manager";
  public static final String PACKAGE = "pkg_script.package";
  public static final String VERSION = "pkg_script.version";
  public static final String SCRIPT = "pkg_script.script";
  public static final String COMMAND = "pkg_script.command";

  /** npm's banner: "> name@version script" (npm 6: then the package's directory). Scoped names start with '@'. */
  private static final Pattern NPM_BANNER = Pattern.compile(
      "^> ((?:@[a-z0-9][\\w.~-]*/)?[a-z0-9][\\w.~-]*)@([0-9][\\w.+~-]*) (preinstall|install|postinstall|prepare|preprepare"
          + "|postprepare|prepublish)(?: (/\\S*))?$",
      Pattern.CASE_INSENSITIVE);
  /** pnpm: "<dir>/node_modules/<name> postinstall$ <command>". */
  private static final Pattern PNPM = Pattern.compile(
      "^(?:\\S*/)?node_modules/((?:@[\\w.~-]+/)?[\\w.~-]+) (preinstall|install|postinstall|prepare)\\$ (.+)$");
  /** npm 7-10's info log of a dependency's script: "npm info run name@version script location command". */
  private static final Pattern NPM_INFO_RUN = Pattern.compile(
      "^npm (?:info|verb|verbose|sill|silly) run ((?:@[a-z0-9][\\w.~-]*/)?[a-z0-9][\\w.~-]*)@([0-9][\\w.+~-]*) "
          + "(preinstall|install|postinstall|prepare|preprepare|postprepare|prepublish) (\\S*node_modules/\\S+) (.+)$",
      Pattern.CASE_INSENSITIVE);
  private static final Pattern PIP = Pattern.compile(
      "^\\s*(?:Running setup\\.py (install|develop) for ([A-Za-z0-9][\\w.-]*)|Building wheel for ([A-Za-z0-9][\\w.-]*)"
          + " \\((setup\\.py|pyproject\\.toml)\\))(?:\\s.*)?$");
  private static final Pattern GEM = Pattern.compile(
      "^Installing ([A-Za-z0-9][\\w.-]*) ([0-9][\\w.-]*) with native extensions\\s*$");

  /** The npm banner read last (its command is the next message), or null. */
  private String[] banner;

  /** Reads {@code message} into {@code ev} when it is a package script line; true if it was. */
  public boolean read(String message, EvidenceEvent ev) {
    String[] pending = banner;
    banner = null;
    if (message.length() > 8192 || message.isEmpty()) return false;
    String m = message.strip();
    if (pending != null && m.startsWith("> ") && m.length() > 2) {
      put(ev, "npm", pending[0], pending[1], pending[2], m.substring(2).strip());
      return true;
    }
    char c = m.isEmpty() ? ' ' : m.charAt(0);
    if (c == '>') {
      Matcher b = NPM_BANNER.matcher(m);
      if (!b.matches()) return false;
      banner = new String[] {b.group(1), b.group(2), b.group(3).toLowerCase(java.util.Locale.ROOT)};
      put(ev, "npm", banner[0], banner[1], banner[2], null);
      return true;
    }
    if (c == 'n' && m.startsWith("npm ") && m.indexOf(" run ") > 0) {
      Matcher i = NPM_INFO_RUN.matcher(m);
      if (i.matches() && !i.group(5).startsWith("{")) { // "{ code: 0, signal: null }": the script's result
        put(ev, "npm", i.group(1), i.group(2), i.group(3).toLowerCase(java.util.Locale.ROOT), i.group(5).strip());
        return true;
      }
    }
    if (m.indexOf("node_modules/") >= 0 && m.indexOf("$ ") > 0) {
      Matcher p = PNPM.matcher(m);
      if (p.matches()) {
        put(ev, "pnpm", p.group(1), null, p.group(2), p.group(3).strip());
        return true;
      }
    }
    if (c == 'R' || c == 'B') {
      Matcher p = PIP.matcher(m);
      if (p.matches()) {
        boolean setup = p.group(1) != null;
        put(ev, "pip", setup ? p.group(2) : p.group(3), null,
            setup ? "setup.py " + p.group(1) : "build_wheel (" + p.group(4) + ")", null);
        return true;
      }
    }
    if (c == 'I') {
      Matcher g = GEM.matcher(m);
      if (g.matches()) {
        put(ev, "gem", g.group(1), g.group(2), "extconf", null);
        return true;
      }
    }
    return false;
  }

  private static void put(EvidenceEvent ev, String manager, String pkg, String version, String script, String command) {
    Map<String, String> u = ev.getUnmapped();
    u.put(MANAGER, manager);
    u.put(PACKAGE, pkg);
    if (version != null) u.put(VERSION, version);
    u.put(SCRIPT, script);
    if (command != null && !command.isEmpty()) u.put(COMMAND, command.length() > 4096 ? command.substring(0, 4096) : command);
  }
}
