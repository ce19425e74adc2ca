package org.plantclef.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.serialization.SimpleStringEncoder;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.functions.sink.filesystem.OutputFileConfig;
import org.apache.flink.streaming.api.functions.sink.filesystem.bucketassigners.BasePathBucketAssigner;
import org.apache.flink.streaming.api.functions.sink.filesystem.rollingpolicies.OnCheckpointRollingPolicy;
import org.apache.flink.util.OutputTag;
import org.plantclef.record.DeadLetter;

/** The dead-letter side output and its JSON Lines sink. */
public final class DeadLetters {

    /** The side output every operator sends refused records to. */
    public static final OutputTag<DeadLetter> TAG = new OutputTag<>("dead-letters") {};

    private DeadLetters() {}

    /** A stream of records and the dead letters produced while making them. */
    public record Split<T>(DataStream<T> records, DataStream<DeadLetter> deadLetters) {}

    /**
     * One JSON object: {@code {"source":..,"stage":..,"reason":..,"time":"ISO-8601"}}, with {@code
     * "payload"} (the refused upload event, to replay it) when there is one.
     */
    public static String toJson(DeadLetter letter) {
        ObjectNode node = JsonHolder.MAPPER.createObjectNode();
        node.put("source", letter.source());
        node.put("stage", letter.stage());
        node.put("reason", letter.reason());
        node.put("time", Instant.ofEpochMilli(letter.timestampMillis()).toString());
        if (letter.payload() != null) {
            node.put("payload", letter.payload());
        }
        try {
            return JsonHolder.MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + letter, e);
        }
    }

    /** Writes {@code letters} as {@code dead-letters-*.jsonl} files into {@code dir}. */
    public static void sink(DataStream<DeadLetter> letters, String dir) {
        letters.map((MapFunction<DeadLetter, String>) DeadLetters::toJson)
                .name("dead letters to JSON")
                .uid("dead-letters-json")
                .sinkTo(jsonLines(dir, "dead-letters"))
                .name("dead-letter files")
                .uid("dead-letter-sink");
    }

    /**
     * A sink of text lines into {@code prefix-*.jsonl} files in {@code dir}: committed at the end
     * of a bounded run, and at every checkpoint of a streaming one.
     */
    static FileSink<String> jsonLines(String dir, String prefix) {
        return FileSink.forRowFormat(new Path(dir), new SimpleStringEncoder<String>())
                .withBucketAssigner(new BasePathBucketAssigner<>())
                .withRollingPolicy(OnCheckpointRollingPolicy.build())
                .withOutputFileConfig(
                        OutputFileConfig.builder()
                                .withPartPrefix(prefix)
                                .withPartSuffix(".jsonl")
                                .build())
                .build();
    }

    private static final class JsonHolder {
        static final ObjectMapper MAPPER = new ObjectMapper();
    }
}
