package dev.holdfast.chaos;

/**
 * The names and labels of one run's objects, all derived from the run's tag (random per run, so that runs with the
 * same seed against the same instance do not collide): containers, networks and volumes.
 */
record RunNames(String tag) {

    static final String RUN_LABEL = "dev.holdfast.chaos.run";
    /** {@code counter} or {@code web}: what the container runs, for the checks at the end. */
    static final String KIND_LABEL = "dev.holdfast.chaos.kind";

    String container(int client, int slot, int generation) {
        return "ch" + tag + "-c" + client + "s" + slot + "g" + generation;
    }

    String renamed(int client, int slot, int generation, int rename) {
        return container(client, slot, generation) + "r" + rename;
    }

    String oneShot(int index) {
        return "ch" + tag + "-run" + index;
    }

    String network(int client) {
        return "ch" + tag + "-n" + client;
    }

    String volume(int client, int slot) {
        return "ch" + tag + "-v" + client + "-" + slot;
    }

    String runLabel() {
        return RUN_LABEL + "=" + tag;
    }
}
