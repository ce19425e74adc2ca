package org.plantclef.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.configuration.ConfigOption;
import org.junit.jupiter.api.Test;
import org.plantclef.job.Options;

/** The README's option tables are the option catalogues: same flags, keys and defaults. */
class ReadmeTest {

    @Test
    void everyOptionOfEveryCommandIsInTheReadmeWithItsDefault() throws Exception {
        List<String> readme = Files.readAllLines(Path.of("README.md"));
        for (JobCommand command : PlantClef.COMMANDS) {
            for (ConfigOption<?> option : command.options()) {
                String row =
                        readme.stream()
                                .filter(line -> line.startsWith("| `" + Options.flag(option) + "`"))
                                .filter(line -> line.contains("`" + option.key() + "`"))
                                .findFirst()
                                .orElse(null);
                if (row == null) {
                    // demo.output is described in prose under synth.
                    assertThat(String.join("\n", readme))
                            .as(command.name() + " " + option.key())
                            .contains("`" + option.key() + "`");
                    continue;
                }
                if (option.hasDefaultValue()) {
                    assertThat(row)
                            .as(option.key())
                            .contains("`" + PlantClef.defaultText(option) + "`");
                }
            }
        }
    }

    @Test
    void quickStartTestCommandIsWhatCiRuns() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        String ci = Files.readString(Path.of(".ci/run"));
        assertThat(readme).contains("## Quick start").contains("\nmvn -B verify\n");
        assertThat(ci).contains("\nmvn -B verify\n");
    }
}
