package dev.strata.job.serde;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.job.JobDeadLetters;
import dev.strata.job.RawInput;
import dev.strata.job.testing.TestChunks;
import dev.strata.schema.AvroCodec;
import dev.strata.parse.ChunkParser;
import dev.strata.parse.ParserRegistry;
import dev.strata.schema.deadletter.DeadLetter;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.raw.RawArtifactChunk;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

class SerdeTest {
  static final RawArtifactChunk CHUNK =
      TestChunks.whole("docker_json_log", "var/lib/docker/containers/x/x-json.log", "{\"log\":\"hi\\n\"}\n");

  static List<RawInput> read(byte[] value) {
    List<RawInput> out = new ArrayList<>();
    RawInputDeserializationSchema schema = new RawInputDeserializationSchema();
    schema.open(null);
    schema.deserialize(
        new ConsumerRecord<>("evidence.raw.v1", 2, 99L, "k".getBytes(StandardCharsets.UTF_8), value),
        new Collector<>() {
          @Override
          public void collect(RawInput record) {
            out.add(record);
          }

          @Override
          public void close() {}
        });
    return out;
  }

  @Test
  void kafkaDeserializerDecodesChunks() {
    List<RawInput> out = read(AvroCodec.of(RawArtifactChunk.class).encode(CHUNK));
    assertThat(out).hasSize(1);
    assertThat(out.get(0).isChunk()).isTrue();
    assertThat(out.get(0).chunk()).isEqualTo(CHUNK);
    assertThat(out.get(0).offset()).isEqualTo(99L);
  }

  @Test
  void kafkaDeserializerTurnsGarbageIntoUndecodableInputInsteadOfFailing() {
    byte[] garbage = "definitely not avro".getBytes(StandardCharsets.UTF_8);
    for (byte[] value : new byte[][] {garbage, new byte[0], {(byte) 0xC3, 0x01, 1, 2, 3, 4, 5, 6, 7, 8, 9}}) {
      List<RawInput> out = read(value);
      assertThat(out).hasSize(1);
      RawInput in = out.get(0);
      assertThat(in.isChunk()).isFalse();
      assertThat(in.original()).isEqualTo(value);
      assertThat(in.topic()).isEqualTo("evidence.raw.v1");
      assertThat(in.partition()).isEqualTo(2);
      assertThat(in.offset()).isEqualTo(99L);
      assertThat(in.error()).isNotBlank();
    }
    RawInput tombstone = read(null).get(0);
    assertThat(tombstone.isChunk()).isFalse();
    assertThat(tombstone.original()).isEmpty();
  }

  static <T> T roundTrip(TypeSerializer<T> s, T value) throws Exception {
    DataOutputSerializer out = new DataOutputSerializer(256);
    s.serialize(value, out);
    // copy(DataInputView, DataOutputView) must reproduce the same bytes
    DataOutputSerializer copied = new DataOutputSerializer(256);
    s.copy(new DataInputDeserializer(out.getCopyOfBuffer()), copied);
    assertThat(copied.getCopyOfBuffer()).isEqualTo(out.getCopyOfBuffer());
    return s.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
  }

  @Test
  void flinkSerializersRoundTripAndCopy() throws Exception {
    RawInputSerializer s = new RawInputSerializer();
    RawInput chunk = roundTrip(s, RawInput.chunk(CHUNK, "t", 1, 5));
    assertThat(chunk.chunk()).isEqualTo(CHUNK);
    assertThat(chunk.topic()).isEqualTo("t");
    assertThat(chunk.offset()).isEqualTo(5);
    RawInput und = roundTrip(s, RawInput.undecodable(new byte[] {1, 2}, null, -1, -1, null));
    assertThat(und.original()).containsExactly(1, 2);
    assertThat(und.topic()).isNull();
    assertThat(s.copy(chunk).chunk()).isEqualTo(CHUNK).isNotSameAs(CHUNK);

    AvroCodecSerializer<DeadLetter> d = new AvroCodecSerializer<>(DeadLetter.class);
    DeadLetter dl = JobDeadLetters.undecodable(und);
    assertThat(roundTrip(d, dl)).isEqualTo(dl);
    DeadLetter copy = d.copy(dl);
    assertThat(copy).isEqualTo(dl).isNotSameAs(dl);
    assertThat(copy.getTime()).isEqualTo(dl.getTime());
  }

