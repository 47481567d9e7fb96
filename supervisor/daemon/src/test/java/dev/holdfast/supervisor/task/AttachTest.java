package dev.holdfast.supervisor.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.holdfast.supervisor.api.AttachOpen;
import dev.holdfast.supervisor.api.AttachOutput;
import dev.holdfast.supervisor.api.AttachRequest;
import dev.holdfast.supervisor.api.DeleteTaskRequest;
import dev.holdfast.supervisor.testing.AttachClient;
import dev.holdfast.supervisor.testing.Await;
import dev.holdfast.supervisor.testing.SupervisorExtension;
import dev.holdfast.supervisor.testing.TaskRequests;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Attach to a task's init: output, stdin, stdin-once, the call's errors and its bounded buffering. */
class AttachTest {
    private static final Duration T = Duration.ofSeconds(30);

    @RegisterExtension
    final SupervisorExtension supervisor = new SupervisorExtension();

    @Test
    void attachBeforeStartSeesAllOutputOnBothStreamsAndCompletesAtExit() throws Exception {
        supervisor.sup().tasks().create(supervisor.host().createRequest("a1", "sh", "-c", "echo out; echo err >&2; exit 3"));
        try (AttachClient a = AttachClient.open(supervisor.sup().async, AttachClient.openOf("a1", "").build())) {
            Await.until(T, "the attach to be relayed", () -> supervisor.sup().server.service().attachCount() == 1);
            supervisor.sup().tasks().start(TaskRequests.of("a1"));
            assertEquals(Status.Code.OK, a.awaitEnd(T).getCode());
            assertEquals("out\n", a.stdout());
            assertEquals("err\n", a.stderr());
        }
        assertEquals(3, supervisor.sup().tasks().wait(TaskRequests.of("a1")).getExit().getExitCode());
        Await.until(T, "the relay to be gone", () -> supervisor.sup().server.service().attachCount() == 0);
    }

    @Test
    void onlyTheRequestedStreamsAreSent() throws Exception {
        supervisor.sup().tasks().create(supervisor.host().createRequest("a2", "sh", "-c", "echo out; echo err >&2"));
        try (AttachClient a = AttachClient.open(supervisor.sup().async, AttachClient.openOf("a2", "").setStdout(false).build())) {
            Await.until(T, "the attach to be relayed", () -> supervisor.sup().server.service().attachCount() == 1);
            supervisor.sup().tasks().start(TaskRequests.of("a2"));
            assertEquals(Status.Code.OK, a.awaitEnd(T).getCode());
            assertEquals("", a.stdout());
            assertEquals("err\n", a.stderr());
        }
    }

    @Test
    void stdinReachesTheProcessAndStdinOnceEofEndsIt() throws Exception {
        supervisor.sup().tasks().create(supervisor.host().createRequest("cat", "cat").toBuilder().setStdin(true).build());
        supervisor.sup().tasks().start(TaskRequests.of("cat"));
        AttachOpen open = AttachClient.openOf("cat", "").setStdin(true).setStdinOnce(true).build();
        try (AttachClient a = AttachClient.open(supervisor.sup().async, open)) {
            a.stdin("hello ");
            a.stdin("world\n");
            a.awaitStdout(T, "hello world\n");
            a.stdinEof();
            assertEquals(Status.Code.OK, a.awaitEnd(T).getCode());
        }
        assertEquals(0, supervisor.sup().tasks().wait(TaskRequests.of("cat")).getExit().getExitCode());
    }

    @Test
    void closeStdinEndsCatWhileAnotherClientWatches() throws Exception {
        supervisor.sup().tasks().create(supervisor.host().createRequest("cs", "sh", "-c", "cat; echo done").toBuilder().setStdin(true).build());
        supervisor.sup().tasks().start(TaskRequests.of("cs"));
        try (AttachClient writer = AttachClient.open(supervisor.sup().async,
                AttachClient.openOf("cs", "").setStdin(true).build())) {
            writer.stdin("line\n");
            writer.awaitStdout(T, "line\n");
            // Without stdin_once the client's EOF leaves the process's stdin open ...
            writer.stdinEof();
            assertTrue(!writer.isDone());
            // ... until CloseStdin.
            supervisor.sup().tasks().closeStdin(TaskRequests.of("cs"));
            writer.awaitStdout(T, "done\n");
            assertEquals(Status.Code.OK, writer.awaitEnd(T).getCode());
        }
        assertEquals(0, supervisor.sup().tasks().wait(TaskRequests.of("cs")).getExit().getExitCode());
    }

