package dev.strata.parse.formats.supplychain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link OverlayMap} reads and changes like the HashMap it replaces (own entries, then the document's put in). */
class OverlayMapTest {

  private static Map<String, String> document() {
    Map<String, String> d = new HashMap<>();
    d.put("sbom.document_name", "alpine:3.19");
    d.put("sbom.tool", "syft 1.14.0");
    return d;
  }

  private static HashMap<String, String> own() {
    HashMap<String, String> u = new HashMap<>();
    u.put("package.supplier", "Organization: Alpine");
    u.put("package.sourceInfo", "acquired package info from APK DB: /lib/apk/db/installed");
    return u;
  }

  /** What finish did before: the document's fields copied into the event's own map. */
  private static Map<String, String> copied() {
    Map<String, String> m = own();
    m.putAll(document());
    return m;
  }

  @Test
  void readsAsTheOwnEntriesWithTheDocumentsCopiedIn() {
    Map<String, String> doc = document();
    OverlayMap m = new OverlayMap(own(), doc);
    Map<String, String> expected = copied();

    assertThat(m).isEqualTo(expected);
    assertThat(expected).isEqualTo(m);
    assertThat(m.hashCode()).isEqualTo(expected.hashCode());
    assertThat(m.size()).isEqualTo(4);
    assertThat(m.get("sbom.tool")).isEqualTo("syft 1.14.0");
    assertThat(m.get("package.supplier")).isEqualTo("Organization: Alpine");
    assertThat(m.get("nope")).isNull();
    assertThat(m.containsKey("sbom.document_name")).isTrue();
    assertThat(m.entrySet()).hasSize(4);
    assertThat(new HashMap<>(m)).isEqualTo(expected);
  }

  @Test
  void putsAndRemovesChangeTheEventOnlyNeverTheDocument() {
    Map<String, String> doc = document();
    OverlayMap a = new OverlayMap(own(), doc);
    OverlayMap b = new OverlayMap(own(), doc);
    Map<String, String> expected = copied();

    assertThat(a.put("strata.warning", "w")).isEqualTo(expected.put("strata.warning", "w"));
    assertThat(a.put("sbom.tool", "grype")).isEqualTo(expected.put("sbom.tool", "grype")); // overrides the shared
    assertThat(a).isEqualTo(expected);
    assertThat(a.size()).isEqualTo(expected.size());
    assertThat(new HashMap<>(a)).isEqualTo(expected);

    assertThat(a.remove("sbom.document_name")).isEqualTo(expected.remove("sbom.document_name"));
    assertThat(a).isEqualTo(expected);
    assertThat(a.size()).isEqualTo(4);

    assertThat(doc).isEqualTo(document()); // the shared map is untouched
    assertThat(b).isEqualTo(copied()); // and so is the other event
    b.clear();
    assertThat(b).isEmpty();
    assertThat(doc).isEqualTo(document());
  }

  @Test
  void anEmptyDocumentAddsNothing() {
    OverlayMap m = new OverlayMap(own(), Map.of());
    assertThat(m).isEqualTo(own());
    assertThat(m.entrySet()).isEqualTo(own().entrySet());
  }
}
