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
                if (option == DemoCommand.WORK_DIR) {
                    continue; // described in prose, checked below
                }
                String row =
                        readme.stream()
                                .filter(line -> line.startsWith("| `" + Options.flag(option) + "`"))
                                .filter(line -> line.contains("`" + option.key() + "`"))
                                .findFirst()
                                .orElse(null);
                assertThat(row).as("README table row for " + option.key()).isNotNull();
                if (option.hasDefaultValue()) {
                    assertThat(row)
                            .as(option.key())
                            .contains("`" + PlantClef.defaultText(option) + "`");
                }
            }
        }
        assertThat(String.join("\n", readme))
                .contains(
                        "`--output` (`demo.output`, default `"
                                + DemoCommand.WORK_DIR.defaultValue()
                                + "`)");
    }

    @Test
    void quickStartTestCommandIsWhatCiRuns() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        String ci = Files.readString(Path.of(".ci/run"));
        assertThat(readme).contains("## Quick start").contains("\nmvn -B verify\n");
        assertThat(ci).contains("\nmvn -B verify\n");
    }
}
