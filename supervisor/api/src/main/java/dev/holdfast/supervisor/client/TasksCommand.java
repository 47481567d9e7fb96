package dev.holdfast.supervisor.client;

import dev.holdfast.supervisor.api.ListTasksRequest;
import dev.holdfast.supervisor.api.Task;
import dev.holdfast.supervisor.api.TasksGrpc;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code holdfast ctl tasks ls}: the supervisor's tasks, asked of the supervisor itself (no engine needed), in the
 * columns of {@code ctr tasks ls}. Usage: {@code TasksCommand --socket PATH [ls]}.
 */
public final class TasksCommand {
    private TasksCommand() {}

    public static void main(String[] args) throws InterruptedException {
        Path socket = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--socket") && i + 1 < args.length) {
                socket = Path.of(args[++i]);
            } else if (!args[i].equals("ls")) {
                usage("unexpected argument " + args[i]);
            }
        }
        if (socket == null) {
            usage("--socket is required");
        }
        // netty's notes about channel options are no business of an operator reading a table.
        Logger.getLogger("io.netty").setLevel(Level.SEVERE);
        Logger.getLogger("io.grpc").setLevel(Level.SEVERE);
        ManagedChannel channel = SupervisorChannels.connect(socket);
        try {
            List<Task> tasks = TasksGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .list(ListTasksRequest.getDefaultInstance()).getTasksList();
            System.out.print(format(tasks));
        } catch (StatusRuntimeException e) {
            System.err.println("holdfast ctl: listing tasks at " + socket + ": " + e.getStatus().getCode()
                    + (e.getStatus().getDescription() == null ? "" : ": " + e.getStatus().getDescription()));
            System.exit(1);
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    /** A table with a header row; columns padded like ctr's tabwriter. */
    public static String format(List<Task> tasks) {
        StringBuilder out = new StringBuilder();
        String row = "%-64s    %-8s    %-8s    %s%n";
        out.append(String.format(row, "ID", "PID", "STATUS", "SHIM PID"));
        for (Task t : tasks) {
            String status = t.getStatus().name().replaceFirst("^STATUS_", "").toUpperCase(Locale.ROOT);
            out.append(String.format(row, t.getId(), t.getPid(), status, t.getShimPid()));
        }
        return out.toString();
    }

    private static void usage(String problem) {
        System.err.println("holdfast ctl: " + problem + "\nusage: TasksCommand --socket PATH [ls]");
        System.exit(2);
    }
}
