package org.plantclef.classify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

    /** A file with {@code json} as its header and {@code data} after it. */
    private static byte[] file(String json, byte[] data) {
        byte[] header = json.getBytes(StandardCharsets.UTF_8);
        ByteBuffer file =
                ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        file.putLong(header.length).put(header).put(data);
        return file.array();
    }

    @Test
    void widensHalfAndBfloat16Exactly() throws Exception {
        // F16: 1.0, -2.5, 65504 (largest), 2^-24 (smallest subnormal); BF16: 1.0, -3.140625.
        ByteBuffer data = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        data.putShort((short) 0x3C00).putShort((short) 0xC100).putShort((short) 0x7BFF);
        data.putShort((short) 0x0001).putShort((short) 0x3F80).putShort((short) 0xC049);
        byte[] bytes =
                file(
                        "{\"h\":{\"dtype\":\"F16\",\"shape\":[2,2],\"data_offsets\":[0,8]},"
                                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[8,12]}}",
                        data.array());
        Map<String, Safetensors.Tensor> tensors = Safetensors.read(bytes);
        assertThat(tensors.get("h").shape()).containsExactly(2, 2);
        assertThat(tensors.get("h").data()).containsExactly(1f, -2.5f, 65504f, 0x1p-24f);
        assertThat(tensors.get("b").data()).containsExactly(1f, -3.140625f);
        assertThat(Safetensors.halfToFloat((short) 0x7C00)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(Safetensors.halfToFloat((short) 0xFE00)).isNaN();
    }

    @Test
    void refusesOtherDtypesAndBrokenFilesWithoutTrustingTheHeader(@TempDir Path tmp)
            throws Exception {
        assertThatThrownBy(
                        () ->
                                Safetensors.read(
                                        file(
                                                "{\"a\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}",
                                                new byte[8])))
                .isInstanceOf(IOException.class)
                .hasMessage("tensor a is I64; only F32, F16 and BF16 are read");
        assertThatThrownBy(() -> Safetensors.read(new byte[] {1, 2, 3}))
                .hasMessageContaining("not a safetensors file: 3 bytes");
        // A header length far beyond the file: refused before anything that size is allocated.
        byte[] lying = new byte[16];
        ByteBuffer.wrap(lying).order(ByteOrder.LITTLE_ENDIAN).putLong(Long.MAX_VALUE / 2);
        assertThatThrownBy(() -> Safetensors.read(lying))
                .hasMessageContaining("header length says 4611686018427387903 bytes");
        assertThatThrownBy(() -> Safetensors.read(file("[1, 2]", new byte[0])))
                .hasMessageContaining("not a JSON object");
        assertThatThrownBy(() -> Safetensors.read(file("{\"a\": ", new byte[0])))
                .hasMessageContaining("not JSON");
        // Offsets past the data, and a shape that needs terabytes the offsets do not hold.
        assertThatThrownBy(
                        () ->
                                Safetensors.read(
                                        file(
                                                "{\"a\":{\"dtype\":\"F32\",\"shape\":[1000000,1000000],\"data_offsets\":[0,4000000000000]}}",
                                                new byte[8])))
                .hasMessageContaining("outside the 8 data bytes");
        assertThatThrownBy(
                        () ->
                                Safetensors.read(
                                        file(
                                                "{\"a\":{\"dtype\":\"F32\",\"shape\":[1000000,1000000],\"data_offsets\":[0,8]}}",
                                                new byte[8])))
                .hasMessageContaining("needs 4000000000000 bytes, its offsets give 8");
        assertThatThrownBy(
                        () ->
                                Safetensors.read(
                                        file(
                                                "{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,8]}}",
                                                new byte[8])))
                .hasMessageContaining("bad shape");
        // The same bytes named twice: refused, as a header could otherwise multiply the file.
        assertThatThrownBy(
                        () ->
                                Safetensors.read(
                                        file(
                                                "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                                                        + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",
                                                new byte[8])))
                .hasMessageContaining("tensor b overlaps another tensor's data");
        // From a file, the message names it.
        Path truncated = tmp.resolve("model.safetensors");
        byte[] whole =
                Safetensors.write(
                        Map.of("w", new Safetensors.Tensor(new long[] {4}, new float[4])),
                        Map.of());
        Files.write(truncated, java.util.Arrays.copyOf(whole, whole.length - 4));
        assertThatThrownBy(() -> Safetensors.read(truncated))
                .hasMessageStartingWith(truncated.toString())
                .hasMessageContaining("outside the");
    }
}
