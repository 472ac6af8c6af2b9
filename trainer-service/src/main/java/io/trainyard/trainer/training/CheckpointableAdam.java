package io.trainyard.trainer.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.TreeMap;

/**
 * Adam whose state can be written to a checkpoint and read back.
 *
 * <p>Hand-written because DJL's Adam keeps its moments and step counts private (NOTES.md): resuming with the
 * parameters alone does not reproduce an uninterrupted run. State is keyed by parameter <em>name</em>, since
 * DJL's parameter ids change in every process.
 *
 * <p>The step itself is the engine's fused Adam kernel ({@code NDArrayEx.adamUpdate}, the one DJL's own Adam calls),
 * given this class's moments: one native call per parameter instead of a dozen element-wise operations, each a
 * JNI round trip with a temporary array, which made the optimizer cost as much as forward and backward together.
 * It is Adam with the bias corrections folded into the step size, {@code lr·√(1−β₂ᵗ)/(1−β₁ᵗ)}, and ε added to
 * {@code √v} (Kingma and Ba, section 2, last paragraph), exactly as DJL's Adam. The kernel also zeroes the weight's
 * gradient, which PyTorch would otherwise accumulate into the next batch.
 */
public final class CheckpointableAdam {

    private static final int FORMAT = 1;
    private static final float NO_WEIGHT_DECAY = 0f;
    private static final float NO_RESCALE = 1f;
    /** Negative: the kernel clips gradients only at a limit of 0 or more. */
    private static final float NO_CLIPPING = -1f;

    private final float learningRate;
    private final float beta1 = 0.9f;
    private final float beta2 = 0.999f;
    private final float epsilon = 1e-8f;
    private final NDManager manager;
    private final Map<String, Slot> slots = new TreeMap<>();

    private static final class Slot {
        final NDArray mean;
        final NDArray variance;
        int steps;

        Slot(NDArray mean, NDArray variance, int steps) {
            this.mean = mean;
            this.variance = variance;
            this.steps = steps;
        }
    }

    public CheckpointableAdam(NDManager manager, double learningRate) {
        this.manager = manager;
        this.learningRate = (float) learningRate;
    }

    /** One Adam step of {@code weight} (in place) with {@code grad}, the weight's gradient; zeroes that gradient. */
    public void update(String name, NDArray weight, NDArray grad) {
        Slot slot = slots.computeIfAbsent(name, n -> new Slot(manager.zeros(weight.getShape()),
                manager.zeros(weight.getShape()), 0));
        slot.steps++;
        double correction1 = 1 - Math.pow(beta1, slot.steps);
        double correction2 = 1 - Math.pow(beta2, slot.steps);
        float stepSize = (float) (learningRate * Math.sqrt(correction2) / correction1);
        // Plain floats reach the kernel: no scalar NDArray is made that the garbage collector could free early.
        weight.getNDArrayInternal().adamUpdate(new NDList(weight, grad, slot.mean, slot.variance),
                new NDList(weight), learningRate, stepSize, NO_WEIGHT_DECAY, NO_RESCALE, NO_CLIPPING, beta1, beta2,
                epsilon, false, false);
    }

    /** The moments and step counts of every parameter, by name. */
    public byte[] save() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(FORMAT);
            out.writeInt(slots.size());
            for (Map.Entry<String, Slot> e : slots.entrySet()) {
                out.writeUTF(e.getKey());
                out.writeInt(e.getValue().steps);
                writeArray(out, e.getValue().mean);
                writeArray(out, e.getValue().variance);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return bytes.toByteArray();
    }

    /** Replaces the state with what {@link #save()} wrote. */
    public void load(byte[] state) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(state))) {
            int format = in.readInt();
            if (format != FORMAT) {
                throw new IOException("optimizer state format " + format + " is not " + FORMAT);
            }
            int count = in.readInt();
            slots.clear();
            for (int i = 0; i < count; i++) {
                String name = in.readUTF();
                int steps = in.readInt();
                slots.put(name, new Slot(readArray(in), readArray(in), steps));
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("optimizer state is unreadable: " + e.getMessage(), e);
        }
    }

    private static void writeArray(DataOutputStream out, NDArray array) throws IOException {
        long[] shape = array.getShape().getShape();
        out.writeInt(shape.length);
        for (long d : shape) {
            out.writeLong(d);
        }
        float[] values = array.toFloatArray();
        out.writeInt(values.length);
        // In bulk, as writeFloat would one by one (big-endian): the copy is made on the training thread.
        ByteBuffer bytes = ByteBuffer.allocate(values.length * Float.BYTES);
        bytes.asFloatBuffer().put(values);
        out.write(bytes.array());
    }

    private NDArray readArray(DataInputStream in) throws IOException {
        long[] shape = new long[in.readInt()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = in.readLong();
        }
        float[] values = new float[in.readInt()];
        byte[] bytes = new byte[values.length * Float.BYTES];
        in.readFully(bytes);
        ByteBuffer.wrap(bytes).asFloatBuffer().get(values);
        return manager.create(values, new Shape(shape));
    }
}
