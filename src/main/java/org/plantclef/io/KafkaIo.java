package org.plantclef.io;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Properties;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.api.common.serialization.SimpleStringSchema;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.plantclef.record.DeadLetter;
import org.plantclef.record.PlotPrediction;

/**
 * Kafka in and out for continuous scoring: upload events in, predictions and dead letters out, both
 * sinks exactly once (Kafka transactions committed when a checkpoint completes; consumers must read
 * with {@code isolation.level=read_committed}).
 */
public final class KafkaIo {

    private KafkaIo() {}

    /** Where and how to reach Kafka. */
    public record Settings(
            String bootstrapServers, String consumerGroup, Duration transactionTimeout) {}

    /**
     * The values of {@code topic}, from the group's committed offsets (the earliest when it has
     * none); after a restore, from the offsets in the checkpoint.
     */
    public static DataStream<String> events(
            StreamExecutionEnvironment env, Settings kafka, String topic) {
        KafkaSource<String> source =
                KafkaSource.<String>builder()
                        .setBootstrapServers(kafka.bootstrapServers())
                        .setTopics(topic)
                        .setGroupId(kafka.consumerGroup())
                        .setStartingOffsets(
                                OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                        .setValueOnlyDeserializer(new SimpleStringSchema())
                        .setProperty("isolation.level", "read_committed")
                        .build();
        return env.fromSource(source, WatermarkStrategy.noWatermarks(), "upload events " + topic)
                .uid("upload-events");
    }

    /** Predictions as JSON (the JSON Lines format), key = plot id, exactly once. */
    public static void predictionsSink(
            DataStream<PlotPrediction> predictions, Settings kafka, String topic) {
        predictions
                .sinkTo(sink(kafka, topic, new PredictionKey(), new PredictionValue()))
                .name("predictions to kafka " + topic)
                .uid("prediction-kafka-sink");
    }

    /** Dead letters as JSON, key = source, exactly once. */
    public static void deadLetterSink(
            DataStream<DeadLetter> letters, Settings kafka, String topic) {
        letters.sinkTo(sink(kafka, topic, new DeadLetterKey(), new DeadLetterValue()))
                .name("dead letters to kafka " + topic)
                .uid("dead-letter-kafka-sink");
    }

    private static <T> KafkaSink<T> sink(
            Settings kafka,
            String topic,
            SerializationSchema<T> key,
            SerializationSchema<T> value) {
        Properties properties = new Properties();
        properties.setProperty(
                "transaction.timeout.ms", Long.toString(kafka.transactionTimeout().toMillis()));
        return KafkaSink.<T>builder()
                .setBootstrapServers(kafka.bootstrapServers())
                .setRecordSerializer(
                        KafkaRecordSerializationSchema.<T>builder()
                                .setTopic(topic)
                                .setKeySerializationSchema(key)
                                .setValueSerializationSchema(value)
                                .build())
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix("plantclef-" + topic)
                .setKafkaProducerConfig(properties)
                .build();
    }

    // Named classes, not lambdas: the sink's lineage reads their type parameter.

    static final class PredictionKey implements SerializationSchema<PlotPrediction> {
        private static final long serialVersionUID = 1L;

        @Override
        public byte[] serialize(PlotPrediction p) {
            return p.plotId().getBytes(StandardCharsets.UTF_8);
        }
    }

    static final class PredictionValue implements SerializationSchema<PlotPrediction> {
        private static final long serialVersionUID = 1L;

        @Override
        public byte[] serialize(PlotPrediction p) {
            return Predictions.toJson(p).getBytes(StandardCharsets.UTF_8);
        }
    }

    static final class DeadLetterKey implements SerializationSchema<DeadLetter> {
        private static final long serialVersionUID = 1L;

        @Override
        public byte[] serialize(DeadLetter l) {
            return l.source().getBytes(StandardCharsets.UTF_8);
        }
    }

    static final class DeadLetterValue implements SerializationSchema<DeadLetter> {
        private static final long serialVersionUID = 1L;

        @Override
        public byte[] serialize(DeadLetter l) {
            return DeadLetters.toJson(l).getBytes(StandardCharsets.UTF_8);
        }
    }
}
