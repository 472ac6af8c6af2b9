package io.trainyard.models;

/**
 * Supervised samples in row-major order: sample {@code i} is {@code x[i*features .. (i+1)*features)} with label
 * {@code y[i]}.
 */
public record Samples(float[] x, float[] y, int features) {
    public Samples {
        if (features < 1 || x.length != y.length * features) {
            throw new IllegalArgumentException("x has " + x.length + " values for " + y.length + " samples of "
                    + features + " features");
        }
    }

    public int size() {
        return y.length;
    }
}
