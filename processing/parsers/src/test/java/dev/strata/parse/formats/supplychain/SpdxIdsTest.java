package dev.strata.parse.formats.supplychain;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.strata.parse.Json;
import dev.strata.parse.formats.supplychain.JsonDocuments.Cursor;
import dev.strata.parse.formats.supplychain.JsonDocuments.Mode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link SpdxIds}: one id per text, however it is looked up (synthetic ids in the SPDX 2.3 SPDXRef- form). */
class SpdxIdsTest {

  /** The ids of a JSON array of strings, each read from the parser with the given expectation. */
  private static List<SpdxIds.Id> readAll(SpdxIds ids, String jsonArray, boolean expectNext) throws Exception {
    byte[] b = jsonArray.getBytes(StandardCharsets.UTF_8);
    List<SpdxIds.Id> out = new ArrayList<>();
    try (JsonParser p = Json.FACTORY.createParser(b)) {
      Cursor c = new Cursor(p, b, 0, 0, Mode.WHOLE, 1);
      p.nextToken();
      SpdxIds.Id prev = null;
      while (p.nextToken() != JsonToken.END_ARRAY) {
        SpdxIds.Id id = ids.read(c, expectNext && prev != null ? prev.after : null);
        out.add(id);
        if (id != null) prev = id;
      }
    }
    return out;
  }

  private static String array(List<String> texts) {
    return "[\"" + String.join("\",\"", texts) + "\"]";
  }

  @Test
  void aTextIsOneIdWhetherReadFromTheParserOrGivenAsAString() throws Exception {
    SpdxIds ids = new SpdxIds();
    List<SpdxIds.Id> read = readAll(ids, "[\"SPDXRef-Package-apk-musl-1\", \"SPDXRef-DOCUMENT\", "
        + "\"SPDXRef-Package-apk-musl-1\", \"  \", \"\", null, 7]", false);

    assertThat(read.get(0)).isSameAs(read.get(2)).isSameAs(ids.get("SPDXRef-Package-apk-musl-1"));
    assertThat(read.get(0).text).isEqualTo("SPDXRef-Package-apk-musl-1");
    assertThat(read.get(1)).isNotSameAs(read.get(0)).isSameAs(ids.get("SPDXRef-DOCUMENT"));
    assertThat(read.subList(3, 6)).containsOnlyNulls(); // blank, empty, null: as Cursor.string gives them
    assertThat(read.get(6).text).isEqualTo("7");
  }

  @Test
  void theExpectedIdIsTakenOnlyWhenItIsTheText() throws Exception {
    SpdxIds ids = new SpdxIds();
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < 50; i++) texts.add("SPDXRef-Package-deb-pkg-" + i);
    List<SpdxIds.Id> packages = readAll(ids, array(texts), false);
    // relationships naming the packages in their order, then out of it: the same ids either way
    assertThat(readAll(ids, array(texts), true)).isEqualTo(packages);
    List<String> shuffled = new ArrayList<>(texts);
    java.util.Collections.reverse(shuffled);
    List<SpdxIds.Id> reversed = readAll(ids, array(shuffled), true);
    for (int i = 0; i < 50; i++) assertThat(reversed.get(i)).isSameAs(packages.get(49 - i));
  }

  @Test
  void idsAlikeAtTheirEndStayApart() throws Exception {
    SpdxIds ids = new SpdxIds();
    List<String> texts = new ArrayList<>();
    // the same last 16 characters: the tail hash puts them in one chain until the table hashes every character
    for (int i = 0; i < 2000; i++) texts.add("SPDXRef-" + i + "-File-usr-lib-x86_64-linux-gnu");
    List<SpdxIds.Id> first = readAll(ids, array(texts), false);
    List<SpdxIds.Id> again = readAll(ids, array(texts), false);

    assertThat(again).isEqualTo(first);
    IdentityHashMap<SpdxIds.Id, Boolean> distinct = new IdentityHashMap<>();
    first.forEach(id -> distinct.put(id, true));
    assertThat(distinct).hasSize(2000);
    for (int i = 0; i < 2000; i++) assertThat(ids.get(texts.get(i))).isSameAs(first.get(i));
  }
}
