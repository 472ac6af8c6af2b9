package io.trainyard.models.tabular;

import java.util.LinkedHashMap;
import java.util.Map;

/** The hold-out metrics of the tabular kind. */
final class TabularMetrics {

    private TabularMetrics() {
    }

    /**
     * MAE, RMSE and R² (1 − residual sum of squares / total sum of squares about the hold-out's mean), in the
     * target's units; predictions and labels are standardised with {@code mean} and {@code std}.
     */
    static Map<String, Double> regression(float[] predictions, float[] labels, double mean, double std) {
        int n = labels.length;
        double[] truth = new double[n];
        double truthSum = 0;
        for (int i = 0; i < n; i++) {
            truth[i] = labels[i] * std + mean;
            truthSum += truth[i];
        }
        double truthMean = truthSum / n;
        double absolute = 0;
        double squared = 0;
        double total = 0;
        for (int i = 0; i < n; i++) {
            double error = predictions[i] * std + mean - truth[i];
            absolute += Math.abs(error);
            squared += error * error;
            total += (truth[i] - truthMean) * (truth[i] - truthMean);
        }
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("mae", absolute / n);
        metrics.put("rmse", Math.sqrt(squared / n));
        // R² is undefined on a constant hold-out; leave it out rather than report a made-up number
        if (total > 0) {
            metrics.put("r2", 1 - squared / total);
        }
        return metrics;
    }

    /**
     * Accuracy, macro F1 (the mean of each class's F1 over the classes that occur in the labels or the
     * predictions) and log-loss (mean softmax cross-entropy, natural log).
     *
     * @param logits {@code classes} logits per sample, row-major
     * @param labels class indices
     */
    static Map<String, Double> classification(float[] logits, int classes, float[] labels) {
        int n = labels.length;
        int[] truePositives = new int[classes];
        int[] predicted = new int[classes];
        int[] actual = new int[classes];
        int correct = 0;
        double logLoss = 0;
        for (int i = 0; i < n; i++) {
            int label = (int) labels[i];
            int best = 0;
            for (int k = 1; k < classes; k++) {
                if (logits[i * classes + k] > logits[i * classes + best]) {
                    best = k;
                }
            }
            predicted[best]++;
            actual[label]++;
            if (best == label) {
                correct++;
                truePositives[label]++;
            }
            logLoss -= logSoftmax(logits, i * classes, classes, label);
        }
        double f1Sum = 0;
        int present = 0;
        for (int k = 0; k < classes; k++) {
            if (actual[k] + predicted[k] == 0) {
                continue;
            }
            present++;
            f1Sum += 2.0 * truePositives[k] / (actual[k] + predicted[k]);
        }
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("accuracy", (double) correct / n);
        metrics.put("macroF1", f1Sum / present);
        metrics.put("logLoss", logLoss / n);
        return metrics;
    }

    /** Probabilities of the {@code classes} logits at {@code offset}. */
    static double[] softmax(float[] logits, int offset, int classes) {
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < classes; k++) {
            max = Math.max(max, logits[offset + k]);
        }
        double sum = 0;
        double[] p = new double[classes];
        for (int k = 0; k < classes; k++) {
            p[k] = Math.exp(logits[offset + k] - max);
            sum += p[k];
        }
        for (int k = 0; k < classes; k++) {
            p[k] /= sum;
        }
        return p;
    }

    /** log softmax(logits)[k], computed stably. */
    private static double logSoftmax(float[] logits, int offset, int classes, int k) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < classes; j++) {
            max = Math.max(max, logits[offset + j]);
        }
        double sum = 0;
        for (int j = 0; j < classes; j++) {
            sum += Math.exp(logits[offset + j] - max);
        }
        return logits[offset + k] - max - Math.log(sum);
    }
}
