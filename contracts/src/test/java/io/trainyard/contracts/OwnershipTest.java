package io.trainyard.contracts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The access rules both services apply, and the owner travelling from a command into the run's events. */
class OwnershipTest {

    private static final Caller ADMIN = new Caller("ada", Role.ADMIN);
    private static final Caller ALICE = new Caller("alice", Role.RESEARCHER);
    private static final Caller BOB = new Caller("bob", Role.RESEARCHER);
    private static final Caller VIC = new Caller("vic", Role.VIEWER);

    @Test
    void privateThingsAreReadByTheirOwnerAndAdminsOnly() {
        assertThat(ALICE.canRead("alice", Visibility.PRIVATE)).isTrue();
        assertThat(ADMIN.canRead("alice", Visibility.PRIVATE)).isTrue();
        assertThat(BOB.canRead("alice", Visibility.PRIVATE)).isFalse();
        assertThat(VIC.canRead("alice", Visibility.PRIVATE)).isFalse();
        assertThat(BOB.canRead("alice", null)).as("no visibility counts as private").isFalse();
    }

    @Test
    void sharedThingsAreReadByEveryoneButChangedByTheirOwnerAndAdminsOnly() {
        for (Caller caller : List.of(ADMIN, ALICE, BOB, VIC)) {
            assertThat(caller.canRead("alice", Visibility.SHARED)).isTrue();
        }
        assertThat(ALICE.canChange("alice")).isTrue();
        assertThat(ADMIN.canChange("alice")).isTrue();
        assertThat(BOB.canChange("alice")).isFalse();
        assertThat(new Caller("alice", Role.VIEWER).canChange("alice")).as("a viewer changes nothing").isFalse();
    }

    @Test
    void thingsWithoutOwnerStayReadableAndOnlyAdminsChangeThem() {
        assertThat(VIC.canRead(null, Visibility.PRIVATE)).isTrue();
        assertThat(ALICE.canChange(null)).isFalse();
        assertThat(ADMIN.canChange(null)).isTrue();
    }

    @Test
    void onlyAdminsAndResearchersCreate() {
        assertThat(ADMIN.canCreate()).isTrue();
        assertThat(ALICE.canCreate()).isTrue();
        assertThat(VIC.canCreate()).isFalse();
    }

    @Test
    void theStrongestKnownRoleOfATokenCounts() {
        assertThat(Role.strongest(List.of("viewer", "admin"))).contains(Role.ADMIN);
        assertThat(Role.strongest(List.of("researcher", "viewer"))).contains(Role.RESEARCHER);
        assertThat(Role.strongest(List.of("root", "Admin"))).isEmpty();
    }

    @Test
    void userNamesThatCouldBreakOutOfAFieldAreRefused() {
        for (String name : List.of("", "../alice", "a/b", "a b", "a\nb", "-alice", "x".repeat(101))) {
            assertThatThrownBy(() -> new Caller(name, Role.VIEWER)).as(name)
                    .isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(new Caller("alice.smith@example.org", Role.VIEWER).user()).isEqualTo("alice.smith@example.org");
    }

    @Test
    void visibilityParsesStrictlyFromUsersAndLeniently_neverWider_fromMessages() {
        assertThat(Visibility.parse("visibility", null)).isEqualTo(Visibility.PRIVATE);
        assertThat(Visibility.parse("visibility", "Shared")).isEqualTo(Visibility.SHARED);
        assertThatThrownBy(() -> Visibility.parse("visibility", "public"))
                .hasMessageContaining("neither 'private' nor 'shared'");
        assertThat(Visibility.fromWire("team")).isEqualTo(Visibility.PRIVATE);
    }

    @Test
    void theOwnerOfACommandSurvivesTheWireAndItsContinuation() {
        TrainRun command = new TrainRun(Messages.SCHEMA_VERSION, UUID.randomUUID(), UUID.randomUUID(), "cpu",
                new DataSpec("demand", "city", "Lyon", "date", "demand"),
                new ModelSpec("mlp-forecaster", Map.of("lags", 14)), new TrainingSpec(10, 64, 1e-3, 42, 2), 0,
                Instant.parse("2026-11-23T10:00:00Z"), "alice", Visibility.SHARED);
        TrainRun decoded = Messages.decodeCommand(Messages.encode(command));
        assertThat(decoded).isEqualTo(command);
        assertThat(new String(Messages.encode(command), StandardCharsets.UTF_8)).contains("\"visibility\":\"shared\"");
        TrainRun next = decoded.continuation(2, Instant.parse("2026-11-23T11:00:00Z"));
        assertThat(next.owner()).isEqualTo("alice");
        assertThat(next.visibility()).isEqualTo(Visibility.SHARED);
        assertThat(next.previousAttempts()).isEqualTo(2);
    }

    @Test
    void messagesWithoutOwnerFromOlderWritersStillDecode() {
        String old = """
                {"schemaVersion":1,"type":"run.failed","run":{"experimentId":"%s","runId":"%s","attempt":1,
                 "sequence":0,"trainer":"t","at":"2026-11-23T10:00:00Z"},"reason":"x"}
                """.formatted(UUID.randomUUID(), UUID.randomUUID());
        RunEvent event = Messages.decodeEvent(old.getBytes(StandardCharsets.UTF_8));
        assertThat(event.run().owner()).isNull();
        assertThat(event.run().visibility()).isNull();
    }

    @Test
    void anEventWithAnOwnerThatIsNoUserNameIsRejected() {
        String bad = """
                {"schemaVersion":1,"type":"run.failed","run":{"experimentId":"%s","runId":"%s","attempt":1,
                 "sequence":0,"trainer":"t","at":"2026-11-23T10:00:00Z","owner":"../../etc","visibility":"shared"},
                 "reason":"x"}
                """.formatted(UUID.randomUUID(), UUID.randomUUID());
        assertThatThrownBy(() -> Messages.decodeEvent(bad.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(InvalidMessageException.class)
                .hasMessageContaining("owner");
    }
}
