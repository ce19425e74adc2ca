package org.plantclef.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.annotation.Nullable;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.plantclef.image.ImageDecoder;
import org.plantclef.image.Interpolation;
import org.plantclef.io.DeadLetters;
import org.plantclef.io.ImageParquet;
import org.plantclef.io.ParquetInputs;
import org.plantclef.record.DeadLetter;
import org.plantclef.record.ImageRecord;
import org.plantclef.record.MetadataRow;
import org.plantclef.testutil.Fixtures;
import org.plantclef.testutil.MiniClusters;

/** The ingest pipeline with injected in-memory sources and collecting sinks. */
class IngestPipelineITCase {

    @RegisterExtension static final MiniClusterExtension MINI_CLUSTER = MiniClusters.extension();

    private static IngestJob.Settings settings(int squareSize) {
        return new IngestJob.Settings(
                "memory",
                "memory",
                IngestOptions.Layout.SPECIES,
                null,
                new String[0],
                squareSize,
                Interpolation.AREA,
                0.9f,
                1_000_000,
                1 << 20,
                "memory",
                false,
                ParquetInputs.none(),
                ImageParquet.schema(List.of()));
    }

    private static ImageRecord image(String name, long species, byte[] data) {
        return new ImageRecord(name, "mem:/" + name, species, null, data, Map.of());
    }

    /** Sources from fixed records; sinks that collect. */
    private static final class InMemory implements IngestJob.Sources, IngestJob.Sinks {
        private final List<ImageRecord> images;
        @Nullable private final List<MetadataRow> rows;
        CloseableIterator<ImageRecord> written;
        CloseableIterator<DeadLetter> deadLetters;

        InMemory(List<ImageRecord> images, @Nullable List<MetadataRow> rows) {
            this.images = images;
            this.rows = rows;
        }

        @Override
        public DeadLetters.Split<ImageRecord> images(StreamExecutionEnvironment env) {
            DataStream<ImageRecord> stream =
                    env.fromData(images, TypeInformation.of(ImageRecord.class));
            return new DeadLetters.Split<>(stream, none(stream));
        }

        @Override
        public DeadLetters.Split<MetadataRow> metadata(StreamExecutionEnvironment env) {
            if (rows == null) {
                return null;
            }
            DataStream<MetadataRow> stream =
                    env.fromData(rows, TypeInformation.of(MetadataRow.class));
            return new DeadLetters.Split<>(stream, none(stream));
        }

        /** An empty dead-letter stream (fromData cannot make an empty one). */
        private static <T> DataStream<DeadLetter> none(DataStream<T> stream) {
            return stream.flatMap(
                    (T value, Collector<DeadLetter> out) -> {},
                    TypeInformation.of(DeadLetter.class));
        }

        @Override
        public void images(DataStream<ImageRecord> stream) {
            written = stream.collectAsync();
        }

        @Override
        public void deadLetters(DataStream<DeadLetter> stream) {
            deadLetters = stream.collectAsync();
        }
    }

    private static <T> List<T> drain(CloseableIterator<T> it) throws Exception {
        List<T> out = new ArrayList<>();
        try (it) {
            it.forEachRemaining(out::add);
        }
        return out;
    }

    @Test
    void cropsJoinsAndRoutesDeadLetters() throws Exception {
        InMemory io =
                new InMemory(
                        List.of(
                                image("a.jpg", 1L, Fixtures.jpeg(90, 60, 0xFF0000)),
                                image("b.jpg", 2L, Fixtures.truncatedJpeg()),
                                image("c.jpg", 3L, Fixtures.jpeg(40, 70, 0x0000FF))),
                        List.of(
                                new MetadataRow("a.jpg", 1L, Map.of("organ", "leaf")),
                                new MetadataRow("c.jpg", 4L, Map.of("organ", "bark"))));
        IngestJob job = new IngestJob(settings(20), io, io);

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        IngestJob.Summary summary = job.run(env);

        // The job ran with Kryo disabled: any type that needed it would have failed at start.
        assertThat(env.getConfig().getSerializerConfig().hasGenericTypesDisabled()).isTrue();

        List<ImageRecord> written = drain(io.written);
        List<DeadLetter> letters = drain(io.deadLetters);
        assertThat(written).extracting(ImageRecord::imageName).containsExactly("a.jpg");
        assertThat(written.get(0).metadata()).containsEntry("organ", "leaf");
        assertThat(new ImageDecoder().decode(written.get(0).data()).width()).isEqualTo(20);
        assertThat(letters)
                .extracting(DeadLetter::source, DeadLetter::stage)
                .containsExactlyInAnyOrder(
                        tuple("mem:/b.jpg", "decode"), tuple("mem:/c.jpg", "metadata"));
        assertThat(summary.imagesWritten()).isEqualTo(1);
        assertThat(summary.deadLetters()).isEqualTo(2);
    }
}
