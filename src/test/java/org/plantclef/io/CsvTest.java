package org.plantclef.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CsvTest {

    @Test
    void splitsOnTheDelimiterKeepingEmptyFields() {
        assertThat(Csv.split("a;;c;", ';')).containsExactly("a", "", "c", "");
    }

    @Test
    void quotedFieldsMayHoldDelimitersAndDoubledQuotes() {
        assertThat(Csv.split("x;\"Acer; campestre\";\"say \"\"hi\"\"\"", ';'))
                .containsExactly("x", "Acer; campestre", "say \"hi\"");
    }

    @Test
    void aQuoteInsideAnUnquotedFieldIsAnOrdinaryCharacter() {
        assertThat(Csv.split("a.jpg;O\"Brien;5", ';')).containsExactly("a.jpg", "O\"Brien", "5");
    }

    @Test
    void aStrayQuoteCostsOneRecordNotTheRestOfTheFile() throws Exception {
        StringBuilder text = new StringBuilder("image_name;note\n");
        text.append("bad.jpg;\"never closed\n");
        for (int i = 0; i < 100; i++) {
            text.append("ok-").append(i).append(".jpg;O\"Brien\n");
        }
        try (Csv.RecordReader reader =
                new Csv.RecordReader(
                        new ByteArrayInputStream(
                                text.toString().getBytes(StandardCharsets.UTF_8)))) {
            reader.next();
            assertThat(reader.next()).isEqualTo("bad.jpg;\"never closed");
            assertThat(reader.recordLine()).isEqualTo(2);
            for (int i = 0; i < 100; i++) {
                assertThat(reader.next()).isEqualTo("ok-" + i + ".jpg;O\"Brien");
                assertThat(reader.recordLine()).isEqualTo(3 + i);
            }
            assertThat(reader.next()).isNull();
        }
    }

    @Test
    void quoteRoundTripsThroughSplit() {
        String[] values = {"plain", "with;semicolon", "with \"quote\"", "two\nlines", ""};
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < values.length; i++) {
            line.append(i == 0 ? "" : ";").append(Csv.quote(values[i], ';'));
        }
        assertThat(Csv.split(line.toString(), ';')).containsExactly(values);
    }

    @Test
    void readerJoinsQuotedLineBreaksAndStripsTheBom() throws Exception {
        String text = "\uFEFFimage_name;note\na.jpg;\"first\nsecond\"\nb.jpg;x\n";
        try (Csv.RecordReader reader =
                new Csv.RecordReader(
                        new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)))) {
            assertThat(reader.next()).isEqualTo("image_name;note");
            assertThat(reader.next()).isEqualTo("a.jpg;\"first\nsecond\"");
            assertThat(reader.recordLine()).isEqualTo(2);
            assertThat(reader.next()).isEqualTo("b.jpg;x");
            assertThat(reader.recordLine()).isEqualTo(4);
            assertThat(reader.next()).isNull();
        }
    }
}
