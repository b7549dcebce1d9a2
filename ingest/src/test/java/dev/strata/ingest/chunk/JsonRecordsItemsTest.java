package dev.strata.ingest.chunk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.schema.common.Framing;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** JSON_RECORDS framing of Kubernetes List documents ({@code "items":[...]}, e.g. kubectl get events -o json). */
class JsonRecordsItemsTest {

  private static List<Integer> boundaries(String doc) {
    byte[] b = doc.getBytes(StandardCharsets.UTF_8);
    JsonRecordsBoundaryScanner s = new JsonRecordsBoundaryScanner();
    List<Integer> out = new ArrayList<>();
    int pos = 0;
    while (pos < b.length) {
      int i = s.next(b, pos, b.length);
      if (i < 0) {
        break;
      }
      out.add(i);
      pos = i;
    }
    return out;
  }

  @Test
  void itemsOfAListAreRecords() {
    String item = "{\"kind\":\"Event\",\"message\":\"a, [b] {c} \\\"d\\\"\",\"involvedObject\":{\"kind\":\"Pod\"}}";
    String doc = "{\n  \"apiVersion\": \"v1\",\n  \"items\": [\n    " + item + ",\n    " + item + ",\n    " + item
        + "\n  ],\n  \"kind\": \"List\",\n  \"metadata\": {\"x\": [1, 2]}\n}\n";
    List<Integer> bs = boundaries(doc);
    assertThat(bs).hasSize(2);
    for (int b : bs) {
      assertThat(doc.charAt(b - 1)).isEqualTo(',');
      assertThat(doc.substring(b).strip()).startsWith("{\"kind\":\"Event\"");
    }
  }

  @Test
  void onlyATopLevelItemsOrRecordsKeyCounts() {
    assertThat(boundaries("{\"a\":{\"items\":[1,2,3]},\"b\":[1,2,3]}")).isEmpty();
    assertThat(boundaries("{\"itemsX\":[1,2,3],\"xitems\":[1,2]}")).isEmpty();
    assertThat(boundaries("{\"ite\\u006ds\":[1,2,3]}")).isEmpty();
    assertThat(boundaries("{\"kind\":\"items\",\"x\":[1,2]}")).isEmpty();
    assertThat(boundaries("{\"Records\":[{},{}]}")).hasSize(1);
  }

  @Test
  void aLargeListIsCutIntoChunksThatConcatenateToTheDocument() throws IOException {
    StringBuilder sb = new StringBuilder("{\"apiVersion\":\"v1\",\"items\":[");
    for (int i = 0; i < 500; i++) {
      sb.append(i == 0 ? "" : ",").append("{\"kind\":\"Event\",\"reason\":\"BackOff\",\"n\":").append(i)
          .append(",\"involvedObject\":{\"kind\":\"Pod\",\"name\":\"p-").append(i).append("\"}}");
    }
    sb.append("],\"kind\":\"List\",\"metadata\":{}}\n");
    byte[] doc = sb.toString().getBytes(StandardCharsets.UTF_8);
    Chunker chunker = new Chunker(1024, 8192);
    ChunkPlan plan = chunker.plan(new ByteArrayInputStream(doc), Framing.JSON_RECORDS);
    assertThat(plan.count()).isGreaterThan(10);
    assertThat(plan.truncations()).isEmpty();
    for (PlannedChunk c : plan.chunks()) {
      if (c.offset() > 0) {
        assertThat(doc[(int) c.offset() - 1]).isEqualTo((byte) ',');
        assertThat(doc[(int) c.offset()]).isEqualTo((byte) '{');
      }
    }
  }

  /** {@code aws ec2 describe-instances} / {@code describe-network-interfaces}: their reservations / interfaces. */
  @Test
  void ec2InventoriesAreCutBetweenReservationsAndInterfaces() {
    String reservation = "{\"Groups\":[],\"Instances\":[{\"InstanceId\":\"i-1\",\"NetworkInterfaces\":[{\"a\":1},"
        + "{\"b\":2}]},{\"InstanceId\":\"i-2\"}],\"OwnerId\":\"1\",\"ReservationId\":\"r-1\"}";
    String doc = "{\n    \"Reservations\": [\n        " + reservation + ",\n        " + reservation + "\n    ]\n}\n";
    assertThat(boundaries(doc)).hasSize(1);
    String ni = "{\"NetworkInterfaceId\":\"eni-1\",\"PrivateIpAddresses\":[{\"x\":1},{\"y\":2}]}";
    assertThat(boundaries("{\"NetworkInterfaces\":[" + ni + "," + ni + "," + ni + "]}")).hasSize(2);
    assertThat(boundaries("{\"x\":{\"NetworkInterfaces\":[1,2]},\"Reservation\":[1,2],\"Reservationss\":[1,2]}")).isEmpty();
  }
}
