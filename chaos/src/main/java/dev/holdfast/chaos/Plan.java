package dev.holdfast.chaos;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The whole run decided from the seed: the operations (client i gets operations i, i + clients, ...) and the fault
 * moments. The same seed, operation count and client count give the same plan; only the timing of the threads
 * that carry it out differs between runs.
 *
 * <p>Each client owns {@link #SLOTS} container slots and {@link #VOLUME_SLOTS} volume slots. The generator follows
 * the state each slot would have if every operation succeeded and picks, for a random slot, an operation that makes
 * sense in that state (a create for an empty slot, an unpause for a paused one, ...). The workers adapt when an
 * operation failed (see {@link ClientWorker}).
 */
public record Plan(long seed, int clients, List<Operation> operations, List<Fault> faults) {

    public static final int SLOTS = 4;
    public static final int VOLUME_SLOTS = 2;
    /** One fault per this many operations (at least one). */
    static final int OPS_PER_FAULT = 12;

    public Plan {
        operations = List.copyOf(operations);
        faults = List.copyOf(faults);
    }

    /** The nominal state of a container slot. */
    private enum SlotState { ABSENT, CREATED, RUNNING, PAUSED, EXITED }

    private static final Map<SlotState, List<OpKind>> VALID = new EnumMap<>(Map.of(
            SlotState.ABSENT, List.of(OpKind.CREATE),
            SlotState.CREATED, List.of(OpKind.START, OpKind.START, OpKind.RM_F, OpKind.RENAME,
                    OpKind.NETWORK_CONNECT, OpKind.NETWORK_DISCONNECT),
            SlotState.RUNNING, List.of(OpKind.STOP, OpKind.KILL, OpKind.RESTART, OpKind.PAUSE, OpKind.RM_F,
                    OpKind.EXEC, OpKind.EXEC, OpKind.EXEC_DETACHED, OpKind.ATTACH, OpKind.LOGS_FOLLOW,
                    OpKind.RENAME, OpKind.NETWORK_CONNECT, OpKind.NETWORK_DISCONNECT),
            SlotState.PAUSED, List.of(OpKind.UNPAUSE, OpKind.UNPAUSE, OpKind.RM_F, OpKind.RENAME),
            SlotState.EXITED, List.of(OpKind.START, OpKind.RESTART, OpKind.RM_F, OpKind.LOGS_FOLLOW,
                    OpKind.RENAME)));

    /** Per-client nominal state while generating. */
    private static final class ClientState {
        final SlotState[] slots = new SlotState[SLOTS];
        final boolean[] connected = new boolean[SLOTS];
        final boolean[] volumes = new boolean[VOLUME_SLOTS];

        ClientState() {
            Arrays.fill(slots, SlotState.ABSENT);
        }
    }

    public static Plan generate(long seed, int operationCount, int clients) {
        if (operationCount < 1 || clients < 1) {
            throw new IllegalArgumentException("a plan needs at least one operation and one client, got "
                    + operationCount + " operations and " + clients + " clients");
        }
        Random random = new Random(seed);
        ClientState[] states = new ClientState[clients];
        for (int c = 0; c < clients; c++) {
            states[c] = new ClientState();
        }
        List<Operation> ops = new ArrayList<>(operationCount);
        for (int i = 0; i < operationCount; i++) {
            int client = i % clients;
            ops.add(next(i, client, states[client], random));
        }
        return new Plan(seed, clients, ops, faults(operationCount, random));
    }

    private static Operation next(int index, int client, ClientState state, Random random) {
        int variant = random.nextInt(1000);
        int roll = random.nextInt(100);
        if (roll < 6) {
            return new Operation(index, client, OpKind.RUN_RM, 0, variant);
        }
        if (roll < 12) {
            int v = random.nextInt(VOLUME_SLOTS);
            OpKind kind = state.volumes[v] ? OpKind.VOLUME_RM : OpKind.VOLUME_CREATE;
            state.volumes[v] = !state.volumes[v];
            return new Operation(index, client, kind, v, variant);
        }
        int slot = random.nextInt(SLOTS);
        List<OpKind> valid = VALID.get(state.slots[slot]).stream()
                .filter(k -> k != OpKind.NETWORK_CONNECT || !state.connected[slot])
                .filter(k -> k != OpKind.NETWORK_DISCONNECT || state.connected[slot])
                .toList();
        OpKind kind = valid.get(random.nextInt(valid.size()));
        apply(state, slot, kind);
        return new Operation(index, client, kind, slot, variant);
    }

    private static void apply(ClientState state, int slot, OpKind kind) {
        switch (kind) {
            case CREATE -> state.slots[slot] = SlotState.CREATED;
            case START, RESTART, UNPAUSE -> state.slots[slot] = SlotState.RUNNING;
            case STOP, KILL -> state.slots[slot] = SlotState.EXITED;
            case PAUSE -> state.slots[slot] = SlotState.PAUSED;
            case RM_F -> {
                state.slots[slot] = SlotState.ABSENT;
                state.connected[slot] = false;
            }
            case NETWORK_CONNECT -> state.connected[slot] = true;
            case NETWORK_DISCONNECT -> state.connected[slot] = false;
            default -> { }
        }
    }

    private static List<Fault> faults(int operationCount, Random random) {
        int count = Math.max(1, operationCount / OPS_PER_FAULT);
        FaultKind[] kinds = {
            FaultKind.KILL_ENGINE, FaultKind.KILL_ENGINE, FaultKind.KILL_ENGINE,
            FaultKind.KILL_SUPERVISOR, FaultKind.KILL_SUPERVISOR,
            FaultKind.KILL_SHIM, FaultKind.KILL_SHIM,
            FaultKind.KILL_RUNC, FaultKind.KILL_RUNC,
            FaultKind.STOP_ENGINE, FaultKind.STOP_SUPERVISOR,
        };
        // Faults land between 5% and 90% of the run: the last operations then run on a healthy instance.
        int first = operationCount / 20;
        int span = Math.max(1, operationCount * 9 / 10 - first);
        List<Fault> faults = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            FaultKind kind = kinds[random.nextInt(kinds.length)];
            int millis = switch (kind) {
                case STOP_ENGINE, STOP_SUPERVISOR -> 1000 + random.nextInt(3000);
                case KILL_SUPERVISOR -> random.nextInt(3000);
                case KILL_RUNC -> 5000 + random.nextInt(5000);
                default -> 0;
            };
            faults.add(new Fault(first + random.nextInt(span), kind, random.nextInt(1000), millis));
        }
        faults.sort(Comparator.comparingInt(Fault::afterOps));
        return faults;
    }

    /** The operations of one client, in their order. */
    public List<Operation> operationsOf(int client) {
        return operations.stream().filter(op -> op.client() == client).toList();
    }
}
