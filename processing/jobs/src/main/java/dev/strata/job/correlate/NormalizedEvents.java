package dev.strata.job.correlate;

import dev.strata.job.ParseJob;
import java.io.Serializable;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads events back from the normalized topic by their coordinates ({@link SourcedEvent}): what {@code enrich}
 * ({@link JoinEnrichment}) does for the rare re-emission of an event by late evidence, instead of holding every
 * event's bytes in its state for the whole lateness retention. Contract: the topic's retention covers the lateness
 * retention (in bounded runs, the whole run); a record that is gone is reported ({@link #read} returns null) and
 * counted by the caller, never silently dropped.
 */
public interface NormalizedEvents extends AutoCloseable {
  /**
   * The value (the event's wire bytes) of the record at {@code offset} in {@code partition}, or null when the topic
   * no longer holds it (its retention passed, or no record is at that offset).
   */
  byte[] read(int partition, long offset);

  @Override
  void close();

  /** Opens a reader in the operator that uses it (serializable: part of the job graph). */
  @FunctionalInterface
  interface Factory extends Serializable {
    NormalizedEvents open();
  }

  /** The normalized topic on {@code bootstrap}, read with the job's consumer properties ({@code read_committed}). */
  static Factory kafka(String bootstrap, String topic, Map<String, String> consumerProperties, String clientId) {
    Map<String, String> props = new HashMap<>(consumerProperties);
    return () -> new FromKafka(bootstrap, topic, props, clientId);
  }

  /**
   * A consumer assigned to one partition at a time: seek to the offset and poll; the records of the last poll are
   * kept, so re-emissions of events near each other in the topic (a late binding re-resolving a burst of flows) are
   * served by one fetch.
   */
  final class FromKafka implements NormalizedEvents {
    /** How long a read waits for its record before the job fails (the broker is unreachable: a restart retries). */
    static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final String topic;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Map<Long, byte[]> fetched = new HashMap<>();
    private int fetchedPartition = -1;
    private long fetchedFirst = Long.MAX_VALUE;
    private long fetchedLast = Long.MIN_VALUE;

    FromKafka(String bootstrap, String topic, Map<String, String> consumerProperties, String clientId) {
      this.topic = topic;
      Properties p = new Properties();
      p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
      p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(ParseJob.MAX_REQUEST_BYTES));
      p.putAll(consumerProperties); // the user's (security, ...), as the source reads with them
      // never commits or joins a group (assign + seek), and a seek before the log's start must say so, not jump
      p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
      p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
      p.remove(ConsumerConfig.GROUP_ID_CONFIG);
      consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    @Override
    public byte[] read(int partition, long offset) {
      if (partition == fetchedPartition && offset >= fetchedFirst && offset <= fetchedLast) return fetched.get(offset);
      TopicPartition tp = new TopicPartition(topic, partition);
      consumer.assign(List.of(tp));
      consumer.seek(tp, offset);
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      while (System.nanoTime() < deadline) {
        ConsumerRecords<byte[], byte[]> records;
        try {
          records = consumer.poll(Duration.ofMillis(500));
        } catch (OffsetOutOfRangeException gone) {
          return null; // before the log's start: the topic's retention has passed
        }
        if (records.isEmpty()) continue;
        fetched.clear();
        fetchedPartition = partition;
        fetchedFirst = offset; // offsets in between that are not fetched hold no record (transaction markers)
        fetchedLast = Long.MIN_VALUE;
        for (ConsumerRecord<byte[], byte[]> r : records.records(tp)) {
          fetched.put(r.offset(), r.value());
          fetchedLast = Math.max(fetchedLast, r.offset());
        }
        return fetched.get(offset);
      }
      throw new IllegalStateException("no record from " + topic + "-" + partition + " at offset " + offset
          + " within " + TIMEOUT + " (is the broker reachable?)");
    }

    @Override
    public void close() {
      consumer.close(Duration.ofSeconds(5));
    }
  }
}