  @Test
  void serializerSnapshotsRestore() throws Exception {
    AvroCodecSerializer<DeadLetter> d = new AvroCodecSerializer<>(DeadLetter.class);
    TypeSerializerSnapshot<DeadLetter> snap = d.snapshotConfiguration();
    DataOutputSerializer out = new DataOutputSerializer(64);
    TypeSerializerSnapshot.writeVersionedSnapshot(out, snap);
    TypeSerializerSnapshot<DeadLetter> read =
        TypeSerializerSnapshot.readVersionedSnapshot(
            new DataInputDeserializer(out.getCopyOfBuffer()), getClass().getClassLoader());
    assertThat(read.restoreSerializer()).isEqualTo(d);
    assertThat(d.snapshotConfiguration().resolveSchemaCompatibility(read).isCompatibleAsIs()).isTrue();
    assertThat(new RawInputSerializer().snapshotConfiguration().restoreSerializer())
        .isEqualTo(new RawInputSerializer());
  }

  @Test
  void eventsAreKeyedByIdAndWrittenInTheAvroCodecWireFormat() {
    List<EvidenceEvent> events = new ChunkParser(ParserRegistry.defaults()).parse(CHUNK).events();
    assertThat(events).hasSize(1);
    EvidenceEventSerializationSchema schema = new EvidenceEventSerializationSchema("norm");
    for (int i = 0; i < 3; i++) { // the reused encoder gives the same bytes every time
      ProducerRecord<byte[], byte[]> r = schema.serialize(events.get(0), null, 5L);
      assertThat(r.topic()).isEqualTo("norm");
      assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(events.get(0).getEventId());
      assertThat(r.value()).isEqualTo(AvroCodec.of(EvidenceEvent.class).encode(events.get(0)));
      assertThat(r.timestamp()).isNull();
    }
  }

  @Test
  void eventDeserializerReadsWhatTheTopicHoldsAndSkipsWhatDoesNotDecode() {
    EvidenceEvent first = new ChunkParser(ParserRegistry.defaults()).parse(CHUNK).events().get(0);
    EvidenceEvent second = EvidenceEvent.newBuilder(first).setEventId("other").setRawData("another line").build();
    EvidenceEventSerializationSchema writer = new EvidenceEventSerializationSchema("norm");
    EvidenceEventDeserializationSchema reader = new EvidenceEventDeserializationSchema();
    List<EvidenceEvent> out = new ArrayList<>();
    Collector<EvidenceEvent> collect = new Collector<>() {
      @Override
      public void collect(EvidenceEvent record) {
        out.add(record);
      }

      @Override
      public void close() {}
    };
    byte[] garbage = {(byte) 0xC3, 0x01, 1, 2, 3, 4, 5, 6, 7, 8, 9}; // a single-object header of no known schema
    long offset = 0;
    for (byte[] value : new byte[][] {writer.serialize(first, null, 1L).value(), garbage,
        "not avro".getBytes(StandardCharsets.UTF_8), writer.serialize(second, null, 2L).value(), null,
        writer.serialize(first, null, 3L).value()}) {
      reader.deserialize(new ConsumerRecord<>("norm", 0, offset++, null, value), collect);
    }
    // the reused decoder reads each record on its own: the same events as Avro's own decoder, none mixed up
    assertThat(out).containsExactly(first, second, first);
    assertThat(out.get(1)).isEqualTo(AvroCodec.of(EvidenceEvent.class).decode(writer.serialize(second, null, 2L)
        .value()));
    assertThat(out.get(0)).isNotSameAs(out.get(2));
  }

  @Test
  void kafkaSerializersKeyEventsByIdAndDeadLettersByArtifact() {
    var dl = JobDeadLetters.parserError(CHUNK, new IllegalStateException("x"));
    ProducerRecord<byte[], byte[]> r = new DeadLetterSerializationSchema("dlq").serialize(dl, null, 123L);
    assertThat(r.topic()).isEqualTo("dlq");
    assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(CHUNK.getArtifactSha256());
    assertThat(AvroCodec.of(DeadLetter.class).decode(r.value())).isEqualTo(dl);
    assertThat(r.value()).isEqualTo(AvroCodec.of(DeadLetter.class).encode(dl));
    assertThat(r.timestamp()).isNull();
    assertThat(new String(r.headers().lastHeader("strata.reason").value(), StandardCharsets.UTF_8))
        .isEqualTo("parser_error");

    var und = JobDeadLetters.undecodable(RawInput.undecodable(new byte[] {9}, "raw", 0, 1, "e"));
    ProducerRecord<byte[], byte[]> u = new DeadLetterSerializationSchema("dlq").serialize(und, null, null);
    assertThat(new String(u.key(), StandardCharsets.UTF_8)).isEqualTo(und.getDeadLetterId());
  }
}