    @Test
    void firstRequestMustBeOpen() throws Exception {
        supervisor.sup().tasks().create(supervisor.host().createRequest("f", "sleep", "1000"));
        try (AttachClient a = AttachClient.first(supervisor.sup().async,
                AttachRequest.newBuilder().setStdin(ByteString.copyFromUtf8("x")).build())) {
            Status s = a.awaitEnd(T);
            assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode());
            assertTrue(s.getDescription().contains("open"), s.getDescription());
        }
        try (AttachClient a = AttachClient.open(supervisor.sup().async, AttachClient.openOf("f", "").build())) {
            a.send(AttachRequest.newBuilder().setOpen(AttachClient.openOf("f", "")).build());
            assertEquals(Status.Code.INVALID_ARGUMENT, a.awaitEnd(T).getCode());
        }
        Await.until(T, "no relay left", () -> supervisor.sup().server.service().attachCount() == 0);
    }

    @Test
    void attachToStoppedOrUnknownProcessFails() throws Exception {
        supervisor.sup().tasks().create(supervisor.host().createRequest("s", "true"));
        supervisor.sup().tasks().start(TaskRequests.of("s"));
        supervisor.sup().tasks().wait(TaskRequests.of("s"));
        try (AttachClient a = AttachClient.open(supervisor.sup().async, AttachClient.openOf("s", "").build())) {
            Status st = a.awaitEnd(T);
            assertEquals(Status.Code.FAILED_PRECONDITION, st.getCode());
            assertTrue(st.getDescription().startsWith("task s: attach: "), st.getDescription());
        }
        try (AttachClient a = AttachClient.open(supervisor.sup().async, AttachClient.openOf("nope", "").build())) {
            assertEquals(Status.Code.NOT_FOUND, a.awaitEnd(T).getCode());
        }
        try (AttachClient a = AttachClient.open(supervisor.sup().async, AttachClient.openOf("s", "nope").build())) {
            assertEquals(Status.Code.NOT_FOUND, a.awaitEnd(T).getCode());
        }
    }

    @Test
    void clientThatStopsReadingIsDroppedInsteadOfBuffered() throws Exception {
        // The log rotates at 1 MiB: yes writes fast.
        supervisor.sup().tasks().create(supervisor.host().createRequest("yes", "yes", "0123456789abcdefghijklmnopqrstuvwxyz").toBuilder()
                .setLogMaxSize(1024 * 1024).setLogMaxFiles(1).build());
        AtomicLong received = new AtomicLong();
        CompletableFuture<Status> end = new CompletableFuture<>();
        CompletableFuture<ClientCallStreamObserver<AttachRequest>> call = new CompletableFuture<>();
        var requests = supervisor.sup().async.attach(new ClientResponseObserver<AttachRequest, AttachOutput>() {
            @Override
            public void beforeStart(ClientCallStreamObserver<AttachRequest> requestStream) {
                requestStream.disableAutoRequestWithInitial(0); // read nothing until told
                call.complete(requestStream);
            }

            @Override
            public void onNext(AttachOutput value) {
                received.addAndGet(value.getData().size());
            }

            @Override
            public void onError(Throwable t) {
                end.complete(Status.fromThrowable(t));
            }

            @Override
            public void onCompleted() {
                end.complete(Status.OK);
            }
        });
        requests.onNext(AttachRequest.newBuilder().setOpen(AttachClient.openOf("yes", "")).build());
        Await.until(T, "the attach to be relayed", () -> supervisor.sup().server.service().attachCount() == 1);
        supervisor.sup().tasks().start(TaskRequests.of("yes"));
        // The shim notes the drop in its log once we stopped reading and 32 KiB piled up.
        Await.until(T, "the shim to drop the stalled client", () -> {
            try {
                return Files.readString(supervisor.host().taskDir("yes").resolve("shim.log")).contains("too slow");
            } catch (Exception e) {
                return false;
            }
        });
        call.join().request(Integer.MAX_VALUE);
        Status s = end.get(T.toMillis(), TimeUnit.MILLISECONDS);
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, s.getCode(), s.toString());
        // What got through is bounded by gRPC's windows plus the shim's 32 KiB, not by the process's output.
        assertTrue(received.get() < 8L * 1024 * 1024, "received " + received.get());
        Await.until(T, "the relay to be gone", () -> supervisor.sup().server.service().attachCount() == 0);
        supervisor.sup().tasks().delete(DeleteTaskRequest.newBuilder().setId("yes").setForce(true).build());
    }
}
