package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code strata sigma check}: rules written for this test in the Sigma specification's format. */
class SigmaCommandTest {
  @TempDir Path dir;

  @Test
  void checkListsLoadedRulesWithTheirCreditAndUnsupportedOnesWithTheReason() throws Exception {
    Files.writeString(dir.resolve("exec.yml"), "title: Exec into a pod\nid: 11111111-2222-3333-4444-555555555555\n"
        + "author: Jane Doe\nlevel: high\nlogsource:\n  product: kubernetes\n  service: audit\n"
        + "detection:\n  sel:\n    objectRef.subresource: exec\n  condition: sel\n");
    Files.writeString(dir.resolve("windows.yml"), "title: Not ours\nid: 66666666-2222-3333-4444-555555555555\n"
        + "logsource:\n  product: windows\n  category: process_creation\ndetection:\n  sel:\n    Image: x\n  condition: sel\n");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream old = System.out;
    int exit;
    try {
      System.setOut(new PrintStream(bytes, true));
      exit = new CommandLine(new StrataCli()).execute("sigma", "check", dir.toString());
    } finally {
      System.setOut(old);
    }
    String out = bytes.toString();
    assertThat(exit).isEqualTo(1); // one rule is unsupported
    assertThat(out).contains("2 Sigma rules: 1 loaded, 1 unsupported (unmapped_logsource 1)")
        .contains("k8s_audit").contains("11111111-2222-3333-4444-555555555555  Exec into a pod  (Sigma rule by Jane Doe, SigmaHQ, DRL-1.1)")
        .contains("unmapped_logsource").contains("66666666-2222-3333-4444-555555555555").contains("product=windows");
    assertThat(List.of(out.split("\n"))).filteredOn(l -> l.startsWith("loaded")).hasSize(1);
  }

  @Test
  void theColumnsOfLoadedRulesLineUpWhateverTheLogSource() throws Exception {
    Files.writeString(dir.resolve("exec.yml"), "title: Exec into a pod\nid: 11111111-2222-3333-4444-555555555555\n"
        + "author: Jane Doe\nlevel: high\nlogsource:\n  product: kubernetes\n  service: audit\n"
        + "detection:\n  sel:\n    objectRef.subresource: exec\n  condition: sel\n");
    Files.writeString(dir.resolve("pool.yml"), "title: Miner pool port\nid: 77777777-2222-3333-4444-555555555555\n"
        + "author: Jane Doe\nlevel: high\nlogsource:\n  product: linux\n  category: network_connection\n"
        + "detection:\n  sel:\n    DestinationPort: 3333\n  condition: sel\n");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    SigmaCommand.print(dev.strata.detect.sigma.SigmaRuleLoader.load(List.of(dir)), new PrintStream(bytes, true));
    List<String> loaded = List.of(bytes.toString().split("\n")).stream().filter(l -> l.startsWith("loaded")).toList();
    assertThat(loaded).hasSize(2);
    // the level column starts at the same offset on both lines, and one space at least follows the log source
    assertThat(loaded.get(0).indexOf(" high ")).isEqualTo(loaded.get(1).indexOf(" high "));
    assertThat(loaded).allSatisfy(l -> assertThat(l).doesNotContainPattern("[a-z_]high"));
  }
}
