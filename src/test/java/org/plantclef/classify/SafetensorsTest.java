package org.plantclef.classify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SafetensorsTest {

    @Test
    void roundTripsTensorsAndMetadata() throws Exception {
        Map<String, Safetensors.Tensor> tensors =
                Map.of(
                        "weight",
                                new Safetensors.Tensor(
                                        new long[] {2, 3},
                                        new float[] {1, -2, 3.5f, 0, 1e-7f, -0f}),
                        "bias", new Safetensors.Tensor(new long[] {2}, new float[] {0.25f, -8}));
        byte[] file = Safetensors.write(tensors, Map.of("feature", "cls"));

        Map<String, Safetensors.Tensor> back = Safetensors.read(file);
        assertThat(back).containsOnlyKeys("weight", "bias");
        assertThat(back.get("weight").shape()).containsExactly(2, 3);
        assertThat(back.get("weight").data()).containsExactly(1, -2, 3.5f, 0, 1e-7f, -0f);
        assertThat(back.get("bias").data()).containsExactly(0.25f, -8);
        assertThat(Safetensors.metadata(file)).containsExactly(Map.entry("feature", "cls"));
        // Header padded to 8 bytes, as the format asks.
        long headerLength = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertThat(headerLength % 8).isZero();
    }

    /** A file made byte by byte as Python's safetensors writes it: {"a": F32 [1], "b": F32 [2]}. */
    @Test
    void readsAHandMadeFileAndWritesItBackByteForByte() throws Exception {
        String json =
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                        + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}";
        byte[] header = json.getBytes(StandardCharsets.UTF_8);
        int padded = (header.length + 7) / 8 * 8;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
        out.write(length.array());
        out.write(header);
        for (int i = header.length; i < padded; i++) {
            out.write(' ');
        }
        ByteBuffer data = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        data.putFloat(7f).putFloat(-1.5f).putFloat(2f);
        out.write(data.array());
        byte[] file = out.toByteArray();

        Map<String, Safetensors.Tensor> tensors = Safetensors.read(file);
        assertThat(tensors.get("a").data()).containsExactly(7f);
        assertThat(tensors.get("b").data()).containsExactly(-1.5f, 2f);
        assertThat(Safetensors.write(tensors, Map.of())).isEqualTo(file);
    }

    @Test
    void refusesOtherDtypesAndBrokenFiles() {
        String json = "{\"a\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[0,2]}}";
        byte[] header = json.getBytes(StandardCharsets.UTF_8);
        ByteBuffer file = ByteBuffer.allocate(8 + header.length + 2).order(ByteOrder.LITTLE_ENDIAN);
        file.putLong(header.length).put(header);
        assertThatThrownBy(() -> Safetensors.read(file.array()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("F16");
        assertThatThrownBy(() -> Safetensors.read(new byte[] {1, 2, 3}))
                .isInstanceOf(IOException.class);
    }
}
