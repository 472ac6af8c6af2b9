import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.time.Instant;
import java.util.UUID;

/**
 * Publishes N run.progress events of one fresh experiment, persistent and confirmed the way trainers do, straight to
 * one queue (through the default exchange, not trainyard.events: that would also fill the shared results.run-events
 * and scheduler.run-events queues with benchmark events). Prints on stdout the experiment id, the instant the first
 * event went out (epoch seconds) and the last event's run and epoch, for the script to time from the first event and
 * to see cheaply when the last one is stored.
 * Usage: java -cp amqp-client.jar:slf4j-api.jar IngestBench N EPOCHS_PER_RUN QUEUE [host]
 */
public class IngestBench {

    public static void main(String[] args) throws Exception {
        int events = Integer.parseInt(args[0]);
        int epochs = Integer.parseInt(args[1]);
        String queue = args[2];
        String host = args.length > 3 ? args[3] : "127.0.0.1";
        UUID experiment = UUID.randomUUID();
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost(host);
        factory.setUsername("guest");
        factory.setPassword("guest");
        AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder()
                .contentType("application/json").deliveryMode(2).build();
        try (Connection connection = factory.newConnection("trainyard-ingest-bench");
                Channel channel = connection.createChannel()) {
            channel.queueDeclarePassive(queue); // fails when the queue is missing: nothing would be stored
            channel.confirmSelect();
            Instant first = Instant.now();
            long started = System.nanoTime();
            UUID run = null;
            for (int i = 0; i < events; i++) {
                int epoch = i % epochs + 1;
                if (epoch == 1) {
                    run = UUID.randomUUID();
                }
                String json = "{\"type\":\"run.progress\",\"run\":{\"experimentId\":\"" + experiment
                        + "\",\"runId\":\"" + run + "\",\"attempt\":1,\"sequence\":" + (epoch + 1)
                        + ",\"trainer\":\"bench\",\"at\":\"" + Instant.now() + "\"},\"epoch\":" + epoch
                        + ",\"epochs\":" + epochs + ",\"trainLoss\":" + (1.0 / epoch) + ",\"validationLoss\":"
                        + (1.5 / epoch) + ",\"epochSeconds\":0.01,\"schemaVersion\":1}";
                channel.basicPublish("", queue, true, properties, json.getBytes());
                // confirms in windows: the broker acknowledges batches, as a busy fleet of trainers would see
                if (i % 1000 == 999) {
                    channel.waitForConfirmsOrDie(60_000);
                }
            }
            channel.waitForConfirmsOrDie(60_000);
            double seconds = (System.nanoTime() - started) / 1e9;
            System.err.printf("published %d events in %.2f s (%.0f events/s, confirmed)%n", events, seconds,
                    events / seconds);
            System.out.println(experiment);
            System.out.printf("%d.%09d%n", first.getEpochSecond(), first.getNano());
            System.out.println(run + " " + ((events - 1) % epochs + 1));
        }
    }
}
