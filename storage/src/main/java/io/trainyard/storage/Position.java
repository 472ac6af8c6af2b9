package io.trainyard.storage;

/**
 * Where in a run a checkpoint was taken: {@code epoch} epochs done plus {@code batch} batches of the next one.
 * A checkpoint at an epoch boundary has {@code batch} 0; a drain or the end of a segment can stop mid-epoch.
 */
public record Position(int epoch, int batch) implements Comparable<Position> {

    public Position {
        if (epoch < 0 || batch < 0) {
            throw new IllegalArgumentException("epoch and batch are not negative: " + epoch + ", " + batch);
        }
    }

    public static Position epoch(int epoch) {
        return new Position(epoch, 0);
    }

    @Override
    public int compareTo(Position other) {
        return epoch != other.epoch ? Integer.compare(epoch, other.epoch) : Integer.compare(batch, other.batch);
    }

    /** The checkpoint's directory name: zero-padded, so S3's lexicographic listing is also run order. */
    String directory() {
        return String.format("%08d-%06d", epoch, batch);
    }

    /** The position a {@link #directory()} name stands for, or null for any other name. */
    static Position parse(String directory) {
        int dash = directory.indexOf('-');
        if (dash != 8 || directory.length() != 15) {
            return null;
        }
        try {
            return new Position(Integer.parseInt(directory.substring(0, dash)),
                    Integer.parseInt(directory.substring(dash + 1)));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    @Override
    public String toString() {
        return batch == 0 ? "epoch " + epoch : "epoch " + epoch + " + " + batch + " batches";
    }
}
