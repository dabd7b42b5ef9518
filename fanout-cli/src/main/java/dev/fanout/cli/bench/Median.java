package dev.fanout.cli.bench;

import java.util.Arrays;
import java.util.List;

/** The median every benchmark reports: the middle value, or the mean of the two middle values; NaN when empty. */
final class Median {
    private Median() {}

    static double median(double[] xs) {
        if (xs.length == 0) {
            return Double.NaN;
        }
        double[] s = xs.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    static double median(List<Double> xs) {
        return median(xs.stream().mapToDouble(Double::doubleValue).toArray());
    }
}
