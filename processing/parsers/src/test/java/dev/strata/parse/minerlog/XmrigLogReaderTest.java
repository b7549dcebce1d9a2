package dev.strata.parse.minerlog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.schema.event.EvidenceEvent;
import java.util.HashMap;
import org.junit.jupiter.api.Test;

class XmrigLogReaderTest {

  static EvidenceEvent read(String m) {
    EvidenceEvent ev = new EvidenceEvent();
    ev.setUnmapped(new HashMap<>());
    return XmrigLogReader.INSTANCE.read(m, ev) ? ev : null;
  }

  @Test
  void thePoolConnectionLineNamesThePoolsDomainAddressAndPort() {
    EvidenceEvent e = read("[2026-11-23 11:45:10.120]  net      use pool pool.xmr-relay.example:443 TLSv1.3 198.51.100.23");
    assertThat(e.getClassUid()).isEqualTo(4001);
    assertThat(e.getActivityName()).isEqualTo("Open");
    assertThat(e.getDstEndpoint().getDomain()).isEqualTo("pool.xmr-relay.example");
    assertThat(e.getDstEndpoint().getIp()).isEqualTo("198.51.100.23");
    assertThat(e.getDstEndpoint().getPort()).isEqualTo(443);
    assertThat(e.getUnmapped()).containsEntry("xmrig.mode", "pool").containsEntry("xmrig.tls", "TLSv1.3")
        .containsEntry("xmrig.time", "2026-11-23 11:45:10.120");
  }

  @Test
  void withoutTlsAndInColour() {
    EvidenceEvent e = read("[2026-11-23 11:45:10.120] \u001b[1;44;37m net     \u001b[0m \u001b[1;37muse pool "
        + "\u001b[0m\u001b[1;36mpool.example.org:3333 \u001b[0m\u001b[1;32m\u001b[0m \u001b[1;30m203.0.113.8\u001b[0m");
    assertThat(e.getDstEndpoint().getDomain()).isEqualTo("pool.example.org");
    assertThat(e.getDstEndpoint().getIp()).isEqualTo("203.0.113.8");
    assertThat(e.getUnmapped()).doesNotContainKey("xmrig.tls");
  }

  @Test
  void otherLinesAreLeftAlone() {
    assertThat(read("[2026-11-23 11:45:10.120]  net      new job from pool.example.org:3333 diff 120K algo rx/0")).isNull();
    assertThat(read("please use pool.example.org:3333 instead")).isNull();
    assertThat(read("[2026-11-23 11:45:10] net use pool pool.example:443 (198.51.100.23)")).isNull();
    assertThat(read("connecting to pool.xmr-relay.example:443 tls=on, retry every 5 s")).isNull();
  }
}
