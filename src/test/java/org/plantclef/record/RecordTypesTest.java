package org.plantclef.record;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.GenericTypeInfo;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/** Every record that flows between operators is a Flink POJO: no Kryo anywhere. */
class RecordTypesTest {

    private static final List<Class<?>> RECORDS =
            List.of(
                    ImageRecord.class,
                    TileRecord.class,
                    MetadataRow.class,
                    DeadLetter.class,
                    RawFile.class,
                    CsvRow.class);

    @Test
    void everyRecordIsAPojoWithoutGenericFields() {
        for (Class<?> type : RECORDS) {
            TypeInformation<?> info = TypeInformation.of(type);
            assertThat(info).as(type.getSimpleName()).isInstanceOf(PojoTypeInfo.class);
            PojoTypeInfo<?> pojo = (PojoTypeInfo<?>) info;
            for (int i = 0; i < pojo.getArity(); i++) {
                assertThat(pojo.getTypeAt(i))
                        .as(
                                type.getSimpleName()
                                        + "."
                                        + pojo.getPojoFieldAt(i).getField().getName())
                        .isNotInstanceOf(GenericTypeInfo.class);
            }
        }
    }

    @Test
    void imageRecordRoundTripsWithGenericTypesDisabled() throws Exception {
        ImageRecord original =
                new ImageRecord(
                        "a.jpg",
                        "file:/x/1/a.jpg",
                        1355868L,
                        null,
                        new byte[] {1, 2, 3},
                        Map.of("organ", "leaf", "obs_id", "42"));
        ImageRecord copy = roundTrip(original, ImageRecord.class);
        assertThat(copy.imageName()).isEqualTo("a.jpg");
        assertThat(copy.speciesId()).isEqualTo(1355868L);
        assertThat(copy.plotId()).isNull();
        assertThat(copy.data()).containsExactly(1, 2, 3);
        assertThat(copy.metadata()).containsExactlyInAnyOrderEntriesOf(original.metadata());
    }

    @Test
    void tileAndDeadLetterRoundTrip() throws Exception {
        TileRecord tile =
                new TileRecord("p.jpg", "p", 4, 3, 9, 2, 1, new byte[] {9, 8, 7, 6, 5, 4});
        TileRecord tileCopy = roundTrip(tile, TileRecord.class);
        assertThat(tileCopy.tileIndex()).isEqualTo(4);
        assertThat(tileCopy.tilesInPlot()).isEqualTo(9);
        assertThat(tileCopy.rgb()).containsExactly(9, 8, 7, 6, 5, 4);

        DeadLetter letter = new DeadLetter("f.jpg", "decode", "corrupt JPEG", 123L, null);
        assertThat(roundTrip(letter, DeadLetter.class)).isEqualTo(letter);
        DeadLetter event =
                new DeadLetter(
                        "gs://b/x.jpg", "fetch", "HTTP 503", 124L, "{\"uri\": \"gs://b/x.jpg\"}");
        assertThat(roundTrip(event, DeadLetter.class)).isEqualTo(event);
    }

    private static <T> T roundTrip(T value, Class<T> type) throws Exception {
        SerializerConfigImpl config = new SerializerConfigImpl();
        config.setGenericTypes(false);
        TypeSerializer<T> serializer = TypeInformation.of(type).createSerializer(config);
        DataOutputSerializer out = new DataOutputSerializer(64);
        serializer.serialize(value, out);
        return serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
    }
}
