package io.rmbg.local;

import io.rmbg.core.model.FetchableModel;
import io.rmbg.core.model.ModelCache;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code bin/rmbg models}: what it lists, and pulling a model that the user's cache already holds.
 */
class ModelsCommandTest {
    @TempDir Path empty;

    @Test
    void listsBothVariantsAndWhichAreCached() throws Exception {
        RealPhotos.model(); // the default is in the user's cache from here on
        Output out = new Output();

        int status = new ModelsCommand(ModelCache.user(), out.stream).run(new String[0]);

        assertThat(status).isZero();
        assertThat(out.text())
                .contains(
                        "isnet-medium",
                        "isnet-small",
                        "(default)",
                        "AGPL-3.0",
                        "xuebinqin/DIS",
                        "cached " + ModelCache.user().pathOf(FetchableModel.DEFAULT),
                        "model.path");
        Output none = new Output();
        new ModelsCommand(new ModelCache(empty), none.stream).run(new String[] {"list"});
        assertThat(none.text()).doesNotContain("cached /").contains("not cached");
    }

    @Test
    void pullingACachedModelDownloadsNothingAndSaysHowToUseIt() throws Exception {
        RealPhotos.model();
        Output out = new Output();

        int status =
                new ModelsCommand(ModelCache.user(), out.stream)
                        .run(new String[] {"pull", FetchableModel.DEFAULT.name()});

        assertThat(status).isZero();
        assertThat(out.text())
                .contains("Already cached: ")
                .doesNotContain("fetching")
                .contains("--model.profile isnet");
    }

    @Test
    void anUnknownNameListsTheKnownOnes() {
        Output out = new Output();

        int status =
                new ModelsCommand(ModelCache.user(), out.stream)
                        .run(new String[] {"pull", "rmbg-2.0"});

        assertThat(status).isEqualTo(2);
        assertThat(out.text()).contains("no model 'rmbg-2.0'", "isnet-medium", "isnet-small");
    }

    private static final class Output {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final PrintStream stream = new PrintStream(bytes, true, StandardCharsets.UTF_8);

        String text() {
            return bytes.toString(StandardCharsets.UTF_8);
        }
    }
}
