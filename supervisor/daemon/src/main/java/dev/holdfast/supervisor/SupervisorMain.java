package dev.holdfast.supervisor;

public final class SupervisorMain {
    public static void main(String[] args) {}
}
