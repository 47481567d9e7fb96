package dev.holdfast.engine;

public final class EngineMain {
    public static void main(String[] args) {}
}
