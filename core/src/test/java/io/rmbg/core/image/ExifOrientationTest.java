package io.rmbg.core.image;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

class ExifOrientationTest {

    /**
     * A 3x2 image whose pixels are their own indices:
     *
     * <pre>
     * 0 1 2
     * 3 4 5
     * </pre>
     */
    private static final RasterImage INDICES =
            new RasterImage(3, 2, new int[] {0, 1, 2, 3, 4, 5}, false);

    @ParameterizedTest(name = "orientation {0}")
    @CsvSource({
        "1, 3, 0 1 2 3 4 5",
        "2, 3, 2 1 0 5 4 3",
        "3, 3, 5 4 3 2 1 0",
        "4, 3, 3 4 5 0 1 2",
        "5, 2, 0 3 1 4 2 5",
        "6, 2, 3 0 4 1 5 2",
        "7, 2, 5 2 4 1 3 0",
        "8, 2, 2 5 1 4 0 3",
        "0, 3, 0 1 2 3 4 5",
        "9, 3, 0 1 2 3 4 5",
    })
    void turnsStoredPixelsUpright(int orientation, int width, String expected) {
        RasterImage out = ExifOrientation.apply(INDICES, orientation);

        assertThat(out.width()).isEqualTo(width);
        assertThat(out.height()).isEqualTo(6 / width);
        assertThat(out.argb())
                .containsExactly(
                        Arrays.stream(expected.split(" ")).mapToInt(Integer::parseInt).toArray());
    }
}
