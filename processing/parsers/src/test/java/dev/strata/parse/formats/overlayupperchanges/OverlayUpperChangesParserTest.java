package dev.strata.parse.formats.overlayupperchanges;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.parse.EvidenceParser;
import dev.strata.parse.ParserContractTest;
import dev.strata.schema.common.Framing;
import dev.strata.schema.event.EvidenceEvent;
import org.junit.jupiter.api.Test;

class OverlayUpperChangesParserTest extends ParserContractTest {

  @Override
  protected EvidenceParser parser() {
    return new OverlayUpperChangesParser();
  }

  @Test
  void aDirectoryInTheListingOnlyForItsEntriesIsNoEventButNewChangedDeletedAndChmodedEntriesAre() throws Exception {
    String c = "\"runtime\":\"docker\",\"container_id\":\"" + "a".repeat(64) + "\",";
    String listing = String.join("\n",
        "{" + c + "\"path\":\"/etc\",\"kind\":\"added_or_changed\",\"type\":\"dir\",\"mode\":\"0755\",\"mtime\":\"2026-11-23T09:12:00Z\",\"children_only\":true}",
        "{" + c + "\"path\":\"/etc/cron.d/kworker\",\"kind\":\"added_or_changed\",\"type\":\"file\",\"mode\":\"0644\",\"mtime\":\"2026-11-23T09:12:00Z\",\"sha256\":\"" + "b".repeat(64) + "\"}",
        "{" + c + "\"path\":\"/srv\",\"kind\":\"changed\",\"type\":\"dir\",\"mode\":\"0777\",\"lower_mode\":\"0755\",\"mtime\":\"2026-11-23T09:12:00Z\",\"children_only\":false}",
        "{" + c + "\"path\":\"/tmp\",\"kind\":\"added\",\"type\":\"dir\",\"mode\":\"1777\",\"mtime\":\"2026-11-23T09:12:30Z\"}",
        "{" + c + "\"path\":\"/var/log/auth.log\",\"kind\":\"deleted\",\"type\":\"whiteout\"}") + "\n";

    var out = parse(listing, Framing.LINES, "var/lib/docker/overlay2/x/diff");

    assertThat(out.rejections).isEmpty();
    assertThat(out.events).extracting(e -> e.getFile().getPath())
        .containsExactly("/etc/cron.d/kworker", "/srv", "/tmp", "/var/log/auth.log");
    EvidenceEvent srv = out.events.get(1);
    assertThat(srv.getUnmapped()).containsEntry("lower_mode", "0755");
    assertThat(srv.getFile().getMode()).isEqualTo("0777");
  }
}
