package dev.strata.ingest.recognize;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class SystemdJournalRecognizerTest {
  private static final List<ArtifactRecognizer> R = Recognizers.defaults();

  static ContentSample journal() {
    byte[] head = Arrays.copyOf("LPKSHHRH".getBytes(StandardCharsets.US_ASCII), 4096);
    head[12] = 28; // incompatible flags: keyed hash, zstd, compact
    return new ContentSample(head, false, false);
  }

  @Test
  void theSignatureDecidesWhereverTheFileIs() {
    for (String path : new String[] {"var/log/journal/0f3c4a5b6c7d8e9fa0b1c2d3e4f5a6b7/system.journal",
        "run/log/journal/0f3c/system@a1-1-5f.journal~", "copies/node-1.bin"}) {
      Recognition r = Recognizers.recognize(R, path, journal());
      assertThat(r.sourceType()).as(path).isEqualTo("systemd_journal");
    }
  }

  @Test
  void aJournalPathWithoutTheSignatureIsNotOne() {
    Recognition r = Recognizers.recognize(R, "var/log/journal/0f3c/system.journal",
        ContentSample.of("not a journal\n"));
    assertThat(r.recognized()).isFalse();
    assertThat(r.detail()).contains("path matches systemd_journal but content does not");
  }

  @Test
  void aJournalctlExportOfFalcoIsFalcos() {
    String line = "{\"__CURSOR\":\"s=ab;i=1\",\"__REALTIME_TIMESTAMP\":\"1714557611123456\","
        + "\"_SYSTEMD_UNIT\":\"falco-modern-bpf.service\",\"MESSAGE\":\"10:00:11.123456789: Warning x\"}\n";
    Recognition r = Recognizers.recognize(R, "exports/node-1.json", ContentSample.of(line + line));
    assertThat(r.sourceType()).isEqualTo("falco_alert");
    assertThat(r.detail()).contains("_SYSTEMD_UNIT=falco-modern-bpf.service");
  }

  @Test
  void falcoctlAndFalcosidekickAreNotFalco() {
    assertThat(dev.strata.ingest.journal.JournalSplit.falco("falco")).isTrue();
    assertThat(dev.strata.ingest.journal.JournalSplit.falco("falco-modern-bpf.service")).isTrue();
    assertThat(dev.strata.ingest.journal.JournalSplit.falco("falco.service")).isTrue();
    assertThat(dev.strata.ingest.journal.JournalSplit.falco("falcoctl-artifact-follow.service")).isFalse();
    assertThat(dev.strata.ingest.journal.JournalSplit.falco("falcosidekick")).isFalse();
    String line = "{\"__REALTIME_TIMESTAMP\":\"1714557611123456\",\"_SYSTEMD_UNIT\":\"falcoctl-artifact-follow"
        + ".service\",\"MESSAGE\":\"INFO Resolving dependencies\"}\n";
    assertThat(Recognizers.recognize(R, "exports/node-1.json", ContentSample.of(line)).sourceType())
        .isNotEqualTo("falco_alert");
  }
}
