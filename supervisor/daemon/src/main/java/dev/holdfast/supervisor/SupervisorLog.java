package dev.holdfast.supervisor;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** java.util.logging to stderr, one line per record: {@code <UTC time> <level> <logger>: <message>}. */
public final class SupervisorLog {
    private SupervisorLog() {}

    public static void install(Level level) {
        Logger root = Logger.getLogger("");
        for (Handler h : root.getHandlers()) {
            root.removeHandler(h);
        }
        ConsoleHandler handler = new ConsoleHandler();
        handler.setLevel(level);
        handler.setFormatter(new LineFormatter());
        root.addHandler(handler);
        root.setLevel(level);
        // Keep the libraries' chatter down.
        Logger.getLogger("io.grpc").setLevel(Level.WARNING);
        Logger.getLogger("io.netty").setLevel(Level.WARNING);
        // grpc-netty asks for SO_KEEPALIVE, which unix sockets do not have: one warning per connection.
        Logger.getLogger("io.netty.bootstrap").setLevel(Level.SEVERE);
    }

    /** The one-line format. */
    public static final class LineFormatter extends Formatter {
        @Override
        public String format(LogRecord r) {
            String name = r.getLoggerName() == null ? "" : r.getLoggerName();
            StringBuilder sb = new StringBuilder()
                    .append(Instant.ofEpochMilli(r.getMillis()))
                    .append(' ').append(r.getLevel().getName())
                    .append(' ').append(name.substring(name.lastIndexOf('.') + 1))
                    .append(": ").append(formatMessage(r)).append('\n');
            if (r.getThrown() != null) {
                StringWriter sw = new StringWriter();
                r.getThrown().printStackTrace(new PrintWriter(sw));
                sb.append(sw);
            }
            return sb.toString();
        }
    }
}
