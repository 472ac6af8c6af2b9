package io.trainyard.trainer.control;

import io.trainyard.contracts.CancelRuns;
import io.trainyard.contracts.InvalidMessageException;
import io.trainyard.contracts.Messages;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Hears cancel signals on {@code trainyard.control}, through this process's own exclusive queue (auto-acknowledged:
 * a signal lost with the connection is covered by the marker in storage, checked at every delivery).
 */
@ApplicationScoped
public class ControlListener {

    public static final String CHANNEL = "run-control";
    private static final Logger LOG = Logger.getLogger(ControlListener.class);

    private final CancelledRuns cancelled;

    public ControlListener(CancelledRuns cancelled) {
        this.cancelled = cancelled;
    }

    @Incoming(CHANNEL)
    public void onSignal(byte[] body) {
        try {
            CancelRuns signal = Messages.decodeControl(body);
            LOG.infof("cancel signal for experiment %s (%s)", signal.experimentId(),
                    signal.runIds().isEmpty() ? "every run" : signal.runIds().size() + " run(s)");
            cancelled.heard(signal);
        } catch (InvalidMessageException e) {
            LOG.warnf("ignoring a control message that cannot be read: %s", e.getMessage());
        }
    }
}
