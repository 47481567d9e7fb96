package dev.holdfast.chaos;

/**
 * One operation of the plan: the {@code index}-th of the run, done by client {@code client} on its container slot
 * {@code slot} (or volume slot, for the volume operations). {@code variant} is a seeded number the operation uses
 * as it needs: the kind of container a create makes, how long an attach or a {@code logs -f} stays.
 */
public record Operation(int index, int client, OpKind kind, int slot, int variant) {

    @Override
    public String toString() {
        return "op " + index + " c" + client + " " + kind.label() + " slot " + slot + " v" + variant;
    }
}
