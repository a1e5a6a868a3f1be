package io.rmbg.job.deploy;

import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** What every Grafana panel query must hold to: it groups and labels by labels its series carry. */
final class DashboardLabels {
    private static final Pattern GROUPING = Pattern.compile("\\b(?:by|without)\\s*\\(([^)]*)\\)");
    private static final Pattern LEGEND_LABEL = Pattern.compile("\\{\\{\\s*(\\w+)\\s*}}");

    private DashboardLabels() {}

    /**
     * Asserts that {@code expr}'s {@code by (…)}/{@code without (…)} labels and {@code legend}'s
     * {@code {{label}}} placeholders are all among {@code labels}.
     */
    static void assertKnown(String where, String expr, String legend, Set<String> labels) {
        Matcher grouping = GROUPING.matcher(expr);
        while (grouping.find()) {
            for (String label : grouping.group(1).split(",")) {
                assertThat(labels).as("%s: grouping label", where).contains(label.strip());
            }
        }
        Matcher legendLabel = LEGEND_LABEL.matcher(legend);
        while (legendLabel.find()) {
            assertThat(labels).as("%s: legend label", where).contains(legendLabel.group(1));
        }
    }
}
