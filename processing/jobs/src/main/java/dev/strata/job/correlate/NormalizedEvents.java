package dev.strata.job.correlate;

import dev.strata.job.ParseJob;
import java.io.Serializable;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads events back from the normalized topic by their coordinates ({@link SourcedEvent}): what {@code reemit}
 * ({@link Reemission}) does for the rare re-emission of an event by late evidence, instead of holding every
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
    /** A reader for subtask {@code subtask} of the operator (its client id tells the subtasks apart). */
    NormalizedEvents open(int subtask);
  }

  /** The normalized topic on {@code bootstrap}, read with the job's consumer properties ({@code read_committed}). */
  static Factory kafka(String bootstrap, String topic, Map<String, String> consumerProperties, String clientId) {
    Map<String, String> props = new HashMap<>(consumerProperties);
    return subtask -> new FromKafka(bootstrap, topic, props, clientId + "-" + subtask);
  }

  /**
   * What is wrong with {@code topic}'s retention for re-emissions that may come {@code neededMs} after an event was
   * read (the lateness retention), if anything: a time-based retention shorter than that, or a size-based one (which
   * no time can be promised for). Empty when the topic keeps records long enough (or {@code neededMs} is unbounded:
   * bounded runs, whose need is the run's length). Asked of the broker with the admin API (the job's consumer
   * properties: security); throws when the broker does not answer.
   */
  static Optional<String> retentionProblem(String bootstrap, String topic, Map<String, String> consumerProperties,
      long neededMs) throws Exception {
    if (neededMs == Long.MAX_VALUE) return Optional.empty();
    Map<String, Object> props = new HashMap<>(consumerProperties);
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.keySet().removeIf(k -> k.startsWith("isolation.") || k.startsWith("max.partition") || k.startsWith("group."));
    try (Admin admin = Admin.create(props)) {
      ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
      Config c = admin.describeConfigs(List.of(r)).all().get(30, TimeUnit.SECONDS).get(r);
      ConfigEntry ms = c.get("retention.ms");
      ConfigEntry bytes = c.get("retention.bytes");
      long retentionMs = ms == null ? -1 : Long.parseLong(ms.value());
      long retentionBytes = bytes == null ? -1 : Long.parseLong(bytes.value());
      if (retentionMs >= 0 && retentionMs < neededMs) {
        return Optional.of("topic " + topic + " keeps records for " + retentionMs + " ms (retention.ms), less than"
            + " the lateness retention of " + neededMs + " ms: events re-resolved by late evidence after that are not"
            + " re-emitted (counted as reemissionsMissingEvent)");
      }
      if (retentionBytes >= 0) {
        return Optional.of("topic " + topic + " has a size-based retention (retention.bytes=" + retentionBytes
            + "): events re-resolved by late evidence may no longer be there (counted as reemissionsMissingEvent)");
      }
      return Optional.empty();
    }
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
